"""Saved outlet pages (tests/sites/<outlet>/) served by their original URLs from 127.0.0.1.

Each site directory has `urls.tsv` (url, file, content_type: one row per saved page, under the real
site's original URL; optional columns method and body: a POST row — a site's search API — answers a
POST of that exact body, see tools/make_sample_archive.py) and `expected.json` (what a crawl of the
test window must find).

How a crawl reaches them: the spider runs with `-s MONITOR_ORIGIN_OVERRIDE=http://127.0.0.1:PORT`,
which makes Scrapy's download handler (monitor/spiders/origin.py) fetch
`http://127.0.0.1:PORT/<original URL>` while the response keeps the original URL. This server
answers such a path with the saved file and its content type (404 for anything not saved; a POST
is answered by the row of the same URL and body, a JSON body compared in canonical form) and
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

from monitor.ops.warc import request_key

SITES = Path(__file__).resolve().parent / "sites"


def site_dirs() -> list[Path]:
    return sorted(p for p in SITES.iterdir() if (p / "urls.tsv").exists())


def saved_pages(site: Path) -> dict[str, tuple[Path, str]]:
    """(file, content type) of every saved page: a GET row under its URL, a POST row under
    `page_key(url, "POST", body)` (the key SiteServer looks a POST up by)."""
    with open(site / "urls.tsv", encoding="utf-8", newline="") as f:
        return {page_key(row["url"], (row.get("method") or "").strip() or "GET", row.get("body") or ""):
                (site / row["file"], row["content_type"]) for row in csv.DictReader(f, delimiter="\t")}


def page_key(url: str, method: str = "GET", body: bytes | str = b"") -> str:
    """A GET: the URL itself (as the pages have always been keyed). Any other method: monitor's
    `request_key` (method, canonical URL, digest of the body with JSON in canonical form)."""
    return url if method.upper() == "GET" else request_key(url, method, body)


def expected(site: str) -> dict:
    return json.loads((SITES / site / "expected.json").read_text(encoding="utf-8"))


class SiteServer:
    """A threaded HTTP server on 127.0.0.1 answering `/<original URL>` from the saved pages: a GET from
    `pages[url]`, a POST from `pages[page_key(url, "POST", body)]` (as `saved_pages` keys them)."""

    def __init__(self, pages: dict[str, tuple[Path, str]], *, gzip_when_asked: bool = False, hold=None):
        self.pages = pages
        self.requested: list[str] = []  # every URL asked for, GET or POST
        self.requested_bodies: list[tuple[str, bytes]] = []  # (URL, body) of every POST
        # hold(url, answered) -> True: the answer waits until `release()` (a crawl caught mid-way)
        self.hold = hold
        self.held: list[str] = []
        self.answered = 0
        self.gate = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                url = self.path[1:]
                server.requested.append(url)
                self._answer(server.pages.get(url))

            def do_POST(self):
                url = self.path[1:]
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                server.requested.append(url)
                server.requested_bodies.append((url, body))
                self._answer(server.pages.get(page_key(url, "POST", body)))

            def _answer(self, page):
                url = self.path[1:]
                if server.hold is not None and server.hold(url, server.answered):
                    server.held.append(url)
                    server.gate.wait()
                server.answered += 1
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
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client went away (a crawl killed on purpose)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def release(self) -> None:
        """Answer every held request, and every later one at once."""
        self.hold = None
        self.gate.set()

    def __exit__(self, *exc):
        self.gate.set()
        self.httpd.shutdown()
        self.httpd.server_close()
