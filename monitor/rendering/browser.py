"""The browser behind rendered requests: Debian's Chromium, started on first use.

Wired into scrapy-playwright by settings (monitor/settings.py, "rendering"):
`PLAYWRIGHT_BROWSER_PROVIDER`, `PLAYWRIGHT_ABORT_REQUEST`.
"""
from __future__ import annotations

from scrapy.exceptions import IgnoreRequest
from scrapy_playwright.provider import PlaywrightBrowserProvider

#: What the browser does not load: a page's text and links never need them.
SKIPPED_RESOURCE_TYPES = frozenset({"image", "font", "media"})


class BrowserUnavailable(IgnoreRequest):
    """No browser could be started; the request that needed it is given up (no traceback per request)."""

    def __init__(self, executable: str | None, reason: str):
        self.executable = executable
        self.reason = reason
        where = f"from {executable}" if executable else "(no executable_path in PLAYWRIGHT_LAUNCH_OPTIONS)"
        super().__init__(
            f"the browser could not be started {where}: {reason}. Install Debian's Chromium "
            f"(`apt-get install chromium`) or set MONITOR_CHROMIUM to the path of a Chromium executable."
        )


class LazyChromiumProvider(PlaywrightBrowserProvider):
    """scrapy-playwright's provider, but the Playwright driver starts with the first rendered request
    (not at engine start), so runs without one pay nothing; a failed start is remembered, so the
    remaining rendered requests fail at once instead of trying again."""

    def __init__(self, config) -> None:
        super().__init__(config)
        self.failure: BrowserUnavailable | None = None

    async def start(self) -> None:
        pass

    async def launch_browser(self):
        if self.failure is not None:
            raise self.failure
        try:
            if self.playwright is None:
                await super().start()
            return await super().launch_browser()
        except Exception as e:
            # Playwright's message goes on to suggest `playwright install`, which cannot work here.
            reason = (str(e).strip().splitlines() or [type(e).__name__])[0]
            self.failure = BrowserUnavailable(self.config.launch_options.get("executable_path"), reason)
            raise self.failure from e


def skip_heavy_resource(request) -> bool:
    """PLAYWRIGHT_ABORT_REQUEST: images, fonts and media are not loaded."""
    return request.resource_type in SKIPPED_RESOURCE_TYPES
