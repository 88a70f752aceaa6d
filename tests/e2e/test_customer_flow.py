"""The customer's path end to end, in English and Dutch, polling and webhook."""

from __future__ import annotations

import json

from bot.app import SkewerApp
from bot.export import export
from tests.e2e.flows import LABELS, answer_reference, finish_story, send, tell


async def test_english_complaint_reaches_owner(skewer: SkewerApp, emu, staff) -> None:
    alice = await emu.user(5001, "Alice", language_code="en")
    await alice.send("/start")
    greeting = await alice.wait_for("what went wrong")
    assert "Hello Alice" in greeting.text

    await tell(alice, "The fridge was supposed to arrive yesterday between 12 and 4, nobody came.",
               photo="the empty hallway")
    ask_ref = await finish_story(alice, better="Call me when the driver is late.",
                                 asks_reference=True)
    assert "Logistics" in ask_ref.text
    summary = await answer_reference(alice, ask_ref, "it is 2025-008842")
    assert "2025-008842" in summary.text and "Call me when the driver is late." in summary.text
    ref, confirmation = await send(alice)
    assert "Logistics" in confirmation.text and "will personally handle it" in confirmation.text
    assert "complaints department" not in confirmation.text.lower()

    # The owner (round robin in logistics: Sanne or Joris) gets the case with everything.
    owners = [staff["sanne"], staff["joris"]]
    note = None
    for who in owners:
        msgs = [m for m in await who.bot_messages() if ref in m.text]
        if msgs:
            note, owner = msgs[0], who
    assert note is not None, "no logistics member got the case"
    # Staff of the example organisation read Dutch.
    for part in ("Call me when the driver is late.", "2025-008842", "Levering", "Waarom hier",
                 "rule 'delivery'", "Waarom normaal"):
        assert part in note.text
    assert {"Oppakken", "Antwoorden", "Oplossen", "Overdragen", "Collega vragen"} <= set(
        note.button_texts)
    photo = await owner.wait_for(lambda m: m.kind == "photo")
    assert ref in photo.text

    # Exported with all its fields.
    buf = __import__("io").StringIO()
    assert await export(skewer.store, skewer.config, buf) == 1
    row = json.loads(buf.getvalue())
    assert row["reference"] == ref and row["better_service"] == "Call me when the driver is late."
    assert row["category"] == "delivery" and row["order_reference"] == "2025-008842"
    assert row["owner_team"] == "logistics" and row["urgency_reasons"] is not None
    assert row["timeline"][0]["type"] == "created"


async def test_dutch_complaint_staff_take_reply_resolve_feedback(skewer: SkewerApp, emu,
                                                                   staff) -> None:
    bob = await emu.user(5002, "Bob", language_code="nl")
    await bob.send("de app crasht elke keer bij het afrekenen, ik kan niks bestellen")
    await bob.wait_for("Hallo Bob")
    await bob.wait_for(LABELS["nl"]["done"])
    await finish_story(bob, lang="nl", asks_reference=False)
    ref, conf = await send(bob, lang="nl")
    assert "Digitaal" in conf.text

    # The digital team gets it in its group chat; Tom takes it there.
    group = staff["digital_group"]
    tom = staff["tom"]
    note = await tom.wait_for(ref, chat=group)
    await tom.press("Oppakken", message=note)
    await tom.wait_for("heeft zaak", chat=group)
    told = await bob.wait_for("ligt nu bij")
    assert "Tom" in told.text

    # Tom answers by replying to the notification.
    await tom.reply(note, "Sorry! We hebben een fix uitgerold, probeer het nog eens?")
    answer = await bob.wait_for("fix uitgerold")
    assert "Tom" in answer.text and ref in answer.text

    # Bob's follow-up reaches the owner, marked with the reference.
    await bob.send("het werkt weer, dank je")
    await bob.wait_for("Doorgegeven aan")
    follow = await tom.wait_for("het werkt weer")
    assert ref in follow.text

    # Resolve with a root cause; Bob is asked how satisfied he is, and answers.
    await tom.send(f"/resolve {ref} software bug")
    await tom.wait_for("opgelost door")
    await bob.wait_for("als opgelost gemarkeerd")
    await bob.wait_for("Hoe tevreden")
    await bob.press("4")
    await bob.wait_for("Wil je ons nog iets vertellen")
    await bob.send("snel opgelost!")
    await bob.wait_for("Bedankt voor je reactie")
    score = await tom.wait_for("4/5")
    assert ref in score.text
    comment = await tom.wait_for("snel opgelost!")
    assert ref in comment.text
