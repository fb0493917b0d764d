"""`--record DIR` writes a WARC archive of what was fetched; `--replay DIR` serves the same crawl from it."""
from __future__ import annotations

import gzip
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from helpers import run_monitor

WINDOW = ("--since", "2026-01-10", "--until", "2026-01-16")


def test_record_writes_a_warc_that_replay_serves_without_network(monitor_env, db, origin_server, origin_env,
                                                               tmp_path):
    record_dir = tmp_path / "evidence"
    live = run_monitor("crawl", "xinhua", *WINDOW, "--record", record_dir, env=origin_env)
    assert live.returncode == 0, live.stdout + live.stderr
    [warc] = list(record_dir.glob("*.warc.gz"))
    run = db.runs.find_one({})
    assert warc.name == f"monitor-{run['run_id']}.warc.gz"

    served = {url for url in origin_server.requested if url in origin_server.pages}
    assert served, "the crawl fetched nothing from the origin"
    responses, requests, response_records = {}, set(), 0
    with open(warc, "rb") as f:
        for record in ArchiveIterator(f):
            url = record.rec_headers.get_header("WARC-Target-URI")
            assert record.rec_headers.get_header("WARC-Date")
            if record.rec_type == "response":
                response_records += 1
                http = record.http_headers
                responses[url] = (http.get_statuscode(), http.get_header("Content-Type"),
                                  http.get_header("Content-Encoding"), record.raw_stream.read())
            elif record.rec_type == "request":
                requests.add(url)
    assert f"recorded: {response_records} response(s) to {warc}" in live.stdout
    for url in served:
        path, content_type = origin_server.pages[url]
        # Headers and bytes as received: still gzip-compressed, as the server sent them.
        assert responses[url] == ("200", content_type, "gzip", gzip.compress(path.read_bytes(), mtime=0)), url
        assert url in requests
    stored_live = sorted(d["url"] for d in db.articles.find({}, {"url": 1}))
    assert stored_live

    # The same crawl from the archive into an empty database: same articles, no origin contacted.
    db.articles.delete_many({})
    origin_server.requested.clear()
    replay = run_monitor("crawl", "xinhua", *WINDOW, "--replay", record_dir, env=origin_env)
    assert replay.returncode == 0, replay.stdout + replay.stderr
    assert origin_server.requested == []
    assert sorted(d["url"] for d in db.articles.find({}, {"url": 1})) == stored_live
    replayed = db.runs.find_one({"options.replay": str(record_dir)})
    assert replayed["outlets"]["xinhua"]["missing_from_archive"] == 0
    assert not list(Path(record_dir).glob("*.warc.gz"))[1:]  # replaying does not record a second archive

    # --record during --replay: nothing new was received, so no (empty, invalid) file, and the summary says so.
    again_dir = tmp_path / "again"
    both = run_monitor("crawl", "xinhua", *WINDOW, "--refresh", "--replay", record_dir, "--record", again_dir,
                       env=origin_env)
    assert both.returncode == 0, both.stdout + both.stderr
    assert "recorded: nothing (every response came from the --replay archive, which already holds it); " \
           f"no file written in {again_dir}" in both.stdout
    assert not again_dir.exists() or not any(again_dir.iterdir())
