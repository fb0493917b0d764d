"""Distributed runs: `monitor run/crawl --distributed` with `monitor worker` processes on a real redis-server."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pymongo
import pytest
import redis

from helpers import ROOT, cluster_view, free_port, run_monitor
from saved_sites import SITES, SiteServer, page_key

RUN = ("run", "--profile", "weekly", "--issue-date", "2026-01-16", "--number", "657")
CRAWL = ("crawl", "--since", "2026-01-10", "--until", "2026-01-16")


@pytest.fixture
def shared(monitor_env, redis_server):
    """The environment of every process of one distributed run: the test's database, its own key prefix."""
    prefix = "t" + uuid.uuid4().hex[:8]
    env = {**monitor_env, "MONITOR_REDIS_URL": redis_server, "MONITOR_REDIS_PREFIX": prefix,
           "MONITOR_WORKER_TIMEOUT": "3", "MONITOR_WORKER_WAIT": "120"}
    yield env
    client = redis.Redis.from_url(redis_server)
    keys = list(client.scan_iter(match=f"{prefix}:*"))
    if keys:
        client.delete(*keys)


def start_worker(env: dict, log: Path) -> subprocess.Popen:
    with open(log, "wb") as out:
        return subprocess.Popen([sys.executable, "-m", "monitor", "worker", "--once"], cwd=ROOT,
                                env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT)


def finished(worker: subprocess.Popen, log: Path) -> int:
    try:
        return worker.wait(60)
    except subprocess.TimeoutExpired:
        worker.kill()
        pytest.fail(f"the worker did not leave the run:\n{log.read_text()[-3000:]}")


def articles(db) -> list[str]:
    return [d["url"] for d in db.articles.find({}, {"url": 1})]


def other_database(env: dict, name: str):
    client = pymongo.MongoClient(env["MONGO_URI"])
    return client, client[f"{env['MONGO_DATABASE']}_{name}"]


def test_two_workers_store_every_article_once_with_the_clusters_and_issue_of_one_process(shared, db, make_archive,
                                                                                       tmp_path):
    archive = make_archive()
    client, single_db = other_database(shared, "single")
    single_exports = tmp_path / "single-exports"
    single = run_monitor(*RUN, "--replay", archive, env={"MONGO_DATABASE": single_db.name,
                                                         "MONITOR_EXPORT_DIR": str(single_exports)})
    assert single.returncode == 0, single.stderr[-3000:]

    logs = [tmp_path / "worker-1.log", tmp_path / "worker-2.log"]
    workers = [start_worker(shared, log) for log in logs]
    run = run_monitor(*RUN, "--replay", archive, "--distributed", env=shared)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert [finished(w, log) for w, log in zip(workers, logs)] == [0, 0]

    # Every article exactly once, the same as one process stored, in the same stories.
    urls = articles(db)
    assert len(urls) == len(set(urls)) and sorted(urls) == sorted(articles(single_db))
    assert cluster_view(db) == cluster_view(single_db)
    # The same issue, byte for byte.
    issue = Path(shared["MONITOR_EXPORT_DIR"]) / "weekly" / "2026-01-16-657.md"
    assert issue.read_bytes() == (single_exports / "weekly" / "2026-01-16-657.md").read_bytes()

    # The run record: both workers, each outlet's counts merged from theirs — what one process counted.
    [doc] = db.runs.find()
    [alone] = single_db.runs.find()
    assert len(doc["workers"]) == 2 and doc["options"]["distributed"] is True and doc["exit_code"] == 0
    for name, outlet in alone["outlets"].items():
        merged = doc["outlets"][name]
        assert merged["verdict"] == outlet["verdict"], (name, merged["problems"])
        assert merged["stored"] == outlet["stored"] and merged["pages"] == outlet["pages"], name
        assert merged["sources"] == outlet["sources"], name
    assert sum(o["stored"].get("inserted", 0) for o in doc["outlets"].values()) == len(urls)
    # Redis keeps nothing of the finished run but its state, for late workers (it expires).
    keys = redis.Redis.from_url(shared["MONITOR_REDIS_URL"]).keys(f"{shared['MONITOR_REDIS_PREFIX']}:*")
    assert [k.decode() for k in keys] == [f"{shared['MONITOR_REDIS_PREFIX']}:run:{doc['run_id']}"]
    client.close()


