"""Date windows: inclusive ranges of calendar days in Beijing time.

A crawl's window comes from `since`/`until` (default: the last 7 days); a report issue's window
from its profile's rule (weekly: Saturday to Friday ending on the issue date; monthly: the calendar
month of the issue date).
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")


def beijing_now() -> datetime:
    return datetime.now(BEIJING)


#: The days a window or an issue may name: outside them a date is a typing mistake, and date arithmetic
#: near year 1 or 9999 would overflow.
FIRST_DAY, LAST_DAY = date(1970, 1, 1), date(2999, 12, 31)


def parse_day(value: str, what: str = "date") -> date:
    """YYYY-MM-DD between FIRST_DAY and LAST_DAY, or a ValueError that names what was wrong."""
    try:
        day = date.fromisoformat(value.strip())
    except (ValueError, AttributeError):
        raise ValueError(f"{what} {value!r} is not a date of the form YYYY-MM-DD") from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(f"{what} {value!r} is outside the dates accepted ({FIRST_DAY} to {LAST_DAY})")
    return day


@dataclass(frozen=True)
class Window:
    since: date
    until: date

    def __post_init__(self):
        if self.since > self.until:
            raise ValueError(f"the window starts ({self.since}) after it ends ({self.until})")

    @property
    def start(self) -> datetime:
        """First instant of the window (aware, Beijing time)."""
        return datetime.combine(self.since, time.min, BEIJING)

    @property
    def end(self) -> datetime:
        """First instant after the window (aware, Beijing time)."""
        return datetime.combine(self.until + timedelta(days=1), time.min, BEIJING)

    def contains(self, moment: datetime) -> bool:
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=BEIJING)
        return self.start <= moment < self.end

    def contains_day(self, day: date) -> bool:
        return self.since <= day <= self.until

    def __str__(self) -> str:
        return f"{self.since.isoformat()}..{self.until.isoformat()}"

    @classmethod
    def from_args(cls, since: str | None = None, until: str | None = None, *, days: int = 7,
                  today: date | None = None) -> "Window":
        """A crawl window from optional `since`/`until` strings; default the last `days` days."""
        until_day = parse_day(until, "until") if until else (today or beijing_now().date())
        since_day = parse_day(since, "since") if since else until_day - timedelta(days=days - 1)
        return cls(since_day, until_day)

    @classmethod
    def weekly(cls, issue_date: date) -> "Window":
        """Saturday through Friday ending on the issue date."""
        return cls(issue_date - timedelta(days=6), issue_date)

    @classmethod
    def monthly(cls, issue_date: date) -> "Window":
        last = calendar.monthrange(issue_date.year, issue_date.month)[1]
        return cls(issue_date.replace(day=1), issue_date.replace(day=last))
