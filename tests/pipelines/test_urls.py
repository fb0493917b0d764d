"""Canonical URLs: every spelling of one page gives the same URL, and different pages stay apart."""
import pytest

from monitor.urls import canonical_url

ARTICLE = "https://news.cn/health/20260112/abc/c.html"


@pytest.mark.parametrize("variant", [
    "http://www.news.cn/health/20260112/abc/c.html",            # scheme and www.
    "https://m.news.cn/health/20260112/abc/c.html",             # mobile host
    "https://wap.news.cn/health/20260112/abc/c.html",
    "HTTPS://WWW.NEWS.CN/health/20260112/abc/c.html",           # host case
    "https://www.news.cn:443/health/20260112/abc/c.html",       # default port
    "http://news.cn:80/health/20260112/abc/c.html",
    "https://news.cn/health/20260112/abc/c.html#p2",            # fragment
    "https://news.cn/health/20260112/abc/c.html?utm_source=wechat&utm_medium=share",  # tracking
    "https://news.cn/health/20260112/abc/c.html?from=timeline&isappinstalled=0",
    "https://news.cn/health/20260112/abc/c.html?spm=a2c4g.11186623&share_token=x1",
    "  https://news.cn/health/20260112/abc/c.html  ",
])
def test_spellings_of_one_article_collapse(variant):
    assert canonical_url(variant) == ARTICLE


def test_index_page_suffixes_are_the_directory():
    for suffix in ("index.html", "index.htm", "index.shtml", "default.aspx", "index.php", "INDEX.HTML"):
        assert canonical_url(f"http://www.nhc.gov.cn/guihuaxxs/{suffix}") == "https://nhc.gov.cn/guihuaxxs/"
    # only a whole file name: an article called xindex.html is an article
    assert canonical_url("https://nhc.gov.cn/a/xindex.html") == "https://nhc.gov.cn/a/xindex.html"


def test_content_parameters_are_kept_in_one_order():
    a = canonical_url("https://epaper.ynet.com/html/content.htm?id=7&div=-1&utm_campaign=x")
    b = canonical_url("http://epaper.ynet.com/html/content.htm?div=-1&id=7")
    assert a == b == "https://epaper.ynet.com/html/content.htm?div=-1&id=7"
    assert canonical_url("https://a.cn/p?id=1") != canonical_url("https://a.cn/p?id=2")


def test_people_share_parameter_and_percent_encoding():
    assert (canonical_url("http://health.people.com.cn/n1/2026/0112/c14739-1.html?ivk_sa=1024320u")
            == "https://health.people.com.cn/n1/2026/0112/c14739-1.html")
    assert canonical_url("https://a.cn/%7euser/文章.html") == canonical_url("https://a.cn/~user/%E6%96%87%E7%AB%A0.html")


def test_other_ports_hosts_and_paths_stay_apart():
    assert canonical_url("http://news.cn:8080/a.html") == "https://news.cn:8080/a.html"
    # a two-label host keeps its m.: m.cn is a site, not the mobile twin of .cn
    assert canonical_url("https://m.cn/a.html") == "https://m.cn/a.html"
    assert canonical_url("https://news.cn/a/b.html") != canonical_url("https://news.cn/a/c.html")


@pytest.mark.parametrize("url", [
    "http://www.news.cn:443/health/index.html?b=2&a=1&utm_source=x#top",
    "https://m.people.com.cn/n1/2026/0112/c1.html?ivk_sa=1",
    "https://a.cn/p?q=医院 数据",
])
def test_canonical_url_is_stable(url):
    once = canonical_url(url)
    assert canonical_url(once) == once
