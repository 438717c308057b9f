"""Build and erode: every mechanism can push its target both ways, as its quotes say.

:data:`BUILD_ERODE` names, for each mechanism the model represents, one test that shows it
*building* its target (raising the term it feeds: trust, vision, commitment, habits,
employers' return, money) and one that shows it *eroding* it, in the direction of the
brief's quotes. Many of them live with their rule family's tests in ``tests/agents``; this
module adds the ones that were missing, at the level of the rule functions (analytic) and,
where cheap, as a paired-seed direction on a small model (the same seed with the
mechanism's knob one way and the other). ``test_every_mechanism_has_a_build_and_an_erode
_test`` keeps the registry whole: every implemented mechanism is in it, every test it names
exists and carries the mechanism's marker.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from conftest import (
    evidence,
    org_state,
    pair_index,
    pair_state,
    scenario,
    small_model,
    small_scenario,
    trust_after_reset,
)
from scipy import stats

from agents import commitment, employers, institutions, leadership, money, programs, ties
from agents.codes import Sector
from agents.mechanisms import MECHANISMS
from agents.params import Params
from agents.trust import AsymmetricTrust
from sim.explain import marked_tests
from sim.model import ConsortiumModel

ROOT = Path(__file__).resolve().parent.parent
HERE = "tests/test_build_erode.py"
TRUST = "tests/agents/test_trust.py"
TIES = "tests/agents/test_ties.py"
COMMITMENT = "tests/agents/test_commitment.py"
MONEY = "tests/agents/test_money.py"
INSTITUTIONS = "tests/agents/test_institutions.py"
EMPLOYERS = "tests/agents/test_employers.py"
LEADERSHIP = "tests/agents/test_leadership.py"
ORGANIZATIONS = "tests/agents/test_organizations.py"
PROGRAMS = "tests/agents/test_programs.py"
MINDSET = "tests/agents/test_mindset.py"

BUILD_ERODE: dict[str, tuple[str, str]] = {
    "M1": (f"{TRUST}::test_a_win_raises_and_a_let_down_lowers_personal_trust",
           f"{TRUST}::test_idle_trust_relaxes_to_baseline_more_slowly_on_old_ties"),
    "M2": (f"{INSTITUTIONS}::test_shared_vision_grows_at_well_attended_convenings_on_systems_work",
           f"{HERE}::test_m2_without_convenings_vision_fades_and_power_struggles_return"),
    "M3": (f"{COMMITMENT}::test_money_motivated_partners_weigh_grant_money_more",
           f"{TIES}::test_the_lead_s_money_power_brings_let_downs_unless_defused"),
    "M4": (f"{COMMITMENT}::test_a_coalition_of_the_willing_can_form_again_after_everyone_left",
           f"{COMMITMENT}::test_exits_on_low_commitment_or_few_partners_and_joins_by_invitation"
           "_or_contagion"),
    "M5": (f"{HERE}::test_m5_champions_raise_commitment_contributions_and_absorption",
           f"{PROGRAMS}::test_activity_follows_the_least_engaged_sector"),
    "M6": (f"{ORGANIZATIONS}::test_a_champion_successor_pulls_commitment_up_unless_practice_is"
           "_sedimented",
           f"{TRUST}::test_turnover_keeps_a_share_of_personal_trust_and_falls_back_to_baseline"),
    "M7": (f"{TRUST}::test_institutional_trust_follows_personal_trust_as_far_as_the_tie_is"
           "_formal",
           f"{ORGANIZATIONS}::test_lost_coordinators_take_their_share_of_the_lead_s_personal"
           "_trust"),
    "M8": (f"{HERE}::test_m8_effective_brokers_lift_employers_up_the_ladder_on_a_small_model",
           f"{HERE}::test_m8_brokering_erodes_at_the_intermediaries_own_funding_cliff"),
    "M9": (f"{INSTITUTIONS}::test_system_level_coaching_is_stronger_where_prior_infrastructure"
           "_is_thin",
           f"{HERE}::test_m9_without_ta_providers_there_is_no_coaching_and_the_lead_drifts"
           "_to_quick_wins"),
    "M10": (f"{HERE}::test_m10_collaboration_history_starts_ties_trust_formality_and_habits",
            f"{TIES}::test_a_prior_cluster_resists_newcomers_as_far_as_it_is_insular"),
    "M11": (f"{COMMITMENT}::test_attendance_needs_taking_part_capacity_commitment_and_nearness",
            f"{COMMITMENT}::test_crowded_meetings_lose_attendance_and_employers_do_not_crowd"
            "_them"),
    "M12": (f"{HERE}::test_m12_urgency_and_engaged_employers_frame_the_region_and_it_pays",
            f"{HERE}::test_m12_program_delivery_unframes_the_region_and_convenings_need_money"),
    "M13": (f"{INSTITUTIONS}::test_habits_grow_when_enacted_and_decay_to_the_floor",
            f"{INSTITUTIONS}::test_enacting_the_practice_needs_taking_part_contact_and"
            "_activity"),
    "M14": (f"{HERE}::test_m14_visible_value_keeps_partners_patient",
            f"{HERE}::test_m14_without_visible_value_partners_tire_and_push_for_quick_wins"),
    "M15": (f"{HERE}::test_m15_telling_the_story_builds_the_narrative_that_makes_process_gains"
            "_count",
            f"{HERE}::test_m15_unnarrated_process_gains_leave_partners_waiting"),
    "M16": (f"{EMPLOYERS}::test_meeting_students_raises_the_return_more_under_urgency",
            f"{EMPLOYERS}::test_transactional_asks_scare_employers_off_only_when_enabled"),
    "M17": (f"{EMPLOYERS}::test_a_liability_solution_lowers_manufacturing_s_barrier",
            f"{EMPLOYERS}::test_sector_barriers_slow_the_climb_into_work_based_learning_only"),
    "M18": (f"{INSTITUTIONS}::test_agreements_need_an_attempt_that_survives_the_faculty_veto",
            f"{HERE}::test_m18_veto_rivalry_and_k12_administration_erode_college_alignment"),
    "M19": (f"{HERE}::test_m19_spreading_the_money_across_sectors_lifts_the_penalty",
            f"{MONEY}::test_k12_dominance_of_the_money_costs_the_other_sectors"),
    "M20": (f"{COMMITMENT}::test_shared_metrics_lower_the_commitment_floor_under_both_exit"
            "_rules",
            f"{HERE}::test_m20_without_shared_data_value_grant_chances_and_staying_power_fall"),
    "M21": (f"{MONEY}::test_reassigned_staff_are_in_place_from_the_start_give_less_and_outlast"
            "_the_cliff",
            f"{MONEY}::test_hiring_gets_harder_as_the_grant_runs_out"),
    "M22": (f"{MONEY}::test_contribution_share_rises_with_value_habits_champions_and_identity",
            f"{HERE}::test_m22_when_value_falls_partners_pay_less_and_operations_scale_back"),
    "M23": (f"{MONEY}::test_grants_are_pursued_then_won_or_lost_and_pay_while_they_run",
            f"{MONEY}::test_coordination_adds_staff_habits_and_staff_time_less_a_grant_chase"),
    "M24": (f"{COMMITMENT}::test_coherent_state_signals_restore_capacity_that_initiative"
            "_overload_takes",
            f"{COMMITMENT}::test_costs_and_dominance_lower_commitment_and_coordinators_or_habits"
            "_relieve_costs"),
    "M25": (f"{HERE}::test_m25_shared_control_brings_partners_together_and_spreads_leadership",
            f"{HERE}::test_m25_a_hierarchy_holds_back_ties_between_partners"),
    "M26": (f"{HERE}::test_m26_a_coaching_lead_builds_ties_between_partners",
            f"{HERE}::test_m26_a_directive_lead_s_imposed_agenda_erodes_trust_in_it"),
    "M27": (f"{MINDSET}::test_m27_exposure_and_partners_build_mindsets_over_years_not_months",
            f"{MINDSET}::test_m27_resisters_and_low_mindset_successors_erode_mindsets"),
    "M28": (f"{HERE}::test_m28_urgency_raises_every_partner_s_initial_commitment",
            f"{HERE}::test_m28_urgency_shortens_partners_patience"),
    "M29": (f"{MONEY}::test_pledges_are_honoured_more_with_commitment_habits_the_same_leader"
            "_and_enforcement",
            f"{MONEY}::test_ask_mismatch_and_distrust_of_the_lead_break_more_pledges"),
    "M30": (f"{HERE}::test_m30_purposeful_recruitment_seats_a_fitter_more_committed_table",
            f"{HERE}::test_m30_the_wrong_ones_leave_early_and_take_their_ties_with_them"),
    "M31": (f"{MONEY}::test_contribution_share_rises_with_value_habits_champions_and_identity",
            f"{TIES}::test_a_prior_cluster_resists_newcomers_as_far_as_it_is_insular"),
    "M32": (f"{HERE}::test_m32_a_narrow_scope_keeps_employers_at_the_table_and_coordination"
            "_for_depth",
            f"{HERE}::test_m32_breadth_thins_employers_attendance_and_coordination"),
    "M33": (f"{TRUST}::test_cross_sector_ties_gain_more_slowly_unless_spanners_bridge_them",
            f"{HERE}::test_m33_without_spanners_cross_sector_trust_grows_slower_and_loses_more"),
    "M34": (f"{EMPLOYERS}::test_a_liability_solution_lowers_manufacturing_s_barrier",
            f"{COMMITMENT}::test_coherent_state_signals_restore_capacity_that_initiative"
            "_overload_takes"),
}
"""Mechanism id -> (build test, erode test), as ``file::function`` node ids."""


def rules(**sections: dict) -> Params:
    return Params(scenario(**sections))


@cache
def _defined_tests(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test"):
            names.add(node.name)
    return names


def test_every_mechanism_has_a_build_and_an_erode_test() -> None:
    assert set(BUILD_ERODE) == set(MECHANISMS)
    marked = {mid: {f"{file}::{name}" for file, _, name in tests}
              for mid, tests in marked_tests().items()}
    for mid, nodes in BUILD_ERODE.items():
        assert len(nodes) == 2, mid
        for node in nodes:
            file, _, name = node.partition("::")
            assert name in _defined_tests(ROOT / file), f"{mid}: no test {node}"
            assert node in marked.get(mid, set()), f"{mid}: {node} is not marked {mid}"


# ------------------------------------------------------------------ helpers
def meeting(n: int, committed: float = 0.5) -> SimpleNamespace:
    """Everybody at one regional meeting, taking part with the given commitment."""
    return SimpleNamespace(attended=np.ones(n, dtype=bool), group=np.zeros(n, dtype=np.int64),
                           committed=np.full(n, committed), regional=True)


def signals(**values: object) -> SimpleNamespace:
    return SimpleNamespace(**dict(dict(month=12, grant_end=48, money_end=36, state_share=1.0,
                                       vision=0.0, data=0.0, peer_work=1.0, power_distance=1.0,
                                       lead_formation=1.0, peer_formation=1.0), **values))


def signal_of(vision: float, u: float, params: Params) -> np.ndarray:
    """Signals on three tied pairs, two of them with the lead, with this month's draw ``u``."""
    t = pair_state(3, tie=True, letdown_base=0.05, lead_edge=[True, True, False])
    draws = np.array([np.zeros(3), np.full(3, u), np.ones(3), np.ones(3)])
    ties.interact(t, meeting(3), signals(vision=vision), params, draws)
    return t.signal


