"""Ranking factors over several outcomes of a Morris screening, and picking the top k."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from experiments.analysis import screening_scores, top_factors


def morris_table(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    t = pd.DataFrame(rows, columns=["outcome", "factor", "mu_star"])
    return t.assign(mu=t["mu_star"], mu_star_conf=0.0, sigma=0.5 * t["mu_star"])


# Two outcomes in very different units: "share" (0-1) and "money" (thousands). Ranked by raw
# mu*, the money outcome's factors would take every place.
TOY = morris_table([
    ("share", "a", 0.40), ("share", "b", 0.10), ("share", "c", 0.02), ("share", "d", 0.36),
    ("money", "a", 100.0), ("money", "b", 900.0), ("money", "c", 450.0), ("money", "d", 10.0),
    ("flat", "a", 0.0), ("flat", "b", 0.0), ("flat", "c", 0.0), ("flat", "d", 0.0),
])


def test_scores_are_the_largest_share_of_each_outcomes_top_mu_star():
    s = screening_scores(TOY).set_index("factor")
    # a: 0.40/0.40 on share; b: 900/900 on money; c: 450/900; d: 0.36/0.40
    assert s.loc["a", "score"] == pytest.approx(1.0)
    assert s.loc["b", "score"] == pytest.approx(1.0)
    assert s.loc["c", "score"] == pytest.approx(0.5)
    assert s.loc["d", "score"] == pytest.approx(0.9)
    assert s.loc["c", "outcome"] == "money" and s.loc["d", "outcome"] == "share"
    assert s.loc["c", "mu_star"] == 450.0 and s.loc["c", "sigma"] == 225.0
    # the mean share breaks the a-b tie: a (1 + 100/900) / 2 < b (0.25 + 1) / 2
    assert s.loc["a", "mean_share"] == pytest.approx((1 + 100 / 900) / 2)
    assert list(screening_scores(TOY)["factor"]) == ["b", "a", "d", "c"]
    assert list(screening_scores(TOY)["rank"]) == [1, 2, 3, 4]


def test_top_k_keeps_each_outcomes_leader_and_fills_by_relative_mu_star():
    assert top_factors(TOY, 1) == ["b"]
    assert top_factors(TOY, 2) == ["b", "a"]       # the leaders of both outcomes
    assert top_factors(TOY, 3) == ["b", "a", "d"]  # d (0.9 of share's top) beats c (0.5)
    assert top_factors(TOY, 10) == ["b", "a", "d", "c"]


def test_an_outcome_without_effects_or_with_missing_values_does_not_rank():
    noisy = pd.concat([TOY, morris_table([("broken", "c", np.nan), ("broken", "d", np.nan)])])
    assert top_factors(noisy, 4) == top_factors(TOY, 4)
    only_flat = TOY[TOY["outcome"] == "flat"]
    assert top_factors(only_flat, 3) == []


def test_ties_break_by_name_and_k_must_be_positive():
    t = morris_table([("y", "q", 1.0), ("y", "p", 1.0), ("y", "r", 0.5)])
    assert top_factors(t, 2) == ["p", "q"]
    with pytest.raises(ValueError, match="at least 1"):
        top_factors(t, 0)
