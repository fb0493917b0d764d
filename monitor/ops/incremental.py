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
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Request

from monitor.storage import queries
from monitor.storage.extension import RunDatabase
from monitor.storage.mongo import DatabaseUnavailable
from monitor.urls import canonical_url

logger = logging.getLogger(__name__)

#: meta key of an article request: (URL checked, stored?) — set by StoredArticlesCheckMiddleware.
STORED_CHECK = "monitor_stored_check"


class AlreadyStored(IgnoreRequest):
    """The article is in the database; `--refresh` fetches it anyway."""


class _StoredArticlesLookup:
    """What both middlewares share: off with MONITOR_REFRESH; lookups through the run's database service,
    off the event loop. When the database is gone the articles are fetched (and spooled)."""

    def __init__(self, crawler, database: RunDatabase):
        self.crawler = crawler
        self.database = database

    @classmethod
    def from_crawler(cls, crawler):
        if crawler.settings.getbool("MONITOR_REFRESH"):
            raise NotConfigured
        database = crawler.get_extension(RunDatabase)
        if database is None:
            raise NotConfigured
        return cls(crawler, database)

    async def stored(self, urls: list[str]) -> set[str] | None:
        """Those of `urls` already stored, or None when the database cannot say."""
        try:
            return await self.database.read(stored_urls, urls)
        except (PyMongoError, DatabaseUnavailable) as e:  # the database gone: fetch them (and spool them)
            logger.debug("Could not look up %d article URL(s): %s", len(urls), e)
            return None


class SkipStoredArticlesMiddleware(_StoredArticlesLookup):
    async def process_request(self, request: Request):
        if request.meta.get("page_kind") != "article":
            return None
        checked = request.meta.get(STORED_CHECK)
        if checked is not None and checked[0] == request.url:
            stored = checked[1]
        else:
            stored = bool(await self.stored([request.url]))
        if not stored:
            return None
        self.crawler.stats.inc_value("monitor/incremental/skipped_stored")
        logger.debug("Already stored, not fetched again: %s", request.url)
        raise AlreadyStored(f"already stored: {request.url}")


def stored_urls(db, urls: list[str]) -> set[str]:
    """Those of `urls` whose article is stored: its canonical URL is a `url`, or the URL itself one of
    its `urls`. Two `$in` lookups, each on its own index (not one `$or`: monitor/storage/queries.py); the
    second only for the URLs the first did not find."""
    canonical = {url: canonical_url(url) for url in urls}
    found = {doc["url"] for doc in db.articles.find(queries.urls_in(canonical.values()), {"url": 1, "_id": 0})}
    rest = sorted({url for url in urls if canonical[url] not in found})
    aliases: set[str] = set()
    if rest:
        for doc in db.articles.find(queries.aliases_in(rest), {"urls": 1, "_id": 0}):
            aliases.update(doc.get("urls") or ())
    return {url for url in urls if canonical[url] in found or url in aliases}


class StoredArticlesCheckMiddleware(_StoredArticlesLookup):
    """Spider middleware: looks up the article requests of one callback's output together (see above)."""

    async def process_spider_output(self, response, result):
        outputs = [output async for output in result]
        requests = [o for o in outputs if isinstance(o, Request) and o.meta.get("page_kind") == "article"
                    and STORED_CHECK not in o.meta]
        stored = await self.stored([r.url for r in requests]) if requests else None
        if stored is not None:
            for request in requests:
                request.meta[STORED_CHECK] = (request.url, request.url in stored)
        for output in outputs:
            yield output
