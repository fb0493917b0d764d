"""The project's own local MongoDB-compatible server (SecantusDB), for users who set no MONGO_URI.

The server runs as a separate process on 127.0.0.1 with its data under the data directory.
Several `monitor` processes may use it at once: the first starts it, the others reuse it, and the
last one to finish stops it. Each user holds a shared lock on `server.users` while it runs; at the
end a user that can take that lock exclusively knows it is the last one. Starting and stopping are
serialised by `server.lock`, so two processes never start two servers on one data directory
(WiredTiger would refuse the second anyway, but with a less helpful message).
"""
from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pymongo
from pymongo.errors import PyMongoError

logger = logging.getLogger(__name__)

STARTUP_TIMEOUT = 30.0


class LocalServerError(RuntimeError):
    """The local database server could not be started or reached."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _answers(uri: str, timeout_ms: int = 500) -> bool:
    client = pymongo.MongoClient(uri, serverSelectionTimeoutMS=timeout_ms, connectTimeoutMS=timeout_ms)
    try:
        client.admin.command("ping")
        return True
    except PyMongoError:
        return False
    finally:
        client.close()


def pid_alive(pid: int) -> bool:
    """Whether a process with this pid exists (on this host)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _server_command() -> list[str]:
    exe = Path(sys.executable).with_name("secantusd-py")
    if exe.exists():
        return [str(exe)]
    found = shutil.which("secantusd-py")
    if not found:
        raise LocalServerError(
            "secantusd-py (the SecantusDB server, PyPI package 'secantusdb') is not installed; "
            "run `bash tools/setup.sh`, or set MONGO_URI to a MongoDB server."
        )
    return [found]


class LocalServer:
    """One user's hold on the local server under `data_dir`. Use `with LocalServer(dir) as uri:`."""

    def __init__(self, data_dir: str | os.PathLike):
        self.data_dir = Path(data_dir)
        self.storage = self.data_dir / "secantus"
        self.state_file = self.data_dir / "server.json"
        self.log_file = self.data_dir / "server.log"
        self._users_fd: int | None = None
        self.uri: str | None = None

    # -- locking ---------------------------------------------------------------------------
    @contextmanager
    def _start_stop_lock(self):
        fd = os.open(self.data_dir / "server.lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def _read_state(self) -> dict | None:
        try:
            return json.loads(self.state_file.read_text())
        except (OSError, ValueError):
            return None

    # -- lifecycle -------------------------------------------------------------------------
    def acquire(self) -> str:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with self._start_stop_lock():
            state = self._read_state()
            if state and pid_alive(state["pid"]) and _answers(state["uri"]):
                logger.info("Reusing the local database server at %s (pid %s)", state["uri"], state["pid"])
                self.uri = state["uri"]
            else:
                self.uri = self._start()
            self._users_fd = os.open(self.data_dir / "server.users", os.O_RDWR | os.O_CREAT, 0o644)
            fcntl.flock(self._users_fd, fcntl.LOCK_SH)
        return self.uri

    def _start(self) -> str:
        port = _free_port()
        uri = f"mongodb://127.0.0.1:{port}"
        self.storage.mkdir(parents=True, exist_ok=True)
        cmd = _server_command() + [
            "--host", "127.0.0.1", "--port", str(port),
            "--storage-path", str(self.storage), "--log-level", "WARNING",
        ]
        log = open(self.log_file, "ab")
        # Own session: a Ctrl-C meant for the crawl must not kill the database under it;
        # the last user stops it cleanly instead.
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)
        log.close()
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not _answers(uri, timeout_ms=300):
            if proc.poll() is not None:
                tail = self.log_file.read_text(errors="replace")[-800:]
                raise LocalServerError(
                    f"the local database server exited with code {proc.returncode} while starting "
                    f"(data in {self.storage}); its log {self.log_file} ends:\n{tail}"
                )
            if time.monotonic() > deadline:
                proc.terminate()
                raise LocalServerError(
                    f"the local database server did not answer on {uri} within {STARTUP_TIMEOUT:.0f}s; "
                    f"see {self.log_file}"
                )
            time.sleep(0.1)
        tmp = self.state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps({"pid": proc.pid, "uri": uri, "storage": str(self.storage)}))
        tmp.replace(self.state_file)
        logger.info("Started the local database server at %s (pid %s, data in %s)", uri, proc.pid, self.storage)
        return uri

    def release(self) -> None:
        if self._users_fd is None:
            return
        with self._start_stop_lock():
            fcntl.flock(self._users_fd, fcntl.LOCK_UN)
            os.close(self._users_fd)
            self._users_fd = None
            probe = os.open(self.data_dir / "server.users", os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                logger.info("The local database server stays up: another run is using it")
                return
            finally:
                os.close(probe)
            self._stop()

    def _stop(self) -> None:
        state = self._read_state()
        if not state:
            return
        pid = state["pid"]
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        deadline = time.monotonic() + 30
        while pid_alive(pid) and time.monotonic() < deadline:
            try:
                # Reap it if it is our child; otherwise just wait for it to go.
                if os.waitpid(pid, os.WNOHANG)[0]:
                    break
            except ChildProcessError:
                pass
            time.sleep(0.05)
        if pid_alive(pid):
            logger.warning("The local database server (pid %s) did not stop within 30s", pid)
            return
        self.state_file.unlink(missing_ok=True)
        logger.info("Stopped the local database server (pid %s)", pid)

    def __enter__(self) -> str:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()
