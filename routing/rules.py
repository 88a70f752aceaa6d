"""Ordered routing rules, compiled once: first match wins, every miss says why.

Each rule's conditions become a tuple of small checks, cheapest first (set lookups on the
classification, then time, then keywords and regular expressions over the text). A check
returns None when it holds, or a short human reason when it does not ("category is billing,
rule wants delivery"), which ends up in `Decision.skipped`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from routing.config import Condition, Config, Hours, Rule
from routing.text import (
    CASELESS_ASCII_LOOKALIKES,
    PhraseGroup,
    PhraseSet,
    TextIndex,
    fold,
    has_literals,
    regex_literals,
)
from routing.text import index as text_index
from routing.types import CaseInput, Classification, Kind, RuleMiss, Urgency

WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass
class MatchContext:
    """One message being matched; folded text and local times are computed on first use."""

    inp: CaseInput
    c: Classification
    _folded: str | None = None
    _index: TextIndex | None = None
    _local: dict[str, datetime] | None = None
    _raw: str | None = None
    _lowered: str | None = None
    _opening: dict[int, tuple[bool, str]] | None = None

    @property
    def raw(self) -> str:
        """The text the `regex` condition reads."""
        if self._raw is None:
            self._raw = self.inp.text[:20_000] if self.inp.text else ""
            raw = self._raw
            plain = raw.isascii() or not any(ch in raw for ch in CASELESS_ASCII_LOOKALIKES)
            self._lowered = raw.lower() if plain else None
        return self._raw

    @property
    def lowered(self) -> str | None:
        """`raw` in lower case for `regex_literals` pre-checks, None when they do not hold."""
        _ = self.raw
        return self._lowered

    @property
    def folded(self) -> str:
        if self._folded is None:
            self._folded = fold(self.inp.text or "")
        return self._folded

    @property
    def index(self) -> TextIndex:
        if self._index is None:
            self._index = text_index(self.folded)
        return self._index

    def opening(self, hours: CompiledHours, local: datetime) -> tuple[bool, str]:
        """Whether `hours` are open at `local` (this message's local time in their zone), and
        that time as the misses show it; worked out once per hours."""
        if self._opening is None:
            self._opening = {}
        found = self._opening.get(id(hours))
        if found is None:
            found = self._opening[id(hours)] = (hours.is_open(local), local.strftime("%a %H:%M"))
        return found

    def local(self, tz: ZoneInfo) -> datetime | None:
        if self.inp.now is None:
            return None
        if self._local is None:
            self._local = {}
        key = tz.key
        if key not in self._local:
            now = self.inp.now
            self._local[key] = now.astimezone(tz) if now.tzinfo is not None else now.replace(tzinfo=tz)
        return self._local[key]


Check = Callable[[MatchContext], str | None]


class CompiledHours:
    def __init__(self, hours: Hours) -> None:
        self.tz = ZoneInfo(hours.timezone)
        self.week: dict[str, list[tuple[time, time]]] = {
            day: [(p.start, p.end) for p in periods] for day, periods in hours.week.items()
        }
        self.holidays = frozenset(date.fromisoformat(d) for d in hours.holidays)

    def is_holiday(self, local: datetime) -> bool:
        return local.date() in self.holidays

    def is_open(self, local: datetime) -> bool:
        if self.is_holiday(local):
            return False
        t = local.time()
        return any(
            s <= t < e or (e.second == 59 and s <= t)
            for s, e in self.week.get(WEEKDAY_KEYS[local.weekday()], [])
        )


def _fmt(values: Sequence[str]) -> str:
    return values[0] if len(values) == 1 else "one of " + ", ".join(values)


def compile_condition(
    cond: Condition, hours: CompiledHours, phrase_sets: list[PhraseSet] | None = None
) -> tuple[Check, ...]:
    """The condition's checks, in order. The keyword set made is appended to `phrase_sets`."""
    return static_checks(cond) + dynamic_checks(cond, hours, phrase_sets)


def static_checks(cond: Condition) -> tuple[Check, ...]:
    """The checks on the classification and the customer, in order (the category's first): what
    they decide depends on those values alone, whatever the time or the text."""
    checks: list[Check] = []
    if cond.category is not None:
        cats, want = frozenset(cond.category), _fmt(cond.category)
        checks.append(
            lambda x: None if x.c.category in cats else f"category is {x.c.category}, rule wants {want}"
        )
    if cond.kind is not None:
        kinds, wantk = frozenset(cond.kind), _fmt(cond.kind)
        checks.append(
            lambda x: None if x.c.kind.value in kinds else f"kind is {x.c.kind.value}, rule wants {wantk}"
        )
    if cond.urgency_at_least is not None:
        floor = cond.urgency_at_least
        checks.append(
            lambda x: (
                None
                if x.c.urgency.at_least(floor)
                else f"urgency is {x.c.urgency.value}, rule wants at least {floor.value}"
            )
        )
    if cond.urgency is not None:
        urg = frozenset(cond.urgency)
        wantu = _fmt([u.value for u in cond.urgency])
        checks.append(
            lambda x: None if x.c.urgency in urg else f"urgency is {x.c.urgency.value}, rule wants {wantu}"
        )
    if cond.urgency_at_most is not None:
        ceiling = cond.urgency_at_most
        checks.append(
            lambda x: (
                None
                if ceiling.at_least(x.c.urgency)
                else f"urgency is {x.c.urgency.value}, rule wants at most {ceiling.value}"
            )
        )
    if cond.channel is not None:
        chans, wantc = frozenset(cond.channel), _fmt(cond.channel)
        checks.append(
            lambda x: None if x.inp.channel in chans else f"channel is {x.inp.channel}, rule wants {wantc}"
        )
    if cond.language is not None:
        langs, wantl = frozenset(cond.language), _fmt(cond.language)
        checks.append(
            lambda x: None if x.c.language in langs else f"language is {x.c.language}, rule wants {wantl}"
        )
    if cond.segment is not None:
        segs, wants = frozenset(cond.segment), _fmt(cond.segment)
        checks.append(
            lambda x: (
                None
                if x.inp.customer.segment in segs
                else f"customer segment is {x.inp.customer.segment or '(none)'}, rule wants {wants}"
            )
        )
    if cond.vulnerable is not None:
        vul = cond.vulnerable
        checks.append(
            lambda x: (
                None
                if x.inp.customer.vulnerable == vul
                else "customer is "
                + ("" if x.inp.customer.vulnerable else "not ")
                + "marked vulnerable, rule wants "
                + ("" if vul else "not ")
                + "vulnerable"
            )
        )
    if cond.repeat is not None:
        rep = cond.repeat
        checks.append(
            lambda x: (
                None
                if x.c.repeat_contact == rep
                else (
                    "not a repeat contact, rule wants a repeat"
                    if rep
                    else "a repeat contact, rule wants a first or second contact"
                )
            )
        )
    return tuple(checks)


def dynamic_checks(
    cond: Condition, hours: CompiledHours, phrase_sets: list[PhraseSet] | None = None
) -> tuple[Check, ...]:
    """The checks on the time and the text, in order."""
    checks: list[Check] = []
    if cond.weekday is not None:
        days, wantd = frozenset(cond.weekday), _fmt(cond.weekday)

        def weekday(x: MatchContext) -> str | None:
            local = x.local(hours.tz)
            if local is None:
                return "time unknown, rule wants a weekday"
            day = WEEKDAY_KEYS[local.weekday()]
            return None if day in days else f"it is {day}, rule wants {wantd}"

        checks.append(weekday)
    if cond.holiday is not None:
        hol = cond.holiday

        def holiday(x: MatchContext) -> str | None:
            local = x.local(hours.tz)
            if local is None:
                return "time unknown, rule wants a holiday check"
            is_h = hours.is_holiday(local)
            if is_h == hol:
                return None
            return "not a holiday, rule wants a holiday" if hol else "a holiday, rule wants a working day"

        checks.append(holiday)
    if cond.business_hours is not None:
        bh = cond.business_hours

        def business(x: MatchContext) -> str | None:
            local = x.local(hours.tz)
            if local is None:
                return "time unknown, rule wants business hours check"
            is_open, stamp = x.opening(hours, local)
            if is_open == bh:
                return None
            return (
                f"outside business hours ({stamp}), rule wants business hours"
                if bh
                else f"within business hours ({stamp}), rule wants outside business hours"
            )

        checks.append(business)
    if cond.keywords is not None:
        kws = PhraseSet(cond.keywords)
        if phrase_sets is not None:
            phrase_sets.append(kws)
        wantk2 = _fmt(cond.keywords)
        checks.append(
            lambda x: None if kws.search(x.folded, g=x.index) else f"text has none of the keywords ({wantk2})"
        )
    if cond.regex is not None:
        rx = re.compile(cond.regex, re.IGNORECASE)
        literals = regex_literals(rx)  # what every match holds (lower-cased; see `lowered`)
        miss = f"text does not match /{cond.regex}/"

        def regex(x: MatchContext) -> str | None:
            if literals is not None:
                low = x.lowered
                if low is not None and not has_literals(low, literals):
                    return miss
            return None if rx.search(x.raw) else miss

        checks.append(regex)
    return tuple(checks)


@dataclass(frozen=True)
class CompiledRule:
    index: int
    rule: Rule
    checks: tuple[Check, ...]
    categories: frozenset[str] | None  # the category condition, checked from a per-category plan
    static: tuple[Check, ...]  # the other checks on the classification and the customer, in order
    dynamic: tuple[Check, ...]  # the checks on the time and the text, in order


PlanKey = tuple[str, Kind, Urgency, str, str, str, bool, bool]


@dataclass(frozen=True)
class _Plan:
    """The rules for one combination of the values the static checks read (`PlanKey`)."""

    misses: tuple[RuleMiss | None, ...]  # per rule: why it cannot match, None if it still may
    live: tuple[CompiledRule, ...]  # the rules that still may, in order: only their time and
    # text checks are left to run


class RuleSet:
    """The ordered rules, with plans so that 10,000 rules stay within a few milliseconds.

    Most conditions are on the classification and the customer (category, kind, urgency,
    channel, language, segment, vulnerable, repeat), which are checked before the time and the
    text. For one combination of those values the plan holds, per rule, the ready-made miss
    ("category is billing, rule wants delivery") or nothing, and the rules left: a decision runs
    only their time and text checks, in order, and its list of misses is the plan's up to the
    matching rule with the misses of the rules it tried filled in. Plans are made on first use
    and kept (as many as fit in a budget); misses are shared objects, so a decision that falls
    through many rules allocates little.
    """

    PLAN_BUDGET = 4_000_000  # rules times plans kept (~8 bytes each)

    def __init__(self, config: Config) -> None:
        org_hours = CompiledHours(config.organisation.hours)
        self.rules: list[CompiledRule] = []
        keyword_sets: list[PhraseSet] = []
        for i, r in enumerate(config.rules):
            hours = CompiledHours(r.hours) if r.hours is not None else org_hours
            static = static_checks(r.when)
            dynamic = dynamic_checks(r.when, hours, keyword_sets)
            cats = frozenset(r.when.category) if r.when.category is not None else None
            first = 1 if cats is not None else 0
            self.rules.append(CompiledRule(i, r, static + dynamic, cats, static[first:], dynamic))
        if not self.rules or self.rules[-1].checks:
            raise ValueError("the last rule must be a catch-all")  # validate.py reports it first
        PhraseGroup(keyword_sets)  # the rules' keywords are looked up in one pass per message
        self._by_category: dict[str, tuple[RuleMiss | None, ...]] = {}
        self._plans: dict[PlanKey, _Plan] = {}
        self._max_plans = max(64, self.PLAN_BUDGET // len(self.rules))
        self._misses: dict[tuple[int, str], RuleMiss] = {}
        for cat in config.categories:
            self._category_misses(cat.id)

    def _category_misses(self, category: str) -> tuple[RuleMiss | None, ...]:
        found = self._by_category.get(category)
        if found is None:
            found = tuple(
                RuleMiss(cr.rule.name, f"category is {category}, rule wants {_fmt(sorted(cr.categories))}")
                if cr.categories is not None and category not in cr.categories
                else None
                for cr in self.rules
            )
            if len(self._by_category) < 1000:
                self._by_category[category] = found
        return found

    def _plan(self, key: PlanKey, ctx: MatchContext) -> _Plan:
        plan = self._plans.get(key)
        if plan is not None:
            return plan
        misses = list(self._category_misses(key[0]))
        live: list[CompiledRule] = []
        for cr, miss in zip(self.rules, misses, strict=True):
            if miss is not None:
                continue
            for check in cr.static:
                why = check(ctx)
                if why is not None:
                    misses[cr.index] = self._miss(cr.index, cr.rule.name, why)
                    break
            else:
                live.append(cr)
        plan = _Plan(tuple(misses), tuple(live))
        if len(self._plans) < self._max_plans:
            self._plans[key] = plan
        return plan

    def _miss(self, index: int, name: str, why: str) -> RuleMiss:
        key = (index, why)
        miss = self._misses.get(key)
        if miss is None:
            miss = RuleMiss(name, why)
            if len(self._misses) < 100_000:
                self._misses[key] = miss
        return miss

    def first_match(self, inp: CaseInput, c: Classification) -> tuple[CompiledRule, tuple[RuleMiss, ...]]:
        ctx = MatchContext(inp, c)
        cust = inp.customer
        key = (c.category, c.kind, c.urgency, inp.channel, c.language, cust.segment, cust.vulnerable,
               c.repeat_contact)  # fmt: skip
        plan = self._plan(key, ctx)
        tried: list[tuple[int, RuleMiss]] = []
        for cr in plan.live:
            for check in cr.dynamic:
                why = check(ctx)
                if why is not None:
                    tried.append((cr.index, self._miss(cr.index, cr.rule.name, why)))
                    break
            else:
                return cr, self._skipped(plan, cr.index, tried)
        last = self.rules[-1]  # unreachable: the last rule has no checks
        return last, self._skipped(plan, len(self.rules), tried)

    @staticmethod
    def _skipped(plan: _Plan, upto: int, tried: list[tuple[int, RuleMiss]]) -> tuple[RuleMiss, ...]:
        """The misses of the rules before `upto`: the plan's, and those of the rules tried."""
        skipped = list(plan.misses[:upto])
        for i, miss in tried:
            skipped[i] = miss
        return tuple(skipped)  # type: ignore[arg-type]  # every None was filled in


__all__ = ["CompiledHours", "MatchContext", "RuleSet", "Urgency", "compile_condition"]
