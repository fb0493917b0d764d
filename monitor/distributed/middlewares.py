"""The middlewares of a distributed run (on in `monitor worker` only, MONITOR_WORKER_ID set).

OutputTracker (the outermost spider middleware): counts what the callback of a request in flight yields
as it leaves for the engine, and sees its end (SharedRun decides from that when the request is done).

SeedOnceMiddleware (a spider middleware): an outlet's list requests come from its spider's `start()`;
in a run only the first worker to open the outlet seeds them, the others start from the shared queue.

SharedPolitenessMiddleware (a downloader middleware): each worker keeps its own download delay and
per-domain concurrency, which alone would let N workers send N times the requests a site gets from
one process. Before a request starts, this reserves its start time on the run's Redis, so that the
requests of every worker to one host start at least the host's delay apart (the outlet's `delay`, or
AutoThrottle's current delay for it); with no delay (a replay) it does nothing.
"""
from __future__ import annotations

import asyncio

import redis
from scrapy.exceptions import NotConfigured
from scrapy.utils.httpobj import urlparse_cached

from monitor.distributed.extension import INFLIGHT, SharedRun


class _WorkerComponent:
    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.get("MONITOR_WORKER_ID"):
            raise NotConfigured
        return cls(crawler)

    @property
    def run(self) -> SharedRun:
        return self.crawler.get_extension(SharedRun)


class OutputTracker(_WorkerComponent):
    async def process_spider_output(self, response, result):
        inflight = response.meta.get(INFLIGHT)
        try:
            async for out in result:
                self.run.output(inflight, out)
                yield out
        finally:
            self.run.outputs_done(inflight)


class SeedOnceMiddleware(_WorkerComponent):
    async def process_start(self, start):
        if not self.run.claim_seeding():
            return
        async for entry in start:
            yield entry
        self.run.seeded()


class SharedPolitenessMiddleware(_WorkerComponent):
    async def process_request(self, request):
        interval = self._interval(request)
        host = urlparse_cached(request).hostname
        if interval <= 0 or not host or not self.run.active:
            return None
        try:
            wait_ms = self.run.board.reserve_start(host, int(interval * 1000))
        except redis.RedisError as e:
            self.run.lost(e)
            return None
        if wait_ms > 0:
            self.crawler.stats.inc_value("monitor/distributed/politeness_waits")
            await asyncio.sleep(wait_ms / 1000)
        return None

    def _interval(self, request) -> float:
        """The delay this worker keeps between requests to the request's download slot (seconds)."""
        settings = self.crawler.settings
        delay = settings.getfloat("DOWNLOAD_DELAY")
        downloader = self.crawler.engine.downloader
        slot = downloader.slots.get(downloader.get_slot_key(request))
        if slot is not None:
            return slot.delay
        if settings.getbool("AUTOTHROTTLE_ENABLED"):
            delay = max(delay, settings.getfloat("AUTOTHROTTLE_START_DELAY"))
        return delay
