"""Fixtures for the operations tests: replay archives built from the outlet fixtures, a local origin."""
from __future__ import annotations

import gzip
import importlib.util
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from helpers import ROOT

SITES = ROOT / "tests" / "sites"
HERE = Path(__file__).resolve().parent


def _sample_tool():
    spec = importlib.util.spec_from_file_location("make_sample_archive", ROOT / "tools" / "make_sample_archive.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def sample_tool():
    if not any(SITES.glob("*/urls.tsv")):
        pytest.fail(f"{SITES} holds no outlet fixtures (*/urls.tsv)")
    return _sample_tool()


@pytest.fixture
def make_archive(sample_tool, tmp_path):
    """make_archive(keep=lambda url, outlet: True) -> a WARC file of the kept fixture pages."""
    def make(keep=lambda url, outlet: True, name="sample.warc.gz") -> Path:
        pages = [(url, path, ctype) for url, path, ctype in sample_tool.site_pages(SITES)
                 if keep(url, path.parent.name)]
        out = tmp_path / name
        with open(out, "wb") as f:
            sample_tool.build(pages, f)
        return out
    return make


class OriginServer:
    """Answers `/<original URL>` with the saved page (MONITOR_ORIGIN_OVERRIDE form); 404 otherwise."""

    def __init__(self, pages: dict[str, tuple[Path, str]]):
        self.pages = pages
        self.requested: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                url = self.path[1:]
                server.requested.append(url)
                if url not in server.pages:
                    self.send_error(404, "not saved")
                    return
                path, ctype = server.pages[url]
                body = path.read_bytes()
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                if "gzip" in (self.headers.get("Accept-Encoding") or ""):
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


@pytest.fixture
def origin_server(sample_tool):
    """The saved pages of every outlet, served on 127.0.0.1."""
    pages = {url: (path, ctype) for url, path, ctype in sample_tool.site_pages(SITES)}
    server = OriginServer(pages)
    server.thread.start()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


@pytest.fixture
def origin_env(origin_server):
    """Environment for a `monitor` process whose downloads go to the origin server."""
    return {"SCRAPY_SETTINGS_MODULE": "origin_settings", "PYTHONPATH": str(HERE),
            "MONITOR_TEST_ORIGIN": origin_server.origin}
