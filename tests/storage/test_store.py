"""ArticleStore against real server processes: batching, spool when the database goes away."""
import threading
from datetime import datetime, timezone

import pymongo

from helpers import free_port, start_secantus, stop_secantus
from monitor.storage.articles import ArticleStore, article_document
from monitor.storage.mongo import ensure_indexes
from monitor.storage.server import LocalServer


def doc(n):
    return article_document({
        "url": f"https://example.cn/a/{n}.html", "urls": [f"https://example.cn/a/{n}.html"], "outlet": "x",
        "source": "示例网", "title": f"标题{n}", "published_at": datetime(2026, 1, 10, 4, tzinfo=timezone.utc),
        "body_markdown": "正文", "body_text": "正文",
    }, run_id="r1")


def test_batches_are_written_when_full_and_on_flush(db):
    store = ArticleStore(db.articles, "/nonexistent-spool", batch_size=3)
    ensure_indexes(db)
    for n in range(4):
        store.add(doc(n))
    assert db.articles.count_documents({}) == 3  # one full batch written, one item pending
    store.flush()
    assert db.articles.count_documents({}) == 4
    assert store.totals.inserted == 4


def test_items_survive_the_database_going_away_and_are_written_next_run(tmp_path):
    port = free_port()
    storage = str(tmp_path / "db")
    proc, uri = start_secantus(storage, port)
    client = pymongo.MongoClient(uri, serverSelectionTimeoutMS=500, connectTimeoutMS=500)
    store = ArticleStore(client.m.articles, tmp_path / "spool", batch_size=2)
    store.add(doc(1))
    store.add(doc(2))  # written
    stop_secantus(proc)
    store.add(doc(3))
    result = store.add(doc(4))  # database gone: kept on disk
    assert result.spooled == 2
    spooled = list((tmp_path / "spool").glob("*.jsonl"))
    assert len(spooled) == 1
    client.close()

    proc, uri = start_secantus(storage, port)
    try:
        client = pymongo.MongoClient(uri, tz_aware=True)
        next_run = ArticleStore(client.m.articles, tmp_path / "spool")
        assert next_run.write_spooled() == 2
        assert not list((tmp_path / "spool").glob("*"))
        stored = {d["url"]: d for d in client.m.articles.find()}
        assert len(stored) == 4
        assert stored["https://example.cn/a/4.html"]["published_at"] == datetime(2026, 1, 10, 4, tzinfo=timezone.utc)
        client.close()
    finally:
        stop_secantus(proc)


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
