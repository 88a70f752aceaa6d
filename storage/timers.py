"""Timer and remedy repositories: functions taking a Unit. Claim like the outbox: one select and
one conditional UPDATE ... RETURNING (FOR UPDATE SKIP LOCKED on PostgreSQL); fire with a
conditional update in the firing transaction, so a timer fires once even when leases overlap."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from storage import models as m
from storage import models_followup as f
from storage.store import Unit


@dataclass(frozen=True)
class TimerRecord:
    id: int
    case_id: int | None
    kind: str
    step: int
    due_at: datetime
    data: dict[str, Any]
    status: str = "pending"
    fired_at: datetime | None = None


@dataclass(frozen=True)
class RemedyRecord:
    id: int
    case_id: int
    offered_by: str
    amount: float | None
    gesture: str
    status: str
    approver: str | None
    decided_by: str | None
    created_at: datetime
    decided_at: datetime | None


def _timer(r: f.Timer) -> TimerRecord:
    return TimerRecord(r.id, r.case_id, r.kind, r.step, r.due_at, dict(r.data or {}), r.status,
                       r.fired_at)


def _remedy(r: f.Remedy) -> RemedyRecord:
    return RemedyRecord(r.id, r.case_id, r.offered_by, r.amount, r.gesture, r.status, r.approver,
                        r.decided_by, r.created_at, r.decided_at)


async def schedule(unit: Unit, case_id: int | None, kind: str, due_at: datetime, now: datetime,
                   *, step: int = 0, data: dict[str, Any] | None = None,
                   key: str | None = None) -> bool:
    """Add a timer. With a key: False (and nothing added) when one with that key exists."""
    if key is not None:
        exists = await unit.s.scalar(select(f.Timer.id).where(f.Timer.key == key))
        if exists is not None:
            return False
        try:
            async with unit.s.begin_nested():
                unit.s.add(f.Timer(key=key, case_id=case_id, kind=kind, step=step, due_at=due_at,
                                   status="pending", data=data or {}, created_at=now))
        except IntegrityError:  # another worker scheduled it meanwhile
            return False
        return True
    unit.s.add(f.Timer(key=None, case_id=case_id, kind=kind, step=step, due_at=due_at,
                       status="pending", data=data or {}, created_at=now))
    await unit.s.flush()
    return True


async def cancel(unit: Unit, case_id: int, kinds: tuple[str, ...] | None = None) -> int:
    """Cancel a case's pending timers (of these kinds); returns how many."""
    q = update(f.Timer).where(f.Timer.case_id == case_id, f.Timer.status == "pending")
    if kinds is not None:
        q = q.where(f.Timer.kind.in_(kinds))
    res = await unit.s.execute(q.values(status="cancelled", claimed_until=None))
    return int(res.rowcount)  # type: ignore[attr-defined]


async def claim_due(unit: Unit, now: datetime, limit: int, lease: timedelta) -> list[TimerRecord]:
    t = cast(Table, f.Timer.__table__)
    free = or_(t.c.claimed_until.is_(None), t.c.claimed_until < now)
    q = (select(t.c.id).where(t.c.status == "pending", t.c.due_at <= now, free)
         .order_by(t.c.due_at, t.c.id).limit(limit))
    if unit.s.get_bind().dialect.name == "postgresql":
        q = q.with_for_update(skip_locked=True)
    ids = list((await unit.s.execute(q)).scalars())
    if not ids:
        return []
    leased = list((await unit.s.execute(
        update(t).where(t.c.id.in_(ids), t.c.status == "pending", free)
        .values(claimed_until=now + lease).returning(t.c.id))).scalars())
    if not leased:
        return []
    rows = (await unit.s.execute(select(f.Timer).where(f.Timer.id.in_(leased))
                                 .order_by(f.Timer.due_at, f.Timer.id))).scalars()
    return [_timer(r) for r in rows]


async def mark_fired(unit: Unit, timer_id: int, now: datetime) -> bool:
    """Inside the firing transaction: True for exactly one caller per timer."""
    res = await unit.s.execute(
        update(f.Timer).where(f.Timer.id == timer_id, f.Timer.status == "pending")
        .values(status="fired", fired_at=now, claimed_until=None))
    return int(res.rowcount) == 1  # type: ignore[attr-defined]


async def record_failure(unit: Unit, timer_id: int, error: str, give_up_after: int) -> bool:
    """A firing that raised: count it; after `give_up_after` the timer is set aside as
    'failed' (True), so one bad timer never keeps the worker busy."""
    row = await unit.s.get(f.Timer, timer_id)
    if row is None or row.status != "pending":
        return False
    failures = int((row.data or {}).get("failures", 0)) + 1
    row.data = {**(row.data or {}), "failures": failures, "error": error[:300]}
    if failures >= give_up_after:
        row.status = "failed"
        row.claimed_until = None
        return True
    return False


