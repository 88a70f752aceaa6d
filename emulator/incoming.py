"""What users do: send (and edit) messages, press inline buttons, block the bot.

Each action stores the message like Telegram would and queues the matching update.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from .errors import bad_request
from .formatting import detect_entities, format_text
from .methods_media import media_json
from .models import JSON, BotRec, ChatRec, MessageRec, UserRec, now
from .state import CallbackRec, EmulatorState

MAX_TEXT = 4096
USER_MEDIA = ("photo", "document", "voice", "sticker", "audio", "video")


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split a long text like a Telegram client: parts of at most ``limit`` characters.

    Cuts prefer the last newline, then the last whitespace, in the second half of the window;
    the whitespace at a cut is dropped (Telegram trims every message).
    """
    parts: list[str] = []
    text = text.strip()
    while len(text) > limit:
        window = text[: limit + 1]
        cut = window.rfind("\n")
        if cut < limit // 2:
            cut = max(window.rfind(" "), window.rfind("\t"))
        if cut < limit // 2:
            cut = limit
            parts.append(text[:cut])
        else:
            parts.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text:
        parts.append(text)
    return parts


@dataclass
class UserSend:
    """A user's message, as the control API describes it."""

    text: str | None = None
    kind: str = "text"  # text | photo | document | voice | sticker | audio | video
    caption: str | None = None
    reply_to_message_id: int | None = None
    forward_from: JSON | None = None  # {"user_id": 1} or {"sender_user_name": "X"}
    file_name: str | None = None
    mime_type: str | None = None
    duration: int | None = None
    emoji: str | None = None
    content: bytes | None = None
    extra: JSON = field(default_factory=dict)


def _check_member(chat: ChatRec, user: UserRec) -> None:
    if chat.type != "private" and user.id not in chat.members:
        raise bad_request(f"user {user.id} is not a member of chat {chat.id}")


def _forward_origin(state: EmulatorState, spec: JSON | None) -> JSON | None:
    if not spec:
        return None
    date = int(spec.get("date") or now())
    if spec.get("user_id") is not None:
        return {"type": "user", "sender_user": state.user(int(spec["user_id"])).to_json(),
                "date": date}
    if spec.get("chat"):
        return {"type": "chat", "sender_chat": spec["chat"], "date": date}
    return {"type": "hidden_user", "sender_user_name": str(spec.get("sender_user_name") or
                                                           "Hidden user"), "date": date}


def _media(state: EmulatorState, send: UserSend) -> JSON:
    kind = send.kind
    ext = {"photo": "jpg", "voice": "oga", "sticker": "webp", "audio": "mp3",
           "video": "mp4"}.get(kind, "pdf")
    name = send.file_name or f"{kind}.{ext}"
    mime = send.mime_type or {"photo": "image/jpeg", "voice": "audio/ogg",
                              "sticker": "image/webp", "audio": "audio/mpeg",
                              "video": "video/mp4"}.get(kind, "application/pdf")
    rec = state.add_file(kind, content=send.content, ext=name.rsplit(".", 1)[-1],
                         size=None if send.content else 48_213,
                         meta={"file_name": name, "mime_type": mime})
    extra = {"duration": send.duration, "emoji": send.emoji}
    return {kind: media_json(state, kind, rec, extra)}


def user_sends(state: EmulatorState, bot: BotRec, chat: ChatRec, user: UserRec,
               send: UserSend) -> list[tuple[MessageRec, int | None]]:
    """Store the user's message(s) and queue updates; long texts become several messages."""
    _check_member(chat, user)
    if chat.type == "private":
        user.started = True
        if bot.id in user.blocked_bots:
            set_blocked(state, bot, user, False)
    if send.reply_to_message_id is not None:
        target = chat.messages.get(send.reply_to_message_id)
        if target is None or target.deleted:
            raise bad_request("message to be replied not found")
    if send.kind not in ("text", *USER_MEDIA):
        raise bad_request(f"unsupported message kind {send.kind!r}")
    origin = _forward_origin(state, send.forward_from)
    bodies: list[JSON] = []
    if send.kind == "text":
        if not send.text or not send.text.strip():
            raise bad_request("message text is empty")
        for part in split_text(send.text):
            bodies.append({"text": part, "entities": detect_entities(part, [])})
    else:
        caption, entities = format_text(send.caption or "", None)
        if len(caption) > 1024:
            raise bad_request("message caption is too long")
        bodies.append({"media": _media(state, send), "caption": caption or None,
                       "caption_entities": detect_entities(caption, entities)})
    results = []
    for body in bodies:
        msg = MessageRec(
            chat_id=chat.id, bot_id=bot.id, message_id=chat.take_message_id(),
            sender=user.to_json(), from_bot=False, date=now(),
            reply_to_message_id=send.reply_to_message_id if not results else None,
            forward_origin=origin, extra=dict(send.extra), **body,
        )
        state.add_message(chat, msg)
        update_id = state.enqueue_update(bot, "message", state.message_json(chat, msg))
        results.append((msg, update_id))
    return results


