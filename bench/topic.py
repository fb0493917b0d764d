"""How well a topic sorts labelled articles: recall on the on-topic ones, false positives among the rest.

    .venv/bin/python bench/topic.py [CASES.jsonl ...] [--topic health_it] [--show] [--json]

CASES: JSON Lines of labelled articles, one per line: `title`, the body as `text`, `body_text` or
`body_markdown`, `label` ("on" or "off"; other labels are left out) and optionally `kind` (a
sub-kind for the breakdown) and `id`. The real report articles of ../shared/reference/ are always
added as "on" where ../shared is present. An analyst's own set — what the centre printed, what it
passed over — is the measure to run after editing a topic file (docs/topics.md).

Reports, for the topic: recall (on-topic articles kept), false positives (off-topic articles
kept), the near misses of each label (stored as `off_topic` for editors, never reported), by kind,
by body length and by whether a headline was given (a crawled article always has one; a case
without is scored on its body alone); `--show` lists every miss and every false positive with its score and reason.
A measurement, not a test threshold.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.extract.text import markdown_to_text  # noqa: E402
from monitor.topics import DEFAULT_TOPIC, load_topic  # noqa: E402

SHARED = ROOT.parent / "shared"
LENGTH_BANDS = ((300, "under 300 chars"), (1500, "300-1500 chars"), (None, "over 1500 chars"))


def body_of(case: dict) -> str:
    if case.get("text") is not None:
        return case["text"]
    if case.get("body_text") is not None:
        return case["body_text"]
    return markdown_to_text(case.get("body_markdown") or "")


def reference_cases():
    for path in sorted((SHARED / "reference").glob("*.articles.jsonl")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                record = json.loads(line)
                yield {**record, "id": f"{path.name.split('.')[0]}#{n}", "label": "on", "kind": "reference"}


def read_cases(paths: list[Path]):
    for path in paths:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                case = json.loads(line)
            except json.JSONDecodeError as e:
                raise SystemExit(f"{path}:{n}: not JSON ({e.msg})")
            case.setdefault("id", f"{path.name}:{n}")
            yield case


def band(length: int) -> str:
    return next(name for limit, name in LENGTH_BANDS if limit is None or length < limit)


def evaluate(topic, cases) -> dict:
    results = []
    for case in cases:
        if case.get("label") not in ("on", "off"):
            continue
        body = body_of(case)
        match = topic.match(case.get("title") or "", body)
        results.append({"id": case["id"], "label": case["label"], "kind": case.get("kind") or "-",
                        "band": band(len(body)), "headline": "with headline" if case.get("title") else "no headline",
                        "title": case.get("title") or "", "kept": match.relevant,
                        "near_miss": match.near_miss, "score": match.score, "reason": match.reason})
    return {"results": results, "summary": summarise(results)}


def summarise(results: list[dict]) -> dict:
    def counts(rows):
        return {"n": len(rows), "kept": sum(r["kept"] for r in rows), "near_miss": sum(r["near_miss"] for r in rows)}

    summary = {label: counts([r for r in results if r["label"] == label]) for label in ("on", "off")}
    for key in ("kind", "band", "headline"):
        groups = defaultdict(list)
        for r in results:
            groups[(r["label"], r[key])].append(r)
        summary[f"by_{key}"] = {f"{label} {name}": counts(rows) for (label, name), rows in sorted(groups.items())}
    on, off = summary["on"], summary["off"]
    summary["recall"] = on["kept"] / on["n"] if on["n"] else None
    summary["false_positive_rate"] = off["kept"] / off["n"] if off["n"] else None
    return summary


def report(topic, evaluation: dict, show: bool) -> str:
    s = evaluation["summary"]
    on, off = s["on"], s["off"]
    lines = [f"topic {topic.key} ({topic.path})"]
    if on["n"]:
        lines.append(f"on topic:  {on['kept']}/{on['n']} kept (recall {s['recall']:.3f}), "
                     f"{on['near_miss']} more as near misses")
    if off["n"]:
        lines.append(f"off topic: {off['kept']}/{off['n']} kept (false positives {s['false_positive_rate']:.3f}), "
                     f"{off['near_miss']} as near misses")
    for key in ("by_kind", "by_band", "by_headline"):
        lines.append(f"{key.replace('_', ' ')}:")
        lines += [f"  {name:<40} kept {c['kept']:>3}/{c['n']:<3} near misses {c['near_miss']}"
                  for name, c in s[key].items()]
    if show:
        wrong = [r for r in evaluation["results"] if r["kept"] != (r["label"] == "on")]
        lines.append(f"misses and false positives ({len(wrong)}):")
        lines += [f"  {r['label']:<3} {r['id']:<16} {r['score']:>7.2f} {'near miss ' if r['near_miss'] else ''}"
                  f"{r['title'][:40]}  [{r['reason'] or 'kept'}]" for r in wrong]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("cases", nargs="*", type=Path, help="JSON Lines files of labelled articles")
    parser.add_argument("--topic", default=DEFAULT_TOPIC, help="topic file name under spiders_config/topics/")
    parser.add_argument("--config-dir", type=Path, default=ROOT / "spiders_config")
    parser.add_argument("--no-reference", action="store_true", help="leave out ../shared/reference's articles")
    parser.add_argument("--show", action="store_true", help="list every miss and false positive")
    parser.add_argument("--json", action="store_true", help="the evaluation as JSON")
    args = parser.parse_args(argv)
    missing = [str(p) for p in args.cases if not p.is_file()]
    if missing:
        parser.error(f"no such file: {', '.join(missing)}")
    topic = load_topic(args.topic, args.config_dir)
    cases = [*([] if args.no_reference else reference_cases()), *read_cases(args.cases)]
    if not cases:
        parser.error("no labelled articles: give JSON Lines files of them "
                     f"({SHARED / 'reference'} is not here to add the report articles)")
    evaluation = evaluate(topic, cases)
    print(json.dumps(evaluation, ensure_ascii=False, indent=1) if args.json else report(topic, evaluation, args.show))
    return 0


if __name__ == "__main__":
    sys.exit(main())
