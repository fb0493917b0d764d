"""Scrapy settings for the monitor project (also used by every `monitor` command).

Environment variables of the same name override MONGO_URI, MONGO_DATABASE and MONITOR_* values.
"""
import os

from monitor import PROJECT_ROOT

BOT_NAME = "monitor"
SPIDER_MODULES = ["monitor.spiders"]
NEWSPIDER_MODULE = "monitor.spiders"

# -- politeness ---------------------------------------------------------------------------------
USER_AGENT = (
    "Mozilla/5.0 (compatible; monitor/0.1; health-informatization news monitoring; "
    "+https://github.com/monitor-project/monitor)"
)
ROBOTSTXT_OBEY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_TIMEOUT = 30
RETRY_TIMES = 2

# -- items --------------------------------------------------------------------------------------
# The order items take; documented in README.md ("Pipelines").
ITEM_PIPELINES = {
    "monitor.pipelines.normalize.NormalizePipeline": 100,
    "monitor.pipelines.window.DateWindowPipeline": 200,
    "monitor.pipelines.store.MongoStorePipeline": 900,
}

# -- storage ------------------------------------------------------------------------------------
# Empty MONGO_URI: the project starts its own local server with data under MONITOR_DATA_DIR.
MONGO_URI = os.environ.get("MONGO_URI", "")
MONGO_DATABASE = os.environ.get("MONGO_DATABASE", "monitor")
MONGO_BATCH_SIZE = 100
MONITOR_DATA_DIR = os.environ.get("MONITOR_DATA_DIR", str(PROJECT_ROOT / "data"))
MONITOR_CONFIG_DIR = os.environ.get("MONITOR_CONFIG_DIR", str(PROJECT_ROOT / "spiders_config"))
MONITOR_EXPORT_DIR = os.environ.get("MONITOR_EXPORT_DIR", str(PROJECT_ROOT / "exports"))

# -- engine -------------------------------------------------------------------------------------
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = os.environ.get("MONITOR_LOG_LEVEL", "INFO")
# No open ports beyond what a crawl needs.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
