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
