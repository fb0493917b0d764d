"""The article item: one news article as spiders and `monitor import` produce it.

Field names are the `articles` document's (see docs/mongodb.md); the storage pipeline turns an
item into that document. Fields a pipeline adds are filled in on the way.
"""
import scrapy


class ArticleItem(scrapy.Item):
    # identity
    url = scrapy.Field()              # canonical URL (set by the URL pipeline)
    urls = scrapy.Field()             # every URL the article was seen under
    outlet = scrapy.Field()           # spider / config key, e.g. "xinhua"
    source = scrapy.Field()           # display name printed in the report, e.g. "新华网"
    # content
    title = scrapy.Field()
    original_title = scrapy.Field()   # 原标题, or None
    published_at = scrapy.Field()     # aware datetime (any zone; stored as UTC)
    published_at_raw = scrapy.Field()
    published_at_source = scrapy.Field()  # "list" when the page showed no date and its list entry did
    author = scrapy.Field()
    editor = scrapy.Field()
    origin = scrapy.Field()           # the outlet the article says it is reprinted from, or None
    body_markdown = scrapy.Field()
    body_text = scrapy.Field()
    images = scrapy.Field()           # [{"src": ..., "caption": ...}]
    extracted_by = scrapy.Field()     # which extraction path produced it: "site", "generic", "import"
    # bookkeeping
    fetched_at = scrapy.Field()
    run_id = scrapy.Field()
    # added by pipelines
    status = scrapy.Field()           # "ok", "undated" or "off_topic" (a near miss of the topic)
    keywords = scrapy.Field()         # term -> count
    score = scrapy.Field()
    topic_reason = scrapy.Field()     # why a near miss fell short of the topic (None when on topic)
    fingerprint = scrapy.Field()      # near-duplicate fingerprint of the body
    fingerprint_bands = scrapy.Field()  # the fingerprint cut into indexed bands, for lookups
    cluster_id = scrapy.Field()       # story cluster (reprints share it)
    cluster_lead = scrapy.Field()     # the cluster's lead article (earliest published)
    reprint_count = scrapy.Field()    # distinct outlets carrying the story
