"""`monitor worker`: a process that takes part in distributed runs (docs/scaling.md).

It waits for a run announced on Redis (MONITOR_REDIS_URL) by `monitor crawl/run --distributed`,
joins it, and crawls every outlet of the run with the shared scheduler (monitor/distributed/):
requests come from and go to the run's queues, articles go through this process's own persistence
stage into the same MongoDB. When no outlet has work left anywhere it publishes its report, leaves the
run and waits for the next (`--once`: it exits instead). One Scrapy reactor serves every run of the
process; a SIGTERM or Ctrl-C stops the crawl gracefully and puts what was still in flight back in the
queue for the other workers.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
import time
from dataclasses import dataclass, field

import redis

from monitor.distributed.board import ACTIVE, RunBoard, RunSpec, display_url, new_worker_id
from monitor.distributed.extension import Participation, SharedRun
from monitor.ops.crawl import CrawlOptions, _remember_failure, crawl_settings
from monitor.storage.extension import RunDatabase
from monitor.storage.mongo import DatabaseUnavailable
from monitor.storage.service import DatabaseService

logger = logging.getLogger(__name__)

SCHEDULER = "monitor.distributed.scheduler.SharedScheduler"
#: How often a waiting worker looks for a run (seconds).
POLL_EVERY = 1.0
#: Exit code of a worker (or coordinator) that cannot reach Redis.
REDIS_UNREACHABLE = 4


def worker_settings(settings, spec: RunSpec, worker: str):
    """The run's crawl settings, with the shared scheduler and this worker's switches."""
    settings = crawl_settings(settings, spec.run_id, CrawlOptions.from_document(spec.options))
    put = lambda name, value: settings.set(name, value, priority="cmdline")  # noqa: E731
    put("MONITOR_WORKER_ID", worker)
    put("MONITOR_RECORD_PART", worker)
    put("SCHEDULER", SCHEDULER)
    # Each outlet's part of the run is merged from every worker's counts by the coordinator.
    put("MONITOR_RUN_RECORD", False)
    return settings


class _Heartbeat:
    """The worker's heartbeat on the board, from its own thread (a busy reactor must not look dead)."""

    def __init__(self, board: RunBoard, worker: str):
        self.stop_event = threading.Event()
        every = max(board.worker_timeout / 3, 0.2)

        def beat():
            while not self.stop_event.wait(every):
                try:
                    board.beat(worker)
                except redis.RedisError:
                    pass  # the crawl's next Redis call says so
        threading.Thread(target=beat, name="monitor-worker-heartbeat", daemon=True).start()

    def stop(self) -> None:
        self.stop_event.set()


@dataclass
class _Part:
    """The run this worker is taking part in."""
    board: RunBoard
    participation: Participation
    service: DatabaseService
    heartbeat: _Heartbeat
    crawlers: dict = field(default_factory=dict)
    start_errors: dict = field(default_factory=dict)


