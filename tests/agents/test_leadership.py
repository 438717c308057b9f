"""Leader turnover and succession (agents/leadership.pyx; L1, L2, I3), run as the model runs
it: ``Organizations.turn_over_leaders`` and ``Organization.change_leader``; the lead's style and
the consortium's governance (M25, M26), with ``Consortium.steer``."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from conftest import (
    FamilyContract,
    World,
    evidence,
    in_unit,
    scenario,
    small_model,
    trust_after_let_down,
)

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
        return leadership.trust_kept(rules(leadership=dict(onboarding=onboarding),
                                           trust=dict(turnover_retention=retention)),
                                     distributed)

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


# ============================================================================ style and governance
HIERARCHY = dict(mode="hierarchical_mou", hub_focus=0.2)
SHARED = dict(mode="shared_open", workgroup_formation=0.5, workgroup_interaction=0.4,
              workgroup_leadership=0.2, shared_control=0.5, workgroup_cost=0.1)
COACHING = dict(distributed_leadership=0.2, coaching_formation=0.5, coaching_leadership=0.3,
                coaching_voice=0.5, experiment_cost=0.3, imposition_rate=0.04,
                activator_threshold=0.5, activator_rate=0.1, coaching_mean=0.3,
                coaching_spread=0.2)


def governed(mode: dict, **leader: float) -> Params:
    return rules(governance=mode, leadership={**COACHING, **leader})


@pytest.mark.mechanism("M25", "M26")
def test_a_hierarchy_leans_formation_to_the_lead_and_shared_control_to_the_partners() -> None:
    # Hub and spoke: (1 + 0.2) with the lead, (1 - 0.2) between others; coaching x(1 + 0.5 s).
    assert leadership.formation_bias(0.0, governed(HIERARCHY)) == pytest.approx((1.2, 0.8))
    assert leadership.formation_bias(1.0, governed(HIERARCHY)) == pytest.approx((1.2, 1.2))
    # Workgroups bring the other partners together: (1 + 0.5), coaching on top.
    assert leadership.formation_bias(0.0, governed(SHARED)) == pytest.approx((1.0, 1.5))
    assert leadership.formation_bias(0.4, governed(SHARED)) == pytest.approx((1.0, 1.8))
    assert leadership.peer_work(governed(SHARED)) == pytest.approx(1.4)
    assert leadership.peer_work(governed(HIERARCHY)) == 1.0
    # The knock-out settings lean nowhere.
    flat = rules(governance=dict(hub_focus=0.0), leadership=dict(coaching_formation=0.0))
    assert leadership.formation_bias(0.7, flat) == (1.0, 1.0)


@pytest.mark.mechanism("M6", "M25", "M26")
def test_workgroups_and_a_coaching_lead_spread_leadership_and_defuse_power() -> None:
    assert leadership.distributed_leadership(0.0, governed(HIERARCHY)) == pytest.approx(0.2)
    assert leadership.distributed_leadership(0.5, governed(HIERARCHY)) == pytest.approx(0.35)
    assert leadership.distributed_leadership(0.5, governed(SHARED)) == pytest.approx(0.55)
    assert leadership.distributed_leadership(1.0, governed(SHARED,
                                                           distributed_leadership=0.9)) == 1.0
    # More distributed leadership, more trust kept when a leader leaves (M6).
    p = governed(SHARED)
    assert (leadership.trust_kept(p, leadership.distributed_leadership(0.0, governed(HIERARCHY)))
            < leadership.trust_kept(p, leadership.distributed_leadership(0.8, p)))
    # The power gap partners feel: shared control halves it, a coach halves what is left.
    assert leadership.power_distance(0.0, governed(HIERARCHY)) == 1.0
    assert leadership.power_distance(1.0, governed(HIERARCHY)) == pytest.approx(0.5)
    assert leadership.power_distance(1.0, governed(SHARED)) == pytest.approx(0.25)
    # Workgroups take coordination, never below none.
    assert leadership.coordination_left(0.6, governed(SHARED)) == pytest.approx(0.5)
    assert leadership.coordination_left(0.05, governed(SHARED)) == 0.0
    assert leadership.coordination_left(0.6, governed(HIERARCHY)) == 0.6


@pytest.mark.mechanism("M14", "M26")
def test_a_coach_s_experiments_cost_visible_wins_while_the_practice_is_new() -> None:
    p = governed(HIERARCHY)
    assert leadership.visible_output(0.0, 0.0, p) == 1.0
    assert leadership.visible_output(1.0, 0.0, p) == pytest.approx(0.7)
    assert leadership.visible_output(1.0, 0.5, p) == pytest.approx(0.85)
    assert leadership.visible_output(1.0, 1.0, p) == 1.0
    assert leadership.visible_output(0.5, 0.2, p) == pytest.approx(1.0 - 0.3 * 0.5 * 0.8)


@pytest.mark.mechanism("M26")
def test_a_directive_lead_imposes_its_agenda_and_a_learning_culture_turns_it_to_coaching() -> None:
    p = governed(HIERARCHY)
    assert leadership.imposition_chance(0.0, p) == pytest.approx(0.04)
    assert leadership.imposition_chance(0.75, p) == pytest.approx(0.01)
    assert leadership.imposition_chance(1.0, p) == 0.0
    # Activator: below the habit threshold the style stays; from it, it closes 10% of the gap.
    assert leadership.style_step(0.2, 0.49, p) == 0.2
    assert leadership.style_step(0.2, 0.5, p) == pytest.approx(0.28)
    style = 0.2
    for _ in range(30):
        style = leadership.style_step(style, 0.8, p)
    assert style == pytest.approx(1.0 - 0.8 * 0.9 ** 30)
    # A new lead leader's style centres on coaching_mean, spread coaching_spread, in 0-1.
    assert leadership.leader_style(0.0, p) == pytest.approx(0.3)
    assert leadership.leader_style(1.0, p) == pytest.approx(0.5)
    assert leadership.leader_style(-3.0, p) == 0.0 and leadership.leader_style(5.0, p) == 1.0


def steered(seed: int, style: float, **leader: float) -> tuple:
    """A small model after a year, its lead's style set, stepped through ``steer`` once."""
    model = small_model(seed, 12, leadership={**COACHING, **leader})
    c, t = model.consortium, model.partnerships
    c.style = style
    before = evidence(t)
    state = copy.deepcopy(model.rng.bit_generator.state)
    c.impositions = 0
    c.steer(True, t, model.rules, model.rng)
    return model, before, state


