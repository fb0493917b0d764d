"""A generated mirror of one outlet (中国经济网 `ce`, its list and article templates from tests/sites/ce/).

`build_mirror(directory, articles)` writes the list pages (50 entries each, newest first, paging by
`index_{n}.shtml` as the real channel does, the last page ending with entries older than the window
so paging stops) and the article pages, GB2312-declared and GB18030-encoded as served, and returns
{original URL: (file, content type)} for tests/saved_sites.SiteServer, which answers them
from 127.0.0.1 by original URL (the project's MONITOR_ORIGIN_OVERRIDE download handler).
The spider's own outlet file allows 10 list pages; `bench_config_dir` copies spiders_config/ with
`max_pages` raised so the whole mirror is discovered.
"""
from __future__ import annotations

import html
import random
import re
import shutil
import sys
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from bench import corpus  # noqa: E402
from saved_sites import SITES, SiteServer  # noqa: E402,F401

WINDOW_SINCE, WINDOW_DAYS = date(2026, 1, 10), 7
LIST_URL = "http://www.ce.cn/cysc/yy/hydt/"
PER_PAGE = 50
CONTENT_TYPE = "text/html"


def _template(name: str) -> str:
    return (SITES / "ce" / name).read_bytes().decode("gb18030")


def article_page(template: str, title: str, published, paragraphs: list[str]) -> str:
    body = "\n".join(f'<p style="text-indent:2em;">{html.escape(p)}</p>' for p in paragraphs)
    page = template.replace("江苏智慧医院建设提速 电子健康卡实现一码通用", html.escape(title))
    page = re.sub(r'(<span id="articleTime">)[^<]*', lambda m: m.group(1) + published.strftime("%Y年%m月%d日 %H:%M"),
                  page)
    return re.sub(r'(<div class="TRS_Editor">).*?(</div>)', lambda m: f"{m.group(1)}\n{body}\n{m.group(2)}", page,
                  flags=re.DOTALL)


def list_page(template: str, entries: list[tuple[str, str, str]], more: bool, number: int) -> str:
    items = "\n".join(f'<li><span>{day}</span><a href="{href}" target="_blank">{html.escape(title)}</a></li>'
                      for day, href, title in entries)
    page = re.sub(r"<ul>.*?</ul>", lambda m: f"<ul>\n{items}\n</ul>", template, flags=re.DOTALL)
    if more:
        return page.replace('href="index_1.shtml"', f'href="index_{number + 1}.shtml"')
    return re.sub(r'<div class="page">.*?</div>', "", page, flags=re.DOTALL)


def build_mirror(directory: Path, articles: int = 5000, seed: int = 8, off_topic: float = 0.1) -> dict:
    rng = random.Random(seed)
    directory.mkdir(parents=True, exist_ok=True)
    art_template, list_template = _template("article1.html"), _template("list1.html")
    rows = []
    for n in range(articles):
        on_topic = rng.random() >= off_topic
        title, paragraphs = corpus.story(rng, on_topic)
        published = corpus.moment(rng, WINDOW_SINCE, WINDOW_DAYS)
        rows.append((published, 40000000 + n, title, paragraphs))
    rows.sort(key=lambda r: (r[0], r[1]), reverse=True)
    pages = {}
    entries = []
    for published, ident, title, paragraphs in rows:
        day = published.strftime("%Y%m%d")
        href = f"./{day[:6]}/{day[6:]}/t{day}_{ident}.shtml"
        name = f"a{ident}.html"
        (directory / name).write_bytes(article_page(art_template, title, published, paragraphs).encode("gb18030"))
        pages[LIST_URL + href[2:]] = (directory / name, CONTENT_TYPE)
        entries.append((published.date().isoformat(), href, title))
    old = (WINDOW_SINCE - timedelta(days=2)).isoformat()
    entries += [(old, f"./202601/08/t20260108_{30000000 + k}.shtml", "旧闻") for k in range(3)]  # never fetched
    chunks = [entries[i:i + PER_PAGE] for i in range(0, len(entries), PER_PAGE)]
    for number, chunk in enumerate(chunks):
        name = f"list{number}.html"
        (directory / name).write_bytes(list_page(list_template, chunk, number + 1 < len(chunks), number).encode("gb18030"))
        pages[LIST_URL if number == 0 else f"{LIST_URL}index_{number}.shtml"] = (directory / name, CONTENT_TYPE)
    return pages


def bench_config_dir(directory: Path, max_pages: int) -> Path:
    """spiders_config/ copied with the ce outlet allowed `max_pages` list pages."""
    target = directory / "spiders_config"
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(ROOT / "spiders_config", target)
    path = target / "outlets" / "ce.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("\nlist:\n", f"\nlist:\n  max_pages: {max_pages}\n"),
                    encoding="utf-8")
    return target
