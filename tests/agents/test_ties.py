"""Partnership ties (agents/ties.pyx, agents/partnerships.py): who works together, what comes
of it, and how ties age, form and dissolve (N1, N3; T5)."""

from __future__ import annotations

import copy
import math
from types import SimpleNamespace

import numpy as np
import pytest
from conftest import (
    PAIR_FIELDS,
    DrawingFamilyContract,
    World,
    in_unit,
    pair_index,
    pair_state,
    scenario,
    small_model,
)

from agents import ties
from agents.codes import Sector
from agents.params import Params
from agents.partnerships import IDLE_NEVER, NEVER, PRE_EXISTING
from agents.trust import AsymmetricTrust, BetaReputationTrust

BETA = "beta_reputation"


def rules(**sections: dict) -> Params:
    return Params(scenario(**sections))


def meeting(n: int, attended: object = False, group: object = 0, committed: object = 0.0,
            regional: bool = True) -> SimpleNamespace:
    """This month's meeting of ``n`` organizations, as ``Organizations.convene`` leaves it."""
    return SimpleNamespace(attended=np.broadcast_to(attended, n).astype(bool),
                           group=np.broadcast_to(group, n).astype(np.int64),
                           committed=np.broadcast_to(committed, n).astype(float),
                           regional=regional)


def signals(**values: object) -> SimpleNamespace:
    """The consortium's signals the tie passes read: mid-grant, money flowing, no lean."""
    return SimpleNamespace(**dict(dict(month=12, grant_end=48, money_end=36, state_share=1.0,
                                       vision=0.0, data=0.0, peer_work=1.0, power_distance=1.0,
                                       lead_formation=1.0, peer_formation=1.0), **values))


def interact(pairs: SimpleNamespace, meet: SimpleNamespace, consortium: SimpleNamespace,
             params: Params, u: np.ndarray) -> SimpleNamespace:
    ties.interact(pairs, meet, consortium, params, np.ascontiguousarray(u))
    return pairs


def uniforms(m: int, interact_u: float = 0.5, signal_u: float = 0.5, form_u: float = 1.0,
             dissolve_u: float = 1.0) -> np.ndarray:
    return np.array([np.full(m, x) for x in (interact_u, signal_u, form_u, dissolve_u)])


# ============================================================================ the contract
class TieMonthContract(DrawingFamilyContract):
    """The tie month as the model runs it: common partners, interaction and signals, the
    trust rule, ageing and risks, dissolution and formation, active ties."""

    sections = ("ties",)

    def draws(self, world: World, rng: np.random.Generator) -> np.ndarray:
        return rng.random((4, world.ties.m))

    def apply(self, world: World, u: np.ndarray) -> None:
        t, c, p, rule = world.ties, world.consortium, world.rules, world.model.trust_rule
        rule.set_rates(c.backbone_share, c.ta_active)
        ties.common_partners(t)
        ties.interact(t, world.meeting, c, p, u)
        rule.month(t)
        ties.age_and_risk(t, c, p)
        world.notes["risks"] = (t.hazard.copy(), t.formation_chance.copy())
        world.notes["formed, dissolved"] = ties.form_and_dissolve(t, rule, c.month, u)
        ties.active(t, p.trust.active_threshold, float(p.ties.inactive_window_months))

    def check_bounds(self, world: World) -> None:
        t = world.ties
        for name in ("personal", "institutional", "trust", "formality", "hazard",
                     "formation_chance"):
            assert in_unit(getattr(t, name)), name
        assert (t.age >= 0).all() and (t.idle >= 0).all()
        assert set(np.unique(t.signal)) <= {-1, 0, 1}
        cm = t.common_matrix
        assert np.array_equal(cm, cm.T) and (cm >= 0).all() and np.array_equal(cm, np.round(cm))

    def check_invariants(self, before: World, after: World, u: np.ndarray) -> None:
        bt, at, month = before.ties, after.ties, before.consortium.month
        hazard, chance = after.notes["risks"]
        attended = before.meeting.attended
        assert not (at.interacted & ~bt.tie).any()
        assert not ((at.signal != 0) & ~at.interacted).any()
        assert not (at.coattend & ~(attended[at.i] & attended[at.j])).any()
        assert (hazard[~bt.tie] == 0.0).all() and (chance[bt.tie] == 0.0).all()
        gone, new = bt.tie & ~at.tie, ~bt.tie & at.tie
        assert after.notes["formed, dissolved"] == (new.sum(), gone.sum())
        kept = bt.tie & at.tie
        assert (u[3][gone] < hazard[gone]).all() and (u[3][kept] >= hazard[kept]).all()
        assert (u[2][new] < chance[new]).all()
        for name in ("personal", "institutional", "positive", "negative", "trust", "age"):
            assert (getattr(at, name)[~at.tie] == 0.0).all(), name
        assert not at.agreement[gone].any()
        assert np.array_equal(at.base_formality[gone], at.prior_formality[gone])
        assert (at.formed[new] == month).all() and (at.idle[new] == 0.0).all()
        assert (at.institutional[new] == 0.0).all()
        assert np.array_equal(at.age[kept], bt.age[kept] + 1.0)
        threshold = after.rules.trust.active_threshold
        window = after.rules.ties.inactive_window_months
        assert np.array_equal(at.active, at.tie & (at.trust >= threshold) & (at.idle <= window))


