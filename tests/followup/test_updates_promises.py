"""Keeping the customer informed: the update request to the owner (one button), the honest
automatic message when nothing comes, and a promise with its own reminder and escalation."""

from __future__ import annotations

from tests.followup.helpers import (
    BILLING,
    advance_to,
    exactly_once,
    file_complaint,
    local,
    settled,
    timeline,
    timers,
)


async def test_update_asked_then_automatic_and_promise_tracked(apps, emu, staff, clock) -> None:
    app = await apps()
    customer = await emu.user(7201, "Carla", language_code="en")
    ref = await file_complaint(customer, BILLING)  # high: updates every 4 working hours
    noor, ruud = staff["noor"], staff["ruud"]
    note = await noor.wait_for(lambda m: ref in m.text and bool(m.button_texts))
    await noor.press("Oppakken", message=note)
    await noor.wait_for("heeft zaak")
    await noor.send(f"/reply {ref} We are checking it with the bank.")
    await customer.wait_for("checking it with the bank")

    # A promise: its own deadline; the customer is told.
    await noor.send(f"/promise {ref} thursday 11:00 call you back about the refund")
    told = await customer.wait_for("call you back about the refund")
    assert "Noor" in told.text and ref in told.text and "11:00" in told.text
    await noor.wait_for("genoteerd")

    await customer.send("/status")
    status = await customer.wait_for("Your cases:")
    assert ref in status.text and "you will hear from us by tomorrow at 09:0" in status.text
    # Four working hours after the last message (Wed 14:00 -> Thu 09:00): the owner is asked.
    advance_to(clock, local(26, 9, 2))
    ask = await exactly_once(noor, ref, "update sturen")
    assert ask.button_texts == ["Stuur de klant een update"]
    # The button opens the answer prompt; we let it lapse instead.
    await noor.press("Stuur de klant een update", message=ask)
    await noor.wait_for("Typ je antwoord")
    await noor.send("/cancel")
    await noor.wait_for("Geannuleerd")

    # Still nothing after the grace hour: the customer gets an honest automatic message.
    advance_to(clock, local(26, 10, 4))
    auto = await exactly_once(customer, ref, "still open with")
    assert "Noor (Finance)" in auto.text and "hear more from us by" in auto.text
    assert "today at 14:3" in auto.text  # four working hours later, over lunch

    # Half an hour before the promise: the owner is reminded, with a "kept" button.
    advance_to(clock, local(26, 10, 31))
    rem = await exactly_once(noor, ref, "een belofte aan de klant")
    assert "call you back about the refund" in rem.text and "11:00" in rem.text
    # Not kept by 11:00: the owner; an hour later the team lead.
    advance_to(clock, local(26, 11, 1))
    await exactly_once(noor, ref, "een belofte aan de klant", "te laat")
    advance_to(clock, local(26, 12, 2))
    up = await exactly_once(ruud, ref, "een belofte aan de klant", "te laat")
    assert "call you back about the refund" in up.text
    await noor.press("✅ Gedaan, belofte nagekomen", message=rem)
    await noor.wait_for("nagekomen")
    await settled(app)
    assert not [t for t in await timers(app, ref) if t.kind == "promise" and t.status == "pending"]
    events = await timeline(app, ref)
    assert {"promise", "update_asked", "auto_update", "promise_kept"} <= set(events)

    # A reply resets the update clock: no request while the customer hears from us.
    await noor.send(f"/reply {ref} The refund is on its way.")
    await customer.wait_for("refund is on its way")
    await noor.wait_for("Verstuurd aan de klant")
    advance_to(clock, local(26, 16))
    await noor.expect_no_message(0.4)
