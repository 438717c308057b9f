"""Replicate aggregates per design point and the aleatory share of the variance."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from experiments.analysis.aggregates import QUANTILES, aggregate, aleatory_share


def test_aggregate_matches_hand_computation() -> None:
    vals = {0: [1.0, 2.0, 4.0, np.nan], 1: [3.0, 3.0, 3.0, 3.0], 2: [np.nan] * 4}
    rows = [{"run_id": p * 4 + r, "point": p, "replicate": r, "a": v, "b": 2 * (v or 0)}
            for p, vs in vals.items() for r, v in enumerate(vs)]
    outcomes = pd.DataFrame(rows)
    design = pd.DataFrame({"point": [0, 1, 2], "k": [10, 20, 30]})
    agg = aggregate(outcomes, design, ["a"]).set_index("point")
    assert list(agg.columns[:2]) == ["outcome", "k"]
    r0 = agg.loc[0]
    x = np.array([1.0, 2.0, 4.0])
    assert r0["n"] == 3 and r0["mean"] == pytest.approx(x.mean())
    assert r0["sd"] == pytest.approx(x.std(ddof=1))
    assert r0["sem"] == pytest.approx(x.std(ddof=1) / math.sqrt(3))
    lo, hi = stats.t.interval(0.95, 2, loc=x.mean(), scale=stats.sem(x))
    assert (r0["ci_low"], r0["ci_high"]) == pytest.approx((lo, hi))
    for col, q in QUANTILES.items():
        assert r0[col] == pytest.approx(np.quantile(x, q))
    assert r0["k"] == 10
    r1 = agg.loc[1]
    assert r1["sd"] == 0 and r1["ci_low"] == r1["ci_high"] == 3.0
    assert agg.loc[2, "n"] == 0 and math.isnan(agg.loc[2, "mean"])
    both = aggregate(outcomes, design)
    assert set(both["outcome"]) == {"a", "b"} and len(both) == 6


def test_aleatory_share() -> None:
    rng = np.random.default_rng(0)
    points, reps = 200, 50
    effect = np.repeat(rng.normal(0, 1.0, points), reps)       # between-point variance 1
    noise = rng.normal(0, 2.0, points * reps)                   # within-point variance 4
    outcomes = pd.DataFrame({"run_id": np.arange(points * reps),
                             "point": np.repeat(np.arange(points), reps),
                             "replicate": np.tile(np.arange(reps), points),
                             "y": effect + noise, "c": np.repeat(np.arange(points), reps)})
    t = aleatory_share(outcomes).set_index("outcome")
    assert t.loc["y", "aleatory_share"] == pytest.approx(0.8, abs=0.05)
    assert t.loc["c", "aleatory_share"] == 0.0


def test_a_share_gets_a_wilson_interval_that_stays_within_0_and_1() -> None:
    from statsmodels.stats.proportion import proportion_confint

    # Two of nine sustained at point 0, none of nine at point 1: a t interval would go below 0.
    flags = {0: [1, 1, 0, 0, 0, 0, 0, 0, 0], 1: [0] * 9}
    rows = [{"run_id": p * 9 + r, "point": p, "replicate": r, "sustained": float(v),
             "level": 0.5 + 0.01 * r}
            for p, vs in flags.items() for r, v in enumerate(vs)]
    agg = aggregate(pd.DataFrame(rows), pd.DataFrame({"point": [0, 1]}))
    share = agg[agg["outcome"] == "sustained"].set_index("point")
    lo, hi = proportion_confint(2, 9, alpha=0.05, method="wilson")
    assert (share.loc[0, "ci_low"], share.loc[0, "ci_high"]) == pytest.approx((lo, hi))
    assert share.loc[1, "ci_low"] == 0.0 and 0.0 < share.loc[1, "ci_high"] < 0.4
    assert set(share["ci_method"]) == {"wilson"}
    level = agg[agg["outcome"] == "level"]
    assert set(level["ci_method"]) == {"t"}
