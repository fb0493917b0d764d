"""Publish times: parsing the texts pages use, the date in an article URL, and reconciling the two.

All results are aware datetimes in Beijing time. Pure functions; "now" is passed in by the caller.
"""
from __future__ import annotations

import re
from datetime import date, datetime, time

from monitor.window import BEIJING

# Generic patterns, most specific first. Named groups: year month day [noon hour minute [second]].
# Between the day and the time a page may show a weekday (星期三, 週三, 周三) and a half of the day
# (上午/下午…, read as a 12-hour clock).
_BETWEEN = r"(?:\s*(?:星期|礼拜|周|週)[一二三四五六日天])?\s*(?P<noon>上午|下午|中午|晚上|凌晨|早上|早晨|傍晚|AM|PM|am|pm)?"
_TIME = (r"(?:" + _BETWEEN + r"\s*(?P<hour>[01]?\d|2[0-3])\s*[:：时]\s*(?P<minute>[0-5]\d)"
         r"(?:\s*[:：分]\s*(?P<second>[0-5]\d))?)?")
GENERIC_PATTERNS = (
    re.compile(r"(?P<year>(?:19|20)\d{2})\s*年\s*(?P<month>1[0-2]|0?[1-9])\s*月\s*(?P<day>3[01]|[12]\d|0?[1-9])\s*日" + _TIME),
    re.compile(r"(?P<year>(?:19|20)\d{2})[-/.](?P<month>1[0-2]|0?[1-9])[-/.](?P<day>3[01]|[12]\d|0?[1-9])(?!\d)(?:T|\s*)" + _TIME),
    # A two-digit year only where a label says it is a date: '发布时间：18-03-08 23:16'.
    re.compile(r"(?:发布|时间|日期)\s*[:：]?\s*(?P<yy>\d{2})[-/.](?P<month>1[0-2]|0?[1-9])[-/.]"
               r"(?P<day>3[01]|[12]\d|0?[1-9])(?!\d)\s*" + _TIME),
)
_AFTERNOON = ("下午", "晚上", "傍晚", "PM", "pm")

# Dates in article URLs: /2026-01/13/, /2026/01-13/, /2026/0113/, /2026/01/13/, /202601/13/, 20260113.
_URL_PATTERNS = (
    re.compile(r"/(?P<year>20\d{2})-(?P<month>\d{2})/(?P<day>\d{2})/"),
    re.compile(r"/(?P<year>20\d{2})/(?P<month>\d{2})-(?P<day>\d{2})/"),
    re.compile(r"/(?P<year>20\d{2})/(?P<month>\d{2})(?P<day>\d{2})/"),
    re.compile(r"/(?P<year>20\d{2})/(?P<month>\d{2})/(?P<day>\d{2})/"),
    re.compile(r"/(?P<year>20\d{2})(?P<month>\d{2})/(?P<day>\d{2})/"),
    re.compile(r"/(?P<year>20\d{2})-(?P<month>\d{2})-(?P<day>\d{2})/"),
    re.compile(r"(?<![0-9a-f])(?P<year>20\d{2})(?P<month>\d{2})(?P<day>\d{2})(?![0-9a-f])"),
)


def _from_match(match: re.Match) -> datetime | None:
    parts = match.groupdict()
    hour = int(parts.get("hour") or 0)
    if parts.get("noon") in _AFTERNOON and hour < 12 or parts.get("noon") == "中午" and hour < 11:
        hour += 12
    elif parts.get("noon") in ("上午", "凌晨", "AM", "am") and hour == 12:  # 上午12:30 is 00:30, as 12:30 AM
        hour = 0
    try:
        year = int(parts["year"]) if parts.get("year") else 2000 + int(parts["yy"])
        day = date(year, int(parts["month"]), int(parts["day"]))
        moment = time(hour, int(parts.get("minute") or 0), int(parts.get("second") or 0))
    except (TypeError, ValueError):
        return None
    return datetime.combine(day, moment, BEIJING)


def has_time_of_day(match: re.Match) -> bool:
    return bool(match.groupdict().get("hour"))


def parse_datetime(text: str | None, patterns=()) -> tuple[datetime | None, str | None]:
    """The first date (with time of day where given) in `text`: (Beijing datetime, matched text).

    `patterns` (a site's own regexes with named groups year/month/day[/hour/minute/second]) are
    tried before the generic ones. ISO 8601 with a zone (meta tags) is converted to Beijing time.
    """
    if not text:
        return None, None
    text = " ".join(text.split())
    iso = _parse_iso(text)
    if iso is not None:
        return iso, text
    for pattern in (*patterns, *GENERIC_PATTERNS):
        for match in pattern.finditer(text):
            moment = _from_match(match)
            if moment is not None:
                return moment, match.group(0).strip()
    return None, None


def _parse_iso(text: str) -> datetime | None:
    if "T" not in text or len(text) > 40:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=BEIJING)
    return moment.astimezone(BEIJING)


def url_date(url: str) -> tuple[date | None, str | None]:
    """The publish day an article URL carries, with the part of the URL it was read from."""
    path = url.split("?", 1)[0]
    for pattern in _URL_PATTERNS:
        for match in pattern.finditer(path):
            moment = _from_match(match)
            if moment is not None and moment.year >= 2000:
                return moment.date(), match.group(0).strip("/")
    return None, None