class Worker:
    def __init__(self, settings, client: redis.Redis, *, once: bool = False):
        self.settings = settings
        self.redis = client
        self.once = once
        self.id = new_worker_id()
        self.prefix = settings.get("MONITOR_REDIS_PREFIX") or "monitor"
        self.timeout = settings.getfloat("MONITOR_WORKER_TIMEOUT", 30)
        self.redis_url = display_url(settings.get("MONITOR_REDIS_URL"))
        self.exit_code = 0
        self.stopping = False
        self.part: _Part | None = None
        self.process = None

    def serve(self) -> int:
        """Take part in runs until stopped (or, `once`, in one run); returns the exit code."""
        from scrapy.crawler import CrawlerProcess
        from scrapy.utils.reactor import install_reactor

        self.process = CrawlerProcess(self.settings)
        # (a CrawlerProcess installs it with its first crawler; this one's crawlers come later, one set per run)
        install_reactor(self.settings["TWISTED_REACTOR"], self.settings["ASYNCIO_EVENT_LOOP"])
        from twisted.internet import reactor
        from twisted.internet.defer import Deferred

        def begin():
            reactor.addSystemEventTrigger("before", "shutdown", self._stop)
            done = Deferred.fromCoroutine(self._serve())
            done.addErrback(self._failed)
            done.addBoth(lambda _: reactor.running and not self.stopping and reactor.stop())
        reactor.callWhenRunning(begin)
        self.process.start(stop_after_crawl=False)
        if self.part is not None:   # stopped by a signal in the middle of a run
            self._leave(self.part, interrupted=True)
        return self.exit_code

    def _stop(self) -> None:
        self.stopping = True

    def _failed(self, failure) -> None:
        if failure.check(redis.RedisError):
            logger.error("Redis at %s stopped answering (%s); the worker stops", self.redis_url,
                         failure.getErrorMessage())
            self.exit_code = REDIS_UNREACHABLE
        else:
            logger.error("The worker failed: %s", failure.getTraceback())
            self.exit_code = 1

    async def _serve(self) -> None:
        from twisted.internet import reactor
        from twisted.internet.task import deferLater

        logger.info("Worker %s waiting for runs on %s", self.id, self.redis_url)
        while not self.stopping:
            run_id = RunBoard.next_run(self.redis, self.prefix)
            if run_id is None:
                await deferLater(reactor, POLL_EVERY)
                continue
            await self._take_part(run_id)
            if self.once:
                return
            logger.info("Worker %s waiting for runs on %s", self.id, self.redis_url)

    async def _take_part(self, run_id: str) -> None:
        from scrapy.crawler import Crawler
        from twisted.internet.defer import DeferredList

        board = RunBoard(self.redis, run_id, self.prefix, worker_timeout=self.timeout)
        spec = board.spec()
        if spec is None or board.state() != ACTIVE:
            return
        settings = worker_settings(self.settings, spec, self.id)
        board.join(self.id)
        heartbeat = _Heartbeat(board, self.id)
        logger.info("Worker %s joins run %s (%d outlet(s), %s to %s)", self.id, run_id, len(spec.outlets),
                    spec.since, spec.until)
        try:
            service = DatabaseService.open(settings, run_id=run_id)
        except DatabaseUnavailable as e:
            logger.error("Run %s: %s", run_id, e)
            heartbeat.stop()
            board.leave(self.id, {**self._facts(), "database_gone": str(e)})
            self.exit_code = 3
            return
        participation = Participation(board, self.id, list(spec.outlets), redis_url=self.redis_url)
        part = self.part = _Part(board, participation, service, heartbeat)
        with RunDatabase.serving(service), SharedRun.serving(participation):
            waits = []
            for name in spec.outlets:
                crawler = part.crawlers[name] = Crawler(self.process.spider_loader.load(name), settings)
                deferred = self.process.crawl(crawler, since=spec.since, until=spec.until)
                deferred.addErrback(_remember_failure, name, part.start_errors)
                waits.append(deferred)
            await DeferredList(waits)
        # a SIGTERM or Ctrl-C stopped the crawlers (Scrapy's graceful shutdown): take part in nothing more
        self.stopping = self.stopping or any(c.stats and c.stats.get_value("finish_reason") == "shutdown"
                                             for c in part.crawlers.values())
        self._leave(part, interrupted=self.stopping)

    def _leave(self, part: _Part, *, interrupted: bool) -> None:
        """Write what is buffered, put back what is still in flight, publish the report, leave."""
        self.part = None
        part.service.flush_now()
        part.heartbeat.stop()
        participation, board = part.participation, part.board
        stats = [c.stats for c in part.crawlers.values() if c.stats]
        report = {**self._facts(), "database_gone": part.service.gone, "redis_lost": participation.lost,
                  "start_errors": part.start_errors, "interrupted": interrupted,
                  "record_files": sorted({s.get_value("monitor/record/file") for s in stats
                                          if s.get_value("monitor/record/file")}),
                  "recorded": sum(s.get_value("monitor/record/responses", 0) for s in stats)}
        try:
            requeued = sum(board.requeue(outlet, self.id) for outlet in participation.outlets)
            if requeued:
                logger.warning("Run %s: %d request(s) still in flight put back for the other workers",
                               board.run_id, requeued)
            board.leave(self.id, report)
        except redis.RedisError as e:
            logger.error("Run %s: the worker's report could not be published (Redis: %s); its requests in "
                         "flight go back to the queue when its heartbeat expires", board.run_id, e)
            participation.lost = participation.lost or str(e)
        part.service.close()
        if participation.lost:
            self.exit_code = REDIS_UNREACHABLE
        elif part.service.gone:
            self.exit_code = 3
        logger.info("Worker %s leaves run %s", self.id, board.run_id)

    def _facts(self) -> dict:
        return {"worker": self.id, "host": socket.gethostname(), "pid": os.getpid(), "at": time.time()}
