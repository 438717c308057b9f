"""Scenario discovery finds a box planted in synthetic data (PRIM and CART)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from experiments.analysis.discover import cart_tree, plain_prim, plain_tree, prim_box


@pytest.fixture(scope="module")
def planted():
    rng = np.random.default_rng(11)
    x = pd.DataFrame({"turnover": rng.random(1500), "budget": rng.random(1500),
                      "noise": rng.random(1500)})
    y = ((x["turnover"] < 0.3) & (x["budget"] > 0.6)).to_numpy()
    return x, y


def test_prim_recovers_the_planted_box(planted) -> None:
    x, y = planted
    p = prim_box(x, y, min_coverage=0.8)
    limits = p.limits.set_index("factor")
    assert set(limits.index) == {"turnover", "budget"}           # noise is not restricted
    assert limits.loc["turnover", "high"] == pytest.approx(0.3, abs=0.03)
    assert limits.loc["budget", "low"] == pytest.approx(0.6, abs=0.03)
    assert p.coverage >= 0.8 and p.density >= 0.9
    text = plain_prim(p, "sustained", 0.5, below=False)
    assert "turnover <=" in text and "budget >=" in text and "noise" not in text


def test_cart_finds_the_same_two_factors(planted) -> None:
    x, y = planted
    t = cart_tree(x, y)
    used = {c.split()[0] for c in t.conditions}
    assert used == {"turnover", "budget"} and t.leaf_density >= 0.9
    assert "turnover" in plain_tree(t, "sustained", 0.5, below=False)


def test_a_target_met_everywhere_or_nowhere_is_refused(planted) -> None:
    x, _ = planted
    with pytest.raises(ValueError, match="none or all"):
        prim_box(x, np.zeros(len(x), dtype=bool))


def test_the_discover_command_on_a_sweep(toy_sweep) -> None:
    """The toy sweep's ``level`` is its factor ``a``: the box is ``a >= threshold``."""
    from typer.testing import CliRunner

    from cli.main import app

    runner = CliRunner()
    result = runner.invoke(app, ["discover", str(toy_sweep), "--outcome", "level",
                                 "--threshold", "0.7", "--min-coverage", "0.9"],
                           env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "level >= 0.7" in result.output and "a >= 0.7" in result.output
    folder = toy_sweep / "discover"
    for name in ("discover.md", "prim_trajectory.csv", "prim_box.csv", "cart.txt",
                 "prim_tradeoff.png"):
        assert (folder / name).is_file(), name
    box = pd.read_csv(folder / "prim_box.csv")
    assert list(box["factor"]) == ["a"] and box.loc[0, "low"] == pytest.approx(0.7, abs=0.02)
    bad = runner.invoke(app, ["discover", str(toy_sweep), "--outcome", "nope"])
    assert bad.exit_code == 2 and "no outcome 'nope'" in bad.stderr
    nothing = runner.invoke(app, ["discover", str(toy_sweep), "--outcome", "level",
                                  "--threshold", "5"])
    assert nothing.exit_code == 2 and "none or all" in nothing.stderr
    missing = runner.invoke(app, ["discover", str(toy_sweep / "nowhere"), "--outcome", "x"])
    assert missing.exit_code == 2 and "Traceback" not in missing.output
