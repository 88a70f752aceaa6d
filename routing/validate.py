"""Checks that need the whole config: references between sections, catch-all, coverage."""

from __future__ import annotations

from typing import Any

from routing.config import Config, ConfigProblem, _fmt_loc, line_of
from routing.types import Urgency


def semantic_problems(
    config: Config, data: dict[str, Any], lines: dict[tuple[Any, ...], int], filename: str
) -> list[ConfigProblem]:
    problems: list[ConfigProblem] = []

    def add(loc: tuple[Any, ...], message: str, level: str = "error") -> None:
        problems.append(
            ConfigProblem(filename, line_of(lines, loc), _fmt_loc(loc, data), message, level)
        )

    people = {p.id for p in config.people}
    teams = {t.id for t in config.teams}
    categories = {c.id for c in config.categories}

    for kind, items in (("people", config.people), ("teams", config.teams),
                        ("categories", config.categories), ("rules", config.rules)):
        seen: set[str] = set()
        for i, item in enumerate(items):
            ident = str(getattr(item, "id", None) or getattr(item, "name", ""))
            if ident in seen:
                add((kind, i), f"duplicate {kind[:-1] if kind != 'people' else 'person'} {ident!r}")
            seen.add(ident)

    tg_seen: dict[int, str] = {}
    for i, p in enumerate(config.people):
        if p.team not in teams:
            add(("people", i, "team"), f"unknown team {p.team!r}; known: {sorted(teams)}")
        if p.deputy is not None and p.deputy not in people:
            add(("people", i, "deputy"), f"unknown person {p.deputy!r}")
        if p.telegram_id is not None:
            if p.telegram_id in tg_seen:
                add(("people", i, "telegram_id"),
                    f"telegram_id {p.telegram_id} is also {tg_seen[p.telegram_id]!r}")
            tg_seen[p.telegram_id] = p.id

    for i, t in enumerate(config.teams):
        if t.lead is not None and t.lead not in people:
            add(("teams", i, "lead"), f"unknown person {t.lead!r}")
        if t.process_owner is not None and t.process_owner not in people:
            add(("teams", i, "process_owner"), f"unknown person {t.process_owner!r}")
        for j, m in enumerate(t.members):
            if m not in people:
                add(("teams", i, "members", j), f"unknown person {m!r}")
        for j, slot in enumerate(t.rota):
            if slot.person not in people:
                add(("teams", i, "rota", j, "person"), f"unknown person {slot.person!r}")
        if t.pick == "rota" and not t.rota:
            add(("teams", i, "pick"), "pick is 'rota' but the team has no rota")
        if not config.members(t.id) and t.chat_id is None:
            add(("teams", i), "team has no members and no group chat: nobody could take its cases")

    if config.organisation.frontline_team not in teams:
        add(("organisation", "frontline_team"),
            f"unknown team {config.organisation.frontline_team!r}: the catch-all needs it")
    if config.organisation.default_language not in config.organisation.languages:
        add(("organisation", "default_language"), "must be one of organisation.languages")

    for u in Urgency:
        if u.value not in config.deadlines:
            add(("deadlines",), f"no deadline profile named {u.value!r} (one per urgency)")

    for i, c in enumerate(config.categories):
        if c.team is not None and c.team not in teams:
            add(("categories", i, "team"), f"unknown team {c.team!r}")
    if "other" not in categories:
        add(("categories",), "a category 'other' is required: what fits nowhere else")

    for i, r in enumerate(config.rules):
        o = r.then.owner
        if o.team is not None and o.team not in teams:
            add(("rules", i, "then", "owner", "team"),
                f"unknown team {o.team!r}; known: {sorted(teams)}")
        if o.person is not None and o.person not in people:
            add(("rules", i, "then", "owner", "person"), f"unknown person {o.person!r}")
        for j, n in enumerate(r.then.notify):
            if n not in people and n not in ("lead", "process_owner"):
                add(("rules", i, "then", "notify", j), f"unknown person {n!r}")
        if r.then.deadlines is not None and r.then.deadlines not in config.deadlines:
            add(("rules", i, "then", "deadlines"), f"unknown deadline profile {r.then.deadlines!r}")
        for j, cat in enumerate(r.when.category or []):
            if cat not in categories:
                add(("rules", i, "when", "category", j), f"unknown category {cat!r}")

    if not config.rules or not config.rules[-1].when.is_catch_all:
        add(("rules",),
            "the last rule must be a catch-all (an empty 'when'), so no case is left unassigned")

    return problems
