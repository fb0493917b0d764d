"""`monitor run` end to end from a replay archive into a fresh database; incremental second run."""
from __future__ import annotations

import re
from pathlib import Path

from docx import Document

from saved_sites import SITES
from helpers import ROOT, assert_clusters_consistent, run_monitor

OUTLETS = {"xinhua", "people", "cnr", "chinanews", "ce", "gmw", "workercn", "bjd", "ynet", "cnhubei", "nhc", "bjwjw"}
RUN = ("run", "--profile", "weekly", "--issue-date", "2026-01-16", "--number", "657")


def _runs(db):
    return list(db.runs.find({}, {"_id": 0}).sort("start", 1))


def test_weekly_run_from_replay_then_a_second_run_fetches_no_stored_article(monitor_env, db, make_archive):
    archive = make_archive()

    first = run_monitor(*RUN, "--replay", archive)
    assert first.returncode == 0, first.stdout + first.stderr
    issue = Path(monitor_env["MONITOR_EXPORT_DIR"]) / "weekly" / "2026-01-16-657.md"
    assert issue.is_file()
    text = issue.read_text(encoding="utf-8")
    assert text.startswith("# 全国卫生信息化舆情监测周报") and "（第六五七）" in text
    assert first.stdout.strip().splitlines()[-1] == str(issue.resolve())

    [run] = _runs(db)
    assert run["command"] == "run" and run["profile"] == "weekly" and run["issue_date"] == "2026-01-16"
    assert run["window"] == {"since": "2026-01-10", "until": "2026-01-16"}
    assert run["options"]["replay"] == str(archive) and run["options"]["refresh"] is False
    assert run["start"] <= run["end"] and run["exit_code"] == 0
    assert run["export"]["path"] == str(issue.resolve()) and run["export"]["number"] == 657
    assert set(run["outlets"]) == OUTLETS
    for name, outlet in run["outlets"].items():
        assert outlet["verdict"] in ("ok", "warning"), (name, outlet["problems"])
        assert outlet["pages"]["list"] >= 1 and outlet["pages"]["article"] >= 1, name
        assert outlet["responses"].get("200", 0) >= 2, name
        assert outlet["stored"].get("inserted", 0) >= 1, name
        assert outlet["extracted_by"].get("site", 0) >= 1, name
    # The summary names every outlet with its verdict.
    for name in OUTLETS:
        assert f"  {name} " in first.stdout
    stored = db.articles.count_documents({})
    assert stored == sum(o["stored"]["inserted"] for o in run["outlets"].values())
    # all outlets in one run: reprints across outlets are one story, listed once in the issue
    assert_clusters_consistent(db)
    reprinted = [d["cluster_id"] for d in db.articles.find({"reprint_count": {"$gt": 1}})]
    assert reprinted, "the sample carries one story reprinted by three outlets"
    cluster_of = {u: d["cluster_id"] for d in db.articles.find() for u in [d["url"], *d["urls"]]}
    listed = [line.split("<", 1)[1].rstrip(">") for line in text.splitlines() if line.startswith("链接：")]
    assert len(listed) == 10 and len({cluster_of[url] for url in listed}) == 10
    assert db.articles.count_documents({"run_id": run["run_id"]}) == stored
    # The log (stderr, not a terminal) carries no item: drops are DEBUG lines, and no body anywhere.
    assert "Dropped" not in first.stderr and "body_markdown" not in first.stderr
    assert sum(o["dropped"].get("OffTopic", 0) for o in run["outlets"].values()) > 0
    for doc in db.articles.find({}, {"body_text": 1}):
        assert doc["body_text"][:40] not in first.stderr

    second = run_monitor(*RUN, "--replay", archive)
    assert second.returncode == 0, second.stdout + second.stderr
    _, again = _runs(db)
    assert again["run_id"] != run["run_id"]
    assert sum(o["skipped_stored"] for o in again["outlets"].values()) == stored
    for name, outlet in again["outlets"].items():
        before = run["outlets"][name]
        # Lists are read again; every stored article listed there is not fetched again. Only pages the
        # first run stored nothing from (dropped, or no article on them) are not in the database.
        assert outlet["pages"]["list"] >= 1, name
        assert outlet["skipped_stored"] == before["stored"]["inserted"], (name, outlet)
        # (An article reached through a stand-in page is stored under both URLs: neither is fetched again.)
        assert outlet["pages"]["article"] <= before["pages"]["article"] - before["stored"]["inserted"], name
        assert outlet["stored"].get("inserted", 0) == 0 and outlet["items_scraped"] == 0, name
    assert db.articles.count_documents({}) == stored
    assert again["export"]["path"] == str(issue.resolve())

    # The same issue as a Word document too, written beside the Markdown and recorded with it.
    third = run_monitor(*RUN, "--replay", archive, "--format", "md,docx")
    assert third.returncode == 0, third.stdout + third.stderr
    document = issue.with_suffix(".docx").resolve()
    assert third.stdout.strip().splitlines()[-2:] == [str(issue.resolve()), str(document)]
    assert f"issue: {issue.resolve()}, {document} (number 657, 10 articles)" in third.stdout
    _, _, latest = _runs(db)
    assert latest["export"]["files"] == {"md": str(issue.resolve()), "docx": str(document)}
    entries = [line[4:] for line in issue.read_text(encoding="utf-8").splitlines() if line.startswith("### ")]
    assert [p.text for p in Document(document).paragraphs if p.style.name == "Heading 2"] == entries

    listed = run_monitor("runs", "--limit", "5")
    assert listed.returncode == 0, listed.stderr
    assert run["run_id"] in listed.stdout and again["run_id"] in listed.stdout
    assert "xinhua:" in listed.stdout


