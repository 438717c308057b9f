"""Summaries: survival tables, the bimodality coefficient and the award convention."""

from __future__ import annotations

import numpy as np
import pytest

from sim import summary
from sim.grant import award_terms
from sim.outcomes import status_by_year
from sim.run import run
from sim.scenario import load_scenario


def test_survival_counts_each_status_per_year_and_skips_years_past_the_horizon() -> None:
    nan = np.nan
    statuses = np.array([[2, 2, 1], [2, 1, 0], [1, 1, nan], [0, 0, nan]], dtype=float)
    rows = summary.survival(statuses)
    assert [r["n"] for r in rows] == [4, 4, 2]
    assert [r["sustained"] for r in rows] == [0.5, 0.25, 0.0]
    assert [r["scaled_back"] for r in rows] == [0.25, 0.5, 0.5]
    assert [r["dissolved"] for r in rows] == [0.25, 0.25, 0.5]
    for r in rows:
        assert r["sustained"] + r["scaled_back"] + r["dissolved"] == pytest.approx(1.0)
        low, high = summary.wilson_interval(r["sustained"] * r["n"], int(r["n"]))
        assert (r["sustained_low"], r["sustained_high"]) == (low, high)
    empty = summary.survival(np.full((3, 1), nan))
    assert empty[0]["n"] == 0 and np.isnan(empty[0]["sustained"])


def test_bimodality_coefficient_matches_its_known_values() -> None:
    rng = np.random.default_rng(0)
    normal = rng.standard_normal(200_000)
    uniform = rng.random(200_000)
    two_modes = np.r_[rng.normal(0.1, 0.02, 100_000), rng.normal(0.9, 0.02, 100_000)]
    assert summary.bimodality_coefficient(normal) == pytest.approx(1 / 3, abs=0.01)
    assert summary.bimodality_coefficient(uniform) == pytest.approx(5 / 9, abs=0.01)
    assert summary.bimodality_coefficient(two_modes) > 0.95
    assert summary.bimodality_coefficient(normal) < summary.BIMODAL_ABOVE
    assert summary.bimodality_coefficient(two_modes) > summary.BIMODAL_ABOVE
    assert np.isnan(summary.bimodality_coefficient([1.0, 2.0, 3.0]))  # too few
    assert np.isnan(summary.bimodality_coefficient([0.5] * 10))  # no spread
    assert np.isnan(summary.bimodality_coefficient([np.nan] * 10))


def test_status_by_year_agrees_with_the_two_and_four_year_status() -> None:
    res = run(load_scenario("workshop_small"), 3)
    years = status_by_year(res.record)
    assert years[1] == res.outcomes["status_2y"] and years[3] == res.outcomes["status_4y"]
    grant_years = res.record.grant_end // 12
    horizon = res.record.months // 12
    assert np.isfinite(years[:horizon - grant_years]).all()
    assert np.isnan(years[horizon - grant_years:]).all()


def test_the_award_convention_sets_what_the_state_pays() -> None:
    base = award_terms(load_scenario("ccpt_baseline"))
    assert base["convention"] == "fixed_total" and base["state_award"] == pytest.approx(15.0)
    five = award_terms(load_scenario("ccpt_baseline", ["grant.state_years=5"]))
    assert five["state_award"] == pytest.approx(15.0) and five["per_year"] == pytest.approx(3.0)
    annual = award_terms(load_scenario("ccpt_baseline", ["grant.state_years=5",
                                                         "grant.award_convention=fixed_annual"]))
    assert annual["state_award"] == pytest.approx(25.0) and annual["per_year"] == 5.0
    assert award_terms(load_scenario("ccpt_baseline", ["grant.award_musd=0.0"]))[
        "state_award"] == 0.0


# --- intervals and corrections from scipy/statsmodels, against published values ----------
@pytest.mark.parametrize(("hits", "n", "low", "high"), [
    (3, 10, 0.1078, 0.6032),
    (81, 263, 0.2553, 0.3662),    # Newcombe 1998 (Stat Med 17:857), Table I, method 3
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0, 0.1611),
    (1, 29, 0.0061, 0.1718),
])
def test_wilson_interval_matches_published_values(hits, n, low, high) -> None:
    got = summary.wilson_interval(hits, n)
    assert got == pytest.approx((low, high), abs=5e-5)
    assert np.isnan(summary.wilson_interval(0, 0)).all()


def test_t_interval_matches_the_textbook_formula() -> None:
    # 1..5: mean 3, sd sqrt(2.5), t(0.975, 4) = 2.776445 -> 3 -+ 1.963243
    low, high = summary.t_interval([1.0, 2.0, 3.0, 4.0, 5.0, np.nan])
    assert (low, high) == pytest.approx((1.036757, 4.963243), abs=1e-6)
    assert summary.t_interval([2.0, 2.0, 2.0]) == (2.0, 2.0)
    assert all(np.isnan(summary.t_interval([1.0])))


def test_holm_matches_the_step_down_by_hand_and_keeps_nan() -> None:
    # sorted 0.005, 0.01, 0.03, 0.04 times 4, 3, 2, 1 = 0.02, 0.03, 0.06, 0.04 -> monotone
    p = np.array([0.01, 0.04, np.nan, 0.03, 0.005])
    out = summary.holm(p)
    np.testing.assert_allclose(out[[0, 1, 3, 4]], [0.03, 0.06, 0.06, 0.02], atol=1e-15)
    assert np.isnan(out[2])
    assert summary.holm([0.5, 0.9]).tolist() == [1.0, 1.0]   # capped at 1
    assert np.isnan(summary.holm([np.nan])).all()

