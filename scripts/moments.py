"""The moments `make test-dates` runs the suite at, in UTC for faketime, counted from today so
they never go stale: the next daylight-saving changes in the organisation's time zone (a Sunday
night), the next New Year's Eve at 23:50, the next Saturday afternoon, a year from now, and a
Saturday night a year ahead (the one `.ci/run` uses).

    python scripts/moments.py            # every moment: "label<TAB>YYYY-MM-DD HH:MM:SS" (UTC)
    python scripts/moments.py ci         # only the CI moment
"""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

ZONE = ZoneInfo("Europe/Amsterdam")


def _dst_changes(after: datetime, count: int) -> list[datetime]:
    """The next `count` moments the zone's UTC offset changes (found hour by hour)."""
    found: list[datetime] = []
    t = after.replace(minute=0, second=0, microsecond=0)
    offset = t.astimezone(ZONE).utcoffset()
    while len(found) < count:
        t += timedelta(hours=1)
        now_offset = t.astimezone(ZONE).utcoffset()
        if now_offset != offset:
            found.append(t)
            offset = now_offset
    return found


def _next_weekday(start: date, weekday: int) -> date:
    return start + timedelta(days=(weekday - start.weekday()) % 7 or 7)


def moments(now: datetime) -> list[tuple[str, datetime]]:
    local_today = now.astimezone(ZONE).date()
    out = []
    for change in _dst_changes(now, 2):
        # Half an hour before the clocks change, in the small hours of that Sunday.
        before = change - timedelta(minutes=30)
        kind = "spring forward" if before.astimezone(ZONE).dst() == timedelta(0) else "fall back"
        out.append((f"dst-{kind.replace(' ', '-')} {before.astimezone(ZONE):%Y-%m-%d %H:%M %Z}",
                    before))
    nye = datetime.combine(date(local_today.year, 12, 31), time(23, 50), ZONE)
    if nye <= now:
        nye = nye.replace(year=nye.year + 1)
    out.append((f"new-years-eve {nye:%Y-%m-%d %H:%M %Z}", nye))
    saturday = datetime.combine(_next_weekday(local_today, 5), time(15, 0), ZONE)
    out.append((f"saturday-afternoon {saturday:%Y-%m-%d %H:%M %Z}", saturday))
    year = now + timedelta(days=365)
    out.append((f"a-year-from-now {year.astimezone(ZONE):%Y-%m-%d %H:%M %Z}", year))
    out.append(ci_moment(now))
    return out


def ci_moment(now: datetime) -> tuple[str, datetime]:
    """A Saturday night a year ahead (23:30 local)."""
    day = _next_weekday(now.astimezone(ZONE).date(), 5) + timedelta(weeks=52)
    night = datetime.combine(day, time(23, 30), ZONE)
    return f"saturday-night-a-year-ahead {night:%Y-%m-%d %H:%M %Z}", night


def main(argv: list[str]) -> int:
    now = datetime.now(UTC)
    chosen = [ci_moment(now)] if argv[1:] == ["ci"] else moments(now)
    for label, at in chosen:
        print(f"{label}\t{at.astimezone(UTC):%Y-%m-%d %H:%M:%S}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