def test_a_worker_killed_mid_run_loses_nothing(shared, db, sample_tool, tmp_path):
    pages = {page_key(p.url, p.method, p.body): (p.path, p.content_type) for p in sample_tool.site_requests(SITES)}
    origin = {"SCRAPY_SETTINGS_MODULE": "origin_settings", "PYTHONPATH": str(Path(__file__).parent),
              "MONITOR_TEST_NO_DELAY": "1"}
    client, single_db = other_database(shared, "single")
    with SiteServer(pages) as server:
        single = run_monitor(*CRAWL, env={**origin, "MONITOR_TEST_ORIGIN": server.origin,
                                          "MONGO_DATABASE": single_db.name})
        assert single.returncode == 0, single.stderr[-3000:]
        expected = sorted(articles(single_db))
        assert expected

    # The first worker gets 40 answers, then every page it asks for hangs: it is killed holding them,
    # and with articles it extracted but had not yet written.
    with SiteServer(pages, hold=lambda url, answered: answered >= 40) as server:
        env = {**shared, **origin, "MONITOR_TEST_ORIGIN": server.origin}
        first = start_worker(env, tmp_path / "worker-1.log")
        coordinator = subprocess.Popen([sys.executable, "-m", "monitor", *CRAWL, "--distributed"], cwd=ROOT,
                                       env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                       text=True)
        try:
            deadline = time.monotonic() + 60
            while len(server.held) < 3:  # the worker is waiting on pages: caught mid-run
                assert time.monotonic() < deadline and first.poll() is None, "the worker never reached the hold"
                time.sleep(0.05)
            first.send_signal(signal.SIGKILL)
            first.wait()
            stored_before = len(articles(db))
            server.release()
            second = start_worker(env, tmp_path / "worker-2.log")
            out, err = coordinator.communicate(timeout=120)
        finally:
            coordinator.kill()
        assert finished(second, tmp_path / "worker-2.log") == 0
    assert coordinator.returncode == 0, out[-3000:] + err[-3000:]

    urls = articles(db)
    assert stored_before < len(expected), "the killed worker should not have stored everything"
    assert len(urls) == len(set(urls)) and sorted(urls) == expected
    logs = err + (tmp_path / "worker-2.log").read_text()
    assert "unfinished request(s) are back in the queue" in logs
    [doc] = db.runs.find()
    assert len(doc["workers"]) == 2 and doc["exit_code"] == 0
    client.close()


def test_redis_unreachable_is_one_clear_line_and_exit_4(monitor_env, db):
    closed = f"redis://:hunter2@127.0.0.1:{free_port()}/0"
    for command in ((*CRAWL, "xinhua", "--distributed"), ("worker", "--once")):
        result = run_monitor(*command, env={"MONITOR_REDIS_URL": closed}, timeout=60)
        assert result.returncode == 4, result.stderr
        assert "Redis at redis://:***@127.0.0.1" in result.stderr and "Traceback" not in result.stderr
        assert "hunter2" not in result.stderr + result.stdout
    unset = run_monitor(*CRAWL, "xinhua", "--distributed", env={"MONITOR_REDIS_URL": ""})
    assert unset.returncode == 4 and "set MONITOR_REDIS_URL" in unset.stderr
    assert db.runs.count_documents({}) == 0  # nothing was started


def test_requests_to_one_host_start_its_delay_apart_across_workers(redis_server):
    from monitor.distributed.board import RunBoard
    prefix = "t" + uuid.uuid4().hex[:8]
    boards = [RunBoard(redis.Redis.from_url(redis_server), "r", prefix) for _ in range(2)]
    waits = [boards[n % 2].reserve_start("www.example.cn", 1000) for n in range(4)]
    # each reservation starts one interval after the one before, whichever worker made it
    assert 0 <= waits[0] <= 50
    for before, after in zip(waits, waits[1:]):
        assert 900 <= after - before <= 1000, waits
    assert boards[0].reserve_start("other.example.cn", 1000) <= 50  # hosts do not wait on each other


def test_counts_are_merged_across_workers():
    from monitor.ops.coordinator import merge_stats
    merged = merge_stats([{"monitor/pages/article": 3, "finish_reason": "shutdown", "monitor/source/0/label": "a"},
                          {"monitor/pages/article": 4, "finish_reason": "finished", "monitor/source/0/label": "a"},
                          {"monitor/pages/article": 1, "finish_reason": "cancelled"}])
    assert merged == {"monitor/pages/article": 8, "finish_reason": "finished", "monitor/source/0/label": "a"}
