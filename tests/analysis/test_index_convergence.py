"""Convergence of the Sobol and Morris indices with sample size."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from experiments import reference as ref
from experiments.analysis.aggregates import aggregate, point_means
from experiments.analysis.index_convergence import (
    convergence,
    convergence_sizes,
    convergence_verdicts,
)
from experiments.analysis.sobol import sobol_indices
from experiments.analysis.sweep import load_sweep

from .sweeps import N_BOOT, morris_sweep


def test_convergence_sizes() -> None:
    assert convergence_sizes(1024, "sobol") == [64, 128, 256, 512, 1024]
    assert convergence_sizes(64, "sobol") == [8, 16, 32, 64]
    assert convergence_sizes(100, "sobol") == [8, 16, 32, 64, 100]
    assert convergence_sizes(8, "sobol") == [8]
    assert convergence_sizes(20, "morris") == [2, 3, 5, 10, 20]


def test_convergence_table_ends_at_full_sample(ishigami_dir: Path) -> None:
    sweep = load_sweep(ishigami_dir)
    y = point_means(aggregate(sweep.outcomes, sweep.design), "y").to_numpy()
    conv = convergence(sweep.samples, y, ref.ISHIGAMI_PROBLEM, "sobol", n_boot=N_BOOT,
                       seed=4)
    assert sorted(conv["n"].unique()) == [64, 128, 256, 512, 1024]
    assert set(conv["runs"]) == {n * 5 for n in (64, 128, 256, 512, 1024)}
    full = sobol_indices(None, y, ref.ISHIGAMI_PROBLEM, n_boot=N_BOOT, seed=4)
    last = conv[conv["n"] == 1024]
    for key in ("S1", "ST"):
        got = last[last["index"] == key].set_index("factor")
        np.testing.assert_array_equal(got.loc[full["factor"], "value"], full[key])
        np.testing.assert_array_equal(got.loc[full["factor"], "conf"], full[f"{key}_conf"])
    # a prefix of whole blocks is itself a Saltelli design
    first = conv[(conv["n"] == 64) & (conv["index"] == "ST")]["value"].to_numpy()
    direct = sobol_indices(None, y[:320], ref.ISHIGAMI_PROBLEM, n_boot=N_BOOT, seed=4)
    np.testing.assert_array_equal(first, direct["ST"])
    verdicts = convergence_verdicts(conv)
    assert len(verdicts) == 6 and set(verdicts["verdict"]) <= {"stable", "not yet stable"}
    for r in verdicts.itertuples():
        assert (r.verdict == "stable") == (r.change < r.half_width or r.change == 0)


def test_an_index_that_never_moves_is_stable() -> None:
    # A factor the outcome does not depend on: 0 with a zero-width interval at every size.
    conv = pd.DataFrame({"n": [64, 128, 64, 128], "factor": ["inert", "inert", "x", "x"],
                         "index": "ST", "value": [0.0, 0.0, 0.30, 0.50],
                         "conf": [0.0, 0.0, 0.05, 0.05]})
    verdicts = convergence_verdicts(conv).set_index("factor")
    assert verdicts.loc["inert", "verdict"] == "stable"
    assert verdicts.loc["x", "verdict"] == "not yet stable"


def test_morris_convergence(tmp_path: Path) -> None:
    d = morris_sweep(tmp_path / "m", ref.linear, ref.LINEAR_PROBLEM, 16)
    sweep = load_sweep(d)
    y = point_means(aggregate(sweep.outcomes, sweep.design), "y").to_numpy()
    conv = convergence(sweep.samples, y, ref.LINEAR_PROBLEM, "morris", n_boot=N_BOOT)
    assert sorted(conv["n"].unique()) == [2, 4, 8, 16]
    mu = conv[conv["index"] == "mu_star"]
    for n, grp in mu.groupby("n"):   # linear: every prefix gives the exact mu*
        np.testing.assert_allclose(grp.set_index("factor").loc[["x1", "x2", "x3", "x4"],
                                                               "value"],
                                   ref.LINEAR_MU_STAR, atol=1e-9, err_msg=str(n))
