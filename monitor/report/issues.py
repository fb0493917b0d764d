"""The record of issues written: the `issues` collection, one document per (profile, issue date).

It fixes an issue's number (a re-export keeps it) and gives the next issue its number.
"""
from __future__ import annotations

from datetime import date, datetime, timezone

from bson import ObjectId
from pymongo import DESCENDING
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from monitor.window import Window


class NumberingError(ValueError):
    """The issue's number cannot be decided, or clashes with another issue; the message says what to do."""


def find_issue(db: Database, profile: str, issue_date: date) -> dict | None:
    return db.issues.find_one({"profile": profile, "issue_date": issue_date.isoformat()})


def issue_number(db: Database, profile: str, issue_date: date, requested: int | None) -> int:
    """The number the issue of `issue_date` gets.

    An issue already recorded keeps its number. A new one takes `requested`, or else follows the
    profile's last issue before it (weeks or months skipped in between do not matter).
    """
    existing = find_issue(db, profile, issue_date)
    if existing:
        if requested is not None and requested != existing["number"]:
            raise NumberingError(f"the {profile} issue of {issue_date} is already number {existing['number']}; "
                                 f"export it without --number (or with --number {existing['number']})")
        return existing["number"]
    if requested is None:
        previous = db.issues.find_one({"profile": profile, "issue_date": {"$lt": issue_date.isoformat()}},
                                      sort=[("issue_date", DESCENDING)])
        if previous is None:
            raise NumberingError(f"no earlier {profile} issue is recorded, so its number is unknown; "
                                 f"give the number of the {profile} issue of {issue_date} with --number N")
        requested = previous["number"] + 1
    clash = db.issues.find_one({"profile": profile, "number": requested})
    if clash:
        raise NumberingError(f"{profile} number {requested} is already the issue of {clash['issue_date']}; "
                             "give a free number with --number N")
    return requested


def record_issue(db: Database, profile: str, issue_date: date, number: int, window: Window,
                 article_ids: list[ObjectId], files: dict[str, str], content_hash: str) -> bool:
    """Store (or update) the issue's record; True when its content changed or it is new. `files`: each
    format's file as last written (`path` keeps the first, the Markdown when it was written)."""
    now = datetime.now(timezone.utc)
    key = {"profile": profile, "issue_date": issue_date.isoformat()}
    fields = {"number": number, "window": {"since": window.since.isoformat(), "until": window.until.isoformat()},
              "article_ids": list(article_ids), "path": next(iter(files.values())),
              **{f"files.{suffix}": path for suffix, path in files.items()}, "content_hash": content_hash}
    existing = db.issues.find_one(key, {"content_hash": 1})
    changed = existing is None or existing.get("content_hash") != content_hash
    update = {"$set": {**fields, **({"updated_at": now} if changed else {})}, "$setOnInsert": {"created_at": now}}
    try:
        db.issues.update_one(key, update, upsert=True)
    except DuplicateKeyError:
        raise NumberingError(f"{profile} number {number} was taken by another export at the same time; "
                             "run the export again") from None
    return changed
