"""Reading a sweep directory: complete chunks only, missing outcome columns, series."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from experiments import reference as ref
from experiments.analysis.driver import analyze
from experiments.analysis.sweep import load_sweep
from experiments.store import SweepStoreError

from .sweeps import N_BOOT, sobol_sweep


def test_incomplete_chunk_is_ignored(tmp_path: Path) -> None:
    d = sobol_sweep(tmp_path / "i", ref.ishigami, ref.ISHIGAMI_PROBLEM, 16, chunks=2)
    (d / "runs" / "chunk-000001.parquet").unlink()       # killed before runs/ was written
    (d / "outcomes" / "chunk-000001.parquet.tmp").write_bytes(b"partial")
    with pytest.raises(SweepStoreError, match=r"chunk 1 missing.*--allow-incomplete"):
        load_sweep(d)
    sweep = load_sweep(d, allow_incomplete=True)
    assert len(sweep.runs) == 40 and sweep.outcomes["run_id"].max() == 39
    assert sweep.bad_chunks == {1: "missing"} and len(sweep.incomplete) == 40
    written = analyze(d, tmp_path / "out", n_boot=N_BOOT, allow_incomplete=True)
    summary = written["summary.md"].read_text()
    assert "Incomplete sweep" in summary and "40 runs not recorded" in summary
    assert "Chunk 1 left out:** missing" in summary and "Incomplete point 79:" in summary
    assert "sobol.csv" not in written


def test_chunk_without_outcome_columns(tmp_path: Path) -> None:
    d = sobol_sweep(tmp_path / "c", ref.ishigami, ref.ISHIGAMI_PROBLEM, 8, chunks=2,
                    fail=range(20))
    # a worker whose runs all failed may not know the outcome names: ids only
    ids = pa.schema([("run_id", pa.int64()), ("point", pa.int64()), ("replicate", pa.int64())])
    pq.write_table(ids.empty_table(), d / "outcomes" / "chunk-000000.parquet")
    sweep = load_sweep(d)
    assert sweep.outcome_names == ["y"] and len(sweep.outcomes) == 20


def test_series_are_read_lazily(tmp_path: Path) -> None:
    d = sobol_sweep(tmp_path / "s", ref.linear, ref.LINEAR_PROBLEM, 8, series=True, fail={3})
    sweep = load_sweep(d)
    s = sweep.series(["level"])
    assert list(s.columns) == ["run_id", "point", "replicate", "level"]
    assert len(s) == 3 * (len(sweep.design) - 1) and 3 not in set(s["run_id"])
    assert load_sweep(sobol_sweep(tmp_path / "n", ref.linear, ref.LINEAR_PROBLEM,
                                  8)).series() is None
