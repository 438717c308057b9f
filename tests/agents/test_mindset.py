"""Mindset about CTE (M27; SF28): drawn low, spread over communities of practice, raised by
exposure, held by resisters, moved by new leaders; it gates program growth and employers'
return (agents/institutions.pyx, agents/leadership.pyx, agents/programs.pyx,
agents/employers.pyx)."""

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
    unit,
)

from agents import employers, institutions, leadership, programs
from agents.params import Params

SECTORS = ("district", "college", "employer", "intermediary")


def rules(**values: object) -> Params:
    return Params(scenario(mindset=values))


# ============================================================================ the contract
@pytest.mark.mechanism("M27")
class TestMindsetContract(FamilyContract):
    """A month of mindset change in every organization, on scrambled mindsets."""

    sections = ("mindset",)

    def world(self, rng: np.random.Generator, params: object = None) -> World:
        world = super().world(rng, params)
        o = world.orgs
        o.mindset[:] = unit(rng, o.n)
        o.resister[:] = rng.random(o.n) < 0.3
        return world

    def apply(self, world: World, u: object) -> None:
        world.notes["mean"] = world.orgs.spread_mindset(world.ties, world.rules)

    def check_bounds(self, world: World) -> None:
        assert in_unit(world.orgs.mindset) and 0.0 <= world.notes["mean"] <= 1.0

    def check_invariants(self, before: World, after: World, u: object) -> None:
        bo, ao = before.orgs, after.orgs
        assert np.array_equal(ao.mindset[bo.resister], bo.mindset[bo.resister])
        schools = ao.taking_part & (ao.local > 0.0)
        expected = ao.mindset[schools].mean() if schools.any() else 0.0
        assert after.notes["mean"] == pytest.approx(expected)
        # Without partners or exposure an organization's mindset stays where it is.
        alone = np.ones(bo.n, dtype=bool)
        t = before.ties
        linked = t.active & bo.taking_part[t.i] & bo.taking_part[t.j]
        alone[t.i[linked]] = alone[t.j[linked]] = False
        still = alone & ~before.meeting.attended & (bo.program == 0.0)
        assert np.array_equal(ao.mindset[still], bo.mindset[still])


# ============================================================================ the rules
@pytest.mark.mechanism("M27")
def test_a_mindset_moves_towards_partners_and_up_with_exposure_unless_a_resister() -> None:
    p = rules(influence_rate=0.1, exposure_rate=0.05).mindset
    assert institutions.mindset_step(0.2, 0.6, 0.0, False, p) == pytest.approx(0.2 + 0.1 * 0.4)
    assert institutions.mindset_step(0.6, 0.2, 0.0, False, p) == pytest.approx(0.6 - 0.1 * 0.4)
    assert institutions.mindset_step(0.2, 0.2, 1.0, False, p) == pytest.approx(0.2 + 0.05 * 0.8)
    both = institutions.mindset_step(0.2, 0.6, 0.5, False, p)
    assert both == pytest.approx(0.2 + 0.1 * 0.4 + 0.05 * 0.5 * 0.8)
    # "People who stick their feet in the mud".
    assert institutions.mindset_step(0.2, 0.9, 1.0, True, p) == 0.2
    # Nothing pulls a mindset down but its partners: no decay, and it stays in 0-1.
    assert institutions.mindset_step(0.7, 0.7, 0.0, False, p) == 0.7
    fast = rules(influence_rate=1.0, exposure_rate=1.0).mindset
    assert institutions.mindset_step(0.9, 1.0, 1.0, False, fast) == 1.0


def schools(n: int, **orgs: object) -> SimpleNamespace:
    """``n`` districts and colleges taking part, no ties, nobody at a meeting."""
    values = dict(local=1.0, taking_part=True)
    values.update(orgs)
    return SimpleNamespace(orgs=org_state(n, **values), ties=pair_state(n),
                           meeting=SimpleNamespace(attended=np.zeros(n, dtype=bool)))


def spread(w: SimpleNamespace, **values: object) -> float:
    return institutions.spread_mindset(w.orgs, w.ties, w.meeting, rules(**values))


@pytest.mark.mechanism("M27")
def test_mindsets_spread_over_active_ties_between_partners_taking_part() -> None:
    w = schools(4, mindset=[0.2, 0.6, 1.0, 0.0])
    for a, b in ((0, 1), (0, 2), (2, 3)):
        w.ties.active[pair_index(4, a, b)] = True
    w.orgs.taking_part[3] = False  # its tie carries no influence either way
    before = w.orgs.mindset.copy()
    mean = spread(w, influence_rate=0.1, exposure_rate=0.0)
    heard = [(0.6 + 1.0) / 2, 0.2, 0.2, 0.0]
    expected = before + 0.1 * (np.array(heard) - before)
    expected[3] = 0.0  # no partner taking part: it hears only itself
    assert w.orgs.mindset == pytest.approx(expected)
    # From last month's mindsets, all at once, and the mean is over schools taking part.
    assert mean == pytest.approx(expected[:3].mean())
    # An inactive tie carries nothing.
    w = schools(2, mindset=[0.2, 0.8])
    assert spread(w, influence_rate=0.5, exposure_rate=0.0) == pytest.approx(0.5)
    assert w.orgs.mindset.tolist() == [0.2, 0.8]


