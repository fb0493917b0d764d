"""`monitor import` then `monitor export` reproduces the centre's published weekly issues byte for byte, and
writes them as Word documents that carry every line of the Markdown issue."""
import pytest
from docx import Document

from helpers import run_monitor, shared_path
from report_data import plain_line, text_lines

REFERENCE = [
    ("weekly-630-2025-06-27", "2025-06-27", 630),
    ("weekly-657-2026-01-16", "2026-01-16", 657),
]


@pytest.mark.parametrize("stem,issue_date,number", REFERENCE)
def test_export_reproduces_reference_issue(monitor_env, db, tmp_path, stem, issue_date, number):
    articles = shared_path("reference", f"{stem}.articles.jsonl")
    expected = shared_path("reference", f"{stem}.expected.md").read_bytes()
    imported = run_monitor("import", articles)
    assert imported.returncode == 0, imported.stderr

    result = run_monitor("export", "--profile", "weekly", "--issue-date", issue_date, "--number", number)
    assert result.returncode == 0, result.stderr
    path = tmp_path / "exports" / "weekly" / f"{issue_date}-{number}.md"
    assert result.stdout.strip() == str(path)
    assert path.read_bytes() == expected

    record = db.issues.find_one({"profile": "weekly", "issue_date": issue_date})
    assert record["number"] == number
    assert len(record["article_ids"]) == 3
    assert record["path"] == str(path)

    # A re-export without --number keeps the number and writes the same bytes.
    again = run_monitor("export", "--profile", "weekly", "--issue-date", issue_date)
    assert again.returncode == 0, again.stderr
    assert "unchanged" in again.stderr
    assert path.read_bytes() == expected

    # The same issue as a Word document: every line of the Markdown issue, in order, as text.
    as_docx = run_monitor("export", "--profile", "weekly", "--issue-date", issue_date, "--format", "docx")
    assert as_docx.returncode == 0, as_docx.stderr
    docx_path = path.with_suffix(".docx")
    assert as_docx.stdout.splitlines() == [str(docx_path)]
    assert text_lines(Document(docx_path)) == [plain_line(line) for line in expected.decode("utf-8").splitlines()
                                               if line.strip()]
    assert "unchanged" in as_docx.stderr  # the same content, in another format
    record = db.issues.find_one({"profile": "weekly", "issue_date": issue_date})
    assert record["files"] == {"md": str(path), "docx": str(docx_path)} and record["number"] == number


def test_out_dir_gets_the_same_file_name(monitor_env, tmp_path):
    articles = shared_path("reference", "weekly-657-2026-01-16.articles.jsonl")
    assert run_monitor("import", articles).returncode == 0
    out = tmp_path / "elsewhere" / "issues"
    result = run_monitor("export", "--profile", "weekly", "--issue-date", "2026-01-16", "--number", "657",
                         "--out", out)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(out / "2026-01-16-657.md")
    assert (out / "2026-01-16-657.md").read_bytes() == \
        shared_path("reference", "weekly-657-2026-01-16.expected.md").read_bytes()
    assert not (tmp_path / "exports").exists()
    assert [p.name for p in out.iterdir()] == ["2026-01-16-657.md"]  # no temporary file left behind

    both = run_monitor("export", "--profile", "weekly", "--issue-date", "2026-01-16", "--out", out,
                       "--format", "md,docx")
    assert both.returncode == 0, both.stderr
    assert both.stdout.splitlines() == [str(out / "2026-01-16-657.md"), str(out / "2026-01-16-657.docx")]
    assert sorted(p.name for p in out.iterdir()) == ["2026-01-16-657.docx", "2026-01-16-657.md"]
