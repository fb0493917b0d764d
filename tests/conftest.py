"""Shared fixtures: a real SecantusDB server process for the session, one database per test."""
from __future__ import annotations

import uuid
from datetime import timezone

import pymongo
import pytest

from helpers import free_port, start_secantus, stop_secantus


@pytest.fixture(scope="session")
def mongo_server():
    proc, uri = start_secantus(":memory:")
    yield uri
    stop_secantus(proc)


@pytest.fixture
def monitor_env(mongo_server, tmp_path, monkeypatch):
    """Environment for a test: its own database on the session server, its own data/export dirs."""
    name = "t_" + uuid.uuid4().hex[:12]
    env = {
        "MONGO_URI": mongo_server,
        "MONGO_DATABASE": name,
        "MONITOR_DATA_DIR": str(tmp_path / "data"),
        "MONITOR_EXPORT_DIR": str(tmp_path / "exports"),
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    yield env
    client = pymongo.MongoClient(mongo_server)
    client.drop_database(name)
    client.close()


@pytest.fixture
def db(monitor_env):
    """The test's database, as downstream tools see it (aware UTC datetimes)."""
    client = pymongo.MongoClient(monitor_env["MONGO_URI"], tz_aware=True, tzinfo=timezone.utc)
    yield client[monitor_env["MONGO_DATABASE"]]
    client.close()




@pytest.fixture
def disk_server(tmp_path):
    """A server of the test's own with its data on disk and a fixed port: killed (`server.kill()`, SIGKILL)
    and started again (`server.restart()`) by the test."""
    class DiskServer:
        def __init__(self):
            self.port, self.storage = free_port(), str(tmp_path / "db")
            self.proc, self.uri = start_secantus(self.storage, self.port)

        def kill(self):
            self.proc.kill()
            self.proc.wait()

        def restart(self):
            self.proc, _ = start_secantus(self.storage, self.port)

    server = DiskServer()
    yield server
    stop_secantus(server.proc)
