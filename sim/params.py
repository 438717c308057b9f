"""Scenario parameters: one validated, typed object built from a scenario file.

Every parameter carries a description, a unit, an allowed range, a default and a source
label with the mechanism id (M1-M34 from the domain brief) or the paper it follows:

- ``seed``: a qualitative source document gives the value;
- ``literature``: a published model or study gives the value;
- ``seed-direction`` / ``literature-direction``: the source gives only the direction or the
  form of the effect; the value is an assumption;
- ``assumption``: a modelling choice that no source constrains.

A parameter whose default was moved by the calibration (docs/validation.md §6) keeps its
source label, which says what the evidence gives, and names the calibration that set its
value in ``calibrated``.

Parameters marked ``constant=True`` are the model's *declared constants* (ODD §10.3): scale
and weight choices that were once fixed in the rule code. They are parameters like any
other (a scenario or study can set them), but a study's ``factor_set`` varies them only
when it asks to (``constants = true``). ``parameter_table()`` lists them all; docs/ODD.md,
the compiled parameter mirror ``agents/params.pyx`` and SALib problems are generated from
it, never typed twice.
"""

from __future__ import annotations

import typing
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Source = Literal["seed", "seed-direction", "literature", "literature-direction", "assumption"]
SOURCES: tuple[str, ...] = typing.get_args(Source)


def param(
    default: Any,
    doc: str,
    *,
    unit: str,
    source: Source,
    ref: str,
    ge: float | None = None,
    le: float | None = None,
    when: tuple[str, str] | None = None,
    constant: bool = False,
    calibrated: str | None = None,
) -> Any:
    """A pydantic field with the metadata every parameter must carry.

    ``when`` names the rule choice a parameter belongs to, e.g.
    ``("trust.rule", "beta_reputation")``: the parameter acts only under that choice.
    ``constant`` marks a declared constant (ODD §10.3). ``calibrated`` names the calibration
    that set the default, e.g. ``"calibration_default: deepest inside every band"``.
    """
    extra: dict[str, Any] = {"unit": unit, "source": source, "ref": ref,
                             "tier": "constant" if constant else "parameter"}
    if when is not None:
        extra["when"] = list(when)
    if calibrated is not None:
        extra["calibrated"] = calibrated
    return Field(
        default,
        ge=ge,
        le=le,
        description=doc,
        json_schema_extra=extra,
    )


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Region(_Section):
    """Who is in the region and where they are (domain brief §1, §6.5)."""

    n_districts: int = param(11, "K-12 school districts in the consortium.", unit="orgs",
                             source="seed", ref="§6.5 East Bay: 11 K-12 districts", ge=1, le=200)
    n_charters: int = param(1, "Charter school organizations (K-12 sector).", unit="orgs",
                            source="seed", ref="§6.5 East Bay: one charter organization",
                            ge=0, le=50)
    n_colleges: int = param(6, "Community colleges.", unit="orgs", source="seed",
                            ref="§6.5 East Bay: six community colleges", ge=0, le=100)
    n_workforce_boards: int = param(4, "Workforce boards (intermediaries).", unit="orgs",
                                    source="seed", ref="§6.5 East Bay: four WIBs", ge=0, le=50)
    n_county_offices: int = param(2, "County offices of education (intermediaries).",
                                  unit="orgs", source="seed", ref="§6.5 East Bay: two COEs",
                                  ge=0, le=20)
    n_ta_providers: int = param(2, "Technical-assistance providers (intermediaries).",
                                unit="orgs", source="assumption", ref="M9; §1.7", ge=0, le=20)
    n_chambers: int = param(2, "Chambers and economic-development organizations.",
                            unit="orgs", source="assumption", ref="M8; §1.6", ge=0, le=20)
    n_employers: int = param(30, "Employers listed in the proposal.", unit="orgs",
                             source="seed", ref="§6.4: ~22-30 business partners per consortium",
                             ge=0, le=1000)
    n_industry_sectors: int = param(3, "Industry sectors the consortium pursues; breadth spreads "
                                    "employer outreach thin.", unit="sectors", source="seed",
                                    ref="M32; §6.3: 1 to 21 pathways, top 5 sectors", ge=1, le=5)
    lead: Literal["district", "college", "county_office", "workforce_board", "chamber"] = param(
        "college", "Type of the lead (fiscal and convening) agency.", unit="category",
        source="seed", ref="§1.8, §6.2; East Bay lead is a community college district")
    length_km: float = param(72.0, "Length of the regional footprint (a corridor).", unit="km",
                             source="seed", ref="M11: East Bay's 45-mile corridor", ge=1, le=1000)
    width_km: float = param(20.0, "Width of the regional footprint.", unit="km",
                            source="assumption", ref="M11", ge=1, le=1000)
    prior_tie_density: float = param(0.06, "Share of organization pairs already tied before the "
                                     "grant.", unit="share of pairs", source="assumption",
                                     ref="M10; §8.2 no network data", ge=0, le=1)
    prior_trust: float = param(0.45, "Mean trust on pre-existing ties.", unit="0-1",
                               source="assumption", ref="M10; science_anchors T4", ge=0, le=1)
    prior_infrastructure: float = param(0.1, "Pre-existing collaborative infrastructure (ROP, "
                                        "Linked Learning history); seeds habits and formality of "
                                        "prior ties.", unit="0-1", source="assumption",
                                        ref="M10; SF13", ge=0, le=1)
    insularity: float = param(0.3, "How much dense prior clusters resist integrating newcomers.",
                              unit="0-1", source="assumption",
                              ref="M10 counter-effect; M31 Long Beach identity", ge=0, le=1)
    orientation_mean: float = param(0.3, "Mean systems orientation of the lead's leader at the "
                                    "start, before grant money, TA and partners act on it "
                                    "(0 = program delivery, 1 = systems change).", unit="0-1",
                                    source="assumption",
                                    ref="M13, M14; §8.2 no seed gives a share of systems-led "
                                    "leads", ge=0, le=1)
    systems_now_share: float = param(0.35, "'Now' effort share of a fully systems-oriented "
                                     "lead; a program-oriented lead uses grant.now_share, and "
                                     "the lead's orientation interpolates between the two.",
                                     unit="share", source="assumption", ref="M14", ge=0, le=1)
    urgency: float = param(0.4, "Regional economic and workforce urgency.", unit="0-1",
                           source="assumption", ref="M28; SF15", ge=0, le=1)
    economic_framing: float = param(0.2, "How far the consortium starts out organised around the "
                                    "regional economy and its industry sectors rather than by "
                                    "counties and programs (0 = counties and programs, 1 = "
                                    "the regional economy); the framing then moves (M12).",
                                    unit="0-1", source="assumption",
                                    ref="M12: NCCPA 'forced collaboration around industry "
                                    "sectors and needs, not counties and programs' is told as "
                                    "the exception; §8.2 no seed gives a share", ge=0, le=1)

    # Declared constants (ODD §10.3).
    prior_trust_spread: float = param(0.1, "Spread (standard deviation) of trust on pre-existing "
                                      "ties around prior_trust.", unit="0-1",
                                      source="assumption", ref="M10; T4", ge=0, le=0.5,
                                      constant=True)
    prior_cluster_ties: int = param(2, "Prior ties that make an organization part of the "
                                    "pre-grant cluster, whose members start with habits and "
                                    "resist newcomers (insularity).", unit="ties",
                                    source="assumption", ref="M10; M31 identity", ge=1, le=50,
                                    constant=True)
    prior_tie_age_min: int = param(12, "Youngest age of a pre-existing tie (ages are drawn "
                                   "uniformly between the two bounds).", unit="months",
                                   source="assumption", ref="M10 collaboration history; N3",
                                   ge=0, le=600, constant=True)
    prior_tie_age_max: int = param(119, "Oldest age of a pre-existing tie.", unit="months",
                                   source="assumption", ref="M10 collaboration history; N3",
                                   ge=0, le=600, constant=True)

    @model_validator(mode="after")
    def _ages_ordered(self) -> Region:
        if self.prior_tie_age_min > self.prior_tie_age_max:
            raise ValueError("prior_tie_age_min must not exceed prior_tie_age_max")
        return self


