"""A tiny crawl for the pipeline tests, run in its own process (Scrapy's reactor runs once per
process): a spider that yields the items of a JSON file through the project's ITEM_PIPELINES.

    python probe_crawl.py ITEMS.json SINCE UNTIL  ->  prints the crawl's stats as JSON
"""
import json
import sys
from datetime import datetime

import scrapy

from monitor.cli.common import project_settings, run_spider
from monitor.items import ArticleItem
from monitor.window import Window


class ProbeSpider(scrapy.Spider):
    name = "probe"

    def __init__(self, path, since, until, **kwargs):
        super().__init__(**kwargs)
        self.path = path
        self.window = Window.from_args(since, until)

    async def start(self):
        with open(self.path, encoding="utf-8") as f:
            for record in json.load(f):
                if record.get("published_at"):
                    record["published_at"] = datetime.fromisoformat(record["published_at"])
                yield ArticleItem(**record)


if __name__ == "__main__":
    crawler = run_spider(project_settings(), ProbeSpider, path=sys.argv[1], since=sys.argv[2], until=sys.argv[3])
    print(json.dumps(crawler.stats.get_stats(), default=str))
