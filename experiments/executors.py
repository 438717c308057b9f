"""Where chunks run: in the driver, in a local process pool, or on a Dask cluster.

One seam, the ``concurrent.futures`` protocol (the seam Mesa 4 and EMA Workbench chose):
``submit(fn, task)`` returns a ``concurrent.futures.Future``; ``workers`` says how many
chunks can run at once; ``close()`` (or leaving a ``with`` block) releases the workers.

- ``sequential`` runs each chunk inline in the driver; the future is already done.
- ``local`` (default) is a ``ProcessPoolExecutor`` started with ``spawn``, so it works from
  notebooks and from threaded programs. A worker that dies (segfault, out of memory,
  ``os._exit``) breaks the whole pool; the pool is rebuilt and the chunks that did not
  finish are run again, the suspects one at a time so the chunk that kills its worker is
  found. A chunk whose worker dies ``max_deaths`` times while it runs alone fails with
  ``WorkerDied`` (the sweep records its runs as failed rows).
- ``dask`` starts a ``distributed.LocalCluster`` (one single-threaded worker process per
  core) or connects to an existing scheduler. Dask reschedules work lost with a dead worker
  and raises ``KilledWorker`` after ``distributed.scheduler.allowed-failures`` deaths.

A study's ``run_timeout_s`` is enforced inside ``worker.run_chunk``, wherever it runs: by
``SIGALRM`` in the driver (sequential) and in pool workers (which run chunks on their main
thread), by an exception raised in the task's thread on Dask workers.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import shutil
import signal
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, InvalidStateError, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, Literal

EXECUTORS = ("sequential", "local", "dask")
MAX_DEATHS = 3

ExecutorKind = Literal["sequential", "local", "dask"]


class WorkerDied(RuntimeError):
    """A chunk's worker process died every time the chunk ran."""


class ExecutorError(RuntimeError):
    """An executor that cannot start, e.g. an unreachable Dask scheduler."""


class Executor:
    """The seam: ``submit(fn, task) -> Future``, ``workers``, ``close()``, a context manager."""

    workers: int = 1

    def submit(self, fn: Callable[[Any], Any], task: Any) -> Future:  # pragma: no cover
        """Run ``fn(task)``; return its future."""
        raise NotImplementedError

    def close(self, cancel: bool = False) -> None:
        """Release the workers; with ``cancel`` drop queued work and stop running work."""

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.close(cancel=exc_type is not None)


class SequentialExecutor(Executor):
    """Run each chunk inline in the driver (for debugging and for overhead benchmarks)."""

    workers = 1

    def submit(self, fn: Callable[[Any], Any], task: Any) -> Future:
        """Run ``fn(task)`` now; return a completed future."""
        future: Future = Future()
        try:
            result = fn(task)
        except Exception as exc:  # noqa: BLE001 - delivered through the future
            future.set_exception(exc)
        else:
            future.set_result(result)
        return future


PARENT_POLL_S = 1.0
"""How often a worker checks that the driver that started it is still there."""


