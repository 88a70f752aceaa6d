"""Webhook delivery, fault injection and flood limits."""

from __future__ import annotations

import time
from typing import Any

import aiohttp
import pytest
from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramRetryAfter, TelegramServerError
from aiogram.methods import SendMessage
from aiogram.types import Message, Update
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web

from emulator import Emulator


class Receiver:
    """A small webhook endpoint that fails its first ``failures`` deliveries with 500."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.received: list[dict[str, Any]] = []
        self.secrets: list[str | None] = []
        self.attempts = 0

    async def handle(self, request: web.Request) -> web.Response:
        self.attempts += 1
        if self.failures > 0:
            self.failures -= 1
            return web.Response(status=500, text="boom")
        self.secrets.append(request.headers.get("X-Telegram-Bot-Api-Secret-Token"))
        self.received.append(await request.json())
        return web.json_response({})


async def serve(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, f"http://127.0.0.1:{port}"


async def test_webhook_delivers_in_order_with_secret_and_retries(emu: Emulator, bot: Bot) -> None:
    receiver = Receiver(failures=2)
    app = web.Application()
    app.router.add_post("/hook", receiver.handle)
    runner, url = await serve(app)
    try:
        alice = await emu.user(5001, "Alice")
        assert await bot.set_webhook(f"{url}/hook", secret_token="s3cret")
        for i in range(5):
            await alice.send(f"message {i}")
        await emu.sleep_until(lambda: len(receiver.received) == 5)
        texts = [u["message"]["text"] for u in receiver.received]
        assert texts == [f"message {i}" for i in range(5)]
        ids = [u["update_id"] for u in receiver.received]
        assert ids == sorted(ids) and len(set(ids)) == 5
        assert receiver.secrets == ["s3cret"] * 5
        assert receiver.attempts == 7  # two failed attempts on the first update, then in order
        info = await bot.get_webhook_info()
        assert info.pending_update_count == 0
        assert info.last_error_message == "Wrong response from the webhook: 500 Internal Server Error"
        # getUpdates is refused while a webhook is set
        with pytest.raises(Exception, match="can't use getUpdates method while webhook is active"):
            await bot.get_updates()
        await bot.delete_webhook()
        await alice.send("after delete")
        updates = await bot.get_updates()
        assert updates[-1].message is not None and updates[-1].message.text == "after delete"
    finally:
        await runner.cleanup()


async def test_webhook_unreachable_keeps_updates_pending(emu: Emulator, bot: Bot) -> None:
    alice = await emu.user(5001, "Alice")
    await bot.set_webhook("http://127.0.0.1:9/nothing-listens-here")
    await alice.send("hello?")

    async def errored() -> bool:
        info = await bot.get_webhook_info()
        return info.last_error_message == "Connection refused" and info.pending_update_count == 1

    await emu.sleep_until(errored)


async def test_aiogram_webhook_handler_and_reply_in_response(emu: Emulator, bot: Bot) -> None:
    """aiogram's own webhook handler, answering with a method in the HTTP response."""
    dp = Dispatcher()

    @dp.message()
    async def echo(message: Message) -> SendMessage:
        return message.answer(f"echo: {message.text}")

    app = web.Application()
    SimpleRequestHandler(dp, bot, secret_token="tok", handle_in_background=False).register(
        app, path="/wh")
    runner, url = await serve(app)
    try:
        alice = await emu.user(5001, "Alice")
        await bot.set_webhook(f"{url}/wh", secret_token="tok")
        await alice.send("ping")
        assert (await alice.wait_for("echo")).text == "echo: ping"
    finally:
        await runner.cleanup()


