"""The control API under ``/_emu/``: drive users, inspect chats, tune faults and limits.

Every endpoint answers like the Bot API does: ``{"ok": true, "result": ...}`` or
``{"ok": false, "error_code": 400, "description": "..."}``.
"""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import WSMsgType, web

from .errors import ApiError, bad_request
from .incoming import UserSend, set_blocked, user_edits, user_presses, user_sends
from .keys import STATE_KEY, WEBHOOKS_KEY
from .models import JSON, ChatRec, UserRec
from .state import CallbackRec, EmulatorState

routes = web.RouteTableDef()
Endpoint = Callable[[web.Request], Awaitable[Any]]


def endpoint(method: str, path: str) -> Callable[[Endpoint], Endpoint]:
    """Register a control endpoint whose return value becomes ``result``."""

    def register(func: Endpoint) -> Endpoint:
        async def handler(request: web.Request) -> web.StreamResponse:
            try:
                result = await func(request)
            except ApiError as exc:
                return web.json_response(exc.payload(), status=exc.code)
            return web.json_response({"ok": True, "result": result})

        routes.route(method, "/_emu" + path)(handler)
        return func

    return register


def _state(request: web.Request) -> EmulatorState:
    return request.app[STATE_KEY]


async def _body(request: web.Request) -> JSON:
    if not request.can_read_body:
        return {}
    try:
        body = await request.json()
    except ValueError:
        raise bad_request("the body must be a JSON object") from None
    if not isinstance(body, dict):
        raise bad_request("the body must be a JSON object")
    return body