def user_edits(state: EmulatorState, bot: BotRec, chat: ChatRec, user: UserRec,
               message_id: int, text: str) -> tuple[MessageRec, int | None]:
    msg = chat.messages.get(message_id)
    if msg is None or msg.deleted or msg.from_bot or msg.sender.get("id") != user.id:
        raise bad_request("message to edit not found")
    new_text = text.strip()
    if not new_text:
        raise bad_request("message text is empty")
    msg.remember_version()
    if msg.text is not None:
        msg.text, msg.entities = new_text, detect_entities(new_text, [])
    else:
        msg.caption, msg.caption_entities = new_text, detect_entities(new_text, [])
    msg.edit_date = now()
    state.publish_message("message_edited", chat, msg)
    update_id = state.enqueue_update(bot, "edited_message", state.message_json(chat, msg))
    return msg, update_id


def _find_button(chat: ChatRec, message_id: int | None, data: str | None,
                 text: str | None) -> tuple[MessageRec, JSON]:
    candidates = [chat.messages[message_id]] if message_id in chat.messages else []
    if message_id is None:
        candidates = sorted(chat.visible_messages(), key=lambda m: m.seq, reverse=True)
    if message_id is not None and not candidates:
        raise bad_request(f"message {message_id} not found in chat {chat.id}")
    matchers = []
    if data is not None:
        matchers.append(lambda b: b.get("callback_data") == data)
    if text is not None:
        matchers.append(lambda b: b.get("text") == text)
        matchers.append(lambda b: str(b.get("text", "")).strip().casefold()
                        == text.strip().casefold())
    for matcher in matchers:
        for msg in candidates:
            if msg.deleted or not msg.reply_markup or not msg.from_bot:
                continue
            for row in msg.reply_markup.get("inline_keyboard", []):
                for button in row:
                    if matcher(button):
                        return msg, button
    what = f"callback_data {data!r}" if data is not None else f"text {text!r}"
    where = f"message {message_id}" if message_id is not None else f"chat {chat.id}"
    raise bad_request(f"no inline button with {what} on {where}")


def user_presses(state: EmulatorState, bot: BotRec, chat: ChatRec, user: UserRec, *,
                 message_id: int | None = None, data: str | None = None,
                 text: str | None = None, force: bool = False) -> CallbackRec:
    """A user presses an inline button: found by callback_data or text (latest message first)."""
    _check_member(chat, user)
    if force and message_id is not None and data is not None:
        msg = chat.messages.get(message_id)
        if msg is None:
            raise bad_request(f"message {message_id} not found in chat {chat.id}")
        button: JSON = {"callback_data": data}
    else:
        msg, button = _find_button(chat, message_id, data, text)
    if "callback_data" not in button:
        raise bad_request("this button has no callback_data (it is a URL or web app button)")
    rec = CallbackRec(id=state.new_callback_id(), bot_id=bot.id, user_id=user.id,
                      chat_id=chat.id, message_id=msg.message_id,
                      data=button["callback_data"], date=now())
    state.callbacks[rec.id] = rec
    instance = hashlib.sha1(f"{bot.id}:{chat.id}".encode()).hexdigest()[:16]
    payload = {"id": rec.id, "from": user.to_json(), "message": state.message_json(chat, msg),
               "chat_instance": str(int(instance, 16)), "data": rec.data}
    state.enqueue_update(bot, "callback_query", payload)
    state.events.publish("callback_query", chat_id=chat.id, bot_id=bot.id,
                         callback_query_id=rec.id, user_id=user.id, message_id=msg.message_id,
                         data=rec.data)
    return rec


def set_blocked(state: EmulatorState, bot: BotRec, user: UserRec, blocked: bool) -> None:
    """Block/unblock the bot; the bot gets a my_chat_member update, like in Telegram."""
    if (bot.id in user.blocked_bots) == blocked:
        return
    if blocked:
        user.blocked_bots.add(bot.id)
    else:
        user.blocked_bots.discard(bot.id)
    chat = state.private_chat(bot, user)
    member: dict[str, Any] = {"status": "member", "user": bot.user.to_json()}
    kicked: dict[str, Any] = {"status": "kicked", "user": bot.user.to_json(), "until_date": 0}
    state.enqueue_update(bot, "my_chat_member", {
        "chat": state.chat_json(chat), "from": user.to_json(), "date": now(),
        "old_chat_member": member if blocked else kicked,
        "new_chat_member": kicked if blocked else member,
    })
    state.events.publish("user_blocked" if blocked else "user_unblocked", chat_id=chat.id,
                         bot_id=bot.id, user_id=user.id)
