"""Progress on a terminal: one status line, rewritten, with every outlet's counts.

An extension switched on by MONITOR_PROGRESS (the commands set it when stderr is a terminal).
All crawlers of a process share the line; each outlet's final counts are printed as it closes.
"""
from __future__ import annotations

import shutil
import sys

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task


def outlet_counts(stats: dict) -> tuple[int, int, dict[str, int]]:
    """(pages fetched, articles kept, dropped by reason)."""
    pages = sum(v for k, v in stats.items() if k.startswith("monitor/responses/"))
    kept = stats.get("item_scraped_count", 0)
    prefix = "item_dropped_reasons_count/"
    dropped = {k[len(prefix):]: v for k, v in stats.items() if k.startswith(prefix)}
    return pages, kept, dropped


def describe(name: str, stats: dict, *, full: bool = False) -> str:
    pages, kept, dropped = outlet_counts(stats)
    if not full:
        return f"{name} {pages} pages {kept} kept" + (f" {sum(dropped.values())} dropped" if dropped else "")
    drops = ", ".join(f"{reason} {n}" for reason, n in sorted(dropped.items()))
    return f"{name}: {pages} pages fetched, {kept} articles kept" + (f", dropped: {drops}" if drops else "")


class StatusLine:
    """The one line all crawlers of this process write to."""
    current: "StatusLine | None" = None

    def __init__(self, stream):
        self.stream = stream
        self.crawlers: dict[str, object] = {}
        self.loop = task.LoopingCall(self.draw)
        self.width = 0

    @classmethod
    def shared(cls, stream) -> "StatusLine":
        if cls.current is None:
            cls.current = cls(stream)
        return cls.current

    def add(self, name, crawler):
        self.crawlers[name] = crawler
        if not self.loop.running:
            self.loop.start(1.0, now=False)

    def remove(self, name):
        crawler = self.crawlers.pop(name, None)
        if crawler is not None:
            self.clear()
            self.stream.write(describe(name, crawler.stats.get_stats(), full=True) + "\n")
            self.stream.flush()
        if not self.crawlers and self.loop.running:
            self.loop.stop()
            StatusLine.current = None
        else:
            self.draw()

    def clear(self):
        if self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.width = 0

    def draw(self):
        columns = shutil.get_terminal_size((100, 20)).columns - 1
        text = " | ".join(describe(n, c.stats.get_stats()) for n, c in sorted(self.crawlers.items()))
        text = ("crawling: " + text)[:columns]
        self.clear()
        self.stream.write(text)
        self.stream.flush()
        self.width = len(text)


class ProgressExtension:
    def __init__(self, crawler, line: StatusLine):
        self.crawler = crawler
        self.line = line

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("MONITOR_PROGRESS"):
            raise NotConfigured
        ext = cls(crawler, StatusLine.shared(sys.stderr))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider):
        self.line.add(spider.name, self.crawler)

    def spider_closed(self, spider):
        self.line.remove(spider.name)
