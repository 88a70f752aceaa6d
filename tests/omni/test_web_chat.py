"""Web chat over its WebSocket: the same dialog as Telegram, the owner gets it in Telegram,
staff replies arrive live, and a reload or a dropped connection loses nothing."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import aiohttp

from tests.omni.conftest import WebCustomer, base_url

REF = re.compile(r"\b([A-Z2-9]{3}-[A-Z2-9]{3})\b")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


async def upload(http: aiohttp.ClientSession, base: str, session: str, data: bytes,
                 name: str = "photo.png", content_type: str = "image/png") -> tuple[int, Any]:
    form = aiohttp.FormData()
    form.add_field("file", data, filename=name, content_type=content_type)
    async with http.post(f"{base}/chat/upload?lang=en", data=form,
                         headers={"X-Skewer-Session": session}) as r:
        return r.status, await r.json()


async def test_web_complaint_reaches_owner_reply_resolve_rating(start_omni, emu, staff,
                                                                http) -> None:
    app = await start_omni()
    base = base_url(app)
    carla = WebCustomer(http, base, "en", "Carla")
    await carla.connect()
    await carla.send("The app crashes every time I try to pay, I cannot order anything")
    greeting = await carla.wait_for("Hello Carla")
    assert greeting["text"]
    await carla.wait_for("That's everything")
    assert carla.session is not None
    status, file = await upload(http, base, carla.session, PNG)
    assert status == 200 and file["file_id"].startswith("web:") and file["kind"] == "photo"
    await carla.send("", [file])
    await asyncio.sleep(0.1)
    await carla.press("That's everything")
    await carla.wait_for("how could we have served you better?")
    await carla.send("Test the payment page before releasing.")
    summary = await carla.wait_for("Shall I send it?")
    assert "Test the payment page" in summary["text"] and "1" in summary["text"]
    await carla.press("Send")
    conf = await carla.wait_for("Your case number is")
    ref = REF.search(conf["text"]).group(1)

    # The digital team gets it in its Telegram group, exactly as a Telegram complaint.
    group, tom = staff["digital_group"], staff["tom"]
    note = await tom.wait_for(ref, chat=group)
    assert "Test the payment page before releasing." in note.text and "web" in note.text
    assert {"Oppakken", "Antwoorden", "Oplossen"} <= set(note.button_texts)
    # The customer's photo reaches staff as the picture itself, uploaded from the web chat.
    attached = await tom.wait_for(lambda m: m.kind == "photo" and ref in m.text, chat=group)
    assert attached.text.startswith(ref)

    await tom.press("Oppakken", message=note)
    told = await carla.wait_for("is now with")
    assert "Tom" in told["text"]
    await tom.reply(note, "Sorry! We rolled out a fix, please try again?")
    answer = await carla.wait_for("rolled out a fix")  # live, over the open socket
    assert ref in answer["text"] and "Tom" in answer["text"]

    # A follow-up from the web reaches the owner in Telegram.
    await carla.send("works again, thanks")
    await carla.wait_for("Passed on to")
    follow = await tom.wait_for("works again")  # the owner's own chat now
    assert ref in follow.text

    await tom.send(f"/resolve {ref} software bug")
    await carla.wait_for("as solved")
    await carla.wait_for("How satisfied")
    await carla.press("5")
    await carla.wait_for("anything else")
    await carla.send("quick fix!")
    await carla.wait_for("Thank you for your feedback")
    score = await tom.wait_for("5/5")
    assert ref in score.text
    await carla.close()

    # Staff see the channel of every message in the case timeline.
    view = await app.omni.case_view(ref)
    assert view is not None
    channels = {(m["direction"], m["channel"]) for m in view["messages"]}
    assert ("in", "web") in channels and ("out", "web") in channels


async def test_reload_and_dropped_connection_resume_without_loss(start_omni, emu, staff,
                                                                 http) -> None:
    app = await start_omni()
    base = base_url(app)
    dana = WebCustomer(http, base, "en")
    await dana.connect()
    first = await dana.send("The app crashes every time I try to pay")
    await dana.wait_for("That's everything")
    seen = len(dana.messages)
    await dana.close()  # the connection drops

    # The same message sent again (the widget resends what was not acknowledged): one effect.
    again = WebCustomer(http, base, "en")
    again.session = dana.session
    await again.connect(after=0)  # a page reload: the whole history comes back, in order
    await again.wait_for("That's everything")
    assert [m["seq"] for m in again.messages[:seen]] == [m["seq"] for m in dana.messages]
    await again.send_frame({"type": "message", "id": first,
                            "text": "The app crashes every time I try to pay"})
    ack = await again.wait_frame("ack", first)
    assert ack["outcome"] == "duplicate"

    # A message sent while nobody is connected is waiting after a reconnect.
    await again.press("That's everything")
    await again.wait_for("how could we have served you better?")
    cursor = again.cursor
    await again.close()
    state, _ = await _state(app, again.session)
    assert state["step"] == "better"
    back = WebCustomer(http, base, "en")
    back.session = again.session
    back.cursor = cursor
    await back.connect()
    await back.send("Skip the bugs")
    await back.wait_for("Shall I send it?")
    assert all(m["seq"] > cursor for m in back.messages)
    await back.close()


async def _state(app: Any, session: str | None) -> tuple[dict[str, Any], int]:
    from handlers.web.chat import chat_id_of

    assert session is not None
    async with app.store.unit() as unit:
        return await unit.load_conversation(f"web:{chat_id_of(session)}")


async def test_bad_input_gets_a_clear_error_and_loses_nothing(start_omni, emu, http) -> None:
    app = await start_omni()
    base = base_url(app)
    eve = WebCustomer(http, base, "en")
    await eve.connect()
    await eve.send("The app crashes every time I try to pay")
    await eve.wait_for("That's everything")
    assert eve.session is not None

    status, body = await upload(http, base, eve.session, b"\xff\xd8\xff" + b"0" * (6 * 1024 * 1024),
                                "huge.jpg", "image/jpeg")
    assert status == 413 and body["error"] == "too_big" and "5 MB" in body["message"]
    status, body = await upload(http, base, eve.session, b"MZ\x90\x00 not a photo", "photo.png")
    assert status == 415 and body["error"] == "wrong_type" and "PDF" in body["message"]
    status, body = await upload(http, base, "", PNG)
    assert status == 401

    assert eve.ws is not None
    await eve.ws.send_str("{not json")
    err = await eve.wait_frame("error")
    assert err["code"] == "bad_json" and "could not be read" in err["message"]
    await eve.send_frame({"type": "message", "text": "x",
                          "attachments": [{"file_id": "../../etc/passwd"}]})
    err = await eve.wait_frame("error")
    assert err["code"] == "bad_message"
    forged = await eve.send_frame({"type": "button", "action": {"n": "take", "r": "ABC-DEF"}})
    ack = await eve.wait_frame("ack", forged)
    assert ack["outcome"] == "refused_not_staff"

    # The connection closes right after a send, before any answer: the widget sends the same
    # frame again after reconnecting, and it counts once.
    mid = await eve.send("It also logs me out.\u0000")
    await eve.close()
    eve2 = WebCustomer(http, base, "en")
    eve2.session, eve2.cursor, eve2.messages = eve.session, eve.cursor, eve.messages
    eve2._read = len(eve.messages)
    await eve2.connect()
    await eve2.send_frame({"type": "message", "id": mid, "text": "It also logs me out.\u0000"})
    await eve2.wait_frame("ack", mid)
    eve = eve2

    # What was already sent is still there: the story goes on.
    await eve.press("That's everything")
    await eve.wait_for("how could we have served you better?")
    state, _ = await _state(app, eve.session)
    assert state["parts"] == ["The app crashes every time I try to pay", "It also logs me out."]
    await eve.close()
