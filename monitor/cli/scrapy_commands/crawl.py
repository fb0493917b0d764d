"""`scrapy crawl NAME`: Scrapy's command with `monitor crawl`'s checks, messages and exit codes.

Before anything is crawled: spiders_config/ is checked (exit 2), the spider's `-a` arguments are checked
(exit 2) and the database is opened once for the run (exit 3 when unreachable, as when it stops answering
during the crawl), each with one clear line on stderr instead of a traceback.
"""
from __future__ import annotations

import sys

from scrapy.commands import crawl


class Command(crawl.Command):
    def run(self, args, opts) -> None:
        if len(args) != 1:
            return super().run(args, opts)  # Scrapy's own usage errors
        from monitor.cli.common import exit_code_of
        from monitor.config_schema import validate_config

        try:
            validate_config()
            self._check_arguments(args[0], opts.spargs)
            gone = self._crawl_with_database(args, opts)
        except Exception as e:  # the errors `monitor` reports in one line, with its exit codes
            exit_code = exit_code_of(e)
            if exit_code is None:
                raise
            return self._fail(e, exit_code)
        if gone:
            self._fail(gone, 3)

    def _check_arguments(self, name: str, spider_arguments: dict) -> None:
        from monitor.spiders.base import OutletSpider
        try:
            spider_class = self.crawler_process.spider_loader.load(name)
        except KeyError:
            return  # Scrapy names the unknown spider
        if issubclass(spider_class, OutletSpider):
            known = ("since", "until", "check")
            spider_class.parse_arguments(**{k: v for k, v in spider_arguments.items() if k in known})

    def _crawl_with_database(self, args, opts):
        """Crawl with the run's database opened here (what `monitor crawl` does); what went wrong with
        the database during the crawl, or None."""
        from monitor.cli.common import database
        from monitor.storage.extension import RunDatabase
        with database(self.settings) as service:
            self.settings.set("MONITOR_RUN_ID", service.run_id, priority="cmdline")
            with RunDatabase.serving(service):
                super().run(args, opts)
            return service.gone

    def _fail(self, error, exit_code: int) -> None:
        print(f"scrapy crawl: error: {error}", file=sys.stderr)
        self.exitcode = exit_code
