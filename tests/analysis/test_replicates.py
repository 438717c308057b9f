"""Replicate guidance: running CV (Lee et al. 2015), runs for a CI width (Secchi & Seri 2017)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from experiments.analysis.replicates import _n_for_halfwidth, replicate_guidance, running_cv


def _reps(values: np.ndarray) -> pd.DataFrame:
    points, reps = values.shape
    return pd.DataFrame({"run_id": np.arange(points * reps),
                         "point": np.repeat(np.arange(points), reps),
                         "replicate": np.tile(np.arange(reps), points),
                         "y": values.ravel()})


def test_running_cv_matches_prefix_statistics() -> None:
    x = np.array([[3.0, 5.0, 4.0, 8.0, 6.0]])
    run = running_cv(_reps(x))
    for n in range(2, 6):
        row = run[run["n"] == n].iloc[0]
        assert row["mean"] == pytest.approx(x[0, :n].mean())
        assert row["sd"] == pytest.approx(x[0, :n].std(ddof=1))
        assert row["cv"] == pytest.approx(x[0, :n].std(ddof=1) / x[0, :n].mean())


def test_guidance_for_normal_outcome() -> None:
    rng = np.random.default_rng(1)
    out = _reps(rng.normal(10.0, 2.0, (3, 400)))
    g = replicate_guidance(out, tolerance=0.05).iloc[0]
    assert g["measure"] == "cv" and g["replicates"] == 400 and g["points"] == 3
    assert g["final_cv_median"] == pytest.approx(0.2, abs=0.02)
    # the CV of a normal sample has relative sd ~ 1/sqrt(2n): +/-5% needs n of order 100+
    assert 30 <= g["n_stable_median"] <= g["n_stable_max"] < 400
    # t_{n-1} * 2 / sqrt(n) <= 1 first holds at n = 18 for the true sd
    assert 13 <= g["n_for_ci_median"] <= g["n_for_ci_max"] <= 25
    assert g["ci_target"].startswith("10%")


def test_guidance_constant_zero_and_binary_outcomes() -> None:
    const = replicate_guidance(_reps(np.full((2, 20), 7.0))).iloc[0]
    assert const["n_stable_max"] == 2 and const["final_cv_median"] == 0.0
    assert const["n_for_ci_max"] == 2 and const["measure"] == "cv"
    zero = replicate_guidance(_reps(np.zeros((2, 20)))).iloc[0]
    assert zero["measure"] == "sd" and zero["n_stable_max"] == 2
    rng = np.random.default_rng(2)
    binary = replicate_guidance(_reps((rng.random((1, 200)) < 0.5).astype(float))).iloc[0]
    assert binary["ci_target"].startswith("0.05")
    # p = 0.5: sd 0.5, half-width 0.05 -> about (1.96 * 0.5 / 0.05)^2 = 385 replicates
    assert 330 <= binary["n_for_ci_max"] <= 440
    few = replicate_guidance(_reps(np.ones((2, 2)))).iloc[0]
    assert few["points"] == 0 and "fewer than 3" in few["verdict"]


def test_n_for_halfwidth_is_smallest() -> None:
    sd = np.array([2.0, 0.5, 10.0, 0.0])
    target = np.array([1.0, 0.05, 0.1, 1.0])
    n = _n_for_halfwidth(sd, target)
    for s, h, k in zip(sd, target, n, strict=True):
        assert stats.t.ppf(0.975, k - 1) * s / math.sqrt(k) <= h
        if k > 2:
            assert stats.t.ppf(0.975, k - 2) * s / math.sqrt(k - 1) > h
    assert n[0] == 18
