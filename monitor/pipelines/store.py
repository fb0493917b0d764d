"""Last stop: the article goes to its run's persistence stage (monitor/storage/service.py).

There it is clustered with its reprints (stored, or of this run, whatever outlet), written in a
batch, and its cluster settled — or kept in the spool if the database is gone. Nothing here waits
for the database unless the writer lags several batches behind.
"""
from __future__ import annotations

import logging

from itemadapter import ItemAdapter
from scrapy.exceptions import NotConfigured

from monitor.storage.articles import article_document
from monitor.storage.extension import RunDatabase

logger = logging.getLogger(__name__)


class MongoStorePipeline:
    def __init__(self, crawler, database: RunDatabase):
        self.crawler = crawler
        self.database = database

    @classmethod
    def from_crawler(cls, crawler):
        database = crawler.get_extension(RunDatabase)
        if database is None:
            raise NotConfigured("the store pipeline needs the RunDatabase extension (EXTENSIONS in monitor/settings.py)")
        return cls(crawler, database)

    async def process_item(self, item):
        doc = article_document(ItemAdapter(item).asdict(), run_id=self.database.run_id)
        await self.database.store(doc)
        return item

    async def close_spider(self):
        await self.database.drain()
        get = lambda name: self.crawler.stats.get_value(f"monitor/stored/{name}", 0)  # noqa: E731
        logger.info("Stored articles: %d new, %d updated, %d unchanged, %d kept on disk",
                    get("inserted"), get("updated"), get("unchanged"), get("spooled"))
