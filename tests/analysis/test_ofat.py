"""OFAT response curves along each factor of a linear function."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from experiments import reference as ref
from experiments.analysis.aggregates import aggregate
from experiments.analysis.ofat import ofat_curves
from experiments.analysis.sweep import load_sweep

from .sweeps import ofat_design, write_sweep


def test_ofat_curves_have_slope_b(tmp_path: Path) -> None:
    design = ofat_design(ref.LINEAR_PROBLEM)
    d = write_sweep(tmp_path / "o", "ofat", design, ref.linear, replicates=4, noise=0.3,
                    options={"points": 5})
    sweep = load_sweep(d)
    curves = ofat_curves(aggregate(sweep.outcomes, sweep.design), sweep.design)
    for name, b in zip(ref.LINEAR_PROBLEM["names"], ref.LINEAR_B, strict=True):
        c = curves[(curves["factor"] == name) & (curves["outcome"] == "y")]
        assert len(c) == 5 and c["level"].is_monotonic_increasing
        assert c["is_base"].sum() == 1
        slope = np.polyfit(c["level"].astype(float), c["mean"], 1)[0]
        assert slope == pytest.approx(b, abs=1e-9)   # CRN: the noise is the same at each level
        assert np.all(c["ci_low"] < c["mean"]) and np.all(c["mean"] < c["ci_high"])
