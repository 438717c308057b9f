"""Commitment and participation (agents/commitment.pyx): who comes to meetings, what taking
part is worth and who stays, leaves or joins (C1, C2, C4)."""

from __future__ import annotations

import copy
from types import SimpleNamespace

import numpy as np
import pytest
from conftest import (
    DrawingFamilyContract,
    World,
    in_unit,
    org_state,
    pair_index,
    pair_state,
    parameter_extremes,
    scenario,
    small_model,
    unit,
)

from agents import commitment
from agents.codes import Sector
from agents.commitment import EXIT_RULES, LogitExit, ThresholdExit
from agents.params import Params

LOGIT = "logit"


def rules(**sections: dict) -> Params:
    return Params(scenario(**sections))


# ============================================================================ the contract
class MonthOfCommitmentContract(DrawingFamilyContract):
    """Attendance, then payoffs and learning, then exits and joins, as the model runs them."""

    sections = ("commitment",)

    def draws(self, world: World, rng: np.random.Generator) -> dict[str, np.ndarray]:
        return {"attend": rng.random(world.orgs.n), "exit": rng.random(world.orgs.n)}

    def apply(self, world: World, u: dict[str, np.ndarray]) -> None:
        o, c, p, rule = world.orgs, world.consortium, world.rules, world.model.exit_rule
        world.notes["attending"] = commitment.attend(o, o.meeting, c.convening, p, u["attend"])
        commitment.learn_commitment(o, world.ladder, world.ties, c, world.funding, p)
        commitment.take_part(o, world.ties, c, rule, p, u["exit"] if rule.draws else None)

    def check_bounds(self, world: World) -> None:
        o, meeting = world.orgs, world.meeting
        assert in_unit(o.commitment) and np.isfinite(o.aspiration).all()
        assert in_unit(meeting.committed)
        counts = np.bincount(o.sector, minlength=4)
        assert (o.engaged >= 0).all() and (o.engaged <= counts + 1e-12).all()
        assert o.taking_part.dtype == bool and o.ever_part.dtype == bool

    def check_invariants(self, before: World, after: World, u: dict) -> None:
        bo, ao, meeting = before.orgs, after.orgs, after.meeting
        assert not (meeting.attended & ~bo.taking_part).any()
        assert after.notes["attending"] == meeting.attended.sum()
        assert np.array_equal(meeting.committed, bo.commitment * bo.taking_part)
        engaged = np.bincount(ao.sector, weights=meeting.committed, minlength=4)
        assert np.allclose(ao.engaged, engaged, rtol=0.0, atol=1e-12)
        assert (ao.ever_part >= bo.ever_part).all() and (ao.ever_part >= ao.taking_part).all()
        joined = ao.taking_part & ~bo.taking_part
        assert (ao.commitment[joined] >= after.scenario.commitment.join_commitment).all()


@pytest.mark.mechanism("M1", "M2", "M3", "M4", "M5", "M11", "M14", "M19", "M24")
class TestCommitmentUnderThresholdExitsContract(MonthOfCommitmentContract):
    pass


@pytest.mark.mechanism("M1", "M2", "M3", "M4", "M5", "M11", "M14", "M19", "M24")
class TestCommitmentUnderLogitExitsContract(MonthOfCommitmentContract):
    fixed = {"commitment": {"exit_rule": LOGIT}}


# ============================================================================ learning (C2)
def learning_world(n: int = 4, **orgs: object) -> SimpleNamespace:
    """Organizations, ties, ladder, funding and consortium for ``learn_commitment``:
    commitment 0.5, aspiration 0, every payoff term zero unless set."""
    values = dict(commitment=0.5, money_weight=1.0)
    values.update(orgs)
    return SimpleNamespace(
        orgs=org_state(n, **values), ties=pair_state(n),
        ladder=SimpleNamespace(roi=np.zeros(n)),
        funding=SimpleNamespace(receipt=np.zeros(n), dominance=np.zeros(n)),
        consortium=SimpleNamespace(state_share=0.0, in_grant=False, vision=0.0, wins=0.0,
                                   process=0.0, narrative=0.0, backbone_share=0.0, framing=0.0))


NO_PAYOFF = dict(commitment=dict(relational_weight=0.0, grant_weight=0.0, mandate_weight=0.0,
                                 vision_weight=0.0, wins_weight=0.0, learning_rate=0.3,
                                 habituation=0.2),
                 leadership=dict(champion_boost=0.0))


