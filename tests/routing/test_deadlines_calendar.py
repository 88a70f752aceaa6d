"""Business-hours arithmetic at the calendar's edge moments in Europe/Amsterdam: the change to
summer time (2027-03-28 02:00 CET -> 03:00 CEST), back to winter time (2027-10-31 03:00 CEST ->
02:00 CET), New Year's Eve into 2027, weekends and holidays; and the weekly signals moment.

The rules under test:
- durations of open time (and around-the-clock time) are real elapsed time;
- whole days keep meaning "the same local wall time on the next open day";
- a local time of day means the first moment the clock reads that time or later that day: a time
  in the skipped hour (02:30 on 28 March) means 03:00 CEST, the moment the clock jumps past it; a
  time that occurs twice (02:30 on 31 October) means its first occurrence (CEST);
- answers come back in the time zone of the moment given, normalised (a real wall time with
  the right offset).

Every expected moment is written as Amsterdam wall time (`fold=1`: the second, CET, occurrence)
and compared as an instant; each case runs with its inputs given in UTC and in Amsterdam time.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.followup import next_weekly
from routing.config import Config, Hours
from routing.deadlines import add_business_time, business_time_between, is_open, next_open
from tests.routing.conftest import BASE_DATA, config_data, make_config

AMS = ZoneInfo("Europe/Amsterdam")
ZONES = [UTC, AMS]
H, M, D = timedelta(hours=1), timedelta(minutes=1), timedelta(days=1)


def ams(y: int, mo: int, d: int, h: int, mi: int = 0, fold: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=AMS, fold=fold)


def hours(week: dict[str, list[str]], holidays: list[str] | None = None) -> Hours:
    return Hours.model_validate({"timezone": "Europe/Amsterdam", "week": week,
                                 "holidays": holidays or []})


# The organisation's own hours (config.yaml): Sunday closed, Saturday morning, Thursday evening,
# holidays 25/26 Dec, 1 Jan, Easter Monday, King's Day.
ORG = Hours.model_validate(BASE_DATA["organisation"]["hours"])
# A team open around the clock, written as hours (so: not `always_open`).
ALWAYS = hours({d: ["00:00-24:00"] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")})
# A weekend night shift across the DST night, and a Monday morning.
NIGHT = hours({"mon": ["08:00-12:00"], "sat": ["22:00-24:00"], "sun": ["00:00-06:00"]})
# Sunday periods with a bound inside the skipped hour (spring) / the repeated hour (autumn).
GAP = hours({"sun": ["02:30-04:00"]})
AMB = hours({"sun": ["00:00-02:30"]})
ALL_HOURS = {"org": ORG, "always": ALWAYS, "night": NIGHT, "gap": GAP, "amb": AMB}


def in_zone(moment: datetime, zone: tzinfo) -> datetime:
    return moment.astimezone(zone)


def u(moment: datetime) -> datetime:
    """As UTC: aware datetimes sharing a tzinfo compare and subtract by wall time (fold
    ignored), so every comparison below is made on instants."""
    return moment.astimezone(UTC)


def assert_moment(got: datetime, want: datetime, zone: tzinfo, why: str) -> None:
    assert got.astimezone(UTC) == want.astimezone(UTC), (
        f"{why}: got {got.astimezone(AMS).isoformat()}, want {want.astimezone(AMS).isoformat()}")
    assert got.tzinfo == zone, why
    # Normalised: the wall time and offset the zone really shows at that instant.
    real = got.astimezone(UTC).astimezone(zone)
    assert (got.replace(tzinfo=None), got.utcoffset()) == (real.replace(tzinfo=None),
                                                          real.utcoffset()), why


# -- add_business_time ------------------------------------------------------------------------
ADD_CASES: list[tuple[datetime, timedelta, Hours | None, bool, datetime, str]] = [
    # start (Amsterdam), duration, hours, around_the_clock, expected, why
    # New Year's Eve: Thursday evening until 21:00, 1 Jan a holiday, Saturday morning, Sunday shut.
    (ams(2026, 12, 31, 20, 50), 30 * M, ORG, False, ams(2027, 1, 2, 9, 20),
     "NYE: 10 min Thu evening, New Year's Day a holiday, 20 min on Saturday 2 Jan"),
    (ams(2026, 12, 31, 23, 50), 30 * M, ORG, False, ams(2027, 1, 2, 9, 30),
     "NYE 23:50 is closed: counting starts at Saturday's opening"),
    (ams(2026, 12, 31, 23, 50), 4 * H + 30 * M, ORG, False, ams(2027, 1, 4, 9, 0),
     "NYE: all of Saturday morning, Sunday closed, 30 min on Monday 4 Jan"),
    (ams(2026, 12, 31, 10), 1 * D, ORG, False, ams(2027, 1, 2, 10),
     "a working day from NYE: 1 Jan does not count, Saturday 10:00 is open"),
    (ams(2026, 12, 31, 14), 1 * D, ORG, False, ams(2027, 1, 4, 8, 30),
     "a working day from NYE 14:00: Saturday 14:00 is closed, so Monday's opening"),
    (ams(2026, 12, 24, 16), 1 * D, ORG, False, ams(2026, 12, 28, 16),
     "Christmas: 25 and 26 Dec holidays, Sunday closed"),
    (ams(2027, 3, 27, 12, 30), 1 * H, ORG, False, ams(2027, 3, 29, 9),
     "over the change to summer time: 30 min Sat, 30 min Mon (CEST)"),
    (ams(2027, 3, 27, 10), 1 * D, ORG, False, ams(2027, 3, 29, 10),
     "a working day over the spring change: Sunday closed, Monday 10:00 CEST"),
    (ams(2027, 10, 30, 12), 2 * H, ORG, False, ams(2027, 11, 1, 9, 30),
     "over the change to winter time: 1h Sat, 1h Mon (CET)"),
    # A team open around the clock: open time is real time over the DST night.
    (ams(2027, 3, 28, 1, 30), 2 * H, ALWAYS, False, ams(2027, 3, 28, 4, 30),
     "2 open hours over the spring-forward night are 2 real hours (01:30 CET -> 04:30 CEST); "
     "wall arithmetic gave 03:30 CEST"),
    (ams(2027, 3, 28, 1, 45), 30 * M, ALWAYS, False, ams(2027, 3, 28, 3, 15),
     "30 open minutes over the jump are 30 real minutes: 03:15 CEST (not a non-existent 02:15)"),
    (ams(2027, 10, 31, 1, 30), 2 * H, ALWAYS, False, ams(2027, 10, 31, 2, 30, fold=1),
     "2 open hours over the fall-back night: 01:30 CEST -> 02:30 CET (second 02:30); "
     "wall arithmetic gave 03:30 CET"),
    (ams(2027, 10, 31, 2, 30), 1 * H, ALWAYS, False, ams(2027, 10, 31, 2, 30, fold=1),
     "1h after the first 02:30 (CEST) is the second 02:30 (CET)"),
    (ams(2027, 3, 27, 10), 1 * D, ALWAYS, False, ams(2027, 3, 28, 10),
     "a whole day is the same wall time next open day (23 real hours over the spring change)"),
    (ams(2027, 10, 30, 10), 1 * D, ALWAYS, False, ams(2027, 10, 31, 10),
     "a whole day is the same wall time next open day (25 real hours over the autumn change)"),
    (ams(2027, 3, 27, 2, 30), 1 * D, ALWAYS, False, ams(2027, 3, 28, 3, 0),
     "a whole day to a wall time that does not exist (02:30 on 28 Mar): the moment the clock "
     "jumps past it, 03:00 CEST"),
    (ams(2027, 10, 30, 2, 30), 1 * D, ALWAYS, False, ams(2027, 10, 31, 2, 30),
     "a whole day to a wall time that occurs twice: its first occurrence (CEST)"),
    (ams(2027, 3, 27, 1, 30), 1 * D + 1 * H, ALWAYS, False, ams(2027, 3, 28, 3, 30),
     "a day, then 1 real hour over the jump: Sun 01:30 CET -> 03:30 CEST"),
    (ams(2026, 12, 31, 23, 50), 30 * M, ALWAYS, False, ams(2027, 1, 1, 0, 20),
     "into the new year, no holidays for this team"),
    # A weekend night shift (Sat 22-24, Sun 00-06; Mon 08-12).
    (ams(2027, 3, 27, 23), 6 * H, NIGHT, False, ams(2027, 3, 28, 6),
     "spring night shift: 1h Sat + 5 real hours Sun (00:00 CET - 06:00 CEST): ends at closing; "
     "wall arithmetic gave 05:00 CEST"),
    (ams(2027, 3, 27, 23), 6 * H + 30 * M, NIGHT, False, ams(2027, 3, 29, 8, 30),
     "spring night shift has only 6 real hours: 30 min carry over to Monday"),
    (ams(2027, 10, 30, 23), 7 * H, NIGHT, False, ams(2027, 10, 31, 5),
     "autumn night shift: 1h Sat + 6 real hours Sun -> 05:00 CET; wall arithmetic gave 06:00"),
    (ams(2027, 10, 30, 23), 8 * H, NIGHT, False, ams(2027, 10, 31, 6),
     "autumn night shift has 8 real hours (Sun 00-06 is 7): ends at Sunday's closing, "
     "not Monday 09:00"),
    # A period starting inside the skipped hour opens when the clock jumps past its start.
    (ams(2027, 3, 28, 1), 30 * M, GAP, False, ams(2027, 3, 28, 3, 30),
     "Sunday 02:30-04:00 on 28 Mar is open 03:00-04:00 CEST: 30 min -> 03:30 CEST"),
    (ams(2027, 10, 31, 2), 1 * H, AMB, False, ams(2027, 11, 7, 0, 30),
     "Sunday 00:00-02:30 on 31 Oct closes at the first 02:30: 30 min, then next Sunday"),
    # Around the clock (critical) and no hours: plain real time, whatever the start's zone.
    (ams(2027, 3, 28, 1), 4 * H, ORG, True, ams(2027, 3, 28, 6),
     "'4h around the clock' over the spring-forward night: 4 real hours (01:00 CET -> 06:00 "
     "CEST); wall arithmetic gave 05:00 CEST when the start carried Amsterdam time"),
    (ams(2027, 10, 31, 0), 4 * H, ORG, True, ams(2027, 10, 31, 3),
     "'4h around the clock' over the fall-back night: 00:00 CEST -> 03:00 CET"),
    (ams(2027, 3, 27, 12), 1 * D, ORG, True, ams(2027, 3, 28, 13),
     "'1d around the clock' is 24 real hours (as it already was for a start in UTC)"),
    (ams(2026, 12, 31, 23, 50), 30 * M, ORG, True, ams(2027, 1, 1, 0, 20),
     "around the clock ignores the New Year holiday"),
    (ams(2027, 3, 28, 1), 4 * H, None, False, ams(2027, 3, 28, 6),
     "no hours at all: plain real time over the spring-forward night"),
]


@pytest.mark.parametrize("zone", ZONES, ids=["utc", "ams"])
@pytest.mark.parametrize(("start", "duration", "hrs", "atc", "expected", "why"), ADD_CASES,
                         ids=[c[5][:60] for c in ADD_CASES])
def test_add_business_time_at_edges(zone: tzinfo, start: datetime, duration: timedelta,
                                    hrs: Hours | None, atc: bool, expected: datetime,
                                    why: str) -> None:
    due = add_business_time(in_zone(start, zone), duration, hrs, around_the_clock=atc)
    assert_moment(due, expected, zone, why)


# -- business_time_between --------------------------------------------------------------------
BETWEEN_CASES: list[tuple[datetime, datetime, Hours | None, bool, timedelta, str]] = [
    (ams(2026, 12, 31, 20, 50), ams(2027, 1, 2, 9, 20), ORG, False, 30 * M,
     "NYE evening to Saturday 2 Jan: 10 + 20 min, 1 Jan a holiday"),
    (ams(2026, 12, 31, 23, 50), ams(2027, 1, 4, 8, 30), ORG, False, 4 * H,
     "NYE night to Monday's opening: only Saturday morning"),
    (ams(2027, 3, 27, 12), ams(2027, 3, 29, 9), ORG, False, 90 * M,
     "over the spring change: 1h Sat + 30 min Mon"),
    (ams(2027, 3, 28, 0), ams(2027, 3, 29, 0), ALWAYS, False, 23 * H,
     "the spring-forward Sunday has 23 real hours (wall arithmetic: 24)"),
    (ams(2027, 10, 31, 0), ams(2027, 11, 1, 0), ALWAYS, False, 25 * H,
     "the fall-back Sunday has 25 real hours (wall arithmetic: 24)"),
    (ams(2027, 3, 27, 22), ams(2027, 3, 28, 6), NIGHT, False, 7 * H,
     "spring night shift: 2h Sat + 5h Sun (wall arithmetic: 8h)"),
    (ams(2027, 10, 30, 22), ams(2027, 10, 31, 6), NIGHT, False, 9 * H,
     "autumn night shift: 2h Sat + 7h Sun (wall arithmetic: 8h)"),
    (ams(2027, 10, 31, 2, 30, fold=1), ams(2027, 10, 31, 2, 45), ALWAYS, False, -45 * M,
     "b = 02:45 CEST is 45 min BEFORE a = 02:30 CET (wall comparison said 15 min after)"),
    (ams(2027, 10, 31, 2, 45), ams(2027, 10, 31, 2, 30, fold=1), ALWAYS, False, 45 * M,
     "02:45 CEST to the second 02:30 (CET) is 45 real minutes (wall comparison: -15 min)"),
    (ams(2027, 3, 28, 0), ams(2027, 3, 28, 5), GAP, False, 1 * H,
     "Sunday 02:30-04:00 on 28 Mar is open 03:00-04:00 CEST: 1h (wall arithmetic: 1h30)"),
    (ams(2027, 10, 31, 0), ams(2027, 10, 31, 4), AMB, False, 150 * M,
     "Sunday 00:00-02:30 on 31 Oct: until the first 02:30"),
    (ams(2027, 3, 28, 1), ams(2027, 3, 28, 6), ORG, True, 4 * H,
     "around the clock 01:00 CET - 06:00 CEST is 4 real hours (wall: 5)"),
    (ams(2027, 10, 31, 0), ams(2027, 10, 31, 3), ORG, True, 4 * H,
     "around the clock 00:00 CEST - 03:00 CET is 4 real hours (wall: 3)"),
    (ams(2027, 3, 28, 1), ams(2027, 3, 28, 6), None, False, 4 * H,
     "no hours: real time (wall: 5)"),
]


@pytest.mark.parametrize("zone", ZONES, ids=["utc", "ams"])
@pytest.mark.parametrize(("a", "b", "hrs", "atc", "expected", "why"), BETWEEN_CASES,
                         ids=[c[5][:60] for c in BETWEEN_CASES])
def test_business_time_between_at_edges(zone: tzinfo, a: datetime, b: datetime,
                                        hrs: Hours | None, atc: bool, expected: timedelta,
                                        why: str) -> None:
    assert business_time_between(in_zone(a, zone), in_zone(b, zone), hrs, atc) == expected, why
    assert business_time_between(in_zone(b, zone), in_zone(a, zone), hrs, atc) == -expected, why


# -- is_open / next_open ------------------------------------------------------------------------
OPEN_CASES: list[tuple[datetime, Hours, bool, datetime, str]] = [
    (ams(2026, 12, 31, 20, 59), ORG, True, ams(2026, 12, 31, 20, 59), "NYE Thursday evening"),
    (ams(2026, 12, 31, 21), ORG, False, ams(2027, 1, 2, 9), "NYE after 21:00: Saturday 2 Jan"),
    (ams(2027, 1, 1, 10), ORG, False, ams(2027, 1, 2, 9), "New Year's Day is a holiday"),
    (ams(2027, 3, 27, 13), ORG, False, ams(2027, 3, 29, 8, 30),
     "Saturday closing before the spring change: Monday 08:30 CEST"),
    (ams(2027, 10, 31, 2, 30, fold=1), ORG, False, ams(2027, 11, 1, 8, 30),
     "the second 02:30 on 31 Oct: Monday 08:30 CET"),
    (ams(2027, 3, 28, 3), ALWAYS, True, ams(2027, 3, 28, 3), "the first moment of summer time"),
    (ams(2027, 10, 31, 2, 30, fold=1), ALWAYS, True, ams(2027, 10, 31, 2, 30, fold=1),
     "the repeated hour"),
    (ams(2027, 3, 28, 1, 30), GAP, False, ams(2027, 3, 28, 3),
     "Sunday 02:30-04:00 on 28 Mar opens when the clock jumps to 03:00 CEST (it said 03:30, "
     "while is_open(03:15) is true)"),
    (ams(2027, 3, 28, 3, 15), GAP, True, ams(2027, 3, 28, 3, 15), "the clock is past 02:30"),
    (ams(2027, 3, 28, 4), GAP, False, ams(2027, 4, 4, 2, 30), "closed at 04:00: next Sunday"),
    (ams(2027, 10, 31, 2, 15), AMB, True, ams(2027, 10, 31, 2, 15),
     "Sunday 00:00-02:30 on 31 Oct: open at the first 02:15 (CEST)"),
    (ams(2027, 10, 31, 2, 15, fold=1), AMB, False, ams(2027, 11, 7, 0, 0),
     "the period ended at the first 02:30, an hour before the second 02:15 (CET); wall "
     "comparison said open, while business_time_between counts none of that hour"),
]


@pytest.mark.parametrize("zone", ZONES, ids=["utc", "ams"])
@pytest.mark.parametrize(("at", "hrs", "open_", "nxt", "why"), OPEN_CASES,
                         ids=[c[4][:60] for c in OPEN_CASES])
def test_is_open_and_next_open_at_edges(zone: tzinfo, at: datetime, hrs: Hours, open_: bool,
                                        nxt: datetime, why: str) -> None:
    assert is_open(in_zone(at, zone), hrs) is open_, why
    assert_moment(next_open(in_zone(at, zone), hrs), nxt, zone, why)


# -- next_weekly (bot/followup.py): the weekly signals moment -----------------------------------
@cache
def signals_config(weekday: str, at: str) -> Config:
    data: dict[str, Any] = config_data()
    data["followup"]["signals"] = {**data["followup"]["signals"], "weekday": weekday, "time": at}
    return make_config(data)


WEEKLY_CASES: list[tuple[str, str, datetime, datetime, str]] = [
    ("mon", "08:00", ams(2026, 12, 31, 23, 50), ams(2027, 1, 4, 8), "NYE: the first Monday of 2027"),
    ("fri", "00:00", ams(2026, 12, 31, 23, 50), ams(2027, 1, 1, 0), "midnight into the new year"),
    ("mon", "08:00", ams(2027, 3, 29, 7, 59), ams(2027, 3, 29, 8), "first Monday of summer time"),
    ("mon", "08:00", ams(2027, 3, 29, 8), ams(2027, 4, 5, 8), "at the moment itself: next week"),
    ("mon", "08:00", ams(2027, 3, 28, 1, 30), ams(2027, 3, 29, 8), "over the spring change"),
    ("mon", "08:00", ams(2027, 10, 31, 2, 30, fold=1), ams(2027, 11, 1, 8),
     "over the autumn change (08:00 CET)"),
    ("sun", "02:30", ams(2027, 10, 31, 2, 15), ams(2027, 10, 31, 2, 30), "before the first 02:30"),
    ("sun", "02:30", ams(2027, 10, 31, 2, 15, fold=1), ams(2027, 11, 7, 2, 30),
     "the second 02:15 (CET) is after this week's 02:30 (its first occurrence, CEST): next "
     "week, not 02:30 CEST, 45 min in the past"),
    ("sun", "02:30", ams(2027, 3, 28, 1, 30), ams(2027, 3, 28, 3),
     "02:30 does not exist on 28 Mar: the moment the clock jumps past it, 03:00 CEST"),
    ("sun", "02:30", ams(2027, 3, 28, 3, 10), ams(2027, 4, 4, 2, 30),
     "this week's (03:00 CEST) has passed: next week"),
]


@pytest.mark.parametrize("zone", ZONES, ids=["utc", "ams"])
@pytest.mark.parametrize(("weekday", "at", "now", "expected", "why"), WEEKLY_CASES,
                         ids=[c[4][:60] for c in WEEKLY_CASES])
def test_next_weekly_at_edges(zone: tzinfo, weekday: str, at: str, now: datetime,
                              expected: datetime, why: str) -> None:
    got = next_weekly(signals_config(weekday, at), in_zone(now, zone))
    assert_moment(got, expected, UTC, why)


# -- properties ---------------------------------------------------------------------------------
EDGE_WEEKS = [datetime(2027, 3, 25, tzinfo=UTC), datetime(2027, 10, 28, tzinfo=UTC),
              datetime(2026, 12, 28, tzinfo=UTC)]
moments = st.builds(lambda base, s: base + timedelta(seconds=s), st.sampled_from(EDGE_WEEKS),
                    st.integers(0, 8 * 24 * 3600))
zones = st.sampled_from(ZONES)
hour_sets = st.sampled_from(sorted(ALL_HOURS))


@settings(max_examples=400, deadline=None)
@given(start=moments, zone=zones, name=hour_sets, minutes=st.integers(0, 24 * 60 - 1))
def test_open_time_added_is_open_time_between(start: datetime, zone: tzinfo, name: str,
                                              minutes: int) -> None:
    hrs, d = ALL_HOURS[name], timedelta(minutes=minutes)
    s = start.astimezone(zone)
    due = add_business_time(s, d, hrs)
    assert u(due) >= u(s)
    assert business_time_between(s, due, hrs) == d
    assert due.tzinfo == zone


@settings(max_examples=200, deadline=None)
@given(start=moments, zone=zones, minutes=st.integers(0, 3 * 24 * 60))
def test_around_the_clock_is_real_time(start: datetime, zone: tzinfo, minutes: int) -> None:
    s, d = start.astimezone(zone), timedelta(minutes=minutes)
    for hrs in (ORG, None):
        due = add_business_time(s, d, hrs, around_the_clock=True)
        assert u(due) - u(s) == d
        assert business_time_between(s, due, hrs, around_the_clock=True) == d


@settings(max_examples=300, deadline=None)
@given(a=moments, b=moments, zone=zones, name=hour_sets)
def test_open_time_between_is_antisymmetric_and_additive(a: datetime, b: datetime,
                                                         zone: tzinfo, name: str) -> None:
    hrs = ALL_HOURS[name]
    a, b = a.astimezone(zone), b.astimezone(zone)
    ab = business_time_between(a, b, hrs)
    assert ab == -business_time_between(b, a, hrs)
    lo, hi = sorted([a, b], key=u)
    assert timedelta(0) <= abs(ab) <= u(hi) - u(lo)
    mid = (u(lo) + (u(hi) - u(lo)) / 2).astimezone(zone)
    assert business_time_between(lo, mid, hrs) + business_time_between(mid, hi, hrs) == abs(ab)


@settings(max_examples=300, deadline=None)
@given(at=moments, zone=zones, name=hour_sets)
def test_next_open_agrees_with_is_open(at: datetime, zone: tzinfo, name: str) -> None:
    hrs = ALL_HOURS[name]
    at = at.astimezone(zone)
    nxt = next_open(at, hrs)
    assert (u(nxt) == u(at)) is is_open(at, hrs)
    assert u(nxt) >= u(at)
    assert is_open(nxt, hrs)
    assert business_time_between(at, nxt, hrs) == timedelta(0)


@settings(max_examples=300, deadline=None)
@given(now=moments, zone=zones,
       spec=st.sampled_from([("mon", "08:00"), ("sun", "02:30"), ("sun", "02:00"),
                             ("fri", "00:00"), ("sat", "23:59")]))
def test_next_weekly_is_ahead_and_weekly(now: datetime, zone: tzinfo,
                                         spec: tuple[str, str]) -> None:
    config = signals_config(*spec)
    n = now.astimezone(zone)
    first = next_weekly(config, n)
    second = next_weekly(config, first)
    # Never in the past, never a week skipped (a week with the autumn change lasts 7d 1h).
    assert u(n) < u(first) <= u(n) + 7 * D + 1 * H
    assert 7 * D - 1 * H <= u(second) - u(first) <= 7 * D + 1 * H  # one a week
    for moment in (first, second):
        wall = moment.astimezone(AMS)
        assert wall.strftime("%a").lower() == spec[0]
        assert wall.strftime("%H:%M") == spec[1] or (  # 02:xx on the spring-forward day
            wall.date().isoformat() == "2027-03-28" and wall.strftime("%H:%M") == "03:00")
