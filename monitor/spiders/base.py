"""OutletSpider: discovers an outlet's articles from the list sources in its YAML file.

It reads the outlet's list pages (HTML channel lists, JSON list files, e-paper pages built per day of
the window), follows only links matching the outlet's article patterns, reads on to the next list
page while the list still shows days inside the window, and turns each article page into an
ArticleItem through `monitor.extract.article.extract_article`.

Every request carries `meta["outlet"]` (the outlet key) and `meta["page_kind"]` ("list" or
"article"); an article request also carries `meta["list_date"]` (ISO day) when its list entry
showed one. Middlewares rely on these keys.
"""
from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta, timezone
from urllib.parse import urldefrag, urljoin

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError

from monitor import workers
from monitor.items import ArticleItem
from monitor.outlets import Outlet, load_outlets
from monitor.spiders.listconfig import ListConfig, ListSource, parse_list_config
from monitor.spiders.listdates import date_from_text, date_from_url
from monitor.window import Window

ORIGIN_HANDLER = "monitor.spiders.origin.LocalOriginDownloadHandler"
#: `location.href = "…"` / `window.location.replace("…")` pages standing in for an article.
JS_REDIRECT = re.compile(r"""(?:location\.href|location\.replace)\s*(?:=|\()\s*["']([^"']+)["']""")
MAX_JS_REDIRECTS = 5
#: `callback({...});`: JSON wrapped for a script tag.
JSONP = re.compile(r"[\w$.]*\s*\((.*)\)\s*;?", re.DOTALL)


def _path(data, dotted: str):
    for part in dotted.split("."):
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        else:
            return None
    return data


class SpiderArgumentError(ValueError):
    """A spider's `-a` argument that cannot be used (a date that is no date, a check count that is no number)."""


