"""Every kind of list source read by the outlet spider in-process, in the formats sites really answer:
RSS/Atom feeds, sitemaps and sitemap indexes, a site search API (GET and POST JSON), the headline
pre-filter, per-source counters, bad answers (HTML where JSON was expected, an empty feed, a search
API error) and the publish day taken from the list when the page shows none.

A demo outlet under a temporary spiders_config/ (MONITOR_CONFIG_DIR) holds the sources; the real
outlets' sources are crawled against their saved pages in test_outlet_crawls.py.
"""
from __future__ import annotations

import asyncio
import json
import shutil

import pytest
import yaml
from scrapy.http import HtmlResponse, TextResponse, XmlResponse
from scrapy.utils.test import get_crawler

from helpers import ROOT, shared_path
from monitor.config_schema import check_config_dir
from monitor.ops.health import outlet_section
from monitor.ops.summary import outlet_line
from monitor.spiders.base import OutletSpider
from monitor.spiders.listconfig import ListConfigError, parse_list_config

ARTICLE = r"^https?://(www|news)\.demo\.cn/\w+/2026-\d{2}/\d{2}/c_\d+\.html$"

FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>即时新闻</title><link>https://www.demo.cn/</link>
<item><title>国家卫生健康委：推进互联网医院建设</title><link>https://www.demo.cn/jk/2026-01/14/c_1.html</link>
<description>各地加快智慧医院和电子病历建设。</description><pubDate>Wed, 14 Jan 2026 09:10:00 +0800</pubDate></item>
<item><title>CBA常规赛：辽宁主场不敌浙江</title><link>https://www.demo.cn/ty/2026-01/14/c_2.html</link>
<description>辽宁队主场迎战浙江队。</description><pubDate>Wed, 14 Jan 2026 22:05:26 +0800</pubDate></item>
<item><title>智慧医疗进社区</title><link>https://www.demo.cn/jk/2026-01/02/c_3.html</link>
<description>旧闻</description><pubDate>Fri, 02 Jan 2026 08:00:00 +0800</pubDate></item>
<item><title>频道首页</title><link>https://www.demo.cn/jk/</link><pubDate>Wed, 14 Jan 2026 08:00:00 +0800</pubDate></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>健康</title><id>urn:demo</id><updated>2026-01-15T10:00:00+08:00</updated>
<entry><title>医保信息平台全面上线</title><id>urn:1</id><link href="https://news.demo.cn/jk/2026-01/15/c_4.html"/>
<updated>2026-01-15T10:00:00+08:00</updated><summary>全国统一的医保信息平台。</summary></entry></feed>"""

SITEMAP_INDEX = """<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://www.demo.cn/sitemap-2026-01.xml</loc><lastmod>2026-01-15</lastmod></sitemap>
<sitemap><loc>https://www.demo.cn/sitemap-2025-06.xml</loc><lastmod>2025-06-30</lastmod></sitemap>
</sitemapindex>"""

NEWS_SITEMAP = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>https://www.demo.cn/jk/2026-01/12/c_5.html</loc><news:news><news:publication><news:name>示例网</news:name>
<news:language>zh</news:language></news:publication><news:publication_date>2026-01-12T08:00:00+08:00</news:publication_date>
<news:title>电子健康卡实现跨省通用</news:title></news:news></url>
<url><loc>https://www.demo.cn/cj/2026-01/12/c_6.html</loc><lastmod>2026-01-12</lastmod></url>
<url><loc>https://www.demo.cn/about.html</loc></url>
</urlset>"""


def search_answer(records, code="0"):
    return json.dumps({"code": code, "message": "ok" if code == "0" else "请求过于频繁", "data": {"records": records}},
                      ensure_ascii=False)


OUTLET = {
    "key": "demo", "name": "示例网", "domains": ["demo.cn"],
    "request": {"user_agent": "browser", "headers": {"Referer": "https://www.demo.cn/"}, "download_delay": 2,
                "concurrency": 1, "scheme_fallback": True},
    "list": {
        "articles": [ARTICLE],
        "sources": [
            {"url": "https://www.demo.cn/rss/scroll.xml", "format": "feed", "prefilter": True},
            {"url": "https://www.demo.cn/sitemap.xml", "format": "sitemap"},
            {"url": "https://search.demo.cn/api/search", "format": "search", "method": "POST",
             "json": {"key": "{term}", "page": "{page}", "limit": 20, "startTime": "{since_ms}",
                      "endTime": "{until_ms}"},
             "entries": "data.records", "link": "url", "date": "displayTime", "title": "title",
             "summary": "content", "ok": {"code": "0"}, "terms": ["互联网医院", "智慧医疗"], "max_pages": 2},
            {"url": "https://search.demo.cn/s?q={term}&from={since:%Y-%m-%d}&to={until:%Y-%m-%d}",
             "format": "search", "params": {"page": "{page}"}, "entries": "result.list", "link": "url",
             "date": "pubtime", "terms": "电子病历"},
            {"url": "https://www.demo.cn/jk/", "entries": "li", "date": "span", "scope": ["*.demo.cn/jk/"]},
            {"url": "https://www.demo.cn/atom.xml", "format": "feed", "name": "健康频道 Atom"},
        ],
    },
}


