"""Callback answers, commands, chats, files and the small methods bots call at startup."""

from __future__ import annotations

import json
import re
import time
from typing import Any

from .api import Call, Registry
from .errors import bad_request
from .models import JSON

registry = Registry()

QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_ACCEPTED_GIFTS = {
    "unlimited_gifts": False, "limited_gifts": False, "unique_gifts": False,
    "premium_subscription": False, "gifts_from_channels": False,
}


@registry.method("answerCallbackQuery")
async def answer_callback_query(call: Call) -> bool:
    query_id = call.params.get_str("callback_query_id")
    rec = call.state.callbacks.get(query_id or "")
    if rec is None or rec.bot_id != call.bot.id or rec.answer is not None:
        raise bad_request(QUERY_TOO_OLD)
    text = call.params.get_str("text")
    if text is not None and len(text) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    rec.answer = {
        "text": text,
        "show_alert": call.params.get_bool("show_alert"),
        "url": call.params.get_str("url"),
        "cache_time": call.params.get_int("cache_time", 0),
    }
    rec.answered_at = time.time()
    call.state.events.publish("callback_answered", chat_id=rec.chat_id, bot_id=rec.bot_id,
                              callback_query_id=rec.id, user_id=rec.user_id,
                              message_id=rec.message_id, answer=rec.answer)
    return True


def _commands_key(call: Call) -> str:
    scope = call.params.get_json("scope") or {"type": "default"}
    language = call.params.get_str("language_code") or ""
    return json.dumps([scope, language], sort_keys=True)


@registry.method("setMyCommands")
async def set_my_commands(call: Call) -> bool:
    commands = call.params.get_json("commands")
    if not isinstance(commands, list):
        raise bad_request("can't parse commands JSON object")
    if len(commands) > 100:
        raise bad_request("too many commands")
    cleaned = []
    for item in commands:
        if not isinstance(item, dict) or not _COMMAND_RE.match(str(item.get("command", ""))):
            raise bad_request("BOT_COMMAND_INVALID")
        description = str(item.get("description", ""))
        if not 1 <= len(description) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        cleaned.append({"command": item["command"], "description": description})
    call.bot.commands[_commands_key(call)] = cleaned
    return True


@registry.method("getMyCommands")
async def get_my_commands(call: Call) -> list[JSON]:
    return call.bot.commands.get(_commands_key(call), [])


@registry.method("deleteMyCommands")
async def delete_my_commands(call: Call) -> bool:
    call.bot.commands.pop(_commands_key(call), None)
    return True


@registry.method("sendChatAction")
async def send_chat_action(call: Call) -> bool:
    call.chat(sending=True)
    action = call.params.get_str("action")
    if not action:
        raise bad_request("action is empty")
    return True


@registry.method("getChat")
async def get_chat(call: Call) -> JSON:
    chat = call.chat()
    data = call.state.chat_json(chat)
    data.update({"accent_color_id": 0, "max_reaction_count": 11,
                 "accepted_gift_types": dict(_ACCEPTED_GIFTS)})
    if chat.type == "private" and chat.user_id in call.state.users:
        data["has_private_forwards"] = False
    return data


def _member_status(call: Call, user_id: int) -> str:
    return "member" if user_id in call.state.users else "left"


@registry.method("getChatMember")
async def get_chat_member(call: Call) -> JSON:
    chat = call.chat()
    user_id = call.params.require_int("user_id", "user not found")
    if user_id == call.bot.id:
        return {"status": "administrator" if chat.type != "private" else "member",
                "user": call.bot.user.to_json(), "can_be_edited": False,
                **({"is_anonymous": False, "can_manage_chat": True, "can_delete_messages": True,
                    "can_manage_video_chats": False, "can_restrict_members": True,
                    "can_promote_members": False, "can_change_info": False,
                    "can_invite_users": True, "can_post_stories": False,
                    "can_edit_stories": False, "can_delete_stories": False}
                   if chat.type != "private" else {})}
    user = call.state.users.get(user_id)
    if user is None:
        raise bad_request("user not found")
    in_chat = chat.type == "private" or user_id in chat.members
    if not in_chat:
        return {"status": "left", "user": user.to_json()}
    return {"status": _member_status(call, user_id), "user": user.to_json()}


@registry.method("getChatMemberCount")
async def get_chat_member_count(call: Call) -> int:
    chat = call.chat()
    return 2 if chat.type == "private" else len(chat.members) + 1


@registry.method("getFile")
async def get_file(call: Call) -> JSON:
    rec = call.state.files.get(call.params.get_str("file_id") or "")
    if rec is None:
        raise bad_request("invalid file_id")
    return {"file_id": rec.file_id, "file_unique_id": rec.file_unique_id,
            "file_size": rec.file_size, "file_path": rec.file_path}


@registry.method("getUserProfilePhotos")
async def get_user_profile_photos(call: Call) -> JSON:
    return {"total_count": 0, "photos": []}


def _store_property(name: str, result: Any = True):  # type: ignore[no-untyped-def]
    async def handler(call: Call) -> Any:
        call.bot.properties[name] = dict(call.params.values)
        return result
    return handler


for _name in ("setMyDescription", "setMyShortDescription", "setMyName", "setChatMenuButton",
              "setMyDefaultAdministratorRights"):
    registry.method(_name)(_store_property(_name))


@registry.method("getMyDescription")
async def get_my_description(call: Call) -> JSON:
    stored = call.bot.properties.get("setMyDescription", {})
    return {"description": stored.get("description", "")}


@registry.method("getMyShortDescription")
async def get_my_short_description(call: Call) -> JSON:
    stored = call.bot.properties.get("setMyShortDescription", {})
    return {"short_description": stored.get("short_description", "")}


@registry.method("getMyName")
async def get_my_name(call: Call) -> JSON:
    stored = call.bot.properties.get("setMyName", {})
    return {"name": stored.get("name") or call.bot.user.first_name}


@registry.method("getChatMenuButton")
async def get_chat_menu_button(call: Call) -> JSON:
    stored = call.bot.properties.get("setChatMenuButton", {})
    button = stored.get("menu_button")
    if isinstance(button, str):
        button = json.loads(button)
    return button or {"type": "commands"}


@registry.method("getMyDefaultAdministratorRights")
async def get_my_default_administrator_rights(call: Call) -> JSON:
    return {"is_anonymous": False, "can_manage_chat": False, "can_delete_messages": False,
            "can_manage_video_chats": False, "can_restrict_members": False,
            "can_promote_members": False, "can_change_info": False, "can_invite_users": False,
            "can_post_stories": False, "can_edit_stories": False, "can_delete_stories": False}


@registry.method("pinChatMessage", "unpinChatMessage", "unpinAllChatMessages",
                 "setMessageReaction", "leaveChat")
async def chat_noop(call: Call) -> bool:
    call.chat()
    return True
