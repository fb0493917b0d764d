"""Exporting one issue: profile -> number -> selection -> blocks -> files (Markdown, Word) -> record.

`export_issue` is what `monitor export` (and `monitor run`) call. Each file is written atomically
(a temporary file in the same directory, then a rename), so a reader never sees half an issue.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pymongo.database import Database

from monitor import PROJECT_ROOT
from monitor.report.docx import docx_bytes
from monitor.report.editorial import load_edits
from monitor.report.issues import issue_number, record_issue
from monitor.report.profiles import load_profile
from monitor.report.render import Entry, IssueMeta, issue_blocks, markdown_of
from monitor.report.selection import select
from monitor.window import parse_day


class EmptyWindow(LookupError):
    """No article qualifies for the issue; nothing is written or recorded."""


#: The formats an issue is written in, by file suffix (`--format md,docx`).
FORMATS = ("md", "docx")


@dataclass(frozen=True)
class ExportResult:
    paths: dict[str, Path]  # format -> file written, in the order asked
    number: int
    count: int
    changed: bool  # new, or different from what was last recorded for this issue

    @property
    def path(self) -> Path:
        """The first file written (the Markdown unless only other formats were asked for)."""
        return next(iter(self.paths.values()))


def export_root() -> Path:
    """Where issues go: MONITOR_EXPORT_DIR, default <repo>/exports (one directory per profile below it)."""
    return Path(os.environ.get("MONITOR_EXPORT_DIR") or PROJECT_ROOT / "exports")


def check_formats(formats) -> tuple[str, ...]:
    """`formats` (names, or one comma-separated string as `--format` takes it) as known formats, each once;
    ValueError naming the accepted ones otherwise."""
    if isinstance(formats, str):
        formats = formats.split(",")
    chosen = tuple(dict.fromkeys(f.strip().lower() for f in formats if f.strip()))
    if not chosen or any(f not in FORMATS for f in chosen):
        raise ValueError(f"the formats are {', '.join(FORMATS)} (comma-separated, e.g. md,docx)")
    return chosen


def issue_file_name(issue_date: date, number: int, suffix: str = "md") -> str:
    return f"{issue_date.isoformat()}-{number}.{suffix}"


def write_atomically(path: Path, content: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(content.encode("utf-8") if isinstance(content, str) else content)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def export_issue(db: Database, profile_name: str, issue_date: date | str, number: int | None = None,
                 out_dir: str | os.PathLike | None = None, formats: tuple[str, ...] = ("md",)) -> ExportResult:
    """Write the issue of `profile_name` for `issue_date` in `formats` (FORMATS) and record it.

    Raises ProfileError (unknown or invalid profile), IssueDateError (date does not fit the window
    rule), NumberingError (number unknown or taken) and EmptyWindow (nothing to report).
    """
    if isinstance(issue_date, str):
        issue_date = parse_day(issue_date, "issue date")
    profile = load_profile(profile_name)
    window = profile.window(issue_date)
    if number is not None and number < 1:
        raise ValueError(f"an issue number must be positive, not {number}")
    formats = check_formats(formats)
    number = issue_number(db, profile.name, issue_date, number)
    selection = select(db, profile, window, load_edits(db, profile.name, issue_date))
    if not selection.chosen:
        if selection.ranked:
            raise EmptyWindow(f"no article qualifies for the {profile.name} issue of {issue_date}: all "
                              f"{len(selection.ranked)} candidate(s) are excluded (see monitor candidates)")
        raise EmptyWindow(f"no article qualifies for the {profile.name} issue of {issue_date}: none dated within "
                          f"{window} from the profile's outlets (import or crawl first, or check the date)")

    ids = [c.id for c in selection.chosen]
    docs = {d["_id"]: d for d in db.articles.find({"_id": {"$in": ids}})}
    entries = [Entry.from_article(docs[i]) for i in ids if i in docs]
    blocks = issue_blocks(profile, IssueMeta(number, issue_date, window), entries)
    markdown = markdown_of(blocks)

    directory = Path(out_dir) if out_dir is not None else export_root() / profile.name
    paths = {}
    for suffix in formats:
        path = paths[suffix] = (directory / issue_file_name(issue_date, number, suffix)).resolve()
        write_atomically(path, markdown if suffix == "md" else docx_bytes(blocks))
    # The Markdown is the issue's content whatever the formats: its hash says whether the issue changed.
    changed = record_issue(db, profile.name, issue_date, number, window, [i for i in ids if i in docs],
                           {suffix: str(path) for suffix, path in paths.items()},
                           hashlib.sha256(markdown.encode("utf-8")).hexdigest())
    return ExportResult(paths=paths, number=number, count=len(entries), changed=changed)
