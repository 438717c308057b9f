"""Factorial interactions, whole-number ticks and units on the analysis figures."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from experiments.analysis import analyze
from experiments.analysis.figures import factor_label, is_whole, outcome_label
from experiments.analysis.ofat import interaction_means
from experiments.analysis.sweep import load_sweep

from .sweeps import ofat_design, png_ok, write_sweep

YEARS, TRUST, LEADS = "grant.state_years", "trust.baseline", "leadership.turnover_district"


def toy(params, rng, noise: float = 0.0):
    """A product term makes an interaction: y = years * trust + noise; hit = y > 1."""
    y = params[YEARS] * params[TRUST] + params[LEADS] + noise * rng.standard_normal()
    return {"y": y, "hit": float(y + 0.2 * rng.standard_normal() > 1.0)}


def factorial() -> pd.DataFrame:
    grid = list(itertools.product([3, 5, 8], [0.1, 0.25], [0.1, 0.3]))
    design = pd.DataFrame(grid, columns=[YEARS, TRUST, LEADS])
    design[YEARS] = design[YEARS].astype("int64")
    design.insert(0, "point", np.arange(len(design), dtype=np.int64))
    return design


@pytest.fixture(scope="module")
def ff_sweep(tmp_path_factory) -> Path:
    return write_sweep(tmp_path_factory.mktemp("ff") / "s", "full_factorial", factorial(), toy,
                       replicates=5, noise=0.1, fail={4})


def test_cell_means_equal_a_pandas_groupby(ff_sweep: Path) -> None:
    sweep = load_sweep(ff_sweep)
    cells = interaction_means(sweep.outcomes, sweep.design, ["y", "hit"])
    merged = sweep.outcomes.merge(sweep.design, on="point")
    # years has the most levels, so it is factor A of both its pairs
    assert sorted(set(zip(cells["factor_a"], cells["factor_b"], strict=True))) == sorted(
        [(YEARS, TRUST), (YEARS, LEADS), (TRUST, LEADS)])
    for (fa, fb, name), got in cells.groupby(["factor_a", "factor_b", "outcome"], sort=False):
        plain = merged.groupby([fa, fb])[name].agg(["count", "mean", "std"]).reset_index()
        got = got.sort_values(["level_a", "level_b"]).reset_index(drop=True)
        assert got["level_a"].tolist() == plain[fa].tolist()
        assert got["level_b"].tolist() == plain[fb].tolist()
        assert got["n"].tolist() == plain["count"].tolist()
        np.testing.assert_allclose(got["mean"].astype(float), plain["mean"], rtol=1e-12)
        if name == "hit":   # a share: Wilson, as statsmodels gives it
            hits = np.rint(plain["mean"] * plain["count"])
            lo, hi = proportion_confint(hits, plain["count"], method="wilson")
            assert (got["ci_method"] == "wilson").all()
        else:
            sem = plain["std"] / np.sqrt(plain["count"])
            half = stats.t.ppf(0.975, plain["count"] - 1) * sem
            lo, hi = plain["mean"] - half, plain["mean"] + half
            assert (got["ci_method"] == "t").all()
        np.testing.assert_allclose(got["ci_low"].astype(float), lo, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(got["ci_high"].astype(float), hi, rtol=1e-9, atol=1e-12)
    assert cells.loc[(cells["factor_a"] == YEARS) & (cells["factor_b"] == TRUST), "points"
                     ].eq(2).all()   # each (years, trust) cell pools the two LEADS levels


def test_noise_free_cells_have_the_known_product_values(tmp_path: Path) -> None:
    d = write_sweep(tmp_path / "k", "full_factorial", factorial(), toy, replicates=2)
    sweep = load_sweep(d)
    cells = interaction_means(sweep.outcomes, sweep.design, ["y"])
    t = cells[(cells["factor_a"] == YEARS) & (cells["factor_b"] == TRUST)]
    expected = [a * b + 0.2 for a, b in zip(t["level_a"], t["level_b"], strict=True)]
    np.testing.assert_allclose(t["mean"].astype(float), expected, rtol=1e-12)


def test_analyze_full_factorial_writes_interactions(ff_sweep, tmp_path, captured_figures) -> None:
    written = analyze(ff_sweep, tmp_path / "a", n_boot=50)
    assert {"interactions.csv", "interactions.md", "interactions.png"} <= set(written)
    assert png_ok(written["interactions.png"])
    table = pd.read_csv(written["interactions.csv"])
    assert list(table.columns) == ["factor_a", "factor_b", "outcome", "level_a", "level_b",
                                   "points", "n", "mean", "sd", "ci_low", "ci_high",
                                   "ci_method"]
    inter = next(f for f in captured_figures if f.get_suptitle().startswith("Interactions"))
    ax = inter.axes[0]       # years (x) against trust (lines), outcome y
    assert ax.get_xlabel() == "grant.state_years (years)"
    assert list(ax.get_xticks()) == [3, 5, 8]                  # whole-number level ticks
    assert ax.get_legend().get_title().get_text() == "trust.baseline (0-1)"
    assert len(ax.get_lines()) >= 2
    effects = next(f for f in captured_figures if f.get_suptitle().startswith("Main effects"))
    labels = [a.get_xlabel() for a in effects.axes]
    assert labels[:3] == ["grant.state_years (years)", "trust.baseline (0-1)",
                          "leadership.turnover_district (1/year)"]
    assert list(effects.axes[0].get_xticks()) == [3, 5, 8]
    assert not is_whole(effects.axes[1].get_xticks()[1:-1])    # trust keeps its own ticks


def test_whole_number_factors_get_whole_ticks_on_every_factor_axis(tmp_path, captured_figures):
    # matplotlib alone would tick 1 to 3 at 1.0, 1.25, 1.5, ...; a whole-number factor gets
    # its levels, a fractional one keeps matplotlib's ticks
    problem = {"num_vars": 2, "names": ["n_teams", "rate"], "bounds": [[1, 3], [0.0, 1.0]]}
    design = ofat_design(problem, points=3)
    design["n_teams"] = design["n_teams"].astype("int64")

    def f(params, rng, noise=0.0):
        return {"y": params["n_teams"] + params["rate"]}

    d = write_sweep(tmp_path / "o", "ofat", design, f, replicates=2)
    analyze(d, tmp_path / "a", n_boot=50)
    fig = next(f for f in captured_figures if f.get_suptitle().startswith("One-factor"))
    assert fig.axes[0].get_xlabel() == "n_teams"     # no unit known for a toy factor
    assert list(fig.axes[0].get_xticks()) == [1, 2, 3]
    assert not is_whole(fig.axes[1].get_xticks())


def test_labels_name_units_and_descriptions() -> None:
    assert factor_label("grant.state_years") == "grant.state_years (years)"
    assert factor_label("x1") == "x1"
    label = outcome_label("sustained_2y")
    assert label.startswith("sustained_2y\n") and "sustained two years" in label
    assert outcome_label("y") == "y"
    assert is_whole([3, 5, 8]) and is_whole([1.0, 2.0]) and not is_whole([0.1, 2])
    assert not is_whole([True, False]) and not is_whole(["a"]) and not is_whole([])


def test_lhs_scatter_axes_carry_units(tmp_path, captured_figures) -> None:
    rng = np.random.default_rng(1)
    design = pd.DataFrame({"point": np.arange(12), YEARS: rng.integers(3, 9, 12),
                           TRUST: rng.random(12), LEADS: rng.random(12) * 0.3})
    d = write_sweep(tmp_path / "l", "lhs", design, toy, replicates=1)
    analyze(d, tmp_path / "a", n_boot=50)
    fig = next(f for f in captured_figures if f.get_suptitle().startswith("Replicate mean"))
    assert fig.axes[0].get_xlabel() == "grant.state_years (years)"
    assert all(float(t).is_integer() for t in fig.axes[0].get_xticks())
