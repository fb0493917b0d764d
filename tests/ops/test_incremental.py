"""Skip-stored check: a callback's article requests are looked up together, and the downloader
middleware drops the stored ones from that answer without a lookup of its own."""
import asyncio

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from monitor.ops.incremental import (STORED_CHECK, AlreadyStored, SkipStoredArticlesMiddleware,
                                     StoredArticlesCheckMiddleware)


def article(url):
    return Request(url, meta={"page_kind": "article", "outlet": "x"})


@pytest.fixture
def crawler(monitor_env):
    return get_crawler(settings_dict={"MONGO_URI": monitor_env["MONGO_URI"],
                                      "MONGO_DATABASE": monitor_env["MONGO_DATABASE"]})


def test_a_list_pages_articles_are_checked_together_and_only_new_ones_fetched(crawler, db):
    db.articles.insert_many([
        {"url": "https://example.cn/a.html"},                                          # stored (canonical URL)
        {"url": "https://example.cn/new/b.html", "urls": ["https://example.cn/old/b.html"]},  # stored under b's URL
    ])
    check = StoredArticlesCheckMiddleware.from_crawler(crawler)
    skip = SkipStoredArticlesMiddleware.from_crawler(crawler)
    listing = Request("https://example.cn/list.html", meta={"page_kind": "list"})
    a, b, c = (article("http://www.example.cn/a.html"), article("https://example.cn/old/b.html"),
               article("https://example.cn/c.html"))
    response = HtmlResponse("https://example.cn/list.html", body=b"<html></html>", request=listing)
    next_list = Request("https://example.cn/list_2.html", meta={"page_kind": "list"})
    out = list(check.process_spider_output(response, iter([a, next_list, b, c])))
    assert out == [a, next_list, b, c]  # everything passes, in order: the check only annotates
    assert [r.meta[STORED_CHECK] for r in (a, b, c)] == [(a.url, True), (b.url, True), (c.url, False)]
    assert STORED_CHECK not in next_list.meta

    # the answer decides: no lookup of its own (this middleware has no database)
    skip.connected, skip.handle = True, None
    for stored in (a, b):
        with pytest.raises(AlreadyStored):
            skip.process_request(stored)
    assert skip.process_request(c) is None
    assert skip.process_request(next_list) is None
    assert crawler.stats.get_value("monitor/incremental/skipped_stored") == 2
    check.spider_closed()


def test_a_request_without_an_answer_for_its_url_is_looked_up_on_its_own(crawler, db):
    db.articles.insert_one({"url": "https://example.cn/target.html"})
    skip = SkipStoredArticlesMiddleware.from_crawler(crawler)
    listed = article("https://example.cn/moved.html")
    listed.meta[STORED_CHECK] = (listed.url, False)
    redirected = listed.replace(url="https://example.cn/target.html")  # a redirect keeps the meta
    with pytest.raises(AlreadyStored):
        skip.process_request(redirected)
    assert skip.process_request(article("https://example.cn/other.html")) is None
    assert crawler.stats.get_value("monitor/incremental/skipped_stored") == 1
    skip.spider_closed()


def test_the_async_output_of_a_callback_is_checked_too(crawler, db):
    db.articles.insert_one({"url": "https://example.cn/a.html"})
    check = StoredArticlesCheckMiddleware.from_crawler(crawler)
    a, c = article("https://example.cn/a.html"), article("https://example.cn/c.html")

    async def outputs():
        for request in (a, c):
            yield request
    async def collect():
        return [o async for o in check.process_spider_output_async(None, outputs())]
    out = asyncio.run(collect())
    assert out == [a, c] and a.meta[STORED_CHECK][1] is True and c.meta[STORED_CHECK][1] is False
    check.spider_closed()


def test_refresh_switches_the_check_off(monitor_env):
    crawler = get_crawler(settings_dict={"MONITOR_REFRESH": True})
    with pytest.raises(NotConfigured):
        StoredArticlesCheckMiddleware.from_crawler(crawler)
