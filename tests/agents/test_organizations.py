"""The Mesa agents and their set (agents/organizations.py): each agent type exists, stays in
bounds through a run, pickles, and keeps the contract of its one-organization verbs."""

from __future__ import annotations

import copy
import pickle
import random  # noqa: TID251 - checks that the stdlib generator stays unused

import numpy as np
import pytest
from conftest import (
    ORG_FIELDS,
    evidence,
    in_unit,
    pair_index,
    scenario,
    small_model,
    trust_after_reset,
)

from agents import leadership, money
from agents.codes import Rung, Sector
from agents.organizations import (
    AGENT_CLASSES,
    KIND_ORDER,
    CommunityCollege,
    Employer,
    Intermediary,
    Organization,
    SchoolDistrict,
)
from sim.model import ConsortiumModel
from sim.params import ScenarioParams

CLASSES = [SchoolDistrict, CommunityCollege, Employer, Intermediary]


def expected_count(cls: type, p: ScenarioParams) -> int:
    region = p.region
    return {SchoolDistrict: region.n_districts + region.n_charters,
            CommunityCollege: region.n_colleges, Employer: region.n_employers,
            Intermediary: (region.n_workforce_boards + region.n_county_offices
                           + region.n_ta_providers + region.n_chambers)}[cls]


def check_agent_state(agent: Organization) -> None:
    assert 0.0 <= agent.commitment <= 1.0
    assert 0.0 <= agent.institutionalization <= 1.0
    assert isinstance(agent.champion, bool) and isinstance(agent.taking_part, bool)
    assert isinstance(agent.is_lead, bool)
    assert 0.0 <= agent.turnover_hazard() <= 1.0
    assert 0.0 <= agent.champion_probability() <= 1.0
    assert 0.0 <= agent.initiative_load() <= 1.0
    assert agent.organizations.budget[agent.index] >= 0.0
    if isinstance(agent, Employer):
        assert Rung.NONE <= agent.engagement_stage <= Rung.CHAMPION


@pytest.fixture(scope="module")
def agent_history() -> dict:
    """A default run, with each agent's state checked and collected every month."""
    model = ConsortiumModel(ScenarioParams(), 11)  # a run in which every class moves
    seen = {cls: {"rung": set(), "part": set(), "champion": set()} for cls in CLASSES}
    errors = []
    while model.month < model.months:
        model.step()
        for agent in model.organizations.agents:
            try:
                check_agent_state(agent)
            except AssertionError:
                errors.append((model.month, agent.unique_id, type(agent).__name__))
            mine = seen[type(agent)]
            mine["part"].add(agent.taking_part)
            mine["champion"].add(agent.champion)
            if isinstance(agent, Employer):
                mine["rung"].add(agent.engagement_stage)
    return dict(model=model, errors=errors, seen=seen)


@pytest.mark.mechanism("M5")
@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_each_agent_type_exists_in_its_number(cls: type) -> None:
    p = ScenarioParams()
    model = ConsortiumModel(p, 0)
    orgs = model.organizations
    mine = [agent for agent in model.agents if type(agent) is cls]
    assert len(mine) == expected_count(cls, p) > 0
    assert len(model.agents_by_type[cls]) == len(mine)
    for agent in mine:
        assert orgs.agents[agent.index] is agent and agent.model is model
        assert orgs.sector[agent.index] == cls.sector
        assert AGENT_CLASSES[agent.kind] is cls
    assert len(model.agents) == model.n == orgs.n == p.n_orgs
    # Organizations are numbered kind by kind, in KIND_ORDER.
    order = [KIND_ORDER.index(agent.kind) for agent in orgs.agents]
    assert order == sorted(order)


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_agent_state_stays_in_bounds_through_a_run(cls: type, agent_history: dict) -> None:
    errors = [e for e in agent_history["errors"] if e[2] == cls.__name__]
    assert not errors, errors[:5]
    # The run did move agents of this class: some were in and some out at some point.
    seen = agent_history["seen"][cls]
    assert seen["part"] == {True, False} and seen["champion"] == {True, False}
    if cls is Employer:
        assert len(seen["rung"]) >= 3


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_a_model_pickles_with_its_agents_and_runs_on_identically(cls: type) -> None:
    model = ConsortiumModel(ScenarioParams(), 5)
    for _ in range(10):
        model.step()
    clone = pickle.loads(pickle.dumps(model))
    mine = [agent for agent in clone.agents if type(agent) is cls]
    assert len(mine) == expected_count(cls, model.params)
    originals = model.organizations.agents
    for agent in mine:
        assert agent.model is clone and clone.organizations.agents[agent.index] is agent
        orig = originals[agent.index]
        assert (agent.commitment, agent.champion, agent.taking_part,
                agent.institutionalization) == (orig.commitment, orig.champion,
                                                orig.taking_part, orig.institutionalization)
    for _ in range(30):
        model.step()
        clone.step()
    for name, values in model.series.items():
        assert np.array_equal(values, clone.series[name], equal_nan=True), name
    for agent in mine:
        orig = originals[agent.index]
        assert agent.commitment == orig.commitment and agent.taking_part == orig.taking_part
        if cls is Employer:
            assert agent.engagement_stage == orig.engagement_stage


