"""Institutionalization (agents/institutions.pyx): habits, passages, articulation agreements,
shared vision and shared data (I1, I3; M2, M13, M18, M20)."""

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
    scenario,
    small_model,
)

from agents import institutions
from agents.codes import Sector
from agents.params import Params


def rules(**sections: dict) -> Params:
    return Params(scenario(**sections))


# ============================================================================ the contract
class InstitutionsContract(DrawingFamilyContract):
    """Habits and passages of every organization, then articulation agreements."""

    sections = ("institutionalization",)

    def draws(self, world: World, rng: np.random.Generator) -> dict[str, np.ndarray]:
        return {"habits": rng.random((2, world.orgs.n)),
                "agreements": rng.random((2, world.ties.m))}

    def apply(self, world: World, u: dict[str, np.ndarray]) -> None:
        o, t, c, p = world.orgs, world.ties, world.consortium, world.rules
        institutions.institutionalize(o, t, world.meeting, c, p, u["habits"])
        candidates = institutions.agreement_candidates(o, t, p)
        world.notes["candidates"] = candidates.copy()
        institutions.sign_agreements(o, t, candidates, p,
                                     np.ascontiguousarray(u["agreements"][:, :len(candidates)]))

    def check_bounds(self, world: World) -> None:
        o, t, ih = world.orgs, world.ties, world.rules.institutionalization
        assert in_unit(o.habit) and in_unit(t.base_formality)
        assert (o.passages >= 0).all() and (o.passages <= ih.max_passages).all()
        assert np.array_equal(o.floor, o.passages * ih.passage_floor)

    def check_invariants(self, before: World, after: World, u: dict) -> None:
        bo, ao, bt, at = before.orgs, after.orgs, before.ties, after.ties
        floor = np.minimum(1.0, bo.floor)
        assert (ao.habit >= floor).all()
        out = ~bo.taking_part
        assert (ao.habit[out] <= np.maximum(bo.habit[out], floor[out])).all()
        assert (ao.passages[out] - bo.passages[out] >= -1).all()
        assert (ao.passages[out] <= bo.passages[out]).all()
        new = at.agreement & ~bt.agreement
        candidates = np.zeros(at.m, dtype=bool)
        candidates[after.notes["candidates"]] = True
        assert not (new & ~candidates).any()
        assert (at.k12_college[candidates]).all() and not bt.agreement[candidates].any()
        threshold = after.rules.institutionalization.articulation_trust
        assert (bt.trust[candidates] >= threshold).all()
        part = bo.taking_part
        assert (part[at.i] & part[at.j])[candidates].all()
        assert (at.base_formality[new] == after.rules.trust.articulation_formality).all()
        assert np.array_equal(at.agreement[bt.agreement], bt.agreement[bt.agreement])
        gained = ao.passages - bo.passages
        per_org = np.bincount(at.i[new], minlength=ao.n) + np.bincount(at.j[new], minlength=ao.n)
        assert (gained <= 1 + per_org).all()


@pytest.mark.mechanism("M13", "M18")
class TestInstitutionsContract(InstitutionsContract):
    pass


# ============================================================================ habits and passages
def habit_world(n: int, habit: object, **orgs: object) -> SimpleNamespace:
    """Organizations taking part and at a meeting, in an active consortium."""
    values = dict(taking_part=True, habit=habit, commitment=1.0)
    values.update(orgs)
    return SimpleNamespace(orgs=org_state(n, **values), ties=pair_state(n),
                           meeting=SimpleNamespace(attended=np.ones(n, dtype=bool)),
                           consortium=SimpleNamespace(activity=0.5, effort=0.7))


def institutionalize(w: SimpleNamespace, params: Params, u: object = 1.0) -> SimpleNamespace:
    """One month on ``w`` with draws ``u`` (1: no passage gained or lapsed)."""
    institutions.institutionalize(w.orgs, w.ties, w.meeting, w.consortium, params,
                                  np.broadcast_to(u, (2, w.orgs.n)).astype(float).copy())
    return w


