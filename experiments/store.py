"""The sweep directory: manifest, design, and Parquet tables written chunk by chunk.

Layout (one directory per sweep)::

    manifest.json                  study, design, seeds, versions, git revision
    design.parquet                 point + factor columns (+ varied for ofat)
    samples.npy                    the raw sampler matrix, when the design has one
    runs/chunk-000000.parquet      run_id, point, replicate, seed_entropy, spawn_key,
                                   status, error, wall_time_s, factor columns
    outcomes/chunk-000000.parquet  run_id, point, replicate, one float64 column per outcome
    series/chunk-000000.parquet    run_id, point, replicate, month or year, one column per series
    index/chunk-000000.json        sha256 and size of each of the chunk's files

Each chunk file is written to a temporary file in its folder and moved into place with
``os.replace``; the runs file goes after the others and the index record last, so a chunk is
complete exactly when its index record exists, every file matches its checksum, the runs
file holds the chunk's run_ids and the other files agree with it. Anything else is deleted
on resume and the chunk is run again. Sweeps written before the index existed (no
``checksums`` in the manifest) are checked by structure alone. The lock file ``.lock`` is
the first thing a new sweep creates, so two sweeps started into one directory cannot mix.
Parquet files are written with fixed options and no schema metadata, so equal tables give
equal files. Readers stream through ``pyarrow.dataset`` (as the tool survey recommends:
partitioned Parquet, queried with pyarrow, pandas or DuckDB); nothing here holds a whole
sweep in memory.
"""

from __future__ import annotations

import errno
import json
import math
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from experiments.provenance import (  # noqa: F401 - importable from here for callers
    PROJECT_ROOT,
    VERSIONED,
    _git,
    git_revision,
    package_versions,
    probe_write,
    sha256_file,
)
from experiments.worker import ID_COLUMNS, ChunkResult, factor_array
from sim.scenario import exists, is_file

FORMAT = 1
TABLES = ("runs", "outcomes", "series")
MANIFEST = "manifest.json"
DESIGN = "design.parquet"
SAMPLES = "samples.npy"
LOCK = ".lock"
INDEX = "index"
CHECKSUMS = "sha256"
# Files and folders a new sweep makes before its manifest; a directory holding only these
# is a sweep whose creation was cut short (full disk, kill -9) and may be made again.
CREATED_FIRST = (LOCK, DESIGN, SAMPLES, *TABLES, INDEX)
WRITE_ERRNOS = (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EIO)
PARQUET_OPTIONS = {"compression": "zstd", "compression_level": 3, "version": "2.6",
                   "data_page_version": "1.0", "use_dictionary": True,
                   "write_statistics": True}


class SweepStoreError(ValueError):
    """A sweep directory that cannot be used: which directory, what is wrong (bad input)."""

    def __init__(self, path: str | Path, problem: str):
        self.path, self.problem = str(path), problem
        super().__init__(f"{self.path}: {problem}")


class SweepWriteError(SweepStoreError):
    """The sweep directory could not be written (full disk, read-only, no permission).

    Finished chunks are kept; ``--resume`` continues once the directory is writable again.
    """


@contextmanager
def writes_to(path: str | Path, what: str) -> Iterator[None]:
    """Turn an ``OSError`` raised while writing ``what`` into a :class:`SweepWriteError`."""
    try:
        yield
    except OSError as exc:
        reason = exc.strerror or str(exc)
        where = f" ({exc.filename})" if exc.filename else ""
        raise SweepWriteError(path, f"cannot write {what}: {reason}{where}") from None


def check_writable(path: Path) -> None:
    """Write-probe ``path`` and its table folders; a SweepWriteError names one that fails."""
    for folder in (path, *(path / name for name in (*TABLES, INDEX))):
        if folder.is_dir():
            with writes_to(path, f"to {folder}"):
                probe_write(folder)


