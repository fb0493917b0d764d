"""The per-outlet summary printed at the end of `monitor crawl` / `monitor run` and by `monitor runs`."""
from __future__ import annotations


def _counts(mapping: dict) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(mapping.items()) if v) or "none"


def _near_misses(s: dict) -> str:
    return f" (near misses {s['near_misses']})" if s.get("near_misses") else ""


def outlet_line(name: str, s: dict) -> list[str]:
    stored = s.get("stored", {})
    line = (f"  {name:<10} {s.get('verdict', '?'):<8} pages {sum(s.get('pages', {}).values())} "
            f"(list {s.get('pages', {}).get('list', 0)}, article {s.get('pages', {}).get('article', 0)}), "
            f"kept {s.get('items_scraped', 0)}{_near_misses(s)}, stored {stored.get('inserted', 0)} new/"
            f"{stored.get('updated', 0)} updated/{stored.get('unchanged', 0)} unchanged, "
            f"already stored {s.get('skipped_stored', 0)}, dropped: {_counts(s.get('dropped', {}))}")
    if s.get("unextractable"):
        line += f", no article in {s['unextractable']} page(s)"
    if s.get("dated_by_list"):
        line += f", dated by their list entry {s['dated_by_list']}"
    if s.get("missing_from_archive"):
        line += f", missing from archive {s['missing_from_archive']}"
    return [line] + [f"      ! {p}" for p in s.get("problems", [])] + [
        f"      source {source_line(src)}" for src in s.get("sources", [])]


def source_line(source: dict) -> str:
    """One list source's part of a run: what it listed, fetched and left out (and why)."""
    parts = [f"pages {source.get('pages', 0)}", f"article links {source.get('links', 0)}",
             f"fetched {source.get('requested', 0)}"]
    if source.get("prefiltered"):
        parts.append(f"not fetched by the title pre-filter {source['prefiltered']}")
    if source.get("outside_window"):
        parts.append(f"outside the window {source['outside_window']}")
    if source.get("failed"):
        parts.append(f"failed {source['failed']}")
    return f"[{source.get('index')}] {source.get('label', '')}: " + ", ".join(parts)


def run_summary(run: dict) -> str:
    """`run`: a runs document (or the same shape)."""
    window = run.get("window") or {}
    head = f"run {run.get('run_id')}: {run.get('status')}"
    if window:
        head += f", window {window.get('since')}..{window.get('until')}"
    if run.get("profile"):
        head += f", profile {run['profile']} issue {run.get('issue_date')}"
    if run.get("workers"):
        head += f", crawled by {len(run['workers'])} worker(s) through {run.get('redis')}"
    lines = [head]
    outlets = run.get("outlets") or {}
    for name in sorted(outlets):
        lines += outlet_line(name, outlets[name])
    flagged = [n for n, s in outlets.items() if s.get("verdict") != "ok"]
    if flagged:
        lines.append(f"  needs a look: {', '.join(sorted(flagged))}")
    if run.get("error") and not run.get("record_error"):
        lines.append(f"  ! {run['error']}")
    if run.get("record_error"):
        lines.append(f"  ! this run's record could not be written to the database: {run['record_error']}")
    export = run.get("export")
    if export:
        files = ", ".join((export.get("files") or {}).values()) or export.get("path")
        lines.append(f"  issue: {files} (number {export['number']}, {export['count']} articles)"
                     if export.get("path") else f"  export failed: {export.get('error')}")
    notice = notice_line(run.get("notice"))
    if notice:
        lines.append(notice)
    return "\n".join(lines)


def notice_line(notice: dict | None) -> str | None:
    """Whether the run's notice (monitor/ops/notices.py) went out, channel by channel."""
    if not notice:
        return None
    deliveries = notice.get("deliveries") or []
    if not deliveries:
        return "  notice: due but no channel is set (MONITOR_ALERT_WEBHOOK, MONITOR_ALERT_EMAIL: docs/scheduling.md)"
    parts = [f"{d['channel']} to {d['to']}: " + ("sent" if d.get("sent") else f"NOT sent ({d.get('error')})")
             for d in deliveries]
    return "  notice: " + "; ".join(parts)
