"""Bad configuration, an unreachable database and bad arguments: a clear message and the exit code."""
from __future__ import annotations

import shutil

import pytest

from helpers import ROOT, run_monitor

UNREACHABLE = "mongodb://127.0.0.1:9/?serverSelectionTimeoutMS=500"


@pytest.fixture
def config_copy(tmp_path):
    target = tmp_path / "spiders_config"
    shutil.copytree(ROOT / "spiders_config", target)
    return target


def _replace(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize("file, old, new, key, says", [
    ("outlets/xinhua.yaml", "domains: [news.cn, xinhuanet.com]", "domains: news.cn", "domains",
     "is not of type 'array'"),
    ("outlets/gmw.yaml", "name:", "nmae:", "(top level)", "'name' is a required property"),
    ("profiles/weekly.yaml", "window: weekly", "window: fortnightly", "window",
     "'fortnightly' is not one of the accepted values: 'weekly', 'monthly'"),
    ("topics/health_it.yaml", "threshold: 8", "threshold: ten", "threshold", "is not of type 'number'"),
    # Values only their use would have found wrong, article by article: checked at start too.
    ("outlets/workercn.yaml", "encoding: utf-8", "encoding: no-such-codec", "encoding",
     "'no-such-codec' is not a text encoding"),
    ("outlets/xinhua.yaml", '".head-line .title", ', '"div[[[", ', "article.title[0]",
     "'div[[[' is neither valid CSS nor XPath"),
    ("outlets/xinhua.yaml", 'link: ".tit a"', 'link: ".tit a::text("', "list.sources[0].link",
     "is not a valid CSS selector"),
    ("outlets/xinhua.yaml", "- url: https://www.news.cn/health/", "- url: https:///health/", "list.sources[0].url",
     "is not a URL with a host name"),
    ("outlets/xinhua.yaml", "id: 'datasource:([0-9a-f]{32})'", "id: 'datasource:([0-9a-f]{32}'",
     "list.sources[0].datasource.id", "is not a valid regular expression"),
])
def test_a_bad_config_file_is_named_with_its_key_before_anything_is_crawled(monitor_env, db, config_copy, file,
                                                                            old, new, key, says):
    _replace(config_copy / file, old, new)
    result = run_monitor("run", "--profile", "weekly", "--issue-date", "2026-01-16",
                         "--replay", ROOT / "samples" / "weekly-sample.warc.gz",
                         env={"MONITOR_CONFIG_DIR": str(config_copy)})
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"{config_copy / file}: {key}: " in result.stderr and says in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert db.runs.count_documents({}) == 0 and db.articles.count_documents({}) == 0


def test_unreachable_database_fails_at_once_with_exit_code_3(monitor_env):
    result = run_monitor("run", "--profile", "weekly", "--issue-date", "2026-01-16",
                         "--replay", ROOT / "samples" / "weekly-sample.warc.gz", env={"MONGO_URI": UNREACHABLE})
    assert result.returncode == 3, result.stdout + result.stderr
    assert "127.0.0.1:9" in result.stderr and "unreachable" in result.stderr
    assert "MONGO_URI" in result.stderr  # says what to do
    runs = run_monitor("runs", env={"MONGO_URI": UNREACHABLE})
    assert runs.returncode == 3
    # a URI pymongo cannot even parse is the same mistake to the user: exit 3, the URI named, no traceback
    malformed = run_monitor("runs", env={"MONGO_URI": "mongodb://127.0.0.1:"})
    assert malformed.returncode == 3 and "Traceback" not in malformed.stderr
    assert "MONGO_URI 'mongodb://127.0.0.1:' is not a MongoDB URI" in malformed.stderr


@pytest.mark.parametrize("args, says", [
    (("crawl", "xinhua", "nosuch"), "unknown outlet(s) nosuch; the outlets are: bjd, bjwjw, ce"),
    (("run", "--profile", "daily"), "unknown profile 'daily'; the profiles are: monthly, weekly"),
    (("run", "--profile", "weekly", "--issue-date", "2026-01-15"), "must be a Friday"),
    (("run", "--profile", "weekly", "--issue-date", "2026-01-16", "--replay", "/nonexistent/a.warc.gz"),
     "--replay: /nonexistent/a.warc.gz does not exist"),
    (("crawl", "--since", "2026-01-16", "--until", "2026-01-10"), "starts (2026-01-16) after it ends"),
    (("crawl", "--since", "2026-01-10", "--days", "2"), "--days and --since both set the window's first day"),
    (("runs", "--limit", "0"), "'0' is not a whole number from 1 to 9223372036854775807"),
    # Beyond what MongoDB stores or date arithmetic reaches: argument errors, not OverflowError.
    (("export", "--profile", "weekly", "--issue-date", "2026-01-16", "--number", "99999999999999999999"),
     "argument --number: '99999999999999999999' is not a whole number from 1 to 9223372036854775807"),
    (("export", "--profile", "weekly", "--issue-date", "0001-01-05"),
     "argument --issue-date: date '0001-01-05' is outside the dates accepted (1970-01-01 to 2999-12-31)"),
    (("run", "--profile", "weekly", "--number", "-3"), "argument --number: '-3' is not a whole number from 1"),
    (("crawl", "--since", "16.01.2026"), "is not a date of the form YYYY-MM-DD"),
    (("export", "--profile", "weekly", "--issue-date", "2026-01-16", "--format", "md,pdf"),
     "argument --format: 'md,pdf': the formats are md, docx (comma-separated, e.g. md,docx)"),
    (("run", "--profile", "weekly", "--format", ","), "argument --format: ',': the formats are md, docx"),
])
def test_bad_arguments_name_the_argument_and_what_is_accepted(monitor_env, args, says):
    result = run_monitor(*args)
    assert result.returncode == 2, result.stdout + result.stderr
    assert says in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_a_run_where_every_outlet_fails_exports_nothing_and_exits_1(monitor_env, db, make_archive):
    from datetime import datetime, timedelta, timezone
    # An archive with none of the outlets' list pages: nothing to work with anywhere.
    archive = make_archive(keep=lambda url, outlet: "/robots.txt" in url)
    result = run_monitor("run", "--profile", "weekly", "--replay", archive)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "no issue written: not attempted: every outlet failed" in result.stdout
    [run] = list(db.runs.find({}))
    assert run["status"] == "failed" and run["exit_code"] == 1
    assert all(o["verdict"] == "failed" and "no list page could be fetched" in o["problems"]
               for o in run["outlets"].values())
    # Without --issue-date the issue is the latest Friday up to today (Beijing time).
    today = datetime.now(timezone(timedelta(hours=8))).date()
    assert run["issue_date"] == (today - timedelta(days=(today.weekday() - 4) % 7)).isoformat()
    assert db.issues.count_documents({}) == 0


def test_an_unknown_topic_is_refused_before_the_crawl_with_the_accepted_names(monitor_env, db):
    result = run_monitor("crawl", "xinhua", "--replay", ROOT / "samples" / "weekly-sample.warc.gz",
                         env={"MONITOR_TOPIC": "nosuch"})
    assert result.returncode == 2, result.stdout + result.stderr
    assert "MONITOR_TOPIC: 'nosuch' names no topic file; the topics are: health_it" in result.stderr
    assert "Traceback" not in result.stderr
    assert db.articles.count_documents({}) == 0


def test_a_topic_term_listed_as_both_include_and_exclude_is_named(monitor_env, db, config_copy):
    topic = config_copy / "topics" / "health_it.yaml"
    text = topic.read_text(encoding="utf-8")
    assert "\nexclude:\n" in text
    topic.write_text(text.replace("\nexclude:\n", "\nexclude:\n  - 医院\n", 1), encoding="utf-8")
    result = run_monitor("crawl", "xinhua", "--replay", ROOT / "samples" / "weekly-sample.warc.gz",
                         env={"MONITOR_CONFIG_DIR": str(config_copy)})
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"{topic}:" in result.stderr and "医院" in result.stderr
    assert "Traceback" not in result.stderr


def run_scrapy_crawl(name, *args, env=None):
    import os
    import subprocess
    import sys
    return subprocess.run([sys.executable, "-m", "scrapy", "crawl", name, *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, cwd=ROOT, timeout=240)


@pytest.mark.parametrize("args, env, exit_code, says", [
    (("-a", "since=2026-01-10"), {"MONGO_URI": UNREACHABLE}, 3, "MongoDB at mongodb://127.0.0.1:9/"),
    (("-a", "since=bad"), {}, 2, "spider xinhua: bad -a since/until: since 'bad' is not a date of the form "
                                 "YYYY-MM-DD; use -a since=YYYY-MM-DD"),
    (("-a", "until=0001-01-01"), {}, 2, "until '0001-01-01' is outside the dates accepted"),
    (("-a", "check=many"), {}, 2, "-a check='many' must be a number of articles"),
])
def test_scrapy_crawl_gives_the_clear_message_and_exit_code_of_monitor_crawl(monitor_env, db, args, env,
                                                                            exit_code, says):
    result = run_scrapy_crawl("xinhua", *args, env=env)
    assert result.returncode == exit_code, result.stderr[-3000:]
    assert "scrapy crawl: error: " in result.stderr and says in result.stderr, result.stderr[-3000:]
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert db.articles.count_documents({}) == 0 and db.runs.count_documents({}) == 0


def test_scrapy_crawl_checks_the_config_first(monitor_env, db, config_copy):
    _replace(config_copy / "outlets" / "workercn.yaml", "encoding: utf-8", "encoding: no-such-codec")
    result = run_scrapy_crawl("xinhua", env={"MONITOR_CONFIG_DIR": str(config_copy)})
    assert result.returncode == 2, result.stderr[-3000:]
    assert f"{config_copy / 'outlets' / 'workercn.yaml'}: encoding: 'no-such-codec'" in result.stderr
    assert "Traceback" not in result.stderr
