"""The employer engagement ladder (agents/employers.pyx, agents/ladder.py; M8, M16, M17, M28)."""

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

from agents import employers
from agents.codes import Rung, Sector
from agents.params import Params

NO_DRAW = (1.0, 1.0, 1.0, 1.0)  # no contact, no climb, no scare, no slip
CLIMB = (1.0, 0.0, 1.0, 1.0)  # no contact, a certain climb


def rules(region: dict | None = None, **values: object) -> Params:
    return Params(scenario(employers=values, region=region or {}))


# ============================================================================ the contract
@pytest.mark.mechanism("M8", "M16", "M17", "M28")
class TestLadderContract(DrawingFamilyContract):
    """A month on the ladder for every employer."""

    sections = ("employers",)

    def draws(self, world: World, rng: np.random.Generator) -> np.ndarray:
        return rng.random((4, world.orgs.n))

    def apply(self, world: World, u: np.ndarray) -> None:
        employers.climb(world.ladder, world.orgs, world.ties, world.consortium, world.rules, u)

    def check_bounds(self, world: World) -> None:
        lad = world.ladder
        assert lad.rung.dtype == np.int64
        assert ((lad.rung >= Rung.NONE) & (lad.rung <= Rung.CHAMPION)).all()
        assert in_unit(lad.roi) and in_unit(lad.burnout) and in_unit(world.orgs.commitment)

    def check_invariants(self, before: World, after: World, u: np.ndarray) -> None:
        bl, al, bo, ao = before.ladder, after.ladder, before.orgs, after.orgs
        other = ~bl.is_employer
        for name in ("rung", "roi", "burnout"):
            assert np.array_equal(getattr(al, name)[other], getattr(bl, name)[other]), name
        assert np.array_equal(ao.taking_part[other], bo.taking_part[other])
        step = al.rung - bl.rung
        assert ((np.abs(step) <= 1) | (al.rung == Rung.NONE)).all()
        assert not (ao.taking_part & ~bo.taking_part).any()  # the ladder recruits nobody
        left = bo.taking_part & ~ao.taking_part
        keep = after.rules.employers.exit_commitment_keep
        assert np.array_equal(ao.commitment[left], keep * bo.commitment[left])
        assert np.array_equal(ao.commitment[~left], bo.commitment[~left])
        outside = ~bo.taking_part
        assert (al.rung[outside] <= bl.rung[outside]).all()  # no climbing from outside


# ============================================================================ hand-built ladders
def ladder(count: int, rung: int, roi: float, trust: float, part: bool = True,
           burnout: float = 0.0, difficulty: float = 0.0, brokered: float = 0.0,
           activity: float = 0.5, now: float = 0.7) -> SimpleNamespace:
    """``count`` employers, each tied to one convener (the last organization) at ``trust``.

    ``brokered`` is the brokering each employer gets this month (M8).
    """
    n = count + 1
    pairs = pair_state(n)
    conveners = np.array([pair_index(n, employer, count) for employer in range(count)],
                         dtype=np.int64)
    pairs.trust[conveners] = trust
    pairs.tie[conveners] = True
    employer = np.arange(n) < count
    return SimpleNamespace(
        ladder=SimpleNamespace(is_employer=employer,
                               rung=np.where(employer, rung, 0).astype(np.int64),
                               roi=np.where(employer, roi, 0.0),
                               burnout=np.where(employer, burnout, 0.0),
                               difficulty=np.where(employer, difficulty, 0.0),
                               brokered=np.where(employer, brokered, 0.0),
                               convener_pairs=conveners,
                               convener_employer=np.arange(count, dtype=np.int64),
                               convener=np.full(count, count, dtype=np.int64)),
        orgs=org_state(n, taking_part=np.where(employer, part, True), commitment=0.8),
        ties=pairs, consortium=SimpleNamespace(activity=activity, now=now, welcome=1.0,
                                               framing=0.0))


def climb(w: SimpleNamespace, params: Params, u: tuple[float, ...] = NO_DRAW) -> SimpleNamespace:
    w = copy.deepcopy(w)
    n = len(w.ladder.rung)
    employers.climb(w.ladder, w.orgs, w.ties, w.consortium, params,
                    np.array([np.full(n, x) for x in u]))
    return w


