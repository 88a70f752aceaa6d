"""The emulator as the real aiogram client sees it."""

from __future__ import annotations

import aiohttp
import pytest
from aiogram import Bot, Dispatcher, F
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramUnauthorizedError,
)
from aiogram.types import (
    BotCommand,
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyParameters,
)

from emulator import Emulator

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)


def keyboard(*buttons: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[
        [InlineKeyboardButton(text=text, callback_data=data)] for text, data in buttons
    ])


async def test_get_me(bot: Bot) -> None:
    me = await bot.get_me()
    assert me.id == 123456789
    assert me.is_bot and me.username == "skewer_bot"


async def test_any_well_formed_token_is_a_bot(emu: Emulator) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{emu.base_url}/bot42:secret/getMe") as resp:
            body = await resp.json()
        assert body["ok"] and body["result"]["id"] == 42
        async with http.get(f"{emu.base_url}/botnot-a-token/getMe") as resp:
            assert resp.status == 401
            assert await resp.json() == {"ok": False, "error_code": 401,
                                         "description": "Unauthorized"}
        async with http.post(f"{emu.base_url}/bot42:secret/noSuchMethod") as resp:
            assert resp.status == 404
            assert (await resp.json())["description"] == "Not Found: method not found"


async def test_unauthorized_surfaces_in_aiogram(emu: Emulator, bot: Bot) -> None:
    bad = Bot("123:abc!", session=bot.session)
    with pytest.raises(TelegramUnauthorizedError):
        await bad.get_me()


async def test_send_message_html_returns_plain_text_and_entities(emu: Emulator, bot: Bot) -> None:
    alice = await emu.user(5001, "Alice", language_code="en")
    sent = await bot.send_message(
        alice.id, "<b>Hello</b> <i>Alice</i> &amp; <a href='https://x.org/a'>link</a>",
        parse_mode="HTML", reply_markup=keyboard(("Send", "send"), ("Cancel", "cancel")),
    )
    assert sent.text == "Hello Alice & link"
    assert [(e.type, e.offset, e.length) for e in sent.entities or []] == [
        ("bold", 0, 5), ("italic", 6, 5), ("text_link", 14, 4)]
    assert sent.chat.id == alice.id and sent.chat.type == "private"
    assert sent.from_user is not None and sent.from_user.is_bot
    msg = await alice.wait_for("Hello")
    assert msg.buttons == [["Send"], ["Cancel"]]
    assert msg.html == '<b>Hello</b> <i>Alice</i> &amp; <a href="https://x.org/a">link</a>'
    assert emu.calls("sendMessage") == 1
    assert [s["message_id"] for s in emu.sent(alice.id)] == [sent.message_id]


@pytest.mark.parametrize(("text", "mode", "error"), [
    ("<b>unclosed", "HTML", "Can't find end tag corresponding to start tag \"b\""),
    ("<blink>x</blink>", "HTML", 'Unsupported start tag "blink" at byte offset 0'),
    ("Version 1.0", "MarkdownV2",
     "Character '.' is reserved and must be escaped with the preceding '\\'"),
])
async def test_unparsable_markup_is_rejected(emu: Emulator, bot: Bot, text: str, mode: str,
                                            error: str) -> None:
    await emu.user(5001, "Alice")
    with pytest.raises(TelegramBadRequest) as info:
        await bot.send_message(5001, text, parse_mode=mode)
    assert info.value.message == f"Bad Request: can't parse entities: {error}"


