"""monitor exclude ID|URL ... --profile NAME --issue-date YYYY-MM-DD [--undo]"""
from __future__ import annotations

from monitor.cli import editorial

NAME = "exclude"
HELP = "never include these articles in an issue; the next export follows"


def add_arguments(parser):
    editorial.add_arguments(parser, "excluded")


def run(args) -> int:
    return editorial.run(args, "excluded")
