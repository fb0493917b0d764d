"""`monitor candidates`, `monitor pin` and `monitor exclude` as an editor uses them before an export,
and the near misses of the topic an editor can bring in."""
from helpers import run_monitor
from monitor.storage.mongo import ensure_indexes
from pipeline_texts import FLU
from report_data import record, stored, write_jsonl

ISSUE = ("--profile", "weekly", "--issue-date", "2026-01-16")


def test_editor_pins_and_excludes_and_the_export_follows(monitor_env, db, tmp_path):
    ensure_indexes(db)
    docs = [stored(n, "2026-01-12", score=float(n), reprints=n % 3 + 1) for n in range(1, 13)]  # 1 .. 12
    db.articles.insert_many(docs)
    low, best = docs[0], docs[11]

    listing = run_monitor("candidates", *ISSUE)
    assert listing.returncode == 0, listing.stderr
    lines = listing.stdout.splitlines()
    assert "12 candidate(s), 10 chosen" in lines[0]
    rows = [line for line in lines if any(str(d["_id"]) in line for d in docs)]
    assert len(rows) == 12
    assert str(best["_id"]) in rows[0] and "12.00" in rows[0] and "chinanews" in rows[0] and rows[0].startswith("*")
    assert str(low["_id"]) in rows[-1] and not rows[-1].startswith("*")
    assert best["title"] in rows[0]

    # pin the lowest by the URL it was seen under (another spelling of it works too), exclude the best by id
    pin = run_monitor("pin", low["urls"][0].replace("https://www.", "http://") + "?utm_source=wechat", *ISSUE)
    assert pin.returncode == 0, pin.stderr
    assert f"{low['_id']} pinned into the weekly issue of 2026-01-16" in pin.stdout
    assert run_monitor("exclude", str(best["_id"]), *ISSUE).returncode == 0
    stored_edits = db.editorial.find_one({"profile": "weekly", "issue_date": "2026-01-16"})
    assert stored_edits["pinned"] == [low["_id"]] and stored_edits["excluded"] == [best["_id"]]

    listing = run_monitor("candidates", *ISSUE).stdout
    assert any(line.startswith("P") and str(low["_id"]) in line for line in listing.splitlines())
    assert any(line.startswith("X") and str(best["_id"]) in line for line in listing.splitlines())

    assert run_monitor("export", *ISSUE, "--number", "657").returncode == 0
    record = db.issues.find_one({"number": 657})
    assert low["_id"] in record["article_ids"] and best["_id"] not in record["article_ids"]
    assert len(record["article_ids"]) == 10  # the pinned one plus the best nine that are not excluded
    text = (tmp_path / "exports" / "weekly" / "2026-01-16-657.md").read_text(encoding="utf-8")
    assert low["title"] in text and best["title"] not in text

    # undoing the exclusion brings it back at the next export
    assert run_monitor("exclude", "--undo", str(best["_id"]), *ISSUE).returncode == 0
    assert run_monitor("export", *ISSUE).returncode == 0
    assert best["_id"] in db.issues.find_one({"number": 657})["article_ids"]


def test_unknown_or_unfit_articles_are_refused_and_nothing_changes(monitor_env, db):
    ensure_indexes(db)
    inside, before = stored(1, "2026-01-12"), stored(2, "2026-01-02")
    db.articles.insert_many([inside, before])

    unknown = run_monitor("pin", str(inside["_id"]), "0123456789abcdef01234567", *ISSUE)
    assert unknown.returncode == 2
    assert "'0123456789abcdef01234567'" in unknown.stderr and "nothing changed" in unknown.stderr
    assert run_monitor("exclude", "https://example.org/nothing.html", *ISSUE).returncode == 2
    assert db.editorial.count_documents({}) == 0

    outside = run_monitor("pin", str(before["_id"]), *ISSUE)
    assert outside.returncode == 2
    assert "2026-01-02" in outside.stderr and "outside the issue's window 2026-01-10..2026-01-16" in outside.stderr
    assert db.editorial.count_documents({}) == 0


def test_a_near_miss_is_listed_apart_and_an_editor_can_pin_it_into_the_issue(monitor_env, db, tmp_path):
    # through the crawl's own pipelines (`monitor import`): two on-topic articles, a near miss (health in
    # its headline, too little informatization) and a story with nothing digital (dropped)
    near = record(3, "2026-01-13", title="市医院优化就医流程", body_markdown="患者可通过小程序和APP查看检查报告。")
    flu = record(4, "2026-01-14", title=FLU["title"], body_markdown=FLU["body"])
    path = write_jsonl(tmp_path / "in.jsonl", [record(1, "2026-01-12"), record(2, "2026-01-12"), near, flu])
    imported = run_monitor("import", str(path))
    assert imported.returncode == 0, imported.stderr
    assert "4 line(s) read = 3 stored" in imported.stdout and "near misses of the topic" in imported.stdout
    doc = db.articles.find_one({"title": near["title"]})
    assert doc["status"] == "off_topic" and doc["topic_reason"].startswith("too little of group digital")
    assert db.articles.count_documents({"title": flu["title"]}) == 0

    listing = run_monitor("candidates", *ISSUE).stdout
    assert "2 candidate(s), 2 chosen" in listing and near["title"] not in listing
    misses = run_monitor("candidates", *ISSUE, "--near-misses")
    assert misses.returncode == 0, misses.stderr
    assert "1 near miss(es)" in misses.stdout and str(doc["_id"]) in misses.stdout
    assert "why: too little of group digital" in misses.stdout

    trace = run_monitor("trace", near["url"], *ISSUE).stdout
    assert "status: off_topic" in trace and "a near miss of the topic" in trace

    pin = run_monitor("pin", str(doc["_id"]), *ISSUE)
    assert pin.returncode == 0, pin.stderr
    listing = run_monitor("candidates", *ISSUE).stdout
    assert "3 candidate(s), 3 chosen" in listing
    assert any(line.startswith("P") and str(doc["_id"]) in line for line in listing.splitlines())
    assert any(line.startswith("P") for line in run_monitor("candidates", *ISSUE, "--near-misses").stdout.splitlines())

    assert run_monitor("export", *ISSUE, "--number", "657").returncode == 0
    assert doc["_id"] in db.issues.find_one({"number": 657})["article_ids"]
    text = (tmp_path / "exports" / "weekly" / "2026-01-16-657.md").read_text(encoding="utf-8")
    assert near["title"] in text and "本期导语" in text