async def test_length_and_emptiness_limits(emu: Emulator, bot: Bot) -> None:
    await emu.user(5001, "Alice")
    await bot.send_message(5001, "x" * 4096)
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(5001, "x" * 4097)
    # the limit applies after entity parsing
    await bot.send_message(5001, "<b>" + "x" * 4096 + "</b>", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(5001, "   ")
    photo = BufferedInputFile(b"\xff\xd8 fake jpeg", "p.jpg")
    with pytest.raises(TelegramBadRequest, match="message caption is too long"):
        await bot.send_photo(5001, photo, caption="y" * 1025)


async def test_callback_data_over_64_bytes(emu: Emulator, bot: Bot) -> None:
    await emu.user(5001, "Alice")
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(5001, "hi", reply_markup=keyboard(("Go", "é" * 33)))
    await bot.send_message(5001, "hi", reply_markup=keyboard(("Go", "x" * 64)))


async def test_unknown_chat(bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="Bad Request: chat not found"):
        await bot.send_message(999, "hi")


async def test_edit_text_and_markup(emu: Emulator, bot: Bot) -> None:
    alice = await emu.user(5001, "Alice")
    sent = await bot.send_message(alice.id, "Pick one", reply_markup=keyboard(("A", "a")))
    first = await alice.wait_for("Pick")
    with pytest.raises(TelegramBadRequest) as info:
        await bot.edit_message_text("Pick one", chat_id=alice.id, message_id=sent.message_id,
                                    reply_markup=keyboard(("A", "a")))
    assert info.value.message == NOT_MODIFIED
    edited = await bot.edit_message_text("Picked A", chat_id=alice.id,
                                         message_id=sent.message_id)
    assert isinstance(edited, Message) and edited.edit_date is not None
    assert edited.reply_markup is None  # an edit without reply_markup removes the keyboard
    after = await alice.wait_for_edit(first)
    assert after.text == "Picked A" and after.edits[0]["text"] == "Pick one"
    await bot.edit_message_reply_markup(chat_id=alice.id, message_id=sent.message_id,
                                        reply_markup=keyboard(("Undo", "undo")))
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_reply_markup(chat_id=alice.id, message_id=sent.message_id,
                                            reply_markup=keyboard(("Undo", "undo")))
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("x", chat_id=alice.id, message_id=999)
    assert await bot.delete_message(alice.id, sent.message_id)
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(alice.id, sent.message_id)


async def test_blocked_user_is_forbidden(emu: Emulator, bot: Bot) -> None:
    alice = await emu.user(5001, "Alice")
    await alice.block_bot()
    with pytest.raises(TelegramForbiddenError) as info:
        await bot.send_message(alice.id, "hi")
    assert info.value.message == "Forbidden: bot was blocked by the user"
    await alice.unblock_bot()
    await bot.send_message(alice.id, "hi again")
    assert [s["text"] for s in emu.sent(alice.id)] == ["hi again"]


async def test_replies_keyboards_and_media(emu: Emulator, bot: Bot) -> None:
    alice = await emu.user(5001, "Alice")
    question = await alice.send("is it broken?")
    answer = await bot.send_message(
        alice.id, "yes", reply_parameters=ReplyParameters(message_id=question.message_id),
        reply_markup=ReplyKeyboardMarkup(keyboard=[[KeyboardButton(text="OK")]],
                                         resize_keyboard=True),
        disable_notification=True,
    )
    assert answer.reply_to_message is not None
    assert answer.reply_to_message.text == "is it broken?"
    legacy = await bot.send_message(alice.id, "legacy", reply_to_message_id=question.message_id)
    assert legacy.reply_to_message is not None
    with pytest.raises(TelegramBadRequest, match="message to be replied not found"):
        await bot.send_message(alice.id, "x", reply_parameters=ReplyParameters(message_id=777))
    msg = await alice.wait_for("yes")
    assert msg.keyboard == [["OK"]] and msg.reply_to_message_id == question.message_id
    assert msg.data["silent"] is True

    photo = await bot.send_photo(alice.id, BufferedInputFile(b"jpeg-bytes", "fridge.jpg"),
                                 caption="<b>Your</b> photo", parse_mode="HTML")
    assert photo.photo and photo.caption == "Your photo"
    again = await bot.send_photo(alice.id, photo.photo[-1].file_id)
    assert again.photo and again.photo[-1].file_id == photo.photo[-1].file_id
    doc = await bot.send_document(alice.id, BufferedInputFile(b"%PDF", "report.pdf"))
    assert doc.document and doc.document.file_name == "report.pdf"
    voice = await bot.send_voice(alice.id, BufferedInputFile(b"OggS", "v.ogg"))
    assert voice.voice is not None
    with pytest.raises(TelegramBadRequest, match="wrong file identifier"):
        await bot.send_document(alice.id, "no-such-file-id")
    file = await bot.get_file(doc.document.file_id)
    assert file.file_path
    downloaded = await bot.download_file(file.file_path)
    assert downloaded is not None and downloaded.read() == b"%PDF"
    copied = await bot.copy_message(alice.id, alice.id, doc.message_id)
    forwarded = await bot.forward_message(alice.id, alice.id, question.message_id)
    assert forwarded.forward_origin is not None
    history = await alice.messages()
    assert copied.message_id in [m.message_id for m in history]
    assert await bot.send_chat_action(alice.id, "typing")


async def test_commands_and_startup_calls(bot: Bot) -> None:
    await bot.set_my_commands([BotCommand(command="start", description="Start")])
    assert [c.command for c in await bot.get_my_commands()] == ["start"]
    await bot.delete_my_commands()
    assert await bot.get_my_commands() == []
    assert await bot.delete_webhook(drop_pending_updates=True)
    info = await bot.get_webhook_info()
    assert info.url == "" and info.pending_update_count == 0
    assert await bot.set_my_description("Complaints")


async def test_get_chat(emu: Emulator, bot: Bot) -> None:
    alice = await emu.user(5001, "Alice", username="alice")
    chat = await bot.get_chat(alice.id)
    assert chat.first_name == "Alice" and chat.type == "private"
    group = await emu.group(-1005001, "Digital team", members=[alice])
    assert (await bot.get_chat(group.id)).title == "Digital team"
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.get_chat(-42)


async def test_dispatcher_polling_echo_and_callbacks(emu: Emulator, bot: Bot, polling) -> None:
    dp = Dispatcher()

    @dp.message(F.text)
    async def echo(message: Message) -> None:
        await message.answer(f"echo: {message.text}", reply_markup=keyboard(("Done", "done")))

    @dp.callback_query(F.data == "done")
    async def done(query: CallbackQuery) -> None:
        await query.answer("Closed", show_alert=True)
        assert isinstance(query.message, Message)
        await query.message.edit_text("closed")

    await polling(dp)
    alice = await emu.user(5001, "Alice")
    await alice.send("one")
    await alice.send("two")
    assert (await alice.wait_for()).text == "echo: one"
    reply = await alice.wait_for()
    assert reply.text == "echo: two"
    press = await alice.press("Done")
    assert await press.answer() == {"text": "Closed", "show_alert": True, "url": None,
                                    "cache_time": 0}
    closed = await alice.wait_for_edit(reply, "closed")
    assert closed.buttons == []
    # the previous "echo: one" still has its button; pressing by data on that message works
    first = (await alice.bot_messages())[0]
    await alice.press(data="done", message=first)


async def test_long_poll_wakes_immediately_and_conflicts(emu: Emulator, bot: Bot) -> None:
    import asyncio
    import time

    from aiogram.methods import GetUpdates

    alice = await emu.user(5001, "Alice")
    started = time.monotonic()
    poll = asyncio.create_task(bot(GetUpdates(timeout=10)))
    await asyncio.sleep(0.1)
    await alice.send("wake up")
    updates = await poll
    assert time.monotonic() - started < 2
    assert updates[0].message is not None and updates[0].message.text == "wake up"
    first = asyncio.create_task(bot(GetUpdates(offset=updates[-1].update_id + 1, timeout=10)))
    await asyncio.sleep(0.1)
    second = asyncio.create_task(bot(GetUpdates(timeout=0)))
    with pytest.raises(TelegramConflictError, match="terminated by other getUpdates request"):
        await first
    assert await second == []


async def test_method_names_are_case_insensitive_and_json_bodies_work(emu: Emulator) -> None:
    await emu.user(5001, "Alice")
    async with aiohttp.ClientSession() as http:
        url = f"{emu.base_url}/bot{emu.token}/SENDMESSAGE"
        body = {"chat_id": 5001, "text": "*hi*", "parse_mode": "MarkdownV2",
                "reply_markup": {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}}
        async with http.post(url, json=body) as resp:
            result = (await resp.json())["result"]
        assert result["entities"] == [{"type": "bold", "offset": 0, "length": 2}]
        assert result["reply_markup"]["inline_keyboard"][0][0]["text"] == "A"
        url = f"{emu.base_url}/bot{emu.token}/sendMessage"
        async with http.get(url, params={"chat_id": "5001", "text": "via GET"}) as resp:
            assert (await resp.json())["result"]["text"] == "via GET"


async def test_media_group_captions_and_bulk_delete(emu: Emulator, bot: Bot) -> None:
    from aiogram.types import InputMediaPhoto

    alice = await emu.user(5001, "Alice")
    album = await bot.send_media_group(alice.id, [
        InputMediaPhoto(media=BufferedInputFile(b"one", "1.jpg"), caption="first"),
        InputMediaPhoto(media=BufferedInputFile(b"two", "2.jpg")),
    ])
    assert len(album) == 2 and album[0].media_group_id == album[1].media_group_id
    assert album[0].caption == "first"
    edited = await bot.edit_message_caption(chat_id=alice.id, message_id=album[1].message_id,
                                            caption="<i>second</i>", parse_mode="HTML")
    assert isinstance(edited, Message) and edited.caption == "second"
    with pytest.raises(TelegramBadRequest, match="there is no text in the message to edit"):
        await bot.edit_message_text("x", chat_id=alice.id, message_id=album[0].message_id)
    assert await bot.delete_messages(alice.id, [m.message_id for m in album])
    assert await alice.messages() == []


async def test_offsets_and_dropping_pending_updates(emu: Emulator, bot: Bot) -> None:
    alice = await emu.user(5001, "Alice")
    for i in range(5):
        await alice.send(f"m{i}")
    last_two = await bot.get_updates(offset=-2)
    assert [u.message.text for u in last_two if u.message] == ["m3", "m4"]
    assert len(await bot.get_updates()) == 2  # earlier ones were forgotten
    await bot.delete_webhook(drop_pending_updates=True)
    assert await bot.get_updates() == []


async def test_form_urlencoded_requests(emu: Emulator) -> None:
    await emu.user(5001, "Alice")
    async with aiohttp.ClientSession() as http:
        data = {"chat_id": "5001", "text": "<b>form</b>", "parse_mode": "HTML",
                "reply_markup": '{"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}'}
        async with http.post(f"{emu.base_url}/bot{emu.token}/sendMessage", data=data) as resp:
            result = (await resp.json())["result"]
    assert result["text"] == "form" and result["entities"][0]["type"] == "bold"
    assert result["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "a"
