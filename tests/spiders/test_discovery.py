"""List pages of the saved sites read by an outlet spider in-process (no reactor, no network).

What other components rely on: every request carries meta outlet + page_kind, article requests the
list's day as meta list_date; links that are no articles are ignored; a malformed `list:` section
or a bad -a argument fails with a message naming the thing to fix.
"""
from __future__ import annotations

import asyncio
import re
from datetime import date

import pytest
from scrapy.http import HtmlResponse, Request, TextResponse
from scrapy.utils.test import get_crawler

from monitor.spiders import configured
from monitor.spiders.listconfig import ListConfigError, parse_list_config
from monitor.spiders.listdates import date_from_text, date_from_url
from saved_sites import SITES, saved_pages

WINDOW = {"since": "2026-01-10", "until": "2026-01-16"}


def spider(name, **kwargs):
    cls = next(c for c in vars(configured).values() if getattr(c, "name", None) == name)
    return cls.from_crawler(get_crawler(cls), **{**WINDOW, **kwargs})


def response_for(site: str, url: str, request: Request) -> TextResponse:
    path, content_type = saved_pages(SITES / site)[url]
    cls = TextResponse if "json" in content_type else HtmlResponse
    return cls(url=url, body=path.read_bytes(), headers={"Content-Type": content_type}, request=request)


def start_requests(s):
    async def collect():
        return [r async for r in s.start()]
    return asyncio.run(collect())


def read_list(s, site, request):
    return list(s.parse_list(response_for(site, request.url, request)))


def test_start_requests_are_list_pages_with_outlet_and_page_kind():
    s = spider("people")
    requests = start_requests(s)
    assert requests[0].url == "http://health.people.com.cn/GB/408564/index.html"
    # the e-paper: one page-1 URL per day of the window, newest first
    epaper = [r.url for r in requests if r.meta.get("list_day")]
    assert epaper[0] == "http://paper.people.com.cn/rmrb/pc/layout/202601/16/node_01.html"
    assert epaper[-1] == "http://paper.people.com.cn/rmrb/pc/layout/202601/10/node_01.html"
    assert len(epaper) == 7
    # the site search: one POST per topic search term
    search = [r for r in requests if r.meta.get("search_term")]
    assert {r.url for r in search} == {"http://search.people.cn/search-platform/front/search"}
    assert len(search) == len(s.topic.search_terms) and all(r.method == "POST" for r in search)
    assert len(requests) == 1 + len(epaper) + len(search)
    for request in requests:
        assert request.meta["outlet"] == "people"
        assert request.meta["page_kind"] == "list"


def test_article_requests_carry_the_list_date_and_other_links_are_ignored():
    s = spider("gmw")
    first = start_requests(s)[0]
    out = read_list(s, "gmw", first)
    articles = [r for r in out if r.meta["page_kind"] == "article"]
    lists = [r for r in out if r.meta["page_kind"] == "list"]
    assert {(r.url, r.meta["list_date"]) for r in articles} == {
        ("https://health.gmw.cn/2026-01/16/content_38512345.htm", "2026-01-16"),
        ("https://health.gmw.cn/2026-01/13/content_38506789.htm", "2026-01-13"),
    }
    assert all(r.meta["outlet"] == "gmw" for r in out)
    # the list's 2026-01-09 entry is outside the window; the channel links are no articles
    assert s.crawler.stats.get_value("monitor/list_entries_outside_window") == 1
    assert s.crawler.stats.get_value("monitor/list_links_ignored") == 0
    assert [r.url for r in lists] == ["https://health.gmw.cn/node_9583_2.htm"]
    assert lists[0].meta["page_number"] == 2


def test_paging_stops_at_a_page_older_than_the_window():
    s = spider("gmw")
    page2 = s.list_request("https://health.gmw.cn/node_9583_2.htm", 0, page_number=2)
    assert read_list(s, "gmw", page2) == []
    assert s.crawler.stats.get_value("monitor/list_paging_stopped") == 1


def test_paging_goes_on_when_reading_an_older_window():
    s = spider("gmw", since="2026-01-01", until="2026-01-08")
    page2 = s.list_request("https://health.gmw.cn/node_9583_2.htm", 0, page_number=2)
    out = read_list(s, "gmw", page2)
    assert [r.url for r in out] == ["https://health.gmw.cn/2026-01/07/content_38490000.htm",
                                    "https://health.gmw.cn/node_9583_3.htm"]


def test_datasource_json_is_requested_and_read():
    s = spider("xinhua")
    out = read_list(s, "xinhua", start_requests(s)[0])
    ds = [r for r in out if r.meta["page_kind"] == "list"]
    assert [r.url for r in ds] == ["https://www.news.cn/health/ds_5f0e7c2b9a1d4e3f8b6c0a2d4e6f8a1c.json"]
    articles = read_list(s, "xinhua", ds[0])
    # the 2026-01-15 entry was already taken from the page's own list; 2026-01-05 is outside the window
    assert [(r.url, r.meta["list_date"]) for r in articles] == [
        ("https://www.news.cn/tech/20260111/0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d/c.html", "2026-01-11"),
    ]
    assert s.crawler.stats.get_value("monitor/list_links_ignored") == 1  # the zt/ topic page


