"""One spider class per outlet file in spiders_config/outlets/, named by the outlet key.

An outlet whose site configuration cannot express needs its own module here, `monitor/spiders/<key>.py`,
with a subclass of OutletSpider named `<key>`; the generated class then steps aside.
"""
from __future__ import annotations

import pkgutil
import re

from monitor import spiders as _package
from monitor.outlets import load_outlets
from monitor.spiders.base import OutletSpider


def _class_name(key: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[^0-9A-Za-z]+", key) if part) + "Spider"


def _build() -> dict[str, type[OutletSpider]]:
    handwritten = {module.name for module in pkgutil.iter_modules(_package.__path__)}
    classes = {}
    for key, outlet in load_outlets().items():
        if key in handwritten:
            continue
        doc = f"{outlet.name}: discovery and extraction as configured in {outlet.path.name if outlet.path else key}."
        classes[_class_name(key)] = type(_class_name(key), (OutletSpider,),
                                         {"name": key, "__module__": __name__, "__doc__": doc})
    return classes


globals().update(_build())
