"""The model as a whole (sim/model.py): invariants through a run, extreme conditions,
reproducibility, scenario-pair directions (science_anchors §7 B) and the structural
alternatives of trust and exit rules (science_anchors §6.3)."""

from __future__ import annotations

import math
import random  # noqa: TID251 - checks that the global stdlib RNG stays unused
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
import reference as ref
from conftest import in_unit, scenario
from scipy import stats
from typer.testing import CliRunner

from agents import commitment
from agents.codes import Rung
from agents.organizations import Organization
from cli.main import app
from sim.model import ConsortiumModel
from sim.params import ScenarioParams, parameter_table
from sim.run import replicate_seeds, run
from sim.scenario import ScenarioError, load_scenario, with_values

CHANNELS_OFF = dict(money=False, backbone=False, technical_assistance=False, convenings=False,
                    mandate=False, reporting=False)
BETA = 'trust.rule="beta_reputation"'
ASYMMETRIC = 'trust.rule="asymmetric"'
LOGIT = 'commitment.exit_rule="logit"'
ALTERNATIVES = {"asymmetric": [ASYMMETRIC], "logit": [LOGIT], "both": [ASYMMETRIC, LOGIT]}
EIGHT_YEARS = "outcomes.horizon_years=8"  # four grant years and four after
UNIT_OUTCOMES = ("sustained_2y", "scaled_back_2y", "dissolved_2y", "sustained_4y",
                 "regional_collaboration_2y", "regional_collaboration_4y",
                 "largest_component_share_2y", "funding_gap_filled_2y",
                 "institutionalization_grant_end", "institutionalization_2y",
                 "employer_pledges_met_grant_end", "mean_trust_grant_end", "cte_mindset_2y")


def no_grant(**extra: dict) -> ScenarioParams:
    grant = dict(CHANNELS_OFF, award_musd=0.0)
    grant.update(extra.pop("grant", {}))
    return scenario(grant=grant, **extra)


