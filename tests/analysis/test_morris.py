"""Morris screening: exact elementary effects of a linear function; common random numbers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from experiments import reference as ref
from experiments.analysis.aggregates import aggregate, point_means
from experiments.analysis.morris import morris_indices
from experiments.analysis.sweep import load_sweep

from .sweeps import N_BOOT, morris_sweep


def test_linear_morris_exact(tmp_path: Path) -> None:
    d = morris_sweep(tmp_path / "m", ref.linear, ref.LINEAR_PROBLEM, 20, replicates=2)
    sweep = load_sweep(d)
    y = point_means(aggregate(sweep.outcomes, sweep.design), "y").to_numpy()
    t = morris_indices(sweep.samples, y, ref.LINEAR_PROBLEM, levels=4, n_boot=N_BOOT)
    assert list(t["mu_star"]) == sorted(t["mu_star"], reverse=True)
    t = t.set_index("factor").loc[ref.LINEAR_PROBLEM["names"]]
    np.testing.assert_allclose(t["mu_star"], ref.LINEAR_MU_STAR, atol=1e-9)
    np.testing.assert_allclose(t["mu"], np.array(ref.LINEAR_B) * [1, 2, 4, 10], atol=1e-9)
    np.testing.assert_allclose(t["sigma"], 0.0, atol=1e-9)


def test_common_random_numbers_cancel_noise_in_elementary_effects(tmp_path: Path) -> None:
    crn = morris_sweep(tmp_path / "crn", ref.linear, ref.LINEAR_PROBLEM, 10, replicates=3,
                       noise=0.5)
    indep = morris_sweep(tmp_path / "ind", ref.linear, ref.LINEAR_PROBLEM, 10, replicates=3,
                         noise=0.5, crn=False)
    res = {}
    for name, d in (("crn", crn), ("indep", indep)):
        sweep = load_sweep(d)
        y = point_means(aggregate(sweep.outcomes, sweep.design), "y").to_numpy()
        res[name] = morris_indices(sweep.samples, y, ref.LINEAR_PROBLEM,
                           n_boot=N_BOOT).set_index("factor").sort_index()
    np.testing.assert_allclose(res["crn"]["mu_star"], ref.LINEAR_MU_STAR, atol=1e-9)
    np.testing.assert_allclose(res["crn"]["sigma"], 0.0, atol=1e-9)
    assert res["indep"]["sigma"].min() > 0.01


def test_morris_indices_input_checks() -> None:
    with pytest.raises(ValueError, match="trajectories"):
        morris_indices(np.zeros((9, 4)), np.zeros(9), ref.LINEAR_PROBLEM)
