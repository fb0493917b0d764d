"""The database service: one per process and run, shared by every component that touches MongoDB.

`DatabaseService.open(settings)` connects once (indexes ensured once), then, before anything else,
writes what earlier commands kept in the spool and marks `interrupted` the runs whose process is
gone (monitor/storage/runs.py). Every `monitor` command opens the database this way, so the next
command after a database outage — whatever it is — writes the articles the outage kept on disk.

During a crawl the service also is the run's one ordered persistence stage (`add`, `flush`):
articles of every outlet crawled by the process go into one buffer; each full batch is, on one
writer thread and in order: fingerprinted (in a worker process: monitor/workers.py), clustered
against every stored article (which includes every earlier batch of this run), written together with
its clusters' leads and counts, and those clusters checked again (monitor/storage/clusters.py) —
clustering and writing holding a lock in MongoDB (monitor/storage/locks.py), so that batches of other
processes (another run, the workers of a distributed run) come before or after, never between.
Lookups run on a second thread. Neither blocks the crawl's event loop: callers get futures.

Once a call fails for want of a connection the service counts the database as gone: later calls fail
at once (`DatabaseGone`, no further timeouts), batches go straight to the spool, and `on_gone`
callbacks run (monitor/storage/extension.py: the crawl goes on into the spool, or stops). Nothing
accepted by `add` is lost: it is either written or in the spool.
"""
from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from pymongo import WriteConcern
from pymongo.errors import BulkWriteError, ConnectionFailure

from monitor.storage import locks, runs
from monitor.storage.articles import (DUPLICATE_KEY, REJECTED, SPOOLED, Spool, describe_error, merge_same_url,
                                      stored_versions, write_documents)
from monitor.storage.clusters import ClusterRules, assign_clusters, fingerprint_documents, lead_fields, settle
from monitor.storage.mongo import DatabaseHandle, DatabaseUnavailable, data_dir, open_database

logger = logging.getLogger(__name__)


class DatabaseGone(DatabaseUnavailable):
    """The database stopped answering during this command; what was not written is in the spool."""


@dataclass
class Entry:
    """One article document on its way to the database, and who counts its outcome (opaque here)."""
    doc: dict
    tag: Any = None


def spool_dir(settings) -> Path:
    return Path(settings.get("MONITOR_SPOOL_DIR") or Path(data_dir(settings)) / "spool")


