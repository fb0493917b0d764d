"""Helpers for tests: real server processes, running the `monitor` command, the shared material."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pymongo
import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_secantus(storage: str, port: int | None = None) -> tuple[subprocess.Popen, str]:
    port = port or free_port()
    exe = Path(sys.executable).with_name("secantusd-py")
    proc = subprocess.Popen([str(exe), "--host", "127.0.0.1", "--port", str(port), "--storage-path", storage,
                             "--log-level", "WARNING"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    uri = f"mongodb://127.0.0.1:{port}"
    client = pymongo.MongoClient(uri, serverSelectionTimeoutMS=200)
    deadline = time.monotonic() + 30
    while True:
        try:
            client.admin.command("ping")
            break
        except pymongo.errors.PyMongoError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError(f"secantusd-py did not start on {uri}")
            time.sleep(0.05)
    client.close()
    return proc, uri


def stop_secantus(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def start_redis(port: int | None = None) -> tuple[subprocess.Popen, str]:
    """Debian's redis-server on 127.0.0.1, nothing kept on disk (installed by tools/setup.sh)."""
    import shutil
    exe = shutil.which("redis-server")
    if exe is None:
        pytest.fail("redis-server is not installed: run tools/setup.sh (or apt-get install redis-server)")
    port = port or free_port()
    proc = subprocess.Popen([exe, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                if s.recv(16).startswith(b"+PONG"):
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"redis-server did not start on port {port}")
        time.sleep(0.05)
    return proc, f"redis://127.0.0.1:{port}/0"


def run_monitor(*args, env: dict | None = None, timeout: float = 240, cwd: Path | None = None):
    """Run the `monitor` command as a user would, in its own process (Scrapy's reactor runs once per process)."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "monitor", *map(str, args)], capture_output=True, text=True,
                          env=full_env, timeout=timeout, cwd=cwd or ROOT)


def shared_path(*parts) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is not available (../shared is only on developer machines and in CI)")
    return path


def shingle_jaccard(a: str, b: str) -> float:
    """Exact Jaccard similarity of two bodies' 4-character shingles (what the fingerprint estimates)."""
    from monitor.fingerprint import shingles
    x, y = shingles(a), shingles(b)
    return len(x & y) / len(x | y) if x | y else 0.0


def cluster_view(db) -> dict[str, tuple[frozenset, bool, int]]:
    """URL -> (URLs of its cluster, is it the lead, reprint_count): clusters compared without their ids."""
    members: dict[str, set] = {}
    docs = list(db.articles.find({}, {"url": 1, "cluster_id": 1, "cluster_lead": 1, "reprint_count": 1}))
    for d in docs:
        members.setdefault(d["cluster_id"], set()).add(d["url"])
    return {d["url"]: (frozenset(members[d["cluster_id"]]), d["cluster_lead"], d["reprint_count"]) for d in docs}


def assert_clusters_consistent(db, reprint_similarity: float = 0.8) -> None:
    """Every story cluster has exactly one lead and counts its distinct outlets; articles of different
    outlets whose bodies are near-identical are in one cluster."""
    docs = list(db.articles.find({}, {"url": 1, "outlet": 1, "source": 1, "cluster_id": 1, "cluster_lead": 1,
                                      "reprint_count": 1, "body_text": 1}))
    clusters: dict[str, list] = {}
    for d in docs:
        clusters.setdefault(d["cluster_id"], []).append(d)
    for cluster_id, members in clusters.items():
        assert sum(m["cluster_lead"] is True for m in members) == 1, (cluster_id, members)
        outlets = {m.get("outlet") or m.get("source") for m in members}
        assert {m["reprint_count"] for m in members} == {len(outlets)}, (cluster_id, members)
    for i, a in enumerate(docs):
        for b in docs[i + 1:]:
            if a["outlet"] != b["outlet"] and shingle_jaccard(a["body_text"], b["body_text"]) >= reprint_similarity:
                assert a["cluster_id"] == b["cluster_id"], (a["url"], b["url"])
