"""Near-duplicate fingerprints of article bodies, for grouping reprints (转载) of one story.

A 64-bit SimHash (the `simhash` library) over 4-character shingles of the body's letters and
digits, folded by NFKC and casefold, so punctuation, spacing and full-width forms do not matter
and a reprint with a different dateline, editor line or a few edited words lands a few bits away.
Stored as 16 hex digits (MongoDB has no unsigned 64-bit integer). For lookups the fingerprint is
cut into BANDS bands: two fingerprints at most BANDS - 1 bits apart share at least one band
(pigeonhole), so an index on the bands finds every candidate without scanning the collection.
"""
from __future__ import annotations

import re
import unicodedata

from simhash import Simhash

BITS = 64
#: Six bands of 10 or 11 bits. Reprints with small edits measured up to 5 bits
#: apart, different stories 20 and more; a random fingerprint shares some band with ~0.4% of the
#: collection, which bounds the candidates a lookup reads. Changing it means re-banding stored
#: documents (`fingerprint_bands`).
BANDS = 6
MAX_DISTANCE = BANDS - 1  # the largest distance the bands guarantee to find
_EDGES = [round(i * BITS / BANDS) for i in range(BANDS + 1)]
_WORD = re.compile(r"\w+")


def shingle_text(text: str) -> str:
    """The characters the fingerprint is taken over: letters and digits, folded."""
    return "".join(_WORD.findall(unicodedata.normalize("NFKC", text).casefold()))


def fingerprint(text: str, min_chars: int = 1) -> str | None:
    """16 hex digits, or None when the text has fewer than `min_chars` letters and digits (too
    little to tell a reprint from a different story with the same few words)."""
    letters = shingle_text(text)
    if len(letters) < max(min_chars, 1):
        return None
    width = 4
    shingles = [letters[i:i + width] for i in range(max(len(letters) - width + 1, 1))]
    return f"{Simhash(shingles, f=BITS).value:016x}"


def bands(fp: str) -> list[str]:
    """The fingerprint's bands, each prefixed with its position (band 0 "0:1a2" never equals band 1)."""
    value = int(fp, 16)
    return [f"{i}:{(value >> (BITS - _EDGES[i + 1])) & ((1 << (_EDGES[i + 1] - _EDGES[i])) - 1):x}"
            for i in range(BANDS)]


def distance(a: str, b: str) -> int:
    """Hamming distance: how many of the 64 bits differ."""
    return (int(a, 16) ^ int(b, 16)).bit_count()
