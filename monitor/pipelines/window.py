"""Date window: drop articles published outside the run's window; keep undated ones apart."""
from __future__ import annotations

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem

from monitor.storage.articles import STATUS_OK, STATUS_UNDATED
from monitor.window import Window


class OutsideWindow(DropItem):
    """Published before the window's first day or after its last (Beijing time)."""


class DateWindowPipeline:
    """Reads the window from the spider's `window` attribute (None: no window applies)."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item):
        adapter = ItemAdapter(item)
        published = adapter.get("published_at")
        if published is None:
            # No recoverable date: not in any window, but stored for an editor to see.
            adapter["status"] = STATUS_UNDATED
            return item
        adapter["status"] = STATUS_OK
        window: Window | None = getattr(self.crawler.spider, "window", None)
        if window is not None and not window.contains(published):
            raise OutsideWindow(f"{adapter.get('url')} was published {published.isoformat()}, outside {window}")
        return item
