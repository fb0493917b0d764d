"""Nothing in an article can reshape an issue: every field prints as text, checked with an independent
CommonMark parser (markdown-it-py, with GFM tables and strikethrough on)."""
import json
from datetime import date

import pytest
from markdown_it import MarkdownIt

from helpers import run_monitor, shared_path
from monitor.report.profiles import load_profile
from monitor.report.render import Entry, IssueMeta, render_issue
from monitor.report.safe_markdown import body_markdown, inline_text, link
from report_data import record, write_jsonl


def parse(markdown: str):
    md = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    # Accept every destination, so the token stream shows any link a less careful renderer would make
    # (markdown-it itself refuses javascript: and friends, which would hide a failure here).
    md.validateLink = lambda url: True
    return md.parse(markdown)


def inline_tokens(tokens):
    return [child for t in tokens if t.type == "inline" for child in t.children]


def text_of(inline) -> str:
    return "".join("\n" if c.type in ("softbreak", "hardbreak") else c.content for c in inline.children
                   if c.type in ("text", "code_inline", "softbreak", "hardbreak"))


def headings(tokens) -> list[tuple[int, str]]:
    return [(int(t.tag[1]), text_of(tokens[i + 1])) for i, t in enumerate(tokens) if t.type == "heading_open"]


def paragraphs(tokens) -> list[str]:
    return [text_of(tokens[i + 1]) for i, t in enumerate(tokens) if t.type == "paragraph_open"]


def urls(tokens) -> list[str]:
    return [c.attrGet("href") if c.type == "link_open" else c.attrGet("src")
            for c in inline_tokens(tokens) if c.type in ("link_open", "image")]


def html(tokens) -> list[str]:
    return [t.content for t in tokens if t.type == "html_block"] + \
           [c.content for c in inline_tokens(tokens) if c.type == "html_inline"]


# --- an issue with hostile entries -------------------------------------------------------------------

HOSTILE_BODY = "\n".join([
    "医院上线互联网医院平台，**电子病历**共享。",
    "## 二、具体内容",
    "<script>alert(1)</script>",
    "[点我](javascript:alert(1))",
    "&lt;script&gt;与&amp;原样",
    "<img src=x onerror=alert(2)>",
    "",
    "[x]: javascript:alert(3)",
    "",
    "见[x]和[y][x]。",
    "![图](data:image/png;base64,AAAA)",
    "![配图](https://img.example.cn/a.jpg)",
    "数据平台",
    "===",
    "- 列表项",
    "> 引用",
    "| 表头 | 表头 |",
    "| --- | --- |",
    "    缩进代码",
])
FENCE_BODY = "智慧医疗。\n\n```html\n<b>未闭合的代码块"

HOSTILE_TEXTS = ["新华网 ## 注入来源", "## 二、具体内容", "<script>alert(1)</script>", "[点我](javascript:alert(1))",
                 "&lt;script&gt;与&amp;原样", "<img src=x onerror=alert(2)>", "[x]: javascript:alert(3)",
                 "见[x]和[y][x]。", "![图](data:image/png;base64,AAAA)", "数据平台\n===", "- 列表项", "> 引用",
                 "| 表头 | 表头 |\n| --- | --- |", "缩进代码", "```html\n<b>未闭合的代码块"]
BLOCK_TYPES = {"heading_open", "heading_close", "paragraph_open", "paragraph_close", "inline",
               "ordered_list_open", "ordered_list_close", "list_item_open", "list_item_close"}


def hostile_entries() -> list[Entry]:
    return [
        Entry("# 医院数据平台\n被注入", "新华网\n\n## 注入来源", "https://news.cn/a.html", date(2026, 1, 12),
              "<b>原标题</b> ###", HOSTILE_BODY),
        Entry("1. 电子病历标题", "人民网", "javascript:alert(4)", date(2026, 1, 13), None, FENCE_BODY),
        Entry("第三篇", "中国新闻网", "https://www.chinanews.com/c.shtml", date(2026, 1, 14), None, "第三篇正文。"),
    ]


def assert_issue_shape(markdown: str, titles: list[str]) -> list:
    """The layout's headings and nothing else, no HTML, only http(s) links; returns the tokens."""
    profile = load_profile("weekly")
    tokens = parse(markdown)
    assert headings(tokens) == [(1, profile.title), (2, "本期导语"), (2, "一、信息目录"), (2, "二、具体内容")] + \
        [(3, f"{i}. {title}") for i, title in enumerate(titles, 1)]
    assert {t.type for t in tokens} <= BLOCK_TYPES, {t.type for t in tokens} - BLOCK_TYPES
    assert [t.type for t in tokens].count("ordered_list_open") == 1  # the table of contents, not nested
    assert [t.type for t in tokens].count("list_item_open") == len(titles)
    assert html(tokens) == []
    assert all(u.startswith(("http://", "https://")) for u in urls(tokens)), urls(tokens)
    return tokens


