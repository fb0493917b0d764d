"""The issue as a Word document (monitor/report/docx.py), read back with python-docx: the published
layout, every line of the Markdown issue as text, real hyperlinks, and no Markdown syntax."""
import io
import json
import re
import shutil
import subprocess
from datetime import date, datetime

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn

from helpers import shared_path
from report_data import plain_line, text_lines
from monitor.report.docx import docx_bytes, issue_document
from monitor.report.profiles import load_profile
from monitor.report.render import BODY, ENTRY, SECTION, TITLE, Block, Entry, IssueMeta, issue_blocks, markdown_of

REFERENCE = [
    ("weekly-630-2025-06-27", date(2025, 6, 27), 630),
    ("weekly-657-2026-01-16", date(2026, 1, 16), 657),
]
# What a Markdown source would leak into a document that printed it instead of rendering it.
MARKDOWN_SYNTAX = re.compile(r"^#{1,6} |\*\*|~~|\\[!-/:-@\[-`{-~]|<https?://|!\[|\]\(")
THEME_FONTS = {qn(a) for a in ("w:asciiTheme", "w:eastAsiaTheme", "w:hAnsiTheme", "w:cstheme")}


def reference_blocks(stem: str, issue_date: date, number: int) -> tuple[list[Block], list[dict]]:
    """The reference issue's blocks and its articles, in the order `monitor export` prints them."""
    articles = [json.loads(line) for line in
                shared_path("reference", f"{stem}.articles.jsonl").read_text(encoding="utf-8").splitlines()]
    for article in articles:
        article["published_at"] = datetime.fromisoformat(article["published_at"])
    articles.sort(key=lambda a: (a["published_at"], a["url"]))  # selection's print order
    profile = load_profile("weekly")
    blocks = issue_blocks(profile, IssueMeta(number, issue_date, profile.window(issue_date)),
                          [Entry.from_article(a) for a in articles])
    assert markdown_of(blocks).encode("utf-8") == shared_path("reference", f"{stem}.expected.md").read_bytes()
    return blocks, articles


def read_back(blocks: list[Block]):
    return Document(io.BytesIO(docx_bytes(blocks)))


def style_value(style, read):
    """A style property as Word resolves it: the style's own, else its base style's."""
    value = None
    while value is None and style is not None:
        value, style = read(style), style.base_style
    return value


def alignment(paragraph):
    own = paragraph.paragraph_format.alignment
    return own if own is not None else style_value(paragraph.style, lambda s: s.paragraph_format.alignment)


def east_asian_font(style) -> str | None:
    while style is not None:
        fonts = style.element.rPr.rFonts if style.element.rPr is not None else None
        if fonts is not None and fonts.get(qn("w:eastAsia")):
            return fonts.get(qn("w:eastAsia"))
        style = style.base_style
    return None


def paragraph_starting(document, prefix: str):
    return next(p for p in document.paragraphs if p.text.startswith(prefix))


# --- the reference issues -------------------------------------------------------------------------------

@pytest.mark.parametrize("stem,issue_date,number", REFERENCE)
def test_reference_issue_reads_back_line_for_line(stem, issue_date, number):
    blocks, articles = reference_blocks(stem, issue_date, number)
    document = read_back(blocks)
    expected = [plain_line(line) for line in
                shared_path("reference", f"{stem}.expected.md").read_text(encoding="utf-8").splitlines()
                if line.strip()]
    assert text_lines(document) == expected  # every line, in order, and nothing else
    for paragraph in document.paragraphs:
        assert not MARKDOWN_SYNTAX.search(paragraph.text), paragraph.text

    links = [p for p in document.paragraphs if p.text.startswith("链接：")]
    assert [p.hyperlinks[0].address for p in links] == [a["url"] for a in articles]
    assert [p.hyperlinks[0].text for p in links] == [a["url"] for a in articles]
    assert all(p.hyperlinks[0]._hyperlink.rId for p in links)  # an external relationship, not an anchor