def learned(w: SimpleNamespace, **sections: dict) -> np.ndarray:
    w = copy.deepcopy(w)
    params = {section: dict(values) for section, values in NO_PAYOFF.items()}
    for section, values in sections.items():
        params.setdefault(section, {}).update(values)
    commitment.learn_commitment(w.orgs, w.ladder, w.ties, w.consortium, w.funding,
                                rules(**params))
    return w.orgs.commitment


@pytest.mark.mechanism("M22")
def test_commitment_follows_the_payoff_against_a_habituating_aspiration() -> None:
    """Zero payoff against aspirations -3, -0.5, 0, 0.5 (Bush-Mosteller, rate 0.3)."""
    for part in (False, True):
        w = learning_world(taking_part=part, aspiration=[-3.0, -0.5, 0.0, 0.5])
        after = learned(w)
        assert after.tolist() == pytest.approx([0.5 + 0.3 * 0.5 * 1.0, 0.5 + 0.3 * 0.5 * 0.5, 0.5,
                                            0.5 - 0.3 * 0.5 * 0.5])
        commitment.learn_commitment(w.orgs, w.ladder, w.ties, w.consortium, w.funding,
                                    rules(**NO_PAYOFF))
        # The aspiration drifts towards the payoff (habituation 0.2).
        assert w.orgs.aspiration.tolist() == pytest.approx([-2.4, -0.4, 0.0, 0.4])
    # Room to move: up towards 1, down towards 0.
    w = learning_world(commitment=[0.0, 1.0, 0.0, 1.0], aspiration=[-1.0, -1.0, 1.0, 1.0])
    assert learned(w).tolist() == pytest.approx([0.3, 1.0, 0.0, 0.7])


def with_ties(w: SimpleNamespace, edges: list[tuple[int, int, float, bool]]) -> SimpleNamespace:
    """Trusted active ties ``(a, b, trust, cross_sector)``."""
    n = w.orgs.n
    for a, b, trust, cross in edges:
        k = pair_index(n, a, b)
        w.ties.tie[k] = w.ties.active[k] = True
        w.ties.trust[k], w.ties.cross[k] = trust, cross
    return w


@pytest.mark.mechanism("M1")
def test_trusted_active_ties_pay_more_across_sectors_and_saturate() -> None:
    w = with_ties(learning_world(n=6, taking_part=True),
                  [(0, 1, 0.6, False), (2, 3, 0.6, True), (4, 5, 0.6, True)])
    w.ties.active[pair_index(6, 4, 5)] = False  # trusted but idle: no payoff
    after = learned(w, commitment=dict(relational_weight=0.45, cross_sector_value=0.5))
    assert after[2] > after[0] > 0.5 and after[4] == after[5] == 0.5
    assert after[0] == after[1] and after[2] == after[3]
    # Saturation: beyond relational_saturation ties add nothing more.
    many = with_ties(learning_world(n=6, taking_part=True),
                     [(0, partner, 1.0, False) for partner in range(1, 6)])
    few = with_ties(learning_world(n=6, taking_part=True),
                    [(0, partner, 1.0, False) for partner in range(1, 4)])
    sat = dict(relational_weight=0.45, relational_saturation=3.0)
    assert learned(many, commitment=sat)[0] == learned(few, commitment=sat)[0] > 0.5


@pytest.mark.parametrize(("term", "orgs", "consortium", "sections"), [
    pytest.param("grant money", dict(receipt=0.5), dict(state_share=1.0),
                 dict(commitment=dict(grant_weight=0.5)), marks=pytest.mark.mechanism("M3")),
    pytest.param("the mandate", dict(signatory=True), dict(in_grant=True),
                 dict(commitment=dict(mandate_weight=0.1), grant=dict(mandate=True)),
                 marks=pytest.mark.mechanism("M29")),
    pytest.param("shared vision", {}, dict(vision=0.6),
                 dict(commitment=dict(vision_weight=0.3)), marks=pytest.mark.mechanism("M2")),
    pytest.param("visible wins", dict(wins_benefit=1.0), dict(wins=0.5),
                 dict(commitment=dict(wins_weight=0.4)), marks=pytest.mark.mechanism("M14")),
    pytest.param("narrated process", dict(wins_benefit=1.0), dict(process=0.5, narrative=0.5),
                 dict(commitment=dict(wins_weight=0.4)),
                 marks=pytest.mark.mechanism("M15")),
    pytest.param("an employer's return", dict(roi=0.5), dict(wins=0.5),
                 dict(commitment=dict(wins_weight=0.4)), marks=pytest.mark.mechanism("M16")),
    pytest.param("a champion", dict(champion=True), {},
                 dict(leadership=dict(champion_boost=0.15)), marks=pytest.mark.mechanism("M5")),
    pytest.param("the region's framing", {}, dict(framing=0.5),
                 dict(framing=dict(payoff_weight=0.1)), marks=pytest.mark.mechanism("M12")),
    pytest.param("fit to the consortium's needs", dict(fit_gap=0.3), {},
                 dict(recruitment=dict(fit_payoff=0.2)), marks=pytest.mark.mechanism("M30")),
])
def test_each_payoff_of_taking_part_raises_commitment(term: str, orgs: dict, consortium: dict,
                                                      sections: dict) -> None:
    w = learning_world(taking_part=[True, True, False, False])
    for name, value in orgs.items():
        target = w.ladder if name == "roi" else w.funding if name == "receipt" else w.orgs
        getattr(target, name)[:] = value
    vars(w.consortium).update(consortium)
    after = learned(w, **sections)
    assert (after[:2] > 0.5).all(), term
    # Outsiders collect only their champion's pull and part of their ties' value.
    assert ((after[2:] > 0.5) if term == "a champion" else (after[2:] == 0.5)).all(), term


