"""Benchmark of distributed crawling: pages/s of one crawl run done by 1, 2, 4 `monitor worker` processes.

    .venv/bin/python bench/distributed.py                         # 1,000-article mirror, 1, 2 and 4 workers
    .venv/bin/python bench/distributed.py --articles 2000 --workers 1,2 --repeat 3 --no-write

Each measured run: Redis emptied (`redis-cli flushall`), a fresh MongoDB database, N `monitor worker --once`
processes started and waited for until each logs that it waits for runs (their start-up is NOT in the
times), then `monitor crawl ce --distributed` over the mirror's window. Three times: from starting that
coordinator to its exit (its start-up, the workers' poll for the run, the crawl, the end of the run); from
the same start to the `fetched_at` of the last article stored; and from the first article's `fetched_at` to
the last's (the crawl alone). Pages = list + article pages of the run document (`runs`, outlets.ce.pages),
articles stored = the database's article count afterwards. The one-process `monitor crawl ce` (no Redis)
over the same mirror is measured the same way as a reference (`--no-reference` leaves it out).

The settings of every process come from a settings module written into the temporary directory
(SCRAPY_SETTINGS_MODULE, PYTHONPATH; `monitor worker` has no -s): the project's settings, downloads
answered by the mirror (MONITOR_ORIGIN_OVERRIDE), robots.txt, AutoThrottle and delays off, 16 requests at
once, as bench/run.py's crawl; it also times each article batch written and each wait for the workers'
shared write lock (`--no-time-writes`: not). Everything shares the machine: the mirror's HTTP server (a
thread of this process), the project's database server (LocalServer), Redis. During each run the CPU time
of each of them, the run-queue wait of their threads (ready, no core free) and the machine's busy time are
sampled from /proc every 0.2 s; before each run the benchmark waits for other work on the machine to stop,
and measures a run again when other work took more than --max-other cores beside it.

The runs go round (one process, 1, 2, 4, one process, 1, ... with `--repeat`), so load drift on the
machine falls on every N alike. A failed run (non-zero exit) is reported with the coordinator's and
workers' stderr tails, and the benchmark exits 1. `--no-write` leaves docs/benchmarks.md alone; otherwise
its section "Distributed crawling (workers on Redis)" is replaced (or appended at the end).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from datetime import timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pymongo  # noqa: E402

from bench.mirror import WINDOW_DAYS, WINDOW_SINCE, SiteServer, bench_config_dir, build_mirror  # noqa: E402
from bench.run import CONCURRENCY, machine, stat  # noqa: E402
from monitor.storage.server import LocalServer  # noqa: E402

PY = sys.executable
DOC = ROOT / "docs" / "benchmarks.md"
HEADING = "## Distributed crawling (workers on Redis)"
SINCE = WINDOW_SINCE.isoformat()
UNTIL = (WINDOW_SINCE + timedelta(days=WINDOW_DAYS - 1)).isoformat()
CLK = os.sysconf("SC_CLK_TCK")
#: Seconds a started worker may take to say it waits for runs; seconds a run may take.
READY_TIMEOUT, RUN_TIMEOUT = 120, 600
#: Seconds to wait, before each run, for other work on the machine to stop (--quiet-wait).
QUIET_WAIT = 120.0
#: Seconds between CPU samples during a run.
SAMPLE_EVERY = 0.2

SETTINGS_MODULE = '''"""bench/distributed.py: the project's settings, every download answered by the local mirror."""
from monitor.settings import *  # noqa: F401,F403

MONITOR_ORIGIN_OVERRIDE = {origin!r}
ROBOTSTXT_OBEY = False
AUTOTHROTTLE_ENABLED = False
DOWNLOAD_DELAY = 0
CONCURRENT_REQUESTS = {concurrency}
CONCURRENT_REQUESTS_PER_DOMAIN = {concurrency}
LOG_LEVEL = "INFO"
'''

#: Appended to the settings module (not --no-time-writes): times each article batch the process persists
#: (DatabaseService._persist: fingerprints, then clusters and writes the batch holding the write lock) and,
#: the wait for the write lock every persistence stage shares (monitor.storage.locks.held); printed to
#: stderr as the process exits. Wraps private names: if they are gone, nothing is timed.
TIME_WRITES = '''
import atexit as _atexit, json as _json, sys as _sys, time as _time
from contextlib import contextmanager as _contextmanager
_BATCHES, _WAITS = [], []
try:
    from monitor.storage import service as _service
    from monitor.storage import locks as _locks
    _persist, _lock = _service.DatabaseService._persist, _locks.held

    def _timed_persist(self, docs):
        start = _time.perf_counter()
        try:
            return _persist(self, docs)
        finally:
            _BATCHES.append((len(docs), _time.perf_counter() - start))

    @_contextmanager
    def _timed_lock(*args, **kwargs):
        start = _time.perf_counter()
        with _lock(*args, **kwargs):
            _WAITS.append(_time.perf_counter() - start)
            yield

    _service.DatabaseService._persist, _locks.held = _timed_persist, _timed_lock
