"""Story clustering: reprints (转载) of one story across outlets and runs share a `cluster_id`.

Each item gets a near-duplicate `fingerprint` of its body (monitor/fingerprint.py). It joins the
cluster of the most similar stored or earlier-in-this-run article with an estimated similarity of at
least MONITOR_CLUSTER_MIN_SIMILARITY, found through the indexed `fingerprint_bands` (no scan of the
collection; items of this run not yet written are looked up in memory); an article
already stored keeps its cluster (an edited re-publication stays with its story); otherwise it
founds a cluster of its own.

The cluster fields are bookkeeping, not content (monitor/storage/articles.py leaves them out of
`content_hash`): the store writes them with a new or changed article, and when the crawl has ended
(spider_closed: the store has flushed by then) this pipeline sets them on every article of this
run and recomputes, for every cluster the run touched, its lead (earliest published; outlet
priority MONITOR_OUTLET_PRIORITY, then URL, break ties) and `reprint_count` (distinct outlets), with
targeted updates of only the documents whose values differ, so a second run of the same input
changes nothing.
"""
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import datetime

from itemadapter import ItemAdapter
from pymongo import UpdateOne
from pymongo.errors import PyMongoError
from scrapy import signals

from monitor.fingerprint import bands, fingerprint, similarity
from monitor.storage.mongo import open_database
from monitor.window import BEIJING

logger = logging.getLogger(__name__)

MEMBER_FIELDS = {"url": 1, "outlet": 1, "source": 1, "published_at": 1, "cluster_id": 1, "_id": 0}


@dataclass
class Member:
    """What clustering needs to know of one article."""
    url: str
    outlet: str                    # outlet key, or the source's display name for an unknown outlet
    published_at: datetime | None
    cluster_id: str
    fingerprint: str | None = None
    bands: list[str] = field(default_factory=list)


def new_cluster_id(founder_url: str) -> str:
    """A cluster's id: derived from the canonical URL of the article that founded it."""
    return hashlib.sha1(founder_url.encode("utf-8")).hexdigest()[:16]


def member_of(doc: dict) -> Member:
    published = doc.get("published_at")
    if isinstance(published, datetime) and published.tzinfo is None:
        published = published.replace(tzinfo=BEIJING)  # as the window pipeline reads a naive time
    return Member(url=doc["url"], outlet=doc.get("outlet") or doc.get("source") or "",
                  published_at=published, cluster_id=doc.get("cluster_id") or "")


def candidates_filter(member: Member) -> dict:
    """Stored articles that may be reprints of `member`: those sharing a band (index `fingerprint_bands`).
    Nothing else in the filter: a `$ne` next to it makes some servers (SecantusDB) scan the collection."""
    return {"fingerprint_bands": {"$in": member.bands}}


