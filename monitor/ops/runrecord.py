"""Writes each outlet's part of the run into the `runs` collection as its crawler closes.

An extension, on when MONITOR_RUN_ID names the run (`monitor crawl` / `monitor run` set it).
The verdict is logged too: a warning or failure is never only in the database.
"""
from __future__ import annotations

import logging

from scrapy import signals
from scrapy.exceptions import NotConfigured

from monitor.ops import runs
from monitor.ops.health import FAILED, OK, outlet_section
from monitor.pipelines.store import run_id_of
from monitor.storage.mongo import DatabaseUnavailable, open_database

logger = logging.getLogger(__name__)


class RunRecordExtension:
    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.get("MONITOR_RUN_ID"):
            raise NotConfigured
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_closed(self, spider, reason):
        stats = dict(self.crawler.stats.get_stats())
        stats.setdefault("finish_reason", reason)
        section = outlet_section(stats)
        outlet = spider.name
        if section["verdict"] == OK:
            logger.info("Outlet %s: ok", outlet)
        else:
            log = logger.error if section["verdict"] == FAILED else logger.warning
            log("Outlet %s: %s: %s", outlet, section["verdict"], "; ".join(section["problems"]))
        try:
            handle = open_database(self.crawler.settings)
        except DatabaseUnavailable as e:
            logger.error("The run record of %s could not be written: %s", outlet, e)
            return
        try:
            runs.record_outlet(handle.db, run_id_of(self.crawler), outlet, section)
        finally:
            handle.close()
