"""spiders_config/ validation: the project's own files pass; each kind of mistake is named."""
from __future__ import annotations

import shutil

import pytest

from helpers import ROOT
from monitor.config_schema import ConfigError, check_config_dir, validate_config


def test_the_projects_own_config_is_valid():
    assert [str(p) for p in check_config_dir(ROOT / "spiders_config")] == []


@pytest.fixture
def config(tmp_path):
    target = tmp_path / "spiders_config"
    shutil.copytree(ROOT / "spiders_config", target)
    return target


def test_every_problem_names_the_file_and_key(config):
    (config / "outlets" / "ce.yaml").write_text("key: ce\nname: 中国经济网\ndomains: [ce.cn]\nlsit: {}\n",
                                                encoding="utf-8")
    (config / "outlets" / "cnr.yaml").write_text("key: [cnr\n", encoding="utf-8")
    (config / "outlets" / "gmw.yaml").write_text("key: guangming\nname: 光明网\ndomains: [gmw.cn]\n",
                                                 encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        validate_config(config)
    text = str(caught.value)
    assert f"{config / 'outlets' / 'ce.yaml'}: (top level): Additional properties are not allowed ('lsit' was " \
           "unexpected); the keys allowed here are: " in text
    assert f"{config / 'outlets' / 'cnr.yaml'}: (file): is not valid YAML" in text
    assert f"{config / 'outlets' / 'gmw.yaml'}: key: 'guangming' differs from the file name" in text
    assert len(caught.value.problems) == 3


def test_a_missing_config_directory_says_which_setting_to_fix(tmp_path):
    [problem] = check_config_dir(tmp_path / "nowhere")
    assert "MONITOR_CONFIG_DIR" in str(problem)


def _replace(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_section_values_are_checked_against_what_their_loaders_accept(config):
    outlets = config / "outlets"
    xinhua = outlets / "xinhua.yaml"
    _replace(xinhua, "- url: https://www.news.cn/health/", "- url: https://www.news.cn/health/\n      format: xml")
    _replace(xinhua, "date_patterns:\n", "date_patterns:\n    - '(?P<year'\n")
    _replace(outlets / "nhc.yaml", 'page: "list_{n}.shtml"', 'page: "list_n.shtml"')
    _replace(outlets / "nhc.yaml", "challenge: cookie", "challenge: captcha")
    _replace(outlets / "gmw.yaml", "url: https://health.gmw.cn/node_9583.htm",
             "url: https://health.gmw.cn/node_9583.htm\n      per_day: true")
    problems = {str(p) for p in check_config_dir(config)}
    assert problems == {
        f"{xinhua}: list.sources[0].format: 'xml' is not one of the accepted values: 'html', 'json', 'feed', 'sitemap', 'search'",
        f"{xinhua}: article.date_patterns[0]: '(?P<year' is not a valid regular expression: "
        "missing >, unterminated name at position 4",
        f"{outlets / 'nhc.yaml'}: list.sources[0].page: 'list_n.shtml' needs an {{n}} placeholder for the page "
        "number, e.g. index_{n}.html",
        f"{outlets / 'nhc.yaml'}: render.challenge: 'captcha' is not one of the accepted values: 'cookie'",
        # One value depending on another: a per-day source needs a {day:…} placeholder.
        f"{outlets / 'gmw.yaml'}: list.sources[0].url: 'https://health.gmw.cn/node_9583.htm' needs a {{day:...}} "
        "placeholder for a per_day source (one URL per day), e.g. {day:%Y%m}/{day:%d}",
    }
