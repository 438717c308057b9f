"""analyze(): the files each design kind writes, failed runs, the registry of kinds."""

from __future__ import annotations

import itertools
import re
import typing
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import qmc

from experiments import analysis as an
from experiments import reference as ref
from experiments.analysis import aggregates, index_convergence
from experiments.analysis.aggregates import aggregate, point_means
from experiments.analysis.driver import METHODS, analyze
from experiments.analysis.sobol import sobol_indices
from experiments.analysis.sweep import load_sweep
from experiments.study import DesignSpec

from .sweeps import (
    N_BOOT,
    morris_sweep,
    ofat_design,
    png_ok,
    salib_design,
    sobol_sweep,
    write_sweep,
)

COMMON = {"aggregate.csv", "aggregate.md", "summary.md"}


def test_analyze_sobol_writes_files(ishigami_dir: Path, tmp_path: Path) -> None:
    written = analyze(ishigami_dir, tmp_path / "a", n_boot=N_BOOT)
    expected = COMMON | {f"{s}.{e}" for s in ("sobol", "convergence")
                         for e in ("csv", "md", "png")}
    assert set(written) == expected
    assert all(p.parent == tmp_path / "a" and p.stat().st_size > 0 for p in written.values())
    for name in ("sobol.png", "convergence.png"):
        assert png_ok(written[name]), name
    sobol = pd.read_csv(written["sobol.csv"])
    assert list(sobol.columns[:2]) == ["outcome", "factor"]
    np.testing.assert_allclose(sobol["ST"], ref.ISHIGAMI_ST, atol=0.05)
    summary = written["summary.md"].read_text()
    assert "test_sobol" in summary and "5120 ok, 0 failed" in summary
    assert "`x1`" in summary and "total Sobol index ST" in summary
    md = written["sobol.md"].read_text()
    assert "| outcome | factor | S1 |" in md and "|---|---|---:|" in md


def test_analyze_default_output_folder(tmp_path: Path) -> None:
    d = sobol_sweep(tmp_path / "s", ref.linear, ref.LINEAR_PROBLEM, 128)
    written = analyze(d, n_boot=50)
    assert written["summary.md"].parent == d / "analysis"
    sobol = pd.read_csv(written["sobol.csv"])
    np.testing.assert_allclose(sobol["ST"], ref.LINEAR_ST, atol=0.08)


def test_analyze_morris_writes_files(tmp_path: Path) -> None:
    d = morris_sweep(tmp_path / "m", ref.linear, ref.LINEAR_PROBLEM, 12, replicates=3,
                     noise=0.2)
    written = analyze(d, tmp_path / "out", n_boot=N_BOOT)
    expected = COMMON | {f"{s}.{e}" for s in ("morris", "convergence", "replicates")
                         for e in ("csv", "md", "png")} | {"aleatory.csv", "aleatory.md"}
    assert set(written) == expected
    for name in ("morris.png", "convergence.png", "replicates.png"):
        assert png_ok(written[name]), name
    morris = pd.read_csv(written["morris.csv"]).set_index("factor")
    np.testing.assert_allclose(morris.loc[["x1", "x2", "x3", "x4"], "mu_star"],
                               ref.LINEAR_MU_STAR, atol=1e-9)
    assert "Morris mu*" in written["summary.md"].read_text()


def test_analyze_ofat_writes_files(tmp_path: Path) -> None:
    d = write_sweep(tmp_path / "o", "ofat", ofat_design(ref.LINEAR_PROBLEM), ref.linear,
                    replicates=3, noise=0.1, crn=False)
    written = analyze(d, tmp_path / "out")
    expected = COMMON | {f"{s}.{e}" for s in ("ofat", "replicates")
                         for e in ("csv", "md", "png")} | {"aleatory.csv", "aleatory.md"}
    assert set(written) == expected
    assert png_ok(written["ofat.png"]) and png_ok(written["replicates.png"])
    summary = written["summary.md"].read_text()
    # |b| * range: x1 1, x2 4, x3 2, x4 0
    assert re.search(r"Largest OFAT range of the mean: `x2` 3.9\d*, `x3` 1.9\d*, `x1` 0.8\d",
                     summary)


