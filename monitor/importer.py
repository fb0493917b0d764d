"""`monitor import`: articles from a JSON Lines file, through the crawl's own item pipelines.

The file is read by a spider that makes no requests, so every item passes the same
ITEM_PIPELINES, with the same stats and drop counts, as a crawled one.

The file may be anything, so each line is checked before it becomes an item: it is read as bytes
and decoded on its own (one bad line costs only itself), parsed as JSON, checked against the article
contract (field types: docs/mongodb.md, monitor/items.py; http(s) URLs with a host; dates in a sane
range) and against MongoDB's document size limit. A line that fails is logged with its number and
reason, counted under `import/skipped/<reason>`, and skipped. Every non-blank line is counted in
`import/lines_read` and has exactly one outcome, so the command's summary adds up.
"""
from __future__ import annotations

import codecs
import json
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import BinaryIO, Iterator

import bson
import jsonschema
import scrapy
from scrapy import signals

from monitor.config_schema import key_path
from monitor.items import ArticleItem
from monitor.outlets import outlet_for_url
from monitor.urls import http_url_problem
from monitor.window import BEIJING, Window, parse_day

logger = logging.getLogger(__name__)

MiB = 1024 * 1024
#: MongoDB refuses a document larger than this.
MONGODB_DOCUMENT_LIMIT = 16 * MiB
#: The largest article imported, as a stored document: below MongoDB's limit, leaving room for what the
#: pipelines add (keywords, fingerprint, cluster and bookkeeping fields: a few KB).
MAX_DOCUMENT_BYTES = 15 * MiB
#: A longer line is skipped unread, so one huge line cannot exhaust memory. Generous: JSON escapes
#: (`\u4e2d` for the 3 bytes of 中) make a line up to about twice the size of the article it holds.
MAX_LINE_BYTES = 4 * MAX_DOCUMENT_BYTES
#: Publish and fetch times before this are not of a news article on the web: a typo or a placeholder.
EARLIEST_MOMENT = datetime(1990, 1, 1, tzinfo=BEIJING)
#: How far in the future a time may be (clocks and time zones differ a little; more is an error).
FUTURE_ALLOWANCE = timedelta(days=1)

#: Why a line was skipped: stats key suffix -> how the summary names it.
NOT_UTF8, NOT_JSON, INVALID, TOO_LARGE = "not_utf8", "not_json", "invalid", "too_large"
SKIP_REASONS = {NOT_UTF8: "not UTF-8", NOT_JSON: "not JSON", INVALID: "not a valid article", TOO_LARGE: "too large"}

#: Stats: non-blank lines; articles handed to the pipelines; lines skipped by reason; articles a pipeline
#: failed on with an unexpected error (a bug: the contract check should have caught its cause).
LINES_READ, ARTICLES_PASSED, SKIPPED_PREFIX, PIPELINE_ERRORS = (
    "import/lines_read", "import/articles", "import/skipped/", "import/pipeline_errors")

#: Fields taken from a line; the pipelines compute the others (status, keywords, score, clusters …).
IMPORTED_FIELDS = ("url", "urls", "outlet", "source", "title", "original_title", "published_at_raw", "author",
                   "editor", "origin", "body_markdown", "body_text", "images", "extracted_by")

_TEXT = {"type": "string", "pattern": r"\S"}          # a non-blank string
_TEXT_OR_NULL = {"type": ["string", "null"]}
#: The article contract's types (docs/mongodb.md). URLs and times are strings here and checked further
#: below; an optional list may be null (as absent). Other keys are ignored (e.g. `_id` of an export).
ARTICLE_SCHEMA = {
    "type": "object",
    "required": ["url", "source", "title", "published_at", "body_markdown"],
    "properties": {
        "url": {"type": "string"},
        "urls": {"type": ["array", "null"], "items": {"type": "string"}},
        "source": _TEXT,
        "title": _TEXT,
        "body_markdown": _TEXT,
        **{name: _TEXT_OR_NULL for name in ("original_title", "author", "editor", "origin", "published_at_raw",
                                            "outlet", "body_text", "extracted_by")},
        "images": {"type": ["array", "null"], "items": {
            "type": "object", "required": ["src"], "additionalProperties": False,
            "properties": {"src": _TEXT, "caption": _TEXT_OR_NULL}}},
        "published_at": {"type": "string"},
        "fetched_at": {"type": ["string", "null"]},
    },
}
_ARTICLE_VALIDATOR = jsonschema.Draft202012Validator(ARTICLE_SCHEMA)

_JSON_TYPES = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", int: "a number",
               float: "a number", type(None): "null"}