@pytest.fixture
def config_dir(tmp_path, monkeypatch):
    directory = tmp_path / "spiders_config"
    (directory / "outlets").mkdir(parents=True)
    shutil.copytree(ROOT / "spiders_config" / "topics", directory / "topics")
    (directory / "outlets" / "demo.yaml").write_text(yaml.safe_dump(OUTLET, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv("MONITOR_CONFIG_DIR", str(directory))
    return directory


@pytest.fixture
def demo(config_dir):
    cls = type("DemoSpider", (OutletSpider,), {"name": "demo"})
    crawler = get_crawler(cls, {"MONITOR_CONFIG_DIR": str(config_dir)})
    crawler._apply_settings()
    return cls.from_crawler(crawler, since="2026-01-10", until="2026-01-16")


def start(spider):
    async def collect():
        return [r async for r in spider.start()]
    return asyncio.run(collect())


def answer(request, body: str | bytes, cls=TextResponse, content_type="application/json"):
    body = body.encode("utf-8") if isinstance(body, str) else body
    return cls(url=request.url, body=body, headers={"Content-Type": content_type}, request=request,
               encoding="utf-8")


def read(spider, request, body, **kwargs):
    return list(spider.parse_list(answer(request, body, **kwargs)))


def source_counts(spider, index):
    return next(s for s in outlet_section(spider.crawler.stats.get_stats())["sources"] if s["index"] == index)


def test_the_demo_config_passes_the_check_every_command_makes(config_dir):
    assert check_config_dir(config_dir) == []


def test_outlet_request_settings_become_the_crawlers_settings(demo):
    settings = demo.crawler.settings
    assert settings["USER_AGENT"].startswith("Mozilla/5.0")
    assert settings.getdict("DEFAULT_REQUEST_HEADERS")["Referer"] == "https://www.demo.cn/"
    assert settings.getdict("DEFAULT_REQUEST_HEADERS")["Accept-Language"].startswith("zh-CN")
    assert settings.getfloat("DOWNLOAD_DELAY") == 2
    assert settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 1
    assert settings.getbool("MONITOR_SCHEME_FALLBACK")


def test_a_403_is_asked_again_with_the_other_scheme_once(demo):
    from scrapy import Request
    from scrapy.http import Response

    from monitor.spiders.politeness import SchemeFallbackMiddleware
    middleware = SchemeFallbackMiddleware.from_crawler(demo.crawler)
    request = Request("https://epaper.demo.cn/html/2026-01/15/node_1.htm", meta={"page_kind": "list"})
    retry = middleware.process_response(request, Response(request.url, status=403, request=request))
    assert retry.url == "http://epaper.demo.cn/html/2026-01/15/node_1.htm"
    assert retry.meta["page_kind"] == "list" and retry.dont_filter
    again = middleware.process_response(retry, Response(retry.url, status=403, request=retry))
    assert again.status == 403  # once only: the second 403 is the answer


def test_start_asks_every_source_and_each_search_term(demo):
    requests = start(demo)
    urls = [(r.method, r.url) for r in requests]
    assert urls[:2] == [("GET", "https://www.demo.cn/rss/scroll.xml"), ("GET", "https://www.demo.cn/sitemap.xml")]
    posts = [r for r in requests if r.method == "POST"]
    assert [json.loads(r.body)["key"] for r in posts] == ["互联网医院", "智慧医疗"]
    body = json.loads(posts[0].body)
    # the window 2026-01-10..16 in Beijing time, as epoch milliseconds; numbers stay numbers
    assert body == {"key": "互联网医院", "page": 1, "limit": 20, "startTime": 1767974400000,
                    "endTime": 1768579199999}
    assert posts[0].headers["Content-Type"].startswith(b"application/json")
    get = next(r for r in requests if r.url.startswith("https://search.demo.cn/s?"))
    assert get.url == ("https://search.demo.cn/s?q=%E7%94%B5%E5%AD%90%E7%97%85%E5%8E%86&from=2026-01-10"
                       "&to=2026-01-16&page=1")
    assert all(r.meta["page_kind"] == "list" for r in requests)


def test_a_feed_is_read_and_its_off_topic_titles_are_not_fetched(demo):
    feed = start(demo)[0]
    out = read(demo, feed, FEED, cls=XmlResponse, content_type="application/rss+xml")
    assert [(r.url, r.meta["list_date"]) for r in out] == [("https://www.demo.cn/jk/2026-01/14/c_1.html", "2026-01-14")]
    counts = source_counts(demo, 0)
    # the CBA item is dropped by the headline pre-filter, the 01-02 item is outside the window, the channel
    # page is no article
    assert (counts["links"], counts["prefiltered"], counts["outside_window"], counts["requested"]) == (3, 1, 1, 1)
    assert counts["label"] == "feed https://www.demo.cn/rss/scroll.xml"
    assert demo.crawler.stats.get_value("monitor/list_links_ignored") == 1


def test_the_real_chinanews_feed_format_is_read(demo):
    path = shared_path("lists", "chinanews__rss__1.xml")
    from monitor.spiders.listformats import feed_entries
    entries = feed_entries(path.read_bytes())
    assert len(entries) == 30
    assert entries[0].link == "https://www.chinanews.com.cn/gj/2026/04-19/10606399.shtml"
    assert entries[0].date == "2026-04-19T06:22:34+08:00" and entries[0].title and entries[0].summary


def test_an_atom_feed_is_read(demo):
    atom = next(r for r in start(demo) if r.url.endswith("atom.xml"))
    out = read(demo, atom, ATOM, cls=XmlResponse, content_type="application/atom+xml")
    assert [r.url for r in out] == ["https://news.demo.cn/jk/2026-01/15/c_4.html"]
    assert source_counts(demo, 5)["label"] == "健康频道 Atom"


def test_a_sitemap_index_leads_to_its_recent_sitemaps_and_their_articles(demo):
    index = start(demo)[1]
    out = read(demo, index, SITEMAP_INDEX, cls=XmlResponse, content_type="application/xml")
    # the June 2025 sitemap was last changed before the window: not read
    assert [r.url for r in out] == ["https://www.demo.cn/sitemap-2026-01.xml"]
    out = read(demo, out[0], NEWS_SITEMAP, cls=XmlResponse, content_type="application/xml")
    assert [(r.url, r.meta["list_date"]) for r in out] == [
        ("https://www.demo.cn/jk/2026-01/12/c_5.html", "2026-01-12"),
        ("https://www.demo.cn/cj/2026-01/12/c_6.html", "2026-01-12")]


def test_a_search_reads_result_pages_until_they_run_out_or_reach_max_pages(demo):
    first = next(r for r in start(demo) if r.method == "POST")
    records = [
        {"title": "<em>互联网医院</em>监管平台上线", "content": "……", "url": "https://www.demo.cn/jk/2026-01/13/c_7.html",
         "displayTime": 1768280000000},
        {"title": "旧闻", "url": "https://www.demo.cn/jk/2026-01/03/c_8.html", "displayTime": 1767400000000},
    ]
    out = read(demo, first, search_answer(records))
    assert [r.url for r in out if r.meta["page_kind"] == "article"] == ["https://www.demo.cn/jk/2026-01/13/c_7.html"]
    page2 = [r for r in out if r.meta["page_kind"] == "list"]
    assert len(page2) == 1 and json.loads(page2[0].body)["page"] == 2 and page2[0].meta["search_term"] == "互联网医院"
    # max_pages 2: page 2 with results asks for no page 3
    more = [{"title": "互联网医院", "url": "https://www.demo.cn/jk/2026-01/11/c_9.html", "displayTime": 1768100000000}]
    assert [r.meta["page_kind"] for r in read(demo, page2[0], search_answer(more))] == ["article"]
    # an empty page ends the term
    assert read(demo, first.replace(), search_answer([])) == []


@pytest.mark.parametrize("body, reason", [
    ("<html><head><title>502 Bad Gateway</title></head></html>", "HTML where JSON was expected"),
    (search_answer([], code="1001"), "the answer's code is '1001', not '0' (请求过于频繁)"),
    ("", "an empty answer where JSON was expected"),
    (json.dumps({"code": "0", "data": {}}), "no entry array at 'data.records'"),
])
def test_a_bad_search_answer_is_counted_against_its_source_and_the_crawl_goes_on(demo, body, reason):
    first = next(r for r in start(demo) if r.method == "POST")
    assert read(demo, first, body) == []
    counts = source_counts(demo, 2)
    assert counts["failed"] == 1 and reason in counts["error"]
    section = outlet_section({**demo.crawler.stats.get_stats(), "monitor/pages/list": 1})
    assert section["verdict"] == "warning"
    assert any("list source search https://search.demo.cn/api/search: 1 request(s) unusable" in p and reason in p
               for p in section["problems"])
    assert any("source [2] search https://search.demo.cn/api/search: pages 1" in line and "failed 1" in line
               for line in outlet_line("demo", section))


@pytest.mark.parametrize("body, reason", [
    ("", "an empty answer where a feed was expected"),
    ("<html><body>访问过于频繁</body></html>", "not an RSS or Atom feed"),
])
def test_a_bad_feed_is_counted_against_its_source(demo, body, reason):
    feed = start(demo)[0]
    assert read(demo, feed, body, cls=HtmlResponse, content_type="text/html") == []
    assert reason in source_counts(demo, 0)["error"]


def test_an_empty_feed_is_an_empty_list_not_a_failure(demo):
    feed = start(demo)[0]
    empty = '<?xml version="1.0"?><rss version="2.0"><channel><title>即时新闻</title></channel></rss>'
    assert read(demo, feed, empty, cls=XmlResponse, content_type="application/rss+xml") == []
    counts = source_counts(demo, 0)
    assert counts["failed"] == 0 and counts["empty"] == 1


def test_a_sitemap_that_is_no_sitemap_is_reported(demo):
    index = start(demo)[1]
    read(demo, index, "<html><body>404</body></html>", cls=HtmlResponse, content_type="text/html")
    assert "not a sitemap" in source_counts(demo, 1)["error"] or "not XML" in source_counts(demo, 1)["error"]


def test_scopes_are_declared_or_derived(config_dir):
    config = parse_list_config(OUTLET)
    feed, sitemap, search, _, channel, _ = config.sources
    assert [str(p) for p in feed.scope] == ["www.demo.cn/rss/"]
    assert [str(p) for p in search.scope] == ["*.demo.cn/"]
    assert channel.covers("https://news.demo.cn/jk/2026-01/15/c_4.html")
    assert not channel.covers("https://www.demo.cn/cj/2026-01/15/c_4.html")
    assert [i for i, _ in config.sources_covering("https://news.demo.cn/jk/2026-01/15/c_4.html")] == [2, 3, 4]


@pytest.mark.parametrize("source, message", [
    ({"url": "https://a.cn/s?q={trem}", "format": "search", "entries": "list", "link": "url"},
     "is not a template of {term}"),
    ({"url": "https://a.cn/s", "format": "search", "entries": "list", "link": "url", "json": {"q": "{term}"}},
     "needs `method: POST`"),
    ({"url": "https://a.cn/", "method": "POST"}, "belong to a `format: search` source"),
    ({"url": "https://a.cn/", "scope": ["https://a.cn/x"]}, "is not a scope"),
    ({"url": "https://a.cn/", "headers": {"Bad Header": "x"}}, "Bad Header"),
])
def test_malformed_new_source_keys_are_named(source, message):
    with pytest.raises(ListConfigError) as info:
        parse_list_config({"key": "demo", "list": {"articles": ["x"], "sources": [source]}}, "demo.yaml")
    assert message in str(info.value)


def test_a_page_without_a_date_takes_the_day_its_list_entry_showed(demo, monkeypatch):
    from monitor.spiders import base
    channel = next(r for r in start(demo) if r.url == "https://www.demo.cn/jk/")
    listing = '<ul><li><a href="/jk/2026-01/15/c_10.html">互联网医院</a><span>2026-01-15</span></li></ul>'
    [article] = read(demo, channel, listing, cls=HtmlResponse, content_type="text/html")
    assert article.meta["list_dated"]

    async def fields(*args, **kwargs):
        return {"url": article.url, "title": "互联网医院", "published_at": None, "published_at_raw": None,
                "body_markdown": "正文", "source": "示例网"}
    monkeypatch.setattr(base.workers, "wait", fields)
    monkeypatch.setattr(base.workers, "run", lambda *a, **k: None)

    async def parse():
        return [i async for i in demo.parse_article(HtmlResponse(article.url, body=b"<html></html>", request=article))]
    [item] = asyncio.run(parse())
    assert item["published_at"].isoformat() == "2026-01-15T00:00:00+08:00"
    assert item["published_at_source"] == "list" and item["published_at_raw"] == "list: 2026-01-15"



def test_a_list_page_behind_an_article_link_is_a_counted_drop_not_a_failure(demo, monkeypatch):
    from monitor.spiders import base

    async def result(future):
        return future.result()
    monkeypatch.setattr(base.workers, "wait", result)
    demo.settings.frozen = False
    demo.settings.set("MONITOR_WORKER_PROCESSES", 0)
    url = "https://www.demo.cn/jk/2026-01/14/c_99.html"
    page = (ROOT / "tests" / "extract" / "pages" / "not_articles" / "list_of_links.html").read_bytes()

    async def parse():
        response = HtmlResponse(url, body=page, headers={"Content-Type": "text/html; charset=utf-8"},
                                request=demo.article_request(url, None, "https://www.demo.cn/jk/"))
        return [i async for i in demo.parse_article(response)]
    assert asyncio.run(parse()) == []
    section = outlet_section(demo.crawler.stats.get_stats())
    assert section["dropped"] == {"NotAnArticle": 1}
    assert section["unextractable"] == 0 and demo.failures == []
