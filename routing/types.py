"""Domain types shared by classification, rules, ownership and the rest of the program.

Everything here is immutable and free of I/O, so a decision can be computed, stored, compared
and explained without a database or a chat framework.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any


class Urgency(StrEnum):
    low = "low"
    normal = "normal"
    high = "high"
    critical = "critical"

    @property
    def rank(self) -> int:
        return _URGENCY_RANK[self]

    def at_least(self, other: Urgency) -> bool:
        return self.rank >= other.rank

    @staticmethod
    def max(a: Urgency, b: Urgency) -> Urgency:
        return a if a.rank >= b.rank else b


_URGENCY_RANK = {Urgency.low: 0, Urgency.normal: 1, Urgency.high: 2, Urgency.critical: 3}


class Kind(StrEnum):
    complaint = "complaint"
    compliment = "compliment"
    question = "question"


@dataclass(frozen=True)
class Reason:
    """One signal that fired: what it is, and on which words of the message."""

    signal: str
    words: str = ""
    effect: str = ""  # e.g. "urgency>=high", "category delivery +2.0", "negated"

    def __str__(self) -> str:
        text = self.signal
        if self.words:
            text += f' ("{self.words}")'
        if self.effect:
            text += f" -> {self.effect}"
        return text

    def to_dict(self) -> dict[str, str]:
        return {"signal": self.signal, "words": self.words, "effect": self.effect}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Reason:
        return cls(d["signal"], d.get("words", ""), d.get("effect", ""))


@dataclass(frozen=True)
class Classification:
    urgency: Urgency
    urgency_reasons: tuple[Reason, ...]
    category: str
    category_reasons: tuple[Reason, ...]
    kind: Kind
    kind_reasons: tuple[Reason, ...]
    language: str
    language_reason: str = ""
    repeat_contact: bool = False
    # Config people named in the message (ids), e.g. for staff_conduct routing to their lead.
    named_people: tuple[str, ...] = ()

    @property
    def reasons(self) -> tuple[Reason, ...]:
        return self.urgency_reasons + self.category_reasons + self.kind_reasons

    def to_dict(self) -> dict[str, Any]:
        return {
            "urgency": self.urgency.value,
            "urgency_reasons": [r.to_dict() for r in self.urgency_reasons],
            "category": self.category,
            "category_reasons": [r.to_dict() for r in self.category_reasons],
            "kind": self.kind.value,
            "kind_reasons": [r.to_dict() for r in self.kind_reasons],
            "language": self.language,
            "language_reason": self.language_reason,
            "repeat_contact": self.repeat_contact,
            "named_people": list(self.named_people),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Classification:
        """The inverse of `to_dict` (a classification kept in a dialog state)."""

        def reasons(key: str) -> tuple[Reason, ...]:
            return tuple(Reason.from_dict(r) for r in d.get(key, []))

        return cls(
            urgency=Urgency(d["urgency"]), urgency_reasons=reasons("urgency_reasons"),
            category=d["category"], category_reasons=reasons("category_reasons"),
            kind=Kind(d["kind"]), kind_reasons=reasons("kind_reasons"), language=d["language"],
            language_reason=d.get("language_reason", ""),
            repeat_contact=bool(d.get("repeat_contact", False)),
            named_people=tuple(d.get("named_people", ())),
        )


@dataclass(frozen=True)
class Example:
    """A labelled message the classifier may learn a category from (config or resolved cases)."""

    text: str
    lang: str
    category: str
    weight: float = 1.0


@dataclass(frozen=True)
class CustomerFacts:
    """What routing may know about the customer; filled in by the caller from storage."""

    segment: str = ""
    vulnerable: bool = False
    # Earlier contacts by this customer per category within the repeat window
    # (not counting this one).
    prior_contacts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class CaseInput:
    """A message to classify and route."""

    text: str
    channel: str = "telegram"
    language: str | None = None  # a hint (Telegram language_code, web page language); may be wrong
    customer: CustomerFacts = field(default_factory=CustomerFacts)
    now: datetime | None = None  # aware datetime; None means "no time conditions can match"


@dataclass(frozen=True)
class PersonState:
    """Availability facts about one person, supplied by the caller."""

    open_cases: int = 0
    away: bool = False
    unreachable: bool = False


@dataclass(frozen=True)
class OwnershipState:
    """A snapshot of who is available, for the pure ownership decision."""

    people: dict[str, PersonState] = field(default_factory=dict)
    # The person a team's round robin handed its last case to.
    last_assigned: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Owner:
    """Who owns a case: always a team, and a person when one has been picked."""

    team: str
    person: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        return {"team": self.team, "person": self.person}


@dataclass(frozen=True)
class Deadlines:
    profile: str
    first_response: timedelta
    update_interval: timedelta
    resolution: timedelta

    def to_dict(self) -> dict[str, Any]:
        return {
            "profile": self.profile,
            "first_response_s": int(self.first_response.total_seconds()),
            "update_interval_s": int(self.update_interval.total_seconds()),
            "resolution_s": int(self.resolution.total_seconds()),
        }


@dataclass(frozen=True)
class RuleMiss:
    rule: str
    why: str

    def to_dict(self) -> dict[str, str]:
        return {"rule": self.rule, "why": self.why}


@dataclass(frozen=True)
class Decision:
    """The full routing decision, stored on the case, explainable without reading code."""

    classification: Classification
    rule: str
    rule_index: int
    skipped: tuple[RuleMiss, ...]
    owner: Owner
    notify: tuple[str, ...]  # person ids to inform besides the owner
    tags: tuple[str, ...]
    deadlines: Deadlines
    fallback: tuple[str, ...] = ()  # ownership fallback steps taken, in order

    @property
    def why(self) -> str:
        """One line for staff: why this case landed here."""
        c = self.classification
        top = c.urgency_reasons[0].signal if c.urgency_reasons else ""
        text = f"rule '{self.rule}' ({c.category}, {c.urgency.value}"
        text += f": {top})" if top else ")"
        if self.fallback:
            text += "; " + "; ".join(self.fallback)
        return text

    def to_dict(self) -> dict[str, Any]:
        return {
            "classification": self.classification.to_dict(),
            "rule": self.rule,
            "rule_index": self.rule_index,
            "skipped": [m.to_dict() for m in self.skipped],
            "owner": self.owner.to_dict(),
            "notify": list(self.notify),
            "tags": list(self.tags),
            "deadlines": self.deadlines.to_dict(),
            "fallback": list(self.fallback),
            "why": self.why,
        }
