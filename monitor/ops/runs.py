"""The `runs` collection: one document per crawl run (see docs/mongodb.md)."""
from __future__ import annotations

import logging
import uuid
from datetime import datetime, timezone

from pymongo import DESCENDING
from pymongo.database import Database
from pymongo.errors import PyMongoError

logger = logging.getLogger(__name__)

RUNNING = "running"


def new_run_id(now: datetime | None = None) -> str:
    now = now or datetime.now(timezone.utc)
    return now.strftime("%Y%m%dT%H%M%SZ-") + uuid.uuid4().hex[:6]


def start_run(db: Database, run_id: str, *, command: str, outlets: list[str], window=None,
              options: dict | None = None, profile: str | None = None, issue_date=None) -> None:
    db.runs.update_one({"run_id": run_id}, {"$set": {
        "command": command,
        "start": datetime.now(timezone.utc),
        "end": None,
        "status": RUNNING,
        "window": {"since": window.since.isoformat(), "until": window.until.isoformat()} if window else None,
        "options": options or {},
        "profile": profile,
        "issue_date": issue_date.isoformat() if issue_date else None,
        "outlets_planned": list(outlets),
    }}, upsert=True)


def record_outlet(db: Database, run_id: str, outlet: str, section: dict) -> None:
    """Written by each outlet's crawler as it closes, so a run that dies later keeps what was done."""
    db.runs.update_one({"run_id": run_id},
                       {"$set": {f"outlets.{outlet}": section},
                        "$setOnInsert": {"start": datetime.now(timezone.utc), "status": RUNNING}},
                       upsert=True)


def finish_run(db: Database, run_id: str, *, status: str, exit_code: int, export: dict | None = None,
               outlets: dict | None = None) -> dict:
    """The finished run document; if the database went away meanwhile, the same built here (and logged)."""
    update = {"end": datetime.now(timezone.utc), "status": status, "exit_code": exit_code}
    if export is not None:
        update["export"] = export
    try:
        db.runs.update_one({"run_id": run_id}, {"$set": {**update, **{f"outlets.{k}": v
                                                                      for k, v in (outlets or {}).items()}}},
                           upsert=True)
        return db.runs.find_one({"run_id": run_id}, {"_id": 0})
    except PyMongoError as e:
        logger.error("The record of run %s could not be written to the database: %s", run_id, e)
        return {"run_id": run_id, **update, "outlets": outlets or {}, "record_error": str(e)}


def get_run(db: Database, run_id: str) -> dict | None:
    return db.runs.find_one({"run_id": run_id}, {"_id": 0})


def recent_runs(db: Database, limit: int = 10) -> list[dict]:
    return list(db.runs.find({}, {"_id": 0}).sort("start", DESCENDING).limit(limit))
