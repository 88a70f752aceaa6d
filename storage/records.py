"""Plain records returned by storage: the rest of the program never sees ORM rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class CustomerRecord:
    id: int
    display_name: str
    language: str
    segment: str


@dataclass(frozen=True)
class IdentityRecord:
    customer_id: int
    channel: str
    external_id: str
    chat_id: str
    reachable: bool
    last_seen_at: datetime


@dataclass(frozen=True)
class CaseRecord:
    id: int
    reference: str
    customer_id: int
    channel: str
    language: str
    status: str
    kind: str
    category: str
    urgency: str
    text: str
    better_service: str | None
    order_reference: str | None
    decision: dict[str, Any]
    rule: str
    owner_team: str
    owner_person: str | None
    tags: list[str]
    root_cause: str | None
    created_at: datetime
    updated_at: datetime
    first_response_due: datetime | None
    resolution_due: datetime | None
    first_response_at: datetime | None
    taken_at: datetime | None
    resolved_at: datetime | None

    @property
    def is_open(self) -> bool:
        return self.status not in ("resolved", "closed")


@dataclass(frozen=True)
class AttachmentRecord:
    kind: str
    file_id: str
    file_name: str | None
    caption: str | None
    channel: str


@dataclass(frozen=True)
class EventRecord:
    at: datetime
    type: str
    actor: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class MessageRecord:
    at: datetime
    direction: str
    author: str
    channel: str
    text: str


@dataclass(frozen=True)
class FeedbackRecord:
    score: int
    comment: str | None
    at: datetime


@dataclass(frozen=True)
class OutboxRecord:
    id: int
    channel: str
    chat_id: str
    payload: dict[str, Any]
    attempts: int
    case_id: int | None
    link_purpose: str | None
    status: str = "pending"
    last_error: str | None = None
    created_at: datetime | None = None
