"""The emulator's aiohttp application and the in-process ``Emulator`` server."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from aiohttp import web

from . import control
from .api import BotApi, Call, Params, Registry, Upload
from .keys import STATE_KEY, WEBHOOKS_KEY
from .methods_media import registry as media_methods
from .methods_messages import registry as message_methods
from .methods_misc import registry as misc_methods
from .methods_updates import registry as update_methods
from .models import BotRec
from .state import DEFAULT_TOKEN, EmulatorConfig, EmulatorState
from .testing import EmulatorClient
from .webhook import WebhookManager

log = logging.getLogger("emulator")
STATIC = Path(__file__).parent / "static"
MAX_BODY = 60 * 1024 * 1024


def build_registry() -> Registry:
    return Registry().merge(update_methods, message_methods, media_methods, misc_methods)


def _state(request: web.Request) -> EmulatorState:
    return request.app[STATE_KEY]


async def _download(request: web.Request) -> web.StreamResponse:
    """``/file/bot{token}/{path}``: the bytes of an uploaded (or a placeholder) file."""
    state = _state(request)
    state.bot_for_token(request.match_info["token"])
    path = request.match_info["path"]
    rec = next((f for f in state.files.values() if f.file_path == path), None)
    if rec is None:
        raise web.HTTPNotFound(text="Not Found")
    body = rec.content if rec.content is not None else b"\0" * min(rec.file_size, 4096)
    return web.Response(body=body, content_type=rec.meta.get("mime_type",
                                                             "application/octet-stream"))


async def _sandbox(request: web.Request) -> web.StreamResponse:
    return web.FileResponse(STATIC / "sandbox.html")


async def _root(request: web.Request) -> web.StreamResponse:
    raise web.HTTPFound("/sandbox" + (f"?{request.query_string}" if request.query_string else ""))


def create_app(state: EmulatorState | None = None) -> web.Application:
    """The emulator as an aiohttp application (Bot API, control API, sandbox page)."""
    state = state or EmulatorState()
    app = web.Application(client_max_size=MAX_BODY)
    registry = build_registry()

    async def execute_reply(bot: BotRec, data: dict[str, Any],
                            files: dict[str, tuple[str, str, bytes]]) -> None:
        entry = registry.handlers.get(str(data.pop("method")).lower())
        if entry is not None:
            state.calls[entry[0]] += 1
            uploads = {k: Upload(name, ctype, body) for k, (name, ctype, body) in files.items()}
            await entry[1](Call(state=state, bot=bot, method=entry[0],
                                params=Params(data, uploads), app=app))

    app[STATE_KEY] = state
    app[WEBHOOKS_KEY] = WebhookManager(state, execute_reply)
    api = BotApi(registry, _state)
    app.router.add_route("GET", "/bot{token}/{method}", api.handle)
    app.router.add_route("POST", "/bot{token}/{method}", api.handle)
    app.router.add_get("/file/bot{token}/{path:.+}", _download)
    app.add_routes(control.routes)
    app.router.add_get("/", _root)
    app.router.add_get("/sandbox", _sandbox)
    app.router.add_static("/static", STATIC)

    async def on_startup(app: web.Application) -> None:
        state.closing = False
        for bot in state.bots.values():
            if bot.webhook is not None:
                app[WEBHOOKS_KEY].ensure(bot)

    async def on_shutdown(app: web.Application) -> None:
        state.closing = True
        for bot in state.bots.values():
            bot.signal.wake()
        state.events.signal.wake()

    async def on_cleanup(app: web.Application) -> None:
        await app[WEBHOOKS_KEY].close()

    app.on_startup.append(on_startup)
    app.on_shutdown.append(on_shutdown)
    app.on_cleanup.append(on_cleanup)
    return app


class Emulator(EmulatorClient):
    """An emulator running in this process on a free port, with a client attached.

        async with Emulator() as emu:
            bot = Bot(emu.token, session=AiohttpSession(
                api=TelegramAPIServer.from_base(emu.base_url)))
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        token: str = DEFAULT_TOKEN,
        bot_name: str = "Skewer",
        bot_username: str = "skewer_bot",
        sandbox_people: list[dict[str, Any]] | None = None,
        sandbox_groups: list[dict[str, Any]] | None = None,
        sandbox_customers: list[dict[str, Any]] | None = None,
        webhook_backoff: tuple[float, float] = (0.1, 5.0),
        state: EmulatorState | None = None,
    ) -> None:
        super().__init__()
        self.host = host
        self.port = port
        self.state = state or EmulatorState(EmulatorConfig(
            token=token, bot_name=bot_name, bot_username=bot_username,
            sandbox_people=list(sandbox_people or []), sandbox_groups=list(sandbox_groups or []),
            sandbox_customers=list(sandbox_customers or []), webhook_backoff=webhook_backoff,
        ))
        self.app: web.Application | None = None
        self._runner: web.AppRunner | None = None

    @property
    def token(self) -> str:
        """The default bot's token: messages from users go to this bot."""
        return self.state.config.token

    async def start(self) -> Emulator:
        self.app = create_app(self.state)
        self._runner = web.AppRunner(self.app, handler_cancellation=True, shutdown_timeout=1.0,
                                     access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        try:
            await site.start()
        except BaseException:  # e.g. the port is taken: leave nothing behind
            await self._runner.cleanup()
            self._runner = None
            raise
        server = site._server
        assert server is not None
        sockets = getattr(server, "sockets", None) or []
        self.port = sockets[0].getsockname()[1]
        await self.open(f"http://{self.host}:{self.port}")
        return self

    async def stop(self) -> None:
        await self.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Emulator:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # -- direct (synchronous) access to the in-process state

    def calls(self, method: str | None = None) -> Any:
        """How often ``method`` was called (or all counts as a dict)."""
        if method is None:
            return dict(self.state.calls)
        return self.state.calls.get(method, 0)

    def sent(self, chat_id: int | None = None, method: str | None = None) -> list[dict[str, Any]]:
        """Every successful send (``method``, ``chat_id``, ``message_id``, ``text``...)."""
        return [s for s in self.state.sent
                if (chat_id is None or s["chat_id"] == chat_id)
                and (method is None or s["method"] == method)]
