"""The one place Skewer reads the wall clock.

Everything that needs the time takes a `Clock` (a function returning an aware UTC datetime) or
a `now` argument, and storage never stamps a row by itself: so a test can run a whole service,
its workers, the Rasa actions and the command line on one controllable clock, and a deployment
runs them all on this one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from routing.deadlines import local_moment

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


def now_or(at: str | None, timezone: str) -> datetime:
    """Now, or the moment `at` names (a command's `--at`; see `parse_moment`)."""
    return parse_moment(at, timezone) if at else system_clock()


def parse_moment(text: str, timezone: str) -> datetime:
    """A moment given on the command line (`--at`): ISO 8601, as `2027-03-28T01:30` (read in
    the organisation's time zone) or with an offset (`2027-03-28T00:30+00:00`). Raises
    ValueError with what to write instead."""
    try:
        at = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"'{text}' is not a moment; write it as ISO 8601, for example "
                         f"2027-03-28T09:30 (in {timezone}) or 2027-03-28T08:30+00:00") from None
    if at.tzinfo is None:  # a local time, read as deadlines read one (also on a DST night)
        return local_moment(at.date(), at.time(), ZoneInfo(timezone))
    return at.astimezone(UTC)
