"""The article body: noise removed from the body element, then Markdown (markdownify) and images.

`clean_body` works on a copy, so the parsed page stays untouched for the other fields.
"""
from __future__ import annotations

import copy
import re
from urllib.parse import urljoin

from lxml import etree, html
from markdownify import MarkdownConverter

from monitor.extract.fields import link_share, node_text, select, squash, text_of_markup
from monitor.extract.text import markdown_to_text

# Never article text, whatever the site.
NOISE_TAGS = ("script", "style", "noscript", "iframe", "button", "input", "select", "textarea",
              "video", "audio", "object", "embed", "svg", "canvas", "template", "nav", "footer", "aside")
# Class/id words that mark share bars, related-news blocks, players, ads and footers.
_NOISE_WORD = re.compile(
    r"(?:^|[\s_-])(share|bdshare|jiathis|social|related|relate|xgxw|xgyd|recommend|tuijian|copyright|"
    r"comment|advise|ad|ads|advert|qrcode|erweima|ewm|player|video|audio|toolbar|print|correction|"
    r"jiucuo|next|prev|pagination|pager|paging|fenye|breadcrumb|zan|dianzan|digg|like)(?:$|[\s_-])", re.IGNORECASE)
#: A <form> with less text than this is a search, login or comment form; some CMSs wrap the article itself
#: in a form (`<form name="_newscontent_fromname">`), which is kept.
FORM_TEXT = 200
# Whole lines that are not article text: editor lines, copyright notices, share/print prompts.
_NOISE_LINE = re.compile(
    r"^[\s(（\[【〔]*(?:责任编辑|责编|编辑|编审|审核|校对)\s*[:：|丨｜]|"
    r"版权所有|未经授权|Copyright|©|本网站所刊登|不得转载|转载请注明|扫一扫|分享到|【纠错】|\[纠错\]|"
    r"(?:扫描|长按|识别).{0,8}二维码|点.{0,2}[「【“\"]?在看|点击.{0,4}关注|"
    r"^[\s【\[]*(?:打印|关闭|返回顶部|我要纠错|字号)|"
    # page numbers of an article split over pages: '【1】【2】【3】 下一页'
    r"^(?:\s*(?:[【\[（(]?\d{1,3}[】\]）)]?|上一页|下一页|首页|尾页|末页))+\s*$", re.IGNORECASE)
