"""An issue as a Word document, in the layout of the centre's published issues.

The document is rendered from the same blocks as the Markdown issue (monitor.report.render), so both
formats always say the same thing and every article field has already been made safe there. Each
block's Markdown is parsed with markdown-it, the renderer the tests check the Markdown with, so
escapes are undone exactly as a reader of the Markdown sees them; the block's kind picks the
paragraph style. Only the token stream reaches the document: text, bold/italic/strike runs, line
breaks and real hyperlinks. An image prints its alt text as a caption (nothing is downloaded), and
anything unexpected prints as its plain text rather than raising.
"""
from __future__ import annotations

import io
from datetime import datetime, timezone

import docx.document
from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_UNDERLINE
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from markdown_it import MarkdownIt
from markdown_it.token import Token

from monitor.report.render import (BODY, CONTENTS, DATELINE, ENTRY, ENTRY_TITLE, FIELD, INTRO, LINK, MASTHEAD,
                                   ORIGINAL_TITLE, SECTION, TITLE, Block)

_MARKDOWN = MarkdownIt("commonmark").enable(["table", "strikethrough"])

# (East Asian, Latin) fonts. Chinese documents set 宋体 for text and 黑体 for headings; Word picks the
# Latin font for ASCII, so digits and URLs do not fall back to a CJK font's wide Latin glyphs.
BODY_FONT = ("宋体", "Times New Roman")
HEADING_FONT = ("黑体", "Arial")
BLACK = RGBColor(0, 0, 0)
LINK_BLUE = RGBColor(0x05, 0x63, 0xC1)  # Word's own hyperlink colour
BODY_SIZE = Pt(12)  # 小四

# Paragraph styles: built-in ones where Word has a meaning for them (navigation pane, captions).
TITLE_STYLE = "Title"
SECTION_STYLE = "Heading 1"
ENTRY_STYLE = "Heading 2"
TEXT_STYLE = "Normal"
CAPTION_STYLE = "Caption"
MASTHEAD_STYLE = "Issue Masthead"
BODY_STYLE = "Issue Body"
ARTICLE_TITLE_STYLE = "Issue Article Title"
DATELINE_STYLE = "Issue Dateline"
HYPERLINK_STYLE = "Hyperlink"  # a character style; Word's built-in name, so Word treats it as its own

STYLE_OF_KIND = {
    TITLE: TITLE_STYLE, MASTHEAD: MASTHEAD_STYLE, SECTION: SECTION_STYLE, INTRO: BODY_STYLE,
    CONTENTS: TEXT_STYLE, ENTRY: ENTRY_STYLE, FIELD: TEXT_STYLE, LINK: TEXT_STYLE,
    ENTRY_TITLE: ARTICLE_TITLE_STYLE, DATELINE: DATELINE_STYLE, ORIGINAL_TITLE: TEXT_STYLE, BODY: BODY_STYLE,
}
#: Kinds whose text starts with a label ending in a full-width colon (来源：, 链接：, 主要内容：, 原标题：).
LABELLED_KINDS = {FIELD, LINK, ORIGINAL_TITLE}
LABEL_END = "："

THEME_FONT_ATTRIBUTES = ("w:asciiTheme", "w:eastAsiaTheme", "w:hAnsiTheme", "w:cstheme")


def issue_document(blocks: list[Block]) -> docx.document.Document:
    """The issue as a Word document: one or more paragraphs per block, in the blocks' order."""
    document = Document()
    _set_up_page(document)
    _set_up_styles(document)
    _set_up_settings(document)
    for block in blocks:
        _add_block(document, block)
    _set_properties(document, blocks)
    return document


def docx_bytes(blocks: list[Block]) -> bytes:
    """The .docx file of the issue."""
    document = issue_document(blocks)
    now = datetime.now(timezone.utc).replace(microsecond=0)
    document.core_properties.created = document.core_properties.modified = now  # not the template's 2013
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# --- page, styles, properties ----------------------------------------------------------------------------

