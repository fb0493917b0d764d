"""A crawler's part in a distributed run: which requests it holds, when they are done, when it may stop.

`SharedRun` is an extension (EXTENSIONS in monitor/settings.py), on in `monitor worker` only
(MONITOR_WORKER_ID set). The worker offers its `Participation` in a run — the run's board in Redis
and its own id — with `SharedRun.serving(participation)`; each outlet's crawler then:

- tracks every request the shared scheduler hands it (monitor/distributed/scheduler.py): the
  request stays in the worker's in-flight hash until its callback has run to the end, every request it
  yielded is in the queue and every item it yielded has passed the pipelines — and, when one was
  stored, until the run's persistence stage has written it (a drain of RunDatabase). So a worker killed
  at any moment leaves in flight every request whose outcome is not in Redis or MongoDB (or the spool),
  and the others fetch it again;
- publishes its crawler's stats to the board every few seconds and when it closes (the coordinator
  merges every worker's counts into the run record);
- keeps its spider open while the outlet has work anywhere in the run (queued, or in flight with
  another worker), and closes it when there is none, the run was cancelled, or Redis is gone.
"""
from __future__ import annotations

import inspect
import logging
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

import redis
from scrapy import Request, signals
from scrapy.exceptions import CloseSpider, DontCloseSpider, NotConfigured
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.misc import arg_to_iter

from monitor.distributed.board import ACTIVE, CANCELLED, RunBoard
from monitor.storage.extension import RunDatabase

logger = logging.getLogger(__name__)

#: meta key of a request in flight: its field in the worker's in-flight hash.
INFLIGHT = "monitor_inflight"
#: meta key of a request yielded by a request in flight (its INFLIGHT), until it is queued.
PARENT = "monitor_parent"
#: Stats key: requests found after the worker stopped taking part (Redis gone, run cancelled).
UNQUEUED = "monitor/distributed/unqueued"
#: The finish reason of a crawler closed because Redis went away.
REDIS_GONE = "redis_unavailable"
#: How often finished requests are acknowledged (their stored items written first), in seconds.
ACK_EVERY = 1.0
#: How often the crawler's counts are published to the board, in seconds.
STATS_EVERY = 5.0
_ORIGINAL = "__monitor_original__"


@dataclass
class Participation:
    """One worker process's part in one run: shared by the crawlers of all its outlets."""
    board: RunBoard
    worker: str
    outlets: list[str]
    redis_url: str = ""              # as shown (no password)
    lost: str | None = None          # why Redis counts as gone, once it does
    cancelled: bool = False


@dataclass
class _Task:
    requests: int = 0       # requests yielded and not yet queued (or filtered, or dropped)
    items: int = 0          # items yielded and not yet through the pipelines
    counted: set = field(default_factory=set)  # ids of the items counted (an errback's may be seen twice)
    stored: bool = False    # an item reached the store: acknowledge after the next drain
    done: bool = False      # the callback (or errback) yields nothing more

    @property
    def settled(self) -> bool:
        return self.done and self.requests <= 0 and self.items <= 0


async def _aiter(iterable):
    for entry in iterable:
        yield entry


