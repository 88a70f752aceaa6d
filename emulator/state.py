"""All the emulator's state, held by one EmulatorState object (no globals)."""

from __future__ import annotations

import itertools
import re
import secrets
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from .errors import bad_request, forbidden, unauthorized
from .events import EventBus
from .limits import FaultInjector, RateLimiter
from .models import JSON, BotRec, ChatRec, MessageRec, UserRec, now

DEFAULT_TOKEN = "123456789:TEST-skewer-emulator-token"
TOKEN_RE = re.compile(r"^(\d{1,20}):([A-Za-z0-9_-]{1,100})$")
DEFAULT_UPDATE_TYPES = {
    "message", "edited_message", "channel_post", "edited_channel_post", "business_connection",
    "business_message", "edited_business_message", "deleted_business_messages", "inline_query",
    "chosen_inline_result", "callback_query", "shipping_query", "pre_checkout_query",
    "purchased_paid_media", "poll", "poll_answer", "my_chat_member", "chat_join_request",
    "chat_boost", "removed_chat_boost",
}


@dataclass
class CallbackRec:
    id: str
    bot_id: int
    user_id: int
    chat_id: int
    message_id: int
    data: str | None
    date: int
    answer: JSON | None = None  # what answerCallbackQuery said
    answered_at: float | None = None


@dataclass
class FileRec:
    file_id: str
    file_unique_id: str
    kind: str
    file_path: str
    file_size: int
    content: bytes | None = None
    meta: JSON = field(default_factory=dict)


@dataclass
class EmulatorConfig:
    token: str = DEFAULT_TOKEN
    bot_name: str = "Skewer"
    bot_username: str = "skewer_bot"
    sandbox_people: list[JSON] = field(default_factory=list)
    sandbox_groups: list[JSON] = field(default_factory=list)
    # Ready-made customers for the sandbox page (the first one is preselected there).
    sandbox_customers: list[JSON] = field(default_factory=list)
    webhook_backoff: tuple[float, float] = (0.1, 5.0)  # first and maximal retry delay, seconds
    webhook_timeout: float = 10.0


