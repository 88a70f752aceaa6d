"""The service's aiohttp app: health, Prometheus metrics, and the durable Telegram webhook."""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.types import Update
from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

log = logging.getLogger("skewer.web")

HealthCheck = Callable[[], Awaitable[dict[str, Any]]]


def build_web_app(*, health: HealthCheck, registry: CollectorRegistry) -> web.Application:
    app = web.Application(client_max_size=2 * 1024 * 1024)

    async def healthz(_: web.Request) -> web.Response:
        info = await health()
        return web.json_response(info, status=200 if info.get("ok") else 503)

    async def metrics(_: web.Request) -> web.Response:
        return web.Response(body=generate_latest(registry),
                            headers={"Content-Type": CONTENT_TYPE_LATEST})

    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    return app


def add_telegram_webhook(app: web.Application, path: str, dp: Dispatcher, bot: Bot,
                         secret: str | None) -> None:
    """Process each update fully before answering: a failure answers 500 and Telegram retries.

    (aiogram's stock handler answers 200 before processing; a failed update would be lost.)
    """

    async def webhook(request: web.Request) -> web.Response:
        if secret is not None:
            given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
            if not hmac.compare_digest(given.encode(), secret.encode()):
                log.warning("webhook: wrong or missing secret token from %s", request.remote)
                return web.Response(status=401, text="unauthorized")
        try:
            data = await request.json()
            update = Update.model_validate(data, context={"bot": bot})
        except Exception:
            log.warning("webhook: malformed update dropped")
            return web.Response(status=200, text="malformed")
        try:
            await dp.feed_update(bot, update)
        except Exception as e:
            log.error("webhook: update %s failed, asking Telegram to deliver it again: %s",
                      update.update_id, type(e).__name__)
            return web.Response(status=500, text="retry")
        return web.Response(status=200, text="ok")

    app.router.add_post(path, webhook)
