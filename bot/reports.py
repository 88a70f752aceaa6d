"""Learning from cases: the compliments wall, and signals per process owner.

Signals are things to act on: root causes that recur, categories rising against their usual
level, customers who keep coming back, with the customers' own "how could we have done better"
answers. Handling times appear as indicators next to them, per team, never as a ranking of
people.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.context import Ctx
from bot.texts import Texts
from routing.config import Config
from storage import timers as tm
from storage.records import CaseRecord
from storage.store import Unit


@dataclass
class Signals:
    owner: str
    teams: list[str]
    causes: list[tuple[str, int, list[str]]] = field(default_factory=list)  # cause, n, answers
    rising: list[tuple[str, int, float]] = field(default_factory=list)  # category, week, usual
    repeat: list[tuple[int, int, list[str], list[str]]] = field(default_factory=list)
    indicators: dict[str, str] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not (self.causes or self.rising or self.repeat)


def _hours(values: list[timedelta]) -> str:
    if not values:
        return "—"
    med = statistics.median(v.total_seconds() for v in values) / 3600
    return f"{med:.1f}h (n={len(values)})"


async def signals(unit: Unit, config: Config, now: datetime) -> list[Signals]:
    s = config.followup.signals
    since = now - s.window
    cases = [c for c in await unit.all_cases(since=since) if c.kind != "compliment"]
    owners: dict[str, list[str]] = defaultdict(list)
    for t in config.teams:
        if t.process_owner:
            owners[t.process_owner].append(t.id)
    out = []
    weeks = max(1.0, s.window / timedelta(days=7) - 1)
    all_remedies = [r for r in await tm.remedies(unit) if r.created_at >= since]
    consults = await tm.consult_waits(unit, since)
    for owner, teams in owners.items():
        mine = [c for c in cases if c.owner_team in teams]
        sig = Signals(owner, teams)
        by_cause: dict[str, list[CaseRecord]] = defaultdict(list)
        for c in mine:
            if c.root_cause:
                by_cause[c.root_cause].append(c)
        for cause, cs in sorted(by_cause.items(), key=lambda kv: -len(kv[1])):
            if len(cs) >= s.recurring_min:
                sig.causes.append((cause, len(cs), [c.better_service for c in cs
                                                    if c.better_service][:3]))
        recent = Counter(c.category for c in mine if c.created_at >= now - timedelta(days=7))
        before = Counter(c.category for c in mine if c.created_at < now - timedelta(days=7))
        for cat, n in recent.most_common():
            usual = before.get(cat, 0) / weeks
            if n >= 2 and n > 1.5 * usual:
                sig.rising.append((cat, n, round(usual, 1)))
        per_customer: dict[int, list[CaseRecord]] = defaultdict(list)
        for c in mine:
            per_customer[c.customer_id].append(c)
        for cid, cs in per_customer.items():
            if len(cs) >= 2:
                sig.repeat.append((cid, len(cs), [c.reference for c in cs],
                                   [c.better_service for c in cs if c.better_service][:3]))
        first = [c.first_response_at - c.created_at for c in mine if c.first_response_at]
        resolved = [c.resolved_at - c.created_at for c in mine if c.resolved_at]
        ids = {c.id for c in mine}
        waits = [r.decided_at - r.created_at for r in all_remedies
                 if r.case_id in ids and r.decided_at and r.status in ("approved", "declined")]
        consult = [w for c in mine for w in consults.get(c.id, [])]
        sig.indicators = {"cases": str(len(mine)), "first_response_median": _hours(first),
                          "resolution_median": _hours(resolved),
                          "approval_wait_median": _hours(waits),
                          "consult_wait_median": _hours(consult)}
        out.append(sig)
    return out


def render_signals(sig: Signals, config: Config, texts: Texts, lang: str, days: int) -> str:
    name = config.person(sig.owner).display_first_name if config.has_person(sig.owner) \
        else sig.owner
    lines = [str(texts.get(lang, "followup.signals_header", name=name, days=days))]
    lines.append(texts.get(lang, "followup.signals_teams", teams=", ".join(sig.teams)))
    if sig.empty:
        lines.append(texts.raw(lang, "followup.signals_none"))

    def answers(items: list[str]) -> list[str]:
        return [texts.get(lang, "followup.signals_answer", answer=a[:200]) for a in items]

    for cause, n, said in sig.causes:
        lines.append(texts.get(lang, "followup.signals_cause", cause=cause, n=n))
        lines += answers(said)
    for cat, n, usual in sig.rising:
        lines.append(texts.get(lang, "followup.signals_rising", category=cat, n=n, usual=usual))
    for cid, n, refs, said in sig.repeat:
        lines.append(texts.get(lang, "followup.signals_repeat", customer=cid, n=n,
                               refs=", ".join(refs)))
        lines += answers(said)
    ind = sig.indicators
    lines.append(texts.get(lang, "followup.signals_indicators", cases=ind["cases"],
                           first=ind["first_response_median"],
                           resolution=ind["resolution_median"],
                           approval=ind["approval_wait_median"],
                           consult=ind["consult_wait_median"]))
    return "\n".join(lines)


async def send_weekly_signals(ctx: Ctx) -> None:
    days = ctx.config.followup.signals.window.days
    for sig in await signals(ctx.unit, ctx.config, ctx.now):
        chat = ctx.chat_of_person(sig.owner)
        if chat is None:
            continue
        lang = ctx.staff_language(ctx.config.person(sig.owner))
        await ctx.send("telegram", chat, render_signals(sig, ctx.config, ctx.texts, lang, days))


async def compliments_wall(unit: Unit, config: Config) -> str:
    items: list[dict[str, Any]] = await unit.compliments()
    if not items:
        return "No compliments yet."
    groups: dict[tuple[str, str | None], list[dict[str, Any]]] = defaultdict(list)
    for c in items:
        groups[(c["team"], c["person"])].append(c)
    lang = config.organisation.default_language
    lines = [f"Compliments wall — {len(items)} compliment(s)"]
    for (team, person), cs in sorted(groups.items(), key=lambda kv: -len(kv[1])):
        tname = config.team(team).name.get(lang, team) if config.has_team(team) else team
        who = f"{config.person(person).name} ({tname})" if person and config.has_person(person) \
            else tname
        lines.append(f"\n★ {who}: {len(cs)}")
        for c in cs:
            lines.append(f"  {c['at']:%Y-%m-%d} “{c['text'][:300]}”")
    return "\n".join(lines)


async def overdue(unit: Unit, config: Config, texts: Texts, lang: str, now: datetime) -> str:
    """Open cases past a deadline, most overdue first: what needs someone now."""
    rows: list[tuple[timedelta, str]] = []
    for c in await unit.all_cases():
        if not c.is_open:
            continue
        owner = c.owner_person or c.owner_team
        late_first = now - c.first_response_due if c.first_response_due and \
            c.first_response_at is None and c.first_response_due < now else None
        late_res = now - c.resolution_due if c.resolution_due and c.resolution_due < now \
            else None
        for what, late in (("first_response", late_first), ("resolution", late_res)):
            if late is not None:
                rows.append((late, str(texts.get(
                    lang, "followup.overdue_line", ref=c.reference, owner=owner,
                    urgency=texts.raw(lang, f"urgency.{c.urgency}"),
                    what=texts.raw(lang, f"followup.what.{what}"),
                    late=f"{late.total_seconds() / 3600:.1f}h"))))
    if not rows:
        return texts.raw(lang, "followup.overdue_none")
    return "\n".join(line for _late, line in sorted(rows, key=lambda r: -r[0]))
