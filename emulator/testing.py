"""A Python client of the emulator's control API, for tests and benchmarks.

    async with Emulator() as emu:                       # or EmulatorClient(base_url)
        alice = await emu.user(5001, "Alice", language_code="en")
        await alice.send("my fridge is broken")
        msg = await alice.wait_for(lambda m: "help" in m.text, timeout=5)
        await alice.press("Send")
"""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from .formatting import to_html

JSON = dict[str, Any]
Predicate = Callable[["TgMessage"], bool] | str | None


class EmulatorError(AssertionError):
    """The control API refused a request (e.g. pressing a button that doesn't exist)."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(f"emulator answered {status}: {description}")
        self.status = status
        self.description = description


@dataclass
class TgMessage:
    """A message in a chat as the emulator shows it (both directions, with edit history)."""

    data: JSON
    parts: list[TgMessage] = field(default_factory=list, repr=False)

    message_id = property(lambda self: int(self.data["message_id"]))
    chat_id = property(lambda self: int(self.data["chat_id"]))
    from_bot = property(lambda self: bool(self.data["from_bot"]))
    kind = property(lambda self: str(self.data["kind"]))
    entities = property(lambda self: list(self.data.get("entities") or []))
    reply_markup = property(lambda self: self.data.get("reply_markup"))
    reply_to_message_id = property(lambda self: self.data.get("reply_to_message_id"))
    edits = property(lambda self: list(self.data.get("edits") or []))
    deleted = property(lambda self: bool(self.data.get("deleted")))
    message = property(lambda self: dict(self.data["message"]))  # the Telegram Message JSON
    raw = message  # e.g. ``m.raw.get("photo")``

    @property
    def text(self) -> str:
        """The text, or the caption of a media message ("" if neither)."""
        return str(self.data.get("text") or "")

    @property
    def html(self) -> str:
        return to_html(self.text, self.entities)

    @property
    def sender_id(self) -> int:
        return int(self.data["message"]["from"]["id"])

    @property
    def buttons(self) -> list[list[str]]:
        """Texts of the inline keyboard's buttons, row by row."""
        markup = self.reply_markup or {}
        return [[b["text"] for b in row] for row in markup.get("inline_keyboard", [])]

    @property
    def button_texts(self) -> list[str]:
        return [text for row in self.buttons for text in row]

    @property
    def callback_data(self) -> dict[str, str]:
        """Button text -> callback_data for the inline keyboard."""
        markup = self.reply_markup or {}
        return {b["text"]: b["callback_data"] for row in markup.get("inline_keyboard", [])
                for b in row if "callback_data" in b}

    @property
    def keyboard(self) -> list[list[str]]:
        """Texts of a reply keyboard sent with this message."""
        markup = self.reply_markup or {}
        return [[b["text"] for b in row] for row in markup.get("keyboard", [])]

    def has_button(self, text: str) -> bool:
        return text in self.button_texts

    def __str__(self) -> str:
        who = "bot" if self.from_bot else f"user {self.sender_id}"
        extra = f" [{self.kind}]" if self.kind != "text" else ""
        buttons = f" buttons={self.button_texts}" if self.button_texts else ""
        edited = f" (edited x{len(self.edits)})" if self.edits else ""
        reply = f" (reply to #{self.reply_to_message_id})" if self.reply_to_message_id else ""
        return f"#{self.message_id} {who}{extra}{reply}: {self.text!r}{buttons}{edited}"


def _matcher(predicate: Predicate) -> Callable[[TgMessage], bool]:
    if predicate is None:
        return lambda m: True
    if isinstance(predicate, str):
        needle = predicate
        return lambda m: needle in m.text
    return predicate


def _chat_id(chat: Any, default: int) -> int:
    if chat is None:
        return default
    if isinstance(chat, int):
        return chat
    return int(chat.id)


@dataclass
class CallbackPress:
    """A pressed inline button (a callback_query update the bot received)."""

    client: EmulatorClient
    id: str
    chat_id: int
    message_id: int
    data: str

    async def answer(self, timeout: float = 5.0) -> JSON:  # noqa: ASYNC109
        """Wait for the bot's answerCallbackQuery: ``{"text", "show_alert", "url", ...}``."""
        result = await self.client.callback(self.id, wait=timeout)
        if not result["answered"]:
            raise AssertionError(f"the bot did not answer callback query {self.id} "
                                 f"(data={self.data!r}) within {timeout}s")
        return dict(result["answer"])