def test_hostile_entries_cannot_reshape_the_issue():
    profile = load_profile("weekly")
    issue_date = date(2026, 1, 16)
    text = render_issue(profile, IssueMeta(7, issue_date, profile.window(issue_date)), hostile_entries())
    tokens = assert_issue_shape(text, ["# 医院数据平台 被注入", "1. 电子病历标题", "第三篇"])

    rendered = "\n".join(paragraphs(tokens))
    for hostile in HOSTILE_TEXTS:
        assert hostile in rendered, hostile
    toc = [text_of(tokens[i + 2]) for i, t in enumerate(tokens) if t.type == "list_item_open"]
    assert toc == ["# 医院数据平台 被注入（新华网 ## 注入来源）", "1. 电子病历标题（人民网）", "第三篇（中国新闻网）"]
    assert "来源：新华网 ## 注入来源" in paragraphs(tokens)
    assert "原标题：<b>原标题</b> ###" in paragraphs(tokens)
    assert "链接：javascript:alert(4)" in paragraphs(tokens)  # printed, but not a link
    # Legit formatting survives: the bold words and the https image.
    assert urls(tokens) == ["https://news.cn/a.html", "https://img.example.cn/a.jpg",
                            "https://www.chinanews.com/c.shtml"]
    assert "strong_open" in {c.type for c in inline_tokens(tokens)}
    # The unclosed fence swallowed nothing: the next entry is whole.
    after = paragraphs(tokens)[paragraphs(tokens).index("```html\n<b>未闭合的代码块") + 1:]
    assert after == ["来源：中国新闻网", "链接：https://www.chinanews.com/c.shtml", "主要内容：", "第三篇",
                     "2026-01-14 来源：中国新闻网", "第三篇正文。"]


def test_import_then_export_of_a_hostile_article_keeps_the_layout(monitor_env, tmp_path):
    hostile = record(1, "2026-01-12", title="# 互联网医院与电子病历数据平台\n\n## 注入标题",
                     source="新华网\n\n## 注入来源", original_title="1. 智慧医疗 <i>原标题</i>",
                     body_markdown="医院上线互联网医院平台，电子病历与检查结果互认，卫生健康大数据共享。\n"
                                   + HOSTILE_BODY + "\n\n" + FENCE_BODY)
    plain = record(2, "2026-01-13")
    assert run_monitor("import", write_jsonl(tmp_path / "hostile.jsonl", [hostile, plain])).returncode == 0

    result = run_monitor("export", "--profile", "weekly", "--issue-date", "2026-01-16", "--number", "7")
    assert result.returncode == 0, result.stderr
    path = tmp_path / "exports" / "weekly" / "2026-01-16-7.md"
    assert result.stdout.strip() == str(path)
    tokens = assert_issue_shape(path.read_text(encoding="utf-8"),
                                ["# 互联网医院与电子病历数据平台 ## 注入标题", plain["title"]])
    rendered = "\n".join(paragraphs(tokens))
    for hostile_text in HOSTILE_TEXTS:
        assert hostile_text in rendered, hostile_text
    assert "原标题：1. 智慧医疗 <i>原标题</i>" in paragraphs(tokens)
    assert paragraphs(tokens)[-1] == plain["body_markdown"].split("\n\n")[-1]  # the entry after the fence


# --- the pure functions ------------------------------------------------------------------------------

ORDINARY = ["AI+医疗", "让AI更“懂规矩”更“透明”（完）", "2026-01-16 来源：央广网", "第1.2条 - 第3条", "#健康中国#",
            "1.加强数据平台建设", "~ 阿思達克財經新聞", "**新华社北京5月19日电**中国科学院", "\\*滙豐研究",
            "\"我父亲前段时间总是黑便,就想来医院看下。\"", "比例达93.6%,效率提升5倍;", "A & B", "5 > 3",
            "![](http://culture.people.com.cn/NMediaFile/2019/0614/MAIN2019.jpg)", "-1", "+1", "| a | b |"]


@pytest.mark.parametrize("line", ORDINARY)
def test_ordinary_body_text_is_unchanged(line):
    assert body_markdown(line) == line


def test_reference_articles_are_unchanged():
    for path in [shared_path("reference", f"{stem}.articles.jsonl")
                 for stem in ("weekly-630-2025-06-27", "weekly-657-2026-01-16")]:
        for line in path.read_text(encoding="utf-8").splitlines():
            article = json.loads(line)
            assert body_markdown(article["body_markdown"]) == article["body_markdown"]
            for field in ("title", "source", "original_title"):
                if article[field]:
                    assert inline_text(article[field]) == article[field]


