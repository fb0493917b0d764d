"""Editors' decisions for one issue: articles pinned into it and articles excluded from it.

Stored in the `editorial` collection, one document per (profile, issue date); the next export of
that issue follows them. Articles are named by id (ObjectId hex) or by any URL they were seen under.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone

from bson import ObjectId
from bson.errors import InvalidId
from pymongo.database import Database

from monitor.storage.articles import STATUS_OFF_TOPIC, STATUS_OK
from monitor.urls import canonical_url
from monitor.window import Window

PIN = "pinned"
EXCLUDE = "excluded"


class UnknownArticle(LookupError):
    """An id or URL that names no stored article."""


class NotInWindow(ValueError):
    """An article that cannot go into the issue: undated, or published outside its window."""


@dataclass(frozen=True)
class Edits:
    pinned: tuple[ObjectId, ...] = ()
    excluded: frozenset[ObjectId] = field(default_factory=frozenset)


def load_edits(db: Database, profile: str, issue_date: date) -> Edits:
    doc = db.editorial.find_one({"profile": profile, "issue_date": issue_date.isoformat()})
    if not doc:
        return Edits()
    return Edits(pinned=tuple(doc.get(PIN) or ()), excluded=frozenset(doc.get(EXCLUDE) or ()))


def resolve_article(db: Database, ref: str, projection: dict | None = None) -> dict:
    """The article an id or URL names; UnknownArticle otherwise."""
    ref = ref.strip()
    doc = None
    if len(ref) == 24:
        try:
            doc = db.articles.find_one({"_id": ObjectId(ref)}, projection)
        except InvalidId:
            pass
    if doc is None and "://" in ref:
        doc = db.articles.find_one({"urls": ref}, projection) or \
            db.articles.find_one({"url": canonical_url(ref)}, projection)
    if doc is None:
        raise UnknownArticle(f"no stored article has the id or URL {ref!r} "
                             "(give an id as `monitor candidates` lists it, or a URL the article was seen under)")
    return doc


#: Statuses of articles an editor can pin: on topic, or a near miss of it brought in by hand.
PINNABLE = (STATUS_OK, STATUS_OFF_TOPIC)


def pinnable(doc: dict, window: Window) -> bool:
    """Whether an article can go into an issue of `window`: dated within it, on topic or a near miss."""
    published = doc.get("published_at")
    return doc.get("status") in PINNABLE and published is not None and window.contains(published)


def _check_in_window(doc: dict, window: Window) -> None:
    published = doc.get("published_at")
    if doc.get("status") not in PINNABLE or published is None:
        raise NotInWindow(f"article {doc['_id']} ({doc.get('title')}) has no publish date and cannot go into a report")
    if not window.contains(published):
        raise NotInWindow(f"article {doc['_id']} ({doc.get('title')}) was published on "
                          f"{published.astimezone(window.start.tzinfo).date()}, outside the issue's window {window}")


def apply_edit(db: Database, profile: str, issue_date: date, window: Window, action: str, refs: list[str],
               *, undo: bool = False) -> list[dict]:
    """Pin or exclude (or, with undo, un-pin / un-exclude) the articles `refs` name; returns them.

    Every reference is resolved before anything is stored, so a bad one changes nothing. Pinning
    an article lifts its exclusion and the other way round.
    """
    other = EXCLUDE if action == PIN else PIN
    docs = [resolve_article(db, ref, {"title": 1, "status": 1, "published_at": 1}) for ref in refs]
    if action == PIN and not undo:
        for doc in docs:
            _check_in_window(doc, window)
    ids = list(dict.fromkeys(doc["_id"] for doc in docs))
    key = {"profile": profile, "issue_date": issue_date.isoformat()}
    now = datetime.now(timezone.utc)
    if undo:
        update = {"$pullAll": {action: ids}, "$set": {"updated_at": now}}
    else:
        update = {"$addToSet": {action: {"$each": ids}}, "$pullAll": {other: ids},
                  "$set": {"updated_at": now}, "$setOnInsert": {"created_at": now}}
    db.editorial.update_one(key, update, upsert=True)
    return docs