@pytest.mark.mechanism("M26", "M29")
def test_an_imposed_agenda_lets_partners_down_on_every_tie_of_the_lead() -> None:
    model, before, _ = steered(2, 0.0, imposition_rate=1.0)
    t, c = model.partnerships, model.consortium
    lead_ties = t.lead_edge & t.tie
    assert lead_ties.any() and c.impositions == 1
    want = trust_after_let_down(model, before)
    assert np.allclose(t.personal[lead_ties], want[lead_ties], atol=1e-12)
    assert (t.personal[lead_ties] < before["personal"][lead_ties]).all()
    assert np.array_equal(t.personal[~lead_ties], before["personal"][~lead_ties])
    # A coach never imposes; nor does a lead that has left the table.
    coach, before, _ = steered(2, 1.0, imposition_rate=1.0)
    assert coach.consortium.impositions == 0
    assert np.array_equal(coach.partnerships.personal, before["personal"])
    model = small_model(2, 12, leadership=dict(imposition_rate=1.0))
    model.consortium.style, model.consortium.impositions = 0.0, 0
    model.consortium.steer(False, model.partnerships, model.rules, model.rng)
    assert model.consortium.impositions == 0


def test_steering_draws_one_uniform_a_month_whatever_happens() -> None:
    for style, rate in ((0.0, 1.0), (1.0, 1.0), (0.3, 0.0)):
        model, _, state = steered(4, style, imposition_rate=rate)
        expected = np.random.default_rng()
        expected.bit_generator.state = state
        expected.random()
        assert model.rng.bit_generator.state == expected.bit_generator.state


@pytest.mark.mechanism("M26")
def test_the_signals_follow_the_style_the_lead_ends_the_month_with() -> None:
    model, _, _ = steered(1, 0.6, activator_threshold=0.0, activator_rate=0.5,
                          imposition_rate=0.0)
    c, p = model.consortium, model.rules
    assert c.style == pytest.approx(0.8)
    assert c.distributed == leadership.distributed_leadership(0.8, p)
    assert (c.lead_formation, c.peer_formation) == leadership.formation_bias(0.8, p)
    assert c.power_distance == leadership.power_distance(0.8, p)


@pytest.mark.mechanism("M6", "M26")
def test_a_new_lead_leader_brings_a_style_that_a_learning_culture_resists() -> None:
    model = small_model(0, 0, leadership=dict(coaching_mean=0.3, coaching_spread=0.2),
                        institutionalization=dict(passage_threshold=0.4))
    c = model.consortium
    c.style = 0.9
    c.new_lead_leader(0.0, 0.0, -1.0, model.rules)  # no habit: the newcomer sets the style
    assert c.style == pytest.approx(0.1)
    c.style = 0.9
    c.new_lead_leader(0.2, 0.0, -1.0, model.rules)  # half sedimented
    assert c.style == pytest.approx(0.5)
    c.style = 0.9
    c.new_lead_leader(0.4, 0.0, -1.0, model.rules)  # the culture outlasts the leader
    assert c.style == 0.9


def test_workgroup_parameters_are_inert_under_a_hierarchy() -> None:
    """Parameters of the governance mode not chosen change nothing, to the last bit."""
    other = dict(workgroup_formation=3.0, workgroup_interaction=2.0, workgroup_leadership=0.9,
                 shared_control=1.0, workgroup_cost=0.5)
    a = small_model(6, 24)
    b = small_model(6, 24, governance=other)
    for name, series in a.series.items():
        assert np.array_equal(series, b.series[name], equal_nan=True), name
    shared = small_model(6, 24, governance=dict(mode="shared_open"))
    tilted = small_model(6, 24, governance=dict(mode="shared_open", hub_focus=1.0))
    for name, series in shared.series.items():
        assert np.array_equal(series, tilted.series[name], equal_nan=True), name
    assert not np.array_equal(a.series["ties"], shared.series["ties"], equal_nan=True)
