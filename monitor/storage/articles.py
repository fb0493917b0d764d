"""Writing article documents: batched, idempotent upserts keyed by canonical URL, with a disk spool.

A document is written only when it is new or its content changed (compared by `content_hash`), so a
second run over the same pages changes nothing. A batch that cannot be written because the database
went away is kept in the spool directory and written at the start of the next run.
"""
from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from bson import json_util
from pymongo import UpdateOne
from pymongo.collection import Collection
from pymongo.errors import ConnectionFailure, PyMongoError

logger = logging.getLogger(__name__)

#: Fields that are bookkeeping, not content: a change in them alone is not a change of the article.
BOOKKEEPING = frozenset({"_id", "url", "urls", "fetched_at", "first_seen_at", "updated_at", "run_id", "content_hash",
                         # story clusters: kept up to date by monitor/pipelines/cluster.py with direct updates
                         "fingerprint", "fingerprint_bands", "cluster_id", "cluster_lead", "reprint_count"})


#: Contract fields that are null when unknown (see docs/mongodb.md).
NULLABLE = ("outlet", "original_title", "published_at", "published_at_raw", "author", "editor", "origin")


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


@dataclass
class FlushResult:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    spooled: int = 0


class ArticleStore:
    """Queues article documents and writes them in batches."""

    def __init__(self, collection: Collection, spool_dir: str | os.PathLike, batch_size: int = 100):
        self.collection = collection
        self.spool_dir = Path(spool_dir)
        self.batch_size = batch_size
        self.pending: list[dict] = []
        self.totals = FlushResult()

    def add(self, doc: dict) -> FlushResult | None:
        self.pending.append(doc)
        if len(self.pending) >= self.batch_size:
            return self.flush()
        return None

    def flush(self) -> FlushResult:
        batch, self.pending = self.pending, []
        if not batch:
            return FlushResult()
        try:
            result = self._write(batch)
        except ConnectionFailure as e:
            path = self._spool(batch)
            logger.error(
                "MongoDB went away (%s): %d article(s) could not be written and are kept in %s; "
                "they will be written at the start of the next run", e, len(batch), path,
            )
            result = FlushResult(spooled=len(batch))
        for name in ("inserted", "updated", "unchanged", "spooled"):
            setattr(self.totals, name, getattr(self.totals, name) + getattr(result, name))
        return result

    def _write(self, batch: list[dict]) -> FlushResult:
        merged: dict[str, dict] = {}
        for doc in batch:  # a later copy of the same URL in one batch wins; its aliases add up
            if doc["url"] in merged:
                doc = {**doc, "urls": list(dict.fromkeys([*merged[doc["url"]]["urls"], *doc["urls"]]))}
            merged[doc["url"]] = doc
        existing = {
            d["url"]: d
            for d in self.collection.find({"url": {"$in": list(merged)}}, {"url": 1, "urls": 1, "content_hash": 1})
        }
        now = datetime.now(timezone.utc)
        ops, result = [], FlushResult()
        for url, doc in merged.items():
            old = existing.get(url)
            new_urls = [u for u in doc["urls"] if old is None or u not in old.get("urls", [])]
            if old is not None and old.get("content_hash") == doc["content_hash"]:
                if new_urls:
                    ops.append(UpdateOne({"url": url}, {"$addToSet": {"urls": {"$each": new_urls}}}))
                result.unchanged += 1
                continue
            fields = {k: v for k, v in doc.items() if k not in ("urls", "first_seen_at", "_id")}
            fields["updated_at"] = now
            update = {"$set": fields, "$setOnInsert": {"first_seen_at": doc.get("first_seen_at") or now}}
            if new_urls:
                update["$addToSet"] = {"urls": {"$each": new_urls}}
            ops.append(UpdateOne({"url": url}, update, upsert=True))
            if old is None:
                result.inserted += 1
            else:
                result.updated += 1
        if ops:
            self.collection.bulk_write(ops, ordered=False)
        return result

    # -- spool -------------------------------------------------------------------------------
    def _spool(self, batch: list[dict]) -> Path:
        self.spool_dir.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%f")
        path = self.spool_dir / f"{stamp}-{os.getpid()}.jsonl"
        tmp = path.with_suffix(".tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            for doc in batch:
                f.write(json_util.dumps(doc, json_options=json_util.CANONICAL_JSON_OPTIONS) + "\n")
            f.flush()
            os.fsync(f.fileno())
        tmp.replace(path)  # a spool file is either whole or absent
        return path

    def write_spooled(self) -> int:
        """Write what earlier runs could not; a file is removed only once all of it is stored."""
        if not self.spool_dir.is_dir():
            return 0
        written = 0
        for path in sorted(self.spool_dir.glob("*.jsonl")):
            docs = [json_util.loads(line, json_options=json_util.CANONICAL_JSON_OPTIONS)
                    for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
            try:
                self._write(docs)
            except PyMongoError as e:
                logger.error("Could not yet write the %d spooled article(s) in %s: %s", len(docs), path, e)
                break
            path.unlink()
            written += len(docs)
            logger.warning("Wrote %d article(s) kept in %s from an earlier run whose database went away",
                           len(docs), path)
        return written

