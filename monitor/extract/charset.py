"""Decoding a page's bytes by their real encoding.

Chinese outlets mislabel often: GB2312 pages use characters outside GB2312 (so they are decoded as
GB18030, its superset), and re-templated pages are UTF-8 while a meta tag still says GB2312. Strict
UTF-8 is therefore tried before any declaration; charset-normalizer is the last resort.
"""
from __future__ import annotations

import codecs
import re

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.IGNORECASE)

# Declared names whose real-world meaning is a larger code page.
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030",
              "hz-gb-2312": "gb18030", "big5": "big5hkscs", "iso-8859-1": "cp1252",
              "latin-1": "cp1252", "ascii": "cp1252", "us-ascii": "cp1252"}


def normalize_encoding(name: str | None) -> str | None:
    """A Python codec name for a declared charset (GB2312/GBK → gb18030), or None if unknown."""
    if not name:
        return None
    name = name.strip().strip("\"'").lower()
    name = _SUPERSETS.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def text_codec(name: str) -> str:
    """The codec an outlet's `encoding:` names; LookupError naming what to write instead."""
    codec = normalize_encoding(name)
    if codec is None or not codecs.lookup(codec)._is_text_encoding:
        raise LookupError(f"{name!r} is not a text encoding Python knows "
                          "(write a codec name such as utf-8, gb18030 or big5)")
    return codec


def declared_encoding(body: bytes, content_type: str | None = None) -> str | None:
    """The charset the HTTP header or, failing that, the page's first meta tags declare."""
    if content_type:
        match = _HEADER_CHARSET.search(content_type)
        if match and normalize_encoding(match.group(1)):
            return normalize_encoding(match.group(1))
    match = _META_CHARSET.search(body[:4096])
    return normalize_encoding(match.group(1).decode("ascii", "ignore")) if match else None


def decode_html(body: bytes, content_type: str | None = None, forced: str | None = None) -> tuple[str, str]:
    """(text, codec name) for a page's bytes.

    Order: a forced encoding (the outlet's `encoding:`), a byte-order mark, strict UTF-8, the
    declared charset (strict), charset-normalizer's guess, and finally GB18030 with replacement.
    """
    if forced:
        codec = text_codec(forced)
        if codec == "utf-8" and body.startswith(codecs.BOM_UTF8):
            body = body[len(codecs.BOM_UTF8):]
        return body.decode(codec, errors="replace"), codec
    for bom, codec in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if body.startswith(bom):
            return body[len(bom):].decode(codec, errors="replace"), codec
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    declared = declared_encoding(body, content_type)
    if declared and declared != "utf-8":
        text = body.decode(declared, errors="replace")
        # A stray broken byte sequence must not send a correctly declared page to guessing.
        if text.count("\ufffd") <= max(2, len(text) // 2000):
            return text, declared
    from charset_normalizer import from_bytes
    best = from_bytes(body).best()
    if best is not None and best.encoding:
        codec = normalize_encoding(best.encoding) or best.encoding
        return body.decode(codec, errors="replace"), codec
    return body.decode("gb18030", errors="replace"), "gb18030"
