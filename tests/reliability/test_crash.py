"""Crash test: 200 customers complain at once while the service is SIGKILLed five times.

Afterwards every case whose reference reached a customer exists exactly once, every
customer who was mid-conversation could finish, and every confirmation and staff
notification reached its chat (the emulator counts).
"""

from __future__ import annotations

import asyncio
import json
import random
import re
from pathlib import Path

import pytest

from emulator.server import Emulator
from storage.store import Store
from tests.e2e.flows import file_complaint
from tests.reliability.service import ServiceProcess, fast_config

CUSTOMERS = 200
KILLS = 5
STORIES = [
    "The washing machine (order 2025-0{n:05d}) leaks water over the kitchen floor since yesterday.",
    "My delivery for order 2025-1{n:05d} did not arrive today and nobody called me.",
    "You charged me twice for order 2025-2{n:05d}, please refund the second payment.",
    "The app shows an error at checkout every time I try to pay, order 2025-3{n:05d}.",
]
RESULTS = Path(__file__).resolve().parents[2] / ".run"


async def customer(emu: Emulator, n: int) -> str:
    """One customer's whole intake (in this test process; only the service is killed)."""
    user = await emu.user(30_000 + n, f"Klant{n}", language_code="en")
    return await file_complaint(user, STORIES[n % len(STORIES)].format(n=n),
                                better="Tell me honestly when it will be fixed.", timeout=120.0)


async def leased_unrecorded(db_url: str) -> int:
    """Outbox rows a worker had claimed and not settled: their fate died with the process."""
    from sqlalchemy import func, select

    from storage import models as m

    store = Store(db_url)
    try:
        async with store.unit() as unit:
            return int(await unit.s.scalar(
                select(func.count()).select_from(m.OutboxMessage).where(
                    m.OutboxMessage.status == "pending",
                    m.OutboxMessage.claimed_until.is_not(None))) or 0)
    finally:
        await store.dispose()


async def outbox_empty(db_url: str, within: float = 90.0) -> None:
    from storage.outbox import pending_count

    store = Store(db_url)
    loop = asyncio.get_running_loop()
    end = loop.time() + within
    try:
        while loop.time() < end:
            async with store.unit() as unit:
                if await pending_count(unit) == 0:
                    return
            await asyncio.sleep(0.2)
    finally:
        await store.dispose()


async def staff_users(emu: Emulator) -> None:
    """Staff have started the bot once (Telegram refuses messages to a chat never opened)."""
    from bot.settings import load_config
    from tests.conftest import CONFIG

    config = load_config(CONFIG)
    users = {p.id: await emu.user(p.telegram_id, p.display_first_name, language_code="nl")
             for p in config.people if p.telegram_id}
    for team in config.teams:
        if team.chat_id is not None:
            await emu.group(team.chat_id, team.id, members=[users[m.id] for m in config.members(team.id)])


@pytest.mark.slow
async def test_sigkill_five_times_loses_and_doubles_nothing(tmp_path: Path, db_url: str) -> None:
    rng = random.Random(20261122)
    async with Emulator() as emu:
        await staff_users(emu)
        service = ServiceProcess(fast_config(tmp_path), emu.base_url, emu.token, db_url,
                                 tmp_path / "service.log")
        await service.start()
        tasks = [asyncio.create_task(customer(emu, n)) for n in range(CUSTOMERS)]

        in_flight = 0

        async def killer() -> None:
            nonlocal in_flight
            for _ in range(KILLS):
                await asyncio.sleep(rng.uniform(0.5, 3.0))
                await service.kill()
                in_flight += await leased_unrecorded(db_url)
                await service.start()

        await killer()
        refs = await asyncio.gather(*tasks)
        await outbox_empty(db_url)  # let the last staff notifications go out
        await service.stop()

        # Each customer got exactly one reference, all different, each stored exactly once.
        assert len(set(refs)) == CUSTOMERS
        store = Store(db_url)
        try:
            async with store.unit() as unit:
                cases = await unit.all_cases()
                undelivered = []
                from storage import outbox as q

                undelivered = [r for r in await q.list_messages(unit, None, 100_000)
                               if r.status != "sent"]
        finally:
            await store.dispose()
        stored = [c.reference for c in cases]
        assert sorted(stored) == sorted(refs), "a confirmed case is missing or an extra case exists"
        assert undelivered == [], f"messages never delivered: {undelivered[:3]}"

        # Count deliveries in the emulator: confirmations per customer, notifications per case.
        duplicates = 0
        for n in range(CUSTOMERS):
            msgs = await emu.messages(30_000 + n)
            confirmations = [m for m in msgs if m.from_bot and "Your case number is" in m.text]
            assert len(confirmations) >= 1
            duplicates += len(confirmations) - 1
        staff_chats = {1001, 1002, 1011, 1012, 1021, 1022, 1031, 1041, 1051, 1061, 1062, -1005001}
        notified: dict[str, int] = {}
        for chat in staff_chats:
            for m in await emu.messages(chat):
                for ref in re.findall(r"Nieuwe zaak ([A-Z2-9]{3}-[A-Z2-9]{3})", m.text):
                    notified[ref] = notified.get(ref, 0) + 1
        missing = [r for r in refs if r not in notified]
        assert not missing, f"cases whose owner was never notified: {missing[:5]}"
        duplicates += sum(n - 1 for n in notified.values())
        # At-least-once delivery: only a message that was in flight when the process died
        # (leased by the killed worker, not recorded as sent) can go out a second time.
        assert duplicates <= in_flight, f"{duplicates} duplicates, {in_flight} in flight at kills"
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "crash-test.json").write_text(json.dumps({
            "customers": CUSTOMERS, "kills": service.kills, "cases": len(stored),
            "lost": 0, "duplicate_deliveries": duplicates, "in_flight_at_kills": in_flight,
            "messages_delivered": await emu.call_count("sendMessage"),
        }))
