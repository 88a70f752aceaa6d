"""Deadlines end to end with a controllable clock: business-hours deadlines at submit, the
take-over, the reminder, each escalation step of the ladder, and a restart of the service in
the middle of a timer (it fires once, from the new process)."""

from __future__ import annotations

from datetime import timedelta

from tests.followup.helpers import (
    DELIVERY,
    advance_to,
    case_of,
    exactly_once,
    file_complaint,
    local,
    near,
    settled,
    timeline,
    timers,
)


async def test_ladder_takeover_and_restart_mid_timer(apps, emu, staff, clock) -> None:
    app = await apps()
    customer = await emu.user(7101, "Carla", language_code="en")
    ref = await file_complaint(customer, DELIVERY)
    # Wednesday 14:00: four working hours end tomorrow 09:00, not at 18:00 after closing.
    conf = [m.text for m in await customer.bot_messages() if "Your case number" in m.text]
    assert "within 4 hours (by tomorrow at 09:00)" in conf[0], conf
    case = await case_of(app, ref)
    assert near(case.first_response_due, local(26, 9))
    assert near(case.resolution_due, local(1, 14, month=12))  # 5 working days (Sat too)
    sanne, joris, pieter, marloes = (staff[p] for p in ("sanne", "joris", "pieter", "marloes"))
    await sanne.wait_for(lambda m: ref in m.text and bool(m.button_texts))

    # Not taken within the take window (1h): the deputy gets it, and is told why.
    advance_to(clock, local(25, 15, 1))
    new = await exactly_once(joris, ref, "is nu van jou")
    assert "Sanne" in new.text and "60 minuten" in new.text, new.text
    assert "Oppakken" in new.button_texts
    await exactly_once(sanne, ref, "naar Joris")
    assert (await case_of(app, ref)).owner_person == "joris"

    # Half an hour before the first response is due: the owner is reminded.
    advance_to(clock, local(26, 8, 31))
    rem = await exactly_once(joris, ref, "moet er uiterlijk")
    assert "de eerste reactie" in rem.text and "09:00" in rem.text

    # The service stops while the deadline passes; a new process fires the timer once.
    await settled(app)
    await apps.stop(app)
    advance_to(clock, local(26, 9, 5))
    app = await apps()
    late = await exactly_once(joris, ref, "te laat")
    assert "de eerste reactie" in late.text

    # The ladder: the team lead after an hour, the process owner after four working hours.
    advance_to(clock, local(26, 10, 2))
    up = await exactly_once(pieter, ref, "te laat")
    assert "Joris" in up.text and "normaal" in up.text and "/case" in up.text
    await marloes.expect_no_message(0.2)
    advance_to(clock, local(26, 13, 32))
    top = await exactly_once(marloes, ref, "te laat")
    assert "de eerste reactie" in top.text and "uur" in top.text
    await settled(app)
    kinds = [(t.kind, t.step, t.status) for t in await timers(app, ref)]
    assert ("first_response", 3, "fired") in kinds
    assert timeline_has(await timeline(app, ref), "taken_over", "reminder", "escalated")

    await joris.send("/mycases")
    mine = await joris.wait_for("Je open zaken")
    assert ref in mine.text and "⚠️ de eerste reactie moest er vandaag om 09:00 zijn" in mine.text
    # A reply stops the first-response clock: nothing more about it.
    await joris.send(f"/reply {ref} The carrier found your parcel, it comes tomorrow.")
    await customer.wait_for("carrier found your parcel")
    pending = [t.kind for t in await timers(app, ref) if t.status == "pending"]
    assert "first_response" not in pending and "take" not in pending
    assert "update" in pending and "resolution" in pending


def timeline_has(events: list[str], *wanted: str) -> bool:
    return all(w in events for w in wanted)


async def test_handover_take_window_and_resolve_stops_every_timer(apps, emu, staff, clock) -> None:
    app = await apps()
    customer = await emu.user(7102, "Dirk", language_code="en")
    ref = await file_complaint(customer, DELIVERY)
    sanne, joris = staff["sanne"], staff["joris"]
    await sanne.wait_for(lambda m: ref in m.text and bool(m.button_texts))
    # Handed over to a person: they too must take it in time, or it moves on.
    await sanne.send(f"/handover {ref} joris")
    await joris.wait_for(lambda m: ref in m.text and bool(m.button_texts))
    clock.advance(timedelta(minutes=61))
    back = await exactly_once(sanne, ref, "is nu van jou")
    assert "Joris" in back.text
    await sanne.send(f"/resolve {ref} carrier delay")
    await customer.wait_for("How satisfied")
    await sanne.wait_for("opgelost")
    assert not [t for t in await timers(app, ref) if t.status == "pending"]
    clock.advance(timedelta(days=8))
    await sanne.expect_no_message(0.5)


