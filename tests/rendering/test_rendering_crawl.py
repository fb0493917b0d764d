"""Pages that need a browser: crawls of a local site on 127.0.0.1 through the real middlewares,
scrapy-playwright and Debian's Chromium, each in its own process (`scrapy runspider` with the
project's settings and a test spiders_config)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from helpers import ROOT

PROBE = Path(__file__).with_name("probe_spider.py")
CHROMIUM = os.environ.get("MONITOR_CHROMIUM", "/usr/bin/chromium")
needs_chromium = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                    reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)")

# The article list is inserted by script a moment after the load event, as on script-filled list pages.
SCRIPTED_LIST = """<!doctype html><html><head><meta charset="utf-8"><title>动态列表</title></head><body>
<img src="/js/banner.png" alt=""><ul id="list"></ul>
<script>
window.addEventListener("load", function () {
  setTimeout(function () {
    var list = document.getElementById("list");
    for (var i = 1; i <= 3; i++) {
      var li = document.createElement("li");
      li.innerHTML = '<a href="/js/article/' + i + '.html">卫生信息化 ' + i + '</a>';
      list.appendChild(li);
    }
  }, 200);
});
</script></body></html>"""

STATIC_LIST = """<!doctype html><html><head><meta charset="utf-8"></head><body>
<ul id="list"><li><a href="/plain/article/1.html">互联网医院</a></li></ul></body></html>"""

# A cookie challenge like nhc.gov.cn's: 412, a session cookie in the header, a script that sets the
# second cookie and reloads; only both cookies get the page.
CHALLENGE = """<!doctype html><html><head><meta charset="utf-8"></head><body>
<script>document.cookie = "gate_token=ok; path=/"; location.reload();</script></body></html>"""
# A challenge the browser cannot pass (the site changed its script).
STUCK = """<!doctype html><html><head><meta charset="utf-8"></head><body><script>var x = 1;</script></body></html>"""


class Site(BaseHTTPRequestHandler):
    log: list  # (path, headers) of every request, set per server

    def do_GET(self):
        self.log.append((self.path, dict(self.headers)))
        path = self.path.split("?")[0]
        cookie = self.headers.get("Cookie") or ""
        if path == "/js/list.html":
            return self.reply(200, SCRIPTED_LIST)
        if path == "/plain/list.html":
            return self.reply(200, STATIC_LIST)
        if path.startswith("/gate/"):
            if "gate_sid=s1" in cookie and "gate_token=ok" in cookie:
                n = path.rsplit("/", 1)[-1]
                return self.reply(200, f'<html><body><ul id="list"><li><a href="/gate/a-{n}">x</a></li></ul>'
                                       '</body></html>')
            return self.reply(412, CHALLENGE, [("Set-Cookie", "gate_sid=s1; Path=/")])
        if path.startswith("/stuck/"):
            return self.reply(412, STUCK)
        return self.reply(404, "not found")

    def reply(self, status, body, headers=()):
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def site():
    handler = type("SiteHandler", (Site,), {"log": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.base = f"http://127.0.0.1:{server.server_address[1]}"
    server.log = handler.log
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def crawl(monitor_env, tmp_path):
    """crawl(outlets={key: render section or None}, targets=[(key, url)], chromium=...) -> (result, process)."""
    def run(outlets: dict, targets: list, chromium: str = CHROMIUM):
        config = tmp_path / "spiders_config"
        (config / "outlets").mkdir(parents=True, exist_ok=True)
        for key, render in outlets.items():
            data = {"key": key, "name": key, "domains": ["127.0.0.1"]}
            if render is not None:
                data["render"] = render
            (config / "outlets" / f"{key}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        out = tmp_path / "result.json"
        env = {**os.environ, "MONITOR_CONFIG_DIR": str(config), "MONITOR_CHROMIUM": chromium,
               "SCRAPY_SETTINGS_MODULE": "monitor.settings"}
        proc = subprocess.run([sys.executable, "-m", "scrapy", "runspider", str(PROBE), "-a",
                               f"targets={json.dumps(targets)}", "-a", f"out={out}"],
                              capture_output=True, text=True, env=env, cwd=ROOT, timeout=240)
        assert out.exists(), proc.stderr[-3000:]
        return json.loads(out.read_text(encoding="utf-8")), proc
    return run


def pages_of(result, outlet):
    return [p for p in result["pages"] if p["outlet"] == outlet]


@needs_chromium
def test_scripted_list_is_read_with_rendering_and_not_without(site, crawl):
    result, proc = crawl(
        {"scripted": {"pages": ["list"], "wait_for": {"selector": "#list li a"}}, "unrendered": None,
         "changed": {"pages": ["list"], "wait_for": {"selector": "ul.gone li"}, "timeout": 2}},
        [("scripted", f"{site.base}/js/list.html"), ("unrendered", f"{site.base}/js/list.html?plain"),
         ("changed", f"{site.base}/js/list.html?changed")])
    stats = result["stats"]

    [rendered] = pages_of(result, "scripted")
    assert rendered["links"] == [f"{site.base}/js/article/{i}.html" for i in (1, 2, 3)], proc.stderr[-3000:]
    assert "playwright" in rendered["flags"]
    [plain] = pages_of(result, "unrendered")
    assert plain["links"] == [] and "playwright" not in plain["flags"]

    assert stats["monitor/outlet/scripted/rendered"] == 1
    assert not any(path.startswith("/js/banner.png") for path, _ in site.log), "images must not be loaded"
    # Pages are closed after use, also the one that failed.
    assert stats["playwright/page_count"] == stats["playwright/page_count/closed"] == 2

    # A page whose awaited selector never appears fails clearly, for its outlet only.
    assert pages_of(result, "changed") == []
    assert stats["monitor/render_failed"] == stats["monitor/outlet/changed/render_errors"] == 1
    assert "monitor/outlet/scripted/render_errors" not in stats
    assert any("ERROR" in line and "outlet changed" in line and "ul.gone li" in line
               for line in proc.stderr.splitlines()), proc.stderr[-3000:]


def test_missing_browser_fails_its_outlet_clearly_and_others_complete(site, crawl):
    result, proc = crawl(
        {"scripted": {"pages": ["list"], "wait_for": {"selector": "#list li a"}}, "static": None},
        [("scripted", f"{site.base}/js/list.html"), ("scripted", f"{site.base}/js/list.html?page=2"),
         ("static", f"{site.base}/plain/list.html")],
        chromium="/nonexistent/chromium")
    stats = result["stats"]

    assert pages_of(result, "static")[0]["links"] == [f"{site.base}/plain/article/1.html"]
    assert pages_of(result, "scripted") == []
    errors = [line for line in proc.stderr.splitlines() if "ERROR" in line and "outlet scripted" in line]
    assert len(errors) == 1, proc.stderr[-3000:]  # once per outlet, not per page
    for part in ("/nonexistent/chromium", "apt-get install chromium", "MONITOR_CHROMIUM"):
        assert part in errors[0]
    assert stats["monitor/render_failed"] == 2
    assert stats["monitor/outlet/scripted/render_errors"] == 2
    assert "monitor/outlet/static/render_errors" not in stats
    assert stats["log_count/ERROR"] >= 1


def test_run_without_rendered_requests_starts_no_browser(site, crawl):
    result, proc = crawl({"scripted": {"pages": ["article"]}, "static": None},
                         [("scripted", f"{site.base}/plain/list.html"), ("static", f"{site.base}/plain/list.html?2")],
                         chromium="/nonexistent/chromium")
    assert [len(p["links"]) for p in result["pages"]] == [1, 1]
    assert not any(k.startswith("playwright/") for k in result["stats"]), result["stats"]
    assert "log_count/ERROR" not in result["stats"], proc.stderr[-3000:]


@needs_chromium
def test_cookie_challenge_is_passed_once_in_the_browser_and_reused_for_plain_requests(site, crawl):
    result, proc = crawl(
        {"gated": {"challenge": "cookie"}, "stuck": {"challenge": "cookie", "timeout": 2}},
        [("gated", f"{site.base}/gate/list.html"), ("gated", f"{site.base}/gate/list_2.html"),
         ("stuck", f"{site.base}/stuck/list.html")])
    stats = result["stats"]

    gated = sorted(pages_of(result, "gated"), key=lambda p: p["url"])
    assert [(p["status"], p["links"]) for p in gated] == [
        (200, [f"{site.base}/gate/a-list.html"]), (200, [f"{site.base}/gate/a-list_2.html"])], proc.stderr[-3000:]
    assert all("playwright" not in p["flags"] for p in gated), "the pages themselves come by plain HTTP"
    assert stats["monitor/outlet/gated/challenge_passed"] == 1  # one browser visit for the host
    assert "monitor/outlet/gated/challenge_failed" not in stats

    assert pages_of(result, "stuck") == []
    assert stats["monitor/outlet/stuck/challenge_failed"] == 1
    assert any("ERROR" in line and "outlet stuck" in line and "/stuck/list.html" in line
               for line in proc.stderr.splitlines()), proc.stderr[-3000:]
    assert stats["playwright/page_count"] == stats["playwright/page_count/closed"] == 2
