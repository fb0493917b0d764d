"""A crawl run: every chosen outlet's spider in one CrawlerProcess, recorded in `runs`.

Used by `monitor crawl` and `monitor run`. The options become settings (MONITOR_RUN_ID,
MONITOR_RECORD_DIR, MONITOR_REPLAY_PATH, MONITOR_REFRESH, MONITOR_PROGRESS) that switch the
components in this package on; nothing is threaded through the spiders.
"""
from __future__ import annotations

import logging
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from monitor.ops.health import FAILED, outlet_section, overall
from monitor.storage.extension import RunDatabase
from monitor.storage.service import DatabaseService
from monitor.window import Window

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CrawlOptions:
    record: Path | None = None
    replay: Path | None = None
    refresh: bool = False
    distributed: bool = False   # crawled by `monitor worker` processes through Redis (monitor/ops/coordinator.py)

    def as_document(self) -> dict:
        return {"record": str(self.record) if self.record else None,
                "replay": str(self.replay) if self.replay else None,
                "refresh": self.refresh, "distributed": self.distributed}

    @classmethod
    def from_document(cls, doc: dict) -> "CrawlOptions":
        return cls(record=Path(doc["record"]) if doc.get("record") else None,
                   replay=Path(doc["replay"]) if doc.get("replay") else None,
                   refresh=bool(doc.get("refresh")), distributed=bool(doc.get("distributed")))


@dataclass
class RunOutcome:
    run_id: str
    status: str
    outlets: dict[str, dict] = field(default_factory=dict)
    record_file: str | None = None
    recorded: int = 0                # responses written to record_file
    database_gone: str | None = None   # set when the database stopped answering during the crawl
    redis_gone: str | None = None      # set when Redis stopped answering during a distributed crawl


def outlet_spiders(settings) -> list[str]:
    """Outlet keys that have a spider: what `monitor crawl` accepts."""
    from scrapy.spiderloader import get_spider_loader
    from monitor.outlets import load_outlets
    spiders = set(get_spider_loader(settings).list())
    return sorted(key for key in load_outlets() if key in spiders)


def crawl_settings(settings, run_id: str, options: CrawlOptions):
    """The project settings with this run's switches; `settings` is left as it was."""
    settings = settings.copy()
    put = lambda name, value: settings.set(name, value, priority="cmdline")  # noqa: E731
    # Every crawler of the run reaches the database through the command's service (RunDatabase.serving).
    put("MONITOR_RUN_ID", run_id)
    put("MONITOR_RUN_RECORD", True)
    put("MONITOR_RECORD_DIR", str(options.record) if options.record else "")
    put("MONITOR_REPLAY_PATH", str(options.replay) if options.replay else "")
    put("MONITOR_REFRESH", options.refresh)
    if options.replay:
        # No network behind the archive: nothing to be polite to.
        put("AUTOTHROTTLE_ENABLED", False)
        put("DOWNLOAD_DELAY", 0)
        put("CONCURRENT_REQUESTS_PER_DOMAIN", 16)
    if sys.stderr.isatty():
        put("MONITOR_PROGRESS", True)
        if "MONITOR_LOG_LEVEL" not in os.environ:
            # The progress line replaces the INFO chatter; warnings and errors still show.
            put("LOG_LEVEL", "WARNING")
    return settings


def crawl(settings, service: DatabaseService, outlets: list[str], window: Window, options: CrawlOptions, *,
          command: str, profile: str | None = None, issue_date=None) -> RunOutcome:
    """Crawl `outlets` for `window`, the run being `service.run_id`; the run document is complete (but for
    its end, which the command writes with `service.finish_run`) when this returns."""
    from scrapy.crawler import CrawlerProcess

    run_id = service.run_id
    service.start_run(command=command, outlets=outlets, window=window, options=options.as_document(),
                      profile=profile, issue_date=issue_date)
    service.start_heartbeat()
    process = CrawlerProcess(crawl_settings(settings, run_id, options))
    crawlers, start_errors = {}, {}
    with RunDatabase.serving(service):
        for name in outlets:
            crawler = process.create_crawler(name)
            crawlers[name] = crawler
            deferred = process.crawl(crawler, since=window.since.isoformat(), until=window.until.isoformat())
            deferred.addErrback(_remember_failure, name, start_errors)
        process.start()
        service.flush_now()

    sections = outlet_sections({name: dict(crawler.stats.get_stats()) if crawler.stats else {}
                                for name, crawler in crawlers.items()}, start_errors)
    status = FAILED if service.gone else overall([s["verdict"] for s in sections.values()])
    record_file = next((c.stats.get_value("monitor/record/file") for c in crawlers.values()
                        if c.stats and c.stats.get_value("monitor/record/file")), None)
    recorded = sum(c.stats.get_value("monitor/record/responses", 0) for c in crawlers.values() if c.stats)
    return RunOutcome(run_id=run_id, status=status, outlets=sections, record_file=record_file,
                      recorded=recorded, database_gone=service.gone)


def outlet_sections(stats: dict[str, dict], start_errors: dict[str, str]) -> dict[str, dict]:
    """Each outlet's part of the run document, from its crawler's stats."""
    sections = {}
    for name, outlet_stats in stats.items():
        section = outlet_section(outlet_stats)
        if name in start_errors:
            section["verdict"] = FAILED
            section["problems"].insert(0, f"the spider failed: {start_errors[name]}")
        sections[name] = section
    return sections


def record_line(options: CrawlOptions, outcome: RunOutcome) -> str | None:
    """What --record wrote, for the command's summary (None without --record)."""
    if not options.record:
        return None
    if outcome.record_file:
        return f"  recorded: {outcome.recorded} response(s) to {outcome.record_file}"
    why = ("every response came from the --replay archive, which already holds it" if options.replay
           else "no response was received")
    return f"  recorded: nothing ({why}); no file written in {options.record}"


def _remember_failure(failure, name: str, errors: dict) -> None:
    errors[name] = f"{failure.type.__name__}: {failure.getErrorMessage()}"
    logger.error("Outlet %s: the spider failed: %s", name, errors[name])