@pytest.mark.mechanism("M30")
def test_the_wrong_ones_start_weaker_and_get_less_out_of_taking_part() -> None:
    p = rules(recruitment=dict(fit_commitment=0.3))
    start = commitment.launch_commitment(np.full(3, 0.45), np.array([-0.4, 0.0, 0.4]), p)
    assert start.tolist() == pytest.approx([0.33, 0.45, 0.57])
    assert commitment.launch_commitment(np.array([0.05, 0.98]), np.array([-0.5, 0.5]),
                                        p).tolist() == [0.0, 1.0]
    w = learning_world(n=2, taking_part=True, fit_gap=[-0.4, 0.4])
    after = learned(w, recruitment=dict(fit_payoff=0.2))
    assert after[0] < 0.5 < after[1]
    assert (learned(w, recruitment=dict(fit_payoff=0.0)) == 0.5).all()


@pytest.mark.mechanism("M30")
def test_purposeful_recruitment_signs_on_only_those_that_fit() -> None:
    fit = np.array([0.1, 0.49, 0.5, 0.9])
    anyone = rules()
    assert commitment.signs_on(fit, True, anyone).all()  # "any voices"
    screened = rules(grant=dict(purposeful_recruitment=True), recruitment=dict(screen=0.5))
    assert commitment.signs_on(fit, True, screened).tolist() == [False, False, True, True]
    for p in (anyone, screened):
        assert not commitment.signs_on(fit, False, p).any()  # no grant, nobody signs


@pytest.mark.mechanism("M3")
def test_money_motivated_partners_weigh_grant_money_more() -> None:
    w = learning_world(taking_part=True, money_weight=[1.0, 2.0, 1.0, 2.0])
    w.funding.receipt[:] = 0.3
    w.consortium.state_share = 1.0
    after = learned(w, commitment=dict(grant_weight=0.5))
    assert after[1] > after[0] > 0.5
    w.consortium.state_share = 0.0  # once the money stops it pays nothing
    assert (learned(w, commitment=dict(grant_weight=0.5)) == 0.5).all()


@pytest.mark.mechanism("M13", "M19", "M21", "M24")
def test_costs_and_dominance_lower_commitment_and_coordinators_or_habits_relieve_costs() -> None:
    w = learning_world(taking_part=True, base_cost=0.3)
    cost = learned(w, commitment=dict(cost_relief=0.5))
    assert (cost < 0.5).all()
    w.consortium.backbone_share = 1.0  # paid coordinators carry half the cost
    relieved = learned(w, commitment=dict(cost_relief=0.5))
    assert (relieved > cost).all() and (relieved < 0.5).all()
    w.consortium.backbone_share = 0.0
    w.orgs.habit[:] = 1.0  # so do habits
    habits = learned(w, commitment=dict(cost_relief=0.5),
                     institutionalization=dict(habit_coordination=1.0))
    assert np.allclose(habits, relieved)
    w = learning_world(taking_part=True)
    w.funding.dominance[:] = [0.0, 0.2, 0.2, 0.2]
    for share, hit in ((1.0, True), (0.0, False)):
        w.consortium.state_share = share
        after = learned(w)
        assert after[0] == 0.5 and ((after[1:] < 0.5) if hit else (after[1:] == 0.5)).all()


