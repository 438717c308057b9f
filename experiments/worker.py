"""Run one chunk of a sweep: the code that executes inside worker processes.

A ``ChunkTask`` carries everything a worker needs (model, options, runs with their seeds and
parameters) and pickles, so the same task gives the same ``ChunkResult`` in the driver, in
a process pool or on a Dask worker. A run's randomness comes only from
``SeedSequence(entropy, spawn_key)`` (NumPy SeedSequence; Mesa 4 stores the same pair).

What a model returns becomes table columns:

- numbers (Python or NumPy; booleans become 0/1) are *outcomes*, one float64 column each;
- 1-D arrays are *series*, one value per month, kept when ``timeseries`` is not "none".
  With ``timeseries = "summary"`` each series is reduced to yearly means, year = month // 12;
  a trailing partial year is averaged over the months it has.

NaN and infinite values are data, not failures. A run that raises is a failed row holding
its traceback, and the chunk goes on (a failed run is a row, as in Mesa 4's ``FailureInfo``):
so is a model that calls ``sys.exit`` or raises ``KeyboardInterrupt`` itself, and a run that
takes longer than the study's ``run_timeout_s`` (error ``timed out after N s``). Only a
Ctrl-C the process receives stops the chunk.

The timeout is an alarm: ``SIGALRM`` (``setitimer``) where the chunk runs on the main thread
(the sequential executor and the process pool), otherwise an asynchronous exception in the
chunk's thread (Dask workers run tasks on threads). Both stop a run the moment it executes
Python code again: a run inside a single long compiled call (a Numba kernel, a C loop) is
stopped when that call returns.
"""

from __future__ import annotations

import ctypes
import importlib
import signal
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from numbers import Real
from typing import Any

import numpy as np
import pyarrow as pa

ID_COLUMNS = ("run_id", "point", "replicate")
RUN_COLUMNS = ("run_id", "point", "replicate", "seed_entropy", "spawn_key", "status", "error",
               "wall_time_s")
TIMESERIES = ("none", "summary", "monthly")


@dataclass(frozen=True)
class ChunkTask:
    """A chunk of consecutive runs, ready to send to a worker.

    ``runs`` holds dicts with run_id, point, replicate, seed_entropy (int), spawn_key
    (tuple of ints) and params (factor key -> Python scalar).
    """

    chunk_id: int
    model: str
    model_options: dict[str, Any] = field(default_factory=dict)
    runs: list[dict[str, Any]] = field(default_factory=list)
    outcomes: tuple[str, ...] | None = None
    timeseries: str = "none"
    run_timeout_s: float | None = None


class RunTimeout(BaseException):  # noqa: N818 - a signal, like KeyboardInterrupt
    """A run that exceeded ``run_timeout_s``.

    A BaseException, so a model's ``except Exception`` cannot swallow it.
    """


class Interrupted(KeyboardInterrupt):
    """A Ctrl-C (SIGINT) the process received, as opposed to one a model raised."""


def _on_sigint(signum: int, frame: Any) -> None:
    raise Interrupted


@contextmanager
def _real_ctrl_c() -> Iterator[None]:
    """Raise SIGINT as :class:`Interrupted` while a chunk runs on the main thread.

    Pool workers ignore SIGINT, so there every ``KeyboardInterrupt`` is the model's.
    """
    if (threading.current_thread() is not threading.main_thread()
            or signal.getsignal(signal.SIGINT) is not signal.default_int_handler):
        yield
        return
    signal.signal(signal.SIGINT, _on_sigint)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)


@contextmanager
def _deadline(seconds: float | None) -> Iterator[None]:
    """Raise :class:`RunTimeout` in this thread once ``seconds`` have passed."""
    if not seconds:
        yield
        return
    if threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer"):
        def alarm(signum: int, frame: Any) -> None:
            raise RunTimeout

        previous = signal.signal(signal.SIGALRM, alarm)
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
        return
    # Not the main thread (a Dask worker): the exception is set asynchronously on this
    # thread (CPython's PyThreadState_SetAsyncExc); the lock keeps it from landing after
    # the run has finished.
    ident, lock, state = threading.get_ident(), threading.Lock(), {"armed": True}

    def fire() -> None:
        with lock:
            if state["armed"]:
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident),
                                                           ctypes.py_object(RunTimeout))
                state["armed"] = False

    timer = threading.Timer(seconds, fire)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
        with lock:
            if state["armed"]:
                state["armed"] = False
            else:  # fired: clear the exception if it is still pending
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident), None)


def timed_out(seconds: float) -> str:
    """The error of a run stopped by the timeout: ``timed out after 600 s``."""
    return f"timed out after {seconds:g} s"


