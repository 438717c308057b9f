"""Money and positions (agents/money.pyx, agents/funding.py): the award and its split, the
backbone, and what partners pay once state money falls short (M3, M19, M21-M23, M29; C3, C5)."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from conftest import (
    FamilyContract,
    World,
    evidence,
    in_unit,
    pair_index,
    parameter_extremes,
    random_world,
    scenario,
    small_model,
    trust_after_reset,
    unit,
)

from agents import money
from agents.codes import Phase, Rung, Sector
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
        backbone = world.backbone
        filled = rng.random(backbone.planned) < rng.random()
        backbone.is_filled[:] = filled
        backbone.absorbed[:] = filled & (rng.random(backbone.planned) < 0.3)
        backbone.recount_absorbed()
        backbone.filled = int(filled.sum())
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
        backbone.absorb(p, rng)
        if funding.seek_grants(c.month, bool(o.taking_part.any()), c.habits, c.data, p, rng):
            c.take_on_goals(p)
        funding.cover_operations(o, p)
        backbone.staff(c.month, c.state_share, funding, p, rng)
        c.operating_capacity(o.mean_habit_of_participants(), o.share_taking_part(), backbone,
                             funding, p)

    def check_bounds(self, world: World) -> None:
        o, c, funding, backbone = world.orgs, world.consortium, world.funding, world.backbone
        assert (o.contribution >= 0.0).all() and (o.contribution <= o.budget + 1e-12).all()
        for x in (funding.partner_ratio, funding.follow_on, funding.operations, funding.in_kind,
                  c.coordination, c.convening, c.backbone_share):
            assert 0.0 <= x <= 1.0
        assert 0 <= backbone.filled <= backbone.funded <= backbone.planned
        assert backbone.filled == backbone.is_filled.sum()
        assert (backbone.is_filled[backbone.absorbed]).all()
        assert in_unit(world.ties.personal)

    def check_invariants(self, before: World, after: World, u: int) -> None:
        ao, af, bt, at = after.orgs, after.funding, before.ties, after.ties
        part = before.orgs.taking_part
        assert (ao.contribution[~part] == 0.0).all()
        # Money-motivated partners give nothing, honoured pledge or not (M3; ODD §7).
        assert (ao.contribution[ao.money_motivated] == 0.0).all()
        assert af.partner_funding == pytest.approx(ao.contribution.sum(), rel=0, abs=1e-12)
        cost = af.operations_cost
        assert af.partner_ratio == (min(1.0, af.partner_funding / cost) if cost else 0.0)
        # Absorbed positions stay filled while their hosts take part (M21).
        kept = before.backbone.absorbed & part[before.backbone.host]
        assert after.backbone.is_filled[kept].all()
        # Broken pledges cost trust on ties with the lead, lost coordinators on their hosts'
        # ties (M7, M29).
        hosts = np.zeros(len(part), dtype=bool)
        hosts[before.backbone.host] = True
        touched = hosts[at.i] | hosts[at.j] | at.lead_edge
        assert not ((at.personal != bt.personal) & ~touched).any()


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


def honour(commit: np.ndarray, same: np.ndarray, habit: np.ndarray, p: object,
           enforced: bool = False, clarity: float = 0.0, trust: object = 0.0,
           mismatch: object = 0.0) -> np.ndarray:
    """Honour chances, with no role clarity, trust in the lead or ask mismatch unless given."""
    n = len(commit)
    return money.pledge_honour_probability(commit, same, habit, enforced, clarity,
                                           np.broadcast_to(trust, n), np.broadcast_to(mismatch, n),
                                           p)


@pytest.mark.mechanism("M6", "M29")
@pytest.mark.parametrize("seed", range(4))
def test_pledges_are_honoured_more_with_commitment_habits_the_same_leader_and_enforcement(
        seed: int) -> None:
    rng = np.random.default_rng(seed)
    for label, params in parameter_extremes(("commitment",), rng, count=2):
        for enforced in (False, True):
            chance = honour(unit(rng, N), rng.random(N) < 0.5, unit(rng, N),
                            Params(params).commitment, enforced, float(rng.random()),
                            unit(rng, N), unit(rng, N))
            assert in_unit(chance), label
    p = rules().commitment
    commit, same = rng.uniform(0.0, 0.8, N), rng.random(N) < 0.5
    habit = rng.uniform(0.0, 0.8, N)
    base = honour(commit, same, habit, p)
    assert (honour(commit + 0.2, same, habit, p) > base).all()
    assert (honour(commit, same, habit + 0.2, p) > base).all()
    assert (honour(commit, same, habit, p, enforced=True) > base).all()
    stayed = honour(commit, np.ones(N, bool), habit, p)
    assert (stayed[~same] > base[~same]).all() and np.array_equal(stayed[same], base[same])
    # M29: clear roles and trust in the lead raise follow-through.
    assert (honour(commit, same, habit, p, clarity=0.5) > base).all()
    assert (honour(commit, same, habit, p, trust=0.4) > base).all()
    even = rules(commitment=dict(pledge_intercept=0.0, pledge_commitment=0.0,
                                 pledge_same_leader=0.0, pledge_institutionalization=0.0,
                                 pledge_role_clarity=0.0, pledge_trust=0.0,
                                 pledge_ask_mismatch=0.0))
    assert honour(commit, same, habit, even.commitment, False, 1.0, 1.0, 1.0) == (
        pytest.approx(0.5))
    assert honour(commit, same, habit, even.commitment) == pytest.approx(0.5)


@pytest.mark.mechanism("M29")
def test_role_clarity_trust_and_the_ask_enter_the_pledge_logit_as_the_brief_has_them() -> None:
    """``base + a·role_clarity + b·trust_to_lead − c·ask_mismatch`` on the logit scale."""
    p = rules(commitment=dict(pledge_intercept=-0.5, pledge_commitment=2.0,
                              pledge_same_leader=1.0, pledge_institutionalization=1.5,
                              enforcement_bonus=1.5, pledge_role_clarity=1.5, pledge_trust=1.0,
                              pledge_ask_mismatch=2.0)).commitment
    chance = money.pledge_honour_probability(np.array([0.5]), np.array([True]), np.array([0.2]),
                                             False, 0.5, np.array([0.4]), np.array([0.25]), p)
    z = -0.5 + 2.0 * 0.5 + 1.0 + 1.5 * 0.2 + 1.5 * 0.5 + 1.0 * 0.4 - 2.0 * 0.25
    assert chance[0] == pytest.approx(1.0 / (1.0 + np.exp(-z)))


@pytest.mark.mechanism("M25", "M29")
def test_agreements_and_process_metrics_make_roles_clear_at_a_coordination_cost() -> None:
    def clarity(**grant: object) -> float:
        return money.role_clarity(rules(grant=dict(dict(agreement_clarity=0.5,
                                                        metrics_clarity=0.4), **grant)))

    assert clarity() == 0.0  # CCPT: loose accountability, no required agreements
    assert clarity(required_agreements=True) == pytest.approx(0.5)
    assert clarity(accountability="process_metrics") == pytest.approx(0.4)
    assert clarity(required_agreements=True, accountability="process_metrics") == (
        pytest.approx(0.9))
    assert money.role_clarity(rules(grant=dict(required_agreements=True,
                                               accountability="process_metrics",
                                               agreement_clarity=0.8,
                                               metrics_clarity=0.8))) == 1.0
    metrics = rules(grant=dict(accountability="process_metrics", metrics_cost=0.1),
                    employers=dict(sector_coordination_cost=0.0))  # breadth: the M32 test
    assert money.keeps_metrics(True, metrics) and not money.keeps_metrics(False, metrics)
    assert not money.keeps_metrics(True, rules())
    assert not money.keeps_metrics(True, rules(grant=dict(accountability="process_metrics",
                                                         award_musd=0.0)))
    # Keeping them takes coordinators' time.
    assert money.coordination(0.6, 0.0, 0.0, False, True, metrics) == pytest.approx(0.5)
    assert money.coordination(0.6, 0.0, 0.0, False, False, metrics) == pytest.approx(0.6)
    assert money.coordination(0.05, 0.0, 0.0, False, True, metrics) == 0.0


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
    start = money.follow_on_start(p)
    assert start == 24
    shares = [money.follow_on_share(month, 2.0, start, 3.0, p) for month in (23, 24, 59, 60)]
    assert shares == [0.0, 0.5, 0.5, 0.0]
    assert money.follow_on_share(30, 0.5, start, 3.0, p) == 1.0  # at most the whole core
    assert money.follow_on_start(rules()) == -1
    assert money.follow_on_share(30, 2.0, -1, 3.0, p) == 0.0


@pytest.mark.mechanism("M21", "M22", "M23")
def test_positions_are_funded_by_the_state_partners_hosts_retention_or_a_follow_on() -> None:
    p = rules(grant=dict(retained_backbone_share=0.1), sustainment=dict(operations_positions=2))
    # 14 planned: state 0.5 + retained 0.1 + follow-on 0.1 -> 10; operations 0.5 -> 1 more;
    # 2 paid beyond operations; 1 absorbed.
    assert money.positions_funded(14, 0.5, 0.1, 0.5, 2, 1, p) == 10 + 1 + 2 + 1
    assert money.positions_funded(14, 1.0, 0.5, 1.0, 5, 5, p) == 14  # at most those planned
    assert money.positions_funded(14, 0.0, 0.0, 0.0, 0, 0, p) == round(14 * 0.1)
    assert money.positions_funded(14, 0.0, 0.0, 1.0, 0, 0, rules()) == 1
    assert money.positions_funded(0, 1.0, 0.0, 1.0, 3, 0, p) == 0


@pytest.mark.mechanism("M21", "M13", "M5")
def test_hosts_absorb_positions_more_when_committed_institutionalized_or_championed() -> None:
    p = rules(sustainment=dict(absorb_intercept=-4.0, absorb_commitment=2.0, absorb_habit=3.0,
                               absorb_champion=1.0))
    base = money.absorb_chance(0.5, 0.3, False, p)
    assert base == pytest.approx(1.0 / (1.0 + np.exp(-(-4.0 + 1.0 + 0.9))))
    assert money.absorb_chance(0.9, 0.3, False, p) > base  # builds with commitment
    assert money.absorb_chance(0.5, 0.6, False, p) > base  # and with habits
    assert money.absorb_chance(0.5, 0.3, True, p) > base
    assert money.absorb_chance(0.1, 0.0, False, p) < base  # erodes without them
    never = rules(sustainment=dict(absorb_intercept=-10.0, absorb_commitment=0.0,
                                   absorb_habit=0.0, absorb_champion=0.0))
    assert money.absorb_chance(1.0, 1.0, True, never) < 1e-4


@pytest.mark.mechanism("M22")
def test_partner_budgets_are_sized_relative_to_the_award_by_organization_size() -> None:
    sector = np.array([Sector.K12, Sector.K12, Sector.COLLEGE, Sector.EMPLOYER,
                       Sector.INTERMEDIARY], dtype=np.int8)
    p = rules(sustainment=dict(partner_capacity_ratio=0.2, size_district=1.0, size_college=0.5,
                               size_employer=0.1, size_intermediary=0.4))
    budgets = money.partner_budgets(p, sector, 5.0)
    assert budgets.sum() == pytest.approx(0.2 * 5.0)  # together: the ratio times the award
    assert budgets.tolist() == pytest.approx([1.0, 1.0, 0.5, 0.1, 0.4] / np.float64(3.0))
    assert money.partner_budgets(p, sector, 10.0) == pytest.approx(2 * budgets)  # award-relative
    assert (money.partner_budgets(p, sector, 0.0) == 0.0).all()


@pytest.mark.mechanism("M21")
def test_the_lead_hosts_its_share_of_positions_and_districts_the_rest_in_turn() -> None:
    p = rules(sustainment=dict(lead_position_share=0.3))
    hosts = money.position_hosts(p, 10, 7, np.array([0, 1, 2]))
    assert hosts.tolist() == [7, 7, 7, 0, 1, 2, 0, 1, 2, 0]
    assert money.position_hosts(p, 4, 7, np.array([], dtype=np.int64)).tolist() == [7] * 4
    assert money.position_hosts(p, 0, 7, np.array([0])).tolist() == []


@pytest.mark.mechanism("M10", "M22", "M23")
def test_partners_anchors_and_won_grants_cover_the_operations_core_up_to_all_of_it() -> None:
    p = rules(sustainment=dict(anchor_base_share=0.2, new_grant_share=0.5))
    assert money.operations_coverage(0.3, 1.5, 0, p) == pytest.approx(0.3 + 0.3)
    assert money.operations_coverage(0.3, 0.0, 1, p) == pytest.approx(0.8)
    assert money.operations_coverage(0.9, 2.0, 2, p) == 1.0
    assert money.operations_coverage(0.0, 0.0, 0, p) == 0.0
    g = rules(grant=dict(position_cost_kusd=100.0, convening_cost_kusd=2.0),
              sustainment=dict(operations_positions=1))
    assert money.operations_cost(g, 50) == pytest.approx((100.0 + 100.0) / 1000.0)


@pytest.mark.mechanism("M23")
def test_opportunities_arrive_as_a_poisson_stream_and_groundwork_wins_them() -> None:
    p = rules(sustainment=dict(opportunity_rate=0.6, win_max=0.8))
    assert money.opportunity_chance(p) == pytest.approx(1.0 - np.exp(-0.05))
    assert money.opportunity_chance(rules(sustainment=dict(opportunity_rate=0.0))) == 0.0
    assert money.win_chance(0.0, 0.0, p) == 0.0
    assert money.win_chance(0.5, 0.5, p) == pytest.approx(0.4)
    assert money.win_chance(1.0, 1.0, p) == pytest.approx(0.8)


@pytest.mark.mechanism("M13", "M21", "M22", "M23")
def test_coordination_adds_staff_habits_and_staff_time_less_a_grant_chase() -> None:
    p = rules(institutionalization=dict(habit_coordination=0.6),
              sustainment=dict(in_kind_time=0.5, pursuit_cost=0.15),
              employers=dict(sector_coordination_cost=0.0))  # breadth: see the M32 test
    assert money.coordination(0.2, 0.5, 0.2, False, False, p) == pytest.approx(0.2 + 0.3 + 0.1)
    assert money.coordination(0.2, 0.5, 0.2, True, False, p) == pytest.approx(0.6 - 0.15)
    assert money.coordination(1.0, 1.0, 1.0, False, False, p) == 1.0
    assert money.coordination(0.0, 0.0, 0.0, True, False, p) == 0.0


def test_the_award_convention_sets_what_a_year_of_state_money_pays() -> None:
    total = rules(grant=dict(award_musd=15.0, award_convention="fixed_total"))
    annual = rules(grant=dict(award_musd=15.0, award_convention="fixed_annual",
                              reference_state_years=3))
    for months in (36.0, 60.0, 48.0):
        assert money.award_per_year(annual, months) == pytest.approx(5.0)
        assert money.state_award_musd(total, months) == pytest.approx(15.0)
    assert money.award_per_year(total, 60.0) == pytest.approx(3.0)
    assert money.state_award_musd(annual, 60.0) == pytest.approx(25.0)  # five years cost more
    assert money.award_per_year(rules(grant=dict(award_musd=0.0,
                                                 award_convention="fixed_annual")), 36.0) == 0.0


@pytest.mark.mechanism("M21")
def test_hiring_gets_harder_as_the_grant_runs_out() -> None:
    p = rules(grant=dict(hire_lag_months=6.0, post_cliff_hiring_security=0.7,
                         job_insecurity=0.5))
    chances = [money.hiring_chance(month, 1.0, 36, p) for month in (0, 12, 24, 35, 36)]
    assert chances[0] == pytest.approx(1 / 6) and chances[-1] == 0.0
    assert (np.diff(chances) < 0).all()
    assert chances[1] == pytest.approx(np.sqrt(24 / 36) / 6)  # the square root of time left
    assert money.hiring_chance(50, 0.0, 36, p) == pytest.approx(0.7 / 6)
    assert money.hiring_chance(0, 1.0, 36, rules(grant=dict(hire_lag_months=0.0))) == 1.0
    # Job insecurity is the power of the time left: linear at 1, none at 0.
    linear = rules(grant=dict(job_insecurity=1.0))
    secure = rules(grant=dict(job_insecurity=0.0))
    assert money.job_security(12, 1.0, 36, linear) == pytest.approx(24 / 36)
    assert [money.job_security(t, 1.0, 36, secure) for t in (0, 24, 35)] == [1.0, 1.0, 1.0]
    steep = [money.job_security(24, 1.0, 36, rules(grant=dict(job_insecurity=e)))
             for e in (0.0, 0.5, 1.0, 2.0)]
    assert (np.diff(steep) < 0).all()
    assert money.job_security(40, 0.0, 36, secure) == secure.grant.post_cliff_hiring_security


@pytest.mark.mechanism("M21")
def test_reassigned_positions_are_the_last_planned_under_reassign_existing_only() -> None:
    assert not money.reassigned_positions(rules(), 10).any()  # new hires at the baseline
    reassign = rules(grant=dict(staffing_strategy="reassign_existing", reassigned_share=0.3))
    assert money.reassigned_positions(reassign, 10).tolist() == [False] * 7 + [True] * 3
    every = rules(grant=dict(staffing_strategy="reassign_existing", reassigned_share=1.0))
    assert money.reassigned_positions(every, 4).all()
    assert len(money.reassigned_positions(every, 0)) == 0


@pytest.mark.mechanism("M21")
def test_staffing_counts_a_reassigned_position_for_what_it_gives() -> None:
    p = rules(grant=dict(reassigned_output=0.5))
    assert money.staffing(10, 4, 20, p) == pytest.approx((10 - 0.5 * 4) / 20)
    assert money.staffing(10, 0, 20, p) == 0.5 and money.staffing(0, 0, 0, p) == 0.0
    full = rules(grant=dict(reassigned_output=1.0))
    assert money.staffing(10, 4, 20, full) == 0.5
    assert money.staffing(4, 4, 4, rules(grant=dict(reassigned_output=0.0))) == 0.0


REASSIGN = dict(staffing_strategy="reassign_existing", reassigned_share=0.5,
                reassigned_output=0.5)


@pytest.mark.mechanism("M21")
def test_reassigned_staff_are_in_place_from_the_start_give_less_and_outlast_the_cliff() -> None:
    """003: existing staff before new hires; lower output during the grant, but no cliff."""
    model = small_model(2, 0, grant=REASSIGN)
    backbone, funding, orgs = model.backbone, model.funding, model.organizations
    r = backbone.reassigned
    assert backbone.planned >= 4 and r.sum() == round(0.5 * backbone.planned)
    assert (backbone.is_filled == r).all() and (backbone.absorbed == r).all()
    assert backbone.n_absorbed == backbone.filled == r.sum()
    assert backbone.absorbing()[backbone.host[r]].all()  # their hosts pay from the start
    assert backbone.share_filled == pytest.approx(0.5 * r.sum() / backbone.planned)
    # Once every position is filled, a reassigned one gives half a new hire's coordination.
    backbone.is_filled[:] = True
    backbone.filled = backbone.planned
    assert backbone.share_filled == pytest.approx(1.0 - 0.5 * r.sum() / backbone.planned)
    # After the cliff, with nobody else paying, only the reassigned positions are left.
    orgs.taking_part[:] = True
    funding.operations, funding.extra_positions, funding.follow_on = 0.0, 0, 0.0
    backbone.staff(40, 0.0, funding, model.rules, model.rng)
    assert (backbone.is_filled == r).all() and backbone.filled == r.sum() > 0
    hired = small_model(2, 0)
    hired.backbone.is_filled[:] = True
    hired.backbone.filled = hired.backbone.planned
    hired.organizations.taking_part[:] = True
    f = hired.funding
    f.operations, f.extra_positions, f.follow_on = 0.0, 0, 0.0
    hired.backbone.staff(40, 0.0, f, hired.rules, hired.rng)
    assert hired.backbone.filled == 0 < backbone.filled


@pytest.mark.mechanism("M7", "M21")
def test_a_reassigned_position_goes_with_its_host_and_is_then_an_ordinary_one() -> None:
    # The last month of state money, when a vacancy all but never fills.
    model = small_model(2, 0, grant=dict(REASSIGN, job_insecurity=3.0),
                        region=dict(prior_tie_density=0.5))
    backbone, funding, orgs, t = (model.backbone, model.funding, model.organizations,
                                  model.partnerships)
    orgs.taking_part[:] = True
    k = int(np.flatnonzero(backbone.reassigned)[0])
    gone = backbone.host[k]
    orgs.taking_part[gone] = False
    mine = backbone.reassigned & (backbone.host == gone)
    before = t.personal.copy()
    backbone.staff(backbone.money_end - 1, 1.0, funding, model.rules, model.rng)
    # Vacated although the grant would pay for it: its holder went with the organization.
    assert backbone.funded == backbone.planned
    assert not backbone.reassigned[mine].any() and not backbone.is_filled[mine].any()
    assert backbone.is_filled[backbone.reassigned].all()  # the other hosts' staff stay
    edges = (t.i == gone) | (t.j == gone)
    moved = edges & t.tie & (before != model.params.trust.baseline)
    assert moved.any() and (t.personal[moved] != before[moved]).all()  # trust they carried
    assert np.array_equal(t.personal[~edges], before[~edges])


@pytest.mark.mechanism("M7")
def test_the_lead_keeps_less_trust_the_more_coordinators_it_loses() -> None:
    p = rules(trust=dict(backbone_trust_share=0.5))
    assert [money.lost_positions_keep(k, 4, p) for k in range(5)] == pytest.approx(
        [1.0, 0.875, 0.75, 0.625, 0.5])


@pytest.mark.mechanism("M11", "M13", "M21", "M22", "M23")
def test_habits_substitute_for_paid_coordination_and_convening() -> None:
    p = rules(institutionalization=dict(habit_coordination=0.6),
              employers=dict(sector_coordination_cost=0.0))
    assert money.coordination(0.5, 0.5, 0.0, False, False, p) == pytest.approx(0.8)
    assert money.coordination(0.9, 1.0, 0.0, False, False, p) == 1.0
    assert money.convening_intensity(1.0, 0.5, 0.1, 0.0, 0.0, 0.0, 1.0, p) == pytest.approx(0.6)
    assert money.convening_intensity(0.0, 0.5, 0.2, 0.1, 0.5, 0.0, 1.0, p) == pytest.approx(0.6)
    assert money.convening_intensity(1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, p) == 1.0


@pytest.mark.mechanism("M12", "M22")
def test_a_framed_region_convenes_without_money_as_far_as_partners_take_part() -> None:
    p = rules(framing=dict(convening_share=0.3))
    assert money.convening_intensity(0.0, 0.5, 0.2, 0.0, 0.0, 0.5, 1.0, p) == pytest.approx(0.35)
    assert (money.convening_intensity(0.0, 0.5, 0.2, 0.0, 0.0, 0.5, 0.5, p)
            == pytest.approx(0.275))
    # No framing, or nobody taking part: only what is paid for convenes.
    for framing, part in ((0.0, 1.0), (0.5, 0.0)):
        assert money.convening_intensity(0.0, 0.5, 0.2, 0.0, 0.0, framing, part, p) == 0.2
    assert money.convening_intensity(1.0, 1.0, 0.0, 0.0, 0.0, 1.0, 1.0, p) == 1.0


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
def test_ask_mismatch_and_distrust_of_the_lead_break_more_pledges() -> None:
    model = small_model(3, 40, region=dict(prior_tie_density=0.6))
    orgs, t, ladder, c = model.organizations, model.partnerships, model.employers, model.consortium
    lead = orgs.lead
    # What a partner's pledge hinges on: its trust in the lead, and its ask mismatch.
    trust = t.trust_in(lead)
    for org in range(model.n):
        expected = 1.0 if org == lead else t.trust[pair_index(model.n, org, lead)]
        assert trust[org] == expected
    assert (trust[[o for o in range(model.n) if o != lead
                   and not t.tie[pair_index(model.n, o, lead)]]] == 0.0).all()
    employers = ladder.employers
    assert len(employers) >= 2
    ladder.rung[employers] = 1
    ladder.pledged_rung[employers[0]], ladder.pledged_rung[employers[1]] = 4, 0
    mismatch = ladder.ask_mismatch()
    assert mismatch[employers[0]] == pytest.approx(3 / Rung.CHAMPION)
    assert mismatch[employers[1]] == 0.0 and (mismatch[~ladder.is_employer] == 0.0).all()
    orgs.weigh_pledges(t, ladder)
    assert np.array_equal(orgs.lead_trust, trust) and np.array_equal(orgs.ask_mismatch, mismatch)
    # On the same draws, partners who distrust the lead or were asked beyond what they do
    # break every pledge the others break, and more.
    orgs.taking_part[:] = True
    orgs.signatory[:] = True
    orgs.money_motivated[:] = False
    broken = {}
    for label, lead_trust, ask in (("clear", 1.0, 0.0), ("murky", 0.0, 1.0)):
        orgs.lead_trust[:] = lead_trust
        orgs.ask_mismatch[:] = ask
        model.funding.partners_decide(40, Phase.PARTNER, orgs, c, model.rules,
                                      np.random.default_rng(7))
        broken[label] = orgs.contribution == 0.0
    assert (broken["murky"] >= broken["clear"]).all() and broken["murky"].sum() > broken[
        "clear"].sum()


@pytest.mark.mechanism("M29", "M3")
def test_honoured_pledges_pay_at_least_the_honoured_share_except_for_the_money_motivated() -> None:
    always = dict(pledge_intercept=5.0, enforcement_bonus=5.0, honoured_pledge_share=0.5)
    model = small_model(3, 40, commitment=always, grant=dict(match_enforced=True))
    orgs = model.organizations
    orgs.taking_part[:] = True
    orgs.signatory[:] = True
    motivated = np.arange(model.n) % 3 == 0
    orgs.money_motivated[:] = motivated
    orgs.commitment[:] = 0.0  # who would give nothing without a pledge
    orgs.habit[:] = 0.0
    before = model.partnerships.personal.copy()
    model.funding.partners_decide(40, Phase.TAPER, orgs, model.consortium, model.rules,
                                  np.random.default_rng(1))
    assert np.allclose(orgs.contribution[~motivated], 0.5 * orgs.budget[~motivated])
    assert (orgs.contribution[motivated] == 0.0).all()  # M3: they give nothing (ODD §7)
    assert np.array_equal(model.partnerships.personal, before)
    # Organizations that never signed pledged nothing, so no floor applies to them.
    orgs.signatory[:] = False
    model.funding.partners_decide(40, Phase.TAPER, orgs, model.consortium, model.rules,
                                  np.random.default_rng(1))
    assert (orgs.contribution < 0.5 * orgs.budget).all()
    orgs.signatory[:] = True
    model.funding.partners_decide(52, Phase.POST, orgs, model.consortium, model.rules,
                                  np.random.default_rng(1))
    assert (orgs.contribution < 0.5 * orgs.budget).all()


@pytest.mark.mechanism("M7", "M21")
def test_unfunded_positions_are_lost_and_take_their_hosts_trust_along() -> None:
    model = small_model(2, 30, region=dict(prior_tie_density=0.5),
                        sustainment=dict(lead_position_share=1.0))
    backbone, funding, t = model.backbone, model.funding, model.partnerships
    assert backbone.planned > 0 and (backbone.host == model.organizations.lead).all()
    backbone.is_filled[:] = True
    backbone.filled = backbone.funded = backbone.planned
    funding.partner_ratio = funding.follow_on = funding.operations = 0.0
    funding.extra_positions = 0
    before = evidence(t)
    rng = copy.deepcopy(model.rng)
    backbone.staff(40, 0.0, funding, model.rules, model.rng)  # after the cliff, nobody pays
    assert backbone.funded == backbone.filled == 0
    assert model.rng.bit_generator.state == rng.bit_generator.state  # no vacancy, no draw
    lead = t.lead_edge & t.tie
    keep = money.lost_positions_keep(backbone.planned, backbone.planned, model.rules)
    assert np.allclose(t.personal[lead], trust_after_reset(model, before, keep)[lead])
    assert np.array_equal(t.personal[~t.lead_edge], before["personal"][~t.lead_edge])
    # Refunded, the positions are filled again with one draw per vacancy.
    backbone.staff(10, 1.0, funding, model.rules, model.rng)
    rng.random(backbone.planned)
    assert model.rng.bit_generator.state == rng.bit_generator.state
    assert 0 <= backbone.filled <= backbone.funded == backbone.planned


@pytest.mark.mechanism("M21")
def test_absorbed_positions_outlast_the_money_while_their_hosts_take_part() -> None:
    model = small_model(2, 30, sustainment=dict(lead_position_share=0.0))
    backbone, funding, orgs = model.backbone, model.funding, model.organizations
    backbone.is_filled[:] = True
    backbone.filled = backbone.planned
    orgs.taking_part[:] = True
    orgs.commitment[:] = 1.0
    orgs.habit[:] = 1.0
    always = small_model(2, 30, sustainment=dict(absorb_intercept=5.0)).rules
    backbone.absorb(always, model.rng)
    assert backbone.absorbed.all()
    funding.operations, funding.extra_positions, funding.follow_on = 0.0, 0, 0.0
    backbone.staff(40, 0.0, funding, model.rules, model.rng)
    assert backbone.filled == backbone.planned == backbone.n_absorbed
    # A host that leaves stops paying: its positions go.
    gone = backbone.host[0]
    orgs.taking_part[gone] = False
    backbone.staff(41, 0.0, funding, model.rules, model.rng)
    assert not backbone.is_filled[backbone.host == gone].any()
    assert backbone.is_filled[backbone.host != gone].all()


@pytest.mark.mechanism("M23")
def test_grants_are_pursued_then_won_or_lost_and_pay_while_they_run() -> None:
    p = dict(opportunity_rate=12.0, win_max=1.0, pursuit_months=2, new_grant_years=1,
             mission_drift=0.5)
    model = small_model(2, 0, sustainment=p)
    funding, c = model.funding, model.consortium
    c.vision = 0.8
    rng = np.random.default_rng(0)
    assert funding.seek_grants(0, True, 1.0, 1.0, model.rules, rng) is False
    assert funding.pursuing == 2 or funding.pursuing == 0  # arrival is a draw
    while not funding.pursuing:
        funding.seek_grants(0, True, 1.0, 1.0, model.rules, rng)
    assert funding.seek_grants(1, True, 1.0, 1.0, model.rules, rng) is False
    won = funding.seek_grants(2, True, 1.0, 1.0, model.rules, rng)  # decided at chance 1
    assert won and funding.grants_won == 1 and funding.new_grants == 1
    c.take_on_goals(model.rules)
    assert c.vision == pytest.approx(0.4)  # its own goals cost shared vision
    funding.seek_grants(14, False, 1.0, 1.0, model.rules, rng)  # a year on it has ended
    assert funding.new_grants == 0 and not funding.pursuing
    # Nothing is pursued when nobody takes part, and nothing is won without groundwork.
    idle = small_model(2, 0, sustainment=p).funding
    for month in range(24):
        idle.seek_grants(month, False, 1.0, 1.0, model.rules, rng)
    assert idle.grants_won == 0 and not idle.pursuing
    for month in range(48):
        idle.seek_grants(month, True, 0.0, 0.0, model.rules, rng)
    assert idle.grants_won == 0


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
