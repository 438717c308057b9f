"""Reading a sweep directory into plain tables.

The directory is read directly with pyarrow (``manifest.json``, ``design.parquet``,
``samples.npy`` and the ``runs/``, ``outcomes/`` and ``series/`` chunk files), streaming
only the needed columns. Every chunk is verified first (``SweepStore.verify``: sha256
against ``index/``, or by structure for sweeps written before the index existed); a sweep
with missing or edited chunks is refused, naming them and the design points they leave
incomplete, unless ``allow_incomplete`` reads what is there and marks those points. Outcome
rows are kept only for runs with status ``ok``. Outcome names come from the outcomes table,
so any model function can be analysed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from experiments.analysis.common import ID_COLUMNS
from experiments.store import SweepStore, SweepStoreError, chunk_name

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
        bad_chunks: Chunks left out because they are missing, incomplete or edited, with
            what is wrong (empty unless read with ``allow_incomplete``).
        incomplete: Design points with fewer recorded runs than replicates: point,
            recorded, expected (empty for a complete sweep).
        checked_by: How chunks were verified: "sha256", or "structure" for a sweep written
            before chunk checksums existed.
    """

    path: Path
    manifest: dict
    design: pd.DataFrame
    samples: np.ndarray | None
    runs: pd.DataFrame
    outcomes: pd.DataFrame
    bad_chunks: dict[int, str] = field(default_factory=dict)
    incomplete: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        {"point": [], "recorded": [], "expected": []}, dtype="int64"))
    checked_by: str = "sha256"

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
        names = _complete_chunks(self.manifest, self.bad_chunks)
        cols = None if columns is None else [*ID_COLUMNS, *[c for c in columns
                                                             if c not in ID_COLUMNS]]
        table = _read_chunks(folder, names, cols)
        ok = set(self.runs.loc[self.runs["status"] == "ok", "run_id"])
        return table[table["run_id"].isin(ok)].reset_index(drop=True)


def load_sweep(sweep_dir: Path | str, allow_incomplete: bool = False) -> Sweep:
    """Read a sweep directory: manifest, design, samples, runs and outcomes.

    Every chunk is verified first. Outcome rows are kept only for runs with status ``ok``.

    Args:
        sweep_dir: The sweep directory.
        allow_incomplete: Read the verified chunks of a sweep with missing or edited ones,
            listing them in ``bad_chunks`` and the points they leave short in
            ``incomplete``, instead of refusing.

    Raises:
        SweepStoreError: not a sweep, a damaged manifest, a missing folder or design file,
            or (without ``allow_incomplete``) missing or edited chunks; the message says
            what ``consortium sweep --resume`` would do about it.
    """
    path = Path(sweep_dir)
    store = SweepStore(path)
    manifest = store.manifest
    resume = store.resume_command()
    gone = [name for name in store.missing_folders() if name != "index"]
    if gone:
        raise SweepStoreError(path, f"the {', '.join(f'{g}/' for g in gone)} folder"
                              f"{'s are' if len(gone) > 1 else ' is'} missing, so every chunk "
                              f"is lost; {resume} recreates {'them' if len(gone) > 1 else 'it'}"
                              f" and runs all {manifest['n_runs']} runs again")
    design = store.design().sort_values("point").reset_index(drop=True)
    try:
        samples = store.samples()
    except (OSError, ValueError) as exc:
        raise SweepStoreError(path, f"samples.npy is unreadable ({exc}); {resume} rebuilds "
                              "it from the study and runs nothing again") from None
    bad = store.verify()
    names = _complete_chunks(manifest, bad)
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
    incomplete = _incomplete_points(design, runs, int(manifest.get("replicates") or 0))
    if bad and not allow_incomplete:
        raise SweepStoreError(path, f"{_describe(bad, manifest)}; {_describe_points(incomplete)}"
                              f". {resume} runs those chunks again; or analyse what is there "
                              "with 'consortium analyze --allow-incomplete', which marks the "
                              "incomplete points")
    return Sweep(path, manifest, design, samples, runs, outcomes, bad, incomplete,
                 "sha256" if store.checksums else "structure")


def _incomplete_points(design: pd.DataFrame, runs: pd.DataFrame,
                       replicates: int) -> pd.DataFrame:
    """Design points with fewer recorded runs (ok or failed) than ``replicates``."""
    counts = runs.groupby("point").size() if len(runs) else pd.Series(dtype="int64")
    recorded = counts.reindex(design["point"].to_numpy(), fill_value=0).astype("int64")
    short = recorded[recorded < replicates]
    return pd.DataFrame({"point": short.index.to_numpy(dtype="int64"),
                         "recorded": short.to_numpy(dtype="int64"),
                         "expected": np.full(len(short), replicates, dtype="int64")})


def _describe(bad: dict[int, str], manifest: dict) -> str:
    """``2 of 40 chunks are missing or edited: chunk 3 missing; chunk 9 ...``."""
    parts = [f"chunk {c} {why}" for c, why in sorted(bad.items())[:10]]
    more = f"; and {len(bad) - 10} more" if len(bad) > 10 else ""
    n_chunks = -(-int(manifest["n_runs"]) // int(manifest["chunk_size"]))
    return f"{len(bad)} of {n_chunks} chunks are missing or edited: {'; '.join(parts)}{more}"


def _describe_points(incomplete: pd.DataFrame) -> str:
    """``points 3 (2 of 5 runs), 4 (0 of 5 runs) are incomplete``."""
    if not len(incomplete):
        return "no design point is short of runs"
    rows = list(incomplete.itertuples(index=False))
    parts = [f"{r.point} ({r.recorded} of {r.expected} runs)" for r in rows[:10]]
    more = f" and {len(rows) - 10} more" if len(rows) > 10 else ""
    noun = "point" if len(rows) == 1 else "points"
    verb = "is" if len(rows) == 1 else "are"
    return f"design {noun} {', '.join(parts)}{more} {verb} incomplete"


def design_info(manifest: dict) -> dict:
    """The manifest's ``design`` entry, its kind taken from the study file if missing."""
    design = manifest.get("design") or {}
    if not design.get("kind"):
        study_design = (manifest.get("study") or {}).get("design") or {}
        design = {**design, "kind": study_design.get("kind", "unknown")}
    return design


def _complete_chunks(manifest: dict, bad: dict[int, str]) -> list[str]:
    """File names of the sweep's chunks that passed verification, in order."""
    n_chunks = -(-int(manifest["n_runs"]) // int(manifest["chunk_size"]))
    return [chunk_name(c) for c in range(n_chunks) if c not in bad]


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
