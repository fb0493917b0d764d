"""Story clustering through `monitor import` into a real database: reprints by three outlets form
one cluster with the right lead and reprint_count, later runs keep it up to date, and a second run
of the same input changes nothing."""
import json
from datetime import datetime, timezone

from helpers import run_monitor
from monitor.fingerprint import bands
from monitor.storage.clusters import ClusterRules, lead_and_count, member_of
from pipeline_texts import OTHER_STORY, REPRINTS, STORY_TITLE

URLS = {
    "xinhua": "https://www.news.cn/health/20260112/3f2a/c.html",
    "people": "http://health.people.com.cn/n1/2026/0112/c14739-40001.html",
    "chinanews": "https://www.chinanews.com.cn/jk/2026/01-13/10550001.shtml",
    "nhc": "https://www.nhc.gov.cn/guihuaxxs/c100133/202601/abc.shtml",
}
SOURCES = {"xinhua": "新华网", "people": "人民网", "chinanews": "中国新闻网", "nhc": "国家卫生健康委员会"}


def reprint(outlet, published_at, body=None, **extra):
    return {"url": URLS[outlet], "source": SOURCES[outlet], "title": STORY_TITLE, "published_at": published_at,
            "body_markdown": body or REPRINTS.get(outlet) or REPRINTS["xinhua"], **extra}


OTHER = {"url": "https://www.workercn.cn/c/2026-01-13/8709999.shtml", "source": "中工网",
         "title": "北京二级以上医院推行诊间结算", "published_at": "2026-01-13T10:00:00+08:00", "body_markdown": OTHER_STORY}


def write(path, records):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def imported(path, *args):
    result = run_monitor("import", path, *args)
    assert result.returncode == 0, result.stderr
    return result


def by_outlet(db):
    return {d["outlet"]: d for d in db.articles.find()}


def test_three_outlets_reprinting_a_story_form_one_cluster(monitor_env, db, tmp_path):
    # chinanews first in the file: the lead is the earliest published, not the first seen
    path = write(tmp_path / "a.jsonl", [reprint("chinanews", "2026-01-13T08:00:00+08:00"),
                                        reprint("people", "2026-01-12T15:30:00+08:00"),
                                        reprint("xinhua", "2026-01-12T09:00:00+08:00"), OTHER])
    result = imported(path)
    assert "4 new" in result.stdout
    docs = by_outlet(db)
    story = [docs["xinhua"], docs["people"], docs["chinanews"]]
    assert len({d["cluster_id"] for d in story}) == 1
    assert isinstance(story[0]["cluster_id"], str)
    assert [d["cluster_lead"] for d in story] == [True, False, False]
    assert [d["reprint_count"] for d in story] == [3, 3, 3]
    other = docs["workercn"]
    assert other["cluster_id"] != story[0]["cluster_id"]
    assert other["cluster_lead"] is True and other["reprint_count"] == 1
    for d in docs.values():  # the stored fingerprint round-trips and its bands are the indexed keys
        assert isinstance(d["fingerprint"], str) and d["fingerprint_bands"] == bands(d["fingerprint"])
        assert isinstance(d["score"], (int, float)) and d["keywords"]
    assert "fingerprint_bands" in {i["name"] for i in db.articles.list_indexes()}


def test_a_second_run_of_the_same_input_changes_nothing(monitor_env, db, tmp_path):
    path = write(tmp_path / "a.jsonl", [reprint("xinhua", "2026-01-12T09:00:00+08:00"),
                                        reprint("people", "2026-01-12T15:30:00+08:00"),
                                        reprint("chinanews", "2026-01-13T08:00:00+08:00"), OTHER])
    imported(path)
    before = {d["url"]: d for d in db.articles.find()}
    again = imported(path)
    assert "0 new, 0 updated, 4 unchanged" in again.stdout
    after = {d["url"]: d for d in db.articles.find()}
    assert after == before  # every field: same documents, same updated_at, same clusters


