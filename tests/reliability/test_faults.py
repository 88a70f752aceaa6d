"""Fault injection: 10% of Bot API calls fail (429, 500, timeouts) and the database goes away.

Nothing confirmed is lost, nothing is doubled, and the service recovers by itself.
"""

from __future__ import annotations

import asyncio
import json

import pytest

from storage import outbox as q
from tests.conftest import using_postgres
from tests.reliability.dbfault import database_outage
from tests.reliability.test_crash import RESULTS, customer, staff_users

CUSTOMERS = 40


async def settled(app, within: float = 60.0) -> None:
    """Wait until the outbox holds nothing pending (the worker runs in the background)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + within
    while loop.time() < end:
        async with app.store.unit() as unit:
            if await q.pending_count(unit) == 0:
                return
        await asyncio.sleep(0.1)


@pytest.mark.slow
async def test_api_faults_and_database_outage(emu, start_skewer, db_url: str) -> None:
    await staff_users(emu)
    app = await start_skewer("polling")
    await emu.set_faults(0.10, ["429", "500", "timeout"], seed=7, timeout=1.5, retry_after=1)
    tasks = [asyncio.create_task(customer(emu, n)) for n in range(CUSTOMERS)]
    await asyncio.sleep(1.0)
    # The database goes away in the middle of the conversations (past SQLite's busy timeout).
    outage = await database_outage(db_url, 30.0 if using_postgres() else 20.0)
    health_after = await app.health()
    refs = await asyncio.gather(*tasks)
    faults = (await emu.counters())["faults_injected"]
    await emu.clear_faults()
    await settled(app)

    assert health_after["ok"] is True, "the service did not recover by itself"
    assert len(set(refs)) == CUSTOMERS
    async with app.store.unit() as unit:
        cases = await unit.all_cases()
        stuck = [r for r in await q.list_messages(unit, None, 100_000) if r.status != "sent"]
    assert sorted(c.reference for c in cases) == sorted(refs)
    assert stuck == [], f"undelivered after recovery: {[(r.chat_id, r.last_error) for r in stuck][:5]}"
    duplicates = 0
    for n in range(CUSTOMERS):
        msgs = await emu.messages(30_000 + n)
        duplicates += len([m for m in msgs if m.from_bot and "Your case number is" in m.text]) - 1
    assert duplicates == 0
    counters = await emu.counters()
    assert len(faults) >= 10, "the fault injector hardly fired; the test proves nothing"
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"faults-{'postgres' if using_postgres() else 'sqlite'}.json").write_text(json.dumps({
        "customers": CUSTOMERS, "outage": outage, "faults_injected": len(faults),
        "api_calls": sum(counters["calls"].values()),
        "cases": len(cases), "lost": 0, "duplicates": duplicates,
    }, default=str))