def rungs(w: SimpleNamespace) -> list[int]:
    return w.ladder.rung[w.ladder.is_employer].tolist()


@pytest.mark.mechanism("M8", "M16")
def test_employers_climb_only_with_trust_in_a_convener_and_a_return() -> None:
    p = rules(trust_per_stage=0.1, roi_per_stage=0.1, step_rate=0.5)
    # The next rung (3) needs trust 0.3 and return 0.3 (after this month's decay).
    assert rungs(climb(ladder(3, 2, roi=0.5, trust=0.5), p, CLIMB)) == [3, 3, 3]
    assert rungs(climb(ladder(3, 2, roi=0.5, trust=0.25), p, CLIMB)) == [2, 2, 2]
    assert rungs(climb(ladder(3, 2, roi=0.3, trust=0.5), p, CLIMB)) == [2, 2, 2]
    assert rungs(climb(ladder(3, 2, roi=0.5, trust=0.5, part=False), p, CLIMB)) == [2, 2, 2]
    assert rungs(climb(ladder(3, 2, roi=0.5, trust=0.5), p, NO_DRAW)) == [2, 2, 2]
    # Even a certain draw cannot lift an employer past champion.
    free = rules(trust_per_stage=0.0, roi_per_stage=0.0, step_rate=1.0)
    assert rungs(climb(ladder(3, Rung.CHAMPION, roi=1.0, trust=1.0), free, CLIMB)) == [6, 6, 6]


@pytest.mark.mechanism("M8")
def test_only_trust_in_a_convener_counts_and_the_best_one_does() -> None:
    p = rules(trust_per_stage=0.1, roi_per_stage=0.0, step_rate=1.0)
    w = ladder(2, 2, roi=0.5, trust=0.0)
    peer = pair_index(3, 0, 1)  # a trusted tie between the two employers
    w.ties.tie[peer], w.ties.trust[peer] = True, 1.0
    assert rungs(climb(w, p, CLIMB)) == [2, 2]
    # Two conveners for employer 0: the better trust decides.
    w = ladder(2, 2, roi=0.5, trust=0.1)
    w.ties.tie[peer], w.ties.trust[peer] = True, 1.0
    w.ladder.convener_pairs = np.append(w.ladder.convener_pairs, peer)
    w.ladder.convener_employer = np.append(w.ladder.convener_employer, 0)
    assert rungs(climb(w, p, CLIMB)) == [3, 2]


@pytest.mark.mechanism("M8")
def test_brokering_speeds_the_climb_in_proportion_to_its_strength() -> None:
    p = Params(scenario(employers=dict(trust_per_stage=0.0, roi_per_stage=0.0, step_rate=0.5),
                        intermediaries=dict(brokering_gain=1.0)))
    # The chance is step_rate x (1 + brokering_gain x brokered): 0.5, 0.7, 1.0.
    for brokered, climbs in ((0.0, False), (0.4, False), (0.5, True), (1.0, True)):
        w = climb(ladder(2, 1, roi=1.0, trust=1.0, brokered=brokered), p, (1.0, 0.7, 1.0, 1.0))
        assert rungs(w) == [2 if climbs else 1] * 2, brokered
    # Without its gain, brokering does not move the climb; nor without trust and a return.
    flat = Params(scenario(employers=dict(trust_per_stage=0.0, roi_per_stage=0.0, step_rate=0.5),
                           intermediaries=dict(brokering_gain=0.0)))
    assert rungs(climb(ladder(2, 1, 1.0, 1.0, brokered=1.0), flat, (1.0, 0.7, 1.0, 1.0))) == [1, 1]
    bar = Params(scenario(employers=dict(trust_per_stage=0.2, step_rate=0.5),
                          intermediaries=dict(brokering_gain=5.0)))
    assert rungs(climb(ladder(2, 1, 1.0, 0.1, brokered=1.0), bar, CLIMB)) == [1, 1]


