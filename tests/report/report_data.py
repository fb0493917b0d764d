"""Articles for report tests: JSON Lines for `monitor import`, and stored documents with the
relevance/clustering fields (score, cluster_id, cluster_lead, reprint_count) the pipelines add; and
reading an issue's Word document back as lines of text."""
from __future__ import annotations

import json
import re
from datetime import datetime, timezone

from bson import ObjectId

#: Outlet key -> (display name, URL pattern with {day} and {n}).
OUTLETS = {
    "chinanews": ("中国新闻网", "https://www.chinanews.com/jk/{day}/{n}.shtml"),
    "bjd": ("京报网", "https://news.bjd.com.cn/{day}/{n}.html"),
    "ynet": ("北京青年报", "https://www.ynet.com/{day}/{n}.html"),
    "bjwjw": ("北京市卫生健康委", "https://wjw.beijing.gov.cn/xwzx_20031/wnxw/{day}/t{n}.html"),
    "cnhubei": ("湖北日报网", "https://news.cnhubei.com/{day}/{n}.html"),
}


def record(n: int, day: str, outlet: str = "chinanews", **extra) -> dict:
    """An in-topic article as `monitor import` reads it."""
    source, pattern = OUTLETS[outlet]
    return {"url": pattern.format(day=day, n=10_550_000 + n), "source": source,
            "title": f"智慧医疗第{n}号：互联网医院与健康数据共享平台上线",
            "original_title": None, "published_at": f"{day}T12:00:00+08:00",
            "body_markdown": f"第{n}篇。医院上线互联网医院平台，电子病历与检查结果互认，卫生健康大数据共享。\n\n"
                             "人工智能辅助诊疗，数字化转型加快。", **extra}


def write_jsonl(path, records) -> str:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def stored(n: int, day: str, *, score: float | None = None, cluster: str | None = None, lead: bool | None = None,
           reprints: int | None = None, outlet: str = "chinanews", status: str = "ok") -> dict:
    """An `articles` document as the storage pipeline writes it (optional fields only where given)."""
    rec = record(n, day, outlet)
    doc = {"_id": ObjectId(), "url": rec["url"].replace("https://www.", "https://"), "urls": [rec["url"]],
           "outlet": outlet, "source": rec["source"], "title": rec["title"], "original_title": None,
           "published_at": datetime.fromisoformat(rec["published_at"]).astimezone(timezone.utc),
           "body_markdown": rec["body_markdown"], "status": status}
    for key, value in (("score", score), ("cluster_id", cluster), ("cluster_lead", lead), ("reprint_count", reprints)):
        if value is not None:
            doc[key] = value
    return doc


_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")  # CommonMark: a backslash before ASCII punctuation


def plain_line(markdown_line: str) -> str:
    """A line of the reference Markdown as a reader sees it (the references hold no inline emphasis)."""
    line = re.sub(r"^#{1,6} ", "", markdown_line)
    line = re.sub(r"<(https?://[^>]+)>", r"\1", line)
    return _ESCAPE.sub(r"\1", line)


def text_lines(document) -> list[str]:
    """The document's non-blank lines: each paragraph, split at its line breaks."""
    return [line for p in document.paragraphs for line in p.text.split("\n") if line.strip()]
