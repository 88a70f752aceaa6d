"""The composition root: everything is built here from the config, in one place. No globals."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import BotCommand, BotCommandScopeDefault
from aiohttp import web
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from bot.api_cases import MailboxTransport, OmniService
from bot.apikeys import verify_key
from bot.clock import Clock, system_clock
from bot.context import Deps
from bot.followup import FollowupWorker
from bot.outbox import OutboxWorker
from bot.ports import Handled, Inbound
from bot.reload import ConfigWatcher, rules_diff, sha256
from bot.service import Service
from bot.settings import Runtime, load_config
from bot.texts import Texts
from handlers.rasa.mount import add_rasa_routes
from handlers.telegram.inbound import build_router
from handlers.telegram.limits import TelegramLimits
from handlers.telegram.outbound import TelegramTransport, pin_response_types
from handlers.telegram.polling import DurablePoller
from handlers.web.api import RestApi
from handlers.web.chat import WebChat, WebTransport
from handlers.web.server import add_telegram_webhook, build_web_app
from routing.config import Config, ConfigError, parse_config
from routing.engine import Router
from storage.migrate import upgrade
from storage.store import Store

log = logging.getLogger("skewer.app")


def build_deps(config: Config, path: Path) -> Deps:
    """Everything derived from one config: its router (with learned examples) and texts."""
    from bot.routes_cli import load_learned

    org = config.organisation
    return Deps(config=config, router=Router(config, load_learned(config, path)),
                texts=Texts(org.languages, org.default_language))


@dataclass
class Metrics:
    registry: CollectorRegistry
    updates: Counter
    latency: Histogram
    outbox_sent: Gauge

    @classmethod
    def create(cls) -> Metrics:
        reg = CollectorRegistry()
        return cls(
            registry=reg,
            updates=Counter("skewer_updates_total", "Inbound events handled, by outcome",
                            ["channel", "outcome"], registry=reg),
            latency=Histogram("skewer_update_seconds", "Time to handle one inbound event",
                              ["channel"], registry=reg,
                              buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5)),
            outbox_sent=Gauge("skewer_outbox_sent", "Messages this worker has delivered",
                                 registry=reg),
        )


class MeasuredService:
    """Wraps the service with metrics; the adapters only see `handle`."""

    def __init__(self, service: Service, metrics: Metrics) -> None:
        self.service = service
        self.metrics = metrics

    async def handle(self, ev: Inbound) -> Handled:
        started = time.perf_counter()
        result = await self.service.handle(ev)
        self.metrics.latency.labels(ev.channel).observe(time.perf_counter() - started)
        self.metrics.updates.labels(ev.channel, result.outcome).inc()
        return result


ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]

CUSTOMER_COMMANDS = {
    "en": [("start", "Start"), ("new", "Tell us about a new problem"), ("status", "Your cases"),
           ("language", "Nederlands / English"), ("link", "Link web chat and Telegram"),
           ("help", "Help")],
    "nl": [("start", "Begin"), ("new", "Een nieuw probleem melden"), ("status", "Je zaken"),
           ("language", "Nederlands / English"), ("link", "Webchat en Telegram koppelen"),
           ("help", "Hulp")],
}


class SkewerApp:
    def __init__(self, config_path: str | Path, *, runtime: Runtime | None = None,
                 mode: str | None = None, host: str | None = None, port: int | None = None,
                 clock: Clock = system_clock,
                 outbox_poll: float = 0.5, config_poll: float = 2.0,
                 telegram_limits: TelegramLimits | None = None,
                 followup_poll: float = 0.5, receive_updates: bool = True) -> None:
        self.config_path = Path(config_path)
        self.config = load_config(self.config_path)
        self.runtime = runtime or Runtime.from_env(self.config)
        self.mode = mode or self.config.telegram.mode
        self.host = host or self.config.server.host
        self.port = self.config.server.port if port is None else port
        self.clock = clock
        self.deps = build_deps(self.config, self.config_path)
        self.metrics = Metrics.create()
        self.store = Store(self.runtime.database_url)
        # The delivery worker records each send on a connection of its own: queued behind
        # conversation transactions (SQLite has one), a sent-but-unrecorded message would wait
        # longer, and a crash in that window sends it twice.
        self.outbox_store = Store(self.runtime.database_url)
        session = AiohttpSession(api=TelegramAPIServer.from_base(self.runtime.api_base))
        if not self.runtime.token:
            raise SystemExit("no Telegram bot token: set TELEGRAM_BOT_TOKEN (or use `skewer run` "
                             "without one to start the built-in emulator)")
        self.bot = Bot(self.runtime.token, session=session)
        if telegram_limits is None:
            lim = self.config.telegram.limits
            telegram_limits = TelegramLimits(lim.overall_per_second, lim.chat_per_second,
                                             lim.chat_burst, lim.group_per_minute, lim.group_burst)
        transport = TelegramTransport(self.bot, limits=telegram_limits,
                                      upload_dir=Path(self.runtime.upload_dir))
        self._response_types = pin_response_types()
        self.metrics.outbox_sent.set_function(lambda: float(self.outbox.sent))
        self.web_transport = WebTransport()
        self.outbox = OutboxWorker(self.outbox_store, {"telegram": transport, "web": self.web_transport,
                                                "rasa": MailboxTransport("rasa"),
                                                "api": MailboxTransport("api")},
                                   lambda: self.deps, clock=clock, idle_poll=outbox_poll)
        self.service = Service(self.store, self.deps, clock=clock, on_outbox=self.outbox.wake)
        # Deadlines, reminders, escalation, updates, approvals: fired once across workers.
        self.followup = FollowupWorker(self.store, lambda: self.deps, clock=clock,
                                       poll=followup_poll, on_outbox=self.outbox.wake)
        # False: a second worker on the same database that sends and fires timers only.
        self.receive_updates = receive_updates
        self.handler = MeasuredService(self.service, self.metrics)
        self.omni = OmniService(self.store, lambda: self.deps, clock, on_outbox=self.outbox.wake)
        self.dp = Dispatcher()
        self.dp.include_router(build_router(self.handler, fail_on_storage_error=True))
        self.poller = DurablePoller(self.bot, self.dp, ALLOWED_UPDATES)
        self.web = build_web_app(health=self.health, registry=self.metrics.registry)
        self._add_channels()
        if self.mode == "webhook":
            add_telegram_webhook(self.web, self.config.telegram.webhook_path, self.dp, self.bot,
                                 self.runtime.webhook_secret)
        self._runner: web.AppRunner | None = None
        self._reload_task: asyncio.Task[Any] | None = None
        self.bound_port: int | None = None
        self.config_hash = sha256(self.config_path.read_text("utf-8"))
        self.watcher = ConfigWatcher(self.config_path, self.reload, interval=config_poll,
                                     initial_hash=self.config_hash)

    def _add_channels(self) -> None:
        """Web chat, the REST API and the Rasa action server, on the same aiohttp app."""

        def text_for(lang: str | None, key: str) -> str:
            return self.deps.texts.raw(self.deps.texts.lang(lang), key)

        self.webchat = WebChat(self.handler.handle, self.omni.history, self.web_transport,
                               Path(self.runtime.upload_dir), text_for)
        self.webchat.add_routes(self.web)
        RestApi(self.omni, lambda key: verify_key(self.store, key)).add_routes(self.web)
        add_rasa_routes(self.web, self.omni, lambda: self.runtime.rasa_secret)

    def set_deps(self, deps: Deps) -> None:
        self.deps = deps
        self.service.deps = deps

    def request_reload(self) -> None:
        """For SIGHUP: reload now (keeps a reference to the task so it is not lost)."""
        self._reload_task = asyncio.create_task(self.reload(), name="config-reload")

    async def reload(self) -> bool:
        """Validate the file, then swap the config in; a bad config is refused, the old one kept."""
        try:
            text = self.config_path.read_text("utf-8")
            new = parse_config(text, str(self.config_path))
            deps = build_deps(new, self.config_path)
        except ConfigError as e:
            log.error("config change refused; the running config stays in force:\n%s", e)
            return False
        except OSError as e:
            log.error("config file unreadable (%s); the running config stays in force", e.strerror)
            return False
        digest = sha256(text)
        self.watcher.last_hash = digest
        if digest == self.config_hash:
            return True
        summary = rules_diff(self.config, new)
        self.config, self.config_hash = new, digest
        self.set_deps(deps)
        await self._record_config(summary)
        log.info("config applied", extra={"sha256": digest[:12], "changes": summary})
        return True

    async def _record_config(self, summary: dict[str, Any]) -> None:
        async with self.store.unit() as unit:
            await unit.record_config(str(self.config_path), self.config_hash, summary, self.clock())

    async def health(self) -> dict[str, Any]:
        try:
            async with self.store.unit() as unit:
                from storage.outbox import pending_count

                pending = await pending_count(unit)
            return {"ok": True, "database": "up", "outbox_pending": pending, "mode": self.mode}
        except Exception as e:
            return {"ok": False, "database": f"down: {type(e).__name__}"}

    async def start(self) -> None:
        await upgrade(self.store)
        async with self.store.unit() as unit:
            known = await unit.last_config_hash()
        if known != self.config_hash:
            await self._record_config(rules_diff(None, self.config))
        self.watcher.start()
        self._runner = web.AppRunner(self.web, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        server = getattr(site, "_server", None)
        sockets = getattr(server, "sockets", None) or []
        self.bound_port = sockets[0].getsockname()[1] if sockets else self.port
        await self._set_commands()
        self.outbox.start()
        self.followup.start()
        if not self.receive_updates:
            pass
        elif self.mode == "webhook":
            url = (self.runtime.webhook_url or
                   f"http://{self.host}:{self.bound_port}{self.config.telegram.webhook_path}")
            await self.bot.set_webhook(url, secret_token=self.runtime.webhook_secret,
                                       allowed_updates=ALLOWED_UPDATES)
        else:
            await self.bot.delete_webhook(drop_pending_updates=False)
            self.poller.start()
        log.info("skewer started", extra={"mode": self.mode, "port": self.bound_port})

    async def _set_commands(self) -> None:
        try:
            for lang, cmds in CUSTOMER_COMMANDS.items():
                await self.bot.set_my_commands(
                    [BotCommand(command=c, description=d) for c, d in cmds],
                    scope=BotCommandScopeDefault(), language_code=lang)
        except Exception as e:
            log.warning("setMyCommands failed: %s", e)

    async def stop(self) -> None:
        await self.watcher.stop()
        await self.poller.stop()
        await self.followup.stop()
        await self.outbox.stop()
        if self._runner is not None:
            await self._runner.cleanup()
        await self.bot.session.close()
        await self.store.dispose()
        await self.outbox_store.dispose()
