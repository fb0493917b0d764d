"""Site-search POSTs: many requests to one URL told apart by their body, in the sample archive, in a
recorded archive on replay, and on the test site server."""
from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request

import pytest
from scrapy import Spider
from scrapy.http import JsonRequest, Request, TextResponse
from scrapy.utils.test import get_crawler
from warcio.archiveiterator import ArchiveIterator

from monitor.ops.record import REPLAYED, WarcRecorderMiddleware, _SharedFile
from monitor.ops.replay import MissingFromArchive, WarcReplayMiddleware
from monitor.ops.warc import ArchiveIndex, canonical_body, request_key, url_key
from saved_sites import SiteServer, saved_pages

SEARCH = "http://search.people.cn/search-platform/front/search"
LIST = "http://health.people.com.cn/GB/408564/index.html"
QUERY = {"key": "互联网医院", "page": 1, "limit": 10, "hasTitle": True, "hasContent": True, "isFuzzy": True,
         "type": 0, "sortType": 2, "startTime": 0, "endTime": 0}
BODY_1 = json.dumps(QUERY, ensure_ascii=False)
BODY_2 = json.dumps({**QUERY, "page": 2}, ensure_ascii=False)
BODY_3 = json.dumps({**QUERY, "key": "电子病历"}, ensure_ascii=False)
#: BODY_1 as another client would send it: keys in another order, other whitespace, \u escapes.
BODY_1_OTHERWISE = json.dumps(dict(reversed(list(QUERY.items()))), indent=2)


