"""Scrapy settings for the monitor project (also used by every `monitor` command).

Environment variables of the same name override MONGO_URI, MONGO_DATABASE and MONITOR_* values.
"""
import os

from monitor import PROJECT_ROOT

BOT_NAME = "monitor"
SPIDER_MODULES = ["monitor.spiders"]
NEWSPIDER_MODULE = "monitor.spiders"
# `scrapy crawl` with the checks and clear messages of `monitor crawl`.
COMMANDS_MODULE = "monitor.cli.scrapy_commands"

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

# Scrapy hands each response's outputs to CONCURRENT_ITEMS asyncio tasks (default 100, created per response
# even for an article page's one item). Nothing downstream waits on I/O (the store only queues), so a few
# suffice; the rest was a fifth of the crawl's event-loop time (docs/benchmarks.md).
CONCURRENT_ITEMS = 8

# -- items --------------------------------------------------------------------------------------
# Item log lines without the item (no body in the log); drops at DEBUG with URL and reason.
LOG_FORMATTER = "monitor.logformatter.ItemLogFormatter"
DEFAULT_DROPITEM_LOG_LEVEL = "DEBUG"
# The order items take; documented in README.md ("Pipelines").
ITEM_PIPELINES = {
    "monitor.pipelines.normalize.NormalizePipeline": 100,
    "monitor.pipelines.window.DateWindowPipeline": 200,
    "monitor.pipelines.topic.TopicPipeline": 300,
    "monitor.pipelines.store.MongoStorePipeline": 900,
}
# The topic file under spiders_config/topics/ that decides what is relevant (docs/topics.md).
MONITOR_TOPIC = os.environ.get("MONITOR_TOPIC", "health_it")
# Story clustering (reprints): bodies sharing at least this share of their shingles are one story.
MONITOR_CLUSTER_MIN_SIMILARITY = 0.6
# Bodies with fewer letters and digits than this are not fingerprinted (each is a story of its own).
MONITOR_CLUSTER_MIN_CHARS = 100
# A cluster's lead is its earliest article; on the same publish time the outlet listed first wins.
MONITOR_OUTLET_PRIORITY = ["nhc", "bjwjw", "xinhua", "people", "cnr", "chinanews", "gmw", "ce", "workercn",
                           "bjd", "ynet", "cnhubei"]

# Worker processes for page extraction and body fingerprints (monitor/workers.py); 0: in the crawl process.
MONITOR_WORKER_PROCESSES = int(os.environ.get("MONITOR_WORKER_PROCESSES", "1"))

# -- storage ------------------------------------------------------------------------------------
# Empty MONGO_URI: the project starts its own local server with data under MONITOR_DATA_DIR.
MONGO_URI = os.environ.get("MONGO_URI", "")
MONGO_DATABASE = os.environ.get("MONGO_DATABASE", "monitor")
MONGO_BATCH_SIZE = 100
# When the database stops answering mid-crawl: "spool" (go on; every article found is kept in the spool and
# written by the next command) or "stop" (close the crawl at once). Either way the command exits 3.
MONITOR_DATABASE_LOSS = os.environ.get("MONITOR_DATABASE_LOSS", "spool")
MONITOR_DATA_DIR = os.environ.get("MONITOR_DATA_DIR", str(PROJECT_ROOT / "data"))
MONITOR_CONFIG_DIR = os.environ.get("MONITOR_CONFIG_DIR", str(PROJECT_ROOT / "spiders_config"))
MONITOR_EXPORT_DIR = os.environ.get("MONITOR_EXPORT_DIR", str(PROJECT_ROOT / "exports"))

