"""The `list:` section of an outlet's YAML file: where its article links are listed.

    list:
      articles: ['^https?://www\\.news\\.cn/.../c\\.html$']   # article URLs; every other link is ignored
      max_pages: 10                      # list pages read per source at most (default 10)
      sources:
        - url: https://www.news.cn/health/   # a channel / list page (HTML)
          entries: "#list .item"         # CSS: one list entry (default: every link on the page)
          link: ".tit a"                 # CSS within an entry: the article link (default: first a[href] / a[data-href])
          date: ".time"                  # CSS within an entry: the date it shows (optional)
          page: "index_{n}.html"         # next pages: URL of page n, relative to the source URL …
          first_page_number: 2           # … counting from this n for the second page (default 2)
          next: "a.next"                 # … or CSS of the next-page link
          skip_text: [本版责编, 广告]    # entries whose text contains one of these are not articles
          datasource:                    # JSON list files announced by the page (news.cn `ds_<id>.json`)
            attribute: "[data^='datasource:']::attr(data)"
            id: "datasource:([0-9a-f]{32})"
            url: "ds_{id}.json"
            entries: datasource          # dotted path to the entry array
            link: publishUrl
            date: publishTime
        - url: https://example.cn/api/list.json   # a JSON list API
          format: json
          entries: data.list
          link: LinkUrl
          date: PubTime
        - url: "https://paper.people.com.cn/rmrb/pc/layout/{day:%Y%m}/{day:%d}/node_01.html"
          per_day: true                  # e-paper: one URL per day of the window ({day:…} = strftime)
          pages: "#list a"               # CSS: links to the issue's other pages (版)
          entries: ".news-list li"

A malformed section is reported as a `ListConfigError` naming the file and the key.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cssselect import SelectorError
from lxml import etree
from parsel.csstranslator import HTMLTranslator

DEFAULT_MAX_PAGES = 10


class ListConfigError(ValueError):
    """An outlet's `list:` section is missing a key or has a value of the wrong shape."""


@dataclass(frozen=True)
class DatasourceSpec:
    attribute: str
    id: re.Pattern
    url: str
    entries: str
    link: str
    date: str | None = None


@dataclass(frozen=True)
class ListSource:
    url: str
    format: str = "html"
    entries: str | None = None
    link: str | None = None
    date: str | None = None
    page: str | None = None
    first_page_number: int = 2
    next: str | None = None
    per_day: bool = False
    pages: str | None = None
    skip_text: tuple[str, ...] = ()
    datasource: DatasourceSpec | None = None


@dataclass(frozen=True)
class ListConfig:
    articles: tuple[re.Pattern, ...]
    sources: tuple[ListSource, ...]
    max_pages: int = DEFAULT_MAX_PAGES

    def is_article(self, url: str) -> bool:
        return any(p.search(url) for p in self.articles)


@lru_cache(maxsize=256)
def compiled_list_css(css: str) -> etree.XPath:
    """A list page's CSS selector (with parsel's ::text and ::attr(name)) as the XPath parsel runs."""
    try:
        return etree.XPath(HTMLTranslator().css_to_xpath(css))
    except (SelectorError, etree.XPathSyntaxError) as e:
        raise ValueError(f"{css!r} is not a valid CSS selector: {e}") from None


def _fail(where: str, what: str) -> ListConfigError:
    return ListConfigError(f"{where}: {what} (see docs/adding-an-outlet.md)")


def _text(value, where, key, required=False) -> str | None:
    if value is None:
        if required:
            raise _fail(where, f"`{key}` is required")
        return None
    if not isinstance(value, str) or not value.strip():
        raise _fail(where, f"`{key}` must be a non-empty string, not {value!r}")
    return value


def _regex(value, where, key) -> re.Pattern:
    try:
        return re.compile(_text(value, where, key, required=True))
    except re.error as e:
        raise _fail(where, f"`{key}` {value!r} is not a valid regular expression: {e}") from None


