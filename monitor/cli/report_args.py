"""Arguments and checks the report subcommands (export, candidates, pin, exclude) share."""
from __future__ import annotations

from monitor.cli.common import CommandError, day


def add_issue_arguments(parser) -> None:
    parser.add_argument("--profile", required=True, metavar="NAME",
                        help="report profile: a file name under spiders_config/profiles/ without .yaml "
                             "(weekly, monthly)")
    parser.add_argument("--issue-date", required=True, type=day, metavar="YYYY-MM-DD",
                        help="the issue's date: a Friday for weekly, the month's last day for monthly")


def issue_profile(args):
    """The profile and window the arguments name; CommandError (exit 2) where they do not fit."""
    from monitor.report.profiles import IssueDateError, ProfileError, load_profile

    try:
        profile = load_profile(args.profile)
        return profile, profile.window(args.issue_date)
    except (ProfileError, IssueDateError) as e:
        raise CommandError(str(e), 2) from None
