"""Report issues: profiles (what a report is), selection (which articles, from the database),
rendering (Markdown, a pure function), the issue record (numbering) and export (all of it, to a file).

Entry point for other code: `monitor.report.export.export_issue`; see docs/reports.md.
"""
