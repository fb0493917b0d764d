"""`monitor import`: articles from a JSON Lines file, through the crawl's own item pipelines.

The file is read by a spider that makes no requests, so every item passes the same
ITEM_PIPELINES, with the same stats and drop counts, as a crawled one.
"""
from __future__ import annotations

import json
import logging
from datetime import date, datetime, timedelta
from pathlib import Path

import scrapy

from monitor.items import ArticleItem
from monitor.outlets import outlet_for_url
from monitor.window import BEIJING, Window, parse_day

logger = logging.getLogger(__name__)

REQUIRED = ("url", "source", "title", "published_at", "body_markdown")


class MalformedLine(ValueError):
    pass


def parse_published_at(value) -> datetime:
    """ISO 8601; a time without a zone is Beijing time (as the pages show it)."""
    if not isinstance(value, str):
        raise MalformedLine(f"published_at must be an ISO 8601 string, not {type(value).__name__}")
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise MalformedLine(f"published_at {value!r} is not ISO 8601 (e.g. 2026-01-10T12:00:00+08:00)") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=BEIJING)


def item_from_record(record) -> ArticleItem:
    if not isinstance(record, dict):
        raise MalformedLine(f"expected a JSON object, got {type(record).__name__}")
    missing = [k for k in REQUIRED if not record.get(k)]
    if missing:
        raise MalformedLine(f"missing {', '.join(missing)}")
    item = ArticleItem()
    for name in ArticleItem.fields:
        if name in record and name not in ("published_at", "fetched_at", "run_id"):
            item[name] = record[name]
    item["published_at"] = parse_published_at(record["published_at"])
    item["published_at_raw"] = record.get("published_at_raw") or record["published_at"]
    item.setdefault("original_title", None)
    item.setdefault("origin", None)
    item["extracted_by"] = record.get("extracted_by") or "import"
    if not item.get("outlet"):
        outlet = outlet_for_url(record["url"])
        item["outlet"] = outlet.key if outlet else None
    return item


class JsonlImportSpider(scrapy.Spider):
    name = "import"

    def __init__(self, path: str, since: str | None = None, until: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.path = Path(path)
        # Without --since/--until no window applies; with one of them the other end is open.
        self.window = None
        if since or until:
            self.window = Window(parse_day(since, "--since") if since else date.min,
                                 parse_day(until, "--until") if until else date.max - timedelta(days=1))

    async def start(self):
        stats = self.crawler.stats
        with open(self.path, encoding="utf-8-sig") as f:
            for number, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    item = item_from_record(json.loads(line))
                except (ValueError, MalformedLine) as e:  # JSONDecodeError is a ValueError
                    logger.error("%s line %d skipped: %s", self.path, number, e)
                    stats.inc_value("import/malformed_lines")
                    continue
                stats.inc_value("import/lines_read")
                yield item
