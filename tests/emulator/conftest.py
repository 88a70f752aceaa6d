"""Fixtures: an in-process emulator, a real aiogram Bot talking to it, a polling dispatcher."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from emulator import Emulator


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    async with Emulator(webhook_backoff=(0.05, 0.2)) as emulator:
        yield emulator


@pytest.fixture
async def bot(emu: Emulator) -> AsyncIterator[Bot]:
    session = AiohttpSession(api=TelegramAPIServer.from_base(emu.base_url))
    bot = Bot(emu.token, session=session)
    yield bot
    # AiohttpSession.close() sleeps 0.25 s for TLS connections; there are none here.
    client = getattr(session, "_session", None)
    if client is not None and not client.closed:
        await client.close()


@pytest.fixture
async def polling(bot: Bot) -> AsyncIterator[Callable[[Dispatcher], Any]]:
    """``await polling(dp)`` starts ``dp`` polling the emulator until the test ends."""
    tasks: list[tuple[Dispatcher, asyncio.Task[None]]] = []

    async def start(dp: Dispatcher) -> None:
        task = asyncio.create_task(dp.start_polling(bot, handle_signals=False,
                                                    polling_timeout=5))
        tasks.append((dp, task))
        await asyncio.sleep(0)

    yield start
    for dp, task in tasks:
        with contextlib.suppress(RuntimeError):
            await dp.stop_polling()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, 5)