class SharedRun:
    _participations: dict[str, Participation] = {}

    def __init__(self, crawler, participation: Participation):
        self.crawler = crawler
        self.participation = participation
        self.tasks: dict[str, _Task] = {}
        self._ready: list[str] = []     # done, nothing stored: acknowledge at the next tick
        self._written: list[str] = []   # done, stored: acknowledge once the store is drained
        self._loop = None
        self._ticking = False
        self._seeding = False
        self._published = 0.0

    @classmethod
    @contextmanager
    def serving(cls, participation: Participation):
        """While this block runs, crawlers of the participation's run take part in it."""
        cls._participations[participation.board.run_id] = participation
        try:
            yield participation
        finally:
            cls._participations.pop(participation.board.run_id, None)

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.get("MONITOR_WORKER_ID"):
            raise NotConfigured
        participation = cls._participations.get(crawler.settings.get("MONITOR_RUN_ID"))
        if participation is None:
            raise RuntimeError("a distributed crawler was started outside `monitor worker`")
        ext = cls(crawler, participation)
        for handler, signal in ((ext.spider_opened, signals.spider_opened), (ext.spider_idle, signals.spider_idle),
                                (ext.spider_closed, signals.spider_closed), (ext.item_scraped, signals.item_scraped),
                                (ext.item_done, signals.item_dropped), (ext.item_done, signals.item_error),
                                (ext.request_dropped, signals.request_dropped)):
            crawler.signals.connect(handler, signal=signal)
        return ext

    @property
    def board(self) -> RunBoard:
        return self.participation.board

    @property
    def worker(self) -> str:
        return self.participation.worker

    @property
    def outlet(self) -> str:
        return self.crawler.spider.name

    @property
    def active(self) -> bool:
        return self.participation.lost is None and not self.participation.cancelled

    def lost(self, error: Exception) -> None:
        if self.participation.lost is None:
            self.participation.lost = (f"Redis at {self.participation.redis_url} stopped answering ({error}); "
                                       "this worker stops taking part in the run")
            logger.error("%s", self.participation.lost)

    # -- seeding ----------------------------------------------------------------------------------
    def claim_seeding(self) -> bool:
        try:
            return self.board.claim_seeding(self.outlet, self.worker)
        except redis.RedisError as e:
            self.lost(e)
            return False

    def seeded(self) -> None:
        try:
            self.board.seeded(self.outlet)
        except redis.RedisError as e:
            self.lost(e)

    # -- requests in flight -----------------------------------------------------------------------
    # A request taken from the queue is done when its callback (or errback) has run to its end and every
    # output has been dealt with: each request it yielded is in the queue (or filtered as seen), each item
    # has passed the pipelines. Scrapy hands outputs on through a queue of its own, so the end of the
    # callback alone says nothing: each output is counted as it leaves the spider (the callback's through
    # OutputTracker, the outermost spider middleware; an errback's, which no middleware sees, here) and
    # counted off as the scheduler queues it (`output_queued`) or as the item signals fire.
    def track(self, request: Request, inflight: str) -> Request:
        """A request taken from the queue, its callbacks wrapped so that its end is seen."""
        request.meta[INFLIGHT] = inflight
        self.tasks[inflight] = _Task()
        request.callback = self._wrap(request.callback, inflight, errback=False)
        request.errback = self._wrap(request.errback, inflight, errback=True)
        return request

    def untracked(self, request: Request) -> Request:
        """The request with its own callbacks (a redirect or retry copies the wrapped ones)."""
        if hasattr(request.callback, _ORIGINAL) or hasattr(request.errback, _ORIGINAL):
            request = request.replace(callback=getattr(request.callback, _ORIGINAL, request.callback),
                                      errback=getattr(request.errback, _ORIGINAL, request.errback))
        return request

    def handed_over(self, inflight: str) -> None:
        """A redirect or retry took the request's place in the queue."""
        self.tasks.pop(inflight, None)

    def output(self, inflight: str | None, out) -> None:
        """An output of the request in flight `inflight` leaves the spider (counted once: an errback's
        outputs may pass both its wrapper and the spider middlewares)."""
        task = self.tasks.get(inflight)
        if task is None or out is None:
            return
        if isinstance(out, Request):
            if out.meta.get(PARENT) != inflight:
                out.meta[PARENT] = inflight
                task.requests += 1
        elif id(out) not in task.counted:
            task.counted.add(id(out))
            task.items += 1

    def outputs_done(self, inflight: str | None) -> None:
        """The callback or errback of `inflight` yields nothing more."""
        task = self.tasks.get(inflight)
        if task is not None:
            task.done = True
            self._settle(inflight, task)

    def output_queued(self, parent: str | None) -> None:
        """A request yielded by the request in flight `parent` is in the queue, or was filtered, or dropped."""
        task = self.tasks.get(parent)
        if task is not None:
            task.requests -= 1
            self._settle(parent, task)

    def request_dropped(self, request):
        self.output_queued(request.meta.pop(PARENT, None))

    def _wrap(self, fn, inflight: str, *, errback: bool):
        """The callback as an async generator (so that even one raising at once hands its outcome to the
        spider middlewares), or the errback, whose outputs are counted here."""
        ext = self

        async def tracked(*args, **kwargs):
            try:
                if fn is None and errback:  # no errback: the failure is logged as Scrapy would
                    failure = args[0]
                    logger.warning("%s: %s could not be fetched: %s", ext.outlet, failure.request.url,
                                   failure.getErrorMessage())
                    return
                result = (fn or ext.crawler.spider._parse)(*args, **kwargs)
                if inspect.isawaitable(result):
                    result = await result
                outputs = result if hasattr(result, "__aiter__") else _aiter(arg_to_iter(result))
                async for out in outputs:
                    if errback:
                        ext.output(inflight, out)
                    yield out
            finally:
                if errback:
                    ext.outputs_done(inflight)
        setattr(tracked, _ORIGINAL, fn)
        return tracked

    def item_scraped(self, item, response):
        self._item_through(response, stored=True)

    def item_done(self, item, response):
        self._item_through(response, stored=False)

    def _item_through(self, response, stored: bool) -> None:
        meta = getattr(getattr(response, "request", None), "meta", None) or {}
        inflight = meta.get(INFLIGHT)
        task = self.tasks.get(inflight)
        if task is not None:  # (a pipeline may return another object: counted, not matched)
            task.items -= 1
            task.stored = task.stored or stored
            self._settle(inflight, task)

    def _settle(self, inflight: str, task: _Task) -> None:
        if task.settled:
            del self.tasks[inflight]
            (self._written if task.stored else self._ready).append(inflight)

    async def acknowledge(self) -> None:
        """Take the finished requests out of flight; those that stored an item once it is written."""
        ready, self._ready = self._ready, []
        written, self._written = self._written, []
        if written:
            await self.crawler.get_extension(RunDatabase).drain()  # written, or spooled: either way kept
        if ready or written:
            self.board.finished(self.outlet, self.worker, ready + written)

    # -- the crawl --------------------------------------------------------------------------------
    def spider_opened(self, spider):
        from twisted.internet.task import LoopingCall
        self._loop = LoopingCall(lambda: deferred_from_coro(self._tick()))
        self._loop.start(ACK_EVERY, now=False)

    async def _tick(self) -> None:
        if self._ticking or not self.active:
            return
        self._ticking = True
        try:
            await self.acknowledge()
            if time.monotonic() - self._published >= STATS_EVERY:
                self.publish()
            if self.board.state() != ACTIVE:
                self.participation.cancelled = True
                logger.warning("%s: run %s was cancelled or ended elsewhere; stopping", self.outlet,
                               self.board.run_id)
                engine = self.crawler.engine
                if engine is not None and engine.spider is not None:
                    deferred_from_coro(engine.close_spider_async(reason=CANCELLED))
                return
            self._follow_the_queue()
        except redis.RedisError as e:
            self.lost(e)
        finally:
            self._ticking = False

    def _follow_the_queue(self) -> None:
        """Scrapy asks an idle spider's scheduler for work, and whether it may close, only every 5 seconds (its
        engine heartbeat): requests other workers queue meanwhile would wait, and so would the end of the
        outlet. So each tick: with room to download, ask the scheduler now; idle with the outlet done
        everywhere, close."""
        engine = self.crawler.engine
        if engine is None or engine.spider is None:
            return
        if engine.spider_is_idle():
            if self._may_close():
                deferred_from_coro(engine.close_spider_async(reason="finished"))
        elif not engine.needs_backout():
            slot = getattr(engine, "_slot", None)  # (no public way to ask the engine to look again)
            if slot is not None:
                slot.nextcall.schedule()

    def publish(self, reason: str | None = None) -> None:
        stats = {k: v for k, v in self.crawler.stats.get_stats().items()
                 if isinstance(v, (int, float, str)) and not isinstance(v, bool)}
        if reason is not None:
            stats.setdefault("finish_reason", reason)
        self.board.publish_stats(self.worker, self.outlet, stats)
        self._published = time.monotonic()

    def _may_close(self) -> bool:
        """Whether this idle crawler's outlet has no work left, here or with any worker (when the worker that
        was seeding the outlet stopped before it was done, its claim reaped, this one seeds it now)."""
        if self.tasks or self._ready or self._written or self._seeding:
            return False
        if self.board.claim_seeding(self.outlet, self.worker):
            self._seeding = True
            deferred_from_coro(self._seed_again())
            return False
        return self.board.outlet_done(self.outlet, self.participation.outlets)

    def spider_idle(self, spider):
        if self.participation.lost:
            raise CloseSpider(REDIS_GONE)
        if self.participation.cancelled:
            raise CloseSpider(CANCELLED)
        try:
            done = self._may_close()
        except redis.RedisError as e:
            self.lost(e)
            raise CloseSpider(REDIS_GONE) from None
        if not done:
            deferred_from_coro(self._tick())  # acknowledges what is done, and follows the queue
            raise DontCloseSpider

    async def _seed_again(self) -> None:
        logger.warning("%s: the worker seeding the outlet's list requests stopped before it was done; this worker "
                       "seeds them (those already queued are filtered as seen)", self.outlet)
        try:
            async for entry in self.crawler.spider.start():
                if isinstance(entry, Request):
                    self.crawler.engine.crawl(entry)
            self.seeded()
        finally:
            self._seeding = False

    async def spider_closed(self, spider, reason):
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        unqueued = self.crawler.stats.get_value(UNQUEUED, 0)
        if unqueued:
            logger.warning("%s: %d request(s) found after this worker stopped taking part were not queued; the "
                           "next crawl of the outlet finds them again", self.outlet, unqueued)
        if self.participation.lost:
            return
        try:
            await self.acknowledge()
            self.publish(reason)
        except redis.RedisError as e:
            self.lost(e)
