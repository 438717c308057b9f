# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Money and positions: where grant money goes, what the backbone costs, who pays after.

The award is either a total spread over the months of state money or a yearly amount held
fixed, as ``grant.award_convention`` says, and is split by spending share (SF23):
equipment and sub-grants mostly to K-12, staff money to the intermediaries that host the
backbone (§2.5; M3, M19). Grant money opens doors while it flows (M3) but lets K-12
dominate (M19). Backbone positions are budgeted from the award, hard to fill as the grant
runs out and lost at the cliff unless their hosts absorb them, partners, the state or another
grant pay for them (M21, M23; SF21, SF22); reassigning partners' existing staff instead puts
part of them with their hosts from the start, giving less but outlasting the cliff (M21).
Each industry sector pursued beyond the first takes coordination of its own (M32). Once state money falls short, partners decide
each year what share of a budget sized relative to the award to contribute, from perceived
value, habits, champions and identity, crowded out by the state money they got used to
(M22; C3), and pledged matches are honoured or broken (C5; M29). Their money pays for
operations first (a convening program and a coordinator), then for further positions;
anchor institutions convene from base budgets, and partners give staff time in kind (M10,
M21, M22). New grant opportunities arrive, are won by institutionalized consortia with
aligned data, and distract while pursued (M23).
"""

from libc.math cimport exp

from agents.codes import Sector
from agents.numerics cimport power
from agents.params cimport Commitment, Grant, Params, Sustainment

import numpy as np

from agents.codes import MONTHS_PER_YEAR

KUSD_PER_MUSD = 1000.0  # unit conversion: thousand USD per million USD


# ------------------------------------------------------------------ the award and its split

def award_per_year(Params params, double money_months):
    """State money per full year of state funding (million USD/year).

    Under ``fixed_total`` the award is spread over the full-share-equivalent months of
    state money; under ``fixed_annual`` each such year pays ``award_musd /
    reference_state_years``, so a longer grant or a taper costs the state more.
    """
    cdef Grant g = params.grant
    if not g.award_musd:
        return 0.0
    if g.award_convention == "fixed_annual":
        return g.award_musd / g.reference_state_years
    return g.award_musd * MONTHS_PER_YEAR / money_months


def nominal_per_year(Params params):
    """The award per year it was sized for, ``award_musd / reference_state_years``, whatever
    the convention or phasing; zero without a grant that sends money or mandates a consortium
    (million USD/year). It measures the consortium's scale (§2.2)."""
    cdef Grant g = params.grant
    if not (g.award_musd and (g.money or g.mandate)):
        return 0.0
    return g.award_musd / g.reference_state_years


def state_award_musd(Params params, double money_months):
    """What the state pays in award money over the grant (million USD)."""
    return award_per_year(params, money_months) * money_months / MONTHS_PER_YEAR


def partner_budgets(Params params, sector, double per_year):
    """Per organization, the most it could redirect to the collaborative in a year (M22).

    Together partners could redirect ``partner_capacity_ratio`` times ``per_year``, the
    nominal yearly award (:func:`nominal_per_year`), shared by the relative size of each
    organization's budget (``sustainment.size_*``): the state sized awards to consortia, so
    partners' means are stated relative to the award, not in fixed dollars.
    """
    cdef Sustainment s = params.sustainment
    size = np.array([s.size_district, s.size_college, s.size_employer,
                     s.size_intermediary])[sector]
    total = size.sum()
    if not total:
        return np.zeros(len(sector))
    return s.partner_capacity_ratio * per_year * size / total


def position_hosts(Params params, long planned, long lead, districts):
    """Which organization hosts each backbone position (M21; §2.5).

    The lead hosts the first ``lead_position_share`` of them (directors, conveners, with
    the operations coordinators among them); districts host the rest in turn (K-12
    coaches, WBL coordinators), or the lead if there are none.
    """
    cdef long at_lead = int(round(params.sustainment.lead_position_share * planned))
    hosts = np.full(planned, lead, dtype=np.int64)
    if len(districts):
        rest = planned - at_lead
        hosts[at_lead:] = np.resize(np.asarray(districts, dtype=np.int64), rest)
    return hosts


def operations_cost(Params params, long n_orgs):
    """Yearly cost of the post-grant operations core: coordinators and convenings (M22)."""
    cdef Grant g = params.grant
    return (params.sustainment.operations_positions * g.position_cost_kusd
            + g.convening_cost_kusd * n_orgs) / KUSD_PER_MUSD


def positions_planned(Params params, double per_year):
    """Backbone positions the staff share of a year's award pays for (M21)."""
    cdef Grant g = params.grant
    if not (g.backbone and g.award_musd):
        return 0
    return int(round(g.staff_share * per_year * KUSD_PER_MUSD / g.position_cost_kusd))


