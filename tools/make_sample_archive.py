#!/usr/bin/env python3
"""Build samples/weekly-sample.warc.gz: every outlet's saved list and article pages as a replay archive.

The pages are the project's own fixtures (tests/sites/<outlet>/ with urls.tsv: url, file,
content_type — one row per page, under the real site's URL — and the optional columns method and
body), written in each outlet's real templates. A GET row (method empty or GET) becomes a WARC
response record (status 200, its content type, the file's bytes). A POST row (a site's search API:
many requests to one URL that differ by their body) has `body`, the exact request body text (usually
JSON), and becomes a response record with its request record (method, path, body), which is how
`--replay` tells the answers to one URL apart. So
`monitor run --profile weekly --issue-date 2026-01-16 --replay samples/weekly-sample.warc.gz`
runs the whole weekly job offline.

    .venv/bin/python tools/make_sample_archive.py [--sites tests/sites] [--out samples/weekly-sample.warc.gz]

The output is the same bytes for the same input (fixed record ids and capture date), so
rebuilding it does not change the committed file unless a page changed.
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, NamedTuple
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

ROOT = Path(__file__).resolve().parent.parent

#: The capture time written into every record: the end of the sample week (Beijing evening).
CAPTURE_DATE = datetime(2026, 1, 16, 12, 0, tzinfo=timezone.utc)


#: The methods a urls.tsv row may name (an empty `method` is GET).
METHODS = ("GET", "POST")


class Page(NamedTuple):
    """One urls.tsv row: a saved page and the request it answers (`body`: a POST's exact body text)."""
    url: str
    path: Path
    content_type: str
    method: str = "GET"
    body: str = ""


def site_requests(sites: Path) -> list[Page]:
    """Every row of every outlet's urls.tsv (GET and POST), outlet by outlet, in urls.tsv order."""
    pages = []
    for table in sorted(sites.glob("*/urls.tsv")):
        with open(table, encoding="utf-8", newline="") as f:
            for number, row in enumerate(csv.DictReader(f, delimiter="\t"), 2):
                try:
                    url, name, content_type = row["url"].strip(), row["file"].strip(), row["content_type"].strip()
                except (KeyError, AttributeError):
                    raise SystemExit(f"{table}:{number}: expected the columns url, file, content_type "
                                     "(and optionally method, body)") from None
                method, body = (row.get("method") or "").strip().upper() or "GET", row.get("body") or ""
                if method not in METHODS:
                    raise SystemExit(f"{table}:{number}: method {method!r} is none of {', '.join(METHODS)}")
                if method == "GET" and body:
                    raise SystemExit(f"{table}:{number}: a body is only for a POST row (this one is a GET)")
                path = table.parent / name
                if not path.is_file():
                    raise SystemExit(f"{table}:{number}: {path} does not exist")
                pages.append(Page(url, path, content_type, method, body))
    if not pages:
        raise SystemExit(f"no pages: {sites} holds no */urls.tsv")
    return pages


def build(pages: Iterable[Page], out) -> int:
    """Write the pages (urls.tsv rows, `site_requests`) as a WARC file to `out`."""
    # Fixed record ids and dates keep the archive reproducible byte for byte (warcio's gzip has no mtime).
    writer = WARCWriter(out, gzip=True)
    date = CAPTURE_DATE.strftime("%Y-%m-%dT%H:%M:%SZ")
    count = 0
    for url, path, content_type, method, body_text in pages:
        body = path.read_bytes()
        headers = StatusAndHeaders("200 OK", [("Content-Type", content_type), ("Content-Length", str(len(body)))],
                                   protocol="HTTP/1.1")
        # A GET's id comes from its URL (as it always has); a POST's from method, URL and body.
        seed = url if method == "GET" else f"{method} {url}\n{body_text}"
        record = writer.create_warc_record(url, "response", payload=io.BytesIO(body), length=len(body),
                                           http_headers=headers,
                                           warc_headers_dict={"WARC-Date": date,
                                                              "WARC-Record-ID": "<urn:uuid:%s>" % _uuid(seed)})
        if method == "GET":
            writer.write_record(record)
        else:
            writer.write_request_response_pair(_request_record(writer, url, method, body_text, date), record)
        count += 1
    return count


def _request_record(writer: WARCWriter, url: str, method: str, body_text: str, date: str):
    """The request record of a POST row: request line, Host, Content-Type, Content-Length and the body.
    `write_request_response_pair` links it to its response (WARC-Concurrent-To)."""
    body = body_text.encode("utf-8")
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        json.loads(body_text)
        content_type = "application/json;charset=UTF-8"
    except ValueError:
        content_type = "application/x-www-form-urlencoded; charset=UTF-8"
    headers = [("Host", parts.netloc), ("Content-Type", content_type), ("Content-Length", str(len(body)))]
    return writer.create_warc_record(
        url, "request", payload=io.BytesIO(body), length=len(body),
        http_headers=StatusAndHeaders(f"{method} {target} HTTP/1.1", headers, is_http_request=True),
        warc_headers_dict={"WARC-Date": date,
                           "WARC-Record-ID": "<urn:uuid:%s>" % _uuid(f"request {method} {url}\n{body_text}")})


def _uuid(url: str) -> str:
    h = hashlib.sha1(url.encode("utf-8")).hexdigest()
    return f"{h[:8]}-{h[8:12]}-5{h[13:16]}-8{h[17:20]}-{h[20:32]}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sites", type=Path, default=ROOT / "tests" / "sites",
                        help="directory of <outlet>/urls.tsv fixtures (default: tests/sites)")
    parser.add_argument("--out", type=Path, default=ROOT / "samples" / "weekly-sample.warc.gz",
                        help="the archive to write (default: samples/weekly-sample.warc.gz)")
    args = parser.parse_args(argv)
    pages = site_requests(args.sites)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_name(args.out.name + ".tmp")
    with open(tmp, "wb") as f:
        count = build(pages, f)
    tmp.replace(args.out)
    outlets = len({p.path.parent for p in pages})
    print(f"{args.out}: {count} pages of {outlets} outlets")
    return 0


if __name__ == "__main__":
    sys.exit(main())
