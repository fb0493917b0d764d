"""The verdict a run report gives an outlet, from its crawler's stats."""
from __future__ import annotations

from monitor.ops.health import FAILED, OK, WARNING, outlet_section, overall

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


def test_generic_extraction_for_most_pages_is_flagged_as_a_changed_template():
    stats = {**HEALTHY, "monitor/extracted_by/site": 1, "monitor/extracted_by/generic": 4}
    section = outlet_section(stats)
    assert section["verdict"] == WARNING
    assert section["problems"] == ["extraction fell back to the generic extractor for 4 of 5 pages "
                                   "(has the site's template changed?)"]


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
