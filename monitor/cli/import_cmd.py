"""monitor import FILE.jsonl [--since D] [--until D]"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from monitor.cli.common import CommandError, database, day, drop_counts, project_settings, run_spider

NAME = "import"
HELP = "import articles from a JSON Lines file through the item pipelines into MongoDB"


def add_arguments(parser):
    parser.add_argument("file", type=Path, help="JSON Lines file (UTF-8): one article object per line "
                        "(at least url, source, title, published_at as ISO 8601, body_markdown)")
    parser.add_argument("--since", type=day, help="first day of the date window (YYYY-MM-DD, Beijing time)")
    parser.add_argument("--until", type=day, help="last day of the date window (YYYY-MM-DD, Beijing time)")


def run(args) -> int:
    from monitor.importer import JsonlImportSpider
    from monitor.storage.extension import RunDatabase
    from monitor.storage.service import DatabaseGone

    check_arguments(args)
    settings = project_settings()
    with database(settings) as service:
        settings.set("MONITOR_RUN_ID", service.run_id, priority="cmdline")
        with RunDatabase.serving(service):
            crawler = run_spider(settings, JsonlImportSpider, path=str(args.file),
                                 since=args.since and args.since.isoformat(),
                                 until=args.until and args.until.isoformat())
        gone = service.gone
    stats = crawler.stats.get_stats()
    finished = stats.get("finish_reason") == "finished"
    outcomes = ImportOutcomes.from_stats(stats)
    print(outcomes.summary(args.file, finished))
    if gone:
        raise DatabaseGone(gone)
    if not finished:
        raise CommandError(f"import did not finish: {stats.get('finish_reason')}; see the log above")
    if outcomes.unaccounted:
        raise CommandError(f"import: the counts above do not add up to the {outcomes.read} line(s) read (off by "
                           f"{outcomes.unaccounted}); this is a bug in monitor import, please report it with the log")
    return 0


def check_arguments(args) -> None:
    if not args.file.is_file():
        raise CommandError(f"import: {args.file} does not exist or is not a file", 2)
    try:
        with open(args.file, "rb"):
            pass
    except OSError as e:
        raise CommandError(f"import: {args.file} cannot be read: {e.strerror}", 2) from None
    if args.since and args.until and args.since > args.until:
        raise CommandError(f"import: --since {args.since} is after --until {args.until}", 2)


@dataclass
class ImportOutcomes:
    """What became of each line read (blank lines are not read); `unaccounted` is 0 unless something is
    wrong (or the import stopped early)."""
    read: int
    skipped: dict[str, int]        # label -> lines, before the pipelines
    dropped: dict[str, int]        # DropItem subclass -> articles, by the pipelines
    pipeline_errors: int           # articles a pipeline failed on (logged with the error)
    new: int
    updated: int
    unchanged: int
    rejected: int                  # refused by the database (logged)
    spooled: int                   # kept on disk for the next command (the database went away)
    merged: int                    # an earlier line with the URL of a later line of the same batch: one document
    near_misses: int = 0           # stored as near misses of the topic (status off_topic)

    @classmethod
    def from_stats(cls, stats: dict) -> "ImportOutcomes":
        from monitor.importer import LINES_READ, PIPELINE_ERRORS, SKIP_REASONS, SKIPPED_PREFIX
        get = lambda key: stats.get(key, 0)  # noqa: E731
        stored = {name: get(f"monitor/stored/{name}") for name in
                  ("inserted", "updated", "unchanged", "rejected", "spooled")}
        skipped = {label: get(SKIPPED_PREFIX + reason) for reason, label in SKIP_REASONS.items()}
        # An article through every pipeline without a storage outcome of its own was merged into a later
        # copy of its URL in the same batch (one document, one outcome). Never negative: more outcomes than
        # articles would be a counting bug, and must show as lines unaccounted for.
        merged = max(0, get("item_scraped_count") - sum(stored.values()))
        return cls(read=get(LINES_READ), skipped={k: v for k, v in skipped.items() if v},
                   dropped=drop_counts(stats), pipeline_errors=get(PIPELINE_ERRORS), new=stored["inserted"],
                   updated=stored["updated"], unchanged=stored["unchanged"], rejected=stored["rejected"],
                   spooled=stored["spooled"], merged=merged, near_misses=get("monitor/near_misses"))

    @property
    def stored(self) -> int:
        return self.new + self.updated + self.unchanged

    def terms(self) -> list[tuple[int, str]]:
        """The outcomes that add up to `read`: (count, what), stored and skipped always, the others when any."""
        terms = [(self.stored, "stored"), (sum(self.skipped.values()), "skipped"),
                 (sum(self.dropped.values()), "dropped by the pipelines"),
                 (self.rejected, "rejected by the database"),
                 (self.spooled, "kept on disk for the next command (the database went away)"),
                 (self.merged, "merged into a later line with the same URL"),
                 (self.pipeline_errors, "failed in a pipeline (see the log)")]
        return [(n, what) for i, (n, what) in enumerate(terms) if n or i < 2]

    @property
    def unaccounted(self) -> int:
        return self.read - sum(n for n, _ in self.terms())

    def summary(self, path: Path, finished: bool) -> str:
        terms = self.terms()
        if self.unaccounted and not finished:
            terms.append((self.unaccounted, "not processed (the import stopped early)"))
        lines = [f"{path}: {self.read} line(s) read = " + " + ".join(f"{n} {what}" for n, what in terms),
                 f"stored: {self.new} new, {self.updated} updated, {self.unchanged} unchanged"]
        if self.near_misses:
            lines.append(f"near misses of the topic (stored with status off_topic, never in a report; "
                         f"`monitor candidates --near-misses` lists them): {self.near_misses}")
        lines += [f"skipped ({label}): {n}" for label, n in self.skipped.items()]
        lines += [f"dropped ({reason}): {n}" for reason, n in sorted(self.dropped.items())]
        return "\n".join(lines)
