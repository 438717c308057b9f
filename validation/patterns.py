"""The pattern catalogue of the validation suite: one declarative entry per pattern.

Each entry states a stylized fact of the domain brief (§5, SF1-SF36) or a pattern of the
science anchors (§5, P1-P5), how the model can show it, and why the test has that shape.
``validation.suite`` runs the entries; nothing here runs the model.

**Kinds.**

- ``pair``: arm A against arm B over the same replicate seeds (common random numbers), a
  one-sided test of the mean paired difference at ``alpha``. An arm is a shipped scenario
  plus ``--set``-style overrides and the statistic read from each run. Both arms may be the
  same scenario with different statistics (a within-run contrast, e.g. P1); then each pair
  is one run.
- ``band``: a statistic of one arm (usually the baseline) and a plausible range
  ``[lo, hi]`` from the evidence. The pattern holds if the replicate mean lies in the band
  (an open end excludes its bound); the report also says whether the whole 95% interval
  does.
- ``association``: two statistics of the same runs, a one-sided test of the sign of their
  Spearman rank correlation across replicates (SF24: partner funding follows
  institutionalization).
- ``input``: the pattern is built into the model as an input, so it cannot be a
  validation target (ODD §1.2).
- ``not_represented``: the model lacks the mechanism; shown as "not testable" with the
  reason.

**Roles.** Each testable pattern has one of three roles, and ``role_why`` says why in a line
that names the rules (``agents/<file>:<name>``) it turns on. The report counts them apart.

- ``calibration``: a level band of the baseline that the assumption parameters are fitted
  to (``validation.calibration``). Passing one says the parameters are plausible, not that
  the model is valid.
- ``validation``: a pattern that could fail, judged against evidence that built no rule. No
  rule sets the quantity its statistic reads: the effect must travel through rules written
  for other reasons.
- ``verification``: a check that a rule works as it was built, not evidence of validity.
  Either the arms change a term of the very quantity the statistic reads (an override
  added to the share of positions funded, read as positions filled), or the statistic
  scores 1 in every run by construction, or the pattern is judged against the quote its
  rule was built from (``validation.evidence`` records which quote builds which rule, and
  its tests fail if a quote both builds a rule and validates a pattern). A verification
  pattern still runs and can fail: then the rule does not do what its evidence says.

Inputs and patterns the model does not represent keep the role they would have if they
were testable; ``census`` counts them by kind. SF3 and SF4 read the lead's orientation,
which the mechanisms move (ODD §7.22): SF3 is an association across runs and SF4 a
validation band, a level that no calibration fits.

**Evidence strength.** The domain brief grades each stylized fact A (an explicit general
finding of the research, or a documented count), B (researchers' claim on few cases, or
leaders' opinions and expectations) or C (a single anecdote, a normative claim, or
non-California evidence). A pattern carries the grade of the part of the fact it tests:
"A for direction" (SF1) is A; SF5 is "A as reported consensus, B as causal", and its
pairs test the causal claim, so B; SF21 is "A (risk), B (outcome)": the share of positions
lost is A, the drop in activity B; a range such as "B-C" takes the weaker grade. The
science-anchor patterns are not graded there, so the same rubric is applied to their
sources: P1 is a general finding of CCPT research (A); P3-P5 are published regularities
from other settings, which the rubric grades C for CCPT however strong they are in their
own field.

**Quick mode.** ``robust`` marks patterns that pass in the full run at the default number
of replicates with a margin a small run keeps: pairs whose observed effect gives power 0.95
with at most 8 replicates, bands that every run satisfies or whose mean lies about four
standard errors of a 20-replicate run inside the band. Running quick mode at 20 replicates
from twelve different root seeds, every robust pattern passed every time. A failing
pattern is never robust.

Band bounds are assumptions wherever the evidence gives no number; each says where it
comes from. Every stylized fact of the brief's table has at least one entry, testable or
not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Kind = Literal["pair", "band", "association", "input", "not_represented"]
Role = Literal["calibration", "validation", "verification"]
Strength = Literal["A", "B", "C"]
Direction = Literal["greater", "less"]

KINDS: tuple[str, ...] = ("pair", "band", "association", "input", "not_represented")
ROLES: tuple[str, ...] = ("calibration", "validation", "verification")
TESTABLE: tuple[str, ...] = ("pair", "band", "association")
BASELINE = "ccpt_baseline"
# Patterns awaiting a redefinition (none since the lead's orientation emerges, ODD §7.22).
AWAITING_REDEFINITION: tuple[str, ...] = ()
DEFAULT_ALPHA = 0.01  # Secchi & Seri 2017: alpha 0.01 with power >= 0.95

SOURCE_BRIEF = "domain_brief §5"
SOURCE_001 = "001_2bd79aaf5a2e2eb3.txt (Two Years Into CCPT, 2017)"
SOURCE_000 = "000_1a8b20958c37dfe9.txt (Voices from the Field, 2018)"
SOURCE_002 = "002_c1d224cb18e40a34.txt (Now and Then)"
SOURCE_004 = "004_b9fd783bc3ecb367.txt (Building Cross-Sector Partnerships, ExcelinEd 2018)"

# The baseline region with the Tulare-Kings prior-infrastructure values (scenarios/tulare_kings
# .toml), so the contrast isolates prior infrastructure (SF13).
PRIOR_INFRASTRUCTURE = ("region.prior_infrastructure=0.6", "region.prior_tie_density=0.15",
                        "region.prior_trust=0.6")
# Every sector's leader turnover doubled; 34%/yr is the largest-decile district rate (L1).
DOUBLED_TURNOVER = ("leadership.turnover_district=0.34", "leadership.turnover_college=0.4",
                    "leadership.turnover_employer=0.5",
                    "leadership.turnover_intermediary=0.4")
# Colleges without support: no college champions and the highest initiative load (SF36).
COLLEGES_UNSUPPORTIVE = ("leadership.champion_college=0.0",
                         "commitment.initiative_load_college=1.0")
# Travel costs off: the largest travel scale against the 72 km corridor, so every
# organization is near every venue and subgroups differ from whole-region meetings only in
# size (SF12), not in distance (SF11).
NO_TRAVEL_COST = ("ties.travel_scale_km=1000",)


@dataclass(frozen=True)
class Arm:
    """One side of a test: a shipped scenario, ``--set`` overrides and a statistic."""

    statistic: str
    scenario: str = BASELINE
    set: tuple[str, ...] = ()
    label: str = ""

    @property
    def key(self) -> tuple[str, tuple[str, ...]]:
        """The runs this arm needs: scenario and overrides (the statistic is read after)."""
        return self.scenario, self.set

    def describe(self) -> str:
        """Scenario and overrides as one line, e.g. ``ccpt_baseline + grant.money=false``."""
        return self.scenario + "".join(f" + {s}" for s in self.set)


@dataclass(frozen=True)
class Pattern:
    """One pattern of the suite.

    Attributes:
        id: "SF7", "P1"; a letter suffix ("SF5a") where one fact gives several tests.
        title: The pattern in a line.
        evidence: What the source says (a short quote or summary).
        source: Where: the brief's section and seed file, or the paper.
        strength: A, B or C (module docstring).
        role: "calibration", "validation" or "verification" (module docstring).
        kind: "pair", "band", "association", "input" or "not_represented".
        why: Why the test has this shape.
        a: The arm (band) or arm A (pair) or the x statistic (association).
        b: Arm B (pair) or the y statistic (association); None otherwise.
        direction: "greater": A > B (pair) or a positive correlation (association);
            "less": A < B or a negative correlation.
        alpha: One-sided significance level of a pair or association test.
        band: (lo, hi) of a band.
        band_open: Whether each end is open (the mean must differ from the bound).
        robust: In quick mode: a passing pattern whose effect is large enough to pass with
            a small number of replicates.
        mix: A band over a population: (arm, weight) pairs whose weighted mean of the
            statistic is judged against the band (the Cohort 1 award mix); ``a`` is the
            first of them.
        reason: Why an "input" or "not_represented" pattern cannot be tested.
        role_why: Why the pattern has its role, in a line naming the rules it turns on.
    """

    id: str
    title: str
    evidence: str
    source: str
    strength: Strength
    role: Role
    kind: Kind
    why: str
    a: Arm | None = None
    b: Arm | None = None
    direction: Direction = "greater"
    alpha: float = DEFAULT_ALPHA
    band: tuple[float, float] | None = None
    band_open: tuple[bool, bool] = (False, False)
    robust: bool = False
    reason: str = ""
    role_why: str = ""
    mix: tuple[tuple[Arm, float], ...] = ()

    @property
    def testable(self) -> bool:
        """Whether the suite runs a test for this pattern."""
        return self.kind in TESTABLE

    def in_band(self, level: float) -> bool:
        """Whether ``level`` lies in the band (an open end excludes its bound; NaN never)."""
        lo, hi = self.band
        return ((level > lo if self.band_open[0] else level >= lo)
                and (level < hi if self.band_open[1] else level <= hi))

    def arms(self) -> tuple[Arm, ...]:
        """The arms this pattern reads (none if it is not testable), with a mix's arms."""
        return tuple(x for x in (self.a, self.b, *(arm for arm, _ in self.mix))
                     if x is not None)

    def check(self) -> None:
        """Raise ValueError if the entry is inconsistent."""
        if self.kind not in KINDS:
            raise ValueError(f"{self.id}: kind must be one of {', '.join(KINDS)}")
        if self.strength not in ("A", "B", "C"):
            raise ValueError(f"{self.id}: strength must be A, B or C")
        if self.role not in ROLES:
            raise ValueError(f"{self.id}: role must be one of {', '.join(ROLES)}")
        if self.kind == "band" and self.role == "validation" and not self.role_why:
            raise ValueError(f"{self.id}: a validation band says why no calibration fits it")
        if self.kind in ("pair", "association") and self.role == "calibration":
            raise ValueError(f"{self.id}: a direction is a validation or verification pattern")
        if (self.testable or self.role == "verification") and not self.role_why and (
                self.id not in AWAITING_REDEFINITION):
            raise ValueError(f"{self.id}: a {self.role} pattern says why (role_why)")
        if self.direction not in ("greater", "less"):
            raise ValueError(f"{self.id}: direction must be greater or less")
        if self.kind in ("pair", "association") and (self.a is None or self.b is None):
            raise ValueError(f"{self.id}: a {self.kind} needs arms a and b")
        if self.kind == "association" and self.a.key != self.b.key:
            raise ValueError(f"{self.id}: an association reads two statistics of one arm")
        if self.kind in TESTABLE and not 0.0 < self.alpha < 0.5:
            raise ValueError(f"{self.id}: alpha must lie in (0, 0.5)")
        if self.kind == "band":
            if self.a is None or self.band is None or self.b is not None:
                raise ValueError(f"{self.id}: a band needs arm a and band, and no arm b")
            if not self.band[0] <= self.band[1]:
                raise ValueError(f"{self.id}: band must be (lo, hi) with lo <= hi")
        if not self.testable and (self.arms() or not self.reason):
            raise ValueError(f"{self.id}: an untestable pattern has a reason and no arms")
        if self.robust and not self.testable:
            raise ValueError(f"{self.id}: only a testable pattern can be robust")


