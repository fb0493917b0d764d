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
from pathlib import Path

from monitor.config_schema import LIST_SCHEMA, ConfigError, ConfigProblem, schema_problems

DEFAULT_MAX_PAGES = 10


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


def _source(data) -> ListSource:
    if isinstance(data, str):
        data = {"url": data}
    skip = data.get("skip_text") or ()
    spec = data.get("datasource")
    return ListSource(
        url=data["url"], format=data.get("format", "html"), entries=data.get("entries"), link=data.get("link"),
        date=data.get("date"), page=data.get("page"), first_page_number=data.get("first_page_number", 2),
        next=data.get("next"), per_day=bool(data.get("per_day", False)), pages=data.get("pages"),
        skip_text=(skip,) if isinstance(skip, str) else tuple(skip),
        datasource=DatasourceSpec(attribute=spec["attribute"], id=re.compile(spec["id"]), url=spec["url"],
                                  entries=spec["entries"], link=spec["link"], date=spec.get("date"))
        if spec else None,
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
    return ListConfig(articles=tuple(re.compile(p) for p in ([patterns] if isinstance(patterns, str) else patterns)),
                      sources=tuple(_source(s) for s in section["sources"]),
                      max_pages=section.get("max_pages", DEFAULT_MAX_PAGES))
