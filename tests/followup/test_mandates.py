"""Remedies and mandates: within the mandate straight to the customer; above it an approval
request with Approve / Decline, its own deadline (a working day) and escalation; the customer
hears it is being arranged, never that it needs permission."""

from __future__ import annotations

from storage import timers as tm
from tests.followup.helpers import (
    BILLING,
    advance_to,
    case_of,
    exactly_once,
    file_complaint,
    local,
    settled,
)


async def test_offer_within_and_above_the_mandate(apps, emu, staff, clock) -> None:
    app = await apps()
    customer = await emu.user(7301, "Carla", language_code="en")
    ref = await file_complaint(customer, BILLING)
    noor, ruud, marloes = staff["noor"], staff["ruud"], staff["marloes"]
    await noor.wait_for(lambda m: ref in m.text and bool(m.button_texts))

    # Within Noor's mandate (Finance: €250): straight to the customer.
    await noor.send(f"/offer {ref} 40 refund of the shipping costs")
    offer = await customer.wait_for("offers you")
    assert "Noor" in offer.text and "€40 – refund of the shipping costs" in offer.text
    await noor.wait_for("Aangeboden aan de klant")
    await ruud.expect_no_message(0.2)

    # Above it: Ruud (the lead, €1000) is asked; the customer hears it is being arranged.
    await noor.send(f"/offer {ref} 300 a voucher")
    req = await ruud.wait_for("wil €300 – a voucher aanbieden")
    assert req.button_texts == ["Goedkeuren", "Afwijzen"]
    arranging = await customer.wait_for("arranging something")
    assert "permission" not in arranging.text and "approv" not in arranging.text
    mine = await noor.wait_for("boven je mandaat")
    assert "€250" in mine.text and "Ruud" in mine.text
    # Declined: Noor is told, the customer is not.
    await ruud.press("Afwijzen", message=req)
    await noor.wait_for(lambda m: "afgewezen" in m.text and "€300" in m.text)
    await customer.expect_no_message(0.3)

    await noor.send(f"/offer {ref} 400 a new dishwasher, installed")
    req = await ruud.wait_for("wil €400")
    await customer.wait_for("arranging something")
    await noor.send(f"/case {ref}")
    view = await noor.wait_for(lambda m: "Wacht sinds" in m.text)
    assert "goedkeuring van Ruud: €400 – a new dishwasher, installed" in view.text
    assert "Afgewezen: €300 – a voucher" in view.text and "Aangeboden: €40" in view.text

    # A reminder before the working day is over, then the escalation up the line.
    advance_to(clock, local(26, 13, 31))
    await exactly_once(ruud, ref, "goedkeuring voor €400", "uiterlijk")
    advance_to(clock, local(26, 14, 2))
    up = await exactly_once(marloes, ref, "Wacht nog op goedkeuring", "€400")
    assert up.button_texts == ["Goedkeuren", "Afwijzen"]
    late = await exactly_once(noor, ref, "te laat", "Marloes")
    assert "€400" in late.text

    # Marloes approves: the customer gets the offer, Noor is told; Ruud's button is stale.
    toast = await (await marloes.press("Goedkeuren", message=up)).answer()
    assert "Goedgekeurd" in toast["text"]
    got = await customer.wait_for("€400 – a new dishwasher, installed")
    assert "Noor offers you" in got.text
    await noor.wait_for(lambda m: "goedgekeurd" in m.text and "€400" in m.text)
    stale = await (await ruud.press("Goedkeuren", message=req)).answer()
    assert "al besloten" in stale["text"]
    # The typed twin: /approve approves the case's latest offer awaiting approval.
    await noor.send(f"/offer {ref} 500 a year of free servicing")
    await ruud.wait_for("wil €500")
    await ruud.send(f"/approve {ref}")
    await ruud.wait_for("Goedgekeurd: €500")
    await customer.wait_for("€500 – a year of free servicing")
    await ruud.send(f"/decline {ref}")
    await ruud.wait_for("wacht geen aanbod")
    await settled(app)
    async with app.store.unit() as unit:
        case = await case_of(app, ref)
        rs = await tm.remedies(unit, case.id)
        assert [(r.amount, r.status, r.decided_by) for r in rs] == [
            (40.0, "offered", None), (300.0, "declined", "ruud"), (400.0, "approved", "marloes"),
            (500.0, "approved", "ruud")]
        pending = [t for t in await tm.timers_of(unit, case.id, "pending")
                   if t.kind == "approval"]
        assert pending == []
