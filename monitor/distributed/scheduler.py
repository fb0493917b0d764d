"""The shared scheduler of a distributed run: scrapy-redis's Scheduler over the run's Redis keys.

scrapy-redis (pinned 0.9.1) gives the queue encoding (a priority zset of pickled `Request.to_dict`)
and the duplicate filter (a Redis set of request fingerprints). Adapted here for Scrapy 2.19 and for
runs that must not lose a request (docs/scaling.md, "scrapy-redis"):

- Keys are the run's (monitor/distributed/board.py), not `<spider>:requests`, so runs never mix.
- A request is not just popped: it is moved, in one Redis step, into this worker's in-flight hash, and
  leaves it only when its callback is done, the requests it yielded are queued and its articles stored
  (SharedRun). A worker that dies has its in-flight requests put back for the others.
- A request that comes back to the scheduler from a request in flight (a redirect, a retry: they
  carry its meta) replaces it in the same Redis step; the duplicate filter's check and the push are one
  step too (a Lua script), so no request is ever marked seen without being queued.
- The queue and the duplicate filter outlive every worker's close (the run's coordinator deletes them),
  and stats are counted without the `spider` argument Scrapy 2.19 deprecates.
"""
from __future__ import annotations

import logging
import uuid

import redis
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler

from monitor.distributed.extension import INFLIGHT, PARENT, UNQUEUED, SharedRun

logger = logging.getLogger(__name__)

#: meta key: a per-request id, so that two requests never share one queue entry.
TASK = "monitor_task"


class SharedQueue(PriorityQueue):
    """The outlet's queue of the run; `take` moves its best request into the worker's in-flight hash."""

    def __init__(self, server, spider, key, serializer=None, *, board, worker: str):
        super().__init__(server, spider, key, serializer)
        self.board = board
        self.worker = worker

    def encode(self, request) -> bytes:
        return self._encode_request(request)

    def take(self):
        taken = self.board.take(self.spider.name, self.worker)
        if taken is None:
            return None, None
        member, field = taken
        return self._decode_request(member), field


class SharedScheduler(Scheduler):
    def __init__(self, server, run: SharedRun, **kwargs):
        super().__init__(server, persist=True, **kwargs)
        self.run = run

    @classmethod
    def from_crawler(cls, crawler):
        run = crawler.get_extension(SharedRun)
        if run is None:
            raise RuntimeError("SharedScheduler needs the SharedRun extension (set by `monitor worker`)")
        scheduler = cls(run.board.redis, run, serializer=None)
        scheduler.stats = crawler.stats
        return scheduler

    def open(self, spider):
        self.spider = spider
        board, outlet = self.run.board, spider.name
        self.queue = SharedQueue(self.server, spider, board.queue_key(outlet), board=board, worker=self.run.worker)
        self.df = RFPDupeFilter(self.server, key=board.dupefilter_key(outlet),
                                debug=spider.settings.getbool("DUPEFILTER_DEBUG"))
        queued = self._guard(len, self.queue, default=0)
        if queued:
            logger.info("%s: joining run %s with %d request(s) queued by other workers", outlet, board.run_id, queued)

    def close(self, reason):
        return None  # the queue and the duplicate filter are the run's, not this worker's

    def enqueue_request(self, request) -> bool:
        request = self.run.untracked(request)
        predecessor = request.meta.pop(INFLIGHT, None)
        parent = request.meta.pop(PARENT, None)
        request.meta.setdefault(TASK, uuid.uuid4().hex[:12])
        try:
            if not self.run.active:
                return self._unqueued(request)
            try:
                fingerprint = None if request.dont_filter else self.df.request_fingerprint(request)
                queued = self.run.board.enqueue(self.spider.name, self.run.worker, self.queue.encode(request),
                                                request.priority, fingerprint=fingerprint, replaces=predecessor)
            except redis.RedisError as e:
                self.run.lost(e)
                return self._unqueued(request)
            if predecessor:
                self.run.handed_over(predecessor)
            if not queued:
                self.df.log(request, self.spider)
                return False
            self.stats.inc_value("scheduler/enqueued/redis")
            return True
        finally:
            # only now, whatever became of it, may the request that yielded it be done
            self.run.output_queued(parent)

    def _unqueued(self, request) -> bool:
        """A request found once the run was over for this worker (Redis gone, run cancelled): counted (the
        crawler's close says how many) and left to the next crawl."""
        self.stats.inc_value(UNQUEUED)
        logger.debug("%s: %s not queued: this worker no longer takes part in the run", self.spider.name, request.url)
        return False

    def next_request(self):
        if not self.run.active:
            return None
        request, field = self._guard(SharedQueue.take, self.queue, default=(None, None))
        if request is None:
            return None
        self.stats.inc_value("scheduler/dequeued/redis")
        return self.run.track(request, field)

    def has_pending_requests(self) -> bool:
        return self.run.active and self._guard(len, self.queue, default=0) > 0

    def _guard(self, fn, *args, default):
        try:
            return fn(*args)
        except redis.RedisError as e:
            self.run.lost(e)
            return default
