"""Validation of every file under spiders_config/ before a command does anything.

Each kind of file has a JSON Schema (jsonschema, Draft 2020-12): outlets/*.yaml here, topics/*.yaml
and profiles/*.yaml the schemas their loaders use (monitor.topics, monitor.report.profiles), so the
check at start and the loader never disagree. An error names the file, the key and what is wrong.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import jsonschema
import yaml

OUTLET_KEY = r"^[a-z][a-z0-9_]*$"
_STRINGS = {"type": "array", "items": {"type": "string", "minLength": 1}}
_SELECTORS = {"type": "array", "minItems": 1, "items": {"type": "string", "minLength": 1}}
_HOST = {"type": "string", "pattern": r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$"}

#: outlets/<key>.yaml (docs/adding-an-outlet.md). Sections are objects read by their own loaders:
#: `article` (monitor/extract), `list` (monitor/spiders/listconfig.py), `render` (monitor/rendering).
OUTLET_SCHEMA = {
    "type": "object",
    "required": ["key", "name", "domains"],
    "additionalProperties": False,
    "properties": {
        "key": {"type": "string", "pattern": OUTLET_KEY},
        "name": {"type": "string", "minLength": 1},
        "domains": {"type": "array", "minItems": 1, "uniqueItems": True, "items": _HOST},
        "source_by_host": {"type": "object", "propertyNames": _HOST,
                           "additionalProperties": {"type": "string", "minLength": 1}},
        "encoding": {"type": "string", "minLength": 1},
        "article": {"type": "object"},
        "list": {"type": "object"},
        "render": {"type": "object"},
    },
}


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


def _message(error: jsonschema.ValidationError) -> str:
    if error.validator == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        return f"{error.message}; the keys allowed here are: {', '.join(allowed)}" if allowed else error.message
    if error.validator == "enum":
        return f"{error.instance!r} is not one of the accepted values: {', '.join(map(repr, error.validator_value))}"
    return error.message


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
    validator = jsonschema.Draft202012Validator(schema)
    problems = [ConfigProblem(path, key_path(e.absolute_path), _message(e))
                for e in sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])]
    if what == "outlet" and isinstance(data, dict) and isinstance(data.get("key"), str) and data["key"] != path.stem:
        problems.append(ConfigProblem(path, "key", f"{data['key']!r} differs from the file name; an outlet's "
                                                   f"key is its file name ({path.stem!r}) and its spider's name"))
    return problems


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
    if problems:
        raise ConfigError(problems)
