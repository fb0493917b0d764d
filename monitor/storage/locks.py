"""A lock kept in MongoDB (the `locks` collection): one holder at a time across processes and machines.

Story clusters are assigned against what is stored (monitor/storage/clusters.py). Two processes that
cluster and write batches at once — two runs at the same time, or the workers of a distributed run —
could each found a cluster for one of two reprints of a story, neither having seen the other's. So
every persistence stage clusters and writes a batch holding CLUSTER_WRITES (monitor/storage/service.py):
each batch sees every article written before it, whoever wrote it, as in one process.

Plain MongoDB, no server-side scripting: the lock is one document `{_id, holder, process, expires_at}`.
It is taken by an update that matches it only when free or expired, or by inserting it where there is
none (a duplicate key means another holds it); it is freed by setting `expires_at` to the epoch,
journaled, so that a database killed right after still has it free. A holder that died frees it: at
once when it ran on this host (its process — host, pid and the pid's start time, as in `runs` — is no
longer there), else when its `expires_at` passes (TTL; the clocks of the machines involved should agree
to within a fraction of that).
"""
from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

from pymongo import WriteConcern
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from monitor.storage.runs import process_alive, this_process

logger = logging.getLogger(__name__)

LOCKS = "locks"
CLUSTER_WRITES = "cluster-writes"
FREE = datetime(1970, 1, 1, tzinfo=timezone.utc)
#: A holder that has not freed the lock after this long is taken to be gone (a batch takes seconds).
TTL = timedelta(minutes=2)
#: Past this long waiting, the batch is written without the lock (its articles matter more than its clusters).
WAIT = timedelta(minutes=5)


@contextmanager
def held(db: Database, name: str = CLUSTER_WRITES, *, ttl: timedelta = TTL, wait: timedelta = WAIT):
    """Hold the lock `name` for the block (waiting for it, backing off, at most `wait`)."""
    locks = db.get_collection(LOCKS, write_concern=WriteConcern(j=True))
    holder = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
    process = this_process()
    deadline = time.monotonic() + wait.total_seconds()
    pause = 0.005
    while True:
        now = datetime.now(timezone.utc)
        mine = {"holder": holder, "process": process, "expires_at": now + ttl}
        taken = locks.find_one_and_update({"_id": name, "expires_at": {"$lt": now}}, {"$set": mine})
        if taken is not None:
            break
        try:
            locks.insert_one({"_id": name, **mine})
            break
        except DuplicateKeyError:
            pass  # held by another
        lock = locks.find_one({"_id": name})
        if _holder_gone(lock):  # freed, unless another took it meanwhile (then its holder differs)
            locks.update_one({"_id": name, "holder": lock["holder"]}, {"$set": {"expires_at": FREE}})
            continue
        if time.monotonic() > deadline:
            logger.warning("The lock %r in MongoDB's %s was not freed within %s; going on without it", name,
                           LOCKS, wait)
            holder = None
            break
        time.sleep(pause)  # (a writer thread's back-off, not the crawl's event loop)
        pause = min(pause * 2, 0.2)
    try:
        yield
    finally:
        if holder is not None:
            locks.update_one({"_id": name, "holder": holder}, {"$set": {"expires_at": FREE}})


def _holder_gone(lock: dict | None) -> bool:
    """Whether the lock's holder was a process of this host that no longer runs."""
    process = (lock or {}).get("process") or {}
    return process.get("host") == socket.gethostname() and not process_alive(process)
