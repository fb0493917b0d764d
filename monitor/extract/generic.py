"""The generic path: fields of a page no site rule covers (a new template, an unknown outlet).

`find_headline` picks the headline element, `generic_body` the main text block (scored in
blocks.py, compared with trafilatura's reading where it is in doubt) or refuses a page of links as
`NotAnArticle`; the publish time is published.py's. How they compare with trafilatura and GNE:
bench/accuracy.py. Nothing here is keyed to a site.
"""
from __future__ import annotations

import copy
import difflib
import re

from lxml import html

from monitor.extract import blocks
from monitor.extract.errors import NotAnArticle
from monitor.extract.fields import link_share, meta_content, node_text, squash, title_from_document
from monitor.extract.published import text_after

# A site-name suffix on a document title: "标题-新华网", "标题_央广网", "标题 | 健康频道".
_SITE_SUFFIX = re.compile(r"\s*[-_|｜—–]+\s*[^-_|｜—–]{0,12}(?:网|报|台|频道|客户端|新闻|门户|首页|网站)[^-_|｜—–]{0,6}$")


def strip_site_suffix(title: str) -> str:
    stripped = _SITE_SUFFIX.sub("", title)
    return stripped if len(stripped) >= 6 else title


# Class/id words of a headline element (`title`, `article-title`, `news_bt`, `headline`).
_HEADLINE_MARK = re.compile(r"(?:^|[\s_-])(?:\w*title|headline|bt|biaoti|tit)(?:$|[\s_-]|\d)", re.IGNORECASE)
_EMPHASIS = {"h1": 0.3, "h2": 0.2, "h3": 0.15, "h4": 0.15, "h5": 0.15, "h6": 0.15}
#: A candidate scoring below this is no headline; the document title is used instead.
HEADLINE_MIN_SCORE = 0.6


def find_headline(root) -> tuple[str | None, object | None]:
    """(headline text, its element) — the element is None when the text is the document title's.

    Candidates are h1–h6, elements marked as titles by class/id, and any element whose whole text is
    the document title's head (before its site or channel name). Each scores by how much of
    the document title (<title>, og:title) it repeats, its emphasis (tag), whether a date line
    follows it (the way article headlines stand), and is marked down inside a link (a related
    item's headline). Without a good candidate the document title, less its site-name suffix.
    """
    document_title = title_from_document(root)
    page_title = node_text(root.find(".//title")) if root.find(".//title") is not None else ""
    # The document title's head ('中华人民共和国监察法' of '中华人民共和国监察法-纪检') shown as an element's
    # whole text is a candidate too, whatever its tag or class.
    head = next(iter(_title_segments(page_title or "")), "")
    best, best_node, best_score, best_repeat = None, None, 0.0, 0.0
    for node in root.iter():
        if not isinstance(node.tag, str) or node.tag in ("a", "html", "body", "head", "title", "meta", "img", "ul",
                                                          "ol", "table", "script", "style"):
            continue
        emphasis = _EMPHASIS.get(node.tag)
        if emphasis is None:
            marked = _HEADLINE_MARK.search(f"{node.get('class') or ''} {node.get('id') or ''}")
            shows_head = len(head) >= 4 and (node.text or "").strip()[:4] == head[:4] and node_text(node) == head
            if not (marked or shows_head):
                continue
            emphasis = 0.15
        text = node_text(node)
        if not (4 <= len(text) <= 120):
            continue
        repeat = _repeats(text, document_title, page_title)
        # A sentence rather than a label ('相关推荐'), followed by its date or source line.
        score = emphasis + repeat + min(len(text), 20) / 200
        if _INFO_NEAR.search(text_after(node, 120)):
            score += 0.35
        if node.tag != "h1" and (any(a.tag == "a" for a in node.iterancestors()) or link_share(node) >= 0.9):
            score -= 0.4
        if _in_noise(node):
            score -= 0.3
        if score > best_score:
            best, best_node, best_score, best_repeat = text, node, score, repeat
    # A document title that no candidate repeats is the site's or channel's name ('新闻动态--学会官网'):
    # then the structure alone has to speak.
    generic_document_title = best_repeat < 0.4 or all(_is_site_name(s) for s in _title_segments(page_title or ""))
    if best is not None and (best_score >= HEADLINE_MIN_SCORE or generic_document_title and best_score >= 0.4):
        return best, best_node
    if document_title:
        return strip_site_suffix(document_title), None
    return best, best_node


_INFO_NEAR = re.compile(r"(?:19|20)\d{2}\s*(?:年|[-/.])\s*\d{1,2}\s*(?:月|[-/.])\s*\d{1,2}|"
                        r"(?:来源|作者|发布|记者|编辑)\s*[:：]")


def _repeats(text: str, *titles: str | None) -> float:
    """0..1: how much of a document title the candidate is (a prefix or part of it scores high).

    Being part of the title's site-name segment ('中国地理学会' in '新闻动态--中国地理学会官网') is
    no sign of a headline: that is the site's logo or name.
    """
    best = 0.0
    for title in titles:
        if not title:
            continue
        if text == title:
            return 1.0
        inside = text in title and not any(text in segment for segment in _title_segments(title) if _is_site_name(segment))
        if inside:
            best = max(best, 0.5 + 0.5 * len(text) / len(title))
        else:
            best = max(best, difflib.SequenceMatcher(None, text, title).ratio())
    return best


