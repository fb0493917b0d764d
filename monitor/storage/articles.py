"""Article documents: building them, writing a batch idempotently, and the spool on disk.

A document is written only when it is new or its content changed (compared by `content_hash`), so a
second run over the same pages changes nothing. What cannot be written because the database is gone
is kept in the spool directory (`Spool`) and written by the next command that opens the database
(monitor/storage/service.py).
"""
from __future__ import annotations

import hashlib
import logging
import os
from datetime import datetime, timezone
from pathlib import Path

from bson import json_util
from pymongo import InsertOne, UpdateOne
from pymongo.collection import Collection
from pymongo.errors import BulkWriteError

from monitor.storage import queries
from monitor.storage.server import pid_alive

logger = logging.getLogger(__name__)

#: Fields that are bookkeeping, not content: a change in them alone is not a change of the article.
BOOKKEEPING = frozenset({"_id", "url", "urls", "fetched_at", "first_seen_at", "updated_at", "run_id", "content_hash",
                         # story clusters: set by monitor/storage/clusters.py
                         "fingerprint", "fingerprint_bands", "cluster_id", "cluster_lead", "reprint_count"})


#: An article's `status` (docs/mongodb.md): dated (and on topic); no publish time recovered; a near miss
#: of the topic. Only `ok` articles are report candidates (a near miss only where an editor pins it).
STATUS_OK, STATUS_UNDATED, STATUS_OFF_TOPIC = "ok", "undated", "off_topic"

#: Contract fields that are null when unknown (see docs/mongodb.md).
NULLABLE = ("outlet", "original_title", "published_at", "published_at_raw", "author", "editor", "origin",
            "topic_reason")


def content_hash(doc: dict) -> str:
    content = {k: v for k, v in doc.items() if k not in BOOKKEEPING}
    blob = json_util.dumps(content, sort_keys=True, json_options=json_util.CANONICAL_JSON_OPTIONS)
    return hashlib.sha1(blob.encode("utf-8")).hexdigest()


def article_document(item: dict, *, run_id: str | None = None, now: datetime | None = None) -> dict:
    """The `articles` document for an item (see docs/mongodb.md)."""
    now = now or datetime.now(timezone.utc)
    doc = {k: v for k, v in dict(item).items() if v is not None}
    for name in NULLABLE:  # present in every document, null where unknown
        doc.setdefault(name, None)
    doc.setdefault("images", [])
    published = doc.get("published_at")
    if isinstance(published, datetime):
        doc["published_at"] = published.astimezone(timezone.utc)
    doc["urls"] = list(dict.fromkeys(doc.get("urls") or [doc["url"]]))
    doc["fetched_at"] = doc.get("fetched_at") or now
    if run_id:
        doc["run_id"] = run_id
    doc["content_hash"] = content_hash(doc)
    return doc


#: A duplicate-key error: another process inserted the same URL between our read and our write.
DUPLICATE_KEY = 11000
#: What writing one document came to (the crawl stats count them as `monitor/stored/<outcome>`).
INSERTED, UPDATED, UNCHANGED, SPOOLED, REJECTED = "inserted", "updated", "unchanged", "spooled", "rejected"
#: Stored fields the persistence stage needs of an article about to be written again.
EXISTING_FIELDS = {"url": 1, "urls": 1, "content_hash": 1, "cluster_id": 1, "fingerprint": 1, "cluster_lead": 1,
                   "reprint_count": 1, "_id": 0}
#: Bookkeeping fields written with an unchanged article where they differ from the stored ones.
CLUSTER_FIELDS = ("cluster_id", "fingerprint", "fingerprint_bands", "cluster_lead", "reprint_count")


def merge_same_url(docs: list[dict]) -> list[dict]:
    """One document per URL: a later copy wins, the URLs it was seen under add up."""
    merged: dict[str, dict] = {}
    for doc in docs:
        if doc["url"] in merged:
            doc = {**doc, "urls": list(dict.fromkeys([*merged[doc["url"]]["urls"], *doc["urls"]]))}
        merged[doc["url"]] = doc
    return list(merged.values())


def stored_versions(collection: Collection, urls: list[str]) -> dict[str, dict]:
    """URL -> the stored document's EXISTING_FIELDS, for those of `urls` that are stored."""
    return {d["url"]: d for d in collection.find(queries.urls_in(urls), EXISTING_FIELDS)}