@dataclass
class TgGroup:
    client: EmulatorClient
    id: int
    title: str
    members: list[int]

    async def messages(self) -> list[TgMessage]:
        return await self.client.messages(self.id)


class TgUser:
    """A Telegram user driven by a test; remembers which bot messages it has read."""

    def __init__(self, client: EmulatorClient, data: JSON) -> None:
        self.client = client
        self.data = data
        self.id = int(data["id"])
        self.first_name = str(data["first_name"])
        self.username = data.get("username")
        self.language_code = data.get("language_code")
        self._cursor: dict[int, int] = {}  # chat id -> last consumed bot message id

    def __repr__(self) -> str:
        return f"TgUser({self.id}, {self.first_name!r})"

    def _chat(self, chat: Any) -> int:
        return _chat_id(chat, self.id)

    async def _send(self, body: JSON, chat: Any) -> TgMessage:
        body = {k: v for k, v in body.items() if v is not None}
        chat_id = self._chat(chat)
        if chat_id != self.id:
            body["chat_id"] = chat_id
        result = await self.client.request("POST", f"/users/{self.id}/messages", body)
        parts = [TgMessage(m) for m in result["messages"]]
        first = parts[0]
        first.parts = parts
        return first

    async def send(self, text: str, *, chat: Any = None, reply_to: Any = None) -> TgMessage:
        """Send a text; over 4096 characters it becomes several messages (see ``.parts``)."""
        return await self._send({"text": text, "reply_to_message_id": _msg_id(reply_to)}, chat)

    async def reply(self, message: TgMessage, text: str) -> TgMessage:
        return await self.send(text, chat=message.chat_id, reply_to=message)

    async def send_photo(self, caption: str | None = None, *, chat: Any = None,
                         reply_to: Any = None, content: bytes | None = None) -> TgMessage:
        return await self._send({"kind": "photo", "caption": caption, "content_base64":
                                 _b64(content), "reply_to_message_id": _msg_id(reply_to)}, chat)

    async def send_document(self, file_name: str = "document.pdf", caption: str | None = None,
                            *, mime_type: str | None = None, content: bytes | None = None,
                            chat: Any = None, reply_to: Any = None) -> TgMessage:
        return await self._send({"kind": "document", "file_name": file_name, "caption": caption,
                                 "mime_type": mime_type, "content_base64": _b64(content),
                                 "reply_to_message_id": _msg_id(reply_to)}, chat)

    async def send_voice(self, duration: int = 3, caption: str | None = None, *,
                         chat: Any = None, reply_to: Any = None) -> TgMessage:
        return await self._send({"kind": "voice", "duration": duration, "caption": caption,
                                 "reply_to_message_id": _msg_id(reply_to)}, chat)

    async def send_sticker(self, emoji: str = "👍", *, chat: Any = None,
                           reply_to: Any = None) -> TgMessage:
        return await self._send({"kind": "sticker", "emoji": emoji,
                                 "reply_to_message_id": _msg_id(reply_to)}, chat)

    async def forward(self, text: str, *, from_user: Any = None,
                      sender_name: str | None = None, chat: Any = None) -> TgMessage:
        """Forward a text written by someone else (a known user, or a hidden one by name)."""
        origin: JSON = ({"user_id": _chat_id(from_user, 0)} if from_user is not None
                        else {"sender_user_name": sender_name or "Someone"})
        return await self._send({"text": text, "forward_from": origin}, chat)

    async def edit(self, message: TgMessage, text: str) -> TgMessage:
        """Edit one of the user's own messages (the bot gets an edited_message update)."""
        body: JSON = {"message_id": message.message_id, "text": text}
        if message.chat_id != self.id:
            body["chat_id"] = message.chat_id
        result = await self.client.request("POST", f"/users/{self.id}/edit", body)
        return TgMessage(result["message"])

    async def press(self, text: str | None = None, *, data: str | None = None,
                    message: Any = None, chat: Any = None) -> CallbackPress:
        """Press an inline button by its text (latest bot message having it) or callback data."""
        if message is not None and chat is None and isinstance(message, TgMessage):
            chat = message.chat_id
        body: JSON = {"text": text, "callback_data": data, "message_id": _msg_id(message)}
        body = {k: v for k, v in body.items() if v is not None}
        chat_id = self._chat(chat)
        if chat_id != self.id:
            body["chat_id"] = chat_id
        result = await self.client.request("POST", f"/users/{self.id}/press", body)
        return CallbackPress(self.client, result["callback_query_id"], result["chat_id"],
                             result["message_id"], result["data"])

    async def block_bot(self) -> None:
        await self.client.request("POST", f"/users/{self.id}/block", {})

    async def unblock_bot(self) -> None:
        await self.client.request("POST", f"/users/{self.id}/unblock", {})

    async def messages(self, chat: Any = None) -> list[TgMessage]:
        """The chat's history, both directions, oldest first."""
        return await self.client.messages(self._chat(chat))

    async def bot_messages(self, chat: Any = None) -> list[TgMessage]:
        return [m for m in await self.messages(chat) if m.from_bot]

    async def wait_for(self, predicate: Predicate = None, *, timeout: float = 10.0,  # noqa: ASYNC109
                       chat: Any = None) -> TgMessage:
        """The next bot message (after the last one consumed) matching ``predicate``.

        ``predicate`` is a callable on TgMessage, a substring of the text, or None for any.
        Messages skipped on the way are consumed too. Raises AssertionError on timeout.
        """
        chat_id = self._chat(chat)
        match = _matcher(predicate)
        after = self._cursor.get(chat_id, 0)
        found = await self.client.wait_for_message(
            chat_id, lambda m: m.from_bot and m.message_id > after and match(m),
            timeout=timeout, after_id=after, what=f"a bot message for {self!r}",
        )
        self._cursor[chat_id] = found.message_id
        return found

    async def wait_for_edit(self, message: TgMessage, predicate: Predicate = None, *,
                            timeout: float = 5.0) -> TgMessage:  # noqa: ASYNC109
        """Wait until ``message`` is edited (again) and matches ``predicate``."""
        seen, match = len(message.edits), _matcher(predicate)
        return await self.client.wait_for_message(
            message.chat_id,
            lambda m: m.message_id == message.message_id and len(m.edits) > seen and match(m),
            timeout=timeout, after_id=message.message_id - 1,
            what=f"an edit of message #{message.message_id}",
        )

    async def expect_no_message(self, within: float = 0.5, *, chat: Any = None) -> None:
        """Assert the bot sends nothing new (after the cursor) for ``within`` seconds."""
        try:
            extra = await self.wait_for(timeout=within, chat=chat)
        except AssertionError:
            return
        raise AssertionError(f"expected no bot message, got {extra}")

    def consume_all(self, message: TgMessage) -> None:
        """Mark everything up to ``message`` as read."""
        self._cursor[message.chat_id] = max(self._cursor.get(message.chat_id, 0),
                                            message.message_id)


