"""Replicate aggregates per design point and the stochastic (aleatory) share of variance.

Each design point is summarised over its successful replicates with an interval on the
mean, as the response curves of ten Broeke, van Voorn & Ligtenberg 2016 (JASSS 19(1)5)
need: Student-t for a measured outcome, Wilson for a share (an outcome whose every value
is 0 or 1, such as ``sustained_2y``), as ``consortium run`` reports it, so a share's
interval stays within 0-1. Sensitivity indices describe these replicate means; the aleatory share
reports the run-to-run variation they leave out (science_anchors §6.3 item 5).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from experiments.analysis.common import LEVEL, outcome_names

QUANTILES = {"q05": 0.05, "q25": 0.25, "median": 0.5, "q75": 0.75, "q95": 0.95}


def aggregate(outcomes: pd.DataFrame, design: pd.DataFrame,
              names: Sequence[str] | None = None, level: float = LEVEL) -> pd.DataFrame:
    """Summarise replicates per design point and outcome.

    NaN outcome values are left out. Every design point appears, with ``n = 0`` where no
    replicate succeeded. The interval is Student-t on the replicate mean (scipy), or Wilson
    (statsmodels) for an outcome whose every value is 0 or 1; ``ci_method`` says which.

    Returns:
        One row per (outcome, point): outcome, point, factor columns, n, mean, sd, sem,
        ci_low, ci_high, ci_method, q05, q25, median, q75, q95.
    """
    names = outcome_names(outcomes, names)
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
    df = np.where(n >= 2, n - 1, np.nan)
    with np.errstate(invalid="ignore"):
        low, high = stats.t.interval(level, df, loc=table["mean"].to_numpy(dtype=float),
                                     scale=table["sem"].to_numpy(dtype=float))
    # scipy gives NaN for a zero scale; a point without spread has a zero-width interval
    flat = table["sem"].to_numpy(dtype=float) == 0.0
    table["ci_low"] = np.where(flat, table["mean"], low)
    table["ci_high"] = np.where(flat, table["mean"], high)
    shares = [name for name in names if is_share(outcomes[name])]
    table["ci_method"] = "t"
    if shares:
        rows = table.index.get_level_values("outcome").isin(shares) & (n > 0)
        hits = np.rint(table.loc[rows, "mean"].to_numpy() * n[rows])
        low, high = proportion_confint(hits, n[rows], alpha=1 - level, method="wilson")
        table.loc[rows, "ci_low"], table.loc[rows, "ci_high"] = low, high
        table.loc[table.index.get_level_values("outcome").isin(shares), "ci_method"] = "wilson"
    table = table.reset_index()
    cols = ["outcome", "point", "n", "mean", "sd", "sem", "ci_low", "ci_high", "ci_method",
            *QUANTILES]
    table = table[cols].merge(design, on="point", how="left")
    factor_cols = [c for c in design.columns if c != "point"]
    return table[["outcome", "point", *factor_cols, *cols[2:]]]


def is_share(values: pd.Series) -> bool:
    """Whether an outcome is a share: every value that is not NaN is 0 or 1 (and some are)."""
    v = values.dropna().to_numpy(dtype=float)
    return v.size > 0 and bool(np.all((v == 0.0) | (v == 1.0)))


def point_means(agg: pd.DataFrame, outcome: str) -> pd.Series:
    """Replicate mean per design point of one outcome (NaN where no replicate succeeded)."""
    sub = agg[agg["outcome"] == outcome]
    return sub.set_index("point")["mean"].sort_index()


def aleatory_share(outcomes: pd.DataFrame, names: Sequence[str] | None = None) -> pd.DataFrame:
    """Share of output variance that is stochastic: mean within-point variance / total.

    The total is the variance of all successful runs of the outcome; the within-point
    variance is averaged over points with at least two replicates (science_anchors §6.3
    item 5). A share near 1 means the factors hardly matter next to the noise.

    Returns:
        One row per outcome: outcome, points, runs, within_var, total_var, aleatory_share.
    """
    rows = []
    for name in outcome_names(outcomes, names):
        sub = outcomes[["point", name]].dropna()
        var = sub.groupby("point")[name].var(ddof=1).dropna()
        within = float(var.mean()) if len(var) else math.nan
        total = float(sub[name].var(ddof=1)) if len(sub) >= 2 else math.nan
        share = within / total if total > 0 else (0.0 if total == 0 else math.nan)
        rows.append({"outcome": name, "points": int(len(var)), "runs": int(len(sub)),
                     "within_var": within, "total_var": total, "aleatory_share": share})
    return pd.DataFrame(rows, columns=["outcome", "points", "runs", "within_var", "total_var",
                                       "aleatory_share"])
