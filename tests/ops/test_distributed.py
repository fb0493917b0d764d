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
    """A `monitor worker --once` in a process group of its own (with its extraction process)."""
    with open(log, "wb") as out:
        return subprocess.Popen([sys.executable, "-m", "monitor", "worker", "--once"], cwd=ROOT,
                                env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)


def finished(worker: subprocess.Popen, log: Path) -> int:
    try:
        return worker.wait(60)
    except subprocess.TimeoutExpired:
        worker.kill()
        pytest.fail(f"the worker did not leave the run:\n{log.read_text()[-3000:]}")


def articles(db) -> list[str]:
    return [d["url"] for d in db.articles.find({}, {"url": 1})]


@pytest.fixture(scope="module")
def archive(sample_tool, tmp_path_factory) -> Path:
    """Every outlet's saved pages as one replay archive."""
    out = tmp_path_factory.mktemp("archive") / "sites.warc.gz"
    with open(out, "wb") as f:
        sample_tool.build(sample_tool.site_requests(SITES), f)
    return out


@pytest.fixture(scope="module")
def one_process(archive, mongo_server, tmp_path_factory):
    """What `monitor run` stores and writes in one process from that archive: what every distributed run
    must match."""
    work = tmp_path_factory.mktemp("one-process")
    name = "t_" + uuid.uuid4().hex[:12]
    result = run_monitor(*RUN, "--replay", archive, env={
        "MONGO_URI": mongo_server, "MONGO_DATABASE": name, "MONITOR_DATA_DIR": str(work / "data"),
        "MONITOR_EXPORT_DIR": str(work / "exports")})
    assert result.returncode == 0, result.stderr[-3000:]
    client = pymongo.MongoClient(mongo_server)
    db = client[name]
    reference = {"urls": sorted(articles(db)), "clusters": cluster_view(db), "run": db.runs.find_one(),
                 "people": sorted(d["url"] for d in db.articles.find({"outlet": "people"}, {"url": 1})),
                 "issue": (work / "exports" / "weekly" / "2026-01-16-657.md").read_bytes()}
    client.drop_database(name)
    client.close()
    return reference


def test_two_workers_store_every_article_once_with_the_clusters_and_issue_of_one_process(shared, db, archive,
                                                                                       one_process, tmp_path):
    logs = [tmp_path / "worker-1.log", tmp_path / "worker-2.log"]
    workers = [start_worker(shared, log) for log in logs]
    run = run_monitor(*RUN, "--replay", archive, "--distributed", env=shared)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert [finished(w, log) for w, log in zip(workers, logs)] == [0, 0]

    # Every article exactly once, the same as one process stored, in the same stories.
    urls = articles(db)
    assert len(urls) == len(set(urls)) and sorted(urls) == one_process["urls"]
    assert cluster_view(db) == one_process["clusters"]
    # The same issue, byte for byte.
    issue = Path(shared["MONITOR_EXPORT_DIR"]) / "weekly" / "2026-01-16-657.md"
    assert issue.read_bytes() == one_process["issue"]

    # The run record: both workers, each outlet's counts merged from theirs — what one process counted.
    [doc] = db.runs.find()
    alone = one_process["run"]
    assert len(doc["workers"]) == 2 and doc["options"]["distributed"] is True and doc["exit_code"] == 0
    for name, outlet in alone["outlets"].items():
        merged = doc["outlets"][name]
        assert merged["verdict"] == outlet["verdict"], (name, merged["problems"])
        assert merged["stored"] == outlet["stored"] and merged["pages"] == outlet["pages"], name
        # A link listed on two list pages read by different workers is requested by both (the shared filter
        # fetches it once), and by whichever source was read first: only `requested` may differ, upwards.
        without = lambda sources: [{k: v for k, v in s.items() if k != "requested"} for s in sources]  # noqa: E731
        assert without(merged["sources"]) == without(outlet["sources"]), name
        requested = lambda sources: sum(s["requested"] for s in sources)  # noqa: E731
        assert requested(merged["sources"]) >= requested(outlet["sources"]), name
    assert sum(o["stored"].get("inserted", 0) for o in doc["outlets"].values()) == len(urls)
    # Redis keeps nothing of the finished run but its state, for late workers (it expires).
    keys = redis.Redis.from_url(shared["MONITOR_REDIS_URL"]).keys(f"{shared['MONITOR_REDIS_PREFIX']}:*")
    assert [k.decode() for k in keys] == [f"{shared['MONITOR_REDIS_PREFIX']}:run:{doc['run_id']}"]


