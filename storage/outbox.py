"""Outbox queue operations for the delivery worker: claim in per-chat order, then settle."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, and_, bindparam, insert, or_, select, update

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
    One select and one conditional update: whatever another worker leased first is skipped.
    """
    o = cast(Table, m.OutboxMessage.__table__)
    earlier = o.alias("earlier")
    head = ~select(earlier.c.id).where(
        earlier.c.channel == o.c.channel,
        earlier.c.chat_id == o.c.chat_id,
        earlier.c.status == "pending",
        earlier.c.id < o.c.id,
    ).exists()
    free = or_(o.c.claimed_until.is_(None), o.c.claimed_until < now)
    q = (
        select(o.c.id, o.c.channel, o.c.chat_id, o.c.payload, o.c.attempts, o.c.case_id,
               o.c.link_purpose, o.c.created_at)
        .where(o.c.status == "pending", o.c.channel.in_(channels), o.c.next_attempt_at <= now,
               free, head)
        .order_by(o.c.id)
        .limit(limit)
    )
    if unit.s.get_bind().dialect.name == "postgresql":
        q = q.with_for_update(skip_locked=True)
    rows = (await unit.s.execute(q)).all()
    if not rows:
        return []
    leased = set(
        (
            await unit.s.execute(
                update(o).where(o.c.id.in_([r.id for r in rows]), o.c.status == "pending", free)
                .values(claimed_until=now + lease).returning(o.c.id)
            )
        ).scalars()
    )
    return [
        OutboxRecord(id=r.id, channel=r.channel, chat_id=r.chat_id, payload=dict(r.payload),
                     attempts=r.attempts, case_id=r.case_id, link_purpose=r.link_purpose,
                     created_at=r.created_at)
        for r in rows if r.id in leased
    ]


async def mark_sent(
    unit: Unit, item: OutboxRecord, message_id: str | None, now: datetime
) -> None:
    await mark_sent_many(unit, [(item, message_id)], now)


async def mark_sent_many(
    unit: Unit, results: list[tuple[OutboxRecord, str | None]], now: datetime
) -> None:
    """Record a batch of deliveries in one round trip, with the case links staff reply to."""
    if not results:
        return
    o = cast(Table, m.OutboxMessage.__table__)
    await unit.s.execute(
        update(o).where(o.c.id == bindparam("b_id")).values(
            status="sent", sent_at=now, sent_message_id=bindparam("b_mid"), claimed_until=None,
            attempts=bindparam("b_attempts")),
        [{"b_id": item.id, "b_mid": mid, "b_attempts": item.attempts + 1}
         for item, mid in results],
    )
    links = [
        {"channel": item.channel, "chat_id": item.chat_id, "message_id": mid,
         "case_id": item.case_id, "purpose": item.link_purpose}
        for item, mid in results if mid and item.case_id is not None and item.link_purpose
    ]
    if links:
        ml = cast(Table, m.MessageLink.__table__)
        rows = await unit.s.execute(
            select(ml.c.chat_id, ml.c.message_id).where(
                ml.c.message_id.in_([x["message_id"] for x in links]))
        )
        existing = {(chat, mid) for chat, mid in rows}
        fresh = [x for x in links if (x["chat_id"], x["message_id"]) not in existing]
        if fresh:
            await unit.s.execute(insert(ml), fresh)


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
