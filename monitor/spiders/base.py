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
from datetime import date, datetime, time, timedelta, timezone
from urllib.parse import urldefrag, urlencode, urljoin

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError

from monitor import workers
from monitor.items import ArticleItem
from monitor.outlets import Outlet, load_outlets
from monitor.spiders import listformats
from monitor.spiders.listconfig import ListConfig, ListSource, fill, parse_list_config, template_values
from monitor.spiders.listdates import date_from_text, date_from_url
from monitor.spiders.politeness import outlet_settings
from monitor.window import BEIJING, Window

ORIGIN_HANDLER = "monitor.spiders.origin.LocalOriginDownloadHandler"
#: `location.href = "…"` / `window.location.replace("…")` pages standing in for an article.
JS_REDIRECT = re.compile(r"""(?:location\.href|location\.replace)\s*(?:=|\()\s*["']([^"']+)["']""")
MAX_JS_REDIRECTS = 5
#: `published_at_source` of an article dated by the day its list entry (or e-paper issue) showed.
DATED_BY_LIST = "list"


class SpiderArgumentError(ValueError):
    """A spider's `-a` argument that cannot be used (a date that is no date, a check count that is no number)."""


class OutletSpider(scrapy.Spider):
    """Base of every outlet spider; `name` is the outlet key of a file in spiders_config/outlets/.

    Arguments (`-a`): `since`, `until` (YYYY-MM-DD, default the last 7 days); `check` (a number:
    read only the first page of every list source — its first day, its first search term — and at
    most that many articles from each, whatever their dates — what `monitor outlets check` does).
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
        self._topic = None  # loaded on first use: only search sources and the pre-filter need it
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
        # The outlet's `request:` section (headers, delay, concurrency): this crawler crawls only this outlet.
        outlet = load_outlets().get(cls.name)
        if outlet is not None:
            defaults = settings.getdict("DEFAULT_REQUEST_HEADERS")
            for name, value in outlet_settings(outlet.config.get("request"), defaults).items():
                settings.set(name, value, priority="spider")
        # Tests and `monitor outlets check --origin` answer every URL from a local server.
        if settings.get("MONITOR_ORIGIN_OVERRIDE"):
            handlers = {**settings.getdict("DOWNLOAD_HANDLERS"), "http": ORIGIN_HANDLER, "https": ORIGIN_HANDLER}
            settings.set("DOWNLOAD_HANDLERS", handlers, priority="spider")

    # -- requests ------------------------------------------------------------------------------

    def _stat(self, key: str, count: int = 1) -> None:
        self.crawler.stats.inc_value(f"monitor/{key}", count)

    def _source_stat(self, index: int, key: str, count: int = 1) -> None:
        """Per list source counters (`monitor/source/<index>/<key>`, labelled in `start`): the run summary
        shows them by source."""
        self.crawler.stats.inc_value(f"monitor/source/{index}/{key}", count)

    def _source_failed(self, index: int | None, url: str, reason: str) -> None:
        self._stat("list_failed")
        self.failures.append((url, "list", reason))
        if index is not None:
            self._source_stat(index, "failed")
            self.crawler.stats.set_value(f"monitor/source/{index}/error", f"{url}: {reason}"[:300])

    @property
    def topic(self):
        """The crawl's topic (MONITOR_TOPIC): search terms and the headline pre-filter come from it."""
        if self._topic is None:
            from monitor.outlets import config_dir
            from monitor.topics import DEFAULT_TOPIC, load_topic
            self._topic = load_topic(self.settings.get("MONITOR_TOPIC") or DEFAULT_TOPIC,
                                     self.settings.get("MONITOR_CONFIG_DIR") or config_dir())
        return self._topic

    def list_request(self, url: str, source_index: int, *, page_number: int = 1, day: date | None = None,
                     datasource: bool = False, child: bool = False) -> scrapy.Request:
        source = self.list_config.sources[source_index]
        meta = {"outlet": self.name, "page_kind": "list", "list_source": source_index, "page_number": page_number}
        if datasource:
            meta["list_format"] = "datasource"
        if child:
            meta["sitemap_child"] = True
        if day is not None:
            meta["list_day"] = day.isoformat()
        return scrapy.Request(url, callback=self.parse_list, meta=meta, errback=self.list_failed,
                              headers=source.headers or None)

    def search_request(self, source_index: int, term: str, page_number: int) -> scrapy.Request:
        """One page of an outlet's site search for one term over the window (a `format: search` source)."""
        source = self.list_config.sources[source_index]
        spec = source.search
        page = source.first_page_number + page_number - 1
        values = template_values(term, page, self.window.since, self.window.until)
        url = fill(source.url, values)
        if spec.params:
            query = urlencode({k: v for k, v in fill(spec.params, values).items() if v is not None})
            url += ("&" if "?" in url else "?") + query
        request = self.list_request(url, source_index, page_number=page_number)
        request.meta["search_term"] = term
        if spec.method == "POST":
            body = json.dumps(fill(spec.json or {}, values), ensure_ascii=False)
            headers = {"Content-Type": "application/json;charset=UTF-8", **source.headers}
            request = request.replace(method="POST", body=body.encode("utf-8"), headers=headers)
        # one URL (a POST endpoint) answers every term and page: they are different requests all the same
        return request.replace(dont_filter=True)

    def article_request(self, url: str, list_day: date | None, referer: str, hops: int = 0, *,
                        dated_by_list: bool = False) -> scrapy.Request:
        meta = {"outlet": self.name, "page_kind": "article", "js_redirects": hops}
        if list_day is not None:
            meta["list_date"] = list_day.isoformat()
            if dated_by_list:
                meta["list_dated"] = True  # the day came from the list entry or e-paper issue, not the URL
        return scrapy.Request(url, callback=self.parse_article, meta=meta, headers={"Referer": referer},
                              errback=self.article_failed)

    def days(self) -> list[date]:
        days, day = [], self.window.until
        while day >= self.window.since:
            days.append(day)
            day -= timedelta(days=1)
        return days

    def search_terms(self, source: ListSource) -> tuple[str, ...]:
        return source.search.terms or self.topic.search_terms

    async def start(self):
        checking = self.check_limit is not None
        for index, source in enumerate(self.list_config.sources):
            self.crawler.stats.set_value(f"monitor/source/{index}/label", source.label)
            if source.format == "search":
                terms = self.search_terms(source)
                if not terms:
                    self.logger.warning("%s: list.sources[%d] is a site search, but topic %s has no search_terms "
                                        "and the source no terms; it is skipped", self.name, index, self.topic.key)
                    self._source_failed(index, source.url, "no search terms (topic search_terms or the "
                                                           "source's terms)")
                for term in terms[:1] if checking else terms:
                    yield self.search_request(index, term, 1)
            elif source.per_day:
                for day in self.days()[:1] if checking else self.days():
                    yield self.list_request(source.url.format(day=day), index, day=day)
            else:
                yield self.list_request(source.url, index)

    def list_failed(self, failure):
        request = failure.request
        index = request.meta.get("list_source")
        if failure.check(HttpError) and failure.value.response.status == 404 and request.meta.get("list_day"):
            # e-paper days without an issue (Sundays, holidays) are normal
            self._stat("list_no_issue")
            self.logger.info("%s: no issue at %s", self.name, request.url)
            day = date.fromisoformat(request.meta["list_day"]) - timedelta(days=1)
            if self.check_limit is not None and day >= self.window.since and request.meta["page_number"] == 1:
                # a check looks at the latest issue there is: the day before, back to the window's start
                yield self.list_request(self.list_config.sources[index].url.format(day=day), index, day=day)
            return
        self._source_failed(index, request.url, failure.getErrorMessage())
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

    def _entries(self, response, source: ListSource) -> tuple[list[listformats.ListEntry], list]:
        """(entries, child sitemaps) of a list response; BadList when it is not what the source says."""
        if response.meta.get("list_format") == "datasource":
            spec = source.datasource
            data = listformats.load_json(response.text)
            return listformats.json_entries(data, spec.entries, spec.link, spec.date), []
        if source.format in ("json", "search"):
            data = listformats.load_json(response.text if hasattr(response, "text") else
                                         response.body.decode("utf-8", "replace"))
            if source.search is not None and source.search.ok:
                listformats.check_ok(data, source.search.ok)
            return listformats.json_entries(data, source.entries, source.link, source.date, source.title,
                                            source.summary), []
        if source.format == "feed":
            return listformats.feed_entries(response.body), []
        if source.format == "sitemap":
            return listformats.sitemap_entries(response.body)
        if not hasattr(response, "css"):
            raise listformats.BadList(f"not an HTML page (Content-Type {response.headers.get('Content-Type')!r})")
        return listformats.html_entries(response, source.entries, source.link, source.date, source.title,
                                        source.summary), []

    def _checked_enough(self, index: int) -> bool:
        return self.crawler.stats.get_value(f"monitor/source/{index}/requested", 0) >= self.check_limit

    def parse_list(self, response):
        index = response.meta["list_source"]
        source = self.list_config.sources[index]
        issue_day = date.fromisoformat(response.meta["list_day"]) if response.meta.get("list_day") else None
        checking = self.check_limit is not None
        self._source_stat(index, "pages")
        try:
            entries, children = self._entries(response, source)
        except listformats.BadList as e:
            self._source_failed(index, response.url, str(e))
            self.logger.warning("%s: list %s (list.sources[%d] in %s) is unusable: %s; its other sources go on",
                                self.name, response.url, index, self.outlet.path, e)
            return
        days_seen: list[date] = []
        found = ignored = 0
        for entry in entries:
            url = urldefrag(response.urljoin(entry.link))[0]  # e-paper links end in #page anchors
            if any(word in entry.text for word in source.skip_text):
                continue
            if not self.list_config.is_article(url):
                ignored += 1
                continue
            found += 1
            shown = date_from_text(entry.date, self.window.until) or issue_day
            day = shown or date_from_url(url)
            if day is not None:
                days_seen.append(day)
            if url in self.articles_requested:
                continue  # listed twice (a page and its JSON list, two lists of one outlet)
            if checking:
                if self._checked_enough(index):
                    continue
            elif day is not None and not self.window.contains_day(day):
                self._stat("list_entries_outside_window")
                self._source_stat(index, "outside_window")
                continue
            if source.prefilter and not checking:
                verdict = self.topic.headline(entry.title, entry.summary if entry.summary != entry.title else "")
                if not verdict.relevant:
                    self._stat("list_prefiltered")
                    self._source_stat(index, "prefiltered")
                    self.logger.debug("%s: not fetched, %s: %s (%s)", self.name, url, entry.title, verdict.reason)
                    continue
            self.articles_requested.add(url)
            self._source_stat(index, "requested")
            yield self.article_request(url, day, response.url, dated_by_list=shown is not None)
        self.lists_read.append((response.url, found, ignored))
        self._stat("list_links_ignored", ignored)
        self._stat("list_articles_found", found)
        self._source_stat(index, "links", found)
        self.logger.debug("%s: %s: %d article links, %d other links ignored", self.name, response.url, found, ignored)
        if found == 0 and not children and response.meta.get("list_format") != "datasource" \
                and not source.datasource and source.format != "search":
            self._stat("list_empty")
            self._source_stat(index, "empty")
            self.logger.warning("%s: list page %s shows no article links; check list.sources[%d] and "
                                "list.articles in %s", self.name, response.url, index, self.outlet.path)
        yield from self._datasource_requests(response, source, index)
        yield from self._sitemap_children(children, index, response)
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
        if source.format == "search":
            if entries and response.meta["page_number"] < self.list_config.page_limit(source):
                yield self.search_request(index, response.meta["search_term"], response.meta["page_number"] + 1)
            return
        next_url = self._next_page(response, source)
        if next_url:
            yield self.list_request(next_url, index, page_number=response.meta["page_number"] + 1, day=issue_day)

    def _next_page(self, response, source: ListSource) -> str | None:
        number = response.meta["page_number"]
        if number >= self.list_config.page_limit(source) or response.meta.get("list_format") == "datasource":
            return None
        if source.format != "html":
            return None
        if source.next:
            href = response.css(source.next).css("::attr(href)").get()
            return response.urljoin(href.strip()) if href else None
        if source.page and not source.pages:
            n = source.first_page_number + number - 1
            return urljoin(source.url, source.page.format(n=n))
        return None

    def _sitemap_children(self, children, index: int, response):
        """A sitemap index's sitemaps, those modified within the window or undated (at most max_pages)."""
        if response.meta.get("sitemap_child") and children:
            self.logger.info("%s: %s: a sitemap index inside a sitemap index is not followed", self.name, response.url)
            return
        wanted = []
        for child in children:
            day = date_from_text(child.date, self.window.until)
            if day is None or day >= self.window.since:
                wanted.append(child)
        for child in wanted[: self.list_config.page_limit(self.list_config.sources[index])]:
            yield self.list_request(response.urljoin(child.link), index, child=True)

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
        from monitor.extract.article import ExtractionError, NotAnArticle, extract_article

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
            if isinstance(e, NotAnArticle):
                # A list or home page the article patterns let through: counted like a dropped item
                # (the run's `dropped.NotAnArticle`), not as an extraction failure.
                self.crawler.stats.inc_value("item_dropped_count")
                self.crawler.stats.inc_value("item_dropped_reasons_count/NotAnArticle")
                self.logger.info("%s: %s", self.name, e)
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
        if item.get("published_at") is None and response.meta.get("list_dated"):
            # The page shows no date: the day its list entry (or e-paper issue) showed, marked as such.
            day = date.fromisoformat(response.meta["list_date"])
            item["published_at"] = datetime.combine(day, time.min, BEIJING)
            item["published_at_raw"] = f"list: {day.isoformat()}"
            item["published_at_source"] = DATED_BY_LIST
            self._stat("dated_by_list")
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