class StoryClusterPipeline:
    def __init__(self, crawler):
        settings = crawler.settings
        self.settings = settings
        self.stats = crawler.stats
        self.min_similarity = settings.getfloat("MONITOR_CLUSTER_MIN_SIMILARITY", 0.6)
        if not 0 < self.min_similarity <= 1:
            raise ValueError(f"MONITOR_CLUSTER_MIN_SIMILARITY is {self.min_similarity}; it must be above 0 and at "
                             "most 1 (the share of a body's shingles a reprint keeps)")
        self.min_chars = settings.getint("MONITOR_CLUSTER_MIN_CHARS", 100)
        priority = settings.getlist("MONITOR_OUTLET_PRIORITY")
        self.rank = {outlet: n for n, outlet in enumerate(priority)}
        self.handle = None
        self.run_members: dict[str, Member] = {}      # url -> this run's articles
        self.run_bands: dict[str, list[Member]] = {}  # band -> this run's articles with it
        self.run_clusters: dict[str, dict[str, Member]] = {}  # cluster -> url -> this run's articles in it
        self.touched: set[str] = set()                # clusters this run added to
        crawler.signals.connect(self.settle, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self):
        self.handle = open_database(self.settings)
        self.articles = self.handle.db.articles

    def process_item(self, item):
        adapter = ItemAdapter(item)
        url = adapter["url"]
        fp = fingerprint(adapter.get("body_text") or "", self.min_chars)
        member = member_of({"url": url, "outlet": adapter.get("outlet"), "source": adapter.get("source"),
                            "published_at": adapter.get("published_at")})
        member.fingerprint, member.bands = fp, (bands(fp) if fp else [])
        seen, kept = self._kept_cluster(url)
        member.cluster_id = kept or (fp and self._nearest_cluster(member)) or new_cluster_id(url)
        # A cluster this item founds has no stored members (its id derives from this URL, which is not
        # stored): no lookup. Either way `settle` recomputes lead and count once the crawl has ended.
        founded = not seen and member.cluster_id == new_cluster_id(url)
        self._remember(member)
        members = list(self.run_clusters[member.cluster_id].values()) if founded else self._members(member.cluster_id)
        lead, count = self._lead_and_count(members)
        adapter["fingerprint"] = fp
        adapter["fingerprint_bands"] = member.bands or None
        adapter["cluster_id"] = member.cluster_id
        adapter["cluster_lead"] = lead.url == url
        adapter["reprint_count"] = count
        return item

    # -- lookups ----------------------------------------------------------------------------------
    def _kept_cluster(self, url: str) -> tuple[bool, str | None]:
        """(seen before, its cluster): an article seen before (stored, or earlier in this run) keeps its
        cluster, even when edited."""
        seen = self.run_members.get(url)
        if seen is not None:
            return True, seen.cluster_id
        doc = self.articles.find_one({"url": url}, {"cluster_id": 1})
        return doc is not None, (doc or {}).get("cluster_id")

    def _nearest_cluster(self, member: Member) -> str | None:
        candidates = {m.url: (m.fingerprint, m.cluster_id)
                      for band in member.bands for m in self.run_bands.get(band, ()) if m.url != member.url}
        for doc in self.articles.find(candidates_filter(member),
                                      {"url": 1, "fingerprint": 1, "cluster_id": 1, "_id": 0}):
            if doc["url"] != member.url and doc.get("fingerprint") and doc.get("cluster_id"):
                candidates.setdefault(doc["url"], (doc["fingerprint"], doc["cluster_id"]))
        # the most similar; on a tie the smaller cluster id, so the choice does not depend on read order
        best = min(((similarity(member.fingerprint, fp), cluster_id) for fp, cluster_id in candidates.values()),
                   key=lambda pair: (-pair[0], pair[1]), default=None)
        if best is not None and best[0] >= self.min_similarity:
            self.stats.inc_value("monitor/cluster/joined")
            return best[1]
        return None

    def _remember(self, member: Member) -> None:
        previous = self.run_members.get(member.url)
        if previous is not None:  # the same article twice in one run: the later copy counts
            for band in previous.bands:
                self.run_bands[band].remove(previous)
        self.run_members[member.url] = member
        for band in member.bands:
            self.run_bands.setdefault(band, []).append(member)
        self.run_clusters.setdefault(member.cluster_id, {})[member.url] = member
        self.touched.add(member.cluster_id)

    def _members(self, cluster_id: str) -> list[Member]:
        members = {doc["url"]: member_of(doc) for doc in self.articles.find({"cluster_id": cluster_id}, MEMBER_FIELDS)}
        members.update(self.run_clusters.get(cluster_id, {}))  # this run's copy is the current one
        return list(members.values())

    def _lead_and_count(self, members: list[Member]) -> tuple[Member, int]:
        far_future = datetime.max.replace(tzinfo=BEIJING)
        lead = min(members, key=lambda m: (m.published_at or far_future, self.rank.get(m.outlet, len(self.rank)),
                                           m.url))
        return lead, len({m.outlet for m in members})

    # -- end of the crawl -------------------------------------------------------------------------
    def settle(self, spider=None, reason=None):
        """Write this run's cluster fields and each touched cluster's lead and reprint_count."""
        if self.handle is None:
            return
        try:
            self._write_memberships()
            touched = sorted(self.touched)
            updates = sum(self._write_clusters(touched[start:start + 500]) for start in range(0, len(touched), 500))
            if updates:
                self.stats.inc_value("monitor/cluster/lead_or_count_updates", updates)
            logger.info("Story clusters: %d touched by this run, lead or count set on %d article(s)",
                        len(self.touched), updates)
        except PyMongoError as e:
            logger.error("Could not write the story clusters of this run (%s); the articles keep the cluster "
                         "fields they were stored with, and the next run that touches a cluster corrects it", e)
        finally:
            self.handle.close()
            self.handle = None

    def _write_memberships(self) -> None:
        # Compared here rather than in the filter: equality-only filters keep every server on its index.
        members = list(self.run_members.values())
        for start in range(0, len(members), 500):
            chunk = {m.url: m for m in members[start:start + 500]}
            ops = []
            for doc in self.articles.find({"url": {"$in": list(chunk)}},
                                          {"url": 1, "cluster_id": 1, "fingerprint": 1, "_id": 0}):
                m = chunk[doc["url"]]
                wanted = {"cluster_id": m.cluster_id}
                if m.fingerprint:
                    wanted.update(fingerprint=m.fingerprint, fingerprint_bands=m.bands)
                if any(doc.get(name) != value for name, value in wanted.items() if name != "fingerprint_bands"):
                    ops.append(UpdateOne({"url": m.url}, {"$set": wanted}))
            if ops:
                self.articles.bulk_write(ops, ordered=False)

    def _write_clusters(self, cluster_ids: list[str]) -> int:
        """Lead and reprint_count of these clusters: one `$in` read for all of them, then targeted updates."""
        by_cluster: dict[str, list[dict]] = {}
        for doc in self.articles.find({"cluster_id": {"$in": cluster_ids}},
                                      {**MEMBER_FIELDS, "cluster_lead": 1, "reprint_count": 1}):
            by_cluster.setdefault(doc["cluster_id"], []).append(doc)
        ops = []
        for cluster_id in cluster_ids:
            docs = by_cluster.get(cluster_id)
            if not docs:  # the store could not write them (kept in its spool)
                continue
            lead, count = self._lead_and_count([member_of(doc) for doc in docs])
            for doc in docs:
                wanted = {"cluster_lead": doc["url"] == lead.url, "reprint_count": count}
                if any(doc.get(name) != value for name, value in wanted.items()):
                    ops.append(UpdateOne({"url": doc["url"]}, {"$set": wanted}))
        if ops:
            self.articles.bulk_write(ops, ordered=False)
        return len(ops)
