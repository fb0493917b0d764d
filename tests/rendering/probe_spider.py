"""A small outlet-like spider for the rendering tests, run with `scrapy runspider` in a subprocess.

    -a targets='[["outlet", "http://127.0.0.1:PORT/list.html"], ...]'   list pages (page_kind "list")
    -a out=PATH                                                          where the result JSON goes

The result: every list page that reached the spider (outlet, url, status, flags, article links under
#list) and the crawl's stats.
"""
import json

import scrapy


class RenderProbeSpider(scrapy.Spider):
    name = "render_probe"
    custom_settings = {"ITEM_PIPELINES": {}, "AUTOTHROTTLE_ENABLED": False}

    def __init__(self, targets: str, out: str, **kwargs):
        super().__init__(**kwargs)
        self.targets = json.loads(targets)
        self.out = out
        self.pages = []

    async def start(self):
        for outlet, url in self.targets:
            yield scrapy.Request(url, callback=self.parse_list, meta={"outlet": outlet, "page_kind": "list"})

    def parse_list(self, response):
        self.pages.append({
            "outlet": response.meta["outlet"], "url": response.url, "status": response.status,
            "flags": response.flags,
            "links": [response.urljoin(h) for h in response.css("#list a::attr(href)").getall()],
        })

    def closed(self, reason):
        stats = {k: v for k, v in self.crawler.stats.get_stats().items() if isinstance(v, (int, float, str))}
        with open(self.out, "w", encoding="utf-8") as f:
            json.dump({"pages": self.pages, "stats": stats, "reason": reason}, f, ensure_ascii=False)
