"""Sending files: photos, documents, voice notes, stickers, ... (uploads or file_ids)."""

from __future__ import annotations

import mimetypes
from typing import Any

from .api import Call, Registry, Upload
from .compose import caption_text, reply_target, store_bot_message, validate_markup
from .errors import bad_request
from .models import JSON
from .state import EmulatorState, FileRec

registry = Registry()

# method -> (field, default extension, default mime type)
MEDIA_METHODS = {
    "sendPhoto": ("photo", "jpg", "image/jpeg"),
    "sendDocument": ("document", "bin", "application/octet-stream"),
    "sendVoice": ("voice", "oga", "audio/ogg"),
    "sendAudio": ("audio", "mp3", "audio/mpeg"),
    "sendVideo": ("video", "mp4", "video/mp4"),
    "sendAnimation": ("animation", "mp4", "video/mp4"),
    "sendVideoNote": ("video_note", "mp4", "video/mp4"),
    "sendSticker": ("sticker", "webp", "image/webp"),
}


def resolve_file(state: EmulatorState, kind: str, source: Upload | str) -> FileRec:
    """Store an upload, or find a file by file_id; URLs become new (empty) files."""
    _, ext, mime = next(v for v in MEDIA_METHODS.values() if v[0] == kind)
    if isinstance(source, Upload):
        name = source.filename
        suffix = name.rsplit(".", 1)[-1] if "." in name else ext
        mime_type = source.content_type
        if mime_type in ("", "application/octet-stream"):
            mime_type = mimetypes.guess_type(name)[0] or mime
        return state.add_file(kind, content=source.content, ext=suffix,
                              meta={"file_name": name, "mime_type": mime_type})
    if source in state.files:
        return state.files[source]
    if source.startswith(("http://", "https://")):
        name = source.rstrip("/").rsplit("/", 1)[-1] or f"file.{ext}"
        return state.add_file(kind, ext=ext, meta={"file_name": name, "mime_type": mime})
    raise bad_request("wrong file identifier/HTTP URL specified")


def media_json(state: EmulatorState, kind: str, rec: FileRec, extra: dict[str, Any]) -> Any:
    """The Telegram object describing a file of ``kind`` (PhotoSize list for photos)."""
    base = {"file_id": rec.file_id, "file_unique_id": rec.file_unique_id,
            "file_size": rec.file_size}
    mime = rec.meta.get("mime_type")
    if kind == "photo":
        thumb = rec.meta.get("thumb_id")
        if thumb is None or thumb not in state.files:
            small = state.add_file("photo", size=max(1, rec.file_size // 20), ext="jpg")
            rec.meta["thumb_id"] = thumb = small.file_id
        small = state.files[thumb]
        return [
            {"file_id": small.file_id, "file_unique_id": small.file_unique_id,
             "file_size": small.file_size, "width": 90, "height": 68},
            {**base, "width": int(extra.get("width") or 1280),
             "height": int(extra.get("height") or 960)},
        ]
    if kind == "document":
        return {"file_name": rec.meta.get("file_name", "file.bin"),
                "mime_type": mime or "application/octet-stream", **base}
    if kind == "voice":
        return {"duration": int(extra.get("duration") or 3), "mime_type": mime or "audio/ogg",
                **base}
    if kind == "audio":
        return {"duration": int(extra.get("duration") or 30), "mime_type": mime or "audio/mpeg",
                "file_name": rec.meta.get("file_name", "audio.mp3"), **base}
    if kind in ("video", "animation"):
        return {"width": 640, "height": 360, "duration": int(extra.get("duration") or 5),
                "mime_type": mime or "video/mp4", **base}
    if kind == "video_note":
        return {"length": 240, "duration": int(extra.get("duration") or 5), **base}
    if kind == "sticker":
        return {"width": 512, "height": 512, "emoji": extra.get("emoji") or "👍",
                "set_name": "EmulatorStickers", "is_animated": False, "is_video": False,
                "type": "regular", **base}
    raise bad_request(f"unsupported file kind {kind}")


async def _send_media(call: Call, kind: str) -> JSON:
    chat = call.chat(sending=True)
    source = call.params.get_file(kind)
    if source is None:
        raise bad_request(f"there is no {kind} in the request")
    rec = resolve_file(call.state, kind, source)
    caption, entities = (None, []) if kind == "sticker" else caption_text(call)
    markup = validate_markup(call.params.get_json("reply_markup"))
    reply_to = reply_target(call, chat)
    call.rate_limit(chat)
    extra = {k: call.params.raw(k) for k in ("width", "height", "duration", "emoji")}
    media = {kind: media_json(call.state, kind, rec, extra)}
    if call.params.get_bool("has_spoiler"):
        media["has_media_spoiler"] = True
    msg = store_bot_message(call, chat, caption=caption, caption_entities=entities,
                            media=media, reply_markup=markup, reply_to_message_id=reply_to)
    return call.state.message_json(chat, msg)


def _media_handler(kind: str):  # type: ignore[no-untyped-def]
    async def handler(call: Call) -> JSON:
        return await _send_media(call, kind)
    return handler


for _method, (_kind, _, _) in MEDIA_METHODS.items():
    registry.method(_method)(_media_handler(_kind))


@registry.method("sendMediaGroup")
async def send_media_group(call: Call) -> list[JSON]:
    chat = call.chat(sending=True)
    items = call.params.get_json("media")
    if not isinstance(items, list) or not 2 <= len(items) <= 10:
        raise bad_request("wrong number of messages to send")
    reply_to = reply_target(call, chat)
    call.rate_limit(chat)
    group_id = str(call.state.next_seq() * 7919)
    result = []
    for item in items:
        kind = item.get("type") if isinstance(item, dict) else None
        if kind not in ("photo", "video", "document", "audio"):
            raise bad_request("wrong type of the media")
        rec = resolve_file(call.state, kind, call.params.get_file_value(item.get("media")))
        caption = item.get("caption") or None
        msg = store_bot_message(call, chat, caption=caption, reply_to_message_id=reply_to,
                                media={kind: media_json(call.state, kind, rec, item)},
                                extra={"media_group_id": group_id})
        result.append(call.state.message_json(chat, msg))
    return result
