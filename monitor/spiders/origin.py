"""Answer every request from one local HTTP server, as if it came from the real site.

With the setting MONITOR_ORIGIN_OVERRIDE=http://127.0.0.1:PORT, outlet spiders download
`https://www.news.cn/health/` as `http://127.0.0.1:PORT/https://www.news.cn/health/`; the response
keeps the original URL, so everything above the downloader (middlewares, spiders, pipelines) sees
the real site's URLs. Tests serve saved pages this way (tests/sites/<outlet>/urls.tsv), and an
operator can point `monitor outlets check --origin` at a replay server.
"""
from __future__ import annotations

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.exceptions import NotConfigured


class LocalOriginDownloadHandler(HTTP11DownloadHandler):
    def __init__(self, crawler):
        super().__init__(crawler)
        origin = crawler.settings.get("MONITOR_ORIGIN_OVERRIDE")
        if not origin:
            raise NotConfigured("MONITOR_ORIGIN_OVERRIDE is not set")
        self.origin = origin.rstrip("/")

    async def download_request(self, request):
        local = request.replace(url=f"{self.origin}/{request.url}")
        response = await super().download_request(local)
        return response.replace(url=request.url, request=request)
