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
          prefilter: true                # fetch only entries whose title/summary could be on topic
          scope: [www.news.cn/health/]   # where its articles live (monitor trace); derived when absent
          datasource: {...}              # JSON list files announced by the page (news.cn `ds_<id>.json`)
        - url: https://example.cn/api/list.json   # a JSON list API
          format: json
          entries: data.list             # dotted path to the entry array; link/date/title/summary: fields
          link: LinkUrl
        - url: https://www.chinanews.com.cn/rss/scroll-news.xml
          format: feed                   # RSS 0.9x/1.0/2.0 or Atom
        - url: https://www.example.cn/sitemap_news.xml
          format: sitemap                # a sitemap, news sitemap or sitemap index
        - url: http://search.people.cn/search-platform/front/search
          format: search                 # the outlet's own search, once per topic search term and page
          method: POST
          json: {key: "{term}", page: "{page}", startTime: "{since_ms}", endTime: "{until_ms}"}
          entries: data.records
          link: url
        - url: "https://paper.people.com.cn/rmrb/pc/layout/{day:%Y%m}/{day:%d}/node_01.html"
          per_day: true                  # e-paper: one URL per day of the window ({day:…} = strftime)
          pages: "#list a"               # CSS: links to the issue's other pages (版)
          entries: ".news-list li"

The schema (monitor/config_schema.py LIST_SCHEMA) is the only check; this module builds from a checked
section. A malformed section is reported as a `ListConfigError` naming the file and the key.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from monitor.config_schema import LIST_SCHEMA, ConfigError, ConfigProblem, schema_problems
from monitor.window import BEIJING

DEFAULT_MAX_PAGES = 10
#: Search result pages read per search term at most, unless the source says otherwise.
DEFAULT_SEARCH_PAGES = 3
#: A template value that is exactly one of these placeholders becomes a number, not a string.
_NUMERIC_PLACEHOLDERS = {"{page}", "{since_ms}", "{until_ms}", "{since_s}", "{until_s}"}


class ListConfigError(ConfigError):
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
class SearchSpec:
    """How one search request is made: the term, page and window go into its templates."""
    method: str = "GET"
    params: dict = field(default_factory=dict, hash=False)   # query string (templated values)
    json: dict | None = field(default=None, hash=False)       # POST JSON body (templated values)
    terms: tuple[str, ...] = ()                                # instead of the topic's search terms
    ok: dict = field(default_factory=dict, hash=False)        # dotted path -> value a good answer has


@dataclass(frozen=True)
class ScopePart:
    """Where a source's articles can live: a host (with its sub-hosts when `subdomains`) and a path prefix."""
    host: str
    path: str = "/"
    subdomains: bool = False

    @classmethod
    def parse(cls, text: str) -> "ScopePart":
        text = text.split("://", 1)[-1]
        host, _, path = text.partition("/")
        subdomains = host.startswith("*.")
        return cls(host.removeprefix("*.").lower(), "/" + path, subdomains)

    def covers(self, url: str) -> bool:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if not (host == self.host or (self.subdomains and host.endswith("." + self.host))):
            return False
        return (parts.path or "/").startswith(self.path)

    def __str__(self) -> str:
        return ("*." if self.subdomains else "") + self.host + self.path


@dataclass(frozen=True)
class ListSource:
    url: str
    format: str = "html"
    entries: str | None = None
    link: str | None = None
    date: str | None = None
    title: str | None = None
    summary: str | None = None
    page: str | None = None
    first_page_number: int = 2
    next: str | None = None
    per_day: bool = False
    pages: str | None = None
    skip_text: tuple[str, ...] = ()
    datasource: DatasourceSpec | None = None
    search: SearchSpec | None = None
    prefilter: bool = False
    scope: tuple[ScopePart, ...] = ()
    headers: dict = field(default_factory=dict, hash=False)
    max_pages: int | None = None
    name: str | None = None

    @property
    def label(self) -> str:
        """How summaries name the source: its `name`, else its kind and URL."""
        return self.name or f"{self.format} {self.url}"

    def covers(self, url: str) -> bool:
        """Whether an article at `url` lies where this source lists articles (its scope)."""
        return any(part.covers(url) for part in self.scope)


@dataclass(frozen=True)
class ListConfig:
    articles: tuple[re.Pattern, ...]
    sources: tuple[ListSource, ...]
    max_pages: int = DEFAULT_MAX_PAGES

    def is_article(self, url: str) -> bool:
        return any(p.search(url) for p in self.articles)

    def sources_covering(self, url: str) -> list[tuple[int, ListSource]]:
        return [(i, s) for i, s in enumerate(self.sources) if s.covers(url)]

    def page_limit(self, source: ListSource) -> int:
        return source.max_pages or (DEFAULT_SEARCH_PAGES if source.format == "search" else self.max_pages)


