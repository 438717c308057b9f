"""Response curves over time from the series a sweep keeps.

Per design point, each stored series variable is averaged over the point's successful
replicates at every month (``timeseries = "monthly"``) or year (``"summary"``: yearly means)
with a Student-t 95% interval of that mean: the response curves of ten Broeke, van Voorn &
Ligtenberg 2016 (JASSS 19(1)5), over time. The series files are read batch by batch with
``pyarrow.dataset`` and grouped with pyarrow; the per-batch counts, means and sums of squares
are merged with the pairwise update of Chan, Golub & LeVeque 1979, so a monthly sweep never
sits in memory whole.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from experiments.analysis.common import ID_COLUMNS, LEVEL, t_crit
from experiments.analysis.horizon import point_horizons
from experiments.analysis.sweep import Sweep
from experiments.store import chunk_name

TIME_COLUMNS = ("month", "year")
BAND = "t95"
BAND_TEXT = "Student-t 95% CI of the replicate mean"


def series_dataset(sweep: Sweep) -> ds.Dataset | None:
    """The series files of the chunks whose runs the sweep read, or None without series.

    Chunk c holds runs ``c * chunk_size`` up to the next chunk (the store's layout), so the
    runs read name the chunks; files of chunks left out as incomplete are not opened.
    """
    folder = sweep.path / "series"
    size = int(sweep.manifest.get("chunk_size") or 0)
    if str(sweep.manifest.get("timeseries", "none")) == "none" or not folder.is_dir() \
            or size < 1:
        return None
    chunks = np.unique(sweep.runs["run_id"].to_numpy(dtype=np.int64) // size)
    files = [folder / chunk_name(int(c)) for c in chunks
             if (folder / chunk_name(int(c))).is_file()]
    if not files:
        return None
    schema = pa.unify_schemas([pq.read_schema(f) for f in files],
                              promote_options="permissive")
    return ds.dataset([str(f) for f in files], schema=schema, format="parquet")


def time_column(names: Sequence[str]) -> str | None:
    """``month`` or ``year``: the time column of a series table, or None."""
    return next((c for c in TIME_COLUMNS if c in names), None)


def series_variables(names: Sequence[str]) -> list[str]:
    """The series variables of a series table: every column but the ids and time."""
    return [c for c in names if c not in (*ID_COLUMNS, *TIME_COLUMNS)]


def _merge(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """Two tables of (n, mean, m2) per key merged (Chan, Golub & LeVeque 1979)."""
    if a.empty or b.empty:
        return b if a.empty else a
    keys = a.index.union(b.index)
    a = a.reindex(keys, fill_value=0.0)
    b = b.reindex(keys, fill_value=0.0)
    n = a["n"] + b["n"]
    safe = n.where(n > 0, 1.0)
    delta = b["mean"] - a["mean"]
    return pd.DataFrame({"n": n, "mean": a["mean"] + delta * b["n"] / safe,
                         "m2": a["m2"] + b["m2"] + delta**2 * a["n"] * b["n"] / safe})


def _batch_moments(table: pa.Table, keys: list[str], variable: str) -> pd.DataFrame:
    """n, mean and m2 (sum of squared deviations) of one variable per key, NaN left out."""
    col = table[variable]
    col = pc.if_else(pc.is_nan(col), pa.scalar(None, pa.float64()), col)
    t = pa.table({**{k: table[k] for k in keys}, "v": col}).filter(pc.is_valid(col))
    if t.num_rows == 0:
        return pd.DataFrame(columns=["n", "mean", "m2"])
    g = t.group_by(keys).aggregate([("v", "count"), ("v", "mean"),
                                    ("v", "variance", pc.VarianceOptions(ddof=0))])
    f = g.to_pandas().set_index(keys)
    n = f["v_count"].astype(float)
    return pd.DataFrame({"n": n, "mean": f["v_mean"], "m2": f["v_variance"] * n})


def series_moments(batches: Iterable[pa.RecordBatch | pa.Table], time: str,
                   variables: Sequence[str]) -> dict[str, pd.DataFrame]:
    """Count, mean and m2 of each variable per (point, time), merged over ``batches``.

    Returns:
        Variable -> a frame indexed by (point, time) with columns n, mean, m2.
    """
    keys = ["point", time]
    acc = {v: pd.DataFrame(columns=["n", "mean", "m2"]) for v in variables}
    for batch in batches:
        table = batch if isinstance(batch, pa.Table) else pa.Table.from_batches([batch])
        for v in variables:
            if v in table.column_names:
                acc[v] = _merge(acc[v], _batch_moments(table, keys, v))
    return acc


def curves_from_moments(moments: dict[str, pd.DataFrame], key: str, time: str,
                        level: float = LEVEL) -> pd.DataFrame:
    """Mean, sd and the Student-t interval of the mean per (``key``, variable, time)."""
    frames = []
    for v, m in moments.items():
        if m.empty:
            continue
        f = m.reset_index()
        f.columns = [key, time, "n", "mean", "m2"]
        n = f["n"].to_numpy(float)
        f["sd"] = np.sqrt(f["m2"].to_numpy(float) / np.where(n > 1, n - 1, np.nan))
        half = t_crit(n, level) * f["sd"].to_numpy() / np.sqrt(n)
        f["lo"], f["hi"] = f["mean"] - half, f["mean"] + half
        f.insert(1, "variable", v)
        frames.append(f.drop(columns="m2"))
    if not frames:
        return pd.DataFrame(columns=[key, "variable", time, "n", "mean", "sd", "lo", "hi",
                                     "band"])
    out = pd.concat(frames, ignore_index=True)
    out["n"] = out["n"].astype("int64")
    out[time] = out[time].astype("int64")
    out["band"] = BAND
    return out.sort_values([key, "variable", time], kind="stable").reset_index(drop=True)


def _ok_batches(sweep: Sweep, dataset: ds.Dataset, columns: list[str],
                batch_size: int) -> Iterable[pa.RecordBatch]:
    """Record batches of ``columns`` of the sweep's successful runs."""
    ok = pa.array(sweep.runs.loc[sweep.runs["status"] == "ok", "run_id"].astype("int64"))
    return dataset.to_batches(columns=columns, filter=pc.field("run_id").isin(ok),
                              batch_size=batch_size)


def timeseries_curves(sweep: Sweep, level: float = LEVEL, batch_size: int = 65_536
                      ) -> tuple[pd.DataFrame, str] | None:
    """Per design point, each series variable's replicate mean over time with its band.

    Reads only successful runs of complete chunks, ``batch_size`` rows at a time. None when
    the sweep keeps no series.

    Returns:
        (curves, time): one row per (point, variable, time): point, variable, ``time``
        (``month`` or ``year``, counted from 0), n, mean, sd, lo, hi, band (``t95``: the
        Student-t 95% interval of the replicate mean); and the time column's name.
    """
    dataset = series_dataset(sweep)
    time = time_column(dataset.schema.names) if dataset is not None else None
    if dataset is None or time is None:
        return None
    variables = series_variables(dataset.schema.names)
    batches = _ok_batches(sweep, dataset, ["point", time, *variables], batch_size)
    return curves_from_moments(series_moments(batches, time, variables), "point", time,
                               level), time


def pooled_curves(sweep: Sweep, factor: str, level: float = LEVEL,
                  batch_size: int = 65_536) -> pd.DataFrame:
    """Each series variable's mean over time per level of ``factor``, over all its runs.

    Pools the runs of every design point at that level (so over the other factors' values),
    as a main effect does, with the Student-t interval of that pooled mean. Columns as
    :func:`timeseries_curves` with ``level`` in place of ``point``.
    """
    dataset = series_dataset(sweep)
    time = time_column(dataset.schema.names) if dataset is not None else None
    if dataset is None or time is None:
        raise ValueError(f"{sweep.path}: the sweep keeps no series")
    variables = series_variables(dataset.schema.names)
    level_of = sweep.design.set_index("point")[factor]
    levels = list(dict.fromkeys(level_of.tolist()))
    code_of = level_of.map({v: i for i, v in enumerate(levels)})

    def by_level(batch: pa.RecordBatch) -> pa.Table:
        t = pa.Table.from_batches([batch])
        code = code_of.reindex(t["point"].to_numpy()).to_numpy(dtype=np.int64)
        return t.set_column(t.schema.get_field_index("point"), "point", pa.array(code))

    batches = (by_level(b) for b in
               _ok_batches(sweep, dataset, ["point", time, *variables], batch_size))
    curves = curves_from_moments(series_moments(batches, time, variables), "level", time,
                                 level)
    curves["level"] = [levels[int(i)] for i in curves["level"]]
    return curves


def grant_ends(sweep: Sweep) -> dict[int, int]:
    """Month each design point's grant ends (first month after it); empty for other models.

    The same reading of each point as :func:`~experiments.analysis.horizon.beyond_horizon`.
    """
    return {point: end for point, (_, end) in point_horizons(sweep).items()}