def _base(statistic: str, *overrides: str, scenario: str = BASELINE, label: str = "") -> Arm:
    return Arm(statistic=statistic, scenario=scenario, set=tuple(overrides),
               label=label or (scenario if not overrides else ""))


_ENTRIES: tuple[Pattern, ...] = (
    # ------------------------------------------------------------ consortium-level levels
    Pattern(
        id="SF1", title="Most consortia scale back after the grant; a select few sustain",
        evidence="\"most of the partnerships find themselves scaling back their CCPT efforts "
                 "now that the funding has expired, a select few are reaping the benefits\"",
        source=f"{SOURCE_BRIEF} SF1; {SOURCE_000}",
        strength="A", role="calibration", kind="band",
        a=_base("sustained_2y", label="CCPT baseline"), band=(0.05, 0.25),
        why="A level, not a contrast: the share of baseline runs sustained two years after the "
            "grant (2-3 years after the cliff). The brief reads \"a select few\" as roughly "
            "5-25% (§5 usage note); the band is that reading, an assumption.",
        role_why=("A level the assumption parameters are fitted to: no rule sets the function "
                  "level two years on, which convenings (agents/money.pyx:convening_intensity), "
                  "ties, partners paying (agents/money.pyx:contribution_share) and habits "
                  "(agents/institutions.pyx:institutionalize) give after the grant.")),
    Pattern(
        id="SF1b", title="Across the Cohort 1 award mix, a select few grantees sustain",
        evidence="\"most of the partnerships find themselves scaling back their CCPT efforts "
                 "now that the funding has expired, a select few are reaping the benefits\"; "
                 "Cohort 1: 12 x $15M, 16 x $6M, 11 x $600K grants",
        source=f"{SOURCE_BRIEF} SF1, §2.2; {SOURCE_000}; {SOURCE_001}",
        strength="A", role="validation", kind="band",
        a=_base("sustained_2y", label="$15M"), band=(0.05, 0.25),
        mix=((_base("sustained_2y", label="$15M"), 12.0),
             (_base("sustained_2y", scenario="ccpt_6m", label="$6M"), 16.0),
             (_base("sustained_2y", scenario="ccpt_local_600k", label="$600K"), 11.0)),
        why="The statewide level: the share sustained two years on across Cohort 1's grants, "
            "weighted 12/16/11 over the $15M baseline and the $6M and $600K compositions, "
            "each arm on the same replicate seeds. Same 'select few' band as SF1.",
        role_why=("The calibration fits the $15M baseline only (SF1); the $6M and $600K "
                  "regions and awards enter no calibration, and no rule sets the share "
                  "sustained (agents/money.pyx:partner_budgets sizes partners' means by the "
                  "award).")),
    Pattern(
        id="SF2", title="Program gains occur even where regional collaboration is not sustained",
        evidence="\"CCPT funds did advance programmatic priorities like developing new pathways "
                 "and increasing student participation... However... building regional "
                 "systems... went largely unrealized\"",
        source=f"{SOURCE_BRIEF} SF2; {SOURCE_000}",
        strength="A", role="calibration", kind="band",
        a=_base("program_gain_without_sustainment", label="CCPT baseline"),
        band=(0.5, 1.0),
        why="Both halves must hold in the same consortium, so each run scores 1 if its local "
            "programs grew over the grant and its regional collaboration was not sustained "
            "two years on; \"most consortia\" makes the band a majority.",
        robust=True,
        role_why=("Can fail only through its second half, one minus the SF1 statistic: programs "
                  "start at zero and grow whenever grant money reaches districts and colleges "
                  "(agents/programs.pyx:run_programs), so the first half holds in every run and "
                  "the band asks no more than SF1's.")),
    Pattern(
        id="SF3", title="Systems-oriented consortia sustain more than program-oriented ones",
        evidence="\"grantees that approached the CCPT opportunity from a systems-change "
                 "perspective... experienced a greater level of transformation, and that "
                 "transformation supported post-grant sustainability\"",
        source=f"{SOURCE_BRIEF} SF3; {SOURCE_000}",
        strength="B", role="validation", kind="association",
        a=_base("orientation_grant_end", label="CCPT baseline"),
        b=_base("function_level_2y", label="CCPT baseline"),
        why="The lead's orientation is a state the mechanisms move (ODD §7.22), not an input, "
            "so the fact is tested as the correlation it states across consortia: the "
            "Spearman correlation, over baseline runs, of the orientation at grant end with "
            "the function level two years later. The 'equal or lower in-grant outputs' "
            "clause is not tested because a one-sided test cannot show equality.",
        role_why=("The orientation is moved by TA, narrated process gains, grant money and "
                  "impatient partners (agents/programs.pyx:orientation_step) and no rule reads "
                  "it into the function level except through the effort split "
                  "(agents/programs.pyx:now_share); the quote built no rule.")),
    Pattern(
        id="SF4", title="Most consortia did not adopt a systems orientation",
        evidence="\"most consortia did not frame CCPT goals in terms of systems change\"",
        source=f"{SOURCE_BRIEF} SF4; {SOURCE_000}",
        strength="A", role="validation", kind="band",
        a=_base("systems_led", label="CCPT baseline"), band=(0.0, 0.5), band_open=(False, True),
        why="The share of baseline runs whose lead ends the grant systems-oriented "
            "(orientation >= outcomes.systems_threshold) must be a minority: 'most ... did "
            "not'. The orientation emerges from TA, process gains, grant money and partners' "
            "patience (ODD §7.22), so the share can fail; it is not a calibration target.",
        role_why=("No rule sets the share of systems-led leads: the first disposition is "
                  "region.orientation_mean (an assumption) and the mechanisms of "
                  "agents/programs.pyx:orientation_step move it; the quote built no rule and "
                  "the calibration does not fit this band.")),
    Pattern(
        id="SF5a", title="A planning year raises end-of-grant institutionalization",
        evidence="\"the four-year CCPT grant period did not allow sufficient time\"; \"It "
                 "sometimes takes a whole year\"",
        source=f"{SOURCE_BRIEF} SF5; {SOURCE_000}",
        strength="B", role="verification", kind="pair",
        a=_base("institutionalization_grant_end", "grant.planning_months=12",
                label="12-month planning period"),
        b=_base("institutionalization_grant_end", label="CCPT baseline"),
        why="The fact's remedy as a contrast: the same grant with and without a funded planning "
            "year, on the institutionalization index at grant end (the 'systems change' the "
            "leaders said needed more time). Graded B: the causal reading of a consensus of "
            "four leaders.",
        robust=True,
        role_why=("By construction: the planning year adds 12 months, all of them on systems "
                  "work (agents/consortium.py:Consortium.act), before the month the statistic "
                  "reads, and the habit stock it averages grows in every month a member enacts "
                  "the practice (agents/institutions.pyx:habit_step); grant.planning_months "
                  "also cites the quote 'It sometimes takes a whole year'.")),
    Pattern(
        id="SF5b", title="A longer grant raises end-of-grant institutionalization",
        evidence="\"For the majority of CCPT consortia, those goals proved too ambitious to "
                 "achieve within the four-year grant period\"",
        source=f"{SOURCE_BRIEF} SF5; {SOURCE_000}",
        strength="B", role="verification", kind="pair",
        a=_base("institutionalization_grant_end", "grant.state_years=5",
                label="five state-funded years"),
        b=_base("institutionalization_grant_end", label="CCPT baseline (three)"),
        why="The other remedy: five state-funded years instead of three, read at each design's "
            "own grant end. The level half of SF5 (institutionalization incomplete at grant "
            "end) has no threshold in the evidence and is not tested.",
        robust=True,
        role_why=("By construction: two more state-funded years add 24 months before the month "
                  "the statistic reads, in which the habit stock it averages grows whenever "
                  "members enact the practice (agents/institutions.pyx:habit_step).")),
    Pattern(
        id="SF6", title="Year-one targets are missed while process outcomes advance",
        evidence="\"many consortia fell short of their proposed year one 'measurable "
                 "outcomes'... every Cohort 1 respondent... pointed to areas in which CCPT's "
                 "early activities... made positive and important differences\"",
        source=f"{SOURCE_BRIEF} SF6; {SOURCE_001}",
        strength="A", role="verification", kind="band",
        a=_base("year1_targets_missed_process_gained", label="CCPT baseline"),
        band=(0.5, 1.0),
        why="Both halves in the same run at the end of year 1: fewer than half of the employers "
            "at the rung they pledged (the measurable target; 'half' is an assumption) while "
            "ties formed (more ties than in month 0) and trust grew (the trust the network "
            "carries, ties times mean trust; the mean alone falls as new ties start at "
            "baseline trust). \"Many consortia\" makes the band a majority. The process "
            "measure was changed after the first runs, from active ties to ties formed plus "
            "the trust carried, to follow the fact's wording ('new relationships'); the "
            "change is recorded here so a reader can judge it.",
        robust=True,
        role_why=("Scores 1 in every baseline run by construction: every employer starts below "
                  "the rung it pledged (employers.initial_rung_max = 1 < pledged_rung_min = 2, "
                  "agents/ladder.py:EmployerLadder.__init__) and climbs a rung only with a "
                  "small monthly chance (agents/employers.pyx:climbs), while convenings add "
                  "ties from month 0 (agents/ties.pyx:formation).")),
    Pattern(
        id="SF7", title="Every consortium forms new cross-sector ties, including K-12-college ties",
        evidence="\"Every consortia leader saw new relationships as a benefit of CCPT\"; "
                 "\"Schools and districts don't normally work with community colleges... it's "
                 "a new thing\"",
        source=f"{SOURCE_BRIEF} SF7; {SOURCE_001}",
        strength="A", role="verification", kind="band",
        a=_base("new_cross_sector_ties_y2", label="CCPT baseline"), band=(0.84, 1.0),
        why="\"Every\" is a share of consortia: each run scores 1 if it ends year 2 with more "
            "cross-sector ties than before the grant and with at least one new K-12-college "
            "tie. All of the ~20 interviewed consortia is consistent with a true share of at "
            "least 0.84 (Wilson 95% lower bound of 20/20), hence the band.",
        robust=True,
        role_why=("Scores 1 in every baseline run by construction: the 72 district-college "
                  "pairs get a formation chance whenever both attend a convening "
                  "(agents/ties.pyx:formation), so some new K-12-college tie forms within 24 "
                  "months in every run, and formation outpaces dissolution while the grant "
                  "runs.")),
    Pattern(
        id="SF8a", title="Leader turnover lowers trust",
        evidence="Leadership change \"could disrupt local CTE/CCPT efforts and regional "
                 "networks\"",
        source=f"{SOURCE_BRIEF} SF8; {SOURCE_001}",
        strength="B", role="verification", kind="pair",
        a=_base("mean_trust_grant_end", label="CCPT baseline"),
        b=_base("mean_trust_grant_end", *DOUBLED_TURNOVER, label="turnover doubled"),
        why="'On average' is a contrast of turnover rates: every sector's rate doubled (34%/yr "
            "is the largest-decile district rate, Grissom & Andersen 2012) against the "
            "baseline, on mean trust over ties at grant end.",
        robust=True,
        role_why=("By construction: every leader change cuts the personal trust on the "
                  "organization's ties to the share agents/leadership.pyx:trust_kept keeps "
                  "(agents/trust.pyx:AsymmetricTrust.reset), so doubling the rate cuts the mean "
                  "trust the statistic reads; the quote is the one the turnover rule was built "
                  "from (M6).")),
    Pattern(
        id="SF8b", title="Leader turnover lowers collaborative activity",
        evidence="Leadership change \"could disrupt local CTE/CCPT efforts and regional "
                 "networks\"",
        source=f"{SOURCE_BRIEF} SF8; {SOURCE_001}",
        strength="B", role="verification", kind="pair",
        a=_base("operating_raw_grant_mean", label="CCPT baseline"),
        b=_base("operating_raw_grant_mean", *DOUBLED_TURNOVER, label="turnover doubled"),
        why="The same contrast on activity: committed participation times operating capacity, "
            "averaged over the grant years (absolute, so a lower peak cannot hide a loss).",
        role_why=("By construction: a leader change moves the organization's commitment, a "
                  "factor of the statistic, to a fresh disposition "
                  "(agents/leadership.pyx:commitment_after_succession) and cuts its ties' trust "
                  "(agents/leadership.pyx:trust_kept); the quote is the one the turnover rule "
                  "was built from (M6).")),
    Pattern(
        id="SF8c", title="A minority of leader changes help",
        evidence="\"The opposite is always true: at least one consortium benefited from a "
                 "leadership change\"",
        source=f"{SOURCE_BRIEF} SF8; {SOURCE_001}",
        strength="B", role="calibration", kind="band",
        a=_base("turnover_helps_share", label="CCPT baseline"), band=(0.0, 0.5),
        band_open=(True, True),
        why="An event-level level: of all leader changes in a run, the share after which the "
            "organization's commitment rose over the month of the change. 'Usually disrupts, "
            "occasionally helps' means above zero and below one half.",
        role_why=("A level of the successor draw (agents/leadership.pyx:successor_disposition), "
                  "whose spread leadership.successor_spread was set from this quote; it can "
                  "fail, and at the calibrated candidate it does.")),
    # ---------------------------------------------------------------- network and convening
    Pattern(
        id="SF11a", title="Subregional nodes raise attendance in a large region",
        evidence="East Bay: \"limited success convening... because of time and travel "
                 "costs... created three sub regional nodes... in its second year\"",
        source=f"{SOURCE_BRIEF} SF11; {SOURCE_001}",
        strength="B", role="verification", kind="pair",
        a=_base("attendance_year2", scenario="east_bay_subregional",
                label="three subregional nodes"),
        b=_base("attendance_year2", label="whole-region meetings"),
        why="The shipped East Bay scenario with and without its year-2 reorganisation, on the "
            "share of taking-part organizations attending in year 2, the first node year.",
        robust=True,
        role_why=("By construction: nodes bring each organization's venue closer and shrink its "
                  "meeting group (agents/organizations.py:Organizations._venues), both factors "
                  "of the attendance chance the statistic averages "
                  "(agents/commitment.pyx:meeting_chance).")),
    Pattern(
        id="SF11b", title="Subregional nodes raise trust growth in a large region",
        evidence="East Bay's nodes were \"effective\" (\"most respondents say\")",
        source=f"{SOURCE_BRIEF} SF11; {SOURCE_001}",
        strength="B", role="validation", kind="pair",
        a=_base("trust_growth_year2", scenario="east_bay_subregional",
                label="three subregional nodes"),
        b=_base("trust_growth_year2", label="whole-region meetings"),
        why="The same contrast on the change of mean trust over ties during year 2.",
        role_why=("No rule sets trust growth from nodes: it must come through co-attendance, "
                  "interactions and small wins (agents/ties.pyx:interact, "
                  "agents/trust.pyx:BetaReputationTrust.month), a route that lowers it for "
                  "subgroups "
                  "(SF12b); the quote is a sentence apart from the one the node rule was built "
                  "from.")),
    Pattern(
        id="SF12a", title="Smaller meeting groups raise attendance where travel does not matter",
        evidence="\"Our first ag-sector convening wasn't all that successful. There were around "
                 "80 people there... For my next ag-sector meeting, I did four subgroups... It "
                 "went much better\"",
        source=f"{SOURCE_BRIEF} SF12; {SOURCE_001}",
        strength="C", role="verification", kind="pair",
        a=_base("attendance_year2", *NO_TRAVEL_COST, "grant.subregional_nodes=4",
                label="four subgroups from year 2"),
        b=_base("attendance_year2", *NO_TRAVEL_COST, label="whole-region meetings"),
        why="Size alone, not travel (that is SF11): travel costs are off in both arms (a 1000 "
            "km travel scale on the 72 km corridor), so four subgroups from year 2 (the "
            "anecdote's next meeting) differ from whole-region meetings only in how many "
            "organizations meet together, about 7 rather than about 28 districts, colleges and "
            "intermediaries, against a size threshold of 20 (ties.meeting_size_threshold). "
            "Attendance is the meeting rule's own output, so this checks that the size penalty "
            "binds at the baseline's participation, not a consequence beyond the rule (that is "
            "SF12b). The model's subgroups are geographic nodes and its meeting size counts "
            "non-employers only; employer sector subgroups, as in the anecdote, are not "
            "represented.",
        robust=True,
        role_why=("By construction: four groups bring the meeting size under "
                  "ties.meeting_size_threshold, whose crowding term divides the attendance "
                  "chance the statistic averages (agents/commitment.pyx:meeting_chance).")),
    Pattern(
        id="SF12b", title="Smaller meeting groups raise trust growth where travel does not matter",
        evidence="\"For my next ag-sector meeting, I did four subgroups... It went much "
                 "better\"",
        source=f"{SOURCE_BRIEF} SF12; {SOURCE_001}",
        strength="C", role="validation", kind="pair",
        a=_base("trust_growth_year2", *NO_TRAVEL_COST, "grant.subregional_nodes=4",
                label="four subgroups from year 2"),
        b=_base("trust_growth_year2", *NO_TRAVEL_COST, label="whole-region meetings"),
        why="The same contrast on the second output of M11, the change of mean trust over ties "
            "during year 2. The size rule does not imply it: subgroups meet apart, so ties "
            "between organizations in different subgroups lose co-attendance in two months of "
            "three (the whole region still meets every ties.regional_meeting_interval = 3 "
            "months), which can outweigh the higher attendance.",
        role_why=("No rule sets trust growth from meeting size: the size rule raises attendance "
                  "(agents/commitment.pyx:meeting_chance), but subgroups meet apart, so "
                  "co-attendance across them falls (agents/ties.pyx:interact); the size "
                  "threshold cites the '80 people' sentence, not 'It went much better'.")),
    Pattern(
        id="SF13a", title="Prior infrastructure speeds institutionalization",
        evidence="\"somewhat less daunting for consortia that have some existing networks\"; "
                 "Tulare's TCOVE/ROP platform",
        source=f"{SOURCE_BRIEF} SF13; {SOURCE_001}",
        strength="B", role="verification", kind="pair",
        a=_base("institutionalization_year2_end", *PRIOR_INFRASTRUCTURE,
                label="Tulare-Kings prior infrastructure"),
        b=_base("institutionalization_year2_end", label="CCPT baseline (roll-out)"),
        why="The baseline region given the Tulare-Kings scenario's prior ties, trust and "
            "infrastructure (and nothing else of Tulare), so the contrast isolates prior "
            "infrastructure; 'reach a level sooner' is read as a higher level at the end of "
            "year 2.",
        robust=True,
        role_why=("By construction: prior infrastructure sets the starting habit of prior "
                  "members (agents/partnerships.py:Partnerships.__init__), the stock whose mean "
                  "the statistic reads 24 months later.")),
    Pattern(
        id="SF13b", title="Prior infrastructure raises the share sustained",
        evidence="Mature consortia expect continuation; less mature ones are \"uncertain\"",
        source=f"{SOURCE_BRIEF} SF13; {SOURCE_001}",
        strength="B", role="validation", kind="pair",
        a=_base("sustained_2y", *PRIOR_INFRASTRUCTURE,
                label="Tulare-Kings prior infrastructure"),
        b=_base("sustained_2y", label="CCPT baseline (roll-out)"),
        why="The same contrast on the share sustained two years after the grant.",
        role_why=("No rule adds sustainment for prior infrastructure: it reaches the post-grant "
                  "function level only through habits, trust and partner money "
                  "(agents/institutions.pyx:habit_step, agents/money.pyx:contribution_share).")),
    # ------------------------------------------------------------------------- employers
    Pattern(
        id="SF15", title="Employer engagement is higher where regional urgency is high",
        evidence="\"A sense of urgency about regional workforce conditions generally produced "
                 "high levels of employer involvement\"",
        source=f"{SOURCE_BRIEF} SF15; {SOURCE_001}",
        strength="B", role="verification", kind="pair",
        a=_base("employers_engaged_grant_end", "region.urgency=0.7",
                label="high urgency (Tulare-Kings value)"),
        b=_base("employers_engaged_grant_end", label="baseline urgency"),
        why="Urgency at the Tulare-Kings scenario's value against the baseline's, in the same "
            "region, on employers at rung 2 or above at grant end.",
        role_why=("By construction: urgency multiplies employers' return from student contact "
                  "(agents/employers.pyx:return_after), the return each climb needs "
                  "(agents/employers.pyx:climbs), and the statistic counts rungs; the quote set "
                  "region.urgency and employers.urgency_gain.")),
    Pattern(
        id="SF16", title="Employers' delivery falls short of their pledges",
        evidence="\"too many employers failed to live up to commitments made in their CCPT "
                 "proposal\"",
        source=f"{SOURCE_BRIEF} SF16; {SOURCE_001}",
        strength="A", role="calibration", kind="band",
        a=_base("employer_pledges_short_grant_end", label="CCPT baseline"), band=(0.2, 1.0),
        why="A level: the share of employers below their pledged rung at grant end. "
            "\"A noticeable share\" is read as at least one in five, an assumption.",
        robust=True,
        role_why=("A level of the ladder (agents/employers.pyx:climbs) against pledges whose "
                  "range employers.pledged_rung_min and pledged_rung_max was set from this "
                  "quote.")),
    Pattern(
        id="SF17", title="Relationship-first engagement reaches more work-based-learning hosts",
        evidence="ITK / Porterville: start employers with low-commitment, student-contact "
                 "activities rather than asking for internships",
        source=f"{SOURCE_BRIEF} SF17; {SOURCE_001}",
        strength="B", role="verification", kind="pair",
        a=_base("wbl_hosts_years3_4", label="relationship-first"),
        b=_base("wbl_hosts_years3_4", "employers.transactional_asks=true",
                label="transactional asks"),
        why="The two engagement strategies on the same employers, on employers hosting work-"
            "based learning (rung 4 or above) averaged over years 3-4, i.e. after two years.",
        role_why=("By construction: transactional asks switch on the rule that sends employers "
                  "below job shadow back to rung 0 and out (agents/employers.pyx:scared_off), "
                  "and the statistic counts employers at job shadow or above; the quote set the "
                  "switch and its parameters.")),
    Pattern(
        id="SF18", title="Over-tapping burns out the heavy-lifting employers",
        evidence="\"We had a critical business partner 'divorce' us... they felt that they were "
                 "being tapped too much and they just burned out... It's the classic 20-80 "
                 "rule\"",
        source=f"{SOURCE_BRIEF} SF18; {SOURCE_004}",
        strength="C", role="verification", kind="pair",
        a=_base("heavy_lifter_burnout_exit_hazard", label="heavy lifters (rung 4 or above)"),
        b=_base("other_employer_burnout_exit_hazard", label="other asked employers (rungs 1-3)"),
        why="A within-run contrast, like P1: over the whole run, the monthly hazard of leaving "
            "through burnout (the 'divorce') for employers taking part on rung 4 or above "
            "(hosting work-based learning, as for SF17: the heavy lifters) against those on "
            "rungs 1-3; rung 0 is not asked and is left out, and exits for other reasons are not "
            "counted. Asks rise with the rung (ODD §7.20), so the test asks whether that "
            "concentration turns into exits at the baseline's ask load, not whether asks are "
            "concentrated.",
        role_why=("By construction asks grow with the rung (agents/employers.pyx:asks_of, with "
                  "employers.ask_rung_scale set from this quote), so heavy lifters burn out "
                  "first; the test asks only whether burnout reaches the exit level at the "
                  "baseline (agents/employers.pyx:climb).")),
    Pattern(
        id="SF31", title="Student contact deepens employer engagement",
        evidence="\"Once they see our kids, they're bowled over\"",
        source=f"{SOURCE_BRIEF} SF31; {SOURCE_001}",
        strength="B", role="verification", kind="pair",
        a=_base("employers_engaged_grant_end", "employers.contact_rate=0.6",
                label="student contact doubled"),
        b=_base("employers_engaged_grant_end", label="CCPT baseline"),
        why="Twice the monthly chance of student contact at low rungs, on employers at rung 2 "
            "or above at grant end.",
        role_why=("By construction: contact raises employers' return "
                  "(agents/employers.pyx:meets_students, agents/employers.pyx:return_after), "
                  "the return each climb needs, and the statistic counts rungs; the quote set "
                  "the contact rate and its gain.")),
    # ----------------------------------------------------------- staff, money, institutions
    Pattern(
        id="SF21a", title="Most grant-funded positions end at the cliff; some survive",
        evidence="\"leaders are scrambling to keep these positions\"; \"Some K-12 districts "
                 "have protected key CCPT positions... LCAP\"",
        source=f"{SOURCE_BRIEF} SF21; {SOURCE_001}",
        strength="A", role="calibration", kind="band",
        a=_base("positions_kept_after_cliff", label="CCPT baseline"), band=(0.0, 0.5),
        band_open=(True, True),
        why="A level: positions filled in the year after state money ends, relative to the "
            "cliff. 'Most end' puts it below one half, 'some survive' above zero.",
        role_why=("A level of the position rule (agents/money.pyx:positions_funded) against what "
                  "partners pay (agents/money.pyx:contribution_share) and hosts absorb "
                  "(agents/money.pyx:absorb_chance); the calibration holds it together with "
                  "SF1 as often as if the two were independent.")),
    Pattern(
        id="SF21c", title="Consortia that sustain do so with fewer paid staff",
        evidence="\"braiding funds from multiple sources can ensure the continuous of work - "
                 "albeit at a smaller scale\"",
        source=f"{SOURCE_BRIEF} §4.1 D9, SF21; 003_e537c8e3f1d9dfc2.txt (Roadmap)",
        strength="C", role="validation", kind="band",
        a=_base("sustained_with_few_positions_2y", label="CCPT baseline"), band=(0.5, 1.0),
        band_open=(True, False),
        why="Scored in the same runs as the share sustained (SF1): among baseline runs "
            "sustained two years on, the share that kept fewer than half of the positions "
            "filled at the cliff. Most should have, since most positions end (SF21) while "
            "some consortia continue 'at a smaller scale'.",
        role_why=("Function, not staffing, classifies a run (sim/outcomes.py), and no rule "
                  "ties the positions kept (agents/funding.py:Backbone.staff) to the other "
                  "functions; the quote built no rule.")),
    Pattern(
        id="SF21b", title="Absorbing the positions keeps the consortium operating",
        evidence="Without absorption \"consortium activity drops accordingly\"",
        source=f"{SOURCE_BRIEF} SF21; {SOURCE_001}",
        strength="B", role="verification", kind="pair",
        a=_base("function_level_2y", "grant.retained_backbone_share=1.0",
                label="positions absorbed"),
        b=_base("function_level_2y", label="CCPT baseline"),
        why="The outcome half as a contrast: every backbone position kept after the grant "
            "against none, on the function level two years after the grant.",
        robust=True,
        role_why=("Judged against the quote its rule was built from: the retained share is "
                  "added to the positions funded (agents/money.pyx:positions_funded), and "
                  "filled positions are coordination (agents/money.pyx:coordination), the rule "
                  "'consortium activity drops accordingly' built.")),
    Pattern(
        id="SF22a", title="Hiring lags leave year-1 positions vacant for a noticeable share of "
                          "the year",
        evidence="\"by the time the position is approved... 'hire someone to support CCPT, the "
                 "grant will be closed'\"; \"we didn't find anybody for the half-time role\"",
        source=f"{SOURCE_BRIEF} SF22; {SOURCE_001}",
        strength="B", role="calibration", kind="band",
        a=_base("year1_position_months_vacant", label="CCPT baseline"), band=(0.2, 1.0),
        why="A level of lost staff time: the share of the position-months funded in year 1 "
            "(months 0-11) with the position vacant, so a position filled late counts for its "
            "vacant months and one not filled in year 1 for the whole year. The evidence gives "
            "no number for 'late'; \"a noticeable share\" is read as at least one in five, as "
            "for SF16, an assumption. grant.hire_lag_months was set from this fact, so this is "
            "a calibration target.",
        robust=True,
        role_why=("A level of the hiring rule (agents/money.pyx:hiring_chance), whose lag "
                  "grant.hire_lag_months was set from this quote.")),
    Pattern(
        id="SF22b", title="Fill rates fall near the grant's end",
        evidence="\"since many of the new positions could terminate with the end of the CCPT "
                 "grant, people with the desired skill sets... were often difficult to find\"",
        source=f"{SOURCE_BRIEF} SF22; {SOURCE_001}",
        strength="B", role="verification", kind="input",
        why="An input cannot validate the model.",
        reason="Set as an input: a vacancy is filled each month with probability security / "
               "grant.hire_lag_months, where security = sqrt(months of state money left / "
               "money_end) (ODD §7.4), so the fall of fill rates towards the cliff is imposed "
               "by the rule, not emergent.",
        role_why=("The fall is the hiring rule itself: job security sqrt(months left / "
                  "money_end) (agents/money.pyx:hiring_chance), built from this quote.")),
    Pattern(
        id="SF20b", title="Some consortia sign a bilateral articulation agreement within two "
                          "years",
        evidence="West Contra Costa: a district-college pathway team \"resulted in a Memorandum "
                 "of Understanding about dual enrollment—no small achievement in the EBCP "
                 "context\"",
        source=f"{SOURCE_BRIEF} SF20; {SOURCE_001}",
        strength="B", role="calibration", kind="band",
        a=_base("bilateral_agreement_by_year2", label="CCPT baseline"), band=(0.0, 1.0),
        band_open=(True, True),
        why="The half of the fact the model has, as a level: each run scores 1 if a bilateral "
            "K-12-college agreement (ODD §7.17) stood in some month of years 1-2. The West Contra "
            "Costa MOU shows that it happens within two years (above zero); 'no small "
            "achievement' says it is not routine (below one). The evidence gives no share, so "
            "the open band is that reading and a weak test.",
        role_why=("A level of the agreement rule (agents/institutions.pyx:sign_agreements), "
                  "whose rate institutionalization.articulation_rate was set from SF20.")),
    Pattern(
        id="SF23", title="Consortia spend in much the same way",
        evidence="\"Despite the open-endedness of the grant, Cohort 1 consortia generally spent "
                 "their CCPT funds in much the same way\"",
        source=f"{SOURCE_BRIEF} SF23; {SOURCE_001}",
        strength="A", role="calibration", kind="input",
        why="An input cannot validate the model.",
        reason="Set as an input: the spending shares grant.equipment_share, staff_share, "
               "convening_share and subgrant_share are fixed per scenario (ODD §1.2)."),
    Pattern(
        id="SF24a", title="Post-grant partner funding follows institutionalization",
        evidence="Tulare-Kings: \"direct investments from nearly all of the school districts\"",
        source=f"{SOURCE_BRIEF} SF24; {SOURCE_000}; {SOURCE_002}",
        strength="B", role="verification", kind="association",
        a=_base("institutionalization_grant_end", label="CCPT baseline"),
        b=_base("funding_gap_filled_2y", label="CCPT baseline"),
        why="The fact is a correlation across consortia, so it is tested as one: the Spearman "
            "correlation, over baseline runs, of the institutionalization index at grant end "
            "with the share of the core cost partners pay two years later.",
        role_why=("By construction: a partner's contribution is linear in its habit "
                  "(agents/money.pyx:contribution_share, with "
                  "commitment.contrib_institutionalization set from SF24), so the share of the "
                  "core cost partners pay follows institutionalization.")),
    Pattern(
        id="SF24b", title="Post-grant partner funding follows shared identity",
        evidence="Partner funding arises \"where infrastructure and value are established\"",
        source=f"{SOURCE_BRIEF} SF24; {SOURCE_002}",
        strength="B", role="verification", kind="association",
        a=_base("shared_vision_grant_end", label="CCPT baseline"),
        b=_base("funding_gap_filled_2y", label="CCPT baseline"),
        why="The same correlation with shared vision and identity at grant end.",
        role_why=("By construction: a partner's contribution is linear in shared vision "
                  "(agents/money.pyx:contribution_share, commitment.contrib_identity), so the "
                  "share of the core cost partners pay follows it.")),
    Pattern(
        id="SF25a", title="An overlapping grant keeps positions through the cliff",
        evidence="\"Several Cohort 1 consortia have a Cohort 2 CCPT grant in the same or "
                 "nearby region, and these funds often help to strengthen structures, "
                 "processes, and staffing central to sustaining Cohort 1 pathway work\" "
                 "(\"Next Steps\")",
        source=f"{SOURCE_BRIEF} SF25; {SOURCE_001}",
        strength="B", role="verification", kind="pair",
        a=_base("positions_kept_after_cliff", "grant.follow_on_year=2",
                "grant.follow_on_musd=6.0", label="Cohort 2 grant from year 2"),
        b=_base("positions_kept_after_cliff", label="CCPT baseline"),
        why="A $6M follow-on grant starting in year 2, as Cohort 2 started a year after Cohort "
            "1, against none, on positions kept in the year after the cliff.",
        robust=True,
        role_why=("By construction: the follow-on share (agents/money.pyx:follow_on_share) is "
                  "added to the share of positions funded (agents/money.pyx:positions_funded), the "
                  "positions the statistic counts.")),
    Pattern(
        id="SF25b", title="An overlapping grant leaves more lasting structures",
        evidence="\"Several Cohort 1 consortia have a Cohort 2 CCPT grant in the same or "
                 "nearby region, and these funds often help to strengthen structures, "
                 "processes, and staffing central to sustaining Cohort 1 pathway work\" "
                 "(\"Next Steps\")",
        source=f"{SOURCE_BRIEF} SF25; {SOURCE_001}",
        strength="B", role="verification", kind="pair",
        a=_base("institutionalization_2y", "grant.follow_on_year=2",
                "grant.follow_on_musd=6.0", label="Cohort 2 grant from year 2"),
        b=_base("institutionalization_2y", label="CCPT baseline"),
        why="The same contrast on structures: the institutionalization index two years after "
            "the grant, once the follow-on money has also ended.",
        role_why=("Judged against the sentence the follow-on rule was built from "
                  "(agents/money.pyx:follow_on_share cites SF25), so agreement is not "
                  "independent evidence, though no rule sets the structures directly.")),
    Pattern(
        id="SF27", title="Cross-sector trust takes about a year to reach working levels",
        evidence="\"A year of building trust, relationships, and shared purpose\"; \"It "
                 "sometimes takes a whole year\"",
        source=f"{SOURCE_BRIEF} SF27; {SOURCE_002}; {SOURCE_000}",
        strength="B", role="calibration", kind="band",
        a=_base("months_to_working_trust", label="CCPT baseline"), band=(6.0, 18.0),
        why="A duration: for cross-sector ties formed in year 1 that still stand at the end of "
            "year 3, the median months until trust first reaches the level at which a tie "
            "counts as active. 'About a year' is read as 6-18 months, an assumption.",
        role_why=("A level of the trust rule (agents/trust.pyx:BetaReputationTrust.set_rates, "
                  "the default; under the asymmetric alternative "
                  "agents/trust.pyx:AsymmetricTrust.set_rates, whose gain trust.gain_rate was "
                  "set from this fact). With P4 it chose the trust rule (docs/validation.md "
                  "§6).")),
    Pattern(
        id="SF29", title="Data systems stay misaligned without dedicated investment",
        evidence="\"problems of data availability and cross-system compatibility created "
                 "universal frustration\"",
        source=f"{SOURCE_BRIEF} SF29; {SOURCE_001}",
        strength="A", role="verification", kind="band",
        a=_base("data_alignment_stays_low", label="CCPT baseline"), band=(0.84, 1.0),
        why="\"Universal\" is a share of consortia: each run scores 1 if data alignment stays "
            "below one half throughout the grant ('low' is an assumption); the band is the "
            "Wilson lower bound of 20 of 20 interviewed consortia, as for SF7.",
        robust=True,
        role_why=("Scores 1 in every baseline run and at every point of the calibration box: "
                  "data alignment grows at most data_growth times (reporting + habits) times "
                  "coordination a month (agents/institutions.pyx:data_alignment), data_growth "
                  "was set from this quote, and one half is out of reach by month 48 unless "
                  "habits and coordination stay at their maximum.")),
    Pattern(
        id="SF35", title="Initiative-crowded colleges take part less",
        evidence="\"We're inundated with so many things\"; \"too many carrots\"",
        source=f"{SOURCE_BRIEF} SF35; {SOURCE_001}",
        strength="B", role="verification", kind="pair",
        a=_base("college_attendance_grant", label="colleges crowded (baseline)"),
        b=_base("college_attendance_grant", "commitment.initiative_load_college=0.3",
                label="colleges loaded like districts"),
        direction="less",
        why="The colleges' initiative load against the districts' load in the same region, on "
            "the share of colleges attending a meeting each month of the grant.",
        robust=True,
        role_why=("By construction: initiative load divides capacity "
                  "(agents/commitment.pyx:effective_capacity), a factor of the attendance "
                  "chance the statistic averages (agents/commitment.pyx:meeting_chance); the "
                  "quote set the colleges' load.")),
    Pattern(
        id="SF36", title="One unsupportive stakeholder group holds back pathway progress",
        evidence="\"lack of explicit support in even one stakeholder group could restrict "
                 "pathway development\"",
        source=f"{SOURCE_BRIEF} SF36; {SOURCE_001}",
        strength="B", role="verification", kind="pair",
        a=_base("program_level_grant_end", label="CCPT baseline"),
        b=_base("program_level_grant_end", *COLLEGES_UNSUPPORTIVE,
                label="colleges unsupportive"),
        why="Only one group changes: colleges without champions and at the highest initiative "
            "load; the test asks whether the whole region's pathway programs at grant end "
            "fall with it.",
        role_why=("Judged against the quote the weakest-link rule was built from "
                  "(agents/programs.pyx:weakest_link; commitment.weakest_link_rho cites it), "
                  "and the colleges' own programs lose support directly as load and no "
                  "champions cut their contribution (agents/money.pyx:contribution_share).")),
    # -------------------------------------------------------------------- not represented
    Pattern(
        id="SF10", title="Losing one key person can collapse a program",
        evidence="\"When one player leaves, sometimes the whole program fails\"",
        source=f"{SOURCE_BRIEF} SF10; {SOURCE_001}",
        strength="C", role="verification", kind="not_represented",
        why="Would be a knock-out contrast on fragmentation.",
        reason="No individual brokers: each organization has one leader, and removing a "
               "person is not a model event (ODD §10.2).",
        role_why=("The quote is M7's, from which the trust losses of a departing leader and of "
                  "lost coordinators were built (agents/leadership.pyx:trust_kept, "
                  "agents/organizations.py:Organization.lose_coordinators); a knock-out test "
                  "against it would check those rules.")),
    Pattern(
        id="SF20a", title="Region-wide articulation is not reached within two years",
        evidence="A region-wide agreement pursued by two consortia: \"design and planning work "
                 "were still underway... but the agreement had not yet been implemented "
                 "region-wide\"",
        source=f"{SOURCE_BRIEF} SF20; {SOURCE_001}",
        strength="B", role="calibration", kind="not_represented",
        why="Would be a band on the share of consortia with a region-wide agreement within two "
            "years, and a timing contrast with bilateral agreements.",
        reason="Region-wide agreements, which need every college's consent (M18), are not "
               "modelled; only bilateral district-college agreements are (ODD §7.17, §10.2). "
               "Coverage assembled from bilateral agreements is not a region-wide agreement, "
               "and it cannot come before the first bilateral one, so 'bilateral agreements "
               "come sooner' would hold by construction."),
    Pattern(
        id="SF28", title="Teacher mindset change takes years and diffuses in communities of "
                         "practice",
        evidence="English teacher \"over the course of four years\"",
        source=f"{SOURCE_BRIEF} SF28; {SOURCE_001}",
        strength="C", role="calibration", kind="input",
        why="An input cannot validate the model.",
        reason="Set as an input: mindsets about CTE spread and rise at mindset.influence_rate "
               "and mindset.exposure_rate, whose time constant of about four years was read "
               "from this quote (ODD §7.28), so a duration band on mindset change would hold "
               "by construction; there are no teachers whose change could be timed."),
    Pattern(
        id="SF30", title="Curriculum-industry misalignment shows in certifications",
        evidence="\"Out of nearly 200 relatively high-performing students... only four "
                 "received certifications\"",
        source=f"{SOURCE_BRIEF} SF30; {SOURCE_001}",
        strength="C", role="calibration", kind="not_represented",
        why="Would be a level band on certification rates.",
        reason="Students, enrolment and certifications are not represented (ODD §10.2)."),
    Pattern(
        id="SF32", title="Sustained consortia win new grants",
        evidence="Sustained consortia \"are in a better position to compete for other grant "
                 "funding\"",
        source=f"{SOURCE_BRIEF} SF32; {SOURCE_000}",
        strength="C", role="verification", kind="association",
        a=_base("institutionalization_grant_end", label="CCPT baseline"),
        b=_base("new_grants_won", label="CCPT baseline"),
        why="The fact is a correlation across consortia: the Spearman correlation, over "
            "baseline runs, of institutionalization at grant end with the grants won later.",
        role_why=("By construction: the chance of winning grows with habits and data "
                  "(agents/money.pyx:win_chance), and the rule quotes the fact's sentence.")),
    Pattern(
        id="SF33", title="Sustained regions move to cross-sector co-leadership",
        evidence="\"co-chaired by a school district superintendent and a community college "
                 "president\"",
        source=f"{SOURCE_BRIEF} SF33; {SOURCE_002}",
        strength="C", role="validation", kind="not_represented",
        why="Would be an association of sustainment with co-leadership.",
        reason="There are no multi-sector co-anchors and no shift of the lead's role "
               "(ODD §10.2)."),
    # ------------------------------------------------------------------ science anchors §5
    Pattern(
        id="P1", title="Program and regional persistence diverge",
        evidence="After CCPT funding, many regional consortia disbanded or stopped staffing "
                 "functions, while many local pathways continued (McLaughlin, Groves & "
                 "Lundy-Wagner 2018)",
        source="science_anchors §5 P1; JFF 2018",
        strength="A", role="validation", kind="pair",
        a=_base("program_persistence_2y", label="local programs"),
        b=_base("active_cross_sector_ties_retained_2y", label="regional collaboration"),
        why="A within-run contrast, so every run is its own pair: local programs against "
            "the regional network's active cross-sector ties, both in year 2 after the grant "
            "and both relative to their level at grant end, so neither is favoured by its "
            "yardstick.",
        robust=True,
        role_why=("No rule ties programs to cross-sector ties: programs decay unless habits, "
                  "money or a contribution support them (agents/programs.pyx:run_programs), "
                  "ties dissolve by their own hazard (agents/ties.pyx:age_and_risk), and either "
                  "can fall faster; SF2's quote, not P1's, built the program rule.")),
    Pattern(
        id="P2", title="Most coalitions of a comparable grant still collaborate",
        evidence="68% of HCAP coalitions sustained (at least three organizations, at least "
                 "one goal) (NORC/ASPE 2012)",
        source="science_anchors §5 P2; NORC/ASPE 2012",
        strength="C", role="validation", kind="band",
        a=_base("regional_collaboration_2y", label="CCPT baseline"), band=(0.4, 0.8),
        why="A base rate from another sector and grant design, so a loose band (science "
            "anchors: 40-80%) on the share of baseline runs with at least three "
            "organizations still collaborating two years on.",
        role_why=("No rule sets who still collaborates: it is the largest group of "
                  "organizations taking part joined by active ties (sim/outcomes.py), which "
                  "participation (agents/commitment.pyx:take_part) and tie dissolution "
                  "(agents/ties.pyx:form_and_dissolve) leave; no rule cites HCAP.")),
    Pattern(
        id="P3", title="Partial sustainment is the norm",
        evidence="In 14 of 17 studies, at least 60% of sites sustained at least one component "
                 "(Scheirer 2005)",
        source="science_anchors §5 P3; Scheirer 2005",
        strength="C", role="verification", kind="band",
        a=_base("some_component_sustained_2y", label="CCPT baseline"), band=(0.6, 1.0),
        why="Scheirer's measure as a share: each run scores 1 if at least one component is "
            "sustained two years on: local programs at >= 60% of their grant-era peak, at "
            "least three organizations still collaborating (NORC), or the consortium "
            "sustained; the 60% is Scheirer's.",
        robust=True,
        role_why=("Scores 1 in every baseline run through its first component alone: programs "
                  "decay at most program_decay = 0.03 a month, less with habits or any partner "
                  "contribution (agents/programs.pyx:program_step), and keep 80% or more of "
                  "their peak two years on in every run; it restates P1's program half.")),
    Pattern(
        id="P4", title="Trust and tie age correlate small and positive",
        evidence="Meta-analysis of 39 studies: the trust-duration correlation is \"on average "
                 "positive and small\" and heterogeneous (Vanneste, Puranam & Kretschmer 2014)",
        source="science_anchors §5 P4; Vanneste et al. 2014",
        strength="C", role="calibration", kind="band",
        a=_base("trust_age_spearman_grant_end", label="CCPT baseline"), band=(0.0, 0.3),
        band_open=(True, False),
        why="A cross-sectional level, as in the meta-analysis: the Spearman correlation of "
            "trust with tie age over the ties standing at grant end, averaged over runs. "
            "'Small' is below Cohen's medium correlation, 0.3.",
        role_why=("A level of the trust rule (agents/trust.pyx:BetaReputationTrust.month, "
                  "where old evidence is forgotten; under the asymmetric alternative, "
                  "agents/trust.pyx:asymmetric_step, idle trust decays more slowly on old "
                  "ties) and of the trust pre-existing ties start with "
                  "(agents/partnerships.py:Partnerships.__init__). With SF27 it chose the "
                  "trust rule (docs/validation.md §6).")),
    Pattern(
        id="P5a", title="Bridging ties decay faster than embedded ones",
        evidence="\"Nine in ten bridges this year are gone next year\"; bridges decay faster "
                 "than other ties (Burt 2002)",
        source="science_anchors §5 P5; Burt 2002",
        strength="C", role="verification", kind="pair",
        a=_base("bridge_dissolution_year3", label="bridging ties"),
        b=_base("embedded_dissolution_year3", label="embedded ties"),
        why="A within-run contrast, like Burt's: of the ties standing at the end of year 2, "
            "the share gone a year later among bridges (no common partner) against embedded "
            "ties (at least one).",
        role_why=("By construction: the dissolution hazard multiplies bridges by 1 + "
                  "ties.bridge_factor (agents/ties.pyx:hazard), set from the Burt 2002 finding "
                  "the pattern quotes.")),
    Pattern(
        id="P5b", title="Tie decay declines with tie age",
        evidence="Decay slows with experience and tie age (Burt 2002)",
        source="science_anchors §5 P5; Burt 2002",
        strength="C", role="verification", kind="pair",
        a=_base("young_dissolution_year3", label="ties under a year old"),
        b=_base("old_dissolution_year3", label="ties two or more years old"),
        why="The same within-run contrast between ties under 12 months old and ties at least "
            "24 months old at the end of year 2.",
        robust=True,
        role_why=("By construction: the dissolution hazard falls with tie age "
                  "(agents/ties.pyx:hazard), set from Burt 2002, and under the asymmetric "
                  "trust rule idle trust decays more slowly on old ties "
                  "(agents/trust.pyx:asymmetric_step, with trust.age_slowing citing Burt 2002).")),
)


