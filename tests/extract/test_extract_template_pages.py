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


def _generic(name):
    spec = json.loads((PAGES / "generic" / f"{name}.json").read_text(encoding="utf-8"))
    body = (PAGES / "generic" / f"{name}.html").read_bytes()
    return body, extract_article(body, spec["url"], outlet=None, now=NOW)


def test_gbk_page_without_any_charset_declaration_is_detected():
    body, article = _generic("gbk_undeclared_2005")
    assert b"charset" not in body.lower()
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    assert article["title"] == "社区卫生服务中心全部联网 居民健康档案网上可查"
    # <br>-separated lines are paragraphs; the editor line among them is a field, not text.
    assert article["body_text"].count("\n\n") == 2 and article["editor"] == "张伟"


def test_a_short_item_under_its_headline_beats_the_longer_list_beside_it():
    _, article = _generic("short_item_2026")
    assert article["body_text"].startswith("记者14日从市卫生健康委获悉")
    assert "二手房" not in article["body_text"] and "你可能还想看" not in article["body_text"]
    # JSON-LD says 07:20Z, the page shows 下午3:20: the same moment, read either way.
    assert article["published_at"].isoformat() == "2026-01-14T15:20:00+08:00"


def test_a_gallery_keeps_its_captions_as_text_and_as_image_captions():
    _, article = _generic("gallery_2026")
    captions = [image["caption"] for image in article["images"]]
    assert len(captions) == 4 and captions == article["body_text"].split("\n\n")
    assert "更多图集" not in article["body_text"]


def test_a_date_only_in_a_script_variable_is_found():
    body, article = _generic("wechat_like_2026")
    assert b"2026-01-13 18:05" not in body.split(b"<script>")[0]
    assert article["published_at"].isoformat() == "2026-01-13T18:05:00+08:00"


def test_an_article_a_cms_wraps_in_a_form_under_an_unmarked_headline():
    body, article = _generic("form_cms_2026")
    assert b"<form" in body and b"<h1" not in body
    # The headline is the document title's head, shown in a styled <span>; the title's '-信息中心' is a channel.
    assert article["title"] == "医院信息系统安全等级保护测评工作通知"
    assert article["body_text"].startswith("各科室：") and "终端设备清单" in article["body_text"]
    # An image whose alt text repeats the headline adds no line; the close-window link is gone.
    assert article["body_text"].count("安全等级保护测评工作通知") == 0 and "关闭窗口" not in article["body_text"]


def test_a_video_page_keeps_its_short_description_and_is_no_list():
    _, article = _generic("video_2026")
    assert article["body_text"].startswith("从今年起") and "相关视频" not in article["body_text"]
    assert article["origin"] is None  # 城市电视台新闻综合频道 is the site's own channel
