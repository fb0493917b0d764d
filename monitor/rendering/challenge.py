"""CookieChallengeMiddleware: passes a script-set cookie challenge in the browser, once per host.

Some sites (nhc.gov.cn) answer a plain request without their cookies with HTTP 412 and a page whose
script sets a cookie and reloads. For an outlet with `render: {challenge: cookie}`, such an answer makes
this middleware load the page once in the browser, wait until the reload gets past the challenge, take
the cookies the browser then holds for the page, and retry the original request as a plain request
carrying them (Scrapy's cookie jar then sends them with every later request to that host). Concurrent
challenged requests to one host share one browser visit.

Stats: `monitor/outlet/<key>/challenge_passed`, `monitor/outlet/<key>/challenge_failed`; a failure is
logged as an error naming the outlet and the page.
"""
from __future__ import annotations

import asyncio
import logging

from scrapy import Request
from scrapy.utils.httpobj import urlparse_cached
from scrapy_playwright.page import PageMethod

from monitor.outlets import load_outlets
from monitor.rendering.config import render_rules
from monitor.rendering.middleware import context_name, outlet_stat

logger = logging.getLogger(__name__)

#: meta keys of this middleware
PROBE = "monitor_challenge_probe"          # the browser visit itself
RETRIED = "monitor_challenge_retried"      # a request retried with the browser's cookies
GENERATION = "monitor_challenge_generation"  # how many times the host's challenge was passed when sent


class ClearanceWatch:
    """Follows one browser visit: notes when a document arrives that is not a challenge page."""

    def __init__(self, statuses, timeout: float):
        self.statuses = frozenset(statuses)
        self.timeout = timeout
        self.cleared = asyncio.Event()
        self.seen: list[int] = []

    async def attach(self, page, request) -> None:
        """playwright_page_init_callback: listen before the first navigation starts."""
        def on_response(response):
            if response.request.is_navigation_request() and response.frame == page.main_frame:
                self.seen.append(response.status)
                if response.status not in self.statuses:
                    self.cleared.set()
        page.on("response", on_response)

    async def cookies(self, page):
        """Page method: the cookies for the page once the challenge is passed, None if it never is."""
        try:
            await asyncio.wait_for(self.cleared.wait(), self.timeout)
            await page.wait_for_load_state("load", timeout=self.timeout * 1000)
        except Exception:  # asyncio's or Playwright's TimeoutError, or the page went away
            return None
        return await page.context.cookies(page.url)


def jar_cookies(browser_cookies) -> list[dict]:
    """The browser's cookies as Request.cookies; host-only cookies stay host-only."""
    cookies = []
    for c in browser_cookies:
        cookie = {"name": c["name"], "value": c["value"], "path": c.get("path") or "/"}
        if c.get("domain", "").startswith("."):
            cookie["domain"] = c["domain"]
        if c.get("secure"):
            cookie["secure"] = True
        cookies.append(cookie)
    return cookies


class CookieChallengeMiddleware:
    def __init__(self, crawler, rules, statuses, default_timeout: float):
        self.crawler = crawler
        self.stats = crawler.stats
        self.rules = {key: rule for key, rule in rules.items() if rule.challenge == "cookie"}
        self.statuses = frozenset(statuses)
        self.default_timeout = default_timeout
        # Per (outlet, host): each outlet has its own browser context, so its own cookies.
        self.locks: dict[tuple[str, str], asyncio.Lock] = {}
        self.generation: dict[tuple[str, str], int] = {}

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        rules, _errors = render_rules(load_outlets(settings.get("MONITOR_CONFIG_DIR")))  # errors: RenderMiddleware
        return cls(crawler, rules, [int(s) for s in settings.getlist("MONITOR_CHALLENGE_STATUSES", [412])],
                   settings.getfloat("MONITOR_RENDER_TIMEOUT", 30.0))

    def process_request(self, request, spider=None):
        outlet = request.meta.get("outlet")
        if outlet in self.rules and not request.meta.get("playwright"):
            request.meta[GENERATION] = self.generation.get(self._key(outlet, request), 0)
        return None

    async def process_response(self, request, response, spider=None):
        rule = self.rules.get(request.meta.get("outlet"))
        if rule is None or response.status not in self.statuses or request.meta.get("playwright"):
            return response
        outlet = rule.outlet
        if request.meta.get(RETRIED):
            self.stats.inc_value(outlet_stat(outlet, "challenge_failed"))
            logger.error("outlet %s: %s still answers HTTP %d with the cookies the browser got past its challenge; "
                         "the site's challenge may have changed (render.challenge in the outlet's YAML file)",
                         outlet, request.url, response.status)
            return response

        key = self._key(outlet, request)
        lock = self.locks.setdefault(key, asyncio.Lock())
        async with lock:
            if self.generation.get(key, 0) > request.meta.get(GENERATION, 0):
                # Passed for another request since this one was sent: the jar has the cookies now.
                return self._retry(request, [])
            cookies = await self._pass_challenge(request, rule)
            if cookies is None:
                return response
            self.generation[key] = self.generation.get(key, 0) + 1
        return self._retry(request, cookies)

    async def _pass_challenge(self, request, rule):
        outlet = rule.outlet
        timeout = rule.timeout or self.default_timeout
        watch = ClearanceWatch(self.statuses, timeout)
        take_cookies = PageMethod(watch.cookies)
        probe = Request(
            request.url, headers=request.headers.copy(), dont_filter=True, priority=request.priority,
            meta={
                "outlet": outlet, "page_kind": request.meta.get("page_kind"), PROBE: True,
                "playwright": True, "playwright_context": context_name(outlet),
                "playwright_page_init_callback": watch.attach,
                "playwright_page_methods": [take_cookies],
                "playwright_page_goto_kwargs": {"wait_until": "load", "timeout": timeout * 1000},
            },
        )
        try:
            await self.crawler.engine.download_async(probe)
        except Exception as e:  # the browser could not start or load the page; RenderMiddleware logged why
            self.stats.inc_value(outlet_stat(outlet, "challenge_failed"))
            logger.error("outlet %s: %s answered HTTP 412 (a cookie challenge) and the browser could not pass it: %s",
                         outlet, request.url, (str(e).strip().splitlines() or [type(e).__name__])[0])
            return None
        cookies = take_cookies.result
        if not cookies:
            self.stats.inc_value(outlet_stat(outlet, "challenge_failed"))
            logger.error("outlet %s: %s answered HTTP 412 (a cookie challenge) and the browser did not get past it "
                         "within %gs (statuses seen: %s); the page's script may no longer set a cookie and reload",
                         outlet, request.url, timeout, ", ".join(map(str, watch.seen)) or "none")
            return None
        self.stats.inc_value(outlet_stat(outlet, "challenge_passed"))
        logger.info("outlet %s: passed the cookie challenge of %s in the browser; plain requests now carry its "
                    "cookies (%s)", outlet, urlparse_cached(request).hostname,
                    ", ".join(sorted(c["name"] for c in cookies)))
        return jar_cookies(cookies)

    @staticmethod
    def _key(outlet, request) -> tuple[str, str]:
        return outlet, urlparse_cached(request).hostname or ""

    @staticmethod
    def _retry(request, cookies):
        own = request.cookies
        if isinstance(own, dict):
            own = [{"name": k, "value": v} for k, v in own.items()]
        retry = request.replace(cookies=list(own or []) + cookies, dont_filter=True)
        retry.meta[RETRIED] = True
        return retry
