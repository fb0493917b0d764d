"""List responses of every kind turned into list entries: pure functions over a response's body.

Each reader returns the entries it found (`ListEntry`: link as written, the date text it shows, title,
summary) or raises `BadList` with what was wrong, so that the spider can count and report the failure
against its source and go on with the others.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from io import BytesIO

import feedparser
from lxml import etree
from w3lib.html import remove_tags, replace_entities

from monitor.window import BEIJING

#: `callback({...});`: JSON wrapped for a script tag.
JSONP = re.compile(r"[\w$.]*\s*\((.*)\)\s*;?", re.DOTALL)
_GZIP_MAGIC = b"\x1f\x8b"


class BadList(ValueError):
    """A list response that is not what its source says it is (HTML for JSON, an API error, …)."""


@dataclass(frozen=True)
class ListEntry:
    link: str
    date: object = None        # the date text (or epoch number) the entry shows, if any
    title: str = ""
    summary: str = ""

    @property
    def text(self) -> str:
        return f"{self.title} {self.summary}".strip()


def plain(text) -> str:
    """Text of a title or summary that may hold markup (<em> highlights of search results) and entities."""
    if not isinstance(text, str):
        return "" if text is None else str(text)
    return " ".join(replace_entities(remove_tags(text)).split())


def dotted(data, path: str):
    for part in path.split("."):
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        else:
            return None
    return data


def load_json(text: str):
    """JSON or JSONP (`cb({...})`); BadList says what came instead (an HTML error page, …)."""
    text = text.strip().lstrip("\ufeff")
    if not text:
        raise BadList("an empty answer where JSON was expected")
    jsonp = JSONP.fullmatch(text) if not text.startswith(("{", "[")) else None
    try:
        return json.loads(jsonp.group(1) if jsonp else text)
    except ValueError as e:
        start = " ".join(text[:60].split())
        kind = "HTML" if text.startswith("<") else "text"
        raise BadList(f"{kind} where JSON was expected ({e}; it starts {start!r})") from None


def check_ok(data, ok: dict) -> None:
    """A search/API answer must carry the values its source's `ok:` names (e.g. code: "0")."""
    for path, wanted in ok.items():
        value = dotted(data, path)
        if str(value) != str(wanted):
            message = next((dotted(data, k) for k in ("message", "msg", "error", "errorMsg") if dotted(data, k)), None)
            raise BadList(f"the answer's {path} is {value!r}, not {wanted!r}"
                          + (f" ({plain(message)[:120]})" if message else ""))


def json_entries(data, entries: str, link: str, date: str | None = None, title: str | None = None,
                 summary: str | None = None) -> list[ListEntry]:
    items = dotted(data, entries)
    if not isinstance(items, list):
        raise BadList(f"no entry array at {entries!r}")
    found = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(dotted(item, link), str):
            continue
        found.append(ListEntry(
            link=dotted(item, link).strip(), date=dotted(item, date) if date else None,
            title=plain(dotted(item, title) if title else (item.get("title") or item.get("Title"))),
            summary=plain(dotted(item, summary)) if summary else ""))
    return found


def feed_entries(body: bytes) -> list[ListEntry]:
    """RSS 0.9x/1.0/2.0 or Atom (feedparser); a feed that does not parse at all is a BadList."""
    if not body.strip():
        raise BadList("an empty answer where a feed was expected")
    parsed = feedparser.parse(BytesIO(body))
    if parsed.bozo and not parsed.entries and not parsed.get("version"):
        raise BadList(f"not an RSS or Atom feed ({parsed.get('bozo_exception')})")
    if not parsed.entries and not parsed.get("version"):
        raise BadList("not an RSS or Atom feed (no channel or feed element)")
    found = []
    for entry in parsed.entries:
        link = entry.get("link") or next((l.get("href") for l in entry.get("links", []) if l.get("href")), None)
        if not link:
            continue
        # feedparser reads every date format feeds use (RFC 822, W3C) into UTC; the list wants Beijing days
        parsed_date = entry.get("published_parsed") or entry.get("updated_parsed")
        date = (datetime(*parsed_date[:6], tzinfo=timezone.utc).astimezone(BEIJING).isoformat() if parsed_date
                else entry.get("published") or entry.get("updated"))
        found.append(ListEntry(link=link.strip(), date=date, title=plain(entry.get("title")),
                               summary=plain(entry.get("summary"))))
    return found


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def sitemap_entries(body: bytes) -> tuple[list[ListEntry], list[ListEntry]]:
    """(article entries, child sitemaps) of a sitemap, news sitemap or sitemap index (gzip or not).
    An entry's date is its news:publication_date, else its lastmod; its title the news:title."""
    if body[:2] == _GZIP_MAGIC:
        from scrapy.utils.gz import gunzip
        try:
            body = gunzip(body)
        except OSError as e:
            raise BadList(f"a broken gzip sitemap ({e})") from None
    try:
        root = etree.fromstring(body.strip(), parser=etree.XMLParser(recover=False, resolve_entities=False,
                                                                     no_network=True, huge_tree=False))
    except etree.XMLSyntaxError as e:
        raise BadList(f"not XML where a sitemap was expected ({e})") from None
    if root is None or _local(root.tag) not in ("urlset", "sitemapindex"):
        raise BadList(f"not a sitemap (root element {_local(getattr(root, 'tag', None))!r}, "
                      "expected urlset or sitemapindex)")
    pages, children = [], []
    for element in root:
        kind = _local(element.tag)
        if kind not in ("url", "sitemap"):
            continue
        fields = {}
        for child in element.iter():
            name = _local(child.tag)
            if name and child.text and child.text.strip() and name not in fields:
                fields[name] = child.text.strip()
        if not fields.get("loc"):
            continue
        entry = ListEntry(link=fields["loc"], date=fields.get("publication_date") or fields.get("lastmod"),
                          title=plain(fields.get("title")), summary=plain(fields.get("keywords")))
        (children if kind == "sitemap" else pages).append(entry)
    return pages, children


def _is_link(href: str | None) -> bool:
    """A real link, not a script hook (`javascript:;`) or a bare anchor that scripts read data-href for."""
    href = (href or "").strip()
    return bool(href) and not href.startswith("#") and not href.lower().startswith("javascript:")


def html_entries(response, entries_css: str | None, link_css: str | None, date_css: str | None,
                 title_css: str | None = None, summary_css: str | None = None) -> list[ListEntry]:
    found = []
    entries = response.css(entries_css) if entries_css else response.css("a[href], a[data-href]")
    for entry in entries:
        if link_css:
            links = entry.css(link_css)
        elif entry.root.tag == "a":
            links = [entry]
        else:
            links = entry.css("a[href], a[data-href]")[:1]
        date_text = " ".join(entry.css(date_css).css("::text").getall()) if date_css else None
        text = " ".join(" ".join(entry.css("::text").getall()).split())
        summary = " ".join(" ".join(entry.css(summary_css).css("::text").getall()).split()) if summary_css else ""
        for link in links:
            href = next((h for h in (link.attrib.get("href"), link.attrib.get("data-href")) if _is_link(h)), None)
            if not href:
                continue
            if title_css:
                title = " ".join(" ".join(entry.css(title_css).css("::text").getall()).split())
            else:
                title = (" ".join(" ".join(link.css("::text").getall()).split()) or link.attrib.get("title")
                         or text)
            # the whole entry's text stands in for a summary: it is what skip_text and the pre-filter read
            found.append(ListEntry(link=href.strip(), date=date_text, title=title, summary=summary or text))
    return found
