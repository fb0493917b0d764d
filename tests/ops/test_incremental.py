"""Skip-stored check: a callback's article requests are looked up together, and the downloader
middleware drops the stored ones from that answer without a lookup of its own. The lookups run against
a real database; the run's database service is stood in for by one that calls it on this thread (the
service's own threads are exercised by every crawl test)."""
import asyncio

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from monitor.ops.incremental import (STORED_CHECK, AlreadyStored, SkipStoredArticlesMiddleware,
                                     StoredArticlesCheckMiddleware)


def article(url):
    return Request(url, meta={"page_kind": "article", "outlet": "x"})


class DirectDatabase:
    """RunDatabase's `read`, on this thread, counting lookups."""

    def __init__(self, db):
        self.db = db
        self.reads = 0

    async def read(self, fn, *args):
        self.reads += 1
        return fn(self.db, *args)


@pytest.fixture
def crawler(monitor_env):
    return get_crawler(settings_dict={"MONGO_URI": monitor_env["MONGO_URI"],
                                      "MONGO_DATABASE": monitor_env["MONGO_DATABASE"]})


def run(coro):
    return asyncio.run(coro)


async def listed(aiter):
    return [o async for o in aiter]


async def from_list(items):
    for item in items:
        yield item


def test_a_list_pages_articles_are_checked_together_and_only_new_ones_fetched(crawler, db):
    db.articles.insert_many([
        {"url": "https://example.cn/a.html"},                                          # stored (canonical URL)
        {"url": "https://example.cn/new/b.html", "urls": ["https://example.cn/old/b.html"]},  # stored under b's URL
    ])
    database = DirectDatabase(db)
    check = StoredArticlesCheckMiddleware(crawler, database)
    skip = SkipStoredArticlesMiddleware(crawler, database)
    listing = Request("https://example.cn/list.html", meta={"page_kind": "list"})
    a, b, c = (article("http://www.example.cn/a.html"), article("https://example.cn/old/b.html"),
               article("https://example.cn/c.html"))
    response = HtmlResponse("https://example.cn/list.html", body=b"<html></html>", request=listing)
    next_list = Request("https://example.cn/list_2.html", meta={"page_kind": "list"})
    out = run(listed(check.process_spider_output(response, from_list([a, next_list, b, c]))))
    assert out == [a, next_list, b, c]  # everything passes, in order: the check only annotates
    assert [r.meta[STORED_CHECK] for r in (a, b, c)] == [(a.url, True), (b.url, True), (c.url, False)]
    assert STORED_CHECK not in next_list.meta

    assert database.reads == 1  # one lookup for the whole list page
    # the answer decides: no lookup of its own
    for stored in (a, b):
        with pytest.raises(AlreadyStored):
            run(skip.process_request(stored))
    assert run(skip.process_request(c)) is None
    assert run(skip.process_request(next_list)) is None
    assert database.reads == 1
    assert crawler.stats.get_value("monitor/incremental/skipped_stored") == 2


def test_a_request_without_an_answer_for_its_url_is_looked_up_on_its_own(crawler, db):
    db.articles.insert_one({"url": "https://example.cn/target.html"})
    skip = SkipStoredArticlesMiddleware(crawler, DirectDatabase(db))
    moved = article("https://example.cn/moved.html")
    moved.meta[STORED_CHECK] = (moved.url, False)
    redirected = moved.replace(url="https://example.cn/target.html")  # a redirect keeps the meta
    with pytest.raises(AlreadyStored):
        run(skip.process_request(redirected))
    assert run(skip.process_request(article("https://example.cn/other.html"))) is None
    assert crawler.stats.get_value("monitor/incremental/skipped_stored") == 1


def test_the_database_being_gone_lets_the_articles_through(crawler):
    class GoneDatabase:
        async def read(self, fn, *args):
            from monitor.storage.service import DatabaseGone
            raise DatabaseGone("MongoDB stopped answering")
    check = StoredArticlesCheckMiddleware(crawler, GoneDatabase())
    a = article("https://example.cn/a.html")
    assert run(listed(check.process_spider_output(None, from_list([a])))) == [a]
    assert STORED_CHECK not in a.meta
    assert run(SkipStoredArticlesMiddleware(crawler, GoneDatabase()).process_request(a)) is None


def test_refresh_switches_the_check_off(monitor_env):
    crawler = get_crawler(settings_dict={"MONITOR_REFRESH": True})
    with pytest.raises(NotConfigured):
        StoredArticlesCheckMiddleware.from_crawler(crawler)
