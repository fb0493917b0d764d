"""The `runs` collection: one document per crawl run (see docs/mongodb.md).

A run document is `running` from its start until the command that made it writes its end. So that
no run stays `running` forever, each records the process that runs it (host, pid and the pid's
start time) and a heartbeat; `close_abandoned_runs` — called by every command as it opens the
database — marks `interrupted` the running runs whose process is gone (same host: the pid no longer
runs that process; another host: no heartbeat for ABANDONED_AFTER).
"""
from __future__ import annotations

import logging
import os
import socket
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

from pymongo import DESCENDING
from pymongo.database import Database

from monitor.storage import queries
from monitor.storage.server import pid_alive

logger = logging.getLogger(__name__)

RUNNING = "running"
INTERRUPTED = "interrupted"
#: How often a running run's process writes its heartbeat, and when another host's run counts as gone.
HEARTBEAT_EVERY = timedelta(seconds=60)
ABANDONED_AFTER = timedelta(minutes=10)


def new_run_id(now: datetime | None = None) -> str:
    now = now or datetime.now(timezone.utc)
    return now.strftime("%Y%m%dT%H%M%SZ-") + uuid.uuid4().hex[:6]


def _start_ticks(pid: int) -> int | None:
    """The process's start time in clock ticks since boot (Linux), to tell a reused pid apart."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[19])
    except (OSError, IndexError, ValueError):
        return None


def this_process() -> dict:
    pid = os.getpid()
    return {"host": socket.gethostname(), "pid": pid, "pid_started": _start_ticks(pid)}


def process_alive(process: dict) -> bool:
    """Whether the process of a run on this host still runs."""
    pid = process.get("pid")
    if not isinstance(pid, int) or not pid_alive(pid):
        return False
    started = process.get("pid_started")
    return started is None or _start_ticks(pid) == started


def start_fields(*, command: str, outlets: list[str], window=None, options: dict | None = None,
                 profile: str | None = None, issue_date=None) -> dict:
    """The fields a run document starts with."""
    now = datetime.now(timezone.utc)
    return {
        "command": command,
        "start": now,
        "end": None,
        "status": RUNNING,
        "window": {"since": window.since.isoformat(), "until": window.until.isoformat()} if window else None,
        "options": options or {},
        "profile": profile,
        "issue_date": issue_date.isoformat() if issue_date else None,
        "outlets_planned": list(outlets),
        "process": this_process(),
        "heartbeat_at": now,
    }


def start_run(db: Database, run_id: str, fields: dict) -> None:
    db.runs.update_one({"run_id": run_id}, {"$set": fields}, upsert=True)


def heartbeat(db: Database, run_id: str) -> None:
    db.runs.update_one({"run_id": run_id, "status": RUNNING}, {"$set": {"heartbeat_at": datetime.now(timezone.utc)}})


def record_outlet(db: Database, run_id: str, outlet: str, section: dict) -> None:
    """Written by each outlet's crawler as it closes, so a run that dies later keeps what was done."""
    db.runs.update_one({"run_id": run_id},
                       {"$set": {f"outlets.{outlet}": section},
                        "$setOnInsert": {"start": datetime.now(timezone.utc), "status": RUNNING}},
                       upsert=True)


def finish_update(*, status: str, exit_code: int, export: dict | None = None, outlets: dict | None = None,
                  error: str | None = None) -> dict:
    """The `$set` that finishes a run document (kept in the spool when the database is gone)."""
    update = {"end": datetime.now(timezone.utc), "status": status, "exit_code": exit_code}
    if export is not None:
        update["export"] = export
    if error:
        update["error"] = error
    update.update({f"outlets.{k}": v for k, v in (outlets or {}).items()})
    return update


def apply_update(db: Database, run_id: str, update: dict) -> None:
    """Set fields of a run document (its end, its notice)."""
    db.runs.update_one({"run_id": run_id}, {"$set": update}, upsert=True)


def document_of(run_id: str, update: dict, start: dict | None = None) -> dict:
    """The run document as `update` would leave it (after `start`, its start fields), for printing when
    it could not be written."""
    doc = {**(start or {}), "run_id": run_id, "outlets": {}}
    for key, value in update.items():
        if key.startswith("outlets."):
            doc["outlets"][key.split(".", 1)[1]] = value
        else:
            doc[key] = value
    return doc


def close_abandoned_runs(db: Database, now: datetime | None = None) -> list[str]:
    """Mark `interrupted` every running run whose process is gone; returns their ids."""
    now = now or datetime.now(timezone.utc)
    here = socket.gethostname()
    closed = []
    for run in db.runs.find(queries.running_runs(), {"run_id": 1, "process": 1, "heartbeat_at": 1, "start": 1}):
        process = run.get("process") or {}
        beat = run.get("heartbeat_at") or run.get("start")
        if process.get("host") == here:
            gone = not process_alive(process)
        else:
            gone = beat is None or now - beat > ABANDONED_AFTER
        if not gone:
            continue
        update = {"status": INTERRUPTED, "end": beat or now, "exit_code": None,
                  "error": "the process running it ended without finishing it (killed, or the machine stopped); "
                           "its articles up to then are stored or were written from the spool"}
        if db.runs.update_one({"run_id": run["run_id"], "status": RUNNING}, {"$set": update}).modified_count:
            closed.append(run["run_id"])
            logger.warning("Run %s was left running by a process that is gone; marked %s", run["run_id"], INTERRUPTED)
    return closed


def get_run(db: Database, run_id: str) -> dict | None:
    return db.runs.find_one({"run_id": run_id}, {"_id": 0})


def recent_runs(db: Database, limit: int = 10) -> list[dict]:
    return list(db.runs.find({}, {"_id": 0}).sort("start", DESCENDING).limit(limit))

