"""Reading a sweep directory into plain tables.

The directory is read directly with pyarrow (``manifest.json``, ``design.parquet``,
``samples.npy`` and the ``runs/``, ``outcomes/`` and ``series/`` chunk files), streaming
only the needed columns. Only chunks whose ``runs`` file exists count as complete, and
outcome rows are kept only for runs with status ``ok``. Outcome names come from the
outcomes table, so any model function can be analysed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from experiments.analysis.common import ID_COLUMNS

_CHUNK = re.compile(r"chunk-\d+\.parquet")
_RUN_COLUMNS = ("run_id", "point", "replicate", "seed_entropy", "spawn_key", "status", "error",
                "wall_time_s")


@dataclass(frozen=True)
class Sweep:
    """One sweep directory read into plain tables.

    Attributes:
        path: The sweep directory.
        manifest: ``manifest.json`` as a dict.
        design: ``design.parquet``: ``point`` and one column per factor (+ ``varied``).
        samples: ``samples.npy`` (the raw sampler matrix in point order), or None.
        runs: One row per recorded run: run_id, point, replicate, seed_entropy, spawn_key,
            status, error, wall_time_s (factor columns are in ``design``).
        outcomes: One row per successful run: run_id, point, replicate, then outcomes.
    """

    path: Path
    manifest: dict
    design: pd.DataFrame
    samples: np.ndarray | None
    runs: pd.DataFrame
    outcomes: pd.DataFrame

    @property
    def kind(self) -> str:
        """Design kind: full_factorial, ofat, lhs, sobol, morris or points (else unknown)."""
        return str(design_info(self.manifest).get("kind", "unknown"))

    @property
    def factors(self) -> list[str]:
        """Factor keys in design order."""
        listed = design_info(self.manifest).get("factors")
        if listed:
            return [str(f["key"]) if isinstance(f, dict) else str(f) for f in listed]
        return [c for c in self.design.columns if c not in ("point", "varied")]

    @property
    def problem(self) -> dict | None:
        """The SALib problem dict, or None."""
        return design_info(self.manifest).get("problem")

    @property
    def options(self) -> dict:
        """Design options (N, second_order, levels, ...) with study-file fallbacks."""
        study_design = dict((self.manifest.get("study") or {}).get("design") or {})
        return {**study_design, **(design_info(self.manifest).get("options") or {})}

    @property
    def replicates(self) -> int:
        """Replicates per design point."""
        if self.manifest.get("replicates"):
            return int(self.manifest["replicates"])
        return int(self.runs["replicate"].max()) + 1 if len(self.runs) else 0

    @property
    def outcome_names(self) -> list[str]:
        """Numeric outcome columns, in table order."""
        return [c for c in self.outcomes.columns
                if c not in ID_COLUMNS and pd.api.types.is_numeric_dtype(self.outcomes[c])]

    @property
    def failed(self) -> pd.DataFrame:
        """Recorded runs whose status is not ``ok``."""
        return self.runs[self.runs["status"] != "ok"]

    def series(self, columns: Sequence[str] | None = None) -> pd.DataFrame | None:
        """Read the time-series chunks (None if the sweep kept none); ``columns`` selects."""
        folder = self.path / "series"
        if not folder.is_dir():
            return None
        names = _complete_chunks(self.path)
        cols = None if columns is None else [*ID_COLUMNS, *[c for c in columns
                                                             if c not in ID_COLUMNS]]
        table = _read_chunks(folder, names, cols)
        ok = set(self.runs.loc[self.runs["status"] == "ok", "run_id"])
        return table[table["run_id"].isin(ok)].reset_index(drop=True)


def load_sweep(sweep_dir: Path | str) -> Sweep:
    """Read a sweep directory: manifest, design, samples, runs and outcomes.

    Only chunks whose ``runs`` file exists count as complete (the store writes it last);
    files of other chunks are ignored. Outcome rows are kept only for runs with status
    ``ok``.
    """
    path = Path(sweep_dir)
    manifest_file = path / "manifest.json"
    if not manifest_file.is_file():
        raise FileNotFoundError(f"{path}: no manifest.json; is this a sweep directory?")
    manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    design = pd.read_parquet(path / "design.parquet")
    design = design.sort_values("point").reset_index(drop=True)
    samples_file = path / "samples.npy"
    samples = np.load(samples_file, allow_pickle=False) if samples_file.is_file() else None
    names = _complete_chunks(path)
    runs = _read_chunks(path / "runs", names, list(_RUN_COLUMNS))
    if "status" not in runs:
        runs["status"] = pd.Series(dtype=object)
    outcomes = _read_chunks(path / "outcomes", names)
    for col in ID_COLUMNS:
        if col not in outcomes:
            outcomes[col] = pd.Series(dtype="int64")
    ok = runs.loc[runs["status"] == "ok", "run_id"]
    outcomes = outcomes[outcomes["run_id"].isin(ok)]
    outcomes = outcomes.sort_values("run_id").reset_index(drop=True)
    return Sweep(path, manifest, design, samples, runs, outcomes)


def design_info(manifest: dict) -> dict:
    """The manifest's ``design`` entry, its kind taken from the study file if missing."""
    design = manifest.get("design") or {}
    if not design.get("kind"):
        study_design = (manifest.get("study") or {}).get("design") or {}
        design = {**design, "kind": study_design.get("kind", "unknown")}
    return design


def _complete_chunks(path: Path) -> list[str]:
    """Names of chunk files present in ``runs/`` (a chunk is complete once that exists)."""
    folder = path / "runs"
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if _CHUNK.fullmatch(p.name))


def _read_chunks(folder: Path, names: Sequence[str],
                 columns: Sequence[str] | None = None) -> pd.DataFrame:
    """Stream the named chunk files of one table with pyarrow.dataset, selecting columns.

    Schemas are unified first, so a chunk missing an outcome column (say, every run in it
    failed) reads as nulls rather than hiding the column.
    """
    files = [folder / n for n in names if (folder / n).is_file()]
    if not files:
        return pd.DataFrame({c: pd.Series(dtype="int64") for c in (columns or ID_COLUMNS)
                             if c in ID_COLUMNS})
    schema = pa.unify_schemas([pq.read_schema(f) for f in files],
                              promote_options="permissive")
    dataset = ds.dataset([str(f) for f in files], schema=schema, format="parquet")
    cols = None if columns is None else [c for c in columns if c in schema.names]
    frame = dataset.to_table(columns=cols).to_pandas()
    return frame.sort_values("run_id").reset_index(drop=True) if "run_id" in frame else frame
