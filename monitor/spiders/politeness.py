"""The `request:` section of an outlet's YAML file: how its pages are asked for.

    request:
      user_agent: browser          # a User-Agent string, or `browser`: a current desktop Chrome's
      headers:                     # sent with every request of the outlet
        Referer: https://epaper.ynet.com/
        Accept-Language: zh-CN,zh;q=0.9
      scheme_fallback: true        # a 403 is asked again once with http <-> https swapped
      download_delay: 1.5          # seconds between requests to one host (Scrapy's DOWNLOAD_DELAY)
      concurrency: 2               # requests at once to one host (CONCURRENT_REQUESTS_PER_DOMAIN)

One crawler crawls one outlet, so these become that crawler's Scrapy settings (`outlet_settings`,
applied by OutletSpider.update_settings at spider priority: a `-s` on the command line still wins).
`SchemeFallbackMiddleware` does the retry on 403.
"""
from __future__ import annotations

import logging

from scrapy.exceptions import NotConfigured

logger = logging.getLogger(__name__)

#: What `user_agent: browser` stands for: sites that answer non-browser agents with 403 (bjwjw) accept it.
BROWSER_USER_AGENT = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                      "Chrome/142.0.0.0 Safari/537.36")
#: The headers a browser sends with a page request, added with `user_agent: browser`.
BROWSER_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8",
    "Upgrade-Insecure-Requests": "1",
}


def outlet_settings(section: dict | None, default_headers: dict) -> dict:
    """Scrapy settings for an outlet's `request:` section (already checked by the schema)."""
    if not section:
        return {}
    settings: dict = {}
    headers = dict(default_headers)
    agent = section.get("user_agent")
    if agent == "browser":
        settings["USER_AGENT"] = BROWSER_USER_AGENT
        headers.update(BROWSER_HEADERS)
    elif agent:
        settings["USER_AGENT"] = agent
    headers.update(section.get("headers") or {})
    if headers != default_headers:
        settings["DEFAULT_REQUEST_HEADERS"] = headers
    if section.get("scheme_fallback"):
        settings["MONITOR_SCHEME_FALLBACK"] = True
    if "download_delay" in section:
        settings["DOWNLOAD_DELAY"] = float(section["download_delay"])
    if "concurrency" in section:
        settings["CONCURRENT_REQUESTS_PER_DOMAIN"] = int(section["concurrency"])
    return settings


def swapped_scheme(url: str) -> str | None:
    if url.startswith("https://"):
        return "http://" + url[len("https://"):]
    if url.startswith("http://"):
        return "https://" + url[len("http://"):]
    return None


class SchemeFallbackMiddleware:
    """A 403 answer is asked once more with the other scheme (MONITOR_SCHEME_FALLBACK): some sites refuse
    one of http/https now and then (epaper.ynet.com). The response of the second try is the page's."""

    def __init__(self, stats):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("MONITOR_SCHEME_FALLBACK"):
            raise NotConfigured
        return cls(crawler.stats)

    def process_response(self, request, response):
        if response.status != 403 or request.meta.get("scheme_swapped"):
            return response
        other = swapped_scheme(request.url)
        if other is None:
            return response
        self.stats.inc_value("monitor/scheme_fallback")
        logger.info("%s answered 403; asking %s instead", request.url, other)
        return request.replace(url=other, dont_filter=True, meta={**request.meta, "scheme_swapped": request.url})
