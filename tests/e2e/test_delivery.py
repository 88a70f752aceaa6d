"""Delivery problems reach a person: a customer who blocked the bot, a message that cannot go."""

from __future__ import annotations

import io
from contextlib import redirect_stdout

import pytest

from bot.cli import main as cli_main
from storage import outbox as q
from tests.conftest import CONFIG
from tests.e2e.flows import file_complaint


async def test_customer_blocked_the_bot_owner_is_told_and_later_replies_are_kept(
        skewer, emu, staff) -> None:
    bob = await emu.user(5501, "Bob", language_code="en")
    ref = await file_complaint(bob, "the app crashes when I log in, every single time")
    tom = staff["tom"]
    await bob.block_bot()
    await tom.send(f"/reply {ref} We found the bug, a fix is coming tonight.")
    await tom.wait_for("Verstuurd")
    warning = await tom.wait_for("geblokkeerd", timeout=10)
    assert ref in warning.text
    async with skewer.store.unit() as unit:
        case = await unit.case_by_ref(ref)
        idents = await unit.identities(case.customer_id)
        events = [e.type for e in await unit.events(case.id)]
    assert [i.reachable for i in idents] == [False]
    assert "delivery_failed" in events
    # The next reply is stored on the case, and the owner hears the customer cannot be reached.
    await tom.send(f"/reply {ref} Are you still there?")
    note = await tom.wait_for("niet bereikbaar")
    assert ref in note.text
    async with skewer.store.unit() as unit:
        messages = await unit.messages(case.id)
    assert any("still there" in m.text for m in messages)


async def test_undeliverable_after_retries_is_dead_listed_and_surfaced(
        skewer, emu, staff, db_url, monkeypatch: pytest.MonkeyPatch) -> None:
    skewer.outbox.max_attempts = 3
    skewer.outbox.first_backoff = 0.05
    await emu.set_faults(1.0, ["500"], methods=["sendPhoto"])
    carla = await emu.user(5502, "Carla", language_code="en")
    ref = await file_complaint(carla, "the app crashes at checkout, screenshot attached",
                               photo="error screen")
    group = staff["digital_group"]
    alert = await staff["tom"].wait_for("kon na 3 pogingen niet worden afgeleverd", chat=group,
                                        timeout=15)
    assert ref in alert.text
    async with skewer.store.unit() as unit:
        dead = await q.list_messages(unit, "dead", 10)
    assert [d.payload["kind"] for d in dead] == ["photo"] and dead[0].attempts == 3
    # `skewer outbox list` shows it, with the reason.
    monkeypatch.setenv("SKEWER_DATABASE_URL", db_url)
    out = io.StringIO()
    import asyncio

    def run() -> int:
        with redirect_stdout(out):
            return cli_main(["outbox", "list", "--config", str(CONFIG)])

    assert await asyncio.to_thread(run) == 0
    assert "dead" in out.getvalue() and "500" in out.getvalue()