class OutletSpider(scrapy.Spider):
    """Base of every outlet spider; `name` is the outlet key of a file in spiders_config/outlets/.

    Arguments (`-a`): `since`, `until` (YYYY-MM-DD, default the last 7 days); `check` (a number:
    read only the first list page and at most that many articles, whatever their dates — what
    `monitor outlets check` does).
    """

    outlet: Outlet
    list_config: ListConfig

    def __init__(self, *args, since: str | None = None, until: str | None = None, check: str | None = None,
                 **kwargs):
        super().__init__(*args, **kwargs)
        self.window, self.check_limit = self.parse_arguments(since, until, check)
        outlets = load_outlets()
        if self.name not in outlets:
            raise ValueError(f"spider {self.name}: no spiders_config/outlets/{self.name}.yaml")
        self.outlet = outlets[self.name]
        self.list_config = parse_list_config(self.outlet.config, self.outlet.path)
        self.articles_requested: set[str] = set()
        #: (url, page kind, reason) of every page that could not be fetched or yielded no article
        self.failures: list[tuple[str, str, str]] = []
        #: (url, article links found, other links ignored) of every list page read
        self.lists_read: list[tuple[str, int, int]] = []

    @classmethod
    def parse_arguments(cls, since: str | None = None, until: str | None = None,
                        check: str | None = None) -> tuple[Window, int | None]:
        """(window, check limit) from the `-a` arguments; SpiderArgumentError says what to write instead."""
        try:
            window = Window.from_args(since, until)
        except ValueError as e:
            raise SpiderArgumentError(f"spider {cls.name}: bad -a since/until: {e}; "
                                      f"use -a since=YYYY-MM-DD -a until=YYYY-MM-DD") from None
        try:
            check_limit = int(check) if check is not None else None
        except ValueError:
            check_limit = 0
        if check_limit is not None and check_limit < 1:
            raise SpiderArgumentError(f"spider {cls.name}: -a check={check!r} must be a number of articles")
        return window, check_limit

    @classmethod
    def update_settings(cls, settings):
        super().update_settings(settings)
        # Tests and `monitor outlets check --origin` answer every URL from a local server.
        if settings.get("MONITOR_ORIGIN_OVERRIDE"):
            handlers = {**settings.getdict("DOWNLOAD_HANDLERS"), "http": ORIGIN_HANDLER, "https": ORIGIN_HANDLER}
            settings.set("DOWNLOAD_HANDLERS", handlers, priority="spider")

    # -- requests ------------------------------------------------------------------------------

    def _stat(self, key: str, count: int = 1) -> None:
        self.crawler.stats.inc_value(f"monitor/{key}", count)

    def list_request(self, url: str, source_index: int, *, page_number: int = 1, day: date | None = None,
                     datasource: bool = False) -> scrapy.Request:
        meta = {"outlet": self.name, "page_kind": "list", "list_source": source_index, "page_number": page_number}
        if datasource:
            meta["list_format"] = "datasource"
        if day is not None:
            meta["list_day"] = day.isoformat()
        return scrapy.Request(url, callback=self.parse_list, meta=meta, errback=self.list_failed)

    def article_request(self, url: str, list_day: date | None, referer: str, hops: int = 0) -> scrapy.Request:
        meta = {"outlet": self.name, "page_kind": "article", "js_redirects": hops}
        if list_day is not None:
            meta["list_date"] = list_day.isoformat()
        return scrapy.Request(url, callback=self.parse_article, meta=meta, headers={"Referer": referer},
                              errback=self.article_failed)

    def days(self) -> list[date]:
        days, day = [], self.window.until
        while day >= self.window.since:
            days.append(day)
            day -= timedelta(days=1)
        return days

    async def start(self):
        sources = self.list_config.sources[:1] if self.check_limit is not None else self.list_config.sources
        for index, source in enumerate(sources):
            if source.per_day:
                days = self.days()[:1] if self.check_limit is not None else self.days()
                for day in days:
                    yield self.list_request(source.url.format(day=day), index, day=day)
            else:
                yield self.list_request(source.url, index)

    def list_failed(self, failure):
        request = failure.request
        if failure.check(HttpError) and failure.value.response.status == 404 and request.meta.get("list_day"):
            # e-paper days without an issue (Sundays, holidays) are normal
            self._stat("list_no_issue")
            self.logger.info("%s: no issue at %s", self.name, request.url)
            return
        self._stat("list_failed")
        self.failures.append((request.url, "list", failure.getErrorMessage()))
        self.logger.warning("%s: list page %s could not be read (%s); its articles are not discovered",
                            self.name, request.url, failure.getErrorMessage())

    def article_failed(self, failure):
        if failure.check(IgnoreRequest) and not failure.check(HttpError):
            return  # deliberately not fetched (already stored, robots.txt): not a failure of the site
        self._stat("article_failed")
        self.failures.append((failure.request.url, "article", failure.getErrorMessage()))
        self.logger.warning("%s: article %s could not be fetched (%s)", self.name, failure.request.url,
                            failure.getErrorMessage())

    # -- list pages ----------------------------------------------------------------------------

    def _entries(self, response, source: ListSource):
        """(link, date text, entry text) for each entry of an HTML or JSON list."""
        if response.meta.get("list_format") == "datasource":
            spec = source.datasource
            yield from self._json_entries(response, spec.entries, spec.link, spec.date)
            return
        if source.format == "json":
            yield from self._json_entries(response, source.entries, source.link, source.date)
            return
        entries = response.css(source.entries) if source.entries else response.css("a[href], a[data-href]")
        for entry in entries:
            if source.link:
                links = entry.css(source.link)
            elif entry.root.tag == "a":
                links = [entry]
            else:
                links = entry.css("a[href], a[data-href]")[:1]
            date_text = " ".join(entry.css(source.date).css("::text").getall()) if source.date else None
            text = " ".join(" ".join(entry.css("::text").getall()).split())
            for link in links:
                href = link.attrib.get("href") or link.attrib.get("data-href")
                if href:
                    yield href.strip(), date_text, text

    def _json_entries(self, response, entries_path, link_key, date_key):
        text = response.text.strip()
        jsonp = JSONP.fullmatch(text)
        try:
            data = json.loads(jsonp.group(1) if jsonp else text)
        except ValueError as e:
            self._stat("list_failed")
            self.failures.append((response.url, "list", f"not JSON: {e}"))
            self.logger.warning("%s: list %s is not JSON (%s); skipped", self.name, response.url, e)
            return
        entries = _path(data, entries_path)
        if not isinstance(entries, list):
            self._stat("list_failed")
            self.logger.warning("%s: list %s has no entry array at %r; check list.sources in %s",
                                self.name, response.url, entries_path, self.outlet.path)
            return
        for entry in entries:
            if isinstance(entry, dict) and isinstance(entry.get(link_key), str):
                date_text = entry.get(date_key) if date_key else None
                yield entry[link_key].strip(), date_text, str(entry.get("title") or entry.get("Title") or "")

    def parse_list(self, response):
        index = response.meta["list_source"]
        source = self.list_config.sources[index]
        issue_day = date.fromisoformat(response.meta["list_day"]) if response.meta.get("list_day") else None
        checking = self.check_limit is not None
        days_seen: list[date] = []
        found = ignored = 0
        for href, date_text, text in self._entries(response, source):
            url = urldefrag(response.urljoin(href))[0]  # e-paper links end in #page anchors
            if any(word in text for word in source.skip_text):
                continue
            if not self.list_config.is_article(url):
                ignored += 1
                continue
            found += 1
            day = date_from_text(date_text, self.window.until) or issue_day or date_from_url(url)
            if day is not None:
                days_seen.append(day)
            if url in self.articles_requested:
                continue  # listed twice (a page and its JSON list, two lists of one outlet)
            if checking:
                if len(self.articles_requested) >= self.check_limit:
                    continue
            elif day is not None and not self.window.contains_day(day):
                self._stat("list_entries_outside_window")
                continue
            self.articles_requested.add(url)
            yield self.article_request(url, day, response.url)
        self.lists_read.append((response.url, found, ignored))
        self._stat("list_links_ignored", ignored)
        self._stat("list_articles_found", found)
        self.logger.debug("%s: %s: %d article links, %d other links ignored", self.name, response.url, found, ignored)
        if found == 0 and response.meta.get("list_format") != "datasource" and not source.datasource:
            self._stat("list_empty")
            self.logger.warning("%s: list page %s shows no article links; check list.sources[%d] and "
                                "list.articles in %s", self.name, response.url, index, self.outlet.path)
        yield from self._datasource_requests(response, source, index)
        if source.pages and response.meta["page_number"] == 1:
            for href in response.css(source.pages).css("::attr(href)").getall():
                url = response.urljoin(href.strip())
                if url != response.url and not checking:
                    yield self.list_request(url, index, page_number=2, day=issue_day)
        if checking:
            return
        if days_seen and max(days_seen) < self.window.since:
            self._stat("list_paging_stopped")
            self.logger.info("%s: %s lists nothing newer than %s; not reading further pages",
                             self.name, response.url, self.window.since)
            return
        next_url = self._next_page(response, source)
        if next_url:
            yield self.list_request(next_url, index, page_number=response.meta["page_number"] + 1, day=issue_day)

    def _next_page(self, response, source: ListSource) -> str | None:
        number = response.meta["page_number"]
        if number >= self.list_config.max_pages or response.meta.get("list_format") == "datasource":
            return None
        if source.next:
            href = response.css(source.next).css("::attr(href)").get()
            return response.urljoin(href.strip()) if href else None
        if source.page and not source.pages:
            n = source.first_page_number + number - 1
            return urljoin(source.url, source.page.format(n=n))
        return None

    def _datasource_requests(self, response, source: ListSource, index: int):
        spec = source.datasource
        if spec is None or response.meta.get("list_format") == "datasource":
            return
        for value in response.css(spec.attribute).getall():
            match = spec.id.search(value)
            if match:
                url = response.urljoin(spec.url.format(id=match.group(1)))
                yield self.list_request(url, index, datasource=True)

    # -- article pages -------------------------------------------------------------------------

    async def parse_article(self, response):
        from monitor.extract.article import ExtractionError, extract_article

        content_type = response.headers.get("Content-Type")
        try:
            # in a worker process: parsing a page would otherwise hold up every download (monitor/workers.py)
            fields = await workers.wait(workers.run(
                extract_article, response.body, response.url, outlet=self.outlet,
                content_type=content_type.decode("latin-1") if content_type else None,
                processes=self.settings.getint("MONITOR_WORKER_PROCESSES", 1)))
        except (ExtractionError, workers.WorkerDied) as e:
            redirect = self._js_redirect(response) if isinstance(e, ExtractionError) else None
            if redirect:
                yield redirect
                return
            self._stat("extract_failed")
            self.failures.append((response.url, "article", str(e)))
            self.logger.warning("%s: could not extract the article at %s: %s", self.name, response.url, e)
            return
        item = ArticleItem()
        for key, value in fields.items():
            if key in ArticleItem.fields:
                item[key] = value
        item["outlet"] = self.name
        item["fetched_at"] = datetime.now(timezone.utc)
        first_url = response.meta.get("seen_as") or (response.meta.get("redirect_urls") or [response.url])[0]
        if first_url != item.get("url"):
            item["urls"] = [first_url]
        self._stat("articles_extracted")
        yield item

    def _js_redirect(self, response) -> scrapy.Request | None:
        hops = response.meta.get("js_redirects", 0)
        if hops >= MAX_JS_REDIRECTS or not hasattr(response, "text"):
            return None
        match = JS_REDIRECT.search(response.text)
        if not match:
            return None
        url = response.urljoin(match.group(1))
        if url == response.url or not self.list_config.is_article(url):
            return None
        day = date.fromisoformat(response.meta["list_date"]) if response.meta.get("list_date") else None
        request = self.article_request(url, day, response.url, hops=hops + 1).replace(dont_filter=True)
        # the list linked the redirect page: that is the URL the article was first seen under
        request.meta["seen_as"] = response.meta.get("seen_as") or response.url
        self._stat("article_js_redirects")
        return request
