"""Topic relevance: the default topic keeps the real report articles and leaves out real news of other
subjects; it keeps the short system bulletins it used to miss and leaves out the passing mentions
and the stories of another kind that used to leak; a near miss is kept apart; scores do not grow
with length alone; matching folds case and width and keeps Latin terms whole; a broken topic file
is named."""
import json
import shutil

import pytest
from scrapy.utils.test import get_crawler

import topic_texts as texts
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
    crawler = get_crawler(settings_dict={"MONITOR_CONFIG_DIR": str(CONFIG), **settings})
    return TopicPipeline.from_crawler(crawler)


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


#: A real page an editor could take either way: drug-supply news built on a shortage-reporting
#: information system (信息直报系统, 信息监测共享) — kept, as a health-IT story.
BORDERLINE = {"xinhuanet__article__6.truth.json"}


def test_real_news_of_other_subjects_is_not_kept(topic):
    # the hand-labelled real pages of ../shared: space, sport, markets, outbreaks, a hospital's party
    # branch, an AI lab's memory research, covid symptoms
    pages = sorted(shared_path("pages").glob("*.truth.json")) + sorted(shared_path("pages2").glob("*.truth.json"))
    assert len(pages) >= 25
    for path in pages:
        truth = json.loads(path.read_text(encoding="utf-8"))
        match = topic.match(truth["title"], truth["content"])
        assert match.relevant == (path.name in BORDERLINE), (path.name, match.score, match.keywords)


@pytest.mark.parametrize("kind", sorted(texts.BULLETINS))
def test_short_bulletins_naming_a_system_cloud_platform_or_code_are_kept(topic, kind):
    title, body = texts.BULLETINS[kind]
    assert len(body) < 100
    match = topic.match(title, body)
    assert match.relevant, (kind, match.reason)


@pytest.mark.parametrize("text, why", [
    (FLU, "group digital"),           # health news, nothing digital (数据显示 is not about data)
    (AI_INDUSTRY, "group health"),    # AI news, 医疗 only in a list of sectors, 健康发展 not health
    (PET_CLINIC, "exclude term '宠物医院'"),
    (texts.DIGITAL_ECONOMY, "group health (2 < 8, none in the headline)"),  # health once, in a list
    (texts.SMART_CITY, "group health"),       # the health commission among thirty departments
    (texts.FUND_FIGURES, "group digital"),    # fund figures: 快报数据, 平台 and 线上 in passing
    (texts.MARKET, "exclude group market"),
    (texts.INSURANCE_SALES, "exclude group insurance_sales"),
    (texts.PRODUCT_LAUNCH, "exclude group product_launch"),
])
def test_what_is_not_about_health_informatization_is_not_kept_with_the_reason(topic, text, why):
    title, body = (text["title"], text["body"]) if isinstance(text, dict) else text
    match = topic.match(title, body)
    assert not match.relevant and why in match.reason, match.reason


def test_a_word_of_another_kind_named_in_passing_does_not_exclude(topic):
    # an on-topic app story: 手机 four times, a price-free platform, nothing of a launch or a market
    match = topic.match(*texts.HOSPITAL_APP)
    assert match.relevant and not match.excluded
    # two market words in a long on-topic article are not a market story; three in a brief are
    title, body = texts.HOSPITAL_APP
    assert topic.match(title, body + "该院信息化供应商的股价与市值近来也受到关注。").relevant
    assert not topic.match("智慧医院概念股走强", "多只个股涨停，主力资金净流入。").relevant
    # one word of a kind, even in the headline, is not that kind of story
    leak = topic.match("一条产妇信息售价50元 医院信息泄露追踪", "记者调查发现，部分医院患者信息遭泄露并在网上被倒卖，"
                       "涉及孕产妇姓名、电话和产检记录。卫生健康部门表示将加强医院信息系统安全管理。")
    assert leak.relevant and not leak.excluded


def test_supporting_words_carry_a_group_only_from_the_headline(topic):
    body = "市民用手机即可预约全市医院三个月内的专家号，挂号后在线缴费，就医时刷码进门。"
    assert topic.match("预约挂号平台推出微信版", body).relevant
    # the same words in the body only, eight of them: still only support
    body = "市民可通过微信、支付宝、手机网站和医院公众号在线预约专家号，平台数据显示预约量明显增加。"
    assert topic.match("预约挂号更方便", body).reason == "too little of group digital (only supporting words)"


