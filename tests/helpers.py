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
