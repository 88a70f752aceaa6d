"""aiogram routers: translate Telegram messages and button presses into neutral events.

Thin on purpose: no business logic here, so the same conversation runs on every channel.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any, Protocol

from aiogram import Bot, Router
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramAPIError
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, Message

from bot.ports import Action, Handled, Inbound, IncomingAttachment, Sender

log = logging.getLogger("skewer.telegram")
CHANNEL = "telegram"


class ActionData(CallbackData, prefix="k"):
    """Typed callback data for every button (Telegram allows 64 bytes)."""

    n: str
    r: str = ""
    a: str = ""

    @classmethod
    def of(cls, action: Action) -> ActionData:
        return cls(n=action.name, r=action.ref, a=action.arg)


class Handles(Protocol):
    async def handle(self, ev: Inbound) -> Handled: ...


def _attachments(msg: Message) -> tuple[IncomingAttachment, ...]:
    caption = msg.caption
    if msg.photo:
        return (IncomingAttachment("photo", msg.photo[-1].file_id, None, caption),)
    if msg.document:
        return (IncomingAttachment("document", msg.document.file_id, msg.document.file_name,
                                   caption),)
    if msg.voice:
        return (IncomingAttachment("voice", msg.voice.file_id, None, caption),)
    if msg.video:
        return (IncomingAttachment("video", msg.video.file_id, msg.video.file_name, caption),)
    if msg.audio:
        return (IncomingAttachment("audio", msg.audio.file_id, msg.audio.file_name, caption),)
    if msg.video_note:
        return (IncomingAttachment("video", msg.video_note.file_id, None, caption),)
    return ()


def _unsupported(msg: Message) -> str | None:
    for kind in ("sticker", "location", "contact", "poll", "dice", "venue", "animation", "game"):
        if getattr(msg, kind, None) is not None:
            return kind
    return None


def _bot_text(replied: Message | None) -> str | None:
    if replied is None or replied.from_user is None or not replied.from_user.is_bot:
        return None
    return (replied.text or replied.caption or "")[:300] or None


def to_inbound(msg: Message) -> Inbound:
    user = msg.from_user
    text = msg.text or msg.caption or ""
    command, args = None, ""
    if msg.text and msg.text.startswith("/") and len(msg.text) > 1:
        head, _, args = msg.text[1:].partition(" ")
        command = head.split("@", 1)[0].lower()[:32]
        text = ""
    reply_to = msg.reply_to_message.message_id if msg.reply_to_message else None
    return Inbound(
        channel=CHANNEL,
        event_id=f"m:{msg.chat.id}:{msg.message_id}",
        sender=Sender(CHANNEL, str(user.id) if user else str(msg.chat.id),
                      (user.first_name if user else "") or "",
                      user.language_code if user else None),
        chat_id=str(msg.chat.id),
        is_group=msg.chat.type in ("group", "supergroup"),
        text=text,
        attachments=_attachments(msg),
        command=command,
        args=args.strip(),
        reply_to_message_id=str(reply_to) if reply_to else None,
        reply_to_text=_bot_text(msg.reply_to_message),
        unsupported=_unsupported(msg),
        timestamp=msg.date.timestamp() if msg.date else None,
    )


def callback_to_inbound(cq: CallbackQuery) -> Inbound:
    action, invalid = None, False
    try:
        data = ActionData.unpack(cq.data or "")
        action = Action(data.n, data.r, data.a)
    except (ValueError, TypeError):
        invalid = True
    chat = cq.message.chat if cq.message else None
    return Inbound(
        channel=CHANNEL,
        event_id=f"cb:{cq.id}",
        sender=Sender(CHANNEL, str(cq.from_user.id), cq.from_user.first_name or "",
                      cq.from_user.language_code),
        chat_id=str(chat.id) if chat else str(cq.from_user.id),
        is_group=bool(chat and chat.type in ("group", "supergroup")),
        action=action,
        invalid_action=invalid,
    )


async def _send_direct(bot: Bot, chat_id: str, text: str) -> None:
    """Answers that are not part of a conversation's stored state: the database being down
    (the outbox cannot hold them), the flood limit and edited messages (kept cheap)."""
    try:
        await bot.send_message(int(chat_id), text, parse_mode=ParseMode.HTML)
    except TelegramAPIError as e:
        log.warning("direct answer to %s failed: %s", chat_id, e)


class StorageDown(Exception):
    """Raised to the update loop so a webhook answers non-2xx and Telegram delivers again."""


def build_router(service: Handles, *, fail_on_storage_error: bool = False) -> Router:
    """A fresh router per app (a router can only be attached once)."""
    router = Router(name="skewer")

    @router.message()
    async def on_message(msg: Message, bot: Bot) -> Any:
        result = await service.handle(to_inbound(msg))
        if "direct" in result.extra:
            await _send_direct(bot, str(msg.chat.id), result.extra["direct"])
        if fail_on_storage_error and result.extra.get("retryable"):
            raise StorageDown(result.outcome)
        return result

    @router.edited_message()
    async def on_edit(msg: Message, bot: Bot) -> Any:
        ev = to_inbound(msg)
        ev = replace(ev, event_id=f"e:{msg.chat.id}:{msg.message_id}:{msg.edit_date or 0}",
                     unsupported="edit")
        result = await service.handle(ev)
        if "direct" in result.extra:
            await _send_direct(bot, str(msg.chat.id), result.extra["direct"])
        return result

    @router.callback_query()
    async def on_callback(cq: CallbackQuery, bot: Bot) -> Any:
        result = await service.handle(callback_to_inbound(cq))
        try:
            await cq.answer(text=(result.toast or "")[:200] or None, show_alert=result.alert)
        except TelegramAPIError as e:  # an expired query id; the effect is already stored
            log.info("answerCallbackQuery failed: %s", e)
        if "direct" in result.extra and cq.message is not None:
            await _send_direct(bot, str(cq.message.chat.id), result.extra["direct"])
        return result

    return router
