"""The generic path: fields of a page no site rule covers (a new template, an unknown outlet).

The body comes from trafilatura (measured against the site rules in bench/accuracy.py); the title
and publish time from document-level signals, in order.
"""
from __future__ import annotations

import copy
import difflib
import re

from lxml import html

from monitor.extract.dates import parse_datetime
from monitor.extract.fields import meta_content, node_text, squash, title_from_document

# Meta tags that carry a publish time, most trustworthy first.
DATE_METAS = ("article:published_time", "publishdate", "pubdate", "PubDate", "publish_time", "publishtime",
              "og:release_date", "firstpublishedtime", "datePublished", "dc.date.issued", "dc.date",
              "weibo: article:create_at", "date")
# Elements whose text often is the visible publish line.
_DATE_HINT = re.compile(r"time|date|pub|info|source|sj|fbsj", re.IGNORECASE)


def generic_title(root) -> str | None:
    """The h1/h2 closest to the document title, else the document title itself."""
    document_title = title_from_document(root)
    best, best_score = None, 0.0
    for node in root.iter("h1", "h2"):
        text = node_text(node)
        if not (4 <= len(text) <= 120):
            continue
        score = difflib.SequenceMatcher(None, text, document_title or "").ratio() if document_title else 0.5
        score += 0.2 if node.tag == "h1" else 0.0
        if score > best_score:
            best, best_score = text, score
    if best and (best_score >= 0.6 or not document_title):
        return best
    return document_title or best


def meta_time(root):
    """(datetime, raw) from publish-time meta tags."""
    for name in DATE_METAS:
        value = meta_content(root, name)
        moment, raw = parse_datetime(value)
        if moment is not None:
            return moment, raw
    return None, None


def visible_time(root, patterns=()):
    """(datetime, raw) from the first date with a time of day near the top of the page's text."""
    candidates = []
    for node in root.iter("span", "div", "p", "em", "time", "td", "li", "i"):
        marker = f"{node.get('class') or ''} {node.get('id') or ''}"
        if node.tag == "time" or _DATE_HINT.search(marker):
            text = node_text(node)
            if 6 <= len(text) <= 200:
                candidates.append(text)
    for text in candidates:
        moment, raw = parse_datetime(text, patterns)
        if moment is not None and (moment.hour or moment.minute):
            return moment, raw
    for text in candidates:
        moment, raw = parse_datetime(text, patterns)
        if moment is not None:
            return moment, raw
    return None, None


def generic_body(root, url: str):
    """The main text as an element (trafilatura's HTML output), or None."""
    import trafilatura
    output = trafilatura.extract(copy.deepcopy(root), url=url, output_format="html", include_images=True,
                                 include_tables=True, include_comments=False, include_links=False,
                                 include_formatting=True, with_metadata=False)
    if not output:
        return None
    tree = html.fromstring(output)
    return tree.find(".//body") if tree.find(".//body") is not None else tree


def site_name(root, host: str) -> str:
    """The site's own name for an unknown outlet: og:site_name/application-name, else the host."""
    name = meta_content(root, "og:site_name", "application-name", "SiteName", "sitename", "site")
    return squash(name) if name else host.removeprefix("www.")
