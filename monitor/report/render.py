"""An issue as Markdown: a pure function of its entries, its profile and its number and date.

The layout (title, number, organisation, date, 本期导语, 一、信息目录, 二、具体内容) is the one the
centre publishes; docs/reports.md shows it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone

from monitor.report.profiles import Profile, chinese_date
from monitor.report.safe_markdown import body_markdown, inline_text, link
from monitor.window import BEIJING, Window


@dataclass(frozen=True)
class Entry:
    """What an issue prints of one article."""
    title: str
    source: str
    link: str
    day: date
    original_title: str | None
    body: str

    @classmethod
    def from_article(cls, doc: dict) -> "Entry":
        published: datetime = doc["published_at"]
        if published.tzinfo is None:  # a client without tz_aware gives naive UTC
            published = published.replace(tzinfo=timezone.utc)
        return cls(title=doc["title"], source=doc["source"], link=(doc.get("urls") or [doc["url"]])[0],
                   day=published.astimezone(BEIJING).date(), original_title=doc.get("original_title") or None,
                   body=doc.get("body_markdown") or "")


@dataclass(frozen=True)
class IssueMeta:
    number: int
    issue_date: date
    window: Window


def render_issue(profile: Profile, meta: IssueMeta, entries: list[Entry]) -> str:
    """The issue's Markdown, ending in one newline; entries are printed in the order given.

    Every article field is untrusted and goes through monitor.report.safe_markdown: it prints as text
    and cannot add a heading, HTML or a non-http(s) link to the issue."""
    blocks = [
        f"# {profile.title}",
        profile.number_text(meta.number),
        profile.organisation,
        chinese_date(meta.issue_date),
        "## 本期导语",
        profile.intro_text(len(entries), meta.window),
        "## 一、信息目录",
        "\n".join(f"{i}. {inline_text(e.title)}（{inline_text(e.source)}）" for i, e in enumerate(entries, 1)),
        "## 二、具体内容",
    ]
    for i, entry in enumerate(entries, 1):
        title, source = inline_text(entry.title), inline_text(entry.source)
        blocks += [
            f"### {i}. {title}",
            f"来源：{source}",
            f"链接：{link(entry.link)}",
            "主要内容：",
            title,
            f"{entry.day.isoformat()} 来源：{source}",
        ]
        if entry.original_title:
            blocks.append(f"原标题：{inline_text(entry.original_title)}")
        body = body_markdown(entry.body.strip())
        if body:
            blocks.append(body)
    return "\n\n".join(block for block in blocks if block) + "\n"
