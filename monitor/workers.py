"""Worker processes for the CPU-heavy pure functions of a crawl: page extraction and body fingerprints.

A crawl process has one event loop and one interpreter lock: parsing a page or fingerprinting a body
in it holds up every download and every database write of the process. `run(fn, *args)` runs such a
function — a pure function of picklable arguments — in a pool of worker processes (spawned, so no
thread or connection of the parent is copied into them) and returns a `concurrent.futures.Future`.
MONITOR_WORKER_PROCESSES sets the pool's size (default 1: on a 2-core machine the crawl, the workers
and the database server each get a share); 0 runs the function in the caller, as before.

A worker that dies (a page that crashes the parser, memory exhausted) fails only the calls it had:
they raise WorkerDied, and the next call starts a fresh pool.

`deferred(future)` / `wait(future)` bring such a future — or any completed on another thread, like the
database service's (monitor/storage/service.py) — back to the crawl's reactor thread.
"""
from __future__ import annotations

import logging
import multiprocessing
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None


class WorkerDied(RuntimeError):
    """The worker process running a call ended abnormally."""


def run(fn, *args, processes: int = 1, **kwargs) -> Future:
    """fn(*args, **kwargs) in a worker process (in this one when `processes` is 0)."""
    if processes <= 0:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as e:  # the caller sees it as it would a worker's
            future.set_exception(e)
        return future
    pool = _get_pool(processes)
    try:
        inner = pool.submit(fn, *args, **kwargs)
    except BrokenProcessPool:
        _discard(pool)
        inner = _get_pool(processes).submit(fn, *args, **kwargs)
    outer: Future = Future()

    def done(f: Future) -> None:
        error = f.exception()
        if isinstance(error, BrokenProcessPool):
            _discard(pool)
            outer.set_exception(WorkerDied(f"a worker process ended abnormally while running {fn.__name__}"))
        elif error is not None:
            outer.set_exception(error)
        else:
            outer.set_result(f.result())
    inner.add_done_callback(done)
    return outer


def _get_pool(processes: int) -> ProcessPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            _pool = ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn"))
        return _pool


def _discard(pool: ProcessPoolExecutor) -> None:
    global _pool
    with _lock:
        if _pool is pool:
            _pool = None
            logger.error("A worker process ended abnormally; starting a new one")
    pool.shutdown(wait=False, cancel_futures=True)


def deferred(future: Future):
    """A Deferred fired on the reactor thread with the future's outcome (the future may complete on any
    thread: a worker's result, a database thread's)."""
    from twisted.internet import reactor
    from twisted.internet.defer import Deferred

    d = Deferred()

    def fire(f: Future) -> None:
        error = f.exception()
        if error is not None:
            d.errback(error)
        else:
            d.callback(f.result())
    future.add_done_callback(lambda f: reactor.callFromThread(fire, f))
    return d


async def wait(future: Future):
    """The future's result, awaited in a Scrapy callback or component without blocking the reactor."""
    from scrapy.utils.defer import maybe_deferred_to_future
    return await maybe_deferred_to_future(deferred(future))


def shutdown() -> None:
    """Stop the workers (they also stop when this process exits)."""
    global _pool
    with _lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=True)
