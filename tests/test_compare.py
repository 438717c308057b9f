"""consortium compare: common random numbers, paired statistics, costs and its files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from cli.main import app
from experiments.compare import compare, horizon_for, summary_table, survival_table
from sim.costs import state_costs
from sim.designs import load_design
from sim.outcomes import status_by_year
from sim.run import replicate_seeds, run
from sim.scenario import load_scenario, with_values

BASE = "workshop_small"


@pytest.fixture(scope="module")
def pair():
    designs = [load_design("ccpt_as_run"), load_design("taper_2y")]
    return compare(designs, load_scenario(BASE), replicates=8, seed=5, years_after=2,
                   workers=1)


def test_each_design_runs_on_the_same_seeds_as_a_direct_run(pair) -> None:
    seeds = replicate_seeds(5, 8)
    for runs in pair.runs:
        for r in (0, 7):
            record = run(runs.params, seeds[r]).record
            assert np.array_equal(status_by_year(record, pair.horizon_years),
                                  runs.status[r], equal_nan=True)


def test_a_design_against_itself_differs_by_exactly_nothing() -> None:
    d = load_design("ccpt_as_run")
    same = compare([d, d], load_scenario(BASE), replicates=6, seed=2, workers=1)
    assert np.array_equal(same.runs[0].status, same.runs[1].status, equal_nan=True)
    row = summary_table(same).iloc[1]
    assert (row["diff_sustained"], row["diff_low"], row["diff_high"]) == (0.0, 0.0, 0.0)


def test_results_do_not_depend_on_the_order_or_the_executor(pair) -> None:
    designs = [load_design("taper_2y")]
    alone = compare(designs, load_scenario(BASE), replicates=8, seed=5, workers=2)
    assert np.array_equal(alone.runs[0].status, pair.runs[1].status, equal_nan=True)
    assert np.array_equal(alone.runs[0].programs, pair.runs[1].programs, equal_nan=True)


def test_the_summary_reads_each_design_at_its_own_grant_end(pair) -> None:
    table = summary_table(pair)
    assert list(table["design"]) == ["ccpt_as_run", "taper_2y"]
    for (_, row), runs in zip(table.iterrows(), pair.runs, strict=True):
        k = pair.years_after - 1
        sustained = float(np.mean(runs.status[:, k] == 2.0))
        assert row["sustained"] == pytest.approx(sustained)
        assert row["sustained"] + row["scaled_back"] + row["dissolved"] == pytest.approx(1.0)
        assert row["sustained_low"] <= row["sustained"] <= row["sustained_high"]
        cost = state_costs(runs.params, 2)["total"]
        assert row["cost_total_musd"] == pytest.approx(cost)
        if sustained:
            assert row["cost_per_sustained_musd"] == pytest.approx(cost / sustained)
    first, second = table.iloc[0], table.iloc[1]
    assert second["diff_sustained"] == pytest.approx(second["sustained"] - first["sustained"])
    if second["diff_sustained"] > 0:
        extra = second["cost_total_musd"] - first["cost_total_musd"]
        assert second["cost_per_additional_musd"] == pytest.approx(
            extra / second["diff_sustained"])
    survival = survival_table(pair)
    assert set(survival["design"]) == {"ccpt_as_run", "taper_2y"}
    assert (survival["year"] >= 1).all() and survival["sustained"].between(0, 1).all()


def test_every_run_lasts_long_enough_for_the_longest_design() -> None:
    base = load_scenario(BASE)
    designs = [load_design("ccpt_as_run"), load_design("longer_7y")]
    # seven state years and a partner year, then four years after
    assert horizon_for(designs, with_values(base, {"outcomes.horizon_years": 3}), 4) == 12


def test_the_command_writes_files_named_by_design_and_refuses_bad_input(tmp_path: Path
                                                                         ) -> None:
    runner = CliRunner()
    out = tmp_path / "cmp"
    result = runner.invoke(app, ["compare", "ccpt_as_run", "planning_year", "--scenario", BASE,
                                 "-n", "4", "--workers", "1", "--out", str(out)],
                           env={"COLUMNS": "220"})
    assert result.exit_code == 0, result.output
    folder = out / f"{BASE}_n4_seed20140701"
    names = {p.name for p in folder.iterdir()}
    assert {"summary_ccpt_as_run+planning_year.csv",
            "summary_ccpt_as_run+planning_year.parquet",
            "survival_ccpt_as_run+planning_year.csv", "runs_ccpt_as_run.parquet",
            "runs_planning_year.parquet", "brief_ccpt_as_run+planning_year.html"} <= names
    assert "Δ sustained vs ccpt_as_run" in result.output and "$8.00M in all" in result.output
    bad = tmp_path / "bad.toml"
    bad.write_text("[region]\nn_districts = 2\n")
    for args in (["compare", str(bad)], ["compare", "no_such_design"],
                 ["compare", "taper_2y", "taper_2y"],
                 ["compare", "taper_2y", "--scenario", "no_such_scenario"]):
        res = runner.invoke(app, [*args, "--out", str(out)])
        assert res.exit_code == 2, args
        lines = res.stderr.strip().splitlines()
        assert "Traceback" not in res.output and lines[0].startswith("error: ")
        # one line, or a header "N problems" and N indented lines, one per problem
        assert len(lines) == 1 or (lines[0].endswith(f"{len(lines) - 1} problems")
                                   and all(ln.startswith("  ") for ln in lines[1:])), lines


def test_the_decision_brief_has_every_section_and_figure_and_no_outside_assets(pair) -> None:
    from viz.brief import decision_brief

    html = decision_brief(pair, summary_table(pair), "consortium compare ccpt_as_run taper_2y")
    for section in ("question", "answer", "ranking", "over-time", "designs", "caveats",
                    "method"):
        assert f"id='{section}'" in html, section
    assert html.count("src='data:image/png;base64,") == 2
    assert "http://" not in html and "https://" not in html and "<script" not in html
    for name in ("ccpt_as_run", "taper_2y"):
        assert f"<h3>{name}</h3>" in html
    assert "holds the yearly award" in html          # the award convention, as a caveat
    assert f"read {pair.years_after} years after its own grant ended" in html
    assert "What each measure means" in html and html.count("<dt>") == 7