def paired_means(months: int, seeds: tuple[int, ...], read, low: dict, high: dict) -> np.ndarray:
    """``read(model)`` after ``months`` on the same seeds under two settings: rows low, high."""
    out = np.zeros((2, len(seeds)))
    for row, sections in enumerate((low, high)):
        for col, seed in enumerate(seeds):
            out[row, col] = read(small_model(seed, months, **sections))
    return out


def assert_paired_greater(means: np.ndarray) -> None:
    """The high row exceeds the low row across paired seeds: mean difference and Wilcoxon."""
    diff = means[1] - means[0]
    assert diff.mean() > 0, means
    assert stats.wilcoxon(diff, alternative="greater").pvalue < 0.05, means


# ------------------------------------------------------------------ M8
@pytest.mark.mechanism("M8", "M16")
def test_m8_effective_brokers_lift_employers_up_the_ladder_on_a_small_model() -> None:
    def rung(model: ConsortiumModel) -> float:
        lad = model.employers
        return float(lad.rung[lad.is_employer].mean())

    passive = dict(quality_mean=0.0, quality_spread=0.0)
    means = paired_means(24, tuple(range(12)), rung, dict(intermediaries=passive),
                         dict(intermediaries=dict(quality_mean=0.9, quality_spread=0.0)))
    assert_paired_greater(means)


