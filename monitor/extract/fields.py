"""Small, named extractions of one field each from a parsed page (lxml tree).

A selector is CSS, or XPath when it starts with `/`, `./` or `(`; an XPath may select attribute
values or text (e.g. `//meta[@name='publishdate']/@content`). Every field takes an ordered list of
selectors and returns the first non-empty result.
"""
from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urljoin, urlsplit

from cssselect import HTMLTranslator, SelectorError
from lxml import etree

_translator = HTMLTranslator()


class SelectorConfigError(ValueError):
    """A selector in an outlet's rules that is neither valid CSS nor valid XPath."""


@lru_cache(maxsize=1024)
def compiled_selector(selector: str) -> etree.XPath:
    try:
        if selector.startswith(("/", "./", "(")):
            return etree.XPath(selector)
        return etree.XPath(_translator.css_to_xpath(selector))
    except (SelectorError, etree.XPathSyntaxError) as e:
        raise SelectorConfigError(f"selector {selector!r} is neither valid CSS nor XPath: {e}") from None


def select(root, selector: str) -> list:
    """Elements (or strings, for attribute/text XPaths) matching one selector."""
    result = compiled_selector(selector)(root)
    return result if isinstance(result, list) else [result]


def squash(text: str | None) -> str:
    """Whitespace (incl. full-width spaces and nbsp) collapsed to single spaces."""
    return " ".join((text or "").replace("\u3000", " ").replace("\xa0", " ").split())


def text_of_markup(value: str) -> str:
    """The text of a value carrying leaked markup ('标题<div>——副题</div>'), whitespace squashed."""
    return squash(re.sub(r"<[^>]*>", "", value))


def node_text(node) -> str:
    if isinstance(node, str):
        return squash(node)
    if not isinstance(node, etree._Element) or not isinstance(node.tag, str):
        return ""
    parts = []
    for piece in node.iter():
        if piece.tag in ("script", "style") or not isinstance(piece.tag, str):
            if piece is not node and piece.tail:
                parts.append(piece.tail)
            continue
        if piece.text:
            parts.append(piece.text)
        if piece is not node and piece.tail:
            parts.append(piece.tail)
    return squash(" ".join(parts))


def link_share(node) -> float:
    """The share of an element's text that is link text (0 for an element without text)."""
    text = node_text(node)
    return sum(len(node_text(a)) for a in node.iter("a")) / len(text) if text else 0.0


def first_node(root, selectors) -> object | None:
    for selector in _as_list(selectors):
        for node in select(root, selector):
            if node_text(node):
                return node
    return None


def first_text(root, selectors) -> tuple[str | None, str | None]:
    """(text, selector) of the first selector whose match has text.

    A selector given as a list is a group whose matches' texts are joined with spaces (for values
    split across elements, like a date in separate year/day/time spans).
    """
    for selector in _as_list(selectors):
        if isinstance(selector, (list, tuple)):
            texts = [node_text(n) for s in selector for n in select(root, s)]
            text = squash(" ".join(t for t in texts if t))
        else:
            text = next((t for t in (node_text(n) for n in select(root, selector)) if t), "")
        if text:
            return text, str(selector)
    return None, None


def _as_list(value) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def meta_content(root, *names: str) -> str | None:
    """The first non-empty <meta name|property=... content> among `names` (case-insensitive)."""
    metas = {}
    for meta in root.iter("meta"):
        key = (meta.get("name") or meta.get("property") or meta.get("itemprop") or "").strip().lower()
        if key and key not in metas and squash(meta.get("content")):
            metas[key] = squash(meta.get("content"))
    for name in names:
        if name.lower() in metas:
            return metas[name.lower()]
    return None


# --- labels -----------------------------------------------------------------------------------------

_BRACKETS = "()（）[]【】〔〕<>《》「」 |｜"
_ORIGIN_EDGES = "()（）[]【】〔〕<>「」 |｜：:"
_EDITOR_LABEL = re.compile(r"(?:责任编辑|责编|编辑|编审|审核|校对)\s*[:：]?\s*")
_AUTHOR_LABEL = re.compile(r"^(?:作者|记者|文|撰稿|文字|通讯员|本报记者|本报通讯员|本网记者|新华社记者)\s*[:：/]?\s*")
_ORIGIN = re.compile(r"来源\s*[:：]\s*(.+)")
_ORIGIN_STOP = re.compile(r"\s*(?:作者|记者|编辑|责任编辑|责编|摄影|摄像|图片|发布时间|时间|浏览|阅读|字号|打印|分享|【|\d{4}[-年/])")


