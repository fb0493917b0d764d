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


# A site-name suffix on a document title: "标题-新华网", "标题_央广网", "标题 | 健康频道".
_SITE_SUFFIX = re.compile(r"\s*[-_|｜—–]+\s*[^-_|｜—–]{0,12}(?:网|报|台|频道|客户端|新闻|门户|首页|网站)[^-_|｜—–]{0,6}$")


def strip_site_suffix(title: str) -> str:
    stripped = _SITE_SUFFIX.sub("", title)
    return stripped if len(stripped) >= 6 else title


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
    return strip_site_suffix(document_title) if document_title else best


def meta_time(root):
    """(datetime, raw) from publish-time meta tags."""
    for name in DATE_METAS:
        value = meta_content(root, name)
        moment, raw = parse_datetime(value)
        if moment is not None:
            return moment, raw
    return None, None


def visible_time(root, patterns=(), day=None):
    """(datetime, raw) from the first visible date line, preferring one with a time of day.

    Elements marked as time/date/source lines come first. Given `day` (a date already known from a
    meta tag), any short element with a time of day on that day also counts.
    """
    if day is not None:
        for node in root.iter("span", "div", "p", "em", "time", "td", "li", "i", "font"):
            text = node_text(node)
            if 6 <= len(text) <= 80:
                moment, raw = parse_datetime(text, patterns)
                if moment is not None and moment.date() == day and (moment.hour or moment.minute):
                    return moment, raw
        return None, None
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


_INFO_LINE = re.compile(r"(?:\d{4}[-年/.]\d{1,2}[-月/.]\d{1,2}|来源\s*[:：]|作者\s*[:：]|分享到)")


_CONTAINERS = ("div", "article", "section", "td", "main", "span", "font", "center")


def paragraph_cluster(root):
    """The element holding the most paragraph text in its own <p> children (links discounted), or None.

    News CMSs put an article's paragraphs side by side in one container; navigation and related
    lists are mostly link text.
    """
    best, best_score = None, 0
    for node in root.iter(*_CONTAINERS):
        score = 0
        for child in node:
            if child.tag not in ("p", "h2", "h3", "h4", "blockquote", "ul", "ol", "table"):
                continue
            text = node_text(child)
            linked = sum(len(node_text(a)) for a in child.iter("a"))
            if len(text) >= 8 and linked < len(text) / 2:
                score += len(text) - linked
        if score > best_score:
            best, best_score = node, score
    return best


def generic_body(root, url: str, title: str | None = None):
    """The main text as an element, or None: the paragraph cluster of the de-noised page, else
    trafilatura's output. The headline and the date/source line at the top are dropped (they are fields).
    """
    from monitor.extract.body import prune_noise

    page = copy.deepcopy(root)
    prune_noise(page)
    cluster = paragraph_cluster(page)
    if cluster is not None and len(node_text(cluster)) >= 200:
        return _without_heading(cluster, title)
    body = _trafilatura_body(page, url)
    return _without_heading(body, title) if body is not None else None


def _trafilatura_body(page, url):
    import trafilatura
    output = trafilatura.extract(page, url=url, output_format="html", include_images=True,
                                 include_tables=True, include_comments=False, include_links=False,
                                 include_formatting=True, with_metadata=False)
    if not output:
        return None
    tree = html.fromstring(output)
    return tree.find(".//body") if tree.find(".//body") is not None else tree


def _without_heading(body, title):
    for block in list(body.iter())[1:4]:
        text = node_text(block)
        if block.getparent() is None or not text:
            continue
        if text == title or (len(text) <= 80 and _INFO_LINE.search(text) and not text.endswith("。")):
            block.getparent().remove(block)
    return body


_ORIGIN_LINE = re.compile(r"(?<![图片文字])来源\s*[:：]")


def visible_origin(root) -> str | None:
    """The text of the first short page element that says 来源：X (image credits excluded)."""
    for node in root.iter("span", "div", "p", "em", "td", "li"):
        text = node_text(node)
        if len(text) <= 200 and _ORIGIN_LINE.search(text):
            return text
    return None


def site_name(root, host: str) -> str:
    """The site's own name for an unknown outlet: og:site_name/application-name, else the host."""
    name = meta_content(root, "og:site_name", "application-name", "SiteName", "sitename", "site")
    return squash(name) if name else host.removeprefix("www.")
