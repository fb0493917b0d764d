"""Near-duplicate fingerprints of article bodies, for grouping reprints (转载) of one story.

A MinHash signature of the body's 4-character shingles (letters and digits only, folded by NFKC
and casefold, so punctuation, spacing and full-width forms do not matter): the share of equal
values between two signatures estimates the share of shingles the two bodies have in common
(Jaccard similarity). A reprint with another dateline, an editor line and a few edited words
keeps 85% and more of its shingles; different stories share well under 10%. (A 64-bit SimHash
was tried first: on bodies of a few hundred characters such edits already moved it 7-9 bits,
too far for a banded index to find.)

Lookups use locality-sensitive hashing: the signature is cut into BANDS bands of ROWS values,
each stored as a short key in an indexed field. Two bodies with Jaccard similarity s share at
least one band with probability 1 - (1 - s**ROWS)**BANDS: 99.6% at s = 0.7, 94% at 0.6, 0.2% at
0.1, so a lookup reads the likely reprints only, never the whole collection.

A fingerprint is stored as hex text (MongoDB has no unsigned integers): NUM_PERM values of 8 hex
digits. Changing the constants below changes every fingerprint: stored ones must be recomputed.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata

import numpy as np

SHINGLE = 4
BANDS = 20
ROWS = 4
NUM_PERM = BANDS * ROWS
_PRIME = (1 << 61) - 1
_MASK32 = np.uint64(0xFFFFFFFF)
_WORD = re.compile(r"\w+")


def _constant(name: str) -> int:
    # Fixed, documented derivation (not a random generator whose stream could change between versions).
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=4).digest(), "big") | 1


_A = np.array([_constant(f"monitor-minhash-a{i}") for i in range(NUM_PERM)], dtype=np.uint64)
_B = np.array([_constant(f"monitor-minhash-b{i}") for i in range(NUM_PERM)], dtype=np.uint64)


def shingles(text: str) -> set[str]:
    """The body's 4-character shingles over its letters and digits, folded."""
    letters = "".join(_WORD.findall(unicodedata.normalize("NFKC", text).casefold()))
    return {letters[i:i + SHINGLE] for i in range(len(letters) - SHINGLE + 1)}


def fingerprint(text: str, min_chars: int = 1) -> str | None:
    """The MinHash signature as hex text, or None when the body has fewer than `min_chars`
    letters and digits (too little to tell a reprint from another story with the same words)."""
    found = shingles(text)
    if not found or len(found) + SHINGLE - 1 < min_chars:
        return None
    # 32-bit shingle hashes; a*x + b < 2**64 for 32-bit a, b and x, so uint64 never overflows.
    x = np.array([int.from_bytes(hashlib.blake2b(s.encode(), digest_size=4).digest(), "big") for s in found],
                 dtype=np.uint64)
    values = ((np.outer(x, _A) + _B) % np.uint64(_PRIME)) & _MASK32
    return "".join(f"{v:08x}" for v in values.min(axis=0).tolist())


def fingerprints(texts: list[str], min_chars: int = 1) -> list[str | None]:
    """`fingerprint` of each text (one call for a batch: what a worker process is handed)."""
    return [fingerprint(text, min_chars) for text in texts]


def _values(fp: str) -> list[str]:
    return [fp[i:i + 8] for i in range(0, len(fp), 8)]


def bands(fp: str) -> list[str]:
    """The index keys of a fingerprint: per band its position and a short hash of its values."""
    values = _values(fp)
    return [f"{b}:" + hashlib.blake2b("".join(values[b * ROWS:(b + 1) * ROWS]).encode(), digest_size=6).hexdigest()
            for b in range(BANDS)]


def similarity(a: str, b: str) -> float:
    """Estimated share of shingles two bodies have in common (0..1)."""
    va, vb = _values(a), _values(b)
    if len(va) != len(vb):
        return 0.0
    return sum(x == y for x, y in zip(va, vb)) / len(va)
