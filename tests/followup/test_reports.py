"""The signals report on a month of cases: a recurring cause with the customers' better-service
answers, a category rising against its usual weekly level, a customer who keeps coming back,
and handling times as indicators per process owner (never per person)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.reports import render_signals, signals
from bot.settings import load_config
from bot.texts import Texts
from storage.migrate import upgrade
from storage.store import Store
from tests.conftest import CONFIG

NOW = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)


async def test_signals_per_process_owner(db_url: str) -> None:
    config = load_config(CONFIG)
    store = Store(db_url)
    n = 0

    async def case(unit, customer: int, category: str, team: str, days_ago: float,
                   cause: str | None = None, better: str | None = None) -> int:
        nonlocal n
        n += 1
        at = NOW - timedelta(days=days_ago)
        rec = await unit.create_case(
            intake_key=f"k{n}", customer_id=customer, channel="telegram", language="en",
            status="resolved" if cause else "open", kind="complaint", category=category,
            urgency="normal", text="...", better_service=better, order_reference=None,
            decision={}, rule="r", owner_team=team, owner_person=None, tags=[],
            created_at=at, updated_at=at, root_cause=cause,
            first_response_at=at + timedelta(hours=2) if cause else None,
            resolved_at=at + timedelta(hours=30) if cause else None)
        return rec.id

    try:
        await upgrade(store)
        async with store.unit() as unit:
            ids = []
            for i in range(4):
                c = await unit.customer_for("telegram", str(900 + i), str(900 + i), f"C{i}", "en",
                                            NOW)
                ids.append(c.id)
            # Logistics (process owner Marloes): one delivery a week usually, four this week.
            for w in (10, 17, 24):
                await case(unit, ids[0], "delivery", "logistics", w)
            for d in (1, 2, 3, 4):
                cid = await case(unit, ids[1 + d % 2], "delivery", "logistics", d,
                                 cause="carrier delay", better="Tell me when the driver is late")
                # Waiting for the carrier desk's input: 3 hours each time.
                asked = NOW - timedelta(days=d) + timedelta(hours=1)
                await unit.add_event(cid, "consult", "sanne", asked, team="quality")
                await unit.add_event(cid, "consult_answer", "daan", asked + timedelta(hours=3))
            # Finance (Ruud): one customer three times.
            for d in (2, 9, 16):
                await case(unit, ids[3], "billing", "finance", d, cause="invoice error" if d < 10
                           else None, better="Send one correct invoice")
        async with store.unit() as unit:
            found = {s.owner: s for s in await signals(unit, config, NOW)}
    finally:
        await store.dispose()

    marloes = found["marloes"]
    assert marloes.teams == ["logistics", "field_service", "frontline"]
    assert marloes.causes == [("carrier delay", 4, ["Tell me when the driver is late"] * 3)]
    assert marloes.rising == [("delivery", 4, 1.0)]
    assert marloes.indicators["first_response_median"].startswith("2.0h")
    assert marloes.indicators["resolution_median"].startswith("30.0h")
    assert marloes.indicators["consult_wait_median"] == "3.0h (n=4)"
    ruud = found["ruud"]
    assert [(n, len(refs)) for _c, n, refs, _a in ruud.repeat] == [(3, 3)]
    assert ruud.causes == [("invoice error", 2, ["Send one correct invoice"] * 2)]
    assert ruud.rising == []  # one a week, as usual

    texts = Texts(["nl", "en"], "nl")
    text = render_signals(marloes, config, texts, "en", 28)
    assert "Recurring cause: carrier delay ×4" in text
    assert "Rising: delivery: 4 this week (usually 1.0 a week)" in text
    assert "Indicators, not targets" in text
    assert "median wait for a colleague's input 3.0h (n=4)" in text
    for person in ("Sanne", "Joris", "sanne", "joris"):
        assert person not in text  # handling times belong to the team, never to a person
