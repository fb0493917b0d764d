"""Untrusted article text printed into Markdown as text, never as structure.

Titles, sources, original titles, bodies and links come from crawled pages or imported files. These
pure functions print them so that nothing in them can add a heading, list, quote, code block, table,
raw HTML or a link to anything but http(s) to an issue. The rules follow CommonMark (plus GFM tables
and strikethrough) and escape a character only where it would be significant there, so ordinary text
(`AI+医疗`, `“”`, `（）`, `-` or `1.` inside a line) comes out byte for byte as given. The issue's blocks
(monitor/report/render.py) are made of this safe Markdown, and every output format renders those blocks.
"""
from __future__ import annotations

import re
from urllib.parse import quote

# CommonMark's line endings (str.splitlines would also split on U+2028 etc., which Markdown does not).
_LINE_END = re.compile(r"\r\n|\r|\n")
_ASCII_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
# A reference a renderer would decode: the text "&lt;" must print as "&lt;", not as "<".
_ENTITY = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]{0,31}|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});")
_WEB_URL = re.compile(r"https?://[^\s<>]", re.IGNORECASE)

# The one link shape a body keeps (whitelist): [text](http(s)://...) or ![alt](http(s)://...), text without
# unescaped brackets, a destination without spaces, parentheses, angle brackets or backslashes, an optional
# "title" (markdownify writes image titles so). Any other bracket is escaped, so javascript:/data: links,
# <...> destinations, reference links and reference definitions all print as text.
_LINK = re.compile(r"""(!?)\[((?:[^\[\]\\\n]|\\.)*)\]\((https?://[^\s()<>\\]+)((?:[ \t]+"(?:[^"\\\n]|\\.)*")?)\)""",
                   re.IGNORECASE)

# Line starts that open a block other than a paragraph (checked after escaping and after leading spaces
# and tabs are dropped, so nothing is indented code); a backslash before the first character makes each text.
_BLOCK_STARTS = [re.compile(p) for p in (
    r"#{1,6}(?:[ \t]|$)",                 # ATX heading
    r"[-+*](?:[ \t]|$)",                  # bullet list item
    r"([-*_])(?:[ \t]*\1){2,}[ \t]*$",    # thematic break: --- *** ___, spaced or not
    r"(?:=+|-+)[ \t]*$",                  # setext heading underline
    r"(?=[^\n]*-)[|:-][-|: \t]*$",        # GFM table delimiter row: | --- | :-: |
    r">|~{3,}|`{3,}",                     # blockquote, code fence
)]  # HTML blocks need a '<', always escaped; a reference definition "[x]: ..." a bracket no kept link has
# An ordered list item ("1. " or "1) "): the escape goes before the delimiter, as "\1" is no escape.
_ORDERED_ITEM = re.compile(r"[0-9]{1,9}(?=[.)](?:[ \t]|$))")

# Characters escaped wherever they occur in a one-line field: emphasis, code, strikethrough, brackets,
# raw HTML and autolinks, and '#' (a title ending in " #" would lose it as an ATX closing sequence).
_INLINE_SIGNIFICANT = frozenset("\\`*_~[]<#")


def inline_text(text: str) -> str:
    """A one-line field (title, source, original title) as Markdown that renders as exactly its text,
    with its whitespace (newlines too) collapsed to single spaces."""
    text = " ".join(text.split())
    escaped = "".join("\\" + c if c in _INLINE_SIGNIFICANT else c for c in text)
    return _neutralise_block_start(_escape_entities(escaped))


def body_markdown(text: str) -> str:
    """An article body as Markdown that keeps its inline formatting (**bold**, *emphasis*, http(s) links
    and images) but can open no block other than a paragraph and holds no raw HTML, code, entity or
    other link: every line is a line of paragraph text."""
    return "\n".join(_neutralise_block_start(_inline_markdown(line.lstrip(" \t")))
                     for line in _LINE_END.split(text))


def is_web_url(url: str) -> bool:
    return bool(_WEB_URL.match(url))


def link(url: str) -> str:
    """A link printed alone: an http(s) URL as an autolink, anything else (javascript:, data:, ...) as text."""
    if not is_web_url(url):
        return inline_text(url)
    # An autolink may not hold spaces, '<' or '>' (nor controls, non-ASCII); percent-encode just those.
    return "<" + quote(url, safe="".join(chr(c) for c in range(33, 127) if chr(c) not in "<>")) + ">"


def _escape_entities(text: str) -> str:
    return _ENTITY.sub(lambda m: "\\" + m.group(), text)


def _neutralise_block_start(line: str) -> str:
    ordered = _ORDERED_ITEM.match(line)
    if ordered:
        return line[:ordered.end()] + "\\" + line[ordered.end():]
    if any(p.match(line) for p in _BLOCK_STARTS):
        return "\\" + line
    return line


def _inline_markdown(line: str) -> str:
    """One body line with its escapes kept, whitelisted links kept and every '<', '`', other bracket and
    entity escaped. Backticks go too: inside a code span a backslash escape would not apply."""
    out, i, n = [], 0, len(line)
    while i < n:
        c = line[i]
        if c == "\\" and i + 1 < n and line[i + 1] in _ASCII_PUNCTUATION:
            out.append(line[i:i + 2])  # an escape the body already has ("\*" from markdownify)
            i += 2
            continue
        if c in "![":
            kept = _LINK.match(line, i)
            if kept:
                bang, text, url, title = kept.groups()
                out.append(f"{bang}[{_inline_markdown(text)}]({url}{title})")
                i = kept.end()
                continue
        if c == "&":
            entity = _ENTITY.match(line, i)
            if entity:
                out.append("\\" + entity.group())
                i = entity.end()
                continue
        out.append("\\" + c if c in "<`[]" else c)
        i += 1
    return "".join(out)