# -- runs ---------------------------------------------------------------------------------------
# Set by `monitor crawl` / `monitor run` (docs/scheduling.md); each component is off when its value is empty.
MONITOR_RUN_ID = ""            # the run's id: `runs.run_id` and each article's `run_id` (else a new one)
MONITOR_RUN_RECORD = False     # each outlet's part of the run written into its `runs` document
MONITOR_RECORD_DIR = ""        # --record: write every response to DIR/monitor-<run id>.warc.gz
MONITOR_REPLAY_PATH = ""       # --replay: answer every request from this WARC file or directory
MONITOR_REFRESH = False        # --refresh: fetch stored articles again
MONITOR_PROGRESS = False       # a progress line on the terminal
# Notices of runs that need a look (monitor/ops/notices.py, docs/scheduling.md "Notices"); off when empty.
MONITOR_ALERT_WEBHOOK = os.environ.get("MONITOR_ALERT_WEBHOOK", "")   # a URL: JSON POST (WeCom/DingTalk robot)
MONITOR_ALERT_EMAIL = os.environ.get("MONITOR_ALERT_EMAIL", "")       # addresses, comma-separated
MONITOR_ALERT_ON = os.environ.get("MONITOR_ALERT_ON", "warning")      # "warning" (and worse) or "failed" only
MONITOR_ALERT_TIMEOUT = os.environ.get("MONITOR_ALERT_TIMEOUT", "10")  # seconds per channel
MONITOR_SMTP_HOST = os.environ.get("MONITOR_SMTP_HOST", "")
MONITOR_SMTP_PORT = os.environ.get("MONITOR_SMTP_PORT", "25")         # 465: implicit TLS; else STARTTLS if offered
MONITOR_SMTP_USER = os.environ.get("MONITOR_SMTP_USER", "")
MONITOR_SMTP_PASSWORD = os.environ.get("MONITOR_SMTP_PASSWORD", "")
MONITOR_SMTP_FROM = os.environ.get("MONITOR_SMTP_FROM", "")
# Distributed runs (docs/scaling.md): `monitor crawl/run --distributed` and `monitor worker` meet on this Redis.
MONITOR_REDIS_URL = os.environ.get("MONITOR_REDIS_URL", "")           # e.g. redis://127.0.0.1:6379/0
MONITOR_REDIS_PREFIX = os.environ.get("MONITOR_REDIS_PREFIX", "monitor")  # the keys' prefix (one per deployment)
# A worker whose heartbeat is this old (seconds) is gone: its requests in flight go back to the queue.
MONITOR_WORKER_TIMEOUT = float(os.environ.get("MONITOR_WORKER_TIMEOUT", "30"))
# A distributed run that no worker joins within this many seconds fails.
MONITOR_WORKER_WAIT = float(os.environ.get("MONITOR_WORKER_WAIT", "600"))
MONITOR_WORKER_ID = ""         # set by `monitor worker`: switches the distributed components on
MONITOR_RECORD_PART = ""       # set by `monitor worker`: --record writes DIR/monitor-<run id>-<part>.warc.gz
EXTENSIONS = {
    # The run's database service (monitor/storage/extension.py): every component reaches MongoDB through it.
    "monitor.storage.extension.RunDatabase": 100,
    "monitor.ops.counters.OutletCounters": 500,
    "monitor.ops.runrecord.RunRecordExtension": 510,
    "monitor.ops.progress.ProgressExtension": 520,
    # A worker's part in a distributed run (monitor/distributed/extension.py); off outside `monitor worker`.
    "monitor.distributed.extension.SharedRun": 530,
}

# -- downloads ----------------------------------------------------------------------------------
# One dict for every project downloader middleware (add yours here).
DOWNLOADER_MIDDLEWARES = {
    # Pages that need a browser (monitor/rendering/, docs/adding-an-outlet.md).
    "monitor.rendering.challenge.CookieChallengeMiddleware": 640,
    "monitor.rendering.middleware.RenderMiddleware": 650,
    # Operations (monitor/ops/): stored articles are skipped before robots.txt or the network;
    # record/replay sit next to the downloader so they see responses as received.
    "monitor.ops.incremental.SkipStoredArticlesMiddleware": 60,
    # An outlet's `request: scheme_fallback` (monitor/spiders/politeness.py): before the retry middleware.
    "monitor.spiders.politeness.SchemeFallbackMiddleware": 540,
    # Distributed runs: requests to one host start the host's delay apart across every worker.
    "monitor.distributed.middlewares.SharedPolitenessMiddleware": 900,
    "monitor.ops.record.WarcRecorderMiddleware": 950,
    "monitor.ops.replay.WarcReplayMiddleware": 960,
}

# Operations (monitor/ops/incremental.py): a callback's article requests are looked up together (the
# answer rides in their meta for SkipStoredArticlesMiddleware above); near the engine, so it sees them last.
SPIDER_MIDDLEWARES = {
    "monitor.ops.incremental.StoredArticlesCheckMiddleware": 50,
    # Distributed runs: only the first worker to open an outlet seeds its list requests; the outermost one
    # sees each request's outputs leave, so that the request counts as done only once they are queued.
    "monitor.distributed.middlewares.SeedOnceMiddleware": 40,
    "monitor.distributed.middlewares.OutputTracker": 1,
}

# -- rendering ----------------------------------------------------------------------------------
# Only requests marked by RenderMiddleware (an outlet's `render:` section) use the browser; the
# handler passes every other request to Scrapy's own HTTP handler, and the browser starts with the
# first rendered request.
DOWNLOAD_HANDLERS = {
    "http": "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler",
    "https": "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler",
}
MONITOR_CHROMIUM = os.environ.get("MONITOR_CHROMIUM", "/usr/bin/chromium")
MONITOR_RENDER_TIMEOUT = 30  # seconds per rendered page, unless its outlet's render.timeout says otherwise
MONITOR_CHALLENGE_STATUSES = [412]
PLAYWRIGHT_BROWSER_TYPE = "chromium"
PLAYWRIGHT_LAUNCH_OPTIONS = {
    "executable_path": MONITOR_CHROMIUM,
    "headless": True,
    # Root in a container needs --no-sandbox; the rest keeps Chromium off the network except for the pages.
    "args": ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-default-apps"],
}
PLAYWRIGHT_BROWSER_PROVIDER = "monitor.rendering.browser.LazyChromiumProvider"
PLAYWRIGHT_ABORT_REQUEST = "monitor.rendering.browser.skip_heavy_resource"
PLAYWRIGHT_MAX_PAGES_PER_CONTEXT = 4

# -- engine -------------------------------------------------------------------------------------
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = os.environ.get("MONITOR_LOG_LEVEL", "INFO")
# No open ports beyond what a crawl needs.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
