"""The publish time of a page: ordered sources over the parsed tree, reconciled into one time.

Each source is a small pure function returning the candidates it sees, in its own order of trust:

1. `site_times`: the outlet's `published_at` selectors (its rules, when it has some);
2. `structured_times`: JSON-LD `datePublished`, `<time datetime>` and publish-time `<meta>` tags;
3. `headline_times`: the first date in the visible text just after the headline ("2024-05-13 09:16
   来源：…" under the title, the way nearly every Chinese news template shows it);
4. `hinted_times`: elements whose class/id says time/date/pub;
5. `script_times`: publish-time variables in inline scripts (`"pubtime": "2019-09-07 19:02:26"`);
6. `htmldate_times`: htmldate's reading of the whole document (headers, JSON, text patterns).

`choose` takes the first plausible candidate — never in the future, never more than a day from the
date in the URL — and then refines it: a later candidate on the same day adds a time of day the
first one lacks, and a displayed time of day replaces a machine time that differs from it by whole
hours only (a time zone written wrongly, e.g. UTC labelled as local time).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from lxml import etree

from monitor.extract.dates import parse_datetime, url_date
from monitor.extract.fields import first_text, meta_content, node_text
from monitor.window import BEIJING

# Meta tags that carry a publish time, most trustworthy first (never modified/update times).
DATE_METAS = ("article:published_time", "publishdate", "pubdate", "publish_date", "publish-date", "publish_time",
              "publishtime", "og:release_date", "firstpublishedtime", "datepublished", "dc.date.issued",
              "dcterms.issued", "dc.date", "weibo: article:create_at", "sailthru.date", "date")
# Elements whose class/id marks a visible publish line.
_DATE_HINT = re.compile(r"time|date|pub|info|source|sj|fbsj|meta", re.IGNORECASE)
# Publish-time keys in inline scripts (JSON objects and `var x = "…"` assignments).
_SCRIPT_TIME = re.compile(
    r"""["']?\b(?:pubtime|pub_time|pubTime|pubDate|pub_date|publishTime|publish_time|publishtime|publishDate|"""
    r"""publish_date|datePublished|releaseTime|release_time|ptime|createTime|create_time)\b["']?\s*[:=]\s*"""
    r"""["']([^"']{8,40})["']""")
# How much visible text after the headline may hold its date line (the headline's own block, a
# byline, a source): beyond it the text is the article or the page around it.
HEADLINE_REACH = 300
#: A run of text longer than this (characters) is article text, not a date or byline line.
LONG_TEXT = 80
_SKIP_TEXT = ("script", "style", "noscript", "template", "select", "option")


@dataclass(frozen=True)
class Candidate:
    moment: datetime
    raw: str
    source: str  # site | structured | headline | hinted | script | htmldate

    @property
    def has_time(self) -> bool:
        return bool(self.moment.hour or self.moment.minute or self.moment.second)

    @property
    def displayed(self) -> bool:
        return self.source in ("site", "headline", "hinted")


def _candidate(text, source, patterns=()) -> Candidate | None:
    moment, raw = parse_datetime(text, patterns)
    return Candidate(moment, raw, source) if moment is not None else None


def site_times(root, selectors, patterns=()) -> list[Candidate]:
    found = []
    for selector in selectors or ():
        text, _ = first_text(root, [selector])
        candidate = _candidate(text, "site", patterns)
        if candidate is not None:
            found.append(candidate)
    return found


def structured_times(root) -> list[Candidate]:
    found = []
    for script in root.iter("script"):
        if "ld+json" in (script.get("type") or "").lower() and script.text:
            for value in _json_ld_dates(script.text):
                candidate = _candidate(value, "structured")
                if candidate is not None:
                    found.append(candidate)
    for node in root.iter("time"):
        if node.get("pubdate") is not None or (node.get("itemprop") or "").lower() == "datepublished":
            candidate = _candidate(node.get("datetime"), "structured")
            if candidate is not None:
                found.append(candidate)
    for name in DATE_METAS:
        candidate = _candidate(meta_content(root, name), "structured")
        if candidate is not None:
            found.append(candidate)
    return found


