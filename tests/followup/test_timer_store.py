"""The timer table on its own: a lease keeps a claimed timer from a second claim, an expired
lease lets another worker claim it, and the conditional update in the firing transaction lets
exactly one of two workers fire it. A keyed timer is scheduled once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from storage import timers as tm
from storage.migrate import upgrade
from storage.store import Store

T0 = datetime(2026, 11, 25, 13, 0, tzinfo=UTC)
LEASE = timedelta(seconds=30)


async def test_claim_lease_and_fire_once(db_url: str) -> None:
    a, b = Store(db_url), Store(db_url)
    try:
        await upgrade(a)
        async with a.unit() as unit:
            await tm.schedule(unit, None, "signals", T0, T0)
            assert await tm.schedule(unit, None, "signals", T0, T0, key="k") is True
        async with b.unit() as unit:
            assert await tm.schedule(unit, None, "signals", T0, T0, key="k") is False
        async with a.unit() as unit:
            first = await tm.claim_due(unit, T0, 10, LEASE)
        async with b.unit() as unit:
            assert await tm.claim_due(unit, T0 + timedelta(seconds=5), 10, LEASE) == []
        # The first worker hangs past its lease: the second claims the same timers.
        async with b.unit() as unit:
            again = await tm.claim_due(unit, T0 + timedelta(minutes=1), 10, LEASE)
        assert [t.id for t in first] == [t.id for t in again] and len(first) == 2

        async def fire(store: Store, timer_id: int) -> bool:
            async with store.unit() as unit:
                won = await tm.mark_fired(unit, timer_id, T0)
                await asyncio.sleep(0.05)  # the rest of the firing transaction
                return won

        for t in first:
            results = await asyncio.gather(fire(a, t.id), fire(b, t.id))
            assert sorted(results) == [False, True]
        async with a.unit() as unit:
            assert await tm.fired_count(unit) == 2
            assert await tm.claim_due(unit, T0 + timedelta(hours=1), 10, LEASE) == []
    finally:
        await a.dispose()
        await b.dispose()


async def test_a_timer_that_keeps_failing_is_set_aside(db_url: str) -> None:
    store = Store(db_url)
    try:
        await upgrade(store)
        async with store.unit() as unit:
            await tm.schedule(unit, None, "signals", T0, T0)
            (timer,) = await tm.claim_due(unit, T0, 10, LEASE)
        for n in range(3):
            async with store.unit() as unit:
                assert await tm.record_failure(unit, timer.id, "KeyError: 'x'", 3) is (n == 2)
        async with store.unit() as unit:
            assert await tm.pending(unit) == []
            assert await tm.claim_due(unit, T0 + timedelta(hours=1), 10, LEASE) == []
    finally:
        await store.dispose()
