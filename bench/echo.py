"""The baseline: a bare aiogram echo bot, polling exactly like Skewer polls.

    bot, dp = build_echo_bot(token, api_base)
    await start_polling(bot, dp)          # the same start_polling arguments SkewerApp uses

``python -m bench.echo --api-base http://127.0.0.1:8081`` runs it on its own (for poking at
the emulator's sandbox page); the benchmark starts it through ``bench.botproc``.
"""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from aiogram import Bot, Dispatcher, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import Message

# The same polling parameters as bot.app.SkewerApp.start, so both bots fetch updates alike.
POLLING = {"handle_signals": False, "close_bot_session": False, "polling_timeout": 10,
           "allowed_updates": ["message", "callback_query"]}


def build_echo_bot(token: str, api_base: str) -> tuple[Bot, Dispatcher]:
    """One Dispatcher with one message handler that answers ``message.answer(message.text)``."""
    bot = Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(api_base)))
    router = Router(name="echo")

    @router.message()
    async def echo(message: Message) -> Any:
        return await message.answer(message.text or "(no text)")

    dp = Dispatcher()
    dp.include_router(router)
    return bot, dp


async def start_polling(bot: Bot, dp: Dispatcher) -> asyncio.Task[Any]:
    await bot.delete_webhook(drop_pending_updates=False)
    return asyncio.create_task(dp.start_polling(bot, **POLLING), name="echo-polling")


async def stop_polling(bot: Bot, dp: Dispatcher, task: asyncio.Task[Any]) -> None:
    try:
        await dp.stop_polling()
    except RuntimeError:
        pass
    try:
        await asyncio.wait_for(task, 15)
    except (TimeoutError, asyncio.CancelledError):
        task.cancel()
    await bot.session.close()


def main(argv: list[str] | None = None) -> None:
    from emulator.state import DEFAULT_TOKEN

    parser = argparse.ArgumentParser(prog="python -m bench.echo", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--api-base", default="http://127.0.0.1:8081")
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    args = parser.parse_args(argv)

    async def run() -> None:
        bot, dp = build_echo_bot(args.token, args.api_base)
        await bot.delete_webhook(drop_pending_updates=False)
        try:
            await dp.start_polling(bot, handle_signals=True, polling_timeout=10,
                                   allowed_updates=["message", "callback_query"])
        finally:
            await bot.session.close()

    asyncio.run(run())


if __name__ == "__main__":
    main()