def test_epaper_pages_skip_editor_and_advert_entries_and_date_articles_by_issue():
    s = spider("people")
    node01 = next(r for r in start_requests(s) if r.url.endswith("202601/15/node_01.html"))
    out = read_list(s, "people", node01)
    assert [(r.url, r.meta["page_kind"], r.meta.get("list_date") or r.meta.get("list_day")) for r in out] == [
        ("http://paper.people.com.cn/rmrb/pc/content/202601/15/content_30141001.html", "article", "2026-01-15"),
        ("http://paper.people.com.cn/rmrb/pc/layout/202601/15/node_13.html", "list", "2026-01-15"),
    ]


def test_check_mode_takes_the_first_articles_whatever_their_date():
    s = spider("gmw", check="1")
    out = read_list(s, "gmw", start_requests(s)[0])
    assert [r.url for r in out] == ["https://health.gmw.cn/2026-01/16/content_38512345.htm"]


@pytest.mark.parametrize("kwargs, message", [
    ({"since": "2026-13-01"}, "since '2026-13-01' is not a date of the form YYYY-MM-DD"),
    ({"until": "yesterday"}, "until 'yesterday' is not a date"),
    ({"since": "2026-01-16", "until": "2026-01-10"}, "starts (2026-01-16) after it ends (2026-01-10)"),
    ({"check": "two"}, "-a check='two' must be a number"),
])
def test_bad_spider_arguments_name_the_argument(kwargs, message):
    with pytest.raises(ValueError, match=r"spider gmw: .*" + re.escape(message)):
        spider("gmw", **kwargs)


@pytest.mark.parametrize("section, message", [
    (None, "no `list:` section"),
    ({"sources": ["https://a.cn/"]}, "list: 'articles' is a required property"),
    ({"articles": ["(unclosed"], "sources": ["https://a.cn/"]}, "is not a valid regular expression"),
    ({"articles": ["x"], "sources": [{"url": "a.cn/list"}]}, "must start with http:// or https://"),
    ({"articles": ["x"], "sources": [{"url": "https://a.cn/", "pgae": "x"}]},
     "list.sources[0]: Additional properties are not allowed ('pgae' was unexpected)"),
    ({"articles": ["x"], "sources": [{"url": "https://a.cn/{day:%Y}", "per_day": False, "page": "p.html"}]},
     "needs an {n} placeholder"),
    ({"articles": ["x"], "sources": [{"url": "https://a.cn/", "per_day": True}]}, "needs a {day:...} placeholder"),
    ({"articles": ["x"], "sources": [{"url": "https://a.cn/l.json", "format": "json"}]}, "a json or search source needs"),
])
def test_malformed_list_sections_name_the_file_and_key(section, message):
    config = {"key": "demo", "list": section} if section is not None else {"key": "demo"}
    with pytest.raises(ListConfigError) as info:
        parse_list_config(config, "spiders_config/outlets/demo.yaml")
    assert "spiders_config/outlets/demo.yaml" in str(info.value)
    assert message in str(info.value)


def test_every_outlet_file_has_a_valid_list_section_and_a_spider():
    from monitor.outlets import load_outlets
    names = {getattr(c, "name", None) for c in vars(configured).values()}
    for key, outlet in load_outlets().items():
        parse_list_config(outlet.config, outlet.path)
        assert key in names


@pytest.mark.parametrize("text, expected", [
    ("2026-01-15", "2026-01-15"), ("2026年01月15日", "2026-01-15"), ("2026/1/5 10:00", "2026-01-05"),
    ("1-15 10:23", "2026-01-15"), ("12-30 08:00", "2025-12-30"), ("1768443694000", "2026-01-15"), ("", None),
])
def test_list_dates(text, expected):
    found = date_from_text(text, date(2026, 1, 16))
    assert (found.isoformat() if found else None) == expected


@pytest.mark.parametrize("url, expected", [
    ("https://www.news.cn/health/20260115/3b1f/c.html", "2026-01-15"),
    ("http://health.people.com.cn/n1/2026/0116/c14739-40650101.html", "2026-01-16"),
    ("https://www.chinanews.com.cn/jk/2026/01-15/10551234.shtml", "2026-01-15"),
    ("https://health.gmw.cn/2026-01/16/content_38512345.htm", "2026-01-16"),
    ("https://www.workercn.cn/c/2026-01-14/8761234.shtml", "2026-01-14"),
    ("https://news.bjd.com.cn/2026/01/14/11523456.shtml", "2026-01-14"),
    ("https://wjw.beijing.gov.cn/xwzx_20031/wnxw/202601/t20260114_4512345.html", "2026-01-14"),
    ("https://xinwen.bjd.com.cn/content/s6965b2c4e4b0d3a1f2c3d4e5.html", None),
])
def test_url_dates(url, expected):
    found = date_from_url(url)
    assert (found.isoformat() if found else None) == expected


def test_links_are_taken_without_their_fragment_and_from_data_href():
    s = spider("people")
    body = ('<ul class="news-list"><li><a data-href="../../../content/202601/15/content_1.html#page3">甲</a></li>'
            '<li><a href="../../../content/202601/15/content_2.html#page1">乙</a></li></ul>').encode()
    request = s.list_request("http://paper.people.com.cn/rmrb/pc/layout/202601/15/node_02.html", 1, page_number=2,
                             day=date(2026, 1, 15))
    response = HtmlResponse(url=request.url, body=body, encoding="utf-8", request=request)
    assert [r.url for r in s.parse_list(response)] == [
        "http://paper.people.com.cn/rmrb/pc/content/202601/15/content_1.html",
        "http://paper.people.com.cn/rmrb/pc/content/202601/15/content_2.html",
    ]
