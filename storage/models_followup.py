"""Follow-through tables: durable timers (deadlines, reminders, escalation, updates, promises,
approvals) and remedies offered to customers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, UTCDateTime


class Timer(Base):
    """One step of a deadline: due at `due_at`, fired once (status pending -> fired)."""

    __tablename__ = "followup_timers"
    __table_args__ = (Index("ix_followup_timers_due", "status", "due_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # One pending timer per key (e.g. "case:12:first_response"); NULL when not deduplicated.
    key: Mapped[str | None] = mapped_column(String(150), nullable=True, unique=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), nullable=True, index=True)
    kind: Mapped[str] = mapped_column(String(30))
    step: Mapped[int] = mapped_column(Integer, default=0)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    fired_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Remedy(Base):
    """A remedy or compensation offered from a case: an amount, a gesture, or both."""

    __tablename__ = "remedies"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    offered_by: Mapped[str] = mapped_column(String(100))
    amount: Mapped[float | None] = mapped_column(Float, nullable=True)
    gesture: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20))  # offered | awaiting | approved | declined
    approver: Mapped[str | None] = mapped_column(String(100), nullable=True)
    decided_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
