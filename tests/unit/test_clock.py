"""`--at MOMENT` on the command line: read in the organisation's time zone unless it carries an
offset; anything else is refused with how to write it."""

from __future__ import annotations

from contextlib import redirect_stderr
from datetime import UTC, datetime
from io import StringIO

import pytest

from bot.cli import main as cli
from bot.clock import parse_moment
from tests.conftest import CONFIG

AMS = "Europe/Amsterdam"


@pytest.mark.parametrize(("text", "expected"), [
    ("2027-01-08T17:00", datetime(2027, 1, 8, 16, 0, tzinfo=UTC)),  # CET
    ("2027-07-08T17:00", datetime(2027, 7, 8, 15, 0, tzinfo=UTC)),  # CEST
    # The clock skips 02:00-03:00 that night: the first moment it reads 02:30 or later.
    ("2027-03-28T02:30", datetime(2027, 3, 28, 1, 0, tzinfo=UTC)),
    ("2027-10-31T02:30", datetime(2027, 10, 31, 0, 30, tzinfo=UTC)),  # twice: the first
    (" 2027-01-08T17:00+00:00 ", datetime(2027, 1, 8, 17, 0, tzinfo=UTC)),
    ("2027-01-08", datetime(2027, 1, 7, 23, 0, tzinfo=UTC)),  # midnight, local
])
def test_moments_are_read_in_the_organisations_zone(text: str, expected: datetime) -> None:
    at = parse_moment(text, AMS)
    assert at == expected and at.tzinfo == UTC


@pytest.mark.parametrize("text", ["tomorrow", "", "17:00", "2027-13-01T00:00"])
def test_a_non_moment_says_how_to_write_one(text: str) -> None:
    with pytest.raises(ValueError, match="ISO 8601, for example 2027-03-28T09:30"):
        parse_moment(text, AMS)


@pytest.mark.parametrize("argv", [["report", "overdue"], ["report", "signals"], ["timers"]])
def test_the_command_line_refuses_a_bad_moment_before_touching_the_database(
        argv: list[str], tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SKEWER_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'none.db'}")
    err = StringIO()
    with redirect_stderr(err):
        assert cli([*argv, "--at", "next friday", "--config", str(CONFIG)]) == 2
    assert err.getvalue().startswith("skewer: --at: 'next friday' is not a moment")
    assert not (tmp_path / "none.db").exists()
