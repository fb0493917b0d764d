"""`monitor trace`: why a URL is or is not in the data (outlet, patterns, list sources, stored, issue rank)."""
from __future__ import annotations

import json

from helpers import run_monitor, shared_path

REFERENCE = ["weekly-630-2025-06-27", "weekly-657-2026-01-16"]
#: The issue traced: the 657 issue (tests/report/test_export_reference.py).
ISSUE = ("--profile", "weekly", "--issue-date", "2026-01-16")
ISSUE_STEM = "weekly-657-2026-01-16"
#: Host suffix -> the outlet that owns it.
OUTLETS = {"chinanews.com": "chinanews", "chinanews.com.cn": "chinanews", "ynet.com": "ynet", "cnr.cn": "cnr",
           "workercn.cn": "workercn"}

NO_OUTLET = "https://example.com/a.html"
REJECTED = "https://www.news.cn/health/index.html"
XINHUA_ARTICLE = "https://www.news.cn/health/20260112/0123456789abcdef0123456789abcdef/c.html"


def _traces(result, urls) -> dict[str, dict]:
    """The JSON lines of a `monitor trace --json` run, by URL: exactly one object per URL, nothing else."""
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == len(urls), result.stdout
    traces = [json.loads(line) for line in lines]
    assert [t["url"] for t in traces] == list(urls)
    for t in traces:
        assert isinstance(t["sources"], list)
        for source in t["sources"]:
            assert set(source) == {"index", "label", "format", "scope"}, source
            assert isinstance(source["index"], int) and isinstance(source["label"], str)
            assert isinstance(source["format"], str) and all(isinstance(p, str) for p in source["scope"])
    return {t["url"]: t for t in traces}


def _owner(url: str) -> str:
    host = url.split("/")[2]
    return next(key for suffix, key in OUTLETS.items() if host == suffix or host.endswith("." + suffix))


def test_reference_articles_are_stored_and_the_issue_ranks_its_own(monitor_env, tmp_path):
    records = {stem: [json.loads(line) for line in
                      shared_path("reference", f"{stem}.articles.jsonl").read_text(encoding="utf-8").splitlines()
                      if line.strip()] for stem in REFERENCE}
    both = tmp_path / "reference.articles.jsonl"
    both.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for rs in records.values() for r in rs),
                    encoding="utf-8")
    imported = run_monitor("import", both)
    assert imported.returncode == 0, imported.stdout + imported.stderr

    urls = [r["url"] for rs in records.values() for r in rs]
    traces = _traces(run_monitor("trace", "--json", *urls, *ISSUE), urls)

    for url, trace in traces.items():
        assert trace["stored"] is True, trace
        assert trace["outlet"] == _owner(url), trace
        assert trace["status"] == "ok" and isinstance(trace["score"], (int, float)) and trace["keywords"]
        assert trace["cluster_id"] and trace["reprint_count"] >= 1
        assert trace["stored_url"].startswith("https://") and "www." not in trace["stored_url"]
        assert trace["published_at"][:10] == next(r["published_at"][:10] for rs in records.values() for r in rs
                                                  if r["url"] == url)
    in_issue = [r["url"] for r in records[ISSUE_STEM]]
    assert all(traces[url]["in_issue"] is True for url in in_issue)
    assert sorted(traces[url]["rank"] for url in in_issue) == list(range(1, len(in_issue) + 1))
    # ranked best score first, as the exporter orders its candidates
    by_rank = sorted(in_issue, key=lambda url: traces[url]["rank"])
    assert [traces[url]["score"] for url in by_rank] == sorted((traces[url]["score"] for url in by_rank), reverse=True)
    for url in urls:
        if url not in in_issue:  # the 630 issue's articles lie outside the window
            assert traces[url]["in_issue"] is False and traces[url]["rank"] is None


def test_urls_the_configuration_does_not_reach(monitor_env):
    urls = [NO_OUTLET, REJECTED, XINHUA_ARTICLE]
    traces = _traces(run_monitor("trace", "--json", *urls), urls)

    nowhere = traces[NO_OUTLET]
    assert (nowhere["outlet"], nowhere["accepted"], nowhere["sources"], nowhere["stored"]) == (None, False, [], False)
    assert "in_issue" not in nowhere and "rank" not in nowhere  # only with --profile and --issue-date
    assert traces[REJECTED]["outlet"] == "xinhua" and traces[REJECTED]["accepted"] is False
    article = traces[XINHUA_ARTICLE]
    assert article["outlet"] == "xinhua" and article["accepted"] is True and article["stored"] is False

    text = run_monitor("trace", NO_OUTLET, REJECTED)
    assert text.returncode == 0, text.stdout + text.stderr
    blocks = text.stdout.strip().split("\n\n")
    assert len(blocks) == 2
    assert blocks[0].splitlines()[0] == NO_OUTLET
    assert "  outlet: none" in blocks[0] and "  accepted: no" in blocks[0] and "  stored: no" in blocks[0]
    assert "reason: no outlet covers host example.com" in blocks[0]
    assert "  outlet: xinhua" in blocks[1] and "  accepted: no" in blocks[1]
    assert "the outlet's article patterns reject it" in blocks[1] and "spiders_config/outlets/xinhua.yaml" in blocks[1]


def test_bad_arguments_exit_2_with_one_line(monitor_env):
    not_http = run_monitor("trace", NO_OUTLET, "ftp://x")
    assert not_http.returncode == 2
    assert not_http.stdout == ""
    assert not_http.stderr.strip().splitlines() == ["monitor trace: error: 'ftp://x' is not an http or https URL"]

    half = run_monitor("trace", NO_OUTLET, "--profile", "weekly")
    assert half.returncode == 2
    assert "--issue-date" in half.stderr and "Traceback" not in half.stderr
    assert len(half.stderr.strip().splitlines()) == 1