def test_a_worker_killed_mid_run_loses_nothing(shared, db, sample_tool, one_process, tmp_path):
    pages = {page_key(p.url, p.method, p.body): (p.path, p.content_type) for p in sample_tool.site_requests(SITES)}
    origin = {"SCRAPY_SETTINGS_MODULE": "origin_settings", "PYTHONPATH": str(Path(__file__).parent),
              "MONITOR_TEST_NO_DELAY": "1"}
    expected = one_process["urls"]  # the saved pages, whether served or replayed

    # The first worker gets 40 answers, then every page it asks for hangs: it is killed holding them,
    # and with articles it extracted but had not yet written.
    with SiteServer(pages, hold=lambda url, answered: answered >= 40) as server:
        env = {**shared, **origin, "MONITOR_TEST_ORIGIN": server.origin}
        first = start_worker(env, tmp_path / "worker-1.log")
        coordinator = subprocess.Popen([sys.executable, "-m", "monitor", *CRAWL, "--distributed", "--record",
                                        tmp_path / "evidence"], cwd=ROOT, env={**os.environ, **env},
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 60
            while len(server.held) < 3:  # the worker is waiting on pages: caught mid-run
                assert time.monotonic() < deadline and first.poll() is None, "the worker never reached the hold"
                time.sleep(0.05)
            os.killpg(first.pid, signal.SIGKILL)  # the worker and its extraction process: a machine lost
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
    assert f"crawled by 2 worker(s) through {shared['MONITOR_REDIS_URL']}" in out
    # --record: each worker writes a file of its own (the killed one's too, as far as it got).
    [line] = [line for line in out.splitlines() if line.strip().startswith("recorded:")]
    files = [Path(f) for f in line.split(" to ", 1)[1].split(", ")]
    assert files and all(f.is_file() and f.name.startswith(f"monitor-{doc['run_id']}-") for f in files)
    assert len(list((tmp_path / "evidence").glob("*.warc.gz"))) == 2


def test_an_outlet_whose_seeding_worker_died_is_seeded_by_another(shared, db, archive, one_process, tmp_path):
    prefix, r = shared["MONITOR_REDIS_PREFIX"], redis.Redis.from_url(shared["MONITOR_REDIS_URL"])
    coordinator = subprocess.Popen([sys.executable, "-m", "monitor", *CRAWL, "people", "--replay", str(archive),
                                    "--distributed"], cwd=ROOT, env={**os.environ, **shared},
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not r.zrange(f"{prefix}:runs", 0, 0):
            assert time.monotonic() < deadline and coordinator.poll() is None, "the run was never announced"
            time.sleep(0.02)
        run = f"{prefix}:run:{r.zrange(f'{prefix}:runs', 0, 0)[0].decode()}"
        log = tmp_path / "worker.log"
        worker = start_worker(shared, log)
        while not r.smembers(f"{run}:workers"):
            assert time.monotonic() < deadline and worker.poll() is None, "the worker never joined"
            time.sleep(0.01)
        # Another worker is seeding the outlet as this one opens it, and dies before it is done.
        r.set(f"{run}:people:seeded", "ghost")
        r.set(f"{prefix}:worker:ghost", run, px=2000)
        r.sadd(f"{run}:workers", "ghost")
        out, err = coordinator.communicate(timeout=120)
    finally:
        coordinator.kill()
    assert coordinator.returncode == 0, out[-3000:] + err[-3000:]
    assert finished(worker, log) == 0
    assert "this worker seeds them" in log.read_text()
    urls = articles(db)
    assert len(urls) == len(set(urls)) and sorted(urls) == one_process["people"]


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


def test_redis_lost_mid_run_stops_workers_and_run_with_exit_4(shared, db, sample_tool, tmp_path):
    from helpers import start_redis, stop_secantus
    proc, url = start_redis()
    pages = {page_key(p.url, p.method, p.body): (p.path, p.content_type) for p in sample_tool.site_requests(SITES)}
    env = {**shared, "MONITOR_REDIS_URL": url, "SCRAPY_SETTINGS_MODULE": "origin_settings",
           "PYTHONPATH": str(Path(__file__).parent), "MONITOR_TEST_NO_DELAY": "1"}
    try:
        with SiteServer(pages, hold=lambda url, answered: answered >= 40) as server:
            env["MONITOR_TEST_ORIGIN"] = server.origin
            worker = start_worker(env, tmp_path / "worker.log")
            coordinator = subprocess.Popen([sys.executable, "-m", "monitor", *CRAWL, "--distributed"], cwd=ROOT,
                                           env={**os.environ, **env}, stdout=subprocess.PIPE,
                                           stderr=subprocess.PIPE, text=True)
            try:
                deadline = time.monotonic() + 60
                while len(server.held) < 3:
                    assert time.monotonic() < deadline and worker.poll() is None, "the worker never reached the hold"
                    time.sleep(0.05)
                stop_secantus(proc)  # Redis goes away mid-run
                server.release()
                out, err = coordinator.communicate(timeout=120)
            finally:
                coordinator.kill()
            assert finished(worker, tmp_path / "worker.log") == 4
    finally:
        stop_secantus(proc)
    assert coordinator.returncode == 4, out[-3000:] + err[-3000:]
    assert f"Redis at {url} stopped answering" in out and "Traceback" not in err
    [doc] = db.runs.find()
    assert doc["exit_code"] == 4 and doc["status"] == "failed" and "Redis" in doc["error"]
    urls = articles(db)
    assert urls and len(urls) == len(set(urls))  # what the worker had found is written
    assert "stopped answering" in (tmp_path / "worker.log").read_text()
