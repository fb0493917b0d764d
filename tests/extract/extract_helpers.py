"""Helpers for the extraction tests: body similarity, mojibake and noise checks."""
from __future__ import annotations

from pathlib import Path

from bench.accuracy import bigram_f1  # noqa: F401  (the benchmark's own measure)

PAGES = Path(__file__).resolve().parent / "pages"

# Text that must never reach a stored field: mojibake of UTF-8 read as GBK/Latin-1, replacement chars.
MOJIBAKE_MARKS = ("\ufffd", "锟斤拷", "鈥", "銆", "锛", "â€", "Ã", "ï¼", "çš", "å")


def assert_no_mojibake(article: dict, page_text: str = "") -> None:
    """No field holds mojibake, unless the page itself carries that damaged text (then it is copied)."""
    for key, value in article.items():
        texts = [value] if isinstance(value, str) else [v for i in value for v in i.values() if isinstance(v, str)] \
            if isinstance(value, list) else []
        for text in texts:
            for mark in MOJIBAKE_MARKS:
                at = text.find(mark)
                if at >= 0:
                    context = text[max(0, at - 3):at + 3]
                    assert context in page_text, f"{key} holds mojibake {mark!r}: {text[max(0, at - 40):at + 40]!r}"


# Noise that a clean body never contains, whatever the outlet.
BODY_NOISE = ("<script", "function(", "var ", "分享到", "责任编辑", "责编", "【纠错】", "版权所有", "Copyright",
              "相关新闻", "扫一扫", "document.write", "{", "}")


def assert_clean_body(markdown: str) -> None:
    for noise in BODY_NOISE:
        assert noise not in markdown, f"body still holds {noise!r}"
