"""Robustness across deep uncertainties: futures, satisficing and regret."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from cli.main import app
from experiments.robustness import (
    UNCERTAINTIES,
    Robustness,
    futures_lhs,
    robustness,
    robustness_table,
)
from sim.designs import load_design
from sim.params import parameter_table
from sim.scenario import load_scenario


def test_the_futures_fill_their_ranges_and_repeat_from_the_seed() -> None:
    f = futures_lhs(40, 3)
    assert list(f.columns) == list(UNCERTAINTIES) and len(f) == 40
    for key, (lo, hi) in UNCERTAINTIES.items():
        assert f[key].between(lo, hi).all()
        # Latin hypercube: one point in each of the 40 strata of every range
        strata = np.floor((f[key] - lo) / (hi - lo) * 40).clip(0, 39)
        assert sorted(strata.astype(int)) == list(range(40))
    assert f.equals(futures_lhs(40, 3)) and not f.equals(futures_lhs(40, 4))
    rows = {r["key"]: r for r in parameter_table()}
    for key, (lo, hi) in UNCERTAINTIES.items():   # every range lies in the allowed one
        assert rows[key]["low"] <= lo < hi <= rows[key]["high"], key


def test_satisficing_and_regret_by_hand() -> None:
    sustained = pd.DataFrame({"a": [0.1, 0.5, 0.3], "b": [0.4, 0.2, 0.3]})
    r = Robustness(futures=pd.DataFrame(index=range(3)), sustained=sustained,
                   cost=pd.DataFrame({"a": [15.0] * 3, "b": [20.0] * 3}), replicates=1,
                   years_after=2)
    t = robustness_table(r, target=0.3).set_index("design")
    assert t.loc["a", "satisficing_share"] == pytest.approx(2 / 3)
    assert t.loc["b", "satisficing_share"] == pytest.approx(2 / 3)
    # regrets: a = [0.3, 0, 0], b = [0, 0.3, 0]
    assert t.loc["a", "regret_median"] == 0.0 and t.loc["b", "regret_median"] == 0.0
    assert t.loc["a", "regret_p90"] == pytest.approx(np.quantile([0.3, 0, 0], 0.9))
    assert t.loc["b", "cost_mean_musd"] == 20.0


def test_a_design_beside_itself_has_no_regret_in_any_future() -> None:
    d = load_design("taper_2y")
    r = robustness([d, d], load_scenario("workshop_small"), n_futures=3, replicates=3,
                   seed=2, workers=1)
    assert np.array_equal(r.sustained.iloc[:, 0], r.sustained.iloc[:, 1])
    assert (robustness_table(r, 0.5)["regret_p90"] == 0).all()


def test_the_command_writes_its_table_and_refuses_bad_designs(tmp_path: Path) -> None:
    runner = CliRunner()
    args = ["robustness", "ccpt_as_run", "taper_2y", "--scenario", "workshop_small",
            "--futures", "3", "-n", "2", "--workers", "1", "--out", str(tmp_path)]
    result = runner.invoke(app, args, env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    folder = tmp_path / "workshop_small_f3_n2_seed20140701"
    for name in ("robustness_ccpt_as_run+taper_2y.csv", "futures_ccpt_as_run+taper_2y.csv",
                 "robustness_ccpt_as_run+taper_2y.png"):
        assert (folder / name).is_file(), name
    bad = runner.invoke(app, ["robustness", "no_such_design", "--out", str(tmp_path)])
    assert bad.exit_code == 2 and "Traceback" not in bad.output
