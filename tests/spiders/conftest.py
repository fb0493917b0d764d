import pytest

from saved_sites import SiteServer, saved_pages, site_dirs


@pytest.fixture(scope="session")
def site_server():
    """Every saved page of tests/sites, served by its original URL (see tests/saved_sites.py)."""
    pages = {}
    for site in site_dirs():
        pages.update(saved_pages(site))
    with SiteServer(pages) as server:
        yield server


@pytest.fixture
def served(site_server):
    """The site server with an empty request log for this test."""
    site_server.requested.clear()
    return site_server
