"""Benchmarks of issue 8: crawl throughput, extraction speed, dedup/storage at scale, export, memory.

    .venv/bin/python bench/run.py                      # everything at full scale (5,000-page mirror, 100,000 articles)
    .venv/bin/python bench/run.py --parts crawl,extract --articles 1000 --stored 20000
    .venv/bin/python bench/run.py --no-write           # print only, leave docs/benchmarks.md alone

Parts: `extract` (extract_article beside trafilatura, same pages, same run), `dedup` (articles with 10%
edited reprints imported in chunks by `monitor import` through the real pipelines; per-item cost per
chunk; reprints grouped with their original), `export` (export_issue of the weekly issue from that
database), `crawl` (bare Scrapy vs `scrapy crawl ce` over a generated mirror served from 127.0.0.1,
then the same crawl again into the dedup database: pages/s, articles stored/s, peak RSS).
Everything runs against the project's own SecantusDB server (monitor.storage.server.LocalServer) in a
temporary data directory. Figures go to stdout and to docs/benchmarks.md with the machine.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pymongo  # noqa: E402

from bench import corpus  # noqa: E402
from bench.mirror import SiteServer, bench_config_dir, build_mirror  # noqa: E402
from monitor.outlets import load_outlets  # noqa: E402
from monitor.storage.server import LocalServer  # noqa: E402

PY = sys.executable
DOC = ROOT / "docs" / "benchmarks.md"
CONCURRENCY = 16


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    mem = next(int(line.split()[1]) for line in open("/proc/meminfo") if line.startswith("MemTotal"))
    return (f"{cpu}, {os.cpu_count()} cores, {mem / 1024 / 1024:.0f} GiB RAM, Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}, {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC")


def _descendants(pid: int) -> list[int]:
    found = []
    for children in Path(f"/proc/{pid}/task").glob("*/children"):
        for child in children.read_text().split():
            found += [int(child), *_descendants(int(child))]
    return found


def _hwm_kib(pid: int) -> int:
    return int(re.search(r"VmHWM:\s+(\d+)", Path(f"/proc/{pid}/status").read_text()).group(1))


def run_child(command: list[str], env: dict, cwd: Path, log: Path) -> tuple[int, float, str]:
    """(exit code, peak RSS MiB, its stderr). The peak is the child's own VmHWM plus those of its own child
    processes (the crawl's worker processes: monitor/workers.py), polled until it exits (rusage's ru_maxrss
    is not used: Linux carries the parent's high-water mark over fork and exec)."""
    peak = 0
    with open(log, "w") as err:
        proc = subprocess.Popen(command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err)
        while proc.poll() is None:
            try:
                peak = max(peak, sum(_hwm_kib(pid) for pid in [proc.pid, *_descendants(proc.pid)]))
            except (OSError, AttributeError):
                pass
            time.sleep(0.1)
    return proc.returncode, peak / 1024, log.read_text(errors="replace")


def stat(stderr: str, key: str) -> float:
    m = re.search(rf"'{re.escape(key)}': ([0-9.]+)", stderr)
    return float(m.group(1)) if m else 0.0


# -- extraction ------------------------------------------------------------------------------------
def part_extract(mirror_pages: dict, sample: int) -> dict:
    from bench.accuracy import labelled_pages, ours, trafilatura_baseline
    shared = [(body, url) for group, _, body, url, _ in labelled_pages() if group == "pages"]
    unseen = [(body, url) for group, _, body, url, _ in labelled_pages() if group == "pages2"]
    own = [(path.read_bytes(), url) for url, (path, _) in mirror_pages.items() if url.endswith(".shtml")
           and "/index_" not in url][:sample]
    result = {}
    for name, pages in (("../shared/pages", shared), ("../shared/pages2 (generic path)", unseen),
                        ("generated mirror (ce template)", own)):
        if not pages:
            continue
        times = {"monitor extract": 0.0, "trafilatura": 0.0}
        for fn in (ours, trafilatura_baseline):
            fn(*pages[0])  # warm-up
        for body, url in pages:  # interleaved: both see the same machine load
            for label, fn in (("monitor extract", ours), ("trafilatura", trafilatura_baseline)):
                start = time.perf_counter()
                fn(body, url)
                times[label] += time.perf_counter() - start
        result[name] = {"pages": len(pages), **{k: v / len(pages) * 1000 for k, v in times.items()}}
        print(f"extract {name}: {result[name]}", flush=True)
    return result


# -- dedup / storage ---------------------------------------------------------------------------------
def outlet_domains() -> list[tuple[str, str]]:
    return [(key, outlet.config["domains"][0]) for key, outlet in sorted(load_outlets().items())]


def dedup_corpus(total: int, seed: int = 100):
    """`total` records; 10% are edited reprints (another outlet) of an earlier original. Yields records and
    the (reprint url, original url) pairs."""
    rng = random.Random(seed)
    outlets = outlet_domains()
    originals: list[tuple[str, str, list[str], str, datetime]] = []
    pairs = []
    since = date(2025, 1, 18)  # a year's archive (52 weeks) ending with the weekly issue of 2026-01-16
    for n in range(total):
        key, domain = rng.choice(outlets)
        url = f"https://{domain}/bench/{n:07d}.html"
        if originals and rng.random() < 0.10:
            o_url, title, paragraphs, o_key, published = rng.choice(originals)
            while key == o_key:
                key, domain = rng.choice(outlets)
                url = f"https://{domain}/bench/{n:07d}.html"
            title, paragraphs = corpus.reprint(rng, title, paragraphs)
            published = published + timedelta(hours=rng.randint(1, 30))
            pairs.append((url, o_url))
        else:
            title, paragraphs = corpus.story(rng, True)
            published = corpus.moment(rng, since, 52 * 7)
            originals.append((url, title, paragraphs, key, published))
        yield {"url": url, "outlet": key, "source": key, "title": title, "published_at": published.isoformat(),
               "body_markdown": "\n\n".join(paragraphs)}, pairs


def part_dedup(uri: str, dbname: str, total: int, chunk: int, work: Path, env: dict) -> dict:
    records = []
    pairs = []
    for record, pairs in dedup_corpus(total):
        records.append(record)
    rows = []
    for start in range(0, total, chunk):
        path = work / f"chunk{start // chunk}.jsonl"
        with open(path, "w", encoding="utf-8") as f:
            for record in records[start:start + chunk]:
                f.write(json.dumps(record, ensure_ascii=False) + "\n")
        code, rss, err = run_child([PY, "-m", "monitor", "import", str(path)], env, ROOT, work / "import.log")
        if code != 0:
            raise SystemExit(f"monitor import failed ({code}):\n{err[-3000:]}")
        elapsed = stat(err, "elapsed_time_seconds")
        stored = pymongo.MongoClient(uri)[dbname].articles.estimated_document_count()
        n = min(chunk, total - start)
        rows.append({"stored": stored, "items": n, "seconds": elapsed, "ms_per_item": elapsed / n * 1000,
                     "peak_rss_mib": rss})
        print(f"dedup chunk: {rows[-1]}", flush=True)
        path.unlink()
    db = pymongo.MongoClient(uri)[dbname]
    cluster = {d["url"]: d.get("cluster_id") for d in db.articles.find({}, {"url": 1, "cluster_id": 1, "_id": 0})}
    misses = sum(1 for r, o in pairs if not cluster.get(r) or cluster.get(r) != cluster.get(o))
    clusters = len(set(cluster.values()))
    originals = total - len(pairs)
    print(f"dedup: {len(pairs)} reprints, {misses} not grouped with their original; {clusters} clusters for "
          f"{originals} original stories", flush=True)
    return {"chunks": rows, "reprints": len(pairs), "misses": misses, "clusters": clusters, "originals": originals}


def part_export(uri: str, dbname: str, work: Path) -> dict:
    from monitor.report.export import export_issue
    client = pymongo.MongoClient(uri, tz_aware=True, tzinfo=timezone.utc)
    db = client[dbname]
    db.issues.delete_many({"profile": "weekly"})
    times = []
    for attempt in range(3):
        db.issues.delete_many({"profile": "weekly"})
        start = time.perf_counter()
        result = export_issue(db, "weekly", "2026-01-16", number=657, out_dir=work / "exports")
        times.append(time.perf_counter() - start)
    in_window = db.articles.count_documents({"published_at": {"$gte": datetime(2026, 1, 9, 16, tzinfo=timezone.utc),
                                                              "$lt": datetime(2026, 1, 16, 16, tzinfo=timezone.utc)}})
    out = {"stored": db.articles.estimated_document_count(), "in_window": in_window, "entries": result.count,
           "seconds": times}
    print(f"export: {out}", flush=True)
    return out


# -- crawl ------------------------------------------------------------------------------------------
def crawl_pair(server: SiteServer, env: dict, work: Path, database: str, label: str) -> dict:
    common = ["-s", f"MONITOR_ORIGIN_OVERRIDE={server.origin}", "-s", "ROBOTSTXT_OBEY=0", "-s",
              "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0", "-s", f"CONCURRENT_REQUESTS={CONCURRENCY}",
              "-s", f"CONCURRENT_REQUESTS_PER_DOMAIN={CONCURRENCY}", "-s", "LOG_LEVEL=INFO"]
    out = {}
    bare_env = {k: v for k, v in env.items() if k != "SCRAPY_SETTINGS_MODULE"}
    bare_env["PYTHONPATH"] = str(ROOT)
    code, rss, err = run_child([PY, "-m", "scrapy", "runspider", str(ROOT / "bench" / "bare_spider.py"), *common,
                                "-s", "DOWNLOAD_HANDLERS={\"http\": \"monitor.spiders.origin.LocalOriginDownloadHandler\"}",
                                "-s", "TWISTED_REACTOR=twisted.internet.asyncioreactor.AsyncioSelectorReactor"],
                               bare_env, work, work / "bare.log")
    assert code == 0, err[-3000:]
    out["bare"] = {"pages": stat(err, "downloader/response_count"), "seconds": stat(err, "elapsed_time_seconds"),
                   "peak_rss_mib": rss}
    code, rss, err = run_child([PY, "-m", "scrapy", "crawl", "ce", "-a", "since=2026-01-10", "-a", "until=2026-01-16",
                                *common], {**env, "MONGO_DATABASE": database}, ROOT, work / f"full-{label}.log")
    assert code == 0 and "Traceback" not in err, err[-3000:]
    out["full"] = {"pages": stat(err, "downloader/response_count"), "seconds": stat(err, "elapsed_time_seconds"),
                   "items": stat(err, "item_scraped_count"), "peak_rss_mib": rss}
    for side in out.values():
        side["pages_per_s"] = side["pages"] / side["seconds"]
    out["full"]["stored_per_s"] = out["full"]["items"] / out["full"]["seconds"]
    out["ratio"] = out["full"]["pages_per_s"] / out["bare"]["pages_per_s"]
    print(f"crawl {label}: {out}", flush=True)
    return out


# -- report -----------------------------------------------------------------------------------------
def write_doc(results: dict, args, command: str) -> str:
    lines = ["# Benchmarks", "",
             f"Run: `{command}` (full scale: `.venv/bin/python bench/run.py`).", "",
             f"Machine: {machine()}.", "",
             "Shared 2-core machine: absolute times drift, so each target is a ratio of figures measured side by "
             "side in the same run.", ""]
    if "extract" in results:
        lines += ["## Extraction (mean time per page, same pages, interleaved)", "",
                  "| pages | n | monitor extract | trafilatura | ratio |", "|---|---|---|---|---|"]
        for name, r in results["extract"].items():
            lines.append(f"| {name} | {r['pages']} | {r['monitor extract']:.1f} ms | {r['trafilatura']:.1f} ms | "
                         f"{r['monitor extract'] / r['trafilatura']:.2f}x |")
        lines += ["", "Accuracy on the same shared pages: README \"Extraction accuracy\" (`bench/accuracy.py`).", ""]
    if "dedup" in results:
        d = results["dedup"]
        lines += [f"## Dedup and storage ({args.stored:,} articles, 10% edited reprints, `monitor import` in chunks "
                  f"of {args.chunk:,})", "", "| stored after chunk | ms/item in chunk | peak RSS |", "|---|---|---|"]
        for row in d["chunks"]:
            lines.append(f"| {row['stored']:,} | {row['ms_per_item']:.2f} | {row['peak_rss_mib']:.0f} MiB |")
        first, last = d["chunks"][0]["ms_per_item"], d["chunks"][-1]["ms_per_item"]
        lines += ["", f"Last chunk / first chunk: {last / first:.2f}x (target ≤ 1.5x). Reprints: {d['reprints']:,}, "
                  f"not grouped with their original: {d['misses']} (target 0). Clusters: {d['clusters']:,} for "
                  f"{d['originals']:,} original stories.", ""]
    if "export" in results:
        e = results["export"]
        lines += ["## Export", "", f"`export_issue` of the weekly issue of 2026-01-16 from {e['stored']:,} stored "
                  f"articles ({e['in_window']:,} in its window, {e['entries']} entries written): "
                  + ", ".join(f"{s:.3f} s" for s in e["seconds"]) + " (three runs; target < 1 s).", ""]
    if "crawl" in results:
        lines += [f"## Crawl throughput and memory ({args.articles:,}-article mirror, concurrency {CONCURRENCY})", "",
                  "| database before the crawl | crawler | pages | pages/s | articles stored/s | full / bare pages/s | "
                  "peak RSS |", "|---|---|---|---|---|---|---|"]
        for label, c in results["crawl"].items():
            lines.append(f"| {label} | bare Scrapy | {c['bare']['pages']:.0f} | {c['bare']['pages_per_s']:.0f} | – | "
                         f"| {c['bare']['peak_rss_mib']:.0f} MiB |")
            lines.append(f"| {label} | full project | {c['full']['pages']:.0f} | {c['full']['pages_per_s']:.0f} | "
                         f"{c['full']['stored_per_s']:.0f} | {c['ratio']:.0%} | {c['full']['peak_rss_mib']:.0f} MiB |")
        lines.append("")
    lines += results.get("notes", [])
    text = "\n".join(lines) + "\n"
    return text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--parts", default="extract,dedup,export,crawl")
    parser.add_argument("--articles", type=int, default=5000, help="article pages in the crawl mirror")
    parser.add_argument("--stored", type=int, default=100_000, help="articles imported by the dedup part")
    parser.add_argument("--chunk", type=int, default=10_000, help="articles per `monitor import` (one cost row)")
    parser.add_argument("--no-write", action="store_true", help="do not write docs/benchmarks.md")
    parser.add_argument("--json", type=Path, help="also write the raw figures as JSON here")
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    results: dict = {}
    with tempfile.TemporaryDirectory(prefix="monitor-bench-") as tmp:
        work = Path(tmp)
        with LocalServer(work / "data") as uri:
            config = bench_config_dir(work, max_pages=args.articles // 50 + 10)
            env = {**os.environ, "MONGO_URI": uri, "MONITOR_CONFIG_DIR": str(config),
                   "MONITOR_DATA_DIR": str(work / "data"), "MONITOR_EXPORT_DIR": str(work / "exports"),
                   "MONITOR_LOG_LEVEL": "INFO", "MONGO_DATABASE": "bench_dedup"}
            mirror = build_mirror(work / "mirror", args.articles) if parts & {"crawl", "extract"} else {}
            if "extract" in parts:
                results["extract"] = part_extract(mirror, 300)
            if "dedup" in parts:
                results["dedup"] = part_dedup(uri, "bench_dedup", args.stored, args.chunk, work, env)
            if "export" in parts:
                results["export"] = part_export(uri, "bench_dedup", work)
            if "crawl" in parts:
                results["crawl"] = {}
                with SiteServer(mirror) as server:
                    results["crawl"]["empty"] = crawl_pair(server, env, work, "bench_crawl", "empty")
                    stored = pymongo.MongoClient(uri)["bench_dedup"].articles.estimated_document_count()
                    label = f"{stored:,} stored (dedup part)"
                    results["crawl"][label] = crawl_pair(server, env, work, "bench_dedup", label)
    command = " ".join(["bench/run.py", *sys.argv[1:]])
    text = write_doc(results, args, ".venv/bin/python " + command)
    print(text)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, default=str))
    if not args.no_write:
        DOC.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