async def release(unit: Unit, timer_id: int) -> None:
    await unit.s.execute(update(f.Timer).where(f.Timer.id == timer_id)
                         .values(claimed_until=None))


async def timers_of(unit: Unit, case_id: int, status: str | None = None) -> list[TimerRecord]:
    q = select(f.Timer).where(f.Timer.case_id == case_id).order_by(f.Timer.id)
    if status:
        q = q.where(f.Timer.status == status)
    return [_timer(r) for r in (await unit.s.execute(q)).scalars()]


async def pending(unit: Unit, kind: str | None = None) -> list[TimerRecord]:
    q = select(f.Timer).where(f.Timer.status == "pending").order_by(f.Timer.due_at)
    if kind:
        q = q.where(f.Timer.kind == kind)
    return [_timer(r) for r in (await unit.s.execute(q)).scalars()]


@dataclass(frozen=True)
class PendingTimer:
    """A pending timer as an operator sees it: with its case's reference and its lease."""

    timer: TimerRecord
    reference: str | None  # None for timers of no case (the weekly signals)
    claimed_until: datetime | None  # a worker's lease; it has ended when this is past

    @property
    def failures(self) -> int:
        """Firings that raised so far (at five the timer is set aside as failed)."""
        return int(self.timer.data.get("failures", 0))


async def pending_listing(unit: Unit, case_id: int | None = None) -> list[PendingTimer]:
    """Every pending timer (of one case), soonest first."""
    q = (select(f.Timer, m.Case.reference).outerjoin(m.Case, m.Case.id == f.Timer.case_id)
         .where(f.Timer.status == "pending").order_by(f.Timer.due_at, f.Timer.id))
    if case_id is not None:
        q = q.where(f.Timer.case_id == case_id)
    return [PendingTimer(_timer(t), ref, t.claimed_until)
            for t, ref in (await unit.s.execute(q)).all()]


async def fired_count(unit: Unit) -> int:
    return int(await unit.s.scalar(select(func.count()).select_from(f.Timer)
                                   .where(f.Timer.status == "fired")) or 0)


async def last_outgoing(unit: Unit, case_id: int) -> datetime | None:
    """When the customer last heard from us on this case."""
    return cast(datetime | None, await unit.s.scalar(
        select(func.max(m.CaseMessage.created_at))
        .where(m.CaseMessage.case_id == case_id, m.CaseMessage.direction == "out")))


async def consult_waits(unit: Unit, since: datetime) -> dict[int, list[timedelta]]:
    """Per case: how long each request to a colleague waited for its first answer."""
    rows = (await unit.s.execute(
        select(m.CaseEvent.case_id, m.CaseEvent.type, m.CaseEvent.at)
        .where(m.CaseEvent.type.in_(("consult", "consult_answer")), m.CaseEvent.at >= since)
        .order_by(m.CaseEvent.case_id, m.CaseEvent.at, m.CaseEvent.id))).all()
    waits: dict[int, list[timedelta]] = {}
    asked: dict[int, datetime] = {}
    for case_id, kind, at in rows:
        if kind == "consult":
            asked.setdefault(case_id, at)
        elif case_id in asked:
            waits.setdefault(case_id, []).append(at - asked.pop(case_id))
    return waits


# -- remedies -------------------------------------------------------------------------------
async def add_remedy(unit: Unit, case_id: int, offered_by: str, amount: float | None,
                     gesture: str, status: str, approver: str | None, now: datetime
                     ) -> RemedyRecord:
    row = f.Remedy(case_id=case_id, offered_by=offered_by, amount=amount, gesture=gesture,
                   status=status, approver=approver, created_at=now)
    unit.s.add(row)
    await unit.s.flush()
    return _remedy(row)


async def remedy(unit: Unit, remedy_id: int) -> RemedyRecord | None:
    row = await unit.s.get(f.Remedy, remedy_id)
    return _remedy(row) if row else None


async def decide_remedy(unit: Unit, remedy_id: int, status: str, by: str, now: datetime
                        ) -> bool:
    """Approve or decline an awaiting remedy; False when it was already decided."""
    res = await unit.s.execute(
        update(f.Remedy).where(f.Remedy.id == remedy_id, f.Remedy.status == "awaiting")
        .values(status=status, decided_by=by, decided_at=now))
    return int(res.rowcount) == 1  # type: ignore[attr-defined]


async def remedies(unit: Unit, case_id: int | None = None) -> list[RemedyRecord]:
    q = select(f.Remedy).order_by(f.Remedy.id)
    if case_id is not None:
        q = q.where(f.Remedy.case_id == case_id)
    return [_remedy(r) for r in (await unit.s.execute(q)).scalars()]
