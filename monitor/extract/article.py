"""`extract_article`: the article fields of one fetched page, by the outlet's rules or the generic path.

Pure: bytes in, a dict with the article document's field names out (see docs/mongodb.md). Site
rules come from the outlet's `article:` section (spiders_config/outlets/<key>.yaml, described in
docs/adding-an-outlet.md); every field is a small extraction with ordered fallbacks.
"""
from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urlsplit

from lxml import etree, html

from monitor.extract import body as body_
from monitor.extract import fields, generic
from monitor.extract.charset import decode_html
from monitor.extract.errors import ExtractionError, NotAnArticle  # noqa: F401  (raised here; callers import them from here)
from monitor.extract.published import find_published
from monitor.window import beijing_now

#: A body shorter than this (characters of text) is no article body.
MIN_BODY_CHARS = 30


def extract_article(body: bytes, url: str, *, outlet=None, content_type: str | None = None,
                    now: datetime | None = None) -> dict:
    """The article fields of a page. `now` (default: the current time) bounds the publish time."""
    rules = dict((outlet.config.get("article") if outlet is not None else None) or {})
    forced = outlet.config.get("encoding") if outlet is not None else None
    text, _ = decode_html(body, content_type, forced)
    root = _parse(text, url)
    host = (urlsplit(url).hostname or "").lower()

    title = _site_title(root, rules)
    headline = fields.first_node(root, rules.get("title")) if title else None
    body_node = fields.first_node(root, rules.get("body"))
    cleaned = editor_line = original_title = None
    if body_node is not None:
        cleaned, editor_line, original_title = body_.clean_body(body_node, url, rules.get("remove") or (), title=title)
        if len(fields.node_text(cleaned)) < MIN_BODY_CHARS:
            cleaned = None
    extracted_by = "site" if (title and cleaned is not None) else "generic"
    if extracted_by == "generic":
        if not title:
            title, headline = generic.find_headline(root)
        generic_node = generic.generic_body(root, url, title, headline)
        if generic_node is not None:
            cleaned, editor_line, original_title = body_.clean_body(generic_node, url, title=title, link_lines=True)
            if len(fields.node_text(cleaned)) < MIN_BODY_CHARS:
                cleaned = None
    if not title or cleaned is None:
        missing = ("neither a title nor an article body" if not title and cleaned is None
                   else "no title" if not title else f"no article body of at least {MIN_BODY_CHARS} characters")
        raise ExtractionError(f"{url}: found {missing}, by the site rules or the generic extractor; "
                              "check the page (`monitor extract --url URL --html FILE`) and the outlet's `article:` rules")

    markdown = body_.to_markdown(cleaned)
    published_at, published_raw = find_published(
        root, url, now or beijing_now(), headline=headline, selectors=rules.get("published_at") or (),
        patterns=tuple(re.compile(p) for p in rules.get("date_patterns") or ()))
    editor = fields.clean_editor(fields.first_text(root, rules.get("editor"))[0] or editor_line)
    author = _author(root, rules, body_.body_text(markdown).splitlines())
    same_site = outlet.covers if outlet is not None else (lambda h: _registrable(h) == _registrable(host))
    return {
        "url": fields.canonical_url(root, url, same_site),
        "source": outlet.source_for(url) if outlet is not None else generic.site_name(root, host),
        "title": title,
        "original_title": _original_title(root, rules) or original_title,
        "published_at": published_at,
        "published_at_raw": published_raw,
        "author": author if author != editor else None,
        "editor": editor,
        "origin": _origin(root, rules, outlet),
        "body_markdown": markdown,
        "body_text": body_.body_text(markdown),
        "images": body_.images(cleaned),
        "extracted_by": extracted_by,
    }


def _parse(text: str, url: str):
    # lxml refuses str input that carries an XML encoding declaration.
    text = re.sub(r"^\s*<\?xml[^>]*>", "", text)
    try:
        root = html.document_fromstring(text or "<html></html>", base_url=url)
    except (etree.ParserError, ValueError) as e:
        raise ExtractionError(f"{url}: the page could not be parsed as HTML ({e})") from None
    return root


def _registrable(host: str) -> str:
    labels = host.removeprefix("www.").split(".")
    keep = 3 if len(labels) >= 3 and labels[-2] in ("com", "gov", "org", "net", "edu") else 2
    return ".".join(labels[-keep:])


def _site_title(root, rules) -> str | None:
    text, _ = fields.first_text(root, rules.get("title"))
    return text


def _original_title(root, rules) -> str | None:
    text, _ = fields.first_text(root, rules.get("original_title"))
    if not text:
        return None
    return re.sub(r"^[\s(（【\[]*原标题\s*[:：]\s*", "", text).strip(" )）】]") or None


def _author(root, rules, body_lines) -> str | None:
    text, _ = fields.first_text(root, rules.get("author"))
    author = fields.clean_author(text) or fields.author_from_lines(body_lines)
    if author:
        return author
    return fields.clean_author(fields.meta_content(root, "article:author", "author"))


def _origin(root, rules, outlet) -> str | None:
    text, _ = fields.first_text(root, rules.get("origin"))
    origin = (fields.clean_origin(text) or fields.clean_origin(fields.meta_content(root, "source", "ContentSource"))
              or fields.clean_origin(generic.visible_origin(root)))
    if not origin:
        return None
    if outlet is None:
        # An unknown site naming itself as the source ('来源：健康时报网' on 健康时报网) names no origin.
        own = [generic.site_name(root, "")]
    else:
        own = [outlet.name, *outlet.source_by_host.values(), *(rules.get("own_names") or ())]
    return None if fields.is_own_name(origin, own) else origin
