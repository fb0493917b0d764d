"""monitor export --profile NAME --issue-date YYYY-MM-DD [--number N] [--out DIR] [--format md,docx]"""
from __future__ import annotations

import sys
from pathlib import Path

from monitor.cli.common import CommandError, database, positive_int, project_settings
from monitor.cli.report_args import add_format_argument, add_issue_arguments, issue_profile

NAME = "export"
HELP = ("write one report issue as Markdown and/or a Word document (exports/<profile>/<issue-date>-<number>.md, .docx) and print each file's path")


def add_arguments(parser):
    add_issue_arguments(parser)
    parser.add_argument("--number", type=positive_int, metavar="N",
                        help="the issue's number; needed for a profile's first issue, otherwise the number "
                             "after the profile's last issue")
    parser.add_argument("--out", type=Path, metavar="DIR",
                        help="write the file(s) into DIR instead of MONITOR_EXPORT_DIR/<profile>/")
    add_format_argument(parser)


def run(args) -> int:
    from monitor.report.export import EmptyWindow, export_issue
    from monitor.report.issues import NumberingError

    profile, _ = issue_profile(args)
    if args.out is not None and args.out.exists() and not args.out.is_dir():
        raise CommandError(f"--out {args.out} exists and is not a directory; give a directory", 2)
    settings = project_settings()
    with database(settings) as handle:
        out_dir = args.out if args.out is not None else Path(settings.get("MONITOR_EXPORT_DIR")) / profile.name
        try:
            result = export_issue(handle.db, profile.name, args.issue_date, number=args.number, out_dir=out_dir,
                                  formats=args.formats)
        except NumberingError as e:
            raise CommandError(str(e), 2) from None
        except EmptyWindow as e:
            raise CommandError(f"{e}; no file written", 1) from None
        except OSError as e:
            raise CommandError(f"cannot write the issue: {e}", 1) from None
    state = "written" if result.changed else "unchanged since the last export"
    print(f"{profile.name} issue {result.number} of {args.issue_date}: {result.count} entries, {state}",
          file=sys.stderr)
    for path in result.paths.values():
        print(path)
    return 0
