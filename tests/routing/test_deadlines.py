"""Business-hours arithmetic: several periods a day, holidays, time zone (and its DST change),
around the clock; table-driven against the example organisation's hours."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from routing.config import Hours
from routing.deadlines import add_business_time, business_time_between, is_open, next_open

AMS = ZoneInfo("Europe/Amsterdam")
HOURS = Hours.model_validate({
    "timezone": "Europe/Amsterdam",
    "week": {
        "mon": ["08:30-12:30", "13:00-17:30"], "tue": ["08:30-12:30", "13:00-17:30"],
        "wed": ["08:30-12:30", "13:00-17:30"],
        "thu": ["08:30-12:30", "13:00-17:30", "18:30-21:00"],
        "fri": ["08:30-12:30", "13:00-17:00"], "sat": ["09:00-13:00"],
    },
    "holidays": ["2026-12-25", "2026-12-26"],
})


def local(y: int, mo: int, d: int, h: int, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=AMS)


H, M, D = timedelta(hours=1), timedelta(minutes=1), timedelta(days=1)

CASES = [
    # start (local), duration, expected (local), why
    (local(2026, 11, 25, 14), 4 * H, local(2026, 11, 26, 9), "Wed 14:00 + 4h: 3.5h today, 0.5h Thu"),
    (local(2026, 11, 25, 14), 2 * H, local(2026, 11, 25, 16), "within the afternoon"),
    (local(2026, 11, 25, 12, 15), 30 * M, local(2026, 11, 25, 13, 15), "over the lunch break"),
    (local(2026, 11, 25, 13), 4 * H + 30 * M, local(2026, 11, 25, 17, 30), "ends at closing"),
    (local(2026, 11, 25, 22), 1 * H, local(2026, 11, 26, 9, 30), "starts at the next opening"),
    (local(2026, 11, 26, 17), 1 * H, local(2026, 11, 26, 19), "Thursday's evening period"),
    (local(2026, 11, 28, 12), 2 * H, local(2026, 11, 30, 9, 30), "Saturday morning, Sunday closed"),
    (local(2026, 12, 24, 20), 2 * H, local(2026, 12, 28, 9, 30), "Christmas holidays skipped"),
    (local(2026, 11, 25, 14), 1 * D, local(2026, 11, 26, 14), "a day: same time next working day"),
    (local(2026, 11, 27, 14), 1 * D, local(2026, 11, 30, 8, 30), "Sat 14:00 is closed: Mon opening"),
    (local(2026, 11, 25, 14), 1 * D + 4 * H, local(2026, 11, 26, 19), "a day and four hours (Thu evening)"),
    (local(2027, 3, 27, 12, 30), 1 * H, local(2027, 3, 29, 9), "over the change to summer time"),
]


@pytest.mark.parametrize(("start", "duration", "expected", "why"), CASES,
                         ids=[c[3] for c in CASES])
def test_add_business_time(start: datetime, duration: timedelta, expected: datetime,
                           why: str) -> None:
    due = add_business_time(start.astimezone(ZoneInfo("UTC")), duration, HOURS)
    assert due == expected, why
    assert due.tzinfo == ZoneInfo("UTC")


def test_dst_is_real_utc() -> None:
    due = add_business_time(local(2027, 3, 27, 12, 30), H, HOURS)
    assert due.astimezone(ZoneInfo("UTC")).hour == 7  # 09:00 CEST


@pytest.mark.parametrize("hours", [HOURS, None, Hours()])
def test_around_the_clock_and_no_hours_are_clock_time(hours: Hours | None) -> None:
    start = local(2026, 11, 28, 23)
    assert add_business_time(start, 30 * M, hours, around_the_clock=True) == start + 30 * M
    if hours is not HOURS:
        assert add_business_time(start, 4 * H, hours) == start + 4 * H


@pytest.mark.parametrize(("at", "open_", "nxt"), [
    (local(2026, 11, 25, 12, 45), False, local(2026, 11, 25, 13)),
    (local(2026, 11, 25, 10), True, local(2026, 11, 25, 10)),
    (local(2026, 11, 29, 10), False, local(2026, 11, 30, 8, 30)),
    (local(2026, 12, 25, 10), False, local(2026, 12, 28, 8, 30)),
])
def test_open_and_next_open(at: datetime, open_: bool, nxt: datetime) -> None:
    assert is_open(at, HOURS) is open_
    assert next_open(at, HOURS) == nxt


def test_business_time_between() -> None:
    a, b = local(2026, 11, 25, 17), local(2026, 11, 26, 9)
    assert business_time_between(a, b, HOURS) == 60 * M
    assert business_time_between(b, a, HOURS) == -60 * M
    assert business_time_between(a, b, HOURS, around_the_clock=True) == 16 * H
