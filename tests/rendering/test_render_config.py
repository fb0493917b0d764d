"""The `render:` section: what a valid one means, and clear messages for malformed ones."""
import pytest

from monitor.outlets import load_outlets
from monitor.rendering.config import RenderConfigError, parse_render, render_rules


def test_render_section_says_which_pages_and_what_to_wait_for():
    rule = parse_render("x", {"pages": ["list"], "wait_for": {"selector": "#list a"}, "timeout": 20})
    assert rule.renders("list") and not rule.renders("article") and not rule.renders(None)
    assert (rule.wait_selector, rule.wait_network_idle, rule.timeout, rule.challenge) == ("#list a", False, 20.0, None)
    assert parse_render("x", {"pages": "article", "wait_for": "network_idle"}).wait_network_idle


@pytest.mark.parametrize("section, key", [
    ({"pages": ["lists"]}, "render.pages"),
    ({"wait_for": {"css": "#a"}}, "render.wait_for"),
    ({"timeout": 0}, "render.timeout"),
    ({"challenge": "captcha"}, "render.challenge"),
    ({"page": ["list"]}, "render.page"),
])
def test_malformed_render_section_names_the_file_and_key(section, key):
    with pytest.raises(RenderConfigError, match=rf"nhc\.yaml: {key} "):
        parse_render("nhc", section, "spiders_config/outlets/nhc.yaml")


def test_project_outlets_render_sections_are_valid():
    rules, errors = render_rules(load_outlets())
    assert errors == {}
    # nhc.gov.cn answers plain requests with 412 and a script-set cookie (site-notes, RSSHub #3906/#6798).
    assert rules["nhc"].challenge == "cookie"