@pytest.mark.mechanism("M8")
def test_m8_brokering_erodes_at_the_intermediaries_own_funding_cliff() -> None:
    def brokering(model: ConsortiumModel) -> float:
        it = model.intermediaries
        return float(it.strength[it.brokers].mean() + it.quality[it.brokers].mean())

    # Three years of state money, one partner year, then a year after, with partners that
    # have no money to give: grant-paid brokers lose strength and quality; brokers that
    # pay their own way (or anchors) do not.
    broke = dict(sustainment=dict(partner_capacity_ratio=0.0))
    means = paired_means(60, (0, 1, 2, 3), brokering,
                         dict(intermediaries=dict(grant_dependence=1.0), **broke),
                         dict(intermediaries=dict(grant_dependence=0.0), **broke))
    assert (means[0] < means[1]).all()


# ------------------------------------------------------------------ M9
@pytest.mark.mechanism("M9", "M13", "M14")
def test_m9_without_ta_providers_there_is_no_coaching_and_the_lead_drifts_to_quick_wins(
) -> None:
    def drift(model: ConsortiumModel) -> float:
        if not model.params.region.n_ta_providers:
            assert model.consortium.ta == 0.0 == model.consortium.coaching
        orientation = model.series["orientation"]
        return float(orientation[23] - orientation[0])

    # A region without TA providers draws other organizations, so the lead's move over two
    # grant years is compared: further towards systems work with coaching than without.
    means = paired_means(24, tuple(range(12)), drift, dict(region=dict(n_ta_providers=0)),
                         dict(region=dict(n_ta_providers=1)))
    assert_paired_greater(means)


@pytest.mark.mechanism("M6")
def test_m6_funded_onboarding_keeps_more_trust_only_while_the_grant_runs() -> None:
    p = rules(leadership=dict(onboarding=0.2), grant=dict(onboarding_support=0.5))
    plain = leadership.trust_kept(p, 0.1)
    supported = leadership.trust_kept(p, 0.1, True)
    # onboarding 0.2 + 0.5 x 0.8 = 0.6; buffer 1 - 0.4 x 0.9 = 0.64
    r = p.trust.turnover_retention
    assert supported == pytest.approx(r + (1 - r) * 0.64)
    assert plain == pytest.approx(r + (1 - r) * (1 - 0.8 * 0.9)) and supported > plain
    none = rules(leadership=dict(onboarding=0.2))   # CCPT funded none: no difference
    assert leadership.trust_kept(none, 0.1, True) == leadership.trust_kept(none, 0.1)
    # In a run, change_leader applies the support while the grant runs and not after it.
    for month in (12, 60):
        model = small_model(4, month, grant=dict(onboarding_support=0.9))
        t, during = model.partnerships, model.month < model.schedule_.grant_end
        assert during == (month == 12)
        before = evidence(t)
        distributed = model.consortium.distributed
        keep = leadership.trust_kept(model.rules, distributed, during)
        assert (keep > leadership.trust_kept(model.rules, distributed)) == during
        lead = model.organizations.lead
        model.organizations.agents[lead].change_leader()
        tied = t.tie & t.lead_edge
        assert np.allclose(t.personal[tied], trust_after_reset(model, before, keep)[tied])


# ------------------------------------------------------------------ M2
@pytest.mark.mechanism("M2")
def test_m2_without_convenings_vision_fades_and_power_struggles_return() -> None:
    ih = rules(institutionalization=dict(vision_growth=0.04, vision_decay=0.01)
               ).institutionalization
    held = institutions.shared_vision(0.6, 1.0, 0.8, 0.3, 0.0, ih)
    faded = institutions.shared_vision(0.6, 0.0, 0.8, 0.3, 0.0, ih)
    assert faded < 0.6 < held
    # Less vision: fewer shared small wins (a draw of 0.5 is a win only at vision 0.8) ...
    p = rules(trust=dict(positive_rate=0.5, wins_base=0.5, power_gap_penalty=0.25,
                         negative_rate=0.05))
    assert (signal_of(0.8, 0.5, p) == 1).all() and (signal_of(0.0, 0.5, p) == 0).all()
    # ... and the lead's money brings let-downs on its ties again (M3's power gap).
    assert signal_of(0.0, 0.8, p).tolist() == [-1, -1, 0]
    assert signal_of(0.8, 0.8, p).tolist() == [0, 0, 0]


# ------------------------------------------------------------------ M5
@pytest.mark.mechanism("M5")
def test_m5_champions_raise_commitment_contributions_and_absorption() -> None:
    p = rules()
    assert (leadership.successor_disposition(0.45, True, 0.0, p)
            > leadership.successor_disposition(0.45, False, 0.0, p))
    shares = money.contribution_share(np.array([0.5, 0.5]), np.zeros(2),
                                      np.array([True, False]), 0.2, np.zeros(2),
                                      np.zeros(2, dtype=bool), 0.0, p.commitment)
    assert shares[0] > shares[1] > 0.0
    assert money.absorb_chance(0.5, 0.2, True, p) > money.absorb_chance(0.5, 0.2, False, p)
    # Paired seeds on the small model: champions everywhere against none.
    sectors = ("district", "college", "employer", "intermediary")
    means = paired_means(
        12, (0, 1, 2), lambda m: m.organizations.commitment.mean(),
        dict(leadership={f"champion_{s}": 0.0 for s in sectors}),
        dict(leadership={f"champion_{s}": 1.0 for s in sectors}))
    assert (means[1] > means[0]).all()


