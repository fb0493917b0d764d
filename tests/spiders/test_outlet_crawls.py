"""Crawl every outlet spider against its saved pages (tests/sites/<outlet>/) over 2026-01-10..16.

Each crawl is `scrapy crawl NAME` in its own process (the reactor runs once per process), with the
pages answered by their original URLs from 127.0.0.1 (see tests/saved_sites.py) and its own database on
the session's SecantusDB server. What each site must yield is in its expected.json: the articles
stored (title, source, publish day), the list pages read, and the pages never fetched (entries older
than the window, pages after the one where paging stops, links that are no articles).
"""
from __future__ import annotations

import os
import subprocess
import sys
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timezone

import pymongo
import pytest

from helpers import ROOT
from monitor.urls import canonical_url
from monitor.window import BEIJING
from saved_sites import expected, site_dirs

OUTLETS = [site.name for site in site_dirs()]


def crawl(name: str, origin: str, mongo_uri: str, database: str, *args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "scrapy", "crawl", name, "-a", "since=2026-01-10", "-a", "until=2026-01-16",
               "-s", f"MONITOR_ORIGIN_OVERRIDE={origin}", "-s", "ROBOTSTXT_OBEY=0", "-s", "AUTOTHROTTLE_ENABLED=0",
               "-s", "DOWNLOAD_DELAY=0", "-s", "LOG_LEVEL=INFO", *args]
    env = {**os.environ, "MONGO_URI": mongo_uri, "MONGO_DATABASE": database}
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT, timeout=240)


@pytest.fixture(scope="module")
def crawls(site_server, mongo_server):
    """All outlets crawled (three at a time); name -> (process result, that crawl's database)."""
    site_server.requested.clear()
    databases = {name: f"t_{name}_{uuid.uuid4().hex[:8]}" for name in OUTLETS}
    with ThreadPoolExecutor(max_workers=3) as pool:
        futures = {name: pool.submit(crawl, name, site_server.origin, mongo_server, databases[name])
                   for name in OUTLETS}
        results = {name: future.result() for name, future in futures.items()}
    client = pymongo.MongoClient(mongo_server, tz_aware=True, tzinfo=timezone.utc)
    yield {name: (results[name], client[databases[name]]) for name in OUTLETS}, list(site_server.requested)
    for database in databases.values():
        client.drop_database(database)
    client.close()


@pytest.mark.parametrize("name", OUTLETS)
def test_outlet_crawl_stores_the_window_articles_and_stops_paging(crawls, name):
    results, requested = crawls
    process, db = results[name]
    want = expected(name)
    assert process.returncode == 0, process.stderr[-3000:]
    assert "Traceback" not in process.stderr, process.stderr[-3000:]

    stored = {doc["url"]: doc for doc in db.articles.find()}
    assert set(stored) == {canonical_url(url) for url in want["articles"]}, process.stderr[-3000:]
    for url, article in want["articles"].items():
        doc = stored[canonical_url(url)]
        assert doc["outlet"] == name
        assert doc["title"] == article["title"]
        assert doc["source"] == article["source"]
        assert doc["published_at"].astimezone(BEIJING).date().isoformat() == article["day"]
        assert url in doc["urls"]
        if "seen_as" in article:  # reached through a JavaScript redirect page the list linked
            assert doc["urls"][0] == article["seen_as"]

    fetched = set(requested)
    for url in want["requested"]:
        assert url in fetched, f"{name} never read list page {url}"
    for url in want["articles"]:
        assert url in fetched
    for url in want["not_requested"]:
        assert url not in fetched, f"{name} fetched {url}, which it should have skipped"
    # a page that yields no article is named in a warning and counted; the crawl goes on
    failed = want.get("extract_failed", [])
    for url in failed:
        assert f"could not extract the article at {url}" in process.stderr
    if failed:
        assert f"'monitor/extract_failed': {len(failed)}" in process.stderr
    else:
        assert "monitor/extract_failed" not in process.stderr


def test_paging_stop_is_logged(crawls):
    results, _ = crawls
    process, _ = results["people"]
    assert "lists nothing newer than 2026-01-10; not reading further pages" in process.stderr
    assert "'monitor/list_paging_stopped': 1" in process.stderr


def test_a_second_crawl_skips_stored_articles_without_calling_them_failures(crawls, site_server, mongo_server):
    results, _ = crawls
    _, db = results["gmw"]
    again = crawl("gmw", site_server.origin, mongo_server, db.name)
    assert again.returncode == 0, again.stderr[-3000:]
    assert "'monitor/incremental/skipped_stored': 2" in again.stderr
    assert "could not be fetched" not in again.stderr
    assert "monitor/article_failed" not in again.stderr
    assert db.articles.count_documents({}) == 2
