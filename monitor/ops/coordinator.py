"""`monitor crawl/run --distributed`: a run crawled by `monitor worker` processes (docs/scaling.md).

The command records the run in MongoDB as any run, announces it on Redis (monitor/distributed/board.py)
and waits: workers join, the first to open an outlet seeds its list requests, all of them share the
article requests, each writes what it finds through its own persistence stage. The run is over when
every outlet has nothing queued and nothing in flight with any worker, and every worker that joined
has left (or stopped answering: its requests in flight were put back for the others). The outlets'
counts are then merged from every worker's, and the run goes on as a one-process run does (its
record, the export, the notice).
"""
from __future__ import annotations

import logging
import time

import redis

from monitor.distributed.board import CANCELLED, REPORT, RunBoard, RunSpec, display_url
from monitor.ops.crawl import CrawlOptions, RunOutcome, outlet_sections
from monitor.ops.health import FAILED, overall
from monitor.storage.service import DatabaseService
from monitor.window import Window

logger = logging.getLogger(__name__)

#: How often the coordinator looks at the board (seconds), and how often it logs where the run stands.
POLL_EVERY = 0.5
LOG_EVERY = 30.0


def crawl_distributed(settings, service: DatabaseService, outlets: list[str], window: Window,
                      options: CrawlOptions, *, client: redis.Redis, command: str, profile: str | None = None,
                      issue_date=None) -> RunOutcome:
    """Announce the run and wait for its workers; the run document is complete (but for its end) on return.
    Raises redis.RedisError when Redis stops answering."""
    run_id = service.run_id
    prefix = settings.get("MONITOR_REDIS_PREFIX") or "monitor"
    board = RunBoard(client, run_id, prefix, worker_timeout=settings.getfloat("MONITOR_WORKER_TIMEOUT", 30))
    service.start_run(command=command, outlets=outlets, window=window, options=options.as_document(),
                      profile=profile, issue_date=issue_date)
    service.update_run({"redis": display_url(settings.get("MONITOR_REDIS_URL"))})
    service.start_heartbeat()
    board.announce(RunSpec(run_id, outlets, window.since.isoformat(), window.until.isoformat(),
                           options.as_document()))
    wait_for_workers = settings.getfloat("MONITOR_WORKER_WAIT", 600)
    logger.info("Run %s announced on %s; waiting for `monitor worker` processes", run_id,
                display_url(settings.get("MONITOR_REDIS_URL")))
    logged = time.monotonic()
    unattended = time.monotonic()   # since when no worker is in the run (None while one is)
    try:
        while True:
            board.reap(outlets)
            joined = board.workers()
            live = set(joined) - board.left()
            pending = [o for o in outlets if not board.outlet_done(o, outlets, reap=False)]
            if joined and not live and not pending:
                break
            if live:
                unattended = None
            else:
                # Workers leave only when no outlet has work left, unless they were stopped: then the run
                # waits for other workers, for as long as it waits for the first.
                not_started = set().union(*(r.get("start_errors") or {} for r in _reports(board.stats())))
                if joined and set(pending) <= not_started:
                    break  # every outlet left failed to start in the workers: no worker would do better
                unattended = unattended or time.monotonic()
                if time.monotonic() - unattended > wait_for_workers:
                    board.set_state(CANCELLED)
                    reason = (f"no worker joined the run within {wait_for_workers:.0f} s (MONITOR_WORKER_WAIT); "
                              "start `monitor worker` with the same MONITOR_REDIS_URL" if not joined else
                              f"unfinished: every worker left the run and none joined within "
                              f"{wait_for_workers:.0f} s (MONITOR_WORKER_WAIT)")
                    logger.error("Run %s: %s", run_id, reason)
                    return _finish(board, outlets, service, unfinished={o: reason for o in pending})
            if time.monotonic() - logged >= LOG_EVERY:
                logged = time.monotonic()
                logger.info("Run %s: %d worker(s), %d request(s) queued", run_id, len(live), board.queued(outlets))
            time.sleep(POLL_EVERY)
    except KeyboardInterrupt:
        board.set_state(CANCELLED)  # the workers stop and leave the run
        raise
    return _finish(board, outlets, service)


def _finish(board: RunBoard, outlets: list[str], service: DatabaseService, *,
            unfinished: dict[str, str] | None = None) -> RunOutcome:
    """The run's outcome from what every worker published; the run's keys go from Redis."""
    by_worker = board.stats()
    board.finish()
    if by_worker:
        service.update_run({"workers": sorted(by_worker)})
    return _outcome(board.run_id, outlets, by_worker, service, unfinished=unfinished)


def _reports(by_worker: dict) -> list[dict]:
    return [published.get(REPORT) or {} for published in by_worker.values()]


def merge_stats(parts: list[dict]) -> dict:
    """One outlet's stats from every worker's: counts added up; a crawl finished if any worker finished it."""
    merged: dict = {}
    for stats in parts:
        for key, value in stats.items():
            if key == "finish_reason":
                if merged.get(key) != "finished":
                    merged[key] = value
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                merged[key] = merged.get(key, 0) + value
            else:
                merged.setdefault(key, value)
    return merged


def _outcome(run_id: str, outlets: list[str], by_worker: dict, service: DatabaseService, *,
             unfinished: dict[str, str] | None = None) -> RunOutcome:
    reports = _reports(by_worker)
    start_errors = {}
    for report in reports:
        start_errors.update(report.get("start_errors") or {})
    stats = {name: merge_stats([published[name] for published in by_worker.values() if name in published])
             for name in outlets}
    sections = outlet_sections(stats, start_errors)
    for name, reason in (unfinished or {}).items():
        sections[name]["verdict"] = FAILED
        sections[name]["problems"].insert(0, reason)
    gone = service.gone or next((r["database_gone"] for r in reports if r.get("database_gone")), None)
    record_files = sorted({f for r in reports for f in r.get("record_files") or []})
    status = FAILED if gone else overall([s["verdict"] for s in sections.values()])
    return RunOutcome(run_id=run_id, status=status, outlets=sections, record_file=", ".join(record_files) or None,
                      recorded=sum(r.get("recorded") or 0 for r in reports), database_gone=gone)
