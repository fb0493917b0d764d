"""Extraction accuracy of `monitor extract` beside trafilatura and GNE, over saved article pages.

    .venv/bin/python -m pip install -r bench/requirements.txt   # GNE, for the comparison only
    .venv/bin/python bench/accuracy.py [--json]

Pages: ../shared/pages/ (real pages of the monitored outlets, with hand-made labels where they
exist; pages without labels count for nothing but timing), ../shared/pages2/ (real pages of sites
without rules: the generic path's test) and tests/extract/pages/ (pages written for this project),
each reported separately. Measures: title exact match, publish day, publish minute (Beijing time),
body F1 of character bigrams (whitespace ignored), mean time per page. A benchmark, not a test
threshold. GNE is left out of the table when it is not installed.
"""
from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections import Counter
from datetime import datetime
from datetime import time as time_of_day
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.extract.article import ExtractionError, extract_article  # noqa: E402
from monitor.outlets import outlet_for_url  # noqa: E402
from monitor.window import BEIJING  # noqa: E402

SHARED = ROOT.parent / "shared"
OWN_PAGES = ROOT / "tests" / "extract" / "pages"


def bigrams(text: str) -> Counter:
    chars = "".join((text or "").split())
    return Counter(chars[i:i + 2] for i in range(len(chars) - 1))


def bigram_f1(predicted: str, expected: str) -> float:
    p, e = bigrams(predicted), bigrams(expected)
    overlap = sum((p & e).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(p.values()), overlap / sum(e.values())
    return 2 * precision * recall / (precision + recall)


def labelled_pages():
    """(name, html bytes, url, labels) for every page with expected fields."""
    for group in ("pages", "pages2"):
        folder = SHARED / group
        if not (folder / "manifest.tsv").exists():
            continue
        with open(folder / "manifest.tsv", encoding="utf-8") as f:
            for row in csv.DictReader(f, delimiter="\t"):
                truth = folder / row["file"].replace(".html", ".truth.json")
                labels = json.loads(truth.read_text(encoding="utf-8")) if truth.exists() else None
                yield group, row["file"], (folder / row["file"]).read_bytes(), row["url"], labels
    for expected in sorted(OWN_PAGES.glob("*/*.json")):
        spec = json.loads(expected.read_text(encoding="utf-8"))
        page = expected.with_suffix(".html")
        labels = {"title": spec["title"], "publish_time": spec.get("published_at"), "content": spec.get("body_text")}
        yield "own", f"{expected.parent.name}/{page.name}", page.read_bytes(), spec["url"], labels


time_min = time_of_day(0, 0)


def _moment(value):
    if not value:
        return None
    value = value.replace("T", " ")[:19]
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            return datetime.strptime(value[:len(datetime(2000, 1, 1).strftime(fmt))], fmt).replace(tzinfo=BEIJING)
        except ValueError:
            continue
    return None


def ours(body, url):
    try:
        item = extract_article(body, url, outlet=outlet_for_url(url))
    except ExtractionError:
        return None, None, ""
    return item["title"], item["published_at"], item["body_text"]


def ours_generic(body, url):
    """The generic path alone (as for an unknown outlet): what a new template would get."""
    try:
        item = extract_article(body, url, outlet=None)
    except ExtractionError:
        return None, None, ""
    return item["title"], item["published_at"], item["body_text"]


def trafilatura_baseline(body, url):
    import trafilatura
    doc = trafilatura.bare_extraction(body, url=url, with_metadata=True, include_comments=False)
    if doc is None:
        return None, None, ""
    return doc.title, _moment(doc.date), doc.text or ""


def gne_baseline(body, url):
    from gne import GeneralNewsExtractor

    from monitor.extract.charset import decode_html
    text, _ = decode_html(body)  # GNE takes text: it gets the same decoding as ours
    try:
        doc = GeneralNewsExtractor().extract(text, with_body_html=False, noise_node_list=None)
    except Exception:  # GNE raises on pages it cannot parse; that page scores nothing
        return None, None, ""
    return doc.get("title"), _moment(doc.get("publish_time")), doc.get("content") or ""


def _gne_installed() -> bool:
    try:
        import gne  # noqa: F401
    except ImportError:
        return False
    return True


EXTRACTORS = (("monitor extract", ours), ("monitor generic path only", ours_generic),
              ("trafilatura 2.3", trafilatura_baseline),
              *((("GNE 0.4", gne_baseline),) if _gne_installed() else ()))


def measure():
    rows = []
    pages = list(labelled_pages())
    for _, function in EXTRACTORS:  # warm up: imports and caches are not per-page cost
        if pages:
            function(pages[0][2], pages[0][3])
    for group, name, body, url, labels in pages:
        for extractor, function in EXTRACTORS:
            start = time.perf_counter()
            title, published, text = function(body, url)
            elapsed = time.perf_counter() - start
            row = {"group": group, "page": name, "extractor": extractor, "seconds": elapsed}
            if labels:
                expected_time = _moment(labels.get("publish_time"))
                got = published.astimezone(BEIJING) if published else None
                # A label without a time of day gives the day only, and so does a ../shared/pages label at
                # exactly 00:00:00 (people 5's page shows 23:52): such pages count for the day, not the minute.
                raw_label = (labels.get("publish_time") or "").strip()
                day_only = expected_time is not None and (
                    len(raw_label) <= 10 or (group == "pages" and expected_time.time() == time_min))
                row.update(
                    title=(title or "").strip() == labels["title"].strip(),
                    day=bool(got and expected_time and got.date() == expected_time.date()),
                    minute=None if day_only else
                    bool(got and expected_time and got.replace(second=0) == expected_time.replace(second=0)),
                    f1=bigram_f1(text, labels.get("content") or "") if labels.get("content") else None,
                )
            rows.append(row)
    return rows


def table(rows) -> str:
    lines = ["| pages | extractor | labelled pages | title exact | publish day | publish minute | body F1 (bigrams) | mean time/page |",
             "|---|---|---|---|---|---|---|---|"]
    for group, label in (("pages", "../shared/pages"), ("pages2", "../shared/pages2"), ("own", "tests/extract/pages")):
        for extractor, _ in EXTRACTORS:
            subset = [r for r in rows if r["group"] == group and r["extractor"] == extractor]
            if not subset:
                continue
            labelled = [r for r in subset if "title" in r]
            f1s = [r["f1"] for r in labelled if r.get("f1") is not None]

            def share(key):
                counted = [r[key] for r in labelled if r[key] is not None]
                return f"{sum(counted)}/{len(counted)}" if counted else "–"
            mean_f1 = f"{sum(f1s) / len(f1s):.3f}" if f1s else "–"
            mean_ms = 1000 * sum(r["seconds"] for r in subset) / len(subset)
            lines.append(f"| {label} ({len(subset)}) | {extractor} | {len(labelled)} | {share('title')} | "
                         f"{share('day')} | {share('minute')} | {mean_f1} | {mean_ms:.0f} ms |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print per-page results as JSON lines too")
    args = parser.parse_args()
    rows = measure()
    if args.json:
        for row in rows:
            print(json.dumps(row, ensure_ascii=False))
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
