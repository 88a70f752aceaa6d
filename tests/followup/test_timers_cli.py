"""`skewer timers`: the pending follow-up timers, in the organisation's time zone."""

from __future__ import annotations

import asyncio
import io
import json
from contextlib import redirect_stdout
from datetime import datetime, timedelta

from sqlalchemy import update

from bot.cli import main as cli
from storage import timers as tm
from storage.models_followup import Timer
from tests.conftest import CONFIG
from tests.followup.helpers import AMS, BILLING, DELIVERY, file_complaint


def run(*args: str, code: int = 0) -> str:
    out = io.StringIO()
    with redirect_stdout(out):
        assert cli([*args, "--config", str(CONFIG)]) == code
    return out.getvalue()


def local(when: datetime) -> str:
    return f"{when.astimezone(AMS):%Y-%m-%d %H:%M %Z}"


async def test_timers_lists_pending_timers_per_case_as_text_and_json(apps, emu, staff, db_url,
                                                                     clock, monkeypatch) -> None:
    app = await apps()
    ref = await file_complaint(await emu.user(7601, "Carla", language_code="en"), BILLING)
    other = await file_complaint(await emu.user(7602, "Dirk", language_code="en"), DELIVERY)
    async with app.store.unit() as unit:
        case = await unit.case_by_ref(ref)
        pending = await tm.timers_of(unit, case.id, "pending")
        assert len(pending) >= 3
        # A worker holds one right now; another raised once when it fired.
        held, failed = pending[0], pending[1]
        lease_end = clock() + timedelta(minutes=5)
        await unit.s.execute(update(Timer).where(Timer.id == held.id)
                             .values(claimed_until=lease_end))
        await tm.record_failure(unit, failed.id, "RuntimeError: boom", 5)
    monkeypatch.setenv("SKEWER_DATABASE_URL", db_url)

    text = await asyncio.to_thread(run, "timers", "--at", clock().isoformat())
    lines = text.splitlines()
    mine = [line for line in lines if line.startswith(ref)]
    assert len(mine) == len(pending)
    for timer in pending:
        assert any(f"{timer.kind} " in line and f"due {local(timer.due_at)}" in line
                   for line in mine), (timer, mine)
    assert "CET" in mine[0]  # Europe/Amsterdam in November
    assert sum("claimed until" in line for line in mine) == 1
    assert any(f"claimed until {local(lease_end)}" in line and held.kind in line for line in mine)
    assert sum("attempts 1" in line for line in mine) == 1
    assert any("last error: RuntimeError: boom" in line for line in mine)
    assert any(line.startswith(other) for line in lines)
    assert any(line.startswith("-") and "signals" in line for line in lines)  # of no case
    dues = [line.split(" due ")[1][:16] for line in lines]
    assert dues == sorted(dues), "soonest first"

    rows = json.loads(await asyncio.to_thread(run, "timers", "--case", ref.lower(), "--json",
                                              "--at", clock().isoformat()))
    assert {r["case"] for r in rows} == {ref}
    assert sorted((r["kind"], r["step"]) for r in rows) == sorted(
        (t.kind, t.step) for t in pending)
    by_kind = {(r["kind"], r["step"]): r for r in rows}
    assert by_kind[held.kind, held.step]["claimed_until"] == \
        lease_end.astimezone(AMS).isoformat(timespec="seconds")
    assert by_kind[failed.kind, failed.step]["attempts"] == 1
    assert by_kind[failed.kind, failed.step]["error"] == "RuntimeError: boom"
    for r in rows:
        due = datetime.fromisoformat(r["due"])
        assert due.utcoffset() == timedelta(hours=1)  # the organisation's time, not UTC
        assert any(t.due_at.replace(microsecond=0) == due for t in pending)
    assert [r["claimed_until"] is None for r in rows].count(False) == 1

    # Fired and cancelled timers are not pending; a case without any says so.
    async with app.store.unit() as unit:
        await tm.cancel(unit, case.id)
    assert await asyncio.to_thread(run, "timers", "--case", ref) == f"no pending timers for {ref}\n"
    assert json.loads(await asyncio.to_thread(run, "timers", "--case", ref, "--json")) == []
    assert await asyncio.to_thread(run, "timers", "--case", "ZZZ-ZZZ", code=1) == ""
