"""`monitor import` against hostile files: every bad line is reported by number and reason and costs only
itself, the good lines are stored, no traceback, and the summary's counts add up to the lines read."""
import json

from helpers import run_monitor
from test_import import article, write_jsonl

from monitor.cli.import_cmd import ImportOutcomes
from monitor import importer


def assert_ran_cleanly(result):
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr, result.stderr


def titles(db):
    return sorted(d["title"] for d in db.articles.find())


def line_of(record) -> bytes:
    return json.dumps(record, ensure_ascii=False).encode("utf-8") + b"\n"


def test_a_line_not_in_utf8_is_reported_with_its_offset_and_the_others_are_stored(monitor_env, db, tmp_path):
    first = b"\xef\xbb\xbf" + line_of(article(1))  # a byte order mark on line 1 is allowed
    second = json.dumps(article(2), ensure_ascii=False).encode("gbk") + b"\n"
    path = tmp_path / "gbk.jsonl"
    path.write_bytes(first + second + line_of(article(3)))
    result = run_monitor("import", path)
    assert_ran_cleanly(result)
    offset = len(first) + next(i for i, byte in enumerate(second) if byte >= 0x80)
    assert (f"gbk.jsonl line 2 skipped: not UTF-8: invalid continuation byte (byte 0x{second[offset - len(first)]:02x} "
            f"at offset {offset} of the file)") in result.stderr
    assert "3 line(s) read = 2 stored + 1 skipped" in result.stdout
    assert "skipped (not UTF-8): 1" in result.stdout
    assert titles(db) == ["医院数据平台建设 1", "医院数据平台建设 3"]


def test_wrong_types_are_reported_by_field_and_the_counts_add_up(monitor_env, db, tmp_path):
    path = write_jsonl(tmp_path / "types.jsonl", [
        article(1),
        article(2, title=["医院", "数据"]),
        article(3, body_markdown={"text": "医院"}),
        article(4, published_at="0001-01-01T00:00:00+14:00"),  # overflows when converted to UTC
        article(5, source=42),
        article(6),
        article(7, published_at="9999-12-31T23:59:59-14:00"),  # overflows the other way
        article(8, original_title=None, author=None, images=[{"src": "https://www.chinanews.com/a.jpg",
                                                               "caption": None}]),
    ])
    result = run_monitor("import", path)
    assert_ran_cleanly(result)
    log = result.stderr
    assert "line 2 skipped: title must be a string, not an array" in log
    assert "line 3 skipped: body_markdown must be a string, not an object" in log
    assert "line 4 skipped: published_at '0001-01-01T00:00:00+14:00' is before 1990-01-01" in log
    assert "line 5 skipped: source must be a string, not a number" in log
    assert "line 7 skipped: published_at '9999-12-31T23:59:59-14:00' is in the future" in log
    assert "AttributeError" not in log and "OverflowError" not in log
    assert "8 line(s) read = 3 stored + 5 skipped" in result.stdout
    assert "stored: 3 new, 0 updated, 0 unchanged" in result.stdout
    assert "skipped (not a valid article): 5" in result.stdout
    assert titles(db) == ["医院数据平台建设 1", "医院数据平台建设 6", "医院数据平台建设 8"]


def test_urls_that_are_not_http_with_a_host_are_not_stored(monitor_env, db, tmp_path):
    path = write_jsonl(tmp_path / "urls.jsonl", [
        article(1),
        article(2, url="not a url"),
        article(3, url="javascript:alert(1)"),
        article(4, url="http://"),
        article(5, url="ftp://www.chinanews.com/jk/5.shtml"),
        article(6, url="https://www.chinanews.com/jk/a b.shtml"),
        article(7, urls=["javascript:alert(1)"]),
        article(8, url="https://www.chinanews.com:99999/jk/8.shtml"),
    ])
    result = run_monitor("import", path)
    assert_ran_cleanly(result)
    log = result.stderr
    assert "line 2 skipped: url 'not a url' is not an http or https URL" in log
    assert "line 3 skipped: url 'javascript:alert(1)' is not an http or https URL" in log
    assert "line 4 skipped: url 'http://' has no valid host" in log
    assert "line 5 skipped: url 'ftp://www.chinanews.com/jk/5.shtml' is not an http or https URL" in log
    assert "line 6 skipped: url 'https://www.chinanews.com/jk/a b.shtml' contains a space" in log
    assert "line 7 skipped: urls[0] 'javascript:alert(1)' is not an http or https URL" in log
    assert "line 8 skipped: url 'https://www.chinanews.com:99999/jk/8.shtml' is not a URL (Port out of range" in log
    assert "8 line(s) read = 1 stored + 7 skipped" in result.stdout
    assert [(d["url"], d["urls"]) for d in db.articles.find()] == [
        ("https://chinanews.com/jk/2026/01-12/10550001.shtml", [article(1)["url"]])]


def test_an_article_over_mongodbs_document_limit_is_refused_and_the_others_are_stored(monitor_env, db, tmp_path):
    huge = article(2, body_markdown="医院数据平台。" + "x" * (17 * 1024 * 1024))
    path = write_jsonl(tmp_path / "huge.jsonl", [article(1), huge, article(3)])
    del huge
    result = run_monitor("import", path)
    assert_ran_cleanly(result)
    assert "line 2 skipped: the article would be a 34.0 MiB document" in result.stderr
    assert "MongoDB stores at most 16 MiB per document, so monitor imports articles of at most 15 MiB" in result.stderr
    assert "BulkWriteError" not in result.stderr
    assert "3 line(s) read = 2 stored + 1 skipped" in result.stdout
    assert "stored: 2 new" in result.stdout and "skipped (too large): 1" in result.stdout
    assert titles(db) == ["医院数据平台建设 1", "医院数据平台建设 3"]