# Between a headline and a site or channel name. A bare '——' is not one: it joins a headline and its subtitle.
_TITLE_SEPARATOR = re.compile(r"\s*(?:[_|｜]|--|-|－|::)\s*|\s+[—–]+\s+")
_SITE_NAME = re.compile(r"(?:网|官网|网站|门户|报|报社|日报|晚报|台|电视台|频道|客户端|新闻|官方网站|学会|协会|政府|委员会|医院)$")


def _title_segments(title: str) -> list[str]:
    return [segment for segment in _TITLE_SEPARATOR.split(title) if segment]


def _is_site_name(segment: str) -> bool:
    return len(segment) <= 16 and bool(_SITE_NAME.search(segment))


def _in_noise(node) -> bool:
    for ancestor in node.iterancestors():
        if ancestor.tag in ("nav", "footer", "aside", "li", "a") or \
                _NOISE_MARK.search(f"{ancestor.get('class') or ''} {ancestor.get('id') or ''}"):
            return True
    return False


_NOISE_MARK = re.compile(r"(?:^|[\s_-])(?:nav|topnav|menu|dropdown|footer|related|relate|recommend|tuijian|hot|rank|"
                         r"sidebar|list)(?:$|[\s_-])", re.IGNORECASE)


_INFO_LINE = re.compile(r"(?:\d{4}[-年/.]\d{1,2}[-月/.]\d{1,2}|来源\s*[:：]|作者\s*[:：]|分享到)")


def generic_body(root, url: str, title: str | None = None, headline=None):
    """The main text as an element, or None.

    Our candidate is the best text block of the de-noised page (monitor/extract/blocks.py). When
    it does not stand under the headline and is short or link-heavy, trafilatura's reading of the
    same page is asked too and the one with more prose wins. The headline and the date/source line
    at the top are dropped (they are fields).
    """
    from monitor.extract.body import prune_noise

    page = copy.deepcopy(root)
    twin = _twin(root, page, headline)
    prune_noise(page)
    node, anchored = blocks.main_block(page, twin if twin is not None and _attached(twin, page) else None)
    _refuse_link_pages(page, node, anchored, url)
    if node is None or not anchored and _doubtful(node):
        node = _more_prose(node, _trafilatura_body(page, url))
    if node is None:
        return None
    return _without_heading(node, title)


#: A page whose text is at least this share links is "mostly links" (lists score 0.5–1.0, articles 0.0–0.6).
LINK_PAGE_DENSITY = 0.4
#: ...and it is no article when its best block, not under a headline, has less sentence text than this.
LINK_PAGE_PROSE = 200


def _refuse_link_pages(page, node, anchored: bool, url: str) -> None:
    """NotAnArticle for a list, a home page or an error page: mostly links, no article text under a headline."""
    share = blocks.page_link_density(page)
    block_links = blocks.link_density(node) if node is not None else 0.0
    if block_links > 0.5:
        reason = f"its main text block is {block_links:.0%} links"
    elif share >= LINK_PAGE_DENSITY and (node is None or not anchored and blocks.prose(node) < LINK_PAGE_PROSE):
        reason = f"{share:.0%} of its text is links and no article text stands under a headline"
    else:
        return
    raise NotAnArticle(f"{url}: not an article page ({reason}: a list, a home page or an error page); "
                       "check the URL, or the outlet's article patterns if a list sent it here")


#: A block not under its headline with less text than this (characters) is compared with trafilatura's.
CONFIDENT_TEXT = 500


def _doubtful(node) -> bool:
    return len(node_text(node)) < CONFIDENT_TEXT or blocks.link_density(node) > 0.2


def _more_prose(ours, theirs):
    """Of two candidate bodies, the one with more sentence text outside links (ours on a near tie)."""
    if theirs is None or ours is None:
        return ours if theirs is None else theirs
    return theirs if blocks.prose(theirs) > 1.2 * blocks.prose(ours) else ours


def _twin(root, copy_root, node):
    """The element of `copy_root` at the place of `node` in `root` (deepcopy keeps the shapes)."""
    if node is None:
        return None
    path = root.getroottree().getpath(node)
    found = copy_root.getroottree().xpath(path)
    return found[0] if found else None


def _attached(node, root) -> bool:
    return any(a is root for a in node.iterancestors()) or node is root


def _trafilatura_body(page, url):
    import trafilatura
    output = trafilatura.extract(page, url=url, output_format="html", include_images=True,
                                 include_tables=True, include_comments=False, include_links=False,
                                 include_formatting=True, with_metadata=False)
    if not output:
        return None
    tree = html.fromstring(output)
    return tree.find(".//body") if tree.find(".//body") is not None else tree


def _without_heading(body, title):
    for block in list(body.iter())[1:4]:
        text = node_text(block)
        if block.getparent() is None or not text:
            continue
        if text == title or (len(text) <= 80 and _INFO_LINE.search(text) and not text.endswith("。")):
            block.getparent().remove(block)
    return body


_ORIGIN_LINE = re.compile(r"(?<![图片文字])来源\s*[:：]")


def visible_origin(root) -> str | None:
    """The text of the first short page element that says 来源：X (image credits excluded)."""
    for node in root.iter("span", "div", "p", "em", "td", "li"):
        text = node_text(node)
        if len(text) <= 200 and _ORIGIN_LINE.search(text):
            return text
    return None


def site_name(root, host: str) -> str:
    """The site's own name for an unknown outlet: og:site_name/application-name, else the host."""
    name = meta_content(root, "og:site_name", "application-name", "SiteName", "sitename", "site")
    return squash(name) if name else host.removeprefix("www.")
