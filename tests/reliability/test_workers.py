"""Several workers on one database: every outgoing message is sent exactly once."""

from __future__ import annotations

import asyncio

from storage import outbox as q
from tests.reliability.test_crash import customer, staff_users
from tests.reliability.test_faults import settled

CUSTOMERS = 30


async def test_two_workers_share_the_outbox_without_doubling(emu, start_skewer) -> None:
    await staff_users(emu)
    first = await start_skewer("polling")
    second = await start_skewer("polling", receive_updates=False)  # delivers and fires only
    # The worker that handled an update is woken at once and would win every race; let both
    # poll instead, so they compete for the same rows.
    first.service.on_outbox = lambda: None
    first.outbox.idle_poll = second.outbox.idle_poll = 0.01
    refs = await asyncio.gather(*(customer(emu, n) for n in range(CUSTOMERS)))
    await settled(first)
    assert len(set(refs)) == CUSTOMERS
    assert first.outbox.sent > 0 and second.outbox.sent > 0, "one worker did all the sending"
    async with first.store.unit() as unit:
        rows = await q.list_messages(unit, None, 100_000)
    assert all(r.status == "sent" for r in rows)
    for n in range(CUSTOMERS):
        msgs = await emu.messages(30_000 + n)
        confirmations = [m for m in msgs if m.from_bot and "Your case number is" in m.text]
        assert len(confirmations) == 1
    sent_by_emulator = await emu.call_count("sendMessage")
    assert sent_by_emulator == len([r for r in rows if r.payload.get("type") == "text"]) + \
        sum(len(r.payload["text"]) > 4096 for r in rows if r.payload.get("type") == "text")
