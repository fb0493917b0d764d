"""`monitor pin` and `monitor exclude`: one implementation, two subcommands."""
from __future__ import annotations

from monitor.cli.common import CommandError, database, project_settings
from monitor.cli.report_args import add_issue_arguments, issue_profile

#: What the command does to each article, by action.
VERBS = {"pinned": ("pin", "pinned into", "un-pinned from"), "excluded": ("exclude", "excluded from", "no longer excluded from")}


def add_arguments(parser, action: str) -> None:
    verb = VERBS[action][0]
    parser.add_argument("articles", nargs="+", metavar="ID|URL",
                        help="article id (as `monitor candidates` lists it) or any URL the article was seen under")
    add_issue_arguments(parser)
    parser.add_argument("--undo", action="store_true", help=f"remove the {verb} instead")


def run(args, action: str) -> int:
    from monitor.report.editorial import NotInWindow, UnknownArticle, apply_edit

    profile, window = issue_profile(args)
    with database(project_settings()) as handle:
        try:
            docs = apply_edit(handle.db, profile.name, args.issue_date, window, action, args.articles, undo=args.undo)
        except (UnknownArticle, NotInWindow) as e:
            raise CommandError(f"{e}; nothing changed", 2) from None
    done = VERBS[action][2 if args.undo else 1]
    for doc in docs:
        print(f"{doc['_id']} {done} the {profile.name} issue of {args.issue_date}: {doc.get('title')}")
    return 0
