"""Article extraction: pure functions over a parsed page (charset, fields, body as Markdown)."""
