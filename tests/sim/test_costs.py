"""What a design costs the state: hand-worked values and the model's own funded positions."""

from __future__ import annotations

import pytest

from sim.costs import COST_ITEMS, state_costs
from sim.designs import load_design
from sim.run import run
from sim.scenario import load_scenario, with_values


def costs(design: str, years_after: int, scenario: str = "ccpt_baseline") -> dict:
    return state_costs(load_design(design).apply(load_scenario(scenario)), years_after)


def test_the_award_alone_for_designs_that_add_nothing_after_the_grant() -> None:
    assert costs("ccpt_as_run", 2) == {"award": 15.0, "retained_backbone": 0.0,
                                       "post_grant_ta": 0.0, "onboarding": 0.0,
                                       "follow_on": 0.0, "total": 15.0}
    assert costs("taper_2y", 4)["total"] == pytest.approx(20.0)   # 4 full-year equivalents
    assert costs("longer_5y", 2, "ccpt_6m")["total"] == pytest.approx(10.0)  # 5 x $2M


def test_a_retained_backbone_costs_its_positions_from_the_end_of_state_money() -> None:
    # $5M a year, 30% on staff at $110K a position: round(13.6) = 14 planned; half is 7,
    # paid through the partner year and two years after: 7 x $110K x 3 = $2.31M.
    out = costs("retained_backbone", 2)
    assert out["retained_backbone"] == pytest.approx(2.31)
    assert out["total"] == pytest.approx(17.31)
    assert costs("retained_backbone", 4)["retained_backbone"] == pytest.approx(7 * 0.11 * 5)


def test_post_grant_ta_is_paid_for_its_years_within_the_horizon_read() -> None:
    assert costs("system_ta", 1)["post_grant_ta"] == pytest.approx(0.15)
    assert costs("system_ta", 4)["post_grant_ta"] == pytest.approx(0.30)  # two years only
    dearer = with_values(load_design("system_ta").apply(load_scenario("ccpt_baseline")),
                         {"costs.ta_kusd_per_year": 400.0})
    assert state_costs(dearer, 4)["post_grant_ta"] == pytest.approx(0.8)


def test_onboarding_support_is_paid_for_every_year_of_the_grant() -> None:
    # half support at $60K a year of full support, over four grant years: $0.12M
    assert costs("onboarding_support", 2)["onboarding"] == pytest.approx(0.5 * 0.06 * 4)
    assert costs("onboarding_support", 8)["onboarding"] == pytest.approx(0.12)  # not after


def test_a_follow_on_grant_costs_its_award() -> None:
    p = with_values(load_scenario("ccpt_baseline"),
                    {"grant.follow_on_year": 4, "grant.follow_on_musd": 5.0})
    out = state_costs(p, 2)
    assert out["follow_on"] == 5.0 and out["total"] == pytest.approx(20.0)
    assert out["total"] == pytest.approx(sum(out[k] for k in COST_ITEMS))


def test_priced_positions_are_the_ones_the_model_funds_after_state_money() -> None:
    """Differential: with nobody else paying, the run funds exactly the priced positions."""
    nobody_else = ["sustainment.partner_capacity_ratio=0", "sustainment.absorb_intercept=-10",
                   "sustainment.operations_positions=0"]
    p = load_design("retained_backbone").apply(load_scenario("ccpt_baseline", nobody_else))
    record = run(p, 1).record
    funded = record.series["positions_funded"][record.money_end:]
    priced = state_costs(p, 0)["retained_backbone"] / (p.grant.position_cost_kusd / 1000.0)
    assert (funded == funded[0]).all()
    assert funded[0] * (record.grant_end - record.money_end) / 12 == pytest.approx(priced)


def test_costs_are_not_model_inputs() -> None:
    """The model never reads costs.*: the same seed gives the same run at any price."""
    base = load_scenario("workshop_small")
    dear = with_values(base, {"costs.ta_kusd_per_year": 1999.0})
    assert run(base, 3).outcomes == run(dear, 3).outcomes
    with pytest.raises(ValueError):
        state_costs(base, -1)