_ORIGINAL_TITLE = re.compile(r"^[\s(（【\[]*原标题\s*[:：]\s*(.+?)[\s)）】\]]*$")
_BLOCKS = ("p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "section", "center", "span", "font")


def _is_hidden(node) -> bool:
    style = (node.get("style") or "").replace(" ", "").lower()
    return "display:none" in style or "visibility:hidden" in style or node.get("hidden") is not None


def _drop(node) -> None:
    parent = node.getparent()
    if parent is None:
        return
    if node.tail and node.tail.strip():
        previous = node.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + node.tail
        else:
            parent.text = (parent.text or "") + node.tail
    parent.remove(node)


def prune_noise(root) -> None:
    """Drop noise elements (tags, hidden, share/related/ad classes) in place."""
    for node in list(root.iter()):
        if node is root or not isinstance(node.tag, str) or node.getparent() is None:
            continue
        marker = f"{node.get('class') or ''} {node.get('id') or ''}"
        if node.tag in NOISE_TAGS or _is_hidden(node) or (_NOISE_WORD.search(marker) and node.tag != "img") \
                or node.tag == "form" and len(node_text(node)) < FORM_TEXT:
            _drop(node)


def clean_body(element, base_url: str, remove=(), *, title: str | None = None, link_lines: bool = False
               ) -> tuple[object, str | None, str | None]:
    """(cleaned copy of the body element, editor line text, 原标题 text) — noise removed, URLs absolute.

    `link_lines` (the generic path) also drops lines that are nothing but links (a promotion above
    the text, page numbers below it), which site rules leave to their `remove:` selectors.
    """
    body = copy.deepcopy(element)
    for selector in remove:
        for node in select(body, selector):
            if isinstance(node, etree._Element) and node is not body:
                _drop(node)
    for node in list(body.iter(etree.Comment, etree.ProcessingInstruction)):
        _drop(node)
    prune_noise(body)
    if body.tag in ("td", "th", "tr", "tbody", "thead", "table"):
        body.tag = "div"  # a layout cell chosen as the body is a block of text, not a one-cell table
    for node in list(body.iter(*_BREAK_HOLDERS)):
        _paragraphs_from_breaks(node)
    editor = original_title = None
    for node in list(body.iter(*_BLOCKS)):
        if node.getparent() is None or node.find(".//img") is not None:
            continue
        text = node_text(node)
        if not text or len(text) > 200:
            continue
        match = _ORIGINAL_TITLE.match(text)
        if match and original_title is None:
            original_title = squash(match.group(1))
            _drop(node)
        elif _NOISE_LINE.search(text) and _is_leaf_block(node):
            if editor is None and re.search(r"编辑|责编", text):
                editor = text
            _drop(node)
        elif link_lines and _is_leaf_block(node) and link_share(node) >= 0.9:
            _drop(node)
    for img in body.iter("img"):
        img.set("alt", _meaningful_alt(img, title))
        src = img.get("data-original") or img.get("data-src") or img.get("src") or ""
        if src.strip():
            img.set("src", urljoin(base_url, src.strip()))
    for link in body.iter("a"):
        if link.get("href"):
            link.set("href", urljoin(base_url, link.get("href").strip()))
    return body, editor, original_title


_PLACEHOLDER_ALT = re.compile(r"^(?:点击|查看|高清|原图|大图|放大|图片|配图|image|img|photo|pic)", re.IGNORECASE)


def _meaningful_alt(img, title: str | None) -> str:
    """The image's alt text, or "" where it says nothing of its own: markup leaked into it, the
    headline repeated, a placeholder ('点击查看高清原图'), or the caption already written beside it."""
    alt = text_of_markup(img.get("alt") or "")  # CMSs leak escaped markup into alt text
    if not alt or alt == title or len(alt) <= 12 and _PLACEHOLDER_ALT.match(alt):
        return ""
    block = next((a for a in img.iterancestors() if a.tag in ("p", "div", "center", "figure", "td")), None)
    if block is not None and alt in node_text(block):
        return ""
    return alt


_BREAK_HOLDERS = ("div", "td", "section", "article", "center", "font", "span", "body", "main")
_BREAK = object()


def _paragraphs_from_breaks(node) -> None:
    """Lines separated by <br> (older templates' paragraphs) become <p> elements, in place, so that
    they are paragraphs in Markdown and an editor line among them is a line of its own."""
    children = [c for c in node if isinstance(c.tag, str)]
    if sum(1 for c in children if c.tag == "br") < 2 or any(c.tag in _BLOCK_CHILDREN for c in children):
        return
    items = [node.text] if node.text else []
    for child in list(node):
        tail, child.tail = child.tail, None
        node.remove(child)
        items.append(_BREAK if child.tag == "br" else child)
        if tail:
            items.append(tail)
    node.text = None
    paragraph = None
    for item in items:
        if item is _BREAK:
            paragraph = None
            continue
        if paragraph is None:
            paragraph = etree.SubElement(node, "p")
        if isinstance(item, str):
            if len(paragraph):
                paragraph[-1].tail = (paragraph[-1].tail or "") + item
            else:
                paragraph.text = (paragraph.text or "") + item
        else:
            paragraph.append(item)
    for paragraph in list(node):
        if not node_text(paragraph) and paragraph.find(".//img") is None:
            node.remove(paragraph)


_BLOCK_CHILDREN = ("p", "div", "table", "ul", "ol", "section", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
                   "article", "figure", "dl", "pre")


def _is_leaf_block(node) -> bool:
    """A block with no block children: dropping it drops one line, not a section."""
    return not any(child.tag in ("p", "div", "table", "ul", "ol", "section") for child in node)


class _Converter(MarkdownConverter):
    """markdownify with the page's decorations left out: links keep their text, tiny icons vanish."""

    def convert_a(self, el, text, parent_tags):
        return text

    def convert_img(self, el, text, parent_tags):
        if _is_icon(el):
            return ""
        return super().convert_img(el, text, parent_tags)


def _is_icon(img) -> bool:
    src = (img.get("src") or "").lower()
    size = [img.get("width"), img.get("height")]
    small = any(s and s.isdigit() and int(s) < 40 for s in size)
    return not src or small or src.startswith("data:") or bool(re.search(r"(spacer|blank|icon|logo|pixel)\.", src))


def to_markdown(body) -> str:
    markup = html.tostring(body, encoding="unicode")
    markdown = _Converter(heading_style="ATX", bullets="-", strip=["u", "font"], escape_misc=False).convert(markup)
    lines = [line.strip(" \t\u3000\xa0") for line in markdown.splitlines()]
    markdown = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", markdown).strip()


def images(body) -> list[dict]:
    """Images in the cleaned body with their captions (figcaption, the caption line beside it, alt)."""
    found = []
    for img in body.iter("img"):
        if _is_icon(img):
            continue
        found.append({"src": img.get("src"), "caption": _caption(img)})
    return found


def _caption(img) -> str | None:
    figure = next((a for a in img.iterancestors() if a.tag == "figure"), None)
    if figure is not None:
        caption = figure.find(".//figcaption")
        if caption is not None and node_text(caption):
            return node_text(caption)
    block = next((a for a in img.iterancestors() if a.tag in ("p", "div", "center", "td")), None)
    if block is not None:
        own = node_text(block)
        if own and len(own) <= 120:
            return own
        sibling = block.getnext()
        if sibling is not None and sibling.find(".//img") is None:
            text = node_text(sibling)
            marker = f"{sibling.get('class') or ''} {sibling.get('align') or ''} {sibling.get('style') or ''}"
            if text and len(text) <= 120 and re.search(r"pic|caption|desc|center|tit|note", marker, re.I):
                return text
    alt = squash(img.get("alt"))
    if alt and not re.search(r"\.(jpe?g|png|gif|webp)$|^(图片|image|img|photo)\d*$", alt, re.I):
        return alt
    return None


def body_text(markdown: str) -> str:
    return markdown_to_text(markdown)
