"""RenderMiddleware: sends the requests an outlet's `render:` section names through the browser.

A request is rendered when its `meta["outlet"]` has a `render:` section whose `pages` include its
`meta["page_kind"]`; it then carries scrapy-playwright's meta (one browser context per outlet, the
configured wait, the timeout). Every other request is left alone and stays plain HTTP.

Failures are reported per outlet, so a run summary can tell which outlets lost pages:

- `monitor/render_failed` — rendered requests that failed (any outlet)
- `monitor/outlet/<key>/render_errors` — the same, for one outlet
- `monitor/outlet/<key>/rendered` — pages read through the browser
- `monitor/outlet/<key>/render_config_error` — 1 when the outlet's `render:` section is malformed

Each outlet's first failure of a kind is logged as an error naming the outlet, the page, the browser
path where it matters and what to do; later ones of the same kind only count.
"""
from __future__ import annotations

import logging

from scrapy_playwright.page import PageMethod

from monitor.outlets import load_outlets
from monitor.rendering.browser import BrowserUnavailable
from monitor.rendering.config import render_rules

logger = logging.getLogger(__name__)


def outlet_stat(key: str, name: str) -> str:
    return f"monitor/outlet/{key}/{name}"


def context_name(outlet: str) -> str:
    """One browser context per outlet: its cookies and cache stay apart from other outlets'."""
    return f"outlet:{outlet}"


class RenderMiddleware:
    def __init__(self, crawler, rules, default_timeout: float):
        self.crawler = crawler
        self.stats = crawler.stats
        self.rules = rules
        self.default_timeout = default_timeout
        self._reported: set[tuple[str, str]] = set()

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        rules, errors = render_rules(load_outlets(settings.get("MONITOR_CONFIG_DIR")))
        for key, message in errors.items():
            logger.error("outlet %s: %s; its pages are fetched without a browser until the section is fixed "
                         "(see docs/adding-an-outlet.md, \"Pages that need a browser\")", key, message)
            crawler.stats.set_value(outlet_stat(key, "render_config_error"), 1)
        return cls(crawler, rules, settings.getfloat("MONITOR_RENDER_TIMEOUT", 30.0))

    def timeout(self, rule) -> float:
        return rule.timeout or self.default_timeout

    def process_request(self, request, spider=None):
        # Already decided: by the challenge middleware, or a spider that set it itself.
        if "playwright" in request.meta:
            return None
        rule = self.rules.get(request.meta.get("outlet"))
        if rule is None or not rule.renders(request.meta.get("page_kind")):
            return None
        timeout_ms = self.timeout(rule) * 1000
        methods = []
        if rule.wait_selector:
            methods.append(PageMethod("wait_for_selector", rule.wait_selector, state="attached", timeout=timeout_ms))
        request.meta.update(
            playwright=True,
            playwright_context=context_name(rule.outlet),
            playwright_page_goto_kwargs={"wait_until": "networkidle" if rule.wait_network_idle else "load",
                                         "timeout": timeout_ms},
            playwright_page_methods=methods,
        )
        return None

    def process_response(self, request, response, spider=None):
        outlet = request.meta.get("outlet")
        if outlet and request.meta.get("playwright") and "playwright" in response.flags:
            self.stats.inc_value(outlet_stat(outlet, "rendered"))
        return response

    def process_exception(self, request, exception, spider=None):
        outlet = request.meta.get("outlet")
        if not (outlet and request.meta.get("playwright")):
            return None
        self.stats.inc_value("monitor/render_failed")
        self.stats.inc_value(outlet_stat(outlet, "render_errors"))
        if isinstance(exception, BrowserUnavailable):
            self._report_once(outlet, "browser", "outlet %s: %s needs a browser, but %s", outlet, request.url,
                              exception)
        else:
            rule = self.rules.get(outlet)
            waited = f", waiting for {rule.describe_wait()}" if rule else ""
            reason = (str(exception).strip().splitlines() or [type(exception).__name__])[0]
            self._report_once(outlet, "page", "outlet %s: %s could not be read in the browser%s: %s "
                              "(check render: in the outlet's YAML file against the page)",
                              outlet, request.url, waited, reason)
        return None

    def _report_once(self, outlet: str, kind: str, message: str, *args) -> None:
        if (outlet, kind) in self._reported:
            logger.debug(message, *args)
            return
        self._reported.add((outlet, kind))
        logger.error(message, *args)
