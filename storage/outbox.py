"""Outbox queue operations for the delivery worker: claim in per-chat order, then settle."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import aliased

from storage import models as m
from storage.records import OutboxRecord
from storage.store import Unit


def _rec(r: m.OutboxMessage) -> OutboxRecord:
    return OutboxRecord(
        id=r.id, channel=r.channel, chat_id=r.chat_id, payload=dict(r.payload),
        attempts=r.attempts, case_id=r.case_id, link_purpose=r.link_purpose, status=r.status,
        last_error=r.last_error, created_at=r.created_at,
    )


async def claim_due(
    unit: Unit, now: datetime, limit: int, lease: timedelta, channels: tuple[str, ...]
) -> list[OutboxRecord]:
    """The head message of each chat's queue that is due, leased so no other worker sends it.

    A later message of a chat is never claimed while an earlier one is pending: order per chat.
    """
    earlier = aliased(m.OutboxMessage)
    head = ~select(earlier.id).where(
        earlier.channel == m.OutboxMessage.channel,
        earlier.chat_id == m.OutboxMessage.chat_id,
        earlier.status == "pending",
        earlier.id < m.OutboxMessage.id,
    ).exists()
    q = (
        select(m.OutboxMessage)
        .where(
            m.OutboxMessage.status == "pending",
            m.OutboxMessage.channel.in_(channels),
            m.OutboxMessage.next_attempt_at <= now,
            or_(m.OutboxMessage.claimed_until.is_(None), m.OutboxMessage.claimed_until < now),
            head,
        )
        .order_by(m.OutboxMessage.id)
        .limit(limit)
    )
    if unit.s.get_bind().dialect.name == "postgresql":
        q = q.with_for_update(skip_locked=True)
    rows = list((await unit.s.execute(q)).scalars())
    claimed = []
    for r in rows:
        res = await unit.s.execute(
            update(m.OutboxMessage)
            .where(
                m.OutboxMessage.id == r.id,
                m.OutboxMessage.status == "pending",
                or_(m.OutboxMessage.claimed_until.is_(None), m.OutboxMessage.claimed_until < now),
            )
            .values(claimed_until=now + lease)
        )
        if res.rowcount == 1:  # type: ignore[attr-defined]
            claimed.append(_rec(r))
    return claimed


async def mark_sent(
    unit: Unit, item: OutboxRecord, message_id: str | None, now: datetime
) -> None:
    await unit.s.execute(
        update(m.OutboxMessage)
        .where(m.OutboxMessage.id == item.id)
        .values(status="sent", sent_at=now, sent_message_id=message_id, claimed_until=None,
                attempts=item.attempts + 1)
    )
    if message_id and item.case_id is not None and item.link_purpose:
        exists = await unit.s.get(m.MessageLink, (item.channel, item.chat_id, message_id))
        if exists is None:
            unit.s.add(m.MessageLink(channel=item.channel, chat_id=item.chat_id,
                                     message_id=message_id, case_id=item.case_id,
                                     purpose=item.link_purpose))


async def mark_retry(
    unit: Unit, item: OutboxRecord, error: str, next_at: datetime, count_attempt: bool = True
) -> None:
    await unit.s.execute(
        update(m.OutboxMessage)
        .where(m.OutboxMessage.id == item.id)
        .values(attempts=item.attempts + (1 if count_attempt else 0), last_error=error[:500],
                next_attempt_at=next_at, claimed_until=None)
    )


async def mark_dead(unit: Unit, item: OutboxRecord, error: str) -> None:
    await unit.s.execute(
        update(m.OutboxMessage)
        .where(m.OutboxMessage.id == item.id)
        .values(status="dead", attempts=item.attempts + 1, last_error=error[:500],
                claimed_until=None)
    )


async def drop_pending_for_chat(unit: Unit, channel: str, chat_id: str, error: str) -> int:
    """After a 403 the chat is unreachable: the rest of its queue cannot go out either."""
    res = await unit.s.execute(
        update(m.OutboxMessage)
        .where(and_(m.OutboxMessage.channel == channel, m.OutboxMessage.chat_id == chat_id,
                    m.OutboxMessage.status == "pending"))
        .values(status="dead", last_error=error[:500], claimed_until=None)
    )
    return int(res.rowcount)  # type: ignore[attr-defined]


async def list_messages(unit: Unit, status: str | None = None, limit: int = 100) -> list[OutboxRecord]:
    q = select(m.OutboxMessage).order_by(m.OutboxMessage.id.desc()).limit(limit)
    if status:
        q = q.where(m.OutboxMessage.status == status)
    return [_rec(r) for r in (await unit.s.execute(q)).scalars()]


async def pending_count(unit: Unit) -> int:
    from sqlalchemy import func

    return int(
        await unit.s.scalar(
            select(func.count()).select_from(m.OutboxMessage).where(m.OutboxMessage.status == "pending")
        ) or 0
    )