def _set_up_page(document: docx.document.Document) -> None:
    """A4 with Word's usual Chinese margins (the template is US Letter)."""
    for section in document.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin = section.bottom_margin = Mm(25.4)
        section.left_margin = section.right_margin = Mm(31.8)


def _set_up_styles(document: docx.document.Document) -> None:
    styles = document.styles
    _set_defaults(document)
    _set_up_text(styles)
    _set_up_headings(styles)
    _add_issue_styles(styles)
    hyperlink = styles.add_style(HYPERLINK_STYLE, WD_STYLE_TYPE.CHARACTER)
    hyperlink.font.color.rgb = LINK_BLUE
    hyperlink.font.underline = WD_UNDERLINE.SINGLE


def _set_up_text(styles) -> None:
    """Normal: 宋体 小四 at 1.5 lines, paragraphs set apart by indentation, not space; captions 五号 italic."""
    normal = styles[TEXT_STYLE]
    _set_font(normal, BODY_FONT, BODY_SIZE)
    normal.paragraph_format.line_spacing = 1.5
    normal.paragraph_format.space_before = normal.paragraph_format.space_after = Pt(0)
    caption = styles[CAPTION_STYLE]
    _set_font(caption, BODY_FONT, Pt(10.5), bold=False, italic=True)
    _centre(caption)
    caption.paragraph_format.space_before = caption.paragraph_format.space_after = Pt(6)


def _set_up_headings(styles) -> None:
    """Title 黑体 二号, sections 三号, entries 四号: bold and black."""
    title = styles[TITLE_STYLE]
    _set_font(title, HEADING_FONT, Pt(22), bold=True)
    _remove(title.element.pPr, "w:pBdr")  # the template's blue rule under the title
    _centre(title)
    title.paragraph_format.space_before = title.paragraph_format.space_after = Pt(12)
    for name, size in ((SECTION_STYLE, Pt(16)), (ENTRY_STYLE, Pt(14)), ("Heading 3", BODY_SIZE)):
        heading = styles[name]
        _set_font(heading, HEADING_FONT, size, bold=True)
        heading.paragraph_format.space_before, heading.paragraph_format.space_after = Pt(12), Pt(6)


def _add_issue_styles(styles) -> None:
    """The issue's own paragraph styles, so a reader can restyle each kind of block in one place."""
    _centre(_paragraph_style(styles, MASTHEAD_STYLE))
    body = _paragraph_style(styles, BODY_STYLE)
    body.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    _indent_first_line(body, BODY_SIZE)
    article_title = _paragraph_style(styles, ARTICLE_TITLE_STYLE)
    article_title.font.bold = True
    _centre(article_title)
    _centre(_paragraph_style(styles, DATELINE_STYLE))


def _set_defaults(document: docx.document.Document) -> None:
    """Document defaults: the body fonts instead of the theme's, and Chinese as the East Asian language
    (Word uses it for line breaking and punctuation)."""
    run_defaults = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_font_names(run_defaults, BODY_FONT)
    lang = run_defaults.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        run_defaults.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")


def _set_up_settings(document: docx.document.Document) -> None:
    """Chinese as the theme's East Asian language (the template says Japanese, which makes LibreOffice
    pick Japanese glyph forms), and a justified line ending in a line break left unstretched, as a
    soft break in a body paragraph is one."""
    settings = document.settings.element
    theme_language = settings.find(qn("w:themeFontLang"))
    if theme_language is not None:
        theme_language.set(qn("w:eastAsia"), "zh-CN")
    compat = settings.find(qn("w:compat"))
    if compat is None:
        compat = OxmlElement("w:compat")
        settings.append(compat)
    if compat.find(qn("w:doNotExpandShiftReturn")) is None:
        compat.insert(0, OxmlElement("w:doNotExpandShiftReturn"))  # first in the schema's order of those present