def _msg_id(message: Any) -> int | None:
    if message is None:
        return None
    return message if isinstance(message, int) else int(message.message_id)


def _b64(content: bytes | None) -> str | None:
    return base64.b64encode(content).decode() if content else None


class EmulatorClient:
    """Talks to a running emulator's control API over HTTP."""

    def __init__(self, base_url: str | None = None, *, bot_id: int | None = None) -> None:
        self.base_url = (base_url or "").rstrip("/")
        self.bot_id = bot_id
        self._session: aiohttp.ClientSession | None = None

    async def open(self, base_url: str | None = None) -> None:
        if base_url:
            self.base_url = base_url.rstrip("/")
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def __aenter__(self) -> EmulatorClient:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def request(self, method: str, path: str, body: JSON | None = None,
                      params: JSON | None = None) -> Any:
        if self._session is None or self._session.closed:
            await self.open()
        assert self._session is not None
        query = {k: str(v) for k, v in (params or {}).items() if v is not None}
        if self.bot_id is not None:
            query.setdefault("bot_id", str(self.bot_id))
            if body is not None:
                body = {"bot_id": self.bot_id, **body}
        async with self._session.request(method, f"{self.base_url}/_emu{path}", json=body,
                                         params=query) as resp:
            data = await resp.json()
        if not data.get("ok"):
            raise EmulatorError(int(data.get("error_code", resp.status)),
                                str(data.get("description")))
        return data["result"]

    # -- people and chats

    async def user(self, id: int, first_name: str = "User", *, last_name: str | None = None,
                   username: str | None = None, language_code: str | None = None,
                   started: bool = True) -> TgUser:
        body = {"id": id, "first_name": first_name, "last_name": last_name,
                "username": username, "language_code": language_code, "started": started}
        data = await self.request("POST", "/users", {k: v for k, v in body.items()
                                                     if v is not None})
        return TgUser(self, data)

    async def group(self, id: int, title: str, members: list[Any] | None = None, *,
                    type: str | None = None) -> TgGroup:
        ids = [_chat_id(m, 0) for m in members or []]
        body = {"id": id, "title": title, "members": ids, "type": type}
        data = await self.request("POST", "/groups", {k: v for k, v in body.items()
                                                      if v is not None})
        return TgGroup(self, int(data["id"]), str(data["title"]), list(data["members"]))

    async def messages(self, chat_id: int, *, after_id: int | None = None,
                       limit: int | None = None, include_deleted: bool = False
                       ) -> list[TgMessage]:
        params = {"after_id": after_id, "limit": limit,
                  "include_deleted": "true" if include_deleted else None}
        data = await self.request("GET", f"/chats/{chat_id}/messages", params=params)
        return [TgMessage(m) for m in data]

    async def wait_for_message(self, chat_id: int, predicate: Callable[[TgMessage], bool], *,
                               timeout: float = 5.0, after_id: int = 0,  # noqa: ASYNC109
                               what: str = "a message") -> TgMessage:
        """Poll the chat (woken by the event stream) until a message satisfies ``predicate``."""
        deadline = time.monotonic() + timeout
        seq = (await self.events(timeout=0))["last_seq"]
        while True:
            for msg in await self.messages(chat_id, after_id=after_id):
                if predicate(msg):
                    return msg
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            seq = (await self.events(after=seq, timeout=min(remaining, 10.0),
                                     chat_id=chat_id))["last_seq"]
        history = await self.messages(chat_id, limit=12)
        lines = "\n".join(f"  {m}" for m in history) or "  (no messages)"
        raise AssertionError(f"timed out after {timeout}s waiting for {what} in chat {chat_id}."
                             f" Recent history:\n{lines}")

    # -- inspection and settings

    async def events(self, *, after: int | None = None, timeout: float = 0.0,  # noqa: ASYNC109
                     chat_id: int | None = None) -> JSON:
        return dict(await self.request("GET", "/events", params={
            "after": after, "timeout": timeout, "chat_id": chat_id}))

    async def callback(self, query_id: str, *, wait: float = 0.0) -> JSON:
        return dict(await self.request("GET", f"/callbacks/{query_id}", params={"wait": wait}))

    async def counters(self) -> JSON:
        return dict(await self.request("GET", "/counters"))

    async def call_count(self, method: str) -> int:
        return int((await self.counters())["calls"].get(method, 0))

    async def set_faults(self, probability: float = 1.0, modes: list[str] | None = None,
                         **settings: Any) -> JSON:
        """Inject failures: ``modes`` of "429", "500", "timeout"; see FaultSettings."""
        body = {"probability": probability, "modes": modes or ["500"], **settings}
        return dict(await self.request("POST", "/faults", body))

    async def clear_faults(self) -> None:
        await self.request("POST", "/faults", {})

    async def set_rate_limits(self, enabled: bool = True, **settings: Any) -> JSON:
        return dict(await self.request("POST", "/rate_limits", {"enabled": enabled, **settings}))

    async def reset(self) -> None:
        await self.request("POST", "/reset", {})

    async def inject_update(self, kind: str, payload: JSON) -> int | None:
        result = await self.request("POST", "/updates", {"type": kind, "payload": payload})
        return result["update_id"]

    async def webhook_deliveries(self) -> list[JSON]:
        return list(await self.request("GET", "/webhook_deliveries"))

    async def sleep_until(self, condition: Callable[[], Any], timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until ``await condition()`` (or ``condition()``) is truthy."""
        deadline = time.monotonic() + timeout
        while True:
            value = condition()
            if asyncio.iscoroutine(value):
                value = await value
            if value:
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"condition not met within {timeout}s")
            await asyncio.sleep(0.02)
