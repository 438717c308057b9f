"""Knock-outs: each mechanism of the domain brief switched off by scenario overrides.

For every implemented mechanism (``agents.mechanisms.MECHANISMS``) :data:`KNOCKOUTS` holds
the ``--set``-style dotted keys that switch it off while the rest of the model runs as it
does, the rules of the mechanism index those keys disable, and a line on why they are the
knock-out. Every mechanism is represented; a mechanism listed in ``NOT_REPRESENTED`` would
have a row that says so and sets nothing. Where the schema has no value that switches a
rule off exactly (a range that stops short of it, a role fixed by sector), the entry says
``complete=False`` and its note says what still acts.

:data:`PARTS` knocks out single parts of a few mechanisms as well: the ones earlier audits
found without effect (M3's power gap, M18's faculty veto) and the post-grant pathways whose own
share of a mechanism is worth knowing (M10 anchors, M14 patience, M21 the cliff and job
insecurity, M32 the sector cost), and M5's two halves. ``validation.knockout_effects`` runs
them against the baseline with common random numbers; ``docs/gen_knockouts.py`` writes the
table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from agents.mechanisms import MECHANISMS, NOT_REPRESENTED
from sim.params import ScenarioParams
from sim.scenario import with_values

ALL_IDS: tuple[str, ...] = tuple(f"M{k}" for k in range(1, 35))
SECTORS = ("district", "college", "employer", "intermediary")
INDUSTRIES = ("health", "manufacturing", "ict", "engineering", "agriculture")


@dataclass(frozen=True)
class KnockOut:
    """Overrides that switch one mechanism (or one ``part`` of it) off, and why.

    ``rules`` are the rules of ``agents.mechanisms`` the overrides disable (in part or in
    whole); ``complete`` is False where the schema cannot switch them off exactly, and
    ``note`` then says what still acts (or, for any entry, what goes with it).
    """

    mechanism: str
    overrides: Mapping[str, Any]
    rules: tuple[str, ...]
    why: str
    part: str = ""
    complete: bool = True
    note: str = ""
    represented: bool = True

    @property
    def key(self) -> str:
        """Row label: ``M3``, or ``M3 power gap`` for a part."""
        return f"{self.mechanism} {self.part}" if self.part else self.mechanism

    @property
    def title(self) -> str:
        """The brief's heading of the mechanism."""
        if self.mechanism in MECHANISMS:
            return MECHANISMS[self.mechanism].title
        return NOT_REPRESENTED[self.mechanism][0]

    def setting(self) -> list[str]:
        """The overrides as ``KEY=VALUE`` strings (TOML values), as ``--set`` takes them."""
        return [f"{k}={_toml(v)}" for k, v in self.overrides.items()]


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str):
        return f'"{value}"'
    return repr(value)


def _ko(mechanism: str, overrides: dict[str, Any], rules: tuple[str, ...], why: str,
        **extra: Any) -> KnockOut:
    return KnockOut(mechanism, overrides, rules, why, **extra)


def _each(section: str, pattern: str, names: tuple[str, ...], value: Any) -> dict[str, Any]:
    return {f"{section}.{pattern.format(n)}": value for n in names}


