"""Shared fixtures of the analysis tests: the Ishigami function on a Saltelli design, and
the figures the analysis draws."""

from __future__ import annotations

from pathlib import Path

import pytest
from matplotlib.figure import Figure

from experiments import reference as ref
from experiments.analysis import figures

from .sweeps import sobol_sweep


@pytest.fixture(scope="session")
def ishigami_dir(tmp_path_factory) -> Path:
    return sobol_sweep(tmp_path_factory.mktemp("ish") / "sweep", ref.ishigami,
                       ref.ISHIGAMI_PROBLEM, 1024)


@pytest.fixture
def captured_figures(monkeypatch) -> list[Figure]:
    """Every figure the analysis saves, kept open for its axes to be inspected."""
    figs: list[Figure] = []

    def keep(fig: Figure, path: Path) -> Path:
        figs.append(fig)
        fig.savefig(path)
        return path

    monkeypatch.setattr(figures, "_save", keep)
    return figs
