#!/usr/bin/env python3
"""Build samples/weekly-sample.warc.gz: every outlet's saved list and article pages as a replay archive.

The pages are the project's own fixtures (tests/sites/<outlet>/ with urls.tsv: url, file,
content_type — one row per page, under the real site's URL), written in each outlet's real
templates. Each becomes a WARC response record (status 200, its content type, the file's bytes),
so `monitor run --profile weekly --issue-date 2026-01-16 --replay samples/weekly-sample.warc.gz`
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
import sys
from datetime import datetime, timezone
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

ROOT = Path(__file__).resolve().parent.parent

#: The capture time written into every record: the end of the sample week (Beijing evening).
CAPTURE_DATE = datetime(2026, 1, 16, 12, 0, tzinfo=timezone.utc)


def site_pages(sites: Path) -> list[tuple[str, Path, str]]:
    """(url, file, content type) of every saved page, outlet by outlet, in urls.tsv order."""
    pages = []
    for table in sorted(sites.glob("*/urls.tsv")):
        with open(table, encoding="utf-8", newline="") as f:
            for number, row in enumerate(csv.DictReader(f, delimiter="\t"), 2):
                try:
                    url, name, content_type = row["url"].strip(), row["file"].strip(), row["content_type"].strip()
                except (KeyError, AttributeError):
                    raise SystemExit(f"{table}:{number}: expected the columns url, file, content_type") from None
                path = table.parent / name
                if not path.is_file():
                    raise SystemExit(f"{table}:{number}: {path} does not exist")
                pages.append((url, path, content_type))
    if not pages:
        raise SystemExit(f"no pages: {sites} holds no */urls.tsv")
    return pages


def build(pages: list[tuple[str, Path, str]], out) -> int:
    # Fixed record ids and dates keep the archive reproducible byte for byte (warcio's gzip has no mtime).
    writer = WARCWriter(out, gzip=True)
    date = CAPTURE_DATE.strftime("%Y-%m-%dT%H:%M:%SZ")
    for url, path, content_type in pages:
        body = path.read_bytes()
        headers = StatusAndHeaders("200 OK", [("Content-Type", content_type), ("Content-Length", str(len(body)))],
                                   protocol="HTTP/1.1")
        record_id = "<urn:uuid:%s>" % _uuid(url)
        record = writer.create_warc_record(url, "response", payload=io.BytesIO(body), length=len(body),
                                           http_headers=headers,
                                           warc_headers_dict={"WARC-Date": date, "WARC-Record-ID": record_id})
        writer.write_record(record)
    return len(pages)


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
    pages = site_pages(args.sites)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_name(args.out.name + ".tmp")
    with open(tmp, "wb") as f:
        count = build(pages, f)
    tmp.replace(args.out)
    outlets = len({p[1].parent for p in pages})
    print(f"{args.out}: {count} pages of {outlets} outlets")
    return 0


if __name__ == "__main__":
    sys.exit(main())