def core_cost(Params params, long planned, long n_orgs):
    """Yearly cost of the planned positions and a full convening program (million USD)."""
    cdef Grant g = params.grant
    return (planned * g.position_cost_kusd + g.convening_cost_kusd * n_orgs) / KUSD_PER_MUSD


def grant_convening(Params params, double per_year, long n_orgs):
    """Share of a full convening program the grant's convening money pays for (M1, M11)."""
    cdef Grant g = params.grant
    if not g.convenings:
        return 0.0
    return min(1.0, g.convening_share * per_year * KUSD_PER_MUSD
               / (g.convening_cost_kusd * n_orgs))


def sector_money(Params params):
    """Share of each year's award that reaches each sector (§2.5, SF23; M3, M19).

    The money channel sends equipment and sub-grant money mostly to K-12; the backbone
    channel credits the staff share to the intermediaries. Employers get none.
    """
    cdef Grant g = params.grant
    shares = np.zeros(len(Sector))
    if g.money:
        shares[Sector.K12] = (g.equipment_k12_share * g.equipment_share
                              + g.subgrant_k12_share * g.subgrant_share)
        shares[Sector.COLLEGE] = (g.equipment_college_share * g.equipment_share
                                  + g.subgrant_college_share * g.subgrant_share)
    if g.backbone:
        shares[Sector.INTERMEDIARY] = g.staff_share
    return shares


def receipt(Params params, sector, double per_year):
    """Per organization, a saturating index of the grant money it receives (M3, M18).

    A sector's money is divided evenly among its organizations; ``m/(m + h)`` for a yearly
    receipt ``m`` and half-saturation ``h``. A K-12 agency administering the grant lowers
    colleges' sense of ownership (M18).
    """
    cdef Grant g = params.grant
    counts = np.bincount(sector, minlength=len(Sector)).astype(float)
    per_org = np.divide(sector_money(params) * per_year, counts, out=np.zeros(len(Sector)),
                        where=counts > 0)
    received = per_org[sector]
    index = received / (received + g.receipt_half_saturation_musd)
    ownership = g.k12_agency_college_ownership if g.administered_by == "k12_agency" else 1.0
    index[sector == Sector.COLLEGE] *= ownership
    return index


def dominance(Params params, sector):
    """Per organization, the payoff other sectors lose to K-12 dominance of the money (M19).

    K-12's share of the money beyond parity among the sectors present, less what other
    sectors tolerate, times the penalty; zero for K-12 itself.
    """
    cdef Commitment c = params.commitment
    shares = sector_money(params)
    counts = np.bincount(sector, minlength=len(Sector))
    total = shares.sum()
    k12_share = shares[Sector.K12] / total if total else 0.0
    present = max(1, int((counts > 0).sum()))
    excess = max(0.0, k12_share - 1.0 / present - c.dominance_tolerance)
    return np.where(sector != Sector.K12, c.dominance_penalty * excess, 0.0)


# ------------------------------------------------------------------ monthly: who pays for what

cpdef long follow_on_start(Params params):
    """Month the scenario's follow-on grant starts: the start of ``follow_on_year``; -1 if none.

    M23; SF25. A statewide cohort may instead award one while the run goes on
    (:meth:`agents.funding.Funding.award_follow_on`).
    """
    cdef Grant g = params.grant
    if not g.follow_on_year or not g.follow_on_musd:
        return -1
    return g.planning_months + MONTHS_PER_YEAR * (g.follow_on_year - 1)


cpdef double follow_on_share(long month, double core, long start, double musd, Params params):
    """Share of the core cost a follow-on grant of ``musd`` from month ``start`` covers (M23).

    SF25. It runs ``follow_on_years`` from ``start`` (-1: no follow-on grant), its award
    spread evenly over them.
    """
    cdef Grant g = params.grant
    if start < 0 or not musd:
        return 0.0
    if not start <= month < start + MONTHS_PER_YEAR * g.follow_on_years:
        return 0.0
    cdef double share = musd / g.follow_on_years / (core if core >= 1e-9 else 1e-9)
    return share if share < 1.0 else 1.0


cpdef long positions_funded(long planned, double state_share, double follow_on,
                           double operations, long extra, long absorbed, Params params):
    """Positions someone pays for this month, at most those planned (M21, M22, M23).

    The state (with any share it retains after the grant) and a follow-on grant pay shares
    of the planned positions; whoever covers the ``operations`` share of the operations
    core pays that share of its coordinators; partner money beyond the operations core pays
    ``extra`` positions; hosts pay the ``absorbed`` ones.
    """
    cdef double shares = state_share + params.grant.retained_backbone_share + follow_on
    shares = shares if shares < 1.0 else 1.0
    cdef long funded = (<long>round(planned * shares)
                        + <long>round(params.sustainment.operations_positions * operations)
                        + extra + absorbed)
    return funded if funded < planned else planned


