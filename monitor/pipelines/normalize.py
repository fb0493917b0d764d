"""First stop for every item: required fields present, canonical URL, aliases, plain text."""
from __future__ import annotations

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem

from monitor.extract.text import markdown_to_text
from monitor.urls import canonical_url

REQUIRED = ("url", "source", "title", "body_markdown")


class MissingField(DropItem):
    """An item without a field no article can do without (URL, source, title or body)."""


class NormalizePipeline:
    def process_item(self, item):
        adapter = ItemAdapter(item)
        missing = [name for name in REQUIRED if not (adapter.get(name) or "").strip()]
        if missing:
            raise MissingField(f"{adapter.get('url') or 'an item'} has no {', '.join(missing)}")
        seen_as = adapter["url"].strip()
        adapter["url"] = canonical_url(seen_as)
        # first seen first: the report prints the URL the article was first found under
        adapter["urls"] = list(dict.fromkeys([*(adapter.get("urls") or []), seen_as]))
        adapter["title"] = " ".join(adapter["title"].split())
        if not adapter.get("body_text"):
            adapter["body_text"] = markdown_to_text(adapter["body_markdown"])
        adapter.setdefault("images", [])
        return item
