"""Last stop: batched, idempotent writes of article documents into MongoDB."""
from __future__ import annotations

import logging
from pathlib import Path

from itemadapter import ItemAdapter

from monitor.ops.runs import new_run_id
from monitor.storage.articles import ArticleStore, article_document
from monitor.storage.mongo import data_dir, open_database

logger = logging.getLogger(__name__)


def run_id_of(crawler) -> str:
    """The run this crawl belongs to: MONITOR_RUN_ID when a `monitor` command set it."""
    run_id = crawler.settings.get("MONITOR_RUN_ID") or crawler.stats.get_value("monitor/run_id")
    if not run_id:  # `scrapy crawl` without a `monitor` command
        run_id = new_run_id()
    crawler.stats.set_value("monitor/run_id", run_id)
    return run_id


class MongoStorePipeline:
    def __init__(self, crawler):
        self.crawler = crawler
        self.settings = crawler.settings
        self.stats = crawler.stats
        self.handle = None
        self.store: ArticleStore | None = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self):
        # Fails the crawl at once, naming the URI, when the database is unreachable.
        self.handle = open_database(self.settings)
        spool = Path(self.settings.get("MONITOR_SPOOL_DIR") or Path(data_dir(self.settings)) / "spool")
        self.store = ArticleStore(self.handle.db.articles, spool, self.settings.getint("MONGO_BATCH_SIZE", 100))
        self.run_id = run_id_of(self.crawler)
        recovered = self.store.write_spooled()
        if recovered:
            self.stats.set_value("monitor/stored/recovered_from_spool", recovered)

    def process_item(self, item):
        doc = article_document(ItemAdapter(item).asdict(), run_id=self.run_id)
        self._count(self.store.add(doc))
        return item

    def close_spider(self):
        if self.store is not None:
            self._count(self.store.flush())
            t = self.store.totals
            logger.info("Stored articles: %d new, %d updated, %d unchanged, %d kept on disk",
                        t.inserted, t.updated, t.unchanged, t.spooled)
        if self.handle is not None:
            self.handle.close()

    def _count(self, result):
        if result is None:
            return
        for name in ("inserted", "updated", "unchanged", "spooled"):
            value = getattr(result, name)
            if value:
                self.stats.inc_value(f"monitor/stored/{name}", value)
