"""analyze() says which design points are beyond their horizon (issue 13 §1)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from experiments.analysis.driver import analyze
from experiments.sweep import sweep

STUDY = """
base = "workshop_small"
replicates = 2
seed = 3
outcomes = ["function_level_2y", "function_level_4y", "new_grants_won"]
[design]
kind = "full_factorial"
[[factors]]
key = "grant.state_years"
levels = [3, 7]
"""


def test_a_point_whose_grant_outlasts_the_horizon_is_named_not_dropped(tmp_path: Path) -> None:
    study = tmp_path / "long_grant.toml"
    study.write_text(STUDY)
    out = sweep(study, tmp_path / "sweep", executor="sequential")
    written = analyze(out, tmp_path / "analysis", n_boot=20)
    beyond = pd.read_csv(written["beyond_horizon.csv"])
    # 7 state years + 1 partner year end at month 96: year 4 after it needs 12 years.
    assert beyond.to_dict("records") == [
        {"outcome": "function_level_4y", "point": 1, "runs": 2, "horizon_years": 10,
         "years_needed": 12}]
    agg = pd.read_csv(written["aggregate.csv"]).set_index(["outcome", "point"])
    assert agg.loc[("function_level_4y", 1), "n"] == 0
    assert agg.loc[("function_level_4y", 1), "beyond_horizon"] == 2
    assert agg.loc[("function_level_4y", 0), "beyond_horizon"] == 0
    assert agg.loc[("function_level_2y", 1), "n"] == 2
    summary = (tmp_path / "analysis" / "summary.md").read_text()
    assert "1 design point(s) lie beyond their horizon" in summary
    assert "outcomes.horizon_years = 12 measures them" in summary


def test_an_integer_factor_beside_a_float_factor_keeps_its_type() -> None:
    """A row read with ``iterrows`` turns 3 into 3.0 beside a float column, which the
    strict scenario refuses; every point's horizon must still be read."""
    from experiments.analysis.horizon import beyond_horizon, point_horizons
    from experiments.analysis.sweep import Sweep
    from sim.scenario import load_scenario, resolved_table

    design = pd.DataFrame({"point": [0, 1, 2, 3], "grant.state_years": [3, 3, 7, 7],
                           "trust.baseline": [0.1, 0.3, 0.1, 0.3]})
    manifest = {"model": "sim.run:simulate",
                "base_scenario": resolved_table(load_scenario("workshop_small")),
                "design": {"kind": "full_factorial",
                           "factors": ["grant.state_years", "trust.baseline"]}}
    sweep_ = Sweep(Path("."), manifest, design, None, pd.DataFrame(), pd.DataFrame())
    ends = {p: end for p, (_, end) in point_horizons(sweep_).items()}
    assert ends[2] - ends[0] == 48 and ends[0] == ends[1] and ends[2] == ends[3]
    beyond = beyond_horizon(sweep_, ["function_level_4y"])
    assert beyond["point"].tolist() == [2, 3]