_ENTRIES: tuple[KnockOut, ...] = (
    _ko("M1", {"trust.positive_rate": 0.0},
        ("agents/ties.pyx:interact", "agents/trust.pyx:BetaReputationTrust.month",
         "agents/trust.pyx:asymmetric_step"),
        "No interaction yields a small win, so communication builds no trust; let-downs, "
        "idle decay and turnover still erode it.",
        note="Shared vision acts on trust by raising the chance of small wins (M2), so that "
             "channel goes too; the relational payoff of trusted ties stays and follows "
             "trust down."),
    _ko("M2", {"institutionalization.vision_growth": 0.0,
               "institutionalization.prior_vision": 0.0},
        ("agents/institutions.pyx:shared_vision", "agents/ties.pyx:interact",
         "agents/commitment.pyx:learn_commitment"),
        "Shared vision never forms (no growth, none at the start), so it neither makes small "
        "wins likelier, defuses the lead's power gap nor pays partners.",
        note="Shared identity in contributions (M31) and mission drift (M23) act on the same "
             "stock and go with it."),
    _ko("M3", {"commitment.grant_weight": 0.0, "commitment.money_motivated_base": 0.0,
               "commitment.money_motivated_per_musd": 0.0, "trust.power_gap_penalty": 0.0},
        ("agents/commitment.pyx:money_motivated_share",
         "agents/commitment.pyx:learn_commitment", "agents/ties.pyx:interact",
         "agents/money.pyx:contribution_share"),
        "Grant money no longer pays partners to take part, draws nobody in for the wrong "
        "reasons and gives the lead no power gap.",
        note="Money still reaches districts and colleges (sector_money, receipt), where it "
             "pushes local programs and quick wins (SF2, M14)."),
    _ko("M4", {"commitment.join_min_partners": 10, "commitment.exit_threshold_mean": 0.0,
               "commitment.exit_threshold_spread": 0.0},
        ("agents/commitment.pyx:comes", "agents/commitment.pyx:take_part"),
        "Outsiders are no longer pulled in by trusted partners and nobody leaves because "
        "partners left: no contagion either way.",
        complete=False,
        note="join_min_partners stops at 10 in the schema, so an outsider with ten trusted "
             "willing partners can still join; the mandate's invitation and the commitment "
             "floor still bring partners in and take them out."),
    _ko("M5", {**_each("leadership", "champion_{}", SECTORS, 0.0),
               "commitment.weakest_link_rho": -0.1},
        ("agents/leadership.pyx:successor_disposition",
         "agents/commitment.pyx:learn_commitment", "agents/programs.pyx:weakest_link",
         "agents/money.pyx:contribution_share"),
        "No leader is a champion, and collaborative activity leans as little on the least "
        "engaged sector as the schema allows.",
        complete=False,
        note="weakest_link_rho stops at -0.1 in the schema: the aggregate is then close to "
             "the geometric mean, which still falls to zero when a sector is not engaged at "
             "all."),
    _ko("M6", _each("leadership", "turnover_{}", SECTORS, 0.0),
        ("agents/organizations.py:Organization.change_leader",
         "agents/leadership.pyx:trust_kept", "agents/leadership.pyx:successor_disposition",
         "agents/money.pyx:pledge_honour_probability"),
        "Leaders never change, so no departure disrupts ties and no successor changes "
        "course.",
        note="A new lead leader's orientation (M13) and the trust leaders carry (M7) only "
             "act through turnover and go with it."),
    _ko("M7", {"trust.turnover_retention": 1.0, "trust.backbone_trust_share": 0.0},
        ("agents/leadership.pyx:trust_kept", "agents/trust.pyx:AsymmetricTrust.reset",
         "agents/trust.pyx:BetaReputationTrust.reset",
         "agents/organizations.py:Organization.lose_coordinators",
         "agents/money.pyx:lost_positions_keep"),
        "Departing leaders and lost coordinators take no personal trust along: relationships "
        "belong to organizations, not people.",
        note="Leaders still change (commitment and champions, M5, M6) and positions are "
             "still lost (coordination, M21)."),
    _ko("M8", {"intermediaries.brokering_gain": 0.0, "employers.one_stop": 0.0},
        ("agents/employers.pyx:climbs", "agents/employers.pyx:asks_of"),
        "Intermediaries no longer broker: their brokering neither speeds employers' climb "
        "nor bundles the asks employers get.",
        note="Brokering quality still builds and erodes (agents/intermediation.pyx), but "
             "acts on nothing; intermediaries still count as conveners whose trust lets "
             "employers climb (EmployerLadder.find_conveners), a role fixed by sector, and "
             "removing them would also remove partners, anchors and TA providers."),
    _ko("M9", {"grant.technical_assistance": False},
        ("agents/intermediation.pyx:technical_assistance",
         "agents/trust.pyx:AsymmetricTrust.set_rates", "agents/institutions.pyx:system_ta",
         "agents/programs.pyx:run_programs", "agents/consortium.py:Consortium.__init__"),
        "The grant pays no TA providers: no faster trust, no system-level coaching, no push "
        "to local programs.",
        note="The TA providers stay in the region as partners."),
    _ko("M10", {"region.prior_tie_density": 0.0, "region.prior_infrastructure": 0.0,
                "sustainment.anchor_base_share": 0.0},
        ("agents/partnerships.py:Partnerships.__init__", "agents/ties.pyx:openness",
         "agents/funding.py:Funding.cover_operations", "agents/money.pyx:operations_coverage"),
        "No collaboration history: no prior ties, trust, formality, habits or pre-grant "
        "cluster, and no anchor institution convening from its base budget.",
        note="Without a prior cluster, insularity (M31) has nothing to act on; ties still "
             "form through convenings and common partners."),
    _ko("M11", {"ties.travel_scale_km": 1000.0, "ties.meeting_size_threshold": 500},
        ("agents/commitment.pyx:meeting_chance", "agents/commitment.pyx:attend",
         "agents/organizations.py:Organizations._venues"),
        "Distance to the venue and crowded meetings no longer cut attendance or tie "
        "chances.",
        complete=False,
        note="At travel_scale_km's maximum (1000 km) nearness across the 72 km corridor is "
             "still 0.93-1. ccpt_baseline meets as one region, so the subregional-node rules "
             "(meets_regionally) do not act there."),
    _ko("M12", {"framing.return_gain": 0.0, "framing.payoff_weight": 0.0,
                "framing.convening_share": 0.0},
        ("agents/employers.pyx:framing_gain", "agents/employers.pyx:return_after",
         "agents/commitment.pyx:learn_commitment", "agents/money.pyx:convening_intensity"),
        "The region's framing raises neither employers' return from meeting students, the "
        "payoff of taking part nor convenings without grant money.",
        note="The framing stock still moves (framing_step) but acts on nothing."),
    _ko("M13", {"institutionalization.habit_growth": 0.0,
                "institutionalization.max_passages": 0},
        ("agents/institutions.pyx:habit_step", "agents/institutions.pyx:passage_step",
         "agents/institutions.pyx:institutionalize", "agents/money.pyx:coordination",
         "agents/commitment.pyx:learn_commitment", "agents/money.pyx:absorb_chance"),
        "Enacting the practice builds no habit and no passage (budget line, MOU, articulation "
        "floor), so nothing is institutionalized.",
        note="Habits carried in from prior infrastructure decay; the lead's orientation "
             "(orientation_step) still moves the split of effort."),
    _ko("M14", {**_each("commitment", "wins_benefit_{}", ("district", "college",
                                                          "intermediary"), 0.0),
                "commitment.value_wins": 0.0, "orientation.patience_threshold": 0.0},
        ("agents/organizations.py:Organizations.wait_for_value",
         "agents/commitment.pyx:patience", "agents/commitment.pyx:take_part",
         "agents/programs.pyx:orientation_step"),
        "Partners no longer need visible wins: wins neither pay them nor count in the value "
        "they see, and nobody runs out of patience or pushes the lead to quick wins.",
        note="The wins terms it zeroes sit in learn_commitment and perceived_value, which "
             "the mechanism index files under other mechanisms. "
             "The lead still splits effort between 'now' and 'then' (wins_and_process, "
             "systems_effort); quick wins still push local programs, and employers still "
             "weigh wins by their perceived return (M16)."),
    _ko("M15", {"commitment.narrative": 0.0, "commitment.narrative_growth": 0.0},
        ("agents/programs.pyx:narrative_strength", "agents/consortium.py:Consortium.tell_the_story",
         "agents/consortium.py:Consortium.act", "agents/commitment.pyx:learn_commitment",
         "agents/programs.pyx:orientation_step", "agents/money.pyx:perceived_value"),
        "The consortium has no narrative and builds none, so process gains count with no "
        "stakeholder, in payoffs or in the value partners fund, and pull the lead's "
        "orientation nowhere."),
    _ko("M16", {"employers.contact_roi_gain": 0.0, "employers.burnout_rate": 0.0,
                "employers.transactional_dropout": 0.0},
        ("agents/employers.pyx:return_after", "agents/employers.pyx:climb",
         "agents/employers.pyx:scared_off"),
        "Meeting students no longer raises employers' perceived return, and asks neither "
        "burn employers out nor scare them off: the ladder's driver and its erosion are cut.",
        note="transactional_asks is off in ccpt_baseline, so nobody is scared off there "
             "anyway; rungs still need trust and return, and employers still slip without "
             "contact."),
    _ko("M17", _each("employers", "difficulty_{}", INDUSTRIES, 0.0),
        ("agents/employers.pyx:barriers", "agents/employers.pyx:climbs"),
        "No industry sector is harder to bring into work-based learning than another: no "
        "sector barriers.",
        note="The model holds only each sector's barrier, so removing the differences removes "
             "the barriers; the liability lever (M34) then has nothing to lower."),
    _ko("M18", {"institutionalization.faculty_resistance": 0.0,
                "institutionalization.college_competition": 0.0,
                "grant.k12_agency_college_ownership": 1.0},
        ("agents/institutions.pyx:sign_agreements", "agents/ties.pyx:letdown_base",
         "agents/money.pyx:receipt"),
        "Faculty never veto an agreement, colleges do not compete for enrolment, and a K-12 "
        "administering agency costs colleges no ownership.",
        note="Agreements still need trusted district-college ties of partners taking part "
             "(agreement_candidates): a condition of alignment, not friction."),
    _ko("M19", {"commitment.dominance_penalty": 0.0},
        ("agents/money.pyx:dominance", "agents/commitment.pyx:learn_commitment"),
        "K-12's share of the money costs the other sectors nothing."),
    _ko("M20", {"institutionalization.data_growth": 0.0, "institutionalization.initial_data": 0.0,
                "commitment.data_exit_relief": 0.0},
        ("agents/institutions.pyx:data_alignment", "agents/ties.pyx:interact",
         "agents/money.pyx:perceived_value", "agents/commitment.pyx:exit_floor",
         "agents/commitment.pyx:exit_chance", "agents/commitment.pyx:take_part"),
        "No shared data is ever built, so it formalizes no tie, adds nothing to the value "
        "partners see, does not help win grants and keeps no partner from walking away.",
        note="Data also raises the chance of winning a new grant (win_chance, M23). Without "
             "data the exit floor is exit_commitment already; data_exit_relief = 0 says so "
             "outright. The formality shared data gives ties lowers combined trust while "
             "institutional trust lags (ODD §10.2), so this knock-out raises trust and ties."),
    _ko("M21", {"grant.backbone": False},
        ("agents/funding.py:Backbone.staff", "agents/money.pyx:positions_planned",
         "agents/money.pyx:positions_funded", "agents/money.pyx:hiring_chance",
         "agents/money.pyx:job_security", "agents/money.pyx:reassigned_positions",
         "agents/money.pyx:staffing", "agents/funding.py:Backbone.__init__",
         "agents/money.pyx:coordination", "agents/money.pyx:position_hosts",
         "agents/money.pyx:absorb_chance", "agents/funding.py:Backbone.absorb"),
        "The grant funds no backbone positions: none to fill, coordinate, absorb or lose, "
        "whether new hires or reassigned staff, so job insecurity has nothing to act on.",
        note="The staff share of the award is then not spent; intermediaries lose the "
             "receipt it credited them (M3), and boundary spanners (M33) and the trust "
             "coordinators carry (M7) go with the positions."),
    _ko("M22", {"sustainment.partner_capacity_ratio": 0.0, "sustainment.in_kind_time": 0.0},
        ("agents/funding.py:Funding.partners_decide", "agents/money.pyx:partner_budgets",
         "agents/money.pyx:operations_coverage", "agents/money.pyx:convening_intensity",
         "agents/money.pyx:coordination"),
        "Partners can put neither money nor staff time into the collaborative: their "
        "contributions are zero whatever they decide.",
        note="Hosts can still absorb positions (M21), anchors still convene (M10), and a "
             "broken pledge still lets the lead down (M29)."),
    _ko("M23", {"sustainment.opportunity_rate": 0.0, "grant.follow_on_year": 0,
                "grant.follow_on_musd": 0.0},
        ("agents/money.pyx:follow_on_share", "agents/funding.py:Funding.follow_on_grant",
         "agents/funding.py:Funding.seek_grants", "agents/money.pyx:opportunity_chance",
         "agents/money.pyx:win_chance", "agents/money.pyx:coordination",
         "agents/money.pyx:operations_coverage"),
        "No other grant arrives: nothing to chase, win, layer or drift towards.",
        note="ccpt_baseline has no follow-on grant, so only new opportunities are switched "
             "off there."),
    _ko("M24", {"commitment.overload_sensitivity": 0.0, "commitment.contrib_load": 0.0},
        ("agents/commitment.pyx:effective_capacity", "agents/commitment.pyx:participation_cost",
         "agents/money.pyx:contribution_share"),
        "Competing initiatives take no capacity, raise no cost and hold back no contribution."),
    _ko("M25", {"leadership.distributed_leadership": 0.0, "grant.required_agreements": False,
                "governance.hub_focus": 0.0, "governance.workgroup_formation": 0.0,
                "governance.workgroup_interaction": 0.0, "governance.workgroup_leadership": 0.0,
                "governance.shared_control": 0.0, "governance.workgroup_cost": 0.0},
        ("agents/ties.pyx:interact", "agents/leadership.pyx:trust_kept",
         "agents/leadership.pyx:formation_bias", "agents/leadership.pyx:peer_work",
         "agents/leadership.pyx:power_distance", "agents/leadership.pyx:coordination_left"),
        "Governance leans nowhere: no hub and spoke, no workgroups, no shared control, no "
        "leadership spread beyond the lead and no required partnership agreements.",
        note="ccpt_baseline is a hierarchy without required agreements, so the hub-and-spoke "
             "lean (hub_focus 0.15) and distributed leadership (0.2) are what is switched off "
             "there; a coaching lead still spreads leadership (M26)."),
    _ko("M26", {"leadership.coaching_formation": 0.0, "leadership.coaching_leadership": 0.0,
                "leadership.coaching_voice": 0.0, "leadership.experiment_cost": 0.0,
                "leadership.imposition_rate": 0.0, "leadership.activator_rate": 0.0},
        ("agents/leadership.pyx:formation_bias", "agents/leadership.pyx:distributed_leadership",
         "agents/leadership.pyx:power_distance", "agents/leadership.pyx:visible_output",
         "agents/leadership.pyx:imposition_chance", "agents/leadership.pyx:style_step"),
        "The lead's style does nothing: a coach builds no extra ties, spreads no leadership, "
        "defuses no power gap and forgoes no wins; a director imposes no agenda; no "
        "activator transition.",
        note="The style is still drawn (one draw at the start and one per new lead leader) "
             "and the month's imposition draw is still made, so the other draws stay "
             "paired."),
    _ko("M27", {"mindset.program_weight": 0.0, "mindset.employer_weight": 0.0},
        ("agents/programs.pyx:mindset_gate", "agents/programs.pyx:run_programs",
         "agents/consortium.py:Consortium.read_mindset", "agents/employers.pyx:return_after"),
        "Mindset about CTE gates nothing: local programs grow and employers gain from meeting "
        "students as if everyone already saw CTE as a core track.",
        note="Mindsets still spread, rise with exposure and move with new leaders (7.28), "
             "and their draws are still made, so the runs share their random numbers; they "
             "just act on nothing."),
    _ko("M28", {"region.urgency": 0.0, "commitment.urgency_commitment": 0.0},
        ("agents/employers.pyx:return_after", "agents/commitment.pyx:patience",
         "agents/commitment.pyx:initial_commitment"),
        "No regional urgency: employers' return from meeting students is not multiplied, "
        "partners' patience is not shortened and nobody starts more committed.",
        note="With no urgency, urgency_commitment adds nothing already; setting it to 0 says "
             "so outright."),
    _ko("M29", {"commitment.pledge_intercept": 5.0, "grant.match_enforced": True,
                "commitment.enforcement_bonus": 5.0, "commitment.pledge_role_clarity": 0.0,
                "commitment.pledge_trust": 0.0, "commitment.pledge_ask_mismatch": 0.0,
                "grant.metrics_cost": 0.0},
        ("agents/money.pyx:pledge_honour_probability", "agents/money.pyx:role_clarity",
         "agents/money.pyx:keeps_metrics", "agents/money.pyx:coordination",
         "agents/organizations.py:Organizations.weigh_pledges",
         "agents/organizations.py:Organization.break_pledge",
         "agents/trust.pyx:AsymmetricTrust.let_down",
         "agents/trust.pyx:BetaReputationTrust.let_down"),
        "Pledges are enforceable and kept whatever the roles, the trust in the lead or the "
        "ask: no broken pledge, no let-down of the lead, and accountability costs no "
        "coordination.",
        complete=False,
        note="Honouring stays a logistic chance, so a pledge is kept with chance at least "
             "1 - 5e-5 (logit at least 10), not exactly 1; an honoured pledge pays at least "
             "honoured_pledge_share of a budget. Let-downs inside a tie's month (T1's "
             "negative_rate) stay. ccpt_baseline keeps no process metrics, so their cost is "
             "zero there already."),
    _ko("M30", {"recruitment.fit_commitment": 0.0, "recruitment.fit_payoff": 0.0,
                "recruitment.fit_activity": 0.0},
        ("agents/commitment.pyx:launch_commitment", "agents/commitment.pyx:learn_commitment",
         "agents/programs.pyx:table_fit"),
        "Fit to the consortium's needs moves neither initial commitment, the payoff of taking "
        "part nor the table's activity: the wrong ones are as good as the right ones.",
        note="Fit is still drawn, so the random stream is unchanged; purposeful recruitment "
             "(signs_on) is off in ccpt_baseline, so the screen does not act there."),
    _ko("M31", {"region.insularity": 0.0, "commitment.contrib_identity": 0.0},
        ("agents/ties.pyx:openness", "agents/money.pyx:contribution_share"),
        "A prior cluster resists no newcomer, and shared identity adds nothing to "
        "contributions."),
    _ko("M32", {"employers.breadth_dilution": 0.0, "employers.sector_coordination_cost": 0.0},
        ("agents/commitment.pyx:meeting_relevance", "agents/money.pyx:coordination"),
        "Pursuing several industry sectors no longer thins employers' attendance or takes "
        "coordination for each sector's roundtables and coaches."),
    _ko("M33", {"trust.spanner_boost": 0.0},
        ("agents/trust.pyx:AsymmetricTrust.set_rates",
         "agents/trust.pyx:BetaReputationTrust.set_rates"),
        "Backbone staff no longer speed trust on cross-sector ties.",
        note="Bilateral work (ties.interacts) runs at partners' commitment, not spanners'; "
             "the cost relief paid coordinators give belongs to M21."),
    _ko("M34", {"commitment.policy_coherence": 0.0, "employers.liability_solution": False},
        ("agents/commitment.pyx:effective_capacity", "agents/commitment.pyx:participation_cost",
         "agents/employers.pyx:barriers"),
        "No state facilitation: state signals are fully mixed and there is no liability "
        "cover.",
        note="liability_solution is off in ccpt_baseline, so only policy coherence (0.2) is "
             "switched off there."),
)

