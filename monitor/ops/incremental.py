"""Incremental crawling: an article already stored is not fetched again.

A downloader middleware early in the chain: an article request (`meta["page_kind"] == "article"`)
whose canonical URL, or the URL itself, is in `articles` (the `url_unique` / `urls` indexes) is
dropped before it reaches robots.txt checks or the network. The database is the state, so memory
does not grow with the number of stored articles. MONITOR_REFRESH (`--refresh`) switches this off.
"""
from __future__ import annotations

import logging

from scrapy import signals
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Request

from monitor.storage.mongo import DatabaseUnavailable, open_database
from monitor.urls import canonical_url

logger = logging.getLogger(__name__)


class AlreadyStored(IgnoreRequest):
    """The article is in the database; `--refresh` fetches it anyway."""


class SkipStoredArticlesMiddleware:
    def __init__(self, crawler):
        self.crawler = crawler
        self.stats = crawler.stats
        self.handle = None
        self.connected = False
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        if crawler.settings.getbool("MONITOR_REFRESH"):
            raise NotConfigured
        return cls(crawler)

    def _connect(self):
        # On the first article request: a crawl without one (or `monitor import`) never connects.
        self.connected = True
        try:
            self.handle = open_database(self.crawler.settings)
        except DatabaseUnavailable as e:
            # The store pipeline reports the same; the articles are fetched meanwhile.
            logger.error("Incremental crawling is off for this crawl: %s", e)

    def spider_closed(self):
        if self.handle is not None:
            self.handle.close()
            self.handle = None

    def process_request(self, request: Request):
        if request.meta.get("page_kind") != "article":
            return None
        if not self.connected:
            self._connect()
        if self.handle is None:
            return None
        url = canonical_url(request.url)
        # Two equality lookups, each on its index: an `$or` of them makes SecantusDB scan the collection.
        articles = self.handle.db.articles
        found = articles.find_one({"url": url}, {"_id": 1}) or articles.find_one({"urls": request.url}, {"_id": 1})
        if found is None:
            return None
        self.stats.inc_value("monitor/incremental/skipped_stored")
        logger.debug("Already stored, not fetched again: %s", request.url)
        raise AlreadyStored(f"already stored: {request.url}")
