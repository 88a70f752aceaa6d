"""Two services on one database (SQLite here; PostgreSQL with SKEWER_TEST_DATABASE=postgres):
each fires timers, and every timer fires exactly once, across a day of deadlines."""

from __future__ import annotations

import asyncio
import os
from collections import Counter

from storage import timers as tm
from tests.followup.helpers import DELIVERY, advance_to, file_complaint, local, settled

STAFF = ("sanne", "joris", "pieter", "marloes")
# SKEWER_LONG_TEST=1: 30 cases instead of 4 (about a minute).
CASES = 30 if os.environ.get("SKEWER_LONG_TEST") else 4


async def test_two_workers_fire_each_timer_once(apps, emu, staff, clock) -> None:
    first = await apps()
    second = await apps(receive_updates=False)  # sends and fires timers; does not poll
    refs = []
    for n in range(CASES):
        customer = await emu.user(7501 + n, f"Klant{n}", language_code="en")
        refs.append(await file_complaint(customer, DELIVERY))

    steps = [local(25, 15, 1), local(26, 8, 31), local(26, 9, 5), local(26, 10, 2),
             local(26, 13, 32)]
    for when in steps:
        advance_to(clock, when)
        await asyncio.sleep(0.3)
        await settled(first)
        await settled(second)

    texts: dict[str, list[str]] = {}
    for pid in STAFF:
        texts[pid] = [m.text for m in await staff[pid].bot_messages()]
        dupes = [t for t, k in Counter(texts[pid]).items() if k > 1]
        assert not dupes, (pid, dupes)
    everything = [t for pid in STAFF for t in texts[pid]]
    for ref in refs:
        about = [t for t in everything if ref in t]
        assert sum("is nu van jou" in t for t in about) == 1, about
        assert sum("moet er uiterlijk" in t for t in about) == 1, about
        assert sum("te laat" in t for t in about) == 3, about  # owner, lead, process owner
        assert sum("te laat" in t for t in texts["pieter"] if ref in t) == 1
        assert sum("te laat" in t for t in texts["marloes"] if ref in t) == 1

    async with first.store.unit() as unit:
        fired = await tm.fired_count(unit)
    print("fired by each worker:", first.followup.fired, second.followup.fired)
    assert first.followup.fired + second.followup.fired == fired
    assert fired >= len(refs) * 5
