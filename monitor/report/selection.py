"""Which articles an issue holds: the window's dated articles from the profile's outlets, one per
story cluster, best score first up to the profile's size, with the editors' pins and exclusions —
and the window's near misses of the topic (status `off_topic`), which an editor may pin into an issue.

Fields written by the relevance and clustering pipelines may be missing on older documents: no
`cluster_id` means a story of its own (its lead), no `score` counts as 0, no `reprint_count` as 1.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bson import ObjectId
from pymongo.cursor import Cursor
from pymongo.database import Database

from monitor.report.editorial import Edits, pinnable
from monitor.report.profiles import Profile
from monitor.storage import queries
from monitor.storage.articles import STATUS_OFF_TOPIC
from monitor.window import Window

#: What ranking needs; bodies stay in the database until the chosen few are rendered.
CANDIDATE_FIELDS = {"url": 1, "urls": 1, "outlet": 1, "source": 1, "title": 1, "published_at": 1, "status": 1,
                    "score": 1, "reprint_count": 1, "cluster_id": 1, "cluster_lead": 1, "topic_reason": 1}


@dataclass(frozen=True)
class Candidate:
    id: ObjectId
    url: str
    outlet: str | None
    source: str
    title: str
    published_at: datetime
    score: float
    reprint_count: int
    cluster: str
    pinned: bool = False
    excluded: bool = False
    topic_reason: str = ""         # a near miss: why it fell short of the topic

    @classmethod
    def from_doc(cls, doc: dict, edits: Edits) -> "Candidate":
        score = doc.get("score")
        reprints = doc.get("reprint_count")
        return cls(id=doc["_id"], url=doc["url"], outlet=doc.get("outlet"), source=doc.get("source") or "",
                   title=doc.get("title") or "", published_at=doc["published_at"],
                   score=float(score) if isinstance(score, (int, float)) else 0.0,
                   reprint_count=int(reprints) if isinstance(reprints, (int, float)) and reprints >= 1 else 1,
                   cluster=str(doc.get("cluster_id") or doc["_id"]),
                   pinned=doc["_id"] in edits.pinned, excluded=doc["_id"] in edits.excluded,
                   topic_reason=doc.get("topic_reason") or "")

    @property
    def rank_key(self):
        # best score first; equal scores: more outlets carried it, then earlier, then by URL (stable)
        return (-self.score, -self.reprint_count, self.published_at, self.url)

    @property
    def print_key(self):
        return (self.published_at, self.url)


@dataclass(frozen=True)
class Selection:
    ranked: list[Candidate]     # every candidate, best first (pinned ones included, excluded ones marked)
    chosen: list[Candidate]     # what the issue prints, in order of publish time


def window_query(window: Window) -> dict:
    """Dated, in-topic articles published within the window's Beijing days (monitor/storage/queries.py)."""
    return queries.window_query(window.start, window.end)


def window_articles(db: Database, window: Window) -> Cursor:
    """The window's articles (ranking fields only), read through the status/published_at index."""
    return db.articles.find(window_query(window), CANDIDATE_FIELDS)


def select(db: Database, profile: Profile, window: Window, edits: Edits) -> Selection:
    outlets = set(profile.outlets)
    docs = [d for d in window_articles(db, window) if d.get("outlet") in outlets]
    leads = [d for d in docs if d.get("cluster_lead") is not False]
    pinned_ids = set(edits.pinned)
    missing = pinned_ids - {d["_id"] for d in leads}
    if missing:
        # A pinned article need not be its cluster's lead, nor from the profile's outlets, nor on topic
        # (a near miss an editor brought in); the window is checked here (monitor/storage/queries.py).
        leads += [d for d in db.articles.find(queries.ids_in(missing), CANDIDATE_FIELDS) if pinnable(d, window)]

    candidates = sorted((Candidate.from_doc(d, edits) for d in leads), key=lambda c: c.rank_key)
    # One entry per story: a pinned article stands for its cluster, otherwise the best-ranked lead.
    pinned_clusters = {c.cluster for c in candidates if c.pinned}
    seen: set[str] = set()
    ranked = []
    for c in candidates:
        if c.cluster in seen or (c.cluster in pinned_clusters and not c.pinned):
            continue
        seen.add(c.cluster)
        ranked.append(c)

    pinned = [c for c in ranked if c.pinned]
    others = [c for c in ranked if not c.pinned and not c.excluded]
    chosen = pinned + others[:max(profile.size - len(pinned), 0)]
    return Selection(ranked=ranked, chosen=sorted(chosen, key=lambda c: c.print_key))


def near_misses(db: Database, profile: Profile, window: Window, edits: Edits) -> list[Candidate]:
    """The window's near misses of the topic from the profile's outlets, one per story, best score first
    (those pinned are in the issue already, and marked so)."""
    outlets = set(profile.outlets)
    query = queries.window_query(window.start, window.end, status=STATUS_OFF_TOPIC)
    docs = [d for d in db.articles.find(query, CANDIDATE_FIELDS)
            if d.get("outlet") in outlets and d.get("cluster_lead") is not False]
    return sorted((Candidate.from_doc(d, edits) for d in docs), key=lambda c: c.rank_key)
