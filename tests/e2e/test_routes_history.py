"""`skewer routes replay --since` and `learn --since` read past cases from the database."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stderr, redirect_stdout
from datetime import timedelta
from pathlib import Path

import pytest

from bot.routes_cli import main as routes_main
from tests.conftest import CONFIG
from tests.e2e.flows import file_complaint


@pytest.fixture
def env_db(monkeypatch: pytest.MonkeyPatch, db_url: str) -> str:
    monkeypatch.setenv("SKEWER_DATABASE_URL", db_url)
    return db_url


async def test_replay_since_and_learn_since_use_stored_cases(start_skewer, emu, staff, env_db,
                                                             clock, tmp_path: Path) -> None:
    app = await start_skewer("polling")
    alice = await emu.user(5101, "Alice", language_code="en")
    ref = await file_complaint(alice, "I was charged twice for my dryer, please refund one payment.")
    await app.stop()  # the CLI works on the database alone
    at = (clock() + timedelta(days=29)).isoformat()  # --since counts back from --at

    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = await _in_thread(["replay", "--since", "30d", "--at", at, "--json",
                                     "--config", str(CONFIG)])
    assert code == 0, err.getvalue()
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["id"] for r in rows] == [ref]
    assert rows[0]["category"] == "billing" and rows[0]["owner"]["team"] == "finance"
    # Thirty-one days on, the case is older than --since.
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = await _in_thread(["replay", "--since", "30d", "--json", "--config", str(CONFIG),
                                 "--at", (clock() + timedelta(days=31)).isoformat()])
    assert code == 0 and out.getvalue() == "", err.getvalue()

    # Learning takes only resolved cases: none yet, so nothing is learned.
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = await _in_thread(["learn", "--since", "30d", "--at", at, "--dry-run",
                                     "--config", str(CONFIG)])
    assert code == 0, err.getvalue()


async def _in_thread(argv: list[str]) -> int:
    """The CLI runs its own event loop; keep it off the test's."""
    import asyncio

    return await asyncio.to_thread(routes_main, argv)