# ------------------------------------------------------------------ M9
@pytest.mark.mechanism("M9", "M13", "M14")
def test_m9_when_coaching_ends_grant_money_pulls_the_lead_back_to_quick_wins() -> None:
    p = rules(orientation=dict(rate=0.05, ta_pull=1.0, conditioning=0.3))
    coaching = institutions.system_ta(True, 1.0, p)
    assert institutions.system_ta(False, 1.0, p) == 0.0 < coaching
    coached = programs.orientation_step(0.5, coaching, 0.0, 1.0, 0.0, p)
    alone = programs.orientation_step(0.5, 0.0, 0.0, 1.0, 0.0, p)
    assert alone < 0.5 < coached
    # A lead pulled back towards program delivery spends more effort on quick wins.
    assert programs.now_share(alone, p) > programs.now_share(coached, p)
    # Without coaching, flowing money pulls it down geometrically towards program delivery.
    o = 0.8
    for _ in range(120):
        o = programs.orientation_step(o, 0.0, 0.0, 1.0, 0.0, p)
    assert o == pytest.approx(0.8 * (1.0 - 0.05 * 0.3) ** 120)


# ------------------------------------------------------------------ M10
@pytest.mark.mechanism("M10")
def test_m10_collaboration_history_starts_ties_trust_formality_and_habits() -> None:
    history = dict(prior_tie_density=0.3, prior_infrastructure=0.5)
    none = dict(prior_tie_density=0.0, prior_infrastructure=0.0)
    for seed in (0, 1):
        with_history = ConsortiumModel(small_scenario(region=history), seed)
        without = ConsortiumModel(small_scenario(region=none), seed)
        t, orgs = with_history.partnerships, with_history.organizations
        assert t.tie.sum() > 0 and not without.partnerships.tie.any()
        assert (t.formality[t.tie] == 0.5).all() and (t.institutional[t.tie] > 0).any()
        assert (orgs.habit[orgs.prior_member] == 0.5).all() and orgs.prior_member.any()
        assert not without.organizations.habit.any()
        assert with_history.consortium.vision > without.consortium.vision == 0.0
    # Anchors convene from base budgets: history in institutions covers operations.
    p = rules(sustainment=dict(anchor_base_share=0.15))
    assert money.operations_coverage(0.0, 1.0, 0, p) > money.operations_coverage(0.0, 0.0, 0, p)


# ------------------------------------------------------------------ M12
@pytest.mark.mechanism("M12")
def test_m12_urgency_and_engaged_employers_frame_the_region_and_it_pays() -> None:
    p = rules(region=dict(urgency=0.4), framing=dict(rate=0.1, urgency_pull=0.5,
                                                     employer_pull=1.0, program_push=2.0,
                                                     return_gain=1.0, convening_share=0.3))
    # "It forced collaboration around industry sectors and needs, not counties and programs."
    assert institutions.framing_step(0.2, 0.0, 0.0, p) == pytest.approx(0.2 + 0.1 * 0.2 * 0.8)
    assert (institutions.framing_step(0.2, 0.6, 0.0, p)
            > institutions.framing_step(0.2, 0.0, 0.0, p) > 0.2)
    calm = rules(region=dict(urgency=0.0), framing=dict(rate=0.1))
    assert institutions.framing_step(0.2, 0.0, 0.0, calm) == 0.2
    # A framed region: employers gain more from meeting students, and partners convene
    # without grant money ("The convening that has legs is not because you have a grant").
    assert employers.framing_gain(0.5, p) == pytest.approx(1.5)
    assert employers.framing_gain(0.0, p) == 1.0
    assert (money.convening_intensity(0.0, 0.5, 0.2, 0.0, 0.0, 0.5, 1.0, p)
            == pytest.approx(0.2 + 0.3 * 0.5))
    # Paired seeds on a small model: a region framed from the start gives employers a
    # higher perceived return.
    def roi(model: ConsortiumModel) -> float:
        return float(model.employers.roi[model.employers.is_employer].mean())

    means = paired_means(12, (0, 1, 2), roi, dict(region=dict(economic_framing=0.0)),
                         dict(region=dict(economic_framing=0.9)))
    assert (means[1] > means[0]).all()


@pytest.mark.mechanism("M12")
def test_m12_program_delivery_unframes_the_region_and_convenings_need_money() -> None:
    p = rules(region=dict(urgency=0.4), framing=dict(rate=0.1, urgency_pull=0.5,
                                                     employer_pull=1.0, program_push=2.0,
                                                     convening_share=0.3))
    assert institutions.framing_step(0.5, 0.0, 0.8, p) < 0.5  # effort on program delivery
    assert (institutions.framing_step(0.5, 0.0, 0.8, p)
            < institutions.framing_step(0.5, 0.0, 0.3, p))
    # Employers who stop advising (or leave) no longer hold the framing up.
    assert institutions.framing_step(0.5, 0.0, 0.5, p) < institutions.framing_step(0.5, 0.5,
                                                                                   0.5, p)
    framing = 0.6
    for _ in range(60):
        framing = institutions.framing_step(framing, 0.0, 0.7, p)
    assert framing < 0.2
    # Once the framing is gone, convenings after the grant stand on money alone.
    convening = [money.convening_intensity(0.0, 0.5, 0.2, 0.0, 0.0, f, 1.0, p)
                 for f in (0.6, framing, 0.0)]
    assert convening[0] > convening[1] > convening[2] == pytest.approx(0.2)


# ------------------------------------------------------------------ M14, M15
def waiting_world(seed: int = 0, **sections: dict) -> tuple[ConsortiumModel, SimpleNamespace]:
    model = small_model(seed, 0, **sections)
    return model, SimpleNamespace(recent_wins=np.zeros(12))


