"""Leader turnover and succession (agents/leadership.pyx; L1, L2, I3), run as the model runs
it: ``Organizations.turn_over_leaders`` and ``Organization.change_leader``."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import FamilyContract, World, in_unit, scenario, small_model

from agents import leadership
from agents.params import Params

BETA = "beta_reputation"


def rules(**sections: dict) -> Params:
    return Params(scenario(**sections))


# ============================================================================ the contract
class TurnoverContract(FamilyContract):
    """A month of leader turnover on every organization, from a generator it is handed."""

    sections = ("leadership",)

    def draws(self, world: World, rng: np.random.Generator) -> int:
        return int(rng.integers(2**31))

    def apply(self, world: World, u: int) -> None:
        rng = np.random.default_rng(u)
        world.model.rng = rng  # change_leader draws from the model's generator
        world.orgs.turn_over_leaders(rng)

    def check_bounds(self, world: World) -> None:
        o, t = world.orgs, world.ties
        assert in_unit(o.commitment) and o.champion.dtype == bool
        assert (o.leader_id >= 0).all()
        assert in_unit(t.personal) and in_unit(t.institutional)

    def check_invariants(self, before: World, after: World, u: int) -> None:
        bo, ao, bt, at = before.orgs, after.orgs, before.ties, after.ties
        changed = ao.leader_id != bo.leader_id
        assert (ao.leader_id[changed] == bo.leader_id[changed] + 1).all()
        assert ao.turnover_events - bo.turnover_events == changed.sum()
        assert np.array_equal(ao.commitment[~changed], bo.commitment[~changed])
        assert np.array_equal(ao.champion[~changed], bo.champion[~changed])
        # Institutional trust stays (T4); personal trust falls back towards the baseline
        # on the changed organizations' ties only, never past it (M6, M7).
        assert np.array_equal(at.institutional, bt.institutional)
        assert np.array_equal(at.tie, bt.tie)
        touched = changed[at.i] | changed[at.j]
        assert np.array_equal(at.personal[~touched], bt.personal[~touched])
        base = after.scenario.trust.baseline
        tied = touched & bt.tie
        old, new = bt.personal[tied] - base, at.personal[tied] - base
        assert (np.abs(new) <= np.abs(old) + 1e-12).all() and (new * old >= -1e-24).all()


@pytest.mark.mechanism("M5", "M6", "M7")
class TestTurnoverContract(TurnoverContract):
    pass


@pytest.mark.mechanism("M5", "M6", "M7")
class TestTurnoverUnderBetaTrustContract(TurnoverContract):
    fixed = {"trust": {"rule": BETA}}


# ============================================================================ the rules
@pytest.mark.mechanism("M6", "M7", "M25")
def test_onboarding_and_distributed_leadership_keep_trust_when_a_leader_leaves() -> None:
    def kept(onboarding: float, distributed: float, retention: float) -> float:
        return leadership.trust_kept(rules(leadership=dict(
            onboarding=onboarding, distributed_leadership=distributed),
            trust=dict(turnover_retention=retention)))

    assert kept(0.0, 0.0, 0.3) == pytest.approx(0.3)
    assert kept(0.0, 0.0, 0.0) == 0.0
    assert kept(1.0, 0.0, 0.0) == kept(0.0, 1.0, 0.0) == 1.0
    # Either buffer hands over its share of what retention alone would lose.
    assert kept(0.5, 0.0, 0.3) == pytest.approx(0.3 + 0.7 * 0.5)
    assert kept(0.5, 0.5, 0.3) == pytest.approx(0.3 + 0.7 * 0.75)
    assert kept(0.2, 0.2, 0.3) < kept(0.4, 0.2, 0.3) < kept(0.4, 0.4, 0.3)


@pytest.mark.mechanism("M5", "M6")
def test_a_successor_s_disposition_centres_on_the_population_or_the_organization() -> None:
    outside = rules(leadership=dict(grow_leaders=False, successor_spread=0.25,
                                    champion_disposition=0.15),
                    commitment=dict(initial_mean=0.45))
    grown = rules(leadership=dict(grow_leaders=True, successor_spread=0.25,
                                  champion_disposition=0.15))
    assert leadership.successor_disposition(0.9, False, 0.0, outside) == pytest.approx(0.45)
    assert leadership.successor_disposition(0.9, False, 0.0, grown) == pytest.approx(0.9)
    assert leadership.successor_disposition(0.9, True, 0.0, outside) == pytest.approx(0.6)
    assert leadership.successor_disposition(0.2, False, 1.0, grown) == pytest.approx(0.45)
    assert leadership.successor_disposition(0.2, False, -2.0, outside) == pytest.approx(0.0)
    assert leadership.successor_disposition(0.9, True, 3.0, grown) == 1.0
    zs = np.linspace(-5.0, 5.0, 41)
    for params in (outside, grown):
        for champion in (False, True):
            dispositions = [leadership.successor_disposition(0.5, champion, z, params)
                            for z in zs]
            assert in_unit(dispositions) and (np.diff(dispositions) >= 0).all()


@pytest.mark.mechanism("M6", "M13")
def test_sedimented_practice_resists_a_change_of_course() -> None:
    p = rules(institutionalization=dict(passage_threshold=0.4))

    def after(habit: float) -> float:
        return leadership.commitment_after_succession(0.8, 0.2, habit, p)

    assert after(0.0) == pytest.approx(0.2)  # no habit: the successor sets the course
    assert after(0.4) == 0.8 and after(0.9) == 0.8  # fully sedimented
    assert after(0.2) == pytest.approx(0.5)
    assert after(0.1) < after(0.2) < after(0.3)
    # A threshold of zero sediments any habit at all, and none without one.
    zero = rules(institutionalization=dict(passage_threshold=0.0))
    assert leadership.commitment_after_succession(0.8, 0.2, 0.01, zero) == 0.8
    assert leadership.commitment_after_succession(0.8, 0.2, 0.0, zero) == pytest.approx(0.2)


def test_annual_turnover_compounds_from_twelve_monthly_chances() -> None:
    annual = np.array([0.0, 0.17, 0.25, 0.5, 1.0])
    monthly = leadership.monthly_hazard(annual)
    assert monthly[0] == 0.0 and monthly[-1] == 1.0
    assert np.allclose(1.0 - (1.0 - monthly) ** 12, annual, rtol=0.0, atol=1e-12)
    assert (np.diff(monthly) > 0).all()


@pytest.mark.mechanism("M6")
def test_every_organization_changes_leader_at_full_hazard_and_none_at_zero() -> None:
    for hazard, expected in ((0.0, 0), (1.0, 1)):
        turnover = {f"turnover_{sector}": hazard
                    for sector in ("district", "college", "employer", "intermediary")}
        model = small_model(1, 0, leadership=turnover)
        orgs = model.organizations
        orgs.turn_over_leaders(model.rng)
        assert (orgs.leader_id == expected).all()
        assert orgs.turnover_events == expected * orgs.n
