"""The `render:` section: what a valid one means, and clear messages for malformed ones."""
import pytest

from monitor.outlets import load_outlets
from monitor.rendering.config import RenderConfigError, parse_render, render_rules


def test_render_section_says_which_pages_and_what_to_wait_for():
    rule = parse_render("x", {"pages": ["list"], "wait_for": {"selector": "#list a"}, "timeout": 20})
    assert rule.renders("list") and not rule.renders("article") and not rule.renders(None)
    assert (rule.wait_selector, rule.wait_network_idle, rule.timeout, rule.challenge) == ("#list a", False, 20.0, None)
    assert parse_render("x", {"pages": "article", "wait_for": "network_idle"}).wait_network_idle


@pytest.mark.parametrize("section, key, says", [
    ({"pages": ["lists"]}, "render.pages[0]", "'lists' is not one of the accepted values: 'list', 'article'"),
    ({"wait_for": {"css": "#a"}}, "render.wait_for", "'selector' is a required property"),
    ({"timeout": 0}, "render.timeout", "0 is less than or equal to the minimum of 0"),
    ({"challenge": "captcha"}, "render.challenge", "'captcha' is not one of the accepted values: 'cookie'"),
    ({"page": ["list"]}, "render", "('page' was unexpected); the keys allowed here are: challenge, pages"),
])
def test_malformed_render_section_names_the_file_and_key(section, key, says):
    with pytest.raises(RenderConfigError) as info:
        parse_render("nhc", section, "spiders_config/outlets/nhc.yaml")
    assert f"spiders_config/outlets/nhc.yaml: {key}: " in str(info.value) and says in str(info.value)


def test_project_outlets_render_sections_are_valid():
    rules, errors = render_rules(load_outlets())
    assert errors == {}
    # nhc.gov.cn answers plain requests with 412 and a script-set cookie (site-notes, RSSHub #3906/#6798).
    assert rules["nhc"].challenge == "cookie"