@pytest.mark.mechanism("M14")
def test_m14_visible_value_keeps_partners_patient() -> None:
    model, c = waiting_world(orientation=dict(patience_threshold=0.15, patience_months=3.0))
    orgs, ladder = model.organizations, model.employers
    orgs.waiting[:] = 10.0
    c.recent_wins[:] = 0.5  # visible wins every month
    orgs.wait_for_value(ladder, c, model.rules)
    valued = orgs.wins_benefit > 0
    assert (orgs.waiting[valued] == 0.0).all() and not orgs.impatient[valued].any()
    # Patient partners push the lead nowhere; visible wins pay them (C1).
    p = model.rules
    assert programs.orientation_step(0.5, 0.0, 0.0, 0.0, 0.0, p) == 0.5
    assert programs.wins_and_process(0.8, 0.7, 1.0, p)[0] > 0.0


@pytest.mark.mechanism("M14")
def test_m14_without_visible_value_partners_tire_and_push_for_quick_wins() -> None:
    model, c = waiting_world(orientation=dict(patience_threshold=0.15, patience_months=3.0),
                             region=dict(urgency=0.0))
    orgs, ladder = model.organizations, model.employers
    for month in range(3):
        orgs.wait_for_value(ladder, c, model.rules)
        assert (orgs.waiting == month + 1).all() and not orgs.impatient.any()
    orgs.wait_for_value(ladder, c, model.rules)  # four months: past three months' patience
    assert orgs.impatient.all()
    orgs.taking_part[:] = True
    assert orgs.impatient_share() == 1.0
    p = model.rules
    pushed = programs.orientation_step(0.5, 0.0, 0.0, 0.0, 1.0, p)
    assert pushed < 0.5 and programs.now_share(pushed, p) > programs.now_share(0.5, p)


@pytest.mark.mechanism("M14", "M15")
def test_m15_narrated_process_gains_count_and_pull_towards_systems_work() -> None:
    for narrative in (0.0, 0.6):
        model = small_model(1, 0, commitment=dict(narrative=narrative))
        c, orgs = model.consortium, model.organizations
        orgs.engaged[:] = np.bincount(orgs.sector, minlength=4)
        c.coordination = c.convening = 1.0
        c.read_schedule(5)
        c.act(orgs, model.rules)
        assert c.process > 0.0
        assert c.recent_wins[5] == pytest.approx(c.wins + narrative * c.process)
    p = rules(orientation=dict(process_pull=1.0, rate=0.05, conditioning=0.0))
    assert programs.orientation_step(0.4, 0.0, 0.3, 0.0, 0.0, p) > 0.4
    assert programs.orientation_step(0.4, 0.0, 0.0, 0.0, 0.0, p) == 0.4


@pytest.mark.mechanism("M15", "M9", "M22")
def test_m15_telling_the_story_builds_the_narrative_that_makes_process_gains_count() -> None:
    p = rules(commitment=dict(narrative_growth=0.02, narrative_decay=0.01)).commitment
    told = programs.narrative_strength(0.3, 1.0, 0.4, p)
    assert told > programs.narrative_strength(0.3, 1.0, 0.0, p) > 0.3  # staff, then coaching
    # Paired seeds on the small model: a consortium that tells its story builds a stronger
    # narrative, so its process gains count more in partners' memory of wins, and so in
    # the value they see when deciding what to pay (M22).
    def told_and_valued(model: ConsortiumModel) -> tuple[float, float]:
        c = model.consortium
        value = money.perceived_value(np.full(3, 0.4), c.recent_wins.mean(), c.data,
                                      model.rules)
        return c.narrative, float(value.mean())

    for seed in (0, 1, 2):
        silent, telling = (told_and_valued(small_model(seed, 12, commitment=dict(
            narrative_growth=g, narrative_decay=0.01))) for g in (0.0, 0.05))
        assert telling[0] > 0.3 > silent[0] and telling[1] > silent[1]


@pytest.mark.mechanism("M14", "M15")
def test_m15_unnarrated_process_gains_leave_partners_waiting() -> None:
    """Process gains the partners hear nothing of do not count ("initially discounted")."""
    # A story nobody keeps telling fades: without coordination or coaching it decays.
    p = rules(commitment=dict(narrative_growth=0.02, narrative_decay=0.02)).commitment
    n = 0.3
    for _ in range(12):
        n = programs.narrative_strength(n, 0.0, 0.0, p)
    assert n == pytest.approx(0.3 * 0.98 ** 12)
    process = 0.5  # a month of process gains and no quick wins
    value = {}
    for narrative, waits in ((0.0, True), (0.8, False)):
        model, c = waiting_world(commitment=dict(narrative=narrative),
                                 orientation=dict(patience_threshold=0.15))
        c.recent_wins[:] = narrative * process
        orgs = model.organizations
        orgs.wait_for_value(model.employers, c, model.rules)
        valued = orgs.wins_benefit > 0.3
        assert (orgs.waiting[valued] == 1.0).all() == waits
        value[narrative] = money.perceived_value(np.full(3, 0.4), c.recent_wins.mean(), 0.0,
                                                 model.rules)
    assert (value[0.0] < value[0.8]).all()


# ------------------------------------------------------------------ M18
@pytest.mark.mechanism("M18")
def test_m18_veto_rivalry_and_k12_administration_erode_college_alignment() -> None:
    competitive = np.array([True, False])
    rivalry = ties.letdown_base(competitive, rules(
        institutionalization=dict(college_competition=0.15), trust=dict(negative_rate=0.05)))
    assert rivalry.tolist() == pytest.approx([0.2, 0.05])
    sector = np.array([Sector.K12, Sector.COLLEGE, Sector.INTERMEDIARY], dtype=np.int8)
    joint = money.receipt(rules(grant=dict(administered_by="joint")), sector, 5.0)
    k12 = money.receipt(rules(grant=dict(administered_by="k12_agency",
                                         k12_agency_college_ownership=0.6)), sector, 5.0)
    assert k12[1] == pytest.approx(0.6 * joint[1]) and k12[0] == joint[0]
    # A certain veto blocks every attempt, however sure the attempt.
    n = 3  # district 0, colleges 1 and 2
    t = pair_state(n, tie=True, trust=0.8, k12_college=[True, True, False])
    orgs = org_state(n, taking_part=True)
    veto = rules(institutionalization=dict(faculty_resistance=1.0, articulation_rate=1.0))
    candidates = institutions.agreement_candidates(orgs, t, veto)
    assert len(candidates) == 2
    institutions.sign_agreements(orgs, t, candidates, veto, np.zeros((2, 2)))
    assert not t.agreement.any()


