"""monitor worker [--once]"""
from __future__ import annotations

from monitor.cli.common import project_settings

NAME = "worker"
HELP = ("take part in distributed runs (`monitor crawl/run --distributed`) through the Redis at MONITOR_REDIS_URL "
        "until stopped (docs/scaling.md); exit 0 stopped, 3 the database unreachable, 4 Redis unreachable")


def add_arguments(parser):
    parser.add_argument("--once", action="store_true",
                        help="take part in one run (waiting for it if none is announced yet), then exit")


def run(args) -> int:
    from monitor.distributed.board import connect
    from monitor.ops.worker import Worker

    settings = project_settings()
    client = connect(settings.get("MONITOR_REDIS_URL"))  # RedisUnavailable: exit 4, the URL named
    return Worker(settings, client, once=args.once).serve()