@pytest.mark.mechanism("M27")
def test_convenings_and_programs_expose_organizations_to_pathways() -> None:
    w = schools(3, mindset=0.2, program=[0.0, 0.5, 0.5])
    w.meeting.attended[2] = True
    spread(w, influence_rate=0.0, exposure_rate=0.1)
    assert w.orgs.mindset == pytest.approx([0.2, 0.2 + 0.1 * 0.5 * 0.8, 0.2 + 0.1 * 0.8])
    # No district or college taking part: the mean is 0 and employers get the gate's floor.
    w = schools(2, mindset=0.9, taking_part=False)
    assert spread(w) == 0.0


@pytest.mark.mechanism("M27")
def test_mindsets_are_drawn_low_around_the_mean_and_clipped() -> None:
    p = rules(initial_mean=0.3, initial_spread=0.15)
    z = np.array([-3.0, -1.0, 0.0, 1.0, 6.0])
    assert institutions.drawn_mindsets(z, p).tolist() == pytest.approx(
        [0.0, 0.15, 0.3, 0.45, 1.0])
    assert institutions.drawn_mindset(1.0, p) == pytest.approx(0.45)
    model = small_model(0, 0)
    orgs = model.organizations
    assert in_unit(orgs.mindset) and orgs.resister.dtype == bool
    everyone = small_model(0, 0, mindset=dict(resister_share=1.0)).organizations
    assert everyone.resister.all() and not small_model(
        0, 0, mindset=dict(resister_share=0.0)).organizations.resister.any()


@pytest.mark.mechanism("M6", "M27")
def test_a_new_leader_moves_the_mindset_by_their_share_unless_practice_is_sedimented() -> None:
    p = Params(scenario(mindset=dict(leader_weight=0.3),
                        institutionalization=dict(passage_threshold=0.5)))
    assert leadership.mindset_after_succession(0.6, 0.1, 0.0, p) == pytest.approx(0.45)
    assert leadership.mindset_after_succession(0.2, 0.9, 0.0, p) == pytest.approx(0.41)
    assert leadership.mindset_after_succession(0.6, 0.1, 0.25, p) == pytest.approx(0.525)
    assert leadership.mindset_after_succession(0.6, 0.1, 0.5, p) == 0.6  # habit keeps it
    # In the model: one more draw at each change, the successor's mindset.
    model = small_model(0, 0, mindset=dict(leader_weight=1.0, initial_spread=0.0,
                                           initial_mean=0.3))
    orgs = model.organizations
    orgs.mindset[:] = 0.9
    orgs.habit[:] = 0.0
    orgs.agents[3].change_leader()
    assert orgs.mindset[3] == pytest.approx(0.3) and (np.delete(orgs.mindset, 3) == 0.9).all()


@pytest.mark.mechanism("M27")
def test_the_mindset_gate_lets_work_through_as_far_as_people_see_cte_as_core() -> None:
    assert programs.mindset_gate(0.4, 0.0) == 1.0
    assert programs.mindset_gate(0.4, 1.0) == pytest.approx(0.4)
    assert programs.mindset_gate(0.4, 0.5) == pytest.approx(0.7)
    assert programs.mindset_gate(1.0, 0.5) == 1.0


def program_world(mindset: list[float]) -> SimpleNamespace:
    n = len(mindset)
    return SimpleNamespace(
        orgs=org_state(n, local=1.0, program=0.5, mindset=mindset),
        funding=SimpleNamespace(receipt=np.zeros(n)),
        consortium=SimpleNamespace(local_money=0.0, now=1.0, activity=1.0, ta=0.0))


@pytest.mark.mechanism("M27")
def test_programs_grow_as_far_as_the_organization_s_mindset_lets_them() -> None:
    p = Params(scenario(mindset=dict(program_weight=0.5),
                        institutionalization=dict(program_growth=0.1, program_decay=0.0)))
    w = program_world([0.0, 0.5, 1.0])
    programs.run_programs(w.orgs, w.funding, w.consortium, p)
    gate = np.array([0.5, 0.75, 1.0])
    assert w.orgs.program == pytest.approx(0.5 + 0.1 * gate * 0.5)


def employer_world(welcome: float) -> SimpleNamespace:
    """Two employers at the awareness rung who meet students this month (tied to nobody)."""
    n = 3
    employer = np.arange(n) < 2
    return SimpleNamespace(
        ladder=SimpleNamespace(is_employer=employer, rung=np.where(employer, 1, 0),
                               roi=np.where(employer, 0.2, 0.0), burnout=np.zeros(n),
                               difficulty=np.zeros(n), brokered=np.zeros(n),
                               convener_pairs=np.zeros(0, dtype=np.int64),
                               convener_employer=np.zeros(0, dtype=np.int64)),
        orgs=org_state(n, taking_part=True, commitment=0.8), ties=pair_state(n),
        consortium=SimpleNamespace(activity=1.0, now=0.0, welcome=welcome,
                                   framing=0.0))