@pytest.mark.mechanism("M18")
def test_m18_faculty_veto_holds_back_agreements_on_a_small_model() -> None:
    """Paired seeds: with trusted district-college ties, a veto of 1 leaves no agreement."""
    def agreements(model: ConsortiumModel) -> float:
        return float(model.partnerships.agreement.sum() + model.organizations.passages.sum())

    open_ = dict(articulation_trust=0.0, articulation_rate=0.3)
    counts = paired_means(12, (0, 1, 2), agreements,
                          dict(institutionalization=dict(open_, faculty_resistance=1.0)),
                          dict(institutionalization=dict(open_, faculty_resistance=0.0)))
    assert (counts[0] == 0).all() and (counts[1] > 0).all()


# ------------------------------------------------------------------ M19
@pytest.mark.mechanism("M19")
def test_m19_spreading_the_money_across_sectors_lifts_the_penalty() -> None:
    sector = np.array([Sector.K12, Sector.COLLEGE, Sector.EMPLOYER, Sector.INTERMEDIARY],
                      dtype=np.int8)
    penalty = dict(dominance_penalty=0.3, dominance_tolerance=0.2)
    k12_heavy = money.dominance(rules(commitment=penalty), sector)
    balanced = money.dominance(rules(commitment=penalty, grant=dict(
        equipment_k12_share=0.3, equipment_college_share=0.7, subgrant_k12_share=0.3,
        subgrant_college_share=0.7)), sector)
    assert (k12_heavy[1:] > 0).all() and (balanced == 0.0).all()


@pytest.mark.mechanism("M19")
def test_m19_dominance_lowers_the_other_sectors_commitment_on_a_small_model() -> None:
    def others(model: ConsortiumModel) -> float:
        orgs = model.organizations
        return float(orgs.commitment[orgs.sector != Sector.K12].mean())

    means = paired_means(12, (0, 1, 2), others,
                         dict(commitment=dict(dominance_penalty=2.0, dominance_tolerance=0.0)),
                         dict(commitment=dict(dominance_penalty=0.0)))
    assert (means[0] < means[1]).all()


# ------------------------------------------------------------------ M20
@pytest.mark.mechanism("M20")
def test_m20_without_shared_data_value_grant_chances_and_staying_power_fall() -> None:
    ih = rules(institutionalization=dict(data_growth=0.01, data_decay=0.01)).institutionalization
    assert institutions.data_alignment(0.4, False, 0.0, 1.0, ih) == pytest.approx(0.396)
    p = rules(commitment=dict(value_data=0.2, exit_commitment=0.2, data_exit_relief=0.5))
    commit = np.full(2, 0.5)
    assert (money.perceived_value(commit, 0.1, 0.1, p)
            < money.perceived_value(commit, 0.1, 0.6, p)).all()
    assert money.win_chance(0.4, 0.1, p) < money.win_chance(0.4, 0.6, p)
    # As shared data decays, partners judge privately again: the exit floor rises back.
    assert (commitment.exit_floor(0.6, p.commitment) < commitment.exit_floor(0.1, p.commitment)
            < commitment.exit_floor(0.0, p.commitment) == 0.2)
    assert (commitment.exit_chance(0.2, 1.0, 0.0, 0.1, p.commitment)
            > commitment.exit_chance(0.2, 1.0, 0.0, 0.6, p.commitment))


@pytest.mark.mechanism("M20")
def test_m20_shared_metrics_keep_more_partners_at_the_table_on_a_small_model() -> None:
    def taking_part(model: ConsortiumModel) -> float:
        return float(model.organizations.taking_part.sum())

    means = paired_means(72, (0, 1, 2), taking_part, dict(commitment=dict(data_exit_relief=0.0)),
                         dict(commitment=dict(data_exit_relief=1.0)))
    assert (means[1] > means[0]).all()


# ------------------------------------------------------------------ M22
@pytest.mark.mechanism("M22")
def test_m22_when_value_falls_partners_pay_less_and_operations_scale_back() -> None:
    p = rules()
    value = np.array([0.8, 0.4])
    share = money.contribution_share(value, np.zeros(2), np.zeros(2, dtype=bool), 0.2,
                                     np.zeros(2), np.zeros(2, dtype=bool), 0.0, p.commitment)
    assert share[0] > share[1]
    # Less partner money covers less of the operations core, so convenings thin out.
    assert money.operations_coverage(0.3, 0.0, 0, p) < money.operations_coverage(0.8, 0.0, 0, p)
    assert (money.convening_intensity(0.0, 0.5, 0.3, 0.0, 0.0, 0.0, 1.0, p)
            < money.convening_intensity(0.0, 0.5, 0.8, 0.0, 0.0, 0.0, 1.0, p))
    # The partners' own money is crowded out by the state money they got used to (C3).
    used = money.contribution_share(value, np.zeros(2), np.zeros(2, dtype=bool), 0.2,
                                    np.zeros(2), np.zeros(2, dtype=bool), 1.0, p.commitment)
    assert (used < share).all()


# ------------------------------------------------------------------ M25, M26
def peer_ties(model: ConsortiumModel) -> float:
    """Ties between partners other than the lead."""
    t = model.partnerships
    return float((t.tie & ~t.lead_edge).sum())


def lead_trust(model: ConsortiumModel) -> float:
    """Mean personal trust on the lead's ties."""
    t = model.partnerships
    return float(t.personal[t.tie & t.lead_edge].mean())


