"""Validation of every file under spiders_config/ before a command does anything.

Each kind of file has a JSON Schema (jsonschema, Draft 2020-12): outlets/*.yaml here, topics/*.yaml
and profiles/*.yaml the schemas their loaders use (monitor.topics, monitor.report.profiles), so the
check at start and the loader never disagree. The schema is the only check of an outlet file: the
`list:` and `render:` loaders (monitor/spiders/listconfig.py, monitor/rendering/config.py) check their
section with LIST_SCHEMA / RENDER_SCHEMA and only build from it. Beyond types and shapes the schema checks
what a value must be to work at all (formats below): selectors compile, regexes compile, encodings exist,
URLs have a host. An error names the file, the key and what is wrong.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import jsonschema
import yaml
from cssselect import SelectorError
from lxml import etree
from parsel.csstranslator import HTMLTranslator

OUTLET_KEY = r"^[a-z][a-z0-9_]*$"
_HOST = {"type": "string", "pattern": r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$"}

_TEXT = {"type": "string", "minLength": 1}
PER_DAY_URL = r"\{day[:}]"
_REGEX = {"type": "string", "minLength": 1, "format": "regex"}
_HTTP_URL = {"type": "string", "pattern": r"^https?://", "format": "http-url"}
#: An article rule's selector: CSS, or XPath when it starts with / ./ or ( (monitor/extract/fields.py).
_SELECTOR = {"type": "string", "minLength": 1, "format": "selector"}
#: A list page's selector: CSS with parsel's ::text / ::attr(name) (monitor/spiders/base.py).
_LIST_CSS = {"type": "string", "minLength": 1, "format": "list-css"}
#: A selector, or a list of them tried in order; an inner list is a group whose texts are joined.
_SELECTORS = {"oneOf": [_SELECTOR, {"type": "array", "minItems": 1,
                                    "items": {"oneOf": [_SELECTOR, {"type": "array", "minItems": 1,
                                                                    "items": _SELECTOR}]}}]}
_ONE_OR_MORE_TEXTS = {"oneOf": [_TEXT, {"type": "array", "items": _TEXT}]}

#: `article:` — read by monitor/extract/article.py (docs/extraction.md).
ARTICLE_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        **{key: _SELECTORS for key in ("title", "original_title", "published_at", "author", "editor", "origin",
                                       "body", "remove")},
        "date_patterns": {"type": "array", "items": _REGEX},
        "own_names": _ONE_OR_MORE_TEXTS,
    },
}

_DATASOURCE = {
    "type": "object",
    "required": ["attribute", "id", "url", "entries", "link"],
    "additionalProperties": False,
    "properties": {"attribute": _LIST_CSS, "id": _REGEX, "url": _TEXT, "entries": _TEXT, "link": _TEXT,
                   "date": _TEXT},
}
_SCOPE = {"type": "array", "minItems": 1,
          "items": {"type": "string", "pattern": r"^(\*\.)?[a-z0-9.-]+\.[a-z]{2,}(/\S*)?$"}}
#: A search source's url/params/json values: {term} {page} {since:%Y-%m-%d} {until:…} {since_ms} {until_ms} ….
_TEMPLATE = {"type": "string", "format": "search-template"}
_TEMPLATED = {"oneOf": [_TEMPLATE, {"type": ["number", "boolean", "null"]},
                        {"type": "array"}, {"type": "object"}]}
_HEADERS = {"type": "object", "additionalProperties": {"type": "string"},
            "propertyNames": {"pattern": r"^[A-Za-z0-9-]+$"}}
_LIST_SOURCE = {
    "oneOf": [
        _HTTP_URL,
        {
            "type": "object",
            "required": ["url"],
            "additionalProperties": False,
            "properties": {
                "url": _HTTP_URL,
                "name": _TEXT,
                "format": {"enum": ["html", "json", "feed", "sitemap", "search"]},
                "entries": _TEXT, "link": _TEXT, "date": _TEXT, "title": _TEXT, "summary": _TEXT,
                "page": {"type": "string", "pattern": r"\{n\}"},
                "first_page_number": {"type": "integer", "minimum": 0},
                "next": _LIST_CSS,
                "per_day": {"type": "boolean"},
                "pages": _LIST_CSS,
                "skip_text": _ONE_OR_MORE_TEXTS,
                "datasource": _DATASOURCE,
                "prefilter": {"type": "boolean"},
                "scope": _SCOPE,
                "headers": _HEADERS,
                "max_pages": {"type": "integer", "minimum": 1},
                # format: search
                "method": {"enum": ["GET", "POST"]},
                "params": {"type": "object", "additionalProperties": _TEMPLATED},
                "json": {"type": "object", "additionalProperties": _TEMPLATED},
                "terms": _ONE_OR_MORE_TEXTS,
                "ok": {"type": "object", "minProperties": 1,
                       "additionalProperties": {"type": ["string", "number", "boolean"]}},
            },
            "allOf": [
                # entries/link/date are CSS on an HTML page, dotted paths into a JSON answer.
                {"if": {"required": ["format"], "properties": {"format": {"enum": ["json", "search"]}}},
                 "then": {"required": ["entries", "link"],
                          "description": "a json or search source needs `entries` (the dotted path to the entry "
                                         "array) and `link` (the URL field)"},
                 "else": {"properties": {"entries": _LIST_CSS, "link": _LIST_CSS, "date": _LIST_CSS,
                                         "title": _LIST_CSS, "summary": _LIST_CSS}}},
                {"if": {"required": ["format"], "properties": {"format": {"const": "search"}}},
                 "then": {"properties": {"url": _TEMPLATE}},
                 "else": {"not": {"anyOf": [{"required": [k]} for k in ("method", "params", "json", "terms", "ok")]},
                          "description": "method, params, json, terms and ok belong to a `format: search` source"}},
                {"if": {"required": ["json"]},
                 "then": {"properties": {"method": {"const": "POST"}}, "required": ["method"],
                          "description": "a search sending a `json` body needs `method: POST`"}},
                {"if": {"required": ["per_day"], "properties": {"per_day": {"const": True}}},
                 "then": {"properties": {"url": {"type": "string", "pattern": PER_DAY_URL}}}},
            ],
        },
    ],
}
#: `list:` — read by monitor/spiders/listconfig.py (docs/adding-an-outlet.md).
LIST_SCHEMA = {
    "type": "object",
    "required": ["articles", "sources"],
    "additionalProperties": False,
    "properties": {
        "articles": {"oneOf": [_REGEX, {"type": "array", "minItems": 1, "items": _REGEX}]},
        "sources": {"type": "array", "minItems": 1, "items": _LIST_SOURCE},
        "max_pages": {"type": "integer", "minimum": 1},
    },
}

_PAGE_KIND = {"type": "string", "enum": ["list", "article"]}
#: `render:` — read by monitor/rendering/config.py.
RENDER_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "pages": {"oneOf": [_PAGE_KIND, {"type": "array", "items": _PAGE_KIND}]},
        "wait_for": {"oneOf": [{"type": "string", "const": "network_idle"},
                               {"type": "object", "required": ["selector"], "additionalProperties": False,
                                "properties": {"selector": _TEXT}}]},
        "timeout": {"type": "number", "exclusiveMinimum": 0},
        "challenge": {"enum": ["cookie"]},
    },
}

#: What a value that does not match a pattern should look like.
PATTERN_HINTS = {
    _HOST["pattern"]: "is not a host name (lower case, no scheme or path, e.g. news.cn)",
    _HTTP_URL["pattern"]: "must start with http:// or https://",
    r"\{n\}": "needs an {n} placeholder for the page number, e.g. index_{n}.html",
    PER_DAY_URL: "needs a {day:...} placeholder for a per_day source (one URL per day), e.g. {day:%Y%m}/{day:%d}",
    OUTLET_KEY: "is not an outlet key (lower-case letters, digits and _)",
    _SCOPE["items"]["pattern"]: "is not a scope: a host, optionally *. for its sub-hosts and a path prefix, "
                                "e.g. www.cnr.cn/bj/ or *.news.cn",
}

#: `request:` — read by monitor/spiders/politeness.py: how the outlet's pages are asked for.
REQUEST_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "user_agent": _TEXT,             # a User-Agent, or `browser` for a current desktop browser's
        "headers": _HEADERS,             # sent with every request (Referer, Accept-Language, …)
        "scheme_fallback": {"type": "boolean"},  # a 403 is asked again with http <-> https swapped
        "download_delay": {"type": "number", "minimum": 0, "maximum": 600},
        "concurrency": {"type": "integer", "minimum": 1, "maximum": 64},
    },
}

#: outlets/<key>.yaml (docs/adding-an-outlet.md).
OUTLET_SCHEMA = {
    "type": "object",
    "required": ["key", "name", "domains"],
    "additionalProperties": False,
    "properties": {
        "key": {"type": "string", "pattern": OUTLET_KEY},
        "name": _TEXT,
        "domains": {"type": "array", "minItems": 1, "uniqueItems": True, "items": _HOST},
        "source_by_host": {"type": "object", "propertyNames": _HOST, "additionalProperties": _TEXT},
        "encoding": {"type": "string", "minLength": 1, "format": "codec"},
        "article": ARTICLE_SCHEMA,
        "list": LIST_SCHEMA,
        "render": RENDER_SCHEMA,
        "request": REQUEST_SCHEMA,
    },
}


FORMATS = jsonschema.FormatChecker()  # the standard formats (regex, …) and the project's own below


@FORMATS.checks("selector", raises=ValueError)
def _is_selector(value) -> bool:
    from monitor.extract.fields import compiled_selector
    return not isinstance(value, str) or bool(compiled_selector(value))


@FORMATS.checks("list-css", raises=ValueError)
def _is_list_css(value) -> bool:
    if isinstance(value, str):
        try:
            etree.XPath(HTMLTranslator().css_to_xpath(value))
        except (SelectorError, etree.XPathSyntaxError) as e:
            raise ValueError(f"{value!r} is not a valid CSS selector: {e}") from None
    return True


@FORMATS.checks("codec", raises=LookupError)
def _is_codec(value) -> bool:
    from monitor.extract.charset import text_codec
    return not isinstance(value, str) or bool(text_codec(value))


@FORMATS.checks("http-url", raises=ValueError)
def _is_http_url(value) -> bool:
    from monitor.urls import http_url_problem
    problem = http_url_problem(value) if isinstance(value, str) else None
    if problem:
        raise ValueError(f"is not a URL with a host name (e.g. https://www.news.cn/health/): it {problem}")
    return True


@FORMATS.checks("search-template", raises=ValueError)
def _is_search_template(value) -> bool:
    if isinstance(value, str):
        from datetime import date

        from monitor.spiders.listconfig import fill, template_values
        try:
            fill(value, template_values("term", 1, date(2026, 1, 1), date(2026, 1, 7)))
        except (KeyError, IndexError, ValueError, AttributeError) as e:
            raise ValueError(f"{value!r} is not a template of {{term}}, {{page}}, {{since:%Y-%m-%d}}, "
                             f"{{until:%Y-%m-%d}}, {{since_ms}}, {{until_ms}}, {{since_s}}, {{until_s}} "
                             f"(unknown or malformed placeholder: {e}); write a literal brace as {{{{ or }}}}") from None
    return True


def _topic_schema() -> dict:
    from monitor.topics import SCHEMA
    return SCHEMA


def _profile_schema() -> dict:
    from monitor.report.profiles import SCHEMA
    return SCHEMA


#: sub-directory -> (what its files are, the schema)
KINDS = {
    "outlets": ("outlet", lambda: OUTLET_SCHEMA),
    "topics": ("topic", _topic_schema),
    "profiles": ("report profile", _profile_schema),
}


@dataclass(frozen=True)
class ConfigProblem:
    path: Path
    key: str        # dotted path into the file, e.g. list.sources[0].url; "(file)" for the file itself
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.key}: {self.message}"


class ConfigError(ValueError):
    """spiders_config/ has problems; str() lists them, one a line."""

    def __init__(self, problems: list[ConfigProblem]):
        self.problems = problems
        shown = problems[:20]
        more = f"\n  ... and {len(problems) - len(shown)} more" if len(problems) > len(shown) else ""
        super().__init__("invalid configuration:\n" + "\n".join(f"  {p}" for p in shown) + more)


def key_path(parts) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _deepest(error: jsonschema.ValidationError) -> jsonschema.ValidationError:
    """For "valid under none of the choices", the error of the choice the value was meant for: one whose
    type the value has (a list is meant for the list choice, whatever the string choice says of it)."""
    while error.context:
        mistyped = {e.relative_schema_path[0] for e in error.context if list(e.relative_schema_path)[1:] == ["type"]}
        meant = [e for e in error.context if e.relative_schema_path[0] not in mistyped] or error.context
        error = jsonschema.exceptions.best_match(meant)
    return error


def _message(error: jsonschema.ValidationError) -> str:
    if error.validator == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        return f"{error.message}; the keys allowed here are: {', '.join(allowed)}" if allowed else error.message
    if error.validator == "pattern" and error.validator_value in PATTERN_HINTS:
        return f"{error.instance!r} {PATTERN_HINTS[error.validator_value]}"
    if error.validator == "format" and error.validator_value == "regex":
        try:
            re.compile(error.instance)
        except re.error as e:
            return f"{error.instance!r} is not a valid regular expression: {e}"
    if error.validator == "format" and error.cause is not None:
        text = str(error.cause)
        return text if repr(error.instance) in text else f"{error.instance!r} {text}"
    if error.validator == "not" and error.schema.get("description"):
        return error.schema["description"]
    if error.validator == "required" and error.schema.get("description"):
        return f"{error.message}: {error.schema['description']}"
    if error.validator == "enum":
        return f"{error.instance!r} is not one of the accepted values: {', '.join(map(repr, error.validator_value))}"
    return error.message


def schema_problems(data, schema: dict, path: Path | str, *key: str | int) -> list[ConfigProblem]:
    """Every way `data` (the value at `key` in the file at `path`) differs from `schema`."""
    validator = jsonschema.Draft202012Validator(schema, format_checker=FORMATS)
    errors = [_deepest(e) for e in validator.iter_errors(data)]
    return [ConfigProblem(Path(path), key_path([*key, *e.absolute_path]), _message(e))
            for e in sorted(errors, key=lambda e: [str(p) for p in e.absolute_path])]


def validate_file(path: Path, schema: dict, what: str) -> list[ConfigProblem]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as e:
        return [ConfigProblem(path, "(file)", f"cannot be read: {e}")]
    except yaml.YAMLError as e:
        return [ConfigProblem(path, "(file)", f"is not valid YAML: {e}")]
    if data is None:
        return [ConfigProblem(path, "(file)", f"is empty; a {what} file needs at least the keys "
                                              f"{', '.join(schema.get('required', []))}")]
    problems = schema_problems(data, schema, path)
    if what == "outlet" and isinstance(data, dict) and isinstance(data.get("key"), str) and data["key"] != path.stem:
        problems.append(ConfigProblem(path, "key", f"{data['key']!r} differs from the file name; an outlet's "
                                                   f"key is its file name ({path.stem!r}) and its spider's name"))
    if what == "topic" and not problems:
        problems += _topic_loader_problems(path)
    return problems


def _topic_loader_problems(path: Path) -> list[ConfigProblem]:
    """What the topic loader checks beyond the schema (duplicate terms, include/exclude clashes, …)."""
    from monitor.topics import TopicError, load_topic
    try:
        load_topic(path.stem, path.parent.parent)
    except TopicError as e:
        text = str(e).removeprefix(f"topic {path}: ")
        key, _, problem = text.partition(": ")
        return [ConfigProblem(path, key.strip() if problem else "(file)", (problem or text).strip())]
    return []


def check_selected_topic(directory: str | Path, topic: str) -> list[ConfigProblem]:
    """The topic MONITOR_TOPIC names must exist, or nothing would pass the relevance filter."""
    if (Path(directory) / "topics" / f"{topic}.yaml").is_file():
        return []
    known = sorted(p.stem for p in (Path(directory) / "topics").glob("*.yaml"))
    return [ConfigProblem(Path(directory) / "topics", "MONITOR_TOPIC",
                          f"{topic!r} names no topic file; the topics are: {', '.join(known) or 'none'}")]


def check_config_dir(directory: str | Path) -> list[ConfigProblem]:
    """Every problem in every file under `directory` (spiders_config/)."""
    directory = Path(directory)
    if not directory.is_dir():
        return [ConfigProblem(directory, "(directory)", "does not exist; set MONITOR_CONFIG_DIR to the "
                                                        "spiders_config directory")]
    problems = []
    for sub, (what, schema) in KINDS.items():
        for path in sorted((directory / sub).glob("*.yaml")) + sorted((directory / sub).glob("*.yml")):
            if not re.match(r"^[A-Za-z0-9_-]+$", path.stem):
                problems.append(ConfigProblem(path, "(file)", "a file name of letters, digits, '_' and '-' only"))
                continue
            problems += validate_file(path, schema(), what)
    if not any((directory / "outlets").glob("*.yaml")):
        problems.append(ConfigProblem(directory / "outlets", "(directory)", "holds no outlet files (*.yaml)"))
    return problems


def validate_config(directory: str | Path | None = None) -> None:
    """Raise ConfigError naming every problem; return quietly when all is well."""
    if directory is None:
        from monitor.outlets import config_dir
        directory = config_dir()
    problems = check_config_dir(directory)
    topic = os.environ.get("MONITOR_TOPIC")
    if topic and not problems:
        problems = check_selected_topic(directory, topic)
    if problems:
        raise ConfigError(problems)
