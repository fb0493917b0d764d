"""Topic relevance: the default topic keeps the real report articles and drops clear non-matches;
matching folds case and width and keeps Latin terms whole; a broken topic file is named."""
import json
import shutil

import pytest
from scrapy.utils.test import get_crawler

from helpers import ROOT, shared_path
from monitor.extract.text import markdown_to_text
from monitor.items import ArticleItem
from monitor.pipelines.topic import OffTopic, TopicPipeline
from monitor.topics import TopicError, fold, load_topic
from pipeline_texts import AI_INDUSTRY, FLU, PET_CLINIC

CONFIG = ROOT / "spiders_config"


@pytest.fixture(scope="module")
def topic():
    return load_topic("health_it", CONFIG)


def pipeline(**settings):
    return TopicPipeline.from_crawler(get_crawler(settings_dict={"MONITOR_CONFIG_DIR": str(CONFIG), **settings}))


def item(title, body, url="https://news.cn/a.html"):
    return ArticleItem(url=url, title=title, body_text=body)


def reference_articles():
    for name in ("weekly-657-2026-01-16", "weekly-630-2025-06-27"):
        path = shared_path("reference", f"{name}.articles.jsonl")
        for line in path.read_text(encoding="utf-8").splitlines():
            yield json.loads(line)


def test_every_article_of_the_real_issues_is_kept(topic):
    articles = list(reference_articles())
    assert len(articles) == 6
    topic_pipeline = pipeline()
    for record in articles:
        kept = topic_pipeline.process_item(item(record["title"], markdown_to_text(record["body_markdown"])))
        assert kept["score"] >= topic.threshold, record["title"]
        assert kept["keywords"], record["title"]


def test_keywords_and_score_of_a_real_article():
    record = next(r for r in reference_articles() if r["title"] == "北京发布AI+医疗健康新政")
    kept = pipeline().process_item(item(record["title"], markdown_to_text(record["body_markdown"])))
    keywords = kept["keywords"]
    assert keywords["AI"] >= 10 and keywords["医疗"] >= 10 and keywords["卫健委"] >= 1
    assert all(isinstance(v, int) and v > 0 for v in keywords.values())


@pytest.mark.parametrize("text, why", [
    (FLU, "group digital"),           # health news, nothing digital (数据显示 is not about data)
    (AI_INDUSTRY, "group health"),    # AI news, 医疗 only in a list of sectors, 健康发展 not health
    (PET_CLINIC, "exclude term '宠物医院'"),
])
def test_clear_non_matches_are_dropped_with_the_reason(text, why):
    with pytest.raises(OffTopic, match=why):
        pipeline().process_item(item(text["title"], text["body"]))


def test_both_groups_present_but_too_little_is_dropped():
    # a health term and a digital term three times each, but a score of 6 under the threshold of 8
    with pytest.raises(OffTopic, match="score 6 < threshold 8"):
        pipeline().process_item(item("", "患者在医院请医生查看平台数据和线上报告。"))
    kept = pipeline().process_item(item("智慧医院", "医院数据"))  # a headline naming the topic carries it
    assert kept["score"] == 8


def test_a_headline_hit_counts_more_than_a_body_hit(topic):
    in_title = topic.match("医院上线人工智能导诊", "近日启用。")
    in_body = topic.match("近日启用", "医院上线人工智能导诊。")
    assert in_title.keywords == in_body.keywords == {"医院": 1, "人工智能": 1}
    assert in_title.score == 3 * in_body.score


def test_full_width_case_and_spacing_fold(topic):
    assert fold("Ａ Ｉ医疗　ＡＩ  ai 5Ｇ") == "ai医疗ai ai 5g"
    assert topic.match("", "ＡＩ辅助诊断，Ai 阅片，Ａ Ｉ 导诊").keywords == {"AI": 3}
    assert topic.match("", "医 疗 数 据").keywords == {"医疗": 1, "数据": 1}  # spaces inside Chinese text


def test_latin_terms_match_only_whole_words(topic):
    assert topic.match("", "MAIL TRAIN DAILY PAIN said 25G").keywords == {}
    assert topic.match("", "AI医疗、智能(AI)、5G网络、AIGC").keywords == {"AI": 2, "医疗": 1, "智能": 1, "5G": 1,
                                                                      "AIGC": 1}


def test_a_longer_phrase_hides_the_term_inside_it(topic):
    assert topic.match("", "数据显示，产业健康发展").keywords == {}
    assert topic.match("", "互联网医院").keywords == {"互联网医院": 1}


def test_the_topic_is_chosen_by_setting(tmp_path):
    shutil.copytree(CONFIG / "topics", tmp_path / "topics")
    (tmp_path / "topics" / "pets.yaml").write_text(
        "name: 宠物\nthreshold: 1\ngroups:\n  pets:\n    terms: [宠物医院, 小程序]\n", encoding="utf-8")
    pets = pipeline(MONITOR_CONFIG_DIR=str(tmp_path), MONITOR_TOPIC="pets")
    kept = pets.process_item(item(PET_CLINIC["title"], PET_CLINIC["body"]))
    assert kept["keywords"] == {"宠物医院": 2, "小程序": 2}
    with pytest.raises(OffTopic):
        pets.process_item(item(FLU["title"], FLU["body"]))


@pytest.mark.parametrize("content, message", [
    ("name: x\nthreshold: 5\n", "(top level): 'groups' is a required property"),
    ("name: x\nthreshold: -1\ngroups: {a: {terms: [医院]}}\n", "threshold: -1 is less than or equal"),
    ("name: x\nthreshold: 5\ngroups: {a: {terms: []}}\n", "groups.a.terms"),
    ("name: x\nthreshold: 5\ngroups: {a: {terms: [医院], minscore: 2}}\n", "groups.a: Additional properties"),
    ("name: x\nthreshold: 5\ngroups: {a: {terms: {医院: zero}}}\n", "groups.a.terms"),
    ("name: x\nthreshold: 5\ngroups: {a: {terms: [医院]}}\nexclude: [医院]\n",
     "exclude: term '医院' is also listed as include term '医院'"),
    ("name: x\nthreshold: 5\ngroups: {a: {terms: [AI, ＡＩ]}}\n", "groups.a.terms: term 'ＡＩ' is the same term as 'AI'"),
    ("name: x\nthreshold: 5\ngroups: {a: {terms: [e.g]}}\n", "contains '.'"),
    ("name: x\nthreshold: [5\n", "not valid YAML"),
])
def test_a_broken_topic_file_is_named_with_key_and_problem(tmp_path, content, message):
    (tmp_path / "topics").mkdir()
    (tmp_path / "topics" / "broken.yaml").write_text(content, encoding="utf-8")
    with pytest.raises(TopicError) as error:
        load_topic("broken", tmp_path)
    assert str(tmp_path / "topics" / "broken.yaml") in str(error.value)
    assert message in str(error.value)


def test_an_unknown_topic_names_the_known_ones(tmp_path):
    with pytest.raises(TopicError, match=r"health_it\.yaml does not exist|topics: health_it"):
        load_topic("nope", CONFIG)
    with pytest.raises(TopicError, match="topics: health_it"):
        pipeline(MONITOR_TOPIC="nope")