@pytest.mark.mechanism("M25", "M6")
def test_m25_shared_control_brings_partners_together_and_spreads_leadership() -> None:
    hierarchy = rules(governance=dict(mode="hierarchical_mou", hub_focus=0.15))
    shared = rules(governance=dict(mode="shared_open", workgroup_formation=0.25,
                                   workgroup_interaction=0.25, workgroup_leadership=0.2,
                                   shared_control=0.5))
    assert leadership.formation_bias(0.3, shared)[1] > leadership.formation_bias(0.3, hierarchy)[1]
    assert leadership.peer_work(shared) > leadership.peer_work(hierarchy) == 1.0
    assert leadership.power_distance(0.3, shared) < leadership.power_distance(0.3, hierarchy)
    # Leadership spread across workgroups keeps more trust when a leader leaves (M6).
    assert (leadership.trust_kept(shared, leadership.distributed_leadership(0.3, shared))
            > leadership.trust_kept(hierarchy, leadership.distributed_leadership(0.3, hierarchy)))
    # Paired seeds on the small model: more ties between partners other than the lead.
    counts = paired_means(24, (0, 1, 2), peer_ties,
                          dict(governance=dict(mode="hierarchical_mou")),
                          dict(governance=dict(mode="shared_open")))
    assert (counts[1] > counts[0]).all()


@pytest.mark.mechanism("M25")
def test_m25_a_hierarchy_holds_back_ties_between_partners() -> None:
    p = rules(governance=dict(mode="hierarchical_mou", hub_focus=0.4),
              leadership=dict(coaching_formation=0.0))
    assert leadership.formation_bias(0.5, p) == pytest.approx((1.4, 0.6))
    # Workgroups are not free either: under shared control they take coordination.
    shared = rules(governance=dict(mode="shared_open", workgroup_cost=0.1))
    assert leadership.coordination_left(0.5, shared) < 0.5
    counts = paired_means(24, (0, 1, 2), peer_ties,
                          dict(governance=dict(mode="hierarchical_mou", hub_focus=0.6)),
                          dict(governance=dict(mode="hierarchical_mou", hub_focus=0.0)))
    assert (counts[0] < counts[1]).all()


@pytest.mark.mechanism("M26")
def test_m26_a_coaching_lead_builds_ties_between_partners() -> None:
    p = rules(leadership=dict(coaching_formation=0.5, activator_threshold=0.5,
                              activator_rate=0.02))
    assert leadership.formation_bias(1.0, p)[1] > leadership.formation_bias(0.0, p)[1]
    assert leadership.distributed_leadership(1.0, p) > leadership.distributed_leadership(0.0, p)
    # The activator transition: settled habits turn the lead towards coaching.
    assert leadership.style_step(0.3, 0.6, p) > 0.3 == leadership.style_step(0.3, 0.4, p)
    no_imposition = dict(imposition_rate=0.0, coaching_spread=0.0)
    counts = paired_means(24, (0, 1, 2), peer_ties,
                          dict(leadership=dict(no_imposition, coaching_mean=0.0)),
                          dict(leadership=dict(no_imposition, coaching_mean=1.0)))
    assert (counts[1] > counts[0]).all()


@pytest.mark.mechanism("M26", "M14")
def test_m26_a_directive_lead_s_imposed_agenda_erodes_trust_in_it() -> None:
    p = rules(leadership=dict(imposition_rate=0.04, experiment_cost=0.3))
    assert leadership.imposition_chance(0.0, p) > leadership.imposition_chance(0.8, p)
    # Coaching has its price too: experiments cost early visible wins.
    assert leadership.visible_output(1.0, 0.1, p) < leadership.visible_output(0.0, 0.1, p)
    directive = dict(coaching_mean=0.0, coaching_spread=0.0)
    trust = paired_means(24, (0, 1, 2), lead_trust,
                         dict(leadership=dict(directive, imposition_rate=0.3)),
                         dict(leadership=dict(directive, imposition_rate=0.0)))
    assert (trust[0] < trust[1]).all()


# ------------------------------------------------------------------ M28
@pytest.mark.mechanism("M28")
def test_m28_urgency_raises_every_partner_s_initial_commitment() -> None:
    def start(urgency: float) -> Params:
        return rules(region=dict(urgency=urgency),
                     commitment=dict(initial_mean=0.4, urgency_commitment=0.2))

    assert commitment.initial_commitment(start(0.0)) == 0.4
    assert commitment.initial_commitment(start(1.0)) == pytest.approx(0.6)
    # The same seed draws the same dispositions: urgency shifts every organization up by
    # urgency_commitment times urgency (unless clipped at 0 or 1), and a calm region starts
    # lower by as much.
    for seed in (0, 1):
        calm, urgent = (small_model(seed, 0, region=dict(urgency=u),
                                    commitment=dict(urgency_commitment=0.2)
                                    ).organizations.commitment for u in (0.0, 1.0))
        inside = (calm > 0.0) & (urgent < 1.0)
        assert inside.sum() > len(calm) // 2
        assert np.allclose((urgent - calm)[inside], 0.2) and (urgent >= calm).all()


@pytest.mark.mechanism("M28")
def test_m28_urgency_shortens_partners_patience() -> None:
    calm = rules(region=dict(urgency=0.0), orientation=dict(patience_months=12.0,
                                                           urgency_impatience=0.5))
    urgent = rules(region=dict(urgency=1.0), orientation=dict(patience_months=12.0,
                                                             urgency_impatience=0.5))
    assert commitment.patience(calm) == 12.0 and commitment.patience(urgent) == 6.0
    tired = {}
    for urgency in (0.0, 1.0):
        model, c = waiting_world(region=dict(urgency=urgency),
                                 orientation=dict(patience_months=12.0))
        for _ in range(8):
            model.organizations.wait_for_value(model.employers, c, model.rules)
        tired[urgency] = model.organizations.impatient.mean()
    assert tired[0.0] == 0.0 < tired[1.0]


@pytest.mark.mechanism("M16", "M28")
def test_m28_urgency_raises_employers_return_on_a_small_model() -> None:
    def roi(model: ConsortiumModel) -> float:
        return float(model.employers.roi[model.employers.is_employer].mean())

    means = paired_means(12, (0, 1, 2), roi, dict(region=dict(urgency=0.0)),
                         dict(region=dict(urgency=1.0)))
    assert (means[1] > means[0]).all()


