"""Run a study: build its design and run plan, dispatch chunks, store results as they come.

``sweep(study, out)`` is what ``consortium sweep`` calls. Seeds are fixed in the run plan
before anything is dispatched, so the sequential, process-pool and Dask executors give
identical tables (Axelrod's serial-vs-parallel test follows the same rule). At most
``2 x workers`` chunks are in flight and each result is written as soon as it arrives, so
the driver's memory stays flat however long the sweep. After Ctrl-C or ``kill -9``,
``resume=True`` checks that the study is unchanged, redoes partial or edited chunks, rebuilds
lost folders and design files, and runs the rest. The directory's lock is taken before
anything is written to it, and a directory that cannot be written (full disk, read-only)
stops the sweep with a :class:`~experiments.store.SweepWriteError`; finished chunks stay.
"""

from __future__ import annotations

import traceback
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, wait
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.design import Design, auto_chunk_size, build_design, run_plan
from experiments.executors import WorkerDied, make_executor
from experiments.store import (
    LOCK,
    MANIFEST,
    SweepStore,
    SweepStoreError,
    check_writable,
    clear_half_made,
    design_arrow,
    git_revision,
    half_made,
    jsonable,
    lock_directory,
    package_versions,
    writes_to,
)
from experiments.study import Study, StudyError, load_study
from experiments.worker import ChunkResult, ChunkTask, failed_chunk, load_model, run_chunk
from sim.scenario import exists

IN_FLIGHT_PER_WORKER = 2
# Study fields that do not change results; editing them does not block a resume.
COSMETIC = ("name", "description")

Progress = Callable[[int, int, int], None]


def _load(study: Study | str | Path) -> tuple[Study, Path | None]:
    if isinstance(study, Study):
        return study, study.path
    loaded = load_study(study)
    return loaded, loaded.path


def _check_model(study: Study, study_file: Path | None) -> None:
    """Import the model in the driver first, so a bad ``model`` fails once, not per run."""
    try:
        load_model(study.model)
    except Exception as exc:  # noqa: BLE001 - reported as a study error
        raise StudyError(study_file or "<study>", "model",
                         f"cannot import {study.model!r}: {exc}") from None


def _fingerprint(study: Study, design: Design, options: dict[str, Any],
                 n_runs: int) -> dict[str, Any]:
    """The manifest fields that decide a sweep's results (compared on resume)."""
    study_dict = study.model_dump(mode="json")
    base_scenario = None
    if study.base_params is not None:
        from sim.scenario import resolved_table

        base_scenario = resolved_table(study.base_params)
    return jsonable({
        "study": study_dict,
        "base": study.base,
        "base_scenario": base_scenario,
        "model": study.model,
        "model_options": options,
        "design": {"kind": design.kind, "factors": list(design.factors),
                   "problem": design.problem, "options": design.options,
                   # The design matrix, one row per point (also in design.parquet).
                   "matrix": {"columns": list(design.table.columns),
                              "rows": design.table.to_numpy(dtype=object).tolist()}},
        "root_seed": study.seed,
        "crn": study.crn,
        "replicates": study.replicates,
        "n_points": len(design.table),
        "n_runs": n_runs,
        "outcomes": list(study.outcomes) if study.outcomes else None,
        "timeseries": study.timeseries,
        "run_timeout_s": study.run_timeout_s,
    })


def _differences(manifest: dict[str, Any], fingerprint: dict[str, Any]) -> list[str]:
    changed = []
    for key, value in fingerprint.items():
        old = manifest.get(key)
        if key == "study":
            old = {k: v for k, v in (old or {}).items() if k not in COSMETIC}
            value = {k: v for k, v in value.items() if k not in COSMETIC}
            changed += [f"study.{k}" for k in sorted(set(old) | set(value))
                        if old.get(k) != value.get(k)]
        elif old != value:
            changed.append(key)
    return changed


