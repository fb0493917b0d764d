"""monitor runs [--limit N] [--run ID]"""
from __future__ import annotations

from monitor.cli.common import CommandError, database, positive_int, project_settings

NAME = "runs"
HELP = "list recent crawl runs with each outlet's verdict (ok / warning / failed)"


def add_arguments(parser):
    parser.add_argument("--limit", type=positive_int, default=10, metavar="N", help="how many runs, newest first "
                        "(default 10)")
    parser.add_argument("--run", metavar="ID", help="one run in full: every outlet's counters and problems")


def _brief(run: dict) -> str:
    from monitor.ops.summary import notice_line

    start = run.get("start")
    end = run.get("end")
    when = start.strftime("%Y-%m-%d %H:%M UTC") if start else "?"
    took = f"{(end - start).total_seconds():.0f}s" if start and end else "unfinished"
    window = run.get("window") or {}
    what = run.get("command", "crawl")
    if run.get("profile"):
        what += f" {run['profile']} {run.get('issue_date')}"
    verdicts = " ".join(f"{name}:{s.get('verdict', '?')}" for name, s in sorted((run.get("outlets") or {}).items()))
    line = (f"{run.get('run_id')}  {when}  {took:>10}  {run.get('status', '?'):<8} {what}  "
            f"window {window.get('since')}..{window.get('until')}\n    {verdicts or '(no outlet finished)'}")
    export = run.get("export") or {}
    if export.get("path"):
        line += f"\n    issue: {export['path']}"
    elif export.get("error"):
        line += f"\n    export failed: {export['error']}"
    notice = notice_line(run.get("notice"))
    if notice:
        line += "\n  " + notice
    return line


def run(args) -> int:
    from monitor.storage.runs import get_run, recent_runs
    from monitor.ops.summary import run_summary

    with database(project_settings()) as handle:
        if args.run:
            found = get_run(handle.db, args.run)
            if found is None:
                raise CommandError(f"--run: no run {args.run!r} is recorded; `monitor runs` lists them", 2)
            print(run_summary(found))
            return 0
        found = recent_runs(handle.db, args.limit)
    if not found:
        print("no runs recorded yet (`monitor crawl` or `monitor run` records one)")
    for item in found:
        print(_brief(item))
    return 0
