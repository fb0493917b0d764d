"""Story clusters: reprints (转载) of one story across outlets and runs share a `cluster_id`.

Pure steps over a batch of article documents about to be written, in the order the persistence
stage (monitor/storage/persistence.py) runs them:

1. `fingerprint_documents`: a near-duplicate fingerprint of each body (monitor/fingerprint.py).
2. `assign_clusters`: an article already stored keeps its cluster (an edited re-publication stays
   with its story); any other joins the cluster of the most similar stored article, or of an
   earlier article of the same batch, with an estimated similarity of at least the rules'
   `min_similarity`, found through the indexed `fingerprint_bands`; otherwise it founds a cluster.
   Every earlier batch of the run is already written, so "stored" covers every article of this run,
   whatever its outlet, and the articles of any other run or process written before.
3. `lead_fields`: each touched cluster's lead (an article on topic before a near miss, then the
   earliest published; outlet priority, then URL, break ties) and `reprint_count` (distinct outlets) from its stored members and the batch, set on the
   batch's documents and, as updates, on stored members whose values change.
4. (the batch and those updates are written in one bulk write)
5. `settle`: the touched clusters read again as the database holds them now; where another writer
   changed one meanwhile, lead and count are written again, and read again until a read needs no
   change — so two runs writing one cluster at once leave it consistent whichever writes last.

The cluster fields are bookkeeping, not content (monitor/storage/articles.py leaves them out of
`content_hash`), so a second run of the same input changes nothing.
"""
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import datetime

from pymongo import UpdateOne
from pymongo.collection import Collection

from monitor import workers
from monitor.fingerprint import bands, fingerprints, similarity
from monitor.storage import queries
from monitor.storage.articles import STATUS_OFF_TOPIC
from monitor.window import BEIJING

logger = logging.getLogger(__name__)

MEMBER_FIELDS = {"url": 1, "outlet": 1, "source": 1, "published_at": 1, "status": 1, "cluster_id": 1,
                 "cluster_lead": 1, "reprint_count": 1, "_id": 0}
#: How many band keys or cluster ids one `$in` carries.
CHUNK = 1000
#: Settling reads a cluster again after writing; past this many rounds another writer keeps changing it.
SETTLE_ROUNDS = 5


@dataclass(frozen=True)
class ClusterRules:
    """MONITOR_CLUSTER_MIN_SIMILARITY, MONITOR_CLUSTER_MIN_CHARS, MONITOR_OUTLET_PRIORITY."""
    min_similarity: float = 0.6
    min_chars: int = 100
    priority: tuple[str, ...] = ()

    @classmethod
    def from_settings(cls, settings) -> "ClusterRules":
        rules = cls(settings.getfloat("MONITOR_CLUSTER_MIN_SIMILARITY", 0.6),
                    settings.getint("MONITOR_CLUSTER_MIN_CHARS", 100),
                    tuple(settings.getlist("MONITOR_OUTLET_PRIORITY")))
        if not 0 < rules.min_similarity <= 1:
            raise ValueError(f"MONITOR_CLUSTER_MIN_SIMILARITY is {rules.min_similarity}; it must be above 0 and at "
                             "most 1 (the share of a body's shingles a reprint keeps)")
        return rules

    def rank(self, outlet: str) -> int:
        try:
            return self.priority.index(outlet)
        except ValueError:
            return len(self.priority)


@dataclass
class Member:
    """What clustering needs to know of one article."""
    url: str
    outlet: str                    # outlet key, or the source's display name for an unknown outlet
    published_at: datetime | None
    cluster_id: str
    fingerprint: str | None = None
    bands: list[str] = field(default_factory=list)
    near_miss: bool = False        # status off_topic: leads its story only where no member is on topic


def new_cluster_id(founder_url: str) -> str:
    """A cluster's id: derived from the canonical URL of the article that founded it."""
    return hashlib.sha1(founder_url.encode("utf-8")).hexdigest()[:16]


def member_of(doc: dict) -> Member:
    published = doc.get("published_at")
    if isinstance(published, datetime) and published.tzinfo is None:
        published = published.replace(tzinfo=BEIJING)  # as the window pipeline reads a naive time
    return Member(url=doc["url"], outlet=doc.get("outlet") or doc.get("source") or "",
                  published_at=published, cluster_id=doc.get("cluster_id") or "",
                  fingerprint=doc.get("fingerprint"), bands=list(doc.get("fingerprint_bands") or ()),
                  near_miss=doc.get("status") == STATUS_OFF_TOPIC)


def lead_and_count(members: list[Member], rules: ClusterRules) -> tuple[Member, int]:
    far_future = datetime.max.replace(tzinfo=BEIJING)
    # A near miss never leads a story an on-topic article carries: the report reads leads only.
    lead = min(members, key=lambda m: (m.near_miss, m.published_at or far_future, rules.rank(m.outlet), m.url))
    return lead, len({m.outlet for m in members})


