"""The run board: what one distributed run keeps in Redis, and the operations on it.

Keys (PREFIX is MONITOR_REDIS_PREFIX, default `monitor`; docs/scaling.md lists them with their lifetimes):

    PREFIX:runs                          zset  run ids announced and not yet finished (score: announce time)
    PREFIX:run:ID                        hash  spec (JSON: outlets, window, options), state (active|finished|cancelled)
    PREFIX:run:ID:workers                set   workers that joined the run
    PREFIX:run:ID:left                   set   workers that finished their part and published their final counts
    PREFIX:run:ID:stats:WORKER           hash  outlet -> that worker's crawler stats (JSON); _worker -> its report
    PREFIX:run:ID:OUTLET:requests        zset  the outlet's shared request queue (scrapy-redis; score -priority)
    PREFIX:run:ID:OUTLET:dupefilter      set   fingerprints of the outlet's requests seen by any worker
    PREFIX:run:ID:OUTLET:inflight:WORKER hash  requests WORKER took from the queue and has not finished
    PREFIX:run:ID:OUTLET:seeded          str   WORKER while it seeds the outlet's list requests, then "done"
    PREFIX:worker:WORKER                 str   the worker's heartbeat (expires after MONITOR_WORKER_TIMEOUT)
    PREFIX:slot:HOST                     str   when the next request to HOST may start (politeness, all workers)

A run's keys expire RUN_KEYS_TTL after they were last touched, and the coordinator deletes them when
the run ends; the run's record lives on in MongoDB's `runs`.
"""
from __future__ import annotations

import json
import logging
import os
import pickle
import socket
import time
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import redis

logger = logging.getLogger(__name__)

#: A run's keys outlive an abandoned coordinator by this long (seconds).
RUN_KEYS_TTL = 7 * 24 * 3600
ACTIVE, FINISHED, CANCELLED = "active", "finished", "cancelled"
SEEDED = "done"
#: Field of a worker's stats hash that holds its report (not an outlet).
REPORT = "_worker"

# Take the best request of a queue and keep it in the worker's in-flight hash, in one step: a worker
# killed between the two would otherwise lose it. Returns [request, field] or nil.
_TAKE = """
local r = redis.call('ZRANGE', KEYS[1], 0, 0)
if #r == 0 then return nil end
redis.call('ZREM', KEYS[1], r[1])
local field = redis.sha1hex(r[1])
redis.call('HSET', KEYS[2], field, r[1])
redis.call('EXPIRE', KEYS[2], ARGV[1])
return {r[1], field}
"""

# Queue a request unless its fingerprint was seen (the duplicate filter and the queue in one step: a
# worker killed between the two would leave a request marked seen that no one fetches), and take the
# request it replaces (a redirect or retry of one in flight) out of flight. Returns 1 queued, 0 seen.
_ENQUEUE = """
local queued = 0
if ARGV[5] == '0' or redis.call('SADD', KEYS[1], ARGV[1]) == 1 then
  redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2])
  queued = 1
end
if ARGV[4] ~= '' then redis.call('HDEL', KEYS[3], ARGV[4]) end
redis.call('EXPIRE', KEYS[1], ARGV[6])
redis.call('EXPIRE', KEYS[2], ARGV[6])
return queued
"""

# Reserve the next start time for a host: returns how many milliseconds to wait before starting.
_RESERVE = """
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local nxt = tonumber(redis.call('GET', KEYS[1]) or '0')
local start = math.max(now, nxt)
redis.call('SET', KEYS[1], start + ARGV[1], 'PX', ARGV[1] + 60000)
return start - now
"""


class RedisUnavailable(ConnectionError):
    """The Redis server of distributed crawls (MONITOR_REDIS_URL) cannot be reached."""


def display_url(url: str) -> str:
    """The URL without its password (for messages and records)."""
    parts = urlsplit(url)
    if parts.password:
        host = parts.hostname or ""
        if parts.port:
            host += f":{parts.port}"
        user = f"{parts.username}:***@" if parts.username else ":***@"
        return urlunsplit(parts._replace(netloc=user + host))
    return url


def connect(url: str, *, timeout: float = 10) -> redis.Redis:
    """A client of the Redis at `url`, checked with a PING (RedisUnavailable naming the URL otherwise)."""
    if not url:
        raise RedisUnavailable("no Redis is configured: set MONITOR_REDIS_URL (e.g. redis://127.0.0.1:6379/0) "
                               "for --distributed and monitor worker")
    try:
        client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout,
                                      health_check_interval=30)
        client.ping()
    except ValueError as e:
        raise RedisUnavailable(f"MONITOR_REDIS_URL {display_url(url)!r} is not a Redis URL ({e})") from None
    except redis.RedisError as e:
        raise RedisUnavailable(f"Redis at {display_url(url)} cannot be reached ({e}); start it (Debian: "
                               "apt-get install redis-server) or correct MONITOR_REDIS_URL") from None
    return client


