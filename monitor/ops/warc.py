"""WARC files (warcio): writing fetched responses, and finding a request's response again.

Records keep the HTTP status line, headers and body bytes as they were received (before
decompression), so a replayed response goes through the same middlewares as a live one.

A GET is found again by its URL. Any other method (a site-search POST: many requests to one URL
that differ only by their body) by URL, method and body: the response's request record (linked to it
by WARC-Concurrent-To, as warcio's `write_request_response_pair` writes it) names the method and holds
the body. A JSON body is compared in a canonical form, so key order and whitespace do not matter.
"""
from __future__ import annotations

import hashlib
import json
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


def canonical_body(body: bytes | str) -> bytes:
    """A request body as compared on replay: JSON parsed and dumped again (sorted keys, no whitespace,
    UTF-8), so key order and spacing do not matter; any other body as its bytes."""
    raw = body.encode("utf-8") if isinstance(body, str) else bytes(body or b"")
    try:
        parsed = json.loads(raw)
    except (ValueError, RecursionError):  # not JSON (UnicodeDecodeError is a ValueError too)
        return raw
    return json.dumps(parsed, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def request_key(url: str, method: str = "GET", body: bytes | str = b"") -> str:
    """The key an archive (or a test server) finds a request's response by. A GET: its URL's `url_key`
    (the body plays no part). Any other method: method, `url_key` and the digest of `canonical_body`."""
    method = (method or "GET").upper()
    if method == "GET":
        return url_key(url)
    return f"{method} {url_key(url)} sha256:{hashlib.sha256(canonical_body(body)).hexdigest()}"


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
    """URL (or `request_key` for other methods than GET) -> where its response record starts; bodies are
    read from disk when asked for."""

    def __init__(self, files: list[Path]):
        self.files = files
        self._where: dict[str, tuple[Path, int]] = {}
        for file in files:
            self._index(file)

    @classmethod
    def open(cls, path: str | Path) -> "ArchiveIndex":
        return cls(warc_files(path))

    def _index(self, file: Path) -> None:
        # warcio writes a pair as response then request (the request's WARC-Concurrent-To names the
        # response); other writers put the request first or link the other way: both are read. A response
        # is known to answer a GET only once the whole file is read, so the file is indexed in two passes.
        responses: list[tuple[str, str | None, int, list[str]]] = []  # url, record id, offset, concurrent-to
        requests: dict[str, str] = {}  # request record id -> request_key, for non-GET requests only
        answered: dict[str, str] = {}  # response record id -> request_key of its non-GET request
        try:
            with open(file, "rb") as f:
                records = ArchiveIterator(f)
                for record in records:
                    if record.rec_type not in ("response", "request"):
                        continue
                    url = record.rec_headers.get_header("WARC-Target-URI")
                    record_id = record.rec_headers.get_header("WARC-Record-ID")
                    concurrent = [v for k, v in record.rec_headers.headers if k.lower() == "warc-concurrent-to"]
                    if record.rec_type == "request":
                        method = (record.http_headers.protocol if record.http_headers else "") or "GET"
                        if url and method.upper() != "GET":
                            key = request_key(url, method, record.raw_stream.read())
                            if record_id:
                                requests[record_id] = key
                            for response_id in concurrent:
                                answered[response_id] = key
                        continue
                    offset = records.get_record_offset()
                    if url:
                        responses.append((url, record_id, offset, concurrent))
        except (ArchiveLoadFailed, OSError, EOFError, ValueError) as e:
            raise ArchiveError(f"{file} is not a readable WARC file: {e}") from e
        for url, record_id, offset, concurrent in responses:
            key = answered.get(record_id) if record_id else None
            key = key or next((requests[c] for c in concurrent if c in requests), None)
            if key is not None:  # the answer to a POST (or other non-GET) request: found by its body only
                self._where[key] = (file, offset)
                continue
            self._where[url] = (file, offset)
            self._where.setdefault(url_key(url), (file, offset))

    def __len__(self) -> int:
        return len({where for where in self._where.values()})

    def __contains__(self, url: str) -> bool:
        return url in self._where or url_key(url) in self._where

    def get(self, url: str, method: str = "GET", body: bytes | str = b"") -> StoredResponse | None:
        """The response recorded for a GET of `url`; for another method, the one recorded for the same URL,
        method and body (see `request_key`). None when the archive has none."""
        if (method or "GET").upper() == "GET":
            where = self._where.get(url) or self._where.get(url_key(url))
        else:
            where = self._where.get(request_key(url, method, body))
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
