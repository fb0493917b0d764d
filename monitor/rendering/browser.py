"""The browser behind rendered requests: Debian's Chromium, started on first use.

Wired into scrapy-playwright by settings (monitor/settings.py, "rendering"):
`PLAYWRIGHT_BROWSER_PROVIDER`, `PLAYWRIGHT_ABORT_REQUEST`, `PLAYWRIGHT_PROCESS_REQUEST_HEADERS`.
"""
from __future__ import annotations

from scrapy.exceptions import IgnoreRequest
from scrapy_playwright.headers import use_scrapy_headers
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


async def scrapy_headers_with_browser_cookies(*, browser_type_name, playwright_request, scrapy_request_data):
    """PLAYWRIGHT_PROCESS_REQUEST_HEADERS: Scrapy's headers for navigations (scrapy-playwright's default),
    plus the cookies the page's own scripts set — without them a script that sets a cookie and reloads
    (a cookie challenge) would be answered with the challenge again."""
    headers = await use_scrapy_headers(browser_type_name=browser_type_name, playwright_request=playwright_request,
                                       scrapy_request_data=scrapy_request_data)
    if not playwright_request.is_navigation_request():
        return headers
    browser_cookie = (await playwright_request.all_headers()).get("cookie")
    if browser_cookie:
        headers["cookie"] = merge_cookie_headers(headers.get("cookie"), browser_cookie)
    return headers


def merge_cookie_headers(first: str | None, second: str) -> str:
    """One Cookie header from two; on a name in both, the second's value wins."""
    cookies: dict[str, str] = {}
    for header in (first or "", second):
        for pair in header.split(";"):
            name, sep, value = pair.strip().partition("=")
            if name:
                cookies[name] = value if sep else ""
    return "; ".join(f"{name}={value}" for name, value in cookies.items())
