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

PAGE_KINDS = ("list", "article")
CHALLENGES = ("cookie",)
NETWORK_IDLE = "network_idle"
KNOWN_KEYS = ("pages", "wait_for", "timeout", "challenge")


class RenderConfigError(ValueError):
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
    where = f"{path or outlet}: render"

    def fail(key: str, problem: str) -> RenderConfigError:
        return RenderConfigError(f"{where}.{key} {problem}" if key else f"{where} {problem}")

    if section is None:
        return RenderRule(outlet)
    if not isinstance(section, dict):
        raise fail("", "must be a mapping with pages/wait_for/timeout/challenge")
    unknown = sorted(set(section) - set(KNOWN_KEYS))
    if unknown:
        raise fail(unknown[0], f"is not a render setting (known: {', '.join(KNOWN_KEYS)})")

    pages = section.get("pages") or []
    if isinstance(pages, str):
        pages = [pages]
    if not isinstance(pages, list) or any(p not in PAGE_KINDS for p in pages):
        raise fail("pages", f"must be a list of page kinds out of {', '.join(PAGE_KINDS)}, got {pages!r}")

    wait_selector, network_idle = None, False
    wait_for = section.get("wait_for")
    if wait_for == NETWORK_IDLE:
        network_idle = True
    elif isinstance(wait_for, dict) and set(wait_for) == {"selector"} and isinstance(wait_for["selector"], str) \
            and wait_for["selector"].strip():
        wait_selector = wait_for["selector"].strip()
    elif wait_for is not None:
        raise fail("wait_for", f"must be {{selector: \"<CSS>\"}} or {NETWORK_IDLE}, got {wait_for!r}")

    timeout = section.get("timeout")
    if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0):
        raise fail("timeout", f"must be a positive number of seconds, got {timeout!r}")

    challenge = section.get("challenge")
    if challenge is not None and challenge not in CHALLENGES:
        raise fail("challenge", f"must be one of {', '.join(CHALLENGES)}, got {challenge!r}")

    return RenderRule(outlet, frozenset(pages), wait_selector, network_idle,
                      float(timeout) if timeout is not None else None, challenge)


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
