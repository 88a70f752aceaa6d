"""The control API and the Python test client: users, groups, cursors, splitting."""

from __future__ import annotations

import aiohttp
import pytest
from aiogram import Bot
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from emulator import Emulator, EmulatorClient, EmulatorError
from emulator.incoming import split_text


def kb(*texts: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[
        [InlineKeyboardButton(text=t, callback_data=t.lower())] for t in texts])


async def test_long_paste_is_split_like_a_telegram_client(emu: Emulator, bot: Bot) -> None:
    alice = await emu.user(5001, "Alice")
    words = " ".join(f"word{i:05d}" for i in range(1000))[:10_000]
    sent = await alice.send(words)
    assert len(sent.parts) == 3
    assert all(len(p.text) <= 4096 for p in sent.parts)
    assert " ".join(p.text for p in sent.parts) == words  # cut at spaces
    ids = [p.message_id for p in sent.parts]
    assert ids == list(range(ids[0], ids[0] + 3))
    updates = await bot.get_updates()
    assert [u.message.text for u in updates if u.message] == [p.text for p in sent.parts]


def test_split_text_edges() -> None:
    assert split_text("a" * 5000) == ["a" * 4096, "a" * 904]
    assert split_text("short") == ["short"]
    text = "x" * 3000 + "\n" + "y" * 3000
    assert split_text(text) == ["x" * 3000, "y" * 3000]


async def test_cursor_reads_conversation_in_order(emu: Emulator, bot: Bot) -> None:
    alice = await emu.user(5001, "Alice")
    await bot.send_message(alice.id, "first")
    await bot.send_message(alice.id, "second")
    await bot.send_message(alice.id, "third, with help")
    assert (await alice.wait_for()).text == "first"
    assert (await alice.wait_for("help")).text == "third, with help"  # skips "second"
    await alice.expect_no_message(0.1)
    with pytest.raises(AssertionError) as info:
        await alice.wait_for("never", timeout=0.2)
    assert "third, with help" in str(info.value)  # the error shows the recent history


async def test_press_reply_edit_and_callback_answers(emu: Emulator, bot: Bot) -> None:
    alice = await emu.user(5001, "Alice")
    await bot.send_message(alice.id, "old", reply_markup=kb("Send"))
    sent = await bot.send_message(alice.id, "new", reply_markup=kb("Send", "Cancel"))
    press = await alice.press("Send")
    assert press.message_id == sent.message_id and press.data == "send"
    updates = await bot.get_updates()
    query = updates[-1].callback_query
    assert query is not None and query.data == "send" and query.from_user.id == alice.id
    assert query.message is not None and query.message.message_id == sent.message_id
    assert await bot.answer_callback_query(query.id, text="Sent!")
    assert (await press.answer()) ["text"] == "Sent!"
    with pytest.raises(Exception, match="query is too old"):
        await bot.answer_callback_query(query.id)
    with pytest.raises(EmulatorError, match="no inline button"):
        await alice.press("Nope")
    unanswered = await alice.press("cancel")  # case-insensitive fallback on text
    with pytest.raises(AssertionError, match="did not answer"):
        await unanswered.answer(timeout=0.1)

    msg = await alice.wait_for("new")
    mine = await alice.reply(msg, "a reply")
    assert mine.reply_to_message_id == msg.message_id
    edited = await alice.edit(mine, "a better reply")
    assert edited.edits[0]["text"] == "a reply"
    updates = await bot.get_updates(offset=updates[-1].update_id + 1)
    kinds = [u.event_type for u in updates]
    assert kinds[-2:] == ["message", "edited_message"]
    assert updates[-2].message.reply_to_message.message_id == msg.message_id  # type: ignore


