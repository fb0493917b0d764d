"""The persistence stage (DatabaseService) against real server processes: batches, clusters settled from
what the database holds, the spool when the database goes away, and the next opener writing it."""
import threading
from datetime import datetime, timezone

import pymongo
import pytest
from scrapy.settings import Settings

from monitor.storage import runs
from monitor.storage.articles import article_document
from monitor.storage.server import LocalServer
from monitor.storage.service import DatabaseGone, DatabaseService
from pipeline_texts import REPRINTS


def doc(n, outlet="x", body="正文", day=10):
    return article_document({
        "url": f"https://example.cn/a/{n}.html", "urls": [f"https://example.cn/a/{n}.html"], "outlet": outlet,
        "source": "示例网", "title": f"标题{n}", "published_at": datetime(2026, 1, day, 4, tzinfo=timezone.utc),
        "body_markdown": body, "body_text": body,
    }, run_id="r1")


def settings_for(uri, tmp_path, **extra):
    return Settings({"MONGO_URI": uri, "MONGO_DATABASE": "m", "MONITOR_DATA_DIR": str(tmp_path / "data"),
                     "MONITOR_OUTLET_PRIORITY": ["xinhua", "people", "chinanews"], **extra})


def test_batches_are_written_when_full_and_on_flush(monitor_env, db, tmp_path):
    service = DatabaseService.open(settings_for(monitor_env["MONGO_URI"], tmp_path, MONGO_BATCH_SIZE=3,
                                                MONGO_DATABASE=monitor_env["MONGO_DATABASE"]))
    try:
        futures = [service.add(doc(n)) for n in range(4)]
        assert [f is not None for f in futures] == [False, False, True, False]
        assert [outcome for _, outcome in futures[2].result()] == ["inserted"] * 3
        assert db.articles.count_documents({}) == 3  # one full batch written, one article buffered
        service.flush_now()
        assert db.articles.count_documents({}) == 4
    finally:
        service.close()