def write_documents(collection: Collection, docs: list[dict], existing: dict[str, dict],
                    also: list | None = None) -> dict[str, str]:
    """Upsert `docs` (one per URL) in one unordered bulk write, with the operations `also`; returns
    URL -> outcome.

    New or changed content: every field set. Unchanged content: only new URL aliases, and the cluster
    fields where they differ."""
    now = datetime.now(timezone.utc)
    ops, outcomes = list(also or ()), {}
    op_urls: list[str | None] = [None] * len(ops)  # the article each operation writes (None: `also`)
    for doc in docs:
        url = doc["url"]
        old = existing.get(url)
        new_urls = [u for u in doc["urls"] if old is None or u not in old.get("urls", [])]
        if old is not None and old.get("content_hash") == doc["content_hash"]:
            update = {}
            if new_urls:
                update["$addToSet"] = {"urls": {"$each": new_urls}}
            cluster = {k: doc[k] for k in CLUSTER_FIELDS if k in doc}
            if any(old.get(k) != v for k, v in cluster.items() if k != "fingerprint_bands"):
                update["$set"] = cluster
            if update:
                ops.append(UpdateOne({"url": url}, update))
                op_urls.append(url)
            outcomes[url] = UNCHANGED
            continue
        if old is None:
            # Not stored when looked up: an insert (far cheaper than an upsert on some servers). Another
            # process storing the URL meanwhile makes it a duplicate-key error; the caller reads again.
            ops.append(InsertOne({**{k: v for k, v in doc.items() if k != "_id"},
                                  "first_seen_at": doc.get("first_seen_at") or now, "updated_at": now}))
            op_urls.append(url)
            outcomes[url] = INSERTED
            continue
        fields = {k: v for k, v in doc.items() if k not in ("urls", "first_seen_at", "_id")}
        fields["updated_at"] = now
        update = {"$set": fields, "$setOnInsert": {"first_seen_at": doc.get("first_seen_at") or now}}
        if new_urls:
            update["$addToSet"] = {"urls": {"$each": new_urls}}
        ops.append(UpdateOne({"url": url}, update, upsert=True))
        op_urls.append(url)
        outcomes[url] = UPDATED
    if ops:
        try:
            collection.bulk_write(ops, ordered=False)
        except BulkWriteError as e:
            # Unordered: every other operation was carried out. An article the server refuses (too large,
            # invalid) is left out; a duplicate key or a failed bookkeeping update goes to the caller.
            errors = e.details.get("writeErrors", [])
            if any(err.get("code") == DUPLICATE_KEY or op_urls[err["index"]] is None for err in errors):
                raise
            for err in errors:
                url = op_urls[err["index"]]
                outcomes[url] = REJECTED
                logger.error("The database refuses the article %s (%s); it is not stored", url,
                             err.get("errmsg", "")[:200])
    return outcomes


def describe_error(error: Exception) -> str:
    """A write error in a line: the server's messages, never the documents it quotes."""
    if isinstance(error, BulkWriteError):
        messages = {e.get("errmsg", "")[:200] for e in error.details.get("writeErrors", [])}
        return f"{type(error).__name__}: {'; '.join(sorted(messages))}"
    return f"{type(error).__name__}: {str(error)[:300]}"


class Spool:
    """Files of what could not be written, under one directory; each file whole or absent.

    `<stamp>-<pid>.jsonl`: article documents (Extended JSON, one per line). `run-<run id>.json`: the
    update that finishes a run document. A reader claims a file by renaming it (`.claimed-<pid>`), so
    two commands opening the database at once never write one file twice; the claim of a process that
    died is taken over.
    """

    def __init__(self, directory: str | os.PathLike):
        self.directory = Path(directory)

    def _write_atomically(self, path: Path, lines: list[str]) -> Path:
        self.directory.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            f.writelines(line + "\n" for line in lines)
            f.flush()
            os.fsync(f.fileno())
        tmp.replace(path)
        return path

    def keep_articles(self, docs: list[dict]) -> Path:
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")
        path = self.directory / f"{stamp}-{os.getpid()}.jsonl"
        return self._write_atomically(path, [_dumps(doc) for doc in docs])

    def keep_run(self, run_id: str, update: dict) -> Path:
        return self._write_atomically(self.directory / f"run-{run_id}.json", [_dumps({"run_id": run_id, "$set": update})])

    def claim(self, pattern: str) -> list[Path]:
        """Files matching `pattern` ("*.jsonl" or "run-*.json"), renamed as this process's claim."""
        if not self.directory.is_dir():
            return []
        claimed = []
        mine = f".claimed-{os.getpid()}"
        for path in sorted(self.directory.glob(pattern)) + self._abandoned_claims(pattern):
            base = path.name.split(".claimed-", 1)[0]
            target = self.directory / (base + mine)
            try:
                path.rename(target)
            except FileNotFoundError:  # another process claimed it first
                continue
            claimed.append(target)
        return claimed

    def _abandoned_claims(self, pattern: str) -> list[Path]:
        found = []
        for path in sorted(self.directory.glob(pattern + ".claimed-*")):
            pid = path.name.rsplit("-", 1)[1]
            if pid.isdigit() and int(pid) != os.getpid() and not pid_alive(int(pid)):
                found.append(path)
        return found

    @staticmethod
    def read(path: Path) -> list[dict]:
        return [json_util.loads(line, json_options=json_util.CANONICAL_JSON_OPTIONS)
                for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]

    @staticmethod
    def release(path: Path) -> None:
        """Give a claimed file back (it could not be written yet)."""
        path.rename(path.with_name(path.name.split(".claimed-", 1)[0]))


def _dumps(doc: dict) -> str:
    return json_util.dumps(doc, json_options=json_util.CANONICAL_JSON_OPTIONS)