_SCHEMA_TYPES = {"object": "an object", "array": "an array", "string": "a string", "null": "null"}


class SkippedLine(ValueError):
    """A line that does not become an article; `reason` is one of SKIP_REASONS."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


def invalid(message: str) -> SkippedLine:
    return SkippedLine(INVALID, message)


# -- lines ------------------------------------------------------------------------------------------
@dataclass
class RawLine:
    number: int            # 1-based
    offset: int            # of its first byte in the file
    size: int              # bytes, with the line break
    data: bytes | None     # without the line break; None: longer than MAX_LINE_BYTES, not kept


def raw_lines(f: BinaryIO) -> Iterator[RawLine]:
    """Every line of a binary file, blank ones included (they count for the line numbers)."""
    number = offset = 0
    while data := f.readline(MAX_LINE_BYTES + 1):
        number += 1
        size = len(data)
        if size > MAX_LINE_BYTES:  # read on to the line's end without keeping it
            while not data.endswith(b"\n") and (data := f.readline(MiB)):
                size += len(data)
            yield RawLine(number, offset, size, None)
        else:
            yield RawLine(number, offset, size, data.rstrip(b"\r\n"))
        offset += size


def is_blank(line: RawLine) -> bool:
    return line.data is not None and not line.data.strip()


def decode_line(line: RawLine) -> str:
    """The line's text; a UTF-8 byte order mark is dropped from the first line only."""
    if line.data is None:
        raise SkippedLine(TOO_LARGE, f"the line is {line.size / MiB:.1f} MiB, more than any storable article "
                                     f"(MongoDB stores at most {MONGODB_DOCUMENT_LIMIT // MiB} MiB per document); "
                                     "not read")
    bom = len(codecs.BOM_UTF8) if line.number == 1 and line.data.startswith(codecs.BOM_UTF8) else 0
    try:
        return line.data[bom:].decode("utf-8")
    except UnicodeDecodeError as e:
        at = bom + e.start
        raise SkippedLine(NOT_UTF8, f"not UTF-8: {e.reason} (byte 0x{line.data[at]:02x} at offset "
                                    f"{line.offset + at} of the file)") from None


def parse_record(text: str):
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise SkippedLine(NOT_JSON, f"not JSON: {e.msg} at column {e.colno}") from None
    except RecursionError:
        raise SkippedLine(NOT_JSON, "not JSON this program can read: nested too deeply") from None
    except ValueError as e:  # e.g. an integer of thousands of digits
        raise SkippedLine(NOT_JSON, f"not JSON this program can read: {e}") from None


# -- the article contract ---------------------------------------------------------------------------
def contract_errors(record) -> list[str]:
    """What in `record` breaks the contract's types, one message per problem, no values quoted (a value
    may be a whole body)."""
    if not isinstance(record, dict):
        return [f"expected a JSON object, not {json_type(record)}"]
    missing = [name for name in ARTICLE_SCHEMA["required"] if name not in record]
    messages = [f"missing {', '.join(missing)}"] if missing else []
    errors = sorted(_ARTICLE_VALIDATOR.iter_errors(record), key=lambda e: [str(p) for p in e.absolute_path])
    return messages + [_describe(e) for e in errors if e.absolute_path or e.validator != "required"]


def _describe(error: jsonschema.ValidationError) -> str:
    where = key_path(error.absolute_path) if error.absolute_path else "the line"  # e.g. images[0].src
    if error.validator == "type":
        expected = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        return f"{where} must be {' or '.join(_SCHEMA_TYPES[t] for t in expected)}, not {json_type(error.instance)}"
    if error.validator == "pattern":
        return f"{where} is empty"
    if error.validator == "required":
        return f"{where} has no {', '.join(n for n in error.validator_value if n not in error.instance)}"
    if error.validator == "additionalProperties":
        allowed = error.schema.get("properties", {})
        extra = [shorten(str(k), 40) for k in error.instance if k not in allowed][:3]
        return f"{where} may only have {' and '.join(allowed)}, not {', '.join(extra)}"
    return f"{where} breaks the rule {error.validator!r} of the article contract"


def json_type(value) -> str:
    return _JSON_TYPES.get(type(value), type(value).__name__)