def clean_editor(text: str | None) -> str | None:
    """'【责任编辑:张樵苏 】' / '(责编：汤诗瑶、丁涛)' → the names."""
    if not text:
        return None
    match = _EDITOR_LABEL.search(text)
    value = text[match.end():] if match else text
    value = squash(value.strip(_BRACKETS + "：:"))
    # Whatever follows the names in another bracket ('【纠错】', '(实习)') is not part of them.
    value = re.split(r"[（(【\[）)】\]]", value)[0].strip(_BRACKETS + "：:")
    return value or None


def clean_author(text: str | None) -> str | None:
    if not text:
        return None
    value = squash(text).strip(_BRACKETS)
    value = _AUTHOR_LABEL.sub("", value).strip(_BRACKETS + "：:")
    # An e-paper byline runs on into the paper's name and date: '刘温馨 《 人民日报 》（2026年01月14日）'.
    value = re.split(r"\s*[《(（]|\s*\d{4}\s*年", value)[0].strip(_BRACKETS + "：:")
    # People's Daily meta tags carry numeric staff ids ('104363', 'L_104485'), not names.
    if not value or re.fullmatch(r"[A-Za-z_]*\d+", value) or len(value) > 60:
        return None
    return value


_BYLINE = re.compile(r"^[□■●\s]*(?:本报记者|本网记者|记者|作者|文\s*[/／]|撰文)\s*[:：]?\s*(?P<name>[^\s：:，。,].{0,30})$")
_DATELINE_REPORTER = re.compile(r"^.{0,40}?(?:电|讯|消息)\s*[（(]\s*(?:本报|本网)?记者\s*(?P<name>[^）)]{1,30})[）)]")


def author_from_lines(lines) -> str | None:
    """A byline in the body: a short '本报记者 X' line near either end, or '…电（记者X）' in the dateline."""
    lines = [line for line in lines if line.strip()]
    if lines:
        match = _DATELINE_REPORTER.match(lines[0])
        if match:
            # '记者张真真、通讯员鄂卫宣': the reporters, not the correspondents.
            return clean_author(re.split(r"[、，,\s]*通讯员", match.group("name"))[0])
    for line in [*lines[:2], *lines[-3:]]:
        if len(line) <= 40:
            match = _BYLINE.match(line.strip())
            if match:
                return clean_author(match.group("name").strip("）) "))
    return None


def clean_origin(text: str | None) -> str | None:
    """'2024年04月24日23:52 | 来源：新华网' → '新华网'; a bare name is returned as is."""
    if not text:
        return None
    text = squash(text)
    match = _ORIGIN.search(text)
    if match:
        text = match.group(1)
    text = _ORIGIN_STOP.split(text, maxsplit=1)[0]
    text = text.strip(_ORIGIN_EDGES).replace(" 原创稿", "").removesuffix("原创稿").strip(_ORIGIN_EDGES)
    return text or None


def is_own_name(origin: str, own_names) -> bool:
    """Whether `origin` names the outlet itself (or one of its channels, like 人民网-文化频道)."""
    compact = re.sub(r"[\s《》]", "", origin)
    for name in own_names:
        if compact == name:
            return True
        rest = compact.removeprefix(name)
        if rest != compact and rest[:1] in "-－—_·" and re.search(r"(频道|客户端|原创|网)$", rest[1:] or "频道"):
            return True
        # '城市电视台新闻综合频道': one of its channels written without a separator.
        if rest != compact and re.fullmatch(r".{0,6}(?:频道|客户端)", rest):
            return True
    return False


def canonical_url(root, url: str, same_site) -> str:
    """The page's canonical link when it declares one on the same site, else `url`."""
    for link in root.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split() and link.get("href"):
            href = urljoin(url, link.get("href").strip())
            parts = urlsplit(href)
            if parts.scheme in ("http", "https") and same_site(parts.hostname or ""):
                return href
    return url


def title_from_document(root) -> str | None:
    """og:title, else the <title> up to its site-name suffix."""
    title = meta_content(root, "og:title", "ArticleTitle", "twitter:title")
    if title:
        # Some CMSs put markup in the meta value ('标题<div>——副题</div>'): its text is the title.
        return text_of_markup(title) or None
    node = root.find(".//title")
    text = node_text(node) if node is not None else ""
    if not text:
        return None
    head = re.split(r"\s*(?:[_|｜]| - | — |--|－)\s*", text)[0]
    return head if len(head) >= 4 else text
