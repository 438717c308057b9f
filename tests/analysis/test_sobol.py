"""Sobol indices: the analytic indices of the Ishigami and Sobol G functions, from sweeps."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from experiments import reference as ref
from experiments.analysis.aggregates import aggregate, point_means
from experiments.analysis.driver import analyze
from experiments.analysis.sobol import sobol_indices
from experiments.analysis.sweep import load_sweep

from .sweeps import N_BOOT, sobol_sweep


def test_ishigami_sobol_recovers_analytic_indices(ishigami_dir: Path) -> None:
    sweep = load_sweep(ishigami_dir)
    assert len(sweep.design) == 1024 * 5 and sweep.samples.shape == (5120, 3)
    agg = aggregate(sweep.outcomes, sweep.design)
    y = point_means(agg, "y").to_numpy()
    t = sobol_indices(sweep.samples, y, ref.ISHIGAMI_PROBLEM, False, n_boot=N_BOOT, seed=1)
    assert list(t["factor"]) == ["x1", "x2", "x3"]
    np.testing.assert_allclose(t["S1"], ref.ISHIGAMI_S1, atol=0.05)
    np.testing.assert_allclose(t["ST"], ref.ISHIGAMI_ST, atol=0.05)
    for key, truth in (("S1", ref.ISHIGAMI_S1), ("ST", ref.ISHIGAMI_ST)):
        widened = 1.5 * t[f"{key}_conf"] + 0.01
        assert np.all(np.abs(t[key] - truth) <= widened), (key, t)
        np.testing.assert_allclose(t[f"{key}_hi"] - t[f"{key}_lo"], 2 * t[f"{key}_conf"])
    # the problem constant was not modified by SALib (it adds 'groups' to what it is given)
    assert "groups" not in ref.ISHIGAMI_PROBLEM


def test_sobol_g_ordering_and_inert_factors(tmp_path: Path) -> None:
    d = sobol_sweep(tmp_path / "g", ref.sobol_g, ref.SOBOL_G_PROBLEM, 1024, chunks=3)
    sweep = load_sweep(d)
    y = point_means(aggregate(sweep.outcomes, sweep.design), "y").to_numpy()
    t = sobol_indices(sweep.samples, y, ref.SOBOL_G_PROBLEM, n_boot=N_BOOT, seed=2)
    st = t["ST"].to_numpy()
    assert list(np.argsort(-st)[:4]) == [0, 1, 2, 3]
    assert np.all(st[4:] < 0.02) and np.all(np.abs(t["S1"].to_numpy()[4:]) < 0.02)
    assert st[3] > st[4:].max()
    np.testing.assert_allclose(st, ref.SOBOL_G_ST, atol=0.05)


def test_ishigami_second_order_pairs(tmp_path: Path) -> None:
    d = sobol_sweep(tmp_path / "s2", ref.ishigami, ref.ISHIGAMI_PROBLEM, 512, second_order=True)
    written = analyze(d, n_boot=N_BOOT)
    pairs = pd.read_csv(written["sobol_pairs.csv"]).set_index(["factor_a", "factor_b"])
    v13 = 8 * 0.1 ** 2 * math.pi ** 8 / 225 / ref.ishigami_variance()
    assert pairs.loc[("x1", "x3"), "S2"] == pytest.approx(v13, abs=0.08)
    assert abs(pairs.loc[("x1", "x2"), "S2"]) < 0.08
    assert abs(pairs.loc[("x2", "x3"), "S2"]) < 0.08


def test_sobol_indices_input_checks() -> None:
    with pytest.raises(ValueError, match="blocks of 5"):
        sobol_indices(None, np.ones(11), ref.ISHIGAMI_PROBLEM)
    flat = sobol_indices(None, np.ones(40), ref.ISHIGAMI_PROBLEM)
    assert flat["ST"].isna().all()
