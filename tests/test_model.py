"""Model-level tests: agent contract, invariants, extreme conditions, reproducibility and
scenario-pair directions (science_anchors §7 B)."""

from __future__ import annotations

import copy
import math
import pickle
import random  # noqa: TID251 - checks that the global stdlib RNG stays unused

import networkx as nx
import numpy as np
import pytest
from scipy import stats

from agents.organization import (
    CommunityCollege,
    Employer,
    Intermediary,
    Organization,
    SchoolDistrict,
)
from sim.model import ConsortiumModel
from sim.params import ScenarioParams
from sim.run import replicate_seeds, run

CHANNELS_OFF = dict(money=False, backbone=False, technical_assistance=False, convenings=False,
                    mandate=False, reporting=False)


def variant(base: ScenarioParams | None = None, **sections: dict) -> ScenarioParams:
    """A validated copy of ``base`` (default scenario) with section fields replaced."""
    d = (base or ScenarioParams()).model_dump()
    for section, updates in sections.items():
        d[section].update(updates)
    return ScenarioParams.model_validate(d)


def no_grant(**extra: dict) -> ScenarioParams:
    grant = dict(CHANNELS_OFF, award_musd=0.0)
    grant.update(extra.pop("grant", {}))
    return variant(grant=grant, **extra)


