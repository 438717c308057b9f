"""Sweep directories for the analysis tests, in the store's layout.

``write_sweep`` builds a sweep directory (manifest.json, design.parquet, samples.npy, runs/
outcomes/ series/ chunk files) by evaluating a reference function over a design made with
SALib or scipy directly, so the tests pin the file format the analysis reads as well as the
numbers it produces.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from matplotlib.image import imread
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample

N_BOOT = 200
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def write_sweep(path: Path, kind: str, design: pd.DataFrame, f: Callable, *,
                problem: dict | None = None, samples: np.ndarray | None = None,
                options: dict | None = None, replicates: int = 1, seed: int = 7,
                crn: bool = True, chunks: int = 2, fail: Iterable[int] = (),
                noise: float = 0.0, series: bool = False,
                bogus_failed_outcomes: bool = False) -> Path:
    """Evaluate ``f`` over ``design`` x replicates and write a sweep directory.

    Seeds follow the brief: with CRN replicate r uses ``root.spawn(R)[r]``; without,
    ``root.spawn(P)[p].spawn(R)[r]``. Run ids in ``fail`` become failure rows.
    ``bogus_failed_outcomes`` also writes an outcome row for each failed run, which the
    analysis must ignore.
    """
    path.mkdir(parents=True)
    fail = set(fail)
    factors = [c for c in design.columns if c not in ("point", "varied")]
    n_points = len(design)
    n_runs = n_points * replicates
    chunk_size = math.ceil(n_runs / chunks)
    root = np.random.SeedSequence(seed)
    per_point = None if crn else root.spawn(n_points)
    shared = root.spawn(replicates) if crn else None
    runs, outs, sers = [], [], []
    names: list[str] = []
    for p, row in enumerate(design.itertuples(index=False)):
        params = {k: getattr(row, k) if k.isidentifier() else row[design.columns.get_loc(k)]
                  for k in factors}
        params = {k: (v.item() if hasattr(v, "item") else v) for k, v in params.items()}
        kids = shared if crn else per_point[p].spawn(replicates)
        for r in range(replicates):
            run_id = p * replicates + r
            ss = kids[r]
            rebuilt = np.random.SeedSequence(ss.entropy, spawn_key=ss.spawn_key)
            ok = run_id not in fail
            base = {"run_id": run_id, "point": p, "replicate": r}
            runs.append({**base, "seed_entropy": str(ss.entropy),
                         "spawn_key": ",".join(str(k) for k in ss.spawn_key),
                         "status": "ok" if ok else "failed",
                         "error": None if ok else
                         "Traceback (most recent call last):\nValueError: boom",
                         "wall_time_s": 0.001, **params})
            if ok:
                result = f(params, np.random.default_rng(rebuilt), noise=noise)
                names = names or list(result)
                outs.append({**base, **{k: float(v) for k, v in result.items()}})
                if series:
                    for year in range(3):
                        sers.append({**base, "year": year,
                                     "level": float(result["y"]) * (year + 1)})
            elif bogus_failed_outcomes:
                outs.append({**base, "y": 1e9})
    factor_fields = [pa.field(k, pa.from_numpy_dtype(design[k].dtype)) for k in factors]
    run_schema = pa.schema([("run_id", pa.int64()), ("point", pa.int64()),
                            ("replicate", pa.int64()), ("seed_entropy", pa.string()),
                            ("spawn_key", pa.string()), ("status", pa.string()),
                            ("error", pa.string()), ("wall_time_s", pa.float64()),
                            *factor_fields])
    ids = [("run_id", pa.int64()), ("point", pa.int64()), ("replicate", pa.int64())]
    out_schema = pa.schema([*ids, *[(n, pa.float64()) for n in names]])
    ser_schema = pa.schema([*ids, ("year", pa.int64()), ("level", pa.float64())])
    folders = [("outcomes", outs, out_schema), ("runs", runs, run_schema)]
    if series:
        folders.insert(0, ("series", sers, ser_schema))
    for c in range(math.ceil(n_runs / chunk_size)):
        lo, hi = c * chunk_size, (c + 1) * chunk_size
        for folder, rows, schema in folders:   # runs/ last, as the store does
            (path / folder).mkdir(exist_ok=True)
            part = [x for x in rows if lo <= x["run_id"] < hi]
            table = pa.Table.from_pylist(part, schema=schema)
            pq.write_table(table, path / folder / f"chunk-{c:06d}.parquet")
    design.to_parquet(path / "design.parquet", index=False)
    if samples is not None:
        np.save(path / "samples.npy", samples)
    manifest = {
        "format": 1,
        "study": {"name": f"test_{kind}", "description": f"A {kind} test study.",
                  "replicates": replicates, "seed": seed,
                  "design": {"kind": kind, **(options or {})}},
        "study_file": f"/tmp/test_{kind}.toml", "base": None,
        "design": {"kind": kind, "factors": factors, "problem": problem,
                   "options": options or {}},
        "root_seed": seed, "crn": crn, "replicates": replicates, "n_points": n_points,
        "n_runs": n_runs, "chunk_size": chunk_size,
        "n_chunks": math.ceil(n_runs / chunk_size), "outcomes": None,
        "timeseries": "summary" if series else "none",
        "model": f"experiments.reference:{f.__name__}",
        "versions": {"python": "3.13"}, "git_revision": None,
        "created": "2026-01-01T00:00:00Z",
    }
    (path / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return path


def salib_design(samples: np.ndarray, problem: dict) -> pd.DataFrame:
    table = pd.DataFrame(samples, columns=problem["names"])
    table.insert(0, "point", np.arange(len(table), dtype=np.int64))
    return table


def sobol_sweep(path: Path, f: Callable, problem: dict, n: int, second_order: bool = False,
                **kw) -> Path:
    x = sobol_sample.sample(problem, n, calc_second_order=second_order, seed=3)
    return write_sweep(path, "sobol", salib_design(x, problem), f, problem=problem, samples=x,
                       options={"N": n, "second_order": second_order}, **kw)


def morris_sweep(path: Path, f: Callable, problem: dict, r: int, levels: int = 4,
                 **kw) -> Path:
    x = morris_sample.sample(problem, r, num_levels=levels, seed=5)
    return write_sweep(path, "morris", salib_design(x, problem), f, problem=problem,
                       samples=x, options={"N": r, "levels": levels}, **kw)


def ofat_design(problem: dict, points: int = 5) -> pd.DataFrame:
    base = {n: (lo + hi) / 2 for n, (lo, hi) in zip(problem["names"], problem["bounds"],
                                                    strict=True)}
    rows = [{**base, "varied": "base"}]
    for n, (lo, hi) in zip(problem["names"], problem["bounds"], strict=True):
        for v in np.linspace(lo, hi, points):
            if v != base[n]:
                rows.append({**base, n: float(v), "varied": n})
    table = pd.DataFrame(rows)
    table.insert(0, "point", np.arange(len(table), dtype=np.int64))
    return table


def png_ok(path: Path) -> bool:
    if path.read_bytes()[:8] != PNG_MAGIC:
        return False
    img = imread(path)
    return img.shape[0] > 50 and img.shape[1] > 50 and float(img[..., :3].std()) > 0.01
