"""The staff side end to end: the notification, every button and its typed twin, consulting a
colleague, and refusals for people who are not staff or cases that do not (or no longer) exist.

Staff of the example organisation read Dutch; customers here write English.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from bot.app import SkewerApp
from emulator.testing import TgMessage, TgUser
from tests.e2e.flows import file_complaint

BILLING = "I was charged twice for the same order"  # billing, high -> finance -> Noor
WEBSHOP = "I can't log in to my account, the website keeps rejecting my password"  # digital group
STAFF_BUTTONS = {"Oppakken", "Antwoorden", "Oplossen", "Overdragen", "Collega vragen"}


async def case_of(app: SkewerApp, ref: str) -> Any:
    async with app.store.unit() as unit:
        return await unit.case_by_ref(ref)


async def timeline(app: SkewerApp, ref: str) -> list[str]:
    async with app.store.unit() as unit:
        case = await unit.case_by_ref(ref)
        return [e.type for e in await unit.events(case.id)]


async def linked(app: SkewerApp, message: TgMessage) -> None:
    """Wait until the outbox has recorded which case a delivered message belongs to."""
    async def found() -> bool:
        async with app.store.unit() as unit:
            return await unit.link_for_message("telegram", str(message.chat_id),
                                               str(message.message_id)) is not None
    deadline = asyncio.get_running_loop().time() + 5
    while not await found():
        assert asyncio.get_running_loop().time() < deadline, f"no link for {message}"
        await asyncio.sleep(0.02)


async def billing_case(emu, staff, user_id: int = 7001, **kw: Any
                       ) -> tuple[TgUser, str, TgUser, TgMessage]:
    """A customer's billing case; Noor (the only finance member) is the owner."""
    customer = await emu.user(user_id, "Carla", language_code="en")
    ref = await file_complaint(customer, BILLING, **kw)
    noor = staff["noor"]
    note = await noor.wait_for(lambda m: ref in m.text and bool(m.button_texts))
    return customer, ref, noor, note


# -- the notification, take, reply -------------------------------------------------------
async def test_owner_gets_everything_then_takes_and_replies(skewer: SkewerApp, emu,
                                                            staff) -> None:
    customer, ref, noor, note = await billing_case(
        emu, staff, better="Check the payment before charging again.", photo="bank statement")
    for part in (f"Nieuwe zaak {ref}", "hoog", "Waarom hoog", "Facturering", "klacht",
                 "Carla", BILLING, "Check the payment before charging again.",
                 "Bijlagen", "Waarom hier", "rule 'billing'", "Eerste reactie uiterlijk"):
        assert part in note.text, part
    assert STAFF_BUTTONS == set(note.button_texts)
    photo = await noor.wait_for(lambda m: m.kind == "photo")
    assert ref in photo.text and "bank statement" in photo.text
    case = await case_of(skewer, ref)
    assert (case.owner_team, case.owner_person, case.status) == ("finance", "noor", "open")

    # Take
    toast = await (await noor.press("Oppakken", message=note)).answer()
    assert "Noor heeft zaak" in toast["text"]
    await noor.wait_for("heeft zaak")
    assert (await case_of(skewer, ref)).status == "taken"

    # Reply button, then the typed answer
    await noor.press("Antwoorden", message=note)
    prompt = await noor.wait_for("Typ je antwoord")
    assert ref in prompt.text and "Carla" in prompt.text
    await noor.send("The second charge is refunded today.")
    await noor.wait_for("Verstuurd aan de klant")
    answer = await customer.wait_for("second charge is refunded")
    assert answer.text.startswith("Noor") and "Finance" in answer.text and ref in answer.text
    assert "Hendriks" not in answer.text  # only the first name reaches the customer
    case = await case_of(skewer, ref)
    assert case.first_response_at is not None
    # The next plain message is not another answer.
    await noor.send("hallo?")
    await noor.wait_for("Commando's voor medewerkers")
    await customer.expect_no_message(0.3)

    # A Telegram reply to the notification
    await noor.reply(note, "Sorry Carla, I am on it.")
    await noor.wait_for("Verstuurd aan de klant")
    answer = await customer.wait_for("I am on it")
    assert "Noor" in answer.text and ref in answer.text
    async with skewer.store.unit() as unit:
        out = [m for m in await unit.messages(case.id) if m.direction == "out"]
    assert [(m.author, m.text) for m in out] == [
        ("noor", "The second charge is refunded today."), ("noor", "Sorry Carla, I am on it.")]
    assert (await timeline(skewer, ref)).count("reply") == 2