def _check_resume(store: SweepStore, fingerprint: dict[str, Any], design: Design) -> None:
    """Refuse to resume a sweep whose study changed; record the resume in its manifest."""
    out = store.path
    changed = _differences(store.manifest, fingerprint)
    if not changed:
        # The manifest holds the design matrix, so what the study builds now is what was lost.
        repaired = store.repair(design.table, design.samples)
        if repaired:
            warnings.warn(f"{out}: {'; '.join(repaired)}", stacklevel=3)
    if not changed and not design_arrow(design.table).equals(
            design_arrow(store.design())):
        changed.append("design table")
    if not changed and design.samples is not None:
        stored = store.samples()
        if stored is None or not np.array_equal(stored, design.samples):
            changed.append("design samples")
    if changed:
        raise SweepStoreError(out, "the study differs from the one this sweep was started with "
                              f"({', '.join(changed)}); resume it with the original study, "
                              "or start a new sweep with another --out")
    versions, git = package_versions(), git_revision()
    if (versions != store.manifest.get("versions")
            or git["revision"] != store.manifest.get("git_revision")):
        warnings.warn(f"{out}: resuming with other package versions or git revision than the "
                      "sweep was started with; see 'resumed' in its manifest.json",
                      stacklevel=3)
    resumed = [*store.manifest.get("resumed", []),
               {"at": datetime.now(UTC).isoformat(timespec="seconds"), "versions": versions,
                "git_revision": git["revision"], "git_dirty": git["dirty"]}]
    with writes_to(out, "manifest.json"):
        store.update_manifest(resumed=resumed)


def chunk_task(plan: pd.DataFrame, chunk_id: int, chunk_size: int, factors: list[str],
               study: Study, options: dict[str, Any]) -> ChunkTask:
    """The task of one chunk, built from its slice of the run plan when it is submitted."""
    rows = plan.iloc[chunk_id * chunk_size:(chunk_id + 1) * chunk_size]
    values = zip(*(rows[f].tolist() for f in factors), strict=True) if factors else None
    params = [dict(zip(factors, v, strict=True)) for v in values] if values else \
        [{} for _ in range(len(rows))]
    runs = [{"run_id": run_id, "point": point, "replicate": rep, "seed_entropy": int(entropy),
             "spawn_key": tuple(int(k) for k in str(key).split(",")), "params": p}
            for run_id, point, rep, entropy, key, p in zip(
                rows["run_id"].tolist(), rows["point"].tolist(), rows["replicate"].tolist(),
                rows["seed_entropy"].tolist(), rows["spawn_key"].tolist(), params,
                strict=True)]
    return ChunkTask(chunk_id=chunk_id, model=study.model, model_options=options, runs=runs,
                     outcomes=tuple(study.outcomes) if study.outcomes else None,
                     timeseries=study.timeseries, run_timeout_s=study.run_timeout_s)


def _result(future: Future, task: ChunkTask) -> ChunkResult:
    """The chunk's result; a chunk that could not run becomes failed rows.

    Workers ignore Ctrl-C, so a ``KeyboardInterrupt`` or ``SystemExit`` coming back from
    one is the model's own doing: failed rows too, never an abort that ``--resume`` would
    meet again.
    """
    if future.cancelled():
        raise RuntimeError(f"chunk {task.chunk_id} was cancelled by its executor")
    exc = future.exception()
    if exc is None:
        return future.result()
    if isinstance(exc, WorkerDied):
        return failed_chunk(task, str(exc))
    return failed_chunk(task, "".join(traceback.format_exception(exc)))