@dataclass(frozen=True)
class ChunkResult:
    """The tables of one chunk: runs (every run), outcomes (ok runs), series (or None)."""

    chunk_id: int
    runs: pa.Table
    outcomes: pa.Table
    series: pa.Table | None

    @property
    def n_failed(self) -> int:
        """Number of failed runs in the chunk."""
        return self.runs.column("status").to_pylist().count("failed")


@cache
def load_model(spec: str) -> Callable[..., Mapping[str, Any]]:
    """Import ``module:function`` once per process."""
    module, sep, name = spec.partition(":")
    if not sep or not module or not name:
        raise ValueError(f"model must be 'module:function', got {spec!r}")
    fn = importlib.import_module(module)
    for part in name.split("."):
        fn = getattr(fn, part)
    if not callable(fn):
        raise TypeError(f"model {spec!r} is not callable")
    return fn


def seed_generator(entropy: int, spawn_key: Sequence[int]) -> np.random.Generator:
    """The generator of one run: ``default_rng(SeedSequence(entropy, spawn_key=spawn_key))``."""
    return np.random.default_rng(np.random.SeedSequence(int(entropy),
                                                        spawn_key=tuple(spawn_key)))


def _scalar(value: Any) -> float | None:
    """The float of a scalar output, or None when ``value`` is not a scalar number."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    if isinstance(value, bool | np.bool_):
        return float(value)
    if isinstance(value, Real | np.number) and not isinstance(value, np.complexfloating):
        return float(value)
    return None


def _series(value: Any) -> np.ndarray | None:
    """The float array of a 1-D series output, or None when ``value`` is not one."""
    if isinstance(value, np.ndarray | list | tuple):
        arr = np.asarray(value)
        if arr.ndim == 1 and (np.issubdtype(arr.dtype, np.number)
                              or arr.dtype == np.bool_):
            return arr.astype(np.float64)
    return None


def yearly_means(values: np.ndarray) -> np.ndarray:
    """Mean of each year of a monthly series (year = month // 12; a partial year too)."""
    n_years = -(-len(values) // 12)
    padded = np.full(n_years * 12, np.nan)
    padded[: len(values)] = values
    blocks = padded.reshape(n_years, 12)
    counts = np.arange(len(padded)).reshape(n_years, 12) < len(values)
    # NaN in the data stays NaN in its year; only the padding is left out of the mean.
    return np.where(counts, blocks, 0.0).sum(axis=1) / counts.sum(axis=1)


def split_output(output: Mapping[str, Any], outcomes: tuple[str, ...] | None,
                 keep_series: bool) -> tuple[dict[str, float], dict[str, np.ndarray]]:
    """Split a model's output into outcomes and series; raise ValueError on bad output."""
    if not isinstance(output, Mapping):
        raise TypeError(f"the model returned {type(output).__name__}, expected a dict")
    reserved = set(ID_COLUMNS) | {"month", "year"}
    scalars: dict[str, float] = {}
    series: dict[str, np.ndarray] = {}
    for key, value in output.items():
        if not isinstance(key, str):
            raise TypeError(f"output key {key!r} is not a string")
        if key in reserved:
            raise ValueError(f"output {key!r} uses a reserved column name")
        number = _scalar(value)
        if number is not None:
            scalars[key] = number
            continue
        arr = _series(value)
        if arr is None:
            raise TypeError(f"output {key!r} is {type(value).__name__}; outcomes must be "
                            "numbers and series 1-D numeric arrays")
        if keep_series:
            series[key] = arr
    if outcomes is not None:
        missing = [k for k in outcomes if k not in scalars]
        if missing:
            which = ", ".join(repr(k) for k in missing)
            detail = ("is not a scalar" if all(k in output for k in missing)
                      else "is missing from the model output")
            raise KeyError(f"outcome {which} {detail} (model returned: {', '.join(output)})")
        scalars = {k: scalars[k] for k in outcomes}
    lengths = {len(v) for v in series.values()}
    if len(lengths) > 1:
        raise ValueError(f"series have different lengths {sorted(lengths)}")
    return scalars, series


def _run_one(fn: Callable[..., Mapping[str, Any]], run: Mapping[str, Any],
             task: ChunkTask) -> tuple[dict[str, float], dict[str, np.ndarray]]:
    rng = seed_generator(run["seed_entropy"], run["spawn_key"])
    output = fn(dict(run["params"]), rng, **task.model_options)
    return split_output(output, task.outcomes, task.timeseries != "none")


def run_chunk(task: ChunkTask) -> ChunkResult:
    """Run every run of ``task``; a run that raises becomes a failed row with its traceback.

    A model that calls ``sys.exit`` or raises ``KeyboardInterrupt`` fails its run like any
    other error, and so does a run that exceeds ``task.run_timeout_s``. A Ctrl-C of the
    process itself (:class:`Interrupted`) still stops the sweep, which ``--resume``
    continues.
    """
    if task.timeseries not in TIMESERIES:
        raise ValueError(f"timeseries must be one of {TIMESERIES}, got {task.timeseries!r}")
    statuses: list[str] = []
    errors: list[str | None] = []
    walls: list[float] = []
    ok_runs: list[Mapping[str, Any]] = []
    scalars: list[dict[str, float]] = []
    series: list[dict[str, np.ndarray]] = []
    with _real_ctrl_c():
        for run in task.runs:
            start = time.perf_counter()
            try:
                with _deadline(task.run_timeout_s):
                    fn = load_model(task.model)
                    out, ser = _run_one(fn, run, task)
            except Interrupted:
                raise
            except RunTimeout:
                statuses.append("failed")
                errors.append(timed_out(task.run_timeout_s or 0))
            except (Exception, SystemExit, KeyboardInterrupt):  # noqa: BLE001 - a row, not an abort
                statuses.append("failed")
                errors.append(traceback.format_exc())
            else:
                statuses.append("ok")
                errors.append(None)
                ok_runs.append(run)
                scalars.append(out)
                series.append(ser)
            walls.append(time.perf_counter() - start)
    return ChunkResult(
        chunk_id=task.chunk_id,
        runs=runs_table(task.runs, statuses, errors, walls),
        outcomes=_outcomes_table(ok_runs, scalars),
        series=(None if task.timeseries == "none"
                else _series_table(ok_runs, series, task.timeseries)),
    )


def failed_chunk(task: ChunkTask, error: str) -> ChunkResult:
    """The result of a chunk none of whose runs could be run (e.g. its worker kept dying)."""
    n = len(task.runs)
    return ChunkResult(
        chunk_id=task.chunk_id,
        runs=runs_table(task.runs, ["failed"] * n, [error] * n, [float("nan")] * n),
        outcomes=_outcomes_table([], []),
        series=None if task.timeseries == "none" else _series_table([], [], task.timeseries),
    )


def _ids(runs: Sequence[Mapping[str, Any]]) -> dict[str, pa.Array]:
    return {k: pa.array([r[k] for r in runs], type=pa.int64()) for k in ID_COLUMNS}


def runs_table(runs: Sequence[Mapping[str, Any]], statuses: Sequence[str],
               errors: Sequence[str | None], walls: Sequence[float]) -> pa.Table:
    """The runs table: ids, seed, status, error, wall time, then one column per factor."""
    cols = _ids(runs)
    cols["seed_entropy"] = pa.array([str(r["seed_entropy"]) for r in runs], type=pa.string())
    cols["spawn_key"] = pa.array([",".join(map(str, r["spawn_key"])) for r in runs],
                                 type=pa.string())
    cols["status"] = pa.array(list(statuses), type=pa.string())
    cols["error"] = pa.array(list(errors), type=pa.string())
    cols["wall_time_s"] = pa.array(list(walls), type=pa.float64())
    keys: dict[str, None] = {}
    for r in runs:
        keys.update(dict.fromkeys(r["params"]))
    for key in keys:
        cols[key] = factor_array([r["params"].get(key) for r in runs])
    return pa.table(cols)


def factor_array(values: Sequence[Any]) -> pa.Array:
    """Arrow array of one factor's values; mixed types (say 1 and "a") become strings."""
    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pa.array([None if v is None else str(v) for v in values], type=pa.string())


def _column_order(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    order: dict[str, None] = {}
    for row in rows:
        order.update(dict.fromkeys(row))
    return list(order)


def _outcomes_table(runs: Sequence[Mapping[str, Any]],
                    values: Sequence[Mapping[str, float]]) -> pa.Table:
    cols = _ids(runs)
    for key in _column_order(values):
        cols[key] = pa.array([v.get(key) for v in values], type=pa.float64())
    return pa.table(cols)


def _series_table(runs: Sequence[Mapping[str, Any]], values: Sequence[Mapping[str, np.ndarray]],
                  timeseries: str) -> pa.Table:
    names = _column_order(values)
    time_col = "month" if timeseries == "monthly" else "year"
    blocks: dict[str, list[np.ndarray]] = {k: [] for k in (*ID_COLUMNS, time_col, *names)}
    for run, ser in zip(runs, values, strict=True):
        if timeseries == "summary":
            ser = {k: yearly_means(v) for k, v in ser.items()}
        n = len(next(iter(ser.values()))) if ser else 0
        for k in ID_COLUMNS:
            blocks[k].append(np.full(n, run[k], dtype=np.int64))
        blocks[time_col].append(np.arange(n, dtype=np.int64))
        for k in names:
            blocks[k].append(ser.get(k, np.full(n, np.nan)))
    cols = {k: pa.array(np.concatenate(v) if v else np.empty(0),
                        type=pa.int64() if k in (*ID_COLUMNS, time_col) else pa.float64())
            for k, v in blocks.items()}
    return pa.table(cols)
