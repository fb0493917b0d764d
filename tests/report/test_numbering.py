"""Issue numbers across weeks: the first needs --number, the next follow (skipped weeks too),
a re-export keeps its number and bytes, an empty week writes nothing."""
from helpers import run_monitor
from report_data import record, write_jsonl


def export(*args):
    return run_monitor("export", "--profile", "weekly", *args)


def test_numbers_follow_the_last_issue_across_a_skipped_week(monitor_env, db, tmp_path):
    # weeks ending Fri 2026-01-09, 01-16 and 01-30; nothing in the week ending 01-23
    articles = [record(1, "2026-01-05"), record(2, "2026-01-12"), record(3, "2026-01-14"), record(4, "2026-01-27")]
    assert run_monitor("import", write_jsonl(tmp_path / "a.jsonl", articles)).returncode == 0
    weekly = tmp_path / "exports" / "weekly"

    first = export("--issue-date", "2026-01-09")
    assert first.returncode == 2
    assert "--number" in first.stderr and "2026-01-09" in first.stderr
    assert not weekly.exists() and db.issues.count_documents({}) == 0

    assert export("--issue-date", "2026-01-09", "--number", "100").stdout.strip() == str(weekly / "2026-01-09-100.md")
    second = export("--issue-date", "2026-01-16")
    assert second.returncode == 0, second.stderr
    assert second.stdout.strip() == str(weekly / "2026-01-16-101.md")
    assert "（第一零一）" in (weekly / "2026-01-16-101.md").read_text(encoding="utf-8")
    assert "本期周报共收集2篇" in (weekly / "2026-01-16-101.md").read_text(encoding="utf-8")

    empty = export("--issue-date", "2026-01-23")
    assert empty.returncode == 1
    assert "no article" in empty.stderr and "2026-01-17..2026-01-23" in empty.stderr and "no file written" in empty.stderr
    assert not list(weekly.glob("2026-01-23-*"))
    assert db.issues.count_documents({"issue_date": "2026-01-23"}) == 0

    fourth = export("--issue-date", "2026-01-30")
    assert fourth.stdout.strip() == str(weekly / "2026-01-30-102.md"), fourth.stderr

    numbers = {d["issue_date"]: d["number"] for d in db.issues.find({"profile": "weekly"})}
    assert numbers == {"2026-01-09": 100, "2026-01-16": 101, "2026-01-30": 102}
    record_101 = db.issues.find_one({"number": 101})
    assert record_101["window"] == {"since": "2026-01-10", "until": "2026-01-16"}
    assert len(record_101["article_ids"]) == 2


def test_reexport_keeps_number_and_bytes_until_the_selection_changes(monitor_env, db, tmp_path):
    assert run_monitor("import", write_jsonl(tmp_path / "a.jsonl", [record(1, "2026-01-12")])).returncode == 0
    path = tmp_path / "exports" / "weekly" / "2026-01-16-657.md"
    assert export("--issue-date", "2026-01-16", "--number", "657").returncode == 0
    first_bytes = path.read_bytes()
    first_record = db.issues.find_one({"number": 657})

    again = export("--issue-date", "2026-01-16")
    assert again.stdout.strip() == str(path) and "unchanged" in again.stderr
    assert path.read_bytes() == first_bytes
    assert db.issues.find_one({"number": 657})["updated_at"] == first_record["updated_at"]

    wrong = export("--issue-date", "2026-01-16", "--number", "700")
    assert wrong.returncode == 2 and "already number 657" in wrong.stderr
    assert not (path.parent / "2026-01-16-700.md").exists()

    # a later article in the window changes the selection: same number, new content, record updated
    assert run_monitor("import", write_jsonl(tmp_path / "b.jsonl", [record(2, "2026-01-15")])).returncode == 0
    changed = export("--issue-date", "2026-01-16")
    assert changed.returncode == 0 and "written" in changed.stderr
    text = path.read_text(encoding="utf-8")
    assert "本期周报共收集2篇" in text and "智慧医疗第2号" in text
    updated = db.issues.find_one({"number": 657})
    assert updated["content_hash"] != first_record["content_hash"]
    assert updated["created_at"] == first_record["created_at"]
    assert len(updated["article_ids"]) == 2


def test_a_number_taken_by_another_issue_is_refused(monitor_env, db, tmp_path):
    assert run_monitor("import", write_jsonl(tmp_path / "a.jsonl", [record(1, "2026-01-05"),
                                                                     record(2, "2026-01-12")])).returncode == 0
    assert export("--issue-date", "2026-01-16", "--number", "5").returncode == 0
    clash = export("--issue-date", "2026-01-09", "--number", "5")
    assert clash.returncode == 2
    assert "number 5 is already the issue of 2026-01-16" in clash.stderr
    # the earlier week has no issue before it either, so it too needs a number
    assert "--number" in export("--issue-date", "2026-01-09").stderr
