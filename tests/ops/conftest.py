"""Fixtures for the operations tests: replay archives built from the outlet fixtures, a local origin."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from helpers import ROOT, start_redis, stop_secantus
from saved_sites import SITES, SiteServer, page_key

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
        pages = [page for page in sample_tool.site_requests(SITES) if keep(page.url, page.path.parent.name)]
        out = tmp_path / name
        with open(out, "wb") as f:
            sample_tool.build(pages, f)
        return out
    return make


@pytest.fixture
def origin_server(sample_tool):
    """The saved pages of every outlet, served on 127.0.0.1."""
    pages = {page_key(p.url, p.method, p.body): (p.path, p.content_type) for p in sample_tool.site_requests(SITES)}
    with SiteServer(pages, gzip_when_asked=True) as server:
        yield server


@pytest.fixture
def origin_env(origin_server):
    """Environment for a `monitor` process whose downloads go to the origin server."""
    return {"SCRAPY_SETTINGS_MODULE": "origin_settings", "PYTHONPATH": str(HERE),
            "MONITOR_TEST_ORIGIN": origin_server.origin}


@pytest.fixture(scope="session")
def redis_server():
    """A real redis-server for the session (each test keeps its keys under its own MONITOR_REDIS_PREFIX)."""
    proc, url = start_redis()
    yield url
    stop_secantus(proc)  # (terminate, then kill)