@pytest.mark.mechanism("M1")
def test_outsiders_get_a_share_of_their_ties_value() -> None:
    w = with_ties(learning_world(taking_part=[True, False, True, True]),
                  [(0, 1, 0.8, False), (2, 3, 0.8, False)])
    after = learned(w, commitment=dict(relational_weight=0.45, outsider_relational_share=0.5))
    # The outsider's tie pays it nothing through its partner (who takes part) ... and its
    # partner nothing through it (an outsider); half the value pays the outsider anyway.
    inside = learned(with_ties(learning_world(taking_part=True), [(0, 1, 0.8, False)]),
                     commitment=dict(relational_weight=0.45, outsider_relational_share=0.5))
    assert 0.5 < after[1] < inside[1] and after[0] == 0.5 and after[2] > 0.5
    none = learned(w, commitment=dict(relational_weight=0.45, outsider_relational_share=0.0))
    assert none[1] == 0.5


# ============================================================================ exits and joins (C4)
def participation_world(n: int, edges: list[tuple[int, int, float]], **orgs: object):
    pairs = pair_state(n)
    for a, b, trust in edges:
        k = pair_index(n, a, b)
        pairs.tie[k], pairs.trust[k] = True, trust
    return org_state(n, **orgs), pairs


@pytest.mark.mechanism("M4")
def test_exits_on_low_commitment_or_few_partners_and_joins_by_invitation_or_contagion() -> None:
    p = rules(commitment=dict(exit_commitment=0.2, join_commitment=0.4, join_min_partners=2),
              trust=dict(active_threshold=0.35), grant=dict(mandate=True))
    # 0: commitment 0.1, leaves. 1: both partners (2, 3) in, stays. 4: one of two partners
    # in (0.5 < 0.6), leaves. 6: outsider with two trusted partners in, joins. 7: outsider,
    # one trusted partner, stays out. 8: outsider, two trusted partners but commitment 0.3.
    # 9: outsider signatory, invited while the mandating grant runs.
    edges = [(1, 2, 0.5), (1, 3, 0.5), (4, 2, 0.5), (4, 5, 0.5), (6, 1, 0.4), (6, 2, 0.4),
             (7, 1, 0.9), (7, 3, 0.2), (8, 1, 0.9), (8, 2, 0.9)]
    part = [True, True, True, True, True, False, False, False, False, False]
    orgs, pairs = participation_world(
        10, edges, taking_part=part, ever_part=part,
        commitment=[0.1, 0.5, 0.5, 0.5, 0.5, 0.0, 0.5, 0.5, 0.3, 0.5],
        threshold=[0.3, 0.3, 0.3, 0.3, 0.6, 0.3, 0.3, 0.3, 0.3, 0.3],
        signatory=[False] * 9 + [True])
    before = copy.deepcopy(orgs)
    commitment.take_part(orgs, pairs, SimpleNamespace(in_grant=True, data=0.0),
                         ThresholdExit(p.commitment), p)
    assert orgs.taking_part.tolist() == [False, True, True, True, False, False, True, False,
                                         False, True]
    assert orgs.ever_part.tolist() == [True, True, True, True, True, False, True, False, False,
                                       True]
    # After the grant nobody is invited any more.
    commitment.take_part(before, pairs, SimpleNamespace(in_grant=False, data=0.0),
                         ThresholdExit(p.commitment), p)
    assert not before.taking_part[9]


@pytest.mark.mechanism("M4")
def test_an_organization_without_ties_judges_the_consortium_s_share() -> None:
    p = rules(commitment=dict(exit_commitment=0.0))
    part = [True, True, True, False]  # three of four take part: 0.75
    for threshold, stays in ((0.7, True), (0.8, False)):
        orgs, pairs = participation_world(4, [], taking_part=part, commitment=1.0,
                                          threshold=threshold)
        commitment.take_part(orgs, pairs, SimpleNamespace(in_grant=False, data=0.0),
                             ThresholdExit(p.commitment), p)
        assert orgs.taking_part[:3].tolist() == [stays] * 3