def test_an_earlier_copy_in_a_later_run_becomes_the_lead_of_the_whole_cluster(monitor_env, db, tmp_path):
    imported(write(tmp_path / "a.jsonl", [reprint("people", "2026-01-12T15:30:00+08:00"),
                                          reprint("chinanews", "2026-01-13T08:00:00+08:00")]))
    first = by_outlet(db)
    assert first["people"]["cluster_lead"] and first["people"]["reprint_count"] == 2

    imported(write(tmp_path / "b.jsonl", [reprint("xinhua", "2026-01-12T09:00:00+08:00")]))
    docs = by_outlet(db)
    assert docs["xinhua"]["cluster_id"] == first["people"]["cluster_id"]
    assert {o: (d["cluster_lead"], d["reprint_count"]) for o, d in docs.items()} == {
        "xinhua": (True, 3), "people": (False, 3), "chinanews": (False, 3)}
    # cluster bookkeeping is not a change of the article
    assert docs["people"]["updated_at"] == first["people"]["updated_at"]
    assert docs["people"]["content_hash"] == first["people"]["content_hash"]


def test_on_the_same_publish_time_outlet_priority_picks_the_lead(monitor_env, db, tmp_path):
    same_time = "2026-01-12T12:00:00+08:00"  # report articles often have only a day
    imported(write(tmp_path / "a.jsonl", [reprint("people", same_time), reprint("nhc", same_time, REPRINTS["xinhua"]),
                                          reprint("xinhua", same_time)]))
    docs = by_outlet(db)
    assert {o: d["cluster_lead"] for o, d in docs.items()} == {"nhc": True, "xinhua": False, "people": False}


def test_copies_in_one_outlet_count_once(monitor_env, db, tmp_path):
    second_url = dict(reprint("xinhua", "2026-01-12T10:00:00+08:00"), url="https://www.news.cn/local/20260112/9e/c.html")
    imported(write(tmp_path / "a.jsonl", [reprint("xinhua", "2026-01-12T09:00:00+08:00"), second_url,
                                          reprint("people", "2026-01-12T15:30:00+08:00")]))
    docs = list(db.articles.find())
    assert len(docs) == 3 and len({d["cluster_id"] for d in docs}) == 1
    assert {d["reprint_count"] for d in docs} == {2}


def test_an_edited_republication_updates_its_document_and_stays_in_its_cluster(monitor_env, db, tmp_path):
    imported(write(tmp_path / "a.jsonl", [reprint("xinhua", "2026-01-12T09:00:00+08:00"),
                                          reprint("people", "2026-01-12T15:30:00+08:00")]))
    before = by_outlet(db)
    edited = reprint("people", "2026-01-12T15:30:00+08:00",
                     REPRINTS["people"].replace("186家", "190家") + "\n\n（本文有更新）",
                     url=URLS["people"].replace("http://", "https://") + "?from=timeline")
    result = imported(write(tmp_path / "b.jsonl", [edited]))
    assert "0 new, 1 updated" in result.stdout
    assert db.articles.count_documents({}) == 2
    people = by_outlet(db)["people"]
    assert "190家" in people["body_text"]
    assert people["cluster_id"] == before["xinhua"]["cluster_id"]
    assert people["reprint_count"] == 2 and people["cluster_lead"] is False
    assert people["urls"] == [URLS["people"], edited["url"]]
    assert people["fingerprint"] != before["people"]["fingerprint"]


def test_a_near_miss_never_leads_a_story_an_on_topic_article_carries():
    # The report reads cluster leads only: an earlier near miss (status off_topic) leading the story would
    # hide its on-topic reprint from every issue.
    def doc(url, outlet, hour, status):
        return {"url": url, "outlet": outlet, "status": status, "cluster_id": "c1",
                "published_at": datetime(2026, 1, 12, hour, tzinfo=timezone.utc)}

    early_miss = doc("https://a.cn/1", "people", 1, "off_topic")
    later, latest = doc("https://b.cn/2", "xinhua", 5, "ok"), doc("https://c.cn/3", "gmw", 9, "ok")
    lead, count = lead_and_count([member_of(d) for d in (early_miss, later, latest)], ClusterRules())
    assert lead.url == later["url"] and count == 3  # the near miss still counts as an outlet carrying it
    lead, _ = lead_and_count([member_of(early_miss), member_of(doc("https://d.cn/4", "cnr", 3, "off_topic"))],
                             ClusterRules())
    assert lead.url == early_miss["url"]  # a story of near misses only: the earliest leads, as ever