class Grant(_Section):
    """Grant design: phases, channels, spending and policy levers (§2, §7.5)."""

    award_musd: float = param(15.0, "Total state award.", unit="million USD", source="seed",
                              ref="§2.2: up to $15M / $6M / $600K", ge=0, le=100)
    award_convention: Literal["fixed_total", "fixed_annual"] = param(
        "fixed_total", "How the award is held fixed across designs: the total award is spread "
        "over the months of state money (fixed_total), or each full year of state money pays "
        "award_musd / reference_state_years (fixed_annual), so a longer grant costs more.",
        unit="category", source="assumption",
        ref="§2.2 awards are stated as totals; the convention is a design choice (§7.5)")
    reference_state_years: int = param(3, "Years of state money the award was sized for; sets "
                                       "the yearly award under fixed_annual and the nominal "
                                       "yearly award partners' budgets are sized by.",
                                       unit="years",
                                       source="seed", ref="§2.3: state money years 1-3", ge=1,
                                       le=10)
    planning_months: int = param(0, "Funded planning period before implementation begins.",
                                 unit="months", source="seed",
                                 ref="§2.8, M1: 'It sometimes takes a whole year'", ge=0, le=24)
    state_years: int = param(3, "Years of full state funding after any planning period.",
                             unit="years", source="seed", ref="§2.3: state money years 1-3",
                             ge=0, le=10)
    taper_years: int = param(0, "Years over which state money tapers linearly to zero "
                             "(0 = cliff).", unit="years", source="assumption",
                             ref="§7.5 partner_match_schedule ramp; science_anchors §4.6",
                             ge=0, le=6)
    partner_years: int = param(1, "Final grant years expected to be funded by partners.",
                               unit="years", source="seed",
                               ref="§2.3: partner-funded final year(s); M22", ge=0, le=5)
    money: bool = param(True, "Channel: grant money reaches partners (equipment, sub-grants).",
                        unit="switch", source="literature", ref="science_anchors §4.6; M3")
    backbone: bool = param(True, "Channel: grant-funded backbone positions (coaches, "
                           "coordinators).", unit="switch", source="seed", ref="M21")
    technical_assistance: bool = param(True, "Channel: technical assistance during the grant.",
                                       unit="switch", source="seed", ref="M9")
    convenings: bool = param(True, "Channel: grant-funded convenings.", unit="switch",
                             source="seed", ref="M1, M11; §2.5 item 2")
    mandate: bool = param(True, "Channel: the grant mandates a consortium (partners sign on).",
                          unit="switch", source="literature",
                          ref="science_anchors N1 beta_G; M29")
    reporting: bool = param(True, "Channel: reporting requirements that build shared data.",
                            unit="switch", source="seed", ref="M20, M29")
    equipment_share: float = param(0.35, "Share of grant money spent on equipment.",
                                   unit="share", source="assumption", ref="M3, M14; SF23", ge=0,
                                   le=1)
    staff_share: float = param(0.30, "Share of grant money spent on backbone positions.",
                               unit="share", source="assumption", ref="M21; SF23", ge=0, le=1)
    convening_share: float = param(0.15, "Share spent on convenings and infrastructure.",
                                   unit="share", source="assumption", ref="M13; SF23", ge=0,
                                   le=1)
    subgrant_share: float = param(0.20, "Share passed to districts and colleges as sub-grants.",
                                  unit="share", source="assumption", ref="M3", ge=0, le=1)
    now_share: float = param(0.7, "Effort on visible quick wins ('now') vs systems building "
                             "('then').", unit="share", source="assumption",
                             ref="M14: the split of a program-oriented lead", ge=0, le=1)
    linked_wins: bool = param(False, "Quick wins chosen to also build infrastructure "
                              "(Outcomes-Matrix style).", unit="switch", source="seed",
                              ref="M14 (002 Now and Then)")
    position_cost_kusd: float = param(110.0, "Loaded annual cost of one backbone position.",
                                      unit="thousand USD/year", source="assumption",
                                      ref="§2.9 costs not in seeds", ge=20, le=400)
    convening_cost_kusd: float = param(2.0, "Annual cost of a full convening program per "
                                       "member organization (meetings, travel, facilitation).",
                                       unit="thousand USD/org/year", source="assumption",
                                       ref="§2.9 costs not in seeds; M11", ge=0.1, le=50)
    hire_lag_months: float = param(6.0, "Mean months to fill a budgeted position.",
                                   unit="months", source="seed",
                                   ref="M21; SF22 'the grant will be closed'", ge=0, le=24)
    job_insecurity: float = param(0.5, "How steeply a vacancy's job security falls as state "
                                  "money runs out: security is the remaining share of the "
                                  "state-money months to this power (0 = none, 1 = linear).",
                                  unit="exponent", source="seed-direction",
                                  ref="M21 'since many of the new positions could terminate "
                                  "with the end of the CCPT grant, people with the desired "
                                  "skill sets... were often difficult to find'; SF22",
                                  ge=0, le=3)
    staffing_strategy: Literal["new_hires", "reassign_existing"] = param(
        "new_hires", "How backbone positions are staffed: all new hires on grant money "
        "(new_hires), or a share of them by partners' existing staff, hosted and paid by "
        "their partners from the start (reassign_existing).", unit="category", source="seed",
        ref="M21: CCPT 'accomplishments relied on new positions' (001); 'Finding ways to pool "
        "expertise, resources, and the time of existing staff should come before any "
        "decision to hire additional staff' (003)")
    reassigned_share: float = param(0.5, "Share of backbone positions staffed by partners' "
                                    "existing staff under reassign_existing (the last "
                                    "planned: districts' coaches and WBL coordinators first).",
                                    unit="share", source="assumption",
                                    ref="M21 (003 'pool... the time of existing staff'); "
                                    "§8.2 no seed gives a share",
                                    ge=0, le=1, when=("grant.staffing_strategy",
                                                      "reassign_existing"))
    reassigned_output: float = param(0.5, "Coordination a reassigned position gives, relative "
                                     "to a dedicated new hire: existing staff keep their other "
                                     "duties.", unit="ratio", source="assumption",
                                     ref="M21 Model: 'reassign_existing has lower output "
                                     "during the grant but no cliff'", ge=0, le=1,
                                     when=("grant.staffing_strategy", "reassign_existing"))
    retained_backbone_share: float = param(0.0, "Share of backbone positions the state keeps "
                                           "funding after the grant.", unit="share",
                                           source="assumption", ref="§7.5 lever; M21", ge=0,
                                           le=1)
    ta_system_share: float = param(0.2, "Share of TA that is system-level coaching rather than "
                                   "program TA.", unit="share", source="seed",
                                   ref="M9: 'few, if any, are doing system-level coaching'",
                                   ge=0, le=1)
    ta_post_grant_years: int = param(0, "Years of state TA continuing after the grant.",
                                     unit="years", source="seed",
                                     ref="M9: 'the state should continue to invest in TA'",
                                     ge=0, le=10)
    required_agreements: bool = param(False, "Grant requires formal partnership agreements "
                                      "(roles, time period).", unit="switch", source="seed",
                                      ref="M25, M29 (004 playbook)")
    match_enforced: bool = param(False, "Partner match is enforced rather than an expectation.",
                                 unit="switch", source="seed", ref="§2.3; M22, M29")
    accountability: Literal["loose", "process_metrics"] = param(
        "loose", "Accountability the grant requires: few concrete guidelines (loose), or "
        "process-wide success metrics kept for every partner while the grant runs "
        "(process_metrics), which make roles clearer at an administrative cost.",
        unit="category", source="seed",
        ref="M29; §2.4 'few concrete accountability guidelines are built into the CCPT grant' "
        "(001); 'Set accountability measures for the overall effort and for all stakeholders' "
        "(004)")
    metrics_cost: float = param(0.05, "Coordination capacity that keeping process metrics "
                                "takes while the grant runs (grant.accountability = "
                                "process_metrics).", unit="coordination",
                                source="seed-direction",
                                ref="M29 at an administrative cost; 001 'gather data for "
                                "program accountability' adds to the load", ge=0, le=1)
    administered_by: Literal["k12_agency", "joint"] = param(
        "k12_agency", "Administering agency; a K-12 agency lowers college ownership.",
        unit="category", source="seed", ref="M18, §2.1: CDE administers CCPT")
    follow_on_year: int = param(0, "Year a follow-on grant (e.g. Cohort 2) starts; 0 = none.",
                                unit="year", source="seed", ref="M23; SF25", ge=0, le=20)
    follow_on_musd: float = param(0.0, "Size of the follow-on grant, spread over three years.",
                                  unit="million USD", source="seed", ref="M23; SF25", ge=0,
                                  le=100)
    subregional_nodes: int = param(1, "Subregional convening nodes (1 = whole region meets).",
                                   unit="nodes", source="seed", ref="M11; SF11", ge=1, le=6)
    subregional_switch_month: int = param(12, "Month the consortium switches to subregional "
                                          "nodes.", unit="month", source="seed",
                                          ref="M11: East Bay in year 2", ge=0, le=240)
    onboarding_support: float = param(0.0, "State-funded onboarding support while the grant "
                                      "runs: the share of what the region's own onboarding "
                                      "(leadership.onboarding) leaves uncovered that it "
                                      "covers when a leader changes.", unit="share",
                                      source="seed",
                                      ref="M6: CCPT funded no onboarding support; 000 'build "
                                      "tight onboarding programs so that new regional "
                                      "leaders can join the team' gives the direction, a "
                                      "design's value is an assumption", ge=0, le=1)
    purposeful_recruitment: bool = param(False, "Recruit partners purposefully (profiles, "
                                         "interviews, purpose statements): only organizations "
                                         "whose fit reaches recruitment.screen sign on at the "
                                         "start.", unit="switch", source="seed",
                                         ref="M30 'In the beginning, we just wanted voices, any "
                                         "voices' (004 playbook): partnerships started "
                                         "without screening")

    # Declared constants (ODD §10.3).
    equipment_k12_share: float = param(0.8, "Share of equipment money that reaches K-12.",
                                       unit="share", source="seed-direction",
                                       ref="§2.5 'the vast majority of funding ... invested in "
                                       "high schools and districts'; M19", ge=0, le=1,
                                       constant=True)
    equipment_college_share: float = param(0.2, "Share of equipment money that reaches "
                                           "colleges.", unit="share", source="seed-direction",
                                           ref="§2.5; M18, M19", ge=0, le=1, constant=True)
    subgrant_k12_share: float = param(0.85, "Share of sub-grant money that reaches K-12.",
                                      unit="share", source="seed-direction",
                                      ref="§2.5 'invested in high schools and districts'; M3, "
                                      "M19", ge=0, le=1, constant=True)
    subgrant_college_share: float = param(0.15, "Share of sub-grant money that reaches "
                                          "colleges.", unit="share", source="seed-direction",
                                          ref="§2.5; M3, M19", ge=0, le=1, constant=True)
    receipt_half_saturation_musd: float = param(0.05, "Yearly grant money at which an "
                                                "organization's receipt index reaches one "
                                                "half.", unit="million USD/year",
                                                source="assumption",
                                                ref="M3; §2.9 costs not in seeds", ge=0.001,
                                                le=10, constant=True)
    k12_agency_college_ownership: float = param(0.6, "Multiplier on colleges' receipt index "
                                                "when a K-12 agency administers the grant.",
                                                unit="ratio", source="seed-direction",
                                                ref="M18: CDE administration lowered college "
                                                "ownership", ge=0, le=1, constant=True)
    post_cliff_hiring_security: float = param(0.7, "Job security of a position once state "
                                              "money has ended (partner-funded), on the scale "
                                              "of a new grant's 1; sets how fast vacancies "
                                              "fill.", unit="0-1", source="seed-direction",
                                              ref="SF22 fewer applicants as the grant ends; "
                                              "M21", ge=0, le=1, constant=True)
    follow_on_years: int = param(3, "Years a follow-on grant runs (its award is spread over "
                                 "them).", unit="years", source="seed",
                                 ref="§2.3 state money in years 1-3; M23 Cohort 2", ge=1, le=10,
                                 constant=True)
    linked_wins_share: float = param(0.5, "Share of quick-win effort that also builds "
                                     "infrastructure when wins are linked "
                                     "(grant.linked_wins).", unit="share",
                                     source="seed-direction", ref="M14 (002 Now and Then)",
                                     ge=0, le=1, constant=True)
    ta_experience_offset: float = param(2.0, "System-level TA acts in proportion to (offset - "
                                        "region.prior_infrastructure), so consortia with "
                                        "less prior infrastructure gain more.", unit="0-1",
                                        source="seed-direction",
                                        ref="M9 'especially for inexperienced consortia'",
                                        ge=1, le=5, constant=True)
    agreement_clarity: float = param(0.5, "Role clarity that required partnership agreements "
                                     "(grant.required_agreements) give every partner.",
                                     unit="0-1", source="seed-direction",
                                     ref="M29 'A partnership agreement… articulates the expected "
                                     "roles and shared responsibilities' (004)", ge=0, le=1,
                                     constant=True)
    metrics_clarity: float = param(0.5, "Role clarity that process metrics "
                                   "(grant.accountability = process_metrics) give every "
                                   "partner.", unit="0-1", source="seed-direction",
                                   ref="M29 'Set accountability measures… for all "
                                   "stakeholders' (004)", ge=0, le=1, constant=True)

    @model_validator(mode="after")
    def _shares_sum_to_one(self) -> Grant:
        total = self.equipment_share + self.staff_share + self.convening_share + self.subgrant_share
        if abs(total - 1.0) > 1e-6:
            raise ValueError(
                "equipment_share + staff_share + convening_share + subgrant_share must sum to 1 "
                f"(they sum to {total:.3f})"
            )
        for kind in ("equipment", "subgrant"):
            split = getattr(self, f"{kind}_k12_share") + getattr(self, f"{kind}_college_share")
            if split > 1.0 + 1e-9:
                raise ValueError(f"{kind}_k12_share + {kind}_college_share must not exceed 1 "
                                 f"(they sum to {split:.3f})")
        return self

    @property
    def grant_years(self) -> int:
        """Whole grant length in years, planning excluded: state + taper + partner years."""
        return self.state_years + self.taper_years + self.partner_years