class EmulatorState:
    def __init__(self, config: EmulatorConfig | None = None) -> None:
        self.config = config or EmulatorConfig()
        self.reset()

    def reset(self) -> None:
        """Forget everything except the configuration (bots reconnect transparently)."""
        # Bots survive a reset (a running poller keeps its offset), their pending updates don't.
        self.bots: dict[int, BotRec] = getattr(self, "bots", {})
        for bot in self.bots.values():
            bot.updates.clear()
            bot.signal.wake()
        self.users: dict[int, UserRec] = {}
        self.chats: dict[tuple[int, int], ChatRec] = {}
        self.calls: Counter[str] = Counter()
        self.sent: list[JSON] = []
        self.callbacks: dict[str, CallbackRec] = {}
        self.files: dict[str, FileRec] = {}
        # The event log keeps its sequence numbers so live pages and pollers never go back.
        if getattr(self, "events", None) is None:
            self.events = EventBus()
        self.events.clear()
        self.events.publish("reset")
        self.limits = RateLimiter()
        self.faults = FaultInjector()
        self.closing = False
        self._seq = itertools.count(1)
        self._file_seq = itertools.count(1)
        self.default_bot_id = self.bot_for_token(self.config.token, touch=False).id
        self._seed_sandbox()

    def _seed_sandbox(self) -> None:
        """Create the configured sandbox people, customers and groups (they can talk to the bot
        at once); a reset creates them again."""
        for person in [*self.config.sandbox_people, *self.config.sandbox_customers]:
            name = str(person.get("first_name") or person.get("name") or person["id"])
            self.add_user(UserRec(
                id=int(person["id"]), first_name=name.split(" (")[0],
                last_name=person.get("last_name"), username=person.get("username"),
                language_code=person.get("language_code"),
            ))
        bot = self.bots[self.default_bot_id]
        for group in self.config.sandbox_groups:
            members = [int(m) for m in group.get("members", []) if int(m) in self.users]
            self.add_group(bot, int(group["id"]), str(group.get("title") or group["id"]),
                           members, chat_type=group.get("type"))

    # ------------------------------------------------------------ bots

    def bot_for_token(self, token: str, *, touch: bool = True) -> BotRec:
        m = TOKEN_RE.match(token)
        if not m:
            raise unauthorized()
        bot_id = int(m.group(1))
        bot = self.bots.get(bot_id)  # any secret is accepted: the digits are the bot
        if bot is None:
            is_default = bot_id == int(self.config.token.split(":", 1)[0])
            username = self.config.bot_username if is_default else f"emu_{bot_id}_bot"
            name = self.config.bot_name if is_default else f"Bot {bot_id}"
            user = UserRec(id=bot_id, first_name=name, username=username, is_bot=True)
            bot = BotRec(id=bot_id, token=token, user=user)
            self.bots[bot_id] = bot
        if touch:
            bot.touched = True
        return bot

    def resolve_bot(self, bot_id: int | None = None) -> BotRec:
        """The bot a control request talks to: explicit, else the default one.

        The default is the configured token's bot; if that bot never called the API but
        exactly one other bot did, that other bot is used instead.
        """
        if bot_id is not None:
            if bot_id not in self.bots:
                raise bad_request(f"bot {bot_id} is unknown")
            return self.bots[bot_id]
        default = self.bots[self.default_bot_id]
        if not default.touched:
            others = [b for b in self.bots.values() if b.touched and b.id != default.id]
            if len(others) == 1:
                return others[0]
        return default

    # ------------------------------------------------------------ users and chats

    def add_user(self, user: UserRec) -> UserRec:
        existing = self.users.get(user.id)
        if existing is not None:
            existing.first_name = user.first_name
            existing.last_name = user.last_name or existing.last_name
            existing.username = user.username or existing.username
            existing.language_code = user.language_code or existing.language_code
            return existing
        self.users[user.id] = user
        return user

    def user(self, user_id: int) -> UserRec:
        try:
            return self.users[user_id]
        except KeyError:
            raise bad_request(f"user {user_id} is unknown") from None

    def private_chat(self, bot: BotRec, user: UserRec) -> ChatRec:
        key = (bot.id, user.id)
        chat = self.chats.get(key)
        if chat is None:
            chat = ChatRec(id=user.id, bot_id=bot.id, type="private", user_id=user.id,
                           username=user.username)
            self.chats[key] = chat
        return chat

    def add_group(self, bot: BotRec, chat_id: int, title: str, members: list[int],
                  chat_type: str | None = None, username: str | None = None) -> ChatRec:
        kind = chat_type or ("supergroup" if str(chat_id).startswith("-100") else "group")
        chat = self.chats.get((bot.id, chat_id))
        if chat is None:
            chat = ChatRec(id=chat_id, bot_id=bot.id, type=kind, title=title, username=username)
            self.chats[(bot.id, chat_id)] = chat
        chat.title = title
        for member in members:
            if member not in chat.members:
                chat.members.append(member)
        return chat

    def chat_for_bot(self, bot: BotRec, chat_id: Any, *, sending: bool = False) -> ChatRec:
        """Resolve a Bot API ``chat_id`` (int, numeric string or @username)."""
        chat = None
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            name = chat_id[1:].lower()
            chat = next((c for (b, _), c in self.chats.items()
                         if b == bot.id and (c.username or "").lower() == name), None)
            if chat is None:
                user = next((u for u in self.users.values()
                             if (u.username or "").lower() == name), None)
                if user is not None:
                    chat_id = user.id
        if chat is None:
            try:
                numeric = int(chat_id)
            except (TypeError, ValueError):
                raise bad_request("chat not found") from None
            chat = self.chats.get((bot.id, numeric))
            if chat is None and numeric in self.users and numeric > 0:
                user = self.users[numeric]
                if user.is_bot:
                    raise forbidden("bot can't send messages to bots")
                if not user.started:
                    raise forbidden("bot can't initiate conversation with a user")
                chat = self.private_chat(bot, user)
            if chat is None:
                raise bad_request("chat not found")
        if sending and chat.type == "private" and chat.user_id is not None:
            user = self.users.get(chat.user_id)
            if user is not None and bot.id in user.blocked_bots:
                raise forbidden("bot was blocked by the user")
        return chat

    def find_chat(self, chat_id: int, bot_id: int | None = None) -> ChatRec:
        bot = self.resolve_bot(bot_id)
        chat = self.chats.get((bot.id, chat_id))
        if chat is None:
            if chat_id in self.users:
                return self.private_chat(bot, self.users[chat_id])
            raise bad_request("chat not found")
        return chat

    def chat_json(self, chat: ChatRec) -> JSON:
        if chat.type == "private" and chat.user_id in self.users:
            return self.users[chat.user_id].private_chat_json()
        data: JSON = {"id": chat.id, "title": chat.title or str(chat.id)}
        if chat.username:
            data["username"] = chat.username
        data["type"] = chat.type
        return data

    # ------------------------------------------------------------ messages

    def next_seq(self) -> int:
        return next(self._seq)

    def message_json(self, chat: ChatRec, msg: MessageRec, *, nested: bool = False) -> JSON:
        data: JSON = {"message_id": msg.message_id, "from": msg.sender}
        data["chat"] = self.chat_json(chat)
        data["date"] = msg.date
        if msg.forward_origin:
            data["forward_origin"] = msg.forward_origin
        if msg.reply_to_message_id and not nested:
            replied = chat.messages.get(msg.reply_to_message_id)
            if replied is not None and not replied.deleted:
                data["reply_to_message"] = self.message_json(chat, replied, nested=True)
        if msg.edit_date:
            data["edit_date"] = msg.edit_date
        if msg.text is not None:
            data["text"] = msg.text
            if msg.entities:
                data["entities"] = msg.entities
        if msg.link_preview_options:
            data["link_preview_options"] = msg.link_preview_options
        data.update(msg.media)
        if msg.caption:
            data["caption"] = msg.caption
            if msg.caption_entities:
                data["caption_entities"] = msg.caption_entities
        data.update(msg.extra)
        if msg.reply_markup and "inline_keyboard" in msg.reply_markup:
            data["reply_markup"] = msg.reply_markup
        return data

    def add_message(self, chat: ChatRec, msg: MessageRec) -> MessageRec:
        msg.seq = self.next_seq()
        chat.messages[msg.message_id] = msg
        self.publish_message("message_new", chat, msg)
        return msg

    def publish_message(self, kind: str, chat: ChatRec, msg: MessageRec) -> None:
        self.events.publish(kind, chat_id=chat.id, bot_id=chat.bot_id, message=self.view(chat, msg))

    def view(self, chat: ChatRec, msg: MessageRec) -> JSON:
        """The control API's view of a message: Telegram JSON plus emulator details."""
        return {
            "chat_id": chat.id,
            "bot_id": chat.bot_id,
            "message_id": msg.message_id,
            "seq": msg.seq,
            "from_bot": msg.from_bot,
            "kind": msg.kind,
            "text": msg.text if msg.text is not None else msg.caption,
            "entities": msg.entities if msg.text is not None else msg.caption_entities,
            "reply_markup": msg.reply_markup,
            "reply_to_message_id": msg.reply_to_message_id,
            "edits": msg.edits,
            "deleted": msg.deleted,
            "silent": msg.silent,
            "message": self.message_json(chat, msg),
        }

    # ------------------------------------------------------------ updates

    def enqueue_update(self, bot: BotRec, kind: str, payload: JSON) -> int | None:
        allowed = bot.allowed_updates
        if bot.webhook is not None and bot.webhook.allowed_updates is not None:
            allowed = bot.webhook.allowed_updates
        if (kind not in set(allowed)) if allowed else (kind not in DEFAULT_UPDATE_TYPES):
            return None
        update_id = bot.next_update_id
        bot.next_update_id += 1
        bot.updates.append({"update_id": update_id, kind: payload})
        bot.signal.wake()
        return update_id

    # ------------------------------------------------------------ files

    def add_file(self, kind: str, *, content: bytes | None = None, size: int | None = None,
                 ext: str = "bin", meta: JSON | None = None) -> FileRec:
        number = next(self._file_seq)
        prefix = {"photo": "AgAC", "document": "BQAC", "voice": "AwAC", "sticker": "CAAC"}
        file_id = f"{prefix.get(kind, 'BAAC')}emu{number}_{secrets.token_hex(6)}"
        folder = {"photo": "photos", "document": "documents", "voice": "voice",
                  "sticker": "stickers"}.get(kind, kind + "s")
        rec = FileRec(
            file_id=file_id,
            file_unique_id=f"AQAD{number}{secrets.token_hex(3)}",
            kind=kind,
            file_path=f"{folder}/file_{number}.{ext}",
            file_size=size if size is not None else len(content or b"") or 1024,
            content=content,
            meta=meta or {},
        )
        self.files[file_id] = rec
        return rec

    def record_sent(self, method: str, chat: ChatRec, msg: MessageRec) -> None:
        self.sent.append({
            "method": method, "bot_id": chat.bot_id, "chat_id": chat.id,
            "message_id": msg.message_id, "text": msg.text if msg.text is not None
            else msg.caption, "kind": msg.kind, "date": msg.date,
        })

    def new_callback_id(self) -> str:
        return str(secrets.randbits(62))

    def stamp(self) -> int:
        return now()
