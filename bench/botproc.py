"""The bot under test, alone in its own process: ``python -m bench.botproc --kind echo|skewer``.

It polls the emulator at ``--api-base`` and is driven over stdin/stdout, one JSON object a line:

    -> {"event": "ready", "pid": ...}           once polling has started
    <- mark                                     start of the measured window (clears samples)
    <- stats                                    -> {"event": "stats", ...} about the window
    <- quit                                     stop polling, close, exit

An outer update middleware times every update from the moment aiogram starts dispatching it
until its handler returned ("handler latency"). For Skewer that is the whole transaction
(claim event, load state, use case, save state, enqueue outbox, commit) plus answering the
callback query; sending the replies is done afterwards by the outbox worker. For the echo bot
it is the ``sendMessage`` round trip.
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import json
import logging
import os
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiogram.types import TelegramObject

from bench.stats import summary

# A Wednesday afternoon in Amsterdam (the e2e tests' moment): within business hours, and the
# frontline rota has someone on duty. The benchmark's clock starts there and runs in real time.
START = datetime(2026, 11, 25, 13, 0, tzinfo=UTC)


class ShiftedClock:
    """Real time, shifted so that it starts at ``start`` (routing stays deterministic while
    outbox retries and backoffs still see time pass)."""

    def __init__(self, start: datetime = START) -> None:
        self.offset = start - datetime.now(UTC)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


class UpdateTimer:
    """aiogram outer middleware: how long each update took, by update type."""

    def __init__(self) -> None:
        self.samples: list[float] = []
        self.kinds: Counter[str] = Counter()
        self.errors = 0
        self.in_flight = 0
        self.max_in_flight = 0

    def reset(self) -> None:
        self.samples = []
        self.kinds = Counter()
        self.errors = 0
        self.max_in_flight = self.in_flight

    async def __call__(self, handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
                       event: TelegramObject, data: dict[str, Any]) -> Any:
        started = time.perf_counter()
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            return await handler(event, data)
        except Exception:
            self.errors += 1
            raise
        finally:
            self.in_flight -= 1
            self.samples.append(time.perf_counter() - started)
            self.kinds[getattr(event, "event_type", type(event).__name__)] += 1


class LevelCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.counts: Counter[str] = Counter()
        self.first: dict[str, str] = {}

    def emit(self, record: logging.LogRecord) -> None:
        self.counts[record.levelname.lower()] += 1
        key = f"{record.name}: {record.msg}"[:160]
        if len(self.first) < 8 and key not in self.first:
            self.first[key] = record.levelname.lower()


def _emit(obj: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(obj, default=str) + "\n")
    sys.stdout.flush()


class Target:
    """Start/stop one bot and report bot-specific counters."""

    timer: UpdateTimer

    async def start(self) -> None: ...
    async def stop(self) -> None: ...

    def counters(self) -> dict[str, Any]:
        return {}


class EchoTarget(Target):
    def __init__(self, args: argparse.Namespace) -> None:
        from bench.echo import build_echo_bot

        self.bot, self.dp = build_echo_bot(args.token, args.api_base)
        self.timer = UpdateTimer()
        self.dp.update.outer_middleware(self.timer)
        self.task: asyncio.Task[Any] | None = None

    async def start(self) -> None:
        from bench.echo import start_polling

        self.task = await start_polling(self.bot, self.dp)

    async def stop(self) -> None:
        from bench.echo import stop_polling

        if self.task is not None:
            await stop_polling(self.bot, self.dp, self.task)


class SkewerTarget(Target):
    def __init__(self, args: argparse.Namespace) -> None:
        from bot.app import SkewerApp
        from bot.settings import Runtime

        runtime = Runtime(token=args.token, api_base=args.api_base,
                          database_url=args.database_url, webhook_url=None, webhook_secret=None)
        extra: dict[str, Any] = {}
        self.send_limits = "config"
        if args.send_limits == "off" and "telegram_limits" in inspect.signature(SkewerApp).parameters:
            from handlers.telegram.limits import TelegramLimits

            extra["telegram_limits"] = TelegramLimits.unlimited()
            self.send_limits = "off"
        self.app = SkewerApp(args.config, runtime=runtime, mode="polling", host="127.0.0.1",
                             port=0, clock=ShiftedClock(), outbox_poll=args.outbox_poll, **extra)
        self.timer = UpdateTimer()
        self.app.dp.update.outer_middleware(self.timer)
        self._sent_at_mark = 0

    async def start(self) -> None:
        await self.app.start()

    async def stop(self) -> None:
        await self.app.stop()

    def mark(self) -> None:
        self._sent_at_mark = self.app.outbox.sent

    def counters(self) -> dict[str, Any]:
        outcomes: dict[str, float] = {}
        for metric in self.app.metrics.registry.collect():
            if metric.name == "skewer_updates":
                for s in metric.samples:
                    if s.name.endswith("_total"):
                        outcomes[s.labels["outcome"]] = outcomes.get(s.labels["outcome"], 0) + s.value
        return {"send_limits": self.send_limits,
                "outbox_sent_in_window": self.app.outbox.sent - self._sent_at_mark,
                "outbox_sent_total": self.app.outbox.sent, "outcomes_total": outcomes}

    async def outbox_pending(self) -> int | None:
        try:
            health = await self.app.health()
            return int(health.get("outbox_pending", -1))
        except Exception:
            return None


async def serve(args: argparse.Namespace) -> None:
    levels = LevelCounter()
    if args.log_file:
        log_stream = open(args.log_file, "a", encoding="utf-8")  # noqa: ASYNC230
        if args.kind == "skewer" and args.product_logging:
            from bot.logs import setup

            setup("INFO", stream=log_stream)  # exactly what `skewer run` does
        else:
            logging.basicConfig(level=logging.WARNING, stream=log_stream)
    logging.getLogger().addHandler(levels)

    target: Target = EchoTarget(args) if args.kind == "echo" else SkewerTarget(args)
    await target.start()
    _emit({"event": "ready", "pid": os.getpid()})
    loop = asyncio.get_running_loop()
    mark_wall, mark_cpu = time.perf_counter(), time.process_time()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        cmd = line.strip()
        if cmd in ("", "quit"):
            break
        if cmd == "mark":
            target.timer.reset()
            if isinstance(target, SkewerTarget):
                target.mark()
            mark_wall, mark_cpu = time.perf_counter(), time.process_time()
            _emit({"event": "marked"})
        elif cmd == "stats":
            wall = time.perf_counter() - mark_wall
            cpu = time.process_time() - mark_cpu
            t = target.timer
            out: dict[str, Any] = {
                "event": "stats", "wall_s": wall, "cpu_s": cpu, "handled": len(t.samples),
                "by_type": dict(t.kinds), "handler_errors": t.errors,
                "max_in_flight": t.max_in_flight,
                "handler_ms": {k: v * 1000 if isinstance(v, float) else v
                               for k, v in summary(t.samples).items()},
                "handler_samples_ms": [round(x * 1000, 3) for x in t.samples],
                "log_levels": dict(levels.counts), "log_first": levels.first,
                **target.counters(),
            }
            if isinstance(target, SkewerTarget):
                out["outbox_pending"] = await target.outbox_pending()
            _emit(out)
        else:
            _emit({"event": "error", "error": f"unknown command {cmd!r}"})
    await target.stop()
    _emit({"event": "stopped"})


def main(argv: list[str] | None = None) -> None:
    from emulator.state import DEFAULT_TOKEN

    root = Path(__file__).resolve().parent.parent
    parser = argparse.ArgumentParser(prog="python -m bench.botproc")
    parser.add_argument("--kind", choices=("echo", "skewer"), required=True)
    parser.add_argument("--api-base", required=True)
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    parser.add_argument("--config", type=Path, default=root / "config.yaml")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--outbox-poll", type=float, default=0.5)
    parser.add_argument("--log-file", default=None)
    parser.add_argument("--product-logging", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--send-limits", choices=("off", "config"), default="off",
                        help="off: TelegramLimits.unlimited() (the emulator is a local Bot API "
                             "server); config: the config's telegram.limits, as in production")
    args = parser.parse_args(argv)
    if args.kind == "skewer" and not args.database_url:
        parser.error("--database-url is required for --kind skewer")
    asyncio.run(serve(args))


if __name__ == "__main__":
    main()
