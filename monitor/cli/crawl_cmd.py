"""monitor crawl [OUTLET ...] [--since D --until D | --days N] [--record DIR] [--replay PATH] [--refresh] [--distributed]"""
from __future__ import annotations

from pathlib import Path

from monitor.cli.common import CommandError, database, day, positive_int, project_settings

NAME = "crawl"
HELP = "crawl outlets into MongoDB without exporting (all outlets when none is named)"


def add_crawl_options(parser) -> None:
    """--record / --replay / --refresh, shared with `monitor run`."""
    group = parser.add_argument_group("crawl options")
    group.add_argument("--record", type=Path, metavar="DIR",
                       help="write every response to DIR/monitor-<run id>.warc.gz (an evidence archive)")
    group.add_argument("--replay", type=Path, metavar="PATH",
                       help="answer every request from a WARC file or a directory of them; no network")
    group.add_argument("--refresh", action="store_true",
                       help="fetch articles already in the database again (default: skip them)")
    group.add_argument("--distributed", action="store_true",
                       help="let `monitor worker` processes crawl the run through the Redis at MONITOR_REDIS_URL "
                            "(docs/scaling.md); exit 4 when Redis cannot be reached")


def add_arguments(parser):
    parser.add_argument("outlets", nargs="*", metavar="OUTLET",
                        help="outlet keys (spider names), e.g. xinhua nhc; default: every outlet")
    parser.add_argument("--since", type=day, help="first day of the window (YYYY-MM-DD, Beijing time; "
                        "default: 6 days before --until)")
    parser.add_argument("--until", type=day, help="last day of the window (YYYY-MM-DD; default: today)")
    parser.add_argument("--days", type=positive_int, metavar="N",
                        help="the window is the last N days up to --until (default 7); `--days 2` is the daily "
                             "crawl of docs/scheduling.md. Not with --since")
    add_crawl_options(parser)


def crawl_options(args):
    from monitor.ops.crawl import CrawlOptions
    from monitor.ops.warc import ArchiveError, warc_files
    if args.replay is not None:
        try:
            files = warc_files(args.replay)
        except ArchiveError as e:
            raise CommandError(f"--replay: {e}", 2) from None
        if not files:
            raise CommandError(f"--replay: {args.replay} holds no WARC files", 2)
    if args.record is not None:
        if args.record.exists() and not args.record.is_dir():
            raise CommandError(f"--record: {args.record} exists and is not a directory", 2)
    if args.distributed:
        # the workers open these paths: a relative one would be read from their working directories
        record = args.record.resolve() if args.record else None
        replay = args.replay.resolve() if args.replay else None
        return CrawlOptions(record=record, replay=replay, refresh=args.refresh, distributed=True)
    return CrawlOptions(record=args.record, replay=args.replay, refresh=args.refresh)


def redis_client(settings, options):
    """The Redis of a distributed run, checked before anything is recorded (None for a one-process run)."""
    if not options.distributed:
        return None
    from monitor.distributed.board import connect
    return connect(settings.get("MONITOR_REDIS_URL"))


def run_crawl(settings, service, outlets, window, options, client, **run_fields):
    """The crawl of a run: in this process, or by `monitor worker` processes (--distributed)."""
    from monitor.ops.crawl import crawl
    if client is None:
        return crawl(settings, service, outlets, window, options, **run_fields)
    import redis
    from monitor.distributed.board import display_url
    from monitor.ops.coordinator import crawl_distributed
    from monitor.ops.crawl import RunOutcome
    from monitor.ops.health import FAILED
    try:
        return crawl_distributed(settings, service, outlets, window, options, client=client, **run_fields)
    except redis.RedisError as e:
        gone = (f"Redis at {display_url(settings.get('MONITOR_REDIS_URL'))} stopped answering ({e}); the "
                "workers stop; run the crawl again once Redis is back (stored articles are not fetched again)")
        return RunOutcome(run_id=service.run_id, status=FAILED, redis_gone=gone)


def exit_code_of_crawl(outcome) -> int:
    """3 the database went away, 4 Redis went away, 1 every outlet failed, else 0."""
    from monitor.ops.health import FAILED
    return 3 if outcome.database_gone else 4 if outcome.redis_gone else 1 if outcome.status == FAILED else 0


def notice_config(settings):
    """The run notices' settings (MONITOR_ALERT_*, MONITOR_SMTP_*), checked before anything is crawled."""
    from monitor.ops.notices import NoticeConfig, NoticeConfigError
    try:
        return NoticeConfig.from_settings(settings)
    except NoticeConfigError as e:
        raise CommandError(str(e), 2) from None


def check_outlets(settings, names: list[str]) -> list[str]:
    from monitor.ops.crawl import outlet_spiders
    accepted = outlet_spiders(settings)
    unknown = [n for n in names if n not in accepted]
    if unknown:
        raise CommandError(f"unknown outlet(s) {', '.join(unknown)}; the outlets are: {', '.join(accepted)}", 2)
    return list(dict.fromkeys(names)) or accepted


def run(args) -> int:
    from monitor.storage import runs
    from monitor.ops.crawl import record_line
    from monitor.ops.notices import notice_when_unreachable, notify_run
    from monitor.ops.summary import run_summary
    from monitor.storage.service import DatabaseGone
    from monitor.window import Window

    settings = project_settings()
    outlets = check_outlets(settings, args.outlets)
    if args.days is not None and args.since is not None:
        raise CommandError("--days and --since both set the window's first day; give one of them", 2)
    if args.days is not None and args.days > 366:
        raise CommandError(f"--days {args.days}: at most 366 (use --since for a longer backfill)", 2)
    try:
        window = Window.from_args(args.since and args.since.isoformat(), args.until and args.until.isoformat(),
                                  days=args.days or 7)
    except ValueError as e:
        raise CommandError(f"--since/--until: {e}", 2) from None
    options = crawl_options(args)
    alerts = notice_config(settings)
    with notice_when_unreachable(alerts, command=NAME):
        client = redis_client(settings, options)
    with notice_when_unreachable(alerts, command=NAME), database(settings) as service:
        outcome = run_crawl(settings, service, outlets, window, options, client, command=NAME)
        exit_code = exit_code_of_crawl(outcome)
        doc = service.finish_run(runs.finish_update(status=outcome.status, exit_code=exit_code,
                                                    outlets=outcome.outlets,
                                                    error=outcome.database_gone or outcome.redis_gone))
        doc = notify_run(alerts, service, doc)
        gone = service.gone
    print(run_summary(doc))
    recorded = record_line(options, outcome)
    if recorded:
        print(recorded)
    if gone:
        raise DatabaseGone(gone)
    if outcome.redis_gone:
        print(f"monitor crawl: error: {outcome.redis_gone}", flush=True)
    elif exit_code:
        print("every outlet failed; see the problems above", flush=True)
    return exit_code
