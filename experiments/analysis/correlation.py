"""Spearman rank correlations of replicate means with factors (scipy.stats.spearmanr).

A simple global screen for space-filling (Latin hypercube) designs, which have no block
structure for Sobol or Morris estimators: one replicate mean per design point suffices.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats


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
