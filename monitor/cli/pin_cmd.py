"""monitor pin ID|URL ... --profile NAME --issue-date YYYY-MM-DD [--undo]"""
from __future__ import annotations

from monitor.cli import editorial

NAME = "pin"
HELP = "always include these articles in an issue (even beyond its size); the next export follows"


def add_arguments(parser):
    editorial.add_arguments(parser, "pinned")


def run(args) -> int:
    return editorial.run(args, "pinned")
