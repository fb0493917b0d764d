"""One persistence stage per run, seen from the `monitor` command: outlets crawled together cluster as they
do one after another; a database killed mid-run loses no article; two runs at once leave consistent clusters."""
from __future__ import annotations

import subprocess
import sys
import time

import pymongo

from helpers import ROOT, assert_clusters_consistent, cluster_view, run_monitor
from notice_servers import Webhook

WINDOW = ("--since", "2026-01-10", "--until", "2026-01-16")
REPRINTING = ("xinhua", "bjd", "ynet")  # one story: xinhua's, reprinted by the other two


def _db(uri, name):
    return pymongo.MongoClient(uri, tz_aware=True)[name]


def test_outlets_crawled_in_one_run_cluster_as_in_runs_one_after_another(monitor_env, db, make_archive):
    archive = make_archive(keep=lambda url, outlet: outlet in REPRINTING)
    together = run_monitor("crawl", *REPRINTING, *WINDOW, "--replay", archive)
    assert together.returncode == 0, together.stdout + together.stderr

    apart_env = {"MONGO_DATABASE": monitor_env["MONGO_DATABASE"] + "_apart"}
    apart = _db(monitor_env["MONGO_URI"], apart_env["MONGO_DATABASE"])
    try:
        for outlet in REPRINTING:
            result = run_monitor("crawl", outlet, *WINDOW, "--replay", archive, env=apart_env)
            assert result.returncode == 0, result.stdout + result.stderr
        view = cluster_view(db)
        assert view and view == cluster_view(apart)  # same clusters, same leads, same counts
    finally:
        apart.client.drop_database(apart.name)

    # the story the three outlets carry is one cluster, led by its earliest copy, counting three outlets
    docs = list(db.articles.find({}, {"url": 1, "outlet": 1, "published_at": 1, "cluster_id": 1}))
    by_cluster = {}
    for d in docs:
        by_cluster.setdefault(d["cluster_id"], []).append(d)
    shared = [m for m in by_cluster.values() if {d["outlet"] for d in m} == set(REPRINTING)]
    assert shared, by_cluster
    earliest = min(shared[0], key=lambda d: d["published_at"])["url"]
    assert view[earliest][1] is True and view[earliest][2] == 3
    assert_clusters_consistent(db)


def test_a_database_killed_mid_run_loses_no_article(monitor_env, db, make_archive, disk_server, tmp_path):
    archive = make_archive()
    reference = run_monitor("crawl", *WINDOW, "--replay", archive)  # the same crawl with the database up
    assert reference.returncode == 0, reference.stderr
    expected = {d["url"] for d in db.articles.find({}, {"url": 1})}
    assert len(expected) >= 20

    env = {**monitor_env, "MONGO_URI": disk_server.uri, "MONGO_DATABASE": "m",
           "MONITOR_DATA_DIR": str(tmp_path / "killed")}
    started = time.monotonic()
    with Webhook() as hook:
        proc = subprocess.Popen([sys.executable, "-m", "monitor", "crawl", *WINDOW, "--replay", str(archive)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
                                env={**env, "MONITOR_ALERT_WEBHOOK": hook.url})
        log = []
        for line in proc.stderr:  # the spiders are opening: kill the database, no goodbye
            log.append(line)
            if "Spider opened" in line:
                disk_server.kill()
                break
        rest, errors = proc.communicate(timeout=120)
    took = time.monotonic() - started
    stderr = "".join(log) + errors
    assert proc.returncode == 3, rest + stderr
    assert took < 60, took  # not a timeout per article (this took minutes before)
    assert "stopped answering" in stderr and "monitor crawl: error:" in stderr
    assert "Traceback" not in stderr, stderr

    disk_server.restart()
    after = run_monitor("runs", env=env)  # fetches nothing; opening the database writes the spool
    assert after.returncode == 0, after.stderr
    killed = _db(disk_server.uri, "m")
    assert {d["url"] for d in killed.articles.find({}, {"url": 1})} == expected
    assert killed.articles.count_documents({}) == len(expected)
    assert_clusters_consistent(killed)
    assert not list((tmp_path / "killed" / "spool").glob("*"))
    [run] = list(killed.runs.find())
    assert run["status"] == "failed" and run["exit_code"] == 3 and "stopped answering" in run["error"]
    # Its notice went out during the outage and was kept in the spool with the rest of the run's record.
    [post] = hook.posts
    assert post["body"]["run_id"] == run["run_id"] and post["body"]["exit_code"] == 3
    assert run["notice"]["reasons"][0] == "the database stopped answering during the run"
    assert run["notice"]["deliveries"][0]["sent"] is True
    assert killed.runs.count_documents({"status": "running"}) == 0
    killed.client.close()


def test_two_runs_at_once_leave_consistent_clusters(monitor_env, db, make_archive):
    archive = make_archive()
    command = [sys.executable, "-m", "monitor", "crawl", *WINDOW, "--replay", str(archive)]
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
            for _ in range(2)]
    for proc in runs:
        out, err = proc.communicate(timeout=240)
        assert proc.returncode == 0, out + err
    assert db.runs.count_documents({"status": {"$in": ["ok", "warning"]}}) == 2
    urls = [d["url"] for d in db.articles.find({}, {"url": 1})]
    assert len(urls) == len(set(urls)) >= 20
    assert_clusters_consistent(db)


def test_a_run_killed_with_sigkill_is_closed_as_interrupted_by_the_next_command(monitor_env, db, make_archive):
    archive = make_archive(keep=lambda url, outlet: outlet in REPRINTING)
    proc = subprocess.Popen([sys.executable, "-m", "monitor", "crawl", *REPRINTING, *WINDOW, "--replay", str(archive)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    for line in proc.stderr:  # the run is recorded and its spiders are opening: kill -9, no goodbye
        if "Spider opened" in line:
            proc.kill()
            break
    proc.communicate(timeout=60)
    [left] = list(db.runs.find())
    assert left["status"] == "running"

    after = run_monitor("runs")
    assert after.returncode == 0, after.stderr
    assert f"{left['run_id']}" in after.stdout and "interrupted" in after.stdout
    [run] = list(db.runs.find())
    assert run["status"] == "interrupted" and run["end"] is not None
    # what the killed run had stored is kept, and a new crawl completes it
    again = run_monitor("crawl", *REPRINTING, *WINDOW, "--replay", archive)
    assert again.returncode == 0, again.stdout + again.stderr
    assert_clusters_consistent(db)