def fingerprint_documents(docs: list[dict], rules: ClusterRules, processes: int = 0) -> None:
    """Set `fingerprint` and `fingerprint_bands` (absent for a body too short to tell reprints apart),
    computed in a worker process unless `processes` is 0 (monitor/workers.py)."""
    texts = [doc.get("body_text") or "" for doc in docs]
    try:
        values = workers.run(fingerprints, texts, rules.min_chars, processes=processes).result()
    except workers.WorkerDied:
        values = fingerprints(texts, rules.min_chars)
    for doc, fp in zip(docs, values):
        if fp:
            doc["fingerprint"], doc["fingerprint_bands"] = fp, bands(fp)
        else:
            doc.pop("fingerprint", None)
            doc.pop("fingerprint_bands", None)


def _stored_candidates(collection: Collection, band_keys: set[str]) -> dict[str, list[Member]]:
    """band -> stored articles with that band (one `$in` per CHUNK band keys)."""
    by_band: dict[str, list[Member]] = {}
    keys = sorted(band_keys)
    for start in range(0, len(keys), CHUNK):
        for doc in collection.find(queries.bands_in(keys[start:start + CHUNK]),
                                   {"url": 1, "fingerprint": 1, "fingerprint_bands": 1, "cluster_id": 1, "_id": 0}):
            if not (doc.get("fingerprint") and doc.get("cluster_id")):
                continue
            member = member_of(doc)
            for band in member.bands:
                by_band.setdefault(band, []).append(member)
    return by_band


def assign_clusters(collection: Collection, docs: list[dict], stored_clusters: dict[str, str],
                    rules: ClusterRules) -> None:
    """Set `cluster_id` on every doc (see the module's docstring).
    `stored_clusters`: URL -> cluster of the docs already stored."""
    open_docs = [d for d in docs if not stored_clusters.get(d["url"])]
    by_band = _stored_candidates(collection, {b for d in open_docs for b in d.get("fingerprint_bands") or ()})
    for doc in docs:
        url = doc["url"]
        doc["cluster_id"] = stored_clusters.get(url) or _nearest(doc, by_band, rules) or new_cluster_id(url)
        if doc.get("fingerprint"):  # later docs of the batch see this one
            member = member_of(doc)
            for band in member.bands:
                by_band.setdefault(band, []).append(member)


def _nearest(doc: dict, by_band: dict[str, list[Member]], rules: ClusterRules) -> str | None:
    fp = doc.get("fingerprint")
    if not fp:
        return None
    candidates = {m.url: m for band in doc["fingerprint_bands"] for m in by_band.get(band, ()) if m.url != doc["url"]}
    # the most similar; on a tie the smaller cluster id, so the choice does not depend on read order
    best = min(((similarity(fp, m.fingerprint), m.cluster_id) for m in candidates.values()),
               key=lambda pair: (-pair[0], pair[1]), default=None)
    return best[1] if best is not None and best[0] >= rules.min_similarity else None


def _stored_members(collection: Collection, cluster_ids) -> dict[str, dict[str, dict]]:
    """cluster -> URL -> the stored member's MEMBER_FIELDS (one `$in` per CHUNK clusters)."""
    by_cluster: dict[str, dict[str, dict]] = {}
    ids = sorted(set(cluster_ids))
    for start in range(0, len(ids), CHUNK):
        for doc in collection.find(queries.clusters_in(ids[start:start + CHUNK]), MEMBER_FIELDS):
            by_cluster.setdefault(doc["cluster_id"], {})[doc["url"]] = doc
    return by_cluster


def _lead_updates(by_cluster: dict[str, dict[str, dict]], rules: ClusterRules,
                  batch: frozenset[str] = frozenset()) -> list[UpdateOne]:
    """Each cluster's lead and count: set on the members whose URL is in `batch` (documents about to be
    written), and as updates for the other members where their stored values differ."""
    updates = []
    for members in by_cluster.values():
        lead, count = lead_and_count([member_of(m) for m in members.values()], rules)
        for url, member in members.items():
            wanted = {"cluster_lead": url == lead.url, "reprint_count": count}
            if url in batch:
                member.update(wanted)
            elif any(member.get(name) != value for name, value in wanted.items()):
                updates.append(UpdateOne({"url": url}, {"$set": wanted}))
    return updates


def lead_fields(collection: Collection, docs: list[dict], rules: ClusterRules) -> list[UpdateOne]:
    """Before the batch is written: set `cluster_lead` and `reprint_count` on `docs` from their clusters'
    stored members and the batch itself, and return the updates the stored members need (one read), so
    that the write brings every touched cluster to a settled state (`settle` then only checks it)."""
    by_cluster = _stored_members(collection, {d["cluster_id"] for d in docs})
    for doc in docs:  # the batch's version of an article replaces the stored one
        by_cluster.setdefault(doc["cluster_id"], {})[doc["url"]] = doc
    return _lead_updates(by_cluster, rules, frozenset(d["url"] for d in docs))


def settle(collection: Collection, cluster_ids, rules: ClusterRules) -> int:
    """Lead and reprint_count of these clusters from their members as stored now, read again after each
    write until a read needs no change; returns the updates made."""
    ids, updates = sorted(set(cluster_ids)), 0
    for _ in range(SETTLE_ROUNDS):
        ops = _lead_updates(_stored_members(collection, ids), rules)
        if not ops:
            return updates
        collection.bulk_write(ops, ordered=False)
        updates += len(ops)
    logger.warning("Story clusters %s kept changing while being settled (another run writing them); the run "
                   "that writes them last settles them", ", ".join(ids[:5]))
    return updates
