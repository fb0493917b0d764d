"""WARC files (warcio): writing fetched responses, and finding a URL's response again.

Records keep the HTTP status line, headers and body bytes as they were received (before
decompression), so a replayed response goes through the same middlewares as a live one.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timezone
from io import BytesIO
from pathlib import Path
from typing import BinaryIO, Iterable

from w3lib.url import canonicalize_url
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

logger = logging.getLogger(__name__)

WARC_SUFFIXES = (".warc", ".warc.gz")
#: The body is stored de-chunked, so a chunked-encoding header would make readers de-chunk it again.
_HOP_BY_HOP = {"transfer-encoding"}


class ArchiveError(ValueError):
    """A WARC path that cannot be read; the message names the file."""


def warc_date(moment: datetime | None = None) -> str:
    moment = (moment or datetime.now(timezone.utc)).astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def write_exchange(writer: WARCWriter, url: str, status: int, reason: str, headers: Iterable[tuple[str, str]],
                   body: bytes, *, protocol: str = "HTTP/1.1", request_line: str | None = None,
                   request_headers: Iterable[tuple[str, str]] = (), request_body: bytes = b"",
                   date: datetime | None = None) -> None:
    """One response record (and its request record when `request_line` is given)."""
    warc_headers = {"WARC-Date": warc_date(date)}
    http_headers = StatusAndHeaders(f"{status} {reason}".strip(),
                                    [(k, v) for k, v in headers if k.lower() not in _HOP_BY_HOP],
                                    protocol=protocol)
    response = writer.create_warc_record(url, "response", payload=BytesIO(body), length=len(body),
                                         http_headers=http_headers, warc_headers_dict=dict(warc_headers))
    if request_line is None:
        writer.write_record(response)
        return
    request = writer.create_warc_record(
        url, "request", payload=BytesIO(request_body), length=len(request_body),
        http_headers=StatusAndHeaders(request_line, list(request_headers), is_http_request=True),
        warc_headers_dict=dict(warc_headers))
    writer.write_request_response_pair(request, response)


def url_key(url: str) -> str:
    """The form an archive is looked up by: query order, escaping and fragment do not matter."""
    return canonicalize_url(url, keep_fragments=False)


def warc_files(path: str | Path) -> list[Path]:
    """A WARC file, or every WARC file in a directory (sorted: later captures win)."""
    path = Path(path)
    if path.is_file():
        return [path]
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and p.name.endswith(WARC_SUFFIXES))
        if not files:
            raise ArchiveError(f"{path} holds no .warc or .warc.gz files")
        return files
    raise ArchiveError(f"{path} does not exist (expected a .warc/.warc.gz file or a directory of them)")


@dataclass(frozen=True)
class StoredResponse:
    url: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    date: str | None


class ArchiveIndex:
    """URL -> where its response record starts; bodies are read from disk when asked for."""

    def __init__(self, files: list[Path]):
        self.files = files
        self._where: dict[str, tuple[Path, int]] = {}
        for file in files:
            self._index(file)

    @classmethod
    def open(cls, path: str | Path) -> "ArchiveIndex":
        return cls(warc_files(path))

    def _index(self, file: Path) -> None:
        try:
            with open(file, "rb") as f:
                records = ArchiveIterator(f)
                for record in records:
                    if record.rec_type != "response":
                        continue
                    url = record.rec_headers.get_header("WARC-Target-URI")
                    offset = records.get_record_offset()
                    if url:
                        self._where[url] = (file, offset)
                        self._where.setdefault(url_key(url), (file, offset))
        except (ArchiveLoadFailed, OSError, EOFError, ValueError) as e:
            raise ArchiveError(f"{file} is not a readable WARC file: {e}") from e

    def __len__(self) -> int:
        return len({where for where in self._where.values()})

    def __contains__(self, url: str) -> bool:
        return url in self._where or url_key(url) in self._where

    def get(self, url: str) -> StoredResponse | None:
        where = self._where.get(url) or self._where.get(url_key(url))
        if where is None:
            return None
        file, offset = where
        with open(file, "rb") as f:
            f.seek(offset)
            record = next(iter(ArchiveIterator(f)))
            return _stored(record)


def _stored(record) -> StoredResponse:
    http = record.http_headers
    status = int((http.get_statuscode() or "200")) if http else 200
    headers = list(http.headers) if http else []
    body = record.raw_stream.read()
    return StoredResponse(url=record.rec_headers.get_header("WARC-Target-URI"), status=status, headers=headers,
                          body=body, date=record.rec_headers.get_header("WARC-Date"))


def open_writer(path: Path) -> tuple[BinaryIO, WARCWriter]:
    path.parent.mkdir(parents=True, exist_ok=True)
    stream = open(path, "ab")
    return stream, WARCWriter(stream, gzip=True)
