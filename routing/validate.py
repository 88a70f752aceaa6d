"""Checks that need the whole config: references between sections, catch-all, coverage."""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from routing.config import (
    WEEKDAYS,
    Condition,
    Config,
    ConfigError,
    ConfigProblem,
    Hours,
    Rule,
    _fmt_loc,
    _key_lines,
    _LineLoader,
    line_of,
    parse_config,
)
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

    _timezones(config, add)
    _coverage(config, add)
    _shadowing(config, add)
    _followup(config, add)

    if not config.rules or not config.rules[-1].when.is_catch_all:
        add(("rules",),
            "the last rule must be a catch-all (an empty 'when'), so no case is left unassigned")

    return problems


Add = Any  # the `add(loc, message, level="error")` callback of semantic_problems


def check_config(text: str, filename: str = "config.yaml") -> list[ConfigProblem]:
    """Every problem of a config text, errors and warnings, for `skewer routes check`."""
    try:
        config = parse_config(text, filename)
    except ConfigError as e:
        return list(e.problems)
    data = yaml.load(text, Loader=_LineLoader)
    return semantic_problems(config, data, _key_lines(text), filename)


def _timezones(config: Config, add: Add) -> None:
    def check(hours: Hours | None, loc: tuple[Any, ...]) -> None:
        if hours is None:
            return
        try:
            ZoneInfo(hours.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            add((*loc, "timezone"), f"unknown time zone {hours.timezone!r} (e.g. Europe/Amsterdam)")
        for j, d in enumerate(hours.holidays):
            try:
                date.fromisoformat(d)
            except ValueError:
                add((*loc, "holidays", j), f"not a date: {d!r} (write YYYY-MM-DD)")

    check(config.organisation.hours, ("organisation", "hours"))
    for i, t in enumerate(config.teams):
        check(t.hours, ("teams", i, "hours"))
    for i, r in enumerate(config.rules):
        check(r.hours, ("rules", i, "hours"))


def _coverage(config: Config, add: Add) -> None:
    """People nobody can hand a case to, rotas with uncovered weekdays, groups without a chat."""
    on_rota = {slot.person for t in config.teams for slot in t.rota}
    for i, p in enumerate(config.people):
        if not config.has_team(p.team):
            continue
        team = config.team(p.team)
        roles = {team.lead, team.process_owner} | {
            t.lead for t in config.teams
        } | {t.process_owner for t in config.teams}
        named_in_rules = any(r.then.owner.person == p.id or p.id in r.then.notify
                             for r in config.rules)
        if (p.id not in team.members and p.id not in on_rota and p.id not in roles
                and not named_in_rules):
            add(("people", i, "team"),
                f"{p.id} is on no rota and not among the members of {p.team}: "
                "no rule or pick can give them a case", "warning")
    for i, t in enumerate(config.teams):
        if t.rota:
            covered = {d for slot in t.rota for d in slot.days}
            missing = [d for d in WEEKDAYS if d not in covered]
            if missing:
                add(("teams", i, "rota"),
                    f"the rota leaves {', '.join(missing)} uncovered: cases then fall back "
                    "to the team lead or frontline", "warning")
        if t.pick == "group" and t.chat_id is None:
            add(("teams", i, "pick"),
                "pick is 'group' but the team has no chat_id: round robin is used", "warning")


def _allowed_urgencies(c: Condition) -> frozenset[Urgency] | None:
    if c.urgency is None and c.urgency_at_least is None and c.urgency_at_most is None:
        return None
    out = set(c.urgency) if c.urgency is not None else set(Urgency)
    if c.urgency_at_least is not None:
        out = {u for u in out if u.at_least(c.urgency_at_least)}
    if c.urgency_at_most is not None:
        ceiling = c.urgency_at_most
        out = {u for u in out if ceiling.at_least(u)}
    return frozenset(out)


_SET_FIELDS = ("category", "kind", "channel", "language", "segment", "weekday")
_BOOL_FIELDS = ("repeat", "vulnerable", "business_hours", "holiday")
_TIME_FIELDS = ("weekday", "business_hours", "holiday")


def covers(earlier: Rule, later: Rule, universes: dict[str, frozenset[str]]) -> bool:
    """True if every case `later` matches is also matched by `earlier` (sound, conservative).

    Only provable containment counts: when in doubt (different regexes, hours that differ,
    free text) the answer is False, so a reported shadow is a real one.
    """
    a, b = earlier.when, later.when
    for f in _SET_FIELDS:
        sa, sb = getattr(a, f), getattr(b, f)
        if sa is None:
            continue
        allowed = set(sa)
        if sb is None:
            if f in universes and universes[f] <= allowed:
                continue
            return False
        if not set(sb) <= allowed:
            return False
    ua, ub = _allowed_urgencies(a), _allowed_urgencies(b)
    if ua is not None and not (ub if ub is not None else frozenset(Urgency)) <= ua:
        return False
    for f in _BOOL_FIELDS:
        va, vb = getattr(a, f), getattr(b, f)
        if va is not None and va != vb:
            return False
    if a.keywords is not None and (b.keywords is None or not set(b.keywords) <= set(a.keywords)):
        return False
    if a.regex is not None and a.regex != b.regex:
        return False
    uses_time = any(getattr(a, f) is not None for f in _TIME_FIELDS)
    return not (uses_time and earlier.hours != later.hours)


def _shadowing(config: Config, add: Add) -> None:
    """Report rules an earlier rule always beats. Earlier rules are indexed by what they
    require (regex, keyword, category), so each rule is compared only with the few that
    could cover it: near-linear instead of comparing every pair (10,000 rules took minutes)."""
    universes = {
        "kind": frozenset({"complaint", "compliment", "question"}),
        "weekday": frozenset(WEEKDAYS),
        "category": frozenset(c.id for c in config.categories),
        "language": frozenset(config.organisation.languages),
    }
    by_regex: dict[str, list[int]] = {}
    by_keyword: dict[str, list[int]] = {}
    by_category: dict[str, list[int]] = {}
    any_category: list[int] = []  # no category condition, or one naming every category
    rules = config.rules
    for j, later in enumerate(rules):
        w = later.when
        candidates: set[int] = set()
        if w.regex is not None:
            candidates.update(by_regex.get(w.regex, ()))
        for kw in w.keywords or ():
            candidates.update(by_keyword.get(kw, ()))
        for cat in (w.category or ())[:1]:
            candidates.update(by_category.get(cat, ()))
        candidates.update(any_category)
        for i in sorted(candidates):
            if covers(rules[i], later, universes):
                add(("rules", j, "when"),
                    f"rule {later.name!r} can never fire: rule #{i} {rules[i].name!r} "
                    "matches every case it would (move it up or narrow the earlier rule)")
                break
        if w.regex is not None:
            by_regex.setdefault(w.regex, []).append(j)
        elif w.keywords is not None:
            for kw in w.keywords:
                by_keyword.setdefault(kw, []).append(j)
        elif w.category is not None and not universes["category"] <= set(w.category):
            for cat in w.category:
                by_category.setdefault(cat, []).append(j)
        else:
            any_category.append(j)


def _followup(config: Config, add: Add) -> None:
    """The follow-up settings: ladder rungs name a role or a known person; a usable schedule."""
    import re

    fu = config.followup
    people = {p.id for p in config.people}
    for name, ladder in (("ladder", fu.ladder), ("approval_ladder", fu.approval_ladder)):
        for i, rung in enumerate(ladder):
            if rung.to not in ("owner", "lead", "process_owner") and rung.to not in people:
                add(("followup", name, i, "to"),
                    f"unknown person {rung.to!r} (or write owner, lead, process_owner)")
    if not re.fullmatch(r"([01]?\d|2[0-3]):[0-5]\d", fu.signals.time):
        add(("followup", "signals", "time"), f"not a time of day: {fu.signals.time!r} (HH:MM)")
    if not 0 <= fu.low_score <= 5:
        add(("followup", "low_score"), "a score from 0 (never) to 5")
