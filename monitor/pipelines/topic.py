"""Topic relevance: score each item against the crawl's topic (MONITOR_TOPIC); keep near misses apart
and drop the rest."""
from __future__ import annotations

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem

from monitor.outlets import config_dir
from monitor.storage.articles import STATUS_OFF_TOPIC
from monitor.topics import DEFAULT_TOPIC, load_topic


class OffTopic(DropItem):
    """Not about the crawl's topic: an exclude term or group, too little of a term group, or a score
    below the topic's near-miss bound."""


class TopicPipeline:
    """Sets `keywords` (term -> hits), `score` and `topic_reason` (monitor/topics.py). An article short of
    the topic but scoring at least its `near_miss` is kept with status `off_topic`: never in a report,
    listed by `monitor candidates --near-misses` for an editor to pin. The rest is dropped."""

    def __init__(self, topic, stats):
        self.topic = topic
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        # A broken topic file fails the crawl here, before any request, with the file and key named.
        settings = crawler.settings
        topic = load_topic(settings.get("MONITOR_TOPIC") or DEFAULT_TOPIC,
                           settings.get("MONITOR_CONFIG_DIR") or config_dir())
        return cls(topic, crawler.stats)

    def process_item(self, item):
        adapter = ItemAdapter(item)
        match = self.topic.match(adapter.get("title") or "", adapter.get("body_text") or "")
        adapter["keywords"] = match.keywords
        adapter["score"] = match.score
        adapter["topic_reason"] = match.reason or None
        if match.near_miss:
            adapter["status"] = STATUS_OFF_TOPIC
            self.stats.inc_value("monitor/near_misses")
        elif not match.relevant:
            raise OffTopic(f"{adapter.get('url')} is off topic {self.topic.key} ({match.reason})")
        return item