class DatabaseService:
    def __init__(self, settings, handle: DatabaseHandle, run_id: str | None = None):
        self.settings = settings
        self.handle = handle
        self.db = handle.db
        self.run_id = run_id or runs.new_run_id()
        # Articles are acknowledged only once in the server's journal: a write the stage counts as done
        # survives the server being killed right after (otherwise it would be neither stored nor spooled).
        self.articles = handle.db.get_collection("articles", write_concern=WriteConcern(j=True))
        self.rules = ClusterRules.from_settings(settings)
        self.spool = Spool(spool_dir(settings))
        self.batch_size = max(1, settings.getint("MONGO_BATCH_SIZE", 100))
        self.gone: str | None = None          # why the database counts as gone, once it does
        self.on_gone: list[Callable[[str], None]] = []
        self._buffer: list[Entry] = []
        self._writer: ThreadPoolExecutor | None = None
        self._reader: ThreadPoolExecutor | None = None
        self._heartbeat: threading.Event | None = None
        self._run_start: dict = {}     # the run document's start fields (start_run)
        self._spooled_run: dict = {}   # the run document's updates kept in the spool (database gone)
        self._lock = threading.Lock()

    @classmethod
    def open(cls, settings, *, run_id: str | None = None) -> "DatabaseService":
        """Connect (raises DatabaseUnavailable), then write the spool and close abandoned runs."""
        service = cls(settings, open_database(settings), run_id)
        try:
            service.recover()
        except DatabaseGone:
            service.close()
            raise
        return service

    # -- calls ------------------------------------------------------------------------------------
    def guarded(self, fn: Callable, *args, **kwargs):
        """fn(*args) unless the database is gone; a connection failure makes it gone (DatabaseGone)."""
        if self.gone:
            raise DatabaseGone(self.gone)
        try:
            return fn(*args, **kwargs)
        except ConnectionFailure as e:
            self._lose(e)
            raise DatabaseGone(self.gone) from e

    def read(self, fn: Callable, *args) -> Future:
        """fn(db, *args) on the reader thread."""
        if self._reader is None:
            self._reader = ThreadPoolExecutor(1, thread_name_prefix="monitor-db-read")
        return self._reader.submit(self.guarded, fn, self.db, *args)

    def write(self, fn: Callable, *args) -> Future:
        """fn(db, *args) on the writer thread, after every batch handed over before."""
        return self._writer_pool().submit(self.guarded, fn, self.db, *args)

    def _writer_pool(self) -> ThreadPoolExecutor:
        if self._writer is None:
            self._writer = ThreadPoolExecutor(1, thread_name_prefix="monitor-db-write")
        return self._writer

    def _lose(self, error: Exception) -> None:
        with self._lock:
            if self.gone:
                return
            self.gone = (f"MongoDB at {self.handle.display_uri} stopped answering ({type(error).__name__}); "
                         f"articles not yet written are kept in {self.spool.directory} and written by the next "
                         "monitor command that reaches the database")
            callbacks = list(self.on_gone)
        logger.error("%s", self.gone)
        for callback in callbacks:
            callback(self.gone)

    # -- the persistence stage --------------------------------------------------------------------
    def add(self, doc: dict, tag: Any = None) -> Future | None:
        """Queue one article document; a full batch is handed to the writer (its future returned).
        Call from one thread (the crawl's event loop)."""
        self._buffer.append(Entry(doc, tag))
        if len(self._buffer) >= self.batch_size:
            return self._hand_over()
        return None

    def flush(self) -> Future | None:
        """Hand over what is buffered, if anything (its future returned)."""
        return self._hand_over() if self._buffer else None

    def flush_now(self) -> None:
        """Write (or spool) everything buffered before returning (outside a crawl's event loop)."""
        self.flush()
        self.barrier().result()

    def barrier(self) -> Future:
        """A future that completes once every batch handed over so far is done."""
        return self._writer_pool().submit(lambda: None)

    def _hand_over(self) -> Future:
        batch, self._buffer = self._buffer, []
        return self._writer_pool().submit(self.persist, batch)

    def persist(self, entries: list[Entry]) -> list[tuple[Any, str]]:
        """Cluster and write one batch; what the database cannot take now goes to the spool, what it refuses
        (too large, invalid) is logged and left out. (tag, outcome) each, outcome None for an earlier copy
        of a URL the batch has again."""
        docs = [e.doc for e in entries]
        try:
            outcomes = self.guarded(self._persist, docs)
        except DatabaseGone:
            outcomes = {}
        except Exception as e:  # not the connection: find the article(s) the database refuses
            logger.warning("A batch of %d article(s) could not be written (%s); writing them one by one",
                           len(docs), describe_error(e))
            outcomes = self._persist_one_by_one(docs)
        unwritten = [doc for doc in docs if doc["url"] not in outcomes]
        if unwritten:
            path = self.spool.keep_articles(unwritten)
            logger.warning("%d article(s) kept in %s", len(unwritten), path)
            outcomes.update({doc["url"]: SPOOLED for doc in unwritten})
        # An earlier copy of a URL in the same batch was merged into the later one: one document, one outcome.
        last = {e.doc["url"]: n for n, e in enumerate(entries)}
        return [(e.tag, outcomes[e.doc["url"]] if last[e.doc["url"]] == n else None) for n, e in enumerate(entries)]

    def _persist_one_by_one(self, docs: list[dict]) -> dict[str, str]:
        """URL -> outcome of each article written on its own; one the database refuses is logged and
        counted as REJECTED (it would be refused again), one it cannot take now is left out (spooled)."""
        outcomes = {}
        for doc in docs:
            try:
                outcomes.update(self.guarded(self._persist, [doc]))
            except DatabaseGone:
                break
            except Exception as e:
                logger.error("The database refuses the article %s (%s); it is not stored", doc["url"], describe_error(e))
                outcomes[doc["url"]] = REJECTED
        return outcomes

    def _persist(self, docs: list[dict]) -> dict[str, str]:
        merged = merge_same_url(docs)
        fingerprint_documents(merged, self.rules, self.settings.getint("MONITOR_WORKER_PROCESSES", 1))
        # one writer at a time, whatever the process: each batch sees every article written before it
        with locks.held(self.db):
            return self._cluster_and_write(merged)

    def _cluster_and_write(self, merged: list[dict]) -> dict[str, str]:
        for attempt in (1, 2):
            existing = stored_versions(self.articles, [d["url"] for d in merged])
            assign_clusters(self.articles, merged, {u: d.get("cluster_id") for u, d in existing.items()},
                            self.rules)
            members = lead_fields(self.articles, merged, self.rules)
            try:
                outcomes = write_documents(self.articles, merged, existing, also=members)
                break
            except BulkWriteError as e:
                codes = {err.get("code") for err in e.details.get("writeErrors", [])}
                if attempt == 2 or codes != {DUPLICATE_KEY}:
                    raise
                # another process stored some of these URLs meanwhile: read them again and join them
        settle(self.articles, {d["cluster_id"] for d in merged}, self.rules)
        return outcomes

    # -- what earlier commands left ---------------------------------------------------------------
    def recover(self) -> int:
        """Write the spooled articles and run records, then close abandoned runs; returns articles written."""
        written = 0
        for path in self.spool.claim("*.jsonl"):
            docs = self.spool.read(path)
            try:
                for start in range(0, len(docs), self.batch_size):
                    self.guarded(self._persist, docs[start:start + self.batch_size])
            except DatabaseGone:
                self.spool.release(path)
                raise
            except Exception:
                logger.exception("Spooled articles in %s could not be written; left as %s.failed for a look",
                                 path, path.name)
                path.rename(path.with_name(path.name.split(".claimed-", 1)[0] + ".failed"))
                continue
            path.unlink()
            written += len(docs)
            logger.warning("Wrote %d article(s) that an earlier command kept in %s when the database was gone",
                           len(docs), self.spool.directory)
        for path in self.spool.claim("run-*.json"):
            for record in self.spool.read(path):
                try:
                    self.guarded(runs.apply_update, self.db, record["run_id"], record["$set"])
                except DatabaseGone:
                    self.spool.release(path)
                    raise
            path.unlink()
        self.guarded(runs.close_abandoned_runs, self.db)
        return written

    # -- the run record ---------------------------------------------------------------------------
    def start_heartbeat(self, every: float = runs.HEARTBEAT_EVERY.total_seconds()) -> None:
        """Write the run's heartbeat every `every` seconds until close (runs on its own thread)."""
        stop = self._heartbeat = threading.Event()

        def beat():
            while not stop.wait(every):
                try:
                    self.guarded(runs.heartbeat, self.db, self.run_id)
                except DatabaseGone:
                    return
        threading.Thread(target=beat, name="monitor-heartbeat", daemon=True).start()

    def start_run(self, **fields) -> None:
        """Write the run document's start (runs.start_fields takes the arguments)."""
        self._run_start = runs.start_fields(**fields)
        self.guarded(runs.start_run, self.db, self.run_id, self._run_start)

    def finish_run(self, update: dict) -> dict:
        """Finish the run document; when the database is gone, keep the update in the spool for the next
        command. Returns the run document (as written, or as it will be)."""
        return self.update_run(update, finishing=True)

    def update_run(self, update: dict, *, finishing: bool = False) -> dict:
        """Set fields of the run document, or, when the database is gone, keep them in the spool together
        with every update kept before (one file per run). Returns the run document (as written, or as it
        will be)."""
        try:
            self.guarded(runs.apply_update, self.db, self.run_id, update)
            return self.guarded(runs.get_run, self.db, self.run_id) or \
                runs.document_of(self.run_id, update, self._run_start)
        except DatabaseGone:
            if finishing:
                update = {**update, "exit_code": 3, "error": self.gone}
            self._spooled_run.update(update)
            path = self.spool.keep_run(self.run_id, self._spooled_run)
            logger.error("The record of run %s is kept in %s until the database answers again", self.run_id, path)
            return {**runs.document_of(self.run_id, self._spooled_run, self._run_start), "record_error": self.gone}

    def close(self) -> None:
        """Write what is still buffered (or spool it), stop the threads, disconnect."""
        if self._buffer:
            self._hand_over()
        if self._heartbeat is not None:
            self._heartbeat.set()
        for pool in (self._writer, self._reader):
            if pool is not None:
                pool.shutdown(wait=True)
        self._writer = self._reader = None
        self.handle.close()