@pytest.fixture
def sites(tmp_path):
    """A sites directory like tests/sites with one outlet: a list page (GET) and two search result pages
    (POST to one URL, different bodies)."""
    site = tmp_path / "sites" / "people"
    site.mkdir(parents=True)
    (site / "list.html").write_text("<html><body>list</body></html>", encoding="utf-8")
    (site / "search-1.json").write_text('{"data": {"records": [{"id": 1}]}}', encoding="utf-8")
    (site / "search-2.json").write_text('{"data": {"records": [{"id": 2}]}}', encoding="utf-8")
    rows = ["url\tfile\tcontent_type\tmethod\tbody",
            f"{LIST}\tlist.html\ttext/html; charset=GB2312\t\t",
            f"{SEARCH}\tsearch-1.json\tapplication/json;charset=UTF-8\tPOST\t{BODY_1}",
            f"{SEARCH}\tsearch-2.json\tapplication/json;charset=UTF-8\tpost\t{BODY_2}"]
    (site / "urls.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return tmp_path / "sites"


def test_json_bodies_compare_in_canonical_form_and_gets_keep_their_url_key():
    assert canonical_body(BODY_1) == canonical_body(BODY_1_OTHERWISE.encode("utf-8"))
    assert canonical_body(BODY_1) == json.dumps(QUERY, sort_keys=True, separators=(",", ":"),
                                                ensure_ascii=False).encode("utf-8")
    assert canonical_body(b"key=a&page=1") == b"key=a&page=1"  # not JSON: the bytes as they are
    assert canonical_body(b"\xff{") == b"\xff{"
    assert request_key(SEARCH, "POST", BODY_1) == request_key(SEARCH, "post", BODY_1_OTHERWISE.encode())
    assert request_key(SEARCH, "POST", BODY_1) != request_key(SEARCH, "POST", BODY_2)
    assert request_key(SEARCH, "POST", BODY_1).startswith(f"POST {url_key(SEARCH)} sha256:")
    assert request_key(LIST) == request_key(LIST, "GET", b"ignored") == url_key(LIST)


def test_the_sample_archive_answers_each_post_by_its_body_and_get_by_url(sample_tool, sites, tmp_path):
    rows = sample_tool.site_requests(sites)
    assert [(r.method, r.path.name) for r in rows] == [("GET", "list.html"), ("POST", "search-1.json"),
                                                       ("POST", "search-2.json")]
    assert rows[1].body == BODY_1  # the exact text of the cell
    assert rows[0] == (LIST, sites / "people" / "list.html", "text/html; charset=GB2312", "GET", "")
    out = tmp_path / "sample.warc.gz"
    with open(out, "wb") as f:
        assert sample_tool.build(rows, f) == 3
    again = tmp_path / "again.warc.gz"
    with open(again, "wb") as f:
        sample_tool.build(sample_tool.site_requests(sites), f)
    assert out.read_bytes() == again.read_bytes()  # reproducible: fixed record ids and dates

    # Each POST row is a response record plus a request record naming it (WARC-Concurrent-To).
    with open(out, "rb") as f:
        records = [(r.rec_type, r.rec_headers, r.http_headers, r.raw_stream.read()) for r in ArchiveIterator(f)]
    ids = {h.get_header("WARC-Record-ID") for _, h, _, _ in records}
    assert len(ids) == len(records) == 5
    requests = [(h, http, body) for kind, h, http, body in records if kind == "request"]
    assert [(http.protocol, http.statusline, body.decode("utf-8")) for _, http, body in requests] == [
        ("POST", "/search-platform/front/search HTTP/1.1", BODY_1),
        ("POST", "/search-platform/front/search HTTP/1.1", BODY_2)]
    responses = {h.get_header("WARC-Record-ID"): body for kind, h, _, body in records if kind == "response"}
    assert [responses[h.get_header("WARC-Concurrent-To")] for h, _, _ in requests] == [
        (sites / "people" / "search-1.json").read_bytes(), (sites / "people" / "search-2.json").read_bytes()]

    index = ArchiveIndex.open(out)
    assert len(index) == 3
    assert index.get(SEARCH, "POST", BODY_1.encode("utf-8")).body == (sites / "people" / "search-1.json").read_bytes()
    assert index.get(SEARCH, "POST", BODY_2).body == (sites / "people" / "search-2.json").read_bytes()
    assert index.get(SEARCH, "POST", BODY_1_OTHERWISE.encode("utf-8")).body == \
        (sites / "people" / "search-1.json").read_bytes()
    reply = index.get(SEARCH, "POST", BODY_2)
    assert reply.status == 200 and ("Content-Type", "application/json;charset=UTF-8") in reply.headers
    assert index.get(SEARCH, "POST", BODY_3) is None
    assert index.get(SEARCH, "POST", b"") is None
    assert index.get(LIST).body == (sites / "people" / "list.html").read_bytes()
    assert LIST in index
    # An answer to a POST is no answer to a GET of the same URL.
    assert index.get(SEARCH) is None and SEARCH not in index


def test_a_get_row_with_a_body_or_an_unknown_method_is_refused(sample_tool, sites):
    table = sites / "people" / "urls.tsv"
    original = table.read_text(encoding="utf-8")
    table.write_text(original + f"{LIST}?x=1\tlist.html\ttext/html\tGET\t{BODY_1}\n", encoding="utf-8")
    with pytest.raises(SystemExit, match=r"urls.tsv:5: a body is only for a POST row"):
        sample_tool.site_requests(sites)
    table.write_text(original + f"{SEARCH}\tlist.html\ttext/html\tPUT\t{BODY_1}\n", encoding="utf-8")
    with pytest.raises(SystemExit, match=r"urls.tsv:5: method 'PUT' is none of GET, POST"):
        sample_tool.site_requests(sites)


def _crawler(**settings):
    return get_crawler(Spider, settings)


def test_recorded_posts_are_replayed_by_body_and_a_missing_body_is_counted(tmp_path, caplog):
    # Record: the recorder middleware writes what it sees next to the downloader (its file is the run's,
    # which spider_opened names after the run id; here it is handed a file of its own).
    recorder = WarcRecorderMiddleware(_crawler(MONITOR_RECORD_DIR=str(tmp_path / "evidence")),
                                      tmp_path / "evidence")
    recorder.file = _SharedFile.acquire(tmp_path / "evidence" / "monitor-test.warc.gz")
    sent = []
    for page, data in ((1, QUERY), (2, {**QUERY, "page": 2})):
        request = JsonRequest(SEARCH, data=data, meta={"outlet": "people", "page_kind": "list"})
        assert request.method == "POST"
        body = json.dumps({"data": {"records": [{"id": page}]}}).encode()
        response = TextResponse(SEARCH, status=200, body=body, request=request,
                                headers={"Content-Type": "application/json;charset=UTF-8"})
        assert recorder.process_response(request, response) is response
        sent.append(body)
    listing = Request(LIST, meta={"outlet": "people", "page_kind": "list"})
    recorder.process_response(listing, TextResponse(LIST, status=200, body=b"<html>list</html>", request=listing,
                                                    headers={"Content-Type": "text/html"}))
    replayed = TextResponse(LIST + "?again", body=b"x", request=Request(LIST + "?again"), flags=[REPLAYED])
    recorder.process_response(replayed.request, replayed)  # not new evidence: not written
    assert recorder.crawler.stats.get_value("monitor/record/responses") == 3
    recorder.file.release()

    # Replay from the recorded directory, through the middleware as a crawl uses it.
    crawler = _crawler(MONITOR_REPLAY_PATH=str(tmp_path / "evidence"))
    replay = WarcReplayMiddleware.from_crawler(crawler)
    assert len(replay.index) == 3
    # The same query in another key order and spacing is the same request.
    request = Request(SEARCH, method="POST", body=BODY_1_OTHERWISE.encode("utf-8"),
                      headers={"Content-Type": "application/json"}, meta={"outlet": "people"})
    answer = replay.process_request(request)
    assert answer.status == 200 and answer.body == sent[0] and answer.request is request
    assert REPLAYED in answer.flags
    second = replay.process_request(JsonRequest(SEARCH, data={**QUERY, "page": 2}, meta={"outlet": "people"}))
    assert second.body == sent[1]
    assert replay.process_request(Request(LIST)).body == b"<html>list</html>"
    assert crawler.stats.get_value("monitor/replay/responses") == 3

    # A query never recorded is missing from the archive: counted, and the log line says POST and the body.
    unknown = JsonRequest(SEARCH, data={**QUERY, "key": "电子病历" * 30}, meta={"outlet": "people",
                                                                              "page_kind": "list"})
    with caplog.at_level(logging.WARNING, logger="monitor.ops.replay"):
        with pytest.raises(MissingFromArchive, match="POST"):
            replay.process_request(unknown)
        with pytest.raises(MissingFromArchive):
            replay.process_request(Request(SEARCH, meta={"outlet": "people"}))  # a GET: no POST answers it
    assert crawler.stats.get_value("monitor/replay/missing") == 2
    assert crawler.stats.get_value("monitor/replay/missing/people") == 2
    post_line, get_line = [r.getMessage() for r in caplog.records]
    shown = unknown.body.decode("utf-8")[:100]
    assert post_line == f"Not in the replay archive (outlet people, list page): POST {SEARCH} body: {shown}…"
    assert get_line == f"Not in the replay archive (outlet people, other page): {SEARCH}"


def _post(url: str, body: bytes):
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as reply:
        return reply.status, reply.headers["Content-Type"], reply.read()


def test_the_site_server_answers_a_post_by_its_body(sites):
    site = sites / "people"
    pages = saved_pages(site)
    assert pages[LIST] == (site / "list.html", "text/html; charset=GB2312")
    assert SEARCH not in pages  # a POST row is no GET page
    with SiteServer(pages) as server:
        status, content_type, body = _post(f"{server.origin}/{SEARCH}", BODY_1_OTHERWISE.encode("utf-8"))
        assert (status, content_type, body) == (200, "application/json;charset=UTF-8",
                                                (site / "search-1.json").read_bytes())
        assert _post(f"{server.origin}/{SEARCH}", BODY_2.encode("utf-8"))[2] == (site / "search-2.json").read_bytes()
        with pytest.raises(urllib.error.HTTPError) as unknown:
            _post(f"{server.origin}/{SEARCH}", BODY_3.encode("utf-8"))
        assert unknown.value.code == 404
        with pytest.raises(urllib.error.HTTPError) as as_get:
            urllib.request.urlopen(f"{server.origin}/{SEARCH}", timeout=10)
        assert as_get.value.code == 404
        with urllib.request.urlopen(f"{server.origin}/{LIST}", timeout=10) as reply:
            assert reply.read() == (site / "list.html").read_bytes()
        assert server.requested == [SEARCH, SEARCH, SEARCH, SEARCH, LIST]
        assert server.requested_bodies == [(SEARCH, BODY_1_OTHERWISE.encode("utf-8")), (SEARCH, BODY_2.encode()),
                                           (SEARCH, BODY_3.encode())]
