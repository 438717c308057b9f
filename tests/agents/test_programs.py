"""Collaborative activity, visible wins and local pathway programs (agents/programs.pyx,
agents/consortium.py; M5, M13-M15; SF2, SF36)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from conftest import FamilyContract, World, in_unit, org_state, scenario, small_model

from agents import programs
from agents.codes import Phase, Sector
from agents.params import Params


def rules(**sections: dict) -> Params:
    return Params(scenario(**sections))


# ============================================================================ the contract
@pytest.mark.mechanism("M5", "M9", "M13", "M14", "M15", "M22")
class TestActivityAndProgramsContract(FamilyContract):
    """The consortium acts (activity, wins, process), local programs run, and the
    consortium tells its story."""

    sections = ("institutionalization", "commitment")

    def apply(self, world: World, u: object) -> None:
        world.consortium.act(world.orgs, world.rules)
        world.orgs.run_programs(world.funding, world.consortium, world.rules)
        world.consortium.tell_the_story(world.rules)

    def check_bounds(self, world: World) -> None:
        o, c = world.orgs, world.consortium
        assert in_unit(o.program) and (o.program[o.local == 0.0] == 0.0).all()
        for x in (c.activity, c.wins, c.process, c.narrative):
            assert 0.0 <= x <= 1.0
        # Wins and process gains share the activity, and at most all process gains count.
        assert np.isfinite(c.recent_wins).all() and (c.recent_wins >= 0).all()
        assert (c.recent_wins <= 1.0 + 1e-12).all()

    def check_invariants(self, before: World, after: World, u: object) -> None:
        c, p = after.consortium, after.rules
        capacity = programs.operating_capacity(c.coordination, c.convening, p)
        assert c.activity <= capacity + 1e-12
        assert c.wins + c.process <= c.activity + 1e-12
        if c.phase == Phase.PLANNING:
            assert c.wins == 0.0
        slot = c.month % len(c.recent_wins)
        told = before.consortium.narrative  # the month's wins are narrated before it moves
        assert c.recent_wins[slot] == c.wins + told * c.process
        assert c.narrative == programs.narrative_strength(told, c.coordination, c.coaching,
                                                          p.commitment)
        others = np.arange(len(c.recent_wins)) != slot
        assert np.array_equal(c.recent_wins[others], before.consortium.recent_wins[others])


# ============================================================================ activity
def present(*sizes: int) -> list[tuple[int, int]]:
    return [(sector, size) for sector, size in enumerate(sizes) if size]


@pytest.mark.mechanism("M5")
def test_activity_follows_the_least_engaged_sector() -> None:
    p = rules(commitment=dict(weakest_link_rho=-2.0))
    sizes = present(4, 2, 5)
    assert programs.weakest_link(np.array([2.0, 1.0, 2.5, 0.0]), sizes, p) == pytest.approx(0.5)
    mixed = programs.weakest_link(np.array([4.0, 1.0, 0.5, 0.0]), sizes, p)
    assert 0.1 < mixed < (1.0 + 0.5 + 0.1) / 3  # below the mean, above the minimum
    # One sector not engaged at all holds everything back.
    assert programs.weakest_link(np.array([4.0, 2.0, 0.0, 0.0]), sizes, p) < 1e-5
    # More negative exponents lean harder on the weakest sector.
    levels = np.array([4.0, 1.0, 0.5, 0.0])
    by_rho = [programs.weakest_link(levels, sizes, rules(commitment=dict(weakest_link_rho=r)))
              for r in (-0.1, -1.0, -5.0, -20.0)]
    assert (np.diff(by_rho) < 0).all() and by_rho[-1] == pytest.approx(0.1, rel=0.1)
    # rho = -1: the harmonic mean.
    harmonic = rules(commitment=dict(weakest_link_rho=-1.0))
    assert programs.weakest_link(np.array([2.0, 1.0, 0.0, 0.0]), present(4, 4), harmonic) == (
        pytest.approx(2.0 / (1 / 0.5 + 1 / 0.25)))


@pytest.mark.mechanism("M11", "M21")
def test_operating_capacity_weighs_coordination_against_convening() -> None:
    p = rules(commitment=dict(coordination_weight=0.25))
    assert programs.operating_capacity(1.0, 0.0, p) == 0.25
    assert programs.operating_capacity(0.0, 1.0, p) == 0.75
    assert programs.operating_capacity(0.4, 0.8, p) == pytest.approx(0.7)


@pytest.mark.mechanism("M30")
def test_the_table_s_fit_scales_activity() -> None:
    p = rules(recruitment=dict(fit_activity=0.5))
    assert programs.table_fit(0.0, p) == 1.0  # the region's mean fit at the table
    assert programs.table_fit(-0.2, p) == pytest.approx(0.9)
    assert programs.table_fit(0.25, p) == pytest.approx(1.125)
    assert programs.table_fit(-0.6, rules(recruitment=dict(fit_activity=2.0))) == 0.0


@pytest.mark.mechanism("M14")
def test_effort_splits_into_visible_wins_and_less_visible_process() -> None:
    p = rules(commitment=dict(wins_money_dependence=0.5))
    assert programs.wins_and_process(0.8, 0.7, 1.0, p) == pytest.approx((0.56, 0.24))
    assert programs.wins_and_process(0.8, 0.7, 0.0, p) == pytest.approx((0.28, 0.24))
    assert programs.wins_and_process(0.0, 0.7, 1.0, p) == (0.0, 0.0)
    independent = rules(commitment=dict(wins_money_dependence=0.0))
    assert programs.wins_and_process(0.8, 0.7, 0.0, independent) == pytest.approx((0.56, 0.24))


@pytest.mark.mechanism("M5", "M14", "M15")
def test_the_consortium_acts_and_remembers_its_wins() -> None:
    model = small_model(1, 0, grant=dict(planning_months=6))
    c, orgs = model.consortium, model.organizations
    orgs.engaged[:] = np.bincount(orgs.sector, minlength=4)  # everybody fully engaged
    c.coordination = c.convening = 1.0
    c.read_schedule(3)  # a planning month: nothing visible yet
    c.act(orgs, model.rules)
    assert c.activity == pytest.approx(1.0) and c.now == 0.0 and c.wins == 0.0
    assert c.process == pytest.approx(1.0)
    narrative = c.narrative
    assert narrative == model.rules.commitment.narrative  # the stock starts at its parameter
    assert c.recent_wins[3] == pytest.approx(narrative)
    c.read_schedule(7)
    c.act(orgs, model.rules)
    assert c.now == c.now_share and c.wins > 0.0
    assert c.recent_wins[7] == pytest.approx(c.wins + narrative * c.process)


@pytest.mark.mechanism("M15", "M9")
def test_communication_and_coaching_build_the_narrative_and_it_fades_without_them() -> None:
    p = rules(commitment=dict(narrative_growth=0.02, narrative_decay=0.01)).commitment
    # n + g*(coordination + coaching)*(1 - n) - d*n, analytically.
    assert programs.narrative_strength(0.3, 0.6, 0.4, p) == pytest.approx(
        0.3 + 0.02 * 1.0 * 0.7 - 0.01 * 0.3)
    assert programs.narrative_strength(0.3, 0.6, 0.0, p) < programs.narrative_strength(
        0.3, 0.6, 0.4, p)  # system-level coaching helps tell the story
    assert programs.narrative_strength(0.3, 0.0, 0.0, p) == pytest.approx(0.3 * 0.99)
    # Held at its balance g*x/(g*x + d) with steady communication x, and within 0-1.
    n = 0.0
    for _ in range(2000):
        n = programs.narrative_strength(n, 1.0, 0.0, p)
    assert n == pytest.approx(0.02 / 0.03)
    fast = rules(commitment=dict(narrative_growth=1.0, narrative_decay=0.0)).commitment
    assert programs.narrative_strength(0.5, 1.0, 2.0, fast) == 1.0
    assert programs.narrative_strength(0.0, 0.0, 0.0, p) == 0.0


# ============================================================================ programs (SF2)
def program_world(n: int, program: object, **orgs: object) -> SimpleNamespace:
    """Districts and colleges whose people fully see CTE as core (M27), unless told."""
    values = dict(local=1.0, program=program, mindset=1.0)
    values.update(orgs)
    o = org_state(n, **values)
    return SimpleNamespace(orgs=o, funding=SimpleNamespace(receipt=np.zeros(n)),
                           consortium=SimpleNamespace(local_money=0.0, now=0.0, activity=0.0,
                                                      ta=0.0))


def run(w: SimpleNamespace, **sections: dict) -> np.ndarray:
    params = rules(institutionalization=dict(program_growth=0.1, program_decay=0.05,
                                             program_ta_push=0.3,
                                             program_money_support=0.5,
                                             program_contribution_support=0.5),
                   **sections)
    programs.run_programs(w.orgs, w.funding, w.consortium, params)
    return w.orgs.program


@pytest.mark.mechanism("M13", "M14")
def test_programs_grow_with_push_and_decay_without_support() -> None:
    rng = np.random.default_rng(0)
    prog = rng.uniform(0.05, 0.95, 200)
    assert (run(program_world(200, prog)) < prog).all()  # no push, no support: decays
    assert run(program_world(200, prog)) == pytest.approx(prog * 0.95)
    w = program_world(200, prog)
    w.consortium.now, w.consortium.activity = 1.0, 1.0  # quick-win effort pushes
    assert run(w) == pytest.approx(prog + 0.1 * (1.0 - prog) - 0.05 * prog)
    held = program_world(200, prog, habit=1.0)  # habits hold them up
    assert np.array_equal(run(held), prog)


@pytest.mark.mechanism("M9", "M22")
def test_money_assistance_and_contributions_push_or_support_programs() -> None:
    prog = np.full(4, 0.5)
    # Program TA is the share 1 - ta_system_share of the month's TA (M9): all of it, half
    # of it (half the TA providers take part), or none when all TA is system coaching.
    for ta, system, push in ((1.0, 0.2, 0.3 * 0.8), (0.5, 0.2, 0.3 * 0.8 * 0.5),
                             (1.0, 1.0, 0.0)):
        w = program_world(4, prog.copy())
        w.consortium.ta = ta
        assert run(w, grant=dict(ta_system_share=system)) == pytest.approx(
            [0.5 + 0.1 * push * 0.5 - 0.05 * 0.5] * 4)
    w = program_world(4, prog, contribution=[0.0, 0.1, 0.0, 0.1])
    out = run(w)
    assert out[1] == out[3] == pytest.approx(0.5 - 0.05 * 0.5 * 0.5) and out[0] < out[1]
    w = program_world(4, prog)
    w.consortium.local_money = 1.0
    w.funding.receipt[:] = [0.0, 0.2, 0.6, 1.0]
    out = run(w)
    assert out[0] < out[1] < out[2] < out[3]


def test_only_districts_and_colleges_run_programs() -> None:
    w = program_world(4, 0.5, local=[1.0, 1.0, 0.0, 0.0])
    w.consortium.now, w.consortium.activity = 1.0, 1.0
    out = run(w)
    assert out[0] > 0.5 and out[1] > 0.5 and out[2] == out[3] == 0.0
    orgs = small_model(0, 0).organizations
    local = (orgs.sector == Sector.K12) | (orgs.sector == Sector.COLLEGE)
    assert np.array_equal(orgs.local, local.astype(float))


# ======================================================================= the lead's orientation
@pytest.mark.mechanism("M13", "M14")
def test_the_effort_split_follows_the_orientation_between_its_two_ends() -> None:
    p = rules(grant=dict(now_share=0.7), region=dict(systems_now_share=0.35))
    assert programs.now_share(0.0, p) == pytest.approx(0.7)
    assert programs.now_share(1.0, p) == pytest.approx(0.35)
    assert programs.now_share(0.5, p) == pytest.approx(0.525)


@pytest.mark.mechanism("M6", "M13")
def test_a_leaders_orientation_is_drawn_around_the_mean_and_clipped() -> None:
    p = rules(region=dict(orientation_mean=0.3), orientation=dict(spread=0.2))
    assert programs.leader_orientation(0.0, p) == pytest.approx(0.3)
    assert programs.leader_orientation(1.0, p) == pytest.approx(0.5)
    assert programs.leader_orientation(-5.0, p) == 0.0
    assert programs.leader_orientation(5.0, p) == 1.0


@pytest.mark.mechanism("M9", "M13", "M14", "M15")
def test_coaching_and_process_build_a_systems_orientation_money_and_impatience_erode_it() -> None:
    p = rules(orientation=dict(rate=0.1, ta_pull=1.0, process_pull=1.0, conditioning=0.5,
                               impatience_push=1.0))

    def step(o: float = 0.4, coaching: float = 0.0, narrated: float = 0.0,
             state: float = 0.0, impatient: float = 0.0) -> float:
        return programs.orientation_step(o, coaching, narrated, state, impatient, p)

    assert step() == 0.4  # no pull, no change
    assert step(coaching=0.5) == pytest.approx(0.4 + 0.1 * 0.5 * 0.6)  # builds
    assert step(narrated=0.3) > 0.4
    assert step(state=1.0) == pytest.approx(0.4 - 0.1 * 0.5 * 0.4)  # erodes
    assert step(impatient=0.5) < 0.4
    assert step(coaching=1.0, state=1.0) == pytest.approx(0.4 + 0.1 * (0.6 - 0.2))
    # The stable orientation balances the pulls: up / (up + down).
    o = 0.0
    for _ in range(2000):
        o = step(o, coaching=0.3, state=1.0)
    assert o == pytest.approx(0.3 / (0.3 + 0.5), abs=1e-6)
    for extreme in (0.0, 1.0):
        assert 0.0 <= step(extreme, 5.0, 5.0, 1.0, 1.0) <= 1.0


@pytest.mark.mechanism("M14", "M28")
def test_partners_run_out_of_patience_without_visible_value_and_urgency_hastens_it() -> None:
    model = small_model(1, 0, orientation=dict(patience_months=6.0, patience_threshold=0.2,
                                               urgency_impatience=0.5),
                        region=dict(urgency=0.0))
    orgs, ladder, c = model.organizations, model.employers, model.consortium
    c.recent_wins[:] = 0.0
    for _ in range(6):
        orgs.wait_for_value(ladder, c, model.rules)
    assert not orgs.impatient.any() and (orgs.waiting == 6).all()
    orgs.wait_for_value(ladder, c, model.rules)
    assert orgs.impatient.all()
    c.recent_wins[:] = 1.0  # visible value resets the count for those who value it
    orgs.wait_for_value(ladder, c, model.rules)
    valued = orgs.wins_benefit + ladder.roi >= 0.2
    assert not orgs.impatient[valued].any() and orgs.impatient[~valued].all()
    urgent = small_model(1, 0, orientation=dict(patience_months=6.0, urgency_impatience=0.5),
                         region=dict(urgency=1.0))
    urgent.consortium.recent_wins[:] = 0.0
    for _ in range(4):
        urgent.organizations.wait_for_value(urgent.employers, urgent.consortium, urgent.rules)
    assert urgent.organizations.impatient.all()  # patience 3 months under full urgency
