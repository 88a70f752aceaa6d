"""Repository functions for the other channels: link codes, API keys, web chat history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from storage import models as m
from storage import models_omni as o
from storage.store import Unit


@dataclass(frozen=True)
class ApiKeyRecord:
    key_id: str
    key_hash: str
    scope: str
    name: str
    person: str | None
    revoked: bool


# -- link codes ------------------------------------------------------------------------------
async def create_link_code(unit: Unit, code_hash: str, customer_id: int, channel: str,
                           now: datetime, expires_at: datetime) -> None:
    # One live code per customer: asking again replaces the previous one.
    await unit.s.execute(
        update(o.LinkCode).where(o.LinkCode.customer_id == customer_id, o.LinkCode.used_at.is_(None))
        .values(used_at=now))
    unit.s.add(o.LinkCode(code_hash=code_hash, customer_id=customer_id, channel=channel,
                          created_at=now, expires_at=expires_at))
    await unit.s.flush()


async def redeem_link_code(unit: Unit, code_hash: str, now: datetime) -> tuple[str, int | None]:
    """("ok", customer) once; then "used"; "expired" after its time; "unknown" otherwise."""
    row = await unit.s.scalar(select(o.LinkCode).where(o.LinkCode.code_hash == code_hash))
    if row is None:
        return "unknown", None
    if row.used_at is not None:
        return "used", None
    if row.expires_at <= now:
        return "expired", None
    # Conditional update: two channels typing the same code at once, only one wins.
    result = await unit.s.execute(
        update(o.LinkCode).where(o.LinkCode.id == row.id, o.LinkCode.used_at.is_(None))
        .values(used_at=now))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return "used", None
    return "ok", row.customer_id


async def merge_customer(unit: Unit, from_customer: int, into_customer: int, now: datetime) -> int:
    """Everything of one customer record becomes the other's: identities, cases, compliments.
    Only ever called for a code the customer typed; returns how many cases moved."""
    if from_customer == into_customer:
        return 0
    await unit.s.execute(update(m.Identity).where(m.Identity.customer_id == from_customer)
                         .values(customer_id=into_customer))
    moved = await unit.s.execute(update(m.Case).where(m.Case.customer_id == from_customer)
                                 .values(customer_id=into_customer))
    await unit.s.execute(update(m.Compliment).where(m.Compliment.customer_id == from_customer)
                         .values(customer_id=into_customer))
    await unit.s.execute(update(o.LinkCode).where(o.LinkCode.customer_id == from_customer)
                         .values(customer_id=into_customer, used_at=now))
    return int(moved.rowcount or 0)  # type: ignore[attr-defined]


async def touch_identity(unit: Unit, channel: str, external_id: str, now: datetime) -> None:
    """This identity was used just now: replies go to the channel the customer last used."""
    await unit.s.execute(update(m.Identity).where(m.Identity.channel == channel,
                                                  m.Identity.external_id == external_id)
                         .values(last_seen_at=now, reachable=True))


async def set_identity_reachable(unit: Unit, channel: str, external_id: str,
                                 reachable: bool) -> None:
    await unit.s.execute(update(m.Identity).where(m.Identity.channel == channel,
                                                  m.Identity.external_id == external_id)
                         .values(reachable=reachable))


async def has_other_reachable_identity(unit: Unit, customer_id: int, channel: str) -> bool:
    found = await unit.s.scalar(select(m.Identity.id).where(
        m.Identity.customer_id == customer_id, m.Identity.channel != channel,
        m.Identity.reachable.is_(True)).limit(1))
    return found is not None


# -- API keys --------------------------------------------------------------------------------
async def create_api_key(unit: Unit, key_id: str, key_hash: str, scope: str, name: str,
                         person: str | None, now: datetime) -> None:
    unit.s.add(o.ApiKey(key_id=key_id, key_hash=key_hash, scope=scope, name=name, person=person,
                        created_at=now))
    await unit.s.flush()


async def api_key(unit: Unit, key_id: str) -> ApiKeyRecord | None:
    row = await unit.s.scalar(select(o.ApiKey).where(o.ApiKey.key_id == key_id))
    if row is None:
        return None
    return ApiKeyRecord(row.key_id, row.key_hash, row.scope, row.name, row.person,
                        row.revoked_at is not None)


async def revoke_api_key(unit: Unit, key_id: str, now: datetime) -> bool:
    result = await unit.s.execute(update(o.ApiKey).where(o.ApiKey.key_id == key_id,
                                                         o.ApiKey.revoked_at.is_(None))
                                  .values(revoked_at=now))
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def list_api_keys(unit: Unit) -> list[dict[str, Any]]:
    rows = (await unit.s.execute(select(o.ApiKey).order_by(o.ApiKey.id))).scalars()
    return [{"key_id": r.key_id, "scope": r.scope, "name": r.name, "person": r.person,
             "created_at": r.created_at.isoformat(), "revoked": r.revoked_at is not None}
            for r in rows]


# -- web chat --------------------------------------------------------------------------------
async def chat_history(unit: Unit, channel: str, chat_id: str, after_id: int,
                       limit: int = 200) -> list[tuple[int, dict[str, Any]]]:
    """Messages for one chat after a cursor, in order, whatever their delivery status: the web
    chat reads its history straight from the outbox, so a reload or a dropped connection resumes
    exactly where it was."""
    rows = (await unit.s.execute(
        select(m.OutboxMessage.id, m.OutboxMessage.payload)
        .where(m.OutboxMessage.channel == channel, m.OutboxMessage.chat_id == chat_id,
               m.OutboxMessage.id > after_id)
        .order_by(m.OutboxMessage.id).limit(limit))).all()
    return [(int(r[0]), dict(r[1])) for r in rows]