async def test_fault_injection_is_deterministic(emu: Emulator, bot: Bot) -> None:
    await emu.user(5001, "Alice")

    async def outcomes() -> list[str]:
        await emu.set_faults(probability=0.5, modes=["429", "500"], methods=["sendMessage"],
                             seed=7)
        result = []
        for i in range(12):
            try:
                await bot.send_message(5001, f"m{i}")
                result.append("ok")
            except TelegramRetryAfter as exc:
                assert exc.retry_after == 1
                result.append("429")
            except TelegramServerError:
                result.append("500")
        return result

    first, second = await outcomes(), await outcomes()
    assert first == second
    assert {"ok", "429", "500"} <= set(first)
    assert len(emu.sent(5001)) == 2 * first.count("ok")
    assert await bot.get_me()  # other methods are untouched
    await emu.clear_faults()
    await bot.send_message(5001, "fine again")


async def test_fault_after_execution_and_timeouts(emu: Emulator, bot: Bot) -> None:
    await emu.user(5001, "Alice")
    # the send happens but the bot sees a 500: the classic duplicate trap
    await emu.set_faults(probability=1.0, modes=["500"], methods=["sendMessage"], after=True,
                         count=1)
    with pytest.raises(TelegramServerError):
        await bot.send_message(5001, "did it arrive?")
    assert [s["text"] for s in emu.sent(5001)] == ["did it arrive?"]
    await bot.send_message(5001, "second")  # count=1: only one fault
    await emu.set_faults(probability=1.0, modes=["timeout"], timeout=0.3)
    started = time.monotonic()
    with pytest.raises(TelegramServerError, match="Bad Gateway"):
        await bot.get_me()
    assert time.monotonic() - started >= 0.3
    await emu.set_faults(probability=1.0, modes=["timeout"], timeout=0.2, timeout_action="drop")
    async with aiohttp.ClientSession() as http:
        with pytest.raises(aiohttp.ClientError):
            async with http.get(f"{emu.base_url}/bot{emu.token}/getMe") as resp:
                await resp.read()
    await emu.clear_faults()
    counters = await emu.counters()
    assert len(counters["faults_injected"]) == 0  # reconfiguring resets the log


async def test_rate_limits_private_chat_and_group(emu: Emulator, bot: Bot) -> None:
    alice = await emu.user(5001, "Alice")
    group = await emu.group(-1005001, "Team", members=[alice])
    now = [1000.0]
    emu.state.limits.clock = lambda: now[0]  # a fake clock: no real waiting
    await emu.set_rate_limits(private_per_second=1, private_burst=3, group_per_minute=20)
    for i in range(3):
        await bot.send_message(alice.id, f"burst {i}")
    with pytest.raises(TelegramRetryAfter) as info:
        await bot.send_message(alice.id, "one too many")
    assert info.value.retry_after == 1
    assert "Too Many Requests: retry after 1" in info.value.message
    for i in range(20):
        await bot.send_message(group.id, f"group {i}")
    with pytest.raises(TelegramRetryAfter) as info:
        await bot.send_message(group.id, "21st")
    assert info.value.retry_after >= 2
    now[0] += 1.0
    await bot.send_message(alice.id, "after a second")
    await emu.set_rate_limits(enabled=False)
    for i in range(10):
        await bot.send_message(alice.id, f"free {i}")


async def test_global_rate_limit(emu: Emulator, bot: Bot) -> None:
    users = [await emu.user(6000 + i, f"U{i}") for i in range(4)]
    await emu.set_rate_limits(global_per_second=5, private_burst=10, private_per_second=10)
    results = []
    for i in range(8):
        try:
            await bot.send_message(users[i % 4].id, "x")
            results.append("ok")
        except TelegramRetryAfter:
            results.append("429")
    assert results.count("ok") == 5


async def test_updates_keep_order_across_polling(emu: Emulator, bot: Bot) -> None:
    alice = await emu.user(5001, "Alice")
    for i in range(30):
        await alice.send(f"n{i}")
    seen: list[str] = []
    offset = 0
    while len(seen) < 30:
        updates: list[Update] = await bot.get_updates(offset=offset, limit=7, timeout=1)
        seen += [u.message.text for u in updates if u.message and u.message.text]
        offset = updates[-1].update_id + 1
    assert seen == [f"n{i}" for i in range(30)]
    assert await bot.get_updates(offset=offset) == []
