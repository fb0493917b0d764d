"""The outlet registry: one YAML file per outlet under spiders_config/outlets/.

Each file names the outlet (`key`, the spider name), its display name, its domains and, where the
printed source depends on the sub-site, a host -> display name map. Site rules for discovery and
extraction live in the same file (see docs/adding-an-outlet.md).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from monitor import PROJECT_ROOT


def config_dir() -> Path:
    return Path(os.environ.get("MONITOR_CONFIG_DIR") or PROJECT_ROOT / "spiders_config")


@dataclass(frozen=True)
class Outlet:
    key: str
    name: str
    domains: tuple[str, ...]
    source_by_host: dict = field(default_factory=dict, hash=False, compare=False)
    config: dict = field(default_factory=dict, hash=False, compare=False)
    path: Path | None = None

    def covers(self, host: str) -> bool:
        host = host.lower()
        return any(host == d or host.endswith("." + d) for d in self.domains)

    def source_for(self, url: str) -> str:
        """The display name printed in the report for a page of this outlet."""
        host = (urlsplit(url).hostname or "").lower()
        best = None
        for pattern, name in self.source_by_host.items():
            if (host == pattern or host.endswith("." + pattern)) and (best is None or len(pattern) > len(best[0])):
                best = (pattern, name)
        return best[1] if best else self.name


@lru_cache(maxsize=8)
def _load(directory: str) -> dict[str, Outlet]:
    outlets = {}
    for path in sorted(Path(directory, "outlets").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        outlet = Outlet(
            key=data["key"], name=data["name"], domains=tuple(data.get("domains", [])),
            source_by_host=dict(data.get("source_by_host") or {}), config=data, path=path,
        )
        outlets[outlet.key] = outlet
    return outlets


def load_outlets(directory: str | os.PathLike | None = None) -> dict[str, Outlet]:
    return _load(str(directory or config_dir()))


def outlet_for_url(url: str, directory: str | os.PathLike | None = None) -> Outlet | None:
    host = (urlsplit(url).hostname or "").lower()
    matches = [o for o in load_outlets(directory).values() if o.covers(host)]
    # The most specific domain wins (news.bjd.com.cn before bjd.com.cn).
    return max(matches, key=lambda o: max(len(d) for d in o.domains if host == d or host.endswith("." + d)),
               default=None)
