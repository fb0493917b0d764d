"""The baseline of the crawl benchmark: plain Scrapy fetching the same pages as `scrapy crawl ce`.

It reads the list channel, follows its article links and its next page exactly as the outlet spider
does, through the project's origin download handler (monitor/spiders/origin.py), and does nothing
with an article page: no extraction, no pipelines, no database. Run by bench/run.py as
`scrapy runspider bench/bare_spider.py` outside the project (Scrapy's default settings).
"""
import re

import scrapy

LINK = re.compile(r'href="(\./20\d{4}/\d{2}/t\d+_\d+\.shtml|index_\d+\.shtml)"')


class BareSpider(scrapy.Spider):
    name = "bare"
    start_urls = ["http://www.ce.cn/cysc/yy/hydt/"]
    window_days = ("20260110", "20260111", "20260112", "20260113", "20260114", "20260115", "20260116")

    def parse(self, response):
        for href in LINK.findall(response.text):
            if href.startswith("index_"):
                yield response.follow(href, self.parse)
            elif href[href.index("/t") + 2:href.index("/t") + 10] in self.window_days:
                yield response.follow(href, self.article)

    def article(self, response):
        return None