FLOOD = ("The fitter left a leak under my dishwasher and water is everywhere, "
         "my kitchen is flooding")  # critical -> field service, around the clock


async def test_critical_runs_around_the_clock(apps, emu, staff, clock) -> None:
    app = await apps()
    customer = await emu.user(7103, "Eva", language_code="en")
    ref = await file_complaint(customer, FLOOD)
    case = await case_of(app, ref)
    assert case.urgency == "critical" and case.owner_person == "fatima"
    assert near(case.first_response_due, local(25, 14, 30))
    assert near(case.resolution_due, local(26, 14))  # a clock day, not a working day
    fatima, bram, henk, marloes = (staff[p] for p in ("fatima", "bram", "henk", "marloes"))

    # A 30-minute window: reminded halfway; not taken within 15 minutes: the deputy has it.
    advance_to(clock, local(25, 14, 16))
    await exactly_once(bram, ref, "is nu van jou")
    reminders = [m for p in (fatima, bram) for m in await p.bot_messages()
                 if ref in m.text and "moet er uiterlijk" in m.text]
    assert len(reminders) == 1
    advance_to(clock, local(25, 14, 31))
    await exactly_once(bram, ref, "te laat")
    advance_to(clock, local(25, 15, 31))
    await exactly_once(henk, ref, "te laat")
    # Updates every two hours, and the automatic message an hour after the request.
    advance_to(clock, local(25, 16, 2))
    await exactly_once(bram, ref, "update sturen")
    advance_to(clock, local(25, 17, 3))
    auto = await exactly_once(customer, ref, "still open with")
    assert "Bram" in auto.text and "today at 19:0" in auto.text
    # Four clock hours after the deadline, after closing time: the process owner.
    advance_to(clock, local(25, 18, 31))
    await exactly_once(marloes, ref, "te laat")
    # The resolution deadline: reminded, then late (a clock day after the complaint).
    advance_to(clock, local(26, 13, 31))
    await exactly_once(bram, ref, "de oplossing moet er uiterlijk")
    advance_to(clock, local(26, 14, 1))
    await exactly_once(bram, ref, "de oplossing moest er")
    await settled(app)


async def test_crash_while_firing_fires_once_after_restart(apps, emu, staff, clock,
                                                           monkeypatch) -> None:
    """The service dies in the middle of firing a timer (claimed, marked, messages written, not
    committed): nothing goes out, and the next process fires it once when the lease ends."""
    import asyncio

    import bot.followup

    app = await apps()
    customer = await emu.user(7104, "Fien", language_code="en")
    ref = await file_complaint(customer, DELIVERY)
    sanne, joris = staff["sanne"], staff["joris"]
    await sanne.wait_for(lambda m: ref in m.text and bool(m.button_texts))

    real_fire = bot.followup.fire
    inside = asyncio.Event()

    async def dies_halfway(ctx, timer):  # type: ignore[no-untyped-def]
        outcome = await real_fire(ctx, timer)  # the take-over is written...
        inside.set()
        await asyncio.Event().wait()  # ...and the process dies before the commit
        return outcome

    monkeypatch.setattr(bot.followup, "fire", dies_halfway)
    advance_to(clock, local(25, 15, 1))
    await asyncio.wait_for(inside.wait(), 5)
    await apps.stop(app)
    monkeypatch.setattr(bot.followup, "fire", real_fire)
    await joris.expect_no_message(0.3)
    assert (await case_of(app, ref)).owner_person == "sanne"

    app = await apps()
    await joris.expect_no_message(0.3)  # still leased by the dead process
    clock.advance(timedelta(seconds=31))
    await exactly_once(joris, ref, "is nu van jou")
    await exactly_once(sanne, ref, "naar Joris")
    assert (await case_of(app, ref)).owner_person == "joris"
