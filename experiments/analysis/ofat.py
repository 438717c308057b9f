"""One-factor-at-a-time response curves, and factorial main effects and interactions.

Extended OFAT (ten Broeke, van Voorn & Ligtenberg 2016, JASSS 19(1)5) varies each factor
over its range with the others at the base scenario; the curves carry replicate
confidence intervals. Main effects pool a full factorial over the other factors' levels;
interaction cell means pool it over all but two (Montgomery 2017, *Design and Analysis of
Experiments*, ch. 5: non-parallel lines in an interaction plot show an interaction).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import proportion_confint

from experiments.analysis.aggregates import is_share
from experiments.analysis.common import LEVEL, outcome_names, t_crit


def ofat_curves(agg: pd.DataFrame, design: pd.DataFrame) -> pd.DataFrame:
    """Extended-OFAT response curves: mean and CI of each outcome along each varied factor.

    ten Broeke et al. 2016. Each factor's curve holds the points where it was varied
    (``design.varied == factor``) plus the one base point (``varied == "base"``), which
    every curve shares; a sweep stored when each factor also ran its base value keeps that
    point instead.

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
    names = outcome_names(outcomes, names)
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
            half = t_crit(t["n"].to_numpy(), level) * t["sd"] / np.sqrt(t["n"])
            t["ci_low"], t["ci_high"] = t["mean"] - half, t["mean"] + half
            t.insert(0, "outcome", name)
            t.insert(0, "factor", factor)
            t["level"] = t["level"].astype(object)
            frames.append(t[["factor", "outcome", "level", "points", "n", "mean", "sd",
                             "ci_low", "ci_high"]])
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


INTERACTION_COLUMNS = ["factor_a", "factor_b", "outcome", "level_a", "level_b", "points", "n",
                       "mean", "sd", "ci_low", "ci_high", "ci_method"]


def interaction_means(outcomes: pd.DataFrame, design: pd.DataFrame,
                      names: Sequence[str] | None = None, level: float = LEVEL) -> pd.DataFrame:
    """Cell means of a factorial for every pair of factors: the data of interaction plots.

    For each pair (A, B) and outcome, the mean over every successful run at each
    combination of their levels (pooled over the other factors and the replicates), with a
    Student-t interval, or Wilson (statsmodels) for a share, as ``ci_method`` says. Factor
    A is the one with more levels (the x axis of the plot), B draws the lines.

    Returns:
        One row per (pair, outcome, cell): factor_a, factor_b, outcome, level_a, level_b,
        points, n, mean, sd, ci_low, ci_high, ci_method.
    """
    names = outcome_names(outcomes, names)
    factors = [c for c in design.columns if c not in ("point", "varied")
               and design[c].nunique() > 1]
    merged = outcomes[["point", *names]].merge(design, on="point", how="left")
    frames = []
    for f1, f2 in itertools.combinations(factors, 2):
        fa, fb = (f2, f1) if design[f2].nunique() > design[f1].nunique() else (f1, f2)
        for name in names:
            sub = merged[[fa, fb, "point", name]].dropna(subset=[name])
            g = sub.groupby([fa, fb], sort=True)
            t = g[name].agg(n="count", mean="mean", sd="std")
            t["points"] = g["point"].nunique()
            t = t.reset_index().rename(columns={fa: "level_a", fb: "level_b"})
            n = t["n"].to_numpy()
            half = t_crit(n, level) * t["sd"].to_numpy() / np.sqrt(n)
            t["ci_low"], t["ci_high"] = t["mean"] - half, t["mean"] + half
            t["ci_method"] = "t"
            if is_share(sub[name]) and len(t):
                hits = np.rint(t["mean"].to_numpy() * n)
                t["ci_low"], t["ci_high"] = proportion_confint(hits, n, alpha=1 - level,
                                                               method="wilson")
                t["ci_method"] = "wilson"
            t.insert(0, "outcome", name)
            t.insert(0, "factor_b", fb)
            t.insert(0, "factor_a", fa)
            t["level_a"], t["level_b"] = t["level_a"].astype(object), t["level_b"].astype(object)
            frames.append(t[INTERACTION_COLUMNS])
    return (pd.concat(frames, ignore_index=True) if frames
            else pd.DataFrame(columns=INTERACTION_COLUMNS))