class Trust(_Section):
    """Two-layer trust on ties (M1-M3, M7; science_anchors T1-T5)."""

    rule: Literal["asymmetric", "beta_reputation"] = param(
        "beta_reputation", "Rule for personal trust: the expected value of a Beta posterior "
        "over forgotten evidence (T3), or the asymmetric bounded update with decay (T1, T2), "
        "kept for structural sensitivity. The calibration chose the Beta rule: only under it "
        "do the level bands hold together (trust timing SF27 and trust-age P4).",
        unit="choice", source="literature",
        ref="T1 Macy & Flache 2002; T3 Jøsang & Ismail 2002; science_anchors §6.3 structural SA",
        calibrated="pattern-oriented choice of rule: 10 of 20 candidates hold every band "
                   "under Beta, 0 of 20 under asymmetric; validation.md §6")
    gain_rate: float = param(0.10, "Trust gain per positive interaction (alpha+).",
                             unit="1/event", source="assumption",
                             ref="T1 Macy & Flache 2002; SF27 about a year", ge=0, le=1,
                             when=("trust.rule", "asymmetric"))
    loss_ratio: float = param(3.0, "Losses relative to gains (lambda = alpha-/alpha+).",
                              unit="ratio", source="literature",
                              ref="T1 Slovic 1993; Pant & Yu use ~3", ge=0, le=10,
                              when=("trust.rule", "asymmetric"))
    decay_rate: float = param(0.03, "Monthly relaxation of personal trust to baseline without "
                              "interaction.", unit="1/month", source="literature",
                              ref="T2 Burt 2001; Sutcliffe & Wang 2012", ge=0, le=1,
                              when=("trust.rule", "asymmetric"))
    age_slowing: float = param(0.02, "How much tie age slows decay (per month of age).",
                               unit="1/month", source="literature", ref="T2, N3 Burt 2002",
                               ge=0, le=1, when=("trust.rule", "asymmetric"))
    baseline: float = param(0.15, "Trust a new tie starts at and relaxes to.", unit="0-1",
                            source="assumption", ref="T2 baseline propensity", ge=0, le=1)
    cross_sector_gain: float = param(0.6, "Multiplier on gains for cross-sector ties.",
                                     unit="ratio", source="seed",
                                     ref="M1: each sector has its own norms", ge=0, le=2)
    spanner_boost: float = param(0.8, "Extra cross-sector gain from backbone boundary spanners "
                                 "(coaches) at full staffing.", unit="ratio", source="seed",
                                 ref="M33", ge=0, le=5)
    ta_boost: float = param(0.3, "Extra gain while technical assistance is active.",
                            unit="ratio", source="seed", ref="M9", ge=0, le=5)
    positive_rate: float = param(0.5, "Chance an interaction yields a small shared win.",
                                 unit="probability", source="literature",
                                 ref="science_anchors §4.6 small-wins loop", ge=0, le=1)
    negative_rate: float = param(0.05, "Chance an interaction yields a let-down.",
                                 unit="probability", source="assumption", ref="T1; M29",
                                 ge=0, le=1)
    power_gap_penalty: float = param(0.25, "Extra let-down chance on ties with the lead while "
                                     "it controls the money.", unit="probability",
                                     source="seed", ref="M3: 'money had the power'", ge=0,
                                     le=1)
    formalization_transfer: float = param(0.05, "Monthly transfer of personal into "
                                          "institutional trust per unit formality.",
                                          unit="1/month", source="literature",
                                          ref="T4 Zaheer et al. 1998", ge=0, le=1)
    institutional_decay: float = param(0.01, "Monthly erosion of institutional trust on ties "
                                       "without formal backing.", unit="1/month",
                                       source="assumption", ref="T4; I1", ge=0, le=1)
    turnover_retention: float = param(0.3, "Share of personal trust kept when a leader "
                                      "leaves, before buffers.", unit="share",
                                      source="literature", ref="T4 rho in [0, 0.5]; M6, M7",
                                      ge=0, le=1)
    referral_weight: float = param(0.3, "Weight of trust via common partners for a new tie.",
                                   unit="ratio", source="literature",
                                   ref="T5 Gulati & Gargiulo 1999", ge=0, le=1)
    active_threshold: float = param(0.35, "Trust above which an interacting tie counts as "
                                    "active.", unit="0-1", source="assumption",
                                    ref="§4.2 active_edges", ge=0, le=1)
    beta_forgetting: float = param(0.85, "Share of a tie's evidence kept from one month to "
                                   "the next (beta_reputation rule only).",
                                   unit="share/month", source="assumption",
                                   ref="T3 Jøsang & Ismail 2002 forgetting factor; set so mean "
                                   "tie trust over ten baseline years matches T1/T2 (0.24)",
                                   ge=0, le=0.99, when=("trust.rule", "beta_reputation"))
    beta_prior_weight: float = param(2.0, "Prior pseudo-counts of the Beta posterior, split "
                                     "baseline : 1 - baseline between wins and let-downs "
                                     "(beta_reputation rule only).", unit="events",
                                     source="literature",
                                     ref="T3 Jøsang & Ismail 2002 prior weight W = 2",
                                     ge=0.1, le=20, when=("trust.rule", "beta_reputation"))
    beta_negative_weight: float = param(3.0, "Evidence a let-down adds relative to a win "
                                        "(negativity bias; beta_reputation rule only).",
                                        unit="ratio", source="literature",
                                        ref="T1 Slovic 1993; Pant & Yu use ~3 (as loss_ratio)",
                                        ge=0, le=10, when=("trust.rule", "beta_reputation"))

    # Declared constants (ODD §10.3).
    formality_weight: float = param(0.5, "How far institutional trust holds up combined trust "
                                    "on a formal tie where it exceeds personal trust: "
                                    "T = P + formality_weight*F*max(0, I - P).", unit="0-1",
                                    source="literature-direction",
                                    ref="T4 Zaheer et al. 1998", ge=0, le=1, constant=True)
    wins_base: float = param(0.5, "Small-win chance factor without shared vision: an "
                             "interaction is a small win with chance "
                             "positive_rate*(wins_base + V).", unit="ratio",
                             source="seed-direction",
                             ref="M2 shared vision creates interdependence", ge=0, le=2,
                             constant=True)
    agreement_formality: float = param(0.5, "Formality a required partnership agreement gives "
                                       "a tie of two taking-part partners while the grant "
                                       "runs.", unit="0-1", source="seed-direction",
                                       ref="M25, M29 partnership agreements (004)", ge=0, le=1,
                                       constant=True)
    data_formality: float = param(0.5, "Formality per unit of data alignment on a tie of two "
                                  "taking-part partners.", unit="0-1/unit data",
                                  source="seed-direction", ref="M20; T4", ge=0, le=1,
                                  constant=True)
    articulation_formality: float = param(1.0, "Formality of a tie with an articulation "
                                          "agreement.", unit="0-1", source="assumption",
                                          ref="M18; T4", ge=0, le=1, constant=True)
    backbone_trust_share: float = param(0.5, "Share of the lead's personal trust its backbone "
                                        "positions carry: losing all of them relaxes it this "
                                        "far towards the baseline.", unit="share",
                                        source="seed-direction",
                                        ref="M7 person-carried relationships; L3", ge=0, le=1,
                                        constant=True)


class Ties(_Section):
    """Tie formation and dissolution (M4, M10, M11; science_anchors N1, N3)."""

    spontaneous_rate: float = param(0.0005, "Monthly chance two unconnected organizations meet "
                                    "by themselves.", unit="1/month", source="assumption",
                                    ref="N1 baseline", ge=0, le=1)
    convening_rate: float = param(0.10, "Monthly chance co-attendees at a convening form a tie.",
                                  unit="1/month", source="seed", ref="M1, M11; N1", ge=0, le=1)
    common_partner_rate: float = param(0.01, "Monthly tie chance per (saturating) common partner.",
                                       unit="1/month", source="literature",
                                       ref="N1 GWESP; Gulati & Gargiulo 1999", ge=0, le=1)
    cross_sector_preference: float = param(1.5, "Formation multiplier for complementary "
                                           "(cross-sector) pairs.", unit="ratio",
                                           source="literature", ref="N1 beta_het; Powell 2005",
                                           ge=0, le=10)
    travel_scale_km: float = param(30.0, "Distance at which travel cuts attendance and tie "
                                   "chances by e.", unit="km", source="assumption",
                                   ref="M11 time and travel costs", ge=1, le=1000)
    meeting_size_threshold: int = param(20, "Attendees beyond which a meeting loses "
                                        "relevance.", unit="orgs", source="seed",
                                        ref="M11; SF12 '80 people' meeting", ge=2, le=500)
    meetings_per_month: float = param(2.0, "Meetings (workgroups, LPATs, CoPs) per month at "
                                      "full convening intensity.", unit="meetings/month",
                                      source="seed", ref="M11: LPATs 'meet monthly'; §3 tick",
                                      ge=0, le=10)
    regional_meeting_interval: int = param(3, "Months between whole-region meetings once "
                                           "subregional nodes exist.", unit="months",
                                           source="assumption", ref="M11 cross-node linking",
                                           ge=1, le=24)
    bilateral_rate: float = param(0.4, "Monthly chance two committed partners on a tie work "
                                  "together outside convenings.", unit="1/month",
                                  source="assumption", ref="M1, M33", ge=0, le=1)
    dissolution_rate: float = param(0.10, "Base monthly dissolution hazard of a tie.",
                                    unit="1/month", source="literature", ref="N3 h0; Burt 2002",
                                    ge=0, le=1)
    age_protection: float = param(0.01, "Hazard reduction per month of tie age.",
                                  unit="1/month", source="literature",
                                  ref="N3 gamma; Burt 2000", ge=0, le=1)
    trust_protection: float = param(6.0, "Hazard reduction per unit of trust.", unit="1/trust",
                                    source="literature", ref="N3 theta_T; Raeder et al. 2011",
                                    ge=0, le=50)
    bridge_factor: float = param(1.5, "Extra hazard for bridging ties (no common partner).",
                                 unit="ratio", source="literature",
                                 ref="N3 eta_b; Burt 2002 bridge decay", ge=0, le=20)
    postgrant_factor: float = param(0.5, "Extra hazard once grant money has ended.",
                                    unit="ratio", source="literature", ref="N3 eta_G", ge=0,
                                    le=20)
    inactive_window_months: int = param(6, "Months without interaction after which a tie is "
                                        "not active.", unit="months", source="assumption",
                                        ref="§4.2 active_edges", ge=1, le=60)