_NOT_REPRESENTED: tuple[KnockOut, ...] = tuple(
    KnockOut(mid, {}, (), reason, represented=False)
    for mid, (_, reason) in NOT_REPRESENTED.items())

KNOCKOUTS: dict[str, KnockOut] = {
    k.mechanism: k for k in sorted((*_ENTRIES, *_NOT_REPRESENTED),
                                   key=lambda k: int(k.mechanism[1:]))}
"""Mechanism id -> its knock-out (or, for a mechanism not represented, a row that says so)."""

PARTS: tuple[KnockOut, ...] = (
    _ko("M3", {"trust.power_gap_penalty": 0.0}, ("agents/ties.pyx:interact",),
        "The lead's control of the money brings no extra let-downs on its ties.",
        part="power gap"),
    _ko("M5", _each("leadership", "champion_{}", SECTORS, 0.0),
        ("agents/leadership.pyx:successor_disposition",
         "agents/commitment.pyx:learn_commitment", "agents/money.pyx:contribution_share"),
        "No leader is a champion, in any sector, at the start or after a change.",
        part="champions"),
    _ko("M5", {"commitment.weakest_link_rho": -0.1}, ("agents/programs.pyx:weakest_link",),
        "Collaborative activity leans as little on the least engaged sector as the schema "
        "allows.", part="weakest link", complete=False,
        note="-0.1 is the schema's bound, close to the geometric mean."),
    _ko("M10", {"sustainment.anchor_base_share": 0.0},
        ("agents/funding.py:Funding.cover_operations", "agents/money.pyx:operations_coverage"),
        "County offices no longer convene the collaborative from their base budgets.",
        part="anchors"),
    _ko("M14", {"orientation.patience_threshold": 0.0},
        ("agents/organizations.py:Organizations.wait_for_value",
         "agents/commitment.pyx:patience", "agents/commitment.pyx:take_part"),
        "Nobody waits for visible value, so nobody runs out of patience.", part="patience"),
    _ko("M18", {"institutionalization.faculty_resistance": 0.0},
        ("agents/institutions.pyx:sign_agreements",),
        "College faculty never veto an articulation agreement.", part="faculty veto"),
    _ko("M21", {"grant.retained_backbone_share": 1.0},
        ("agents/money.pyx:positions_funded",),
        "The state keeps paying every position after the grant: nothing is lost at the "
        "cliff.", part="cliff"),
    _ko("M21", {"grant.job_insecurity": 0.0},
        ("agents/money.pyx:job_security", "agents/money.pyx:hiring_chance"),
        "Vacancies fill as readily at the end of state money as at its start: no job "
        "insecurity.", part="insecurity"),
    _ko("M32", {"employers.sector_coordination_cost": 0.0}, ("agents/money.pyx:coordination",),
        "Each industry sector's roundtables and coaches cost no coordination.",
        part="sector cost"),
)
"""Knock-outs of single parts of a mechanism, run beside the whole ones."""


@dataclass
class Applied:
    """A knock-out applied to a scenario: the scenario and the keys it changed."""

    knockout: KnockOut
    params: ScenarioParams
    changed: dict[str, tuple[Any, Any]] = field(default_factory=dict)


def _value(params: ScenarioParams, key: str) -> Any:
    section, name = key.split(".")
    return getattr(getattr(params, section), name)


def apply(knockout: KnockOut, base: ScenarioParams) -> Applied:
    """``base`` with the knock-out's overrides set (validated), and what they changed."""
    params = with_values(base, dict(knockout.overrides))
    changed = {key: (_value(base, key), _value(params, key)) for key in knockout.overrides
               if _value(base, key) != _value(params, key)}
    return Applied(knockout, params, changed)


def runnable(include_parts: bool = True) -> list[KnockOut]:
    """The knock-outs that set something, in mechanism order, parts after their whole."""
    out: list[KnockOut] = []
    for mid in ALL_IDS:
        ko = KNOCKOUTS[mid]
        if ko.represented:
            out.append(ko)
        if include_parts:
            out.extend(p for p in PARTS if p.mechanism == mid)
    return out
