"""`monitor outlets list` and `monitor outlets check NAME` as an operator runs them."""
from __future__ import annotations

from helpers import run_monitor
from saved_sites import SiteServer


def test_outlets_list_shows_every_outlet_with_its_list_sources_and_rendering():
    result = run_monitor("outlets", "list")
    assert result.returncode == 0, result.stderr
    for key in ("xinhua", "people", "cnr", "chinanews", "ce", "gmw", "workercn", "bjd", "ynet", "cnhubei",
                "nhc", "bjwjw"):
        assert f"\n{key}  " in "\n" + result.stdout
    assert "list [0]: https://www.news.cn/health/  [+ datasource JSON, scope www.news.cn/health/]" in result.stdout
    assert ": http://paper.people.com.cn/rmrb/pc/layout/{day:%Y%m}/{day:%d}/node_01.html  [one per day, " \
           "scope paper.people.com.cn/rmrb/]" in result.stdout
    assert "nhc  国家卫生健康委  (nhc.gov.cn; passes a cookie challenge in a browser)" in result.stdout


def test_check_fetches_a_list_page_and_two_articles_and_prints_their_fields(served, monitor_env):
    result = run_monitor("outlets", "check", "gmw", "--origin", served.origin, env=monitor_env)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "https://health.gmw.cn/node_9583.htm: 3 article link(s), 0 other link(s) ignored" in out
    assert "https://health.gmw.cn/2026-01/16/content_38512345.htm  (extracted by site)" in out
    assert "https://health.gmw.cn/2026-01/13/content_38506789.htm  (extracted by site)" in out
    assert "title: 福建全面推进电子病历互联互通 二级以上医院实现检查结果互认" in out
    assert "published_at: 2026-01-16T09:15:00+08:00" in out
    assert "editor: 孙宗鹤" in out
    assert "empty: author, origin, images" in out
    # a look, not a crawl: only the first list page, and nothing beyond two articles
    assert "https://health.gmw.cn/node_9583_2.htm" not in served.requested
    assert "https://health.gmw.cn/2026-01/09/content_38500000.htm" not in served.requested


def test_check_reads_every_source_and_the_latest_epaper_issue(served, monitor_env):
    # ynet: the 北青快讯 list and the e-paper; the check is made as of 2026-01-17, a day without an issue
    result = run_monitor("outlets", "check", "ynet", "--origin", served.origin, "--until", "2026-01-17", "--articles",
                         "1", env=monitor_env)
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    assert "https://epaper.ynet.com/html/2026-01/17/node_1331.htm" in served.requested
    assert "https://epaper.ynet.com/html/2026-01/16/node_1331.htm" in served.requested
    sources = [line for line in out.splitlines() if line.startswith("  [")]
    assert len(sources) >= 2 and all(line.split()[1] == "ok" for line in sources), out


def test_check_reports_an_unreadable_list_page_and_fails():
    with SiteServer({}) as empty:
        result = run_monitor("outlets", "check", "cnr", "--origin", empty.origin)
    assert result.returncode == 1
    assert "FAILED list http://health.cnr.cn/jkgdxw/" in result.stdout
    assert "none found: check list.sources and list.articles" in result.stdout


def test_check_unknown_outlet_lists_the_accepted_names():
    result = run_monitor("outlets", "check", "xinhuanet")
    assert result.returncode == 2
    assert "unknown outlet 'xinhuanet'; accepted names: bjd, bjwjw, ce, chinanews, cnhubei, cnr, gmw, nhc, " \
           "people, workercn, xinhua, ynet" in result.stderr