@pytest.mark.mechanism("M17")
def test_sector_barriers_slow_the_climb_into_work_based_learning_only() -> None:
    p = rules(trust_per_stage=0.0, roi_per_stage=0.0, step_rate=0.5)
    u = (1.0, 0.3, 1.0, 1.0)
    assert rungs(climb(ladder(2, Rung.ADVISOR, 1.0, 1.0), p, u)) == [4, 4]
    assert rungs(climb(ladder(2, Rung.ADVISOR, 1.0, 1.0, difficulty=0.5), p, u)) == [3, 3]
    assert rungs(climb(ladder(2, Rung.SPEAKER, 1.0, 1.0, difficulty=0.5), p, u)) == [3, 3]


@pytest.mark.mechanism("M16", "M28")
def test_meeting_students_raises_the_return_more_under_urgency() -> None:
    p = rules(dict(urgency=0.4), contact_rate=1.0, roi_decay=0.0, contact_roi_gain=0.08,
              urgency_gain=1.0)
    met = climb(ladder(2, 1, roi=0.2, trust=0.0, activity=1.0), p, (0.0, 1.0, 1.0, 1.0))
    unmet = climb(ladder(2, 1, roi=0.2, trust=0.0, activity=1.0), p, NO_DRAW)
    assert met.ladder.roi[:2] == pytest.approx([0.2 + 0.08 * 1.4 * 0.8] * 2)
    assert unmet.ladder.roi[:2].tolist() == [0.2, 0.2]
    urgent = rules(dict(urgency=1.0), contact_rate=1.0, roi_decay=0.0)
    more = climb(ladder(2, 1, roi=0.2, trust=0.0, activity=1.0), urgent, (0.0, 1.0, 1.0, 1.0))
    assert (more.ladder.roi[:2] > met.ladder.roi[:2]).all()
    # Past the advisor rung employers no longer meet students as such.
    high = climb(ladder(2, Rung.JOB_SHADOW, roi=0.2, trust=0.0, activity=1.0), p,
                 (0.0, 1.0, 1.0, 1.0))
    assert high.ladder.roi[:2].tolist() == [0.2, 0.2]
    decay = rules(roi_decay=0.1)
    assert climb(ladder(1, 1, roi=0.5, trust=0.0), decay).ladder.roi[0] == pytest.approx(0.45)


@pytest.mark.mechanism("M12", "M16")
def test_a_region_framed_around_its_economy_multiplies_the_return_from_meeting_students() -> None:
    def framed(gain: float) -> Params:
        return Params(scenario(employers=dict(contact_rate=1.0, roi_decay=0.0,
                                              contact_roi_gain=0.08, urgency_gain=1.0),
                               region=dict(urgency=0.4), framing=dict(return_gain=gain)))

    assert employers.framing_gain(0.5, framed(1.0)) == pytest.approx(1.5)
    assert employers.framing_gain(0.5, framed(0.0)) == employers.framing_gain(0.0, framed(1.0))
    w = ladder(2, 1, roi=0.2, trust=0.0, activity=1.0)
    w.consortium.framing = 0.5
    met = climb(w, framed(1.0), (0.0, 1.0, 1.0, 1.0))
    assert met.ladder.roi[:2] == pytest.approx([0.2 + 0.08 * 1.4 * 1.5 * 0.8] * 2)
    plain = climb(w, framed(0.0), (0.0, 1.0, 1.0, 1.0))
    assert plain.ladder.roi[:2] == pytest.approx([0.2 + 0.08 * 1.4 * 0.8] * 2)
    # Without contact the framing adds nothing.
    assert climb(w, framed(1.0), NO_DRAW).ladder.roi[:2].tolist() == [0.2, 0.2]


@pytest.mark.mechanism("M12")
def test_the_advisors_share_counts_employers_taking_part_from_the_advisor_rung() -> None:
    model = small_model(4, 0)
    lad, part = model.employers, model.organizations.taking_part
    emp = lad.employers
    lad.rung[emp] = [0, 1, 2, 3, 4, 5, 6, 3]
    part[:] = True
    part[emp[4]] = False
    assert lad.advisors_share(part) == 4 / len(emp)  # rungs 3, 5, 6, 3
    none = small_model(4, 0, region=dict(n_employers=0))
    assert none.employers.advisors_share(none.organizations.taking_part) == 0.0


