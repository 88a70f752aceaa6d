"""Sends neutral outbox payloads to Telegram with the real aiogram client."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

from aiogram import Bot
from aiogram.enums import ParseMode
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.types import (
    FSInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    ReplyParameters,
)

from bot.ports import Action, DeliveryError, SendResult
from handlers.telegram.inbound import ActionData
from handlers.telegram.limits import Limiter, TelegramLimits

LIMIT = 4096
WEB_FILE = re.compile(r"[0-9a-f]{32}\.(jpg|png|webp|gif|pdf)")
_TAG = re.compile(r"</?(b|i|u|s|code|pre)>")


def pin_response_types() -> list[type]:
    """Strong references to aiogram's `Response[T]` classes for the methods Skewer calls.

    pydantic keeps parametrised generic models in a weak cache, and aiogram writes
    `Response[method.__returning__]` on every call: without a strong reference the class is
    collected and rebuilt each time (about 5% of Skewer's CPU per update in `make bench`).
    """
    from aiogram import methods
    from aiogram.methods.base import Response

    used = [methods.SendMessage, methods.SendPhoto, methods.SendDocument, methods.SendVoice,
            methods.SendVideo, methods.SendAudio, methods.AnswerCallbackQuery,
            methods.GetUpdates, methods.SetMyCommands, methods.SetWebhook,
            methods.DeleteWebhook, methods.GetMe, methods.EditMessageText,
            methods.EditMessageReplyMarkup]
    return [Response[m.__returning__] for m in used]


def keyboard(rows: list[list[dict[str, Any]]] | None) -> InlineKeyboardMarkup | None:
    if not rows:
        return None
    return InlineKeyboardMarkup(inline_keyboard=[
        [InlineKeyboardButton(text=b["label"][:64],
                              callback_data=ActionData.of(Action.from_dict(b["action"])).pack())
         for b in row] for row in rows
    ])


def split_html(text: str, limit: int = LIMIT) -> list[str]:
    """Split a long HTML message at line breaks (or at spaces inside a very long line), filling
    each chunk, closing open tags at its end and reopening them in the next, never cutting
    inside an &entity; or a tag. Every chunk fits `limit`."""
    if len(text) <= limit:
        return [text]
    budget = limit - 100  # room for the tags closed at the end of a chunk
    parts: list[str] = []
    current = ""

    def flush() -> str:
        """Close the chunk; return the tags to reopen in the next one."""
        nonlocal current
        reopen = "".join(f"<{t}>" for t in _open_tags(current))
        if current.strip():
            parts.append(_balanced(current))
        current = ""
        return reopen

    for line in text.split("\n"):
        while True:
            joined = f"{current}\n{line}" if current else line
            if len(joined) <= budget:
                current = joined
                break
            room = budget - (len(current) + 1 if current else 0)
            if len(line) <= budget or room < 200:
                line = flush() + line  # the line fits a fresh chunk, or little room is left
                continue
            cut = _safe_cut(line, room)
            current = f"{current}\n{line[:cut]}" if current else line[:cut]
            line = flush() + line[cut:]
    flush()
    return parts


def _safe_cut(line: str, room: int) -> int:
    cut = line.rfind(" ", 0, room)
    cut = cut if cut > room // 2 else room
    amp = line.rfind("&", 0, cut)
    if amp > 0 and ";" not in line[amp:cut]:
        cut = amp  # never inside an &entity;
    lt = line.rfind("<", 0, cut)
    if lt > 0 and ">" not in line[lt:cut]:
        cut = lt  # nor inside a tag
    return cut


def _open_tags(chunk: str) -> list[str]:
    open_tags: list[str] = []
    for m in _TAG.finditer(chunk):
        tag = m.group(1)
        if m.group(0).startswith("</"):
            if tag in open_tags:
                open_tags.remove(tag)
        else:
            open_tags.append(tag)
    return open_tags


def _balanced(chunk: str) -> str:
    return chunk + "".join(f"</{t}>" for t in reversed(_open_tags(chunk)))


class TelegramTransport:
    channel = "telegram"

    def __init__(self, bot: Bot, timeout: float = 20.0,
                 limits: TelegramLimits | None = None, upload_dir: Path | None = None) -> None:
        self.bot = bot
        self.upload_dir = upload_dir
        self.timeout = timeout
        self.limiter = Limiter(limits or TelegramLimits())

    async def deliver(self, chat_id: str, payload: dict[str, Any]) -> SendResult:
        await self.limiter.acquire(int(chat_id))
        try:
            return await asyncio.wait_for(self._send(int(chat_id), payload), self.timeout)
        except TelegramRetryAfter as e:
            raise DeliveryError(f"429: retry after {e.retry_after}s",
                                retry_after=float(e.retry_after)) from e
        except TelegramForbiddenError as e:
            raise DeliveryError(f"403: {e.message}", permanent=True, unreachable=True) from e
        except TelegramBadRequest as e:
            unreachable = "chat not found" in e.message.lower()
            raise DeliveryError(f"400: {e.message}", permanent=True,
                                unreachable=unreachable) from e
        except (TelegramNotFound, TelegramUnauthorizedError) as e:
            raise DeliveryError(f"{type(e).__name__}: {e.message}") from e
        except (TelegramServerError, TelegramNetworkError, TimeoutError, OSError) as e:
            raise DeliveryError(f"transient: {type(e).__name__}: {e}") from e

    async def _send(self, chat_id: int, payload: dict[str, Any]) -> SendResult:
        if payload.get("type") == "media":
            return await self._media(chat_id, payload)
        chunks = split_html(payload["text"])
        reply = ReplyParameters(message_id=int(payload["reply_to"]),
                                allow_sending_without_reply=True) if payload.get("reply_to") else None
        sent = None
        for i, chunk in enumerate(chunks):
            last = i == len(chunks) - 1
            sent = await self.bot.send_message(
                chat_id, chunk, parse_mode=ParseMode.HTML,
                reply_markup=keyboard(payload.get("buttons")) if last else None,
                reply_parameters=reply if i == 0 else None,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        return SendResult(str(sent.message_id) if sent else None)

    def _file(self, file_id: str, file_name: str | None) -> str | FSInputFile:
        """A Telegram file id as it is; a web chat upload ("web:<name>") read from disk."""
        if not file_id.startswith("web:"):
            return file_id
        name = file_id[4:]
        if self.upload_dir is None or not WEB_FILE.fullmatch(name):
            raise DeliveryError(f"attachment {file_id!r} cannot be sent", permanent=True)
        path = self.upload_dir / name
        if not path.is_file():
            raise DeliveryError(f"attachment {name} is not in the upload directory",
                                permanent=True)
        return FSInputFile(path, filename=file_name or name)

    async def _media(self, chat_id: int, payload: dict[str, Any]) -> SendResult:
        kind = payload["kind"]
        file_id = self._file(payload["file_id"], payload.get("file_name"))
        caption = (payload.get("caption") or None)
        if caption and len(caption) > 1024:
            caption = caption[:1000] + " […]"
        senders = {
            "photo": lambda: self.bot.send_photo(chat_id, file_id, caption=caption,
                                                 parse_mode=ParseMode.HTML),
            "voice": lambda: self.bot.send_voice(chat_id, file_id, caption=caption,
                                                 parse_mode=ParseMode.HTML),
            "video": lambda: self.bot.send_video(chat_id, file_id, caption=caption,
                                                 parse_mode=ParseMode.HTML),
            "audio": lambda: self.bot.send_audio(chat_id, file_id, caption=caption,
                                                 parse_mode=ParseMode.HTML),
        }
        send = senders.get(kind, lambda: self.bot.send_document(
            chat_id, file_id, caption=caption, parse_mode=ParseMode.HTML))
        msg = await send()
        return SendResult(str(msg.message_id))
