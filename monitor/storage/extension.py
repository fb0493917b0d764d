"""The Scrapy side of the database service: how a crawler's components reach their run's database.

`RunDatabase` is an extension (EXTENSIONS in monitor/settings.py). Every component that touches
MongoDB during a crawl — the store pipeline, the skip-stored middlewares, the run record, the WARC
recorder (for the run id) — gets it with `crawler.get_extension(RunDatabase)`. All crawlers of one
run in one process share one `DatabaseService` (monitor/storage/service.py): the command that runs
the crawl opens it and offers it with `RunDatabase.serving(service)`; a crawler started some other
way (`scrapy crawl`, `monitor import`) opens its own.

Database work runs on the service's threads; this extension turns its futures into awaitables, so
no component blocks the event loop, and applies each batch's outcomes to the stats of the crawler
that produced the article (`monitor/stored/<outcome>`).

When the database is gone, MONITOR_DATABASE_LOSS decides: `spool` (the default) lets the crawl go on
with no database call waiting any more — every article it finds goes to the spool, so the next
command stores the whole run; `stop` closes every crawler of the run at once with the finish reason
DATABASE_GONE (what was found so far is in the spool; the rest is fetched by the next crawl).
"""
from __future__ import annotations

import logging
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass, field

from scrapy import signals
from scrapy.utils.defer import deferred_from_coro, maybe_deferred_to_future
from monitor import workers
from monitor.storage.service import DatabaseService

logger = logging.getLogger(__name__)

#: The finish reason of a crawler closed because the database stopped answering (monitor/ops/health.py).
DATABASE_GONE = "database_unavailable"
#: Batches handed to the writer and not yet done before `store` waits (bounds memory when writes lag).
MAX_PENDING_BATCHES = 4


@dataclass
class _Run:
    service: DatabaseService
    owned: bool                     # opened by the crawlers themselves: the last one closes it
    users: int = 0
    pending: deque = field(default_factory=deque)


class RunDatabase:
    _runs: dict[str, _Run] = {}

    def __init__(self, crawler, run: _Run, stop_on_loss: bool):
        self.crawler = crawler
        self._run = run
        self.service = run.service
        self.stop_on_loss = stop_on_loss  # MONITOR_DATABASE_LOSS is "stop"

    @classmethod
    @contextmanager
    def serving(cls, service: DatabaseService):
        """While this block runs, crawlers whose MONITOR_RUN_ID is `service.run_id` use `service`."""
        cls._runs[service.run_id] = _Run(service, owned=False)
        try:
            yield service
        finally:
            cls._runs.pop(service.run_id, None)

    @classmethod
    def from_crawler(cls, crawler):
        loss = crawler.settings.get("MONITOR_DATABASE_LOSS", "spool")
        if loss not in ("spool", "stop"):
            raise ValueError(f"MONITOR_DATABASE_LOSS is {loss!r}; it must be spool or stop")
        run_id = crawler.settings.get("MONITOR_RUN_ID") or None
        run = cls._runs.get(run_id) if run_id else None
        if run is None:  # raises DatabaseUnavailable, naming the URI, when the database cannot be reached
            service = DatabaseService.open(crawler.settings, run_id=run_id)
            run = cls._runs[service.run_id] = _Run(service, owned=True)
        run.users += 1
        ext = cls(crawler, run, stop_on_loss=loss == "stop")
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        run.service.on_gone.append(ext._database_gone)
        return ext

    @property
    def run_id(self) -> str:
        return self.service.run_id

    # -- database calls, awaited ------------------------------------------------------------------
    async def read(self, fn, *args):
        """fn(db, *args) on the service's reader thread; raises DatabaseGone when the database is gone."""
        return await workers.wait(self.service.read(fn, *args))

    async def write(self, fn, *args):
        """fn(db, *args) on the writer thread, in order with the article batches."""
        return await workers.wait(self.service.write(fn, *args))

    async def store(self, doc: dict) -> None:
        """Queue an article document for the run's persistence stage; waits only when writes lag behind."""
        self._track(self.service.add(doc, self.crawler.stats))
        while len(self._run.pending) > MAX_PENDING_BATCHES:
            await maybe_deferred_to_future(self._run.pending[0])
            self._prune()

    async def drain(self) -> None:
        """Until everything queued so far, by any crawler of the run, is written or spooled and counted."""
        self._track(self.service.flush())
        # The writer runs batches in order and their outcomes reach the reactor in order: once this
        # barrier fires, every earlier batch is done and counted.
        await workers.wait(self.service.barrier())
        self._prune()

    def _track(self, future) -> None:
        if future is not None:
            self._run.pending.append(workers.deferred(future).addCallback(_count_outcomes))

    def _prune(self) -> None:
        while self._run.pending and self._run.pending[0].called:
            self._run.pending.popleft()

    # -- the crawl --------------------------------------------------------------------------------
    def spider_opened(self, spider):
        if self.service.gone and self.stop_on_loss:
            self._stop_crawl()

    def _database_gone(self, reason: str) -> None:
        # called on a database thread
        if self.stop_on_loss:
            from twisted.internet import reactor
            reactor.callFromThread(self._stop_crawl)

    def _stop_crawl(self) -> None:
        engine = self.crawler.engine
        if engine is None or engine.spider is None:
            return
        deferred_from_coro(engine.close_spider_async(reason=DATABASE_GONE))

    def engine_stopped(self):
        self.service.on_gone.remove(self._database_gone)
        self._run.users -= 1
        if self._run.owned and self._run.users <= 0:
            self._runs.pop(self.service.run_id, None)
            self.service.close()


def _count_outcomes(outcomes):
    """Each article's outcome into the stats of the crawler that produced it (before anyone awaiting the
    batch resumes: a Deferred's callbacks run as it fires)."""
    for stats, outcome in outcomes:
        if stats is not None and outcome is not None:
            stats.inc_value(f"monitor/stored/{outcome}")
    return outcomes
