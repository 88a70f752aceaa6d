"""Long polling that never moves past an update that failed.

aiogram's own polling confirms each batch whatever happened to its updates. Here the offset
only advances once every update of the batch is handled: a storage failure is retried with
backoff (the update stays unconfirmed at Telegram meanwhile), while updates of other chats go
on. Updates of one chat are handled in order; different chats run concurrently.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from collections.abc import Sequence

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramNetworkError, TelegramRetryAfter, TelegramServerError
from aiogram.types import Update

from handlers.telegram.inbound import StorageDown

log = logging.getLogger("skewer.polling")


def chat_key(update: Update) -> str:
    if update.message is not None:
        return f"c{update.message.chat.id}"
    if update.edited_message is not None:
        return f"c{update.edited_message.chat.id}"
    if update.callback_query is not None:
        msg = update.callback_query.message
        return f"c{msg.chat.id}" if msg is not None else f"u{update.callback_query.from_user.id}"
    return f"u{update.update_id}"


class DurablePoller:
    def __init__(self, bot: Bot, dp: Dispatcher, allowed_updates: Sequence[str],
                 timeout: int = 10, max_retry_delay: float = 30.0) -> None:
        self.bot = bot
        self.dp = dp
        self.allowed_updates = list(allowed_updates)
        self.timeout = timeout
        self.max_retry_delay = max_retry_delay
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.offset: int | None = None

    def start(self) -> None:
        self._stop = asyncio.Event()  # a poller can be stopped and started again
        self._task = asyncio.create_task(self.run(), name="telegram-polling")

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def run(self) -> None:
        backoff = 0.5
        while not self._stop.is_set():
            try:
                updates = await self.bot.get_updates(offset=self.offset, timeout=self.timeout,
                                                     allowed_updates=self.allowed_updates)
            except TelegramRetryAfter as e:
                await asyncio.sleep(e.retry_after)
                continue
            except (TelegramNetworkError, TelegramServerError, OSError, TimeoutError) as e:
                log.warning("getUpdates failed (%s); retrying in %.1fs", type(e).__name__, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, self.max_retry_delay)
                continue
            backoff = 0.5
            if not updates:
                continue
            await self.handle_batch(updates)
            self.offset = updates[-1].update_id + 1

    async def handle_batch(self, updates: Sequence[Update]) -> None:
        chains: OrderedDict[str, list[Update]] = OrderedDict()
        for u in updates:
            chains.setdefault(chat_key(u), []).append(u)
        await asyncio.gather(*(self._chain(chain) for chain in chains.values()))

    async def _chain(self, chain: list[Update]) -> None:
        for update in chain:
            delay = 0.5
            while True:
                try:
                    await self.dp.feed_update(self.bot, update)
                    break
                except StorageDown:
                    log.warning("update %s not stored (database unavailable); retrying in %.1fs",
                                update.update_id, delay)
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, self.max_retry_delay)
                except Exception:
                    # A bug, not an outage: retrying would block this chat forever.
                    log.exception("update %s failed; moving on", update.update_id)
                    break