def test_analyze_full_factorial_and_lhs(tmp_path: Path) -> None:
    grid = list(itertools.product([0.0, 0.5, 1.0], [0.0, 2.0], [-1.0, 3.0], [0.0, 10.0]))
    design = pd.DataFrame(grid, columns=["x1", "x2", "x3", "x4"])
    design.insert(0, "point", np.arange(len(design), dtype=np.int64))
    d = write_sweep(tmp_path / "ff", "full_factorial", design, ref.linear, replicates=2)
    written = analyze(d, tmp_path / "ff_out")
    assert {"main_effects.csv", "main_effects.md", "main_effects.png"} <= set(written)
    assert png_ok(written["main_effects.png"])
    eff = pd.read_csv(written["main_effects.csv"])
    x2 = eff[eff["factor"] == "x2"].sort_values("level")
    assert x2["mean"].diff().iloc[-1] == pytest.approx(-4.0)   # b2 * (2 - 0)

    lo, hi = np.array(ref.LINEAR_PROBLEM["bounds"]).T
    x = qmc.scale(qmc.LatinHypercube(d=4, seed=1).random(60), lo, hi)
    d = write_sweep(tmp_path / "lhs", "lhs", salib_design(x, ref.LINEAR_PROBLEM), ref.linear,
                    samples=x)
    written = analyze(d, tmp_path / "lhs_out")
    assert {"lhs.csv", "lhs.md", "lhs.png"} <= set(written) and png_ok(written["lhs.png"])
    corr = pd.read_csv(written["lhs.csv"]).set_index("factor")
    assert corr["rho"].abs().idxmax() == "x2" and corr.loc["x2", "rho"] < 0


def test_failed_runs_are_excluded_and_counted(tmp_path: Path) -> None:
    # point 5: both replicates failed (Sobol impossible); point 9: one of two failed
    fail = {10, 11, 19}
    d = sobol_sweep(tmp_path / "f", ref.ishigami, ref.ISHIGAMI_PROBLEM, 16, replicates=2,
                    fail=fail, bogus_failed_outcomes=True)
    sweep = load_sweep(d)
    assert len(sweep.runs) == 160 and len(sweep.failed) == 3
    assert len(sweep.outcomes) == 157 and sweep.outcomes["y"].max() < 1e3
    agg = aggregate(sweep.outcomes, sweep.design).set_index("point")
    assert agg.loc[5, "n"] == 0 and agg.loc[9, "n"] == 1
    written = analyze(d, tmp_path / "out", n_boot=N_BOOT)
    assert "sobol.csv" not in written and "convergence.csv" not in written
    summary = written["summary.md"].read_text()
    assert "157 ok, 3 failed" in summary
    assert "ValueError: boom" in summary
    assert "Sobol indices for `y` were not computed: 1 of 80 design points" in summary
    with pytest.raises(ValueError, match="missing"):
        sobol_indices(None, point_means(agg.reset_index(), "y").to_numpy(),
                      ref.ISHIGAMI_PROBLEM)


# ================================================================= registry of design kinds
PUBLIC = ("ID_COLUMNS", "QUANTILES", "LEVEL", "DPI", "MD_MAX_ROWS", "MAX_PANELS", "MAX_LINES",
          "Sweep", "load_sweep", "aggregate", "point_means", "aleatory_share", "sobol_indices",
          "sobol_pairs", "morris_indices", "convergence_sizes", "convergence",
          "convergence_verdicts", "ofat_curves", "main_effects", "rank_correlations",
          "running_cv", "replicate_guidance", "markdown_table", "write_csv", "plot_sobol",
          "plot_morris", "plot_ofat", "plot_main_effects", "plot_convergence",
          "plot_scatter_grid", "plot_replicates", "analyze")


def test_every_design_kind_is_registered() -> None:
    kinds = typing.get_args(DesignSpec.model_fields["kind"].annotation)
    assert set(METHODS) == set(kinds)


def test_unregistered_kind_gets_the_common_tables_only(tmp_path: Path) -> None:
    design = ofat_design(ref.LINEAR_PROBLEM).drop(columns="varied")
    d = write_sweep(tmp_path / "u", "unheard_of", design, ref.linear, replicates=3, noise=0.1)
    written = analyze(d, tmp_path / "out")
    expected = COMMON | {"aleatory.csv", "aleatory.md", "replicates.csv", "replicates.md",
                         "replicates.png"}
    assert set(written) == expected
    summary = written["summary.md"].read_text()
    assert "- Design: **unheard_of**" in summary and "## Notes" not in summary


def test_public_names_are_importable_from_the_package() -> None:
    assert set(PUBLIC) <= set(an.__all__)
    assert all(hasattr(an, name) for name in an.__all__)
    # the modules of aggregate() and convergence() have other names, so nothing is shadowed
    assert an.aggregate is aggregates.aggregate
    assert an.convergence is index_convergence.convergence