except (ImportError, AttributeError):
    pass
_atexit.register(lambda: _BATCHES and _sys.stderr.write(
    "BENCH_WRITES " + _json.dumps({"batches": _BATCHES, "lock_waits": _WAITS}) + "\\n"))
'''


# -- processes and CPU ------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _descendants(pid: int) -> list[int]:
    found = []
    for children in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            for child in children.read_text().split():
                found += [int(child), *_descendants(int(child))]
        except OSError:
            pass
    return found


def tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) of a process (live or not yet reaped) with its children: its own, its reaped
    children's (cutime, cstime) and its live descendants'."""
    total = 0
    for p in [pid, *_descendants(pid)]:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(v) for v in fields[11:15])  # utime, stime, cutime, cstime (fields 14-17 of proc(5))
    return total / CLK


def thread_cpu(pid: int) -> float:
    """CPU seconds of the main thread of a process (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/task/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLK


def _run_queue_wait(task: Path) -> float:
    """Seconds a thread has been runnable but waiting for a core (/proc/.../schedstat, second field)."""
    try:
        return int(task.joinpath("schedstat").read_text().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return 0.0


def tree_wait(pid: int) -> float:
    """Run-queue wait of every live thread of a process and its live descendants."""
    return sum(_run_queue_wait(task) for p in [pid, *_descendants(pid)] for task in Path(f"/proc/{p}/task").glob("*"))


def machine_busy() -> float:
    """Busy CPU seconds of the whole machine since boot, every core (/proc/stat)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(values[:8]) - values[3] - values[4]) / CLK  # all but idle and iowait (guest is in user)


def self_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


PARTS = ("crawl_command", "workers", "database", "redis", "mirror")


class CpuSamples:
    """CPU seconds used so far by each part of a run, sampled while it runs: the `monitor crawl` process (the
    coordinator, or the whole crawl without --distributed), the `monitor worker` processes (each with its
    extraction process), the database server, Redis, the mirror's HTTP server (threads of this process), and
    the whole machine (`machine`: other work on it shows as what is not ours)."""

    def __init__(self, db_pid: int, redis_pid: int, command_pid: int, worker_pids: list[int]):
        self.pids = {"database": [db_pid], "redis": [redis_pid], "crawl_command": [command_pid],
                     "workers": worker_pids}
        self.samples: list[tuple[float, dict]] = []

    def take(self) -> None:
        reading = {part: sum(tree_cpu(pid) for pid in pids) for part, pids in self.pids.items()}
        # the main (reactor) thread of each crawl process: `monitor crawl` first, then the workers
        for i, pid in enumerate([*self.pids["crawl_command"], *self.pids["workers"]]):
            reading[f"main{i}"] = thread_cpu(pid)
            reading[f"wait{i}"] = _run_queue_wait(Path(f"/proc/{pid}/task/{pid}"))
        # threads of ours waiting for a core (CPU contention), this process's included
        reading["run_queue"] = (sum(tree_wait(pid) for pids in self.pids.values() for pid in pids)
                                + tree_wait(os.getpid()))
        reading["mirror"] = self_cpu()
        reading["machine"] = machine_busy()
        self.samples.append((time.time(), reading))

    def at(self, moment: float) -> dict:
        """The readings at `moment` (epoch seconds), interpolated between the samples around it."""
        before = [s for s in self.samples if s[0] <= moment] or self.samples[:1]
        after = [s for s in self.samples if s[0] >= moment] or self.samples[-1:]
        (t0, r0), (t1, r1) = before[-1], after[0]
        share = (moment - t0) / (t1 - t0) if t1 > t0 else 0.0
        return {k: r0[k] + (r1[k] - r0[k]) * share for k in r0}

    def spent(self, start: float, end: float) -> dict:
        """CPU seconds of each part from `start` to `end`; `ours` their sum, `ours_cores` and `other_cores`
        the cores busy with them and with other work on the machine."""
        first, last = self.at(start), self.at(end)
        spent = {k: last[k] - first[k] for k in first}
        spent["ours"] = sum(spent[k] for k in PARTS)
        seconds = max(end - start, 1e-9)
        spent["ours_cores"] = spent["ours"] / seconds
        spent["other_cores"] = max(spent["machine"] - spent["ours"], 0.0) / seconds
        mains = [(spent[k] / seconds, spent["wait" + k[4:]] / seconds) for k in spent if k.startswith("main")]
        crawling = mains[1:] or mains  # the workers' (with workers, `monitor crawl` only coordinates)
        busiest = max(crawling, default=(0.0, 0.0))
        spent["main_thread_busiest"], spent["main_thread_busiest_waiting"] = busiest
        spent["main_thread_mean"] = sum(m[0] for m in crawling) / len(crawling) if crawling else 0.0
        spent["run_queue_threads"] = spent["run_queue"] / seconds
        return spent


def exited(proc: subprocess.Popen) -> bool:
    """Whether `proc` has exited, without reaping it (its /proc entry, with its CPU times, stays readable)."""
    return os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None


def stop(proc: subprocess.Popen) -> None:
    if proc.returncode is None and proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def tail(path: Path, chars: int = 2500) -> str:
    try:
        return path.read_text(errors="replace")[-chars:]
    except OSError:
        return "(no log)"


class Redis:
    """redis-server on a free port, nothing saved to disk."""

    def __init__(self, work: Path):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.log = work / "redis.log"
        self.proc: subprocess.Popen | None = None

    def __enter__(self):
        with open(self.log, "w") as log:
            self.proc = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                                          "--save", "", "--appendonly", "no"],
                                         stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while self.cli("ping") != "PONG":
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"redis-server did not start:\n{tail(self.log)}")
            time.sleep(0.1)
        return self

    def cli(self, *args: str) -> str:
        done = subprocess.run(["redis-cli", "-p", str(self.port), *args], capture_output=True, text=True)
        return done.stdout.strip()

    def __exit__(self, *exc):
        if self.proc is not None:
            self.cli("shutdown", "nosave")
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                stop(self.proc)


# -- one run ----------------------------------------------------------------------------------------
def start_workers(n: int, env: dict, logs: Path) -> tuple[list[subprocess.Popen], list[Path], float]:
    """N `monitor worker --once`, each waiting for a run; (processes, their stderr logs, seconds to ready)."""
    procs, paths = [], []
    start = time.monotonic()
    for i in range(n):
        path = logs / f"worker{i}.log"
        with open(path, "w") as err:
            procs.append(subprocess.Popen([PY, "-m", "monitor", "worker", "--once"], env=env, cwd=ROOT,
                                          stdout=subprocess.DEVNULL, stderr=err, stdin=subprocess.DEVNULL))
        paths.append(path)
    deadline = time.monotonic() + READY_TIMEOUT
    waiting = set(range(n))
    while waiting:
        for i in list(waiting):
            if "waiting for runs" in tail(paths[i], 100_000):
                waiting.discard(i)
            elif procs[i].poll() is not None:
                raise RuntimeError(f"worker {i} exited with {procs[i].returncode} before a run:\n{tail(paths[i])}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"workers {sorted(waiting)} not ready within {READY_TIMEOUT} s")
        time.sleep(0.05)
    return procs, paths, time.monotonic() - start


def wait_for_quiet(limit: float, most: float) -> float:
    """Wait (up to `limit` seconds) until the machine's busy CPU over 2 s is under `most` cores: other work
    on this shared machine (a test suite) would take cores from the run. Returns the last reading."""
    deadline = time.monotonic() + limit
    while True:
        busy = machine_busy()
        time.sleep(2)
        cores = (machine_busy() - busy) / 2
        if cores < most or time.monotonic() > deadline:
            if cores >= most:
                print(f"(machine still busy: {cores:.2f} cores in use by other work; measuring anyway)", flush=True)
            return cores
        print(f"(machine busy: {cores:.2f} cores in use by other work; waiting)", flush=True)
        time.sleep(3)


def run_once(n: int, env: dict, work: Path, uri: str, db_pid: int, redis: Redis | None, label: str,
             args) -> dict:
    """One run: n workers and `monitor crawl ce --distributed` (n = 0: the one-process `monitor crawl ce`)."""
    logs = work / "logs" / label
    logs.mkdir(parents=True)
    database = f"bench_dist_{label}"
    env = {**env, "MONGO_DATABASE": database}
    pymongo.MongoClient(uri).drop_database(database)
    quiet = wait_for_quiet(args.quiet_wait, args.max_other)
    workers, worker_logs, ready = [], [], 0.0
    if n:
        redis.cli("flushall")
        workers, worker_logs, ready = start_workers(n, env, logs)
    command = [PY, "-m", "monitor", "crawl", "ce", "--since", SINCE, "--until", UNTIL]
    if n:
        command.append("--distributed")
    started_at = time.time()
    with open(logs / "coordinator.log", "w") as err, open(logs / "coordinator.out", "w") as out:
        coordinator = subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
    cpu = CpuSamples(db_pid, redis.proc.pid if redis else 0, coordinator.pid, [w.pid for w in workers])
    cpu.take()
    deadline = time.monotonic() + RUN_TIMEOUT
    while not exited(coordinator) and time.monotonic() < deadline:
        time.sleep(SAMPLE_EVERY)
        cpu.take()
    cpu.take()
    ended_at = time.time()
    seconds = ended_at - started_at
    code = coordinator.poll()
    worker_codes = []
    for w in workers:
        try:
            worker_codes.append(w.wait(30))
        except subprocess.TimeoutExpired:
            worker_codes.append(None)
    for proc in [coordinator, *workers]:
        stop(proc)  # only those still running after their time (a failed run)
    result = {"workers": n, "label": label, "exit": code, "worker_exits": worker_codes, "seconds": seconds,
              "workers_ready_s": ready, "other_cores_before": quiet}
    if code != 0 or any(c != 0 for c in worker_codes):
        result["failed"] = True
        result["tails"] = {"coordinator stdout": tail(logs / "coordinator.out"),
                           "coordinator stderr": tail(logs / "coordinator.log"),
                           **{f"worker {i} stderr": tail(p) for i, p in enumerate(worker_logs)}}
        print(f"\n!!! run {label} failed: coordinator exit {code}, workers {worker_codes}", flush=True)
        for name, text in result["tails"].items():
            print(f"--- {name} (tail) ---\n{text}", flush=True)
    db = pymongo.MongoClient(uri)[database]
    doc = db.runs.find_one({}, sort=[("start", -1)]) or {}
    ce = (doc.get("outlets") or {}).get("ce") or {}
    pages = ce.get("pages") or {}
    result.update({"status": doc.get("status"), "list_pages": pages.get("list", 0),
                   "article_pages": pages.get("article", 0), "items": ce.get("items_scraped", 0),
                   "stored_outcomes": ce.get("stored") or {}, "stored": db.articles.count_documents({}),
                   "verdict": ce.get("verdict"), "problems": ce.get("problems") or []})
    result["pages"] = result["list_pages"] + result["article_pages"]
    result["pages_per_s"] = result["pages"] / seconds
    if doc.get("start") and doc.get("end"):
        result["run_document_s"] = (doc["end"] - doc["start"]).total_seconds()
    # when the last article page was parsed (its `fetched_at`), from the start of the coordinator
    def fetched(order: int) -> float | None:
        found = db.articles.find_one({"fetched_at": {"$ne": None}}, {"fetched_at": 1}, sort=[("fetched_at", order)])
        return found["fetched_at"].replace(tzinfo=timezone.utc).timestamp() if found else None
    first_at, last_at = fetched(1) or started_at, fetched(-1) or ended_at
    result["last_fetch_s"] = last_at - started_at
    result["pages_per_s_to_last"] = result["pages"] / result["last_fetch_s"]
    # the crawl itself: from the first article page parsed to the last (article pages only)
    result["first_fetch_s"] = first_at - started_at
    result["crawl_span_s"] = last_at - first_at
    result["article_pages_per_s_span"] = result["article_pages"] / max(last_at - first_at, 1e-9)
    result["cpu_to_last"] = cpu.spent(started_at, last_at)
    result["cpu_span"] = cpu.spent(first_at, last_at)
    result["cpu_to_exit"] = cpu.spent(started_at, ended_at)
    # each worker's share of the article pages and its crawl's length (its crawler's stats, dumped as it closes)
    result["article_pages_by_worker"] = [int(stat(tail(p, 200_000), "monitor/pages/article")) for p in worker_logs]
    result["crawl_s_by_worker"] = [stat(tail(p, 200_000), "elapsed_time_seconds") for p in worker_logs]
    # the article batches' writes (TIME_WRITES), from every crawl process
    batches, waits = [], []
    for path in [logs / "coordinator.log", *worker_logs]:
        for line in tail(path, 200_000).splitlines():
            if line.startswith("BENCH_WRITES "):
                timed = json.loads(line.split(" ", 1)[1])
                batches += timed["batches"]
                waits += timed["lock_waits"]
    if batches:
        result["writes"] = {"batches": len(batches), "articles": sum(n for n, _ in batches),
                            "seconds": sum(t for _, t in batches), "lock_wait_s": sum(waits)}
    print(f"{label}: {json.dumps({k: v for k, v in result.items() if k != 'tails'}, default=str)}", flush=True)
    return result


def measured(n: int, env: dict, work: Path, uri: str, db_pid: int, redis: Redis | None, label: str, args,
             discarded: list[dict]) -> dict:
    """A run with no more than --max-other cores of other work beside it (up to --attempts tries)."""
    for attempt in range(1, args.attempts + 1):
        result = run_once(n, env, work, uri, db_pid, redis, f"{label}_try{attempt}", args)
        other = result["cpu_to_last"]["other_cores"]
        if result.get("failed") or other <= args.max_other or attempt == args.attempts:
            result["attempt"] = attempt
            return result
        print(f"({label}: other work used {other:.2f} cores during the crawl; measured again)", flush=True)
        discarded.append(result)


# -- report -----------------------------------------------------------------------------------------
def summarise(runs: list[dict]) -> list[dict]:
    rows = []
    for n in sorted({r["workers"] for r in runs}):
        mine = [r for r in runs if r["workers"] == n]
        good = [r for r in mine if not r.get("failed")]

        def mean(get) -> float:
            values = [v for v in map(get, good) if v is not None]
            return sum(values) / len(values) if values else 0.0
        row = {"workers": n, "runs": len(mine), "failed": len(mine) - len(good),
               "pages": sorted({r["pages"] for r in good}), "stored": sorted({r["stored"] for r in good}),
               "ready": mean(lambda r: r["workers_ready_s"]),
               "shares": [r["article_pages_by_worker"] for r in good],
               "crawl_s": [r["crawl_s_by_worker"] for r in good]}
        for key in ("seconds", "pages_per_s", "last_fetch_s", "pages_per_s_to_last", "crawl_span_s",
                    "article_pages_per_s_span"):
            row[key] = mean(lambda r: r[key])
            row[f"each_{key}"] = [r[key] for r in good]
        for key in (*PARTS, "ours", "ours_cores", "other_cores", "main_thread_busiest", "main_thread_busiest_waiting",
                    "run_queue_threads"):
            row[f"cpu_{key}"] = mean(lambda r: r["cpu_span"][key])
        row["cpu_exit_ours"] = mean(lambda r: r["cpu_to_exit"]["ours"])
        for key in ("batches", "seconds", "lock_wait_s"):
            row[f"writes_{key}"] = mean(lambda r: (r.get("writes") or {}).get(key))
        row["writes_busy"] = mean(lambda r: ((r["writes"]["seconds"] - r["writes"]["lock_wait_s"]) / r["crawl_span_s"])
                                  if r.get("writes") else None)
        rows.append(row)
    return rows


def _name(row: dict) -> str:
    n = row["workers"]
    return "one process (`monitor crawl ce`)" if n == 0 else f"{n} worker{'' if n == 1 else 's'}"


def tables(rows: list[dict]) -> list[str]:
    base = next((r for r in rows if r["workers"] == 1 and r["pages_per_s"]), None)
    ratio = lambda r, key: f"{r[key] / base[key]:.2f}x" if base else "–"  # noqa: E731
    each = lambda values: ", ".join(f"{v:.0f}" for v in values)  # noqa: E731
    speed = ["| processes | runs | pages | articles stored | s to exit | pages/s to exit (each run) | vs 1 worker "
             "| s to last article | pages/s to last article (each run) | vs 1 worker "
             "| article pages/s, first to last article (each run) | vs 1 worker |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    cpu = ["| processes | `monitor crawl` process | `monitor worker` processes | database server | Redis | mirror "
           "| all of these | their cores (of 2) | other work's cores | their threads waiting for a core "
           "| busiest crawl main thread: on a core, waiting for one | all of these, start to exit "
           "| article batches written | s writing them (waiting for the lock) | write path busy |",
           "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        if r["runs"] == r["failed"]:
            speed.append(f"| {_name(r)} | {r['runs']} | failed |" + " |" * 9)
            continue
        failed = f" ({r['failed']} failed)" if r["failed"] else ""
        speed.append(f"| {_name(r)} | {r['runs']}{failed} | {'/'.join(map(str, r['pages']))} | "
                     f"{'/'.join(f'{s:,}' for s in r['stored'])} | {r['seconds']:.1f} | {r['pages_per_s']:.0f} "
                     f"({each(r['each_pages_per_s'])}) | {ratio(r, 'pages_per_s')} | {r['last_fetch_s']:.1f} | "
                     f"**{r['pages_per_s_to_last']:.0f}** ({each(r['each_pages_per_s_to_last'])}) | "
                     f"{ratio(r, 'pages_per_s_to_last')} | {r['article_pages_per_s_span']:.0f} "
                     f"({each(r['each_article_pages_per_s_span'])}) | {ratio(r, 'article_pages_per_s_span')} |")
        writes = (f"{r['writes_batches']:.0f} | {r['writes_seconds']:.1f} ({r['writes_lock_wait_s']:.1f}) | "
                  f"{r['writes_busy']:.0%}" if r["writes_batches"] else "– | – | –")
        cpu.append(f"| {_name(r)} | {r['cpu_crawl_command']:.1f} | {r['cpu_workers']:.1f} | {r['cpu_database']:.1f} | "
                   f"{r['cpu_redis']:.2f} | {r['cpu_mirror']:.1f} | {r['cpu_ours']:.1f} | "
                   f"**{r['cpu_ours_cores']:.2f}** | {r['cpu_other_cores']:.2f} | {r['cpu_run_queue_threads']:.2f} | "
                   f"{r['cpu_main_thread_busiest']:.0%}, "
                   f"{r['cpu_main_thread_busiest_waiting']:.0%} | {r['cpu_exit_ours']:.1f} | "
                   f"{writes} |")
    return [*speed, "", "While crawling (from the first article to the last; CPU in seconds, means of the runs):", "",
            *cpu]


def section(rows: list[dict], runs: list[dict], discarded: list[dict], args, command: str) -> str:
    ready = ", ".join(f"{r['ready']:.1f} s for {r['workers']}" for r in rows if r["workers"])
    lines = [HEADING, "",
             f"Run: `{command}` ({args.articles:,}-article mirror of `ce`, {args.repeat} run(s) of each, taken in "
             f"turn; concurrency {CONCURRENCY} per crawl process, MONITOR_WORKER_PROCESSES "
             f"{os.environ.get('MONITOR_WORKER_PROCESSES', '1')} extraction process per crawl process).", "",
             f"Machine: {machine()}. Code: {code_version()}.", "",
             "Each run: Redis emptied, a fresh database, N `monitor worker --once` started and ready (logging that "
             f"they wait for a run; their start-up, {ready}, is **not** counted), then `monitor crawl ce "
             "--distributed`. *s to exit*: from starting that coordinator to its exit (its own start-up, the "
             "workers' 1 s poll for the run, the crawl, the end of the run). *s to last article*: from the same "
             "start to the `fetched_at` of the last article stored. *First to last article*: between the "
             "`fetched_at` of the first and the last article stored (the crawl alone, article pages only). "
             "Pages = list + article pages of the run document (`runs`: outlets.ce.pages). The one-process row is "
             "`monitor crawl ce` without Redis, timed the same way. Before each run the benchmark waits for the "
             f"machine to be quiet, and a run beside which other work used more than {args.max_other} cores is "
             f"measured again (up to {args.attempts} tries; {len(discarded)} discarded).", "",
             *tables(rows), "",
             "CPU = CPU seconds (/proc, sampled every 0.2 s) of: the `monitor crawl` process (the coordinator; the "
             "whole crawl in the one-process row), the `monitor worker` processes with their extraction "
             "processes, the database server, Redis, the mirror's HTTP server (the benchmark's own process). "
             "Their cores = all of these over the elapsed time; other work's cores = the machine's busy time "
             "(/proc/stat) that is not theirs; threads waiting for a core = their threads' run-queue wait "
             "(/proc/…/schedstat) over the elapsed time, i.e. how many of them were ready to run with no core free, "
             "on average; busiest crawl main thread = the reactor thread of the busiest crawl process: its share of "
             "the time on a core, and ready but waiting for one. Article batches: each batch a crawl process persisted "
             "(`DatabaseService._persist`: fingerprints, then clusters and writes the batch holding the write "
             "lock, kept in MongoDB and shared by every process), timed by the benchmark's settings module; write path "
             "busy = their time less the lock waits, over the crawl's time (batches of the workers run one at a "
             "time).", ""]
    shares = [s for r in rows for s in r["shares"] if len(s) > 1]
    if shares:
        lines += ["Article pages fetched by each worker, per run: "
                  + "; ".join(" + ".join(map(str, s)) for s in shares)
                  + ". Each worker's crawl (Scrapy's elapsed_time_seconds), seconds: "
                  + "; ".join(" / ".join(f"{v:.2f}" for v in c) for r in rows for c in r["crawl_s"] if c) + ".", ""]
    for r in (r for r in runs if r.get("failed")):
        lines += [f"**Run {r['label']} failed** (coordinator exit {r['exit']}, workers {r['worker_exits']}); "
                  "see the benchmark's output for the stderr tails.", ""]
    return "\n".join(lines + findings(rows)) + "\n"


def findings(rows: list[dict]) -> list[str]:
    """What the figures say: what bounds the run on this machine, and what the end of a run costs."""
    by = {r["workers"]: r for r in rows if r["runs"] > r["failed"]}
    counts = sorted(n for n in by if n)
    if 1 not in by or len(counts) < 2:
        return []
    one, most = by[1], by[counts[-1]]
    best = max(counts, key=lambda n: by[n]["pages_per_s_to_last"])
    series = lambda fmt, key: " → ".join(fmt.format(by[n][key]) for n in counts)  # noqa: E731
    ns = " → ".join(map(str, counts))
    cores = os.cpu_count()
    other = max(by[n]["cpu_other_cores"] for n in by)
    ref_main = (f"; here the one-process crawl's main thread ran {by[0]['cpu_main_thread_busiest']:.0%} of the "
                f"time and waited for a core {by[0]['cpu_main_thread_busiest_waiting']:.0%}" if 0 in by else "")
    spread = max((abs(v / r["pages_per_s_to_last"] - 1) for r in by.values() for v in r["each_pages_per_s_to_last"]),
                 default=0.0)
    lines = [f"**What bounds it on this {cores}-core machine: the cores.** Pages/s to the last article, "
             f"{ns} workers: {series('{:.0f}', 'pages_per_s_to_last')} (best: {_name(by[best])}, "
             f"{by[best]['pages_per_s_to_last'] / one['pages_per_s_to_last']:.2f}x one worker; single runs lie up to "
             f"{spread:.0%} from their mean, so smaller differences are noise). Every worker is a "
             "CPU-bound Scrapy process (the crawl notes above: the crawl process's main thread is ~95% busy in "
             f"py-spy's samples, i.e. not idle{ref_main}), with its own extraction process, and the database "
             "server, Redis and "
             f"the mirror run on the same {cores} cores: more than ~{cores} workers cannot go faster, and more "
             "processes on the same cores may go slower. Measured while crawling: the run's processes kept "
             f"{series('{:.2f}', 'cpu_ours_cores')} of the {cores} cores busy (other work: at most {other:.2f} cores), "
             "and their threads "
             f"ready to run with no core free grew {series('{:.1f}', 'cpu_run_queue_threads')} on average; the "
             f"busiest worker's reactor thread ran {series('{:.0%}', 'cpu_main_thread_busiest')} of the time and "
             f"waited for a core {series('{:.0%}', 'cpu_main_thread_busiest_waiting')}. No crawl thread is near a "
             "full core, so the bound is the cores shared by every process, not one process (their average stays "
             f"under {cores} because the work comes in bursts, a response, its extraction, its batch, and the "
             "waits show more ready threads than cores during them). More workers also cost more CPU for the same "
             "pages "
             f"(worker processes {series('{:.1f}', 'cpu_workers')} CPU s while crawling; all processes, start to "
             f"exit, {series('{:.1f}', 'cpu_exit_ours')} s): a Redis round trip to take and to acknowledge each "
             f"request, one more interpreter and extraction process per worker, smaller article batches "
             f"({series('{:.0f}', 'writes_batches')} batches for the same articles).", ""]
    if most["writes_batches"]:
        lines += ["**The write path is one stream for the whole run.** A worker clusters and writes a batch holding "
                  "the write lock kept in MongoDB (monitor/storage/locks.py), so the batches of all workers are written one at a time (as the "
                  "one process's writer thread does): busy "
                  f"{series('{:.0%}', 'writes_busy')} of the crawl, with {series('{:.1f}', 'writes_lock_wait_s')} s "
                  "of waiting for the lock (more, smaller batches with more workers). Its capacity does not grow "
                  f"with the workers, and with {_name(most)} it was busy {most['writes_busy']:.0%} of the crawl: "
                  "on a machine with more cores it is the next limit.", ""]
    if 0 in by:
        ref = by[0]
        lines += [f"**One worker against one process.** The one-process `monitor crawl ce` fetched "
                  f"{ref['pages_per_s_to_last']:.0f} pages/s to its last article, "
                  f"{ref['pages_per_s_to_last'] / one['pages_per_s_to_last']:.2f}x one worker: the shared queue, "
                  "the acknowledgements and the run's bookkeeping on Redis cost the worker "
                  f"{one['cpu_workers'] + one['cpu_redis'] - ref['cpu_crawl_command']:.1f} CPU s more than the "
                  "one-process crawl for the same pages.", ""]
    tails = {n: by[n]["seconds"] - by[n]["last_fetch_s"] for n in counts}
    tail_text = (", ".join(f"{tails[n]:.1f} s with {_name(by[n])}" for n in counts)
                 + (f", {by[0]['seconds'] - by[0]['last_fetch_s']:.1f} s for the one-process crawl" if 0 in by else ""))
    crawl_s = [v for n in counts for c in by[n]["crawl_s"] for v in c]
    idle = sum(1 for n in counts for share in by[n]["shares"] if len(share) > 1 for v in share if v == 0)
    idle_text = (f" In {idle} case(s) a worker fetched no article page: the others had taken the queue before it "
                 "asked." if idle else "")
    if crawl_s and all(abs(v - 5 * round(v / 5)) < 0.05 and v > 1 for v in crawl_s):
        lines += ["**Problem observed: the end of a run and the hand-out of work wait for Scrapy's 5 s heartbeat.** "
                  "Every worker's crawl lasted a multiple of 5 s (list above): Scrapy's engine asks its scheduler "
                  "for more work, and signals idleness (where a worker finds the outlet done), only every 5 s once "
                  "it has nothing in progress. So a run ends about 5 s after its last page (s to exit less s to "
                  f"last article: {tail_text}), and a worker that opens before the first worker has queued anything "
                  "waits up to 5 s for its first request." + idle_text + " On a 1,000-article run that is as long "
                  "as the crawl itself, so *pages/s to exit* mostly measures the heartbeat and the crawl's pace is "
                  "the *to last article* column.", ""]
    else:
        lines += [f"**The end of a run.** *s to exit* less *s to last article*: {tail_text} (the last batches written, "
                  "the workers leaving the run, the coordinator merging their counts and finishing the run "
                  "document)." + idle_text, ""]
    return lines


def code_version() -> str:
    """The commit measured, and whether monitor/ had uncommitted changes."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    head = git("rev-parse", "--short", "HEAD") or "?"
    dirty = git("status", "--porcelain", "monitor")
    return f"commit {head}" + (" with uncommitted changes under monitor/" if dirty else "")


def write_section(text: str) -> None:
    """Replace this benchmark's section of docs/benchmarks.md (it stays the last one), or append it."""
    doc = DOC.read_text(encoding="utf-8")
    at = doc.find("\n" + HEADING + "\n")
    if at >= 0:
        doc = doc[:at + 1]
    DOC.write_text(doc.rstrip("\n") + "\n\n" + text, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=1000, help="article pages in the mirror")
    parser.add_argument("--workers", default="1,2,4", help="worker counts to measure, comma-separated")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each worker count, taken in turn")
    parser.add_argument("--no-reference", action="store_true", help="leave out the one-process `monitor crawl`")
    parser.add_argument("--no-write", action="store_true", help=f"do not write the section of {DOC.name}")
    parser.add_argument("--json", type=Path, help="also write the raw figures as JSON here")
    parser.add_argument("--logs", type=Path, help="keep every process's log (one directory per run) here")
    parser.add_argument("--quiet-wait", type=float, default=QUIET_WAIT,
                        help="seconds to wait before each run for other work on the machine to stop")
    parser.add_argument("--max-other", type=float, default=0.25,
                        help="cores of other work beside a run above which it is measured again")
    parser.add_argument("--attempts", type=int, default=3, help="tries of one run at most (--max-other)")
    parser.add_argument("--no-time-writes", action="store_true",
                        help="do not time the article batches' writes and the shared write lock")
    args = parser.parse_args()
    counts = [int(n) for n in args.workers.split(",")]
    if not shutil.which("redis-server") or not shutil.which("redis-cli"):
        raise SystemExit("redis-server and redis-cli are needed")
    runs: list[dict] = []
    discarded: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="monitor-bench-dist-") as tmp:
        work = Path(tmp)
        with LocalServer(work / "data") as uri, Redis(work) as redis:
            db_pid = json.loads((work / "data" / "server.json").read_text())["pid"]
            config = bench_config_dir(work, max_pages=args.articles // 50 + 10)
            mirror = build_mirror(work / "mirror", args.articles)
            with SiteServer(mirror) as server:
                settings_dir = work / "settings"
                settings_dir.mkdir()
                (settings_dir / "bench_distributed_settings.py").write_text(
                    SETTINGS_MODULE.format(origin=server.origin, concurrency=CONCURRENCY)
                    + ("" if args.no_time_writes else TIME_WRITES))
                env = {**os.environ, "MONGO_URI": uri, "MONITOR_CONFIG_DIR": str(config),
                       "MONITOR_DATA_DIR": str(work / "data"), "MONITOR_EXPORT_DIR": str(work / "exports"),
                       "MONITOR_LOG_LEVEL": "INFO", "MONITOR_REDIS_URL": redis.url,
                       "MONITOR_WORKER_WAIT": "60",  # a run no worker joins fails in a minute, not ten
                       "SCRAPY_SETTINGS_MODULE": "bench_distributed_settings",
                       "PYTHONPATH": os.pathsep.join([str(settings_dir), str(ROOT)])}
                order = ([] if args.no_reference else [0]) + counts
                for i in range(args.repeat):
                    for n in order:
                        label = f"{'one_process' if n == 0 else f'{n}w'}_{i + 1}"
                        runs.append(measured(n, env, work, uri, db_pid, redis, label, args, discarded))
            if args.logs:
                shutil.copytree(work / "logs", args.logs, dirs_exist_ok=True)
    rows = summarise(runs)
    command = ".venv/bin/python " + " ".join(["bench/distributed.py", *sys.argv[1:]])
    text = section(rows, runs, discarded, args, command)
    print("\n" + text)
    if args.json:
        args.json.write_text(json.dumps({"command": command, "machine": machine(), "code": code_version(), "rows": rows,
                                         "runs": runs, "discarded": discarded}, indent=1, default=str))
    if not args.no_write:
        write_section(text)
    return 1 if any(r.get("failed") for r in runs) else 0


if __name__ == "__main__":
    sys.exit(main())