def order_key(pattern_id: str) -> tuple[int, int, str]:
    """Sort key: stylized facts before science-anchor patterns, then by number and suffix."""
    m = re.fullmatch(r"([A-Z]+)(\d+)([a-z]*)", pattern_id)
    if not m:
        return (2, 0, pattern_id)
    return (0 if m[1] == "SF" else 1, int(m[2]), m[3])


PATTERNS: tuple[Pattern, ...] = tuple(sorted(_ENTRIES, key=lambda p: order_key(p.id)))


def check_catalogue(patterns: tuple[Pattern, ...] = PATTERNS) -> None:
    """Raise ValueError if an entry is inconsistent or an id repeats."""
    seen: set[str] = set()
    for p in patterns:
        p.check()
        if p.id in seen:
            raise ValueError(f"pattern id {p.id} repeats")
        seen.add(p.id)


def by_id(pattern_id: str, patterns: tuple[Pattern, ...] = PATTERNS) -> Pattern:
    """The pattern with this id."""
    for p in patterns:
        if p.id == pattern_id:
            return p
    raise KeyError(pattern_id)


GROUPS: tuple[str, ...] = ("calibration", "validation", "verification", "input",
                           "not represented")


def group(pattern: Pattern) -> str:
    """How the report counts a pattern: its role if testable, else its kind."""
    return pattern.role if pattern.testable else pattern.kind.replace("_", " ")


def census(patterns: tuple[Pattern, ...] = PATTERNS) -> dict[str, int]:
    """Patterns per group (``GROUPS``): testable ones by role, the others by kind."""
    counts = dict.fromkeys(GROUPS, 0)
    for p in patterns:
        counts[group(p)] += 1
    return counts