def test_requests_missing_from_the_archive_are_counted_and_reported(monitor_env, db, make_archive, sample_tool):
    removed = next(page.url for page in sample_tool.site_requests(SITES)
                   if page.path.parent.name == "xinhua" and page.path.name.startswith("article"))
    archive = make_archive(keep=lambda url, outlet: outlet == "xinhua" and url != removed)

    result = run_monitor("crawl", "xinhua", "--since", "2026-01-10", "--until", "2026-01-16", "--replay", archive)
    assert result.returncode == 0, result.stdout + result.stderr
    [run] = _runs(db)
    xinhua = run["outlets"]["xinhua"]
    assert xinhua["missing_from_archive"] == 1
    assert xinhua["verdict"] == "warning"
    assert any("missing from the replay archive" in p for p in xinhua["problems"])
    assert "missing from archive 1" in result.stdout
    assert removed in result.stderr  # the log line names the URL
    assert db.articles.count_documents({"urls": removed}) == 0


def test_the_bundled_sample_archive_matches_the_outlet_fixtures(make_archive):
    built = make_archive()
    bundled = Path(__file__).resolve().parents[2] / "samples" / "weekly-sample.warc.gz"
    assert built.read_bytes() == bundled.read_bytes(), \
        "samples/weekly-sample.warc.gz is out of date: run .venv/bin/python tools/make_sample_archive.py"


def test_at_debug_a_drop_is_one_line_with_url_and_reason_and_no_body(monitor_env, db):
    result = run_monitor("crawl", "people", "--since", "2026-01-10", "--until", "2026-01-16",
                         "--replay", ROOT / "samples" / "weekly-sample.warc.gz", env={"MONITOR_LOG_LEVEL": "DEBUG"})
    assert result.returncode == 0, result.stdout + result.stderr
    drops = [line for line in result.stderr.splitlines() if "Dropped" in line]
    [run] = _runs(db)
    assert len(drops) == run["outlets"]["people"]["dropped"]["OffTopic"] > 0
    for line in drops:
        assert re.search(r" DEBUG: Dropped \(OffTopic\): https?://\w+\.people\.com\.cn/\S+ is off topic health_it \(",
                         line), line
    assert "body_markdown" not in result.stderr
    for doc in db.articles.find({}, {"body_text": 1}):
        assert doc["body_text"][:40] not in result.stderr