@pytest.mark.mechanism("M16", "M28")
def test_the_return_stays_in_range_under_the_strongest_contact() -> None:
    """Gain 1, urgency 1 times 5: one contact would triple the room to grow."""
    p = rules(dict(urgency=1.0), contact_rate=1.0, contact_roi_gain=1.0, urgency_gain=5.0,
              roi_decay=0.0)
    for roi in (0.0, 0.5, 0.99):
        w = climb(ladder(1, 1, roi=roi, trust=0.0, activity=1.0), p, (0.0, 1.0, 1.0, 1.0))
        assert w.ladder.roi[0] == 1.0


@pytest.mark.mechanism("M16")
def test_transactional_asks_scare_employers_off_only_when_enabled() -> None:
    u = (1.0, 1.0, 0.0, 1.0)
    base = ladder(4, Rung.SPEAKER, roi=0.0, trust=0.0, activity=1.0, now=1.0)
    off = climb(base, rules(transactional_asks=False, transactional_dropout=1.0), u)
    on_p = rules(transactional_asks=True, transactional_dropout=1.0, exit_commitment_keep=0.5)
    on = climb(base, on_p, u)
    assert rungs(off) == [2] * 4 and off.orgs.taking_part.all()
    assert rungs(on) == [0] * 4 and not on.orgs.taking_part[:4].any()
    assert on.orgs.commitment[:4].tolist() == [0.4] * 4 and on.orgs.taking_part[4]
    # No quick-win effort, no asks, nobody scared.
    calm = ladder(4, Rung.SPEAKER, roi=0.0, trust=0.0, activity=1.0, now=0.0)
    assert climb(calm, on_p, u).orgs.taking_part.all()
    # Employers hosting work-based learning are past being scared off.
    hosts = ladder(4, Rung.JOB_SHADOW, roi=0.0, trust=0.0, activity=1.0, now=1.0)
    assert climb(hosts, on_p, u).orgs.taking_part.all()


@pytest.mark.mechanism("M8", "M16")
def test_heavy_asks_burn_employers_out_and_a_one_stop_spares_them() -> None:
    p = rules(burnout_rate=0.5, burnout_exit=0.3, ask_rate=1.0, ask_rung_scale=3.0,
              burnout_recovery=0.1, one_stop=0.5)
    busy = climb(ladder(3, Rung.JOB_SHADOW, 0.0, 0.0, activity=1.0, now=1.0), p)
    calm = climb(ladder(3, Rung.JOB_SHADOW, 0.0, 0.0, activity=1.0, now=0.0), p)
    assert not busy.orgs.taking_part[:3].any() and calm.orgs.taking_part.all()
    assert (busy.ladder.burnout[:3] == 1.0).all() and (calm.ladder.burnout == 0.0).all()
    # Asks grow with the rung: 0.2 asks at rung 0 times (1 + rung/3).
    light = rules(burnout_rate=0.1, ask_rate=0.2, burnout_exit=1.0, burnout_recovery=0.0)
    for rung in (1, 3, 6):
        w = climb(ladder(1, rung, 0.0, 0.0, activity=1.0, now=1.0), light)
        assert w.ladder.burnout[0] == pytest.approx(0.1 * 0.2 * (1.0 + rung / 3.0))
    # A one-stop merges duplicate asks as far as the employer's broker is effective (M8).
    for brokered in (1.0, 0.4):
        w = climb(ladder(1, 3, 0.0, 0.0, activity=1.0, now=1.0, brokered=brokered), light)
        assert w.ladder.burnout[0] == pytest.approx(0.1 * 0.2 * 2.0 * (1.0 - 0.5 * brokered))
    recover = climb(ladder(1, 3, 0.0, 0.0, burnout=0.5, activity=1.0, now=0.0),
                    rules(burnout_recovery=0.1))
    assert recover.ladder.burnout[0] == pytest.approx(0.45)


