"""Analysis of a sweep directory: replicate aggregation, sensitivity indices and figures.

Plain functions over plain tables, plus :func:`analyze`, which reads a sweep directory and
writes CSV and Markdown tables, PNG figures and a ``summary.md``.

The sequence follows ten Broeke, van Voorn & Ligtenberg 2016 (JASSS 19(1)5): extended
OFAT response curves with replicate confidence intervals, Morris screening, then Sobol
indices computed on replicate means, with the stochastic (aleatory) share of the variance
reported separately (science_anchors §6.3). Replicate counts are judged by when the
coefficient of variation settles (Lee et al. 2015, JASSS 18(4)4) and by the runs needed for
a target interval width (Secchi & Seri 2017). Indices come from SALib (Herman & Usher
2017); nothing here re-implements an estimator.

The sweep directory is read directly with pyarrow (``manifest.json``, ``design.parquet``,
``samples.npy`` and the ``runs/``, ``outcomes/`` and ``series/`` chunk files), streaming
only the needed columns. Failed runs are counted and left out; a design point whose
replicates all failed makes Sobol and Morris impossible for that outcome, which is
reported instead of computed. Outcome names come from the outcomes table, so any model
function can be analysed.

Figures are drawn on ``matplotlib.figure.Figure`` objects and saved with the Agg
renderer, so no pyplot state or interactive backend is involved.
"""

from __future__ import annotations

import copy
import json
import math
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.dataset as ds
import pyarrow.parquet as pq
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from SALib.analyze import morris as salib_morris
from SALib.analyze import sobol as salib_sobol
from scipy import stats

ID_COLUMNS = ("run_id", "point", "replicate")
QUANTILES = {"q05": 0.05, "q25": 0.25, "median": 0.5, "q75": 0.75, "q95": 0.95}
LEVEL = 0.95
DPI = 150
MD_MAX_ROWS = 200
MAX_PANELS = 60       # figures beyond this many panels show the first outcomes only
MAX_LINES = 8         # convergence panels show the factors with the largest final index
_CHUNK = re.compile(r"chunk-\d+\.parquet")
_RUN_COLUMNS = ("run_id", "point", "replicate", "seed_entropy", "spawn_key", "status", "error",
                "wall_time_s")


# ===================================================================================== load
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
        """Design kind: full_factorial, ofat, lhs, sobol or morris."""
        return str(_design_info(self.manifest).get("kind", "unknown"))

    @property
    def factors(self) -> list[str]:
        """Factor keys in design order."""
        listed = _design_info(self.manifest).get("factors")
        if listed:
            return [str(f["key"]) if isinstance(f, dict) else str(f) for f in listed]
        return [c for c in self.design.columns if c not in ("point", "varied")]

    @property
    def problem(self) -> dict | None:
        """The SALib problem dict, or None."""
        return _design_info(self.manifest).get("problem")

    @property
    def options(self) -> dict:
        """Design options (N, second_order, levels, ...) with study-file fallbacks."""
        study_design = dict((self.manifest.get("study") or {}).get("design") or {})
        return {**study_design, **(_design_info(self.manifest).get("options") or {})}

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


def _design_info(manifest: dict) -> dict:
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


# ================================================================================ aggregate
def aggregate(outcomes: pd.DataFrame, design: pd.DataFrame,
              names: Sequence[str] | None = None, level: float = LEVEL) -> pd.DataFrame:
    """Summarise replicates per design point and outcome.

    NaN outcome values are left out. Every design point appears, with ``n = 0`` where no
    replicate succeeded. The interval is Student-t on the replicate mean.

    Returns:
        One row per (outcome, point): outcome, point, factor columns, n, mean, sd, sem,
        ci_low, ci_high, q05, q25, median, q75, q95.
    """
    names = _names(outcomes, names)
    points = np.sort(design["point"].to_numpy())
    long = outcomes.melt(id_vars=["point"], value_vars=list(names), var_name="outcome",
                         value_name="value").dropna(subset=["value"])
    grouped = long.groupby(["outcome", "point"])["value"]
    table = grouped.agg(n="count", mean="mean", sd="std")
    if len(long):
        quant = grouped.quantile(list(QUANTILES.values())).unstack()
        quant.columns = list(QUANTILES)
        table = table.join(quant)
    else:
        for q in QUANTILES:
            table[q] = pd.Series(dtype=float)
    full = pd.MultiIndex.from_product([list(names), points], names=["outcome", "point"])
    table = table.reindex(full)
    table["n"] = table["n"].fillna(0).astype("int64")
    n = table["n"].to_numpy()
    table["sem"] = table["sd"] / np.sqrt(np.where(n > 0, n, np.nan))
    half = _t_crit(n, level) * table["sem"].to_numpy()
    table["ci_low"] = table["mean"] - half
    table["ci_high"] = table["mean"] + half
    table = table.reset_index()
    cols = ["outcome", "point", "n", "mean", "sd", "sem", "ci_low", "ci_high", *QUANTILES]
    table = table[cols].merge(design, on="point", how="left")
    factor_cols = [c for c in design.columns if c != "point"]
    return table[["outcome", "point", *factor_cols, *cols[2:]]]


def point_means(agg: pd.DataFrame, outcome: str) -> pd.Series:
    """Replicate mean per design point of one outcome (NaN where no replicate succeeded)."""
    sub = agg[agg["outcome"] == outcome]
    return sub.set_index("point")["mean"].sort_index()


def _t_crit(n: np.ndarray, level: float = LEVEL) -> np.ndarray:
    n = np.asarray(n, dtype=float)
    df = np.where(n >= 2, n - 1, np.nan)
    return stats.t.ppf(0.5 + level / 2, df)


def _names(outcomes: pd.DataFrame, names: Sequence[str] | None) -> list[str]:
    if names is not None:
        return list(names)
    return [c for c in outcomes.columns
            if c not in ID_COLUMNS and pd.api.types.is_numeric_dtype(outcomes[c])]


def aleatory_share(outcomes: pd.DataFrame, names: Sequence[str] | None = None) -> pd.DataFrame:
    """Share of output variance that is stochastic: mean within-point variance / total.

    The total is the variance of all successful runs of the outcome; the within-point
    variance is averaged over points with at least two replicates (science_anchors §6.3
    item 5). A share near 1 means the factors hardly matter next to the noise.

    Returns:
        One row per outcome: outcome, points, runs, within_var, total_var, aleatory_share.
    """
    rows = []
    for name in _names(outcomes, names):
        sub = outcomes[["point", name]].dropna()
        var = sub.groupby("point")[name].var(ddof=1).dropna()
        within = float(var.mean()) if len(var) else math.nan
        total = float(sub[name].var(ddof=1)) if len(sub) >= 2 else math.nan
        share = within / total if total > 0 else (0.0 if total == 0 else math.nan)
        rows.append({"outcome": name, "points": int(len(var)), "runs": int(len(sub)),
                     "within_var": within, "total_var": total, "aleatory_share": share})
    return pd.DataFrame(rows, columns=["outcome", "points", "runs", "within_var", "total_var",
                                       "aleatory_share"])


# ==================================================================================== Sobol
def _salib_problem(problem: dict) -> dict:
    """A private copy (SALib writes ``groups`` into the dict it is given)."""
    p = copy.deepcopy(dict(problem))
    p.setdefault("num_vars", len(p["names"]))
    return p


def _n_groups(problem: dict) -> int:
    return len(dict.fromkeys(problem.get("groups") or problem["names"]))


def _factor_names(problem: dict) -> list[str]:
    return list(dict.fromkeys(problem.get("groups") or problem["names"]))


def _salib_seed(seed: int | None) -> int:
    # SALib's sobol.analyze ignores a falsy seed and then draws from numpy's global state.
    return int(seed) if seed else 1


def _sobol_step(problem: dict, second_order: bool) -> int:
    d = _n_groups(problem)
    return 2 * d + 2 if second_order else d + 2


def _check_y(y: np.ndarray, what: str) -> np.ndarray:
    y = np.asarray(y, dtype=float).ravel()
    if not np.all(np.isfinite(y)):
        missing = int(np.sum(~np.isfinite(y)))
        raise ValueError(f"{what}: {missing} of {y.size} outputs are missing (NaN); "
                         "SALib needs an output for every design point")
    return y