@pytest.mark.mechanism("M16", "M27")
def test_schools_mindset_lets_employers_contact_with_students_pay_off() -> None:
    p = Params(scenario(region=dict(urgency=0.0),
                        employers=dict(contact_rate=1.0, contact_roi_gain=0.1, roi_decay=0.0)))
    out = {}
    for welcome in (1.0, 0.5, 0.0):
        w = copy.deepcopy(employer_world(welcome))
        u = np.array([np.zeros(3), np.ones(3), np.ones(3), np.ones(3)])
        employers.climb(w.ladder, w.orgs, w.ties, w.consortium, p, u)
        out[welcome] = w.ladder.roi[:2]
    assert out[1.0] == pytest.approx([0.2 + 0.1 * 0.8] * 2)
    assert out[0.5] == pytest.approx([0.2 + 0.05 * 0.8] * 2)
    assert out[0.0].tolist() == [0.2, 0.2]
    # The consortium reads the schools' mean mindset into the welcome employers find.
    c = small_model(0, 0, mindset=dict(employer_weight=0.5)).consortium
    c.read_mindset(0.4, Params(scenario(mindset=dict(employer_weight=0.5))))
    assert c.mindset == 0.4 and c.welcome == pytest.approx(0.7)


# ============================================================================ in the model
def paired(months: int, read, low: dict, high: dict, seeds=(0, 1, 2)) -> np.ndarray:
    out = np.zeros((2, len(seeds)))
    for row, sections in enumerate((low, high)):
        for col, seed in enumerate(seeds):
            out[row, col] = read(small_model(seed, months, **sections))
    return out


def schools_mindset(model) -> float:  # noqa: ANN001 - a ConsortiumModel
    orgs = model.organizations
    return float(orgs.mindset[orgs.local > 0].mean())


@pytest.mark.mechanism("M27")
def test_m27_exposure_and_partners_build_mindsets_over_years_not_months() -> None:
    series = small_model(0, 48).series["cte_mindset"]
    assert series[47] > series[0]
    # Slow: a year moves it by less than half of what four years do.
    assert series[11] - series[0] < 0.5 * (series[47] - series[0])
    # The money's end does not undo it ("people change"): without partners' pull and new
    # leaders, no mindset ever falls, during the grant or after it.
    calm = {f"turnover_{s}": 0.0 for s in SECTORS}
    after = small_model(0, 96, leadership=calm, mindset=dict(influence_rate=0.0))
    s = after.series["cte_mindset"][:96]
    assert (np.diff(s) >= 0.0).all() and s[95] > s[47]


@pytest.mark.mechanism("M27")
def test_m27_resisters_and_low_mindset_successors_erode_mindsets() -> None:
    stubborn = paired(36, schools_mindset, dict(mindset=dict(resister_share=0.0)),
                      dict(mindset=dict(resister_share=1.0)))
    assert (stubborn[1] < stubborn[0]).all()
    # Organizations start convinced; turnover brings in newcomers who are not.
    newcomers = dict(initial_mean=0.0, initial_spread=0.0, leader_weight=1.0,
                     exposure_rate=0.0)
    means = {}
    for turnover in (0.0, 1.0):
        model = small_model(0, 0, mindset=newcomers,
                            leadership={f"turnover_{s}": turnover for s in SECTORS})
        model.organizations.mindset[:] = 1.0
        model.run(24)
        means[turnover] = model.organizations.mindset.mean()
    assert means[0.0] == 1.0 > means[1.0]


@pytest.mark.mechanism("M27")
def test_m27_a_stronger_mindset_grows_programs_and_employers_return() -> None:
    low, high = dict(mindset=dict(initial_mean=0.0)), dict(mindset=dict(initial_mean=1.0))
    program = paired(24, lambda m: m.series["program_level"][23], low, high)
    assert (program[1] > program[0]).all()

    def roi(model) -> float:  # noqa: ANN001
        return float(model.employers.roi[model.employers.is_employer].mean())

    returns = paired(24, roi, low, high)
    assert (returns[1] > returns[0]).all()


@pytest.mark.mechanism("M27")
def test_m27_knocked_out_mindset_acts_on_nothing_but_itself() -> None:
    off = dict(program_weight=0.0, employer_weight=0.0)
    runs = [small_model(0, 36, mindset=dict(off, initial_mean=x)) for x in (0.0, 1.0)]
    for name, series in runs[0].series.items():
        if name != "cte_mindset":
            assert np.array_equal(series, runs[1].series[name], equal_nan=True), name
    assert runs[0].series["cte_mindset"][35] < runs[1].series["cte_mindset"][35]
