"""Bot identity and getting updates: getMe, logOut, close, getUpdates, webhooks."""

from __future__ import annotations

import re
import time

from .api import Call, Registry
from .errors import bad_request, conflict
from .keys import WEBHOOKS_KEY
from .models import JSON, BotRec, WebhookConfig

registry = Registry()

TERMINATED = (
    "terminated by other getUpdates request; make sure that only one bot instance is running"
)
WEBHOOK_ACTIVE = (
    "can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)


@registry.method("getMe")
async def get_me(call: Call) -> JSON:
    return call.bot.me_json()


@registry.method("logOut", "close")
async def log_out(call: Call) -> bool:
    return True


def _confirm(bot: BotRec, offset: int) -> None:
    if offset > 0:
        bot.updates[:] = [u for u in bot.updates if u["update_id"] >= offset]
    elif offset < 0:
        bot.updates[:] = bot.updates[offset:]


@registry.method("getUpdates")
async def get_updates(call: Call) -> list[JSON]:
    bot, params = call.bot, call.params
    if bot.webhook is not None:
        raise conflict(WEBHOOK_ACTIVE)
    offset = params.get_int("offset", 0) or 0
    limit = min(max(params.get_int("limit", 100) or 100, 1), 100)
    timeout = max(params.get_float("timeout", 0.0), 0.0)
    allowed = params.get_json("allowed_updates")
    if isinstance(allowed, list):
        bot.allowed_updates = [str(a) for a in allowed] or None
    bot.poll_generation += 1
    generation = bot.poll_generation
    bot.signal.wake()  # an older long poll of this bot ends with 409
    _confirm(bot, offset)
    deadline = time.monotonic() + timeout
    while True:
        if bot.poll_generation != generation:
            raise conflict(TERMINATED)
        if bot.webhook is not None:
            raise conflict(WEBHOOK_ACTIVE)
        remaining = deadline - time.monotonic()
        if bot.updates or remaining <= 0 or call.state.closing:
            return list(bot.updates[:limit])
        await bot.signal.wait(remaining)


_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


@registry.method("setWebhook")
async def set_webhook(call: Call) -> bool:
    bot, params = call.bot, call.params
    url = params.get_str("url", "") or ""
    if not url:
        return await delete_webhook(call)
    if not url.startswith(("http://", "https://")):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = params.get_str("secret_token")
    if secret is not None and secret != "" and not _SECRET_RE.match(secret):
        raise bad_request("secret token contains unallowed characters")
    allowed = params.get_json("allowed_updates")
    if params.get_bool("drop_pending_updates"):
        bot.updates.clear()
    bot.webhook = WebhookConfig(
        url=url,
        secret_token=secret or None,
        max_connections=params.get_int("max_connections", 40) or 40,
        allowed_updates=[str(a) for a in allowed] if isinstance(allowed, list) and allowed
        else None,
        ip_address=params.get_str("ip_address"),
    )
    bot.last_error_date = None
    bot.last_error_message = None
    bot.signal.wake()  # a pending getUpdates ends with 409
    call.app[WEBHOOKS_KEY].ensure(bot)
    return True


@registry.method("deleteWebhook")
async def delete_webhook(call: Call) -> bool:
    bot = call.bot
    if call.params.get_bool("drop_pending_updates"):
        bot.updates.clear()
    bot.webhook = None
    bot.last_error_date = None
    bot.last_error_message = None
    await call.app[WEBHOOKS_KEY].stop(bot)
    return True


@registry.method("getWebhookInfo")
async def get_webhook_info(call: Call) -> JSON:
    return call.bot.webhook_info()
