"""monitor import FILE.jsonl [--since D] [--until D]"""
from __future__ import annotations

from pathlib import Path

from monitor.cli.common import CommandError, database, day, drop_counts, project_settings, run_spider

NAME = "import"
HELP = "import articles from a JSON Lines file through the item pipelines into MongoDB"


def add_arguments(parser):
    parser.add_argument("file", type=Path, help="JSON Lines file: one article object per line "
                        "(at least url, source, title, published_at as ISO 8601, body_markdown)")
    parser.add_argument("--since", type=day, help="first day of the date window (YYYY-MM-DD, Beijing time)")
    parser.add_argument("--until", type=day, help="last day of the date window (YYYY-MM-DD, Beijing time)")


def run(args) -> int:
    from monitor.importer import JsonlImportSpider
    from monitor.storage.extension import RunDatabase
    from monitor.storage.service import DatabaseGone

    if not args.file.is_file():
        raise CommandError(f"import: {args.file} does not exist or is not a file", 2)
    if args.since and args.until and args.since > args.until:
        raise CommandError(f"import: --since {args.since} is after --until {args.until}", 2)
    settings = project_settings()
    with database(settings) as service:
        settings.set("MONITOR_RUN_ID", service.run_id, priority="cmdline")
        with RunDatabase.serving(service):
            crawler = run_spider(settings, JsonlImportSpider, path=str(args.file),
                                 since=args.since and args.since.isoformat(),
                                 until=args.until and args.until.isoformat())
        gone = service.gone
    stats = crawler.stats.get_stats()
    get = lambda key: stats.get(key, 0)  # noqa: E731
    print(f"{args.file}: {get('import/lines_read')} article(s) read, "
          f"{get('import/malformed_lines')} malformed line(s) skipped")
    print(f"stored: {get('monitor/stored/inserted')} new, {get('monitor/stored/updated')} updated, "
          f"{get('monitor/stored/unchanged')} unchanged")
    for reason, count in sorted(drop_counts(stats).items()):
        print(f"dropped ({reason}): {count}")
    if get("monitor/stored/spooled"):
        print(f"kept on disk for the next command (database went away): {get('monitor/stored/spooled')}")
    if gone:
        raise DatabaseGone(gone)
    if stats.get("finish_reason") != "finished":
        raise CommandError(f"import did not finish: {stats.get('finish_reason')}; see the log above")
    return 0
