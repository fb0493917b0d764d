"""`monitor candidates`, `monitor pin` and `monitor exclude` as an editor uses them before an export."""
from helpers import run_monitor
from monitor.storage.mongo import ensure_indexes
from report_data import stored

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
