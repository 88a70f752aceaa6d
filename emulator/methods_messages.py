"""Sending, editing, deleting, copying and forwarding text messages."""

from __future__ import annotations

from .api import Call, Registry
from .compose import (
    caption_text,
    link_preview,
    message_text,
    reply_target,
    store_bot_message,
    validate_markup,
)
from .errors import NOT_MODIFIED, bad_request
from .models import JSON, ChatRec, MessageRec, now

registry = Registry()


@registry.method("sendMessage")
async def send_message(call: Call) -> JSON:
    chat = call.chat(sending=True)
    text, entities = message_text(call)
    markup = validate_markup(call.params.get_json("reply_markup"))
    reply_to = reply_target(call, chat)
    call.rate_limit(chat)
    msg = store_bot_message(
        call, chat, text=text, entities=entities, reply_markup=markup,
        reply_to_message_id=reply_to, link_preview_options=link_preview(call),
    )
    return call.state.message_json(chat, msg)


def _editable(call: Call) -> tuple[ChatRec, MessageRec]:
    if "inline_message_id" in call.params:
        raise bad_request("MESSAGE_ID_INVALID")
    chat = call.chat(sending=True)
    message_id = call.params.require_int("message_id", "message identifier is not specified")
    msg = chat.messages.get(message_id)
    if msg is None or msg.deleted:
        raise bad_request("message to edit not found")
    if not msg.from_bot:
        raise bad_request("message can't be edited")
    return chat, msg


def _inline_markup(msg: MessageRec) -> JSON | None:
    markup = msg.reply_markup
    return markup if markup and "inline_keyboard" in markup else None


def _apply_edit(call: Call, chat: ChatRec, msg: MessageRec, **changes: object) -> JSON:
    msg.remember_version()
    for name, value in changes.items():
        setattr(msg, name, value)
    msg.edit_date = max(now(), msg.date)
    call.state.publish_message("message_edited", chat, msg)
    return call.state.message_json(chat, msg)


@registry.method("editMessageText")
async def edit_message_text(call: Call) -> JSON:
    chat, msg = _editable(call)
    text, entities = message_text(call)
    markup = validate_markup(call.params.get_json("reply_markup"), inline_only=True)
    if msg.text is None:
        raise bad_request("there is no text in the message to edit")
    if msg.text == text and msg.entities == entities and _inline_markup(msg) == markup:
        raise bad_request(NOT_MODIFIED)
    call.rate_limit(chat)
    changes: dict[str, object] = {"text": text, "entities": entities, "reply_markup": markup}
    if "link_preview_options" in call.params:
        changes["link_preview_options"] = link_preview(call)
    return _apply_edit(call, chat, msg, **changes)


@registry.method("editMessageCaption")
async def edit_message_caption(call: Call) -> JSON:
    chat, msg = _editable(call)
    caption, entities = caption_text(call)
    markup = validate_markup(call.params.get_json("reply_markup"), inline_only=True)
    if not msg.media:
        raise bad_request("there is no caption in the message to edit")
    if msg.caption == caption and msg.caption_entities == entities and (
        _inline_markup(msg) == markup
    ):
        raise bad_request(NOT_MODIFIED)
    call.rate_limit(chat)
    return _apply_edit(call, chat, msg, caption=caption, caption_entities=entities,
                       reply_markup=markup)


@registry.method("editMessageReplyMarkup")
async def edit_message_reply_markup(call: Call) -> JSON:
    chat, msg = _editable(call)
    markup = validate_markup(call.params.get_json("reply_markup"), inline_only=True)
    if _inline_markup(msg) == markup:
        raise bad_request(NOT_MODIFIED)
    call.rate_limit(chat)
    return _apply_edit(call, chat, msg, reply_markup=markup)


def _delete(call: Call, chat: ChatRec, message_id: int) -> bool:
    msg = chat.messages.get(message_id)
    if msg is None or msg.deleted:
        return False
    msg.deleted = True
    call.state.events.publish("message_deleted", chat_id=chat.id, bot_id=chat.bot_id,
                              message_id=message_id)
    return True


@registry.method("deleteMessage")
async def delete_message(call: Call) -> bool:
    chat = call.chat()
    message_id = call.params.require_int("message_id", "message identifier is not specified")
    if not _delete(call, chat, message_id):
        raise bad_request("message to delete not found")
    return True


@registry.method("deleteMessages")
async def delete_messages(call: Call) -> bool:
    chat = call.chat()
    ids = call.params.get_json("message_ids")
    if not isinstance(ids, list) or not ids:
        raise bad_request("message_ids is empty")
    for message_id in ids:
        _delete(call, chat, int(message_id))
    return True


def _source(call: Call, what: str) -> tuple[ChatRec, MessageRec]:
    chat = call.chat("from_chat_id")
    message_id = call.params.require_int("message_id", "message identifier is not specified")
    msg = chat.messages.get(message_id)
    if msg is None or msg.deleted:
        raise bad_request(f"message to {what} not found")
    return chat, msg


@registry.method("copyMessage")
async def copy_message(call: Call) -> JSON:
    _, src = _source(call, "copy")
    chat = call.chat(sending=True)
    caption, caption_entities = src.caption, src.caption_entities
    if "caption" in call.params:
        caption, caption_entities = caption_text(call)
    markup = validate_markup(call.params.get_json("reply_markup"))
    reply_to = reply_target(call, chat)
    call.rate_limit(chat)
    msg = store_bot_message(
        call, chat, text=src.text, entities=list(src.entities), caption=caption,
        caption_entities=caption_entities, media=dict(src.media), reply_markup=markup,
        reply_to_message_id=reply_to,
    )
    return {"message_id": msg.message_id}


@registry.method("forwardMessage")
async def forward_message(call: Call) -> JSON:
    from_chat, src = _source(call, "forward")
    chat = call.chat(sending=True)
    call.rate_limit(chat)
    origin = src.forward_origin
    if origin is None:
        if from_chat.type == "private" or src.from_bot:
            origin = {"type": "user", "sender_user": src.sender, "date": src.date}
        else:
            origin = {"type": "chat", "sender_chat": call.state.chat_json(from_chat),
                      "date": src.date}
    msg = store_bot_message(
        call, chat, text=src.text, entities=list(src.entities), caption=src.caption,
        caption_entities=list(src.caption_entities), media=dict(src.media),
        forward_origin=origin,
    )
    return call.state.message_json(chat, msg)
