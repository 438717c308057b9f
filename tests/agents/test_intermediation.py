"""Intermediation (agents/intermediation.pyx, agents/intermediaries.py): brokering quality
and employers' brokering (M8), technical assistance from the TA providers (M9)."""

from __future__ import annotations

import copy
from types import SimpleNamespace

import numpy as np
import pytest
from conftest import (
    FamilyContract,
    World,
    in_unit,
    org_state,
    pair_index,
    pair_state,
    scenario,
    small_model,
)

from agents import intermediation
from agents.codes import Sector
from agents.params import Params


def rules(**values: object) -> Params:
    return Params(scenario(intermediaries=values))


# ============================================================================ the contract
@pytest.mark.mechanism("M8", "M9")
class TestIntermediationContract(FamilyContract):
    """A month of brokering for every intermediary and employer, and the month's TA."""

    sections = ("intermediaries",)

    def apply(self, world: World, u: None) -> None:
        world.intermediaries.assist(world.orgs, world.consortium)
        intermediation.broker(world.intermediaries, world.orgs, world.ties, world.ladder,
                              world.consortium, world.rules)

    def check_bounds(self, world: World) -> None:
        it = world.intermediaries
        assert in_unit(it.quality) and in_unit(it.strength) and in_unit(world.ladder.brokered)
        assert 0.0 <= world.consortium.ta <= 1.0

    def check_invariants(self, before: World, after: World, u: None) -> None:
        bi, ai, o = before.intermediaries, after.intermediaries, before.orgs
        others = np.ones(o.n, dtype=bool)
        others[bi.brokers] = False
        assert (ai.quality[others] == 0.0).all() and (ai.strength[others] == 0.0).all()
        assert np.array_equal(ai.leader_seen[bi.brokers], o.leader_id[bi.brokers])
        # Nobody brokers more than it is worth, and an intermediary outside brokers nothing.
        assert (ai.strength <= bi.quality + 1e-12).all()
        assert (ai.strength[~o.taking_part] == 0.0).all()
        # An intermediary outside the consortium does not get better at brokering.
        out = bi.brokers[~o.taking_part[bi.brokers]]
        assert (ai.quality[out] <= bi.quality[out]).all()
        lad = after.ladder
        assert (lad.brokered[~lad.is_employer] == before.ladder.brokered[~lad.is_employer]).all()
        assert (lad.brokered <= ai.strength.max() + 1e-12).all()
        if not before.consortium.ta_active:
            assert after.consortium.ta == 0.0


# ============================================================================ M8 rules
@pytest.mark.mechanism("M8")
def test_grant_paid_brokering_falls_with_state_money_unless_paid_for() -> None:
    p = rules(grant_dependence=0.6).intermediaries
    assert intermediation.paid_share(False, 1.0, False, p) == 1.0
    assert intermediation.paid_share(False, 0.5, False, p) == pytest.approx(1.0 - 0.6 * 0.5)
    assert intermediation.paid_share(False, 0.0, False, p) == pytest.approx(0.4)
    # Its own contribution or an anchor's base budget pays for it after the grant.
    assert intermediation.paid_share(False, 0.0, True, p) == 1.0
    assert intermediation.paid_share(True, 0.0, False, p) == 1.0
    # An intermediary that pays its own way faces no cliff.
    own = rules(grant_dependence=0.0).intermediaries
    assert intermediation.paid_share(False, 0.0, False, own) == 1.0


@pytest.mark.mechanism("M8")
def test_brokering_quality_builds_with_paid_work_and_erodes_without() -> None:
    p = rules(quality_growth=0.1, quality_decay=0.05).intermediaries
    q = 0.4
    assert intermediation.quality_step(q, 1.0, 0.5, p) == pytest.approx(0.4 + 0.1 * 0.5 * 0.6)
    assert intermediation.quality_step(q, 0.0, 0.5, p) == pytest.approx(0.4 - 0.05 * 0.4)
    half = intermediation.quality_step(q, 0.5, 1.0, p)
    assert half == pytest.approx(0.4 + 0.1 * 0.5 * 0.6 - 0.05 * 0.5 * 0.4)
    # Without regional activity, work only holds quality; it takes time to build.
    assert intermediation.quality_step(q, 1.0, 0.0, p) == q
    path = [q]
    for _ in range(120):
        path.append(intermediation.quality_step(path[-1], 1.0, 0.5, p))
    assert all(b > a for a, b in zip(path, path[1:], strict=False)) and path[12] < 0.7
    assert path[-1] <= 1.0
    for _ in range(120):
        path.append(intermediation.quality_step(path[-1], 0.0, 0.5, p))
    assert path[-1] < 0.01


def brokering_world(n_employers: int, quality: list[float], tied: list[list[bool]],
                    part: list[bool] | None = None, anchor: list[bool] | None = None,
                    state_share: float = 1.0) -> SimpleNamespace:
    """Employers first, then one intermediary per quality, ties as ``tied[e][b]``."""
    nb = len(quality)
    n = n_employers + nb
    brokers = np.arange(n_employers, n, dtype=np.int64)
    pairs = pair_state(n)
    slots = [(e, b) for e in range(n_employers) for b in range(nb)]
    conv_pairs = np.array([pair_index(n, e, n_employers + b) for e, b in slots], dtype=np.int64)
    for (e, b), k in zip(slots, conv_pairs, strict=True):
        pairs.tie[k] = tied[e][b]
    employer = np.arange(n) < n_employers
    orgs = org_state(n, taking_part=True if part is None else [True] * n_employers + part,
                     anchor=False if anchor is None else [False] * n_employers + anchor)
    orgs.leader_id = np.zeros(n, dtype=np.int64)
    q = np.zeros(n)
    q[brokers] = quality
    return SimpleNamespace(
        inter=SimpleNamespace(brokers=brokers, quality=q, strength=np.zeros(n),
                              leader_seen=np.zeros(n, dtype=np.int64),
                              slots=np.array([(k, e, n_employers + b) for (e, b), k
                                              in zip(slots, conv_pairs, strict=True)],
                                             dtype=np.int64)),
        orgs=orgs, ties=pairs,
        ladder=SimpleNamespace(is_employer=employer, brokered=np.zeros(n)),
        consortium=SimpleNamespace(state_share=state_share, activity=0.5))


