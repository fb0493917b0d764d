"""Report profiles: one YAML file per report under spiders_config/profiles/ (see docs/reports.md).

A profile says how an issue looks (title, organisation, number format, intro wording), which days
it covers (its window rule), how many entries it holds and which outlets it draws on.
"""
from __future__ import annotations

import calendar
import re
import string
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import jsonschema
import yaml

from monitor.outlets import config_dir, load_outlets
from monitor.window import Window

#: Profile names are file stems; nothing that could leave the profiles directory or an export path.
PROFILE_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")

#: Placeholders each template may use.
NUMBER_FIELDS = {"number"}
INTRO_FIELDS = {"count", "topic", "since", "until", "scope"}

SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["title", "organisation", "topic", "scope", "window", "number_format", "size", "outlets", "intro"],
    "properties": {
        "title": {"type": "string", "minLength": 1},
        "organisation": {"type": "string", "minLength": 1},
        "topic": {"type": "string", "minLength": 1},
        "scope": {"type": "string", "minLength": 1},
        "window": {"enum": ["weekly", "monthly"]},
        "number_format": {"type": "string", "minLength": 1},
        "size": {"type": "integer", "minimum": 1},
        "outlets": {"type": "array", "minItems": 1, "uniqueItems": True,
                    "items": {"type": "string", "pattern": "^[a-z0-9_]+$"}},
        "intro": {"type": "string", "minLength": 1},
    },
}

CHINESE_DIGITS = "零一二三四五六七八九"


class ProfileError(ValueError):
    """A profile that cannot be used: unknown name, unreadable or invalid file. The message says which."""


class IssueDateError(ValueError):
    """An issue date that does not fit the profile's window rule."""


def chinese_digits(number: int) -> str:
    """657 -> 六五七, 630 -> 六三零: the digits read one by one."""
    return "".join(CHINESE_DIGITS[int(d)] for d in str(number))


def chinese_date(day: date) -> str:
    """2026年01月16日"""
    return f"{day.year:04d}年{day.month:02d}月{day.day:02d}日"


def _month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


@dataclass(frozen=True)
class Profile:
    name: str
    title: str
    organisation: str
    topic: str
    scope: str
    window_rule: str
    number_format: str
    size: int
    outlets: tuple[str, ...]
    intro: str
    path: Path

    # -- the window rule ------------------------------------------------------------------------
    def window(self, issue_date: date) -> Window:
        """The days the issue of `issue_date` covers; IssueDateError where the date does not fit the rule."""
        if self.window_rule == "weekly":
            if issue_date.weekday() != 4:
                raise IssueDateError(
                    f"profile {self.name}: an issue date must be a Friday (the window runs Saturday to Friday); "
                    f"{issue_date} is a {issue_date.strftime('%A')}, the Friday before is "
                    f"{issue_date - timedelta(days=(issue_date.weekday() - 4) % 7)}")
            return Window.weekly(issue_date)
        if issue_date != _month_end(issue_date):
            raise IssueDateError(
                f"profile {self.name}: an issue date must be the last day of its month (the window is the "
                f"calendar month); for {issue_date:%Y-%m} that is {_month_end(issue_date)}")
        return Window.monthly(issue_date)

    def latest_issue_date(self, today: date) -> date:
        """The issue date of the most recent issue due on or before `today`."""
        if self.window_rule == "weekly":
            return today - timedelta(days=(today.weekday() - 4) % 7)
        if today == _month_end(today):
            return today
        return today.replace(day=1) - timedelta(days=1)

    # -- wording --------------------------------------------------------------------------------
    def number_text(self, number: int) -> str:
        return self.number_format.format(number=chinese_digits(number))

    def intro_text(self, count: int, window: Window) -> str:
        return self.intro.format(count=count, topic=self.topic, scope=self.scope,
                                 since=chinese_date(window.since), until=chinese_date(window.until))


def profiles_dir() -> Path:
    return config_dir() / "profiles"


def profile_names(directory: Path | None = None) -> list[str]:
    directory = directory or profiles_dir()
    return sorted(p.stem for p in directory.glob("*.yaml") if PROFILE_NAME.match(p.stem))


def _check_template(path: Path, key: str, template: str, allowed: set[str]) -> None:
    try:
        used = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    except ValueError as e:
        raise ProfileError(f"{path}: {key}: {e} (write a literal brace as {{{{ or }}}})") from None
    unknown = used - allowed
    if unknown:
        raise ProfileError(f"{path}: {key}: unknown placeholder(s) {', '.join('{%s}' % u for u in sorted(unknown))}; "
                           f"allowed: {', '.join('{%s}' % a for a in sorted(allowed))}")


def load_profile(name: str, directory: Path | None = None) -> Profile:
    """The profile called `name`, validated; ProfileError naming the file, key and problem otherwise."""
    directory = directory or profiles_dir()
    known = profile_names(directory)
    if not isinstance(name, str) or not PROFILE_NAME.match(name) or name not in known:
        raise ProfileError(f"unknown profile {name!r}; the profiles are: {', '.join(known) or '(none)'} "
                           f"(files in {directory})")
    path = directory / f"{name}.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
        raise ProfileError(f"{path}: cannot be read as YAML: {e}") from None
    errors = sorted(jsonschema.Draft202012Validator(SCHEMA).iter_errors(data), key=lambda e: list(e.path))
    if errors:
        first = errors[0]
        where = ".".join(str(p) for p in first.path) or "(top level)"
        raise ProfileError(f"{path}: {where}: {first.message}")
    if "{number}" not in data["number_format"]:
        raise ProfileError(f"{path}: number_format: must contain {{number}}, e.g. （第{{number}}期）")
    _check_template(path, "number_format", data["number_format"], NUMBER_FIELDS)
    _check_template(path, "intro", data["intro"], INTRO_FIELDS)
    known_outlets = load_outlets()
    unknown = [key for key in data["outlets"] if key not in known_outlets]
    if unknown:
        raise ProfileError(f"{path}: outlets: unknown outlet(s) {', '.join(unknown)}; "
                           f"the outlets are: {', '.join(sorted(known_outlets))}")
    return Profile(name=name, title=data["title"], organisation=data["organisation"], topic=data["topic"],
                   scope=data["scope"], window_rule=data["window"], number_format=data["number_format"],
                   size=data["size"], outlets=tuple(data["outlets"]), intro=data["intro"], path=path)