def derived_scope(url: str, *, per_day: bool = False) -> tuple[ScopePart, ...]:
    """A source's scope when it declares none: its host, under the directory of its URL (an e-paper's:
    under its first path segment, as its day pages and articles sit side by side there)."""
    parts = urlsplit(url)
    path = parts.path or "/"
    if per_day or "{" in path:
        first = path.lstrip("/").split("/", 1)[0]
        path = f"/{first}/" if first and "{" not in first and "/" in path.lstrip("/") else "/"
    else:
        path = path[: path.rfind("/") + 1] or "/"
    return (ScopePart((parts.hostname or "").lower(), path),)


def _source(data, domains: tuple[str, ...]) -> ListSource:
    if isinstance(data, str):
        data = {"url": data}
    skip = data.get("skip_text") or ()
    spec = data.get("datasource")
    kind = data.get("format", "html")
    search = None
    if kind == "search":
        terms = data.get("terms") or ()
        search = SearchSpec(method=data.get("method", "GET"), params=dict(data.get("params") or {}),
                            json=data.get("json"), terms=(terms,) if isinstance(terms, str) else tuple(terms),
                            ok=dict(data.get("ok") or {}))
    if data.get("scope"):
        scope = tuple(ScopePart.parse(s) for s in data["scope"])
    elif kind == "search":
        # a site search reaches every channel and sub-site of the outlet
        scope = tuple(ScopePart(d, "/", True) for d in domains)
    else:
        scope = derived_scope(data["url"], per_day=bool(data.get("per_day")))
    return ListSource(
        url=data["url"], format=kind, entries=data.get("entries"), link=data.get("link"),
        date=data.get("date"), title=data.get("title"), summary=data.get("summary"), page=data.get("page"),
        first_page_number=data.get("first_page_number", 1 if kind == "search" else 2),
        next=data.get("next"), per_day=bool(data.get("per_day", False)), pages=data.get("pages"),
        skip_text=(skip,) if isinstance(skip, str) else tuple(skip),
        datasource=DatasourceSpec(attribute=spec["attribute"], id=re.compile(spec["id"]), url=spec["url"],
                                  entries=spec["entries"], link=spec["link"], date=spec.get("date"))
        if spec else None,
        search=search, prefilter=bool(data.get("prefilter", False)), scope=scope,
        headers={str(k): str(v) for k, v in (data.get("headers") or {}).items()},
        max_pages=data.get("max_pages"), name=data.get("name"),
    )


def parse_list_config(config: dict, path: Path | str | None = None) -> ListConfig:
    """The outlet's `list:` section, checked against its schema (monitor/config_schema.py, the check every
    command makes at start); raises ListConfigError naming the file and key."""
    where = Path(path or f"{config.get('key') or 'outlet'}.yaml")
    section = config.get("list")
    if section is None:
        raise ListConfigError([ConfigProblem(where, "list", "no `list:` section (list pages and article URL "
                                                            "patterns; see docs/adding-an-outlet.md)")])
    problems = schema_problems(section, LIST_SCHEMA, where, "list")
    if problems:
        raise ListConfigError(problems)
    patterns = section["articles"]
    domains = tuple(config.get("domains") or ())
    return ListConfig(articles=tuple(re.compile(p) for p in ([patterns] if isinstance(patterns, str) else patterns)),
                      sources=tuple(_source(s, domains) for s in section["sources"]),
                      max_pages=section.get("max_pages", DEFAULT_MAX_PAGES))


# -- search request templates ---------------------------------------------------------------------

def template_values(term: str, page: int, since: date, until: date) -> dict:
    """What `{…}` placeholders in a search source's url, params and json stand for."""
    start = datetime.combine(since, time.min, BEIJING)
    end = datetime.combine(until + timedelta(days=1), time.min, BEIJING) - timedelta(milliseconds=1)
    return {"term": term, "page": page, "since": since, "until": until,
            "since_ms": int(start.timestamp() * 1000), "until_ms": int(end.timestamp() * 1000),
            "since_s": int(start.timestamp()), "until_s": int(end.timestamp())}


def fill(value, values: dict):
    """A template (a string, or a mapping/list of them) with its placeholders filled in; a string that is
    exactly a numeric placeholder ("{page}") becomes the number."""
    if isinstance(value, str):
        if value in _NUMERIC_PLACEHOLDERS:
            return values[value[1:-1]]
        return value.format_map(values)
    if isinstance(value, dict):
        return {k: fill(v, values) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, values) for v in value]
    return value
