"""Rasa's routes on Skewer's web server, with rasa-sdk imported at the first call, not at start."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def add_rasa_routes(app: web.Application, cases: Any, secret: Callable[[], str | None],
                    path: str = "/webhook") -> None:
    routes: dict[str, Handler] = {}
    lock = asyncio.Lock()

    async def real(name: str) -> Handler:
        if not routes:
            async with lock:
                if not routes:
                    from handlers.rasa.webhook import rasa_handlers

                    routes.update(rasa_handlers(cases, secret))
        return routes[name]

    async def webhook(request: web.Request) -> web.StreamResponse:
        return await (await real("webhook"))(request)

    async def actions(request: web.Request) -> web.StreamResponse:
        return await (await real("actions"))(request)

    app.router.add_post(path, webhook)
    app.router.add_get("/actions", actions)
