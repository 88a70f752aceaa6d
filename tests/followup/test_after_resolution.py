"""After resolution: a low score (and the comment) goes to the owner and the team lead with a
Reopen button; reopening restarts the clocks. Learning from cases: the signals report per
process owner (recurring causes, repeat customers, their better-service answers, handling times
as indicators), its weekly message, and the compliments wall."""

from __future__ import annotations

import asyncio
import io
from contextlib import redirect_stdout
from datetime import UTC, datetime, timedelta

from bot.cli import main as cli
from bot.reports import overdue, signals
from tests.conftest import CONFIG
from tests.followup.helpers import (
    BILLING,
    advance_to,
    case_of,
    exactly_once,
    file_complaint,
    local,
    settled,
    timeline,
    timers,
)

CAUSE = "double charge by the payment provider"


async def test_low_score_reopen_signals_and_wall(apps, emu, staff, clock, db_url,
                                                 monkeypatch) -> None:
    app = await apps()
    customer = await emu.user(7401, "Carla", language_code="en")
    noor, ruud, marloes = staff["noor"], staff["ruud"], staff["marloes"]
    first = await file_complaint(customer, BILLING)
    await noor.wait_for(lambda m: first in m.text and bool(m.button_texts))
    await noor.send(f"/resolve {first} {CAUSE}")
    rate_first = await customer.wait_for(lambda m: "How satisfied" in m.text and first in m.text)
    # The same customer again: a repeat, with an answer to "how could we have done better".
    second = await file_complaint(customer, BILLING,
                                  better="Check the payment before charging a second time")
    await noor.wait_for(lambda m: second in m.text and bool(m.button_texts))
    await noor.send(f"/resolve {second} {CAUSE}")
    await customer.wait_for(lambda m: "How satisfied" in m.text and second in m.text)

    # A 1 for the first case: owner and team lead hear it, with a Reopen button.
    await customer.press("1", message=rate_first)
    low = await exactly_once(noor, f"Beoordeling van {first}", "1/5")
    assert low.button_texts == ["Zaak heropenen"]
    to_lead = await exactly_once(ruud, first, "tevredenheidscijfer 1")
    assert "Noor" in to_lead.text and CAUSE in to_lead.text
    assert to_lead.button_texts == ["Zaak heropenen"]
    await customer.wait_for("anything else")
    await customer.send("Nobody told me when the money would come back.")
    with_comment = await ruud.wait_for(lambda m: first in m.text and "schreef" in m.text)
    assert "Nobody told me" in with_comment.text
    assert with_comment.button_texts == ["Zaak heropenen"]
    await noor.wait_for(lambda m: first in m.text and "Nobody told me" in m.text)

    await ruud.press("Zaak heropenen", message=to_lead)
    await ruud.wait_for("weer open")
    await customer.wait_for(lambda m: "has been reopened" in m.text and first in m.text)
    await noor.wait_for("heeft zaak")
    case = await case_of(app, first)
    assert case.status == "taken" and case.resolved_at is None
    assert "reopened" in await timeline(app, first)
    pending = {t.kind for t in await timers(app, first) if t.status == "pending"}
    assert {"resolution", "update"} <= pending

    # Signals for Finance's process owner (Ruud).
    async with app.store.unit() as unit:
        found = {s.owner: s for s in await signals(unit, app.config, clock())}
    finance = found["ruud"]
    assert finance.causes[0][:2] == (CAUSE, 2)
    assert "Check the payment before charging a second time" in finance.causes[0][2]
    assert [n for _c, n, _r, _a in finance.repeat] == [2]
    assert finance.indicators["cases"] == "2" and finance.indicators["resolution_median"] != "—"
    assert found["marloes"].empty

    # The same from the command line, and the compliments wall.
    async with app.store.unit() as unit:
        await unit.add_compliment(intake_key="t:1", customer_id=case.customer_id,
                                  channel="telegram", language="en", category="billing",
                                  text="Noor sorted it out in no time!", team="finance",
                                  person="noor", at=clock())
    monkeypatch.setenv("SKEWER_DATABASE_URL", db_url)

    def run(*args: str) -> str:
        out = io.StringIO()
        with redirect_stdout(out):
            assert cli([*args, "--config", str(CONFIG)]) == 0
        return out.getvalue()

    report = await asyncio.to_thread(run, "report", "signals", "--lang", "en",
                                     "--at", clock().isoformat())
    assert f"Recurring cause: {CAUSE} ×2" in report
    assert "came back: 2 cases" in report and "Indicators, not targets" in report
    assert "<b>" not in report
    # On the test's clock, right after the reopening, nothing is late yet.
    assert "over een termijn" in await asyncio.to_thread(run, "report", "overdue",
                                                         "--at", clock().isoformat())
    async with app.store.unit() as unit:
        late = await overdue(unit, app.config, app.deps.texts, "en", clock() + timedelta(days=3))
    assert f"{first} · high · noor: the first response" in late
    assert f"{first} · high · noor: the resolution" in late and second not in late
    wall = await asyncio.to_thread(run, "report", "compliments")
    assert "Noor Hendriks (Financiën): 1" in wall and "sorted it out" in wall

    # Monday 08:00: every process owner gets their signals in Telegram, once.
    assert datetime(2026, 11, 30, 7, tzinfo=UTC) == local(30, 8)
    advance_to(clock, local(30, 8, 1))
    weekly = await exactly_once(ruud, "Signalen voor jou, Ruud")
    assert f"Terugkerende oorzaak: {CAUSE} ×2" in weekly.text
    assert "Check the payment before charging" in weekly.text
    assert "Indicatoren, geen doelen" in weekly.text
    quiet = await exactly_once(marloes, "Signalen voor jou, Marloes")
    assert "valt er niets op" in quiet.text
    await settled(app)
