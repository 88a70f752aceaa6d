"""Shared steps for the follow-through tests."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.app import SkewerApp
from emulator.testing import TgMessage, TgUser
from storage import timers as tm
from tests.e2e.conftest import Clock
from tests.e2e.flows import REF, file_complaint  # noqa: F401
from tests.e2e.test_staff import case_of, timeline  # noqa: F401

AMS = ZoneInfo("Europe/Amsterdam")
DELIVERY = "my parcel has been stuck in transit for a week"  # normal -> logistics -> Sanne
BILLING = "I was charged twice for the same order"  # high -> finance -> Noor


def local(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=AMS)


def near(a: datetime | None, b: datetime, seconds: float = 60) -> bool:
    """Equal up to the real time the test itself took (the clock runs)."""
    return a is not None and abs((a - b).total_seconds()) < seconds


def advance_to(clock: Clock, when: datetime) -> None:
    """Jump the running clock to `when` (a moment later than now)."""
    delta = when - clock()
    assert delta.total_seconds() > 0, f"{when} is in the past"
    clock.advance(delta)


async def bot_texts(user: TgUser, needle: str) -> list[str]:
    return [m.text for m in await user.bot_messages() if needle in m.text]


async def exactly_once(user: TgUser, *needles: str, settle: float = 0.4) -> TgMessage:
    """Wait for a bot message containing every needle, then check no second one comes."""
    msg = await user.wait_for(lambda m: all(n in m.text for n in needles))
    await asyncio.sleep(settle)
    found = [m for m in await user.bot_messages() if all(n in m.text for n in needles)]
    assert len(found) == 1, [m.text for m in found]
    return msg


async def timers(app: SkewerApp, ref: str) -> list[Any]:
    async with app.store.unit() as unit:
        case = await unit.case_by_ref(ref)
        return await tm.timers_of(unit, case.id)


async def settled(app: SkewerApp, within: float = 5.0) -> None:
    """Until no timer is due and the outbox is empty."""
    loop = asyncio.get_running_loop()
    end = loop.time() + within
    while loop.time() < end:
        async with app.store.unit() as unit:
            now = app.clock()
            due = [t for t in await tm.pending(unit) if t.due_at <= now]
            from storage.outbox import pending_count

            if not due and await pending_count(unit) == 0:
                return
        await asyncio.sleep(0.05)
    raise AssertionError("timers or outbox did not settle")