def _paragraph_style(styles, name: str):
    style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = styles[TEXT_STYLE]
    style.quick_style = True
    return style


def _set_font(style, fonts: tuple[str, str], size, bold: bool | None = None, italic: bool | None = None) -> None:
    """Fonts, size and black colour set on the style itself: the template's theme fonts and accent colours
    on headings would otherwise win over anything inherited."""
    _set_font_names(style.element.get_or_add_rPr(), fonts)
    style.font.size = size
    style.font.color.rgb = BLACK
    style.font.bold, style.font.italic = bold, italic


def _set_font_names(rPr, fonts: tuple[str, str]) -> None:
    east_asian, latin = fonts
    rFonts = rPr.get_or_add_rFonts()
    for attribute in THEME_FONT_ATTRIBUTES:
        rFonts.attrib.pop(qn(attribute), None)
    for attribute, font in (("w:ascii", latin), ("w:hAnsi", latin), ("w:cs", latin), ("w:eastAsia", east_asian)):
        rFonts.set(qn(attribute), font)


def _centre(style) -> None:
    style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _indent_first_line(style, font_size) -> None:
    """Two characters, as Chinese text is indented: firstLineChars for Word (it follows the font size),
    the same length in points for readers that ignore it."""
    style.paragraph_format.first_line_indent = font_size * 2
    style.element.pPr.get_or_add_ind().set(qn("w:firstLineChars"), "200")


def _remove(element, tag: str) -> None:
    if element is not None:
        for child in element.findall(qn(tag)):
            element.remove(child)


def _set_properties(document: docx.document.Document, blocks: list[Block]) -> None:
    properties = document.core_properties
    properties.title = next((_plain_text(b.markdown) for b in blocks if b.kind == TITLE), "")
    properties.language = "zh-CN"
    properties.author = properties.comments = ""  # not the template's "python-docx"
    properties.last_modified_by = ""


# --- blocks ---------------------------------------------------------------------------------------------

def _add_block(document: docx.document.Document, block: Block) -> None:
    """The block's Markdown as paragraphs of its kind's style: each heading, paragraph and list item
    (its marker printed as text, "1. ") is one paragraph; other blocks print their text."""
    style = STYLE_OF_KIND.get(block.kind, TEXT_STYLE)
    marker = ""
    for token in _MARKDOWN.parse(block.markdown):
        if token.type == "list_item_open":
            marker = _list_marker(token)
        elif token.type == "inline":
            children = token.children or []
            if block.kind in LABELLED_KINDS:
                children = _bold_label(children)
            _InlineWriter(document, style, marker).write(children)
            marker = ""
        elif token.content and token.type in ("fence", "code_block", "html_block"):  # not in a safe block
            _InlineWriter(document, style, marker).write(_text_tokens(token.content.rstrip("\n")))
            marker = ""


def _list_marker(item: Token) -> str:
    """"1. " for an ordered item (its number as written), a bullet for any other."""
    return f"{item.info}{item.markup} " if item.info else "• "


def _bold_label(children: list[Token]) -> list[Token]:
    """The leading label "来源：" of a field as bold, by wrapping it in strong tokens."""
    if not children or children[0].type != "text" or LABEL_END not in children[0].content:
        return children
    label, rest = children[0].content.split(LABEL_END, 1)
    bold = [Token("strong_open", "strong", 1), _text(label + LABEL_END), Token("strong_close", "strong", -1)]
    return bold + ([_text(rest)] if rest else []) + children[1:]


