"""Follow-through tests: the e2e fixtures, and apps that can be stopped mid-test (a restart)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.app import SkewerApp
from bot.settings import Runtime
from emulator.server import Emulator
from handlers.telegram.limits import TelegramLimits
from tests.conftest import CONFIG
from tests.e2e.conftest import Clock, clock, emu, staff  # noqa: F401 - shared fixtures


@pytest.fixture
async def apps(emu: Emulator, db_url: str, clock: Clock  # noqa: F811
               ) -> AsyncIterator[Callable[..., Any]]:
    """`await apps()` starts a SkewerApp on the test database; `await apps.stop(app)` stops it
    (a restart: start another). Every app still running is stopped at the end."""
    running: list[SkewerApp] = []

    async def start(config: Path = CONFIG, **kw: Any) -> SkewerApp:
        runtime = Runtime(token=emu.token, api_base=emu.base_url, database_url=db_url,
                          webhook_url=None, webhook_secret="s3cret")
        kw.setdefault("telegram_limits", TelegramLimits.unlimited())
        app = SkewerApp(config, runtime=runtime, mode="polling", host="127.0.0.1", port=0,
                        clock=clock, outbox_poll=0.05, followup_poll=0.05, **kw)
        await app.start()
        running.append(app)
        return app

    async def stop(app: SkewerApp) -> None:
        running.remove(app)
        await app.stop()

    start.stop = stop  # type: ignore[attr-defined]
    yield start
    for app in running:
        await app.stop()
