"""The Bot API endpoint ``/bot{token}/{method}``: request parsing, dispatch, faults."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from multidict import MultiDictProxy

from .errors import ApiError, bad_request, not_found, too_many_requests
from .models import BotRec, ChatRec
from .state import EmulatorState

log = logging.getLogger("emulator.api")


@dataclass
class Upload:
    """A file sent in a multipart request."""

    filename: str
    content_type: str
    content: bytes


class Params:
    """Bot API parameters, whichever way they were sent (query, form, multipart, JSON)."""

    def __init__(self, values: dict[str, Any], uploads: dict[str, Upload]) -> None:
        self.values = values
        self.uploads = uploads

    def __contains__(self, name: str) -> bool:
        return self.values.get(name) not in (None, "")

    def raw(self, name: str, default: Any = None) -> Any:
        value = self.values.get(name)
        return default if value is None else value

    def get_str(self, name: str, default: str | None = None) -> str | None:
        value = self.values.get(name)
        if value is None:
            return default
        if isinstance(value, (dict, list)):
            raise bad_request(f"field \"{name}\" must be of type String")
        return str(value)

    def get_int(self, name: str, default: int | None = None) -> int | None:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def require_int(self, name: str, missing: str | None = None) -> int:
        value = self.get_int(name)
        if value is None:
            raise bad_request(missing or f"{name} is empty")
        return value

    def get_float(self, name: str, default: float = 0.0) -> float:
        value = self.values.get(name)
        try:
            return default if value in (None, "") else float(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def get_bool(self, name: str, default: bool = False) -> bool:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        return str(value).lower() in ("true", "1", "yes")

    def get_json(self, name: str) -> Any:
        """A nested object, which form posts carry JSON-encoded."""
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise bad_request(f"can't parse {name} JSON object") from None
        return value

    def get_file(self, name: str) -> Upload | str | None:
        """A file: an upload (directly or via ``attach://``), a file_id or a URL."""
        if name in self.uploads:
            return self.uploads[name]
        value = self.values.get(name)
        if value in (None, ""):
            return None
        return self.get_file_value(value)

    def get_file_value(self, value: Any) -> Upload | str:
        """Resolve a file reference: ``attach://<part>``, a file_id or a URL."""
        if isinstance(value, str) and value.startswith("attach://"):
            upload = self.uploads.get(value[len("attach://"):])
            if upload is None:
                raise bad_request(f"can't find attached file \"{value}\"")
            return upload
        if not isinstance(value, (str, int)) or value == "":
            raise bad_request("wrong file identifier/HTTP URL specified")
        return str(value)


Handler = Callable[["Call"], Awaitable[Any]]


class Registry:
    """Maps Bot API method names (case-insensitive, like Telegram) to handlers."""

    def __init__(self) -> None:
        self.handlers: dict[str, tuple[str, Handler]] = {}

    def method(self, *names: str) -> Callable[[Handler], Handler]:
        def register(func: Handler) -> Handler:
            for name in names:
                self.handlers[name.lower()] = (name, func)
            return func
        return register

    def merge(self, *others: Registry) -> Registry:
        for other in others:
            self.handlers.update(other.handlers)
        return self


@dataclass
class Call:
    state: EmulatorState
    bot: BotRec
    method: str
    params: Params
    app: web.Application

    def rate_limit(self, chat: ChatRec) -> None:
        self.state.limits.check(self.method, self.bot.id, chat.id, chat.type)

    def chat(self, name: str = "chat_id", *, sending: bool = False) -> ChatRec:
        chat_id = self.params.raw(name)
        if chat_id is None or chat_id == "":
            raise bad_request("chat_id is empty")
        return self.state.chat_for_bot(self.bot, chat_id, sending=sending)


async def read_params(request: web.Request) -> Params:
    values: dict[str, Any] = dict(request.query)
    uploads: dict[str, Upload] = {}
    if request.method == "POST" and request.can_read_body:
        ctype = request.content_type
        if ctype == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise bad_request("can't parse JSON object") from None
            if not isinstance(body, dict):
                raise bad_request("JSON object expected")
            values.update(body)
        elif ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form: MultiDictProxy[Any] = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    uploads[key] = Upload(
                        filename=value.filename or key,
                        content_type=value.content_type,
                        content=value.file.read(),
                    )
                else:
                    values[key] = value
        else:
            await request.read()
    return Params(values, uploads)


def ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def error_response(exc: ApiError) -> web.Response:
    return web.json_response(exc.payload(), status=exc.code)


async def _inject(mode: str, state: EmulatorState, request: web.Request) -> web.StreamResponse:
    settings = state.faults.settings
    if mode == "429":
        return error_response(too_many_requests(settings.retry_after))
    if mode == "500":
        return error_response(ApiError(500, "Internal Server Error"))
    await asyncio.sleep(settings.timeout)
    if settings.timeout_action == "drop" and request.transport is not None:
        request.transport.close()
    return error_response(ApiError(502, "Bad Gateway"))


class BotApi:
    """aiohttp handler for ``/bot{token}/{method}``."""

    def __init__(self, registry: Registry, state_getter: Callable[[web.Request],
                 EmulatorState]) -> None:
        self.registry = registry
        self.get_state = state_getter

    async def handle(self, request: web.Request) -> web.StreamResponse:
        state = self.get_state(request)
        method_name = request.match_info["method"]
        try:
            bot = state.bot_for_token(request.match_info["token"])
            entry = self.registry.handlers.get(method_name.lower())
            canonical = entry[0] if entry else method_name
            state.calls[canonical] += 1
            if entry is None:
                raise not_found()
            fault = state.faults.pick(canonical)
            if fault and not state.faults.settings.after:
                return await _inject(fault, state, request)
            params = await read_params(request)
            call = Call(state=state, bot=bot, method=canonical, params=params, app=request.app)
            result = await entry[1](call)
            if fault:
                return await _inject(fault, state, request)
            return ok(result)
        except ApiError as exc:
            if exc.code >= 500 or exc.code == 429:
                log.info("%s -> %s", method_name, exc.description)
            return error_response(exc)
