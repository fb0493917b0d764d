"""`--replay PATH`: answer every request from WARC files; never touch the network.

A downloader middleware next to the downloader (MONITOR_REPLAY_PATH switches it on). The archive
is indexed once per process: a GET by its URL, a POST (a site's search API) by URL and body, a JSON
body in canonical form (`monitor.ops.warc.request_key`); bodies are read from disk on demand. A
robots.txt the archive lacks is answered 404 (allow all). Any other request the archive lacks is
counted per outlet (`monitor/replay/missing`), logged (a POST with its method and the start of its
body) and dropped: a replay reports its gaps instead of hiding them.
"""
from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Headers, Request
from scrapy.responsetypes import responsetypes

from monitor.ops.record import REPLAYED
from monitor.ops.warc import ArchiveIndex

logger = logging.getLogger(__name__)


class MissingFromArchive(IgnoreRequest):
    """The replay archive has no response for this request (URL; method and body when not a GET)."""


@lru_cache(maxsize=4)
def archive_index(path: str) -> ArchiveIndex:
    return ArchiveIndex.open(path)


class WarcReplayMiddleware:
    def __init__(self, crawler, index: ArchiveIndex):
        self.crawler = crawler
        self.stats = crawler.stats
        self.index = index
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        path = crawler.settings.get("MONITOR_REPLAY_PATH")
        if not path:
            raise NotConfigured
        # ArchiveError names the file; the command checks the path before the crawl starts.
        return cls(crawler, archive_index(str(Path(path).resolve())))

    def process_request(self, request: Request):
        stored = self.index.get(request.url, request.method, request.body)
        if stored is not None:
            headers = Headers()
            for name, value in stored.headers:
                headers.appendlist(name, value)
            cls = responsetypes.from_args(headers=headers, url=request.url, body=stored.body)
            self.stats.inc_value("monitor/replay/responses")
            return cls(url=request.url, status=stored.status, headers=headers, body=stored.body,
                       request=request, flags=[REPLAYED])
        if urlsplit(request.url).path == "/robots.txt":
            return responsetypes.from_args(url=request.url)(url=request.url, status=404, request=request,
                                                            flags=[REPLAYED])
        outlet = request.meta.get("outlet") or getattr(self.crawler.spider, "name", "unknown")
        self.stats.inc_value("monitor/replay/missing")
        self.stats.inc_value(f"monitor/replay/missing/{outlet}")
        what = _described(request)
        logger.warning("Not in the replay archive (outlet %s, %s page): %s", outlet,
                       request.meta.get("page_kind", "other"), what)
        raise MissingFromArchive(f"not in the replay archive: {what}")

    def spider_closed(self, spider):
        missing = self.stats.get_value("monitor/replay/missing", 0)
        served = self.stats.get_value("monitor/replay/responses", 0)
        log = logger.warning if missing else logger.info
        log("Replay of %s: %d response(s) served from the archive, %d request(s) missing from it",
            spider.name, served, missing)


def _described(request: Request) -> str:
    """A GET as its URL (as always); any other method with its body's first 100 characters, which is what
    tells one search request from another."""
    if request.method.upper() == "GET":
        return request.url
    text = (request.body or b"").decode("utf-8", errors="replace")
    return f"{request.method.upper()} {request.url} body: {text[:100]}" + ("…" if len(text) > 100 else "")
