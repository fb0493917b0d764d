"""The channel families the centre's published issues cite: for each, an article URL of that shape is owned
by the right outlet, accepted by its article patterns and within the scope of at least one list source
(what `monitor trace` reports, docs/adding-an-outlet.md "Scope").

The first URLs are cited by the two reference issues (../shared/reference/); the others are made in the
URL shapes of each channel family the issues cite (sub-sites, channels, e-papers), with their own ids.
"""
from __future__ import annotations

import pytest

from monitor.cli.trace_cmd import config_trace

CITED = [
    ("https://www.cnr.cn/qhfw/jdt/20260110/t20260110_527488874.shtml", "cnr"),
    ("https://www.chinanews.com/jk/2026/01-12/10550227.shtml", "chinanews"),
    ("https://www.workercn.cn/c/2026-01-13/8707483.shtml", "workercn"),
    ("https://www.chinanews.com.cn/cj/2025/06-21/10435898.shtml", "chinanews"),
    ("https://www.chinanews.com/sh/2025/06-27/10439084.shtml", "chinanews"),
    ("https://epaper.ynet.com/html/2025-06/25/content_439850.htm?div=-1", "ynet"),
]

SHAPES = [
    # 新华网: regional sub-sites (two host labels, old and new shapes) and the tech channel
    ("http://www.js.xinhuanet.com/20250612/0f3c5a7e9b1d2f4a6c8e0b2d4f6a8c0e/c.html", "xinhua"),
    ("https://sc.news.cn/20260109/9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d/c.html", "xinhua"),
    ("https://www.hb.news.cn/20251120/1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e/c.html", "xinhua"),
    ("http://www.sd.xinhuanet.com/2022-12/05/c_1129183372.htm", "xinhua"),
    ("https://www.news.cn/tech/20260112/4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a/c.html", "xinhua"),
    ("https://www.xinhuanet.com/tech/20250418/7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b/c.html", "xinhua"),
    # 央广网: regional channels and 青海 service channel
    ("https://www.cnr.cn/bj/jrbj/20260112/t20260112_527490112.shtml", "cnr"),
    ("https://www.cnr.cn/qh/sdbd/20250611/t20250611_527210345.shtml", "cnr"),
    ("http://health.cnr.cn/jkgdxw/20250428/t20250428_527151630.shtml", "cnr"),
    # 中国新闻网: every scroll channel on both domains
    ("https://www.chinanews.com.cn/gn/2026/01-14/10551234.shtml", "chinanews"),
    ("https://www.chinanews.com/cj/2026/01-09/10549876.shtml", "chinanews"),
    # 光明网 IT channel
    ("https://it.gmw.cn/2026-01/12/content_38510001.htm", "gmw"),
    # 北京日报: app articles, news.bjd, the e-paper
    ("https://xinwen.bjd.com.cn/content/s6965b2c4e4b0d3a1f2c3d4e5.html", "bjd"),
    ("https://news.bjd.com.cn/2026/01/14/11523456.shtml", "bjd"),
    ("https://bjrbdzb.bjd.com.cn/bjrb/mobile/2026/20260112/20260112_005/content_20260112_005_3.htm", "bjd"),
    # 人民网 and the 人民日报 e-paper
    ("http://health.people.com.cn/n1/2026/0113/c14739-40641234.html", "people"),
    ("http://finance.people.com.cn/n1/2025/0620/c1004-40504321.html", "people"),
    ("http://paper.people.com.cn/rmrb/pc/content/202601/15/content_30141001.html", "people"),
    # 中国经济网 医药 industry news
    ("http://www.ce.cn/cysc/yy/hydt/202601/14/t20260114_3012345.shtml", "ce"),
    # 湖北日报网
    ("http://news.cnhubei.com/content/2026-01/13/content_19912345.html", "cnhubei"),
    # 北京市卫生健康委 notices and policy documents
    ("https://wjw.beijing.gov.cn/zwgk_20040/tzgg/202601/t20260114_4512345.html", "bjwjw"),
    ("https://wjw.beijing.gov.cn/xwzx_20031/wnxw/202601/t20260112_4510001.html", "bjwjw"),
    # 国家卫生健康委 规划发展与信息化司
    ("https://www.nhc.gov.cn/guihuaxxs/c100133/202601/0a1b2c3d4e5f60718293a4b5c6d7e8f9.shtml", "nhc"),
    # 北京青年报 e-paper and 北青网
    ("https://epaper.ynet.com/html/2026-01/14/content_441234.htm?div=-1", "ynet"),
    ("https://news.ynet.com/2026/01/14/3912345t70.html", "ynet"),
]


@pytest.mark.parametrize("url, outlet", CITED + SHAPES)
def test_cited_channel_families_are_owned_accepted_and_listed(url, outlet):
    trace = config_trace(url)
    assert trace["outlet"] == outlet
    assert trace["accepted"], trace["reasons"]
    assert trace["sources"], trace["reasons"]


@pytest.mark.parametrize("url", [
    "https://www.news.cn/health/index.html",            # a channel page, not an article
    "http://tv.cnr.cn/2026/20260112/t20260112_527490000.shtml",
    "https://www.chinanews.com.cn/scroll-news/news1.html",
    "https://bjrbdzb.bjd.com.cn/bjrb/mobile/2026/20260112/20260112_m.html",  # the e-paper's issue page
])
def test_pages_that_are_not_articles_are_refused(url):
    assert not config_trace(url)["accepted"]
