"""The Rasa action server protocol on Skewer's own aiohttp server: POST /webhook, GET /actions.

rasa-sdk's `ActionExecutor` does the protocol (it knows neither HTTP nor gRPC); this adds what
the stock server lacks: a shared secret, and errors that never echo the conversation back.
"""

from __future__ import annotations

import hmac
import json
import logging
import zlib
from collections.abc import Awaitable, Callable

from aiohttp import web
from rasa_sdk.executor import ActionExecutor
from rasa_sdk.interfaces import (
    ActionExecutionRejection,
    ActionMissingDomainException,
    ActionNotFoundException,
)

from handlers.rasa.actions import ACTIONS, RasaCases

log = logging.getLogger("skewer.rasa")
SECRET_HEADER = "X-Skewer-Rasa-Secret"
MAX_BODY = 4 * 1024 * 1024


def build_executor(cases: RasaCases) -> ActionExecutor:
    executor = ActionExecutor()
    for cls in ACTIONS:
        executor.register_action(cls(cases))
    return executor


def _authorised(request: web.Request, secret: str | None) -> bool:
    """When a secret is configured, the call must carry it: the X-Skewer-Rasa-Secret header
    (endpoints.yml `headers:`), a bearer token, or Rasa's own `token` query parameter."""
    if not secret:
        return True
    given = request.headers.get(SECRET_HEADER) or request.query.get("token") or ""
    auth = request.headers.get("Authorization", "")
    if not given and auth.startswith("Bearer "):
        given = auth[7:]
    return hmac.compare_digest(given.encode(), secret.encode())


def rasa_handlers(cases: RasaCases, secret: Callable[[], str | None]
                  ) -> dict[str, Callable[[web.Request], Awaitable[web.StreamResponse]]]:
    """The /webhook and /actions handlers over one executor (mounted by `handlers.rasa.mount`)."""
    executor = build_executor(cases)

    def fail(status: int, message: str, action: str | None = None) -> web.Response:
        body: dict[str, str] = {"error": message}
        if action:
            body["action_name"] = action
        return web.json_response(body, status=status)

    async def webhook(request: web.Request) -> web.Response:
        if not _authorised(request, secret()):
            log.warning("rasa: call without the shared secret from %s", request.remote)
            return fail(401, "unauthorized")
        raw = await request.read()
        try:
            if request.headers.get("Content-Encoding") == "deflate":
                raw = zlib.decompress(raw, bufsize=MAX_BODY)
            call = json.loads(raw)
            if not isinstance(call, dict) or not isinstance(call.get("tracker", {}), dict):
                raise ValueError("not an action call")
        except (ValueError, zlib.error, UnicodeDecodeError):
            return fail(400, "Invalid body request")
        action = str(call.get("next_action") or "")
        try:
            result = await executor.run(call)
        except ActionNotFoundException:
            return fail(404, "No registered action found for name.", action)
        except ActionExecutionRejection as e:
            return fail(400, e.message, action)
        except ActionMissingDomainException:
            return fail(449, "Domain not found.", action)
        except (KeyError, TypeError, ValueError):
            log.warning("rasa: malformed call for %s", action)
            return fail(400, "Invalid body request", action)
        except Exception:
            log.exception("rasa: %s failed", action)
            return fail(500, "internal error", action)
        return web.json_response(result.model_dump() if result else None)

    async def actions(request: web.Request) -> web.Response:
        if not _authorised(request, secret()):
            return fail(401, "unauthorized")
        return web.json_response([a.model_dump() for a in executor.list_actions()])

    return {"webhook": webhook, "actions": actions}
