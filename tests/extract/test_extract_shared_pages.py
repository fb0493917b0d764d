"""Real outlet pages from ../shared/pages: title, publish time, clean body, no mojibake, labels."""
from __future__ import annotations

import csv
import json
from datetime import datetime

import pytest

from extract_helpers import assert_clean_body, assert_no_mojibake, bigram_f1
from helpers import SHARED, shared_path
from monitor.extract.article import extract_article
from monitor.outlets import outlet_for_url
from monitor.window import BEIJING

NOW = datetime(2026, 1, 16, 12, 0, tzinfo=BEIJING)

# What the labels do not hold (unlabelled pages) or hold wrongly, read off each page by hand.
EXPECTED = {
    "chinanews__article__1.html": ("【中国稳健前行】坚定实施扩大内需战略", "2020-07-04 12:10", "编者按：突如其来的新冠肺炎疫情"),
    "gmw__article__2.html": ("中国“太空养鱼”项目进展顺利 “鱼航员”状态良好", "2024-05-20 03:15", "中国科学院专家19日在北京介绍"),
    "people__article__1.html": ("女儿出嫁，郑板桥画了几笔兰花当嫁妆", "2019-06-15 08:18", "父亲的教诲像一盏灯"),
    "people__article__4.html": ("江苏多地要求中高风险地区师生员工暂不返校", "2022-02-13 07:48", "江苏多地日前发布通知"),
    # The label says 00:00 (day only); the page shows 2024年04月24日23:52.
    "people__article__5.html": ("促进航天技术更好惠及人民――习近平主席向首届“中国－拉美和加勒比国家航天合作论坛”致贺信为中拉深化航天合作指明方向",
                                "2024-04-24 23:52", "4月24日，习近平主席向首届"),
    "xinhuanet__article__1.html": ("法国全国大罢工再次严重影响交通", "2019-12-10 07:57", "新华社巴黎12月9日电（记者唐霁）"),
    "xinhuanet__article__6.html": ("短缺药品保供稳价 全力保障临床用药需求", "2023-11-17 20:52", "新华社北京11月17日电"),
}


def manifest():
    path = SHARED / "pages" / "manifest.tsv"
    if not path.exists():
        return []
    with open(path, encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


@pytest.fixture(params=[row["file"] for row in manifest()] or ["(no ../shared)"])
def page(request):
    pages = shared_path("pages")
    row = next(r for r in manifest() if r["file"] == request.param)
    body = (pages / row["file"]).read_bytes()
    article = extract_article(body, row["url"], outlet=outlet_for_url(row["url"]), now=NOW)
    truth = pages / row["file"].replace(".html", ".truth.json")
    labels = json.loads(truth.read_text(encoding="utf-8")) if truth.exists() else None
    return row, article, labels, _known_text(body)


def _known_text(body: bytes) -> str:
    # The shared pages are UTF-8 or GB2312/GBK (see ../shared/pages/manifest.tsv).
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("gb18030")


def test_every_shared_page_has_expected_fields():
    assert set(EXPECTED) == {row["file"] for row in manifest()} or not manifest(), \
        "a page was added to ../shared/pages: add its expected title/time here"


def test_title_time_and_clean_body(page):
    row, article, labels, page_text = page
    title, minute, opening = EXPECTED[row["file"]]
    assert article["title"] == title
    assert article["published_at"].tzinfo is not None
    assert article["published_at"].astimezone(BEIJING).strftime("%Y-%m-%d %H:%M") == minute
    assert article["extracted_by"] == "site", "the outlet's rules should cover its own template"
    assert opening in article["body_text"].splitlines()[0] or article["body_text"].startswith(opening) \
        or opening in article["body_text"][:200]
    assert_clean_body(article["body_markdown"])
    assert_no_mojibake(article, page_text)  # people 5's source bytes carry one damaged name


def test_body_matches_labels(page):
    row, article, labels, page_text = page
    if not labels:
        pytest.skip(f"{row['file']} has no labels")
    assert article["title"] == labels["title"]
    assert article["published_at"].date().isoformat() == labels["publish_time"][:10]
    assert bigram_f1(article["body_text"], labels["content"]) > 0.95


def test_people_utf8_page_declaring_gb2312_is_not_mojibake():
    pages = shared_path("pages")
    url = "http://culture.people.com.cn/n1/2019/0615/c1013-31153719.html"
    article = extract_article((pages / "people__article__1.html").read_bytes(), url, outlet=outlet_for_url(url), now=NOW)
    assert "郑板桥" in article["title"] and "陆游" in article["body_text"]


def test_people_fields_beyond_the_body():
    pages = shared_path("pages")
    url = "http://js.people.com.cn/n2/2022/0213/c360307-35131671.html"
    article = extract_article((pages / "people__article__4.html").read_bytes(), url, outlet=outlet_for_url(url), now=NOW)
    assert article["original_title"] == "春季学期开学，织密返校疫情防控网"
    assert "原标题" not in article["body_markdown"]
    assert article["author"] == "葛灵丹"
    assert article["editor"] == "萧潇、张妍"
    assert article["origin"] == "新华日报"
    assert article["source"] == "人民网"


def test_xinhua_editor_and_source_kept_apart():
    pages = shared_path("pages")
    url = "http://www.news.cn/fortune/2023-11/17/c_1129981476.htm"
    article = extract_article((pages / "xinhuanet__article__6.html").read_bytes(), url, outlet=outlet_for_url(url), now=NOW)
    assert article["editor"] == "张樵苏"
    assert article["origin"] is None  # 来源：新华网 is the outlet itself
    assert "张樵苏" not in article["body_text"]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_generic_path_alone_reads_real_pages_cleanly(name):
    """As if the outlet were unknown (a new template): the same title, day and a clean body."""
    pages = shared_path("pages")
    row = next(r for r in manifest() if r["file"] == name)
    body = (pages / name).read_bytes()
    article = extract_article(body, row["url"], outlet=None, now=NOW)
    title, minute, opening = EXPECTED[name]
    assert article["extracted_by"] == "generic"
    assert article["title"] == title
    assert article["published_at"].strftime("%Y-%m-%d") == minute[:10]
    assert opening in article["body_text"][:300]
    assert_clean_body(article["body_markdown"])
    assert_no_mojibake(article, _known_text(body))
    truth = pages / name.replace(".html", ".truth.json")
    if truth.exists():
        assert bigram_f1(article["body_text"], json.loads(truth.read_text(encoding="utf-8"))["content"]) > 0.95
