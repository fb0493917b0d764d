"""The main text block of a page no site rule covers: candidate blocks scored by text and link density.

Pure functions over a de-noised copy of the parsed page:

- `text_units` finds the page's paragraphs (p, blockquote, pre, and any block holding text of its
  own) with their text, link text and sentence punctuation;
- `score_blocks` gives each paragraph's weight to its parent, half to its grandparent and a quarter
  to the next ancestor (paragraphs side by side make their container the article), discounted by
  each block's link density;
- `main_block` picks the best block, but a short article standing right after its headline beats
  a longer block elsewhere ("related items", picture lists): the floor for short news items.

`link_density`, `page_link_density` and `prose` are the measures the generic path uses to tell a
page that is no article (mostly links: a list, a home page, an error page) and to compare its
candidate with trafilatura's.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from monitor.extract.fields import node_text

# Elements that are paragraphs by themselves.
PARAGRAPH_TAGS = ("p", "pre", "blockquote", "h2", "h3", "h4", "h5", "h6", "li", "dd", "figcaption")
# Elements that may hold paragraph text of their own (text or <br>-separated lines, no <p>).
TEXT_HOLDERS = ("div", "td", "section", "article", "center", "main", "body")
# Elements whose text is part of the line they stand in.
INLINE_TAGS = ("a", "span", "font", "b", "strong", "em", "i", "u", "br", "img", "sub", "sup", "small", "big",
               "code", "label", "abbr", "time", "cite", "q", "s", "strike", "mark", "ins", "del", "nobr")
_SENTENCE_MARKS = re.compile(r"[，。！？；：、,.!?;:“”]")
#: A paragraph shorter than this (characters of its own text, links excluded) carries no weight.
MIN_UNIT = 10
#: How far (characters of text) after the headline a block may start and still be "the article
#: under its headline": room for the date/source line, a byline, share buttons.
HEADLINE_REACH = 400
#: The floor: a block under its headline with at least this much text (links excluded), in
#: sentences, wins over a longer block elsewhere (a brief, a video's or a picture's description).
SHORT_ARTICLE_FLOOR = 30
_SENTENCE_END = re.compile(r"[，。！？；]|[.!?;]\s")


@dataclass
class Unit:
    node: object
    text: int  # characters of text, links excluded
    linked: int
    marks: int  # sentence punctuation
    start: int  # text offset of the unit in document order

    @property
    def weight(self) -> float:
        if self.text < MIN_UNIT or self.linked > self.text:
            return 0.0
        # Lines without any sentence punctuation are labels and titles, not prose: half weight.
        return self.text * (1.0 if self.marks else 0.5)


@dataclass
class Block:
    node: object
    score: float = 0.0
    start: int = 1 << 30
    units: list = field(default_factory=list)


def _own_text(node) -> str:
    """Text directly in `node` (its text and its inline children's), not in block children."""
    parts = [node.text or ""]
    for child in node:
        if isinstance(child.tag, str) and child.tag in INLINE_TAGS:
            parts.append(node_text(child))
        parts.append(child.tail or "")
    return " ".join(" ".join(parts).split())


def _link_text(node, own_only: bool) -> int:
    total = 0
    for link in node.iter("a"):
        if own_only and any(a.tag not in INLINE_TAGS for a in _ancestors_until(link, node)):
            continue
        total += len(node_text(link).replace(" ", ""))
    return total


def _ancestors_until(node, top):
    for ancestor in node.iterancestors():
        if ancestor is top:
            return
        yield ancestor


def text_offsets(root) -> dict:
    """Each element's text offset in document order (characters of text before it)."""
    offsets, position = {}, 0
    for node in root.iter():
        if isinstance(node.tag, str):
            offsets[node] = position
            if node.tag not in ("script", "style"):
                position += len((node.text or "").strip())
        position += len((node.tail or "").strip())
    return offsets


def text_units(root, offsets) -> list[Unit]:
    units = []
    for node in root.iter(*PARAGRAPH_TAGS, *TEXT_HOLDERS):
        if node.tag in PARAGRAPH_TAGS:
            if any(a.tag in PARAGRAPH_TAGS and a.tag != "li" for a in node.iterancestors()):
                continue  # a <p> inside a <blockquote> counts once, in its container
            text = node_text(node)
            linked = _link_text(node, own_only=False)
        else:
            text = _own_text(node)
            linked = _link_text(node, own_only=True) if text else 0
        compact = text.replace(" ", "")
        if not compact:
            continue
        units.append(Unit(node, len(compact) - min(linked, len(compact)), linked,
                          len(_SENTENCE_MARKS.findall(text)), offsets.get(node, 0)))
    return units


#: An item of a teaser list is at most this long (characters): a headline, a source line, a summary.
TEASER_MAX = 600
#: How much a paragraph inside a teaser list weighs compared with one of prose.
TEASER_WEIGHT = 0.05


def teaser_lists(root) -> set:
    """Elements that are lists of teasers: most of their (3 or more) children lead with a headline link.

    "Related news", "you may also like" and picture lists look like prose by their text (each item
    has a summary) but are items pointing elsewhere.
    """
    found = set()
    for node in root.iter(*TEXT_HOLDERS, "ul", "ol", "dl", "tbody"):
        children = [c for c in node if isinstance(c.tag, str) and node_text(c)]
        if len(children) < 3:
            continue
        # Items repeat one shape (li, or the same tag and class) and each is small.
        shapes = Counter((c.tag, c.get("class")) for c in children)
        if shapes.most_common(1)[0][1] < 0.6 * len(children):
            continue
        linked = sum(1 for c in children if len(node_text(c)) <= TEASER_MAX
                     and any(len(node_text(a)) >= 8 for a in c.iter("a")))
        if linked >= 3 and linked >= 0.6 * len(children):
            found.add(node)
    return found


def score_blocks(units, teasers=frozenset()) -> dict:
    """{element: Block} for every ancestor the units' weights reached."""
    blocks: dict = {}
    for unit in units:
        weight = unit.weight
        if not weight:
            continue
        if teasers and any(a in teasers for a in unit.node.iterancestors()):
            weight *= TEASER_WEIGHT
        # A paragraph gives its weight to its parent (and less to the next two ancestors); a block
        # holding its own lines is itself the first of the three.
        first = unit.node if unit.node.tag in TEXT_HOLDERS else unit.node.getparent()
        targets = [first, *_up(first, 2)] if first is not None else []
        for share, node in zip((1.0, 0.5, 0.25), targets):
            block = blocks.setdefault(node, Block(node))
            block.score += weight * share
            block.start = min(block.start, unit.start)
            block.units.append(unit)
    for block in blocks.values():
        block.score *= 1.0 - link_density(block.node)
    return blocks


def _up(node, levels):
    for count, ancestor in enumerate(node.iterancestors()):
        if count >= levels:
            return
        yield ancestor


def link_density(node) -> float:
    text = len(node_text(node).replace(" ", ""))
    if not text:
        return 0.0
    return min(1.0, _link_text(node, own_only=False) / text)


def main_block(root, headline=None):
    """(the main text block, whether it stands under the headline), or (None, False)."""
    offsets = text_offsets(root)
    teasers = teaser_lists(root)
    blocks = score_blocks(text_units(root, offsets), teasers)
    if not blocks:
        return None, False
    ranked = sorted(blocks.values(), key=lambda b: -b.score)
    best = ranked[0]
    if headline is None or headline not in offsets:
        return best.node, False
    after = offsets[headline] + len(node_text(headline).replace(" ", ""))
    near = [b for b in ranked if after <= b.start <= after + HEADLINE_REACH and not _contains(b.node, headline)
            and b.node not in teasers and link_density(b.node) < 0.3 and _text(b) >= SHORT_ARTICLE_FLOOR
            and _SENTENCE_END.search(node_text(b.node))]
    if not near:
        return best.node, False
    if best in near or _contains(best.node, near[0].node):
        return best.node, True
    # The first block under the headline (of those starting there, the best) is the article.
    first = min(near, key=lambda b: (b.start, -b.score))
    return first.node, True


def _text(block: Block) -> int:
    return sum(unit.text for unit in block.units)


def _contains(outer, inner) -> bool:
    return any(a is outer for a in inner.iterancestors())


def prose(node) -> int:
    """Characters of sentence text outside links: lines with sentence punctuation, link text excluded."""
    text = sum(len(t.strip()) for t in node.itertext() if _SENTENCE_MARKS.search(t))
    return max(0, text - _link_text(node, own_only=False))


def page_link_density(root) -> float:
    body = root.find(".//body")
    return link_density(body if body is not None else root)
