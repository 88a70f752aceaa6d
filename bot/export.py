"""`skewer cases export`: every case with its fields and timeline, as JSON lines or CSV."""

from __future__ import annotations

import csv
import json
from collections.abc import AsyncIterator
from typing import Any, TextIO

from bot.timeline import message_timeline
from routing.config import Config
from storage.store import Store

CSV_FIELDS = [
    "reference", "channel", "customer_id", "customer_name", "language", "status", "kind",
    "category", "urgency", "urgency_reasons", "text", "better_service", "order_reference",
    "owner_team", "owner_person", "owner_name", "rule", "why", "tags", "root_cause",
    "satisfaction", "satisfaction_comment", "attachments", "created_at", "first_response_due",
    "first_response_at", "taken_at", "resolved_at", "timeline",
]


async def iter_cases(store: Store, config: Config) -> AsyncIterator[dict[str, Any]]:
    async with store.unit() as unit:
        cases = await unit.all_cases()
    for case in cases:
        async with store.unit() as unit:
            customer = await unit.get_customer(case.customer_id)
            events = await unit.events(case.id)
            messages = await unit.messages(case.id)
            attachments = await unit.attachments(case.id)
            fb = await unit.feedback(case.id)
        cls = case.decision.get("classification", {})
        owner_name = (config.person(case.owner_person).name
                      if case.owner_person and config.has_person(case.owner_person) else
                      config.team(case.owner_team).name.get(config.organisation.default_language,
                                                            case.owner_team)
                      if config.has_team(case.owner_team) else case.owner_team)
        yield {
            "reference": case.reference, "channel": case.channel,
            "customer_id": case.customer_id, "customer_name": customer.display_name,
            "language": case.language, "status": case.status, "kind": case.kind,
            "category": case.category, "urgency": case.urgency,
            "urgency_reasons": cls.get("urgency_reasons", []), "text": case.text,
            "better_service": case.better_service, "order_reference": case.order_reference,
            "owner_team": case.owner_team, "owner_person": case.owner_person,
            "owner_name": owner_name, "rule": case.rule, "why": case.decision.get("why"),
            "decision": case.decision, "tags": case.tags, "root_cause": case.root_cause,
            "satisfaction": fb.score if fb else None,
            "satisfaction_comment": fb.comment if fb else None,
            "attachments": [{"kind": a.kind, "file_id": a.file_id, "file_name": a.file_name,
                             "caption": a.caption, "channel": a.channel} for a in attachments],
            "created_at": case.created_at.isoformat(),
            "first_response_due": _iso(case.first_response_due),
            "first_response_at": _iso(case.first_response_at),
            "taken_at": _iso(case.taken_at), "resolved_at": _iso(case.resolved_at),
            "timeline": [{"at": e.at.isoformat(), "type": e.type, "actor": e.actor,
                          **({"data": e.data} if e.type != "created" else {})} for e in events],
            "messages": message_timeline(messages),
        }


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


async def export(store: Store, config: Config, out: TextIO, fmt: str = "jsonl") -> int:
    n = 0
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, extrasaction="ignore")
        writer.writeheader()
    async for row in iter_cases(store, config):
        if fmt == "csv":
            flat = {k: (json.dumps(v, ensure_ascii=False) if isinstance(v, list | dict) else v)
                    for k, v in row.items()}
            writer.writerow(flat)
        else:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
        n += 1
    return n
