"""The generic path on real pages of sites without rules (../shared/pages2): every labelled field.

These pages show kinds of page (portals, regional papers, government and hospital sites, 2003–2024);
nothing in the extractor is keyed to them. Labels: the headline as shown, the publish time as
displayed in Beijing time (the day only where the page shows no time), the main text.
"""
from __future__ import annotations

import csv
import json
from datetime import datetime

import pytest

from extract_helpers import assert_clean_body, assert_no_mojibake, bigram_f1
from helpers import SHARED, shared_path
from monitor.extract.article import extract_article
from monitor.window import BEIJING

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=BEIJING)


def manifest():
    path = SHARED / "pages2" / "manifest.tsv"
    if not path.exists():
        return []
    with open(path, encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


@pytest.fixture(scope="module")
def extracted():
    """{file: (article, labels, page text)}, each page extracted once for all the checks."""
    pages = shared_path("pages2")
    found = {}
    for row in manifest():
        body = (pages / row["file"]).read_bytes()
        labels = json.loads((pages / row["file"].replace(".html", ".truth.json")).read_text(encoding="utf-8"))
        found[row["file"]] = (extract_article(body, row["url"], outlet=None, now=NOW), labels,
                              body.decode("utf-8", errors="ignore") + body.decode("gb18030", errors="ignore"))
    return found


PAGES = [row["file"] for row in manifest()] or ["(no ../shared)"]


@pytest.mark.parametrize("name", PAGES)
def test_headline_and_publish_time(extracted, name):
    article, labels, _ = extracted[name]
    assert article["title"] == labels["title"]
    shown = labels["publish_time"]
    published = article["published_at"].astimezone(BEIJING)
    if len(shown) > 10:
        assert published.strftime("%Y-%m-%d %H:%M") == shown
    else:
        assert published.date().isoformat() == shown
    assert article["extracted_by"] == "generic"


@pytest.mark.parametrize("name", PAGES)
def test_body_is_the_main_text(extracted, name):
    article, labels, page_text = extracted[name]
    assert bigram_f1(article["body_text"], labels["content"]) > 0.9
    # The labelled text's first sentence is in the body (short items included, not a list beside them).
    opening = labels["content"].split("\n")[0][:20]
    assert "".join(opening.split()) in "".join(article["body_text"].split())
    assert_clean_body(article["body_markdown"])
    assert_no_mojibake(article, page_text)
