"""Project settings with every download answered by the test's origin server (tests/ops/conftest.py)."""
import os

from monitor.settings import *  # noqa: F401,F403

MONITOR_ORIGIN_OVERRIDE = os.environ["MONITOR_TEST_ORIGIN"]

if os.environ.get("MONITOR_TEST_NO_DELAY"):
    # The origin is this machine: no delay to keep (the distributed tests catch a crawl mid-way instead).
    AUTOTHROTTLE_ENABLED = False
    DOWNLOAD_DELAY = 0
    CONCURRENT_REQUESTS_PER_DOMAIN = 16
