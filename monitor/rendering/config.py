"""The `render:` section of an outlet's YAML file: which of its requests need a browser.

    render:
      pages: [list]                     # page kinds loaded in the browser: list, article (default: none)
      wait_for: {selector: "#list li a"}  # read the page once this CSS selector is in the DOM …
      # wait_for: network_idle          # … or once the network has been quiet for 500 ms
      timeout: 30                       # seconds for loading and waiting (default MONITOR_RENDER_TIMEOUT)
      challenge: cookie                 # HTTP 412 + script-set cookie: pass it in the browser once,
                                        # then plain requests carry the cookies

A malformed section is reported as a `RenderConfigError` naming the file and the key.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from monitor.config_schema import RENDER_SCHEMA, ConfigError, schema_problems

NETWORK_IDLE = "network_idle"


class RenderConfigError(ConfigError):
    """An outlet's `render:` section has an unknown key or a value of the wrong shape."""


@dataclass(frozen=True)
class RenderRule:
    outlet: str
    pages: frozenset[str] = frozenset()
    wait_selector: str | None = None
    wait_network_idle: bool = False
    timeout: float | None = None
    challenge: str | None = None

    def renders(self, page_kind: str | None) -> bool:
        return page_kind in self.pages

    def describe_wait(self) -> str:
        if self.wait_selector:
            return f"selector {self.wait_selector!r}"
        return "network idle" if self.wait_network_idle else "the load event"


def parse_render(outlet: str, section, path: Path | str | None = None) -> RenderRule:
    """The outlet's `render:` section, checked against its schema (monitor/config_schema.py, the check every
    command makes at start); raises RenderConfigError naming the file and key."""
    if section is None:
        return RenderRule(outlet)
    problems = schema_problems(section, RENDER_SCHEMA, Path(path or f"{outlet}.yaml"), "render")
    if problems:
        raise RenderConfigError(problems)
    pages = section.get("pages") or []
    wait_for = section.get("wait_for")
    timeout = section.get("timeout")
    return RenderRule(outlet, frozenset([pages] if isinstance(pages, str) else pages),
                      wait_selector=wait_for["selector"].strip() if isinstance(wait_for, dict) else None,
                      wait_network_idle=wait_for == NETWORK_IDLE,
                      timeout=float(timeout) if timeout is not None else None, challenge=section.get("challenge"))


def render_rules(outlets) -> tuple[dict[str, RenderRule], dict[str, str]]:
    """Rules of the outlets with a `render:` section, and the errors of the malformed ones (key -> message)."""
    rules, errors = {}, {}
    for key, outlet in outlets.items():
        if "render" not in outlet.config:
            continue
        try:
            rule = parse_render(key, outlet.config["render"], outlet.path)
        except RenderConfigError as e:
            errors[key] = str(e)
            continue
        if rule.pages or rule.challenge:
            rules[key] = rule
    return rules, errors
