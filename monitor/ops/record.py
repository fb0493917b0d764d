"""`--record DIR`: every response of a run, with its request, into one gzipped WARC file.

A downloader middleware placed next to the downloader (MONITOR_RECORD_DIR switches it on), so it
sees status, headers and body bytes exactly as received, before decompression or redirects.
All crawlers of one run share the file DIR/monitor-<run id>.warc.gz (a worker of a distributed run:
DIR/monitor-<run id>-<worker>.warc.gz). A response answered from a
`--replay` archive is not recorded again: it is no new evidence, and the archive it came from holds it
with its original capture date.
"""
from __future__ import annotations

import logging
from pathlib import Path

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response
from warcio.warcwriter import WARCWriter

from monitor.ops.warc import open_writer, write_exchange
from monitor.storage.extension import RunDatabase

logger = logging.getLogger(__name__)

REPLAYED = "replayed"  # response flag set by the replay middleware: such a response is not new evidence


class _SharedFile:
    """One WARC file per run, open while any crawler of the run still writes to it. It is created with
    its first record: a run that receives nothing new (all of it replayed) leaves no empty, invalid file."""
    open_files: dict[Path, "_SharedFile"] = {}

    def __init__(self, path: Path):
        self.path = path
        self.stream = self._writer = None
        self.users = 0

    @property
    def writer(self) -> WARCWriter:
        if self._writer is None:
            self.stream, self._writer = open_writer(self.path)
        return self._writer

    @classmethod
    def acquire(cls, path: Path) -> "_SharedFile":
        shared = cls.open_files.get(path) or cls.open_files.setdefault(path, cls(path))
        shared.users += 1
        return shared

    def release(self) -> None:
        self.users -= 1
        if self.stream is not None:
            self.stream.flush()
        if self.users <= 0:
            if self.stream is not None:
                self.stream.close()
            self.open_files.pop(self.path, None)


def _header_pairs(headers) -> list[tuple[str, str]]:
    return [(name.decode("latin-1"), value.decode("latin-1"))
            for name, values in headers.items() for value in values]


class WarcRecorderMiddleware:
    def __init__(self, crawler, directory: Path):
        self.crawler = crawler
        self.directory = directory
        self.file: _SharedFile | None = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        directory = crawler.settings.get("MONITOR_RECORD_DIR")
        if not directory:
            raise NotConfigured
        return cls(crawler, Path(directory))

    def spider_opened(self):
        # each worker of a distributed run writes a file of its own (MONITOR_RECORD_PART, its id)
        part = self.crawler.settings.get("MONITOR_RECORD_PART")
        name = f"monitor-{self.crawler.get_extension(RunDatabase).run_id}{'-' + part if part else ''}.warc.gz"
        path = self.directory / name
        self.file = _SharedFile.acquire(path)
        logger.info("Recording every response received to %s", path)

    def spider_closed(self):
        if self.file is not None:
            self.file.release()
            self.file = None

    def process_response(self, request: Request, response: Response) -> Response:
        if self.file is None or REPLAYED in response.flags:
            return response
        self._write(self.file.writer, request, response)
        self.crawler.stats.set_value("monitor/record/file", str(self.file.path))
        self.crawler.stats.inc_value("monitor/record/responses")
        return response

    @staticmethod
    def _write(writer: WARCWriter, request: Request, response: Response) -> None:
        target = request.url if response.url == request.url else response.url
        path = request.url.split("://", 1)[-1]
        path = "/" + path.split("/", 1)[1] if "/" in path else "/"
        protocol = response.protocol or "HTTP/1.1"
        write_exchange(
            writer, target, response.status, _reason(response.status), _header_pairs(response.headers),
            response.body, protocol=protocol if protocol.upper().startswith("HTTP/") else "HTTP/1.1",
            request_line=f"{request.method} {path} HTTP/1.1", request_headers=_header_pairs(request.headers),
            request_body=request.body or b"",
        )


def _reason(status: int) -> str:
    from http import HTTPStatus
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