@contextmanager
def lock_directory(path: Path) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``path/.lock``, creating ``path`` if need be.

    The lock goes with the process, so a killed sweep never leaves it behind. A second
    holder fails at once with a SweepStoreError.
    """
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock
        yield
        return
    with writes_to(path, "the lock file"):
        path.mkdir(parents=True, exist_ok=True)
        fh = (path / LOCK).open("a")
    with fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SweepStoreError(path, "another sweep is writing to this directory right "
                                  "now; wait for it, or choose another --out") from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def half_made(path: Path) -> bool:
    """Whether ``path`` holds only what a sweep creates before its manifest, and no chunk."""
    if not path.is_dir() or (path / MANIFEST).exists():
        return False
    for entry in path.iterdir():
        if entry.name.endswith(".tmp"):
            continue
        if entry.name not in CREATED_FIRST:
            return False
        if entry.is_dir() and any(not p.name.endswith(".tmp") for p in entry.iterdir()):
            return False
    return True


def clear_half_made(path: Path) -> None:
    """Remove what a cut-short sweep creation left in ``path`` (keeps ``.lock``)."""
    for entry in path.iterdir():
        if entry.name == LOCK:
            continue
        if entry.is_dir():
            shutil.rmtree(entry)
        else:
            entry.unlink(missing_ok=True)


def file_digest(path: Path) -> dict[str, Any]:
    """``{"sha256": hex digest, "bytes": size}`` of a file."""
    return {CHECKSUMS: sha256_file(path), "bytes": path.stat().st_size}


def check_manifest(path: Path, manifest: Any) -> None:
    """Raise SweepStoreError naming the first key of ``manifest`` a sweep cannot use."""
    if not isinstance(manifest, dict):
        raise SweepStoreError(path, f"manifest.json holds {type(manifest).__name__}, not a "
                              f"JSON object; {_NOT_REBUILT}")
    if manifest.get("format") != FORMAT:
        raise SweepStoreError(path, f"unknown sweep format {manifest.get('format')!r} "
                              f"(expected {FORMAT})")
    for key, least in (("chunk_size", 1), ("n_runs", 0)):
        value = manifest.get(key)
        if value is None:
            raise SweepStoreError(path, f"manifest.json has no {key}; {_NOT_REBUILT}")
        if not isinstance(value, int) or isinstance(value, bool) or value < least:
            raise SweepStoreError(path, f"manifest.json: {key} must be a whole number >= "
                                  f"{least}, got {value!r}; {_NOT_REBUILT}")
    n_chunks = -(-manifest["n_runs"] // manifest["chunk_size"])
    if manifest.get("n_chunks", n_chunks) != n_chunks:
        raise SweepStoreError(path, f"manifest.json: n_chunks is {manifest['n_chunks']!r} but "
                              f"{manifest['n_runs']} runs in chunks of "
                              f"{manifest['chunk_size']} make {n_chunks}; {_NOT_REBUILT}")
    if manifest.get("timeseries", "none") not in ("none", "summary", "monthly"):
        raise SweepStoreError(path, f"manifest.json: timeseries {manifest['timeseries']!r} "
                              f"is not none, summary or monthly; {_NOT_REBUILT}")


_NOT_REBUILT = ("the manifest is the sweep's record and cannot be rebuilt from the other "
                "files: restore it, or run the study again into another --out")


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
        if not is_file(self.path / MANIFEST):
            what = "does not exist" if not exists(self.path) else "has no manifest.json"
            raise SweepStoreError(self.path, f"not a sweep directory ({what})")
        try:
            self._manifest = json.loads((self.path / MANIFEST).read_text())
        except (OSError, ValueError) as exc:
            raise SweepStoreError(self.path, f"unreadable manifest.json: {exc}; "
                                  f"{_NOT_REBUILT}") from None
        check_manifest(self.path, self._manifest)
        self._design_schema: pa.Schema | None = None

    @classmethod
    def create(cls, path: str | Path, manifest: Mapping[str, Any], design: pd.DataFrame,
               samples: np.ndarray | None = None) -> SweepStore:
        """Create a sweep directory; ``path`` must not exist or hold only its ``.lock``.

        Writes design.parquet, samples.npy (when given), the table and index folders and,
        last, manifest.json, adding ``format``, ``checksums``, ``versions``,
        ``git_revision``, ``git_dirty`` and ``created``. Should writing fail (a full disk),
        what was made is removed again, so the directory can be used by a later sweep.
        """
        path = Path(path)
        if path.exists() and (not path.is_dir()
                              or any(p.name != LOCK for p in path.iterdir())):
            raise SweepStoreError(path, "exists and is not empty")
        made = not path.exists()
        keep_series = manifest.get("timeseries", "none") != "none"
        git = git_revision()
        full = {"format": FORMAT, **manifest, "checksums": CHECKSUMS,
                "versions": package_versions(), "git_revision": git["revision"],
                "git_dirty": git["dirty"],
                "created": datetime.now(UTC).isoformat(timespec="seconds")}
        try:
            with writes_to(path, "the new sweep"):
                path.mkdir(parents=True, exist_ok=True)
                for name in (*(TABLES if keep_series else TABLES[:2]), INDEX):
                    (path / name).mkdir(exist_ok=True)
                write_parquet(design_arrow(design), path / DESIGN)
                if samples is not None:
                    np.save(path / SAMPLES, np.asarray(samples), allow_pickle=False)
                _write_text(json.dumps(jsonable(full), indent=2) + "\n", path / MANIFEST)
        except BaseException:
            if made:
                shutil.rmtree(path, ignore_errors=True)
            elif path.is_dir():
                clear_half_made(path)
            raise
        return cls(path)

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold an exclusive lock on the directory while a sweep writes to it.

        A second ``consortium sweep --resume`` on the same directory would delete the first
        one's temporary files; it fails instead (:func:`lock_directory`).
        """
        with lock_directory(self.path):
            yield

    @property
    def manifest(self) -> dict[str, Any]:
        """The manifest, as written when the sweep was created (plus resume records)."""
        return self._manifest

    def update_manifest(self, **fields: Any) -> None:
        """Rewrite manifest.json atomically with ``fields`` set."""
        self._manifest = {**self._manifest, **jsonable(fields)}
        _write_text(json.dumps(self._manifest, indent=2) + "\n", self.path / MANIFEST)

    def design(self) -> pd.DataFrame:
        """The design table: point, factor columns (and ``varied`` for OFAT).

        Raises:
            SweepStoreError: design.parquet is missing or unreadable; the message says that
                ``--resume`` rebuilds it from the study.
        """
        try:
            return pq.read_table(self.path / DESIGN).to_pandas()
        except (OSError, pa.ArrowException) as exc:
            what = ("is missing" if not (self.path / DESIGN).exists()
                    else f"is unreadable ({exc})")
            raise SweepStoreError(self.path, f"design.parquet {what}; "
                                  f"{self.resume_command()} rebuilds it from the study "
                                  "recorded in the manifest and runs nothing again") from None

    def resume_command(self) -> str:
        """The command that finishes or repairs this sweep."""
        study = self._manifest.get("study_file") or "STUDY"
        return f"'consortium sweep {study} --resume --out {self.path}'"

    @property
    def checksums(self) -> bool:
        """Whether the sweep records a sha256 per chunk file (``index/``)."""
        return self._manifest.get("checksums") == CHECKSUMS

    def missing_folders(self) -> list[str]:
        """Table (and index) folders the sweep should have but that are gone."""
        wanted = [*(TABLES if self.timeseries != "none" else TABLES[:2])]
        if self.checksums:
            wanted.append(INDEX)
        return [name for name in wanted if not (self.path / name).is_dir()]

    def repair(self, design: pd.DataFrame, samples: np.ndarray | None) -> list[str]:
        """Recreate what can be rebuilt: lost folders and the design files; say what was done.

        ``design`` and ``samples`` must come from the unchanged study (the caller compares
        the study with the manifest, which holds the design matrix, first).
        """
        done = []
        with writes_to(self.path, "the repaired sweep"):
            for name in self.missing_folders():
                (self.path / name).mkdir()
                done.append(f"recreated the missing {name}/ folder (its chunks run again)")
            try:
                pq.read_table(self.path / DESIGN)
            except (OSError, pa.ArrowException):
                write_parquet(design_arrow(design), self.path / DESIGN)
                done.append("rebuilt design.parquet from the study")
            if samples is not None:
                try:
                    np.load(self.path / SAMPLES, allow_pickle=False)
                except (OSError, ValueError):
                    np.save(self.path / SAMPLES, np.asarray(samples), allow_pickle=False)
                    done.append("rebuilt samples.npy from the study")
        return done

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
        """Write one chunk's tables atomically; the runs file, then its index record, last.

        Raises:
            SweepWriteError: the directory cannot be written (full disk, read-only).
        """
        name = chunk_name(result.chunk_id)
        with writes_to(self.path, f"chunk {result.chunk_id}"):
            if self.timeseries != "none":
                if result.series is None:
                    raise ValueError(f"chunk {result.chunk_id} has no series table")
                write_parquet(result.series, self.path / "series" / name)
            write_parquet(result.outcomes, self.path / "outcomes" / name)
            write_parquet(self._typed_runs(result.runs), self.path / "runs" / name)
            if self.checksums:
                self._write_index(result.chunk_id)

    def _write_index(self, chunk_id: int) -> None:
        name = chunk_name(chunk_id)
        record = {"chunk": chunk_id,
                  "files": {t: file_digest(self.path / t / name) for t in self._tables()}}
        _write_text(json.dumps(record, indent=1) + "\n", self._index(chunk_id))

    def _tables(self) -> tuple[str, ...]:
        return TABLES if self.timeseries != "none" else TABLES[:2]

    def _index(self, chunk_id: int) -> Path:
        return self.path / INDEX / chunk_name(chunk_id).replace(".parquet", ".json")

    def chunk_problem(self, chunk_id: int, expected: range,
                      tables_agree: bool = True) -> str | None:
        """What is wrong with a chunk's files (None when complete and consistent).

        A chunk is missing without its runs file; with checksums, a file that differs from
        its index record is edited. The runs file must hold exactly the chunk's run_ids and,
        with ``tables_agree``, the outcomes file exactly its ok runs and the series file
        only ok runs. A chunk whose index record is missing (a stop between the runs file
        and its record) is checked by structure, with ``tables_agree``.
        """
        name = chunk_name(chunk_id)
        if not (self.path / "runs" / name).is_file():
            return "missing"
        if self.checksums and self._index(chunk_id).is_file():
            try:
                record = json.loads(self._index(chunk_id).read_text())
                files = record["files"]
            except (OSError, ValueError, KeyError, TypeError):
                return "has an unreadable checksum record"
            for table in self._tables():
                path = self.path / table / name
                if not path.is_file():
                    return f"{table} file is missing"
                if not isinstance(files, dict) or file_digest(path) != files.get(table):
                    return f"{table} file differs from its checksum (edited or truncated)"
        elif self.checksums:
            tables_agree = True
        if not self._chunk_complete(chunk_id, expected, tables_agree):
            return "is incomplete or edited (its tables do not agree)"
        return None

    # ---------------------------------------------------------------- completion
    def _remove_temp_files(self) -> list[Path]:
        removed = []
        for folder in (self.path, *(self.path / t for t in (*TABLES, INDEX))):
            if folder.is_dir():
                for p in folder.glob(".*.tmp"):
                    p.unlink(missing_ok=True)
                    removed.append(p)
        return removed

    def _chunk_complete(self, chunk_id: int, expected: range,
                        tables_agree: bool = True) -> bool:
        name = chunk_name(chunk_id)
        try:
            runs = pq.read_table(self.path / "runs" / name, columns=["run_id", "status"])
            ids = runs.column("run_id").to_pylist()
            status = runs.column("status").to_pylist()
            if ids != list(expected) or not set(status) <= {"ok", "failed"}:
                return False
            if not tables_agree:
                return True
            ok = [i for i, s in zip(ids, status, strict=True) if s == "ok"]
            outcomes = pq.read_table(self.path / "outcomes" / name, columns=["run_id"])
            if outcomes.column("run_id").to_pylist() != ok:
                return False
            if self.timeseries != "none":
                series = pq.read_table(self.path / "series" / name, columns=["run_id"])
                if not set(series.column("run_id").to_pylist()) <= set(ok):
                    return False
        except (OSError, KeyError, pa.ArrowException):
            return False
        return True

    def _remove_chunk(self, chunk_id: int) -> None:
        # Index and runs first: without them a chunk is incomplete even if a crash stops us.
        self._index(chunk_id).unlink(missing_ok=True)
        for table in TABLES:
            (self.path / table / chunk_name(chunk_id)).unlink(missing_ok=True)

    def completed_chunks(self, n_chunks: int, chunk_size: int, n_runs: int) -> set[int]:
        """Chunks whose files are complete and consistent; delete everything else.

        A runs file must hold exactly the chunk's run_ids, the outcomes file exactly its ok
        runs, and the series file (when kept) only ok runs; with checksums, every file
        must also match its index record. Partial, corrupt or edited chunk files, files of
        chunks beyond ``n_chunks`` and stray temporary files are removed, so those chunks
        run again; ``self.redone`` maps each chunk that had files to what was wrong.
        """
        self._remove_temp_files()
        done = set()
        self.redone: dict[int, str] = {}
        for c in range(n_chunks):
            expected = range(c * chunk_size, min((c + 1) * chunk_size, n_runs))
            problem = self.chunk_problem(c, expected)
            if problem is None:
                done.add(c)
                if self.checksums and not self._index(c).is_file():
                    self._write_index(c)
            else:
                if problem != "missing":
                    self.redone[c] = problem
                self._remove_chunk(c)
        for folder, pattern in [*((t, "chunk-*.parquet") for t in TABLES),
                                (INDEX, "chunk-*.json")]:
            for p in (self.path / folder).glob(pattern):
                cid = _chunk_id(p.with_suffix(".parquet"))
                if cid is not None and cid >= n_chunks:
                    p.unlink(missing_ok=True)
        return done

    def verify(self) -> dict[int, str]:
        """Chunks that are missing, incomplete or edited, with what is wrong; changes nothing.

        With checksums (``index/``) edits are found by sha256; a sweep written before the
        index existed is checked by structure alone (:attr:`checksums` says which): its runs
        file must hold the chunk's run_ids (readers ignore outcome rows of failed runs).
        """
        size, n_runs = self._manifest["chunk_size"], self._manifest["n_runs"]
        problems = {}
        for c in range(-(-n_runs // size)):
            problem = self.chunk_problem(c, range(c * size, min((c + 1) * size, n_runs)),
                                         tables_agree=False)
            if problem is not None:
                problems[c] = problem
        return problems

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