def shorten(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def check_url(name: str, value: str) -> None:
    """An article URL: http or https, with a host, no spaces — one the pipelines can canonicalise."""
    problem = http_url_problem(value)
    if problem:
        raise invalid(f"{name} {shorten(value)!r} {problem}")


def parse_moment(name: str, value: str, now: datetime) -> datetime:
    """An ISO 8601 time between EARLIEST_MOMENT and now + FUTURE_ALLOWANCE; one without a zone is Beijing
    time (as the pages show it). Compared before any conversion: a far-off date with an offset (e.g.
    `0001-01-01T00:00:00+14:00`) would overflow when converted to UTC."""
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise invalid(f"{name} {shorten(value)!r} is not ISO 8601 (e.g. 2026-01-10T12:00:00+08:00)") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=BEIJING)
    if moment < EARLIEST_MOMENT:
        raise invalid(f"{name} {shorten(value)!r} is before {EARLIEST_MOMENT.date().isoformat()}")
    latest = now + FUTURE_ALLOWANCE
    if moment > latest:
        raise invalid(f"{name} {shorten(value)!r} is in the future (after {latest.isoformat(timespec='minutes')})")
    return moment


def document_size(fields: dict) -> int:
    """Bytes of the stored document these fields make, about: their BSON, and the body once more when the
    normalize pipeline will derive `body_text` from it (plain text is never longer than the Markdown)."""
    try:
        size = len(bson.encode(fields))
    except UnicodeEncodeError:  # a lone surrogate such as "\ud800": valid JSON, not valid Unicode
        bad = next(name for name, value in fields.items() if not _encodable(value))
        raise invalid(f"{bad} is not valid Unicode (it has an unpaired surrogate such as \\ud800)") from None
    if not fields.get("body_text"):
        size += len(fields["body_markdown"].encode("utf-8"))
    return size


def _encodable(value) -> bool:
    try:
        bson.encode({"v": value})
        return True
    except UnicodeEncodeError:
        return False


def check_size(fields: dict) -> None:
    size = document_size(fields)
    if size > MAX_DOCUMENT_BYTES:
        raise SkippedLine(TOO_LARGE, f"the article would be a {size / MiB:.1f} MiB document (its body is stored as "
                                     f"Markdown and as plain text); MongoDB stores at most "
                                     f"{MONGODB_DOCUMENT_LIMIT // MiB} MiB per document, so monitor imports "
                                     f"articles of at most {MAX_DOCUMENT_BYTES // MiB} MiB")


def article_item(record, now: datetime) -> ArticleItem:
    """The item for one parsed line, or SkippedLine (INVALID, TOO_LARGE) saying what is wrong."""
    errors = contract_errors(record)
    if errors:
        raise invalid("; ".join(errors[:3]) + (f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""))
    check_url("url", record["url"])
    for n, url in enumerate(record.get("urls") or ()):
        check_url(f"urls[{n}]", url)
    published_at = parse_moment("published_at", record["published_at"], now)
    if record.get("fetched_at"):
        parse_moment("fetched_at", record["fetched_at"], now)  # checked, not kept: fetched_at is the import's time
    fields = {name: record[name] for name in IMPORTED_FIELDS if name in record}
    check_size(fields)

    item = ArticleItem(**fields)
    item["published_at"] = published_at
    item["published_at_raw"] = record.get("published_at_raw") or record["published_at"]
    item.setdefault("original_title", None)
    item.setdefault("origin", None)
    item["extracted_by"] = record.get("extracted_by") or "import"
    if not item.get("outlet"):
        outlet = outlet_for_url(record["url"])
        item["outlet"] = outlet.key if outlet else None
    return item


def item_from_line(line: RawLine, now: datetime) -> ArticleItem:
    return article_item(parse_record(decode_line(line)), now)


# -- the spider -------------------------------------------------------------------------------------
class JsonlImportSpider(scrapy.Spider):
    name = "import"

    def __init__(self, path: str, since: str | None = None, until: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.path = Path(path)
        # Without --since/--until no window applies; with one of them the other end is open.
        self.window = None
        if since or until:
            self.window = Window(parse_day(since, "--since") if since else date.min,
                                 parse_day(until, "--until") if until else date.max - timedelta(days=1))

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.count_pipeline_error, signal=signals.item_error)
        return spider

    def count_pipeline_error(self, item, failure):
        # An item a pipeline raised on (not a DropItem) is an outcome too: the summary must add up.
        self.crawler.stats.inc_value(PIPELINE_ERRORS)

    async def start(self):
        stats = self.crawler.stats
        now = datetime.now(BEIJING)
        with open(self.path, "rb") as f:
            for line in raw_lines(f):
                if is_blank(line):
                    continue
                stats.inc_value(LINES_READ)
                try:
                    item = item_from_line(line, now)
                except SkippedLine as e:
                    logger.error("%s line %d skipped: %s", self.path, line.number, e)
                    stats.inc_value(SKIPPED_PREFIX + e.reason)
                    continue
                stats.inc_value(ARTICLES_PASSED)
                yield item