def _worker_start() -> None:
    """A worker's start: Ctrl-C is the driver's business, and the worker leaves with it.

    Ctrl-C makes the driver stop submitting and shut the pool down. Were the driver killed
    outright (``kill -9``), nobody would read the worker's results: a watcher thread ends
    the worker once its parent is gone, so no orphan keeps computing.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = os.getppid()
    threading.Thread(target=_leave_with, args=(parent,), name="parent-watch",
                     daemon=True).start()


def _leave_with(parent: int) -> None:
    while True:
        time.sleep(PARENT_POLL_S)
        if os.getppid() != parent:
            os._exit(0)


@dataclass(eq=False)
class _Job:
    fn: Callable[[Any], Any]
    task: Any
    outer: Future
    deaths: int = 0
    alone: bool = False


class LocalExecutor(Executor):
    """A spawn-started process pool that survives worker deaths.

    A supervisor thread owns the pool: it submits queued jobs, and when the pool breaks it
    rebuilds it and reruns the interrupted jobs one at a time. A death while a job runs
    alone is that job's fault and counts against it; after ``max_deaths`` its future fails
    with ``WorkerDied``.
    """

    def __init__(self, workers: int | None = None, max_deaths: int = MAX_DEATHS):
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.max_deaths = max_deaths
        self._ctx = multiprocessing.get_context("spawn")
        self._cond = threading.Condition()
        self._queue: deque[_Job] = deque()
        self._suspects: deque[_Job] = deque()
        self._running: set[_Job] = set()
        self._broken = False
        self._closed = False
        self._pool: ProcessPoolExecutor | None = self._new_pool()
        self._start_workers(self._pool)
        self._thread = threading.Thread(target=self._supervise, name="sweep-pool-supervisor",
                                        daemon=True)
        self._thread.start()

    def submit(self, fn: Callable[[Any], Any], task: Any) -> Future:
        """Queue ``fn(task)`` for the pool; return its future."""
        job = _Job(fn, task, Future())
        with self._cond:
            if self._closed:
                raise RuntimeError("cannot submit to a closed executor")
            self._queue.append(job)
            self._cond.notify_all()
        return job.outer

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=self.workers, mp_context=self._ctx,
                                   initializer=_worker_start)

    def _start_workers(self, pool: ProcessPoolExecutor) -> None:
        """Start every worker now, ignoring SIGINT while they are spawned.

        A spawned process inherits an ignored SIGINT from the start, so a Ctrl-C sent to the
        whole process group (as a terminal does) reaches only the driver, even while a
        worker is still importing. Signal handlers can only be set from the main thread; a
        pool rebuilt after a worker death falls back on the ``_worker_start`` initializer.
        """
        main = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None
        try:
            for _ in range(self.workers):  # a spawn pool starts one process per submit
                pool.submit(int)
        finally:
            if main:
                signal.signal(signal.SIGINT, previous)

    def _supervise(self) -> None:
        # Pool calls happen outside the lock: the pool's manager thread holds the pool's own
        # lock while it runs future callbacks, and those callbacks take ours.
        while True:
            with self._cond:
                while not self._closed and not self._ready():
                    self._cond.wait()
                if self._closed:
                    return
                old = None
                if self._broken:
                    # Every job of the broken pool has reported; start a fresh pool.
                    old, self._pool, self._broken = self._pool, None, False
                if self._suspects:
                    batch = [self._suspects.popleft()]
                    batch[0].alone = True
                else:
                    batch = list(self._queue)
                    self._queue.clear()
                batch = [job for job in batch if not job.outer.cancelled()]
                self._running.update(batch)
                if batch and self._pool is None:
                    self._pool = self._new_pool()
                pool = self._pool
            if old is not None:
                old.shutdown(wait=True, cancel_futures=True)
            for job in batch:
                self._start(pool, job)

    def _ready(self) -> bool:
        """Whether the supervisor has something to do (called with the lock held)."""
        if self._broken or self._suspects:
            return not self._running
        return bool(self._queue)

    def _start(self, pool: ProcessPoolExecutor, job: _Job) -> None:
        try:
            inner = pool.submit(job.fn, job.task)
        except (BrokenProcessPool, RuntimeError) as exc:
            # Broken, or shut down by close(): either way the job did not run.
            inner = Future()
            inner.set_exception(exc if isinstance(exc, BrokenProcessPool)
                                else BrokenProcessPool(str(exc)))
        inner.add_done_callback(lambda f, job=job: self._done(job, f))

    def _done(self, job: _Job, inner: Future) -> None:
        with self._cond:
            self._running.discard(job)
            exc = None if inner.cancelled() else inner.exception()
            died = isinstance(exc, BrokenProcessPool)
            if died and not self._closed:
                self._broken = True
                job.deaths += job.alone
                if job.deaths < self.max_deaths:
                    self._suspects.append(job)
                    self._cond.notify_all()
                    return
            self._cond.notify_all()
        # The caller may cancel the outer future at any moment (Ctrl-C): then nothing to do.
        with contextlib.suppress(InvalidStateError):
            if inner.cancelled():
                job.outer.cancel()
            elif died and job.deaths >= self.max_deaths:
                job.outer.set_exception(WorkerDied(
                    f"worker died {job.deaths} times running this chunk"))
            elif exc is not None:
                job.outer.set_exception(exc)
            else:
                job.outer.set_result(inner.result())

    def close(self, cancel: bool = False) -> None:
        """Shut the pool down; with ``cancel``, drop queued jobs and kill running ones."""
        with self._cond:
            self._closed = True
            pool, self._pool = self._pool, None
            waiting = [*self._queue, *self._suspects]
            self._queue.clear()
            self._suspects.clear()
            self._cond.notify_all()
        self._thread.join()
        for job in waiting:
            job.outer.cancel()
        if pool is None:
            return
        if cancel:
            processes = list(getattr(pool, "_processes", {}).values())
            pool.shutdown(wait=False, cancel_futures=True)
            for p in processes:
                p.terminate()
            for p in processes:
                p.join(timeout=10)
        pool.shutdown(wait=True, cancel_futures=cancel)


class DaskExecutor(Executor):
    """Chunks on Dask: a LocalCluster of single-threaded worker processes, or a scheduler."""

    def __init__(self, workers: int | None = None, scheduler: str | None = None):
        from distributed import Client, LocalCluster

        self._cluster = None
        self._scratch: str | None = None
        if scheduler:
            try:
                self._client = Client(scheduler, timeout="10s")
            except (OSError, TimeoutError, ValueError, TypeError, ImportError) as exc:
                raise ExecutorError(f"cannot connect to the Dask scheduler at {scheduler}: "
                                    f"{exc}") from None
            info = self._client.scheduler_info(n_workers=-1)
            self.workers = max(1, sum(w.get("nthreads", 1)
                                      for w in info.get("workers", {}).values()))
        else:
            n = max(1, workers or os.cpu_count() or 1)
            # The dashboard on loopback, like the scheduler; scratch files in a folder of our
            # own, removed on close (no dask-scratch-space left behind).
            self._scratch = tempfile.mkdtemp(prefix="consortium-dask-")
            self._cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                                         host="127.0.0.1", dashboard_address="127.0.0.1:0",
                                         local_directory=self._scratch,
                                         silence_logs=logging.CRITICAL)
            self._client = Client(self._cluster)
            self.workers = n
        self._executor = self._client.get_executor(pure=False, retries=2)

    @property
    def client(self):  # noqa: ANN201 - distributed.Client, imported lazily
        """The Dask client."""
        return self._client

    def submit(self, fn: Callable[[Any], Any], task: Any) -> Future:
        """Submit ``fn(task)`` to the cluster; return a concurrent.futures Future."""
        return self._executor.submit(fn, task)

    def close(self, cancel: bool = False) -> None:
        """Close the client, and the LocalCluster if this executor started it."""
        if cancel:
            self._client.cancel(list(self._executor._futures), force=True)
        self._executor.shutdown(wait=not cancel)
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)


def make_executor(kind: ExecutorKind = "local", workers: int | None = None,
                  scheduler: str | None = None) -> Executor:
    """Executor of ``kind`` with ``workers`` processes (default: every core).

    ``scheduler`` (a Dask address such as ``tcp://host:8786``) implies ``dask``.
    """
    if scheduler:
        kind = "dask"
    if kind not in EXECUTORS:
        raise ValueError(f"executor must be one of {', '.join(EXECUTORS)}, got {kind!r}")
    if workers is not None and workers < 1:
        raise ValueError(f"workers must be >= 1, got {workers}")
    if kind == "sequential":
        return SequentialExecutor()
    if kind == "local":
        return LocalExecutor(workers)
    return DaskExecutor(workers, scheduler)
