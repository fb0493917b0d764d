"""The day a list entry shows, read from its date text or, failing that, from the article URL.

List pages print dates in many shapes ("2026-01-15", "2026年01月15日", "01-15 10:20", epoch
milliseconds in JSON lists); article URLs of most outlets carry the publish day in their path.
Only the day matters here: it decides whether to fetch an article and whether to read on.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from monitor.extract.dates import url_date
from monitor.window import BEIJING

_FULL = re.compile(r"(20\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
_COMPACT = re.compile(r"(?<!\d)(20\d{2})(\d{2})(\d{2})(?!\d)")
_MONTH_DAY = re.compile(r"(?<!\d)(\d{1,2})\s*[-/月]\s*(\d{1,2})(?!\d)")


def _day(year, month, day) -> date | None:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def date_from_text(text, reference: date | None = None) -> date | None:
    """The day in a list entry's date text (or epoch number); None when it shows none.

    A month-day without a year ("01-15") takes the year that puts it on or before `reference`.
    """
    if text is None:
        return None
    if isinstance(text, (int, float)) or (isinstance(text, str) and re.fullmatch(r"\d{10}|\d{13}", text.strip())):
        seconds = float(text) / (1000 if float(text) > 1e11 else 1)
        return datetime.fromtimestamp(seconds, BEIJING).date()
    text = str(text)
    match = _FULL.search(text)
    if match:
        return _day(*match.groups())
    match = _COMPACT.search(text)
    if match:
        return _day(*match.groups())
    match = _MONTH_DAY.search(text)
    if match and reference is not None:
        found = _day(reference.year, *match.groups())
        if found and found > reference + timedelta(days=1):
            found = _day(reference.year - 1, *match.groups())
        return found
    return None


def date_from_url(url: str) -> date | None:
    """The publish day an article URL carries in its path, if any (the extractor's own reading)."""
    return url_date(url)[0]