def new_worker_id() -> str:
    return f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:4]}"


@dataclass(frozen=True)
class RunSpec:
    """What a worker needs to take part in a run."""
    run_id: str
    outlets: list[str]
    since: str
    until: str
    options: dict          # CrawlOptions.as_document()

    def to_json(self) -> str:
        return json.dumps({"run_id": self.run_id, "outlets": self.outlets, "since": self.since,
                           "until": self.until, "options": self.options})

    @classmethod
    def from_json(cls, text: str | bytes) -> "RunSpec":
        data = json.loads(text)
        return cls(data["run_id"], list(data["outlets"]), data["since"], data["until"], dict(data["options"]))


class RunBoard:
    """One run's keys on one Redis; every method is one short round of Redis calls."""

    def __init__(self, client: redis.Redis, run_id: str, prefix: str = "monitor", *, worker_timeout: float = 30):
        self.redis = client
        self.run_id = run_id
        self.prefix = prefix
        self.worker_timeout = worker_timeout
        self._take = client.register_script(_TAKE)
        self._enqueue = client.register_script(_ENQUEUE)

    # -- keys -------------------------------------------------------------------------------------
    @property
    def runs_key(self) -> str:
        return f"{self.prefix}:runs"

    def key(self, *parts: str) -> str:
        return ":".join((self.prefix, "run", self.run_id, *parts))

    def queue_key(self, outlet: str) -> str:
        return self.key(outlet, "requests")

    def dupefilter_key(self, outlet: str) -> str:
        return self.key(outlet, "dupefilter")

    def inflight_key(self, outlet: str, worker: str) -> str:
        return self.key(outlet, "inflight", worker)

    def heartbeat_key(self, worker: str) -> str:
        return f"{self.prefix}:worker:{worker}"

    # -- the run ----------------------------------------------------------------------------------
    def announce(self, spec: RunSpec) -> None:
        pipe = self.redis.pipeline()
        pipe.hset(self.key(), mapping={"spec": spec.to_json(), "state": ACTIVE})
        pipe.expire(self.key(), RUN_KEYS_TTL)
        pipe.zadd(self.runs_key, {self.run_id: time.time()})
        pipe.execute()

    def spec(self) -> RunSpec | None:
        text = self.redis.hget(self.key(), "spec")
        return RunSpec.from_json(text) if text else None

    def state(self) -> str | None:
        value = self.redis.hget(self.key(), "state")
        return value.decode() if value else None

    def set_state(self, state: str) -> None:
        self.redis.hset(self.key(), "state", state)

    @staticmethod
    def next_run(client: redis.Redis, prefix: str = "monitor") -> str | None:
        """The oldest announced run that is still active, if any."""
        for run_id in client.zrange(f"{prefix}:runs", 0, -1):
            run_id = run_id.decode()
            if client.hget(f"{prefix}:run:{run_id}", "state") == ACTIVE.encode():
                return run_id
        return None

    def finish(self) -> None:
        """The run is over: workers still waiting leave it, and its keys go (the record is in MongoDB)."""
        self.set_state(FINISHED)
        self.redis.zrem(self.runs_key, self.run_id)
        keys = [k for k in self.redis.scan_iter(match=self.key("*"), count=500)]
        if keys:
            self.redis.delete(*keys)
        # The run's hash itself stays a little while so that a late worker reads `finished` and moves on.
        self.redis.expire(self.key(), 600)

    # -- workers ----------------------------------------------------------------------------------
    def join(self, worker: str) -> None:
        self.beat(worker)
        pipe = self.redis.pipeline()
        pipe.sadd(self.key("workers"), worker)
        pipe.expire(self.key("workers"), RUN_KEYS_TTL)
        pipe.execute()

    def beat(self, worker: str) -> None:
        self.redis.set(self.heartbeat_key(worker), self.run_id, px=int(self.worker_timeout * 1000))

    def workers(self) -> list[str]:
        return sorted(w.decode() for w in self.redis.smembers(self.key("workers")))

    def alive(self, worker: str) -> bool:
        return bool(self.redis.exists(self.heartbeat_key(worker)))

    def leave(self, worker: str, report: dict) -> None:
        """The worker's part is over: its report published, then it counts as left."""
        pipe = self.redis.pipeline()
        pipe.hset(self.key("stats", worker), REPORT, json.dumps(report, default=str))
        pipe.sadd(self.key("left"), worker)
        pipe.expire(self.key("left"), RUN_KEYS_TTL)
        pipe.delete(self.heartbeat_key(worker))
        pipe.execute()

    def left(self) -> set[str]:
        return {w.decode() for w in self.redis.smembers(self.key("left"))}

    def publish_stats(self, worker: str, outlet: str, stats: dict) -> None:
        key = self.key("stats", worker)
        pipe = self.redis.pipeline()
        pipe.hset(key, outlet, json.dumps(stats, default=str))
        pipe.expire(key, RUN_KEYS_TTL)
        pipe.execute()

    def stats(self) -> dict[str, dict[str, dict]]:
        """worker -> outlet (or REPORT) -> what it published."""
        out = {}
        for worker in self.workers():
            raw = self.redis.hgetall(self.key("stats", worker))
            out[worker] = {k.decode(): json.loads(v) for k, v in raw.items()}
        return out

    def reap(self, outlets: list[str]) -> list[str]:
        """Put the in-flight requests of workers that stopped beating back into their queues (their seeding
        too); returns the workers reaped."""
        reaped, left = [], self.left()
        for worker in self.workers():
            if worker in left or self.alive(worker):
                continue
            requeued = 0
            for outlet in outlets:
                requeued += self.requeue(outlet, worker)
                seeded = self.key(outlet, "seeded")
                if self.redis.get(seeded) == worker.encode():
                    self.redis.delete(seeded)  # seeding was cut short: the next worker seeds again
            if requeued:
                logger.warning("Worker %s stopped answering; its %d unfinished request(s) are back in the queue",
                               worker, requeued)
            reaped.append(worker)
            # it no longer counts as a member: its published counts stay (stats:WORKER)
            self.redis.sadd(self.key("left"), worker)
        return reaped

    def requeue(self, outlet: str, worker: str) -> int:
        """Move a worker's in-flight requests of `outlet` back into the outlet's queue."""
        key = self.inflight_key(outlet, worker)
        entries = self.redis.hgetall(key)
        if not entries:
            return 0
        pipe = self.redis.pipeline()  # MULTI: all back, or none taken out
        for field, member in entries.items():
            pipe.zadd(self.queue_key(outlet), {member: -_priority(member)})
            pipe.hdel(key, field)
        pipe.execute()
        return len(entries)

    # -- one outlet -------------------------------------------------------------------------------
    def claim_seeding(self, outlet: str, worker: str) -> bool:
        """Whether `worker` is the one to seed `outlet`'s list requests in this run."""
        return bool(self.redis.set(self.key(outlet, "seeded"), worker, nx=True, ex=RUN_KEYS_TTL))

    def seeded(self, outlet: str) -> None:
        self.redis.set(self.key(outlet, "seeded"), SEEDED, ex=RUN_KEYS_TTL)

    def take(self, outlet: str, worker: str) -> tuple[bytes, str] | None:
        """The best queued request of `outlet` (encoded) and its in-flight field, now in flight with `worker`."""
        result = self._take(keys=[self.queue_key(outlet), self.inflight_key(outlet, worker)], args=[RUN_KEYS_TTL])
        if not result:
            return None
        member, field = result
        return member, field.decode() if isinstance(field, bytes) else field

    def enqueue(self, outlet: str, worker: str, member: bytes, priority: int, *, fingerprint: str | None,
                replaces: str | None = None) -> bool:
        """Queue an encoded request of `outlet` unless its fingerprint was seen (None: never filtered), in place
        of `worker`'s request in flight `replaces`; whether it was queued."""
        keys = [self.dupefilter_key(outlet), self.queue_key(outlet), self.inflight_key(outlet, worker)]
        args = [fingerprint or "", member, -priority, replaces or "", "1" if fingerprint else "0", RUN_KEYS_TTL]
        return bool(self._enqueue(keys=keys, args=args))

    def finished(self, outlet: str, worker: str, fields: list[str]) -> None:
        if fields:
            self.redis.hdel(self.inflight_key(outlet, worker), *fields)

    def outlet_done(self, outlet: str, outlets: list[str], *, reap: bool = True) -> bool:
        """Nothing left of `outlet` anywhere: seeded, its queue empty, no worker holding one of its requests."""
        if reap:
            self.reap(outlets)
        if self.state() != ACTIVE:
            return True
        if self.redis.get(self.key(outlet, "seeded")) != SEEDED.encode():
            return False
        if self.redis.zcard(self.queue_key(outlet)):
            return False
        return not any(self.redis.hlen(self.inflight_key(outlet, w)) for w in self.workers())

    def queued(self, outlets: list[str]) -> int:
        pipe = self.redis.pipeline(transaction=False)
        for outlet in outlets:
            pipe.zcard(self.queue_key(outlet))
        return sum(pipe.execute())

    # -- politeness -------------------------------------------------------------------------------
    def reserve_start(self, host: str, interval_ms: int) -> int:
        """Milliseconds to wait until this worker may start a request to `host`, every worker's requests
        to it being `interval_ms` apart."""
        return int(self.redis.eval(_RESERVE, 1, f"{self.prefix}:slot:{host}", interval_ms))


def _priority(member: bytes) -> int:
    try:
        return int(pickle.loads(member).get("priority", 0))
    except Exception:  # an unreadable entry goes back with the default priority
        return 0