@pytest.mark.parametrize("stem,issue_date,number", REFERENCE)
def test_reference_issue_has_the_published_layout(stem, issue_date, number):
    blocks, articles = reference_blocks(stem, issue_date, number)
    document = read_back(blocks)
    profile = load_profile("weekly")
    paragraphs = document.paragraphs
    title, masthead = paragraphs[0], paragraphs[1:4]
    assert title.text == profile.title and title.style.name == "Title"
    assert [p.text for p in masthead] == [profile.number_text(number), profile.organisation,
                                          f"{issue_date.year}年{issue_date:%m}月{issue_date:%d}日"]
    assert {alignment(p) for p in [title, *masthead]} == {WD_ALIGN_PARAGRAPH.CENTER}
    assert style_value(title.style, lambda s: s.font.bold) is True
    assert [p.text for p in paragraphs if p.style.name == "Heading 1"] == ["本期导语", "一、信息目录", "二、具体内容"]
    assert [p.text for p in paragraphs if p.style.name == "Heading 2"] == \
        [f"{i}. {a['title']}" for i, a in enumerate(articles, 1)]
    assert document.core_properties.title == profile.title and document.core_properties.language == "zh-CN"

    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    body = paragraph_starting(document, articles[0]["body_markdown"].split("\n")[0])
    assert east_asian_font(body.style) == "宋体"
    assert east_asian_font(title.style) == east_asian_font(paragraphs[4].style) == "黑体"
    assert body.style.paragraph_format.first_line_indent == 2 * style_value(body.style, lambda s: s.font.size)
    assert paragraph_starting(document, "链接：").runs[0].bold  # the label


def test_headings_use_their_own_fonts_and_black_not_the_template_theme():
    document = issue_document([Block(TITLE, "# 周报"), Block(SECTION, "## 本期导语"), Block(ENTRY, "### 1. 题")])
    assert [(p.style.name, p.text) for p in document.paragraphs] == \
        [("Title", "周报"), ("Heading 1", "本期导语"), ("Heading 2", "1. 题")]
    for name in ("Title", "Heading 1", "Heading 2", "Heading 3", "Normal"):
        fonts = document.styles[name].element.rPr.rFonts
        assert not THEME_FONTS & set(fonts.keys()), name
        assert fonts.get(qn("w:ascii")) and fonts.get(qn("w:eastAsia"))
        assert str(document.styles[name].font.color.rgb) == "000000"
    lang = document.styles.element.find(qn("w:docDefaults")).find(f".//{qn('w:lang')}")
    assert lang.get(qn("w:eastAsia")) == "zh-CN"


# --- a rich and hostile body ----------------------------------------------------------------------------

RICH_BODY = "\n".join([
    "医院上线**电子病历**平台，*互联互通*，~~旧系统~~停用。",
    "详见[国家卫健委通知](https://www.nhc.gov.cn/a_b.html)。",
    "",
    "![平台界面截图](https://img.example.cn/a.jpg \"图片说明\")",
    "",
    "![](https://img.example.cn/b.jpg)",
    "",
    "价格\\*与\\#号和\\[括号\\]原样",
    "# 看起来像标题",
    "1. 看起来像列表",
    "<script>alert(1)</script>",
    "",
    "图后![图注](https://img.example.cn/c.jpg)文字",
])
RICH_PARAGRAPHS = [
    "医院上线电子病历平台，互联互通，旧系统停用。\n详见国家卫健委通知。",
    "平台界面截图",
    "价格*与#号和[括号]原样\n# 看起来像标题\n1. 看起来像列表\n<script>alert(1)</script>",
    "图后", "图注", "文字",
]


def rich_issue():
    profile = load_profile("weekly")
    entries = [Entry("# 标题注入", "新华网", "https://news.cn/a.html", date(2026, 1, 12), None, RICH_BODY),
               Entry("1. 编号标题", "人民网", "javascript:alert(4)", date(2026, 1, 13), "<b>原</b>标题 #", "正文。")]
    blocks = issue_blocks(profile, IssueMeta(7, date(2026, 1, 16), profile.window(date(2026, 1, 16))), entries)
    return blocks, read_back(blocks)


def body_paragraphs(document, first: str, last: str):
    texts = [p.text for p in document.paragraphs]
    start = next(i for i, t in enumerate(texts) if t.startswith(first))
    end = next(i for i, t in enumerate(texts) if t.startswith(last))
    return document.paragraphs[start:end + 1]


def run_with(paragraph, text: str):
    return next(r for r in paragraph.iter_inner_content() if hasattr(r, "bold") and r.text == text)


