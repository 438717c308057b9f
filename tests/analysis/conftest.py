"""Shared sweep of the analysis tests: the Ishigami function on a Saltelli design."""

from __future__ import annotations

from pathlib import Path

import pytest

from experiments import reference as ref

from .sweeps import sobol_sweep


@pytest.fixture(scope="session")
def ishigami_dir(tmp_path_factory) -> Path:
    return sobol_sweep(tmp_path_factory.mktemp("ish") / "sweep", ref.ishigami,
                       ref.ISHIGAMI_PROBLEM, 1024)