cpdef double absorb_chance(double commitment, double habit, bint champion, Params params):
    """Chance a host absorbs a grant-funded position into its own budget this year (M21, M13).

    Logistic in the host's commitment, its institutionalization and a champion: "Some K-12
    districts have protected key CCPT positions by including them in CTE budgets" (LCAP).
    """
    cdef Sustainment s = params.sustainment
    cdef double z = (s.absorb_intercept + s.absorb_commitment * commitment
                     + s.absorb_habit * habit + s.absorb_champion * champion)
    return 1.0 / (1.0 + exp(-z))


cpdef double operations_coverage(double partner_ratio, double anchors, double new_grants,
                                 Params params):
    """Share of the operations core covered this month, at most 1 (M10, M22, M23).

    Partner money, anchor institutions' base budgets (``anchors``: the summed commitment of
    the anchors taking part) and won grants (``new_grants`` running) add up.
    """
    cdef Sustainment s = params.sustainment
    cdef double c = (partner_ratio + s.anchor_base_share * anchors
                     + s.new_grant_share * new_grants)
    return c if c < 1.0 else 1.0


cpdef double opportunity_chance(Params params):
    """Monthly chance a new grant opportunity arrives: Poisson at ``opportunity_rate`` (M23)."""
    return 1.0 - exp(-params.sustainment.opportunity_rate / MONTHS_PER_YEAR)


cpdef double win_chance(double habits, double data, Params params):
    """Chance a pursued grant opportunity is won (M23).

    Consortia that "have laid the groundwork for coordinating partners and resources" are
    better placed: the chance grows with habits and data alignment.
    """
    return params.sustainment.win_max * 0.5 * (habits + data)


cpdef double job_security(long month, double state_share, long money_end, Params params):
    """Job security a vacancy offers, 0-1 (M21; SF22).

    While state money flows it is the remaining share of the state-money months to the
    power ``job_insecurity``: it falls as the grant runs out ("the grant will be closed";
    "few individuals are choosing to work in these programs"); 0 is no insecurity. Once
    partners pay it is ``post_cliff_hiring_security``.
    """
    cdef Grant g = params.grant
    if state_share <= 0:
        return g.post_cliff_hiring_security
    return power(<double>(money_end - month if money_end > month else 0)
               / <double>(money_end if money_end > 1 else 1), g.job_insecurity)


cpdef double hiring_chance(long month, double state_share, long money_end, Params params):
    """Monthly chance a vacant position is filled (M21; SF22).

    Job security (:func:`job_security`) sets the pool of applicants; then one hire per
    hiring lag.
    """
    cdef Grant g = params.grant
    return (job_security(month, state_share, money_end, params)
            / (g.hire_lag_months if g.hire_lag_months > 1.0 else 1.0))


def reassigned_positions(Params params, long planned):
    """Which backbone positions partners' existing staff hold (M21; 003 §8).

    Under ``staffing_strategy = "reassign_existing"`` the last ``reassigned_share`` of the
    positions in plan order (districts' coaches and WBL coordinators before the lead's
    directors): "Finding ways to pool expertise, resources, and the time of existing staff
    should come before any decision to hire additional staff". None under ``new_hires``.
    """
    cdef Grant g = params.grant
    out = np.zeros(planned, dtype=bool)
    if g.staffing_strategy == "reassign_existing":
        out[planned - <long>round(g.reassigned_share * planned):] = True
    return out


cpdef double staffing(long filled, long reassigned, long planned, Params params):
    """Backbone staffing ``K``: filled positions weighted by what they give, over those
    planned, 0-1 (M21).

    A reassigned position gives ``reassigned_output`` of a dedicated new hire's
    coordination: its holder keeps their other duties.
    """
    if planned <= 0:
        return 0.0
    return (filled - (1.0 - params.grant.reassigned_output) * reassigned) / planned


cpdef double lost_positions_keep(long lost, long planned, Params params):
    """Share of personal trust the lead keeps when ``lost`` of ``planned`` positions go (M7)."""
    return 1.0 - params.trust.backbone_trust_share * lost / planned