async def test_media_from_users(emu: Emulator, bot: Bot) -> None:
    alice = await emu.user(5001, "Alice")
    photo = await alice.send_photo(caption="the hallway", content=b"\xff\xd8jpeg")
    doc = await alice.send_document("invoice.pdf", caption="invoice")
    voice = await alice.send_voice(duration=7)
    sticker = await alice.send_sticker("😡")
    fwd = await alice.forward("they said tomorrow", sender_name="Courier")
    assert photo.raw["photo"][-1]["file_id"] and photo.text == "the hallway"
    updates = await bot.get_updates()
    messages = [u.message for u in updates if u.message]
    assert messages[0].photo and messages[0].caption == "the hallway"
    assert messages[1].document and messages[1].document.file_name == "invoice.pdf"
    assert messages[2].voice and messages[2].voice.duration == 7
    assert messages[3].sticker and messages[3].sticker.emoji == "😡"
    assert messages[4].forward_origin is not None
    assert [doc.kind, voice.kind, sticker.kind, fwd.kind] == ["document", "voice", "sticker",
                                                             "text"]
    file = await bot.get_file(messages[0].photo[-1].file_id)
    data = await bot.download_file(file.file_path or "")
    assert data is not None and data.read() == b"\xff\xd8jpeg"
    # the bot can send the user's file back by file_id
    back = await bot.send_photo(alice.id, messages[0].photo[-1].file_id)
    assert back.photo is not None


async def test_groups(emu: Emulator, bot: Bot) -> None:
    bob = await emu.user(7001, "Bob")
    tom = await emu.user(7002, "Tom")
    outsider = await emu.user(7003, "Eve")
    group = await emu.group(-1005001, "Digital team", members=[bob, tom])
    await bob.send("/take@skewer_bot", chat=group)
    updates = await bot.get_updates()
    message = updates[-1].message
    assert message is not None and message.chat.type == "supergroup"
    assert message.chat.title == "Digital team" and message.from_user.id == bob.id  # type: ignore
    assert message.entities and message.entities[0].type == "bot_command"
    note = await bot.send_message(group.id, "case ABC-123", reply_markup=kb("Take"))
    seen = await tom.wait_for("ABC-123", chat=group)
    assert seen.message_id == note.message_id
    press = await tom.press("Take", message=seen)
    assert press.chat_id == group.id
    with pytest.raises(EmulatorError, match="not a member"):
        await outsider.send("hi", chat=group)
    assert len(await group.messages()) == 2


async def test_unstarted_and_unknown_users(emu: Emulator, bot: Bot) -> None:
    await emu.user(5001, "Shy", started=False)
    with pytest.raises(Exception, match="bot can't initiate conversation with a user"):
        await bot.send_message(5001, "hi")


async def test_block_sends_my_chat_member(emu: Emulator, bot: Bot) -> None:
    alice = await emu.user(5001, "Alice")
    await alice.block_bot()
    updates = await bot.get_updates(allowed_updates=["message", "my_chat_member"])
    member = updates[-1].my_chat_member
    assert member is not None and member.new_chat_member.status == "kicked"


async def test_events_stream_over_websocket_and_long_poll(emu: Emulator, bot: Bot) -> None:
    alice = await emu.user(5001, "Alice")
    async with aiohttp.ClientSession() as http, http.ws_connect(
            f"{emu.base_url}/_emu/ws?chat_id={alice.id}") as ws:
        await alice.send("hello")
        event = await ws.receive_json(timeout=2)
        assert event["type"] == "message_new" and event["message"]["text"] == "hello"
        sent = await bot.send_message(alice.id, "hi")
        event = await ws.receive_json(timeout=2)
        assert event["message"]["from_bot"] and event["message"]["message_id"] == sent.message_id
    polled = await emu.events(after=0, timeout=0, chat_id=alice.id)
    assert [e["type"] for e in polled["events"]] == ["message_new", "message_new"]


async def test_remote_client_reset_and_counters(emu: Emulator, bot: Bot) -> None:
    async with EmulatorClient(emu.base_url) as client:
        carol = await client.user(5003, "Carol", language_code="nl")
        await bot.send_message(carol.id, "hoi")
        assert (await carol.wait_for("hoi")).text == "hoi"
        assert await client.call_count("sendMessage") == 1
        counters = await client.counters()
        assert counters["sent"][0]["chat_id"] == carol.id
        await client.reset()
        assert await client.call_count("sendMessage") == 0
    page = await emu.request("GET", "/config")
    assert page["bot"]["username"] == "skewer_bot"


async def test_any_secret_for_a_known_bot_id(emu: Emulator) -> None:
    alice = await emu.user(5001, "Alice")
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer

    other = Bot("123456789:another-secret",
                session=AiohttpSession(api=TelegramAPIServer.from_base(emu.base_url)))
    try:
        await other.send_message(alice.id, "same bot")
        assert (await alice.wait_for()).text == "same bot"
    finally:
        await other.session.close()