def sweep(study: Study | str | Path, out: str | Path, executor: str = "local",
          workers: int | None = None, scheduler: str | None = None, resume: bool = False,
          progress: Progress | None = None, chunk_size: int | None = None) -> Path:
    """Run every run of ``study`` into the sweep directory ``out``; return ``out``.

    Args:
        study: a ``Study`` or the path of a study file.
        out: the sweep directory; must be new or empty unless ``resume``.
        executor: "local" (process pool, default), "dask" or "sequential".
        workers: worker processes (default: every core; for a Dask scheduler, its workers).
        scheduler: address of an existing Dask scheduler; implies ``executor="dask"``.
        resume: finish an interrupted sweep in ``out`` (the study must be unchanged).
        progress: called as ``progress(done_runs, total_runs, failed_runs)``.
        chunk_size: runs per chunk; default the study's, else automatic.

    Raises:
        StudyError: bad study file or model.
        SweepStoreError: ``out`` holds something else, or a different sweep, or another
            sweep is writing to it, or its manifest is damaged.
        SweepWriteError: ``out`` cannot be written (full disk, read-only); finished chunks
            are kept and ``resume`` continues.
        KeyboardInterrupt: on Ctrl-C, after saving finished chunks and stopping workers.
    """
    study, study_file = _load(study)
    out = Path(out)
    _check_model(study, study_file)
    design = build_design(study)
    plan = run_plan(study, design).sort_values("run_id", ignore_index=True)
    n_runs = len(plan)
    if not np.array_equal(plan["run_id"].to_numpy(), np.arange(n_runs)):
        raise ValueError("run plan run_ids must be 0..n_runs-1")
    options = study.model_options_for_run()
    fingerprint = _fingerprint(study, design, options, n_runs)
    factors = [f for f in design.factors if f in plan.columns]

    _check_out(out)
    with ExitStack() as stack:
        # The lock comes first: a second sweep started into the same directory fails here,
        # before either has written anything the other could clean away.
        stack.enter_context(lock_directory(out))
        if (out / MANIFEST).is_file():
            if not resume:
                raise SweepStoreError(out, "already holds a sweep; finish it with --resume, "
                                      "or choose another --out")
            store = SweepStore(out)
            check_writable(out)
            _check_resume(store, fingerprint, design)
            size = int(store.manifest["chunk_size"])
            wanted = chunk_size or study.chunk_size
            if wanted and wanted != size:
                raise SweepStoreError(out, f"was started with chunk size {size}, not {wanted}")
            ex = None
        else:
            if half_made(out):  # a creation cut short (full disk, kill -9): start it afresh
                with writes_to(out, "the new sweep"):
                    clear_half_made(out)
            _check_out(out, locked=True)
            ex = stack.enter_context(make_executor(executor, workers, scheduler))
            size = chunk_size or study.chunk_size or auto_chunk_size(n_runs, ex.workers)
            manifest = {**fingerprint, "study_file": study_file and str(study_file.resolve()),
                        "chunk_size": size, "n_chunks": -(-n_runs // size)}
            store = SweepStore.create(out, manifest, design.table, design.samples)

        n_chunks = -(-n_runs // size)
        with writes_to(out, "the sweep's chunk files"):
            complete = store.completed_chunks(n_chunks, size, n_runs)  # reads each chunk once
        if store.redone:
            warnings.warn(f"{out}: these chunks run again: " + "; ".join(
                f"chunk {c} {why}" for c, why in sorted(store.redone.items())), stacklevel=2)
        todo = [c for c in range(n_chunks) if c not in complete]
        counts = store.counts()
        done, failed = counts["done"], counts["failed"]
        if progress:
            progress(done, n_runs, failed)
        if todo and ex is None:
            ex = stack.enter_context(make_executor(executor, workers, scheduler))
        tasks = (chunk_task(plan, c, size, factors, study, options) for c in todo)
        for result in _dispatch(ex, tasks):
            store.write_chunk(result)
            done += result.runs.num_rows
            failed += result.n_failed
            if progress:
                progress(done, n_runs, failed)
    return out


def _check_out(out: Path, locked: bool = False) -> None:
    """Refuse an ``out`` that is a file, or a folder holding something other than a sweep.

    Checked before the lock is taken (so no ``.lock`` is left in someone's folder), and again
    under it.
    """
    try:
        out.stat()
    except FileNotFoundError:
        pass
    except OSError as exc:  # a name too long, a path through a file, no permission
        raise SweepStoreError(out, f"cannot be used as --out: {exc.strerror}") from None
    if exists(out) and not out.is_dir():
        raise SweepStoreError(out, "is a file, not a sweep directory; choose another --out")
    if not out.is_dir() or (out / MANIFEST).is_file() or (not locked and half_made(out)):
        return
    if any(p.name != LOCK for p in out.iterdir()):
        raise SweepStoreError(out, "exists and is not a sweep directory; choose another --out")


def _dispatch(ex: Any, tasks: Iterator[ChunkTask]) -> Iterator[ChunkResult]:
    """Results of ``tasks`` as they finish, with at most ``2 x workers`` chunks in flight.

    Tasks are built only when submitted, so the driver never holds the whole sweep.
    """
    in_flight: dict[Future, ChunkTask] = {}
    limit = IN_FLIGHT_PER_WORKER * getattr(ex, "workers", 1)
    for task in tasks:
        in_flight[ex.submit(run_chunk, task)] = task
        while len(in_flight) >= limit:
            yield from _finished(in_flight)
    while in_flight:
        yield from _finished(in_flight)


def _finished(in_flight: dict[Future, ChunkTask]) -> Iterator[ChunkResult]:
    finished, _ = wait(in_flight, return_when=FIRST_COMPLETED)
    for future in finished:
        yield _result(future, in_flight.pop(future))
