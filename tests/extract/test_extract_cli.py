"""`monitor extract` as an operator runs it: a saved page in, one JSON object out; clear errors."""
from __future__ import annotations

import json

import pytest

from extract_helpers import PAGES
from helpers import run_monitor


def test_saved_page_prints_the_article_as_json():
    result = run_monitor("extract", "--url", "http://www.ce.cn/cysc/yy/hydt/202601/15/t20260115_3100001.shtml",
                         "--html", PAGES / "ce" / "gbk_2026.html")
    assert result.returncode == 0, result.stderr
    article = json.loads(result.stdout)
    assert article["outlet"] == "ce" and article["source"] == "中国经济网"
    assert article["title"] == "互联网医院超3300家 远程医疗覆盖所有地级市"
    assert article["published_at"] == "2026-01-15T09:12:00+08:00"
    assert "周喆" in article["body_markdown"] and "\\u" not in result.stdout
    assert article["extracted_by"] == "site"


def test_unknown_domain_goes_through_the_generic_path():
    result = run_monitor("extract", "--url", "https://www.example-health.org.cn/news/2026/01/15/1234.html",
                         "--html", PAGES / "generic" / "unknown_outlet_2026.html")
    assert result.returncode == 0, result.stderr
    article = json.loads(result.stdout)
    assert article["outlet"] is None and article["extracted_by"] == "generic"
    assert article["source"] == "健康信息化观察"


def test_missing_file(tmp_path):
    result = run_monitor("extract", "--url", "https://www.news.cn/a.html", "--html", tmp_path / "nope.html")
    assert result.returncode == 2
    assert "nope.html does not exist" in result.stderr and not result.stdout


def test_bad_url():
    result = run_monitor("extract", "--url", "www.news.cn/a.html", "--html", PAGES / "ce" / "gbk_2026.html")
    assert result.returncode == 2
    assert "is not an http(s) URL" in result.stderr


def test_page_without_an_article(tmp_path):
    blank = tmp_path / "blank.html"
    blank.write_text("<html><body><div>  </div></body></html>", encoding="utf-8")
    result = run_monitor("extract", "--url", "https://www.news.cn/a.html", "--html", blank)
    assert result.returncode == 1
    assert "https://www.news.cn/a.html: found neither a title nor an article body" in result.stderr


@pytest.mark.parametrize("page", ["list_of_links", "home_page", "error_page"])
def test_a_page_of_links_is_refused_as_no_article(page):
    result = run_monitor("extract", "--url", "https://wsjkw.example.gov.cn/xwzx/index.html",
                         "--html", PAGES / "not_articles" / f"{page}.html")
    assert result.returncode == 1, result.stdout
    assert "https://wsjkw.example.gov.cn/xwzx/index.html: not an article page" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_unreachable_url():
    # Port 9 on 127.0.0.1 (discard) has no listener: the connection is refused at once.
    result = run_monitor("extract", "--url", "http://127.0.0.1:9/a.html", "--timeout", "5")
    assert result.returncode == 1
    assert "is unreachable" in result.stderr and "--html" in result.stderr


def test_live_page_from_a_local_server(tmp_path):
    import http.server
    import threading

    body = (PAGES / "cnr" / "health_2026.html").read_bytes()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        result = run_monitor("extract", "--url", f"http://127.0.0.1:{server.server_port}/jkgdxw/20260112/t20260112_1.shtml")
    finally:
        server.shutdown()
        thread.join()
    assert result.returncode == 0, result.stderr
    article = json.loads(result.stdout)
    assert article["title"] == "医保移动支付覆盖全国所有统筹地区"
    assert article["published_at"] == "2026-01-12T07:45:00+08:00"