async def test_group_case_take_refusals_and_a_double_resolve(skewer: SkewerApp, emu,
                                                             staff) -> None:
    customer = await emu.user(7002, "Dirk", language_code="en")
    ref = await file_complaint(customer, WEBSHOP)
    group, tom, kim = staff["digital_group"], staff["tom"], staff["kim"]
    note = await tom.wait_for(ref, chat=group)
    await tom.press("Oppakken", message=note)
    await tom.wait_for("Tom heeft zaak", chat=group)
    told = await customer.wait_for("is now with")
    assert "Tom" in told.text
    toast = await (await kim.press("Oppakken", message=note)).answer()
    assert "al opgepakt door Tom" in toast["text"] and toast["show_alert"]
    # Someone in the group who is not staff in the config cannot use the buttons.
    intern = await emu.user(7999, "Ivo", language_code="nl")
    await emu.group(group.id, "Digitaal", members=[tom, kim, intern])
    toast = await (await intern.press("Oplossen", message=note)).answer()
    assert "alleen voor medewerkers" in toast["text"]
    assert (await case_of(skewer, ref)).owner_person == "tom"

    # Kim starts resolving with a typed cause; meanwhile Tom resolves it from his own chat.
    await kim.press("Oplossen", message=note)
    ask = await kim.wait_for("grondoorzaak", chat=group)
    await kim.press("Anders (typ het)", message=ask)
    await kim.wait_for("Typ de grondoorzaak", chat=group)
    await tom.send(f"/resolve {ref} software bug")
    await tom.wait_for("opgelost door Tom")
    await customer.wait_for("How satisfied")
    await kim.send("cache was stale", chat=group)
    got = await kim.wait_for("al gesloten", chat=group)
    assert ref in got.text
    case = await case_of(skewer, ref)
    assert case.root_cause == "software bug"
    assert (await timeline(skewer, ref)).count("resolved") == 1
    await customer.expect_no_message(0.3)


# -- resolve -----------------------------------------------------------------------------
async def test_resolve_with_a_cause_button_or_a_typed_other(skewer: SkewerApp, emu,
                                                            staff) -> None:
    customer, ref, noor, note = await billing_case(emu, staff)
    assert "de klant heeft dit overgeslagen" in note.text  # the better-service question
    assert (await case_of(skewer, ref)).better_service is None
    await noor.press("Oplossen", message=note)
    ask = await noor.wait_for("grondoorzaak")
    causes = skewer.config.root_causes_for("billing")
    assert ask.button_texts == [*causes, "Anders (typ het)"]
    assert "payment provider error" in causes and "customer expectation" in causes
    await noor.press("payment provider error", message=ask)
    await noor.wait_for("opgelost door Noor")
    solved = await customer.wait_for("marked your case")
    assert ref in solved.text and "payment provider error" in solved.text
    rate = await customer.wait_for("How satisfied")
    assert rate.button_texts == ["1", "2", "3", "4", "5"]
    case = await case_of(skewer, ref)
    assert (case.status, case.root_cause) == ("resolved", "payment provider error")
    assert case.resolved_at is not None

    customer, ref, noor, note = await billing_case(emu, staff, user_id=7006)
    await noor.press("Oplossen", message=note)
    ask = await noor.wait_for(f"grondoorzaak van zaak {ref}")
    await noor.press("Anders (typ het)", message=ask)
    await noor.wait_for("Typ de grondoorzaak")
    await noor.send("bank processed the batch twice")
    await noor.wait_for(f"{ref} opgelost door Noor")
    await customer.wait_for("bank processed the batch twice")
    assert (await case_of(skewer, ref)).root_cause == "bank processed the batch twice"


