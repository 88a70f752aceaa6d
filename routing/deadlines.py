"""Deadline arithmetic over business hours: pure, no I/O.

    due = add_business_time(start, timedelta(hours=4), hours)   # 4 working hours later
    due = add_business_time(start, timedelta(days=1), hours)    # the same time next working day
    due = add_business_time(start, d, hours, around_the_clock=True)  # start + d

Whole days in a duration count as working days (the same local time on the next day the
organisation is open, holidays skipped); the rest counts as open time, over several periods a
day. A moment outside hours starts counting at the next opening. Hours without any period, or
`around_the_clock`, mean plain clock time.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from routing.config import WEEKDAYS, Hours, Period

MAX_DAYS = 800  # a safety stop: hours that are (almost) never open


def _periods(hours: Hours, day: date) -> list[Period]:
    if day.isoformat() in hours.holidays:
        return []
    return list(hours.week.get(WEEKDAYS[day.weekday()], []))  # type: ignore[call-overload]


def _at(day: date, t: time, tz: ZoneInfo) -> datetime:
    if t == time(23, 59, 59):  # "24:00"
        return datetime.combine(day + timedelta(days=1), time(0), tz)
    return datetime.combine(day, t, tz)


def _windows(hours: Hours, day: date, tz: ZoneInfo) -> list[tuple[datetime, datetime]]:
    return sorted((_at(day, p.start, tz), _at(day, p.end, tz)) for p in _periods(hours, day))


def always_open(hours: Hours | None) -> bool:
    return hours is None or not any(hours.week.values())


def is_open(at: datetime, hours: Hours | None) -> bool:
    if always_open(hours):
        return True
    assert hours is not None
    tz = ZoneInfo(hours.timezone)
    local = at.astimezone(tz)
    return any(a <= local < b for a, b in _windows(hours, local.date(), tz))


def next_open(at: datetime, hours: Hours | None) -> datetime:
    """`at` if open then, else the next opening (in `at`'s time zone)."""
    if always_open(hours):
        return at
    assert hours is not None
    tz = ZoneInfo(hours.timezone)
    local = at.astimezone(tz)
    for offset in range(MAX_DAYS):
        for a, b in _windows(hours, local.date() + timedelta(days=offset), tz):
            if local < b:
                return max(a, local).astimezone(at.tzinfo)
    return at


def _add_open_time(start: datetime, amount: timedelta, hours: Hours) -> datetime:
    tz = ZoneInfo(hours.timezone)
    local = start.astimezone(tz)
    left = amount
    for offset in range(MAX_DAYS):
        for a, b in _windows(hours, local.date() + timedelta(days=offset), tz):
            if b <= local:
                continue
            begin = max(a, local)
            span = b - begin
            if left <= span:
                # Ending exactly at closing counts as closing time, never the next opening.
                return (begin + left).astimezone(start.tzinfo)
            left -= span
    return start + amount


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
    return datetime.combine(day, local.time(), tz).astimezone(start.tzinfo)


def add_business_time(start: datetime, duration: timedelta, hours: Hours | None,
                      around_the_clock: bool = False) -> datetime:
    """When `duration` of working time has passed after `start`."""
    if around_the_clock or always_open(hours):
        return start + duration
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
    if b < a:
        return -business_time_between(b, a, hours, around_the_clock)
    if around_the_clock or always_open(hours):
        return b - a
    assert hours is not None
    tz = ZoneInfo(hours.timezone)
    la, lb = a.astimezone(tz), b.astimezone(tz)
    total = timedelta(0)
    for offset in range((lb.date() - la.date()).days + 2):
        for s, e in _windows(hours, la.date() + timedelta(days=offset), tz):
            lo, hi = max(s, la), min(e, lb)
            if hi > lo:
                total += hi - lo
    return total
