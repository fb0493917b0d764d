"""Topic relevance: score each item against the crawl's topic (MONITOR_TOPIC) and drop the off-topic."""
from __future__ import annotations

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem

from monitor.outlets import config_dir
from monitor.topics import DEFAULT_TOPIC, load_topic


class OffTopic(DropItem):
    """Not about the crawl's topic: an exclude term, too little of a term group, or a score below threshold."""


class TopicPipeline:
    """Sets `keywords` (term -> hits) and `score`; drops what is off topic (see monitor/topics.py)."""

    def __init__(self, topic):
        self.topic = topic

    @classmethod
    def from_crawler(cls, crawler):
        # A broken topic file fails the crawl here, before any request, with the file and key named.
        settings = crawler.settings
        return cls(load_topic(settings.get("MONITOR_TOPIC") or DEFAULT_TOPIC, settings.get("MONITOR_CONFIG_DIR") or config_dir()))

    def process_item(self, item):
        adapter = ItemAdapter(item)
        match = self.topic.match(adapter.get("title") or "", adapter.get("body_text") or "")
        adapter["keywords"] = match.keywords
        adapter["score"] = match.score
        if not match.relevant:
            raise OffTopic(f"{adapter.get('url')} is off topic {self.topic.key} ({match.reason})")
        return item
