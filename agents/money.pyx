# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Money and positions: where grant money goes, what the backbone costs, who pays after.

The award is spread over the months of state money and split by spending share (SF23):
equipment and sub-grants mostly to K-12, staff money to the intermediaries that host the
backbone (§2.5; M3, M19). Grant money opens doors while it flows (M3) but lets K-12
dominate (M19). Backbone positions are budgeted from the award, hard to fill as the grant
runs out and lost at the cliff unless partners, the state or a follow-on grant pay for them
(M21, M23; SF21, SF22). Once state money falls short, partners decide each year what to
contribute, from perceived value, habits, champions and identity, crowded out by the state
money they got used to (M22; C3), and pledged matches are honoured or broken (C5; M29).
"""

from libc.math cimport sqrt

from agents.codes import Sector
from agents.params cimport Commitment, Grant, Params

import numpy as np

from agents.codes import MONTHS_PER_YEAR

KUSD_PER_MUSD = 1000.0  # unit conversion: thousand USD per million USD


# ------------------------------------------------------------------ the award and its split

def award_per_year(Params params, double money_months):
    """The award spread over the full-share-equivalent months of state money, per year."""
    cdef Grant g = params.grant
    if not g.award_musd:
        return 0.0
    return g.award_musd * MONTHS_PER_YEAR / money_months


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

cpdef double follow_on_share(long month, double core, Params params):
    """Share of the core cost a follow-on grant covers this month (M23; SF25).

    It runs ``follow_on_years`` from the start of its year, its award spread evenly over
    them.
    """
    cdef Grant g = params.grant
    if not g.follow_on_year or not g.follow_on_musd:
        return 0.0
    cdef long start = g.planning_months + MONTHS_PER_YEAR * (g.follow_on_year - 1)
    if not start <= month < start + MONTHS_PER_YEAR * g.follow_on_years:
        return 0.0
    cdef double share = g.follow_on_musd / g.follow_on_years / (core if core >= 1e-9 else 1e-9)
    return share if share < 1.0 else 1.0


cpdef double funded_share(double state_share, double partner_ratio, double follow_on,
                          Params params):
    """Share of the planned positions someone pays for this month (M21, M22, M23)."""
    cdef double share = (state_share + partner_ratio + params.grant.retained_backbone_share
                         + follow_on)
    return share if share < 1.0 else 1.0


cpdef double hiring_chance(long month, double state_share, long money_end, Params params):
    """Monthly chance a vacant position is filled (M21; SF22).

    Job security sets the pool of applicants: it falls as the grant runs out ("the grant
    will be closed") and is steadier once partners pay. Then one hire per hiring lag.
    """
    cdef Grant g = params.grant
    cdef double security
    if state_share > 0:
        security = sqrt(<double>(money_end - month if money_end > month else 0)
                        / <double>(money_end if money_end > 1 else 1))
    else:
        security = g.post_cliff_hiring_security
    return security / (g.hire_lag_months if g.hire_lag_months > 1.0 else 1.0)


cpdef double lost_positions_keep(long lost, long planned, Params params):
    """Share of personal trust the lead keeps when ``lost`` of ``planned`` positions go (M7)."""
    return 1.0 - params.trust.backbone_trust_share * lost / planned


cpdef double coordination(double backbone_share, double habits, Params params):
    """Coordination capacity: backbone staff plus habits, at most 1 (M21, M13)."""
    cdef double c = backbone_share + params.institutionalization.habit_coordination * habits
    return c if c < 1.0 else 1.0


cpdef double convening_intensity(double state_share, double from_grant, double partner_ratio,
                                 double follow_on, double habits, Params params):
    """Convening intensity: paid convenings plus habits, at most 1 (M1, M11, M13, M22, M23)."""
    cdef double c = (state_share * from_grant + partner_ratio + follow_on
                     + params.institutionalization.habit_coordination * habits)
    return c if c < 1.0 else 1.0


# ------------------------------------------------------------------ yearly: partners decide

def perceived_value(commitment, remembered_wins, double data, Params params):
    """A partner's perceived value of the collaborative, 0-1 (M22; M14, M20)."""
    cdef Commitment c = params.commitment
    return np.clip(c.value_commitment * commitment + c.value_wins * remembered_wins
                   + c.value_data * data, 0.0, 1.0)


def contribution_share(value, habit, champion, double vision, load, money_motivated,
                       used_to, Commitment p):
    """Share of its budget a partner puts into the collaborative this year (M22; C3).

    Rises with perceived value, institutionalization (M13), a champion (M5) and shared
    identity (M31); falls with competing initiatives (M24). Money-motivated partners give nothing (M3).
    ``used_to`` is the state money a partner is used to (0-1): it crowds the partner's own
    money out, or in for negative ``crowding`` (de Wit & Bekkers 2017).
    """
    x = (p.contrib_intercept + p.contrib_value * value + p.contrib_institutionalization * habit
         + p.contrib_champion * champion + p.contrib_identity * vision - p.contrib_load * load)
    crowd = 1.0 - p.crowding * used_to  # below 1: crowding out; above 1: crowding in
    return np.minimum(1.0, np.clip(x, 0.0, 1.0) * crowd) * (~money_motivated)


def pledge_honour_probability(commitment, same_leader, habit, bint enforced, Commitment p):
    """Chance a pledged match is honoured (C5; M6, M29).

    Logistic in commitment, whether the leader who pledged is still there,
    institutionalization and enforcement.
    """
    z = (p.pledge_intercept + p.pledge_commitment * commitment
         + p.pledge_same_leader * same_leader + p.pledge_institutionalization * habit
         + p.enforcement_bonus * enforced)
    return 1.0 / (1.0 + np.exp(-z))