class Leadership(_Section):
    """Leadership turnover, champions and the lead's style (M5-M7, M26; science_anchors L1, L2)."""

    turnover_district: float = param(0.17, "Annual chance of a leader change, K-12.",
                                     unit="1/year", source="literature",
                                     ref="L1 Grissom & Andersen 2012", ge=0, le=1)
    turnover_college: float = param(0.20, "Annual chance of a leader change, colleges.",
                                    unit="1/year", source="literature",
                                    ref="L1 CCLC 2018 0.14; Wheelhouse 2016 0.25", ge=0, le=1)
    turnover_employer: float = param(0.25, "Annual turnover of employer contacts.",
                                     unit="1/year", source="assumption",
                                     ref="L1 no anchor; swept", ge=0, le=1)
    turnover_intermediary: float = param(0.20, "Annual turnover of intermediary leaders.",
                                         unit="1/year", source="assumption", ref="L1; M8",
                                         ge=0, le=1)
    champion_district: float = param(0.35, "Chance a K-12 leader is a champion.",
                                     unit="probability", source="assumption", ref="M5", ge=0,
                                     le=1)
    champion_college: float = param(0.25, "Chance a college leader is a champion.",
                                    unit="probability", source="assumption", ref="M5, M18",
                                    ge=0, le=1)
    champion_employer: float = param(0.10, "Chance an employer contact is a champion.",
                                     unit="probability", source="seed",
                                     ref="M5: 'difficulties identifying CEO champions'", ge=0,
                                     le=1)
    champion_intermediary: float = param(0.40, "Chance an intermediary leader is a champion.",
                                         unit="probability", source="assumption", ref="M5, M8",
                                         ge=0, le=1)
    champion_boost: float = param(0.15, "Payoff a champion adds to their organization's "
                                  "commitment learning.", unit="payoff/month",
                                  source="literature", ref="M5; Scheirer 2005 champion", ge=0,
                                  le=1)
    onboarding: float = param(0.2, "Onboarding quality: share of a departing leader's ties "
                              "handed over.", unit="0-1", source="seed", ref="M6", ge=0, le=1)
    distributed_leadership: float = param(0.2, "Leadership spread across workgroups; buffers "
                                          "turnover. Shared control and a coaching lead add to "
                                          "it (governance.workgroup_leadership, "
                                          "coaching_leadership).", unit="0-1", source="seed",
                                          ref="M6, M25", ge=0, le=1)
    grow_leaders: bool = param(False, "Successors grown internally carry the organization's "
                               "mindset.", unit="switch", source="seed", ref="M6 Elk Grove",)
    successor_spread: float = param(0.25, "Spread of a new leader's disposition around the "
                                    "population mean.", unit="0-1", source="assumption",
                                    ref="M6 'opposite is always true'; SF8", ge=0, le=1)
    coaching_mean: float = param(0.3, "Mean style of the lead's leader, at the start and for "
                                 "each new lead leader (0 = a directive program director, "
                                 "1 = a coach who defers and mediates).", unit="0-1",
                                 source="seed-direction",
                                 ref="M26: coaching was 'counterintuitive to the leadership "
                                 "habits they had developed'; M25 'most CCPT grantees adopted "
                                 "traditional, top-down hierarchical' structures", ge=0, le=1)
    coaching_spread: float = param(0.2, "Spread of a lead leader's style around coaching_mean.",
                                   unit="0-1", source="assumption", ref="M26; L2", ge=0, le=1)
    coaching_formation: float = param(0.5, "How much a coaching lead (style 1) raises tie "
                                      "formation between partners other than the lead.",
                                      unit="ratio", source="seed-direction",
                                      ref="M26 'they learned to build cross-sector networks by "
                                      "behaving more like coaches than program directors'",
                                      ge=0, le=5)
    coaching_leadership: float = param(0.3, "Distributed leadership a coaching lead (style 1) "
                                       "adds by deferring to other leaders and organizations.",
                                       unit="0-1", source="seed-direction",
                                       ref="M26 'being willing to defer to other leaders and "
                                       "organizations'; 'activators of a broad network'",
                                       ge=0, le=1)
    coaching_voice: float = param(0.5, "Share of the lead's power gap (M3) a coaching lead "
                                  "(style 1) defuses by mediating rather than directing.",
                                  unit="share", source="seed-direction",
                                  ref="M26 'I leave my ego at the door and take on the role of "
                                  "mediator'", ge=0, le=1)
    experiment_cost: float = param(0.3, "Share of visible quick wins a coaching lead (style 1) "
                                   "gives up for experiments while the practice is new (it "
                                   "shrinks as habits grow).", unit="share",
                                   source="seed-direction",
                                   ref="M26 'they focused less on program outputs and data "
                                   "reporting and more on trying new strategies'", ge=0, le=1)
    imposition_rate: float = param(0.04, "Monthly chance that a fully directive lead (style 0) "
                                   "imposes its own agenda, letting partners down on all its "
                                   "ties; it falls linearly to zero for a coach.",
                                   unit="1/month", source="seed-direction",
                                   ref="M26 'The moment I start to insert my own agenda or "
                                   "bias into the mix... They'll simply get up and walk "
                                   "away'", ge=0, le=1)
    activator_threshold: float = param(0.5, "Mean habit of the partners taking part from which "
                                       "the lead hands work to partners and its style drifts "
                                       "towards coaching (the 'activator' transition).",
                                       unit="0-1", source="assumption",
                                       ref="M26 'shifting from being central characters to "
                                       "becoming activators'", ge=0, le=1)
    activator_rate: float = param(0.02, "Monthly rate at which the lead's style closes the gap "
                                  "to full coaching once habits pass activator_threshold.",
                                  unit="1/month", source="assumption",
                                  ref="M26 'cultivated a culture of learning'", ge=0, le=1)

    # Declared constants (ODD §10.3).
    champion_disposition: float = param(0.15, "Commitment a champion adds to the disposition "
                                        "an organization starts with or a successor brings.",
                                        unit="0-1", source="seed-direction",
                                        ref="M5 champions and supportive leadership", ge=0,
                                        le=1, constant=True)


class Commitment(_Section):
    """Commitment, participation and post-grant contributions.

    Mechanisms M3, M16, M19, M22, M24, M29; science_anchors C1-C5.
    """

    learning_rate: float = param(0.15, "Bush-Mosteller commitment learning rate.",
                                 unit="1/month", source="literature",
                                 ref="C2 Macy & Flache 2002", ge=0, le=1)
    habituation: float = param(0.08, "Rate aspirations adapt to recent payoffs.",
                               unit="1/month", source="literature",
                               ref="C2 Macy & Flache 2002", ge=0, le=1)
    initial_mean: float = param(0.38, "Mean initial commitment of signatories.", unit="0-1",
                                source="assumption", ref="C2", ge=0, le=1,
                                calibrated="calibration_default: of 0.34 (the accepted set's "
                                           "median) to 0.45 (hand-set), 0.36-0.40 hold every "
                                           "band and 0.38 sits deepest; validation.md §6")
    initial_spread: float = param(0.15, "Spread of initial commitment.", unit="0-1",
                                  source="assumption", ref="C2", ge=0, le=0.5)
    urgency_commitment: float = param(0.15, "Initial commitment that regional urgency adds, "
                                      "at full urgency (region.urgency = 1), to every "
                                      "organization.", unit="0-1/unit urgency",
                                      source="seed-direction",
                                      ref="M28 'This collective motivation fueled broad and "
                                      "active engagement' (002); 'A sense of urgency… "
                                      "generally produced high levels of employer "
                                      "involvement' (001)", ge=0, le=0.5)
    money_motivated_base: float = param(0.10, "Share of signatories who join for the money, "
                                        "before the award-size increase.", unit="share",
                                        source="seed",
                                        ref="M3 'for the wrong reasons'", ge=0, le=1)
    money_motivated_per_musd: float = param(0.01, "Increase in money-motivated share per "
                                            "million USD of award.", unit="share/MUSD",
                                            source="assumption", ref="M3", ge=0, le=0.2)
    exit_threshold_mean: float = param(0.35, "Mean share of partners that must stay active "
                                       "for an organization to stay.", unit="share",
                                       source="literature", ref="C4 Granovetter 1978", ge=0,
                                       le=1)
    exit_threshold_spread: float = param(0.15, "Spread of exit thresholds.", unit="share",
                                         source="literature", ref="C4 Granovetter 1978", ge=0,
                                         le=0.5)
    exit_commitment: float = param(0.15, "Commitment below which an organization leaves.",
                                   unit="0-1", source="assumption", ref="C1", ge=0, le=1)
    data_exit_relief: float = param(0.5, "Share by which full data alignment (shared "
                                    "metrics) lowers the commitment below which an "
                                    "organization leaves.", unit="share/unit data",
                                    source="seed-direction",
                                    ref="M20 'Without formal metrics, it is too easy for one "
                                    "or more parties to perform their own intrinsic "
                                    "evaluations… then those parties can easily walk away' "
                                    "(004)", ge=0, le=1)
    exit_rule: Literal["threshold", "logit"] = param(
        "threshold", "Exit rule: leave when commitment or the share of partners still active "
        "falls below its threshold (C4), or leave with a logit chance that grows with both "
        "shortfalls, for structural sensitivity.", unit="choice", source="literature",
        ref="C4 Granovetter 1978; C1 logit stay/leave, McFadden 1974; science_anchors §6.3")
    exit_slope: float = param(100.0, "Logit slope per unit shortfall of commitment or "
                              "partner share below its threshold (logit rule only).",
                              unit="logit/unit shortfall", source="assumption",
                              ref="C1; McFadden 1974; set so exits per organization-month at "
                              "baseline are within 10% of C4", ge=0, le=1000,
                              when=("commitment.exit_rule", "logit"))
    join_commitment: float = param(0.4, "Commitment above which an outsider joins if enough "
                                   "trusted partners are active.", unit="0-1",
                                   source="assumption", ref="M4; C4; Centola & Macy 2007",
                                   ge=0, le=1)
    join_min_partners: int = param(2, "Active trusted partners needed to join (complex "
                                   "contagion).", unit="orgs", source="literature",
                                   ref="M4; I2 Centola & Macy 2007", ge=1, le=10)
    participation_cost: float = param(0.30, "Monthly cost of taking part, at full capacity.",
                                      unit="payoff/month", source="assumption", ref="C1 c_i",
                                      ge=0, le=2)
    relational_weight: float = param(0.45, "Payoff weight of trusted active ties.",
                                     unit="payoff/month", source="literature",
                                     ref="C1 b_i; M1", ge=0, le=2)
    grant_weight: float = param(0.5, "Payoff weight of grant money received.",
                                unit="payoff/month", source="literature", ref="C1 g_i; M3",
                                ge=0, le=2)
    mandate_weight: float = param(0.1, "Payoff of being a signatory while the grant runs.",
                                  unit="payoff/month", source="literature", ref="N1 beta_G",
                                  ge=0, le=2)
    vision_weight: float = param(0.3, "Payoff weight of shared vision.", unit="payoff/month",
                                 source="literature", ref="C1 M(t); M2", ge=0, le=2)
    wins_weight: float = param(0.4, "Payoff weight of visible wins.", unit="payoff/month",
                               source="seed", ref="M14", ge=0, le=2)
    narrative: float = param(0.3, "Narrative strength at the start: how far process gains "
                             "count as wins with stakeholders before the consortium tells "
                             "its story.", unit="0-1", source="assumption",
                             ref="M15 'most continue to struggle with building a narrative'",
                             ge=0, le=1)
    narrative_growth: float = param(0.01, "Monthly growth of narrative strength per unit of "
                                    "coordination capacity plus system-level coaching.",
                                    unit="1/month", source="seed-direction",
                                    ref="M15 'storytelling's power as a core function'; "
                                    "'communication and outreach to the community'", ge=0,
                                    le=1)
    narrative_decay: float = param(0.02, "Monthly decay of narrative strength.",
                                   unit="1/month", source="assumption",
                                   ref="M15 'best kept secret'", ge=0, le=1)
    initiative_load_district: float = param(0.3, "Competing-initiative load, K-12.", unit="0-1",
                                            source="assumption", ref="M24", ge=0, le=1)
    initiative_load_college: float = param(0.7, "Competing-initiative load, colleges.",
                                           unit="0-1", source="seed",
                                           ref="M24: 'inundated'; SF35", ge=0, le=1)
    initiative_load_employer: float = param(0.2, "Competing demands on employers.", unit="0-1",
                                            source="assumption", ref="M24", ge=0, le=1)
    initiative_load_intermediary: float = param(0.4, "Competing-initiative load, "
                                                "intermediaries.", unit="0-1",
                                                source="assumption", ref="M24", ge=0, le=1)
    overload_sensitivity: float = param(0.6, "How much initiative load raises the cost of "
                                        "taking part.", unit="ratio", source="assumption",
                                        ref="M24 kappa", ge=0, le=5)
    policy_coherence: float = param(0.2, "Cross-agency coherence of state signals.",
                                    unit="0-1", source="seed", ref="M24, M34", ge=0, le=1)
    dominance_tolerance: float = param(0.2, "K-12 share of benefits above parity tolerated by "
                                       "other sectors.", unit="share", source="assumption",
                                       ref="M19", ge=0, le=1)
    dominance_penalty: float = param(0.3, "Payoff loss per unit of K-12 dominance beyond "
                                     "tolerance.", unit="payoff/month", source="seed",
                                     ref="M19", ge=0, le=2)
    crowding: float = param(0.3, "Crowding-out of partners' own contributions by state money.",
                            unit="ratio", source="literature",
                            ref="C3 de Wit & Bekkers 2017 (-0.06 to 0.64)", ge=-0.1, le=0.7)
    contrib_intercept: float = param(-0.35, "Intercept of the contribution decision.",
                                     unit="logit-free share", source="assumption", ref="M22",
                                     ge=-2, le=2)
    contrib_value: float = param(0.9, "Contribution weight of perceived value.", unit="share",
                                 source="assumption", ref="M22; M20 evidence", ge=0, le=3)
    contrib_institutionalization: float = param(0.8, "Contribution weight of "
                                                "institutionalization.", unit="share",
                                                source="seed", ref="M22, M13; SF24", ge=0, le=3)
    contrib_champion: float = param(0.2, "Contribution weight of a champion.", unit="share",
                                    source="assumption", ref="M22, M5", ge=0, le=3)
    contrib_identity: float = param(0.3, "Contribution weight of shared identity (vision).",
                                    unit="share", source="seed", ref="M22, M31", ge=0, le=3)
    contrib_load: float = param(0.3, "Contribution penalty of initiative load.", unit="share",
                                source="assumption", ref="M22, M24", ge=0, le=3)
    pledge_intercept: float = param(-0.5, "Logit intercept of honouring a pledge.",
                                    unit="logit", source="literature", ref="C5", ge=-5, le=5)
    pledge_commitment: float = param(2.5, "Logit weight of commitment on honouring a pledge.",
                                     unit="logit", source="literature", ref="C5", ge=0, le=10)
    pledge_same_leader: float = param(1.0, "Logit bonus if the leader who pledged is still "
                                      "there.", unit="logit", source="literature", ref="C5; M6",
                                      ge=0, le=5)
    pledge_institutionalization: float = param(1.5, "Logit weight of institutionalization on "
                                               "honouring a pledge.", unit="logit",
                                               source="literature", ref="C5", ge=0, le=10)
    enforcement_bonus: float = param(1.5, "Logit bonus when the match is enforced.",
                                     unit="logit", source="assumption", ref="M29", ge=0, le=5)
    pledge_role_clarity: float = param(1.5, "Logit weight of role clarity on honouring a "
                                       "pledge.", unit="logit", source="seed-direction",
                                       ref="M29 leaders 'had little recourse' (001); partnership "
                                       "agreements and accountability measures (004)", ge=0,
                                       le=5)
    pledge_trust: float = param(1.0, "Logit weight of a partner's trust in the lead on "
                                "honouring a pledge.", unit="logit", source="seed-direction",
                                ref="M29 b·trust_to_lead; 'We have to trust that our time will "
                                "be used right' (004)", ge=0, le=5)
    pledge_ask_mismatch: float = param(1.0, "Logit penalty on honouring a pledge per unit of "
                                       "ask mismatch (an employer's pledged rung above the rung "
                                       "it reached, as a share of the ladder).", unit="logit",
                                       source="seed-direction",
                                       ref="M29 c·ask_mismatch; 'What sealed our decision to "
                                       "engage was the preciseness by which we were told what "
                                       "our engagement would be' (004)", ge=0, le=5)
    # Declared constants (ODD §10.3).
    capacity_min: float = param(0.6, "Least capacity an organization has for consortium work "
                                "(drawn uniformly up to capacity_max).", unit="0-1",
                                source="assumption", ref="M24", ge=0.01, le=1, constant=True)
    capacity_max: float = param(1.0, "Most capacity an organization has for consortium work.",
                                unit="0-1", source="assumption", ref="M24", ge=0.01, le=1,
                                constant=True)
    initial_aspiration: float = param(0.2, "Aspiration level against which the first payoffs "
                                      "are judged.", unit="payoff/month",
                                      source="assumption", ref="C2 Macy & Flache 2002", ge=-1,
                                      le=1, constant=True)
    money_motivated_cap: float = param(0.9, "Largest share of signatories that join for the "
                                       "money, however large the award.", unit="share",
                                       source="assumption", ref="M3", ge=0, le=1,
                                       constant=True)
    money_motivated_weight: float = param(2.0, "How many times more a money-motivated partner "
                                          "weighs grant money in its payoff.", unit="ratio",
                                          source="seed-direction",
                                          ref="M3 'for the wrong reasons'", ge=1, le=10,
                                          constant=True)
    cross_sector_value: float = param(0.5, "Extra relational value of a trusted active "
                                      "cross-sector tie over a within-sector one.",
                                      unit="ratio", source="assumption", ref="M1; C1 b_i",
                                      ge=0, le=2, constant=True)
    relational_saturation: float = param(3.0, "Trusted active ties (weighted) at which the "
                                         "relational value of taking part saturates.",
                                         unit="ties", source="assumption", ref="C1 b_i; M1",
                                         ge=0.5, le=20, constant=True)
    outsider_relational_share: float = param(0.5, "Share of the relational value of its ties "
                                             "an organization gets without taking part.",
                                             unit="share", source="assumption", ref="C1",
                                             ge=0, le=1, constant=True)
    cost_relief: float = param(0.5, "Largest share of the cost of taking part that paid "
                               "coordinators or habits take off.", unit="share",
                               source="seed-direction",
                               ref="M13 'no one is out begging'; M21", ge=0, le=1,
                               constant=True)
    wins_benefit_district: float = param(1.0, "How much a K-12 organization values the "
                                    "consortium's visible wins.", unit="ratio",
                                    source="assumption", ref="M14", ge=0, le=2, constant=True)
    wins_benefit_college: float = param(0.7, "How much a college values the consortium's "
                                        "visible wins.", unit="ratio", source="assumption",
                                        ref="M14, M18", ge=0, le=2, constant=True)
    wins_benefit_employer: float = param(0.0, "How much an employer values visible wins beyond "
                                         "its perceived return (employers.* ROI).",
                                         unit="ratio", source="assumption", ref="M14, M16",
                                         ge=0, le=2, constant=True)
    wins_benefit_intermediary: float = param(0.8, "How much an intermediary values the "
                                             "consortium's visible wins.", unit="ratio",
                                             source="assumption", ref="M8, M14", ge=0, le=2,
                                             constant=True)
    weakest_link_rho: float = param(-2.0, "Exponent of the CES aggregate of sector engagement "
                                    "in collaborative activity; more negative is closer to "
                                    "the weakest sector.", unit="exponent",
                                    source="seed-direction",
                                    ref="M5, SF36 'the weakest stakeholder group can block "
                                    "progress'", ge=-20, le=-0.1, constant=True)
    wins_money_dependence: float = param(0.5, "Share of visible quick wins that needs grant "
                                         "money reaching districts and colleges; the rest "
                                         "comes from activity alone.", unit="share",
                                         source="seed-direction",
                                         ref="M3 money opens doors; M14 quick wins", ge=0,
                                         le=1, constant=True)
    coordination_weight: float = param(0.5, "Weight of coordination against convening (the "
                                       "rest) in operating capacity.", unit="share",
                                       source="assumption", ref="M21; M11", ge=0, le=1,
                                       constant=True)
    wins_memory_months: int = param(12, "Months of wins and narrated process gains partners "
                                    "remember when they judge the collaborative's value.",
                                    unit="months", source="assumption", ref="M15, M22", ge=1,
                                    le=60, constant=True)
    value_commitment: float = param(0.5, "Weight of commitment in a partner's perceived value "
                                    "of the collaborative (yearly decision).", unit="ratio",
                                    source="assumption", ref="M22", ge=0, le=3, constant=True)
    value_wins: float = param(1.2, "Weight of remembered wins in a partner's perceived value.",
                              unit="ratio", source="seed-direction",
                              ref="M22, M14 visible results", ge=0, le=3, constant=True)
    value_data: float = param(0.2, "Weight of data alignment in a partner's perceived value.",
                              unit="ratio", source="seed-direction",
                              ref="M20 'the case for sustainability'", ge=0, le=3,
                              constant=True)
    crowding_memory_months: int = param(12, "Months of state money a partner counts as what "
                                        "it is used to when deciding its own contribution.",
                                        unit="months", source="assumption",
                                        ref="C3 de Wit & Bekkers 2017", ge=1, le=60,
                                        constant=True)
    honoured_pledge_share: float = param(0.5, "Least share of its budget a partner that "
                                         "honours its pledge contributes.", unit="share",
                                         source="assumption", ref="C5; M29", ge=0, le=1,
                                         constant=True)

    @model_validator(mode="after")
    def _capacity_ordered(self) -> Commitment:
        if self.capacity_min > self.capacity_max:
            raise ValueError("capacity_min must not exceed capacity_max")
        return self


