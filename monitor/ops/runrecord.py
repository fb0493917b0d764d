"""Writes each outlet's part of the run into the `runs` collection as its crawler closes.

An extension, on with MONITOR_RUN_RECORD (`monitor crawl` / `monitor run` set it; the run document
itself is started and finished by the command: monitor/ops/crawl.py).
The verdict is logged too: a warning or failure is never only in the database.
"""
from __future__ import annotations

import logging

from pymongo.errors import PyMongoError
from scrapy import signals
from scrapy.exceptions import NotConfigured

from monitor.ops.health import FAILED, OK, outlet_section
from monitor.storage import runs
from monitor.storage.extension import RunDatabase
from monitor.storage.mongo import DatabaseUnavailable

logger = logging.getLogger(__name__)


class RunRecordExtension:
    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("MONITOR_RUN_RECORD"):
            raise NotConfigured
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    async def spider_closed(self, spider, reason):
        stats = dict(self.crawler.stats.get_stats())
        stats.setdefault("finish_reason", reason)
        section = outlet_section(stats)
        outlet = spider.name
        if section["verdict"] == OK:
            logger.info("Outlet %s: ok", outlet)
        else:
            log = logger.error if section["verdict"] == FAILED else logger.warning
            log("Outlet %s: %s: %s", outlet, section["verdict"], "; ".join(section["problems"]))
        database = self.crawler.get_extension(RunDatabase)  # (not yet there while extensions are built)
        try:
            await database.write(runs.record_outlet, database.run_id, outlet, section)
        except (DatabaseUnavailable, PyMongoError) as e:  # the command finishes the run document, or spools it
            logger.error("The run record of %s could not be written now: %s", outlet, e)
