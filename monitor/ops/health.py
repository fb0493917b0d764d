"""One outlet's part of a run: counters from its crawler's stats, and a health verdict.

ok: pages listed and articles found, site rules did the extraction, no errors.
warning: it ran, but something needs a look (no list entries, no articles, extraction fell back to
  the generic extractor for most pages — usually a changed template —, errors, archive gaps).
failed: nothing to work with (no list page answered, or the crawl ended abnormally).
"""
from __future__ import annotations

OK, WARNING, FAILED = "ok", "warning", "failed"
#: The finish reason of a crawler closed because the database stopped answering (monitor/storage/extension.py).
DATABASE_GONE = "database_unavailable"
VERDICTS = (OK, WARNING, FAILED)
#: More than this share of items from the generic extractor (or of article pages yielding no article at all)
#: means the site rules no longer match.
GENERIC_SHARE_LIMIT = 0.5
#: Fewer items (pages) than this say nothing about the extraction path.
GENERIC_MIN_ITEMS = 2

_IGNORED_EXCEPTIONS = ("IgnoreRequest", "AlreadyStored", "MissingFromArchive")


def _with_prefix(stats: dict, prefix: str) -> dict[str, int]:
    return {k[len(prefix):]: v for k, v in stats.items() if k.startswith(prefix) and "/" not in k[len(prefix):]}


SOURCE_COUNTERS = ("pages", "links", "requested", "prefiltered", "outside_window", "failed", "empty")


def source_sections(stats: dict) -> list[dict]:
    """Each list source's counters (`monitor/source/<index>/<counter>`, set by the spider), by index."""
    sources: dict[int, dict] = {}
    for key, value in stats.items():
        if not key.startswith("monitor/source/"):
            continue
        index, _, name = key[len("monitor/source/"):].partition("/")
        if not index.isdigit() or not name:
            continue
        section = sources.setdefault(int(index), {"index": int(index), **dict.fromkeys(SOURCE_COUNTERS, 0)})
        section[name] = value
    return [sources[i] for i in sorted(sources)]


def outlet_section(stats: dict) -> dict:
    """The counters a run document keeps for one outlet, from its crawler's stats."""
    get = lambda key: stats.get(key, 0)  # noqa: E731
    download_errors = sum(v for k, v in _with_prefix(stats, "downloader/exception_type_count/").items()
                          if not k.endswith(_IGNORED_EXCEPTIONS))
    responses = _with_prefix(stats, "monitor/responses/")
    http_errors = sum(v for status, v in responses.items() if status.isdigit() and int(status) >= 400)
    section = {
        "requests": {"list": get("monitor/requests/list"), "article": get("monitor/requests/article"),
                     "other": get("monitor/requests/other")},
        "responses": responses,
        "pages": {"list": get("monitor/pages/list"), "article": get("monitor/pages/article")},
        "items_scraped": get("item_scraped_count"),
        "near_misses": get("monitor/near_misses"),
        "extracted_by": _with_prefix(stats, "monitor/extracted_by/"),
        "stored": _with_prefix(stats, "monitor/stored/"),
        "dropped": _with_prefix(stats, "item_dropped_reasons_count/"),
        "skipped_stored": get("monitor/incremental/skipped_stored"),
        "unextractable": get("monitor/extract_failed"),
        "missing_from_archive": get("monitor/replay/missing"),
        "dated_by_list": get("monitor/dated_by_list"),
        "sources": source_sections(stats),
        "errors": {"download": download_errors, "http": http_errors,
                   "spider": get("monitor/errors/spider")},
        "finish_reason": stats.get("finish_reason"),
    }
    section["verdict"], section["problems"] = assess(section)
    return section


def assess(section: dict) -> tuple[str, list[str]]:
    """(verdict, problems): each problem a sentence a reader of the summary can act on."""
    failed: list[str] = []
    warnings: list[str] = []
    reason = section.get("finish_reason")
    if reason == DATABASE_GONE:
        failed.append("the database stopped answering: the crawl was stopped; the articles not yet written "
                      "are kept in the spool and written by the next command that reaches the database")
    elif reason not in (None, "finished"):
        failed.append(f"the crawl ended early ({reason})")
    pages = section["pages"]
    list_entries = section["requests"]["article"]
    articles_found = pages["article"] + section["skipped_stored"]
    if pages["list"] == 0:
        failed.append("no list page could be fetched")
    elif list_entries == 0:
        warnings.append("no list entries: the list pages yielded no article links")
    elif articles_found == 0:
        warnings.append("no articles: none of the listed article pages could be fetched")
    extracted = section["extracted_by"]
    total = sum(extracted.values())
    generic = extracted.get("generic", 0)
    if total >= GENERIC_MIN_ITEMS and generic / total > GENERIC_SHARE_LIMIT:
        warnings.append(f"extraction fell back to the generic extractor for {generic} of {total} pages "
                        "(has the site's template changed?)")
    # A withdrawn page or a gallery now and then is normal (the summary line shows the count); most pages
    # yielding nothing means the site's pages changed.
    unextractable = section.get("unextractable", 0)
    if unextractable >= GENERIC_MIN_ITEMS and unextractable / max(pages["article"], 1) > GENERIC_SHARE_LIMIT:
        warnings.append(f"{unextractable} of {pages['article']} article pages yielded no article (has the site's "
                        "template changed? the log names each page and why)")
    for source in section.get("sources", []):
        if source.get("failed"):
            warnings.append(f"list source {source.get('label', source['index'])}: {source['failed']} request(s) "
                            f"unusable (last: {source.get('error', 'no reason recorded')}); its other pages and "
                            "the outlet's other sources went on")
    errors = section["errors"]
    if sum(errors.values()):
        parts = ", ".join(f"{n} {kind}" for kind, n in errors.items() if n)
        warnings.append(f"errors: {parts}")
    spooled = section["stored"].get("spooled", 0)
    if spooled:
        warnings.append(f"{spooled} article(s) kept on disk, not in the database (it went away); "
                        "the next run writes them")
    rejected = section["stored"].get("rejected", 0)
    if rejected:
        warnings.append(f"{rejected} article(s) refused by the database (too large or invalid; the log names them)")
    if section["missing_from_archive"]:
        warnings.append(f"{section['missing_from_archive']} request(s) missing from the replay archive")
    if failed:
        return FAILED, failed + warnings
    return (WARNING if warnings else OK), warnings


def overall(verdicts: list[str]) -> str:
    """A run failed when every outlet failed; it warns when any outlet is not ok."""
    if not verdicts or all(v == FAILED for v in verdicts):
        return FAILED
    return OK if all(v == OK for v in verdicts) else WARNING
