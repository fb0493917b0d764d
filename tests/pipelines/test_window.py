"""Date window: inclusive calendar days in Beijing time, whatever zone a publish time is written in;
undated articles are kept with status undated."""
from datetime import date, datetime, timedelta, timezone

import pytest
import scrapy
from scrapy.utils.test import get_crawler

from monitor.items import ArticleItem
from monitor.pipelines.window import DateWindowPipeline, OutsideWindow
from monitor.window import Window

UTC = timezone.utc
BEIJING = timezone(timedelta(hours=8))
WEEK = Window.weekly(date(2026, 1, 16))  # issue of Friday 2026-01-16: Saturday 01-10 .. Friday 01-16


def pipeline(window):
    crawler = get_crawler(scrapy.Spider)
    crawler.spider = scrapy.Spider("probe")
    crawler.spider.window = window
    return DateWindowPipeline.from_crawler(crawler)


def item(published_at):
    return ArticleItem(url="https://news.cn/a.html", published_at=published_at)


def test_the_weekly_window_is_saturday_to_friday():
    assert (WEEK.since, WEEK.until) == (date(2026, 1, 10), date(2026, 1, 16))


@pytest.mark.parametrize("moment", [
    datetime(2026, 1, 10, 0, 0, tzinfo=BEIJING),             # first instant of the first day
    datetime(2026, 1, 9, 16, 0, tzinfo=UTC),                 # the same instant in UTC
    datetime(2026, 1, 16, 23, 59, 59, tzinfo=BEIJING),       # last second of the last day
    datetime(2026, 1, 16, 15, 59, 59, tzinfo=UTC),           # the same in UTC: still 01-16 in Beijing
    datetime(2026, 1, 16, 23, 59),                           # a time without zone is Beijing time
])
def test_edges_inside_the_window_are_kept(moment):
    kept = pipeline(WEEK).process_item(item(moment))
    assert kept["status"] == "ok"


@pytest.mark.parametrize("moment", [
    datetime(2026, 1, 9, 23, 59, 59, tzinfo=BEIJING),        # a second before the first day
    datetime(2026, 1, 9, 15, 59, 59, tzinfo=UTC),
    datetime(2026, 1, 17, 0, 0, tzinfo=BEIJING),             # the first instant after the last day
    datetime(2026, 1, 16, 16, 0, tzinfo=UTC),                # 01-16 in UTC, but already 01-17 in Beijing
])
def test_edges_outside_the_window_are_dropped(moment):
    with pytest.raises(OutsideWindow, match="outside 2026-01-10..2026-01-16"):
        pipeline(WEEK).process_item(item(moment))


def test_undated_articles_are_kept_apart_whatever_the_window():
    for window in (WEEK, None):
        kept = pipeline(window).process_item(item(None))
        assert kept["status"] == "undated"


def test_without_a_window_every_dated_article_is_kept():
    assert pipeline(None).process_item(item(datetime(2001, 1, 1, tzinfo=UTC)))["status"] == "ok"
