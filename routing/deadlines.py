"""Deadline arithmetic over business hours: pure, no I/O.

    due = add_business_time(start, timedelta(hours=4), hours)   # 4 working hours later
    due = add_business_time(start, timedelta(days=1), hours)    # the same time next working day
    due = add_business_time(start, d, hours, around_the_clock=True)  # start + d

Whole days in a duration count as working days (the same local time on the next day the
organisation is open, holidays skipped); the rest counts as open time, over several periods a
day. A moment outside hours starts counting at the next opening. Hours without any period, or
`around_the_clock`, mean plain clock time.

Open time and clock time are real elapsed time, also over a change of daylight-saving time: the
arithmetic is done on UTC moments (Python adds and subtracts aware datetimes that share a zone
by their wall clock). A local time of day means the first moment the clock reads it or later
(see `local_moment`). Answers are in the time zone of the moment given.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from routing.config import WEEKDAYS, Hours, Period

MAX_DAYS = 800  # a safety stop: hours that are (almost) never open
END_OF_DAY = time(23, 59, 59)  # how Period stores "24:00"


def _periods(hours: Hours, day: date) -> list[Period]:
    if day.isoformat() in hours.holidays:
        return []
    return list(hours.week.get(WEEKDAYS[day.weekday()], []))  # type: ignore[call-overload]


def local_moment(day: date, t: time, tz: ZoneInfo) -> datetime:
    """The first moment (in UTC) at which the clock in `tz` reads `t` or later on `day`.

    A time the clock skips (02:30 on the day summer time starts) is the moment it jumps past it
    (03:00 summer time); a time it shows twice (02:30 on the day summer time ends) is its first
    occurrence (still summer time). The moments are in order of their local times.
    """
    wall = datetime.combine(day, t)
    first = wall.replace(tzinfo=tz).astimezone(UTC)  # fold=0: the offset before a change
    second = wall.replace(tzinfo=tz, fold=1).astimezone(UTC)  # fold=1: the offset after it
    if first <= second:  # shown once, or twice
        return first
    # Skipped: the clock jumps forward at a moment in (second, first]; find it to the second.
    after = first.astimezone(tz).utcoffset()
    lo, hi = math.floor(second.timestamp()), math.ceil(first.timestamp())
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if datetime.fromtimestamp(mid, tz).utcoffset() == after:
            hi = mid
        else:
            lo = mid
    return datetime.fromtimestamp(hi, UTC)


def _windows(hours: Hours, day: date, tz: ZoneInfo) -> list[tuple[datetime, datetime]]:
    """The day's open periods as moments in UTC; a period that the clock skips entirely is
    left out."""
    def at(t: time) -> datetime:
        if t == END_OF_DAY:  # "24:00"
            return local_moment(day + timedelta(days=1), time(0), tz)
        return local_moment(day, t, tz)

    spans = sorted((at(p.start), at(p.end)) for p in _periods(hours, day))
    return [(a, b) for a, b in spans if a < b]


def always_open(hours: Hours | None) -> bool:
    return hours is None or not any(hours.week.values())


def is_open(at: datetime, hours: Hours | None) -> bool:
    if always_open(hours):
        return True
    assert hours is not None
    tz = ZoneInfo(hours.timezone)
    moment = at.astimezone(UTC)
    return any(a <= moment < b for a, b in _windows(hours, at.astimezone(tz).date(), tz))


def next_open(at: datetime, hours: Hours | None) -> datetime:
    """`at` if open then, else the next opening (in `at`'s time zone)."""
    if always_open(hours):
        return at
    assert hours is not None
    tz = ZoneInfo(hours.timezone)
    moment = at.astimezone(UTC)
    day = at.astimezone(tz).date()
    for offset in range(MAX_DAYS):
        for a, b in _windows(hours, day + timedelta(days=offset), tz):
            if moment < b:
                return max(a, moment).astimezone(at.tzinfo)
    return at


def _add_open_time(start: datetime, amount: timedelta, hours: Hours) -> datetime:
    tz = ZoneInfo(hours.timezone)
    moment = start.astimezone(UTC)
    day = start.astimezone(tz).date()
    left = amount
    for offset in range(MAX_DAYS):
        for a, b in _windows(hours, day + timedelta(days=offset), tz):
            if b <= moment:
                continue
            begin = max(a, moment)
            span = b - begin
            if left <= span:
                # Ending exactly at closing counts as closing time, never the next opening.
                return (begin + left).astimezone(start.tzinfo)
            left -= span
    return (moment + amount).astimezone(start.tzinfo)


def _add_working_days(start: datetime, days: int, hours: Hours) -> datetime:
    """The same local time `days` open days later (a closed or holiday day does not count)."""
    tz = ZoneInfo(hours.timezone)
    local = start.astimezone(tz)
    day = local.date()
    counted = 0
    for _ in range(MAX_DAYS):
        if counted == days:
            break
        day += timedelta(days=1)
        if _periods(hours, day):
            counted += 1
    return local_moment(day, local.time(), tz).astimezone(start.tzinfo)


def add_business_time(start: datetime, duration: timedelta, hours: Hours | None,
                      around_the_clock: bool = False) -> datetime:
    """When `duration` of working time has passed after `start`."""
    if around_the_clock or always_open(hours):
        return (start.astimezone(UTC) + duration).astimezone(start.tzinfo)
    assert hours is not None
    cursor = next_open(start, hours)
    days = duration.days
    rest = duration - timedelta(days=days)
    if days:
        cursor = next_open(_add_working_days(cursor, days, hours), hours)
    if rest:
        cursor = _add_open_time(cursor, rest, hours)
    return cursor


def business_time_between(a: datetime, b: datetime, hours: Hours | None,
                          around_the_clock: bool = False) -> timedelta:
    """Open time from a to b (negative when b is before a): how late, in working time."""
    ua, ub = a.astimezone(UTC), b.astimezone(UTC)
    if ub < ua:
        return -business_time_between(b, a, hours, around_the_clock)
    if around_the_clock or always_open(hours):
        return ub - ua
    assert hours is not None
    tz = ZoneInfo(hours.timezone)
    first, last = a.astimezone(tz).date(), b.astimezone(tz).date()
    total = timedelta(0)
    for offset in range((last - first).days + 2):
        for s, e in _windows(hours, first + timedelta(days=offset), tz):
            lo, hi = max(s, ua), min(e, ub)
            if hi > lo:
                total += hi - lo
    return total
