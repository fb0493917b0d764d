"""monitor candidates --profile NAME --issue-date YYYY-MM-DD"""
from __future__ import annotations

from monitor.cli.common import database, project_settings
from monitor.cli.report_args import add_issue_arguments, issue_profile

NAME = "candidates"
HELP = "list an issue's ranked candidates (score, outlet, reprints, title, id) and which the export takes"

#: Marks in the first column.
MARKS = {"pinned": "P", "excluded": "X", "chosen": "*", "other": " "}


def add_arguments(parser):
    add_issue_arguments(parser)


def run(args) -> int:
    from monitor.report.editorial import load_edits
    from monitor.report.selection import select
    from monitor.window import BEIJING

    profile, window = issue_profile(args)
    with database(project_settings()) as handle:
        selection = select(handle.db, profile, window, load_edits(handle.db, profile.name, args.issue_date))
    chosen = {c.id for c in selection.chosen}
    print(f"{profile.name} issue of {args.issue_date} (window {window}, size {profile.size}): "
          f"{len(selection.ranked)} candidate(s), {len(chosen)} chosen")
    if selection.ranked:
        print(f"   {'rank':>4} {'score':>7} {'outlet':<10} {'reprints':>8} {'date':<10} {'id':<24} title")
    for rank, c in enumerate(selection.ranked, 1):
        mark = MARKS["pinned" if c.pinned else "excluded" if c.excluded else "chosen" if c.id in chosen else "other"]
        print(f"{mark}  {rank:>4} {c.score:>7.2f} {c.outlet or '-':<10} {c.reprint_count:>8} "
              f"{c.published_at.astimezone(BEIJING).date().isoformat():<10} {c.id} {c.title}")
    if selection.ranked:
        print("marks: * chosen, P pinned (always chosen), X excluded")
    return 0