@pytest.mark.mechanism("M1", "M2", "M3", "M4", "M10", "M11", "M18", "M22", "M29", "M33")
class TestTieMonthContract(TieMonthContract):
    pass


@pytest.mark.mechanism("M1", "M2", "M3", "M4", "M10", "M11", "M18", "M22", "M29", "M33")
class TestTieMonthUnderBetaTrustContract(TieMonthContract):
    fixed = {"trust": {"rule": BETA}}


# ============================================================================ interaction
@pytest.mark.mechanism("M1", "M11", "M33")
@pytest.mark.parametrize("seed", range(4))
def test_only_ties_interact_and_co_attending_ties_always_do(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 14
    tie = rng.random(n * (n - 1) // 2) < 0.6
    attended = rng.random(n) < 0.4
    committed = np.where(rng.random(n) < 0.3, 0.0, rng.random(n))
    u = rng.random((4, len(tie)))
    for rate in (1.0, 0.0):
        t = interact(pair_state(n, tie=tie), meeting(n, attended, committed=committed),
                     signals(), rules(ties=dict(bilateral_rate=rate)), u)
        assert np.array_equal(t.coattend, attended[t.i] & attended[t.j])
        assert not t.interacted[~tie].any()
        assert t.interacted[tie & t.coattend].all()
        if rate == 0.0:  # without bilateral work only co-attendance counts
            assert np.array_equal(t.interacted, tie & t.coattend)
        else:
            assert (t.interacted & ~t.coattend).any()
    # Nobody committed and nobody at a meeting: no interaction even at certain draws.
    quiet = interact(pair_state(n, tie=tie), meeting(n), signals(),
                     rules(ties=dict(bilateral_rate=1.0)), np.zeros((4, len(tie))))
    assert not quiet.interacted.any() and not quiet.signal.any()


@pytest.mark.mechanism("M1", "M33")
def test_bilateral_work_runs_at_the_pace_of_the_less_committed_partner() -> None:
    n = 3  # pairs (0, 1), (0, 2), (1, 2)
    p = rules(ties=dict(bilateral_rate=0.4))
    meet = meeting(n, committed=[0.5, 1.0, 0.0])
    below = interact(pair_state(n, tie=True), meet, signals(), p, uniforms(3, interact_u=0.19))
    above = interact(pair_state(n, tie=True), meet, signals(), p, uniforms(3, interact_u=0.21))
    # Chance 0.4 * min(0.5, 1.0) = 0.2; a partner not taking part (0) never works bilaterally.
    assert below.interacted.tolist() == [True, False, False]
    assert above.interacted.tolist() == [False, False, False]


@pytest.mark.mechanism("M11")
def test_co_attendance_needs_the_same_meeting_unless_the_region_meets() -> None:
    n = 3
    for regional, expected in ((False, [True, False, False]), (True, [True, True, True])):
        t = interact(pair_state(n, tie=True), meeting(n, True, group=[0, 0, 1], regional=regional),
                     signals(), rules(ties=dict(bilateral_rate=0.0)), uniforms(3))
        assert t.coattend.tolist() == expected
        assert t.interacted.tolist() == expected


@pytest.mark.mechanism("M2")
def test_shared_vision_makes_small_wins_likelier() -> None:
    n = 3
    p = rules(trust=dict(positive_rate=0.5, wins_base=0.5))
    t = pair_state(n, tie=True)
    meet = meeting(n, True)
    # Win chance 0.5 * (0.5 + V): 0.25 without vision, 0.75 with full vision.
    assert not interact(t, meet, signals(vision=0.0), p, uniforms(3, signal_u=0.5)).signal.any()
    assert (interact(t, meet, signals(vision=1.0), p, uniforms(3, signal_u=0.5)).signal == 1).all()
    certain = rules(trust=dict(positive_rate=1.0, wins_base=2.0))
    assert (interact(t, meet, signals(), certain, uniforms(3, signal_u=0.999)).signal == 1).all()
    never = rules(trust=dict(positive_rate=0.0, negative_rate=1.0))
    t = pair_state(n, tie=True, letdown_base=1.0)
    assert (interact(t, meet, signals(), never, uniforms(3, signal_u=0.0)).signal == -1).all()


@pytest.mark.mechanism("M3")
def test_the_lead_s_money_power_brings_let_downs_unless_defused() -> None:
    """Let-down chance on ties with the lead: base + penalty*(1-subgrants)*s*money*(1-V)."""
    n = 3
    t = pair_state(n, tie=True, letdown_base=0.05, lead_edge=[True, True, False])
    meet = meeting(n, True)
    p = rules(trust=dict(power_gap_penalty=0.25, positive_rate=0.0))
    # 0.25 * (1 - 0.2) = 0.2 on top of 0.05: a draw of 0.8 is a let-down on lead ties only.
    hit = interact(t, meet, signals(), p, uniforms(3, signal_u=0.8)).signal
    assert hit.tolist() == [-1, -1, 0]
    assert interact(t, meet, signals(), p, uniforms(3, signal_u=0.74)).signal.tolist() == [0, 0, 0]
    subgranted = rules(trust=dict(power_gap_penalty=0.25, positive_rate=0.0),
                       grant=dict(equipment_share=0.0, staff_share=0.0, convening_share=0.0,
                                  subgrant_share=1.0))
    no_money = rules(trust=dict(power_gap_penalty=0.25, positive_rate=0.0),
                     grant=dict(money=False))
    for params, consortium in ((subgranted, signals()), (no_money, signals()),
                               (p, signals(vision=1.0)), (p, signals(state_share=0.0))):
        out = interact(t, meet, consortium, params, uniforms(3, signal_u=0.8)).signal
        assert not out.any()


@pytest.mark.mechanism("M20", "M25", "M29")
def test_agreements_and_shared_data_formalize_ties_of_committed_partners() -> None:
    n = 4  # pairs (0,1) (0,2) (0,3) (1,2) (1,3) (2,3); organization 3 does not take part
    base = np.array([0.1, 0.6, 0.1, 0.1, 0.1, 0.1])
    meet = meeting(n, committed=[0.5, 0.5, 0.5, 0.0])
    agreements = rules(grant=dict(required_agreements=True),
                       trust=dict(agreement_formality=0.5, data_formality=0.5))
    t = interact(pair_state(n, tie=True, base_formality=base), meet, signals(data=0.2),
                 agreements, uniforms(6))
    assert t.formality.tolist() == [0.5, 0.6, 0.1, 0.5, 0.1, 0.1]
    # Once the grant is over agreements no longer bind; shared data (0.5 * 0.8) still does.
    t = interact(pair_state(n, tie=True, base_formality=base), meet,
                 signals(month=48, data=0.8), agreements, uniforms(6))
    assert t.formality.tolist() == pytest.approx([0.4, 0.6, 0.1, 0.4, 0.1, 0.1])
    plain = rules(trust=dict(data_formality=0.5))
    t = interact(pair_state(n, tie=True, base_formality=base), meet, signals(), plain,
                 uniforms(6))
    assert t.formality.tolist() == base.tolist()


# ============================================================================ ageing and risks
def risks(n: int, consortium: SimpleNamespace | None = None, params: Params | None = None,
          **values: object) -> SimpleNamespace:
    t = pair_state(n, **values)
    ties.age_and_risk(t, consortium or signals(), params or rules())
    return t


def hazards(consortium: SimpleNamespace, params: Params) -> np.ndarray:
    """Hazards of ten ties, each differing from the first in one respect."""
    n = 5
    trust = [0.4, 0.8, 0.0, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4]
    age = [49.0, 49.0, 49.0, 199.0, 0.0, 49.0, 49.0, 49.0, 49.0, 49.0]  # one month older after
    t = pair_state(n, tie=True, trust=trust, age=age)
    t.common_matrix[:] = 2.0
    t.common_matrix[t.i[6], t.j[6]] = t.common_matrix[t.j[6], t.i[6]] = 0.0  # a bridge
    ties.age_and_risk(t, consortium, params)
    return t.hazard


@pytest.mark.mechanism("M1", "M22")
def test_dissolution_hazard_falls_with_trust_and_age_rises_for_bridges_and_after_grant() -> None:
    xp = dict(dissolution_rate=0.1, age_protection=0.01, trust_protection=6.0, bridge_factor=1.5,
              postgrant_factor=0.5)
    h = hazards(signals(), rules(ties=xp))
    assert h[1] < h[0] < h[2]  # trust protects
    assert h[3] < h[0] < h[4]  # age protects
    assert h[0] == pytest.approx(0.1 * math.exp(-0.5 - 2.4))
    assert h[6] == pytest.approx(2.5 * h[0])  # a bridge
    post = hazards(signals(state_share=0.0, month=36), rules(ties=xp))
    assert post[0] == pytest.approx(1.5 * h[0]) and post[6] == pytest.approx(1.5 * 2.5 * h[0])
    assert hazards(signals(), rules(ties=dict(xp, dissolution_rate=0.0))).max() == 0.0
    capped = hazards(signals(state_share=0.0, month=40),
                     rules(ties=dict(xp, dissolution_rate=1.0, trust_protection=0.0,
                                     age_protection=0.0)))
    assert (capped == 1.0).all()
    assert (risks(5, tie=False).hazard == 0.0).all()


@pytest.mark.mechanism("M22")
def test_post_grant_hazard_starts_when_state_money_has_ended() -> None:
    p = rules(ties=dict(postgrant_factor=1.0, age_protection=0.0, trust_protection=0.0,
                        bridge_factor=0.0, dissolution_rate=0.1))
    for consortium, factor in ((signals(state_share=0.0, month=36), 2.0),
                               (signals(state_share=0.0, month=35), 1.0),
                               (signals(state_share=0.5, month=40), 1.0)):
        assert risks(3, consortium, p, tie=True).hazard == pytest.approx([0.1 * factor] * 3)


@pytest.mark.mechanism("M1", "M4", "M10", "M11")
def test_formation_chance_rises_with_meetings_common_partners_complementarity_nearness() -> None:
    p = rules(ties=dict(convening_rate=0.1, common_partner_rate=0.01, spontaneous_rate=0.0005))

    def chance(tie: bool = False, coattend: bool = False, common: float = 0.0,
               comp: float = 1.0, near: float = 1.0, open_: float = 1.0) -> float:
        t = pair_state(2, tie=tie, coattend=coattend, complementarity=comp, near=near,
                       openness=open_)
        t.common_matrix[0, 1] = t.common_matrix[1, 0] = common
        ties.age_and_risk(t, signals(), p)
        return float(t.formation_chance[0])

    for kw in ({}, {"coattend": True}, {"common": 3.0}):
        assert chance(tie=True, **kw) == 0.0
    assert chance(coattend=True) > chance()
    assert chance(common=4.0) > chance(common=1.0) > chance(common=0.0) > 0.0
    assert chance(comp=1.5) == pytest.approx(1.5 * chance())
    assert chance(coattend=True, open_=0.5) == pytest.approx(0.5 * chance(coattend=True))
    assert chance(common=2.0, near=0.1) < chance(common=2.0, near=0.9)
    steps = np.diff([chance(common=float(c)) for c in range(6)])
    assert (np.diff(steps) < 0).all()  # each extra common partner adds less
    meet_only = rules(ties=dict(convening_rate=0.5, common_partner_rate=0.0, spontaneous_rate=0.0))
    t = pair_state(3, coattend=True, complementarity=[2.0, 1.0, 1.0], openness=[1.0, 0.5, 1.0],
                   near=1.0)
    ties.age_and_risk(t, signals(), meet_only)
    assert t.formation_chance.tolist() == pytest.approx([1.0, 0.25, 0.5])


def test_ties_age_and_idle_months_count_up() -> None:
    t = pair_state(3, tie=[True, True, False], interacted=[True, False, False], age=[5.0, 5.0, 0.0],
                   idle=[3.0, 3.0, IDLE_NEVER])
    t.common_matrix[0, 1] = t.common_matrix[1, 0] = 1.0
    ties.age_and_risk(t, signals(), rules())
    assert t.age.tolist() == [6.0, 6.0, 0.0]
    assert t.idle.tolist() == [0.0, 4.0, IDLE_NEVER + 1.0]
    assert t.common.tolist() == [1.0, 0.0, 0.0]


# ============================================================================ form and dissolve
def test_without_hazard_no_tie_dissolves_and_without_chances_none_forms() -> None:
    rng = np.random.default_rng(3)
    n = 9
    m = n * (n - 1) // 2
    tie = rng.random(m) < 0.5
    t = pair_state(n, tie=tie, personal=0.5 * tie, trust=0.5 * tie, age=10.0 * tie)
    before = copy.deepcopy(t)
    out = ties.form_and_dissolve(t, AsymmetricTrust(rules().trust), 7, np.zeros((4, m)))
    assert out == (0, 0)
    for name in PAIR_FIELDS:
        assert np.array_equal(getattr(t, name), getattr(before, name)), name


def test_a_dissolved_tie_loses_its_trust_age_and_agreement() -> None:
    n = 3
    t = pair_state(n, tie=True, personal=0.7, institutional=0.5, positive=2.0, negative=1.0,
                   trust=0.6, age=30.0, idle=2.0, agreement=[True, False, False],
                   base_formality=[1.0, 0.3, 0.3], prior_formality=[0.2, 0.3, 0.3],
                   hazard=[0.5, 0.5, 0.0])
    formed, gone = ties.form_and_dissolve(t, BetaReputationTrust(rules().trust), 5,
                                          uniforms(3, dissolve_u=0.4))
    assert (formed, gone) == (0, 2)
    assert t.tie.tolist() == [False, False, True]
    for name in ("personal", "institutional", "positive", "negative", "trust", "age"):
        assert getattr(t, name)[:2].tolist() == [0.0, 0.0], name
    assert t.agreement.tolist() == [False, False, False]
    assert t.base_formality.tolist() == [0.2, 0.3, 0.3]
    assert t.personal[2] == 0.7 and t.age[2] == 30.0


@pytest.mark.parametrize("rule", [AsymmetricTrust, BetaReputationTrust])
def test_a_new_tie_starts_from_trust_through_common_partners(rule: type) -> None:
    """Referral trust (T5): baseline + referral_weight * the mean over common partners of
    the product of trusts, on the ties left after the month's dissolutions."""
    n = 4
    p = rules(trust=dict(baseline=0.15, referral_weight=0.5, beta_forgetting=0.99))
    k01, k02, k12, k03, k13 = (pair_index(n, *e) for e in ((0, 1), (0, 2), (1, 2), (0, 3), (1, 3)))
    t = pair_state(n)
    for k, trust in ((k02, 0.6), (k12, 0.5), (k03, 0.8), (k13, 0.4)):
        t.tie[k], t.trust[k], t.personal[k] = True, trust, trust
    ties.common_partners(t)
    t.common[:] = t.common_matrix[t.i, t.j]
    t.formation_chance[k01] = 1.0
    t.idle[k01] = IDLE_NEVER
    u = uniforms(t.m, form_u=0.5)
    first = copy.deepcopy(t)
    assert ties.form_and_dissolve(first, rule(p.trust), 9, u) == (1, 0)
    assert first.tie[k01] and first.formed[k01] == 9 and first.idle[k01] == 0.0
    assert first.personal[k01] == pytest.approx(0.15 + 0.5 * (0.6 * 0.5 + 0.8 * 0.4) / 2)
    # The tie (1, 3) dissolves this month: partner 3 is no longer shared, so the mean runs
    # over the one partner the pair still has in common.
    t.hazard[k13] = 1.0
    assert ties.form_and_dissolve(t, rule(p.trust), 9, uniforms(t.m, 0.5, 0.5, 0.5, 0.5)) == (1, 1)
    assert t.personal[k01] == pytest.approx(0.15 + 0.5 * (0.6 * 0.5) / 1)


@pytest.mark.parametrize("n", [1, 2, 3, 63, 64, 65, 130])
def test_common_partners_are_the_squared_adjacency(n: int) -> None:
    rng = np.random.default_rng(n)
    for density in (0.0, 0.3, 1.0):
        t = pair_state(n, tie=rng.random(n * (n - 1) // 2) < density)
        t.common_matrix[:] = 7.0
        adj = np.zeros((n, n))
        adj[t.i[t.tie], t.j[t.tie]] = 1.0
        adj += adj.T
        ties.common_partners(t)
        assert np.array_equal(t.common_matrix, adj @ adj)


def test_active_ties_are_trusted_and_recently_used() -> None:
    t = pair_state(m=5, tie=[True, True, True, True, False], trust=[0.5, 0.3, 0.5, 0.35, 0.9],
                   idle=[6.0, 0.0, 7.0, 0.0, 0.0])
    ties.active(t, 0.35, 6.0)
    assert t.active.tolist() == [True, False, False, True, False]


# ============================================================================ the set
def test_hand_built_pairs_have_the_layout_of_the_model_s_set() -> None:
    t = small_model(0, 0).partnerships
    for name, dtype in PAIR_FIELDS.items():
        assert getattr(t, name).dtype == np.dtype(dtype), name
        assert getattr(t, name).shape == (t.m,), name


@pytest.mark.mechanism("M10")
def test_partnerships_cover_every_pair_once_with_its_fixed_features() -> None:
    model = small_model(3, 0)
    t, orgs, p = model.partnerships, model.organizations, model.params
    n = orgs.n
    assert t.m == n * (n - 1) // 2 and (t.i < t.j).all()
    assert len(set(zip(t.i.tolist(), t.j.tolist(), strict=True))) == t.m
    si, sj = orgs.sector[t.i], orgs.sector[t.j]
    assert np.array_equal(t.cross, si != sj)
    college = Sector.COLLEGE
    assert np.array_equal(t.competitive, (si == college) & (sj == college))
    district_college = [{one, other} == {Sector.K12, college}
                        for one, other in zip(si, sj, strict=True)]
    assert np.array_equal(t.k12_college, district_college) and t.k12_college.any()
    assert np.array_equal(t.lead_edge, (t.i == orgs.lead) | (t.j == orgs.lead))
    assert np.allclose(t.near, np.exp(-t.distance / p.ties.travel_scale_km))
    assert t.tie.any() and not t.tie.all()
    assert (t.formed[t.tie] == PRE_EXISTING).all() and (t.formed[~t.tie] == NEVER).all()
    assert (t.idle[~t.tie] == IDLE_NEVER).all() and (t.idle[t.tie] == 0).all()
    assert (t.age[t.tie] >= p.region.prior_tie_age_min).all()
    assert (t.age[t.tie] <= p.region.prior_tie_age_max).all()
    # Prior ties share the pre-grant infrastructure's formality; competing colleges let
    # each other down more often (M18).
    assert (t.prior_formality[t.tie] == p.region.prior_infrastructure).all()
    rivalry = p.trust.negative_rate + p.institutionalization.college_competition
    assert np.allclose(t.letdown_base, np.where(t.competitive, rivalry, p.trust.negative_rate))


def test_the_tie_month_draws_four_uniforms_per_pair() -> None:
    model = small_model(2, 5)
    t = model.partnerships
    expected = copy.deepcopy(model.rng)
    u = expected.random((4, t.m))
    t.work_together(model.organizations.meeting, model.consortium, model.rules, model.rng)
    assert model.rng.bit_generator.state == expected.bit_generator.state
    assert np.array_equal(t.draws, u)
    tie = t.tie.copy()
    t.form_and_dissolve(model.month, model.rules)
    assert t.changed == (not np.array_equal(tie, t.tie))
    assert model.rng.bit_generator.state == expected.bit_generator.state


@pytest.mark.mechanism("M6", "M7", "M29")
def test_losses_outside_the_month_touch_only_the_organization_s_ties() -> None:
    model = small_model(4, 6, region=dict(prior_tie_density=0.5))
    t, lead = model.partnerships, model.organizations.lead
    org = next(org for org in range(model.n) if org != lead and t.tie[t.incident[org]].sum() > 1
               and t.tie[pair_index(model.n, org, lead)])
    mine = np.zeros(t.m, dtype=bool)
    mine[t.incident[org]] = True
    before = t.personal.copy()
    t.reset_personal(org, 0.0)
    base = model.params.trust.baseline
    assert np.array_equal(t.personal[~mine], before[~mine])
    assert np.allclose(t.personal[mine & t.tie], base)
    before = t.personal.copy()
    t.let_down_lead(org)
    hit = pair_index(model.n, org, lead)
    assert t.personal[hit] < before[hit]
    others = np.arange(t.m) != hit
    assert np.array_equal(t.personal[others], before[others])


@pytest.mark.mechanism("M10", "M31")
def test_a_prior_cluster_resists_newcomers_as_far_as_it_is_insular() -> None:
    member_i = np.array([True, True, False, False])
    member_j = np.array([True, False, True, False])
    insular = ties.openness(member_i, member_j, rules(region=dict(insularity=0.3)))
    assert insular.tolist() == pytest.approx([1.0, 0.7, 0.7, 1.0])  # only straddling pairs
    open_ = ties.openness(member_i, member_j, rules(region=dict(insularity=0.0)))
    assert open_.tolist() == [1.0] * 4
    closed = ties.openness(member_i, member_j, rules(region=dict(insularity=1.0)))
    assert closed.tolist() == [1.0, 0.0, 0.0, 1.0]
