"""The lock in MongoDB that lets one process at a time cluster and write a batch (monitor/storage/locks.py)."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

from monitor.storage.locks import FREE, LOCKS, held

NOW_ONLY = timedelta(0)  # try once: take it, or go on without it (and say so)


def test_a_held_lock_is_not_taken_by_another_until_freed(db, caplog):
    with held(db, "t"):
        [doc] = db[LOCKS].find()
        assert doc["expires_at"] > datetime.now(timezone.utc)
        with caplog.at_level(logging.WARNING, logger="monitor.storage.locks"):
            with held(db, "t", wait=NOW_ONLY):
                assert db[LOCKS].find_one()["holder"] == doc["holder"]  # still the first holder's
        assert "was not freed" in caplog.text
    assert db[LOCKS].find_one()["expires_at"] == FREE
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="monitor.storage.locks"):
        with held(db, "t", wait=NOW_ONLY):
            assert db[LOCKS].find_one()["holder"] != doc["holder"]
    assert caplog.text == ""


def test_a_lock_whose_holder_is_gone_is_taken_when_it_expires(db, caplog):
    db[LOCKS].insert_one({"_id": "t", "holder": "a process that died",
                          "expires_at": datetime.now(timezone.utc) - timedelta(seconds=1)})
    with caplog.at_level(logging.WARNING, logger="monitor.storage.locks"):
        with held(db, "t", wait=NOW_ONLY):
            assert db[LOCKS].find_one()["holder"] != "a process that died"
    assert caplog.text == ""


def test_a_lock_whose_holder_on_this_host_died_is_taken_at_once(db, caplog):
    import socket
    import subprocess
    import sys
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    process = {"host": socket.gethostname(), "pid": int(dead.stdout), "pid_started": None}
    db[LOCKS].insert_one({"_id": "t", "holder": "killed mid-batch", "process": process,
                          "expires_at": datetime.now(timezone.utc) + timedelta(minutes=2)})
    with caplog.at_level(logging.WARNING, logger="monitor.storage.locks"):
        with held(db, "t", wait=NOW_ONLY):
            assert db[LOCKS].find_one()["holder"] != "killed mid-batch"
    assert caplog.text == ""