def series_equal(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(
        np.array_equal(a[k], b[k], equal_nan=True) for k in a)


def outcomes_equal(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(
        (math.isnan(a[k]) and math.isnan(b[k])) or a[k] == b[k] for k in a)


# ============================================================================ agent contract
AGENT_CLASSES = [SchoolDistrict, CommunityCollege, Employer, Intermediary]


def expected_count(cls: type, p: ScenarioParams) -> int:
    r = p.region
    return {SchoolDistrict: r.n_districts + r.n_charters, CommunityCollege: r.n_colleges,
            Employer: r.n_employers,
            Intermediary: (r.n_workforce_boards + r.n_county_offices + r.n_ta_providers
                           + r.n_chambers)}[cls]


def check_agent_state(agent: Organization) -> None:
    assert 0.0 <= agent.commitment <= 1.0
    assert 0.0 <= agent.institutionalization <= 1.0
    assert isinstance(agent.champion, bool)
    assert isinstance(agent.taking_part, bool)
    assert isinstance(agent.is_lead, bool)
    assert 0.0 <= agent.turnover_hazard() <= 1.0
    assert 0.0 <= agent.champion_probability() <= 1.0
    if isinstance(agent, Employer):
        assert 0 <= agent.engagement_stage <= 6


@pytest.fixture(scope="module")
def agent_history() -> dict:
    """A default run, with each agent's state checked and collected every month."""
    model = ConsortiumModel(ScenarioParams(), 11)
    seen: dict[type, dict[str, set]] = {cls: {"stage": set(), "part": set()}
                                         for cls in AGENT_CLASSES}
    errors = []
    while model.month < model.months:
        model.step()
        for agent in model.agents_list:
            try:
                check_agent_state(agent)
            except AssertionError:
                errors.append((model.month, agent.unique_id, type(agent).__name__))
            s = seen[type(agent)]
            s["part"].add(agent.taking_part)
            if isinstance(agent, Employer):
                s["stage"].add(agent.engagement_stage)
    return dict(model=model, errors=errors, seen=seen)


@pytest.mark.parametrize("cls", AGENT_CLASSES, ids=lambda c: c.__name__)
def test_agents_exist(cls: type) -> None:
    p = ScenarioParams()
    model = ConsortiumModel(p, 0)
    mine = [a for a in model.agents if type(a) is cls]
    assert len(mine) == expected_count(cls, p) > 0
    assert len(model.agents_by_type[cls]) == len(mine)
    for a in mine:
        assert model.agents_list[a.index] is a
        assert model.org.sector[a.index] == cls.sector
        assert a.model is model
    assert len(model.agents) == model.n == p.n_orgs


@pytest.mark.parametrize("cls", AGENT_CLASSES, ids=lambda c: c.__name__)
def test_agent_state_stays_in_bounds_through_a_run(cls: type, agent_history: dict) -> None:
    errors = [e for e in agent_history["errors"] if e[2] == cls.__name__]
    assert not errors, errors[:5]
    # The run did move agents of this class: some were in and some out at some point.
    assert agent_history["seen"][cls]["part"] == {True, False}
    if cls is Employer:
        assert len(agent_history["seen"][cls]["stage"]) >= 3


@pytest.mark.parametrize("cls", AGENT_CLASSES, ids=lambda c: c.__name__)
def test_model_pickle_round_trip(cls: type) -> None:
    model = ConsortiumModel(ScenarioParams(), 5)
    for _ in range(10):
        model.step()
    clone = pickle.loads(pickle.dumps(model))
    mine = [a for a in clone.agents if type(a) is cls]
    assert len(mine) == expected_count(cls, model.params)
    for a in mine:
        assert a.model is clone
        orig = model.agents_list[a.index]
        assert (a.commitment, a.champion, a.taking_part, a.institutionalization) == (
            orig.commitment, orig.champion, orig.taking_part, orig.institutionalization)
    for _ in range(30):
        model.step()
        clone.step()
    assert series_equal(model.series, clone.series)
    for a in mine:
        orig = model.agents_list[a.index]
        assert a.commitment == orig.commitment and a.taking_part == orig.taking_part
        if cls is Employer:
            assert a.engagement_stage == orig.engagement_stage


@pytest.mark.parametrize("cls", AGENT_CLASSES, ids=lambda c: c.__name__)
def test_change_leader_contract(cls: type) -> None:
    model = ConsortiumModel(variant(region=dict(prior_tie_density=0.3)), 3)
    for _ in range(12):
        model.step()
    t, org = model.ties, model.org
    tied_agents = [a for a in model.agents_list if type(a) is cls
                   and t.tie[(t.i == a.index) | (t.j == a.index)].any()]
    assert tied_agents
    agent = tied_agents[0]
    k = agent.index
    mine = (t.i == k) | (t.j == k)
    twin = copy.deepcopy(model)
    before = {name: getattr(t, name).copy() for name in ("tie", "personal", "institutional")}
    org_before = {name: getattr(org, name).copy() for name in ("commitment", "champion",
                                                               "leader_id")}
    rng_state = copy.deepcopy(model.rng.bit_generator.state)
    np_global, py_global = np.random.get_state(), random.getstate()  # noqa: NPY002
    mesa_random = model.random.getstate()
    events = model.turnover_events

    agent.change_leader()

    assert np.array_equal(t.institutional, before["institutional"])
    assert np.array_equal(t.tie, before["tie"])
    assert np.array_equal(t.personal[~mine], before["personal"][~mine])
    assert (t.personal[mine & ~t.tie] == 0.0).all()
    tied = mine & t.tie
    base = model.params.trust.baseline
    # Each personal-trust value moves towards the baseline, never past it.
    old, new = before["personal"][tied], t.personal[tied]
    assert (np.abs(new - base) <= np.abs(old - base) + 1e-15).all()
    assert (np.abs(new - base) < np.abs(old - base)).any()
    others = np.arange(model.n) != k
    for name in ("commitment", "champion", "leader_id"):
        assert np.array_equal(getattr(org, name)[others], org_before[name][others])
    assert 0.0 <= org.commitment[k] <= 1.0
    assert org.leader_id[k] == org_before["leader_id"][k] + 1
    assert model.turnover_events == events + 1
    # Draws come from model.rng, and only from it.
    assert model.rng.bit_generator.state != rng_state
    assert model.random.getstate() == mesa_random
    assert random.getstate() == py_global
    g_after = np.random.get_state()  # noqa: NPY002
    assert g_after[0] == np_global[0] and np.array_equal(g_after[1], np_global[1])
    twin.agents_list[k].change_leader()
    assert np.array_equal(twin.ties.personal, t.personal)
    assert twin.org.commitment[k] == org.commitment[k]
    assert twin.org.champion[k] == org.champion[k]


# ============================================================================ invariants
def check_invariants(model: ConsortiumModel) -> None:
    t, org = model.ties, model.org
    trust = model.trust()
    for arr in (t.personal, t.institutional, trust, t.formality):
        assert np.isfinite(arr).all() and (arr >= 0).all() and (arr <= 1).all()
    assert (t.personal[~t.tie] == 0).all() and (t.institutional[~t.tie] == 0).all()
    assert (trust[~t.tie] == 0).all()
    assert (t.age[~t.tie] == 0).all() and (t.age >= 0).all()
    for arr in (org.commitment, org.habit, org.program, org.roi, org.burnout):
        assert (arr >= 0).all() and (arr <= 1).all()
    assert (org.stage >= 0).all() and (org.stage <= 6).all()
    assert 0 <= model.positions_filled <= model.positions_funded <= model.positions_planned
    done = model.month
    for name, values in model.series.items():
        assert np.isfinite(values[:done]).all(), name


def check_graph(model: ConsortiumModel) -> None:
    g = model.graph()
    t = model.ties
    assert type(g) is nx.Graph and not g.is_directed() and not g.is_multigraph()
    assert g.number_of_nodes() == model.n == len(model.agents)
    assert set(g.nodes) == set(range(model.n))
    assert nx.number_of_selfloops(g) == 0
    expected = {(int(a), int(b)) for a, b in zip(t.i[t.tie], t.j[t.tie], strict=True)}
    assert {(min(a, b), max(a, b)) for a, b in g.edges} == expected
    assert g.number_of_edges() == int(t.tie.sum())
    trust = model.trust()
    for k in np.flatnonzero(t.tie)[:50]:
        e = g.edges[int(t.i[k]), int(t.j[k])]
        assert e["trust"] == pytest.approx(trust[k])
        assert e["personal_trust"] == pytest.approx(t.personal[k])
        assert e["institutional_trust"] == pytest.approx(t.institutional[k])


def test_invariants_through_a_default_run() -> None:
    model = ConsortiumModel(ScenarioParams(), 2024)
    t = model.ties
    assert (t.i < t.j).all()
    assert len(t.i) == model.n * (model.n - 1) // 2
    assert len(set(zip(t.i.tolist(), t.j.tolist(), strict=True))) == len(t.i)
    check_invariants(model)
    check_graph(model)
    planned = model.positions_planned
    assert planned > 0
    while model.month < model.months:
        model.step()
        check_invariants(model)
        if model.month % 12 == 0:
            check_graph(model)
    s = model.series
    assert (s["positions_filled"] <= s["positions_funded"]).all()
    assert (s["positions_funded"] <= planned).all()
    assert s["positions_filled"].max() > 0
    # The run is not trivially empty.
    assert s["ties"].max() > s["ties"][0] and s["active_ties"].max() > 0


# ============================================================================ extreme conditions
@pytest.mark.parametrize("seed", range(4))
def test_no_grant_and_no_prior_ties_no_consortium_forms(seed: int) -> None:
    p = no_grant(region=dict(prior_tie_density=0.0, prior_infrastructure=0.0))
    model = ConsortiumModel(p, seed)
    assert not model.org.taking_part.any() and not model.ties.tie.any()
    ever = np.zeros(model.n, bool)
    while model.month < model.months:
        model.step()
        ever |= model.org.taking_part
        assert not model.active_ties().any()
    assert not ever.any()
    res = run(p, seed)
    s = res.record.series
    assert (s["taking_part_share"] == 0).all()
    assert (s["operating_raw"] == 0).all()
    assert (res.record.operating_level() == 0).all()
    assert (s["active_ties"] == 0).all() and (s["active_cross_sector_ties"] == 0).all()
    assert (s["positions_filled"] == 0).all() and (s["partner_funding_ratio"] == 0).all()
    assert res.outcomes["operating_level_2y"] == 0.0
    assert res.outcomes["regional_collaboration_2y"] == 0.0
    assert res.outcomes["regional_collaboration_4y"] == 0.0


def test_a_grant_does_form_a_consortium_from_scratch() -> None:
    """Control for the test above: the same empty region with the grant does organize."""
    p = variant(region=dict(prior_tie_density=0.0, prior_infrastructure=0.0))
    res = run(p, 0)
    s = res.record.series
    assert s["taking_part_share"].max() > 0.5 and s["active_ties"].max() > 0


ZERO_TURNOVER = dict(turnover_district=0.0, turnover_college=0.0, turnover_employer=0.0,
                     turnover_intermediary=0.0)


@pytest.mark.parametrize("backbone", [True, False])
def test_zero_turnover_no_leader_changes(backbone: bool, monkeypatch) -> None:
    calls = []
    monkeypatch.setattr(Organization, "change_leader",
                        lambda self: calls.append(self.index))
    p = variant(leadership=ZERO_TURNOVER, grant=dict(backbone=backbone))
    model = ConsortiumModel(p, 8)
    resets = []
    original = model.reset_personal_trust

    def spy(i: int, keep: float) -> None:
        resets.append((model.month, int(i), keep))
        original(i, keep)

    model.reset_personal_trust = spy
    filled = []
    while model.month < model.months:
        model.step()
        filled.append(model.positions_filled)
    assert not calls
    assert (model.series["turnover_events"] == 0).all()
    assert model.turnover_events == 0
    assert (model.org.leader_id == 0).all()
    if backbone:
        # The only personal-trust resets left are the lead's, when paid coordinators go.
        assert all(i == model.lead for _, i, _ in resets)
        lost = {m for m in range(1, len(filled)) if filled[m] < filled[m - 1]}
        assert {m for m, _, _ in resets} <= lost | {0}
    else:
        assert not resets


def test_default_turnover_does_change_leaders() -> None:
    s = run(ScenarioParams(), 8).record.series["turnover_events"]
    assert s[-1] > 10 and (np.diff(s) >= 0).all()


@pytest.mark.parametrize("seed", range(3))
def test_zero_decay_and_dissolution_no_tie_ever_dissolves(seed: int) -> None:
    p = variant(trust=dict(decay_rate=0.0, institutional_decay=0.0),
                ties=dict(dissolution_rate=0.0), leadership=ZERO_TURNOVER)
    model = ConsortiumModel(p, seed)
    prev = model.ties.tie.copy()
    while model.month < model.months:
        model.step()
        now = model.ties.tie
        assert not (prev & ~now).any(), f"tie dissolved in month {model.month - 1}"
        prev = now.copy()
    assert (np.diff(model.series["ties"]) >= 0).all()
    assert model.series["ties"][-1] > model.series["ties"][0]


def test_default_ties_do_dissolve() -> None:
    """Control for the test above: with the default rates ties are lost post-grant."""
    s = run(ScenarioParams(), 0).record.series["ties"]
    assert (np.diff(s) < 0).any()


def test_zero_dissolution_alone_keeps_every_tie() -> None:
    p = variant(ties=dict(dissolution_rate=0.0))
    s = run(p, 1).record.series["ties"]
    assert (np.diff(s) >= 0).all()


@pytest.mark.parametrize("seed", range(3))
def test_grant_without_channels_behaves_like_no_grant_in_money_and_positions(seed: int) -> None:
    off = variant(grant=CHANNELS_OFF)
    none = no_grant()
    a, b = run(off, seed), run(none, seed)
    for name in ("state_share", "partner_funding_ratio", "positions_filled",
                 "positions_funded"):
        assert np.array_equal(a.record.series[name], b.record.series[name]), name
    for name in ("state_share", "positions_filled", "positions_funded"):
        assert (a.record.series[name] == 0).all(), name
    # Without state money partners decide what to pay from the start.
    assert a.record.series["partner_funding_ratio"][:36].max() > 0
    model = ConsortiumModel(off, seed)
    assert model.positions_planned == 0
    assert not model.org.signatory.any() and not model.org.money_motivated.any()


@pytest.mark.parametrize("extra", [{}, dict(retained_backbone_share=0.5),
                                   dict(follow_on_year=3, follow_on_musd=3.0)],
                         ids=["plain", "retained", "follow_on"])
def test_backbone_off_positions_stay_zero(extra: dict) -> None:
    p = variant(grant=dict(backbone=False, **extra))
    res = run(p, 4)
    assert (res.record.series["positions_filled"] == 0).all()
    assert (res.record.series["positions_funded"] == 0).all()
    on = run(variant(grant=extra), 4).record.series["positions_filled"]
    assert on.max() > 0


def test_chance_encounters_fade_with_distance() -> None:
    """Far-apart organizations (travel scale 1 km, region 1000 km) never meet by chance."""
    far = dict(length_km=1000.0, width_km=1000.0, prior_tie_density=0.0)
    p = no_grant(region=far, ties=dict(travel_scale_km=1.0, spontaneous_rate=0.5),
                 outcomes=dict(horizon_years=1))
    model = ConsortiumModel(p, 1).run()
    t = model.ties
    assert not (t.tie & (t.distance > 50.0)).any()
    near = no_grant(region=far, ties=dict(travel_scale_km=1000.0, spontaneous_rate=0.5),
                    outcomes=dict(horizon_years=1))
    t2 = ConsortiumModel(near, 1).run().ties
    assert (t2.tie & (t2.distance > 50.0)).sum() > 100


# ============================================================================ reproducibility
SHORT = variant(outcomes=dict(horizon_years=6))


def test_same_seed_same_run() -> None:
    a, b = run(SHORT, 123), run(SHORT, 123)
    assert series_equal(a.record.series, b.record.series)
    assert outcomes_equal(a.outcomes, b.outcomes)
    c = run(SHORT, np.random.SeedSequence(123))
    assert series_equal(a.record.series, c.record.series)
    ss = np.random.SeedSequence(77)
    d, e = run(SHORT, ss), run(SHORT, ss)
    assert series_equal(d.record.series, e.record.series)
    assert outcomes_equal(d.outcomes, e.outcomes)


def test_different_seeds_differ() -> None:
    a, b = run(SHORT, 1), run(SHORT, 2)
    assert not series_equal(a.record.series, b.record.series)
    assert not np.array_equal(a.record.series["mean_trust"], b.record.series["mean_trust"])


def test_spawned_children_replay() -> None:
    children = np.random.SeedSequence(42).spawn(3)
    first = run(SHORT, children[1])
    again = run(SHORT, np.random.SeedSequence(42).spawn(3)[1])
    assert series_equal(first.record.series, again.record.series)
    assert outcomes_equal(first.outcomes, again.outcomes)
    assert first.spawn_key == (1,) and first.seed_entropy == 42
    assert [s.spawn_key for s in replicate_seeds(42, 3)] == [c.spawn_key for c in children]
    other = run(SHORT, children[0])
    assert not series_equal(first.record.series, other.record.series)


def test_no_global_rng_use() -> None:
    np.random.seed(1)  # noqa: NPY002
    random.seed(1)
    a = run(SHORT, 9)
    np.random.seed(2)  # noqa: NPY002
    random.seed(2)
    np_state, py_state = np.random.get_state(), random.getstate()  # noqa: NPY002
    b = run(SHORT, 9)
    assert series_equal(a.record.series, b.record.series)
    assert outcomes_equal(a.outcomes, b.outcomes)
    after = np.random.get_state()  # noqa: NPY002
    assert after[0] == np_state[0] and np.array_equal(after[1], np_state[1])
    assert after[2:] == np_state[2:]
    assert random.getstate() == py_state


def test_model_rng_is_the_only_source() -> None:
    model = ConsortiumModel(SHORT, 5)
    mesa_random = model.random.getstate()
    model.run()
    assert model.random.getstate() == mesa_random


# ============================================================================ scenario pairs
N_SEEDS = 20
ALPHA = 0.05
BASE = ScenarioParams()
L = BASE.leadership


def horizon(p: ScenarioParams, years_after: int) -> ScenarioParams:
    """Simulate only as far as the outcomes need; earlier months do not depend on it."""
    return variant(p, outcomes=dict(horizon_years=p.grant.grant_years + years_after))


SCENARIOS = {
    "base": horizon(BASE, 2),
    "state_5y": horizon(variant(grant=dict(state_years=5)), 2),
    "retained_backbone": horizon(variant(grant=dict(retained_backbone_share=0.5)), 2),
    "turnover_x2": horizon(variant(leadership=dict(
        turnover_district=2 * L.turnover_district, turnover_college=2 * L.turnover_college,
        turnover_employer=2 * L.turnover_employer,
        turnover_intermediary=2 * L.turnover_intermediary)), 0),
    "prior_infrastructure": horizon(variant(region=dict(prior_infrastructure=0.6,
                                                        prior_tie_density=0.2)), 2),
    "taper_2y": horizon(variant(grant=dict(taper_years=2)), 2),
    "system_ta": horizon(variant(grant=dict(ta_system_share=0.6)), 0),
}


@pytest.fixture(scope="module")
def scenario_outcomes() -> dict[str, dict[str, np.ndarray]]:
    """Outcomes of every scenario over the same (common random number) seeds."""
    seeds = replicate_seeds(20140701, N_SEEDS)
    out = {}
    for name, p in SCENARIOS.items():
        results = [run(p, ss).outcomes for ss in seeds]
        out[name] = {k: np.array([r[k] for r in results]) for k in results[0]}
    return out


PAIRS = [
    ("state_5y", "base", "operating_level_2y", "greater"),
    ("retained_backbone", "base", "positions_retained_2y", "greater"),
    ("retained_backbone", "base", "operating_level_2y", "greater"),
    ("turnover_x2", "base", "mean_trust_grant_end", "less"),
    ("prior_infrastructure", "base", "operating_level_2y", "greater"),
    ("taper_2y", "base", "operating_level_2y", "greater"),
    ("system_ta", "base", "institutionalization_grant_end", "greater"),
]


@pytest.mark.parametrize("scenario,reference,outcome,direction", PAIRS,
                         ids=[f"{a}-{o}" for a, _, o, _ in PAIRS])
def test_scenario_direction(scenario: str, reference: str, outcome: str, direction: str,
                            scenario_outcomes: dict) -> None:
    x = scenario_outcomes[scenario][outcome]
    y = scenario_outcomes[reference][outcome]
    assert np.isfinite(x).all() and np.isfinite(y).all()
    diff = x.mean() - y.mean()
    assert (diff > 0) if direction == "greater" else (diff < 0), (x.mean(), y.mean())
    p = stats.ttest_ind(x, y, alternative=direction).pvalue
    assert p < ALPHA, (x.mean(), y.mean(), p)
