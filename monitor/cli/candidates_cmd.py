"""monitor candidates --profile NAME --issue-date YYYY-MM-DD [--near-misses]"""
from __future__ import annotations

from monitor.cli.common import database, project_settings
from monitor.cli.report_args import add_issue_arguments, issue_profile

NAME = "candidates"
HELP = ("list an issue's ranked candidates (score, outlet, reprints, title, id) and which the export takes; "
        "--near-misses: the articles that fell just short of the topic")

#: Marks in the first column.
MARKS = {"pinned": "P", "excluded": "X", "chosen": "*", "other": " "}


def add_arguments(parser):
    add_issue_arguments(parser)
    parser.add_argument("--near-misses", action="store_true",
                        help="list the window's near misses of the topic instead (stored with status off_topic, "
                             "never in a report unless pinned: `monitor pin ID ...`), with why each fell short")


def run(args) -> int:
    from monitor.report.editorial import load_edits
    from monitor.report.selection import near_misses, select

    profile, window = issue_profile(args)
    with database(project_settings()) as handle:
        edits = load_edits(handle.db, profile.name, args.issue_date)
        if args.near_misses:
            misses = near_misses(handle.db, profile, window, edits)
            print(f"{profile.name} issue of {args.issue_date} (window {window}): {len(misses)} near miss(es) of the "
                  "topic, never in the issue unless pinned")
            _table(misses, set(), reasons=True)
            if misses:
                print("marks: P pinned into the issue; bring one in with "
                      f"`monitor pin ID --profile {profile.name} --issue-date {args.issue_date}`")
            return 0
        selection = select(handle.db, profile, window, edits)
    chosen = {c.id for c in selection.chosen}
    print(f"{profile.name} issue of {args.issue_date} (window {window}, size {profile.size}): "
          f"{len(selection.ranked)} candidate(s), {len(chosen)} chosen")
    _table(selection.ranked, chosen)
    if selection.ranked:
        print("marks: * chosen, P pinned (always chosen), X excluded")
    return 0


def _table(candidates, chosen: set, *, reasons: bool = False) -> None:
    from monitor.window import BEIJING

    if candidates:
        print(f"   {'rank':>4} {'score':>7} {'outlet':<10} {'reprints':>8} {'date':<10} {'id':<24} title")
    for rank, c in enumerate(candidates, 1):
        mark = MARKS["pinned" if c.pinned else "excluded" if c.excluded else "chosen" if c.id in chosen else "other"]
        print(f"{mark}  {rank:>4} {c.score:>7.2f} {c.outlet or '-':<10} {c.reprint_count:>8} "
              f"{c.published_at.astimezone(BEIJING).date().isoformat():<10} {c.id} {c.title}")
        if reasons:
            print(f"{'':>47}why: {c.topic_reason}")
