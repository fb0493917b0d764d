"""All pipelines in their order (normalize -> window -> topic -> clustering -> store), through a real
Scrapy crawl and through `monitor import`: each drop counted under its own reason, URL variants
collapsing into one document, undated articles stored apart, reprints clustered."""
import json
import subprocess
import sys
from pathlib import Path

from helpers import ROOT, run_monitor
from pipeline_texts import FLU, REPRINTS, STORY_TITLE

PROBE = Path(__file__).with_name("probe_crawl.py")
XINHUA = "https://news.cn/health/20260112/3f2a/c.html"


def article(url, outlet, source, published_at, body, title=STORY_TITLE):
    return {"url": url, "outlet": outlet, "source": source, "title": title, "published_at": published_at,
            "body_markdown": body}


def crawl(tmp_path, items, since="2026-01-10", until="2026-01-16"):
    path = tmp_path / "items.json"
    path.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    result = subprocess.run([sys.executable, str(PROBE), str(path), since, until], capture_output=True, text=True,
                            cwd=ROOT, timeout=240)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_crawl_passes_every_pipeline_in_order(monitor_env, db, tmp_path):
    items = [
        article("http://www.news.cn/health/20260112/3f2a/c.html?utm_source=wechat", "xinhua", "新华网",
                "2026-01-12T09:00:00+08:00", REPRINTS["xinhua"]),
        # the same page under its mobile address: one document, both URLs
        article("https://m.news.cn/health/20260112/3f2a/c.html#p1", "xinhua", "新华网", "2026-01-12T09:00:00+08:00",
                REPRINTS["xinhua"]),
        article("https://health.people.com.cn/n1/2026/0112/c1-1.html", "people", "人民网",
                "2026-01-12T15:30:00+08:00", REPRINTS["people"]),
        article("https://www.chinanews.com.cn/jk/2026/01-16/1.shtml", "chinanews", "中国新闻网",
                "2026-01-16T23:59:00+08:00", REPRINTS["chinanews"]),
        # no publish time: kept, status undated
        article("https://www.gmw.cn/health/2026-01/u.html", "gmw", "光明网", None,
                REPRINTS["xinhua"].replace("新华社杭州1月12日电", "本报讯"), title="全民健康信息平台上线"),
        # outside the window (00:00 of the day after) and off topic: the window comes first
        article("https://www.ce.cn/health/late.shtml", "ce", "中国经济网", "2026-01-17T00:00:00+08:00", FLU["body"],
                title=FLU["title"]),
        # inside the window, off topic
        article("https://www.cnr.cn/health/flu.shtml", "cnr", "央广网", "2026-01-13T10:00:00+08:00", FLU["body"],
                title=FLU["title"]),
        # inside the window, a near miss of the topic: stored apart, status off_topic
        article("https://www.bjd.com.cn/a/202601/13/AP1.html", "bjd", "京报网", "2026-01-13T11:00:00+08:00",
                "患者可通过小程序和APP查看检查报告。", title="市医院优化就医流程"),
        # no title: dropped before anything else
        article("https://www.ynet.com/x.html", "ynet", "北京青年网", "2026-01-13T10:00:00+08:00", REPRINTS["xinhua"],
                title=""),
    ]
    stats = crawl(tmp_path, items)
    assert stats["item_dropped_reasons_count/MissingField"] == 1
    assert stats["item_dropped_reasons_count/OutsideWindow"] == 1
    assert stats["item_dropped_reasons_count/OffTopic"] == 1
    assert stats["item_scraped_count"] == 6 and stats["monitor/near_misses"] == 1

    near_miss = db.articles.find_one_and_delete({"outlet": "bjd"})
    assert near_miss["status"] == "off_topic" and near_miss["topic_reason"].startswith("too little of group digital")
    assert near_miss["cluster_lead"] is True and near_miss["reprint_count"] == 1  # a story of its own
    docs = {d["outlet"]: d for d in db.articles.find()}
    assert set(docs) == {"xinhua", "people", "chinanews", "gmw"}
    assert docs["xinhua"]["url"] == XINHUA
    assert docs["xinhua"]["urls"] == [items[0]["url"], items[1]["url"]]
    assert docs["gmw"]["status"] == "undated" and docs["gmw"]["published_at"] is None
    assert docs["chinanews"]["status"] == "ok"
    # one story, four outlets (the undated copy too); the earliest dated one leads
    assert len({d["cluster_id"] for d in docs.values()}) == 1
    assert {o: (d["cluster_lead"], d["reprint_count"]) for o, d in docs.items()} == {
        "xinhua": (True, 4), "people": (False, 4), "chinanews": (False, 4), "gmw": (False, 4)}
    assert docs["xinhua"]["keywords"]["全民健康信息"] >= 1 and docs["xinhua"]["score"] >= 8

    before = {d["url"]: d for d in db.articles.find()}
    again = crawl(tmp_path, [i for i in items if i["outlet"] != "bjd"])
    assert again.get("monitor/stored/unchanged") == 4 and "monitor/stored/inserted" not in again
    assert {d["url"]: d for d in db.articles.find()} == before


def test_monitor_import_applies_the_window_in_beijing_time_and_the_topic(monitor_env, db, tmp_path):
    def record(n, published_at, body=REPRINTS["xinhua"], title=STORY_TITLE):
        return {"url": f"https://www.news.cn/health/{n}.html", "source": "新华网", "title": title,
                "published_at": published_at, "body_markdown": body.replace("186家", f"{n}家")}
    records = [
        record(1, "2026-01-09T23:59:59+08:00"),  # out: the day before --since
        record(2, "2026-01-10T00:00:00+08:00"),  # in
        record(3, "2026-01-16T15:59:59Z"),       # in: 23:59:59 on --until in Beijing
        record(4, "2026-01-16T16:00:00Z"),       # out: 00:00 the day after in Beijing
        record(5, "2026-01-17T00:00:00"),        # out: no zone means Beijing time
        record(6, "2026-01-12T12:00:00+08:00", FLU["body"], FLU["title"]),  # in the window, off topic
    ]
    path = tmp_path / "a.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    result = run_monitor("import", path, "--since", "2026-01-10", "--until", "2026-01-16")
    assert result.returncode == 0, result.stderr
    assert "dropped (OutsideWindow): 3" in result.stdout
    assert "dropped (OffTopic): 1" in result.stdout
    assert "2 new" in result.stdout
    assert sorted(d["url"] for d in db.articles.find()) == ["https://news.cn/health/2.html",
                                                            "https://news.cn/health/3.html"]