def _int(value: Any, name: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise bad_request(f"{name} must be an integer") from None


def _opt_int(value: Any, name: str) -> int | None:
    return None if value in (None, "") else _int(value, name)


def _bot_id(request: web.Request, body: JSON | None = None) -> int | None:
    value = (body or {}).get("bot_id", request.query.get("bot_id"))
    return _opt_int(value, "bot_id")


def _user_json(state: EmulatorState, user: UserRec) -> JSON:
    return {**user.to_json(), "started": user.started,
            "blocked_bots": sorted(user.blocked_bots), "full_name": user.full_name}


def _chat_summary(state: EmulatorState, chat: ChatRec) -> JSON:
    visible = chat.visible_messages()
    return {**state.chat_json(chat), "bot_id": chat.bot_id, "members": chat.members,
            "message_count": len(visible), "last_message_id": chat.next_message_id - 1,
            "reply_keyboard": chat.reply_keyboard}


# ------------------------------------------------------------------ general

@endpoint("GET", "/health")
async def health(request: web.Request) -> JSON:
    return {"status": "ok"}


@endpoint("POST", "/reset")
async def reset(request: web.Request) -> bool:
    _state(request).reset()
    return True


@endpoint("GET", "/config")
async def config(request: web.Request) -> JSON:
    state = _state(request)
    bot = state.resolve_bot()
    return {"bot": bot.me_json(), "bot_id": bot.id, "token": bot.token,
            "people": state.config.sandbox_people, "groups": state.config.sandbox_groups,
            "customers": state.config.sandbox_customers}


@endpoint("GET", "/bots")
async def bots(request: web.Request) -> list[JSON]:
    state = _state(request)
    return [{**bot.me_json(), "webhook": bot.webhook_info(), "touched": bot.touched,
             "allowed_updates": bot.allowed_updates, "pending": list(bot.updates)}
            for bot in state.bots.values()]


@endpoint("POST", "/updates")
async def inject_update(request: web.Request) -> JSON:
    """Queue any raw update for a bot: ``{"type": "message", "payload": {...}}``."""
    state, body = _state(request), await _body(request)
    bot = state.resolve_bot(_bot_id(request, body))
    kind, payload = body.get("type"), body.get("payload")
    if not isinstance(kind, str) or not isinstance(payload, dict):
        raise bad_request("type (string) and payload (object) are required")
    return {"update_id": state.enqueue_update(bot, kind, payload)}


# ------------------------------------------------------------------ users and groups

@endpoint("POST", "/users")
async def create_user(request: web.Request) -> JSON:
    state, body = _state(request), await _body(request)
    first_name = body.get("first_name")
    if not first_name:
        raise bad_request("first_name is required")
    user = state.add_user(UserRec(
        id=_int(body.get("id"), "id"), first_name=str(first_name),
        last_name=body.get("last_name"), username=body.get("username"),
        language_code=body.get("language_code"), is_premium=bool(body.get("is_premium")),
        started=bool(body.get("started", True)),
    ))
    if "language_code" in body:
        user.language_code = body["language_code"]
    return _user_json(state, user)


@endpoint("GET", "/users")
async def list_users(request: web.Request) -> list[JSON]:
    state = _state(request)
    return [_user_json(state, u) for u in state.users.values()]


@endpoint("GET", "/users/{user_id}")
async def get_user(request: web.Request) -> JSON:
    state = _state(request)
    return _user_json(state, state.user(_int(request.match_info["user_id"], "user_id")))


@endpoint("POST", "/groups")
async def create_group(request: web.Request) -> JSON:
    state, body = _state(request), await _body(request)
    chat_id = _int(body.get("id"), "id")
    if chat_id >= 0:
        raise bad_request("group ids are negative")
    members = [_int(m, "members") for m in body.get("members", [])]
    for member in members:
        state.user(member)
    bot = state.resolve_bot(_bot_id(request, body))
    chat = state.add_group(bot, chat_id, str(body.get("title") or f"Group {chat_id}"), members,
                           chat_type=body.get("type"), username=body.get("username"))
    return _chat_summary(state, chat)


@endpoint("GET", "/chats")
async def list_chats(request: web.Request) -> list[JSON]:
    state = _state(request)
    bot = state.resolve_bot(_bot_id(request))
    return [_chat_summary(state, c) for (b, _), c in state.chats.items() if b == bot.id]


@endpoint("GET", "/chats/{chat_id}")
async def get_chat(request: web.Request) -> JSON:
    state = _state(request)
    chat = state.find_chat(_int(request.match_info["chat_id"], "chat_id"), _bot_id(request))
    return _chat_summary(state, chat)


@endpoint("GET", "/chats/{chat_id}/messages")
async def chat_messages(request: web.Request) -> list[JSON]:
    """Messages of a chat, both directions, oldest first (``after_id``, ``limit``)."""
    state, query = _state(request), request.query
    chat = state.find_chat(_int(request.match_info["chat_id"], "chat_id"), _bot_id(request))
    after = _opt_int(query.get("after_id"), "after_id") or 0
    deleted = query.get("include_deleted", "false").lower() in ("1", "true")
    msgs = [m for m in chat.messages.values() if m.message_id > after and (deleted or
                                                                          not m.deleted)]
    limit = _opt_int(query.get("limit"), "limit")
    if limit:
        msgs = msgs[-limit:]
    return [state.view(chat, m) for m in msgs]


# ------------------------------------------------------------------ user actions

def _actor(request: web.Request, body: JSON) -> tuple[EmulatorState, Any, ChatRec, UserRec]:
    state = _state(request)
    user = state.user(_int(request.match_info["user_id"], "user_id"))
    bot = state.resolve_bot(_bot_id(request, body))
    chat_id = _opt_int(body.get("chat_id"), "chat_id")
    if chat_id is None or chat_id == user.id:
        chat = state.private_chat(bot, user)
    else:
        chat = state.chats.get((bot.id, chat_id))
        if chat is None:
            raise bad_request("chat not found")
    return state, bot, chat, user


@endpoint("POST", "/users/{user_id}/messages")
async def user_send(request: web.Request) -> JSON:
    """The user sends a message (``text``, or ``kind`` photo/document/voice/sticker...)."""
    body = await _body(request)
    state, bot, chat, user = _actor(request, body)
    content = body.get("content_base64")
    send = UserSend(
        text=body.get("text"), kind=str(body.get("kind") or "text"), caption=body.get("caption"),
        reply_to_message_id=_opt_int(body.get("reply_to_message_id"), "reply_to_message_id"),
        forward_from=body.get("forward_from"), file_name=body.get("file_name"),
        mime_type=body.get("mime_type"), duration=_opt_int(body.get("duration"), "duration"),
        emoji=body.get("emoji"), content=base64.b64decode(content) if content else None,
    )
    results = user_sends(state, bot, chat, user, send)
    return {"messages": [state.view(chat, m) for m, _ in results],
            "update_ids": [u for _, u in results]}


@endpoint("POST", "/users/{user_id}/edit")
async def user_edit(request: web.Request) -> JSON:
    body = await _body(request)
    state, bot, chat, user = _actor(request, body)
    msg, update_id = user_edits(state, bot, chat, user,
                                _int(body.get("message_id"), "message_id"), str(body.get("text")))
    return {"message": state.view(chat, msg), "update_id": update_id}


def _callback_json(rec: CallbackRec) -> JSON:
    return {"callback_query_id": rec.id, "chat_id": rec.chat_id, "message_id": rec.message_id,
            "data": rec.data, "answered": rec.answer is not None, "answer": rec.answer}


@endpoint("POST", "/users/{user_id}/press")
async def user_press(request: web.Request) -> JSON:
    """Press an inline button by ``message_id`` + ``callback_data``, or by button ``text``."""
    body = await _body(request)
    state, bot, chat, user = _actor(request, body)
    if body.get("callback_data") is None and body.get("text") is None:
        raise bad_request("callback_data or text is required")
    rec = user_presses(state, bot, chat, user,
                       message_id=_opt_int(body.get("message_id"), "message_id"),
                       data=body.get("callback_data"), text=body.get("text"),
                       force=bool(body.get("force")))
    return _callback_json(rec)


@endpoint("POST", "/users/{user_id}/block")
async def user_block(request: web.Request) -> bool:
    body = await _body(request)
    state, bot, _, user = _actor(request, body)
    set_blocked(state, bot, user, True)
    return True


@endpoint("POST", "/users/{user_id}/unblock")
async def user_unblock(request: web.Request) -> bool:
    body = await _body(request)
    state, bot, _, user = _actor(request, body)
    set_blocked(state, bot, user, False)
    return True


@endpoint("GET", "/callbacks/{query_id}")
async def callback_answer(request: web.Request) -> JSON:
    """A callback query and the bot's answer; ``wait`` seconds for the answer to arrive."""
    state = _state(request)
    rec = state.callbacks.get(request.match_info["query_id"])
    if rec is None:
        raise bad_request("callback query not found")
    wait = float(request.query.get("wait", 0) or 0)
    seq = state.events.seq
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    while rec.answer is None and loop.time() < deadline:
        events = await state.events.wait_after(seq, deadline - loop.time())
        seq = events[-1]["seq"] if events else seq
    return _callback_json(rec)


# ------------------------------------------------------------------ counters, faults, limits

@endpoint("GET", "/counters")
async def counters(request: web.Request) -> JSON:
    state = _state(request)
    return {"calls": dict(state.calls), "sent": state.sent,
            "faults_injected": state.faults.injected,
            "rate_limited": state.limits.rejected}


@endpoint("GET", "/faults")
async def get_faults(request: web.Request) -> JSON:
    return _state(request).faults.as_json()


@endpoint("POST", "/faults")
async def set_faults(request: web.Request) -> JSON:
    state = _state(request)
    state.faults.configure(**await _body(request))
    return state.faults.as_json()


@endpoint("GET", "/rate_limits")
async def get_rate_limits(request: web.Request) -> JSON:
    return _state(request).limits.as_json()


@endpoint("POST", "/rate_limits")
async def set_rate_limits(request: web.Request) -> JSON:
    state = _state(request)
    state.limits.configure(**await _body(request))
    return state.limits.as_json()


@endpoint("GET", "/webhook_deliveries")
async def webhook_deliveries(request: web.Request) -> list[JSON]:
    return request.app[WEBHOOKS_KEY].deliveries


# ------------------------------------------------------------------ live events

@endpoint("GET", "/events")
async def events(request: web.Request) -> JSON:
    """Long-poll: events after ``after`` (seq), waiting up to ``timeout`` seconds."""
    state, query = _state(request), request.query
    after = _opt_int(query.get("after"), "after")
    if after is None:
        after = state.events.seq
    chat_id = _opt_int(query.get("chat_id"), "chat_id")
    timeout = min(float(query.get("timeout", 0) or 0), 60.0)
    found = await state.events.wait_after(after, timeout, chat_id)
    return {"events": found, "last_seq": found[-1]["seq"] if found else after}


@routes.get("/_emu/ws")
async def websocket(request: web.Request) -> web.StreamResponse:
    """Pushes every event as a JSON text frame (``?after=seq`` to replay, ``?chat_id=``)."""
    state = _state(request)
    ws = web.WebSocketResponse(heartbeat=20)
    await ws.prepare(request)
    after = _opt_int(request.query.get("after"), "after")
    seq = state.events.seq if after is None else after
    chat_id = _opt_int(request.query.get("chat_id"), "chat_id")

    async def pump() -> None:
        nonlocal seq
        while not ws.closed and not state.closing:
            for event in await state.events.wait_after(seq, 15.0, chat_id):
                seq = event["seq"]
                await ws.send_str(json.dumps(event))

    task = asyncio.create_task(pump())
    try:
        async for msg in ws:
            if msg.type in (WSMsgType.ERROR, WSMsgType.CLOSE):
                break
    finally:
        task.cancel()
    return ws