@pytest.mark.mechanism("M5", "M6", "M7", "M27")
@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_change_leader_contract(cls: type) -> None:
    model = ConsortiumModel(scenario(region=dict(prior_tie_density=0.3)), 3)
    for _ in range(12):
        model.step()
    t, orgs = model.partnerships, model.organizations
    agent = next(agent for agent in orgs.agents
                 if type(agent) is cls and t.tie[t.incident[agent.index]].any())
    org = agent.index
    mine = np.zeros(t.m, dtype=bool)
    mine[t.incident[org]] = True
    twin = copy.deepcopy(model)
    before = {name: getattr(t, name).copy() for name in ("tie", "institutional")} | evidence(t)
    org_before = {name: getattr(orgs, name).copy() for name in ("commitment", "champion",
                                                                "leader_id", "mindset")}
    expected = copy.deepcopy(model.rng)
    expected.random()  # champion or not
    expected.standard_normal()  # disposition
    if agent.is_lead:
        expected.standard_normal()  # the new lead leader's orientation (M13)
        expected.standard_normal()  # and style (M26)
    expected.standard_normal()  # the successor's mindset about CTE (M27)
    orientation = model.consortium.orientation
    np_global, py_global = np.random.get_state(), random.getstate()  # noqa: NPY002
    mesa_random = model.random.getstate()
    events = orgs.turnover_events

    agent.change_leader()

    assert np.array_equal(t.institutional, before["institutional"])
    assert np.array_equal(t.tie, before["tie"])
    assert np.array_equal(t.personal[~mine], before["personal"][~mine])
    assert (t.personal[mine & ~t.tie] == 0.0).all()
    tied = mine & t.tie
    base = model.params.trust.baseline
    keep = leadership.trust_kept(model.rules, model.consortium.distributed)
    assert np.allclose(t.personal[tied], trust_after_reset(model, before, keep)[tied],
                       rtol=0.0, atol=1e-12)
    assert (np.abs(t.personal[tied] - base) < np.abs(before["personal"][tied] - base)).any()
    others = np.arange(model.n) != org
    for name in ("commitment", "champion", "leader_id", "mindset"):
        assert np.array_equal(getattr(orgs, name)[others], org_before[name][others])
    assert 0.0 <= orgs.commitment[org] <= 1.0 and 0.0 <= orgs.mindset[org] <= 1.0
    assert orgs.leader_id[org] == org_before["leader_id"][org] + 1
    assert orgs.turnover_events == events + 1
    # Two draws, champion then disposition, and for the lead a third and a fourth, the new
    # leader's orientation and style, then the successor's mindset, from model.rng and only
    # from it.
    assert model.rng.bit_generator.state == expected.bit_generator.state
    assert (model.consortium.orientation != orientation) == agent.is_lead
    assert model.random.getstate() == mesa_random and random.getstate() == py_global
    g_after = np.random.get_state()  # noqa: NPY002
    assert g_after[0] == np_global[0] and np.array_equal(g_after[1], np_global[1])
    twin.organizations.agents[org].change_leader()
    assert np.array_equal(twin.partnerships.personal, t.personal)
    assert twin.organizations.commitment[org] == orgs.commitment[org]
    assert twin.organizations.champion[org] == orgs.champion[org]
    assert twin.organizations.mindset[org] == orgs.mindset[org]


@pytest.mark.mechanism("M5", "M6")
def test_a_champion_successor_pulls_commitment_up_unless_practice_is_sedimented() -> None:
    always = dict(champion_district=1.0, successor_spread=0.0, champion_disposition=0.3,
                  grow_leaders=False)
    model = small_model(1, 0, leadership=always, commitment=dict(initial_mean=0.45))
    orgs = model.organizations
    org = next(agent.index for agent in orgs.agents if isinstance(agent, SchoolDistrict))
    orgs.commitment[org], orgs.habit[org] = 0.2, 0.0
    orgs.agents[org].change_leader()
    assert orgs.champion[org] and orgs.commitment[org] == pytest.approx(0.75)
    orgs.commitment[org], orgs.habit[org] = 0.2, 1.0  # sedimented: the successor changes nothing
    orgs.agents[org].change_leader()
    assert orgs.commitment[org] == 0.2


@pytest.mark.mechanism("M29")
def test_a_broken_pledge_lets_the_lead_down_on_their_tie_only() -> None:
    model = small_model(2, 6, region=dict(prior_tie_density=0.6))
    t, orgs = model.partnerships, model.organizations
    lead = orgs.lead
    tied = [org for org in range(model.n)
            if org != lead and t.tie[pair_index(model.n, org, lead)]]
    untied = [org for org in range(model.n)
              if org != lead and not t.tie[pair_index(model.n, org, lead)]]
    assert tied and untied
    before = t.personal.copy()
    orgs.agents[tied[0]].break_pledge()
    hit = pair_index(model.n, tied[0], lead)
    assert t.personal[hit] < before[hit]
    assert np.array_equal(np.delete(t.personal, hit), np.delete(before, hit))
    before = t.personal.copy()
    orgs.agents[untied[0]].break_pledge()
    orgs.agents[lead].break_pledge()  # the lead cannot let itself down
    assert np.array_equal(t.personal, before)