def _text(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


def _text_tokens(content: str) -> list[Token]:
    """Lines of literal text as text and line-break tokens."""
    tokens = []
    for i, line in enumerate(content.split("\n")):
        if i:
            tokens.append(Token("softbreak", "br", 0))
        tokens.append(_text(line))
    return tokens


def _plain_text(markdown: str) -> str:
    """What a reader sees of a one-line block."""
    return "".join(_inline_text(t.children or []) for t in _MARKDOWN.parse(markdown) if t.type == "inline")


def _inline_text(children: list[Token]) -> str:
    """Plain text of inline tokens, as markdown-it renders an image's alt: the text, breaks as newlines."""
    parts = []
    for token in children:
        if token.type in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif token.type == "image":
            parts.append(_inline_text(token.children or []))
        elif token.type in ("text", "code_inline", "html_inline"):
            parts.append(token.content)
    return "".join(parts)


class _InlineWriter:
    """Writes one inline token stream as paragraphs of one style.

    Text becomes runs carrying the bold/italic/strike open at that point; inside a link, runs go into a
    w:hyperlink. A soft or hard break is a line break (only between two pieces of text, so none is left
    dangling). An image ends the paragraph: its alt text is a caption paragraph of its own, and the text
    after it starts a new paragraph. Paragraphs are created on the first text, so an inline holding
    nothing but an empty-alt image leaves nothing."""

    def __init__(self, document: docx.document.Document, style: str, marker: str = ""):
        self.document, self.style, self.marker = document, style, marker
        self.paragraph: Paragraph | None = None
        self.hyperlink = None  # the w:hyperlink being filled in the current paragraph
        self.href: str | None = None
        self.bold = self.italic = self.strike = 0
        self.line_break = False

    def write(self, children: list[Token]) -> None:
        for token in children:
            self._token(token)
        if self.marker:  # an item with no text still shows its number
            self._add_text("")

    def _token(self, token: Token) -> None:
        kind = token.type
        if kind in ("text", "code_inline", "html_inline"):
            self._add_text(token.content)
        elif kind in ("softbreak", "hardbreak"):
            self.line_break = self.paragraph is not None
        elif kind in ("strong_open", "strong_close"):
            self.bold += token.nesting
        elif kind in ("em_open", "em_close"):
            self.italic += token.nesting
        elif kind in ("s_open", "s_close"):
            self.strike += token.nesting
        elif kind == "link_open":
            self.href, self.hyperlink = token.attrGet("href") or None, None
        elif kind == "link_close":
            self.href, self.hyperlink = None, None
        elif kind == "image":
            self._add_caption(_inline_text(token.children or []))
        elif token.content:  # anything else prints as its text
            self._add_text(token.content)

    def _add_text(self, text: str) -> None:
        paragraph = self._current_paragraph()
        if self.marker:
            paragraph.add_run(self.marker)
            self.marker = ""
        if not text:
            return
        run = self._new_run(paragraph)
        run.text = "\n" + text if self.line_break else text  # python-docx writes "\n" as a w:br
        self.line_break = False
        run.bold = True if self.bold > 0 else None
        run.italic = True if self.italic > 0 else None
        run.font.strike = True if self.strike > 0 else None

    def _current_paragraph(self) -> Paragraph:
        if self.paragraph is None:
            self.paragraph = self.document.add_paragraph(style=self.style)
        return self.paragraph

    def _new_run(self, paragraph: Paragraph) -> Run:
        if self.href is None:
            return paragraph.add_run()
        if self.hyperlink is None:
            self.hyperlink = self._add_hyperlink(paragraph, self.href)
        r = OxmlElement("w:r")
        self.hyperlink.append(r)
        run = Run(r, paragraph)
        run.style = HYPERLINK_STYLE
        return run

    @staticmethod
    def _add_hyperlink(paragraph: Paragraph, url: str):
        """A w:hyperlink to `url` through an external relationship, as Word writes one."""
        hyperlink = OxmlElement("w:hyperlink")
        hyperlink.set(qn("r:id"), paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True))
        hyperlink.set(qn("w:history"), "1")
        paragraph._p.append(hyperlink)
        return hyperlink

    def _add_caption(self, alt: str) -> None:
        self.paragraph, self.hyperlink, self.line_break = None, None, False
        if alt.strip():
            self.document.add_paragraph(alt.strip(), style=CAPTION_STYLE)
