"""Webhook delivery: POST each update, in order, one at a time per bot, retrying with backoff."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

from .models import JSON, BotRec, now
from .state import EmulatorState

log = logging.getLogger("emulator.webhook")

# Runs a method the webhook answered with: (bot, fields, uploaded files by field name).
ReplyExecutor = Callable[[BotRec, dict[str, Any], dict[str, tuple[str, str, bytes]]],
                         Awaitable[None]]


class WebhookManager:
    def __init__(self, state: EmulatorState, execute: ReplyExecutor | None = None) -> None:
        self.state = state
        self.execute = execute
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._session: aiohttp.ClientSession | None = None
        self.deliveries: list[JSON] = []  # every attempt: bot_id, update_id, status, error

    def ensure(self, bot: BotRec) -> None:
        task = self._tasks.get(bot.id)
        if task is None or task.done():
            self._tasks[bot.id] = asyncio.create_task(self._run(bot), name=f"webhook-{bot.id}")
        else:
            bot.signal.wake()

    async def stop(self, bot: BotRec) -> None:
        task = self._tasks.pop(bot.id, None)
        if task is not None and task is not asyncio.current_task():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def close(self) -> None:
        tasks = list(self._tasks.values())
        self._tasks.clear()
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        return self._session

    async def _run(self, bot: BotRec) -> None:
        first_delay, max_delay = self.state.config.webhook_backoff
        delay = first_delay
        while bot.webhook is not None and not self.state.closing:
            if not bot.updates:
                await bot.signal.wait(5.0)
                continue
            update = bot.updates[0]
            error = await self._deliver(bot, update)
            if error is None:
                if bot.updates and bot.updates[0] is update:
                    bot.updates.pop(0)
                delay = first_delay
                continue
            bot.last_error_date = now()
            bot.last_error_message = error
            log.info("webhook of bot %s: %s; retrying in %.2fs", bot.id, error, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, max_delay)

    async def _deliver(self, bot: BotRec, update: JSON) -> str | None:
        """POST one update; None on success, else Telegram's last_error_message."""
        webhook = bot.webhook
        assert webhook is not None
        headers = {"Content-Type": "application/json"}
        if webhook.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = webhook.secret_token
        record: JSON = {"bot_id": bot.id, "update_id": update["update_id"], "url": webhook.url}
        self.deliveries.append(record)
        timeout = aiohttp.ClientTimeout(total=self.state.config.webhook_timeout)
        try:
            async with self._client().post(webhook.url, data=json.dumps(update),
                                           headers=headers, timeout=timeout) as resp:
                record["status"] = resp.status
                if not 200 <= resp.status < 300:
                    await resp.read()
                    record["error"] = (
                        f"Wrong response from the webhook: {resp.status} {resp.reason}"
                    )
                    return str(record["error"])
                reply = await _read_reply(resp)
        except TimeoutError:
            record["error"] = "Read timeout expired"
            return str(record["error"])
        except aiohttp.ClientError as exc:
            record["error"] = _connection_error(exc)
            return str(record["error"])
        if reply and self.execute is not None:
            record["reply_method"] = reply[0].get("method")
            try:
                await self.execute(bot, *reply)
            except Exception:  # a bad webhook reply is the bot's problem, not the delivery's
                log.exception("webhook reply of bot %s failed", bot.id)
        return None


def _connection_error(exc: aiohttp.ClientError) -> str:
    if isinstance(exc, aiohttp.ClientConnectorError):
        return "Connection refused"
    return f"Connection error: {type(exc).__name__}"


async def _read_reply(
    resp: aiohttp.ClientResponse,
) -> tuple[dict[str, Any], dict[str, tuple[str, str, bytes]]] | None:
    """A method call in a webhook answer: JSON, or multipart form data (as aiogram answers)."""
    values: dict[str, Any] = {}
    files: dict[str, tuple[str, str, bytes]] = {}
    if resp.content_type == "multipart/form-data":
        reader = aiohttp.MultipartReader.from_response(resp)
        while True:
            part = await reader.next()
            if part is None:
                break
            if not isinstance(part, aiohttp.BodyPartReader) or not part.name:
                continue
            data = await part.read(decode=True)
            if part.filename:
                ctype = part.headers.get("Content-Type", "application/octet-stream")
                files[part.name] = (part.filename, ctype, bytes(data))
            else:
                values[part.name] = bytes(data).decode("utf-8")
    else:
        body = await resp.read()
        if resp.content_type != "application/json" or not body.strip():
            return None
        try:
            data = json.loads(body)
        except ValueError:
            return None
        if isinstance(data, dict):
            values = data
    if not isinstance(values.get("method"), str):
        return None
    return values, files
