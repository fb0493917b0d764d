"""Incremental crawling: an article already stored is not fetched again.

Two parts. A spider middleware (StoredArticlesCheckMiddleware) sees all the requests a callback
yields — a list page's article links together — and looks them up in `articles` at once: one `$in`
on the canonical URLs (`url_unique` index) and, for those not found, one `$in` on the URLs as
requested (`urls` index). It writes the answer into each article request's meta (STORED_CHECK:
the URL checked and whether it is stored). A downloader middleware early in the chain
(SkipStoredArticlesMiddleware) then drops an article request (`meta["page_kind"] == "article"`)
whose answer says stored, before it reaches robots.txt checks or the network, counting
`monitor/incremental/skipped_stored` and raising AlreadyStored, as one request at a time would. A
request without an answer for its URL (a redirect's target, a request not yielded by a callback, a
failed batch lookup) is looked up on its own there. The database is the state, so memory does not
grow with the number of stored articles. MONITOR_REFRESH (`--refresh`) switches both off.
"""
from __future__ import annotations

import logging

from pymongo.errors import PyMongoError
from scrapy import signals
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Request

from monitor.storage.mongo import DatabaseUnavailable, open_database
from monitor.urls import canonical_url

logger = logging.getLogger(__name__)

#: meta key of an article request: (URL checked, stored?) — set by StoredArticlesCheckMiddleware.
STORED_CHECK = "monitor_stored_check"


class AlreadyStored(IgnoreRequest):
    """The article is in the database; `--refresh` fetches it anyway."""


class _StoredArticlesLookup:
    """What both middlewares share: off with MONITOR_REFRESH, a database opened on first need."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.handle = None
        self.connected = False
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        if crawler.settings.getbool("MONITOR_REFRESH"):
            raise NotConfigured
        return cls(crawler)

    def articles(self):
        """The `articles` collection, or None when the database cannot be reached."""
        # Connect on the first article request: a crawl without one (or `monitor import`) never connects.
        if not self.connected:
            self.connected = True
            try:
                self.handle = open_database(self.crawler.settings)
            except DatabaseUnavailable as e:
                # The store pipeline reports the same; the articles are fetched meanwhile.
                logger.error("Incremental crawling is off for this crawl: %s", e)
        return self.handle.db.articles if self.handle is not None else None

    def spider_closed(self):
        if self.handle is not None:
            self.handle.close()
            self.handle = None


class SkipStoredArticlesMiddleware(_StoredArticlesLookup):
    def process_request(self, request: Request):
        if request.meta.get("page_kind") != "article":
            return None
        checked = request.meta.get(STORED_CHECK)
        if checked is not None and checked[0] == request.url:
            stored = checked[1]
        else:
            articles = self.articles()
            if articles is None:
                return None
            stored = bool(stored_urls(articles, [request.url]))
        if not stored:
            return None
        self.crawler.stats.inc_value("monitor/incremental/skipped_stored")
        logger.debug("Already stored, not fetched again: %s", request.url)
        raise AlreadyStored(f"already stored: {request.url}")


def stored_urls(articles, urls: list[str]) -> set[str]:
    """Those of `urls` whose article is stored: its canonical URL is a `url`, or the URL itself one of
    its `urls`. Two `$in` lookups, each on its index (an `$or` of them makes SecantusDB scan the
    collection); the second only for the URLs the first did not find."""
    canonical = {url: canonical_url(url) for url in urls}
    found = {doc["url"] for doc in articles.find({"url": {"$in": sorted(set(canonical.values()))}}, {"url": 1, "_id": 0})}
    rest = sorted({url for url in urls if canonical[url] not in found})
    aliases: set[str] = set()
    if rest:
        for doc in articles.find({"urls": {"$in": rest}}, {"urls": 1, "_id": 0}):
            aliases.update(doc.get("urls") or ())
    return {url for url in urls if canonical[url] in found or url in aliases}


class StoredArticlesCheckMiddleware(_StoredArticlesLookup):
    """Spider middleware: looks up the article requests of one callback's output together (see above)."""

    def process_spider_output(self, response, result):
        yield from self._checked(list(result))

    async def process_spider_output_async(self, response, result):
        for output in self._checked([output async for output in result]):
            yield output

    def _checked(self, outputs: list) -> list:
        requests = [o for o in outputs if isinstance(o, Request) and o.meta.get("page_kind") == "article"
                    and STORED_CHECK not in o.meta]
        if not requests:
            return outputs
        articles = self.articles()
        if articles is None:
            return outputs
        try:
            stored = stored_urls(articles, [r.url for r in requests])
        except PyMongoError as e:  # each request is then looked up on its own before it is fetched
            logger.warning("Could not look up %d article URLs together (%s); looking them up one by one",
                           len(requests), e)
            return outputs
        for request in requests:
            request.meta[STORED_CHECK] = (request.url, request.url in stored)
        return outputs
