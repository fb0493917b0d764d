"""Profiles (loading, validation, window rules, wording) and the commands' answers to bad input."""
import shutil
from datetime import date
from pathlib import Path

import pytest

from helpers import ROOT, run_monitor
from monitor.report.profiles import (IssueDateError, ProfileError, chinese_digits, load_profile, profile_names)

PROFILES = ROOT / "spiders_config" / "profiles"


def test_shipped_profiles_load_with_their_outlets():
    assert {"weekly", "monthly"} <= set(profile_names())
    weekly, monthly = load_profile("weekly"), load_profile("monthly")
    assert weekly.outlets == ("xinhua", "people", "cnr", "chinanews", "ce", "gmw", "workercn", "bjd", "ynet",
                              "cnhubei", "nhc", "bjwjw")
    assert set(monthly.outlets) == set(weekly.outlets) - {"cnhubei"}
    assert weekly.number_text(657) == "（第六五七）" and weekly.number_text(630) == "（第六三零）"
    assert monthly.number_text(558) == "（第五五八期）"
    assert chinese_digits(1000) == "一零零零"


def test_window_rules_and_due_dates():
    weekly, monthly = load_profile("weekly"), load_profile("monthly")
    window = weekly.window(date(2026, 1, 16))
    assert (window.since, window.until) == (date(2026, 1, 10), date(2026, 1, 16))
    with pytest.raises(IssueDateError, match="must be a Friday.*2026-01-15 is a Thursday.*2026-01-09"):
        weekly.window(date(2026, 1, 15))
    window = monthly.window(date(2024, 2, 29))
    assert (window.since, window.until) == (date(2024, 2, 1), date(2024, 2, 29))
    with pytest.raises(IssueDateError, match="last day of its month.*2026-02-28"):
        monthly.window(date(2026, 2, 27))

    assert weekly.latest_issue_date(date(2026, 1, 16)) == date(2026, 1, 16)
    assert weekly.latest_issue_date(date(2026, 1, 15)) == date(2026, 1, 9)
    assert weekly.latest_issue_date(date(2026, 1, 18)) == date(2026, 1, 16)
    assert monthly.latest_issue_date(date(2026, 5, 31)) == date(2026, 5, 31)
    assert monthly.latest_issue_date(date(2026, 3, 2)) == date(2026, 2, 28)


@pytest.fixture
def profiles_copy(tmp_path):
    directory = tmp_path / "profiles"
    shutil.copytree(PROFILES, directory)
    return directory


@pytest.mark.parametrize("edit,message", [
    (lambda t: t.replace("size: 10", "size: many"), r"weekly.yaml: size: 'many' is not of type 'integer'"),
    (lambda t: t.replace("window: weekly", "window: daily"), r"weekly.yaml: window: 'daily' is not one of"),
    (lambda t: t.replace("title: 全国卫生信息化舆情监测周报\n", ""), r"weekly.yaml: \(top level\): 'title' is a required"),
    (lambda t: t + "colour: blue\n", r"weekly.yaml: \(top level\): Additional properties.*'colour'"),
    (lambda t: t.replace("（第{number}）", "（第）"), r"weekly.yaml: number_format: must contain \{number\}"),
    (lambda t: t.replace("{scope}", "{scopes}"), r"weekly.yaml: intro: unknown placeholder\(s\) \{scopes\}"),
    (lambda t: t.replace("[xinhua,", "[sina, xinhua,"), r"weekly.yaml: outlets: unknown outlet\(s\) sina"),
    (lambda t: "title: [unclosed\n", r"weekly.yaml: cannot be read as YAML"),
])
def test_invalid_profile_names_file_key_and_problem(profiles_copy, edit, message):
    path = profiles_copy / "weekly.yaml"
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(ProfileError, match=message):
        load_profile("weekly", profiles_copy)


@pytest.mark.parametrize("name", ["yearly", "../profiles/weekly", "weekly/../weekly", "WEEKLY", ""])
def test_unknown_profile_names_list_the_accepted_ones(name):
    with pytest.raises(ProfileError, match=r"unknown profile .*the profiles are: monthly, weekly"):
        load_profile(name)


def test_bad_command_lines_get_clear_messages(monitor_env, tmp_path):
    unknown = run_monitor("export", "--profile", "../weekly", "--issue-date", "2026-01-16", "--number", "1")
    assert unknown.returncode == 2
    assert "unknown profile '../weekly'" in unknown.stderr and "monthly, weekly" in unknown.stderr

    bad_date = run_monitor("export", "--profile", "weekly", "--issue-date", "2026-02-30")
    assert bad_date.returncode == 2 and "'2026-02-30' is not a date of the form YYYY-MM-DD" in bad_date.stderr

    not_friday = run_monitor("candidates", "--profile", "weekly", "--issue-date", "2026-01-14")
    assert not_friday.returncode == 2 and "must be a Friday" in not_friday.stderr

    bad_number = run_monitor("export", "--profile", "weekly", "--issue-date", "2026-01-16", "--number", "0")
    assert bad_number.returncode == 2 and "is not a whole number from 1 to" in bad_number.stderr

    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    out_is_file = run_monitor("export", "--profile", "weekly", "--issue-date", "2026-01-16", "--number", "1",
                              "--out", a_file)
    assert out_is_file.returncode == 2 and "is not a directory" in out_is_file.stderr

    first = run_monitor("export", "--profile", "weekly", "--issue-date", "2026-01-16")
    assert first.returncode == 2 and "--number" in first.stderr
    assert not Path(monitor_env["MONITOR_EXPORT_DIR"]).exists()