@pytest.mark.mechanism("M4")
@pytest.mark.parametrize("seed", range(4))
def test_less_commitment_never_keeps_more_organizations_in(seed: int) -> None:
    """Halving commitment never turns a leave into a stay, nor a stay-out into a join."""
    rng = np.random.default_rng(seed)
    n = 30
    edges = [(a, b, float(rng.random())) for a in range(n) for b in range(a + 1, n)
             if rng.random() < 0.2]
    part = rng.random(n) < 0.6
    commit, thr = rng.random(n), rng.random(n)
    p = rules(grant=dict(mandate=True))
    out = {}
    for factor in (1.0, 0.5):
        orgs, pairs = participation_world(n, edges, taking_part=part, ever_part=part,
                                          commitment=commit * factor, threshold=thr)
        commitment.take_part(orgs, pairs, SimpleNamespace(in_grant=True, data=0.0),
                             ThresholdExit(p.commitment), p)
        out[factor] = orgs.taking_part
    assert (out[0.5] <= out[1.0]).all() and (out[0.5] < out[1.0]).any()


@pytest.mark.mechanism("M4")
def test_a_coalition_of_the_willing_can_form_again_after_everyone_left() -> None:
    """After the grant nobody takes part; trusted, committed partners can still re-form it,
    and nobody comes back without enough of them (M4; no collapse frozen by construction)."""
    p = rules(commitment=dict(join_commitment=0.5, join_min_partners=2),
              trust=dict(active_threshold=0.35))
    # 0-1-2 trust each other and are committed; 3 is committed but tied to 0 only.
    edges = [(0, 1, 0.8), (0, 2, 0.8), (1, 2, 0.8), (0, 3, 0.8)]
    orgs, pairs = participation_world(4, edges, commitment=[0.9, 0.9, 0.9, 0.9])
    commitment.take_part(orgs, pairs, SimpleNamespace(in_grant=False, data=0.0),
                         ThresholdExit(p.commitment), p)
    assert orgs.taking_part.tolist() == [True, True, True, False]
    # The same region with partners committed below the joining bar stays apart.
    orgs, pairs = participation_world(4, edges, commitment=[0.9, 0.4, 0.4, 0.9])
    commitment.take_part(orgs, pairs, SimpleNamespace(in_grant=False, data=0.0),
                         ThresholdExit(p.commitment), p)
    assert not orgs.taking_part.any() and not orgs.ever_part.any()


@pytest.mark.mechanism("M14")
def test_impatient_signatories_no_longer_answer_the_mandate() -> None:
    p = rules(commitment=dict(join_commitment=0.4), grant=dict(mandate=True))
    orgs, pairs = participation_world(2, [], commitment=0.8, signatory=True,
                                      impatient=[False, True])
    commitment.take_part(orgs, pairs, SimpleNamespace(in_grant=True, data=0.0),
                         ThresholdExit(p.commitment), p)
    assert orgs.taking_part.tolist() == [True, False]


def test_trusted_partners_count_tied_partners_taking_part_above_a_threshold() -> None:
    _, pairs = participation_world(4, [(0, 1, 0.5), (0, 2, 0.2), (0, 3, 0.9), (1, 2, 0.6)])
    part = np.array([True, True, False, True])
    none = np.zeros(4)

    def count(threshold: float, willing: float = 2.0, c: np.ndarray = none) -> list[float]:
        return commitment.trusted_partners(pairs, threshold, part, c, willing).tolist()

    assert count(0.35) == [2.0, 1.0, 1.0, 1.0]
    assert count(0.0) == [2.0, 1.0, 2.0, 1.0]
    assert count(0.95) == [0.0] * 4
    # Organization 2 stays out but is committed enough to be willing: it counts too.
    assert count(0.35, 0.5, np.array([0.0, 0.0, 0.6, 0.0])) == [2.0, 2.0, 1.0, 1.0]


# ============================================================================ logit exits
def logit(**values: object) -> Params:
    return rules(commitment=dict(values, exit_rule=LOGIT))


@pytest.mark.mechanism("M4")
def test_logit_exit_chance_stays_in_range_and_grows_with_both_shortfalls() -> None:
    rng = np.random.default_rng(5)
    for _, params in parameter_extremes(("commitment",), rng):
        p = Params(params).commitment
        cases = list(zip(unit(rng, 200), unit(rng, 200), unit(rng, 200), strict=True))
        chance = np.array([commitment.exit_chance(*case, 0.0, p) for case in cases])
        assert in_unit(chance)
        lower = np.array([commitment.exit_chance(commit * 0.5, share, thr, 0.0, p)
                          for commit, share, thr in cases])
        fewer = np.array([commitment.exit_chance(commit, share * 0.5, thr, 0.0, p)
                          for commit, share, thr in cases])
        assert (lower >= chance).all() and (fewer >= chance).all()
    p = logit(exit_slope=5.0).commitment
    grid = np.linspace(0.0, 1.0, 11)
    assert (np.diff([commitment.exit_chance(x, 0.5, 0.3, 0.0, p) for x in grid]) < 0).all()
    assert (np.diff([commitment.exit_chance(0.5, x, 0.3, 0.0, p) for x in grid]) < 0).all()