@pytest.mark.mechanism("M16")
def test_employers_slip_down_without_contact_faster_when_the_consortium_is_idle() -> None:
    p = rules(stage_decay=0.5)
    u = (1.0, 1.0, 1.0, 0.2)
    assert rungs(climb(ladder(2, 3, 0.0, 0.0, activity=0.0), p, u)) == [2, 2]
    assert rungs(climb(ladder(2, 3, 0.0, 0.0, activity=0.8), p, u)) == [3, 3]  # 0.2 >= 0.1
    assert rungs(climb(ladder(2, 3, 0.0, 0.0, activity=0.8, part=False), p, u)) == [2, 2]
    assert rungs(climb(ladder(2, 0, 0.0, 0.0, activity=0.0), p, u)) == [0, 0]
    # Meeting students this month keeps an employer on its rung.
    met = climb(ladder(2, 2, 0.0, 0.0, activity=1.0), rules(stage_decay=1.0, contact_rate=1.0),
                (0.0, 1.0, 1.0, 0.0))
    assert rungs(met) == [2, 2]


# ============================================================================ the set
@pytest.mark.mechanism("M8")
def test_the_ladder_knows_each_employer_s_conveners() -> None:
    model = small_model(2, 0)
    lad, orgs, t = model.employers, model.organizations, model.partnerships
    convener = (orgs.sector == Sector.INTERMEDIARY) | (np.arange(orgs.n) == orgs.lead)
    for slot, k in enumerate(lad.convener_pairs):
        a, b, employer = t.i[k], t.j[k], lad.convener_employer[slot]
        assert lad.is_employer[employer] and employer in (a, b)
        assert convener[b if employer == a else a]
    assert len(lad.convener_pairs) == lad.is_employer.sum() * convener.sum()
    ends = np.where(lad.convener_employer == t.i[lad.convener_pairs], t.j[lad.convener_pairs],
                    t.i[lad.convener_pairs])
    assert np.array_equal(lad.convener, ends)
    assert (lad.brokered == 0.0).all()  # nobody is brokered before the first month
    assert (lad.rung[~lad.is_employer] == 0).all() and (lad.difficulty[~lad.is_employer] == 0).all()


@pytest.mark.mechanism("M17", "M34")
def test_a_liability_solution_lowers_manufacturing_s_barrier() -> None:
    plain = small_model(3, 0, region=dict(n_industry_sectors=5, n_employers=40))
    covered = small_model(3, 0, region=dict(n_industry_sectors=5, n_employers=40),
                          employers=dict(liability_solution=True, liability_relief=0.4))
    manufacturing = (plain.organizations.industry == 1) & plain.employers.is_employer
    assert manufacturing.any()
    assert np.allclose(covered.employers.difficulty[manufacturing],
                       0.4 * plain.employers.difficulty[manufacturing])
    assert np.array_equal(covered.employers.difficulty[~manufacturing],
                          plain.employers.difficulty[~manufacturing])


@pytest.mark.mechanism("M16")
def test_engaged_employers_count_from_speaker_and_against_their_pledges() -> None:
    model = small_model(4, 0)
    lad = model.employers
    emp = lad.employers
    lad.rung[emp] = [0, 1, 2, 3, 4, 5, 6, 2]
    lad.pledged_rung[emp] = [2, 2, 2, 2, 5, 5, 5, 5]
    model.organizations.taking_part[:] = True
    model.organizations.taking_part[emp[3]] = False
    model.record.write(0, model)
    assert model.record.series["employers_engaged"][0] == 5  # rungs 2, 4, 5, 6, 2 (D11)
    assert model.record.series["employer_pledges_met"][0] == 3 / len(emp)  # SF16


def test_the_ladder_month_draws_four_uniforms_per_organization_only_with_employers() -> None:
    for n_employers, draws in ((8, True), (0, False)):
        model = small_model(5, 3, region=dict(n_employers=n_employers))
        expected = copy.deepcopy(model.rng)
        if draws:
            expected.random((4, model.n))
        model.employers.climb(model.organizations, model.partnerships, model.consortium,
                              model.rules, model.rng)
        assert model.rng.bit_generator.state == expected.bit_generator.state