# ------------------------------------------------------------------ M30
@pytest.mark.mechanism("M30")
def test_m30_purposeful_recruitment_seats_a_fitter_more_committed_table() -> None:
    for seed in range(3):
        anyone = small_model(seed, 0)
        purposeful = small_model(seed, 0, grant=dict(purposeful_recruitment=True),
                                 recruitment=dict(screen=0.5))
        a, b = anyone.organizations, purposeful.organizations
        assert a.signatory.all() and 0 < b.signatory.sum() < b.n  # fewer recruited
        signed = b.signatory
        assert b.fit[signed].mean() > a.fit[a.signatory].mean()
        assert b.commitment[signed].mean() > a.commitment.mean()
        # The screened table starts fitter, so its activity is higher for the same month.
        assert b.fit_at_table() > 0.0
        assert a.fit_at_table() == pytest.approx(0.0, abs=1e-12)
        p = purposeful.rules
        assert programs.table_fit(b.fit_at_table(), p) > programs.table_fit(a.fit_at_table(), p)
    # The right ones start more committed and get more out of taking part.
    p = rules(recruitment=dict(fit_commitment=0.3, fit_payoff=0.2))
    start = commitment.launch_commitment(np.full(3, 0.45), np.array([-0.4, 0.0, 0.4]), p)
    assert start.tolist() == pytest.approx([0.33, 0.45, 0.57])


@pytest.mark.mechanism("M30")
def test_m30_the_wrong_ones_leave_early_and_take_their_ties_with_them() -> None:
    """Paired seeds, 24 months (the grant still runs): with fit effects on, the wrong ones
    (fit well below the region's mean) take part less and keep fewer active ties."""
    strong = dict(recruitment=dict(fit_commitment=1.0, fit_payoff=0.5))
    off = dict(recruitment=dict(fit_commitment=0.0, fit_payoff=0.0, fit_activity=0.0))

    def wrong_ones(model: ConsortiumModel) -> tuple[float, int]:
        o, t = model.organizations, model.partnerships
        low = np.flatnonzero(o.fit_gap < -0.2)
        return (float(o.taking_part[low].mean()),
                sum(int(t.active[t.incident[i]].sum()) for i in low))

    staying, tied = np.zeros((2, 4)), np.zeros((2, 4))
    for seed in range(4):
        for row, sections in enumerate((off, strong)):
            staying[row, seed], tied[row, seed] = wrong_ones(small_model(seed, 24, **sections))
    assert (staying[1] <= staying[0]).all() and staying[1].sum() < staying[0].sum()
    assert tied[1].sum() < tied[0].sum()


# ------------------------------------------------------------------ M32
def relevance(sectors: int) -> np.ndarray:
    return commitment.meeting_relevance(np.array([True, False]), rules(
        region=dict(n_industry_sectors=sectors), employers=dict(breadth_dilution=0.3)))


def coordination_left(sectors: int, cost: float = 0.05) -> float:
    """Coordination left for depth from half a backbone, nothing else (M32)."""
    return money.coordination(0.5, 0.0, 0.0, False, False, rules(
        region=dict(n_industry_sectors=sectors), employers=dict(sector_coordination_cost=cost)))


@pytest.mark.mechanism("M32")
def test_m32_a_narrow_scope_keeps_employers_at_the_table_and_coordination_for_depth() -> None:
    assert relevance(1).tolist() == [1.0, 1.0]
    assert relevance(1)[0] > relevance(2)[0]
    # One sector has no roundtables and coaches of its own to pay for.
    assert coordination_left(1) == 0.5 > coordination_left(2)
    assert coordination_left(5, cost=0.0) == 0.5


@pytest.mark.mechanism("M32")
def test_m32_breadth_thins_employers_attendance_and_coordination() -> None:
    by_scope = [relevance(k)[0] for k in range(1, 6)]
    assert (np.diff(by_scope) < 0).all() and relevance(5)[1] == 1.0  # educators unaffected
    # Each sector beyond the first takes its fixed share of coordination, down to none.
    left = [coordination_left(k) for k in range(1, 6)]
    assert left == pytest.approx([0.5, 0.45, 0.4, 0.35, 0.3])
    assert coordination_left(5, cost=0.5) == 0.0
    # The same month's draws: fewer employers at the table when the scope is broad.
    model = small_model(3, 0)
    orgs, meet = model.organizations, model.organizations.meeting
    orgs.taking_part[:] = True
    orgs.commitment[:] = 0.8
    meet.group, meet.near = orgs.whole_region, orgs.near_regional
    u = np.random.default_rng(0).random(orgs.n)
    employer = ~orgs.not_employer
    came = {}
    for sectors in (1, 5):
        orgs.relevance = commitment.meeting_relevance(employer, rules(
            region=dict(n_industry_sectors=sectors)))
        commitment.attend(orgs, meet, 1.0, model.rules, u)
        came[sectors] = meet.attended[employer].copy()
    assert (came[5] <= came[1]).all() and came[5].sum() < came[1].sum()


@pytest.mark.mechanism("M32", "M13")
def test_m32_costly_sectors_leave_less_depth_on_a_small_model() -> None:
    """Paired seeds: with sector roundtables and coaches to run, habits grow less."""
    def habits(model: ConsortiumModel) -> float:
        return float(model.organizations.habit.mean())

    means = paired_means(12, (0, 1, 2), habits,
                         dict(employers=dict(sector_coordination_cost=0.2)),
                         dict(employers=dict(sector_coordination_cost=0.0)))
    assert (means[0] < means[1]).all()


# ------------------------------------------------------------------ M33
@pytest.mark.mechanism("M33")
def test_m33_without_spanners_cross_sector_trust_grows_slower_and_loses_more() -> None:
    rule = AsymmetricTrust(rules(trust=dict(spanner_boost=0.8)).trust)
    rule.set_rates(1.0, False)
    staffed = rule.gain_cross
    rule.set_rates(0.0, False)  # the backbone is gone
    assert rule.gain_cross < staffed
    # And the lead's ties lose the trust its coordinators carried.
    p = rules(trust=dict(backbone_trust_share=0.5))
    assert money.lost_positions_keep(4, 4, p) < money.lost_positions_keep(0, 4, p) == 1.0
    t = pair_state(2, tie=True, personal=0.6, cross=True, interacted=True, signal=1)
    rule.month(t)
    k = pair_index(2, 0, 1)
    assert t.personal[k] == pytest.approx(0.6 + rule.gain_cross * 0.4)