def test_scores_do_not_grow_with_length_alone(topic):
    title, body = texts.HOSPITAL_APP
    once = topic.match(title, body).score
    # the same article sixteen times over (2,000+ characters): hits are capped per term, and past
    # weights.body_length the body part is scaled down by the square root of the length
    sixteen = topic.match(title, "\n\n".join([body] * 16)).score
    assert once <= sixteen < 1.6 * once
    # a long health story whose weak words (线上, 平台, 数据 …) pile up by length alone stays out
    paragraphs = ["医院优化门诊流程，患者就医等候时间缩短，并开通线上预约渠道。",
                  "医保患者出院结算更快，平台数据显示平均等候时间缩短。",
                  "医院组建医联体，专家下沉坐诊，群众在家门口看上专家门诊。"]
    for repeat in (1, 4, 16, 64):
        assert not topic.match("医院提升医疗服务", "\n\n".join(paragraphs * repeat)).relevant, repeat


def test_a_near_miss_is_kept_apart_with_why_it_fell_short():
    # both groups, a score just under the threshold
    kept = pipeline().process_item(item("智慧医院", "医院数据"))
    assert kept["status"] == "off_topic" and kept["score"] == 7.5
    assert kept["topic_reason"] == "score 7.5 < threshold 8"
    assert kept["keywords"] == {"智慧医院": 1, "医院": 1, "数据": 1}
    # health in the headline, two narrow digital words in the body: half the digital minimum
    kept = pipeline().process_item(item("市医院优化就医流程", "患者可通过小程序和APP查看检查报告。"))
    assert kept["status"] == "off_topic" and kept["topic_reason"].startswith("too little of group digital (2 < 3.5")
    # a market story is a near miss (an editor may overrule an exclude group) ...
    market = pipeline().process_item(item(*texts.MARKET))
    assert market["status"] == "off_topic" and market["topic_reason"].startswith("exclude group market")
    # ... a pet clinic never (an exclude term), nor health news with nothing digital, nor supporting
    # words (平台, 数据, 线上) alone
    for title, body in ((PET_CLINIC["title"], PET_CLINIC["body"]), (FLU["title"], FLU["body"]),
                        ("", "患者在医院请医生查看平台数据和线上报告。")):
        with pytest.raises(OffTopic):
            pipeline().process_item(item(title, body))
    on_topic = pipeline().process_item(item(*texts.BULLETINS["cloud-film"]))
    assert on_topic.get("status") is None and on_topic["topic_reason"] is None and on_topic["score"] >= 8


def test_near_misses_are_counted_in_the_stats():
    topic_pipeline = pipeline()
    topic_pipeline.process_item(item(*texts.MARKET))
    assert topic_pipeline.stats.get_value("monitor/near_misses") == 1


def test_the_headline_score_decides_before_fetching(topic):
    # one include term in the headline lets a list entry through; an exclude group in it does not
    assert topic.headline("县人民医院启用云胶片").relevant
    assert topic.headline("新闻", "市医保结算系统完成升级").relevant  # a feed's summary counts as much
    assert "exclude group market" in topic.headline("医疗信息化板块午后拉升 多只个股涨停").reason
    assert "headline score 0" in topic.headline("CBA常规赛：辽宁主场收官战不敌浙江").reason


def test_a_headline_hit_counts_more_than_a_body_hit(topic):
    in_title = topic.match("医院上线人工智能导诊", "近日启用。")
    in_body = topic.match("近日启用", "医院上线人工智能导诊。")
    assert in_title.keywords == in_body.keywords == {"医院": 1, "人工智能": 1, "导诊": 1}
    assert in_title.score == 3 * in_body.score


def test_full_width_case_and_spacing_fold(topic):
    assert fold("Ａ Ｉ医疗　ＡＩ  ai 5Ｇ") == "ai医疗ai ai 5g"
    assert topic.match("", "ＡＩ辅助诊断，Ai 阅片，Ａ Ｉ 查房").keywords == {"AI": 3}
    assert topic.match("", "医 院 数 据").keywords == {"医院": 1, "数据": 1}  # spaces inside Chinese text


def test_latin_terms_match_only_whole_words(topic):
    assert topic.match("", "MAIL TRAIN DAILY PAIN said 25G").keywords == {}
    assert topic.match("", "AI医疗、智能(AI)、5G、AIGC").keywords == {"AI医疗": 1, "AI": 1, "智能": 1, "5G": 1,
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
    ("name: x\nthreshold: 5\nnear_miss: 5\ngroups: {a: {terms: [医院]}}\n",
     "near_miss: 5 must be below the threshold (5)"),
    ("name: x\nthreshold: 5\ngroups: {a: {terms: [医院]}}\nexclude_groups: {m: {terms: [医院]}}\n",
     "exclude_groups.m.terms: term '医院' is also listed as include term '医院'"),
    ("name: x\nthreshold: 5\ngroups: {a: {terms: [医院]}}\nexclude_groups: {m: {min_score: 2}}\n",
     "exclude_groups.m: 'terms' is a required property"),
    ("name: x\nthreshold: 5\ngroups: {a: {terms: [医院], body_only_min_score: -1}}\n",
     "groups.a.body_only_min_score: -1 is less than the minimum of 0"),
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
