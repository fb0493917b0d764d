"""An issue as blocks, and as Markdown: pure functions of its entries, its profile and its number and date.

The layout (title, number, organisation, date, 本期导语, 一、信息目录, 二、具体内容) is the one the
centre publishes; docs/reports.md shows it. Each output format renders the same blocks: the Markdown
here, the Word document in monitor/report/docx.py.
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


#: What each block of an issue is; the Markdown prints every kind as its text, the DOCX gives each its style.
TITLE = "title"                    # the report's name (a level-1 heading)
MASTHEAD = "masthead"              # number, organisation and date under the title (centred in a document)
SECTION = "section"                # 本期导语, 一、信息目录, 二、具体内容 (level-2 headings)
INTRO = "intro"                    # the 本期导语 sentence
CONTENTS = "contents"              # 一、信息目录: one numbered line per entry, "N. title（source）"
ENTRY = "entry"                    # an entry's heading "N. title" (level 3)
FIELD = "field"                    # a labelled line of an entry: 来源：, 主要内容：
LINK = "link"                      # 链接：<url> (a hyperlink in a document)
ENTRY_TITLE = "entry_title"        # the title again, over the article's text
DATELINE = "dateline"              # "YYYY-MM-DD 来源：X"
ORIGINAL_TITLE = "original_title"  # 原标题：…
BODY = "body"                      # the article's body: paragraphs of text with inline emphasis, links, images


@dataclass(frozen=True)
class Block:
    """One block of an issue: its kind and its Markdown (every article field already made safe)."""
    kind: str
    markdown: str


def issue_blocks(profile: Profile, meta: IssueMeta, entries: list[Entry]) -> list[Block]:
    """The issue as blocks in reading order; entries are printed in the order given.

    Every article field is untrusted and goes through monitor.report.safe_markdown: it prints as text
    and cannot add a heading, HTML or a non-http(s) link to the issue."""
    blocks = [
        Block(TITLE, f"# {profile.title}"),
        Block(MASTHEAD, profile.number_text(meta.number)),
        Block(MASTHEAD, profile.organisation),
        Block(MASTHEAD, chinese_date(meta.issue_date)),
        Block(SECTION, "## 本期导语"),
        Block(INTRO, profile.intro_text(len(entries), meta.window)),
        Block(SECTION, "## 一、信息目录"),
        Block(CONTENTS, "\n".join(f"{i}. {inline_text(e.title)}（{inline_text(e.source)}）"
                                  for i, e in enumerate(entries, 1))),
        Block(SECTION, "## 二、具体内容"),
    ]
    for i, entry in enumerate(entries, 1):
        title, source = inline_text(entry.title), inline_text(entry.source)
        blocks += [
            Block(ENTRY, f"### {i}. {title}"),
            Block(FIELD, f"来源：{source}"),
            Block(LINK, f"链接：{link(entry.link)}"),
            Block(FIELD, "主要内容："),
            Block(ENTRY_TITLE, title),
            Block(DATELINE, f"{entry.day.isoformat()} 来源：{source}"),
        ]
        if entry.original_title:
            blocks.append(Block(ORIGINAL_TITLE, f"原标题：{inline_text(entry.original_title)}"))
        blocks.append(Block(BODY, body_markdown(entry.body.strip())))
    return [block for block in blocks if block.markdown]


def render_issue(profile: Profile, meta: IssueMeta, entries: list[Entry]) -> str:
    """The issue's Markdown, ending in one newline: its blocks separated by blank lines."""
    return markdown_of(issue_blocks(profile, meta, entries))


def markdown_of(blocks: list[Block]) -> str:
    return "\n\n".join(block.markdown for block in blocks) + "\n"
