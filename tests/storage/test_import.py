"""`monitor import` into a real database: fields, idempotence, malformed lines, window, bad database."""
import json
from datetime import datetime, timezone

from helpers import run_monitor, shared_path

CONTRACT_FIELDS = {
    "url", "urls", "outlet", "source", "title", "original_title", "published_at", "published_at_raw",
    "author", "editor", "origin", "body_markdown", "body_text", "images", "fetched_at", "first_seen_at",
    "updated_at", "run_id",
}


def write_jsonl(path, records):
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n"
                            for r in records), encoding="utf-8")
    return path


def article(n, day="2026-01-12", **extra):
    return {"url": f"https://www.chinanews.com/jk/2026/01-12/1055{n:04d}.shtml", "source": "中国新闻网",
            "title": f"医院数据平台建设 {n}", "published_at": f"{day}T12:00:00+08:00",
            "body_markdown": f"第{n}篇。医院上线互联网医院平台。\n\n**数据**共享。", **extra}


def test_import_stores_reference_articles_with_contract_fields(monitor_env, db):
    path = shared_path("reference", "weekly-657-2026-01-16.articles.jsonl")
    result = run_monitor("import", path)
    assert result.returncode == 0, result.stderr
    assert "3 new" in result.stdout
    docs = list(db.articles.find())
    assert len(docs) == 3
    for doc in docs:
        assert CONTRACT_FIELDS <= set(doc), CONTRACT_FIELDS - set(doc)
        assert doc["published_at"].tzinfo is not None
    cnr = db.articles.find_one({"source": "央广网"})
    # 12:00 Beijing time is 04:00 UTC
    assert cnr["published_at"] == datetime(2026, 1, 10, 4, 0, tzinfo=timezone.utc)
    assert cnr["original_title"] == "从前跑断腿，如今点一点 青海智慧医疗让数据替您跑医院"
    assert cnr["urls"] == ["https://www.cnr.cn/qhfw/jdt/20260110/t20260110_527488874.shtml"]
    assert cnr["outlet"] == "cnr"
    assert "**" not in cnr["body_text"] and "互联网医院" in cnr["body_text"]


def test_reimport_changes_nothing_and_edit_updates_in_place(monitor_env, db, tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [article(1), article(2)])
    assert run_monitor("import", path).returncode == 0
    first = {d["url"]: d for d in db.articles.find()}

    again = run_monitor("import", path)
    assert again.returncode == 0, again.stderr
    assert "0 new, 0 updated, 2 unchanged" in again.stdout
    assert {d["url"]: d["updated_at"] for d in db.articles.find()} == {u: d["updated_at"] for u, d in first.items()}

    edited = article(1)
    edited["title"] = "医院数据平台建设 1（更新）"
    edited["url"] = edited["url"].replace("https://www.", "http://") + "?utm_source=wx"
    write_jsonl(path, [edited])
    result = run_monitor("import", path)
    assert "0 new, 1 updated" in result.stdout
    assert db.articles.count_documents({}) == 2
    doc = db.articles.find_one({"title": "医院数据平台建设 1（更新）"})
    old = first[doc["url"]]
    assert doc["first_seen_at"] == old["first_seen_at"]
    assert doc["updated_at"] > old["updated_at"]
    assert doc["urls"] == [old["urls"][0], edited["url"]]


def test_malformed_lines_are_reported_by_number_and_skipped(monitor_env, db, tmp_path):
    missing_title = article(3)
    del missing_title["title"]
    bad_date = article(4, day="2026-13-45")
    path = write_jsonl(tmp_path / "mixed.jsonl", [article(1), "{not json", missing_title, bad_date, article(2)])
    result = run_monitor("import", path)
    assert result.returncode == 0, result.stderr
    log = result.stderr
    assert "line 2 skipped: not JSON" in log
    assert "line 3 skipped: missing title" in log
    assert "line 4 skipped: published_at '2026-13-45T12:00:00+08:00' is not ISO 8601" in log
    assert "5 line(s) read = 2 stored + 3 skipped" in result.stdout
    assert "skipped (not JSON): 1" in result.stdout and "skipped (not a valid article): 2" in result.stdout
    assert db.articles.count_documents({}) == 2


def test_since_until_window_drops_articles_outside_it(monitor_env, db, tmp_path):
    path = write_jsonl(tmp_path / "w.jsonl", [
        article(1, day="2026-01-09"), article(2, day="2026-01-10"), article(3, day="2026-01-16"),
        article(4, day="2026-01-17"),
    ])
    result = run_monitor("import", path, "--since", "2026-01-10", "--until", "2026-01-16")
    assert result.returncode == 0, result.stderr
    assert "dropped (OutsideWindow): 2" in result.stdout
    assert sorted(d["title"][-1] for d in db.articles.find()) == ["2", "3"]


def test_bad_arguments_name_the_argument(monitor_env, tmp_path):
    result = run_monitor("import", tmp_path / "nope.jsonl")
    assert result.returncode == 2
    assert "nope.jsonl does not exist" in result.stderr
    result = run_monitor("import", tmp_path / "nope.jsonl", "--since", "2026-02-30")
    assert result.returncode == 2
    assert "--since" in result.stderr and "YYYY-MM-DD" in result.stderr


def test_unreachable_database_fails_at_once_naming_the_uri(monitor_env, tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [article(1)])
    result = run_monitor("import", path, env={"MONGO_URI": "mongodb://127.0.0.1:9/?serverSelectionTimeoutMS=500"})
    assert result.returncode == 3
    assert "MongoDB at mongodb://127.0.0.1:9/" in result.stderr
    assert "unreachable" in result.stderr and "MONGO_URI" in result.stderr