class Institutionalization(_Section):
    """Habit stock, passages and shared infrastructure.

    Mechanisms M2, M13, M18, M20; science_anchors I1, I3.
    """

    habit_growth: float = param(0.05, "Monthly habit growth when the practice is enacted "
                                "with full systems effort.", unit="1/month",
                                source="literature", ref="I1 Goodman & Steckler 1989", ge=0,
                                le=1)
    habit_decay: float = param(0.03, "Monthly habit decay when the practice is not enacted.",
                               unit="1/month", source="literature", ref="I1", ge=0, le=1)
    passage_threshold: float = param(0.45, "Habit strength at which passages become possible.",
                                     unit="0-1", source="literature", ref="I1, I3", ge=0, le=1)
    passage_rate: float = param(0.04, "Monthly chance of a passage (budget line, MOU) once "
                                "above threshold.", unit="1/month", source="literature",
                                ref="I1 passages; M13", ge=0, le=1)
    passage_floor: float = param(0.12, "Habit floor each passage sets.", unit="0-1",
                                 source="literature", ref="I1 floor R_min", ge=0, le=1)
    passage_lapse: float = param(0.02, "Monthly chance a passage lapses while the organization "
                                 "is out.", unit="1/month", source="assumption",
                                 ref="I1 (passages can erode)", ge=0, le=1)
    max_passages: int = param(4, "Most passages an organization can hold.", unit="count",
                              source="literature", ref="I1: budget, MOU, articulation, "
                              "positions", ge=0, le=10)
    habit_coordination: float = param(0.6, "How far habits substitute for paid coordination.",
                                      unit="0-1", source="seed",
                                      ref="M13 'no one is out begging'", ge=0, le=1)
    vision_growth: float = param(0.04, "Monthly growth of shared vision at full convening and "
                                 "systems effort.", unit="1/month", source="seed", ref="M2",
                                 ge=0, le=1)
    vision_decay: float = param(0.01, "Monthly decay of shared vision.", unit="1/month",
                                source="assumption", ref="M2", ge=0, le=1)
    data_growth: float = param(0.01, "Monthly growth of data alignment at full data staffing "
                               "and reporting.", unit="1/month", source="seed",
                               ref="M20; SF29", ge=0, le=1)
    data_decay: float = param(0.01, "Monthly decay of data alignment.", unit="1/month",
                              source="assumption", ref="M20", ge=0, le=1)
    articulation_trust: float = param(0.5, "District-college trust needed to attempt an "
                                      "articulation agreement.", unit="0-1",
                                      source="assumption", ref="M18", ge=0, le=1)
    articulation_rate: float = param(0.03, "Monthly chance an eligible pair attempts an "
                                     "agreement.", unit="1/month", source="assumption",
                                     ref="M18; SF20", ge=0, le=1)
    faculty_resistance: float = param(0.5, "Chance college faculty veto an agreement.",
                                      unit="probability", source="seed",
                                      ref="M18: 'It's dead, it's a dead class'", ge=0, le=1)
    college_competition: float = param(0.15, "Let-down chance on college-college ties from "
                                       "enrollment competition.", unit="probability",
                                       source="seed", ref="M18 'bad blood'", ge=0, le=1)
    program_growth: float = param(0.06, "Monthly growth of local pathway programs at full "
                                  "local funding.", unit="1/month", source="seed",
                                  ref="SF2; M14", ge=0, le=1)
    program_decay: float = param(0.03, "Monthly decay of unsupported local programs.",
                                 unit="1/month", source="assumption", ref="M13, M21", ge=0,
                                 le=1)

    # Declared constants (ODD §10.3).
    prior_vision: float = param(0.1, "Shared vision at the start per unit of "
                                "region.prior_infrastructure.", unit="0-1",
                                source="assumption", ref="M10, M2", ge=0, le=1, constant=True)
    initial_data: float = param(0.05, "Data alignment at the start.", unit="0-1",
                                source="assumption", ref="M20", ge=0, le=1, constant=True)
    passage_commitment: float = param(0.5, "Commitment an organization needs to gain a "
                                      "passage.", unit="0-1", source="assumption",
                                      ref="I1 passages", ge=0, le=1, constant=True)
    program_ta_push: float = param(0.3, "Push technical assistance gives local programs "
                                     "while it runs.", unit="0-1", source="seed-direction",
                                     ref="M9", ge=0, le=1, constant=True)
    program_money_support: float = param(0.5, "Support a local program gets per unit of "
                                           "grant money received.", unit="0-1",
                                           source="assumption", ref="SF2; M21", ge=0, le=1,
                                           constant=True)
    program_contribution_support: float = param(0.5, "Support a local program gets while "
                                                  "its organization contributes to the "
                                                  "collaborative.", unit="0-1",
                                                  source="assumption", ref="SF2; M22", ge=0,
                                                  le=1, constant=True)


