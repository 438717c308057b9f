"""Where each mechanism of the evidence runs: mechanism id -> rules, ODD sections.

The domain brief lists 34 mechanisms (M1-M34), each a causal claim from the CCPT sources.
Every one is either implemented, by the rules named here (``file:name``, a function or
``Class.method`` in ``agents/``), or listed in :data:`NOT_REPRESENTED` with the reason. A
rule's own docstring cites the ids it implements; this table is the index that
``consortium explain M7`` reads, and the tests check it against the sources, the ODD and
the brief.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Mechanism:
    """One mechanism of the domain brief and the rules that implement it."""

    id: str
    title: str  # the brief's heading, verbatim
    rules: tuple[str, ...]  # "agents/trust.pyx:AsymmetricTrust.month"
    odd: tuple[str, ...]  # ODD sections, e.g. "7.9"
    note: str = ""  # what of the mechanism is not represented


def _m(id_: str, title: str, rules: tuple[str, ...], odd: tuple[str, ...],
       note: str = "") -> Mechanism:
    return Mechanism(id_, title, rules, odd, note)


MECHANISMS: dict[str, Mechanism] = {m.id: m for m in (
    _m("M1", "Trust grows through consistent communication, translating and aligning language, "
       "and a common vision; collaboration rests on trust, not mandate",
       ("agents/ties.pyx:interacts", "agents/ties.pyx:interact",
        "agents/trust.pyx:BetaReputationTrust.set_rates",
        "agents/trust.pyx:BetaReputationTrust.month",
        "agents/trust.pyx:AsymmetricTrust.set_rates", "agents/trust.pyx:asymmetric_step",
        "agents/commitment.pyx:learn_commitment"),
       ("7.8", "7.9", "7.13")),
    _m("M2", "A common vision and mutually set goals defuse power struggles and create "
       "interdependence",
       ("agents/institutions.pyx:shared_vision", "agents/ties.pyx:interact",
        "agents/commitment.pyx:learn_commitment"),
       ("7.18", "7.8", "7.13")),
    _m("M3", "Money opens doors but can attract partners \"for the wrong reasons\" and create "
       "perceptions that money equals power; sub-granting defuses the tension but builds local "
       "rather than regional capacity",
       ("agents/money.pyx:sector_money", "agents/money.pyx:receipt",
        "agents/commitment.pyx:money_motivated_share",
        "agents/commitment.pyx:learn_commitment", "agents/ties.pyx:interact",
        "agents/money.pyx:contribution_share"),
       ("7.1", "7.8", "7.13", "7.2")),
    _m("M4", "Coalitions of the willing: start with partners who have momentum, reach a critical "
       "mass, then build infrastructure",
       ("agents/commitment.pyx:comes", "agents/commitment.pyx:take_part",
        "agents/ties.pyx:formation"),
       ("7.14", "7.10")),
    _m("M5", "Champions and supportive leadership at every level; the weakest stakeholder group "
       "can block progress",
       ("agents/leadership.pyx:successor_disposition", "agents/commitment.pyx:learn_commitment",
        "agents/programs.pyx:weakest_link", "agents/money.pyx:contribution_share"),
       ("7.5", "7.12", "7.13", "7.2")),
    _m("M6", "Leadership turnover disrupts networks, occasionally helps, and is buffered by "
       "distributed leadership, leadership pipelines and onboarding",
       ("agents/organizations.py:Organization.change_leader", "agents/leadership.pyx:trust_kept",
        "agents/leadership.pyx:successor_disposition",
        "agents/money.pyx:pledge_honour_probability"),
       ("7.5", "7.2")),
    _m("M7", "Relationships are person-carried; when key staff leave, programmes can collapse",
       ("agents/leadership.pyx:trust_kept", "agents/trust.pyx:AsymmetricTrust.reset",
        "agents/trust.pyx:BetaReputationTrust.reset",
        "agents/organizations.py:Organization.lose_coordinators",
        "agents/money.pyx:lost_positions_keep"),
       ("7.5", "7.4"),
       "One leader or boundary spanner per organization: the loss of a single connecting "
       "person inside an organization is approximated by its leader's and the lead's trust "
       "losses (ODD §10.2)."),
    _m("M8", "Intermediaries broker employer engagement; they are scarce, vary in quality and "
       "take time and money to create",
       ("agents/ladder.py:EmployerLadder.find_conveners", "agents/employers.pyx:climb",
        "agents/employers.pyx:climbs", "agents/employers.pyx:asks_of",
        "agents/intermediaries.py:Intermediaries.__init__",
        "agents/intermediaries.py:Intermediaries.broker", "agents/intermediation.pyx:broker",
        "agents/intermediation.pyx:paid_share", "agents/intermediation.pyx:quality_step"),
       ("7.29", "7.20", "5"),
       "Brokering quality is one number per intermediary (no separate capacity, stance or "
       "credibility); no intermediary is created during the run, and brokering does not "
       "raise employers' perceived return."),
    _m("M9", "Technical assistance accelerates development, especially for inexperienced "
       "consortia and small or rural districts; system-level TA was largely missing",
       ("agents/intermediation.pyx:technical_assistance",
        "agents/intermediaries.py:Intermediaries.assist",
        "agents/trust.pyx:AsymmetricTrust.set_rates", "agents/institutions.pyx:system_ta",
        "agents/programs.pyx:run_programs", "agents/consortium.py:Consortium.__init__",
        "agents/statewide.py:coaching_asked", "agents/statewide.py:coaching_supply"),
       ("7.30", "7.9", "7.15", "7.22", "7.6", "7.33"),
       "TA providers serve the whole consortium alike: there are no client districts and "
       "no program or system type per provider, only the consortium-wide system share."),
    _m("M10", "Prior infrastructure and collaboration history lower start-up costs",
       ("agents/partnerships.py:Partnerships.__init__", "agents/ties.pyx:formation",
        "agents/ties.pyx:openness", "agents/funding.py:Funding.cover_operations",
        "agents/money.pyx:operations_coverage"),
       ("5", "7.10", "7.24")),
    _m("M11", "Regional size raises convening costs; subregional nodes (\"local and focal\") and "
       "sector subgroups restore participation",
       ("agents/commitment.pyx:meets_regionally", "agents/commitment.pyx:meeting_chance",
        "agents/commitment.pyx:attend", "agents/organizations.py:Organizations._venues",
        "agents/ties.pyx:interact"),
       ("7.7", "7.8")),
    _m("M12", "Framing the region around a shared economic imperative aligns partners across "
       "counties",
       ("agents/institutions.pyx:framing_step", "agents/consortium.py:Consortium.frame_region",
        "agents/ladder.py:EmployerLadder.advisors_share", "agents/employers.pyx:advisors_share",
        "agents/employers.pyx:framing_gain",
        "agents/employers.pyx:return_after", "agents/commitment.pyx:learn_commitment",
        "agents/money.pyx:convening_intensity",
        "agents/consortium.py:Consortium.operating_capacity"),
       ("7.31", "7.20", "7.13", "7.6"),
       "The framing is a consortium stock moved by urgency, engaged employers and program "
       "effort, not a decision of the lead; counties are not represented, so alignment "
       "across counties is carried by the payoff of taking part, employers' return and "
       "self-sustaining convenings."),
    _m("M13", "Systems change and institutionalization (\"people habitually do the new thing\") "
       "is the route to sustainability",
       ("agents/institutions.pyx:habit_step", "agents/institutions.pyx:passage_step",
        "agents/institutions.pyx:institutionalize", "agents/money.pyx:coordination",
        "agents/commitment.pyx:learn_commitment", "agents/consortium.py:Consortium.__init__",
        "agents/programs.pyx:orientation_step", "agents/programs.pyx:leader_orientation",
        "agents/consortium.py:Consortium.new_lead_leader", "agents/money.pyx:absorb_chance"),
       ("7.15", "7.16", "7.6", "7.13", "7.22")),
    _m("M14", "Quick wins vs long-term capacity building: the \"now and then\" tension",
       ("agents/programs.pyx:wins_and_process", "agents/institutions.pyx:systems_effort",
        "agents/consortium.py:Consortium.act", "agents/consortium.py:Consortium.__init__",
        "agents/programs.pyx:now_share", "agents/programs.pyx:orientation_step",
        "agents/consortium.py:Consortium.plan_systems_work",
        "agents/organizations.py:Organizations.wait_for_value", "agents/commitment.pyx:patience",
        "agents/commitment.pyx:take_part"),
       ("7.12", "7.15", "7.22", "7.23")),
    _m("M15", "Narrative and communication make invisible process gains count with stakeholders",
       ("agents/programs.pyx:narrative_strength", "agents/consortium.py:Consortium.tell_the_story",
        "agents/consortium.py:Consortium.act", "agents/commitment.pyx:learn_commitment",
        "agents/programs.pyx:orientation_step", "agents/money.pyx:perceived_value"),
       ("7.12", "7.13", "7.22", "7.2"),
       "Narrative strength is one consortium-level stock built by coordination capacity and "
       "system-level coaching; there is no separate communication budget and no pathway "
       "presentations featuring young people."),
    _m("M16", "Employer engagement: a graduated, relationship-first ladder driven by perceived "
       "ROI, regional urgency and contact with students; eroded by transactional asks, "
       "over-asking and unkept promises",
       ("agents/employers.pyx:meets_students", "agents/employers.pyx:return_after",
        "agents/employers.pyx:climbs", "agents/employers.pyx:asks_of",
        "agents/employers.pyx:scared_off", "agents/employers.pyx:slips",
        "agents/employers.pyx:climb"),
       ("7.20",)),
    _m("M17", "Sector differences shape how hard employer engagement and WBL are",
       ("agents/employers.pyx:barriers", "agents/employers.pyx:climbs",
        "agents/commitment.pyx:meeting_relevance"),
       ("7.20",)),
    _m("M18", "K-12 and community-college structural friction",
       ("agents/institutions.pyx:agreement_candidates", "agents/institutions.pyx:sign_agreements",
        "agents/money.pyx:receipt", "agents/ties.pyx:letdown_base"),
       ("7.17", "7.1", "7.8"),
       "Only bilateral agreements; region-wide, multi-college articulation is not represented."),
    _m("M19", "One-sector dominance marginalises others; anchors and leads must frame the agenda "
       "as genuinely cross-sector",
       ("agents/money.pyx:dominance", "agents/commitment.pyx:learn_commitment"),
       ("7.1", "7.13")),
    _m("M20", "Data sharing and common metrics: hard to build, but they underpin the case for "
       "sustainability and keep partners from walking away",
       ("agents/institutions.pyx:data_alignment", "agents/ties.pyx:interact",
        "agents/money.pyx:perceived_value", "agents/commitment.pyx:exit_floor",
        "agents/commitment.pyx:exit_chance", "agents/commitment.pyx:take_part"),
       ("7.19", "7.9", "7.2", "7.14"),
       "Shared metrics lower the commitment line of exits, not the partner-share line; there "
       "is no dashboard or data-bridging lever apart from reporting; the formality shared "
       "data gives ties lowers the trust partners act on while institutional trust lags "
       "(ODD §10.2)."),
    _m("M21", "Grant-funded staff positions: essential, hard to fill, and at risk of "
       "disappearing at grant end",
       ("agents/funding.py:Backbone.staff", "agents/money.pyx:positions_planned",
        "agents/money.pyx:positions_funded", "agents/money.pyx:hiring_chance",
        "agents/money.pyx:job_security", "agents/money.pyx:reassigned_positions",
        "agents/money.pyx:staffing", "agents/funding.py:Backbone.__init__",
        "agents/money.pyx:coordination", "agents/money.pyx:position_hosts",
        "agents/money.pyx:absorb_chance", "agents/funding.py:Backbone.absorb"),
       ("7.4", "7.6", "7.24"),
       "Reassigned staff cost their hosts nothing the model counts, and the grant's staff "
       "money they do not need is not spent on anything else."),
    _m("M22", "Partners' post-grant financial commitments decide whether the collaborative "
       "continues",
       ("agents/funding.py:Funding.partners_decide", "agents/money.pyx:perceived_value",
        "agents/money.pyx:contribution_share", "agents/money.pyx:convening_intensity",
        "agents/money.pyx:partner_budgets", "agents/money.pyx:operations_cost",
        "agents/money.pyx:operations_coverage", "agents/money.pyx:coordination"),
       ("7.2", "7.6", "7.24")),
    _m("M23", "Layering and competing for other grants: a double-edged sustainability route",
       ("agents/money.pyx:follow_on_share", "agents/funding.py:Funding.follow_on_grant",
        "agents/money.pyx:follow_on_start", "agents/funding.py:Funding.award_follow_on",
        "agents/statewide.py:overlap_awards",
        "agents/funding.py:Funding.seek_grants", "agents/consortium.py:Consortium.take_on_goals",
        "agents/money.pyx:opportunity_chance",
        "agents/money.pyx:win_chance", "agents/money.pyx:coordination",
        "agents/money.pyx:operations_coverage"),
       ("7.3", "7.25", "7.33")),
    _m("M24", "Initiative overload and mixed state signals dilute capacity",
       ("agents/commitment.pyx:effective_capacity", "agents/commitment.pyx:participation_cost",
        "agents/money.pyx:contribution_share"),
       ("7.7", "7.13", "7.2")),
    _m("M25", "Governance: hierarchical MOU structures vs open, shared-control structures with "
       "distributed leadership",
       ("agents/ties.pyx:interact", "agents/leadership.pyx:trust_kept",
        "agents/leadership.pyx:formation_bias", "agents/leadership.pyx:peer_work",
        "agents/leadership.pyx:distributed_leadership", "agents/leadership.pyx:power_distance",
        "agents/leadership.pyx:coordination_left", "agents/ties.pyx:formation",
        "agents/consortium.py:Consortium.steer"),
       ("7.26", "7.9", "7.5"),
       "The governance mode is fixed for the run and acts through consortium-wide multipliers: "
       "workgroups and communities of practice are not rooms with members of their own, and "
       "a hierarchy's fast formal decisions are not represented; required agreements (role "
       "clarity) only add formality during the grant."),
    _m("M26", "Leadership style and learning culture: coach not director, defer, take risks, "
       "experiment",
       ("agents/leadership.pyx:leader_style", "agents/leadership.pyx:style_step",
        "agents/leadership.pyx:imposition_chance", "agents/leadership.pyx:formation_bias",
        "agents/leadership.pyx:distributed_leadership", "agents/leadership.pyx:power_distance",
        "agents/leadership.pyx:visible_output", "agents/consortium.py:Consortium.steer",
        "agents/consortium.py:Consortium.new_lead_leader",
        "agents/partnerships.py:Partnerships.let_down_by_lead"),
       ("7.27", "7.5", "7.12"),
       "Only the lead's leader has a style; the styles of other leaders, risk-taking and what "
       "the experiments are, are not represented, and the learning culture is the lead's "
       "sedimented habit (I3)."),
    _m("M27", "Mindset change about CTE is a slow prerequisite; it diffuses through communities "
       "of practice",
       ("agents/institutions.pyx:drawn_mindset", "agents/institutions.pyx:drawn_mindsets",
        "agents/institutions.pyx:mindset_step",
        "agents/institutions.pyx:spread_mindset",
        "agents/organizations.py:Organizations.spread_mindset",
        "agents/leadership.pyx:mindset_after_succession",
        "agents/organizations.py:Organization.change_leader", "agents/programs.pyx:mindset_gate",
        "agents/programs.pyx:run_programs", "agents/consortium.py:Consortium.read_mindset",
        "agents/employers.pyx:return_after"),
       ("7.28", "7.21", "7.20", "7.5"),
       "One mindset per organization, not per practitioner, counselor, parent or student; "
       "communities of practice are the month's active ties between partners. Mindset gates "
       "program growth and employers' return from student contact, not enrolment."),
    _m("M28", "Regional economic urgency and need raise engagement and speed",
       ("agents/employers.pyx:return_after", "agents/commitment.pyx:patience",
        "agents/commitment.pyx:initial_commitment"),
       ("7.20", "7.23", "5"),
       "Urgency is a fixed input of the region: need does not rise or fall during a run, and "
       "it pushes towards quick wins only through partners' shorter patience."),
    _m("M29", "Loose accountability and unenforceable pledges vs clear roles and partnership "
       "agreements",
       ("agents/funding.py:Funding.partners_decide", "agents/money.pyx:pledge_honour_probability",
        "agents/money.pyx:role_clarity", "agents/money.pyx:keeps_metrics",
        "agents/money.pyx:coordination", "agents/organizations.py:Organizations.weigh_pledges",
        "agents/partnerships.py:Partnerships.trust_in",
        "agents/ladder.py:EmployerLadder.ask_mismatch",
        "agents/organizations.py:Organization.break_pledge",
        "agents/trust.pyx:AsymmetricTrust.let_down",
        "agents/trust.pyx:BetaReputationTrust.let_down",
        "agents/ties.pyx:signal"),
       ("7.2", "7.8", "7.6"),
       "Role clarity is consortium-wide, not per partner; only employers have an ask mismatch "
       "(rungs pledged beyond the rung reached); outcome-metric accountability is not "
       "represented (ODD §10.2)."),
    _m("M30", "Recruitment quality: the right voices, not \"any voices\"",
       ("agents/organizations.py:Organizations.__init__", "agents/commitment.pyx:signs_on",
        "agents/commitment.pyx:launch_commitment", "agents/commitment.pyx:learn_commitment",
        "agents/organizations.py:Organizations.fit_at_table", "agents/programs.pyx:mean_at_table",
        "agents/programs.pyx:table_fit",
        "agents/consortium.py:Consortium.act"),
       ("7.32", "5", "7.13", "7.12"),
       "One leader per organization, so there is no executive or practitioner level (ODD "
       "§10.2); fit is the organization's for the run, kept through leader changes, and "
       "purposeful recruitment screens only who signs on at the start."),
    _m("M31", "Identity: a strong local identity impedes regional expansion; a new shared "
       "identity can help",
       ("agents/ties.pyx:openness", "agents/money.pyx:contribution_share"),
       ("7.10", "7.2"),
       "Carried by prior-cluster insularity and the vision stock only."),
    _m("M32", "Scope: breadth over depth and scaling before refining are sustainability risks",
       ("agents/commitment.pyx:meeting_relevance", "agents/money.pyx:coordination"),
       ("7.7", "7.6"),
       "Scope is the number of industry sectors, fixed for the run: it thins employer "
       "attendance and takes a fixed coordination cost per sector; there are no pathways "
       "within sectors and no sequence of refining, then scaling."),
    _m("M33", "Boundary spanners: coaches, \"bilingual\" staff and connectors translate across "
       "sectors",
       ("agents/trust.pyx:AsymmetricTrust.set_rates",
        "agents/trust.pyx:BetaReputationTrust.set_rates",
        "agents/ties.pyx:interacts"),
       ("7.9", "7.8")),
    _m("M34", "State facilitation: removing bureaucratic hurdles, rule flexibility and "
       "cross-agency coherence",
       ("agents/commitment.pyx:effective_capacity", "agents/commitment.pyx:participation_cost",
        "agents/employers.pyx:barriers"),
       ("7.7", "7.20"),
       "Acts only through policy coherence (initiative load) and the liability lever."),
)}

NOT_REPRESENTED: dict[str, tuple[str, str]] = {
}
"""Mechanisms the model does not represent: id -> (title, why not)."""


@dataclass(frozen=True)
class Location:
    """Where a rule is defined: file, line, name and its docstring."""

    file: str
    line: int
    name: str
    doc: str

    @property
    def summary(self) -> str:
        """The docstring's first line."""
        return self.doc.split("\n", 1)[0]