# -- hand over ---------------------------------------------------------------------------
async def test_hand_over_with_buttons_and_typed(skewer: SkewerApp, emu, staff) -> None:
    customer, ref, noor, note = await billing_case(emu, staff)
    await noor.press("Overdragen", message=note)
    ask = await noor.wait_for("Aan welk team")
    names = {skewer.config.team(t.id).name["nl"] for t in skewer.config.teams}
    assert set(ask.button_texts) == names - {"Financiën"}
    await noor.press("Kwaliteit", message=ask)
    done = await noor.wait_for("overgedragen van Noor")
    case = await case_of(skewer, ref)
    assert case.owner_team == "quality" and case.owner_person in ("daan", "ilse")
    name = case.owner_person.capitalize()
    new_owner = staff[case.owner_person]
    got = await new_owner.wait_for(f"Zaak {ref} is aan jou overgedragen")
    assert "Noor" in got.text and BILLING in got.text and STAFF_BUTTONS <= set(got.button_texts)
    assert name in done.text
    told = await customer.wait_for("is now with")
    assert ref in told.text and name in told.text
    assert "handed_over" in await timeline(skewer, ref)
    # The new owner answers; the customer hears the new owner's name.
    await new_owner.send(f"/reply {ref} Quality here, checking it.")
    answer = await customer.wait_for("Quality here")
    assert answer.text.startswith(name)

    customer, ref, noor, _ = await billing_case(emu, staff, user_id=7007)
    await noor.send(f"/handover {ref} nowhere")
    await noor.wait_for("Ik ken geen team of persoon nowhere")
    assert (await case_of(skewer, ref)).owner_team == "finance"
    await noor.send(f"/handover {ref.lower()} digital")
    await noor.wait_for(f"Zaak {ref} overgedragen van Noor")
    assert (await case_of(skewer, ref)).owner_team == "digital"
    await staff["tom"].wait_for(f"Zaak {ref} is aan jou overgedragen", chat=staff["digital_group"])
    told = await customer.wait_for("is now with")
    assert "Digital" in told.text


# -- ask a colleague ---------------------------------------------------------------------
async def test_consult_answers_go_to_the_owner_not_the_customer(skewer: SkewerApp, emu,
                                                                staff) -> None:
    customer, ref, noor, note = await billing_case(emu, staff)
    await noor.press("Collega vragen", message=note)
    ask = await noor.wait_for("Welk team moet meedenken")
    assert "Logistiek" in ask.button_texts
    await noor.press("Logistiek", message=ask)
    await noor.wait_for("om input gevraagd")
    pieter = staff["pieter"]  # the logistics lead: the team has no group chat
    request = await pieter.wait_for(f"input op zaak {ref}")
    assert "eigenaar blijft Noor" in request.text and BILLING in request.text
    assert "niet naar de klant" in request.text
    await linked(skewer, request)
    await pieter.reply(request, "The courier was paid twice too, same batch.")
    await pieter.wait_for("je input is naar Noor")
    got = await noor.wait_for("The courier was paid twice too")
    assert f"Input op {ref}" in got.text and "Pieter" in got.text

    # The typed twin, to a team's group chat.
    await noor.send(f"/consult {ref} digital")
    await noor.wait_for("om input gevraagd")
    group, kim = staff["digital_group"], staff["kim"]
    request = await kim.wait_for(f"input op zaak {ref}", chat=group)
    await linked(skewer, request)
    await kim.reply(request, "The webshop did send two payment requests.")
    got = await noor.wait_for("two payment requests")
    assert "Kim" in got.text
    # Answering a colleague's input with a Telegram reply must not reach the customer.
    await linked(skewer, got)
    await noor.reply(got, "Thanks Kim, can you cancel the second one?")
    hint = await noor.wait_for(f"/reply {ref}")
    assert "niet naar de klant" in hint.text

    await customer.expect_no_message(0.3)
    case = await case_of(skewer, ref)
    assert (case.owner_team, case.owner_person) == ("finance", "noor")
    async with skewer.store.unit() as unit:
        msgs = await unit.messages(case.id)
    assert [(m.direction, m.author) for m in msgs if m.direction != "in"] == [
        ("internal", "pieter"), ("internal", "kim")]
    assert (await timeline(skewer, ref)).count("consult_answer") == 2

    # /case shows every message with its channel; a colleague's input is marked internal.
    await noor.send(f"/case {ref}")
    shown = await noor.wait_for(lambda m: ref in m.text and "Berichten" in m.text)
    lines = shown.text.split("Berichten, met het kanaal van elk:\n", 1)[1].splitlines()
    assert [line.split(" · ", 1)[1] for line in lines] == [
        f"klant via telegram: {BILLING}",
        "Pieter, intern: The courier was paid twice too, same batch.",
        "Kim, intern: The webshop did send two payment requests.",
    ]
    assert all(line.startswith("vandaag om ") for line in lines)