class Employers(_Section):
    """The employer engagement ladder (M16, M17, M28)."""

    step_rate: float = param(0.08, "Monthly chance to climb a rung when trust and ROI allow.",
                             unit="1/month", source="assumption", ref="M16 ladder", ge=0, le=1)
    trust_per_stage: float = param(0.08, "Trust in the convener needed per rung.",
                                   unit="0-1/stage", source="assumption", ref="M16", ge=0,
                                   le=0.2)
    roi_per_stage: float = param(0.1, "Perceived ROI needed per rung.", unit="0-1/stage",
                                 source="assumption", ref="M16", ge=0, le=0.2)
    contact_rate: float = param(0.3, "Monthly chance of student contact at low rungs, at full "
                                "operation.", unit="1/month", source="seed",
                                ref="M16 'bowled over'; SF31", ge=0, le=1)
    contact_roi_gain: float = param(0.08, "ROI gain from one student contact.", unit="0-1",
                                    source="seed", ref="M16; SF31", ge=0, le=1)
    roi_decay: float = param(0.015, "Monthly decay of perceived ROI.", unit="1/month",
                             source="assumption", ref="M16", ge=0, le=1)
    urgency_gain: float = param(1.0, "How much regional urgency multiplies ROI gains.",
                                unit="ratio", source="seed", ref="M28; SF15", ge=0, le=5)
    transactional_asks: bool = param(False, "Ask employers straight for internships instead of "
                                     "relationship-first.", unit="switch", source="seed",
                                     ref="M16; SF17")
    ask_rate: float = param(0.4, "Monthly asks per engaged employer at full 'now' effort.",
                            unit="asks/month", source="seed", ref="M16 'tripping over each "
                            "other'", ge=0, le=5)
    transactional_dropout: float = param(0.06, "Chance a premature big ask scares an employer "
                                         "off.", unit="probability", source="seed",
                                         ref="M16; SF17", ge=0, le=1)
    burnout_rate: float = param(0.08, "Burnout added per ask.", unit="0-1/ask", source="seed",
                                ref="M16; SF18 '20-80'", ge=0, le=1)
    burnout_recovery: float = param(0.1, "Monthly burnout recovery.", unit="1/month",
                                    source="assumption", ref="M16", ge=0, le=1)
    burnout_exit: float = param(0.7, "Burnout at which an employer 'divorces' the consortium.",
                                unit="0-1", source="seed", ref="M16; SF18", ge=0, le=1)
    one_stop: float = param(0.5, "Share of duplicate asks an intermediary one-stop removes, "
                            "at full brokering.",
                            unit="share", source="seed", ref="M8, M16", ge=0, le=1)
    stage_decay: float = param(0.03, "Monthly chance an unengaged employer slips one rung.",
                               unit="1/month", source="assumption", ref="M16", ge=0, le=1)
    liability_solution: bool = param(False, "State or JPA liability cover lowers sector "
                                     "barriers.", unit="switch", source="seed", ref="M17")
    sector_coordination_cost: float = param(0.05, "Coordination capacity each industry sector "
                                            "beyond the first takes for its own roundtables "
                                            "and sector coaches, before any is left for depth.",
                                            unit="coordination/sector",
                                            source="seed-direction",
                                            ref="M32 'Breadth over depth'; 'Attempting to dive "
                                            "in to too many sectors'", ge=0, le=0.5)

    # Declared constants (ODD §10.3).
    difficulty_health: float = param(0.55, "Work-based-learning barrier in health "
                                     "(HIPAA, fragmented; 'can also be the most difficult').",
                                     unit="0-1", source="seed-direction",
                                     ref="M17 ordering of sectors", ge=0, le=1, constant=True)
    difficulty_manufacturing: float = param(0.5, "Work-based-learning barrier in manufacturing "
                                            "(the 18+ floor rule).", unit="0-1",
                                            source="seed-direction", ref="M17", ge=0, le=1,
                                            constant=True)
    difficulty_ict: float = param(0.4, "Work-based-learning barrier in ICT (skill gap).",
                                  unit="0-1", source="seed-direction", ref="M17", ge=0, le=1,
                                  constant=True)
    difficulty_engineering: float = param(0.25, "Work-based-learning barrier in engineering.",
                                          unit="0-1", source="seed-direction", ref="M17",
                                          ge=0, le=1, constant=True)
    difficulty_agriculture: float = param(0.3, "Work-based-learning barrier in agriculture "
                                          "(FFA presence).", unit="0-1",
                                          source="seed-direction", ref="M17", ge=0, le=1,
                                          constant=True)
    liability_relief: float = param(0.4, "Multiplier on manufacturing's barrier under a "
                                    "liability solution (liability_solution).", unit="ratio",
                                    source="seed-direction", ref="M17 liability cover", ge=0,
                                    le=1, constant=True)
    breadth_dilution: float = param(0.3, "How much each industry sector beyond the first thins "
                                    "employers' attendance.", unit="ratio/sector",
                                    source="seed-direction", ref="M32 breadth over depth; M17",
                                    ge=0, le=2, constant=True)
    initial_rung_max: int = param(1, "Highest rung an employer starts on (drawn uniformly from "
                                  "rung 0).", unit="rung", source="assumption", ref="M16",
                                  ge=0, le=6, constant=True)
    initial_roi_max: float = param(0.2, "Highest perceived return an employer starts with "
                                   "(drawn uniformly from 0).", unit="0-1",
                                   source="assumption", ref="M16", ge=0, le=1, constant=True)
    pledged_rung_min: int = param(2, "Lowest rung an employer pledges in the proposal (drawn "
                                  "uniformly up to pledged_rung_max).", unit="rung",
                                  source="assumption", ref="SF16; M16", ge=0, le=6,
                                  constant=True)
    pledged_rung_max: int = param(5, "Highest rung an employer pledges in the proposal.",
                                  unit="rung", source="assumption", ref="SF16; M16", ge=0,
                                  le=6, constant=True)
    ask_rung_scale: float = param(3.0, "Rungs over which the asks an employer gets double: "
                                  "asks grow by a factor 1 + rung/ask_rung_scale.",
                                  unit="rungs", source="seed-direction",
                                  ref="SF18 '20-80 rule'; M16", ge=0.5, le=20, constant=True)
    transactional_ask_size: float = param(3.0, "Size of a premature big ask relative to an "
                                          "ordinary one.", unit="ratio",
                                          source="seed-direction", ref="SF17; M16", ge=1,
                                          le=10, constant=True)
    exit_commitment_keep: float = param(0.5, "Share of its commitment an employer keeps when "
                                        "it is scared off or burns out.", unit="share",
                                        source="assumption", ref="M16", ge=0, le=1,
                                        constant=True)

    @model_validator(mode="after")
    def _rungs_ordered(self) -> Employers:
        if self.pledged_rung_min > self.pledged_rung_max:
            raise ValueError("pledged_rung_min must not exceed pledged_rung_max")
        return self


class Intermediaries(_Section):
    """Intermediaries that broker employer engagement, and how good they are at it (M8).

    Workforce boards, county offices and chambers broker employers with a quality that
    builds slowly while they take part, are paid for and the consortium is active, and
    erodes without that or when their leader leaves; TA providers give technical
    assistance instead (M9, set in the grant section).
    """

    quality_mean: float = param(0.3, "Mean brokering quality of an intermediary at the start: "
                                "0 a passive stance, 1 a proactive 'go-get-'em' broker with "
                                "established employer relationships.", unit="0-1",
                                source="seed-direction",
                                ref="M8 'effective intermediaries generally are in short "
                                "supply... Less successful intermediaries... adopted a "
                                "relatively passive stance'", ge=0, le=1)
    brokering_gain: float = param(1.0, "How much brokering by a fully effective intermediary "
                                  "raises an employer's monthly chance to climb a rung: the "
                                  "chance is multiplied by 1 + brokering_gain x brokering.",
                                  unit="ratio", source="seed-direction",
                                  ref="M8 'An effective intermediary organization such as ITK "
                                  "can broker these relationships'; 'an impressive level of "
                                  "regional employer engagement'", ge=0, le=5)
    quality_growth: float = param(0.03, "Monthly growth of brokering quality while an "
                                  "intermediary takes part, is paid for and the consortium is "
                                  "fully active.", unit="1/month", source="seed-direction",
                                  ref="M8 'creating and developing this kind of intermediary "
                                  "organization takes time, regional leadership, and "
                                  "resources'", ge=0, le=1)
    quality_decay: float = param(0.02, "Monthly loss of brokering quality while an "
                                 "intermediary is out of the consortium or not paid for.",
                                 unit="1/month", source="assumption", ref="M8", ge=0, le=1)
    grant_dependence: float = param(0.5, "Share of a workforce board's or chamber's brokering "
                                    "that the grant pays for; it falls away with state money "
                                    "unless the intermediary contributes (county offices "
                                    "broker from base budgets).", unit="share",
                                    source="assumption",
                                    ref="M8 intermediaries funded by the grant face their own "
                                    "funding cliff; 'takes time, regional leadership, and "
                                    "resources'", ge=0, le=1)
    turnover_keep: float = param(0.5, "Share of its brokering quality an intermediary keeps "
                                 "when its leader changes: the employer relationships are "
                                 "person-carried.", unit="share", source="seed-direction",
                                 ref="M8 'More effective intermediaries were able to build on "
                                 "established relationships'; M7", ge=0, le=1)

    # Declared constants (ODD §10.3).
    quality_spread: float = param(0.2, "Spread (standard deviation) of intermediaries' starting "
                                  "brokering quality around quality_mean.", unit="0-1",
                                  source="assumption", ref="M8 intermediaries vary in quality",
                                  ge=0, le=0.5, constant=True)


class Orientation(_Section):
    """The lead's orientation, systems change or program delivery, and partners' patience.

    The orientation is a state of the lead, not a trait drawn once: system-level TA and
    process gains pull it towards systems work, grant money and impatient partners pull it
    towards visible quick wins, and a new leader brings a disposition of their own (M9,
    M13, M14, M6).
    """

    rate: float = param(0.05, "Monthly rate at which the lead's orientation follows the pulls "
                        "on it.", unit="1/month", source="assumption",
                        ref="M13, M14; §8.2 no seed gives a speed", ge=0, le=1)
    ta_pull: float = param(1.0, "Pull of system-level coaching towards systems work.",
                           unit="1/coaching", source="seed-direction",
                           ref="M9 'few, if any, are doing system-level coaching'", ge=0, le=5)
    process_pull: float = param(1.0, "Pull of narrated process gains towards systems work.",
                                unit="1/process gain", source="seed-direction",
                                ref="M14 'the earliest gains often relate to process'; M15",
                                ge=0, le=20)
    conditioning: float = param(0.3, "Push of flowing grant money towards tangible short-term "
                                "outputs.", unit="1/state share", source="seed-direction",
                                ref="M14 'organizations are often used to receiving grants "
                                "that cause them to pursue relatively tangible outcomes'",
                                ge=0, le=5)
    impatience_push: float = param(1.0, "Push of impatient partners towards visible quick wins.",
                                   unit="1/share impatient", source="seed-direction",
                                   ref="M14 'we first tried taking short-term wins out of the "
                                   "equation entirely... little faith'", ge=0, le=5)
    spread: float = param(0.2, "Spread of a new lead leader's orientation around "
                          "region.orientation_mean.", unit="0-1", source="assumption",
                          ref="M6 leadership change; L2", ge=0, le=1)
    patience_months: float = param(12.0, "Months a partner waits for visible value before it "
                                   "stops giving the consortium the benefit of the doubt.",
                                   unit="months", source="assumption",
                                   ref="M14 'can not wait until then'; §8.2", ge=1, le=60)
    patience_threshold: float = param(0.15, "Remembered wins and narrated process gains below "
                                      "which a partner is waiting.", unit="wins/month",
                                      source="assumption", ref="M14, M15", ge=0, le=1)
    urgency_impatience: float = param(0.5, "How much regional urgency shortens patience.",
                                      unit="share", source="seed-direction",
                                      ref="M28 'Partners press for urgent decisions, actions, "
                                      "or impact'", ge=0, le=1)


