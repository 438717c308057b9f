"""Evidence use: which quote builds which rule, and which pattern is judged against it.

RAT-RS (Achter et al. 2022) asks of every piece of evidence whether it specified the
model, calibrated it or validated it. Here the evidence is quotes: a sentence of a seed
document (domain brief §3 and §5) or a finding of a paper (science anchors §5). Each
:class:`Quote` records the rules and parameters it *builds* and the patterns of
``validation.patterns`` that are judged against it. A quote builds a rule when the rule's
term or one of its parameter values was taken from it: the rule's docstring or the
parameter's reference cites it (its words, or the id of the fact it states), or the brief's
"Model" for the mechanism turns it into the term the rule implements (``basis`` says which).

The one rule: **no quote both builds a rule and validates a pattern.** A pattern judged
against the quote its rule was built from checks that the rule works; it is a
``verification`` pattern. :func:`double_use` lists the breaches (none), and
:func:`uncovered` lists every
citation of a fact or paper in the rules and parameter references that this table does not
record, so a new citation cannot slip past. Quotes are sentences: two sentences of one
passage are two quotes, so a sentence that reports an outcome can validate although a
sibling sentence built the rule (SF11b, SF13b, SF12b; each says so in its ``basis``).

``docs/data_use.md`` is generated from this table, the pattern catalogue, the mechanism
registry and the parameter table (``docs/gen_data_use.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from validation.patterns import PATTERNS, Pattern, by_id

ROOT = Path(__file__).resolve().parent.parent
RULE_FILES = ("*.py", "*.pyx", "*.pxd")
RULE_PATH = re.compile(r"agents/\w+\.(?:pyx|pxd|py):[A-Za-z_][\w.]*[A-Za-z_0-9]")
FACT_ID = re.compile(r"\b(SF\d+|P[1-5])\b")
# Papers whose findings are patterns of the science anchors (§5), as the code cites them.
PAPERS: dict[str, tuple[str, ...]] = {
    "P1": ("McLaughlin", "JFF 2018"),
    "P3": ("Scheirer 2005",),
    "P4": ("Vanneste",),
    "P5": ("Burt 2002",),
}
# A phrase between matching quote marks, possibly over a line break; overlapping, so a
# docstring's own triple quotes do not hide the phrase they enclose.
QUOTED = re.compile(r"(?=([\"'])([\s\S]{6,200}?)\1)")

SEED_000 = "000 Voices from the Field"
SEED_001 = "001 Two Years Into CCPT"
SEED_002 = "002 Now and Then"
SEED_004 = "004 ExcelinEd playbook"
BRIEF_SF = "domain brief §5 (the pattern's own wording)"


@dataclass(frozen=True)
class Quote:
    """One quote: where it is from, what it builds and which patterns are judged against it.

    Attributes:
        id: ``"<fact>.<word>"``, e.g. ``"SF35.inundated"``.
        fact: The stylized fact (``"SF35"``) or science-anchor pattern (``"P5"``) whose
            evidence it is; for a paper, the pattern that cites that paper.
        text: The quote as the catalogue gives it (it occurs in each pattern's evidence).
        source: Seed document or paper.
        rules: Rules it builds, ``agents/<file>:<name>``.
        params: Parameters whose value it set, ``section.name``.
        patterns: Patterns judged against it.
        basis: How it builds (which citation), or why a near quote does not.
        mechanisms: The mechanisms (M1-M34) or science-anchor rules (T1-T5, N1-N4) whose
            term it built.
    """

    id: str
    fact: str
    text: str
    source: str
    rules: tuple[str, ...] = ()
    params: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    basis: str = ""
    mechanisms: tuple[str, ...] = ()

    @property
    def builds(self) -> bool:
        """Whether it built a rule or set a parameter."""
        return bool(self.rules or self.params)


def _q(id_: str, text: str, source: str, *, rules: tuple[str, ...] = (),
       params: tuple[str, ...] = (), patterns: tuple[str, ...] = (), basis: str = "",
       mechanisms: tuple[str, ...] = ()) -> Quote:
    return Quote(id_, id_.split(".", 1)[0], text, source, rules, params, patterns, basis,
                 mechanisms)


QUOTES: tuple[Quote, ...] = (
    _q("SF1.scaling_back", "most of the partnerships find themselves scaling back their CCPT "
       "efforts now that the funding has expired, a select few are reaping the benefits",
       SEED_000, patterns=("SF1", "SF1b"),
       basis="M22 lists it as evidence for its claim; no rule or parameter restates it. SF1 "
             "calibrates with it at the $15M baseline; SF1b validates with it across the "
             "Cohort 1 award mix, which no calibration sees."),
    _q("SF2.programs", "CCPT funds did advance programmatic priorities like developing new "
       "pathways and increasing student participation", SEED_000,
       rules=("agents/programs.pyx:run_programs", "agents/programs.pyx:program_step",
              "agents/organizations.py:Organizations.run_programs"),
       params=("institutionalization.program_growth",
               "institutionalization.program_money_support",
               "institutionalization.program_contribution_support"),
       patterns=("SF2",), basis="The program rule and its parameters cite SF2.",
       mechanisms=("M14",)),
    _q("SF3.systems_change", "grantees that approached the CCPT opportunity from a "
       "systems-change perspective... experienced a greater level of transformation, and that "
       "transformation supported post-grant sustainability", SEED_000,
       patterns=("SF3",),
       basis="M13's first quote; the orientation emerges (ODD §7.22) and no rule or "
             "parameter cites it since the orientation stopped being an input."),
    _q("SF4.not_systems", "most consortia did not frame CCPT goals in terms of systems change",
       SEED_000, patterns=("SF4",),
       basis="It set the orientation coin of the earlier model; the orientation now emerges "
             "(ODD §7.22) and no rule or parameter cites it."),
    _q("SF5.too_little_time", "the four-year CCPT grant period did not allow sufficient time",
       SEED_000, patterns=("SF5a",)),
    _q("SF5.too_ambitious", "For the majority of CCPT consortia, those goals proved too "
       "ambitious to achieve within the four-year grant period", SEED_000,
       patterns=("SF5b",)),
    _q("SF6.year_one", "many consortia fell short of their proposed year one 'measurable "
       "outcomes'", SEED_001, patterns=("SF6",),
       basis="M14 lists it as evidence; no rule or parameter restates it."),
    _q("SF7.relationships", "Every consortia leader saw new relationships as a benefit of CCPT",
       SEED_001, patterns=("SF7",)),
    _q("SF7.new_thing", "Schools and districts don't normally work with community colleges... "
       "it's a new thing", SEED_001, patterns=("SF7",)),
    _q("SF8.disrupt", "could disrupt local CTE/CCPT efforts and regional networks", SEED_001,
       rules=("agents/organizations.py:Organization.change_leader",
              "agents/leadership.pyx:trust_kept",
              "agents/leadership.pyx:commitment_after_succession"),
       params=("trust.turnover_retention",), patterns=("SF8a", "SF8b"),
       basis="M6's Model turns it into the trust loss and commitment reset at a leader "
             "change; trust.turnover_retention cites M6.",
       mechanisms=("M6", "M7")),
    _q("SF8.opposite", "The opposite is always true: at least one consortium benefited from a "
       "leadership change", SEED_001,
       rules=("agents/leadership.pyx:successor_disposition",
              "agents/organizations.py:Organization.change_leader"),
       params=("leadership.successor_spread",), patterns=("SF8c",),
       basis="leadership.successor_spread and the leadership module quote it.",
       mechanisms=("M6",)),
    _q("SF10.one_player", "When one player leaves, sometimes the whole program fails", SEED_001,
       rules=("agents/leadership.pyx:trust_kept",
              "agents/organizations.py:Organization.lose_coordinators",
              "agents/money.pyx:lost_positions_keep"),
       patterns=("SF10",), basis="M7's quote; the registry's M7 rules approximate it.",
       mechanisms=("M7",)),
    _q("SF11.travel", "limited success convening... because of time and travel costs... "
       "created three sub regional nodes... in its second year", SEED_001,
       rules=("agents/commitment.pyx:meets_regionally", "agents/commitment.pyx:attend",
              "agents/organizations.py:Organizations._venues", "agents/organizations.py:Meeting"),
       params=("grant.subregional_nodes",), patterns=("SF11a",),
       basis="grant.subregional_nodes and the meeting rules cite SF11.",
       mechanisms=("M11",)),
    _q("SF11.effective", "\"effective\" (\"most respondents say\")", SEED_001,
       patterns=("SF11b",),
       basis="A sentence apart from SF11.travel: most respondents call the nodes effective. "
             "The node rule computes venues and meeting groups, not trust."),
    _q("SF12.eighty", "Our first ag-sector convening wasn't all that successful. There were "
       "around 80 people there", SEED_001,
       rules=("agents/commitment.pyx:meeting_chance", "agents/commitment.pyx:attend",
              "agents/organizations.py:Meeting"),
       params=("ties.meeting_size_threshold",), patterns=("SF12a",),
       basis="ties.meeting_size_threshold cites the '80 people' meeting.",
       mechanisms=("M11",)),
    _q("SF12.subgroups", "For my next ag-sector meeting, I did four subgroups... It went much "
       "better", SEED_001, patterns=("SF12a", "SF12b"),
       basis="The sentence after SF12.eighty. No rule or parameter cites it; the size rule "
             "raises attendance, and trust growth is left to follow or not."),
    _q("SF13.less_daunting", "somewhat less daunting for consortia that have some existing "
       "networks", SEED_001,
       rules=("agents/partnerships.py:Partnerships.__init__",),
       params=("region.prior_infrastructure",), patterns=("SF13a",),
       basis="region.prior_infrastructure cites SF13 for start-up: it seeds habits, "
             "formality and trust of prior ties.",
       mechanisms=("M10",)),
    _q("SF13.mature", "Mature consortia expect continuation; less mature ones are \"uncertain\"",
       SEED_001, patterns=("SF13b",),
       basis="From 'Next Steps', apart from the start-up quote: no rule computes "
             "sustainment from maturity."),
    _q("SF15.urgency", "A sense of urgency about regional workforce conditions generally "
       "produced high levels of employer involvement", SEED_001,
       rules=("agents/employers.pyx:return_after",),
       params=("region.urgency", "employers.urgency_gain"), patterns=("SF15",),
       basis="region.urgency and employers.urgency_gain cite SF15.",
       mechanisms=("M16", "M28")),
    _q("SF16.pledges", "too many employers failed to live up to commitments made in their CCPT "
       "proposal", SEED_001, rules=("agents/ladder.py:EmployerLadder.__init__",),
       params=("employers.pledged_rung_min", "employers.pledged_rung_max"),
       patterns=("SF16",), basis="The pledged rungs cite SF16.",
       mechanisms=("M16",)),
    _q("SF17.relationship_first", "ITK / Porterville: start employers with low-commitment, "
       "student-contact activities rather than asking for internships", SEED_001,
       rules=("agents/employers.pyx:scared_off", "agents/codes.pxd:Rung"),
       params=("employers.transactional_asks", "employers.transactional_dropout",
               "employers.transactional_ask_size"),
       patterns=("SF17",),
       basis="The transactional-ask switch and parameters cite SF17, and the ladder's "
             "work-based-learning rung (JOB_SHADOW) is named from it.",
       mechanisms=("M16",)),
    _q("SF18.divorce", "We had a critical business partner 'divorce' us... they felt that they "
       "were being tapped too much and they just burned out... It's the classic 20-80 rule",
       SEED_004, rules=("agents/employers.pyx:asks_of", "agents/employers.pyx:climb"),
       params=("employers.ask_rung_scale", "employers.burnout_rate", "employers.burnout_exit"),
       patterns=("SF18",), basis="The ask and burnout parameters cite SF18 ('20-80').",
       mechanisms=("M16",)),
    _q("SF20.region_wide", "design and planning work were still underway... but the agreement "
       "had not yet been implemented region-wide", SEED_001, patterns=("SF20a",),
       basis="Region-wide agreements are not modelled (M18's registry note)."),
    _q("SF20.mou", "resulted in a Memorandum of Understanding about dual enrollment—no small "
       "achievement in the EBCP context", SEED_001,
       rules=("agents/institutions.pyx:sign_agreements",
              "agents/partnerships.py:Partnerships.sign_agreements"),
       params=("institutionalization.articulation_rate",), patterns=("SF20b",),
       basis="The agreement rule and its rate cite SF20.",
       mechanisms=("M18",)),
    _q("SF21.scrambling", "leaders are scrambling to keep these positions", SEED_001,
       rules=("agents/money.pyx:positions_funded",),
       params=("sustainment.absorb_commitment",), patterns=("SF21a",),
       basis="The money module cites SF21 for positions lost at the cliff unless paid for; "
             "the weight of a host's commitment on absorbing a position quotes it.",
       mechanisms=("M21",)),
    _q("SF21.lcap", "Some K-12 districts have protected key CCPT positions... LCAP", SEED_001,
       rules=("agents/money.pyx:positions_funded", "agents/money.pyx:absorb_chance",
              "agents/funding.py:Backbone.absorb"),
       params=("sustainment.absorb_habit",), patterns=("SF21a",),
       basis="Positions survive where partners pay or their hosts absorb them (ODD §7.24).",
       mechanisms=("M21",)),
    _q("SF21.drops", "consortium activity drops accordingly", BRIEF_SF,
       rules=("agents/money.pyx:coordination",), patterns=("SF21b",),
       basis="M21's Model: a position that ends stops its coordination output.",
       mechanisms=("M21",)),
    _q("SF21.smaller_scale", "braiding funds from multiple sources can ensure the continuous "
       "of work - albeit at a smaller scale", "003_e537c8e3f1d9dfc2.txt (Roadmap), domain brief "
       "§4.1 D9", patterns=("SF21c",),
       basis="No rule or parameter quotes it; the post-grant pathways of ODD §7.24 are built "
             "from M21's and M22's other sentences."),
    _q("SF22.grant_closed", "by the time the position is approved... 'hire someone to support "
       "CCPT, the grant will be closed'", SEED_001,
       rules=("agents/money.pyx:hiring_chance", "agents/funding.py:Backbone.staff"),
       params=("grant.hire_lag_months",), patterns=("SF22a",),
       basis="grant.hire_lag_months and hiring_chance quote it.",
       mechanisms=("M21",)),
    _q("SF22.nobody", "we didn't find anybody for the half-time role", SEED_001,
       patterns=("SF22a",)),
    _q("SF22.terminate", "since many of the new positions could terminate with the end of the "
       "CCPT grant, people with the desired skill sets... were often difficult to find",
       SEED_001, rules=("agents/money.pyx:hiring_chance", "agents/money.pyx:job_security"),
       params=("grant.post_cliff_hiring_security", "grant.job_insecurity"),
       patterns=("SF22b",),
       basis="job_security, the job-security term of hiring_chance, its steepness "
             "(grant.job_insecurity) and its post-cliff value cite SF22.",
       mechanisms=("M21",)),
    _q("SF23.same_way", "Despite the open-endedness of the grant, Cohort 1 consortia generally "
       "spent their CCPT funds in much the same way", SEED_001,
       rules=("agents/money.pyx:sector_money",),
       params=("grant.equipment_share", "grant.staff_share", "grant.convening_share"),
       patterns=("SF23",), basis="The spending shares cite SF23.",
       mechanisms=("M3",)),
    _q("SF24.tulare", "direct investments from nearly all of the school districts", SEED_002,
       rules=("agents/money.pyx:contribution_share",),
       params=("commitment.contrib_institutionalization",), patterns=("SF24a",),
       basis="commitment.contrib_institutionalization cites SF24; M22's quote.",
       mechanisms=("M22",)),
    _q("SF24.established", "where infrastructure and value are established", BRIEF_SF,
       rules=("agents/money.pyx:contribution_share",),
       params=("commitment.contrib_identity",), patterns=("SF24b",),
       basis="M22's Model turns it into contribution terms in institutionalization and "
             "shared identity.",
       mechanisms=("M22",)),
    _q("SF25.next_steps", "these funds often help to strengthen structures, processes, and "
       "staffing central to sustaining Cohort 1 pathway work", SEED_001,
       rules=("agents/money.pyx:follow_on_share", "agents/funding.py:Funding.award_follow_on",
              "agents/statewide.py:overlap_awards"),
       params=("grant.follow_on_year", "grant.follow_on_musd"), patterns=("SF25a", "SF25b"),
       basis="The follow-on rule and its parameters cite SF25, as does a statewide cohort's "
             "award of later grants to its regions (ODD §7.33); M23's quote.",
       mechanisms=("M23",)),
    _q("SF27.year_of_trust", "A year of building trust, relationships, and shared purpose",
       SEED_002, rules=("agents/trust.pyx:AsymmetricTrust.set_rates",),
       params=("trust.gain_rate",), patterns=("SF27",),
       basis="trust.gain_rate cites SF27 ('about a year'); M1's Model.",
       mechanisms=("M1",)),
    _q("SF27.whole_year", "It sometimes takes a whole year", SEED_000,
       rules=("agents/trust.pyx:AsymmetricTrust.set_rates",),
       params=("trust.gain_rate", "grant.planning_months"), patterns=("SF5a", "SF27"),
       basis="grant.planning_months quotes it; trust.gain_rate cites SF27.",
       mechanisms=("M1",)),
    _q("SF28.four_years", "over the course of four years", SEED_001,
       rules=("agents/institutions.pyx:mindset_step", "agents/institutions.pyx:spread_mindset",
              "agents/organizations.py:Organizations.spread_mindset"),
       params=("mindset.influence_rate", "mindset.exposure_rate"), patterns=("SF28",),
       basis="mindset.influence_rate and mindset.exposure_rate read their time scale from it "
             "(a time constant of about four years); M27's quote.",
       mechanisms=("M27",)),
    _q("SF29.universal", "problems of data availability and cross-system compatibility "
       "created universal frustration", SEED_001,
       rules=("agents/institutions.pyx:data_alignment",),
       params=("institutionalization.data_growth",), patterns=("SF29",),
       basis="institutionalization.data_growth cites SF29.",
       mechanisms=("M20",)),
    _q("SF30.certifications", "Out of nearly 200 relatively high-performing students... only "
       "four received certifications", SEED_001, patterns=("SF30",)),
    _q("SF31.bowled_over", "Once they see our kids, they're bowled over", SEED_001,
       rules=("agents/employers.pyx:meets_students", "agents/employers.pyx:return_after"),
       params=("employers.contact_rate", "employers.contact_roi_gain"), patterns=("SF31",),
       basis="The contact rate quotes it; the contact gain cites SF31.",
       mechanisms=("M16",)),
    _q("SF32.compete", "are in a better position to compete for other grant funding", SEED_000,
       rules=("agents/money.pyx:win_chance",), params=("sustainment.win_max",),
       patterns=("SF32",),
       basis="The chance of winning a grant grows with habits and data (ODD §7.25) and "
             "quotes it.",
       mechanisms=("M23",)),
    _q("SF33.co_chairs", "co-chaired by a school district superintendent and a community "
       "college president", SEED_002, patterns=("SF33",)),
    _q("SF35.inundated", "We're inundated with so many things", SEED_001,
       rules=("agents/commitment.pyx:effective_capacity",
              "agents/commitment.pyx:participation_cost"),
       params=("commitment.initiative_load_college",), patterns=("SF35",),
       basis="commitment.initiative_load_college quotes it.",
       mechanisms=("M24",)),
    _q("SF35.carrots", "too many carrots", SEED_001,
       rules=("agents/commitment.pyx:effective_capacity",), patterns=("SF35",),
       basis="M24's quote; its Model turns it into capacity cut by initiative load.",
       mechanisms=("M24",)),
    _q("SF36.one_group", "lack of explicit support in even one stakeholder group could "
       "restrict pathway development", SEED_001,
       rules=("agents/programs.pyx:weakest_link", "agents/consortium.py:Consortium.act",
              "agents/organizations.py:Organizations.__init__"),
       params=("commitment.weakest_link_rho",), patterns=("SF36",),
       basis="commitment.weakest_link_rho and the weakest-link rule cite SF36; M5's quote.",
       mechanisms=("M5",)),
    _q("P1.jff", "After CCPT funding, many regional consortia disbanded or stopped staffing "
       "functions, while many local pathways continued", "McLaughlin, Groves & Lundy-Wagner "
       "2018 (JFF), science anchors §1.3", patterns=("P1",),
       basis="No rule cites it; the program rule is built from SF2.programs, which reports "
             "the same finding in other words (MENTIONS)."),
    _q("P2.hcap", "68% of HCAP coalitions sustained (at least three organizations, at least one "
       "goal)", "NORC/ASPE 2012, science anchors §5", patterns=("P2",),
       basis="No rule cites it; outcomes.collaboration_min_orgs takes its definition of a "
             "coalition (three organizations), not its share."),
    _q("P3.scheirer", "In 14 of 17 studies, at least 60% of sites sustained at least one "
       "component", "Scheirer 2005", patterns=("P3",)),
    _q("P3.champion", "champion present", "Scheirer 2005 (five factors), science anchors §1.3",
       rules=("agents/commitment.pyx:learn_commitment",), params=("leadership.champion_boost",),
       basis="leadership.champion_boost cites Scheirer 2005's champion factor; not P3's "
             "finding.",
       mechanisms=("M5",)),
    _q("P4.vanneste", "on average positive and small", "Vanneste, Puranam & Kretschmer 2014",
       patterns=("P4",)),
    _q("P5.bridges", "Nine in ten bridges this year are gone next year", "Burt 2002",
       rules=("agents/ties.pyx:hazard",),
       params=("ties.bridge_factor", "ties.dissolution_rate"), patterns=("P5a",),
       basis="The hazard and its bridge factor and base rate cite Burt 2002.",
       mechanisms=("N3",)),
    _q("P5.age", "Decay slows with experience and tie age", "Burt 2002",
       rules=("agents/ties.pyx:hazard", "agents/trust.pyx:asymmetric_step"),
       params=("trust.age_slowing",), patterns=("P5b",),
       basis="The hazard falls with age (N3; Burt 2002) and trust.age_slowing cites Burt "
             "2002.",
       mechanisms=("N3", "T2")),
)
"""Every quote a pattern is judged against, and every quote of a fact the rules cite."""

MENTIONS: tuple[tuple[str, str, str], ...] = (
    ("agents/programs.pyx", "P1",
     "The module docstring names P1 as what separate support of local programs makes "
     "possible; the rule's terms and parameters come from SF2.programs."),
)
"""Citations in the rules that build nothing: (file, fact, why)."""


def by_quote(quote_id: str, quotes: tuple[Quote, ...] = QUOTES) -> Quote:
    """The quote with this id."""
    for q in quotes:
        if q.id == quote_id:
            return q
    raise KeyError(quote_id)


def quotes_of(pattern_id: str, quotes: tuple[Quote, ...] = QUOTES) -> tuple[Quote, ...]:
    """The quotes a pattern is judged against."""
    return tuple(q for q in quotes if pattern_id in q.patterns)


def use(pattern: Pattern) -> str:
    """What judging a pattern does with its quotes: validates, verifies, calibrates..."""
    if pattern.kind == "input":
        return "is an input of"
    if pattern.kind == "not_represented":
        return "would test (not represented)"
    return {"validation": "validates", "verification": "verifies",
            "calibration": "calibrates"}[pattern.role]


def uses(quote: Quote, patterns: tuple[Pattern, ...] = PATTERNS) -> list[str]:
    """Every use of a quote as a line: 'builds agents/...', 'validates SF13b', ..."""
    built = "/".join(quote.mechanisms)
    out = ([f"builds {built} rule {r}" for r in quote.rules]
           + [f"sets {k}" for k in quote.params])
    return out + [f"{use(by_id(pid, patterns))} {pid}" for pid in quote.patterns]


def _norm(text: str) -> str:
    text = text.replace("…", "...").replace("“", '"').replace("”", '"').replace("’", "'")
    return " ".join(text.lower().split())


def rule_paths(text: str) -> list[str]:
    """The rules ``agents/<file>:<name>`` a text names."""
    return RULE_PATH.findall(text)


# ------------------------------------------------------------------------------ checks
def catalogue_problems(patterns: tuple[Pattern, ...] = PATTERNS,
                       quotes: tuple[Quote, ...] = QUOTES) -> list[str]:
    """Links between the table and the catalogue that do not hold.

    Every pattern is judged against at least one quote, every quote's patterns exist, and
    a quote's text occurs in the evidence of each pattern judged against it.
    """
    ids = {p.id for p in patterns}
    out = []
    seen: set[str] = set()
    for q in quotes:
        if q.id in seen:
            out.append(f"{q.id}: quote id repeats")
        seen.add(q.id)
        for pid in q.patterns:
            if pid not in ids:
                out.append(f"{q.id}: no pattern {pid}")
            elif _norm(q.text) not in _norm(by_id(pid, patterns).evidence):
                out.append(f"{q.id}: text not in the evidence of {pid}")
    for p in patterns:
        if not quotes_of(p.id, quotes):
            out.append(f"{p.id}: judged against no quote of the evidence table")
    return out


def double_use(patterns: tuple[Pattern, ...] = PATTERNS,
               quotes: tuple[Quote, ...] = QUOTES) -> dict[str, list[str]]:
    """Validation patterns judged against a quote that builds a rule: pattern -> quote ids."""
    out: dict[str, list[str]] = {}
    for q in quotes:
        for pid in q.patterns:
            if q.builds and by_id(pid, patterns).role == "validation":
                out.setdefault(pid, []).append(q.id)
    return out


def citations(root: Path = ROOT) -> list[tuple[str, str]]:
    """Where the rules cite a fact, paper or pattern quote: (place, fact or quote id).

    Places are parameter keys (their references) and files of ``agents/`` (their text).
    Facts are stylized-fact and pattern ids and the papers of ``PAPERS``; a quoted phrase
    of several words that occurs in a quote of this table names that quote.
    """
    from sim.params import parameter_table

    texts = [(row["key"], row["ref"]) for row in parameter_table()]
    for pattern in RULE_FILES:
        for path in sorted((root / "agents").glob(pattern)):
            texts.append((f"agents/{path.name}", path.read_text(encoding="utf-8")))
    out: list[tuple[str, str]] = []
    for place, text in texts:
        found = set(FACT_ID.findall(text))
        found |= {fact for fact, names in PAPERS.items() for n in names if n in text}
        for m in QUOTED.finditer(text):
            phrase = _norm(m[2])
            if " " in phrase:
                found |= {q.id for q in QUOTES if q.patterns and phrase in _norm(q.text)}
        out += [(place, f) for f in sorted(found)]
    return out


def _builds_at(quote: Quote, place: str) -> bool:
    if place.startswith("agents/"):
        return any(r.split(":", 1)[0] == place for r in quote.rules)
    return place in quote.params


def uncovered(quotes: tuple[Quote, ...] = QUOTES, root: Path = ROOT) -> list[str]:
    """Citations in the rules that the table does not record as building there."""
    mentioned = {(place, fact) for place, fact, _ in MENTIONS}
    out = []
    for place, cited in citations(root):
        if (place, cited) in mentioned:
            continue
        candidates = [q for q in quotes if q.id == cited or q.fact == cited]
        if not any(_builds_at(q, place) for q in candidates):
            out.append(f"{place} cites {cited}, and no quote of the table builds there")
    return out
