"""Whole conversations: the real aiogram client talks HTTP to the Bot API emulator."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.app import SkewerApp
from bot.settings import Runtime
from emulator.server import Emulator
from handlers.telegram.limits import TelegramLimits
from tests.conftest import CONFIG

TOKEN = "123456789:test-token"
# A Wednesday afternoon in Amsterdam: youssef is on the frontline rota.
NOW = datetime(2026, 11, 25, 13, 0, tzinfo=UTC)


class Clock:
    """Starts at a fixed moment and runs with real time, so retries and leases still expire;
    `advance` jumps forward (deadlines, repeat windows)."""

    def __init__(self, start: datetime = NOW) -> None:
        self.start = start
        self.offset = timedelta(0)
        self.t0 = time.monotonic()

    @property
    def now(self) -> datetime:
        return self()

    def advance(self, delta: timedelta) -> None:
        self.offset += delta

    def __call__(self) -> datetime:
        return self.start + self.offset + timedelta(seconds=time.monotonic() - self.t0)


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    async with Emulator() as e:
        yield e


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def start_skewer(emu: Emulator, db_url: str, clock: Clock, tmp_path: Path
                       ) -> AsyncIterator[Callable[..., Any]]:
    apps: list[SkewerApp] = []

    async def start(mode: str = "polling", config: Path = CONFIG, **kw: Any) -> SkewerApp:
        runtime = Runtime(token=emu.token, api_base=emu.base_url, database_url=db_url,
                          webhook_url=None, webhook_secret=kw.pop("secret", "s3cret"),
                          upload_dir=str(tmp_path / "uploads"))
        # Telegram's pacing (1 msg/s per chat) would make every conversation test slow; the
        # limiter has its own tests, and a test that wants it passes telegram_limits.
        kw.setdefault("telegram_limits", TelegramLimits.unlimited())
        app = SkewerApp(config, runtime=runtime, mode=mode, host="127.0.0.1", port=0,
                        clock=clock, outbox_poll=0.05, **kw)
        await app.start()
        apps.append(app)
        return app

    yield start
    for app in apps:
        await app.stop()


@pytest.fixture(params=["polling", "webhook"])
async def skewer(request: pytest.FixtureRequest, start_skewer: Callable[..., Any]) -> SkewerApp:
    return await start_skewer(request.param)


@pytest.fixture
async def staff(emu: Emulator) -> dict[str, Any]:
    """Every staff member of the example config as an emulator user, and the digital group."""
    from bot.settings import load_config

    config = load_config(CONFIG)
    people = {}
    for p in config.people:
        people[p.id] = await emu.user(p.telegram_id, p.display_first_name, language_code="nl")
    digital = config.team("digital")
    people["digital_group"] = await emu.group(
        digital.chat_id, "Digitaal", members=[people[m.id] for m in config.members("digital")])
    return people