class Governance(_Section):
    """How the consortium governs itself: a hierarchy under MOUs or shared, open control (M25).

    A hierarchy runs hub and spoke: partners work through the lead, and ties between other
    partners form less. Shared, open control adds workgroups and communities of practice in
    which partners other than the lead meet and work, spreads leadership and defuses the
    lead's power, at the cost of the coordination the workgroups take. Required partnership
    agreements (``grant.required_agreements``) are a separate matter of role clarity.
    """

    mode: Literal["hierarchical_mou", "shared_open"] = param(
        "hierarchical_mou", "Governance: a top-down hierarchy with partnerships under MOUs "
        "(hub and spoke), or open structures with shared control, workgroups and "
        "communities of practice.", unit="choice", source="seed",
        ref="M25 'most CCPT grantees adopted traditional, top-down hierarchical "
        "organizational structures with partnerships governed by memoranda of understanding'")
    hub_focus: float = param(0.15, "Under a hierarchy, how far tie formation shifts towards the "
                             "lead: pairs with the lead form at (1 + hub_focus) times, other "
                             "pairs at (1 - hub_focus) times the chance.", unit="share",
                             source="seed-direction",
                             ref="M25 'top-down hierarchical organizational structures'",
                             ge=0, le=1, when=("governance.mode", "hierarchical_mou"))
    workgroup_formation: float = param(0.25, "Under shared control, extra tie formation between "
                                       "partners other than the lead, who meet in workgroups "
                                       "and communities of practice.", unit="ratio",
                                       source="seed-direction",
                                       ref="M25 'deliberately connecting practitioners from "
                                       "secondary education, postsecondary education, the "
                                       "workforce, and industry'", ge=0, le=5,
                                       when=("governance.mode", "shared_open"))
    workgroup_interaction: float = param(0.25, "Under shared control, extra chance that tied "
                                         "partners other than the lead work together between "
                                         "convenings (workgroups).", unit="ratio",
                                         source="seed-direction",
                                         ref="M25 'workgroups designed for problem-solving and "
                                         "communities of practice focused on peer learning'",
                                         ge=0, le=5, when=("governance.mode", "shared_open"))
    workgroup_leadership: float = param(0.2, "Under shared control, distributed leadership the "
                                        "workgroups add (it buffers turnover, M6).",
                                        unit="0-1", source="seed-direction",
                                        ref="M25 'We built infrastructure with all levels of "
                                        "our organizations'; 'Lack of distributed "
                                        "accountability' is a threat", ge=0, le=1,
                                        when=("governance.mode", "shared_open"))
    shared_control: float = param(0.5, "Under shared control, share of the lead's power gap "
                                  "(M3) defused.", unit="share", source="seed-direction",
                                  ref="M25 'emphasized openness, transparency, making "
                                  "connections, and sharing control'", ge=0, le=1,
                                  when=("governance.mode", "shared_open"))
    workgroup_cost: float = param(0.1, "Under shared control, coordination capacity that "
                                  "running the workgroups and communities of practice takes "
                                  "each month.", unit="coordination", source="assumption",
                                  ref="M25, M21; §8.2 no seed gives a cost", ge=0, le=1,
                                  when=("governance.mode", "shared_open"))


class Sustainment(_Section):
    """What partners can pay and how work continues after state money (M10, M21-M23).

    Partners' money is sized relative to the award, because the award was sized to the
    consortium; positions have hosts that may absorb them; partner money pays for
    operations first; anchor institutions convene from base budgets; partners give staff
    time in kind; new grants arrive, can be won, and distract while pursued.
    """

    partner_capacity_ratio: float = param(0.15, "Money all partners together could redirect to "
                                          "the collaborative each year, relative to the "
                                          "nominal yearly award (award_musd / "
                                          "reference_state_years).",
                                          unit="ratio to yearly award",
                                          source="assumption",
                                          ref="M22; §2.9 no seed gives a contribution", ge=0,
                                          le=5)
    size_district: float = param(1.0, "Relative size of a K-12 organization's redirectable "
                                 "budget.", unit="ratio", source="seed-direction",
                                 ref="M22 'school districts each made considerable, ongoing "
                                 "financial commitments'", ge=0, le=10)
    size_college: float = param(0.67, "Relative size of a college's redirectable budget.",
                                unit="ratio", source="assumption", ref="M18, M22", ge=0, le=10)
    size_employer: float = param(0.08, "Relative size of an employer's redirectable budget.",
                                 unit="ratio", source="assumption", ref="M16, M22", ge=0, le=10)
    size_intermediary: float = param(0.25, "Relative size of an intermediary's redirectable "
                                     "budget.", unit="ratio", source="assumption",
                                     ref="M8, M22", ge=0, le=10)
    lead_position_share: float = param(0.3, "Share of backbone positions the lead hosts "
                                       "(directors, conveners); districts host the rest "
                                       "(coaches, WBL coordinators).", unit="share",
                                       source="seed-direction",
                                       ref="§2.5 'K-12 coaches, WBL coordinators, roundtable "
                                       "conveners'", ge=0, le=1)
    operations_positions: int = param(1, "Coordinator positions the post-grant operations core "
                                      "keeps, paid first from partner money.", unit="positions",
                                      source="assumption",
                                      ref="M22 'Collaborative operations are also funded by "
                                      "direct investments'", ge=0, le=10)
    absorb_intercept: float = param(-4.0, "Logit intercept of a host absorbing a position "
                                    "into its own budget at a yearly decision.", unit="logit",
                                    source="assumption", ref="M21; §8.2", ge=-10, le=5)
    absorb_commitment: float = param(2.0, "Logit weight of the host's commitment on absorbing.",
                                     unit="logit", source="seed-direction",
                                     ref="M21 'leaders are scrambling to keep these positions'",
                                     ge=0, le=10)
    absorb_habit: float = param(3.0, "Logit weight of the host's institutionalization on "
                                "absorbing.", unit="logit", source="seed-direction",
                                ref="M21 'Some K-12 districts have protected key CCPT positions "
                                "... LCAP'; M13", ge=0, le=10)
    absorb_champion: float = param(1.0, "Logit bonus for a champion leading the host.",
                                   unit="logit", source="assumption", ref="M5, M21", ge=0, le=5)
    anchor_base_share: float = param(0.15, "Share of the operations core an anchor institution "
                                     "(county office) taking part covers from its base budget, "
                                     "per unit of its commitment.", unit="share",
                                     source="seed-direction",
                                     ref="§1.3 COEs: 'We are conveners'; Tulare-Kings "
                                     "Collaborative 'convened by the Tulare County Office of "
                                     "Education'", ge=0, le=1)
    in_kind_time: float = param(0.5, "Coordination that partners' existing staff give in kind, "
                                "per unit of the mean share of their budgets they contribute.",
                                unit="coordination/share", source="seed-direction",
                                ref="M21 'pool expertise, resources, and the time of existing "
                                "staff'; M22 'financial and in-kind contributions'", ge=0,
                                le=5)
    opportunity_rate: float = param(0.5, "New grant opportunities a year open to the "
                                    "consortium.", unit="1/year", source="assumption",
                                    ref="M23; §2.6 other funding streams", ge=0, le=12)
    win_max: float = param(0.6, "Chance of winning an opportunity at full institutionalization "
                           "and data alignment.", unit="probability", source="seed-direction",
                           ref="M23 'in a better position to compete for other grant "
                           "funding'", ge=0, le=1)
    pursuit_months: int = param(3, "Months spent pursuing an opportunity.", unit="months",
                                source="assumption", ref="M23", ge=0, le=24)
    pursuit_cost: float = param(0.15, "Coordination lost while pursuing an opportunity.",
                                unit="coordination", source="seed-direction",
                                ref="M23 'distracted by chasing new dollars'", ge=0, le=1)
    new_grant_share: float = param(0.5, "Share of the operations core a won grant pays for.",
                                   unit="share", source="assumption",
                                   ref="M23; §2.6 braided funding", ge=0, le=1)
    new_grant_years: int = param(3, "Years a won grant pays.", unit="years",
                                 source="assumption", ref="M23; §2.6", ge=1, le=10)
    mission_drift: float = param(0.1, "Share of shared vision lost when a new grant with its "
                                 "own goals is won.", unit="share", source="seed-direction",
                                 ref="M23 'chasing new dollars instead of sustaining attention "
                                 "on long-term goals'", ge=0, le=1)


class Mindset(_Section):
    """Mindset about CTE: how far an organization's people see pathways as a core track (M27).

    Each organization's mindset starts low, spreads slowly over the month's active ties
    between partners (communities of practice), rises with exposure to pathway programs and
    convenings, stays put in resisters and moves with a new leader; it does not decay when
    the money ends. It gates the growth of local pathway programs and how far schools let
    employers' contact with students pay off (SF28).
    """

    initial_mean: float = param(0.3, "Mean mindset at the start: how far organizations see "
                                "CTE and pathways as a core track rather than 'the other "
                                "program' (0 not at all, 1 fully).", unit="0-1",
                                source="seed-direction",
                                ref="M27 'Changing mindsets about CTE… comprised the first "
                                "order of business for most Cohort 1 consortia': low at the "
                                "start; the value is an assumption", ge=0, le=1)
    influence_rate: float = param(0.02, "Monthly pull of an organization's mindset towards "
                                  "the mean of its partners on active ties (communities of "
                                  "practice); slow, so mindsets converge over years.",
                                  unit="1/month", source="seed-direction",
                                  ref="M27, SF28 the teacher 'got acculturated into the health "
                                  "pathway… slowly [over the course of four years]': a time "
                                  "constant of about four years, 1/48 a month", ge=0, le=1)
    exposure_rate: float = param(0.02, "Monthly rise of mindset, in proportion to the room "
                                 "left, while an organization attends convenings or runs "
                                 "pathway programs.", unit="1/month", source="seed-direction",
                                 ref="M27, SF28 'slowly [over the course of four years], she "
                                 "started to add texts related to public health'; CCPT 'gave "
                                 "new status and presence to CTE'", ge=0, le=1)
    resister_share: float = param(0.15, "Share of organizations whose mindset neither "
                                  "partners nor exposure move.", unit="share",
                                  source="seed-direction",
                                  ref="M27 'You have people who stick their feet in the mud'; "
                                  "the share is an assumption",
                                  ge=0, le=1)
    leader_weight: float = param(0.3, "Share of an organization's mindset its leader carries: "
                                 "a new leader moves it this far towards their own, less where "
                                 "practice is sedimented.", unit="share",
                                 source="assumption",
                                 ref="M27 brief: mindset does not decay 'unless leader "
                                 "turnover brings in low-mindset leaders'; M6; I3", ge=0,
                                 le=1)
    program_weight: float = param(0.5, "How far local pathway programs grow only as far as "
                                  "mindset allows: growth is multiplied by "
                                  "1 - program_weight*(1 - mindset).", unit="0-1",
                                  source="seed-direction",
                                  ref="M27 'simply changing structures and strategies cannot "
                                  "promote successful pathway implementation unless the "
                                  "thinking that produced and supported the old structures "
                                  "changes as well'", ge=0, le=1)
    employer_weight: float = param(0.5, "How far the mean mindset of the districts and "
                                   "colleges taking part gates what employers gain from "
                                   "meeting students: the gain is multiplied by "
                                   "1 - employer_weight*(1 - mindset).", unit="0-1",
                                   source="assumption",
                                   ref="M27 brief: employer engagement scales with mindset; "
                                   "M16", ge=0, le=1)

    # Declared constants (ODD §10.3).
    initial_spread: float = param(0.15, "Spread (standard deviation) of mindset around "
                                  "initial_mean, at the start and for a new leader.",
                                  unit="0-1", source="assumption", ref="M27", ge=0, le=0.5,
                                  constant=True)
