"""Connecting to MongoDB and the collections' indexes.

`open_database(settings)` gives a `Database` handle for the configured MONGO_URI, or, where none
is set, for the project's own local server (started on demand, released by `handle.close()`).
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from datetime import timezone

import pymongo
from pymongo import ASCENDING, DESCENDING
from pymongo.database import Database
from pymongo.errors import PyMongoError

from monitor import PROJECT_ROOT
from monitor.storage.server import LocalServer

logger = logging.getLogger(__name__)
# pymongo's DEBUG lines hold the commands it sends, i.e. whole articles; no log line carries a body.
logging.getLogger("pymongo.command").setLevel(logging.INFO)

#: Indexes every command can rely on. Keep docs/mongodb.md in step.
INDEXES: dict[str, list[tuple[list[tuple[str, int]], dict]]] = {
    "articles": [
        ([("url", ASCENDING)], {"unique": True, "name": "url_unique"}),
        ([("urls", ASCENDING)], {"name": "urls"}),
        ([("published_at", DESCENDING)], {"name": "published_at"}),
        ([("outlet", ASCENDING), ("published_at", DESCENDING)], {"name": "outlet_published_at"}),
        ([("cluster_id", ASCENDING)], {"name": "cluster_id"}),
        ([("fingerprint_bands", ASCENDING)], {"name": "fingerprint_bands"}),
        ([("status", ASCENDING), ("published_at", DESCENDING)], {"name": "status_published_at"}),
    ],
    "issues": [
        ([("profile", ASCENDING), ("issue_date", ASCENDING)], {"unique": True, "name": "profile_issue_date"}),
        ([("profile", ASCENDING), ("number", ASCENDING)], {"unique": True, "name": "profile_number"}),
    ],
    "editorial": [
        ([("profile", ASCENDING), ("issue_date", ASCENDING)], {"unique": True, "name": "profile_issue_date"}),
    ],
    "runs": [
        ([("run_id", ASCENDING)], {"unique": True, "name": "run_id_unique"}),
        ([("start", DESCENDING)], {"name": "start"}),
    ],
}


class DatabaseUnavailable(RuntimeError):
    """MongoDB cannot be reached; the message says which URI and what to do."""


def unreachable_message(uri: str, error: Exception) -> str:
    return (
        f"MongoDB at {uri} is unreachable ({type(error).__name__}: {error}). "
        "Start that server or correct MONGO_URI; unset MONGO_URI to let monitor start its own local server."
    )


def _redact(uri: str) -> str:
    # mongodb://user:secret@host -> mongodb://user:***@host
    if "@" in uri and "://" in uri:
        scheme, rest = uri.split("://", 1)
        cred, host = rest.rsplit("@", 1)
        if ":" in cred:
            cred = cred.split(":", 1)[0] + ":***"
        return f"{scheme}://{cred}@{host}"
    return uri


@dataclass
class DatabaseHandle:
    db: Database
    uri: str
    client: pymongo.MongoClient
    _server: LocalServer | None = field(default=None, repr=False)

    @property
    def display_uri(self) -> str:
        """The URI with any password masked, for messages."""
        return _redact(self.uri)

    def close(self) -> None:
        self.client.close()
        if self._server is not None:
            self._server.release()
            self._server = None


def data_dir(settings=None) -> str:
    value = (settings.get("MONITOR_DATA_DIR") if settings is not None else None) or os.environ.get("MONITOR_DATA_DIR")
    return value or str(PROJECT_ROOT / "data")


def open_database(settings=None, *, uri: str | None = None, name: str | None = None,
                  timeout_ms: int = 5000) -> DatabaseHandle:
    """Connect, check the server answers, ensure indexes. Raises DatabaseUnavailable."""
    get = settings.get if settings is not None else (lambda key, default=None: default)
    uri = uri or get("MONGO_URI") or os.environ.get("MONGO_URI") or None
    name = name or get("MONGO_DATABASE") or os.environ.get("MONGO_DATABASE") or "monitor"
    server = None
    if not uri:
        server = LocalServer(data_dir(settings))
        uri = server.acquire()
    try:
        client = pymongo.MongoClient(uri, tz_aware=True, tzinfo=timezone.utc,
                                     serverSelectionTimeoutMS=timeout_ms, connectTimeoutMS=timeout_ms)
    except (PyMongoError, ValueError) as e:
        # a malformed URI (pymongo's InvalidURI is a ValueError): no server could ever be reached with it
        if server is not None:
            server.release()
        raise DatabaseUnavailable(f"MONGO_URI {_redact(uri)!r} is not a MongoDB URI ({e}); set it to "
                                  "mongodb://HOST:PORT or unset it to use the project's own local server") from None
    try:
        client.admin.command("ping")
        db = client[name]
        ensure_indexes(db)
    except PyMongoError as e:
        client.close()
        if server is not None:
            server.release()
        raise DatabaseUnavailable(unreachable_message(_redact(uri), e)) from e
    return DatabaseHandle(db=db, uri=uri, client=client, _server=server)


def ensure_indexes(db: Database) -> None:
    for collection, specs in INDEXES.items():
        for keys, options in specs:
            db[collection].create_index(keys, **options)
