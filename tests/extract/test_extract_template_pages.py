"""Pages written for this project in each outlet's real template (tests/extract/pages/<outlet>/):
every expected field, including the e-paper variants, a GBK page, a UTF-8 page declaring GB2312, a
UTF-8 page with a BOM and no charset, and an unknown outlet through the generic path."""
from __future__ import annotations

import json
from datetime import datetime

import pytest

from extract_helpers import PAGES, assert_clean_body, assert_no_mojibake, bigram_f1
from monitor.extract.article import extract_article
from monitor.outlets import load_outlets, outlet_for_url
from monitor.window import BEIJING

NOW = datetime(2026, 1, 16, 20, 0, tzinfo=BEIJING)
SPECS = sorted(PAGES.glob("*/*.json"))
FIELDS = ("title", "source", "origin", "author", "editor", "original_title", "extracted_by")


@pytest.fixture(params=SPECS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def case(request):
    spec = json.loads(request.param.read_text(encoding="utf-8"))
    body = request.param.with_suffix(".html").read_bytes()
    article = extract_article(body, spec["url"], outlet=outlet_for_url(spec["url"]), now=NOW)
    return spec, article


def test_fields(case):
    spec, article = case
    assert {k: article[k] for k in FIELDS} == {k: spec[k] for k in FIELDS}
    assert article["published_at"].isoformat() == spec["published_at"]
    assert article["url"] == spec["url"]


def test_body_is_the_article_text_only(case):
    spec, article = case
    assert bigram_f1(article["body_text"], spec["body_text"]) > 0.97
    for paragraph in spec["body_text"].split("\n\n"):
        assert " ".join(paragraph.split()) in article["body_text"]
    assert_clean_body(article["body_markdown"])
    assert "相关新闻" not in article["body_text"] and "相关阅读" not in article["body_text"]
    assert "分享" not in article["body_text"] and "打印" not in article["body_text"]
    assert article["images"] == spec["images"]
    assert_no_mojibake(article)


def test_every_outlet_has_a_page():
    covered = {p.parent.name for p in SPECS}
    shared_only = {"gmw"}  # ../shared/pages has gmw's real template
    assert set(load_outlets()) - shared_only <= covered


def test_gbk_page_keeps_characters_outside_gb2312():
    spec = json.loads((PAGES / "ce" / "gbk_2026.json").read_text(encoding="utf-8"))
    body = (PAGES / "ce" / "gbk_2026.html").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    article = extract_article(body, spec["url"], outlet=outlet_for_url(spec["url"]), now=NOW)
    assert "周喆" in article["body_text"]  # 喆 is GBK, not GB2312


def test_utf8_page_declaring_gb2312_decodes_as_utf8():
    body = (PAGES / "people" / "health_n1_utf8_declares_gb2312.html").read_bytes()
    assert b"charset=GB2312" in body
    url = "http://health.people.com.cn/n1/2026/0115/c14739-40600001.html"
    article = extract_article(body, url, outlet=outlet_for_url(url), now=NOW)
    assert article["title"] == "“人工智能+医疗卫生”应用场景加快落地"
