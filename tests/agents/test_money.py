"""Money and positions (agents/money.pyx, agents/funding.py): the award and its split, the
backbone, and what partners pay once state money falls short (M3, M19, M21-M23, M29; C3, C5)."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from conftest import (
    FamilyContract,
    World,
    in_unit,
    pair_index,
    parameter_extremes,
    random_world,
    scenario,
    small_model,
    unit,
)

from agents import money
from agents.codes import Phase, Sector
from agents.params import Params
from sim.grant import GrantSchedule

N = 400


def rules(**sections: dict) -> Params:
    return Params(scenario(**sections))


# ============================================================================ the contract
class FundingContract(FamilyContract):
    """A month of money: the follow-on grant, partners' decisions (yearly in the model,
    every month here), staffing the backbone, then operating capacity."""

    sections = ("commitment", "grant")

    def world(self, rng: np.random.Generator, params: object = None) -> World:
        world = super().world(rng, params)
        world.consortium.phase = int(rng.choice([Phase.STATE, Phase.TAPER, Phase.PARTNER,
                                                  Phase.POST]))
        world.backbone.filled = int(rng.integers(0, world.backbone.planned + 1))
        return world

    def draws(self, world: World, rng: np.random.Generator) -> int:
        return int(rng.integers(2**31))

    def apply(self, world: World, u: int) -> None:
        rng = np.random.default_rng(u)
        world.model.rng = rng  # broken pledges and hiring draw from the model's generator
        c, o, p = world.consortium, world.orgs, world.rules
        funding, backbone = world.funding, world.backbone
        funding.follow_on_grant(c.month, p)
        funding.partners_decide(c.month, c.phase, o, c, p, rng)
        backbone.staff(c.month, c.state_share, funding, p, rng)
        c.operating_capacity(o.mean_habit_of_participants(), backbone, funding, p)

    def check_bounds(self, world: World) -> None:
        o, c, funding, backbone = world.orgs, world.consortium, world.funding, world.backbone
        assert (o.contribution >= 0.0).all() and (o.contribution <= o.budget + 1e-12).all()
        for x in (funding.partner_ratio, funding.follow_on, c.coordination, c.convening,
                  c.backbone_share):
            assert 0.0 <= x <= 1.0
        assert 0 <= backbone.filled <= backbone.funded <= backbone.planned
        assert in_unit(world.ties.personal)

    def check_invariants(self, before: World, after: World, u: int) -> None:
        ao, af, bt, at = after.orgs, after.funding, before.ties, after.ties
        part = before.orgs.taking_part
        assert (ao.contribution[~part] == 0.0).all()
        if before.consortium.phase not in (Phase.TAPER, Phase.PARTNER):
            assert (ao.contribution[ao.money_motivated] == 0.0).all()
        assert af.partner_funding == pytest.approx(ao.contribution.sum(), rel=0, abs=1e-12)
        cost = af.core_cost
        assert af.partner_ratio == (min(1.0, af.partner_funding / cost) if cost else 0.0)
        # Broken pledges and lost coordinators cost trust on ties with the lead only (M7, M29).
        assert not ((at.personal != bt.personal) & ~at.lead_edge).any()


@pytest.mark.mechanism("M7", "M21", "M22", "M23", "M29")
class TestFundingContract(FundingContract):
    pass


# ============================================================================ partners' decisions
def share(p: Params, value: object = 0.5, habit: object = 0.2, champion: object = False,
          vision: float = 0.2, load: object = 0.2, money_motivated: object = False,
          used_to: float = 0.0, n: int = N) -> np.ndarray:
    def arr(x: object, dtype: type = float) -> np.ndarray:
        return np.broadcast_to(np.asarray(x, dtype=dtype), n).copy()

    return money.contribution_share(arr(value), arr(habit), arr(champion, bool), vision,
                                    arr(load), arr(money_motivated, bool), used_to, p.commitment)


@pytest.mark.mechanism("M22", "M24", "M3")
def test_contribution_share_stays_in_range_over_parameter_extremes() -> None:
    rng = np.random.default_rng(0)
    for label, params in parameter_extremes(("commitment",), rng):
        p = Params(params)
        for _ in range(4):
            shares = share(p, unit(rng, N), unit(rng, N), rng.random(N) < 0.3,
                           float(rng.random()), unit(rng, N), rng.random(N) < 0.2,
                           float(rng.random()))
            assert in_unit(shares), label


@pytest.mark.mechanism("M22", "M24", "M3", "M5", "M2", "M13", "M31")
@pytest.mark.parametrize("seed", range(4))
def test_contribution_share_rises_with_value_habits_champions_and_identity(seed: int) -> None:
    rng = np.random.default_rng(seed)
    p = rules(commitment=dict(contrib_intercept=-0.2, contrib_value=0.6, crowding=0.3))
    habit, load = rng.uniform(0.0, 0.3, N), rng.uniform(0.0, 0.5, N)
    value = rng.uniform(0.2, 0.5, N)
    lo = share(p, value, habit, load=load)
    inside = (lo > 0) & (lo < 1)
    assert inside.sum() > N // 2
    for more in (share(p, value + 0.3, habit, load=load), share(p, value, habit + 0.2, load=load),
                 share(p, value, habit, True, load=load), share(p, value, habit, vision=0.6,
                                                               load=load)):
        assert (more >= lo).all() and (more[inside] > lo[inside]).all()
    loaded = share(p, value, habit, load=load + 0.3)
    assert (loaded <= lo).all() and (loaded < lo).any()
    # Money-motivated partners give nothing (M3).
    assert (share(p, 1.0, 1.0, True, 1.0, 0.0, True) == 0.0).all()
    # The state money a partner got used to crowds its own money out (C3).
    crowded = share(p, value, habit, load=load, used_to=1.0)
    assert crowded[inside] == pytest.approx(0.7 * lo[inside])


@pytest.mark.mechanism("M22")
def test_negative_crowding_crowds_partners_money_in() -> None:
    p = rules(commitment=dict(contrib_intercept=-0.2, contrib_value=0.6, crowding=-0.1))
    value = np.array([0.5, 0.6, 0.7, 2.0])
    without = share(p, value, 0.0, vision=0.2, load=0.0, n=4)
    with_state = share(p, value, 0.0, vision=0.2, load=0.0, used_to=1.0, n=4)
    assert np.allclose(with_state[:3], 1.1 * without[:3]) and (with_state[:3] > without[:3]).all()
    assert with_state[3] == without[3] == 1.0


@pytest.mark.mechanism("M6", "M29")
@pytest.mark.parametrize("seed", range(4))
def test_pledges_are_honoured_more_with_commitment_habits_the_same_leader_and_enforcement(
        seed: int) -> None:
    rng = np.random.default_rng(seed)
    for label, params in parameter_extremes(("commitment",), rng, count=2):
        for enforced in (False, True):
            chance = money.pledge_honour_probability(unit(rng, N), rng.random(N) < 0.5,
                                                     unit(rng, N), enforced,
                                                     Params(params).commitment)
            assert in_unit(chance), label
    p = rules().commitment
    commit, same = rng.uniform(0.0, 0.8, N), rng.random(N) < 0.5
    habit = rng.uniform(0.0, 0.8, N)
    base = money.pledge_honour_probability(commit, same, habit, False, p)
    assert (money.pledge_honour_probability(commit + 0.2, same, habit, False, p) > base).all()
    assert (money.pledge_honour_probability(commit, same, habit + 0.2, False, p) > base).all()
    assert (money.pledge_honour_probability(commit, same, habit, True, p) > base).all()
    stayed = money.pledge_honour_probability(commit, np.ones(N, bool), habit, False, p)
    assert (stayed[~same] > base[~same]).all() and np.array_equal(stayed[same], base[same])
    even = rules(commitment=dict(pledge_intercept=0.0, pledge_commitment=0.0,
                                 pledge_same_leader=0.0, pledge_institutionalization=0.0))
    assert money.pledge_honour_probability(commit, same, habit, False, even.commitment) == (
        pytest.approx(0.5))


@pytest.mark.mechanism("M14", "M20", "M22")
def test_perceived_value_weighs_commitment_wins_and_data() -> None:
    p = rules(commitment=dict(value_commitment=0.5, value_wins=1.2, value_data=0.2))
    commit = np.array([0.0, 0.5, 1.0])
    assert money.perceived_value(commit, 0.0, 0.0, p).tolist() == pytest.approx([0.0, 0.25, 0.5])
    assert money.perceived_value(commit, 0.2, 0.5, p).tolist() == pytest.approx(
        [0.34, 0.59, 0.84])
    assert money.perceived_value(commit, 1.0, 1.0, p).tolist() == [1.0, 1.0, 1.0]  # at most 1


# ============================================================================ the award
def test_the_award_is_spread_over_the_months_of_state_money() -> None:
    p = rules(grant=dict(award_musd=15.0))
    assert money.award_per_year(p, 36.0) == pytest.approx(5.0)
    assert money.award_per_year(p, 48.0) == pytest.approx(3.75)
    assert money.award_per_year(rules(grant=dict(award_musd=0.0)), 36.0) == 0.0


@pytest.mark.mechanism("M21")
def test_the_staff_share_of_the_award_plans_backbone_positions() -> None:
    p = rules(grant=dict(staff_share=0.3, position_cost_kusd=110.0, convening_cost_kusd=2.0))
    assert money.positions_planned(p, 5.0) == round(0.3 * 5000.0 / 110.0) == 14
    assert money.positions_planned(rules(grant=dict(backbone=False)), 5.0) == 0
    assert money.positions_planned(rules(grant=dict(award_musd=0.0)), 5.0) == 0
    assert money.core_cost(p, 14, 58) == pytest.approx((14 * 110.0 + 2.0 * 58) / 1000.0)


@pytest.mark.mechanism("M1", "M11")
def test_the_grant_pays_for_a_share_of_a_full_convening_program() -> None:
    p = rules(grant=dict(convening_share=0.15, convening_cost_kusd=2.0))
    assert money.grant_convening(p, 5.0, 58) == 1.0  # 750k for a 116k program
    assert money.grant_convening(p, 0.5, 1000) == pytest.approx(75.0 / 2000.0)
    assert money.grant_convening(rules(grant=dict(convenings=False)), 5.0, 58) == 0.0


@pytest.mark.mechanism("M3", "M19", "M21")
def test_sector_money_goes_mostly_to_k12_and_staff_money_to_intermediaries() -> None:
    p = rules()
    grant = p.grant
    shares = money.sector_money(p)
    assert shares[Sector.K12] == pytest.approx(grant.equipment_k12_share * grant.equipment_share
                                               + grant.subgrant_k12_share * grant.subgrant_share)
    assert shares[Sector.COLLEGE] == pytest.approx(
        grant.equipment_college_share * grant.equipment_share
        + grant.subgrant_college_share * grant.subgrant_share)
    assert shares[Sector.INTERMEDIARY] == grant.staff_share and shares[Sector.EMPLOYER] == 0.0
    assert shares[Sector.K12] > shares[Sector.COLLEGE]
    assert money.sector_money(rules(grant=dict(money=False))).tolist() == [0.0, 0.0, 0.0,
                                                                            grant.staff_share]
    assert money.sector_money(rules(grant=dict(backbone=False)))[Sector.INTERMEDIARY] == 0.0


@pytest.mark.mechanism("M3", "M18")
def test_receipt_saturates_is_shared_within_a_sector_and_colleges_own_less_under_k12() -> None:
    sector = np.array([Sector.K12, Sector.K12, Sector.COLLEGE, Sector.EMPLOYER,
                       Sector.INTERMEDIARY], dtype=np.int8)
    joint = rules(grant=dict(administered_by="joint"))
    k12 = rules(grant=dict(administered_by="k12_agency", k12_agency_college_ownership=0.6))
    r_joint, r_k12 = money.receipt(joint, sector, 5.0), money.receipt(k12, sector, 5.0)
    assert in_unit(r_joint) and (r_joint < 1.0).all()
    assert r_joint[0] == r_joint[1] > 0 and r_joint[3] == 0.0
    assert r_k12[2] == pytest.approx(0.6 * r_joint[2])
    assert np.array_equal(np.delete(r_k12, 2), np.delete(r_joint, 2))
    assert (money.receipt(joint, sector, 50.0) > r_joint)[[0, 1, 2, 4]].all()
    received = money.sector_money(joint)[Sector.K12] * 5.0 / 2
    assert r_joint[0] == pytest.approx(received / (received
                                                   + joint.grant.receipt_half_saturation_musd))


@pytest.mark.mechanism("M19")
def test_k12_dominance_of_the_money_costs_the_other_sectors() -> None:
    sector = np.array([Sector.K12, Sector.COLLEGE, Sector.EMPLOYER, Sector.INTERMEDIARY],
                      dtype=np.int8)
    p = rules(commitment=dict(dominance_penalty=0.3, dominance_tolerance=0.2))
    loss = money.dominance(p, sector)
    shares = money.sector_money(p)
    excess = shares[Sector.K12] / shares.sum() - 1.0 / 4 - 0.2
    assert loss[0] == 0.0 and loss[1:] == pytest.approx([0.3 * excess] * 3) and excess > 0
    tolerant = rules(commitment=dict(dominance_tolerance=1.0))
    assert (money.dominance(tolerant, sector) == 0.0).all()
    assert (money.dominance(rules(grant=dict(money=False, backbone=False)), sector) == 0.0).all()


# ============================================================================ positions
@pytest.mark.mechanism("M23")
def test_a_follow_on_grant_covers_part_of_the_core_during_its_years() -> None:
    p = rules(grant=dict(follow_on_year=3, follow_on_musd=3.0, follow_on_years=3,
                         planning_months=0))
    shares = [money.follow_on_share(month, 2.0, p) for month in (23, 24, 59, 60)]
    assert shares == [0.0, 0.5, 0.5, 0.0]
    assert money.follow_on_share(30, 0.5, p) == 1.0  # at most the whole core
    assert money.follow_on_share(30, 2.0, rules()) == 0.0


@pytest.mark.mechanism("M21", "M22", "M23")
def test_positions_are_funded_by_the_state_partners_retention_or_a_follow_on() -> None:
    p = rules(grant=dict(retained_backbone_share=0.1))
    assert money.funded_share(0.5, 0.2, 0.1, p) == pytest.approx(0.9)
    assert money.funded_share(1.0, 0.5, 0.5, p) == 1.0
    assert money.funded_share(0.0, 0.0, 0.0, p) == pytest.approx(0.1)


@pytest.mark.mechanism("M21")
def test_hiring_gets_harder_as_the_grant_runs_out() -> None:
    p = rules(grant=dict(hire_lag_months=6.0, post_cliff_hiring_security=0.7))
    chances = [money.hiring_chance(month, 1.0, 36, p) for month in (0, 12, 24, 35, 36)]
    assert chances[0] == pytest.approx(1 / 6) and chances[-1] == 0.0
    assert (np.diff(chances) < 0).all()
    assert money.hiring_chance(50, 0.0, 36, p) == pytest.approx(0.7 / 6)
    assert money.hiring_chance(0, 1.0, 36, rules(grant=dict(hire_lag_months=0.0))) == 1.0


@pytest.mark.mechanism("M7")
def test_the_lead_keeps_less_trust_the_more_coordinators_it_loses() -> None:
    p = rules(trust=dict(backbone_trust_share=0.5))
    assert [money.lost_positions_keep(k, 4, p) for k in range(5)] == pytest.approx(
        [1.0, 0.875, 0.75, 0.625, 0.5])


@pytest.mark.mechanism("M11", "M13", "M21", "M22", "M23")
def test_habits_substitute_for_paid_coordination_and_convening() -> None:
    p = rules(institutionalization=dict(habit_coordination=0.6))
    assert money.coordination(0.5, 0.5, p) == pytest.approx(0.8)
    assert money.coordination(0.9, 1.0, p) == 1.0
    assert money.convening_intensity(1.0, 0.5, 0.1, 0.0, 0.0, p) == pytest.approx(0.6)
    assert money.convening_intensity(0.0, 0.5, 0.2, 0.1, 0.5, p) == pytest.approx(0.6)
    assert money.convening_intensity(1.0, 1.0, 1.0, 1.0, 1.0, p) == 1.0


# ============================================================================ the sets
def test_partners_decide_yearly_from_the_first_month_short_of_full_state_money() -> None:
    for grant, first in ((dict(), 36), (dict(taper_years=2), 36), (dict(planning_months=12), 48),
                         (dict(award_musd=0.0), 0)):
        funding = small_model(0, 0, grant=grant).funding
        assert funding.first_decision == first, grant
        decisions = [month for month in range(100) if funding.decides_in(month)]
        assert decisions == list(range(first, 100, 12))


@pytest.mark.mechanism("M29")
def test_broken_pledges_pay_nothing_and_let_the_lead_down() -> None:
    never = dict(pledge_intercept=-5.0, pledge_commitment=0.0, pledge_same_leader=0.0,
                 pledge_institutionalization=0.0, enforcement_bonus=0.0)
    model = small_model(3, 40, commitment=never, region=dict(prior_tie_density=0.6))
    orgs, t, c = model.organizations, model.partnerships, model.consortium
    orgs.taking_part[:] = True
    lead = orgs.lead
    before = t.personal.copy()
    model.funding.partners_decide(40, Phase.PARTNER, orgs, c, model.rules,
                                  np.random.default_rng(0))
    assert (orgs.contribution == 0.0).mean() > 0.9
    broke = [org for org in range(model.n) if org != lead and orgs.contribution[org] == 0.0
             and t.tie[pair_index(model.n, org, lead)]]
    assert broke
    for org in broke:
        hit = pair_index(model.n, org, lead)
        assert t.personal[hit] < before[hit]
    assert np.array_equal(t.personal[~t.lead_edge], before[~t.lead_edge])


@pytest.mark.mechanism("M29")
def test_honoured_pledges_pay_at_least_the_honoured_share() -> None:
    always = dict(pledge_intercept=5.0, enforcement_bonus=5.0, honoured_pledge_share=0.5)
    model = small_model(3, 40, commitment=always, grant=dict(match_enforced=True))
    orgs = model.organizations
    orgs.taking_part[:] = True
    orgs.money_motivated[:] = True  # who would give nothing without a pledge
    before = model.partnerships.personal.copy()
    model.funding.partners_decide(40, Phase.TAPER, orgs, model.consortium, model.rules,
                                  np.random.default_rng(1))
    assert np.allclose(orgs.contribution, 0.5 * orgs.budget)
    assert np.array_equal(model.partnerships.personal, before)
    model.funding.partners_decide(52, Phase.POST, orgs, model.consortium, model.rules,
                                  np.random.default_rng(1))
    assert (orgs.contribution == 0.0).all()


@pytest.mark.mechanism("M7", "M21")
def test_unfunded_positions_are_lost_and_take_the_lead_s_trust_along() -> None:
    model = small_model(2, 30, region=dict(prior_tie_density=0.5))
    backbone, funding, t = model.backbone, model.funding, model.partnerships
    assert backbone.planned > 0
    backbone.filled = backbone.funded = backbone.planned
    funding.partner_ratio, funding.follow_on = 0.0, 0.0
    before = t.personal.copy()
    rng = copy.deepcopy(model.rng)
    backbone.staff(40, 0.0, funding, model.rules, model.rng)  # after the cliff, nobody pays
    assert backbone.funded == backbone.filled == 0
    assert model.rng.bit_generator.state == rng.bit_generator.state  # no vacancy, no draw
    lead = t.lead_edge & t.tie
    base = model.params.trust.baseline
    keep = money.lost_positions_keep(backbone.planned, backbone.planned, model.rules)
    assert np.allclose(t.personal[lead], keep * before[lead] + (1 - keep) * base)
    assert np.array_equal(t.personal[~t.lead_edge], before[~t.lead_edge])
    # Refunded, the positions are filled again with one draw per vacancy.
    backbone.staff(10, 1.0, funding, model.rules, model.rng)
    rng.random(backbone.planned)
    assert model.rng.bit_generator.state == rng.bit_generator.state
    assert 0 <= backbone.filled <= backbone.funded == backbone.planned


def test_a_grant_without_backbone_plans_no_positions_and_staffs_nothing() -> None:
    model = small_model(2, 5, grant=dict(backbone=False))
    assert model.backbone.planned == 0 and model.backbone.share_filled == 0.0
    state = copy.deepcopy(model.rng.bit_generator.state)
    model.backbone.staff(6, 1.0, model.funding, model.rules, model.rng)
    assert model.rng.bit_generator.state == state and model.backbone.funded == 0


@pytest.mark.parametrize("seed", range(3))
def test_funding_is_built_from_the_schedule(seed: int) -> None:
    world = random_world(np.random.default_rng(seed))
    p = world.scenario
    schedule = GrantSchedule.build(p.grant, p.months)
    funding = world.funding
    assert funding.per_year == pytest.approx(p.grant.award_musd * 12
                                             / schedule.state_money_months)
    assert np.array_equal(funding.receipt,
                          money.receipt(world.rules, world.orgs.sector, funding.per_year))
    assert funding.core_cost == money.core_cost(world.rules, world.backbone.planned,
                                                world.orgs.n)
