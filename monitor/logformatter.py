"""Scrapy's log lines about items, without the item (LOG_FORMATTER in monitor/settings.py).

Scrapy's own formatter prints the whole item (a whole article body) with every scraped, dropped or
failed item. Here a drop is one line with the URL and the reason, at DEFAULT_DROPITEM_LOG_LEVEL (DEBUG in
monitor/settings.py; the drop counts per reason are in the run summary and Scrapy's INFO stats); no line
carries a body.
"""
from __future__ import annotations

import logging

from itemadapter import ItemAdapter
from scrapy.logformatter import LogFormatter


def _url(item) -> str:
    try:
        return str(ItemAdapter(item).get("url") or "an item without a URL")
    except TypeError:  # not an item at all
        return type(item).__name__


class ItemLogFormatter(LogFormatter):
    def scraped(self, item, response, spider):
        return {"level": logging.DEBUG, "msg": "Scraped %(url)s", "args": {"url": _url(item)}}

    def dropped(self, item, exception, response, spider):
        # Scrapy's level (the exception's log_level, else DEFAULT_DROPITEM_LOG_LEVEL), the project's line.
        # The project's drop reasons name the URL themselves (monitor/pipelines/); a bare one gets it here.
        return {**super().dropped(item, exception, response, spider),
                "msg": "Dropped (%(reason)s): %(exception)s",
                "args": {"reason": type(exception).__name__, "exception": str(exception) or _url(item)}}

    def item_error(self, item, exception, response, spider):
        return {"level": logging.ERROR, "msg": "Error processing %(url)s: %(exception)s",
                "args": {"url": _url(item), "exception": exception}}
