"""The clustering pipeline on its own, with a real crawler and a real database: items of one run see
each other before anything is written, and the reprint lookup reads the band index, not the collection."""
from datetime import datetime, timedelta, timezone

import pytest
from scrapy.utils.test import get_crawler

from monitor.fingerprint import bands, fingerprint
from monitor.items import ArticleItem
from monitor.pipelines.cluster import Member, StoryClusterPipeline, candidates_filter
from pipeline_texts import OTHER_STORY, REPRINTS, STORY

BEIJING = timezone(timedelta(hours=8))


@pytest.fixture
def cluster_pipeline(monitor_env):
    crawler = get_crawler(settings_dict={
        "MONGO_URI": monitor_env["MONGO_URI"], "MONGO_DATABASE": monitor_env["MONGO_DATABASE"],
        "MONITOR_OUTLET_PRIORITY": ["xinhua", "people", "chinanews"]})
    pipeline = StoryClusterPipeline.from_crawler(crawler)
    pipeline.open_spider()
    yield pipeline
    pipeline.settle()


def item(outlet, day, body):
    return ArticleItem(url=f"https://{outlet}.example.cn/{day}.html", outlet=outlet, source=outlet,
                       published_at=datetime(2026, 1, day, 12, tzinfo=BEIJING), body_text=body)


def test_items_of_one_run_join_each_other_before_any_is_stored(cluster_pipeline, db):
    first = cluster_pipeline.process_item(item("people", 13, REPRINTS["people"]))
    second = cluster_pipeline.process_item(item("chinanews", 14, REPRINTS["chinanews"]))
    third = cluster_pipeline.process_item(item("xinhua", 12, REPRINTS["xinhua"]))
    other = cluster_pipeline.process_item(item("people", 12, OTHER_STORY))
    assert db.articles.count_documents({}) == 0
    assert first["cluster_id"] == second["cluster_id"] == third["cluster_id"] != other["cluster_id"]
    # the latest item knows the whole cluster: it leads (earliest published) and counts three outlets
    assert third["cluster_lead"] is True and third["reprint_count"] == 3
    assert other["cluster_lead"] is True and other["reprint_count"] == 1
    assert len(third["fingerprint"]) == 640 and third["fingerprint_bands"] == bands(third["fingerprint"])


def test_a_short_body_is_a_story_of_its_own(cluster_pipeline):
    a = cluster_pipeline.process_item(item("people", 12, "医院上线互联网医院平台。"))
    b = cluster_pipeline.process_item(item("xinhua", 12, "医院上线互联网医院平台。"))
    assert a["fingerprint"] is None and a["cluster_id"] != b["cluster_id"]


def test_the_reprint_lookup_reads_the_band_index_not_the_collection(monitor_env, db, cluster_pipeline):
    sentences = STORY.split("。")
    unrelated = []
    for n in range(300):  # other stories: the same vocabulary, reshuffled with numbers
        body = "。".join(f"{s}{n * 7 + i}" for i, s in enumerate(sentences[n % 5:] + sentences[:n % 5]))
        fp = fingerprint(f"第{n}篇 " + body[(n * 13) % 200:])
        unrelated.append({"url": f"https://example.cn/{n}.html", "fingerprint": fp, "fingerprint_bands": bands(fp),
                          "cluster_id": f"c{n}"})
    db.articles.insert_many(unrelated)
    fp = fingerprint(OTHER_STORY)
    member = Member(url="https://example.cn/new.html", outlet="x", published_at=None, cluster_id="",
                    fingerprint=fp, bands=bands(fp))
    stats = db.articles.find(candidates_filter(member)).explain()
    assert stats["queryPlanner"]["winningPlan"]["inputStage"]["indexName"] == "fingerprint_bands", stats
    assert stats["executionStats"]["totalDocsExamined"] <= 3