@pytest.mark.parametrize("line,escaped", [
    ("## 二、具体内容", "\\## 二、具体内容"),
    ("####### 七个井号不是标题", "####### 七个井号不是标题"),
    ("- 列表", "\\- 列表"),
    ("* 列表", "\\* 列表"),
    ("+ 列表", "\\+ 列表"),
    ("1. 列表", "1\\. 列表"),
    ("2026) 列表", "2026\\) 列表"),
    ("> 引用", "\\> 引用"),
    ("===", "\\==="),
    ("---", "\\---"),
    ("_ _ _", "\\_ _ _"),
    ("***", "\\***"),
    ("```python", "\\`\\`\\`python"),
    ("~~~", "\\~~~"),
    ("    缩进代码", "缩进代码"),
    ("\t缩进代码", "缩进代码"),
    ("| --- | :-: |", "\\| --- | :-: |"),
    ("<div>块</div>", "\\<div>块\\</div>"),
    ("<!-- 注释 -->", "\\<!-- 注释 -->"),
    ("<https://example.com>", "\\<https://example.com>"),
    ("[x]: javascript:alert(1)", "\\[x\\]: javascript:alert(1)"),
    ("[点我](javascript:alert(1))", "\\[点我\\](javascript:alert(1))"),
    ("[点我](<https://example.com>)", "\\[点我\\](\\<https://example.com>)"),
    ("[点我][ref]", "\\[点我\\]\\[ref\\]"),
    ("![图](data:image/png;base64,AAAA)", "!\\[图\\](data:image/png;base64,AAAA)"),
    ("![图](vbscript:x)", "!\\[图\\](vbscript:x)"),
    ("&lt;script&gt;", "\\&lt;script\\&gt;"),
    ("&#60;&#x3C;&amp;", "\\&#60;\\&#x3C;\\&amp;"),
    ("\\<script>", "\\<script>"),                # already escaped: left as it is
    ("\\\\<script>", "\\\\\\<script>"),          # an escaped backslash, then a real '<'
    ("`<b>`", "\\`\\<b>\\`"),
])
def test_each_block_or_inline_construct_prints_as_its_text(line, escaped):
    assert body_markdown(line) == escaped
    tokens = parse(escaped)
    assert [t.type for t in tokens] == ["paragraph_open", "inline", "paragraph_close"]
    assert {c.type for c in inline_tokens(tokens)} == {"text"}
    # The reader sees the line (its leading indentation aside) and, for an escape the body had, its meaning.
    assert text_of(tokens[1]) == {"\\<script>": "<script>", "\\\\<script>": "\\<script>"}.get(line, line.strip())


def test_body_lines_are_split_where_markdown_splits_them():
    assert body_markdown("正文\r## 注入\r\n- 列表") == "正文\n\\## 注入\n\\- 列表"


@pytest.mark.parametrize("legit", [
    "[国家卫健委](https://www.nhc.gov.cn/a_b.html)",
    "见[通知](http://www.gov.cn/zhengce/2026-01/12/content.htm)。",
    "![](https://img.example.cn/a_1.jpg)",
    "![配图](https://img.example.cn/a.jpg \"图片说明\")",
    "[HTTPS大写](HTTPS://EXAMPLE.COM/)",
])
def test_http_links_and_images_are_kept_as_they_are(legit):
    assert body_markdown(legit) == legit
    assert len(urls(parse(legit))) == 1


def test_link_text_is_escaped_but_the_link_kept():
    assert body_markdown("[<b>粗</b>&amp;](https://a.cn)") == "[\\<b>粗\\</b>\\&amp;](https://a.cn)"
    tokens = parse(body_markdown("[<b>粗</b>&amp;](https://a.cn)"))
    assert urls(tokens) == ["https://a.cn"] and html(tokens) == []


@pytest.mark.parametrize("field", [
    "# 标题", "1. 标题", "- 标题", "+ 标题", "> 标题", "---", "===", "标题 #", "新华网\n\n## 注入来源", "**粗**_斜_~~删~~",
    "`代码`", "[点我](javascript:alert(1))", "<script>alert(1)</script>", "&lt;script&gt; &amp;", "反斜杠\\*", "```",
])
def test_inline_text_renders_as_exactly_its_text(field):
    out = inline_text(field)
    assert "\n" not in out
    for context in (out, f"1. {out}（来源）", f"### 1. {out}"):  # alone, in the contents, in a heading
        tokens = parse(context)
        assert {c.type for c in inline_tokens(tokens)} == {"text"}, context
        assert html(tokens) == [] and urls(tokens) == []
    tokens = parse(out)
    assert [t.type for t in tokens] == ["paragraph_open", "inline", "paragraph_close"]
    assert text_of(tokens[1]) == " ".join(field.split())
    assert [text_of(t) for t in parse(f"### 1. {out}") if t.type == "inline"] == [f"1. {' '.join(field.split())}"]


def test_inline_text_collapses_whitespace_and_leaves_ordinary_titles_alone():
    assert inline_text("医院  数据\n平台\u3000建设") == "医院 数据 平台 建设"
    assert inline_text("北京发布AI+医疗健康新政") == "北京发布AI+医疗健康新政"


def test_link_prints_only_http_urls_as_links():
    assert link("https://example.com/a b<c>.html") == "<https://example.com/a%20b%3Cc%3E.html>"
    assert urls(parse(link("HTTP://EXAMPLE.COM/x"))) == ["HTTP://EXAMPLE.COM/x"]
    for url in ("javascript:alert(1)", "data:text/html,<script>alert(1)</script>", " https://x.cn", "//x.cn/a",
                "file:///etc/passwd"):
        tokens = parse(link(url))
        assert urls(tokens) == [] and html(tokens) == [], url
        assert text_of(tokens[1]) == " ".join(url.split())