class Framing(_Section):
    """How far the region is framed around a shared economic imperative (M12).

    The framing is a consortium stock: regional urgency and employers engaged on the upper
    rungs build it, effort on program delivery erodes it. It raises employers' perceived
    return, partners' payoff of taking part in a regional collaborative, and convenings
    that do not need grant money.
    """

    rate: float = param(0.03, "Monthly rate at which the framing follows the pulls on it.",
                        unit="1/month", source="assumption",
                        ref="M12; §8.2 no seed gives a speed", ge=0, le=1)
    urgency_pull: float = param(0.5, "Pull of regional economic urgency towards a regional "
                                "economic framing.", unit="1/urgency", source="seed-direction",
                                ref="M12 'economic development and industry sectors that are "
                                "in need in our region'; M28", ge=0, le=5)
    employer_pull: float = param(1.0, "Pull of employers engaged as advisors or deeper (share "
                                 "of employers taking part on those rungs) towards a regional "
                                 "economic framing.", unit="1/share", source="seed-direction",
                                 ref="M12 'It forced collaboration around industry sectors and "
                                 "needs'; M16", ge=0, le=5)
    program_push: float = param(2.0, "Push of effort on program delivery (the month's 'now' "
                                "share) back towards organising by counties and programs.",
                                unit="1/share", source="seed-direction",
                                ref="M12 'not counties and programs'; M13 'program "
                                "implementation point of view'", ge=0, le=5)
    return_gain: float = param(1.0, "How much the framing multiplies employers' gain in "
                               "perceived return from meeting students.", unit="ratio",
                               source="seed-direction",
                               ref="M12 model: the economic framing raises employers' "
                               "perceived return", ge=0, le=5)
    payoff_weight: float = param(0.1, "Payoff of taking part per unit of framing: partners' "
                                 "regional orientation.", unit="payoff/month",
                                 source="seed-direction",
                                 ref="M12 'I'm building the regional economy and really "
                                 "believe in it'", ge=0, le=2)
    convening_share: float = param(0.3, "Convening intensity the framing holds up without grant "
                                   "money, per unit of framing.", unit="convening",
                                   source="seed-direction",
                                   ref="M12 'The convening that has legs is not because you "
                                   "have a grant'", ge=0, le=1)


class Recruitment(_Section):
    """Who is recruited to the table, and how well they fit the consortium's needs (M30).

    Each organization's representative has a fit to the consortium's needs, uniform on 0-1.
    Fit above the region's mean raises a partner's initial commitment, its payoff of taking
    part and the table's collaborative activity; fit below it lowers them, so at an
    any-voices table the wrong ones start weak and leave early. Purposeful recruitment
    (``grant.purposeful_recruitment``) signs on only organizations whose fit reaches
    ``screen``: a fitter table, but fewer partners.
    """

    screen: float = param(0.5, "Fit an organization needs to be invited to sign on under "
                          "purposeful recruitment (grant.purposeful_recruitment); those below "
                          "are left out at the start and may join later.", unit="0-1",
                          source="seed-direction",
                          ref="M30 'half the representatives around the table were the wrong "
                          "ones': screening out the lower half; 'Leaving out critical "
                          "stakeholders' is the cost", ge=0, le=1)
    fit_commitment: float = param(0.3, "Initial commitment gained per unit of fit above the "
                                  "region's mean fit (lost below it).", unit="commitment/fit",
                                  source="seed-direction",
                                  ref="M30 'It really made for an underwhelming launch'", ge=0,
                                  le=2)
    fit_payoff: float = param(0.2, "Monthly payoff of taking part gained per unit of fit above "
                              "the region's mean fit (lost below it).",
                              unit="payoff/month per fit", source="seed-direction",
                              ref="M30 'the wrong ones for the project'; Participant Profiles "
                              "'reduce the mismatching'", ge=0, le=2)
    fit_activity: float = param(0.5, "Relative change of the consortium's collaborative "
                                "activity per unit of mean fit of the organizations taking "
                                "part above the region's mean: the wrong ones hold the whole "
                                "table back.", unit="activity/fit", source="seed-direction",
                                ref="M30 'half the representatives around the table were the "
                                "wrong ones... It really made for an underwhelming launch'",
                                ge=0, le=2)


class Outcomes(_Section):
    """Outcome classification (domain brief §4.2; science_anchors §4.7)."""

    convening_min: float = param(0.5, "Convening intensity a functioning collaborative "
                                 "holds.", unit="0-1", source="assumption",
                                 ref="§4.2 composite; D13", ge=0.01, le=1)
    ties_retained_min: float = param(0.5, "Active cross-sector ties, relative to the grant's "
                                     "last month, a functioning collaborative keeps.",
                                     unit="ratio", source="assumption",
                                     ref="§4.2 composite: 'active cross-sector edges >= 50% of "
                                     "end-of-grant level'", ge=0.01, le=2)
    contributors_min: float = param(0.3, "Share of education and intermediary partners paying "
                                    "something (money or an absorbed position).", unit="share",
                                    source="assumption", ref="§4.2 D2, D8", ge=0.01, le=1)
    institutionalization_min: float = param(0.4, "Institutionalization index a functioning "
                                            "collaborative keeps.", unit="0-1",
                                            source="assumption", ref="§4.2 D1, D5", ge=0.01,
                                            le=1)
    sustained_threshold: float = param(1.0, "Function level (mean of the four components, each "
                                       "capped at its threshold) at or above which a "
                                       "consortium is sustained; 1 = every component met.",
                                       unit="0-1", source="assumption", ref="§4.2 s_hi", ge=0,
                                       le=1)
    dissolved_threshold: float = param(0.25, "Function level at or below which it is "
                                       "dissolved.", unit="0-1", source="assumption",
                                       ref="§4.2 s_lo", ge=0, le=1)
    systems_threshold: float = param(0.5, "Lead orientation at or above which a run counts as "
                                     "systems-led in reports.", unit="0-1",
                                     source="assumption",
                                     ref="M13: a reporting threshold, not a rule", ge=0, le=1)
    collaboration_min_orgs: int = param(3, "Organizations still collaborating for regional "
                                        "collaboration to persist.", unit="orgs",
                                        source="literature", ref="§4.7 NORC/HCAP 2012", ge=2,
                                        le=50)
    horizon_years: int = param(10, "Simulated years.", unit="years", source="seed",
                               ref="issue: 10-year horizon", ge=1, le=40)

    @model_validator(mode="after")
    def _ordered(self) -> Outcomes:
        if self.dissolved_threshold >= self.sustained_threshold:
            raise ValueError("dissolved_threshold must be below sustained_threshold")
        return self


class Costs(_Section):
    """What the state pays beyond the award, per consortium (sim/costs.py; ODD §2.4).

    The model does not read these: they price a design after the run. Backbone positions
    the state keeps paying are priced at ``grant.position_cost_kusd``.
    """

    ta_kusd_per_year: float = param(150.0, "Cost to the state of technical assistance for one "
                                    "consortium for a year after the grant "
                                    "(grant.ta_post_grant_years).",
                                    unit="thousand USD/year", source="assumption",
                                    ref="§2.9 costs not in seeds; M9", ge=0, le=2000)
    onboarding_kusd_per_year: float = param(60.0, "Cost to the state of full onboarding "
                                            "support (grant.onboarding_support = 1) for one "
                                            "consortium for a year of the grant.",
                                            unit="thousand USD/year", source="assumption",
                                            ref="§2.9 costs not in seeds; M6", ge=0, le=1000)


SAFE_NAME = r"^[A-Za-z0-9_][A-Za-z0-9_.+-]{0,79}$"
"""A name that is safe as a file stem (outputs are named after it): letters, digits and
``_ . + -``, at most 80 characters, starting with a letter, digit or underscore, so never
``.``, ``..`` or a path."""
SafeName = Annotated[str, StringConstraints(pattern=SAFE_NAME)]


class ScenarioParams(_Section):
    """All parameters of one scenario, validated; the model keeps it as ``self.params``."""

    name: SafeName = Field("unnamed", description="Scenario name (letters, digits, _ . + -; "
                                                  "output files are named after it).")
    description: str = Field("", description="What the scenario represents.")
    region: Region = Region()
    grant: Grant = Grant()
    trust: Trust = Trust()
    ties: Ties = Ties()
    leadership: Leadership = Leadership()
    commitment: Commitment = Commitment()
    institutionalization: Institutionalization = Institutionalization()
    employers: Employers = Employers()
    intermediaries: Intermediaries = Intermediaries()
    orientation: Orientation = Orientation()
    governance: Governance = Governance()
    sustainment: Sustainment = Sustainment()
    mindset: Mindset = Mindset()
    framing: Framing = Framing()
    recruitment: Recruitment = Recruitment()
    outcomes: Outcomes = Outcomes()
    costs: Costs = Costs()

    @property
    def n_orgs(self) -> int:
        """Number of organizations in the region."""
        r = self.region
        return (r.n_districts + r.n_charters + r.n_colleges + r.n_workforce_boards
                + r.n_county_offices + r.n_ta_providers + r.n_chambers + r.n_employers)

    @property
    def months(self) -> int:
        """Number of monthly steps."""
        return 12 * self.outcomes.horizon_years

    @model_validator(mode="after")
    def _lead_exists(self) -> ScenarioParams:
        r = self.region
        counts = {"district": r.n_districts, "college": r.n_colleges,
                  "county_office": r.n_county_offices, "workforce_board": r.n_workforce_boards,
                  "chamber": r.n_chambers}
        if counts[r.lead] < 1:
            raise ValueError(f"lead is '{r.lead}' but the region has no such organization")
        return self


SECTIONS: dict[str, type[_Section]] = {
    name: field.annotation  # type: ignore[misc]
    for name, field in ScenarioParams.model_fields.items()
    if isinstance(field.annotation, type) and issubclass(field.annotation, _Section)
}


def parameter_table() -> list[dict[str, Any]]:
    """One row per parameter: key path, default, unit, range, source, reference, description.

    ``when`` is the (key, value) of the rule choice the parameter acts under, or None;
    ``tier`` is ``"constant"`` for a declared constant, else ``"parameter"``;
    ``calibrated`` names the calibration that set the default, or is None.
    """
    rows = []
    for section, cls in SECTIONS.items():
        for name, field in cls.model_fields.items():
            extra = field.json_schema_extra or {}
            lo = hi = None
            for m in field.metadata:
                lo = getattr(m, "ge", lo)
                hi = getattr(m, "le", hi)
            rows.append({
                "key": f"{section}.{name}",
                "default": field.default,
                "unit": extra.get("unit"),
                "low": lo,
                "high": hi,
                "source": extra.get("source"),
                "ref": extra.get("ref"),
                "description": field.description,
                "when": tuple(extra["when"]) if "when" in extra else None,
                "tier": extra["tier"],
                "calibrated": extra.get("calibrated"),
            })
    return rows
