"""Building the bot's outgoing messages: markup validation, replies, text and captions."""

from __future__ import annotations

from typing import Any

from .api import Call
from .errors import bad_request
from .formatting import check_length, detect_entities, format_text
from .models import JSON, ChatRec, MessageRec, now

MAX_TEXT = 4096
MAX_CAPTION = 1024
_INLINE_ACTIONS = (
    "url", "callback_data", "web_app", "login_url", "switch_inline_query",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
    "callback_game", "pay",
)


def _inline_button(button: Any) -> JSON:
    if not isinstance(button, dict):
        raise bad_request("can't parse inline keyboard button: InlineKeyboardButton must be an "
                          "Object")
    text = button.get("text")
    if not isinstance(text, str):
        raise bad_request("can't parse inline keyboard button: Field \"text\" must be of type "
                          "String")
    if not text.strip():
        raise bad_request("BUTTON_TEXT_INVALID")
    actions = [key for key in _INLINE_ACTIONS if button.get(key) not in (None, False)]
    if not actions:
        raise bad_request("can't parse inline keyboard button: Text buttons are unallowed in the "
                          "inline keyboard")
    if "callback_data" in actions:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in actions:
        url = str(button["url"])
        if not url.startswith(("http://", "https://", "tg://")) or len(url) < 10:
            raise bad_request("BUTTON_URL_INVALID")
    return {key: value for key, value in button.items() if value is not None}


def validate_markup(markup: Any, *, inline_only: bool = False) -> JSON | None:
    """Validate a reply_markup object the way Telegram does; returns a clean copy."""
    if markup is None or markup == {}:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request("field \"inline_keyboard\" of the InlineKeyboardMarkup must be an "
                              "Array of Arrays")
        cleaned = [[_inline_button(b) for b in row] for row in rows]
        return {"inline_keyboard": [row for row in cleaned if row]}
    if inline_only:
        raise bad_request("inline keyboard expected")
    if "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request("field \"keyboard\" of the ReplyKeyboardMarkup must be an Array of "
                              "Arrays")
        keyboard = [[{"text": b} if isinstance(b, str) else dict(b) for b in row] for row in rows]
        if any(not isinstance(b.get("text"), str) or not b["text"] for r in keyboard for b in r):
            raise bad_request("keyboard button text must be non-empty")
        return {**markup, "keyboard": [row for row in keyboard if row]}
    if markup.get("remove_keyboard"):
        return dict(markup)
    if markup.get("force_reply"):
        return dict(markup)
    raise bad_request("can't parse reply keyboard markup JSON object")


def reply_target(call: Call, chat: ChatRec) -> int | None:
    """The message a send replies to (``reply_parameters`` or ``reply_to_message_id``)."""
    params = call.params
    reply = params.get_json("reply_parameters")
    allow_missing = params.get_bool("allow_sending_without_reply")
    if isinstance(reply, dict):
        message_id = reply.get("message_id")
        allow_missing = bool(reply.get("allow_sending_without_reply", allow_missing))
        if reply.get("chat_id") not in (None, chat.id, str(chat.id)):
            other = call.state.chat_for_bot(call.bot, reply["chat_id"])
            if int(message_id or 0) not in other.messages:
                raise bad_request("message to be replied not found")
            return None  # replies to other chats are shown as quotes; keep it simple
    elif reply is not None:
        raise bad_request("can't parse reply parameters JSON object")
    else:
        message_id = params.get_int("reply_to_message_id")
    if message_id in (None, 0):
        return None
    target = chat.messages.get(int(message_id))  # type: ignore[arg-type]
    if target is None or target.deleted:
        if allow_missing:
            return None
        raise bad_request("message to be replied not found")
    return target.message_id


def link_preview(call: Call) -> JSON | None:
    options = call.params.get_json("link_preview_options")
    if isinstance(options, dict):
        return options or None
    if call.params.get_bool("disable_web_page_preview"):
        return {"is_disabled": True}
    return None


def message_text(call: Call, name: str = "text") -> tuple[str, list[JSON]]:
    raw = call.params.get_str(name)
    if raw is None or not raw.strip():
        raise bad_request("message text is empty")
    text, entities = format_text(raw, call.params.get_str("parse_mode"),
                                 call.params.get_json("entities"))
    if not text:
        raise bad_request("message text is empty")
    check_length(text, MAX_TEXT)
    return text, detect_entities(text, entities)


def caption_text(call: Call, name: str = "caption") -> tuple[str | None, list[JSON]]:
    raw = call.params.get_str(name)
    if raw is None or raw == "":
        return None, []
    text, entities = format_text(raw, call.params.get_str("parse_mode"),
                                 call.params.get_json("caption_entities"))
    check_length(text, MAX_CAPTION, caption=True)
    return (text or None), detect_entities(text, entities)


def store_bot_message(call: Call, chat: ChatRec, **fields: Any) -> MessageRec:
    """Create a message sent by the bot, record the send, publish the event."""
    msg = MessageRec(
        chat_id=chat.id, bot_id=call.bot.id, message_id=chat.take_message_id(),
        sender=call.bot.user.to_json(), from_bot=True, date=now(), **fields,
    )
    if call.params.get_bool("disable_notification"):
        msg.silent = True
    if call.params.get_bool("protect_content"):
        msg.extra["has_protected_content"] = True
    markup = msg.reply_markup
    if markup and "keyboard" in markup:
        chat.reply_keyboard = markup
    elif markup and "remove_keyboard" in markup:
        chat.reply_keyboard = None
    call.state.add_message(chat, msg)
    call.state.record_sent(call.method, chat, msg)
    return msg
