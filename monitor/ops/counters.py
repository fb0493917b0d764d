"""Per-outlet counters a run report needs and Scrapy's own stats lack.

An extension (MONITOR_RUN_COUNTERS, on by default) counting, in the crawler's stats:
requests by page kind (`meta["page_kind"]`: list, article, other), pages answered 2xx by kind,
responses by status (robots.txt left out), items by extraction path (`extracted_by`), and
exceptions raised in spider callbacks. One crawler crawls one outlet, so these are the outlet's.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from scrapy import signals
from scrapy.exceptions import NotConfigured

PAGE_KINDS = ("list", "article")


def page_kind(request) -> str:
    kind = request.meta.get("page_kind")
    return kind if kind in PAGE_KINDS else "other"


class OutletCounters:
    def __init__(self, stats):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("MONITOR_RUN_COUNTERS", True):
            raise NotConfigured
        ext = cls(crawler.stats)
        connect = crawler.signals.connect
        connect(ext.request_scheduled, signal=signals.request_scheduled)
        connect(ext.response_received, signal=signals.response_received)
        connect(ext.item_scraped, signal=signals.item_scraped)
        connect(ext.item_dropped, signal=signals.item_dropped)
        connect(ext.spider_error, signal=signals.spider_error)
        return ext

    def request_scheduled(self, request):
        self.stats.inc_value(f"monitor/requests/{page_kind(request)}")

    def response_received(self, response, request):
        if urlsplit(request.url).path == "/robots.txt":
            return
        self.stats.inc_value(f"monitor/responses/{response.status}")
        if 200 <= response.status < 300:
            self.stats.inc_value(f"monitor/pages/{page_kind(request)}")

    def _count_path(self, item):
        path = item.get("extracted_by") if hasattr(item, "get") else None
        self.stats.inc_value(f"monitor/extracted_by/{path or 'unknown'}")

    def item_scraped(self, item):
        self._count_path(item)

    def item_dropped(self, item):
        self._count_path(item)

    def spider_error(self):
        self.stats.inc_value("monitor/errors/spider")
