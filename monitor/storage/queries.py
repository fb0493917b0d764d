"""Every filter the hot paths send to MongoDB, in the shapes that stay on an index on every server.

The project runs against any MongoDB; its own zero-set-up server is SecantusDB, which answers the
same wire protocol but plans some query shapes far worse than MongoDB does. These are the lessons,
measured with bench/run.py (docs/benchmarks.md), and the rule that follows from them:

- `$or` of two indexed conditions: a collection scan (285 ms per lookup at 20,000 articles, where
  two separate indexed lookups take well under 1 ms). Ask twice, each on its own index.
- `$ne` (or any second condition) next to an indexed `$in`: a scan. Filter the rest in Python.
- `hint()`, or an extra `$in` next to an index range (status/published_at plus outlet): a slower
  plan (6–8 s instead of 0.17 s for an export at 100,000 articles). Query exactly the index's keys.
- `explain()` does not always show the slow path, so measure rather than trust it.

Rule: a hot-path filter is an equality or an `$in` on one indexed field, or exactly the keys of one
compound index; anything else is done in Python on what comes back. Every such filter is built
here, so a change of server, or of its planner, is one place to revisit. Plain MongoDB; nothing in
this module is specific to SecantusDB, and MongoDB runs the same filters at least as well.
"""
from __future__ import annotations

from datetime import timezone


def urls_in(urls) -> dict:
    """Articles by canonical URL (index `url_unique`)."""
    return {"url": {"$in": sorted(set(urls))}}


def aliases_in(urls) -> dict:
    """Articles one of whose `urls` (the URLs it was seen under) is given (index `urls`)."""
    return {"urls": {"$in": sorted(set(urls))}}


def bands_in(bands) -> dict:
    """Articles sharing a fingerprint band: the possible reprints (index `fingerprint_bands`)."""
    return {"fingerprint_bands": {"$in": sorted(set(bands))}}


def clusters_in(cluster_ids) -> dict:
    """Every member of these story clusters (index `cluster_id`)."""
    return {"cluster_id": {"$in": sorted(set(cluster_ids))}}


def window_query(start, end, status: str = "ok") -> dict:
    """Articles of one `status` published in [start, end): exactly the keys of `status_published_at`.
    By default the dated, in-topic ones a report reads; `off_topic` for the near misses. (The report
    filters outlets in Python.)"""
    return {"status": status,
            "published_at": {"$gte": start.astimezone(timezone.utc), "$lt": end.astimezone(timezone.utc)}}


def ids_in(ids) -> dict:
    """Articles by id (the `_id` index)."""
    return {"_id": {"$in": list(dict.fromkeys(ids))}}


def running_runs() -> dict:
    """Runs not yet finished (the `runs` collection is small: one document per run)."""
    return {"status": "running"}