def test_rich_body_prints_its_words_and_formatting_with_no_syntax():
    _, document = rich_issue()
    body = body_paragraphs(document, "医院上线", "文字")
    assert [p.text for p in body] == RICH_PARAGRAPHS
    for paragraph in body:
        assert not MARKDOWN_SYNTAX.search(paragraph.text), paragraph.text
    # Images are neither printed nor downloaded nor linked.
    assert not [p for p in document.paragraphs if "img.example.cn" in p.text]
    assert not [r for r in document.part.rels.values() if "img.example.cn" in r.target_ref]

    first = body[0]
    assert run_with(first, "电子病历").bold and not run_with(first, "医院上线").bold
    assert run_with(first, "互联互通").italic and not run_with(first, "互联互通").bold
    assert run_with(first, "旧系统").font.strike
    assert first._p.xpath(".//w:br")  # the soft break is a line break, not a new paragraph
    [link] = first.hyperlinks
    assert (link.text, link.address) == ("国家卫健委通知", "https://www.nhc.gov.cn/a_b.html")
    assert link.runs[0].style.name == "Hyperlink"
    assert link.runs[0].style.font.underline and str(link.runs[0].style.font.color.rgb) == "0563C1"

    assert [p.style.name for p in body] == ["Issue Body", "Caption", "Issue Body", "Issue Body", "Caption",
                                            "Issue Body"]
    caption = body[1]
    assert caption.style.font.italic and caption.style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER


def test_hostile_fields_print_as_text_and_only_web_links_are_hyperlinks():
    _, document = rich_issue()
    texts = [p.text for p in document.paragraphs]
    assert texts[texts.index("一、信息目录") + 1:][:2] == ["1. # 标题注入（新华网）", "2. 1. 编号标题（人民网）"]
    assert "1. # 标题注入" in texts and "2. 1. 编号标题" in texts
    assert "原标题：<b>原</b>标题 #" in texts  # the title's own markup, printed as text
    hostile = paragraph_starting(document, "链接：javascript")
    assert hostile.text == "链接：javascript:alert(4)" and hostile.hyperlinks == []
    assert [r.target_ref for r in document.part.rels.values() if r.is_external] == \
        ["https://news.cn/a.html", "https://www.nhc.gov.cn/a_b.html"]
    label = paragraph_starting(document, "原标题：")
    assert [(r.text, bool(r.bold)) for r in label.runs] == [("原标题：", True), ("<b>原</b>标题 #", False)]


def test_unexpected_markdown_falls_back_to_its_text():
    """Blocks that did not go through safe_markdown (a future kind, a bug) still print as text."""
    document = issue_document([
        Block(BODY, "```\n代码 *不* 强调\n```\n\n> 引用\n\n- 列表项\n\n<div>块</div>\n\n| 表 | 头 |\n|---|---|\n| 甲 | 乙 |"),
        Block("unknown-kind", "未知**种类**`代码`"),
    ])
    assert [p.text for p in document.paragraphs] == [
        "代码 *不* 强调", "引用", "• 列表项", "<div>块</div>", "表", "头", "甲", "乙", "未知种类代码"]


def test_the_same_blocks_give_the_same_document():
    blocks, document = rich_issue()
    again = read_back(blocks)
    assert [(p.style.name, p.text) for p in again.paragraphs] == \
        [(p.style.name, p.text) for p in document.paragraphs]
    assert issue_document(blocks).element.xml == issue_document(blocks).element.xml


# --- PDF through LibreOffice ----------------------------------------------------------------------------

def test_657_converts_to_pdf(tmp_path):
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if not office:
        pytest.skip("LibreOffice (soffice) is not installed; it converts the document to PDF")
    blocks, articles = reference_blocks("weekly-657-2026-01-16", date(2026, 1, 16), 657)
    source = tmp_path / "657.docx"
    source.write_bytes(docx_bytes(blocks))
    subprocess.run([office, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
                   capture_output=True, timeout=240, check=True)
    pdf = tmp_path / "657.pdf"
    assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF")
    if not shutil.which("pdftotext"):
        return
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, timeout=60, check=True).stdout
    text = "".join(text.split())  # line wraps, and the spaces LibreOffice puts between Latin and CJK text
    assert load_profile("weekly").title in text
    assert articles[1]["title"] in text