def series_equal(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(np.array_equal(a[k], b[k], equal_nan=True) for k in a)


def outcomes_equal(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(
        (math.isnan(a[k]) and math.isnan(b[k])) or a[k] == b[k] for k in a)


# ============================================================================ invariants
def check_invariants(model: ConsortiumModel) -> None:
    t, o, lad, c = model.partnerships, model.organizations, model.employers, model.consortium
    backbone = model.backbone
    trust = model.trust()
    for arr in (t.personal, t.institutional, trust, t.formality):
        assert in_unit(arr)
    for name in ("personal", "institutional", "positive", "negative", "age"):
        assert (getattr(t, name)[~t.tie] == 0).all(), name
    assert (trust[~t.tie] == 0).all() and (t.age >= 0).all()
    assert not (t.active & ~t.tie).any() and not (t.agreement & ~t.tie).any()
    for arr in (o.commitment, o.habit, o.program, lad.roi, lad.burnout):
        assert in_unit(arr)
    assert ((lad.rung >= Rung.NONE) & (lad.rung <= Rung.CHAMPION)).all()
    assert not (o.taking_part & ~o.ever_part).any()
    assert 0 <= backbone.filled <= backbone.funded <= backbone.planned
    assert 0.0 <= c.vision <= 1.0 and 0.0 <= c.data <= 1.0
    for name, values in model.series.items():
        assert np.isfinite(values[:model.month]).all(), name


def check_graph(model: ConsortiumModel) -> None:
    g, t = model.graph(), model.partnerships
    assert type(g) is nx.Graph and not g.is_directed() and not g.is_multigraph()
    assert g.number_of_nodes() == model.n == len(model.agents)
    assert set(g.nodes) == set(range(model.n)) and nx.number_of_selfloops(g) == 0
    expected = {(int(a), int(b)) for a, b in zip(t.i[t.tie], t.j[t.tie], strict=True)}
    assert {(min(a, b), max(a, b)) for a, b in g.edges} == expected
    trust = model.trust()
    for k in np.flatnonzero(t.tie)[:50]:
        e = g.edges[int(t.i[k]), int(t.j[k])]
        assert e["trust"] == trust[k] and e["personal_trust"] == t.personal[k]
        assert e["institutional_trust"] == t.institutional[k] and e["active"] == t.active[k]


def check_observation(model: ConsortiumModel) -> None:
    obs, t, o = model.observe(), model.partnerships, model.organizations
    assert obs.month == model.month
    for name, arr in (("taking_part", o.taking_part), ("commitment", o.commitment),
                      ("tie", t.tie), ("trust", t.trust), ("rung", model.employers.rung)):
        view = getattr(obs, name)
        assert np.array_equal(view, arr) and not view.flags.writeable, name
    with pytest.raises(ValueError):
        obs.commitment[0] = 0.5


@pytest.mark.mechanism("M1", "M13", "M16", "M21")
def test_invariants_through_a_default_run() -> None:
    model = ConsortiumModel(ScenarioParams(), 2024)
    t = model.partnerships
    assert (t.i < t.j).all() and len(t.i) == model.n * (model.n - 1) // 2
    check_invariants(model)
    check_graph(model)
    planned = model.backbone.planned
    assert planned > 0
    while model.month < model.months:
        model.step()
        check_invariants(model)
        if model.month % 12 == 0:
            check_graph(model)
            check_observation(model)
    series = model.series
    assert (series["positions_filled"] <= series["positions_funded"]).all()
    assert (series["positions_funded"] <= planned).all() and series["positions_filled"].max() > 0
    # The run is not trivially empty.
    assert series["ties"].max() > series["ties"][0] and series["active_ties"].max() > 0
    assert model.step() is None and model.month == model.months  # past the horizon: nothing


def test_beta_state_stays_consistent_through_a_run() -> None:
    """Every writer of personal trust keeps it the Beta mean of the evidence: construction,
    the tie month, new and dissolved ties, turnover, lost positions and broken pledges (T3)."""
    model = ConsortiumModel(load_scenario("ccpt_baseline", [BETA, LOGIT]), 2)
    t, tp = model.partnerships, model.params.trust
    events = 0
    while model.month < model.months:
        check_invariants(model)
        tie = t.tie
        mean = np.array([ref.beta_mean(r, s, tp) for r, s in zip(t.positive[tie],
                                                                  t.negative[tie], strict=True)])
        assert np.allclose(t.personal[tie], mean, rtol=0.0, atol=1e-12)
        assert (t.positive >= 0).all() and (t.negative >= 0).all()
        events = model.organizations.turnover_events
        model.step()
    assert events > 0 and model.series["ties"].min() > 0


@pytest.mark.parametrize("seed", range(3))
def test_the_record_counts_match_the_state(seed: int) -> None:
    model = ConsortiumModel(ScenarioParams(), seed)
    o, t, lad = model.organizations, model.partnerships, model.employers
    for month in range(24):
        model.step()
        rec = {k: v[month] for k, v in model.series.items()}
        part = o.taking_part
        assert np.array_equal(model.record.collaboration_edges[month],
                              np.packbits(t.active & part[t.i] & part[t.j]))
        assert rec["active_ties"] == t.active.sum()
        assert rec["active_cross_sector_ties"] == (t.active & t.cross).sum()
        assert rec["ties"] == t.tie.sum() and rec["taking_part_share"] == part.sum() / model.n
        emp = lad.employers
        assert rec["employers_engaged"] == ((lad.rung[emp] >= Rung.SPEAKER) & part[emp]).sum()
        assert rec["employer_pledges_met"] == (
            ((lad.rung[emp] >= lad.pledged_rung[emp]) & part[emp]).sum() / len(emp))
        assert rec["mean_personal_trust"] == pytest.approx(t.personal[t.tie].mean())
        assert rec["mean_trust"] == pytest.approx(t.trust[t.tie].mean())
        assert rec["institutionalization"] == pytest.approx(o.habit[o.ever_part].mean())
        assert rec["program_level"] == pytest.approx(o.program[o.local > 0].mean())
        assert rec["turnover_events"] == o.turnover_events
        assert rec["phase"] == model.consortium.phase


# ============================================================================ extreme conditions
@pytest.mark.mechanism("M4", "M10")
@pytest.mark.parametrize("seed", range(4))
def test_no_grant_and_no_prior_ties_no_consortium_forms(seed: int) -> None:
    p = no_grant(region=dict(prior_tie_density=0.0, prior_infrastructure=0.0))
    model = ConsortiumModel(p, seed)
    o, t = model.organizations, model.partnerships
    assert not o.taking_part.any() and not t.tie.any()
    while model.month < model.months:
        model.step()
        assert not o.ever_part.any() and not t.active.any()
    res = run(p, seed)
    series = res.record.series
    for name in ("taking_part_share", "operating_raw", "active_ties", "active_cross_sector_ties",
                 "positions_filled", "partner_funding_ratio"):
        assert (series[name] == 0).all(), name
    assert (res.record.function_level() == 0).all()
    for name in ("function_level_2y", "regional_collaboration_2y", "regional_collaboration_4y"):
        assert res.outcomes[name] == 0.0, name


@pytest.mark.mechanism("M4")
def test_a_grant_does_form_a_consortium_from_scratch() -> None:
    """Control for the test above: the same empty region with the grant does organize."""
    empty = scenario(region=dict(prior_tie_density=0.0, prior_infrastructure=0.0))
    series = run(empty, 0).record.series
    assert series["taking_part_share"].max() > 0.5 and series["active_ties"].max() > 0


ZERO_TURNOVER = dict(turnover_district=0.0, turnover_college=0.0, turnover_employer=0.0,
                     turnover_intermediary=0.0)


@pytest.mark.mechanism("M6", "M7", "M21")
@pytest.mark.parametrize("backbone", [True, False])
def test_zero_turnover_no_leader_changes(backbone: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    monkeypatch.setattr(Organization, "change_leader", lambda self: calls.append(self.index))
    model = ConsortiumModel(scenario(leadership=ZERO_TURNOVER, grant=dict(backbone=backbone)), 8)
    t, o = model.partnerships, model.organizations
    resets = []
    original = t.reset_personal

    def spy(org: int, keep: float) -> None:
        resets.append((model.month, int(org), keep))
        original(org, keep)

    t.reset_personal = spy
    filled = []
    while model.month < model.months:
        model.step()
        filled.append(model.backbone.filled)
    assert not calls and o.turnover_events == 0 and (o.leader_id == 0).all()
    assert (model.series["turnover_events"] == 0).all()
    if backbone:
        # The only personal-trust resets left are the positions' hosts', when paid
        # coordinators go.
        hosts = set(model.backbone.host.tolist())
        assert resets and all(org in hosts for _, org, _ in resets)
        lost = {month for month in range(1, len(filled)) if filled[month] < filled[month - 1]}
        assert {month for month, _, _ in resets} <= lost
    else:
        assert not resets


@pytest.mark.mechanism("M6")
def test_default_turnover_does_change_leaders() -> None:
    events = run(ScenarioParams(), 8).record.series["turnover_events"]
    assert events[-1] > 10 and (np.diff(events) >= 0).all()


@pytest.mark.mechanism("M1")
@pytest.mark.parametrize("seed", range(3))
def test_zero_decay_and_dissolution_no_tie_ever_dissolves(seed: int) -> None:
    p = scenario(trust=dict(decay_rate=0.0, institutional_decay=0.0),
                 ties=dict(dissolution_rate=0.0), leadership=ZERO_TURNOVER)
    model = ConsortiumModel(p, seed)
    prev = model.partnerships.tie.copy()
    while model.month < model.months:
        model.step()
        now = model.partnerships.tie
        assert not (prev & ~now).any(), f"tie dissolved in month {model.month - 1}"
        prev = now.copy()
    assert (np.diff(model.series["ties"]) >= 0).all()
    assert model.series["ties"][-1] > model.series["ties"][0]


def test_default_ties_do_dissolve() -> None:
    """Control for the test above: with the default rates ties are lost."""
    assert (np.diff(run(ScenarioParams(), 0).record.series["ties"]) < 0).any()


def test_zero_dissolution_alone_keeps_every_tie() -> None:
    ties = run(scenario(ties=dict(dissolution_rate=0.0)), 1).record.series["ties"]
    assert (np.diff(ties) >= 0).all()


@pytest.mark.mechanism("M21", "M22")
@pytest.mark.parametrize("seed", range(3))
def test_a_grant_without_channels_behaves_like_no_grant_in_money_and_positions(seed: int) -> None:
    off = scenario(grant=CHANNELS_OFF)
    channels_off, none = run(off, seed).record.series, run(no_grant(), seed).record.series
    for name in ("state_share", "partner_funding_ratio", "positions_filled", "positions_funded"):
        assert np.array_equal(channels_off[name], none[name]), name
    for name in ("state_share", "positions_filled", "positions_funded"):
        assert (channels_off[name] == 0).all(), name
    # Without a grant there is no award to size partners' budgets by: they pay nothing.
    assert (channels_off["partner_funding_ratio"] == 0).all()
    model = ConsortiumModel(off, seed)
    assert model.backbone.planned == 0
    assert not model.organizations.signatory.any()
    assert not model.organizations.money_motivated.any()


@pytest.mark.mechanism("M21", "M23")
@pytest.mark.parametrize("extra", [{}, dict(retained_backbone_share=0.5),
                                   dict(follow_on_year=3, follow_on_musd=3.0)],
                         ids=["plain", "retained", "follow_on"])
def test_backbone_off_positions_stay_zero(extra: dict) -> None:
    res = run(scenario(grant=dict(backbone=False, **extra)), 4)
    assert (res.record.series["positions_filled"] == 0).all()
    assert (res.record.series["positions_funded"] == 0).all()
    assert run(scenario(grant=extra), 4).record.series["positions_filled"].max() > 0


@pytest.mark.mechanism("M11")
def test_chance_encounters_fade_with_distance() -> None:
    """Far-apart organizations (travel scale 1 km, region 1000 km) never meet by chance."""
    far = dict(length_km=1000.0, width_km=1000.0, prior_tie_density=0.0)
    p = no_grant(region=far, ties=dict(travel_scale_km=1.0, spontaneous_rate=0.5),
                 outcomes=dict(horizon_years=1))
    t = ConsortiumModel(p, 1).run().partnerships
    assert not (t.tie & (t.distance > 50.0)).any()
    near = no_grant(region=far, ties=dict(travel_scale_km=1000.0, spontaneous_rate=0.5),
                    outcomes=dict(horizon_years=1))
    t2 = ConsortiumModel(near, 1).run().partnerships
    assert (t2.tie & (t2.distance > 50.0)).sum() > 100


# ============================================================================ reproducibility
SHORT = scenario(outcomes=dict(horizon_years=6))


def test_same_seed_same_run() -> None:
    first, second = run(SHORT, 123), run(SHORT, 123)
    assert series_equal(first.record.series, second.record.series)
    assert outcomes_equal(first.outcomes, second.outcomes)
    assert series_equal(first.record.series,
                        run(SHORT, np.random.SeedSequence(123)).record.series)
    ss = np.random.SeedSequence(77)
    first, second = run(SHORT, ss), run(SHORT, ss)
    assert series_equal(first.record.series, second.record.series)
    assert outcomes_equal(first.outcomes, second.outcomes)
    # A sweep's Generator gives the same run as its SeedSequence.
    handed = run(SHORT, np.random.default_rng(np.random.SeedSequence(77)))
    assert series_equal(first.record.series, handed.record.series)


def test_different_seeds_differ() -> None:
    first, second = run(SHORT, 1), run(SHORT, 2)
    assert not series_equal(first.record.series, second.record.series)
    assert not np.array_equal(first.record.series["mean_trust"],
                              second.record.series["mean_trust"])


def test_spawned_children_replay() -> None:
    children = np.random.SeedSequence(42).spawn(3)
    first = run(SHORT, children[1])
    again = run(SHORT, np.random.SeedSequence(42).spawn(3)[1])
    assert series_equal(first.record.series, again.record.series)
    assert outcomes_equal(first.outcomes, again.outcomes)
    assert first.spawn_key == (1,) and first.seed_entropy == 42
    assert [s.spawn_key for s in replicate_seeds(42, 3)] == [c.spawn_key for c in children]
    assert not series_equal(first.record.series, run(SHORT, children[0]).record.series)


def test_no_global_rng_use() -> None:
    np.random.seed(1)  # noqa: NPY002
    random.seed(1)
    first = run(SHORT, 9)
    np.random.seed(2)  # noqa: NPY002
    random.seed(2)
    np_state, py_state = np.random.get_state(), random.getstate()  # noqa: NPY002
    second = run(SHORT, 9)
    assert series_equal(first.record.series, second.record.series)
    assert outcomes_equal(first.outcomes, second.outcomes)
    after = np.random.get_state()  # noqa: NPY002
    assert after[0] == np_state[0] and np.array_equal(after[1], np_state[1])
    assert after[2:] == np_state[2:] and random.getstate() == py_state


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
    return scenario(p, outcomes=dict(horizon_years=p.grant.grant_years + years_after))


SCENARIOS = {
    "base": horizon(BASE, 2),
    "state_5y": horizon(scenario(grant=dict(state_years=5)), 2),
    "retained_backbone": horizon(scenario(grant=dict(retained_backbone_share=0.5)), 2),
    "turnover_x2": horizon(scenario(leadership=dict(
        turnover_district=2 * L.turnover_district, turnover_college=2 * L.turnover_college,
        turnover_employer=2 * L.turnover_employer,
        turnover_intermediary=2 * L.turnover_intermediary)), 0),
    "prior_infrastructure": horizon(scenario(region=dict(prior_infrastructure=0.6,
                                                         prior_tie_density=0.2)), 2),
    "taper_2y": horizon(scenario(grant=dict(taper_years=2)), 2),
    "system_ta": horizon(scenario(grant=dict(ta_system_share=0.6)), 0),
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
    pytest.param("state_5y", "base", "function_level_2y", "greater",
                 marks=pytest.mark.mechanism("M22")),
    pytest.param("retained_backbone", "base", "positions_retained_2y", "greater",
                 marks=pytest.mark.mechanism("M21")),
    pytest.param("retained_backbone", "base", "function_level_2y", "greater",
                 marks=pytest.mark.mechanism("M21")),
    pytest.param("turnover_x2", "base", "mean_trust_grant_end", "less",
                 marks=pytest.mark.mechanism("M6", "M7")),
    pytest.param("prior_infrastructure", "base", "function_level_2y", "greater",
                 marks=pytest.mark.mechanism("M10")),
    pytest.param("taper_2y", "base", "function_level_2y", "greater",
                 marks=pytest.mark.mechanism("M22")),
    pytest.param("system_ta", "base", "institutionalization_grant_end", "greater",
                 marks=pytest.mark.mechanism("M9", "M13")),
]


@pytest.mark.parametrize(("scenario_name", "reference", "outcome", "direction"), PAIRS,
                         ids=[f"{p.values[0]}-{p.values[2]}" for p in PAIRS])
def test_scenario_direction(scenario_name: str, reference: str, outcome: str, direction: str,
                            scenario_outcomes: dict) -> None:
    treated = scenario_outcomes[scenario_name][outcome]
    control = scenario_outcomes[reference][outcome]
    assert np.isfinite(treated).all() and np.isfinite(control).all()
    diff = treated.mean() - control.mean()
    means = (treated.mean(), control.mean())
    assert (diff > 0) if direction == "greater" else (diff < 0), means
    pvalue = stats.ttest_ind(treated, control, alternative=direction).pvalue
    assert pvalue < ALPHA, (*means, pvalue)


# ============================================================================ alternatives
def test_rules_default_to_beta_reputation_trust_and_threshold_exits() -> None:
    p = ScenarioParams()
    assert p.trust.rule == "beta_reputation" and p.commitment.exit_rule == "threshold"


def test_a_scenario_file_chooses_the_alternative_rules(tmp_path: Path) -> None:
    path = tmp_path / "structural.toml"
    path.write_text('extends = "ccpt_baseline.toml"\n\n[trust]\nrule = "asymmetric"\n'
                    "gain_rate = 0.2\n\n[commitment]\nexit_rule = \"logit\"\n"
                    "exit_slope = 60.0\n", encoding="utf-8")
    p = load_scenario(path)
    assert p.trust.rule == "asymmetric" and p.commitment.exit_rule == "logit"
    assert p.trust.gain_rate == 0.2 and p.commitment.exit_slope == 60.0
    assert p.region.n_districts == load_scenario("ccpt_baseline").region.n_districts
    again = load_scenario("ccpt_baseline", [ASYMMETRIC, LOGIT])
    assert again.trust.rule == "asymmetric" and again.commitment.exit_rule == "logit"
    model = ConsortiumModel(again, 0)
    assert type(model.trust_rule).__name__ == "AsymmetricTrust"
    assert type(model.exit_rule).__name__ == "LogitExit"
    assert model.partnerships.rule is model.trust_rule


@pytest.mark.parametrize(("text", "key"), [
    ('[trust]\nrule = "bayesian"\n', "trust.rule"),
    ('[commitment]\nexit_rule = "probit"\n', "commitment.exit_rule"),
    ("[trust]\nrule = 1\n", "trust.rule"),
    ("[trust]\nbeta_forgetting = 1.0\n", "trust.beta_forgetting"),
    ("[commitment]\nexit_slope = -1\n", "commitment.exit_slope"),
])
def test_bad_rule_choices_are_scenario_errors(tmp_path: Path, text: str, key: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert info.value.key == key and Path(info.value.file).name == "bad.toml"
    if "rule" in key:
        assert "asymmetric" in info.value.problem or "threshold" in info.value.problem


@pytest.mark.parametrize("args", [["--set", "trust.rule=bayesian"],
                                  ["--set", 'commitment.exit_rule="probit"']])
def test_bad_rule_on_the_command_line_exits_2(tmp_path: Path, args: list[str]) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", "ccpt_baseline", *args, "--out", str(out)],
                                env={"COLUMNS": "200"})
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "rule" in lines[0]
    assert "Traceback" not in result.output and not out.exists()


def test_rule_parameters_say_which_rule_they_belong_to() -> None:
    when = {row["key"]: row["when"] for row in parameter_table() if row["when"]}
    assert when == {
        **{f"trust.{name}": ("trust.rule", "asymmetric")
           for name in ("gain_rate", "loss_ratio", "decay_rate", "age_slowing")},
        "trust.beta_forgetting": ("trust.rule", "beta_reputation"),
        "trust.beta_prior_weight": ("trust.rule", "beta_reputation"),
        "trust.beta_negative_weight": ("trust.rule", "beta_reputation"),
        "commitment.exit_slope": ("commitment.exit_rule", "logit"),
        "governance.hub_focus": ("governance.mode", "hierarchical_mou"),
        **{f"governance.{name}": ("governance.mode", "shared_open")
           for name in ("workgroup_formation", "workgroup_interaction", "workgroup_leadership",
                        "shared_control", "workgroup_cost")},
        "grant.reassigned_share": ("grant.staffing_strategy", "reassign_existing"),
        "grant.reassigned_output": ("grant.staffing_strategy", "reassign_existing"),
    }
    rows = {row["key"]: row for row in parameter_table()}
    for key in ("trust.rule", "commitment.exit_rule"):
        assert rows[key]["unit"] == "choice" and rows[key]["source"] == "literature"


@pytest.mark.parametrize("alternative", list(ALTERNATIVES))
def test_ccpt_baseline_runs_under_each_alternative(alternative: str) -> None:
    params = load_scenario("ccpt_baseline", [*ALTERNATIVES[alternative], EIGHT_YEARS])
    for seed in range(3):
        out = run(params, seed).outcomes
        censored = {name for name in out if name.startswith("years_to_")}  # NaN: not reached
        assert all(math.isfinite(v) for k, v in out.items() if k not in censored), out
        for name in UNIT_OUTCOMES:
            assert 0.0 <= out[name] <= 1.0, (name, out[name])
        assert out["status_2y"] in (0.0, 1.0, 2.0) and out["status_4y"] in (0.0, 1.0, 2.0)
        assert all(v >= 0.0 for k, v in out.items() if k not in censored)
        again = run(params, seed).outcomes
        assert all(again[k] == v or (math.isnan(v) and math.isnan(again[k]))
                   for k, v in out.items())
    assert run(params, 3).outcomes != out


def test_the_alternatives_change_the_run() -> None:
    series = {name: run(load_scenario("ccpt_baseline", [*over, EIGHT_YEARS]), 5).record.series
              for name, over in {"default": [], **ALTERNATIVES}.items()}
    for name in ALTERNATIVES:
        assert not np.array_equal(series[name]["taking_part_share"],
                                  series["default"]["taking_part_share"]), name


def test_default_rules_ignore_the_alternative_parameters() -> None:
    """Parameters of a rule that is not chosen change nothing, to the last bit."""
    base = load_scenario("ccpt_baseline", [EIGHT_YEARS])
    other = with_values(base, {"trust.gain_rate": 0.3, "trust.loss_ratio": 7.0,
                               "trust.decay_rate": 0.5, "trust.age_slowing": 0.5,
                               "commitment.exit_slope": 3.0,
                               "grant.reassigned_share": 0.9, "grant.reassigned_output": 0.1})
    assert series_equal(run(base, 9).record.series, run(other, 9).record.series)


@pytest.mark.mechanism("M4")
@pytest.mark.parametrize("rule", ["threshold", "logit"])
def test_the_exit_pass_gets_uniforms_only_under_the_logit_rule(
        rule: str, monkeypatch: pytest.MonkeyPatch) -> None:
    seen = []
    original = commitment.take_part

    def spy(*args: object) -> None:
        seen.append(args[-1])
        original(*args)

    monkeypatch.setattr(commitment, "take_part", spy)
    model = ConsortiumModel(load_scenario("ccpt_baseline", [f'commitment.exit_rule="{rule}"',
                                                            "outcomes.horizon_years=1"]), 0)
    model.run()
    assert len(seen) == 12
    if rule == "threshold":
        assert all(u is None for u in seen)
    else:
        assert all(u.shape == (model.n,) and ((u >= 0) & (u < 1)).all() for u in seen)


def test_batch_runs_step_the_same_months_as_mesas_scheduled_step() -> None:
    params = load_scenario("workshop_small")
    scheduled, batch, halves = (ConsortiumModel(params, 21) for _ in range(3))
    for _ in range(params.months):
        scheduled.step()
    batch.run()
    halves.run(until=37)
    assert halves.month == 37 and np.isnan(halves.series["operating_raw"][37])
    halves.run(until=10)  # never backwards
    assert halves.month == 37
    halves.run(until=10_000)
    for other in (batch, halves):
        assert other.month == params.months
        for name, values in scheduled.series.items():
            assert np.array_equal(values, other.series[name], equal_nan=True), name
        assert other.rng.bit_generator.state == scheduled.rng.bit_generator.state
    assert scheduled.steps == params.months  # Mesa's clock follows model.step()
    assert batch.steps == 0