def _json_ld_dates(text: str) -> list[str]:
    try:
        data = json.loads(text)
    except ValueError:
        match = re.search(r'"datePublished"\s*:\s*"([^"]+)"', text)
        return [match.group(1)] if match else []
    values, stack = [], [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if isinstance(item.get("datePublished"), str):
                values.append(item["datePublished"])
            stack.extend(v for v in item.values() if isinstance(v, (dict, list)))
        elif isinstance(item, list):
            stack.extend(item)
    return values


def text_after(node, limit: int = HEADLINE_REACH) -> str:
    """The short visible text following `node` in document order (its tail onward), up to `limit`
    characters or the first run of article text — a date line is short; a date inside the article's
    first paragraph ("2019年2月27日下午，…") is not the publish time.
    """
    parts, size = [], 0
    for piece in _texts_after(node):
        piece = " ".join((piece or "").split())
        if not piece:
            continue
        if _is_prose(piece) or size >= limit:
            break
        parts.append(piece)
        size += len(piece)
    return " ".join(parts)


def _is_prose(piece: str) -> bool:
    """A run of article text (long, or sentences), where a date is the event's, not the publish time."""
    return len(piece) > LONG_TEXT or piece.count("，") + piece.count("。") >= 2


def _texts_after(node):
    """The text pieces after `node` in document order, outside its own subtree."""
    yield node.tail
    current = node
    while current is not None:
        sibling = current.getnext()
        while sibling is not None:
            yield from _texts_of(sibling)
            sibling = sibling.getnext()
        current = current.getparent()
        if current is not None:
            yield current.tail


def _texts_of(node):
    if isinstance(node.tag, str) and node.tag not in _SKIP_TEXT:
        yield node.text
        for child in node:
            yield from _texts_of(child)
    yield node.tail


def headline_times(headline, patterns=()) -> list[Candidate]:
    if headline is None:
        return []
    candidate = _candidate(text_after(headline), "headline", patterns)
    return [candidate] if candidate is not None else []


def hinted_times(root, patterns=()) -> list[Candidate]:
    found = []
    for node in root.iter("span", "div", "p", "em", "time", "td", "li", "i", "font", "small"):
        marker = f"{node.get('class') or ''} {node.get('id') or ''}"
        if node.tag == "time" or _DATE_HINT.search(marker):
            text = node_text(node)
            if 6 <= len(text) <= 200:
                candidate = _candidate(text, "hinted", patterns)
                if candidate is not None:
                    found.append(candidate)
    # One with a time of day first: a bare day is often a list entry's.
    return sorted(found, key=lambda c: not c.has_time)


def script_times(root) -> list[Candidate]:
    found = []
    for script in root.iter("script"):
        if not script.text or "ld+json" in (script.get("type") or "").lower():
            continue
        for match in _SCRIPT_TIME.finditer(script.text):
            value = match.group(1)
            if value.isdigit():
                continue
            candidate = _candidate(value, "script")
            if candidate is not None:
                found.append(candidate)
    return found


def htmldate_times(root, now: datetime) -> list[Candidate]:
    from htmldate import find_date

    try:
        # url="": the URL's date is this module's own last resort and bound; given the URL, htmldate
        # would answer with it before looking at the page.
        value = find_date(root, url="", original_date=True, extensive_search=False,
                          outputformat="%Y-%m-%d %H:%M:%S", max_date=now.astimezone(BEIJING).strftime("%Y-%m-%d"))
    except (ValueError, TypeError, etree.LxmlError):  # htmldate on a malformed tree: no date from it
        return []
    candidate = _candidate(value, "htmldate")
    return [candidate] if candidate is not None else []


def day_times(root, day: date, patterns=()) -> list[Candidate]:
    """Times of day shown in any short element on `day` (a day already known without one)."""
    found = []
    for node in root.iter("span", "div", "p", "em", "time", "td", "li", "i", "font"):
        text = node_text(node)
        if 6 <= len(text) <= 80:
            candidate = _candidate(text, "hinted", patterns)
            if candidate is not None and candidate.moment.date() == day and candidate.has_time:
                found.append(candidate)
                break
    return found


def find_published(root, url: str, now: datetime, *, headline=None, selectors=(), patterns=()
                   ) -> tuple[datetime | None, str | None]:
    """(publish time, the text it was read from) for a page, or the URL's date, or (None, None)."""
    displayed_sources = (lambda: site_times(root, selectors, patterns), lambda: structured_times(root),
                         lambda: headline_times(headline, patterns), lambda: hinted_times(root, patterns))
    late_sources = (lambda: script_times(root), lambda: htmldate_times(root, now))
    chosen = choose(displayed_sources, late_sources, url, now,
                    refine=lambda day: day_times(root, day, patterns))
    if chosen is not None:
        return chosen.moment, chosen.raw
    day, raw = url_date(url)
    if day is not None and datetime.combine(day, time.min, BEIJING) <= now.astimezone(BEIJING):
        return datetime.combine(day, time.min, BEIJING), raw
    return None, None


def choose(displayed_sources, late_sources, url: str, now: datetime, refine=lambda day: []) -> Candidate | None:
    """The first plausible candidate, refined by the later ones (see the module's docstring).

    Sources are callables asked in order and only as far as needed: the late ones (scripts,
    htmldate — the slowest) only while no time of day has been found.
    """
    now = now.astimezone(BEIJING)
    day, _ = url_date(url)
    bound = day if day is not None and day <= now.date() else None
    seen: list[Candidate] = []
    for source in displayed_sources:
        seen.extend(c for c in source() if _plausible(c, bound, now))
        if seen and seen[0].has_time and seen[0].displayed:
            return seen[0]
    for source in late_sources:
        if any(c.has_time for c in seen):
            break
        seen.extend(c for c in source() if _plausible(c, bound, now))
    if not seen:
        return None
    first = seen[0]
    if not first.has_time:
        # A later candidate (or any element) with a time of day on the same day is more precise.
        same_day = [c for c in seen[1:] if c.has_time and c.moment.date() == first.moment.date()]
        same_day = same_day or [c for c in refine(first.moment.date()) if _plausible(c, bound, now)]
        return same_day[0] if same_day else first
    return _displayed_time(seen, first) or first


def _displayed_time(seen, machine: Candidate) -> Candidate | None:
    """A displayed time that differs from a machine-readable one by whole hours only (a zone error)."""
    for candidate in seen:
        if not (candidate.displayed and candidate.has_time):
            continue
        shift = candidate.moment - machine.moment
        if shift and abs(shift) <= timedelta(hours=14) and shift % timedelta(hours=1) == timedelta(0):
            return candidate
    return None


def _plausible(candidate: Candidate, bound: date | None, now: datetime) -> bool:
    if candidate.moment > now or candidate.moment.year < 1995:
        return False
    return bound is None or abs(candidate.moment.date() - bound) <= timedelta(days=1)
