"""Saved outlet pages (tests/sites/<outlet>/) served by their original URLs from 127.0.0.1.

Each site directory has `urls.tsv` (url, file, content_type: one row per saved page, under the real
site's original URL) and `expected.json` (what a crawl of the test window must find).

How a crawl reaches them: the spider runs with `-s MONITOR_ORIGIN_OVERRIDE=http://127.0.0.1:PORT`,
which makes Scrapy's download handler (monitor/spiders/origin.py) fetch
`http://127.0.0.1:PORT/<original URL>` while the response keeps the original URL. This server
answers such a path with the saved file and its content type (404 for anything not saved) and
records every URL asked for, so a test can tell which pages a crawl read and which it never
touched. Everything above the downloader — spider, middlewares, pipelines — sees the real URLs,
and the same urls.tsv files can be packed into a replay archive.
"""
from __future__ import annotations

import csv
import gzip
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

SITES = Path(__file__).resolve().parent / "sites"


def site_dirs() -> list[Path]:
    return sorted(p for p in SITES.iterdir() if (p / "urls.tsv").exists())


def saved_pages(site: Path) -> dict[str, tuple[Path, str]]:
    with open(site / "urls.tsv", encoding="utf-8", newline="") as f:
        return {row["url"]: (site / row["file"], row["content_type"]) for row in csv.DictReader(f, delimiter="\t")}


def expected(site: str) -> dict:
    return json.loads((SITES / site / "expected.json").read_text(encoding="utf-8"))


class SiteServer:
    """A threaded HTTP server on 127.0.0.1 answering `/<original URL>` from the saved pages."""

    def __init__(self, pages: dict[str, tuple[Path, str]], *, gzip_when_asked: bool = False):
        self.pages = pages
        self.requested: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                url = self.path[1:]
                server.requested.append(url)
                page = server.pages.get(url)
                if page is None:
                    self.send_error(404, "not saved")
                    return
                body = page[0].read_bytes()
                self.send_response(200)
                self.send_header("Content-Type", page[1])
                if gzip_when_asked and "gzip" in (self.headers.get("Accept-Encoding") or ""):
                    # Compressed as many sites do: an archive must keep the bytes as they came.
                    body = gzip.compress(body, mtime=0)
                    self.send_header("Content-Encoding", "gzip")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
