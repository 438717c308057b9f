"""The sweep directory: manifest, design, and Parquet tables written chunk by chunk.

Layout (one directory per sweep)::

    manifest.json                  study, design, seeds, versions, git revision
    design.parquet                 point + factor columns (+ varied for ofat)
    samples.npy                    the raw sampler matrix, when the design has one
    runs/chunk-000000.parquet      run_id, point, replicate, seed_entropy, spawn_key,
                                   status, error, wall_time_s, factor columns
    outcomes/chunk-000000.parquet  run_id, point, replicate, one float64 column per outcome
    series/chunk-000000.parquet    run_id, point, replicate, month or year, one column per series

Each chunk file is written to a temporary file in its folder and moved into place with
``os.replace``; the runs file goes last, so a chunk is complete exactly when its runs file
holds the chunk's run_ids and the other files agree with it. Anything else is deleted on
resume and the chunk is run again. Parquet files are written with fixed options and no
schema metadata, so equal tables give equal files. Readers stream through
``pyarrow.dataset`` (as the tool survey recommends: partitioned Parquet, queried with
pyarrow, pandas or DuckDB); nothing here holds a whole sweep in memory.
"""

from __future__ import annotations

import json
import math
import os
import platform
import subprocess
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from experiments.worker import ID_COLUMNS, ChunkResult, factor_array

FORMAT = 1
TABLES = ("runs", "outcomes", "series")
MANIFEST = "manifest.json"
DESIGN = "design.parquet"
SAMPLES = "samples.npy"
LOCK = ".lock"
VERSIONED = {"python": None, "numpy": "numpy", "pandas": "pandas", "pyarrow": "pyarrow",
             "SALib": "SALib", "scipy": "scipy", "mesa": "mesa", "dask": "dask",
             "distributed": "distributed", "consortium-sim": "consortium-sim"}
PARQUET_OPTIONS = {"compression": "zstd", "compression_level": 3, "version": "2.6",
                   "data_page_version": "1.0", "use_dictionary": True,
                   "write_statistics": True}
PROJECT_ROOT = Path(__file__).resolve().parents[1]


class SweepStoreError(Exception):
    """A sweep directory that cannot be used: which directory, what is wrong."""

    def __init__(self, path: str | Path, problem: str):
        self.path, self.problem = str(path), problem
        super().__init__(f"{self.path}: {problem}")


def chunk_name(chunk_id: int) -> str:
    """File name of a chunk: ``chunk-000042.parquet``."""
    return f"chunk-{chunk_id:06d}.parquet"


def _chunk_id(path: Path) -> int | None:
    stem = path.name.removesuffix(".parquet")
    if path.suffix != ".parquet" or not stem.startswith("chunk-"):
        return None
    digits = stem.removeprefix("chunk-")
    return int(digits) if digits.isdigit() else None


def jsonable(value: Any) -> Any:
    """``value`` with NumPy scalars and arrays, tuples and paths made JSON-ready."""
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist())
    if isinstance(value, np.generic):
        return jsonable(value.item())
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value


def package_versions() -> dict[str, str | None]:
    """Versions of Python and of the packages a sweep's results depend on."""
    out: dict[str, str | None] = {}
    for label, dist in VERSIONED.items():
        if dist is None:
            out[label] = platform.python_version()
            continue
        try:
            out[label] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[label] = None
    return out


