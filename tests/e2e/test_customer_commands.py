"""The customer's side beyond the happy path: languages, commands, gathering, the summary's
Change button, open cases, compliments, and satisfaction buttons that are not theirs.

Every test drives the real aiogram client against the emulator and checks both what the
customer sees and what was stored.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

from bot.app import SkewerApp
from emulator.testing import TgMessage
from tests.e2e.flows import (
    LABELS,
    answer_reference,
    file_complaint,
    finish_story,
    ref_of,
    send,
    tell,
    to_summary,
)

WEBSHOP = "I can't log in to my account, the website keeps rejecting my password"
DELIVERY = "my parcel never arrived, the courier did not show up"


async def stored_cases(app: SkewerApp) -> list[Any]:
    async with app.store.unit() as unit:
        return await unit.all_cases()


async def linked(app: SkewerApp, message: TgMessage) -> None:
    """Wait until the outbox has recorded which case a delivered message belongs to."""
    for _ in range(250):
        async with app.store.unit() as unit:
            if await unit.link_for_message("telegram", str(message.chat_id),
                                           str(message.message_id)) is not None:
                return
        await asyncio.sleep(0.02)
    raise AssertionError(f"no case link for {message}")


# -- greeting, language, commands --------------------------------------------------------
async def test_greeting_in_the_customers_language_and_the_first_message_kept(
        skewer: SkewerApp, emu) -> None:
    anna = await emu.user(6001, "Anna", language_code="nl")
    await anna.send("/start")
    greeting = await anna.wait_for("Hallo Anna")
    assert "Vertel me" in greeting.text and "Huishoudwinkel Noord" in greeting.text

    john = await emu.user(6002, "John", language_code="en-GB")
    await john.send("/start")
    greeting = await john.wait_for("Hello John")
    assert "Tell me what went wrong" in greeting.text

    # Without /start: greeted, and the first message is the start of the story.
    jane = await emu.user(6003, "Jane", language_code="en")
    await jane.send(DELIVERY)
    hello = await jane.wait_for("Hello Jane")
    assert "what went wrong" in hello.text
    await jane.wait_for("That's everything")
    asked = await finish_story(jane, asks_reference=True)
    summary = await answer_reference(jane, asked)
    assert "the courier did not show up" in summary.text
    # Cancel at the summary: nothing is stored.
    await jane.press("Cancel", message=summary)
    await jane.wait_for("Cancelled: nothing was sent.")
    assert await stored_cases(skewer) == []


async def test_language_switch_help_and_unknown_commands(skewer: SkewerApp, emu) -> None:
    piet = await emu.user(6004, "Piet", language_code="nl")
    await piet.send("/help")
    help_ = await piet.wait_for("/new")
    for cmd in ("/status", "/language", "/cancel", "/help"):
        assert cmd in help_.text
    await piet.send("/frobnicate now")
    unknown = await piet.wait_for("Het commando /frobnicate ken ik niet")
    assert "/help" in unknown.text
    await piet.send("/cancel")  # an unknown command started nothing
    await piet.wait_for("Er is niets om te annuleren.")

    await piet.send("/language")
    choose = await piet.wait_for("Welke taal")
    assert {"Nederlands", "English"} <= set(choose.button_texts)
    await piet.press("English")
    await piet.wait_for("I'll speak English from now on.")
    await piet.send("/help")
    help_ = await piet.wait_for("/status")
    assert "your cases" in help_.text

    # ... and the switch holds for the whole intake and the stored case.
    ref = await file_complaint(piet, WEBSHOP)
    (case,) = await stored_cases(skewer)
    assert case.reference == ref and case.language == "en"

    await piet.send("/language nl")
    await piet.wait_for("Ik praat vanaf nu Nederlands.")
    await piet.send("/help")
    await piet.wait_for("je zaken en hoe ze ervoor staan")
    async with skewer.store.unit() as unit:
        assert (await unit.get_customer(case.customer_id)).language == "nl"


async def test_status_follow_ups_and_new(skewer: SkewerApp, emu, staff) -> None:
    sam = await emu.user(6006, "Sam", language_code="en")
    await sam.send("/status")
    await sam.wait_for("You have no cases with us.")

    first = await file_complaint(sam, WEBSHOP)
    await sam.send("/status")
    status = await sam.wait_for("Your cases:")
    assert first in status.text and "open" in status.text and "Webshop and app" in status.text

    # Writing again while the case is open goes to the owner, not into a new intake.
    await sam.send("also, the password reset mail never arrives")
    passed = await sam.wait_for("Passed on to")
    assert first in passed.text and "/new" in passed.text
    relayed = await staff["tom"].wait_for("password reset mail", chat=staff["digital_group"])
    assert first in relayed.text
    assert len(await stored_cases(skewer)) == 1

    tom = staff["tom"]
    await tom.send(f"/take {first}")
    await tom.wait_for("heeft zaak")
    await sam.wait_for("is now with")
    await sam.send("/status")
    status = await sam.wait_for("Your cases:")
    assert "being handled" in status.text and "Tom" in status.text

    # Now the owner is Tom himself: a follow-up reaches his own chat.
    await sam.send("it is the same on my laptop")
    await sam.wait_for("Passed on to Tom")
    relayed = await tom.wait_for("same on my laptop")
    assert first in relayed.text
    # ... and his Telegram reply to it reaches Sam.
    await linked(skewer, relayed)
    await tom.reply(relayed, "Thanks, we found it: a cookie problem.")
    answer = await sam.wait_for("cookie problem")
    assert answer.text.startswith("Tom") and first in answer.text

    await sam.send("/new")
    await sam.wait_for("Hello Sam")
    second = await file_complaint(sam, "I was charged twice for the same order")
    assert second != first
    cases = {c.reference: c for c in await stored_cases(skewer)}
    assert set(cases) == {first, second}
    assert "password reset mail" not in cases[second].text
    async with skewer.store.unit() as unit:
        texts = [m.text for m in await unit.messages(cases[first].id)]
    assert "also, the password reset mail never arrives" in texts
    assert "it is the same on my laptop" in texts
    await sam.send("/status")
    status = await sam.wait_for("Your cases:")
    assert first in status.text and second in status.text


# -- gathering a story -------------------------------------------------------------------
async def test_messages_photos_documents_and_voice_become_one_complaint(skewer: SkewerApp, emu,
                                                                       staff) -> None:
    lena = await emu.user(6009, "Lena", language_code="en")
    await tell(lena, "The website crashed while I was paying.")
    await lena.send("Then I could not log in to my account any more.")
    photo = await lena.send_photo(caption="the error screen")
    doc = await lena.send_document("receipt.pdf", caption="my receipt")
    voice = await lena.send_voice(duration=7)
    summary = await finish_story(lena, better="Tell me at once when payment fails.",
                                 asks_reference=False)
    assert "Attachments</b>: 3" in summary.html or "Attachments: 3" in summary.text
    ref, _ = await send(lena)

    (case,) = await stored_cases(skewer)
    assert "crashed while I was paying" in case.text and "could not log in" in case.text
    assert case.better_service == "Tell me at once when payment fails."
    async with skewer.store.unit() as unit:
        atts = await unit.attachments(case.id)
    assert [a.kind for a in atts] == ["photo", "document", "voice"]
    assert atts[0].file_id == photo.raw["photo"][-1]["file_id"]
    assert atts[1].file_id == doc.raw["document"]["file_id"]
    assert atts[1].file_name == "receipt.pdf" and atts[1].caption == "my receipt"
    assert atts[2].file_id == voice.raw["voice"]["file_id"]

    # The owner gets every attachment, by file id, marked with the reference.
    group, tom = staff["digital_group"], staff["tom"]
    note = await tom.wait_for(ref, chat=group)
    assert "Bijlagen" in note.text
    got = []
    for kind in ("photo", "document", "voice"):
        m = await tom.wait_for(lambda m, k=kind: m.kind == k, chat=group)
        assert ref in m.text
        got.append(m)
    assert got[0].raw["photo"][-1]["file_id"] == atts[0].file_id
    assert got[1].raw["document"]["file_id"] == atts[1].file_id
    assert "my receipt" in got[1].text
    assert got[2].raw["voice"]["file_id"] == atts[2].file_id


async def test_change_story_better_answer_and_order_number(skewer: SkewerApp, emu) -> None:
    ute = await emu.user(6013, "Ute", language_code="en")
    await to_summary(ute, DELIVERY, better="call me first", reference="2025-000001")

    await ute.press("Change")
    what = await ute.wait_for("What would you like to change?")
    assert {"My story", "How you could do better", "Order number", "Back"} <= set(
        what.button_texts)
    await ute.press("My story")
    await ute.wait_for("tell me the whole story again")
    await ute.send("the courier left my parcel in the rain at the wrong address")
    await ute.press("That's everything")
    # Retelling leads back to the summary without asking everything again.
    summary = await ute.wait_for(lambda m: "Shall I send" in m.text or "better" in m.text)
    assert "Shall I send it?" in summary.text, summary.text
    assert "in the rain" in summary.text and "did not show up" not in summary.text
    assert "call me first" in summary.text and "2025-000001" in summary.text

    await ute.press("Change")
    await ute.press("How you could do better")
    await ute.wait_for("How could we have served you better?")
    await ute.send("ring the bell")
    summary = await ute.wait_for("Shall I send it?")
    assert "ring the bell" in summary.text and "call me first" not in summary.text

    await ute.press("Change")
    await ute.press("Order number")
    await ute.wait_for("What is the order or reference number?")
    await ute.send("2025-000777")
    summary = await ute.wait_for("Shall I send it?")
    assert "2025-000777" in summary.text and "2025-000001" not in summary.text

    await ute.press("Change")
    await ute.press("Back")
    await ute.wait_for("Shall I send it?")
    await ute.press("Send")
    await ute.wait_for("Your case number is")
    (case,) = await stored_cases(skewer)
    assert "in the rain" in case.text and "did not show up" not in case.text
    assert case.better_service == "ring the bell" and case.order_reference == "2025-000777"


async def test_attachments_sent_at_any_question_are_kept(skewer: SkewerApp, emu,
                                                         staff) -> None:
    """A photo of the receipt when asked for the order number is the most natural answer."""
    rob = await emu.user(6019, "Rob", language_code="en")
    await tell(rob, DELIVERY)
    await rob.press("That's everything")
    await rob.wait_for("served you better")
    await rob.send_photo()  # no words: kept, and the question stands
    kept = await rob.wait_for("added")
    assert "Skip" in kept.button_texts
    await rob.send("tell me the delivery time")
    await rob.wait_for("order or reference number")
    receipt = await rob.send_photo(caption="my receipt")  # no number in it: kept, asked again
    kept = await rob.wait_for("added")
    assert "I don't have one" in kept.button_texts
    await rob.press("I don't have one", message=kept)
    await rob.wait_for("Shall I send it?")
    await rob.send_document("invoice.pdf")
    await rob.wait_for("Added to your story.")
    summary = await rob.wait_for("Shall I send it?")
    assert "Attachments: 3" in summary.text
    await rob.press("Send", message=summary)
    ref = ref_of(await rob.wait_for("Your case number is"))
    case = (await stored_cases(skewer))[-1]
    assert case.reference == ref and case.better_service == "tell me the delivery time"
    async with skewer.store.unit() as unit:
        atts = await unit.attachments(case.id)
    assert [a.kind for a in atts] == ["photo", "photo", "document"]
    assert atts[1].file_id == receipt.raw["photo"][-1]["file_id"]
    assert atts[1].caption == "my receipt"


async def test_order_number_asked_only_when_needed_and_the_confirmation(skewer: SkewerApp,
                                                                         emu) -> None:
    olaf = await emu.user(6010, "Olaf", language_code="en")
    await tell(olaf, "my parcel 2025-008842 never arrived, the courier did not show up")
    summary = await finish_story(olaf)
    assert "Shall I send it?" in summary.text, "asked for an order number already given"
    assert "2025-008842" in summary.text and "(skipped)" in summary.text
    await send(olaf)
    (case,) = await stored_cases(skewer)
    assert case.order_reference == "2025-008842" and case.better_service is None

    # webshop: no requires_reference -> straight to the summary
    wim = await emu.user(6011, "Wim", language_code="en")
    await tell(wim, WEBSHOP)
    nxt = await finish_story(wim, better="a working reset link")
    assert "Shall I send it?" in nxt.text

    # delivery: requires_reference -> asked; a wrong answer is asked again, a good one kept
    ria = await emu.user(6012, "Ria", language_code="en")
    await tell(ria, DELIVERY)
    ask = await finish_story(ria, better="text me the delivery slot", asks_reference=True)
    assert "Logistics" in ask.text and "I don't have one" in ask.button_texts
    await ria.send("no idea really")
    again = await ria.wait_for("couldn't find an order number")
    assert "I don't have one" in again.button_texts
    await ria.send("HW-123456")
    summary = await ria.wait_for("Shall I send it?")
    assert "HW-123456" in summary.text
    await send(ria)
    case = (await stored_cases(skewer))[-1]
    assert case.order_reference == "HW-123456" and case.category == "delivery"
    assert case.better_service == "text me the delivery slot"

    # The confirmation: a short reference, who, and when; never a complaints department.
    nina = await emu.user(6014, "Nina", language_code="nl")
    ref = await file_complaint(nina, "het bedrag is twee keer van mijn rekening gehaald",
                               lang="nl")
    case = (await stored_cases(skewer))[-1]
    conf = (await nina.bot_messages())[-1]
    assert case.reference == ref and len(ref) == 7
    assert "Noor" in conf.text and "Financiën" in conf.text
    assert "persoonlijk" in conf.text and re.search(r"binnen .* \(uiterlijk", conf.text)
    for banned in ("klachtenafdeling", "complaints department", "doorverbonden"):
        assert banned not in conf.text.lower()


# -- compliments -------------------------------------------------------------------------
async def test_compliment_is_thanked_stored_and_passed_on(skewer: SkewerApp, emu,
                                                           staff) -> None:
    # "Daan" is also the name of a quality employee; the praise is about a courier.
    fenna = await emu.user(6015, "Fenna", language_code="nl")
    await tell(fenna, "bezorger Daan was supervriendelijk", lang="nl")
    await fenna.press(LABELS["nl"]["done"])
    thanks = await fenna.wait_for("Wat fijn")
    assert "compliment" in thanks.text
    assert "hoe hadden we" not in thanks.text
    assert await stored_cases(skewer) == [], "a compliment is not a case"
    async with skewer.store.unit() as unit:
        (comp,) = await unit.compliments()
    assert comp["text"] == "bezorger Daan was supervriendelijk"
    # A courier is logistics; Daan de Boer of quality is not the one praised.
    assert comp["team"] == "logistics", comp
    assert comp["person"] is None
    assert "Logistiek" in thanks.text
    got = await staff["pieter"].wait_for("Een compliment")
    assert "supervriendelijk" in got.text and "Fenna" in got.text
    assert not [m for m in await staff["daan"].bot_messages() if "compliment" in m.text]

    # A compliment for a staff member named with their own role goes to them and their lead.
    gijs = await emu.user(6016, "Gijs", language_code="en")
    await tell(gijs, "Thank you, the fitter Bram was super friendly and helpful!")
    await gijs.press(LABELS["en"]["done"])
    thanks = await gijs.wait_for("Thank you so much")
    assert "Bram" in thanks.text
    await staff["bram"].wait_for("Een compliment")
    await staff["henk"].wait_for("Een compliment")
    async with skewer.store.unit() as unit:
        comps = await unit.compliments()
    assert comps[-1]["person"] == "bram" and comps[-1]["team"] == "field_service"


# -- satisfaction ------------------------------------------------------------------------
async def test_satisfaction_button_of_another_customers_case_is_refused(skewer: SkewerApp, emu,
                                                                       staff) -> None:
    owner = await emu.user(6017, "Olga", language_code="en")
    ref = await file_complaint(owner, WEBSHOP)
    await staff["tom"].send(f"/resolve {ref} software bug")
    await staff["tom"].wait_for("opgelost door")
    await owner.wait_for("How satisfied")

    mallory = await emu.user(6018, "Mallory", language_code="en")
    await mallory.send("/start")
    hello = await mallory.wait_for("Hello Mallory")
    press = await mallory.client.request("POST", f"/users/{mallory.id}/press", {
        "message_id": hello.message_id, "callback_data": f"k:rate:{ref}:1", "force": True})
    answer = await mallory.client.callback(press["callback_query_id"], wait=5)
    assert answer["answered"] and "not one of yours" in answer["answer"]["text"]
    async with skewer.store.unit() as unit:
        (case,) = await unit.all_cases()
        assert await unit.feedback(case.id) is None
    await staff["tom"].expect_no_message(0.3)

    # The real customer can still rate.
    await owner.press("5")
    await owner.wait_for("Would you like to tell us anything else")
    async with skewer.store.unit() as unit:
        assert (await unit.feedback(case.id)).score == 5