def test_an_article_the_database_refuses_costs_only_itself(monitor_env, db, tmp_path):
    service = DatabaseService.open(settings_for(monitor_env["MONGO_URI"], tmp_path, MONGO_BATCH_SIZE=3,
                                                MONGO_DATABASE=monitor_env["MONGO_DATABASE"]))
    try:
        huge = doc(2, body="大" * (17 * 1024 * 1024 // 3 + 1))  # over MongoDB's 16 MB document limit
        service.add(doc(1))
        service.add(huge)
        outcomes = service.add(doc(3)).result()
    finally:
        service.close()
    assert [o for _, o in outcomes] == ["inserted", "rejected", "inserted"]
    assert sorted(d["url"] for d in db.articles.find()) == [doc(1)["url"], doc(3)["url"]]
    assert not (tmp_path / "data" / "spool").exists()  # refused, so not kept to be refused again


def test_reprints_in_one_batch_and_across_batches_form_one_cluster(monitor_env, db, tmp_path):
    service = DatabaseService.open(settings_for(monitor_env["MONGO_URI"], tmp_path, MONGO_BATCH_SIZE=2,
                                                MONGO_DATABASE=monitor_env["MONGO_DATABASE"]))
    try:
        for n, (outlet, day) in enumerate([("people", 13), ("chinanews", 14), ("xinhua", 12)]):
            service.add(doc(n, outlet, REPRINTS[outlet], day))
        service.flush_now()
    finally:
        service.close()
    docs = {d["outlet"]: d for d in db.articles.find()}
    assert len({d["cluster_id"] for d in docs.values()}) == 1
    assert {o: (d["cluster_lead"], d["reprint_count"]) for o, d in docs.items()} == {
        "xinhua": (True, 3), "people": (False, 3), "chinanews": (False, 3)}


def test_settling_mends_a_cluster_from_its_stored_members(monitor_env, db, tmp_path):
    # As an interrupted writer could leave it: both members claim the lead, with wrong counts.
    service = DatabaseService.open(settings_for(monitor_env["MONGO_URI"], tmp_path,
                                                MONGO_DATABASE=monitor_env["MONGO_DATABASE"]))
    try:
        service.add(doc(1, "people", REPRINTS["people"], 13))
        service.add(doc(2, "xinhua", REPRINTS["xinhua"], 12))
        service.flush_now()
        db.articles.update_many({}, {"$set": {"cluster_lead": True, "reprint_count": 1}})
        service.add(doc(1, "people", REPRINTS["people"], 13))  # unchanged: its cluster is settled again
        service.flush_now()
    finally:
        service.close()
    docs = {d["outlet"]: (d["cluster_lead"], d["reprint_count"]) for d in db.articles.find()}
    assert docs == {"xinhua": (True, 2), "people": (False, 2)}


def test_nothing_is_lost_when_the_database_dies_and_the_next_opener_writes_it(disk_server, tmp_path):
    settings = settings_for(disk_server.uri, tmp_path, MONGO_BATCH_SIZE=2)
    service = DatabaseService.open(settings)
    lost = []
    service.on_gone.append(lost.append)
    service.add(doc(1, "people", REPRINTS["people"], 13))
    service.add(doc(2, "x")).result()  # a batch written
    disk_server.kill()  # SIGKILL: no goodbye
    outcomes = service.add(doc(3, "xinhua", REPRINTS["xinhua"], 12)), service.add(doc(4, "x"))
    assert [o for _, o in outcomes[1].result()] == ["spooled", "spooled"]
    assert len(lost) == 1 and "stopped answering" in lost[0]
    # Gone means gone: later calls fail at once instead of waiting out a timeout each.
    with pytest.raises(DatabaseGone):
        service.read(lambda db: db.articles.find_one()).result()
    service.add(doc(5, "x"))
    service.close()  # the buffered article goes to the spool too
    run = service.finish_run(runs.finish_update(status="failed", exit_code=3))
    assert run["record_error"]
    spool = tmp_path / "data" / "spool"
    assert len(list(spool.glob("*.jsonl"))) == 2 and list(spool.glob("run-*.json"))

    disk_server.restart()
    client = pymongo.MongoClient(disk_server.uri, tz_aware=True)
    client.m.runs.insert_one({"run_id": service.run_id, "status": "running"})
    reopened = DatabaseService.open(settings)  # any command: the spool is written first
    reopened.close()
    stored = {d["url"]: d for d in client.m.articles.find()}
    assert sorted(stored) == [f"https://example.cn/a/{n}.html" for n in range(1, 6)]
    assert stored["https://example.cn/a/4.html"]["published_at"] == datetime(2026, 1, 10, 4, tzinfo=timezone.utc)
    # the spooled reprint was clustered when it was written
    people, xinhua = stored["https://example.cn/a/1.html"], stored["https://example.cn/a/3.html"]
    assert people["cluster_id"] == xinhua["cluster_id"] and xinhua["cluster_lead"] and xinhua["reprint_count"] == 2
    assert not list(spool.iterdir())
    finished = client.m.runs.find_one({"run_id": service.run_id})
    assert finished["status"] == "failed" and finished["exit_code"] == 3
    client.close()


def test_a_run_left_running_by_a_dead_process_is_closed_by_the_next_opener(monitor_env, db, tmp_path):
    import subprocess
    import sys
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    process = {**runs.this_process(), "pid": int(dead.stdout)}
    db.runs.insert_many([
        {"run_id": "dead", "status": "running", "process": process, "start": datetime.now(timezone.utc)},
        {"run_id": "alive", "status": "running", "process": runs.this_process(), "start": datetime.now(timezone.utc)},
    ])
    DatabaseService.open(settings_for(monitor_env["MONGO_URI"], tmp_path,
                                      MONGO_DATABASE=monitor_env["MONGO_DATABASE"])).close()
    states = {r["run_id"]: r["status"] for r in db.runs.find()}
    assert states == {"dead": "interrupted", "alive": "running"}


def test_local_server_is_shared_by_concurrent_users_and_stopped_by_the_last(tmp_path):
    first, second = LocalServer(tmp_path), LocalServer(tmp_path)
    uri = first.acquire()
    assert second.acquire() == uri  # reused, not a second server on the same files
    pymongo.MongoClient(uri).m.c.insert_one({"a": 1})
    first.release()
    assert pymongo.MongoClient(uri, serverSelectionTimeoutMS=2000).m.c.count_documents({}) == 1
    second.release()
    assert not (tmp_path / "server.json").exists()
    # Data persists across restarts.
    with LocalServer(tmp_path) as again:
        assert pymongo.MongoClient(again).m.c.count_documents({}) == 1


def test_simultaneous_starts_give_one_server(tmp_path):
    users = [LocalServer(tmp_path) for _ in range(3)]
    uris = []
    threads = [threading.Thread(target=lambda u=u: uris.append(u.acquire())) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert len(set(uris)) == 1
    finally:
        for u in users:
            u.release()
    assert not (tmp_path / "server.json").exists()