def _git(*args: str) -> str | None:
    try:
        done = subprocess.run(["git", "--no-optional-locks", "-C", str(PROJECT_ROOT), *args],
                              capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def git_revision() -> dict[str, Any]:
    """``{"revision": HEAD sha or None, "dirty": bool or None}`` of the project checkout.

    None when the package is not run from a git checkout or git is missing. Read-only git
    calls (``--no-optional-locks``), so recording provenance never touches the index.
    """
    top = _git("rev-parse", "--show-toplevel")
    if top is None or Path(top.strip()).resolve() != PROJECT_ROOT:
        return {"revision": None, "dirty": None}
    head = _git("rev-parse", "HEAD")
    status = _git("status", "--porcelain", "--untracked-files=no")
    return {"revision": head.strip() if head else None,
            "dirty": None if status is None else bool(status.strip())}


def _atomic_write(path: Path, write: Callable[[BinaryIO], None]) -> None:
    """Write through ``write`` into a temporary file beside ``path``, fsync, then rename."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_parquet(table: pa.Table, path: Path) -> None:
    """Write ``table`` to ``path`` atomically and deterministically (no schema metadata)."""
    table = table.replace_schema_metadata(None)
    _atomic_write(path, lambda fh: pq.write_table(table, fh, **PARQUET_OPTIONS))


def _write_text(text: str, path: Path) -> None:
    _atomic_write(path, lambda fh: fh.write(text.encode("utf-8")))


def design_arrow(design: pd.DataFrame) -> pa.Table:
    """The design table as Arrow, strings as ``string`` and no pandas metadata.

    A column of mixed types (levels such as 1 and "a") is stored as strings, as the runs
    table stores it (``worker.factor_array``).
    """
    table = pa.table({str(name): factor_array(design[name].tolist())
                      if design[name].dtype == object else pa.Array.from_pandas(design[name])
                      for name in design.columns})
    fields = [pa.field(f.name, pa.string()) if pa.types.is_large_string(f.type) else f
              for f in table.schema]
    return table.cast(pa.schema(fields)).replace_schema_metadata(None)


class SweepStore:
    """One sweep directory: open an existing one, or ``SweepStore.create`` a new one."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        if not (self.path / MANIFEST).is_file():
            what = "does not exist" if not self.path.exists() else "has no manifest.json"
            raise SweepStoreError(self.path, f"not a sweep directory ({what})")
        try:
            self._manifest = json.loads((self.path / MANIFEST).read_text())
        except (OSError, ValueError) as exc:
            raise SweepStoreError(self.path, f"unreadable manifest.json: {exc}") from None
        if self._manifest.get("format") != FORMAT:
            raise SweepStoreError(self.path, f"unknown sweep format "
                                  f"{self._manifest.get('format')!r} (expected {FORMAT})")
        self._design_schema: pa.Schema | None = None

    @classmethod
    def create(cls, path: str | Path, manifest: Mapping[str, Any], design: pd.DataFrame,
               samples: np.ndarray | None = None) -> SweepStore:
        """Create a sweep directory; ``path`` must not exist or be empty.

        Writes design.parquet, samples.npy (when given) and, last, manifest.json, adding
        ``format``, ``versions``, ``git_revision``, ``git_dirty`` and ``created``.
        """
        path = Path(path)
        if path.exists() and (not path.is_dir() or any(path.iterdir())):
            raise SweepStoreError(path, "exists and is not empty")
        path.mkdir(parents=True, exist_ok=True)
        keep_series = manifest.get("timeseries", "none") != "none"
        for name in TABLES if keep_series else TABLES[:2]:
            (path / name).mkdir(exist_ok=True)
        write_parquet(design_arrow(design), path / DESIGN)
        if samples is not None:
            np.save(path / SAMPLES, np.asarray(samples), allow_pickle=False)
        git = git_revision()
        full = {"format": FORMAT, **manifest, "versions": package_versions(),
                "git_revision": git["revision"], "git_dirty": git["dirty"],
                "created": datetime.now(UTC).isoformat(timespec="seconds")}
        _write_text(json.dumps(jsonable(full), indent=2) + "\n", path / MANIFEST)
        return cls(path)

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold an exclusive lock on the directory while a sweep writes to it.

        A second ``consortium sweep --resume`` on the same directory would delete the first
        one's temporary files; it fails instead. The lock (``flock`` on ``.lock``) goes
        with the process, so a killed sweep never leaves it behind.
        """
        try:
            import fcntl
        except ImportError:  # not POSIX: no lock
            yield
            return
        with (self.path / LOCK).open("a") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise SweepStoreError(self.path, "another sweep is writing to this directory "
                                      "right now") from None
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    @property
    def manifest(self) -> dict[str, Any]:
        """The manifest, as written when the sweep was created (plus resume records)."""
        return self._manifest

    def update_manifest(self, **fields: Any) -> None:
        """Rewrite manifest.json atomically with ``fields`` set."""
        self._manifest = {**self._manifest, **jsonable(fields)}
        _write_text(json.dumps(self._manifest, indent=2) + "\n", self.path / MANIFEST)

    def design(self) -> pd.DataFrame:
        """The design table: point, factor columns (and ``varied`` for OFAT)."""
        return pq.read_table(self.path / DESIGN).to_pandas()

    def samples(self) -> np.ndarray | None:
        """The raw sampler matrix in point order, or None."""
        p = self.path / SAMPLES
        return np.load(p, allow_pickle=False) if p.is_file() else None

    @property
    def timeseries(self) -> str:
        """Which series the sweep keeps: none, summary (yearly means) or monthly."""
        return self._manifest.get("timeseries", "none")

    # ---------------------------------------------------------------- writing chunks
    def _factor_types(self) -> pa.Schema:
        if self._design_schema is None:
            self._design_schema = pq.read_schema(self.path / DESIGN)
        return self._design_schema

    def _typed_runs(self, runs: pa.Table) -> pa.Table:
        """Cast the factor columns of a runs table to the design table's types."""
        schema = self._factor_types()
        for i, name in enumerate(runs.column_names):
            if name in schema.names and name not in ID_COLUMNS:
                typ = schema.field(name).type
                if runs.schema.field(name).type != typ:
                    runs = runs.set_column(i, pa.field(name, typ), runs[name].cast(typ))
        return runs

    def write_chunk(self, result: ChunkResult) -> None:
        """Write one chunk's tables atomically; the runs file last marks it complete."""
        name = chunk_name(result.chunk_id)
        if self.timeseries != "none":
            if result.series is None:
                raise ValueError(f"chunk {result.chunk_id} has no series table")
            write_parquet(result.series, self.path / "series" / name)
        write_parquet(result.outcomes, self.path / "outcomes" / name)
        write_parquet(self._typed_runs(result.runs), self.path / "runs" / name)

    # ---------------------------------------------------------------- completion
    def _remove_temp_files(self) -> list[Path]:
        removed = []
        for folder in (self.path, *(self.path / t for t in TABLES)):
            if folder.is_dir():
                for p in folder.glob(".*.tmp"):
                    p.unlink(missing_ok=True)
                    removed.append(p)
        return removed

    def _chunk_complete(self, chunk_id: int, expected: range) -> bool:
        name = chunk_name(chunk_id)
        try:
            runs = pq.read_table(self.path / "runs" / name)
            ids = runs.column("run_id").to_pylist()
            status = runs.column("status").to_pylist()
            if ids != list(expected) or not set(status) <= {"ok", "failed"}:
                return False
            ok = [i for i, s in zip(ids, status, strict=True) if s == "ok"]
            outcomes = pq.read_table(self.path / "outcomes" / name)
            if outcomes.column("run_id").to_pylist() != ok:
                return False
            if self.timeseries != "none":
                series = pq.read_table(self.path / "series" / name)
                if not set(series.column("run_id").to_pylist()) <= set(ok):
                    return False
        except (OSError, KeyError, pa.ArrowException):
            return False
        return True

    def _remove_chunk(self, chunk_id: int) -> None:
        # Runs first: without its runs file a chunk is incomplete even if a crash stops us.
        for table in TABLES:
            (self.path / table / chunk_name(chunk_id)).unlink(missing_ok=True)

    def completed_chunks(self, n_chunks: int, chunk_size: int, n_runs: int) -> set[int]:
        """Chunks whose files are complete and consistent; delete everything else.

        A runs file must hold exactly the chunk's run_ids, the outcomes file exactly its ok
        runs, and the series file (when kept) only ok runs. Partial or corrupt chunk files,
        files of chunks beyond ``n_chunks`` and stray temporary files are removed, so those
        chunks run again.
        """
        self._remove_temp_files()
        done = set()
        for c in range(n_chunks):
            expected = range(c * chunk_size, min((c + 1) * chunk_size, n_runs))
            if self._chunk_complete(c, expected):
                done.add(c)
            else:
                self._remove_chunk(c)
        for table in TABLES:
            for p in (self.path / table).glob("chunk-*.parquet"):
                cid = _chunk_id(p)
                if cid is not None and cid >= n_chunks:
                    p.unlink(missing_ok=True)
        return done

    # ---------------------------------------------------------------- reading
    def chunk_files(self, table: str) -> list[Path]:
        """The chunk files of ``table`` (runs, outcomes or series), in chunk order."""
        if table not in TABLES:
            raise ValueError(f"table must be one of {TABLES}, got {table!r}")
        return sorted(p for p in (self.path / table).glob("chunk-*.parquet")
                      if _chunk_id(p) is not None)

    def dataset(self, table: str) -> ds.Dataset:
        """A streaming ``pyarrow.dataset`` over the chunk files of ``table``.

        The schema is the union of the chunk schemas, so a chunk whose runs all failed (no
        outcome columns) reads as nulls in those columns.
        """
        files = self.chunk_files(table)
        if files:
            schema = pa.unify_schemas([pq.read_schema(f) for f in files],
                                      promote_options="permissive")
        else:
            schema = pa.schema([pa.field(k, pa.int64()) for k in ID_COLUMNS])
        return ds.dataset([str(f) for f in files], format="parquet", schema=schema)

    def runs(self) -> ds.Dataset:
        """Dataset of the runs table (one row per finished run, ok or failed)."""
        return self.dataset("runs")

    def outcomes(self) -> ds.Dataset:
        """Dataset of the outcomes table (one row per ok run)."""
        return self.dataset("outcomes")

    def series(self) -> ds.Dataset | None:
        """Dataset of the series table, or None when the sweep keeps no series."""
        return None if self.timeseries == "none" else self.dataset("series")

    def read_table(self, table: str, columns: list[str] | None = None,
                   filter: pc.Expression | None = None) -> pa.Table:
        """``table`` read into memory, sorted by run_id (and month or year)."""
        data = self.dataset(table).to_table(columns=columns, filter=filter)
        keys = [k for k in ("run_id", "month", "year") if k in data.column_names]
        return data.sort_by([(k, "ascending") for k in keys]) if keys else data

    def to_pandas(self, table: str, columns: list[str] | None = None,
                  filter: pc.Expression | None = None) -> pd.DataFrame:
        """``read_table`` as a pandas DataFrame (for sweeps of modest size)."""
        return self.read_table(table, columns, filter).to_pandas()

    def counts(self) -> dict[str, int]:
        """Runs finished so far: ``{"done", "ok", "failed"}``."""
        runs = self.runs()
        done = runs.count_rows()
        failed = runs.count_rows(filter=pc.field("status") == "failed") if done else 0
        return {"done": done, "ok": done - failed, "failed": failed}
