"""Fixtures of the validation tests: the quick suite, a small full suite and run views.

The suites are session fixtures: several test modules read the same runs.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from validation.report import write_report
from validation.statistics import RunView
from validation.suite import QUICK_REPLICATES, SuiteResult, run_suite


@pytest.fixture(scope="session")
def quick() -> SuiteResult:
    return run_suite(replicates=QUICK_REPLICATES, quick=True, workers=1)


@pytest.fixture(scope="session")
def full_small(tmp_path_factory) -> tuple[SuiteResult, dict]:
    """Every pattern at the smallest N: for the report's shape, not its verdicts."""
    res = run_suite(replicates=3, seed=5, workers=1)
    return res, write_report(res, tmp_path_factory.mktemp("report"))


def _view(series: dict | None = None, probes: dict | None = None) -> RunView:
    """A run view by hand: only the series and probes a statistic reads."""
    record = SimpleNamespace(series={k: np.asarray(x, float) for k, x in (series or {}).items()})
    return RunView(record, {}, {}, probes=probes or {})


@pytest.fixture
def make_view():
    """Build a run view from series and probe results (see ``_view``)."""
    return _view
