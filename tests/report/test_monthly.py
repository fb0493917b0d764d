"""The monthly Beijing profile on articles written here: title, （第NNN期）, 至, the calendar month."""
from helpers import run_monitor
from report_data import record, write_jsonl


def test_monthly_issue_covers_the_calendar_month_of_beijing_and_national_outlets(monitor_env, db, tmp_path):
    articles = [
        record(1, "2026-05-01", "bjd"),
        record(2, "2026-05-31", "bjwjw", original_title="北京市推进互联网医院建设 电子病历共享"),
        record(3, "2026-05-15", "ynet"),
        record(4, "2026-05-20", "chinanews"),
        record(5, "2026-05-18", "cnhubei"),   # Hubei's outlet is not the monthly profile's
        record(6, "2026-04-30", "bjd"),       # the month before
        record(7, "2026-06-01", "bjd"),       # the month after
    ]
    assert run_monitor("import", write_jsonl(tmp_path / "may.jsonl", articles)).returncode == 0

    not_last_day = run_monitor("export", "--profile", "monthly", "--issue-date", "2026-05-30", "--number", "558")
    assert not_last_day.returncode == 2
    assert "last day of its month" in not_last_day.stderr and "2026-05-31" in not_last_day.stderr

    result = run_monitor("export", "--profile", "monthly", "--issue-date", "2026-05-31", "--number", "558")
    assert result.returncode == 0, result.stderr
    path = tmp_path / "exports" / "monthly" / "2026-05-31-558.md"
    assert result.stdout.strip() == str(path)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# 北京市卫生信息化舆情监测月报\n\n（第五五八期）\n\n北京市卫生健康大数据与政策研究中心\n\n"
                           "2026年05月31日\n\n## 本期导语\n\n"
                           "本期月报共收集4篇卫生信息化相关信息，时间从2026年05月01日至2026年05月31日，"
                           "监测范围包括全国主流媒体及政府网站等。\n\n## 一、信息目录\n\n")
    toc = text.split("## 一、信息目录\n\n")[1].split("\n\n## 二、具体内容")[0].splitlines()
    assert toc == [f"1. {articles[0]['title']}（京报网）", f"2. {articles[2]['title']}（北京青年报）",
                   f"3. {articles[3]['title']}（中国新闻网）", f"4. {articles[1]['title']}（北京市卫生健康委）"]
    assert "2026-05-31 来源：北京市卫生健康委\n\n原标题：北京市推进互联网医院建设 电子病历共享\n\n" in text
    assert text.count("原标题：") == 1
    assert text.endswith("人工智能辅助诊疗，数字化转型加快。\n")

    # the next month follows without --number
    following = run_monitor("export", "--profile", "monthly", "--issue-date", "2026-06-30")
    assert following.returncode == 0, following.stderr
    assert following.stdout.strip().endswith("monthly/2026-06-30-559.md")
    assert "（第五五九期）" in (tmp_path / "exports" / "monthly" / "2026-06-30-559.md").read_text(encoding="utf-8")
