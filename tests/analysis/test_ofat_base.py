"""OFAT with the base point run once: a real sweep of a toy model, analysed end to end."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sweep_models

from experiments.analysis import analyze
from experiments.analysis.aggregates import aggregate
from experiments.analysis.ofat import ofat_curves
from experiments.analysis.sweep import load_sweep
from experiments.design import run_seed
from experiments.sweep import sweep

STUDY = """\
name = "ofat_toy"
model = "sweep_models:noisy"
replicates = 4
seed = 13
timeseries = "summary"
[design]
kind = "ofat"
[[factors]]
key = "x"
levels = [0.0, 0.5, 1.0]
[[factors]]
key = "w"
levels = [1, 2, 3]
"""
BASE = {"x": 0.5, "w": 2}  # the middle levels


def _reference(x: float, w: int, outcome: str) -> float:
    """The replicate mean of one OFAT value, run straight from the model with CRN seeds."""
    values = [sweep_models.noisy({"x": x, "w": w},
                                 np.random.default_rng(run_seed(13, (r,))))[outcome]
              for r in range(4)]
    return float(np.mean(values))


@pytest.fixture(scope="module")
def toy(tmp_path_factory) -> tuple[Path, dict[str, Path]]:
    root = tmp_path_factory.mktemp("ofat")
    (root / "study.toml").write_text(STUDY, encoding="utf-8")
    out = sweep(root / "study.toml", root / "sweep", executor="sequential")
    return out, analyze(out, root / "analysis", n_boot=50)


def test_the_base_point_is_one_row_of_the_stored_design(toy) -> None:
    sweep_dir, _ = toy
    design = load_sweep(sweep_dir).design
    assert design["varied"].tolist() == ["base", "x", "x", "w", "w"]
    assert len(design) == 1 + (3 - 1) + (3 - 1)
    assert design.iloc[0][["x", "w"]].to_dict() == BASE


def test_each_curve_uses_the_shared_base_point_and_matches_the_model(toy) -> None:
    _, written = toy
    curves = pd.read_csv(written["ofat.csv"])
    for factor, levels in (("x", [0.0, 0.5, 1.0]), ("w", [1, 2, 3])):
        for outcome in ("y", "z"):
            c = curves[(curves["factor"] == factor) & (curves["outcome"] == outcome)]
            assert c["level"].astype(float).tolist() == levels
            base = c[c["is_base"]]
            assert base["point"].tolist() == [0]       # both curves take point 0
            expected = [_reference(**{**BASE, factor: v}, outcome=outcome) for v in levels]
            assert c["mean"].to_numpy() == pytest.approx(expected, rel=1e-12)


def test_curves_equal_those_of_a_design_that_repeated_the_base(toy) -> None:
    # Before, each factor also ran its base value as a point of its own; with common random
    # numbers that point gave the same runs as the base, so the curves are unchanged.
    sweep_dir, _ = toy
    s = load_sweep(sweep_dir)
    curves = ofat_curves(aggregate(s.outcomes, s.design), s.design)
    old = pd.concat([s.design.iloc[[0]].assign(varied="x"), s.design.iloc[[0]].assign(varied="w")])
    old_design = pd.concat([s.design, old], ignore_index=True)
    old_design["point"] = np.arange(len(old_design))
    runs = s.outcomes[s.outcomes["point"] == 0]
    old_outcomes = pd.concat([s.outcomes, runs.assign(point=5), runs.assign(point=6)])
    old_curves = ofat_curves(aggregate(old_outcomes, old_design), old_design)
    key = ["factor", "outcome", "level"]
    new = curves.set_index(key)[["n", "mean", "ci_low", "ci_high"]]
    before = old_curves.set_index(key)[["n", "mean", "ci_low", "ci_high"]]
    pd.testing.assert_frame_equal(new.sort_index(), before.sort_index(), check_dtype=False)
