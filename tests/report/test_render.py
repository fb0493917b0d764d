"""The pure renderer: entries + profile + number/date -> Markdown."""
from datetime import date, datetime, timezone

from monitor.report.profiles import load_profile
from monitor.report.render import Entry, IssueMeta, render_issue


def meta(profile, number=1, issue_date=date(2026, 1, 16)):
    return IssueMeta(number, issue_date, profile.window(issue_date))


def test_entry_takes_the_first_url_and_the_beijing_day():
    doc = {"title": "标题", "source": "新华网", "url": "https://news.cn/a.html",
           "urls": ["http://www.news.cn/a.html?from=timeline", "https://news.cn/a.html"],
           # 2026-01-09 20:30 UTC is already 2026-01-10 in Beijing
           "published_at": datetime(2026, 1, 9, 20, 30, tzinfo=timezone.utc),
           "original_title": "", "body_markdown": "正文\n"}
    entry = Entry.from_article(doc)
    assert entry.link == "http://www.news.cn/a.html?from=timeline"
    assert entry.day == date(2026, 1, 10)
    assert entry.original_title is None
    naive = Entry.from_article({**doc, "published_at": datetime(2026, 1, 9, 20, 30)})
    assert naive.day == date(2026, 1, 10)


def test_entries_blocks_and_escapes():
    profile = load_profile("weekly")
    entries = [
        Entry("医院  数据\n平台", "中工网", "https://example.com/a b<c>.html", date(2026, 1, 12), "原来的 标题", "第一段\n\n第二段\n\n"),
        Entry("第二篇", "新华网", "https://news.cn/x.html", date(2026, 1, 13), None, ""),
    ]
    text = render_issue(profile, meta(profile, 12), entries)
    assert "（第一二）" in text and "本期周报共收集2篇" in text
    assert "1. 医院 数据 平台（中工网）\n2. 第二篇（新华网）\n\n## 二、具体内容" in text
    assert "链接：<https://example.com/a%20b%3Cc%3E.html>" in text
    assert ("### 1. 医院 数据 平台\n\n来源：中工网\n\n链接：<https://example.com/a%20b%3Cc%3E.html>\n\n主要内容：\n\n"
            "医院 数据 平台\n\n2026-01-12 来源：中工网\n\n原标题：原来的 标题\n\n第一段\n\n第二段\n\n### 2.") in text
    assert text.endswith("第二篇\n\n2026-01-13 来源：新华网\n")  # no body, no 原标题, one final newline


def test_empty_entry_list_still_renders_a_well_formed_issue():
    profile = load_profile("monthly")
    text = render_issue(profile, meta(profile, 558, date(2026, 5, 31)), [])
    assert "本期月报共收集0篇" in text and text.endswith("## 一、信息目录\n\n## 二、具体内容\n")
