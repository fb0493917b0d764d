"""Project settings with every download answered by the test's origin server (tests/ops/conftest.py)."""
import os

from monitor.settings import *  # noqa: F401,F403

MONITOR_ORIGIN_OVERRIDE = os.environ["MONITOR_TEST_ORIGIN"]