def _defines(line: str, name: str) -> bool:
    """Whether ``line`` starts the definition of ``name`` (def, cpdef, cdef or class)."""
    return bool(re.match(rf"\s*(?:cpdef|cdef|def|class)\b[^=]*?\b{re.escape(name)}\s*[(:]",
                         line))


def _docstring(lines: list[str], start: int) -> str:
    """The docstring of the definition starting at ``lines[start]`` ("" if none)."""
    n = start
    while n < len(lines) and not lines[n].rstrip().endswith(":"):
        n += 1  # a signature over several lines
    body = [line.strip() for line in lines[n + 1:n + 40]]
    if not body or not body[0].startswith('"""'):
        return ""
    text = "\n".join(body)[3:]
    return text[:text.index('"""')].strip() if '"""' in text else text


def locate(rule: str) -> Location:
    """The file, line and docstring of a rule ``"agents/file:name"`` or ``"...:Class.method"``.

    A constructor without a docstring of its own is described by its class's docstring.
    """
    path, _, qualname = rule.partition(":")
    lines = (ROOT / path).read_text().splitlines()
    start = owner = 0
    for depth, part in enumerate(qualname.split(".")):
        for n in range(start, len(lines)):
            # A module-level name is defined at the margin; a method inside its class.
            if _defines(lines[n], part) and (depth or not lines[n][:1].isspace()):
                owner, start = start, n
                break
        else:
            raise LookupError(f"{rule}: no definition of {part!r} in {path}")
    doc = _docstring(lines, start)
    if not doc and qualname.endswith(".__init__"):
        doc = _docstring(lines, owner)
    return Location(path, start + 1, qualname, doc)
