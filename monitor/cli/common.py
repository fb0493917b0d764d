"""What the `monitor` subcommands share: settings, the database, argument types, running a crawl."""
from __future__ import annotations

import argparse
import os
from contextlib import contextmanager
from datetime import date

from monitor.window import parse_day


class CommandError(Exception):
    """A failure the user can act on; its message is printed without a traceback."""

    def __init__(self, message: str, exit_code: int = 1):
        super().__init__(message)
        self.exit_code = exit_code


def exit_code_of(error: BaseException) -> int | None:
    """The exit code of an error the user can act on (its message is printed as one line, without a
    traceback): 2 bad argument or configuration, 3 database unreachable, 4 Redis unreachable (distributed
    runs); None for any other error."""
    from monitor.config_schema import ConfigError
    from monitor.distributed.board import RedisUnavailable
    from monitor.spiders.base import SpiderArgumentError
    from monitor.storage.mongo import DatabaseUnavailable
    from monitor.storage.server import LocalServerError

    if isinstance(error, CommandError):
        return error.exit_code
    if isinstance(error, (ConfigError, SpiderArgumentError)):
        return 2
    if isinstance(error, (DatabaseUnavailable, LocalServerError)):
        return 3
    if isinstance(error, RedisUnavailable):
        return 4
    return None


def project_settings():
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "monitor.settings")
    from scrapy.utils.project import get_project_settings
    return get_project_settings()


@contextmanager
def database(settings):
    """The configured database (the local server where no MONGO_URI is set) as this command's
    DatabaseService: opening it writes what earlier commands kept in the spool. Closed afterwards."""
    from monitor.storage.service import DatabaseService
    service = DatabaseService.open(settings)
    try:
        yield service
    finally:
        service.close()


#: The largest whole number MongoDB stores (a signed 64-bit integer).
LARGEST_STORABLE = 2**63 - 1


def day(value: str) -> date:
    """argparse type for YYYY-MM-DD (within the days monitor.window accepts)."""
    try:
        return parse_day(value)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def positive_int(value: str) -> int:
    """argparse type for a count or an issue number: 1 up to what the database can store."""
    try:
        number = int(value)
    except ValueError:
        number = 0
    if not 1 <= number <= LARGEST_STORABLE:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number from 1 to {LARGEST_STORABLE}")
    return number


def run_spider(settings, spider_cls, **spider_kwargs):
    """Run one spider to the end in this process; returns its crawler (for stats)."""
    from scrapy.crawler import CrawlerProcess
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(spider_cls)
    process.crawl(crawler, **spider_kwargs)
    process.start()
    return crawler


def drop_counts(stats: dict) -> dict[str, int]:
    prefix = "item_dropped_reasons_count/"
    return {k[len(prefix):]: v for k, v in stats.items() if k.startswith(prefix)}
