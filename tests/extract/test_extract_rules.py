"""The extraction functions one by one: charset decoding, publish-time rules, field cleaning, failures."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from lxml import html

from monitor.extract.article import ExtractionError, extract_article
from monitor.extract.charset import decode_html
from monitor.extract.dates import parse_datetime, url_date
from monitor.extract.published import find_published
from monitor.extract.fields import SelectorConfigError, clean_editor, clean_origin, is_own_name
from monitor.outlets import Outlet, outlet_for_url
from monitor.window import BEIJING

NOW = datetime(2026, 1, 16, 12, 0, tzinfo=BEIJING)
TEXT = "国家卫生健康委13日召开新闻发布会，介绍全民健康信息平台建设进展和下一步工作安排，各省份已全部接入。"


def page(title="电子病历共享调阅体系加快建设", date_line="", body=TEXT, head=""):
    return (f"<html><head><meta charset='utf-8'>{head}<title>{title}</title></head><body>"
            f"<h1>{title}</h1><div class='info'>{date_line}</div>"
            f"<div class='content'><p>{body}</p><p>{body}</p></div></body></html>").encode("utf-8")


# --- charset ---------------------------------------------------------------------------------------

def test_gb2312_declared_bytes_decode_as_gb18030():
    text = "<meta charset='gb2312'><p>朱镕基 周喆</p>"  # 镕 and 喆 lie outside GB2312
    decoded, codec = decode_html(text.encode("gb18030"))
    assert "朱镕基 周喆" in decoded and codec == "gb18030"


def test_utf8_bytes_win_over_a_gb2312_declaration():
    decoded, codec = decode_html("<meta charset='gb2312'><p>健康信息化</p>".encode("utf-8"))
    assert "健康信息化" in decoded and codec == "utf-8"


def test_undeclared_gbk_is_sniffed():
    body = ("<html><body>" + "<p>全民健康信息平台互联互通，电子健康卡一码通用，远程医疗服务覆盖所有地级市。</p>" * 5
            + "</body></html>").encode("gbk")
    decoded, _ = decode_html(body)
    assert "全民健康信息平台" in decoded


def test_forced_encoding_and_a_bad_one():
    assert decode_html("健康".encode("gbk"), forced="gbk")[0] == "健康"
    with pytest.raises(LookupError, match="'klingon' is not a text encoding"):
        decode_html(b"x", forced="klingon")


# --- dates -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("url, day", [
    ("https://news.gmw.cn/2026-01/13/content_1.htm", date(2026, 1, 13)),
    ("https://www.news.cn/health/20260113/0123456789abcdef0123456789abcdef/c.html", date(2026, 1, 13)),
    ("http://health.people.com.cn/n1/2026/0113/c14739-1.html", date(2026, 1, 13)),
    ("https://www.chinanews.com.cn/jk/2026/01-13/1.shtml", date(2026, 1, 13)),
    ("https://news.bjd.com.cn/2026/01/13/1.shtml", date(2026, 1, 13)),
    ("http://paper.people.com.cn/rmrb/pc/content/202601/13/content_1.html", date(2026, 1, 13)),
    ("https://health.cnr.cn/jkgdxw/20260113/t20260113_1.shtml", date(2026, 1, 13)),
    ("https://xinwen.bjd.com.cn/content/s6966a1b2e4b0c3d4e5f6a7b8.html", None),
])
def test_url_date(url, day):
    assert url_date(url)[0] == day


@pytest.mark.parametrize("text, expected", [
    ("2026年01月13日10:21 | 来源：人民网", datetime(2026, 1, 13, 10, 21)),
    ("发布时间：2026-01-13 09:30:05", datetime(2026, 1, 13, 9, 30, 5)),
    ("2026/1/3", datetime(2026, 1, 3)),
    ("2026-01-13T02:00:00Z", datetime(2026, 1, 13, 10, 0)),
    ("2026年1月13日 星期二 下午3:07", datetime(2026, 1, 13, 15, 7)),
    ("2026年1月13日週二 上午12:30", datetime(2026, 1, 13, 0, 30)),
    ("发布时间：26-01-13 23:16", datetime(2026, 1, 13, 23, 16)),  # a two-digit year, where a label says so
])
def test_parse_datetime(text, expected):
    assert parse_datetime(text)[0] == expected.replace(tzinfo=BEIJING)


def test_a_two_digit_year_without_a_label_is_no_date():
    assert parse_datetime("编号 26-01-13") == (None, None)


def published(head: str, body: str, url: str = "https://example.org/a.html"):
    root = html.document_fromstring(f"<html><head>{head}</head><body>{body}</body></html>")
    headline = root.find(".//h1")
    return find_published(root, url, NOW, headline=headline)


def test_page_time_far_from_the_url_date_falls_back_to_the_url_date():
    moment, raw = published("", "<h1>标题</h1><p>2025-12-01 09:00</p>", "https://news.gmw.cn/2026-01/13/content_1.htm")
    assert moment == datetime(2026, 1, 13, tzinfo=BEIJING) and raw == "2026-01/13"


def test_page_time_within_a_day_of_the_url_date_is_kept():
    moment, _ = published("", "<h1>标题</h1><p>2026-01-12 23:50</p>", "https://news.gmw.cn/2026-01/13/content_1.htm")
    assert moment == datetime(2026, 1, 12, 23, 50, tzinfo=BEIJING)


def test_never_a_future_date():
    future = "<h1>标题</h1><p>2026-03-01 09:00</p>"
    assert published("", future) == (None, None)
    assert published("", future, "https://news.gmw.cn/2026-01/13/content_1.htm")[0] == datetime(2026, 1, 13, tzinfo=BEIJING)
    assert published("", "<h1>标题</h1>", "https://news.gmw.cn/2026-02/13/content_1.htm") == (None, None)


def test_a_displayed_time_beats_a_meta_time_off_by_a_time_zone():
    # The CMS wrote UTC into the meta tag without saying so; the page shows Beijing time.
    moment, raw = published('<meta name="publishdate" content="2026-01-14 01:30:00">',
                            "<h1>标题</h1><div>2026年01月14日 09:30 来源：某某日报</div>")
    assert moment == datetime(2026, 1, 14, 9, 30, tzinfo=BEIJING) and raw == "2026年01月14日 09:30"


def test_a_meta_time_that_disagrees_by_minutes_is_kept():
    moment, _ = published('<meta name="publishdate" content="2026-01-14 09:12:00">',
                          "<h1>标题</h1><div>2026年01月14日 09:30</div>")
    assert moment == datetime(2026, 1, 14, 9, 12, tzinfo=BEIJING)


def test_a_day_from_the_meta_takes_its_time_of_day_from_the_page():
    moment, _ = published('<meta name="publishdate" content="2026-01-14">',
                          "<h1>标题</h1><span class='x'>浏览 12</span><p>第一段。</p><i>2026-01-14 16:05</i>")
    assert moment == datetime(2026, 1, 14, 16, 5, tzinfo=BEIJING)


@pytest.mark.parametrize("head, body, expected", [
    ('<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2026-01-13T02:00:00Z"}</script>',
     "<h1>标题</h1>", datetime(2026, 1, 13, 10, 0)),
    ("", '<h1>标题</h1><time pubdate datetime="2026-01-13T10:00:00+08:00">昨天</time>', datetime(2026, 1, 13, 10, 0)),
    ("", "<h1>标题</h1><p>2026年1月13日 星期二 下午3:07 | 来源：某报</p>", datetime(2026, 1, 13, 15, 7)),
    ("", '<h1>标题</h1><script>var DATA = {"pubtime": "2026-01-13 19:02:26"};</script>', datetime(2026, 1, 13, 19, 2, 26)),
    # The first paragraph's date is the event's, not the publish time: the line after the headline is short.
    ("", "<h1>标题</h1><p>2026年1月10日下午，某市召开全市卫生健康信息化工作推进会，会议总结了过去一年的工作，部署了新一年"
         "的重点任务，要求各单位加快推进全民健康信息平台建设，推动检查检验结果互认和电子健康档案向个人开放。</p>"
         "<div>发布日期：2026-01-12</div>", datetime(2026, 1, 12)),
])
def test_publish_time_sources(head, body, expected):
    assert published(head, body)[0] == expected.replace(tzinfo=BEIJING)


def test_article_with_a_future_page_date_gets_the_url_date():
    article = extract_article(page(date_line="2027-01-13 10:00"), "https://news.gmw.cn/2026-01/13/content_1.htm",
                              outlet=outlet_for_url("https://news.gmw.cn/"), now=NOW)
    assert article["published_at"] == datetime(2026, 1, 13, tzinfo=BEIJING)


def test_article_without_any_date_is_undated():
    article = extract_article(page(), "https://example.org/news/a.html", now=NOW)
    assert article["published_at"] is None and article["published_at_raw"] is None


# --- fields ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, names", [
    ("【责任编辑:张樵苏 】", "张樵苏"), ("(责编：汤诗瑶、丁涛)", "汤诗瑶、丁涛"), ("编辑：王娇", "王娇"),
    ("[ 责编：张倩 ]", "张倩"), ("责任编辑：尹世杰 【纠错】", "尹世杰"),
])
def test_clean_editor(text, names):
    assert clean_editor(text) == names


def test_origin_and_own_names():
    assert clean_origin("2024年04月24日23:52 | 来源：新华网") == "新华网"
    assert clean_origin("来源：人民网-文化频道 原创稿") == "人民网-文化频道"
    assert is_own_name("人民网-文化频道", ["人民网"])
    assert not is_own_name("人民网-人民日报", ["人民网"])
    assert is_own_name("城市电视台新闻综合频道", ["城市电视台"])
    assert not is_own_name("新华日报", ["人民网"])


def test_canonical_link_on_the_same_site_only():
    head = "<link rel='canonical' href='https://www.news.cn/health/20260113/abc/c.html'>"
    url = "http://www.xinhuanet.com/health/20260113/abc/c.html?from=app"
    outlet = outlet_for_url(url)
    assert extract_article(page(head=head), url, outlet=outlet, now=NOW)["url"] == \
        "https://www.news.cn/health/20260113/abc/c.html"
    foreign = "<link rel='canonical' href='https://elsewhere.example.com/a.html'>"
    assert extract_article(page(head=foreign), url, outlet=outlet, now=NOW)["url"] == url


def test_unknown_outlet_source_is_the_host_without_a_site_name():
    article = extract_article(page(), "https://www.health-it.example.cn/a.html", now=NOW)
    assert article["source"] == "health-it.example.cn" and article["extracted_by"] == "generic"


def test_site_rules_that_miss_fall_back_to_the_generic_path():
    outlet = Outlet("demo", "演示网", ("demo.example",), config={"article": {"title": ["h1.nope"], "body": ["#nope"]}})
    article = extract_article(page(), "https://demo.example/2026/01/13/1.html", outlet=outlet, now=NOW)
    assert article["extracted_by"] == "generic" and TEXT in article["body_text"]


# --- failures --------------------------------------------------------------------------------------

def test_no_body_is_an_extraction_error_naming_the_url():
    with pytest.raises(ExtractionError, match=r"https://example.org/empty.html: found no article body"):
        extract_article(page(body="短"), "https://example.org/empty.html", now=NOW)


def test_empty_page_is_an_extraction_error():
    with pytest.raises(ExtractionError, match="neither a title nor an article body"):
        extract_article(b"", "https://example.org/blank.html", now=NOW)


def test_a_bad_selector_names_itself():
    outlet = Outlet("demo", "演示网", ("demo.example",), config={"article": {"title": ["h1[["]}})
    with pytest.raises(SelectorConfigError, match=r"'h1\[\['"):
        extract_article(page(), "https://demo.example/a.html", outlet=outlet, now=NOW)