def test_logit_exit_chance_at_the_lines_and_without_slope() -> None:
    p = logit(exit_slope=40.0, exit_commitment=0.2).commitment
    # On one line and far above the other: even odds.
    assert commitment.exit_chance(0.2, 1.0, 0.0, 0.0, p) == pytest.approx(0.5, abs=1e-12)
    assert commitment.exit_chance(1.0, 0.3, 0.3, 0.0, p) == pytest.approx(0.5, abs=1e-12)
    # A slope of zero ignores both shortfalls: two of three alternatives are leaving.
    flat = logit(exit_slope=0.0).commitment
    for commit, share in np.random.default_rng(0).random((50, 2)):
        assert commitment.exit_chance(commit, share, share, 0.0, flat) == pytest.approx(2 / 3)


@pytest.mark.mechanism("M20", "M4")
def test_shared_metrics_lower_the_commitment_floor_under_both_exit_rules() -> None:
    """``floor = exit_commitment·(1 − data_exit_relief·D)``: with shared metrics partners
    who would walk away on their own reckoning stay (M20)."""
    c = rules(commitment=dict(exit_commitment=0.2, data_exit_relief=0.5)).commitment
    assert commitment.exit_floor(0.0, c) == 0.2
    assert commitment.exit_floor(0.6, c) == pytest.approx(0.14)
    assert commitment.exit_floor(1.0, c) == pytest.approx(0.1)
    off = rules(commitment=dict(exit_commitment=0.2, data_exit_relief=0.0)).commitment
    assert commitment.exit_floor(1.0, off) == 0.2
    # Threshold rule, three tieless partners, all partners in: 0.15 leaves without shared
    # data and stays at D = 0.6; 0.1 leaves either way.
    p = rules(commitment=dict(exit_commitment=0.2, data_exit_relief=0.5))
    stays = {}
    for data in (0.0, 0.6):
        orgs, pairs = participation_world(3, [], taking_part=True, commitment=[0.1, 0.15, 0.5],
                                          threshold=0.0)
        commitment.take_part(orgs, pairs, SimpleNamespace(in_grant=False, data=data),
                             ThresholdExit(p.commitment), p)
        stays[data] = orgs.taking_part.tolist()
    assert stays == {0.0: [False, False, True], 0.6: [False, True, True]}
    # Logit rule: on the lowered line (and far above the other) even odds; the chance of
    # leaving falls as data alignment grows.
    lp = logit(exit_commitment=0.2, data_exit_relief=0.5, exit_slope=40.0).commitment
    assert commitment.exit_chance(0.14, 1.0, 0.0, 0.6, lp) == pytest.approx(0.5, abs=1e-12)
    chances = [commitment.exit_chance(0.15, 0.5, 0.3, d, lp) for d in np.linspace(0, 1, 6)]
    assert (np.diff(chances) < 0).all()


def tieless(n: int, rng: np.random.Generator, exit_commitment: float, share: float):
    """``n`` organizations taking part, none tied, so each judges the consortium's share;
    commitments and thresholds at least 0.02 from their lines."""
    commit, thr = rng.random(n), rng.random(n)
    keep = (np.abs(commit - exit_commitment) > 0.02) & (np.abs(thr - share) > 0.02)
    return participation_world(int(keep.sum()), [], taking_part=True, commitment=commit[keep],
                               threshold=thr[keep])


@pytest.mark.mechanism("M4")
@pytest.mark.parametrize("seed", range(4))
def test_steep_logit_exits_approach_threshold_exits(seed: int) -> None:
    rng = np.random.default_rng(seed)
    orgs, pairs = tieless(300, rng, 0.25, 1.0)
    p = rules(commitment=dict(exit_commitment=0.25))
    threshold = copy.deepcopy(orgs)
    commitment.take_part(threshold, pairs, SimpleNamespace(in_grant=False, data=0.0),
                         ThresholdExit(p.commitment), p)
    left = ~threshold.taking_part
    assert left.any() and not left.all()
    steep = logit(exit_commitment=0.25, exit_slope=1000.0)
    # At least 0.02 from both lines a chance is below 2 e^-20 (4e-9) or above 1 minus that.
    for u in (rng.random(orgs.n), np.full(orgs.n, 1e-8), np.full(orgs.n, 1.0 - 1e-8)):
        out = copy.deepcopy(orgs)
        commitment.take_part(out, pairs, SimpleNamespace(in_grant=False, data=0.0),
                             LogitExit(steep.commitment), steep, u)
        assert np.array_equal(out.taking_part, threshold.taking_part)
    # A gentler slope blurs the line: some leave above it, some stay below it.
    gentle = logit(exit_commitment=0.25, exit_slope=10.0)
    chance = np.array([commitment.exit_chance(commit, 1.0, thr, 0.0, gentle.commitment)
                       for commit, thr in zip(orgs.commitment, orgs.threshold, strict=True)])
    assert (chance[~left] > 1e-6).any() and (chance[left] < 1.0 - 1e-6).any()