def test_lines_that_are_not_json_or_not_unicode_are_reported_and_skipped(monitor_env, db, tmp_path):
    path = write_jsonl(tmp_path / "garbage.jsonl", [
        article(1),
        "[" * 100_000,                                     # nested beyond the parser's depth
        '{"n": ' + "1" * 5000 + "}",                       # an integer of 5,000 digits
        "\ufeff" + json.dumps(article(4), ensure_ascii=False),  # a byte order mark on a later line
        json.dumps(article(5, title=float("nan"))),        # NaN: JSON to Python, not a string
        json.dumps(article(6, title="医院\ud800")),          # \ud800 escaped: JSON, but not Unicode
        "[1, 2]",
        article(8, images=[{"src": "https://www.chinanews.com/a.jpg", "width": 3}]),
    ])
    result = run_monitor("import", path)
    assert_ran_cleanly(result)
    log = result.stderr
    assert "line 2 skipped: not JSON this program can read: nested too deeply" in log
    assert "line 3 skipped: not JSON this program can read: Exceeds the limit (4300 digits)" in log
    assert "line 4 skipped: not JSON: Unexpected UTF-8 BOM" in log
    assert "line 5 skipped: title must be a string, not a number" in log
    assert "line 6 skipped: title is not valid Unicode" in log
    assert "line 7 skipped: expected a JSON object, not an array" in log
    assert "line 8 skipped: images[0] may only have src and caption, not width" in log
    assert "8 line(s) read = 1 stored + 7 skipped" in result.stdout
    assert "skipped (not JSON): 3" in result.stdout and "skipped (not a valid article): 4" in result.stdout
    assert titles(db) == ["医院数据平台建设 1"]


def test_drops_and_repeated_urls_add_up_and_blank_lines_are_not_read(monitor_env, db, tmp_path):
    path = write_jsonl(tmp_path / "mixed.jsonl", [
        article(1),
        "",
        article(1, title="医院数据平台建设 1（更新）"),  # the same URL again: one document, the later copy
        article(3, title="天气", body_markdown="今天下雨。"),  # off topic
        article(4, day="2025-12-31"),                       # before --since
        "   ",
        article(5),
    ])
    result = run_monitor("import", path, "--since", "2026-01-01")
    assert_ran_cleanly(result)
    assert ("5 line(s) read = 2 stored + 0 skipped + 2 dropped by the pipelines + 1 merged into a later line "
            "with the same URL") in result.stdout
    assert "dropped (OffTopic): 1" in result.stdout and "dropped (OutsideWindow): 1" in result.stdout
    assert titles(db) == ["医院数据平台建设 1（更新）", "医院数据平台建设 5"]
    # no body in the log: a dropped article is named by its URL only
    assert "今天下雨" not in result.stderr


def test_a_directory_is_a_bad_argument(monitor_env, tmp_path):
    result = run_monitor("import", tmp_path)
    assert result.returncode == 2
    assert "does not exist or is not a file" in result.stderr and "Traceback" not in result.stderr


# -- in this process: what the command's runs above cannot reach cheaply -------------------------------
def test_a_line_too_long_to_hold_is_skipped_unread(monkeypatch, tmp_path):
    monkeypatch.setattr(importer, "MAX_LINE_BYTES", 10)
    path = tmp_path / "long.jsonl"
    path.write_bytes(b"{}\n" + b"x" * 25 + b"\n{\"a\": 1}\n")
    with open(path, "rb") as f:
        lines = list(importer.raw_lines(f))
    assert [(line.number, line.offset, line.size, line.data) for line in lines] == [
        (1, 0, 3, b"{}"), (2, 3, 26, None), (3, 29, 9, b'{"a": 1}')]
    try:
        importer.decode_line(lines[1])
    except importer.SkippedLine as e:
        assert e.reason == importer.TOO_LARGE and "not read" in str(e)
    else:
        raise AssertionError("a line over MAX_LINE_BYTES was decoded")


def test_the_summary_counts_rejected_spooled_and_merged_articles():
    stats = {"import/lines_read": 9, "import/skipped/not_utf8": 1, "import/skipped/too_large": 1,
             "item_dropped_reasons_count/OffTopic": 1, "item_scraped_count": 6, "monitor/stored/inserted": 2,
             "monitor/stored/unchanged": 1, "monitor/stored/rejected": 1, "monitor/stored/spooled": 1}
    outcomes = ImportOutcomes.from_stats(stats)
    assert outcomes.unaccounted == 0
    assert outcomes.summary("a.jsonl", finished=True).splitlines() == [
        "a.jsonl: 9 line(s) read = 3 stored + 2 skipped + 1 dropped by the pipelines + 1 rejected by the database "
        "+ 1 kept on disk for the next command (the database went away) + 1 merged into a later line with the same URL",
        "stored: 2 new, 0 updated, 1 unchanged",
        "skipped (not UTF-8): 1",
        "skipped (too large): 1",
        "dropped (OffTopic): 1",
    ]
    # a line without an outcome shows: as lines not processed when the import stopped early, else as a bug
    stats["import/lines_read"] = 10
    outcomes = ImportOutcomes.from_stats(stats)
    assert outcomes.unaccounted == 1
    assert "+ 1 not processed (the import stopped early)" in outcomes.summary("a.jsonl", finished=False)