def _run_sobol(y: np.ndarray, problem: dict, second_order: bool, n_boot: int,
               seed: int | None, level: float):
    step = _sobol_step(problem, second_order)
    if y.size == 0 or y.size % step:
        raise ValueError(f"Sobol: {y.size} outputs do not form blocks of {step} rows "
                         f"({_n_groups(problem)} factors, second_order={second_order})")
    return salib_sobol.analyze(_salib_problem(problem), y, calc_second_order=second_order,
                               num_resamples=n_boot, conf_level=level,
                               seed=_salib_seed(seed))


def sobol_indices(design_samples: np.ndarray | None, Y: np.ndarray, problem: dict,
                  second_order: bool = False, n_boot: int = 1000, seed: int | None = 1,
                  level: float = LEVEL) -> pd.DataFrame:
    """First-order and total Sobol indices with bootstrap intervals (Saltelli et al. 2010).

    ``Y`` holds one value per design point in sampler order (use replicate means; ten
    Broeke et al. 2016). The interval is SALib's: ``S +/- z * sd(bootstrap)``. A constant
    output has no variance to split; its indices are NaN.

    Args:
        design_samples: The Saltelli sample matrix, used only to check the row count.
        Y: Outputs, one per design point.
        problem: SALib problem dict.
        second_order: Whether the sample has the second-order (2k+2) block layout.
        n_boot: Bootstrap resamples.
        seed: Bootstrap seed.
        level: Confidence level.

    Returns:
        One row per factor: factor, S1, S1_conf, S1_lo, S1_hi, ST, ST_conf, ST_lo, ST_hi.
    """
    y = _check_y(Y, "Sobol")
    if design_samples is not None and len(design_samples) != y.size:
        raise ValueError(f"Sobol: {len(design_samples)} sample rows but {y.size} outputs")
    names = _factor_names(problem)
    step = _sobol_step(problem, second_order)
    if y.size == 0 or y.size % step:
        raise ValueError(f"Sobol: {y.size} outputs do not form blocks of {step} rows "
                         f"({len(names)} factors, second_order={second_order})")
    if np.ptp(y) == 0.0:
        res = {k: np.full(len(names), np.nan) for k in ("S1", "S1_conf", "ST", "ST_conf")}
    else:
        res = _run_sobol(y, problem, second_order, n_boot, seed, level)
    frame = pd.DataFrame({"factor": names})
    for key in ("S1", "ST"):
        est = np.asarray(res[key], dtype=float)
        conf = np.asarray(res[f"{key}_conf"], dtype=float)
        frame[key] = est
        frame[f"{key}_conf"] = conf
        frame[f"{key}_lo"] = est - conf
        frame[f"{key}_hi"] = est + conf
    return frame


def sobol_pairs(Y: np.ndarray, problem: dict, n_boot: int = 1000, seed: int | None = 1,
                level: float = LEVEL) -> pd.DataFrame:
    """Second-order Sobol indices S2 for every factor pair (Saltelli 2002).

    ``Y`` must come from a second-order Saltelli sample (blocks of 2k+2 rows).

    Returns:
        One row per pair: factor_a, factor_b, S2, S2_conf.
    """
    y = _check_y(Y, "Sobol")
    names = _factor_names(problem)
    res = _run_sobol(y, problem, True, n_boot, seed, level)
    rows = [{"factor_a": names[i], "factor_b": names[j], "S2": float(res["S2"][i, j]),
             "S2_conf": float(res["S2_conf"][i, j])}
            for i in range(len(names)) for j in range(i + 1, len(names))]
    return pd.DataFrame(rows, columns=["factor_a", "factor_b", "S2", "S2_conf"])


# =================================================================================== Morris
def morris_indices(samples: np.ndarray, Y: np.ndarray, problem: dict, levels: int = 4,
                   n_boot: int = 1000, seed: int | None = 1,
                   level: float = LEVEL) -> pd.DataFrame:
    """Morris elementary-effect screening: mu, mu*, its bootstrap interval and sigma.

    Morris 1991; mu* as in Campolongo et al. 2007. ``samples`` are the model inputs of the
    trajectories (blocks of k+1 rows) and ``Y`` one output per row (replicate means).
    Effects are per unit of the [0, 1]-scaled factor, so mu* is in output units over the
    factor's whole range.

    Returns:
        One row per factor, sorted by mu_star (largest first): factor, mu, mu_star,
        mu_star_conf, sigma.
    """
    y = _check_y(Y, "Morris")
    x = np.asarray(samples, dtype=float)
    block = _n_groups(problem) + 1
    if x.shape[0] != y.size or y.size == 0 or y.size % block:
        raise ValueError(f"Morris: {x.shape[0]} sample rows and {y.size} outputs do not form "
                         f"trajectories of {block} rows")
    res = salib_morris.analyze(_salib_problem(problem), x, y, num_resamples=n_boot,
                               conf_level=level, num_levels=int(levels), seed=seed)
    frame = pd.DataFrame({
        "factor": _factor_names(problem),
        "mu": np.asarray(res["mu"], dtype=float),
        "mu_star": np.asarray(res["mu_star"], dtype=float),
        "mu_star_conf": np.asarray(res["mu_star_conf"], dtype=float),
        "sigma": np.asarray(res["sigma"], dtype=float),
    })
    return frame.sort_values("mu_star", ascending=False, kind="stable").reset_index(drop=True)


# ============================================================================== convergence
def convergence_sizes(n: int, kind: str) -> list[int]:
    """Sample sizes at which indices are recomputed.

    Sobol: the powers of two ``>= 8`` below the base sample ``N`` (at most four: N/16 ...
    N/2 when N is a power of two), then N. Morris: ``ceil(r / 16)``, ..., ``ceil(r / 2)``
    trajectories (at least 2), then r.
    """
    if kind == "sobol":
        below = [2 ** m for m in range(3, max(3, int(n).bit_length()) + 1) if 2 ** m < n]
        return [*below[-4:], int(n)]
    sizes = sorted({max(2, math.ceil(n / 2 ** j)) for j in (4, 3, 2, 1)} - {n})
    return [s for s in sizes if s < n] + [int(n)]