def test_logit_exits_need_one_uniform_per_organization() -> None:
    p = logit(exit_slope=20.0, exit_commitment=0.2)
    orgs, pairs = participation_world(2, [], taking_part=True, commitment=[0.1, 0.9],
                                      threshold=0.3)
    rule = LogitExit(p.commitment)
    with pytest.raises(ValueError, match="uniform"):
        commitment.take_part(copy.deepcopy(orgs), pairs,
                             SimpleNamespace(in_grant=False, data=0.0), rule, p)
    chance = np.array([commitment.exit_chance(commit, 1.0, 0.3, 0.0, p.commitment)
                       for commit in (0.1, 0.9)])
    below = copy.deepcopy(orgs)
    commitment.take_part(below, pairs, SimpleNamespace(in_grant=False, data=0.0), rule, p,
                         chance - 1e-12)
    assert not below.taking_part.any()
    at = copy.deepcopy(orgs)
    commitment.take_part(at, pairs, SimpleNamespace(in_grant=False, data=0.0), rule, p, chance)
    assert at.taking_part.all()
    assert (ThresholdExit.draws, LogitExit.draws) == (0, 1)
    assert set(EXIT_RULES) == {"threshold", LOGIT}


@pytest.mark.parametrize("rule", ["threshold", LOGIT])
def test_the_exit_verb_draws_one_uniform_per_organization_only_under_the_logit_rule(
        rule: str) -> None:
    model = small_model(2, 8, commitment=dict(exit_rule=rule))
    orgs = model.organizations
    expected = copy.deepcopy(model.rng)
    if rule == LOGIT:
        expected.random(orgs.n)
    orgs.take_part(model.partnerships, model.consortium, model.exit_rule, model.rules,
                   model.rng)
    assert model.rng.bit_generator.state == expected.bit_generator.state


# ============================================================================ attendance
def attendance(n: int, u: object, **kw: object) -> SimpleNamespace:
    """Meetings of ``n`` organizations; ``kw`` sets organizations' arrays or ``group``."""
    group = np.broadcast_to(kw.pop("group", 0), n).astype(np.int64)
    near = np.broadcast_to(kw.pop("near", 1.0), n).astype(float)
    values = dict(taking_part=True, commitment=1.0, effective_capacity=1.0, relevance=1.0)
    values.update(kw)
    orgs = org_state(n, **values)
    meeting = SimpleNamespace(group=group, near=near, group_size=np.zeros(group.max() + 1),
                              attended=np.zeros(n, dtype=bool), committed=np.zeros(n))
    params = rules(ties=dict(meeting_size_threshold=2, meetings_per_month=1.0))
    count = commitment.attend(orgs, meeting, 1.0, params,
                              np.broadcast_to(u, n).astype(float).copy())
    return SimpleNamespace(count=count, orgs=orgs, meeting=meeting)


@pytest.mark.mechanism("M11")
def test_crowded_meetings_lose_attendance_and_employers_do_not_crowd_them() -> None:
    # Two participants per meeting group: no crowding, chance 1.
    assert attendance(4, 0.99, group=[0, 0, 1, 1]).count == 4
    # Four in one group: 2 beyond the threshold of 2 halve the chance of coming.
    assert attendance(4, 0.49).count == 4 and attendance(4, 0.51).count == 0
    # Employers attend their own roundtables: they do not count towards the crowd.
    sector = [Sector.K12, Sector.K12, Sector.EMPLOYER, Sector.EMPLOYER]
    out = attendance(4, 0.99, sector=sector, not_employer=[True, True, False, False])
    assert out.count == 4
    assert out.meeting.group_size.tolist() == [2.0]


