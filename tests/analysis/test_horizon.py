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
