"""Fixtures shared across test folders: the toy calibration sweep of tests/sweep_models.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from experiments.sweep import sweep

TESTS = Path(__file__).resolve().parent

TOY = """\
name = "toy_calibration"
model = "sweep_models:band_toy"
replicates = 2
seed = 3
[design]
kind = "lhs"
samples = 200
[[factors]]
key = "a"
bounds = [0.0, 1.0]
[[factors]]
key = "b"
bounds = [0.0, 1.0]
"""


@pytest.fixture
def tests_dir() -> Path:
    """The tests folder, where ``sweep_models`` lives."""
    return TESTS


@pytest.fixture
def toy_sweep(tmp_path, monkeypatch):
    """A sweep of ``sweep_models:band_toy``: a band on ``level`` accepts exactly its ``a``."""
    monkeypatch.syspath_prepend(str(TESTS))
    study = tmp_path / "toy.toml"
    study.write_text(TOY)
    out = tmp_path / "sweep"
    sweep(study, out, executor="sequential")
    return out
