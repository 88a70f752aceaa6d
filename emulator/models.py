"""Records the emulator keeps (users, bots, chats, messages) and their Telegram JSON shapes."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]


def now() -> int:
    return int(time.time())


class Signal:
    """Wakes every coroutine currently waiting on it (usable from sync code)."""

    def __init__(self) -> None:
        self._waiters: set[asyncio.Future[None]] = set()

    def wake(self) -> None:
        for fut in self._waiters:
            if not fut.done():
                fut.set_result(None)
        self._waiters.clear()

    async def wait(self, limit: float | None) -> bool:
        """Wait until woken or for ``limit`` seconds; True if woken."""
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.add(fut)
        try:
            await asyncio.wait_for(fut, limit)
            return True
        except TimeoutError:
            return False
        finally:
            self._waiters.discard(fut)


@dataclass
class UserRec:
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    is_bot: bool = False
    is_premium: bool = False
    started: bool = True  # has pressed "Start" in the bot's private chat
    blocked_bots: set[int] = field(default_factory=set)

    def to_json(self) -> JSON:
        data: JSON = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code and not self.is_bot:
            data["language_code"] = self.language_code
        if self.is_premium:
            data["is_premium"] = True
        return data

    def private_chat_json(self) -> JSON:
        data: JSON = {"id": self.id, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        data["type"] = "private"
        return data

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}" if self.last_name else self.first_name


@dataclass
class WebhookConfig:
    url: str
    secret_token: str | None = None
    max_connections: int = 40
    allowed_updates: list[str] | None = None
    ip_address: str | None = None


@dataclass
class BotRec:
    id: int
    token: str
    user: UserRec
    updates: list[JSON] = field(default_factory=list)
    next_update_id: int = 1
    allowed_updates: list[str] | None = None
    webhook: WebhookConfig | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None
    poll_generation: int = 0
    commands: dict[str, list[JSON]] = field(default_factory=dict)
    properties: dict[str, Any] = field(default_factory=dict)
    signal: Signal = field(default_factory=Signal)
    touched: bool = False  # has made at least one API call
    logged_out: bool = False

    def me_json(self) -> JSON:
        return {
            **self.user.to_json(),
            "can_join_groups": True,
            "can_read_all_group_messages": True,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def webhook_info(self) -> JSON:
        info: JSON = {
            "url": self.webhook.url if self.webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self.updates),
        }
        if self.webhook:
            info["max_connections"] = self.webhook.max_connections
            if self.webhook.ip_address:
                info["ip_address"] = self.webhook.ip_address
            if self.webhook.allowed_updates is not None:
                info["allowed_updates"] = self.webhook.allowed_updates
        if self.last_error_date:
            info["last_error_date"] = self.last_error_date
            info["last_error_message"] = self.last_error_message or ""
        return info


@dataclass
class MessageRec:
    chat_id: int
    bot_id: int
    message_id: int
    sender: JSON  # Telegram User JSON of the sender
    from_bot: bool
    date: int
    text: str | None = None
    entities: list[JSON] = field(default_factory=list)
    caption: str | None = None
    caption_entities: list[JSON] = field(default_factory=list)
    media: JSON = field(default_factory=dict)  # e.g. {"photo": [...]} or {"document": {...}}
    reply_markup: JSON | None = None
    reply_to_message_id: int | None = None
    edit_date: int | None = None
    edits: list[JSON] = field(default_factory=list)  # previous versions, oldest first
    deleted: bool = False
    forward_origin: JSON | None = None
    link_preview_options: JSON | None = None
    extra: JSON = field(default_factory=dict)  # other Message fields, copied as they are
    seq: int = 0  # global creation order
    silent: bool = False  # sent with disable_notification

    @property
    def kind(self) -> str:
        if self.media:
            return next(iter(self.media))
        return "text"

    def snapshot(self) -> JSON:
        return {
            "text": self.text,
            "entities": list(self.entities),
            "caption": self.caption,
            "caption_entities": list(self.caption_entities),
            "reply_markup": self.reply_markup,
            "edit_date": self.edit_date or self.date,
        }

    def remember_version(self) -> None:
        self.edits.append(self.snapshot())


@dataclass
class ChatRec:
    id: int
    bot_id: int
    type: str  # private | group | supergroup | channel
    title: str | None = None
    username: str | None = None
    user_id: int | None = None  # the other party of a private chat
    members: list[int] = field(default_factory=list)
    messages: dict[int, MessageRec] = field(default_factory=dict)
    next_message_id: int = 1
    reply_keyboard: JSON | None = None  # last reply keyboard the bot showed

    def take_message_id(self) -> int:
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id

    def visible_messages(self) -> list[MessageRec]:
        return [m for m in self.messages.values() if not m.deleted]