# -- typed twins -------------------------------------------------------------------------
async def test_typed_commands_and_usage(skewer: SkewerApp, emu, staff) -> None:
    customer = await emu.user(7003, "Eef", language_code="en")
    ref = await file_complaint(customer, WEBSHOP)
    tom = staff["tom"]
    await tom.send("/mycases")
    await tom.wait_for("Je hebt geen open zaken.")

    await tom.send(f"/case {ref}")
    view = await tom.wait_for(ref)
    assert "Digitaal" in view.text and WEBSHOP in view.text and "Oppakken" in view.button_texts

    await tom.send(f"/take {ref}")
    await tom.wait_for("Tom heeft zaak")
    await customer.wait_for("is now with")
    await tom.send("/mycases")
    mine = await tom.wait_for("Je open zaken")
    assert ref in mine.text and "in behandeling" in mine.text

    await tom.send(f"/reply {ref} Please try the reset link again <now>.")
    await tom.wait_for("Verstuurd aan de klant")
    answer = await customer.wait_for("reset link again")
    assert "<now>" in answer.text  # escaped, shown as typed

    await tom.send(f"/resolve {ref} software bug")
    await tom.wait_for("opgelost door Tom")
    await customer.wait_for("How satisfied")
    case = await case_of(skewer, ref)
    assert (case.status, case.root_cause, case.owner_person) == ("resolved", "software bug", "tom")

    await tom.send(f"/case {ref}")
    closed = await tom.wait_for(ref)
    assert "opgelost" in closed.text and closed.button_texts == []
    await tom.send("/mycases")
    await tom.wait_for("Je hebt geen open zaken.")

    noor = staff["noor"]
    for cmd, usage in (("/take", "/take REF"), ("/reply ABC-234", "/reply REF text"),
                       ("/resolve", "/resolve REF"), ("/handover ABC-234", "/handover REF"),
                       ("/consult", "/consult REF team"), ("/case", "/case REF")):
        await noor.send(cmd)
        got = await noor.wait_for("Gebruik")
        assert usage in got.text, (cmd, got.text)
    await noor.send("/frobnicate")
    await noor.wait_for("Het commando /frobnicate ken ik niet")