def broker(w: SimpleNamespace, params: Params) -> SimpleNamespace:
    w = copy.deepcopy(w)
    intermediation.broker(w.inter, w.orgs, w.ties, w.ladder, w.consortium, params)
    return w


@pytest.mark.mechanism("M8")
def test_each_employer_gets_the_brokering_of_its_best_tied_intermediary() -> None:
    p = rules(grant_dependence=0.5, quality_growth=0.0, quality_decay=0.0)
    w = broker(brokering_world(3, [0.2, 0.6], [[True, True], [True, False], [False, False]]), p)
    assert w.inter.strength[3:].tolist() == [0.2, 0.6]
    assert w.ladder.brokered[:3].tolist() == [0.6, 0.2, 0.0]
    # An intermediary outside the consortium brokers nothing.
    out = broker(brokering_world(3, [0.2, 0.6], [[True, True], [True, False], [False, False]],
                                 part=[True, False]), p)
    assert out.ladder.brokered[:3].tolist() == [0.2, 0.2, 0.0]
    # After the grant a grant-paid broker brokers at half strength, an anchor at full.
    cliff = broker(brokering_world(1, [0.6, 0.4], [[True, True]], anchor=[False, True],
                                   state_share=0.0), p)
    assert cliff.inter.strength[1:].tolist() == pytest.approx([0.3, 0.4])
    assert cliff.ladder.brokered[0] == pytest.approx(0.4)


@pytest.mark.mechanism("M7", "M8")
def test_a_new_intermediary_leader_loses_part_of_its_brokering_quality() -> None:
    p = rules(turnover_keep=0.25, quality_growth=0.0, quality_decay=0.0)
    w = brokering_world(1, [0.8, 0.8], [[True, True]])
    w.orgs.leader_id[2] = 1  # the second intermediary's leader changed
    after = broker(w, p)
    assert after.inter.quality[1:].tolist() == pytest.approx([0.8, 0.2])
    assert after.inter.leader_seen.tolist() == [0, 0, 1]
    # The loss is taken once per change.
    again = broker(after, p)
    assert again.inter.quality[1:].tolist() == pytest.approx([0.8, 0.2])


# ============================================================================ M9 rules
@pytest.mark.mechanism("M9")
def test_technical_assistance_is_the_share_of_contracted_providers_taking_part() -> None:
    part = np.array([True, False, True, True])
    providers = np.array([1, 2], dtype=np.int64)
    assert intermediation.technical_assistance(True, part, providers) == 0.5
    assert intermediation.technical_assistance(True, part, np.array([2, 3])) == 1.0
    assert intermediation.technical_assistance(True, part, np.array([1], dtype=np.int64)) == 0.0
    # No contract, or no TA providers: no TA.
    assert intermediation.technical_assistance(False, part, np.array([2, 3])) == 0.0
    assert intermediation.technical_assistance(True, part, np.zeros(0, dtype=np.int64)) == 0.0


# ============================================================================ the set
@pytest.mark.mechanism("M8", "M9")
def test_brokers_are_the_intermediaries_other_than_ta_providers() -> None:
    model = small_model(5, 0)
    it, orgs = model.intermediaries, model.organizations
    kinds = np.array([a.kind for a in orgs.agents])
    inter = orgs.sector == Sector.INTERMEDIARY
    assert set(kinds[it.brokers]) == {"workforce_board", "county_office", "chamber"}
    assert np.array_equal(np.sort(np.concatenate([it.brokers, it.ta_providers])),
                          np.flatnonzero(inter))
    assert (kinds[it.ta_providers] == "ta_provider").all()
    others = np.ones(orgs.n, dtype=bool)
    others[it.brokers] = False
    assert (it.quality[others] == 0.0).all() and in_unit(it.quality)
    # Every pair of an employer and a broker, once: (pair, employer, broker).
    lad, t = model.employers, model.partnerships
    assert len(it.slots) == len(lad.employers) * len(it.brokers)
    for k, e, b in it.slots:
        assert lad.is_employer[e] and b in it.brokers and {t.i[k], t.j[k]} == {e, b}
    none = small_model(5, 0, intermediaries=dict(quality_mean=0.0, quality_spread=0.0))
    assert (none.intermediaries.quality == 0.0).all()
    # The quality is drawn last: every earlier construction draw is the same.
    other = small_model(5, 0, intermediaries=dict(quality_mean=0.9))
    assert np.array_equal(other.organizations.commitment, orgs.commitment)
    assert other.consortium.orientation == model.consortium.orientation
    assert np.array_equal(other.partnerships.tie, model.partnerships.tie)


@pytest.mark.mechanism("M9")
def test_ta_runs_with_the_contract_and_stops_without_providers() -> None:
    model = small_model(1, 3)
    assert model.consortium.ta_active and model.consortium.ta == 1.0
    none = small_model(1, 3, region=dict(n_ta_providers=0))
    assert none.consortium.ta_active and none.consortium.ta == 0.0 == none.consortium.coaching
    after = small_model(1, 0, grant=dict(state_years=1, partner_years=0))
    after.run(until=13)
    assert not after.consortium.ta_active and after.consortium.ta == 0.0
