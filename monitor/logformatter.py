"""Scrapy's log lines about items, without the item (LOG_FORMATTER in monitor/settings.py).

Scrapy's own formatter prints the whole item (a whole article body) with every scraped, dropped or
failed item, and drops at WARNING. Here a drop is one DEBUG line with the URL and the reason (the drop
counts per reason are in the run summary and Scrapy's INFO stats); no line carries a body.
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
        level = getattr(exception, "log_level", None) or logging.DEBUG
        if isinstance(level, str):
            level = getattr(logging, level)
        # The project's drop reasons name the URL themselves (monitor/pipelines/).
        return {"level": level, "msg": "Dropped (%(reason)s): %(exception)s",
                "args": {"reason": type(exception).__name__, "exception": exception or _url(item)}}

    def item_error(self, item, exception, response, spider):
        return {"level": logging.ERROR, "msg": "Error processing %(url)s: %(exception)s",
                "args": {"url": _url(item), "exception": exception}}