@pytest.mark.mechanism("M13")
@pytest.mark.parametrize("seed", range(4))
def test_habits_grow_when_enacted_and_decay_to_the_floor(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 200
    habit = rng.uniform(0.01, 0.99, n)
    p = rules(institutionalization=dict(habit_growth=0.1, habit_decay=0.2))

    def month(effort: float = 0.7, **orgs: object) -> np.ndarray:
        w = habit_world(n, habit, **orgs)
        w.consortium.effort = effort
        return institutionalize(w, p).orgs.habit

    assert (month() > habit).all()
    assert (month(taking_part=False) < habit).all()
    assert (month(1.0) > month(0.5)).all()  # more systems effort, faster growth
    assert np.array_equal(month(0.0), habit)  # no effort, no growth
    assert np.allclose(month(), habit + 0.1 * 0.7 * (1.0 - habit), rtol=0.0, atol=1e-15)
    # Passages hold the habit at their floor however long the practice lapses.
    w = habit_world(n, habit, taking_part=False, passages=2, floor=0.24)
    for _ in range(200):
        institutionalize(w, p)
        assert (w.orgs.habit >= 0.24).all()
    assert np.allclose(w.orgs.habit, 0.24)


@pytest.mark.mechanism("M13")
def test_enacting_the_practice_needs_taking_part_contact_and_activity() -> None:
    p = rules(institutionalization=dict(habit_growth=0.1, habit_decay=0.2))
    n = 4  # 0: at the meeting; 1: worked on a tie with 2; 2: took part only; 3: outside
    w = habit_world(n, 0.5, taking_part=[True, True, True, False])
    w.meeting.attended[:] = [True, False, False, True]
    w.ties.interacted[pair_index(n, 1, 3)] = True  # with an outsider: still contact for 1
    habit = institutionalize(w, p).orgs.habit
    assert habit[0] > 0.5 and habit[1] > 0.5 and habit[2] < 0.5 and habit[3] < 0.5
    idle = habit_world(n, 0.5)
    idle.consortium.activity = 0.0  # nothing going on: nobody enacts anything
    assert (institutionalize(idle, p).orgs.habit < 0.5).all()


@pytest.mark.mechanism("M13")
def test_passages_come_with_strong_habits_while_taking_part_and_lapse_outside() -> None:
    p = rules(institutionalization=dict(passage_threshold=0.45, passage_commitment=0.5,
                                        passage_rate=0.04, passage_lapse=0.02, max_passages=2,
                                        passage_floor=0.12, habit_growth=0.0, habit_decay=0.0))
    # 0 gains; 1 habit too weak; 2 commitment too low; 3 at the most; 4 draw too high;
    # 5 outside: lapses; 6 outside, draw too high; 7 outside without passages.
    w = habit_world(8, [0.5, 0.4, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5],
                    commitment=[0.5, 1.0, 0.49, 1.0, 1.0, 1.0, 1.0, 1.0],
                    passages=[0, 0, 0, 2, 0, 1, 1, 0],
                    taking_part=[True] * 5 + [False] * 3)
    gain = [0.03, 0.0, 0.0, 0.0, 0.05, 0.0, 0.0, 0.0]
    lapse = [0.0, 0.0, 0.0, 0.0, 0.0, 0.01, 0.03, 0.0]
    institutionalize(w, p, np.array([gain, lapse]))
    assert w.orgs.passages.tolist() == [1, 0, 0, 2, 0, 0, 1, 0]
    assert w.orgs.floor.tolist() == pytest.approx([0.12, 0, 0, 0.24, 0, 0, 0.12, 0])


# ============================================================================ articulation (M18)
def district_college(n: int = 5) -> SimpleNamespace:
    """Districts 0, 1 and colleges 2, 3, 4; every district-college pair tied at trust 0.6."""
    sector = np.array([Sector.K12, Sector.K12, Sector.COLLEGE, Sector.COLLEGE, Sector.COLLEGE])
    t = pair_state(n)
    t.k12_college[:] = [{sector[a], sector[b]} == {Sector.K12, Sector.COLLEGE}
                        for a, b in zip(t.i, t.j, strict=True)]
    t.tie[:] = t.k12_college
    t.trust[:] = 0.6 * t.k12_college
    return SimpleNamespace(orgs=org_state(n, sector=sector, taking_part=True), ties=t)


@pytest.mark.mechanism("M18")
def test_trusted_district_college_ties_of_partners_taking_part_are_candidates() -> None:
    w = district_college()
    p = rules(institutionalization=dict(articulation_trust=0.5))
    t = w.ties
    t.trust[pair_index(5, 0, 3)] = 0.4  # too little trust
    t.agreement[pair_index(5, 1, 2)] = True  # already has one
    w.orgs.taking_part[4] = False  # college 4 is out
    got = institutions.agreement_candidates(w.orgs, t, p).tolist()
    assert got == [pair_index(5, 0, 2), pair_index(5, 1, 3)]
    assert not institutions.agreement_candidates(
        w.orgs, t, rules(institutionalization=dict(articulation_trust=0.7))).size


@pytest.mark.mechanism("M18")
def test_agreements_need_an_attempt_that_survives_the_faculty_veto() -> None:
    w = district_college()
    p = rules(institutionalization=dict(articulation_rate=0.03, faculty_resistance=0.5,
                                        max_passages=1, passage_floor=0.12),
              trust=dict(articulation_formality=1.0))
    t, orgs = w.ties, w.orgs
    candidates = np.array([pair_index(5, 0, 2), pair_index(5, 0, 3), pair_index(5, 1, 4)],
                          dtype=np.int64)
    # Attempt and survive; no attempt; attempt but vetoed.
    u = np.array([[0.02, 0.04, 0.02], [0.5, 0.9, 0.49]])
    institutions.sign_agreements(orgs, t, candidates, p, u)
    assert np.flatnonzero(t.agreement).tolist() == [pair_index(5, 0, 2)]
    assert t.base_formality[pair_index(5, 0, 2)] == 1.0
    assert orgs.passages.tolist() == [1, 0, 1, 0, 0]
    assert orgs.floor.tolist() == pytest.approx([0.12, 0, 0.12, 0, 0])
    # A second agreement at district 0 finds its passages at the most.
    institutions.sign_agreements(orgs, t, candidates[1:2], p, np.array([[0.0], [0.9]]))
    assert t.agreement[pair_index(5, 0, 3)]
    assert orgs.passages.tolist() == [1, 0, 1, 1, 0]


@pytest.mark.mechanism("M18")
def test_only_tied_pairs_sign_agreements_even_without_a_trust_bar() -> None:
    w = district_college()
    w.ties.tie[:] = False
    w.ties.trust[:] = 0.0
    p = rules(institutionalization=dict(articulation_trust=0.0))
    assert not institutions.agreement_candidates(w.orgs, w.ties, p).size


def test_signing_draws_two_uniforms_per_candidate_and_none_without_candidates() -> None:
    for trust_bar, expect_draws in ((0.0, True), (1.0, False)):
        model = small_model(6, 10, institutionalization=dict(articulation_trust=trust_bar))
        t, orgs = model.partnerships, model.organizations
        t.trust[:] = np.where(t.tie, 0.5, 0.0)
        orgs.taking_part[:] = True
        n_candidates = len(institutions.agreement_candidates(orgs, t, model.rules))
        expected = copy.deepcopy(model.rng)
        if expect_draws:
            assert n_candidates > 0
            expected.random((2, n_candidates))
        else:
            assert n_candidates == 0
        t.sign_agreements(orgs, model.rules, model.rng)
        assert model.rng.bit_generator.state == expected.bit_generator.state


# ============================================================================ the stocks
@pytest.mark.mechanism("M9")
def test_system_level_coaching_is_stronger_where_prior_infrastructure_is_thin() -> None:
    def coaching(ta: bool, infrastructure: float, supply: float = 1.0) -> float:
        return institutions.system_ta(ta, supply, rules(
            grant=dict(ta_system_share=0.2, ta_experience_offset=2.0),
            region=dict(prior_infrastructure=infrastructure)))

    assert coaching(False, 0.1) == 0.0
    assert coaching(True, 0.1) == pytest.approx(0.2 * 1.9)
    assert coaching(True, 0.0) > coaching(True, 0.5) > coaching(True, 1.0) > 0.0
    # A state pool that can give only part of the coaching asked for gives that part.
    assert coaching(True, 0.1, supply=0.25) == pytest.approx(0.25 * 0.2 * 1.9)
    assert coaching(True, 0.1, supply=0.0) == 0.0


@pytest.mark.mechanism("M9", "M13", "M14")
def test_systems_effort_is_the_then_share_plus_linked_wins_raised_by_coaching() -> None:
    plain = rules(grant=dict(linked_wins=False))
    linked = rules(grant=dict(linked_wins=True, linked_wins_share=0.5))
    assert institutions.systems_effort(0.7, 0.5, 0.0, plain) == pytest.approx(0.15)
    assert institutions.systems_effort(0.7, 0.5, 0.0, linked) == pytest.approx(0.325)
    assert institutions.systems_effort(0.7, 0.5, 0.5, plain) == pytest.approx(0.225)
    assert institutions.systems_effort(0.7, 0.0, 1.0, linked) == 0.0  # no activity
    assert institutions.systems_effort(0.0, 1.0, 3.0, plain) == 1.0  # at most 1


@pytest.mark.mechanism("M2")
def test_shared_vision_grows_at_well_attended_convenings_on_systems_work() -> None:
    ih = rules(institutionalization=dict(vision_growth=0.04, vision_decay=0.01)
               ).institutionalization

    def vision(level: float = 0.3, convening: float = 1.0, attendance: float = 0.8,
               now: float = 0.3, coaching: float = 0.0) -> float:
        return institutions.shared_vision(level, convening, attendance, now, coaching, ih)

    assert vision() == pytest.approx(0.3 + 0.04 * 0.8 * 0.7 * 0.7 - 0.003)
    assert vision(coaching=1.0) > vision() > 0.3
    assert vision(convening=0.0) == pytest.approx(0.297)  # without convenings it decays
    assert vision(attendance=0.0) == vision(now=1.0) == vision(convening=0.0)
    assert vision(attendance=0.4) < vision()


@pytest.mark.mechanism("M20")
def test_data_alignment_is_built_by_reporting_and_habits_with_coordination() -> None:
    ih = rules(institutionalization=dict(data_growth=0.01, data_decay=0.01)).institutionalization
    assert institutions.data_alignment(0.5, True, 0.0, 1.0, ih) == pytest.approx(0.5)
    assert (institutions.data_alignment(0.2, True, 0.5, 1.0, ih)
            > institutions.data_alignment(0.2, True, 0.0, 1.0, ih)
            > institutions.data_alignment(0.2, False, 0.0, 1.0, ih))
    assert institutions.data_alignment(0.2, True, 1.0, 0.0, ih) == pytest.approx(0.198)


@pytest.mark.mechanism("M2", "M20")
def test_shared_vision_and_data_stay_in_range_at_parameter_extremes() -> None:
    ih = rules(institutionalization=dict(vision_growth=1.0, data_growth=1.0, vision_decay=0.0,
                                         data_decay=0.0)).institutionalization
    grid = np.linspace(0.0, 1.0, 6)
    vision = [institutions.shared_vision(level, 1.0, 1.0, 0.0, coaching, ih)
              for level in grid for coaching in (0.0, 0.38, 4.9)]
    data = [institutions.data_alignment(level, True, habits, 1.0, ih) for level in grid
            for habits in (0.0, 1.0)]
    assert in_unit(vision) and in_unit(data)


@pytest.mark.mechanism("M2", "M20")
def test_shared_vision_and_data_stay_in_range_at_moderate_growth() -> None:
    rng = np.random.default_rng(9)
    ih = rules(institutionalization=dict(vision_growth=0.3, data_growth=0.3)
               ).institutionalization
    vision = data = 0.0
    for _ in range(500):
        vision = institutions.shared_vision(vision, rng.random(), rng.random(), rng.random(),
                                            rng.random() * 2.0, ih)
        data = institutions.data_alignment(data, bool(rng.random() < 0.5), rng.random(),
                                           rng.random(), ih)
        assert 0.0 <= vision <= 1.0 and 0.0 <= data <= 1.0


@pytest.mark.mechanism("M12", "M28")
def test_urgency_and_advising_employers_frame_the_region_program_delivery_unframes_it() -> None:
    p = rules(region=dict(urgency=0.4), framing=dict(rate=0.1, urgency_pull=0.5,
                                                     employer_pull=1.0, program_push=2.0))
    # up = 0.5*0.4 + 1*0.3 = 0.5; F + 0.1*(0.5*0.8 - 2*0.5*0.2) = 0.2 + 0.1*0.2
    assert institutions.framing_step(0.2, 0.3, 0.5, p) == pytest.approx(0.22)
    assert (institutions.framing_step(0.2, 0.6, 0.5, p) > 0.22
            > institutions.framing_step(0.2, 0.3, 0.9, p))
    assert institutions.framing_step(0.2, 0.0, 0.0, rules(region=dict(urgency=0.0))) == 0.2
    steady = 0.5 / (0.5 + 2.0 * 0.5)  # up*(1 - F) = push*now*F
    assert institutions.framing_step(steady, 0.3, 0.5, p) == pytest.approx(steady)


@pytest.mark.mechanism("M12")
def test_the_framing_stays_in_range_at_parameter_extremes() -> None:
    p = rules(region=dict(urgency=1.0), framing=dict(rate=1.0, urgency_pull=5.0,
                                                     employer_pull=5.0, program_push=5.0))
    values = [institutions.framing_step(f, e, now, p) for f in np.linspace(0.0, 1.0, 6)
              for e in (0.0, 0.5, 1.0) for now in (0.0, 0.5, 1.0)]
    assert in_unit(values)


@pytest.mark.mechanism("M20")
def test_reporting_builds_data_only_while_a_funded_grant_runs() -> None:
    growth = dict(institutionalization=dict(data_growth=0.5, data_decay=0.0))
    for award, month, grows in ((15.0, 10, True), (15.0, 60, False), (0.0, 10, False)):
        model = small_model(1, 0, grant=dict(award_musd=award), **growth)
        c = model.consortium
        c.read_schedule(month)
        c.habits, c.coordination, c.data = 0.0, 1.0, 0.2
        c.grow_vision_and_data(model.rules)
        assert (c.data > 0.2) == grows, (award, month)