# -- refusals ----------------------------------------------------------------------------
async def test_non_staff_cannot_press_staff_buttons_or_type_staff_commands(
        skewer: SkewerApp, emu, staff, caplog) -> None:
    caplog.set_level(logging.WARNING, logger="skewer.guard")
    customer, ref, _, _ = await billing_case(emu, staff)
    toast = await (await _forged(customer, f"k:take:{ref}:")).answer()
    assert toast["text"] == "This is for staff only." and toast["show_alert"]

    await customer.send(f"/resolve {ref} all fine")
    refused = await customer.wait_for("for staff only")
    assert refused.text == "This is for staff only."
    case = await case_of(skewer, ref)
    assert (case.status, case.owner_person, case.root_cause) == ("open", "noor", None)
    assert await timeline(skewer, ref) == ["created", "notified"]
    logged = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert any("pressed staff button take" in m and str(customer.id) in m for m in logged)
    assert any("typed /resolve" in m for m in logged)

    # The follow-through buttons and commands are staff-only too.
    for data in (f"k:approve:{ref}:1", f"k:reopen:{ref}:", f"k:update:{ref}:", f"k:kept:{ref}:1"):
        toast = await (await _forged(customer, data)).answer()
        assert toast["text"] == "This is for staff only.", data
    for cmd in (f"/offer {ref} 500 euro", f"/approve {ref}", f"/promise {ref} friday call"):
        await customer.send(cmd)
        assert (await customer.wait_for("for staff only")).text == "This is for staff only."
    assert await timeline(skewer, ref) == ["created", "notified"]


async def test_unknown_and_closed_cases_get_a_clear_answer(skewer: SkewerApp, emu,
                                                           staff) -> None:
    noor = staff["noor"]
    await noor.send("/take ZZZ-999")
    unknown = await noor.wait_for("Ik ken geen zaak")
    assert "ZZZ-999" in unknown.text
    toast = await (await _forged(noor, "k:take:ZZZ-999:")).answer()
    assert "Ik ken geen zaak" in toast["text"]

    customer, ref, noor, note = await billing_case(emu, staff)
    await noor.send(f"/resolve {ref} pricing error")
    await noor.wait_for("opgelost door Noor")
    for cmd in (f"/take {ref}", f"/reply {ref} hello again", f"/resolve {ref} twice",
                f"/handover {ref} quality", f"/consult {ref} digital"):
        await noor.send(cmd)
        got = await noor.wait_for("al gesloten")
        assert ref in got.text, cmd
    # Old buttons of the closed case.
    for label in ("Oppakken", "Antwoorden", "Oplossen", "Overdragen"):
        toast = await (await noor.press(label, message=note)).answer()
        assert "al gesloten" in toast["text"], label
    # Replying to the old notification does not reach the customer either.
    await noor.reply(note, "one more thing")
    await noor.wait_for("al gesloten")
    async with skewer.store.unit() as unit:
        case = await unit.case_by_ref(ref)
        out = [m for m in await unit.messages(case.id) if m.direction == "out"]
    assert out == [] and case.root_cause == "pricing error"
    msgs = [m.text for m in await customer.bot_messages()]
    assert not any("hello again" in t or "one more thing" in t for t in msgs)


async def _forged(user: TgUser, data: str) -> Any:
    """Press a button with made-up callback data on the user's latest bot message."""
    from emulator.testing import CallbackPress

    last = (await user.bot_messages())[-1]
    result = await user.client.request("POST", f"/users/{user.id}/press", {
        "message_id": last.message_id, "callback_data": data, "force": True})
    return CallbackPress(user.client, result["callback_query_id"], result["chat_id"],
                         result["message_id"], result["data"])


async def test_a_reply_before_the_link_is_recorded_still_finds_the_case(skewer, emu, staff) -> None:
    """Telegram includes the replied-to message: its reference finds the case even when the
    outbox has not recorded the message's case link yet (a very fast reply)."""
    from bot.ports import Inbound, Sender

    bob = await emu.user(5301, "Bob", language_code="en")
    ref = await file_complaint(bob, "the app crashes when I log in, every single time")
    tom = staff["tom"]
    ev = Inbound(channel="telegram", event_id="m:1041:fast-reply", chat_id="1041",
                 sender=Sender("telegram", "1041", "Tom", "nl"), text="Fixed, try again please",
                 reply_to_message_id="999999", reply_to_text=f"🟡 Nieuwe zaak {ref} · normaal")
    result = await skewer.service.handle(ev)
    assert result.outcome == "replied"
    answer = await bob.wait_for("Fixed, try again please")
    assert "Tom" in answer.text
    assert tom is not None