def _datasource(data, where) -> DatasourceSpec | None:
    if data is None:
        return None
    if not isinstance(data, dict):
        raise _fail(where, "`datasource` must be a mapping")
    return DatasourceSpec(
        attribute=_text(data.get("attribute"), where, "datasource.attribute", True),
        id=_regex(data.get("id"), where, "datasource.id"),
        url=_text(data.get("url"), where, "datasource.url", True),
        entries=_text(data.get("entries"), where, "datasource.entries", True),
        link=_text(data.get("link"), where, "datasource.link", True),
        date=_text(data.get("date"), where, "datasource.date"),
    )


def _source(data, where) -> ListSource:
    if isinstance(data, str):
        data = {"url": data}
    if not isinstance(data, dict):
        raise _fail(where, f"a list source must be a URL or a mapping, not {data!r}")
    unknown = set(data) - set(ListSource.__dataclass_fields__)
    if unknown:
        raise _fail(where, f"unknown key(s) {', '.join(sorted(unknown))}")
    url = _text(data.get("url"), where, "url", True)
    if not re.match(r"https?://", url):
        raise _fail(where, f"`url` {url!r} must start with http:// or https://")
    fmt = data.get("format", "html")
    if fmt not in ("html", "json"):
        raise _fail(where, f"`format` must be html or json, not {fmt!r}")
    if fmt == "json" and not (data.get("entries") and data.get("link")):
        raise _fail(where, "a json source needs `entries` (path to the entry array) and `link` (the URL field)")
    per_day = bool(data.get("per_day", False))
    if per_day and "{day" not in url:
        raise _fail(where, "a `per_day` source's url needs a {day:...} placeholder, e.g. {day:%Y%m}/{day:%d}")
    page = _text(data.get("page"), where, "page")
    if page and "{n}" not in page:
        raise _fail(where, f"`page` {page!r} needs an {{n}} placeholder for the page number")
    first = data.get("first_page_number", 2)
    if not isinstance(first, int) or first < 0:
        raise _fail(where, f"`first_page_number` must be a whole number, not {first!r}")
    skip = data.get("skip_text") or ()
    if isinstance(skip, str):
        skip = (skip,)
    return ListSource(
        url=url, format=fmt, entries=_text(data.get("entries"), where, "entries"),
        link=_text(data.get("link"), where, "link"), date=_text(data.get("date"), where, "date"),
        page=page, first_page_number=first, next=_text(data.get("next"), where, "next"),
        per_day=per_day, pages=_text(data.get("pages"), where, "pages"), skip_text=tuple(skip),
        datasource=_datasource(data.get("datasource"), where),
    )


def parse_list_config(config: dict, path: Path | str | None = None) -> ListConfig:
    """The outlet's `list:` section, checked; raises ListConfigError naming the file and key."""
    name = str(path or config.get("key") or "outlet config")
    section = config.get("list")
    if not isinstance(section, dict):
        raise _fail(name, "no `list:` section (list pages and article URL patterns)")
    patterns = section.get("articles")
    if isinstance(patterns, str):
        patterns = [patterns]
    if not patterns or not isinstance(patterns, list):
        raise _fail(f"{name} list", "`articles` must list at least one article URL regex")
    articles = tuple(_regex(p, f"{name} list.articles", "articles") for p in patterns)
    sources = section.get("sources")
    if not sources or not isinstance(sources, list):
        raise _fail(f"{name} list", "`sources` must list at least one list page")
    parsed = tuple(_source(s, f"{name} list.sources[{i}]") for i, s in enumerate(sources))
    max_pages = section.get("max_pages", DEFAULT_MAX_PAGES)
    if not isinstance(max_pages, int) or max_pages < 1:
        raise _fail(f"{name} list", f"`max_pages` must be a whole number of at least 1, not {max_pages!r}")
    return ListConfig(articles=articles, sources=parsed, max_pages=max_pages)