def convergence(samples: np.ndarray | None, Y: np.ndarray, problem: dict, kind: str, *,
                second_order: bool = False, levels: int = 4, n_boot: int = 1000,
                seed: int | None = 1, level: float = LEVEL) -> pd.DataFrame:
    """Indices recomputed on the first N' base samples (Sobol) or r' trajectories (Morris).

    SALib's Saltelli sample stores each base sample as one block of ``k + 2`` rows
    (``2k + 2`` with second order: A, the k AB rows, [the k BA rows,] B), and a Morris
    sample each trajectory as ``k + 1`` rows, so a prefix of whole blocks is itself a
    valid, smaller design; the first ``2^m`` points of a Sobol' sequence stay balanced.

    Returns:
        Long table: n (base samples or trajectories), runs (design points used), factor,
        index (S1, ST or mu_star, sigma), value, conf (CI half-width).
    """
    y = _check_y(Y, kind.capitalize())
    if kind == "sobol":
        block = _sobol_step(problem, second_order)
    elif kind == "morris":
        block = _n_groups(problem) + 1
        if samples is None:
            raise ValueError("Morris convergence needs the sample matrix")
    else:
        raise ValueError(f"convergence: kind must be 'sobol' or 'morris', not {kind!r}")
    if y.size == 0 or y.size % block:
        raise ValueError(f"{kind}: {y.size} outputs do not form blocks of {block} rows")
    frames = []
    for size in convergence_sizes(y.size // block, kind):
        rows = size * block
        if kind == "sobol":
            t = sobol_indices(None, y[:rows], problem, second_order, n_boot, seed, level)
            parts = [("S1", t["S1"], t["S1_conf"]), ("ST", t["ST"], t["ST_conf"])]
        else:
            t = morris_indices(samples[:rows], y[:rows], problem, levels, n_boot, seed, level)
            parts = [("mu_star", t["mu_star"], t["mu_star_conf"]),
                     ("sigma", t["sigma"], pd.Series(np.nan, index=t.index))]
        for index, value, conf in parts:
            frames.append(pd.DataFrame({"n": size, "runs": rows, "factor": t["factor"],
                                        "index": index, "value": value.to_numpy(),
                                        "conf": conf.to_numpy()}))
    table = pd.concat(frames, ignore_index=True)
    order = {f: i for i, f in enumerate(_factor_names(problem))}
    table["_f"] = table["factor"].map(order)
    table = table.sort_values(["index", "_f", "n"], kind="stable").drop(columns="_f")
    return table.reset_index(drop=True)


def convergence_verdicts(conv: pd.DataFrame) -> pd.DataFrame:
    """Plain-language verdict per factor and index from a :func:`convergence` table.

    An index is "stable" if its last two estimates differ by less than the CI half-width
    of the last one. Indices without an interval (Morris sigma) are not judged.

    Returns:
        One row per ([outcome,] index, factor): n_prev, value_prev, n_last, value_last,
        change, half_width, verdict, text.
    """
    keys = [k for k in ("outcome", "index", "factor") if k in conv]
    rows = []
    for key, grp in conv.groupby(keys, sort=False):
        grp = grp.sort_values("n")
        if grp["conf"].isna().all():
            continue
        last = grp.iloc[-1]
        row = dict(zip(keys, key if isinstance(key, tuple) else (key,), strict=True))
        if len(grp) < 2:
            row.update(n_prev=math.nan, value_prev=math.nan, n_last=int(last["n"]),
                       value_last=last["value"], change=math.nan, half_width=last["conf"],
                       verdict="not judged",
                       text=f"only one sample size (n={int(last['n'])}); cannot judge")
            rows.append(row)
            continue
        prev = grp.iloc[-2]
        change = abs(float(last["value"]) - float(prev["value"]))
        half = float(last["conf"])
        stable = bool(change < half)
        verdict = "stable" if stable else "not yet stable"
        relation = "less than" if stable else "not less than"
        text = (f"{verdict}: {row['index']} of {row['factor']} moved {change:.3g} from "
                f"n={int(prev['n'])} to n={int(last['n'])}, {relation} the CI half-width "
                f"{half:.3g}")
        row.update(n_prev=int(prev["n"]), value_prev=float(prev["value"]),
                   n_last=int(last["n"]), value_last=float(last["value"]), change=change,
                   half_width=half, verdict=verdict, text=text)
        rows.append(row)
    return pd.DataFrame(rows, columns=[*keys, "n_prev", "value_prev", "n_last", "value_last",
                                       "change", "half_width", "verdict", "text"])


# ===================================================================== OFAT, factorial, LHS
def ofat_curves(agg: pd.DataFrame, design: pd.DataFrame) -> pd.DataFrame:
    """Extended-OFAT response curves: mean and CI of each outcome along each varied factor.

    ten Broeke et al. 2016. Each factor's curve holds the points where it was varied
    (``design.varied == factor``) plus the base point, unless a varied point already sits
    at the base level.

    Returns:
        One row per (factor, outcome, level): factor, outcome, level, point, n, mean, sd,
        ci_low, ci_high, is_base.
    """
    if "varied" not in design:
        raise ValueError("OFAT curves need a design with a 'varied' column")
    base_points = design.loc[design["varied"] == "base", "point"].tolist()
    factors = [f for f in dict.fromkeys(design["varied"]) if f != "base" and f in design]
    cols = ["factor", "outcome", "level", "point", "n", "mean", "sd", "ci_low", "ci_high",
            "is_base"]
    frames = []
    base_row = design[design["point"].isin(base_points[:1])]
    for factor in factors:
        pts = design.loc[design["varied"] == factor, ["point", factor]]
        base_level = base_row[factor].iloc[0] if len(base_row) else None
        if len(base_row) and not (pts[factor] == base_level).any():
            pts = pd.concat([pts, base_row[["point", factor]]], ignore_index=True)
        sub = agg[agg["point"].isin(pts["point"])][
            ["outcome", "point", "n", "mean", "sd", "ci_low", "ci_high"]]
        sub = sub.merge(pts.rename(columns={factor: "level"}), on="point")
        sub.insert(0, "factor", factor)
        sub["is_base"] = (sub["level"] == base_level) if base_level is not None else False
        sub = sub.sort_values(["outcome", "level"], kind="stable")
        sub["level"] = sub["level"].astype(object)
        frames.append(sub[cols])
    if not frames:
        return pd.DataFrame(columns=cols)
    return pd.concat(frames, ignore_index=True)


def main_effects(outcomes: pd.DataFrame, design: pd.DataFrame,
                 names: Sequence[str] | None = None, level: float = LEVEL) -> pd.DataFrame:
    """Main effects of a factorial design: mean outcome at each level of each factor.

    The mean pools every successful run at that level (averaging over the other factors)
    with a Student-t interval.

    Returns:
        One row per (factor, outcome, level): factor, outcome, level, points, n, mean, sd,
        ci_low, ci_high.
    """
    names = _names(outcomes, names)
    factors = [c for c in design.columns if c not in ("point", "varied")]
    merged = outcomes[["point", *names]].merge(design, on="point", how="left")
    frames = []
    for factor in factors:
        for name in names:
            sub = merged[[factor, "point", name]].dropna(subset=[name])
            g = sub.groupby(factor, sort=True)
            t = g[name].agg(n="count", mean="mean", sd="std")
            t["points"] = g["point"].nunique()
            t = t.reset_index().rename(columns={factor: "level"})
            half = _t_crit(t["n"].to_numpy(), level) * t["sd"] / np.sqrt(t["n"])
            t["ci_low"], t["ci_high"] = t["mean"] - half, t["mean"] + half
            t.insert(0, "outcome", name)
            t.insert(0, "factor", factor)
            t["level"] = t["level"].astype(object)
            frames.append(t[["factor", "outcome", "level", "points", "n", "mean", "sd",
                             "ci_low", "ci_high"]])
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def rank_correlations(agg: pd.DataFrame, factors: Sequence[str]) -> pd.DataFrame:
    """Spearman rank correlation of each outcome's replicate mean with each factor.

    A simple global screen for space-filling (Latin hypercube) designs.

    Returns:
        One row per (outcome, factor): outcome, factor, rho, p_value, points.
    """
    rows = []
    for name, sub in agg.groupby("outcome", sort=False):
        sub = sub.dropna(subset=["mean"])
        for factor in factors:
            x = pd.to_numeric(sub[factor], errors="coerce").to_numpy(dtype=float)
            y = sub["mean"].to_numpy(dtype=float)
            keep = np.isfinite(x)
            if keep.sum() < 3 or np.ptp(x[keep]) == 0 or np.ptp(y[keep]) == 0:
                rho, p = math.nan, math.nan
            else:
                res = stats.spearmanr(x[keep], y[keep])
                rho, p = float(res.statistic), float(res.pvalue)
            rows.append({"outcome": name, "factor": factor, "rho": rho, "p_value": p,
                         "points": int(keep.sum())})
    return pd.DataFrame(rows, columns=["outcome", "factor", "rho", "p_value", "points"])


# =============================================================================== replicates
def _replicate_matrix(outcomes: pd.DataFrame,
                      name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Points, a (points x replicates) matrix of values in replicate order, and counts.

    Values of each point are packed to the left, so column j is its (j+1)-th successful
    replicate; the rest is NaN.
    """
    sub = outcomes[["point", "replicate", name]].dropna(subset=[name])
    sub = sub.sort_values(["point", "replicate"], kind="stable")
    if sub.empty:
        return np.zeros(0, dtype=np.int64), np.zeros((0, 0)), np.zeros(0, dtype=np.int64)
    points, inverse = np.unique(sub["point"].to_numpy(), return_inverse=True)
    rank = sub.groupby("point").cumcount().to_numpy()
    matrix = np.full((len(points), int(rank.max()) + 1), np.nan)
    matrix[inverse, rank] = sub[name].to_numpy(dtype=float)
    return points, matrix, np.bincount(inverse)


def _running(matrix: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Running mean and sd over the first n replicates (n = 1..R) of each row."""
    n = np.arange(1, matrix.shape[1] + 1, dtype=float)
    centre = np.nanmean(matrix, axis=1, keepdims=True)  # shift for numerical stability
    c = np.nan_to_num(matrix - centre)
    s1, s2 = np.cumsum(c, axis=1), np.cumsum(c * c, axis=1)
    mean = s1 / n + centre
    with np.errstate(invalid="ignore", divide="ignore"):
        var = np.where(n >= 2, (s2 - s1 * s1 / n) / (n - 1), np.nan)
    sd = np.sqrt(np.clip(var, 0.0, None))
    valid = n[None, :] <= counts[:, None]
    return np.where(valid, mean, np.nan), np.where(valid, sd, np.nan)


def running_cv(outcomes: pd.DataFrame, names: Sequence[str] | None = None) -> pd.DataFrame:
    """Running mean, sd and coefficient of variation over the first n replicates.

    Lee et al. 2015 (JASSS 18(4)4): the number of runs is enough once the CV stops
    moving. ``cv = sd / |mean|`` (NaN where the running mean is 0).

    Returns:
        Long table: outcome, point, n, mean, sd, cv (n = 1..replicates of that point).
    """
    frames = []
    for name in _names(outcomes, names):
        points, matrix, counts = _replicate_matrix(outcomes, name)
        if not len(points):
            continue
        mean, sd = _running(matrix, counts)
        with np.errstate(invalid="ignore", divide="ignore"):
            cv = sd / np.abs(mean)
        n = np.broadcast_to(np.arange(1, matrix.shape[1] + 1), matrix.shape)
        pts = np.broadcast_to(points[:, None], matrix.shape)
        keep = n <= counts[:, None]
        frames.append(pd.DataFrame({"outcome": name, "point": pts[keep], "n": n[keep],
                                    "mean": mean[keep], "sd": sd[keep], "cv": cv[keep]}))
    if not frames:
        return pd.DataFrame(columns=["outcome", "point", "n", "mean", "sd", "cv"])
    return pd.concat(frames, ignore_index=True)


def _n_for_halfwidth(sd: np.ndarray, target: np.ndarray, level: float = LEVEL,
                     cap: int = 10 ** 7) -> np.ndarray:
    """Smallest n >= 2 with ``t_{n-1} sd / sqrt(n) <= target`` (NaN if undefined)."""
    sd, target = np.asarray(sd, dtype=float), np.asarray(target, dtype=float)
    out = np.full(sd.shape, np.nan)
    ok = np.isfinite(sd) & np.isfinite(target) & (target > 0)
    z = stats.norm.ppf(0.5 + level / 2)
    n = np.full(sd.shape, 2.0)
    n[ok] = np.clip(np.ceil((z * sd[ok] / target[ok]) ** 2), 2, cap)
    todo = ok.copy()
    for _ in range(1000):
        with np.errstate(invalid="ignore"):
            short = todo & (_t_crit(n) * sd / np.sqrt(n) > target) & (n < cap)
        if not short.any():
            break
        n[short] += np.maximum(1.0, np.floor(0.02 * n[short]))
    # the step above can overshoot by 2%; walk back to the smallest n that meets the target
    for _ in range(1000):
        with np.errstate(invalid="ignore"):
            back = ok & (n > 2) & (_t_crit(n - 1) * sd / np.sqrt(n - 1) <= target)
        if not back.any():
            break
        n[back] -= 1
    out[ok] = n[ok]
    return out


@dataclass(frozen=True)
class _Tracks:
    """Per-point running statistics of one outcome (points with >= 3 replicates)."""

    points: np.ndarray
    counts: np.ndarray
    track: np.ndarray      # running CV, or running sd where the mean cannot be told from 0
    final: np.ndarray
    zero: np.ndarray
    n_stable: np.ndarray
    mean: np.ndarray       # final mean
    sd: np.ndarray         # final sd


def _tracks(outcomes: pd.DataFrame, name: str, tolerance: float) -> _Tracks | None:
    points, matrix, counts = _replicate_matrix(outcomes, name)
    use = counts >= 3
    if not use.any():
        return None
    points, matrix, counts = points[use], matrix[use], counts[use]
    mean, sd = _running(matrix, counts)
    last = counts - 1
    idx = np.arange(len(points))
    f_mean, f_sd = mean[idx, last], sd[idx, last]
    zero = np.abs(f_mean) <= _t_crit(counts) * f_sd / np.sqrt(counts)
    with np.errstate(invalid="ignore", divide="ignore"):
        cv = sd / np.abs(mean)
    track = np.where(zero[:, None], sd, cv)
    final = track[idx, last]
    with np.errstate(invalid="ignore"):
        ok = np.abs(track - final[:, None]) <= tolerance * np.abs(final[:, None])
    n = np.arange(1, matrix.shape[1] + 1)
    ok |= n[None, :] > counts[:, None]
    ok[:, 0] = False  # one replicate has no spread
    settled = np.logical_and.accumulate(ok[:, ::-1], axis=1)[:, ::-1]
    n_stable = np.where(settled.any(axis=1), np.argmax(settled, axis=1) + 1, counts)
    return _Tracks(points, counts, track, final, zero, n_stable, f_mean, f_sd)


def replicate_guidance(outcomes: pd.DataFrame, names: Sequence[str] | None = None,
                       tolerance: float = 0.05, target: float = 0.10,
                       binary_target: float = 0.05, level: float = LEVEL) -> pd.DataFrame:
    """How many replicates each outcome needs, by two rules, over design points with >= 3.

    1. CV stabilisation (Lee et al. 2015): the smallest n after which the running CV
       stays within ``+/- tolerance`` (relative) of its final value. Where a point's mean
       is not distinguishable from zero (its 95% CI covers 0) the CV is unbounded, so the
       running sd is used instead (column ``measure`` says where).
    2. Interval width (Secchi & Seri 2017): replicates for a 95% CI half-width of
       ``target`` times |mean|, or ``binary_target`` absolute for 0/1 outcomes, from the
       point's sd (not defined where the mean cannot be told from zero, unless 0/1).

    Each rule is evaluated per design point and summarised by the maximum over points
    (the conservative choice: every point must meet it) and the median.

    Returns:
        One row per outcome: outcome, points, replicates, measure, final_cv_median,
        final_sd_median, n_stable_max, n_stable_median, worst_point, ci_target,
        n_for_ci_max, n_for_ci_median, verdict.
    """
    cols = ["outcome", "points", "replicates", "measure", "final_cv_median",
            "final_sd_median", "n_stable_max", "n_stable_median", "worst_point", "ci_target",
            "n_for_ci_max", "n_for_ci_median", "verdict"]
    rows = []
    for name in _names(outcomes, names):
        values = outcomes[name].dropna().to_numpy(dtype=float)
        binary = values.size > 0 and bool(np.all((values == 0.0) | (values == 1.0)))
        t = _tracks(outcomes, name, tolerance)
        if t is None:
            rows.append({"outcome": name, "points": 0, "replicates": int(
                outcomes.dropna(subset=[name]).groupby("point").size().max()
                if values.size else 0), "measure": "n/a", "ci_target": "n/a",
                "verdict": "fewer than 3 replicates at every point; no guidance"})
            continue
        if binary:
            goal = np.full(len(t.points), binary_target)
            ci_target = f"{binary_target:g} (0/1 outcome)"
        else:
            goal = np.where(t.zero, np.nan, target * np.abs(t.mean))
            ci_target = f"{target:.0%} of the mean"
        n_ci = _n_for_halfwidth(t.sd, goal, level)
        some_ci = bool(np.isfinite(n_ci).any())
        measure = "cv" if not t.zero.any() else ("sd" if t.zero.all()
                                                 else f"cv; sd at {int(t.zero.sum())} points")
        r = int(t.counts.max())
        n_max = int(t.n_stable.max())
        worst = int(np.argmax(t.n_stable))
        stab = (f"not settled within {r} replicates" if n_max >= r
                else f"settled within ±{tolerance:.0%} after {n_max} of {r} replicates")
        ci_txt = (f"; {int(np.nanmax(n_ci))} replicates give a 95% CI half-width of "
                  f"{ci_target}" if some_ci else "")
        cv_final = t.final[~t.zero]
        rows.append({
            "outcome": name, "points": len(t.points), "replicates": r, "measure": measure,
            "final_cv_median": float(np.median(cv_final)) if cv_final.size else math.nan,
            "final_sd_median": float(np.median(t.sd)),
            "n_stable_max": n_max, "n_stable_median": float(np.median(t.n_stable)),
            "worst_point": int(t.points[worst]), "ci_target": ci_target,
            "n_for_ci_max": float(np.nanmax(n_ci)) if some_ci else math.nan,
            "n_for_ci_median": float(np.nanmedian(n_ci)) if some_ci else math.nan,
            "verdict": f"running {measure.split(';')[0].upper()} {stab}{ci_txt}"})
    return pd.DataFrame(rows, columns=cols)


# ================================================================================= markdown
def _cell(x: Any) -> str:
    if x is None or (isinstance(x, float | np.floating) and math.isnan(x)) or x is pd.NA:
        return "n/a"
    if isinstance(x, bool | np.bool_):
        return "yes" if x else "no"
    if isinstance(x, int | np.integer):
        return str(int(x))
    if isinstance(x, float | np.floating):
        return f"{float(x):.4g}"
    return str(x).replace("|", "\\|").replace("\n", " ")


def markdown_table(frame: pd.DataFrame, max_rows: int | None = MD_MAX_ROWS) -> str:
    """Render a DataFrame as a GitHub Markdown table (numbers right-aligned, 4 digits)."""
    shown = frame if max_rows is None else frame.head(max_rows)
    numeric = [pd.api.types.is_numeric_dtype(frame[c]) and not
               pd.api.types.is_bool_dtype(frame[c]) for c in frame.columns]
    lines = ["| " + " | ".join(str(c) for c in frame.columns) + " |",
             "|" + "|".join("---:" if num else "---" for num in numeric) + "|"]
    for row in shown.itertuples(index=False):
        lines.append("| " + " | ".join(_cell(v) for v in row) + " |")
    if max_rows is not None and len(frame) > max_rows:
        lines.append("")
        lines.append(f"*First {max_rows} of {len(frame)} rows; the CSV file has all.*")
    return "\n".join(lines) + "\n"


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """Write a table as CSV with pyarrow (fast), or pandas for mixed-type columns."""
    try:
        table = pa.Table.from_pandas(frame, preserve_index=False)
    except (pa.ArrowException, TypeError, ValueError):
        frame.to_csv(path, index=False)
        return path
    pa_csv.write_csv(table, path, pa_csv.WriteOptions(quoting_style="needed"))
    return path


def _write_md(path: Path, title: str, intro: Sequence[str], frame: pd.DataFrame,
              notes: Sequence[str] = (), max_rows: int | None = MD_MAX_ROWS) -> Path:
    parts = [f"# {title}", ""]
    parts += [*intro, ""] if intro else []
    parts += [markdown_table(frame, max_rows)]
    if notes:
        parts += ["", *[f"- {n}" for n in notes], ""]
    path.write_text("\n".join(parts), encoding="utf-8")
    return path


# ================================================================================== figures
def _grid(n: int, ncols: int, panel: tuple[float, float],
          title: str) -> tuple[Figure, list]:
    ncols = max(1, min(ncols, n))
    nrows = max(1, math.ceil(n / ncols))
    fig = Figure(figsize=(panel[0] * ncols, panel[1] * nrows + 0.6), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel().tolist()
    for ax in axes[n:]:
        ax.set_visible(False)
    fig.suptitle(textwrap.fill(title, width=max(30, int(panel[0] * ncols * 8.5))), fontsize=12)
    return fig, axes[:n]


def _fit_outcomes(outs: list, per_outcome: int, title: str) -> tuple[list, str]:
    """Keep as many outcomes (rows of panels) as fit in MAX_PANELS, and say so."""
    keep = max(1, MAX_PANELS // max(1, per_outcome))
    if len(outs) <= keep:
        return outs, title
    return outs[:keep], f"{title} [first {keep} of {len(outs)} outcomes; the CSV has all]"


def _save(fig: Figure, path: Path) -> Path:
    fig.savefig(path, dpi=DPI, facecolor="white")
    return path


def _rotate(ax, labels: Sequence[str]) -> None:
    if max((len(str(s)) for s in labels), default=0) * len(labels) > 40:
        for lab in ax.get_xticklabels():
            lab.set_rotation(30)
            lab.set_horizontalalignment("right")


def plot_sobol(table: pd.DataFrame, path: Path) -> Path:
    """Bar chart of S1 and ST with 95% bootstrap whiskers, one panel per outcome."""
    outs = list(dict.fromkeys(table["outcome"]))
    k = table["factor"].nunique()
    fig, axes = _grid(len(outs), 3, (max(4.0, 0.55 * k + 1.8), 3.4),
                      "Sobol indices of the replicate mean (bars: estimate; whiskers: 95% CI)")
    for ax, name in zip(axes, outs, strict=True):
        t = table[table["outcome"] == name]
        x = np.arange(len(t))
        w = 0.38
        ax.bar(x - w / 2, t["S1"], w, yerr=t["S1_conf"], capsize=3, color="#4C72B0",
               label="first order S1")
        ax.bar(x + w / 2, t["ST"], w, yerr=t["ST_conf"], capsize=3, color="#DD8452",
               label="total order ST")
        ax.axhline(0.0, color="black", lw=0.8)
        ax.set_xticks(x, t["factor"])
        _rotate(ax, t["factor"].tolist())
        ax.set_ylabel("share of output variance")
        ax.set_title(name)
        ax.legend(fontsize=8, loc="upper right")
    return _save(fig, path)


def plot_morris(table: pd.DataFrame, path: Path, top: int = 5) -> Path:
    """mu* against sigma per outcome; the ``top`` factors by mu* are labelled."""
    outs = list(dict.fromkeys(table["outcome"]))
    fig, axes = _grid(len(outs), 3, (4.6, 4.0),
                      "Morris screening: mean |elementary effect| (mu*) vs its spread (sigma)")
    for ax, name in zip(axes, outs, strict=True):
        t = table[table["outcome"] == name].sort_values("mu_star", ascending=False)
        ax.errorbar(t["mu_star"], t["sigma"], xerr=t["mu_star_conf"], fmt="o", ms=5,
                    color="#4C72B0", ecolor="#9DB3D8", capsize=2)
        hi = float(np.nanmax([t["mu_star"].max(), t["sigma"].max(), 1e-12]))
        ax.plot([0, hi], [0, hi], ls="--", color="grey", lw=0.8, label="sigma = mu*")
        for _, r in t.head(top).iterrows():
            ax.annotate(str(r["factor"]), (r["mu_star"], r["sigma"]), fontsize=8,
                        xytext=(4, 4), textcoords="offset points")
        ax.set_xlabel("mu* (output units over the factor range)")
        ax.set_ylabel("sigma")
        ax.set_title(name)
        ax.legend(fontsize=8, loc="upper left")
    return _save(fig, path)


def _levels_axis(levels: pd.Series) -> tuple[np.ndarray, list[str] | None]:
    numeric = pd.to_numeric(levels, errors="coerce")
    if numeric.notna().all() and not pd.api.types.is_bool_dtype(levels.infer_objects()):
        return numeric.to_numpy(dtype=float), None
    labels = [str(v) for v in levels]
    return np.arange(len(labels), dtype=float), labels


def _curve_grid(table: pd.DataFrame, path: Path, title: str,
                base: dict[str, Any] | None = None) -> Path:
    factors = list(dict.fromkeys(table["factor"]))
    outs, title = _fit_outcomes(list(dict.fromkeys(table["outcome"])), len(factors), title)
    fig, axes = _grid(len(outs) * len(factors), len(factors), (3.4, 2.7), title)
    for i, name in enumerate(outs):
        for j, factor in enumerate(factors):
            ax = axes[i * len(factors) + j]
            t = table[(table["factor"] == factor) & (table["outcome"] == name)]
            x, labels = _levels_axis(t["level"])
            ax.fill_between(x, t["ci_low"].to_numpy(float), t["ci_high"].to_numpy(float),
                            color="#4C72B0", alpha=0.25, lw=0, label="95% CI")
            ax.plot(x, t["mean"].to_numpy(float), "o-", color="#4C72B0", ms=3, label="mean")
            if labels is not None:
                ax.set_xticks(x, labels)
            if base is not None and factor in base and "is_base" in t:
                b = t[t["is_base"].astype(bool)]
                if len(b):
                    xb = x[np.flatnonzero(t["is_base"].to_numpy(bool))]
                    ax.axvline(xb[0], color="#C44E52", ls=":", lw=1)
                    ax.plot(xb, b["mean"].to_numpy(float), "D", color="#C44E52", ms=5,
                            label="base")
            ax.set_xlabel(factor, fontsize=8)
            if j == 0:
                ax.set_ylabel(name, fontsize=8)
            ax.tick_params(labelsize=7)
            if i == 0 and j == 0:
                ax.legend(fontsize=7)
    return _save(fig, path)


def plot_ofat(curves: pd.DataFrame, path: Path) -> Path:
    """OFAT response curves: one panel per outcome and factor, CI band, base marked."""
    base = {f: True for f in curves["factor"].unique()}
    return _curve_grid(curves, path, "One-factor-at-a-time response: replicate mean with "
                       "95% CI (diamond and dotted line: base value)", base)


def plot_main_effects(effects: pd.DataFrame, path: Path) -> Path:
    """Main-effect plots: mean outcome by level of each factor, with 95% CIs."""
    return _curve_grid(effects, path, "Main effects: mean outcome at each factor level "
                       "(pooled over the other factors; 95% CI)")


def plot_convergence(conv: pd.DataFrame, path: Path) -> Path:
    """Indices against sample size with CI bars: one row per outcome, one panel per index.

    Each panel shows the ``MAX_LINES`` factors with the largest index at the full sample.
    """
    conv = conv[conv["conf"].notna()]
    indices = list(dict.fromkeys(conv["index"]))
    title = "Convergence of sensitivity indices with sample size (95% CI bars)"
    if conv["factor"].nunique() > MAX_LINES:
        title += f"; the {MAX_LINES} largest per panel"
    outs = list(dict.fromkeys(conv["outcome"])) if "outcome" in conv else [None]
    outs, title = _fit_outcomes(outs, len(indices), title)
    fig, axes = _grid(len(outs) * len(indices), len(indices), (4.6, 3.2), title)
    palette = matplotlib.colormaps["tab10" if conv["factor"].nunique() <= 10 else "tab20"]
    colour = {f: palette(i % palette.N) for i, f in enumerate(dict.fromkeys(conv["factor"]))}
    for i, name in enumerate(outs):
        sub = conv if name is None else conv[conv["outcome"] == name]
        for j, index in enumerate(indices):
            ax = axes[i * len(indices) + j]
            t = sub[sub["index"] == index]
            final = t[t["n"] == t["n"].max()].set_index("factor")["value"]
            factors = final.abs().sort_values(ascending=False, kind="stable").index[:MAX_LINES]
            for k, factor in enumerate(factors):
                f = t[t["factor"] == factor]
                shift = 1.0 + 0.03 * (k - (len(factors) - 1) / 2)
                ax.errorbar(f["n"] * shift, f["value"], yerr=f["conf"], marker="o", ms=3,
                            capsize=2, label=str(factor), color=colour[factor])
            ax.set_xscale("log", base=2)
            sizes = sorted(t["n"].unique())
            ax.set_xticks(sizes, [str(int(v)) for v in sizes])
            ax.minorticks_off()
            ax.set_xlabel("base samples N" if index in ("S1", "ST") else "trajectories r")
            ax.set_ylabel(index)
            ax.set_title(f"{name}: {index}" if name is not None else index, fontsize=9)
            if j == len(indices) - 1:
                ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return _save(fig, path)


def plot_scatter_grid(agg: pd.DataFrame, factors: Sequence[str], path: Path) -> Path:
    """Replicate mean of each outcome against each factor (rows: outcomes)."""
    outs, title = _fit_outcomes(list(dict.fromkeys(agg["outcome"])), len(factors),
                                "Replicate mean of each outcome against each factor")
    fig, axes = _grid(len(outs) * len(factors), len(factors), (3.0, 2.5), title)
    for i, name in enumerate(outs):
        sub = agg[agg["outcome"] == name]
        for j, factor in enumerate(factors):
            ax = axes[i * len(factors) + j]
            x = pd.to_numeric(sub[factor], errors="coerce")
            ax.scatter(x, sub["mean"], s=6, alpha=0.6, color="#4C72B0", lw=0)
            ax.set_xlabel(factor, fontsize=8)
            if j == 0:
                ax.set_ylabel(name, fontsize=8)
            ax.tick_params(labelsize=7)
    return _save(fig, path)


def plot_replicates(outcomes: pd.DataFrame, guidance: pd.DataFrame, path: Path,
                    tolerance: float = 0.05, max_points: int = 12) -> Path:
    """Running CV over the first n replicates relative to its final value, per outcome.

    Grey: up to ``max_points`` design points; red: the point that needs the most
    replicates. The band is +/- ``tolerance``; the dotted line is where the slowest point
    settles. (Where a point's mean cannot be told from zero its running sd is shown.)
    """
    g = guidance[guidance["points"] > 0]
    fig, axes = _grid(max(1, len(g)), 3, (4.4, 3.2),
                      "Running coefficient of variation over the first n replicates, "
                      f"relative to its final value (band: ±{tolerance:.0%})")
    n = None
    for ax, row in zip(axes, g.itertuples(), strict=False):
        t = _tracks(outcomes, row.outcome, tolerance)
        n = np.arange(1, t.track.shape[1] + 1)
        with np.errstate(invalid="ignore", divide="ignore"):
            rel = np.where(t.track == t.final[:, None], 1.0, t.track / t.final[:, None])
        worst = int(np.argmax(t.n_stable))
        shown = np.unique(np.linspace(0, len(t.points) - 1,
                                      min(max_points, len(t.points))).astype(int))
        for i in shown:
            k = slice(1, t.counts[i])
            ax.plot(n[k], rel[i, k], color="grey", alpha=0.45, lw=0.8)
        k = slice(1, t.counts[worst])
        ax.plot(n[k], rel[worst, k], color="#C44E52", lw=1.6,
                label=f"slowest: point {int(t.points[worst])}")
        ax.axhspan(1 - tolerance, 1 + tolerance, color="#55A868", alpha=0.2, lw=0)
        ax.axvline(row.n_stable_max, color="#C44E52", ls=":", lw=1)
        ax.set_ylim(0.0, 2.0)
        ax.set_xlim(2, max(3, int(t.counts.max())))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("replicates n")
        ax.set_ylabel("running CV / final CV")
        ax.set_title(f"{row.outcome} (settles at n={int(row.n_stable_max)})", fontsize=9)
        ax.legend(fontsize=7, loc="upper right")
    return _save(fig, path)


# ================================================================================= analyze
def _missing_points(y: pd.Series) -> list[int]:
    return [int(p) for p in y.index[~np.isfinite(y.to_numpy(dtype=float))]]


def _skip_note(method: str, name: str, missing: list[int], total: int) -> str:
    listed = ", ".join(str(p) for p in missing[:10]) + (", ..." if len(missing) > 10 else "")
    return (f"{method} indices for `{name}` were not computed: {len(missing)} of {total} "
            f"design points have no successful replicate (points {listed}); SALib needs "
            "an output at every point of the design.")


def analyze(sweep_dir: Path | str, out: Path | str | None = None, *, n_boot: int = 1000,
            seed: int | None = None, tolerance: float = 0.05) -> dict[str, Path]:
    """Analyse a sweep directory and write tables, figures and ``summary.md``.

    Always: ``aggregate.csv/.md`` and ``summary.md``; ``aleatory.csv/.md`` with two or more
    replicates; ``replicates.csv/.md/.png`` with three or more. By design kind: sobol:
    ``sobol.*``, ``convergence.*`` (and ``sobol_pairs.*`` with second order); morris:
    ``morris.*``, ``convergence.*``; ofat: ``ofat.*``; full_factorial: ``main_effects.*``;
    lhs: ``lhs.*`` (rank correlations and a scatter grid).

    Args:
        sweep_dir: The sweep directory.
        out: Output folder (default ``sweep_dir / "analysis"``).
        n_boot: Bootstrap resamples for Sobol and Morris intervals.
        seed: Bootstrap seed (default: the sweep's root seed).
        tolerance: Relative CV tolerance for replicate guidance.

    Returns:
        File name -> path of every file written.
    """
    sweep = load_sweep(sweep_dir)
    out = Path(out) if out is not None else sweep.path / "analysis"
    out.mkdir(parents=True, exist_ok=True)
    seed = int(sweep.manifest.get("root_seed") or 0) if seed is None else seed
    names = sweep.outcome_names
    written: dict[str, Path] = {}
    findings: dict[str, list[str]] = {n: [] for n in names}
    notes: list[str] = []

    def put_csv(frame: pd.DataFrame, stem: str) -> None:
        written[f"{stem}.csv"] = write_csv(frame, out / f"{stem}.csv")

    def put_md(stem: str, title: str, intro: Sequence[str], frame: pd.DataFrame,
               md_notes: Sequence[str] = (), max_rows: int | None = MD_MAX_ROWS) -> None:
        path = _write_md(out / f"{stem}.md", title, intro, frame, md_notes, max_rows)
        written[path.name] = path

    def put_png(path: Path) -> None:
        written[path.name] = path

    agg = aggregate(sweep.outcomes, sweep.design, names)
    put_csv(agg, "aggregate")
    put_md("aggregate", "Replicate summary per design point",
           [f"Mean, sd, standard error, 95% Student-t CI and quantiles of every outcome over "
            f"the successful replicates of each design point ({sweep.replicates} "
            "replicates planned per point; failed runs left out)."], agg)

    kind = sweep.kind
    factors = [f for f in sweep.factors if f in sweep.design]
    problem = sweep.problem
    opts = sweep.options
    if not names:
        kind = "none"   # nothing to analyse; the summary says why
    if kind in ("sobol", "morris") and problem is None:
        notes.append(f"The manifest has no SALib problem; {kind} indices were not computed.")
    elif kind == "sobol":
        second = bool(opts.get("second_order", False))
        _analyze_sobol(sweep, agg, names, problem, second, n_boot, seed, out, findings,
                       notes, put_csv, put_md, put_png)
    elif kind == "morris":
        levels = int(opts.get("levels", 4))
        _analyze_morris(sweep, agg, names, problem, levels, n_boot, seed, out, findings,
                        notes, put_csv, put_md, put_png)
    if kind == "ofat":
        if "varied" in sweep.design:
            curves = ofat_curves(agg, sweep.design)
            put_csv(curves, "ofat")
            put_md("ofat", "One-factor-at-a-time response curves",
                   ["Replicate mean and 95% CI of each outcome at each level of each "
                    "factor, the others held at the base scenario (ten Broeke et al. 2016)."],
                   curves)
            put_png(plot_ofat(curves, out / "ofat.png"))
            _range_findings(curves, names, findings, "OFAT")
        else:
            notes.append("The OFAT design table has no `varied` column; no curves drawn.")
    elif kind == "full_factorial":
        effects = main_effects(sweep.outcomes, sweep.design, names)
        put_csv(effects, "main_effects")
        put_md("main_effects", "Main effects",
               ["Mean of every outcome at each level of each factor, pooled over the other "
                "factors' levels and the replicates, with a 95% Student-t CI."], effects)
        put_png(plot_main_effects(effects, out / "main_effects.png"))
        _range_findings(effects, names, findings, "main effect")
    elif kind == "lhs" and any(pd.api.types.is_numeric_dtype(sweep.design[f])
                               for f in factors):
        numeric = [f for f in factors if pd.api.types.is_numeric_dtype(sweep.design[f])]
        corr = rank_correlations(agg, numeric)
        put_csv(corr, "lhs")
        put_md("lhs", "Rank correlation of outcomes with factors (Latin hypercube)",
               ["Spearman rank correlation between each factor and the replicate mean of "
                "each outcome over the design points."], corr)
        put_png(plot_scatter_grid(agg, numeric, out / "lhs.png"))
        for name in names:
            top = corr[corr["outcome"] == name].dropna(subset=["rho"])
            top = top.reindex(top["rho"].abs().sort_values(ascending=False).index).head(3)
            if len(top):
                findings[name].append("Strongest rank correlations (Spearman rho): " + ", ".join(
                    f"`{r.factor}` {r.rho:+.2f}" for r in top.itertuples()))

    if sweep.replicates >= 2 and len(sweep.outcomes):
        share = aleatory_share(sweep.outcomes, names)
        put_csv(share, "aleatory")
        put_md("aleatory", "Stochastic (aleatory) share of output variance",
               ["Mean within-point variance across replicates divided by the variance of "
                "all runs (science_anchors §6.3 item 5). Sensitivity indices describe the "
                "replicate means; this is the part of run-to-run variation they leave out."],
               share)
        for r in share.itertuples():
            if math.isfinite(r.aleatory_share):
                digits = 0 if r.aleatory_share >= 0.01 else 2
                findings[r.outcome].append(f"Replicate noise is {r.aleatory_share:.{digits}%} "
                                           "of the run-to-run variance.")
    if sweep.replicates >= 3 and len(sweep.outcomes):
        guide = replicate_guidance(sweep.outcomes, names, tolerance=tolerance)
        put_csv(guide, "replicates")
        put_md("replicates", "How many replicates?",
               [f"Running coefficient of variation over the first n replicates; `n_stable` is "
                f"the n after which it stays within ±{tolerance:.0%} of its final value "
                "(Lee et al. 2015). Where a point's mean cannot be told from zero the running "
                "sd is used instead. `n_for_ci` is the number of replicates for a 95% CI "
                "half-width of the stated target, from the point's sd (Secchi & Seri 2017). "
                "Both are evaluated per design point; `_max` is the largest over points."],
               guide)
        put_png(plot_replicates(sweep.outcomes, guide, out / "replicates.png", tolerance))
        for r in guide.itertuples():
            findings[r.outcome].append(f"Replicates: {r.verdict}.")

    summary = _summary(sweep, names, findings, notes, written)
    path = out / "summary.md"
    path.write_text(summary, encoding="utf-8")
    written[path.name] = path
    return written


def _complete_y(agg: pd.DataFrame, name: str, n_points: int, method: str,
                notes: list[str]) -> np.ndarray | None:
    y = point_means(agg, name)
    missing = _missing_points(y)
    if missing:
        notes.append(_skip_note(method, name, missing, n_points))
        return None
    y = y.to_numpy(dtype=float)
    if np.ptp(y) == 0.0:
        notes.append(f"`{name}` is the same at every design point; it has no variance to "
                     f"apportion, so no {method} indices.")
        return None
    return y


def _analyze_sobol(sweep: Sweep, agg, names, problem, second, n_boot, seed, out, findings,
                   notes, put_csv, put_md, put_png) -> None:
    tables, pairs, convs = [], [], []
    n_points = len(sweep.design)
    for name in names:
        y = _complete_y(agg, name, n_points, "Sobol", notes)
        if y is None:
            continue
        try:
            t = sobol_indices(sweep.samples, y, problem, second, n_boot, seed)
        except ValueError as err:
            notes.append(f"Sobol indices for `{name}` were not computed: {err}.")
            continue
        tables.append(t.assign(outcome=name))
        if second:
            pairs.append(sobol_pairs(y, problem, n_boot, seed).assign(outcome=name))
        convs.append(convergence(None, y, problem, "sobol", second_order=second,
                                 n_boot=n_boot, seed=seed).assign(outcome=name))
        top = t.sort_values("ST", ascending=False).head(3)
        findings[name].append("Most influential by total Sobol index ST (95% CI): " + ", ".join(
            f"`{r.factor}` {r.ST:.2f} [{r.ST_lo:.2f}, {r.ST_hi:.2f}]"
            for r in top.itertuples()))
        total_s1 = float(t["S1"].sum())
        findings[name].append(
            f"First-order indices sum to {total_s1:.2f}: about {1 - total_s1:.0%} of the "
            "variance of the replicate mean comes from interactions." if total_s1 < 1 else
            f"First-order indices sum to {total_s1:.2f}: the factors act additively (no sign "
            "of interactions).")
    if not tables:
        return
    table = _outcome_first(pd.concat(tables, ignore_index=True))
    put_csv(table, "sobol")
    put_md("sobol", "Sobol sensitivity indices",
           ["First-order (S1) and total (ST) Sobol indices of the replicate mean per design "
            "point (Saltelli et al. 2010 estimators via SALib), with 95% bootstrap CIs "
            f"({n_boot} resamples); `_lo`/`_hi` are the interval ends."],
           table, [n for n in notes if n.startswith("Sobol") or "variance" in n])
    put_png(plot_sobol(table, out / "sobol.png"))
    if pairs:
        pair_table = _outcome_first(pd.concat(pairs, ignore_index=True))
        put_csv(pair_table, "sobol_pairs")
        put_md("sobol_pairs", "Second-order Sobol indices",
               ["S2 for every factor pair, with the 95% bootstrap CI half-width."], pair_table)
    _write_convergence(convs, findings, put_csv, put_md, put_png, out)


def _analyze_morris(sweep: Sweep, agg, names, problem, levels, n_boot, seed, out, findings,
                    notes, put_csv, put_md, put_png) -> None:
    factors = _factor_names(problem)
    samples = sweep.samples
    if samples is None:
        samples = sweep.design[[f for f in problem["names"]]].to_numpy(dtype=float)
    tables, convs = [], []
    for name in names:
        y = _complete_y(agg, name, len(sweep.design), "Morris", notes)
        if y is None:
            continue
        try:
            t = morris_indices(samples, y, problem, levels, n_boot, seed)
        except ValueError as err:
            notes.append(f"Morris indices for `{name}` were not computed: {err}.")
            continue
        tables.append(t.assign(outcome=name))
        convs.append(convergence(samples, y, problem, "morris", levels=levels,
                                 n_boot=n_boot, seed=seed).assign(outcome=name))
        top = t.head(3)
        findings[name].append("Most influential by Morris mu* (sigma): " + ", ".join(
            f"`{r.factor}` {r.mu_star:.3g} ({r.sigma:.3g})" for r in top.itertuples()))
    if not tables:
        return
    table = _outcome_first(pd.concat(tables, ignore_index=True))
    put_csv(table, "morris")
    put_md("morris", "Morris elementary-effect screening",
           [f"mu* (mean absolute elementary effect, with 95% bootstrap CI half-width, "
            f"{n_boot} resamples), mu and sigma over {len(samples) // (len(factors) + 1)} "
            f"trajectories on a {levels}-level grid, computed on replicate means "
            "(Morris 1991; Campolongo et al. 2007). A large sigma relative to mu* means "
            "non-linear effects or interactions."],
           table, [n for n in notes if n.startswith("Morris")])
    put_png(plot_morris(table, out / "morris.png"))
    _write_convergence(convs, findings, put_csv, put_md, put_png, out)


def _write_convergence(convs, findings, put_csv, put_md, put_png, out: Path) -> None:
    conv = _outcome_first(pd.concat(convs, ignore_index=True))
    verdicts = convergence_verdicts(conv)
    put_csv(conv, "convergence")
    put_md("convergence", "Convergence of the indices with sample size",
           ["Indices recomputed on the first N' base samples (Sobol) or r' trajectories "
            "(Morris). An index is called stable when its last two estimates differ by less "
            "than the CI half-width of the last one.", "", "## Verdicts", ""],
           verdicts.drop(columns="text"), max_rows=None)
    with (out / "convergence.md").open("a", encoding="utf-8") as fh:
        fh.write("\n## Estimates by sample size\n\n" + markdown_table(conv))
    put_png(plot_convergence(conv, out / "convergence.png"))
    for name, grp in verdicts.groupby("outcome", sort=False):
        unstable = grp[grp["verdict"] != "stable"]
        if unstable.empty:
            findings[name].append("All indices are stable between the two largest sample "
                                  "sizes.")
        else:
            findings[name].append("Not yet stable (more samples would sharpen them): "
                                  + ", ".join(f"{r.index} of `{r.factor}`"
                                              for r in unstable.itertuples()) + ".")


def _outcome_first(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[["outcome", *[c for c in frame.columns if c != "outcome"]]]


def _range_findings(table: pd.DataFrame, names: Sequence[str], findings: dict,
                    what: str) -> None:
    for name in names:
        sub = table[table["outcome"] == name]
        spans = sub.groupby("factor", sort=False)["mean"].agg(lambda m: m.max() - m.min())
        spans = spans.dropna().sort_values(ascending=False).head(3)
        if len(spans):
            findings[name].append(f"Largest {what} range of the mean: " + ", ".join(
                f"`{f}` {v:.3g}" for f, v in spans.items()))


def _summary(sweep: Sweep, names: Sequence[str], findings: dict[str, list[str]],
             notes: Sequence[str], written: dict[str, Path]) -> str:
    m = sweep.manifest
    study = m.get("study") or {}
    title = study.get("name") or Path(str(m.get("study_file") or sweep.path.name)).stem
    runs = sweep.runs
    n_runs = int(m.get("n_runs") or 0)
    ok = int((runs["status"] == "ok").sum())
    failed = sweep.failed
    lines = [f"# Sweep analysis: {title}", ""]
    if study.get("description"):
        lines += [str(study["description"]), ""]
    opts = {k: v for k, v in (_design_info(m).get("options") or {}).items()
            if k not in ("kind", "seed") and v not in (None, [], {}, "")}
    lines += [
        f"- Design: **{sweep.kind}**"
        + (f" ({', '.join(f'{k}={v}' for k, v in opts.items())})" if opts else ""),
        f"- Factors ({len(sweep.factors)}): " + ", ".join(f"`{f}`" for f in sweep.factors),
        f"- Design points: {len(sweep.design)}; replicates per point: {sweep.replicates}",
        f"- Runs: {n_runs or 'n/a'} planned, {len(runs)} recorded, {ok} ok, "
        f"{len(failed)} failed",
        f"- Model: `{m.get('model', 'n/a')}`; root seed {m.get('root_seed', 'n/a')}; "
        f"common random numbers: {'yes' if m.get('crn', True) else 'no'}",
        f"- Outcomes ({len(names)}): " + (", ".join(f"`{n}`" for n in names) or "none"),
    ]
    if n_runs and len(runs) < n_runs:
        lines.append(f"- **Incomplete sweep:** {n_runs - len(runs)} runs not recorded; "
                     "finish it with `consortium sweep STUDY --resume`.")
    if len(failed):
        last = failed["error"].fillna("").map(
            lambda e: (e.strip().splitlines() or ["(no traceback)"])[-1])
        common = last.value_counts().head(3)
        many = len(failed) != 1
        lines += ["", "## Failed runs", "",
                  f"{len(failed)} run{'s' if many else ''} failed and {'are' if many else 'is'} "
                  "left out of every table (tracebacks are in the runs table). Most common "
                  "errors:", ""]
        lines += [f"- {count} x `{msg}`" for msg, count in common.items()]
    if notes:
        lines += ["", "## Notes", ""] + [f"- {n}" for n in notes]
    lines += ["", "## Key findings", ""]
    if not names:
        lines += ["No outcome values were recorded: every recorded run failed, or none "
                  "finished.", ""]
    for name in names:
        lines += [f"### `{name}`", ""]
        lines += [f"- {f}" for f in findings.get(name) or ["No sensitivity result."]]
        lines.append("")
    lines += ["## Files", ""] + [f"- `{p}`" for p in written] + ["- `summary.md`", ""]
    return "\n".join(lines)
