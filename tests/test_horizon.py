"""A grant that outlasts the run: every measure beyond the horizon is NaN, named, and the
horizon that would cover it is given; nothing crashes (issue: reliability, §1)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from sim.outcomes import OUTCOMES, RunRecord, beyond_horizon, compute_outcomes, months_needed
from sim.run import run
from sim.scenario import load_scenario


@pytest.mark.parametrize("overrides", [
    ["grant.state_years=10"],                       # the grant ends after the 10-year run
    ["outcomes.horizon_years=3"],                   # the run ends before the grant does
    ["grant.planning_months=12", "grant.taper_years=3", "outcomes.horizon_years=6"],
])
def test_measures_beyond_the_horizon_are_nan_and_named(overrides: list[str]) -> None:
    params = load_scenario("ccpt_baseline", overrides)
    rec: RunRecord = run(params, 3).record
    out = compute_outcomes(rec)
    beyond = beyond_horizon(rec)
    assert beyond, overrides
    for name, value in out.items():
        if name in beyond:
            assert math.isnan(value), name
            assert months_needed(name, rec.grant_end) > rec.months
            assert beyond[name] * 12 >= months_needed(name, rec.grant_end) > (beyond[name] - 1) * 12
        elif months_needed(name, rec.grant_end):
            # Within the horizon: measured, or NaN only where the measure is censored.
            assert not math.isnan(value) or name.startswith("years_to_"), name
    assert not math.isnan(out["new_grants_won"])


def test_the_baseline_has_every_measure_within_its_horizon() -> None:
    rec = run(load_scenario("ccpt_baseline"), 1).record
    assert beyond_horizon(rec) == {}
    assert months_needed("function_level_4y", rec.grant_end) == rec.grant_end + 48
    assert months_needed("mean_trust_grant_end", rec.grant_end) == rec.grant_end
    assert months_needed("new_grants_won", rec.grant_end) == 0
    assert set(beyond_horizon(rec, list(OUTCOMES))) == set()


def test_run_reports_what_the_horizon_leaves_out_and_does_not_crash(tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["run", "ccpt_baseline", "-n", "2", "--set",
                                   "grant.state_years=10", "--out", str(tmp_path)])
    assert res.exit_code == 0, res.output
    text = " ".join(res.output.split())
    assert "beyond the 10-year horizon" in text
    assert "function_level_2y (needs 13 years)" in text
    assert "--set outcomes.horizon_years=15 covers them all" in text
    summary = (tmp_path / "ccpt_baseline_summary.md").read_text()
    assert "outcomes.horizon_years=15" in summary


def test_an_output_folder_that_is_a_file_exits_2_before_any_run(tmp_path: Path) -> None:
    blocker = tmp_path / "out"
    blocker.write_text("not a folder")
    res = CliRunner().invoke(app, ["run", "ccpt_baseline", "-n", "1", "--out", str(blocker)])
    assert res.exit_code == 2 and "is a file, not a folder" in res.output
    assert blocker.read_text() == "not a folder"