@pytest.mark.mechanism("M7", "M21")
def test_lost_coordinators_take_their_share_of_the_lead_s_personal_trust() -> None:
    model = small_model(2, 6, region=dict(prior_tie_density=0.6))
    t, orgs = model.partnerships, model.organizations
    lead = orgs.agents[orgs.lead]
    before = evidence(t)
    lead.lose_coordinators(2, 8)
    keep = money.lost_positions_keep(2, 8, model.rules)
    assert keep == pytest.approx(1.0 - 0.5 * 2 / 8)
    mine = t.lead_edge & t.tie
    assert np.allclose(t.personal[mine], trust_after_reset(model, before, keep)[mine])
    assert np.array_equal(t.personal[~t.lead_edge], before["personal"][~t.lead_edge])


@pytest.mark.mechanism("M11", "M17", "M24", "M32")
def test_organizations_carry_their_sector_s_constants() -> None:
    p = scenario(region=dict(n_industry_sectors=3),
                 employers=dict(breadth_dilution=0.3),
                 commitment=dict(overload_sensitivity=0.6, policy_coherence=0.2,
                                 participation_cost=0.3))
    model = ConsortiumModel(p, 4)
    orgs, region = model.organizations, p.region
    lead = orgs.lead
    assert (orgs.x[lead], orgs.y[lead]) == (region.length_km / 2, region.width_km / 2)
    assert orgs.agents[lead].is_lead and orgs.agents[lead].kind == region.lead
    employer = orgs.sector == Sector.EMPLOYER
    assert np.allclose(orgs.relevance[employer], 1.0 / (1.0 + 0.3 * 2))
    assert (orgs.relevance[~employer] == 1.0).all()
    overload = 1.0 + 0.6 * orgs.load * 0.8
    assert np.allclose(orgs.effective_capacity, orgs.capacity / overload)
    assert np.allclose(orgs.base_cost, 0.3 * overload / orgs.capacity)
    college = orgs.sector == Sector.COLLEGE
    assert (orgs.load[college] == p.commitment.initiative_load_college).all()
    assert (orgs.turnover[college] == p.leadership.turnover_college).all()
    assert np.allclose(orgs.turnover_month, leadership.monthly_hazard(orgs.turnover))
    assert orgs.present == [(Sector.K12, 12), (Sector.COLLEGE, 6), (Sector.EMPLOYER, 30)]


@pytest.mark.mechanism("M30")
def test_fit_moves_initial_commitment_and_screens_signatories_on_the_same_draws() -> None:
    plain = small_model(2, 0).organizations
    screened = small_model(2, 0, grant=dict(purposeful_recruitment=True),
                           recruitment=dict(screen=0.5)).organizations
    # Purposeful recruitment changes who signs on, not the draws.
    for name in ("fit", "threshold", "commitment", "capacity"):
        assert np.array_equal(getattr(plain, name), getattr(screened, name)), name
    assert plain.signatory.all()
    assert np.array_equal(screened.signatory, screened.fit >= 0.5)
    assert in_unit(plain.fit) and np.allclose(plain.fit_gap, plain.fit - plain.fit.mean())
    # Fit is the last draw: without its effect on commitment, the same initial commitment
    # less the fit term.
    flat = small_model(2, 0, recruitment=dict(fit_commitment=0.0)).organizations
    assert np.array_equal(flat.fit, plain.fit)
    assert np.allclose(plain.commitment, np.clip(flat.commitment + 0.3 * plain.fit_gap, 0, 1))


@pytest.mark.mechanism("M30")
def test_fit_at_table_is_the_mean_fit_gap_of_those_taking_part() -> None:
    orgs = small_model(0, 0).organizations
    orgs.taking_part[:] = False
    assert orgs.fit_at_table() == 0.0 and orgs.share_taking_part() == 0.0
    orgs.taking_part[:] = True
    assert orgs.fit_at_table() == pytest.approx(0.0, abs=1e-12)
    assert orgs.share_taking_part() == 1.0
    orgs.taking_part[:] = orgs.fit_gap > 0
    assert orgs.fit_at_table() == pytest.approx(orgs.fit_gap[orgs.fit_gap > 0].mean())


def test_mean_habit_of_participants() -> None:
    orgs = small_model(0, 0).organizations
    orgs.taking_part[:] = False
    assert orgs.mean_habit_of_participants() == 0.0
    orgs.taking_part[:3] = True
    orgs.habit[:4] = [0.2, 0.4, 0.9, 1.0]
    assert orgs.mean_habit_of_participants() == pytest.approx(0.5)


def test_hand_built_organizations_have_the_layout_of_the_model_s_set() -> None:
    orgs = small_model(0, 0).organizations
    for name, dtype in ORG_FIELDS.items():
        assert getattr(orgs, name).dtype == np.dtype(dtype), name
        assert getattr(orgs, name).shape == (orgs.n,), name
    assert orgs.engaged.shape == (4,)