cpdef double coordination(double backbone_share, double habits, double in_kind,
                          bint pursuing, bint metrics, Params params):
    """Coordination capacity left for depth, 0-1 (M13, M21, M22, M23, M29, M32).

    Backbone staff, habits and staff time partners give in kind (``in_kind``: the mean
    share of their budgets partners contribute) coordinate; pursuing a new grant takes
    some of it away, and so does keeping process metrics (``metrics``), the administrative
    cost of clear accountability, and each industry sector beyond the first, with
    roundtables and sector coaches of its own ("Breadth over depth":
    ``sector_coordination_cost``).
    """
    cdef Sustainment s = params.sustainment
    cdef double breadth = (params.employers.sector_coordination_cost
                           * (params.region.n_industry_sectors - 1))
    cdef double c = (backbone_share + params.institutionalization.habit_coordination * habits
                     + s.in_kind_time * in_kind - s.pursuit_cost * pursuing
                     - params.grant.metrics_cost * metrics - breadth)
    return 0.0 if c < 0.0 else (c if c < 1.0 else 1.0)


cpdef double convening_intensity(double state_share, double from_grant, double operations,
                                 double follow_on, double habits, double framing,
                                 double taking_part, Params params):
    """Convening intensity: paid convenings plus habits, at most 1 (M1, M11-M13, M22, M23).

    ``operations`` is the covered share of the operations core (partners, anchors, won
    grants). Partners in a region framed around its economy (``framing``) convene on their
    own, without money, as far as they take part (``taking_part``, their share): "The
    convening that has legs is not because you have a grant" (M12).
    """
    cdef double c = (state_share * from_grant + operations + follow_on
                     + params.institutionalization.habit_coordination * habits
                     + params.framing.convening_share * framing * taking_part)
    return c if c < 1.0 else 1.0


# ------------------------------------------------------------------ yearly: partners decide

def perceived_value(commitment, remembered_wins, double data, Params params):
    """A partner's perceived value of the collaborative, 0-1 (M22; M14, M15, M20).

    Remembered wins include process gains as far as they were narrated (M15).
    """
    cdef Commitment c = params.commitment
    return np.clip(c.value_commitment * commitment + c.value_wins * remembered_wins
                   + c.value_data * data, 0.0, 1.0)


def contribution_share(value, habit, champion, double vision, load, money_motivated,
                       used_to, Commitment p):
    """Share of its budget a partner puts into the collaborative this year (M22; C3).

    Rises with perceived value, institutionalization (M13), a champion (M5) and shared
    identity (M31); falls with competing initiatives (M24). Money-motivated partners give
    nothing (M3).
    ``used_to`` is the state money a partner is used to (0-1): it crowds the partner's own
    money out, or in for negative ``crowding`` (de Wit & Bekkers 2017).
    """
    x = (p.contrib_intercept + p.contrib_value * value + p.contrib_institutionalization * habit
         + p.contrib_champion * champion + p.contrib_identity * vision - p.contrib_load * load)
    crowd = 1.0 - p.crowding * used_to  # below 1: crowding out; above 1: crowding in
    return np.minimum(1.0, np.clip(x, 0.0, 1.0) * crowd) * (~money_motivated)


cpdef double role_clarity(Params params):
    """How clear partners' roles and responsibilities are, 0-1 (M29).

    Required partnership agreements ("articulates the expected roles and shared
    responsibilities") and process-wide success metrics ("Set accountability measures… for
    all stakeholders") each add their share; CCPT's loose accountability adds none.
    """
    cdef Grant g = params.grant
    cdef double clarity = (g.agreement_clarity * g.required_agreements
                           + g.metrics_clarity * (g.accountability == "process_metrics"))
    return clarity if clarity < 1.0 else 1.0


cpdef bint keeps_metrics(bint in_grant, Params params):
    """Whether process metrics are kept this month: required, while a funded grant runs (M29)."""
    cdef Grant g = params.grant
    return g.accountability == "process_metrics" and in_grant and g.award_musd > 0


def pledge_honour_probability(commitment, same_leader, habit, bint enforced, double clarity,
                              trust_lead, mismatch, Commitment p):
    """Chance a pledged match is honoured (C5; M6, M29).

    Logistic in commitment, whether the leader who pledged is still there,
    institutionalization and enforcement (C5), and, as M29 has it, role clarity, the
    partner's trust in the lead and the mismatch between what it was asked for and what it
    does: "base + a·role_clarity + b·trust_to_lead − c·ask_mismatch".
    """
    z = (p.pledge_intercept + p.pledge_commitment * commitment
         + p.pledge_same_leader * same_leader + p.pledge_institutionalization * habit
         + p.enforcement_bonus * enforced + p.pledge_role_clarity * clarity
         + p.pledge_trust * trust_lead - p.pledge_ask_mismatch * mismatch)
    return 1.0 / (1.0 + np.exp(-z))
