"""The verdict a run report gives an outlet, from its crawler's stats."""
from __future__ import annotations

from monitor.ops.health import FAILED, OK, WARNING, outlet_section, overall
from monitor.ops.summary import outlet_line

HEALTHY = {
    "monitor/requests/list": 2, "monitor/requests/article": 5,
    "monitor/pages/list": 2, "monitor/pages/article": 5,
    "monitor/responses/200": 7, "item_scraped_count": 4,
    "monitor/extracted_by/site": 5, "item_dropped_reasons_count/OffTopic": 1,
    "monitor/stored/inserted": 4, "finish_reason": "finished",
    "downloader/exception_type_count/monitor.ops.incremental.AlreadyStored": 3,
}


def test_a_healthy_outlet_is_ok_and_skipped_requests_are_not_errors():
    section = outlet_section(HEALTHY)
    assert section["verdict"] == OK and section["problems"] == []
    assert section["dropped"] == {"OffTopic": 1} and section["stored"] == {"inserted": 4}
    assert section["errors"] == {"download": 0, "http": 0, "spider": 0}


def test_near_misses_are_part_of_what_was_kept_and_shown_as_such():
    section = outlet_section({**HEALTHY, "monitor/near_misses": 2})
    assert section["near_misses"] == 2 and section["verdict"] == OK
    assert "kept 4 (near misses 2), stored 4 new" in outlet_line("xinhua", section)[0]
    assert "near misses" not in outlet_line("xinhua", outlet_section(HEALTHY))[0]


def test_generic_extraction_for_most_pages_is_flagged_as_a_changed_template():
    stats = {**HEALTHY, "monitor/extracted_by/site": 1, "monitor/extracted_by/generic": 4}
    section = outlet_section(stats)
    assert section["verdict"] == WARNING
    assert section["problems"] == ["extraction fell back to the generic extractor for 4 of 5 pages "
                                   "(has the site's template changed?)"]


def test_article_pages_yielding_no_article_are_counted_and_flagged_when_most_do():
    one_withdrawn = outlet_section({**HEALTHY, "monitor/extract_failed": 1})
    assert one_withdrawn["unextractable"] == 1 and one_withdrawn["verdict"] == OK
    most = outlet_section({**HEALTHY, "monitor/extract_failed": 3, "monitor/extracted_by/site": 2,
                           "item_scraped_count": 2})
    assert most["verdict"] == WARNING
    assert most["problems"] == ["3 of 5 article pages yielded no article (has the site's template changed? "
                                "the log names each page and why)"]


def test_no_list_entries_and_no_articles_are_flagged():
    no_entries = {**HEALTHY, "monitor/requests/article": 0, "monitor/pages/article": 0}
    assert outlet_section(no_entries)["problems"][0].startswith("no list entries")
    no_articles = {**HEALTHY, "monitor/pages/article": 0, "monitor/responses/404": 5}
    section = outlet_section(no_articles)
    assert section["verdict"] == WARNING
    assert section["problems"][0].startswith("no articles")
    assert "errors: 5 http" in section["problems"]
    # Articles not fetched because they are stored are articles found, not a problem.
    assert outlet_section({**no_articles, "monitor/incremental/skipped_stored": 5,
                           "monitor/responses/404": 0})["verdict"] == OK


def test_an_outlet_with_no_list_page_or_an_aborted_crawl_failed():
    unreachable = {"monitor/requests/list": 2, "finish_reason": "finished",
                   "downloader/exception_type_count/twisted.internet.error.ConnectionRefusedError": 6}
    section = outlet_section(unreachable)
    assert section["verdict"] == FAILED
    assert section["problems"] == ["no list page could be fetched", "errors: 6 download"]
    assert outlet_section({**HEALTHY, "finish_reason": "shutdown"})["verdict"] == FAILED


def test_a_run_fails_only_when_every_outlet_failed():
    assert overall([FAILED, FAILED]) == FAILED
    assert overall([]) == FAILED
    assert overall([FAILED, OK]) == WARNING
    assert overall([OK, WARNING]) == WARNING
    assert overall([OK, OK]) == OK


def test_a_page_that_yields_no_article_is_counted_and_shown_in_the_summaries(monitor_env, db, sample_tool,
                                                                            tmp_path):
    from helpers import run_monitor
    from saved_sites import SITES
    broken_url = "https://www.news.cn/health/20260113/8e2d4c6b1a3f5e7d9c0b2a4f6e8d0c1b/c.html"
    broken = tmp_path / "gone.html"
    broken.write_text("<html><head><title>页面不存在</title></head><body></body></html>", encoding="utf-8")
    pages = [page._replace(path=broken) if page.url == broken_url else page
             for page in sample_tool.site_requests(SITES) if page.path.parent.name == "xinhua"]
    archive = tmp_path / "xinhua.warc.gz"
    with open(archive, "wb") as f:
        sample_tool.build(pages, f)

    result = run_monitor("crawl", "xinhua", "--since", "2026-01-10", "--until", "2026-01-16", "--replay", archive)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no article in 1 page(s)" in result.stdout
    assert broken_url in result.stderr  # the log names the page
    [run] = list(db.runs.find())
    assert run["outlets"]["xinhua"]["unextractable"] == 1
    shown = run_monitor("runs", "--run", run["run_id"])
    assert "no article in 1 page(s)" in shown.stdout
    assert db.articles.count_documents({}) == 2 and not db.articles.find_one({"url": broken_url})