@pytest.mark.mechanism("M11", "M24")
def test_attendance_needs_taking_part_capacity_commitment_and_nearness() -> None:
    full = attendance(5, 0.3, group=[0, 1, 2, 3, 4])
    assert full.meeting.attended.all()
    for kw in (dict(taking_part=[True, False, True, True, True]),
               dict(effective_capacity=[1.0, 0.2, 1.0, 1.0, 1.0]),
               dict(commitment=[1.0, 0.04, 1.0, 1.0, 1.0]),
               dict(near=[1.0, 0.2, 1.0, 1.0, 1.0]),
               dict(relevance=[1.0, 0.2, 1.0, 1.0, 1.0])):
        out = attendance(5, 0.3, group=[0, 1, 2, 3, 4], **kw)
        assert out.meeting.attended.tolist() == [True, False, True, True, True], kw
        assert out.count == 4
    # No meetings this month: nobody attends.
    orgs = org_state(3, taking_part=True, commitment=1.0, effective_capacity=1.0,
                     relevance=1.0)
    meeting = SimpleNamespace(group=np.zeros(3, np.int64), near=np.ones(3),
                              group_size=np.zeros(1), attended=np.ones(3, bool),
                              committed=np.zeros(3))
    assert commitment.attend(orgs, meeting, 0.0, rules(), np.zeros(3)) == 0
    assert not meeting.attended.any()


@pytest.mark.mechanism("M11")
def test_attendance_records_the_commitment_taking_part_by_sector() -> None:
    sector = [Sector.K12, Sector.COLLEGE, Sector.COLLEGE, Sector.INTERMEDIARY]
    out = attendance(4, 1.0, group=[0, 1, 2, 3], sector=sector,
                     commitment=[0.5, 0.25, 0.75, 0.4], taking_part=[True, True, True, False])
    assert out.count == 0
    assert out.meeting.committed.tolist() == [0.5, 0.25, 0.75, 0.0]
    assert out.orgs.engaged.tolist() == [0.5, 1.0, 0.0, 0.0]


@pytest.mark.mechanism("M11")
def test_subregional_nodes_meet_as_a_region_only_every_few_months() -> None:
    whole = rules(grant=dict(subregional_nodes=1))
    assert all(commitment.meets_regionally(month, whole) for month in range(30))
    nodes = rules(grant=dict(subregional_nodes=3, subregional_switch_month=12),
                  ties=dict(regional_meeting_interval=3))
    regional = [month for month in range(30) if commitment.meets_regionally(month, nodes)]
    assert regional == list(range(12)) + [12, 15, 18, 21, 24, 27]


@pytest.mark.mechanism("M11")
def test_convening_uses_each_organization_s_venue_and_returns_the_share_attending() -> None:
    model = small_model(5, 14, grant=dict(subregional_nodes=3, subregional_switch_month=0),
                        ties=dict(regional_meeting_interval=4))
    orgs = model.organizations
    for month, regional in ((16, True), (17, False)):
        share = orgs.convene(month, 1.0, model.rules, np.random.default_rng(month))
        meeting = orgs.meeting
        assert meeting.regional == regional
        assert np.array_equal(meeting.group, orgs.whole_region if regional else orgs.node)
        assert np.array_equal(meeting.near, orgs.near_regional if regional else orgs.near_node)
        assert share == meeting.attended.sum() / orgs.taking_part.sum()
    assert len(set(orgs.node.tolist())) == 3


@pytest.mark.mechanism("M24", "M34")
def test_coherent_state_signals_restore_capacity_that_initiative_overload_takes() -> None:
    capacity, load = np.array([0.6, 0.8, 1.0, 1.0]), np.array([0.0, 0.3, 0.7, 1.0])
    mixed = rules(commitment=dict(overload_sensitivity=0.6, policy_coherence=0.2))
    coherent = rules(commitment=dict(overload_sensitivity=0.6, policy_coherence=0.8))
    for p in (mixed, coherent):
        room = commitment.effective_capacity(capacity, load, p)
        cost = commitment.participation_cost(capacity, load, p)
        assert (room <= capacity).all() and room[0] == capacity[0]  # no load, no loss
        assert (np.diff(room[2:]) < 0).all() and (np.diff(cost[2:]) > 0).all()  # more load
    assert (commitment.effective_capacity(capacity, load, coherent)[1:]
            > commitment.effective_capacity(capacity, load, mixed)[1:]).all()
    assert (commitment.participation_cost(capacity, load, coherent)[1:]
            < commitment.participation_cost(capacity, load, mixed)[1:]).all()
    full = rules(commitment=dict(overload_sensitivity=0.6, policy_coherence=1.0))
    assert np.array_equal(commitment.effective_capacity(capacity, load, full), capacity)
