"""monitor run --profile NAME [--issue-date D] [--number N] [--format md,docx] [--record DIR] [--replay PATH] [--refresh] [--distributed]"""
from __future__ import annotations

from monitor.cli.common import CommandError, database, day, positive_int, project_settings
from monitor.cli.crawl_cmd import (add_crawl_options, check_outlets, crawl_options, exit_code_of_crawl, notice_config,
                                   redis_client, run_crawl)
from monitor.cli.report_args import add_format_argument

NAME = "run"
HELP = ("the whole job: crawl every outlet of a report profile for the issue's window, then export the issue "
        "(exit 0 done, 1 every outlet failed or the export failed, 2 bad argument or configuration, "
        "3 database unreachable, 4 Redis unreachable with --distributed)")


def add_arguments(parser):
    parser.add_argument("--profile", required=True, metavar="NAME",
                        help="report profile: a file in spiders_config/profiles/, e.g. weekly, monthly")
    parser.add_argument("--issue-date", type=day, metavar="YYYY-MM-DD",
                        help="the issue's date (default: the profile's most recent due date: weekly, the latest "
                             "Friday up to today; monthly, the last day of the previous month, or today on "
                             "a month's last day)")
    parser.add_argument("--number", type=positive_int, metavar="N",
                        help="the issue's number (needed for a profile's first issue; later ones follow on)")
    add_format_argument(parser)
    add_crawl_options(parser)


def run(args) -> int:
    from monitor.storage import runs
    from monitor.ops.crawl import record_line
    from monitor.ops.health import FAILED
    from monitor.ops.notices import notice_when_unreachable, notify_run
    from monitor.ops.summary import run_summary
    from monitor.report.export import export_issue
    from monitor.report.profiles import IssueDateError, ProfileError, load_profile
    from monitor.storage.service import DatabaseGone
    from monitor.window import beijing_now

    try:
        profile = load_profile(args.profile)
    except ProfileError as e:
        raise CommandError(f"--profile: {e}", 2) from None
    issue_date = args.issue_date or profile.latest_issue_date(beijing_now().date())
    try:
        window = profile.window(issue_date)
    except IssueDateError as e:
        raise CommandError(f"--issue-date: {e}", 2) from None
    settings = project_settings()
    outlets = check_outlets(settings, list(profile.outlets))
    options = crawl_options(args)
    alerts = notice_config(settings)

    with notice_when_unreachable(alerts, command=NAME, profile=profile.name, issue_date=issue_date):
        client = redis_client(settings, options)
    with notice_when_unreachable(alerts, command=NAME, profile=profile.name, issue_date=issue_date), \
            database(settings) as service:
        outcome = run_crawl(settings, service, outlets, window, options, client, command=NAME,
                            profile=profile.name, issue_date=issue_date)
        if outcome.database_gone:
            export = {"error": "not attempted: the database stopped answering during the crawl"}
        elif outcome.redis_gone:
            export = {"error": f"not attempted: {outcome.redis_gone}"}
        elif outcome.status == FAILED:
            export = {"error": "not attempted: every outlet failed"}
        else:
            try:
                result = service.guarded(export_issue, service.db, profile.name, issue_date, number=args.number,
                                         formats=args.formats)
                export = {"path": str(result.path), "files": {k: str(p) for k, p in result.paths.items()},
                          "number": result.number, "count": result.count}
            except DatabaseGone as e:
                export = {"error": f"not attempted: {e}"}
            except (LookupError, ValueError, OSError) as e:
                # EmptyWindow, NumberingError, IssueDateError, ProfileError and write failures say what to do.
                export = {"error": f"{type(e).__name__}: {e}"}
        exit_code = 3 if service.gone else exit_code_of_crawl(outcome) or (0 if export.get("path") else 1)
        doc = service.finish_run(runs.finish_update(status=outcome.status, exit_code=exit_code, export=export,
                                                    outlets=outcome.outlets,
                                                    error=service.gone or outcome.database_gone or outcome.redis_gone))
        doc = notify_run(alerts, service, doc)
        gone = service.gone
    print(run_summary(doc))
    recorded = record_line(options, outcome)
    if recorded:
        print(recorded)
    if gone:
        raise DatabaseGone(gone)
    if exit_code:
        print(f"monitor run: no issue written: {export['error']}", flush=True)
        return exit_code
    for path in export["files"].values():
        print(path)
    return 0
