# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Commitment and participation: who comes to meetings, what taking part is worth, who stays.

Each month an organization that takes part may attend the consortium's meetings (M11,
M24), collects the payoff of taking part and learns from it against an aspiration that
got used to grant-era payoffs (C1, C2; M3, M5, M13, M14, M16, M19, M21, M24), and then
stays, leaves or joins (C4; M4). Leaving follows one of two rules, chosen once per run by
``commitment.exit_rule``: :class:`ThresholdExit` (Granovetter 1978) or :class:`LogitExit`
(McFadden 1974), against a commitment floor that shared data lowers (M20). Regional
urgency raises the commitment partners start with (M28). Payoffs can build commitment
(trusted ties, money, vision, wins, a champion) or erode it (the cost of taking part,
overload, one sector's dominance, an aspiration the grant years raised).
"""

cimport numpy as cnp
from libc.math cimport exp, sqrt
from libc.stdlib cimport calloc, free

from agents.numerics cimport clip, fmax_, fmin_, power
from agents.params cimport Commitment, Params

import numpy as np


# ------------------------------------------------------------------ rules, one organization

cdef inline double meeting_chance(double capacity, double commitment, double near,
                                  double relevance, double crowd, double size_threshold,
                                  double meetings) noexcept:
    """Chance an organization taking part attends at least one of the month's meetings (M11).

    Capacity (after initiative load, M24), commitment, nearness to the venue and the
    meeting's relevance, cut by crowding beyond ``size_threshold`` (SF12), over
    ``meetings`` meetings.
    """
    cdef double once = capacity * sqrt(commitment) * near * (relevance
                                                             / (1.0 + crowd / size_threshold))
    return 1.0 - power(1.0 - once, meetings)


cdef inline void learn(double* commitment, double* aspiration, double payoff,
                       Commitment p) noexcept:
    """Bush-Mosteller commitment learning with a habituating aspiration (C2; M22).

    A payoff above the aspiration raises commitment towards 1, one below lowers it towards
    0, in proportion to the gap; the aspiration drifts towards the payoff, so partners used
    to grant-era payoffs read the post-grant drop as failure (Macy & Flache 2002).
    """
    cdef double C = commitment[0], A = aspiration[0]
    cdef double gap = clip(payoff - A, -1.0, 1.0)
    cdef double room = C + (gap >= 0) * (1.0 - 2.0 * C)  # 1 - C going up, C going down
    commitment[0] = clip(C + p.learning_rate * room * gap, 0.0, 1.0)
    aspiration[0] = (1.0 - p.habituation) * A + p.habituation * payoff


cdef inline bint comes(double commitment, double trusted, bint invited,
                       Commitment p) noexcept:
    """Committed enough, and invited or pulled in by trusted active partners (M4; C4).

    Joining needs several trusted partners already in: complex contagion (Centola & Macy
    2007).
    """
    return commitment >= p.join_commitment and (invited or trusted >= p.join_min_partners)


cdef void count_partners(const cnp.int64_t[::1] ti, const cnp.int64_t[::1] tj,
                         const cnp.npy_bool[::1] tie, const double[::1] trust,
                         double threshold, const cnp.npy_bool[::1] part,
                         const cnp.npy_bool[::1] willing, double* counts) noexcept:
    """Per organization: tied partners, those taking part, and trusted willing ones (C4; M4).

    ``counts`` holds three rows of ``n``: partners, partners taking part, and trusted
    partners who are ``willing`` (taking part, or committed enough to join), so a
    coalition of the willing can form again after everyone has left.
    """
    cdef Py_ssize_t k, n = part.shape[0]
    cdef cnp.int64_t a, b
    for k in range(ti.shape[0]):
        if not tie[k]:
            continue
        a = ti[k]
        b = tj[k]
        counts[a] += 1.0
        counts[b] += 1.0
        counts[n + a] += part[b]
        counts[n + b] += part[a]
        if trust[k] >= threshold:
            counts[2 * n + a] += willing[b]
            counts[2 * n + b] += willing[a]


# ------------------------------------------------------------------ what organizations bring

def money_motivated_share(Params params):
    """Share of signatories who join for the money, growing with the award (M3).

    "For the wrong reasons": capped by ``money_motivated_cap``.
    """
    cdef Commitment c = params.commitment
    return min(c.money_motivated_cap,
               c.money_motivated_base + c.money_motivated_per_musd * params.grant.award_musd)


def initial_commitment(Params params):
    """Mean commitment organizations start with, raised by regional urgency (C2; M28).

    ``initial_mean + urgency_commitment*urgency``: "This collective motivation fueled broad
    and active engagement from many sectors". Draws nothing; the spread is added by the
    caller.
    """
    cdef Commitment c = params.commitment
    return c.initial_mean + c.urgency_commitment * params.region.urgency


def patience(Params params):
    """Months a partner waits for visible value, shortened by regional urgency (M14, M28)."""
    o = params.orientation
    return o.patience_months * (1.0 - o.urgency_impatience * params.region.urgency)


def signs_on(fit, bint grant_on, Params params):
    """Who signs on to the grant at the start (M30).

    Without purposeful recruitment every organization ("we just wanted voices, any
    voices"); with it only those whose fit reaches ``recruitment.screen``: fewer, and
    fitter. Nobody without a grant.
    """
    if not grant_on:
        return np.zeros(len(fit), dtype=bool)
    if params.grant.purposeful_recruitment:
        return np.asarray(fit) >= params.recruitment.screen
    return np.ones(len(fit), dtype=bool)


def launch_commitment(commitment, fit_gap, Params params):
    """Initial commitment after fit: the wrong ones start weak, "an underwhelming launch" (M30).

    ``fit_gap`` is each organization's fit less the region's mean fit.
    """
    return np.clip(commitment + params.recruitment.fit_commitment * fit_gap, 0.0, 1.0)


def effective_capacity(capacity, load, Params params):
    """Capacity for consortium work after competing initiatives (M24, M34).

    Initiative load takes capacity away, less so where state signals are coherent.
    """
    cdef Commitment c = params.commitment
    return capacity / (1.0 + c.overload_sensitivity * load * (1.0 - c.policy_coherence))


def participation_cost(capacity, load, Params params):
    """Monthly cost of taking part: higher with initiative load, lower with capacity (C1; M24, M34)."""
    cdef Commitment c = params.commitment
    return (c.participation_cost * (1.0 + c.overload_sensitivity * load
                                    * (1.0 - c.policy_coherence)) / capacity)


def meeting_relevance(is_employer, Params params):
    """How relevant the consortium's meetings are to each organization (M17, M32).

    Employers attend their industry sector's roundtable, so breadth across sectors spreads
    outreach to them thin: ``1/(1 + breadth_dilution*(sectors - 1))``.
    """
    cdef long sectors = params.region.n_industry_sectors
    return np.where(is_employer,
                    1.0 / (1.0 + params.employers.breadth_dilution * (sectors - 1)), 1.0)


# ------------------------------------------------------------------ exit rules, as chosen

cdef class ExitRule:
    """How an organization taking part decides to leave; the run chooses one.

    ``draws`` is the number of uniforms per organization the rule reads each month.
    """

    cdef readonly Commitment p
    draws = 0

    def __init__(self, Commitment p):
        self.p = p

    cdef bint leaves(self, double commitment, double partner_share, double threshold,
                     double floor, double u) noexcept:
        return False


cdef class ThresholdExit(ExitRule):
    """Leave when commitment falls below the floor or too few partners are still active.

    The second clause is Granovetter's (1978) threshold rule: heterogeneous thresholds let
    a few departures cascade (C1, C4). The floor is :func:`exit_floor`, lowered by shared
    metrics (M20). It draws nothing.
    """

    cdef bint leaves(self, double commitment, double partner_share, double threshold,
                     double floor, double u) noexcept:
        return commitment < floor or partner_share < threshold


cdef class LogitExit(ExitRule):
    """Leave with a logit chance that grows with both shortfalls (C4 alternative; C1).

    ``1 - 1/(1 + e^(b*(floor - C)) + e^(b*(threshold - share)))`` with ``b = exit_slope``
    and the floor of :func:`exit_floor` (M20): a multinomial logit (McFadden 1974) between
    staying and two reasons to leave. As ``b`` grows it tends to :class:`ThresholdExit`. One
    uniform a month.
    """

    draws = 1

    cdef bint leaves(self, double commitment, double partner_share, double threshold,
                     double floor, double u) noexcept:
        return u < logit_exit(commitment, partner_share, threshold, floor, self.p)


cpdef double exit_floor(double data, Commitment p):
    """Commitment below which a partner walks away, lowered by shared metrics (C1; M20).

    ``exit_commitment*(1 - data_exit_relief*D)`` for data alignment ``D``: "Without formal
    metrics, it is too easy for one or more parties to perform their own intrinsic
    evaluations… then those parties can easily walk away".
    """
    return p.exit_commitment * (1.0 - p.data_exit_relief * data)


cdef inline double logit_exit(double commitment, double partner_share, double threshold,
                              double floor, Commitment p) noexcept:
    """The logit exit chance against a commitment ``floor`` (C4 alternative)."""
    return 1.0 - 1.0 / (1.0 + exp(p.exit_slope * (floor - commitment))
                        + exp(p.exit_slope * (threshold - partner_share)))


cpdef double exit_chance(double commitment, double partner_share, double threshold,
                         double data, Commitment p):
    """Monthly chance of leaving under :class:`LogitExit`, at data alignment ``data``.

    C4 alternative (McFadden 1974); shared metrics lower the commitment line (M20).
    """
    return logit_exit(commitment, partner_share, threshold, exit_floor(data, p), p)


EXIT_RULES = {"threshold": ThresholdExit, "logit": LogitExit}
"""The exit rules by their ``commitment.exit_rule`` name."""


# ------------------------------------------------------------------ the month's passes

def meets_regionally(long month, Params params):
    """Whether this month's meetings are whole-region ones rather than subregional (M11; SF11).

    With subregional nodes, from the switch month the region meets as a whole only every
    ``ties.regional_meeting_interval`` months.
    """
    cdef long nodes = params.grant.subregional_nodes
    nodes_on = nodes > 1 and month >= params.grant.subregional_switch_month
    return not nodes_on or month % params.ties.regional_meeting_interval == 0


def attend(orgs, meeting, double convening, Params params, const double[::1] u):
    """Who attends this month's meetings (M11, M24; SF11, SF12); returns how many attend.

    Meetings per month scale with convening intensity. Crowding counts the taking-part
    non-employers meeting in the same group. Also writes ``meeting.committed`` (commitment
    of those taking part) and ``orgs.engaged`` (its sum per sector).
    """
    cdef const cnp.npy_bool[::1] part = orgs.taking_part, not_employer = orgs.not_employer
    cdef const double[::1] commitment = orgs.commitment, capacity = orgs.effective_capacity
    cdef const double[::1] relevance = orgs.relevance
    cdef const signed char[::1] sector = orgs.sector
    cdef double[::1] engaged = orgs.engaged, size = meeting.group_size
    cdef const double[::1] near = meeting.near
    cdef const cnp.int64_t[::1] group = meeting.group
    cdef cnp.npy_bool[::1] attended = meeting.attended
    cdef double[::1] committed = meeting.committed
    cdef double threshold = params.ties.meeting_size_threshold
    cdef double meetings = params.ties.meetings_per_month * convening
    cdef Py_ssize_t i, n = part.shape[0]
    cdef double crowd
    cdef int count = 0
    size[:] = 0.0
    engaged[:] = 0.0
    for i in range(n):
        if part[i] and not_employer[i]:
            size[group[i]] += 1.0
    for i in range(n):
        crowd = fmax_(size[group[i]] - threshold, 0.0)
        attended[i] = part[i] and u[i] < meeting_chance(capacity[i], commitment[i], near[i],
                                                       relevance[i], crowd, threshold,
                                                       meetings)
        count += attended[i]
        committed[i] = commitment[i] * part[i]
        engaged[sector[i]] += committed[i]
    return count


def learn_commitment(orgs, ladder, ties, consortium, funding, Params params):
    """Payoff of taking part or not, then commitment learning, per organization (C1, C2).

    Taking part pays: trusted active ties, more for cross-sector ones, saturating (M1);
    grant money, weighed more by money-motivated partners (M3); the mandate while the grant
    runs, unless the partner has run out of patience (M14); shared vision (M2); visible wins
    and process gains narrated at the consortium's narrative strength, valued by sector and,
    for employers, by perceived return (M14, M15, M16); a champion (M5); a region framed
    around its economy (M12). It costs the organization's cost of taking part, raised by
    initiative load (M24) and eased by paid coordinators or habits (M13, M21), and non-K-12
    partners lose from K-12 dominance while state money flows (M19); a partner that fits the
    consortium's needs better than the region's average gets more out of it, the wrong ones
    less (M30). An organization outside gets part of its ties' value and its champion.
    """
    cdef Commitment p = params.commitment
    cdef double s = consortium.state_share
    cdef double grant = p.grant_weight * s * params.grant.money
    cdef double mandate = p.mandate_weight * (params.grant.mandate and consortium.in_grant)
    cdef double vision = p.vision_weight * consortium.vision
    cdef double wins = p.wins_weight * (consortium.wins
                                        + consortium.narrative * consortium.process)
    cdef double framing = params.framing.payoff_weight * consortium.framing
    cdef double fit_payoff = params.recruitment.fit_payoff
    cdef double spanners = consortium.backbone_share
    cdef double habit_coordination = params.institutionalization.habit_coordination
    cdef double champion_boost = params.leadership.champion_boost
    cdef const cnp.int64_t[::1] ti = ties.i, tj = ties.j
    cdef const double[::1] trust = ties.trust
    cdef const cnp.npy_bool[::1] active = ties.active, cross = ties.cross
    cdef const cnp.npy_bool[::1] part = orgs.taking_part, signatory = orgs.signatory
    cdef const cnp.npy_bool[::1] champion = orgs.champion, impatient = orgs.impatient
    cdef const double[::1] money_weight = orgs.money_weight, benefit = orgs.wins_benefit
    cdef const double[::1] habit = orgs.habit, base_cost = orgs.base_cost, fit_gap = orgs.fit_gap
    cdef const double[::1] roi = ladder.roi
    cdef const double[::1] receipt = funding.receipt, dominance = funding.dominance
    cdef double[::1] commitment = orgs.commitment, aspiration = orgs.aspiration
    cdef Py_ssize_t k, i, n = part.shape[0]
    cdef cnp.int64_t a, b
    cdef double value, relational, inside, outside, champ, relief
    cdef double* rel = <double*>calloc(2 * n, sizeof(double))
    for k in range(ti.shape[0]):
        a = ti[k]
        b = tj[k]
        value = trust[k] * active[k] * (1.0 + p.cross_sector_value * cross[k])
        rel[a] += value * part[b]
        rel[n + b] += value * part[a]
    for i in range(n):
        relational = p.relational_weight * fmin_(1.0, (rel[i] + rel[n + i])
                                                 / p.relational_saturation)
        champ = champion_boost * champion[i]
        relief = p.cost_relief * fmax_(spanners, habit_coordination * habit[i])
        inside = (relational + grant * money_weight[i] * receipt[i]
                  + mandate * (signatory[i] and not impatient[i]) + vision + wins * (benefit[i] + roi[i]) + champ
                  - base_cost[i] * (1.0 - relief) - dominance[i] * s
                  + framing + fit_payoff * fit_gap[i])
        outside = p.outsider_relational_share * relational + champ
        learn(&commitment[i], &aspiration[i], outside + part[i] * (inside - outside), p)
    free(rel)


def take_part(orgs, ties, consortium, ExitRule rule, Params params, const double[::1] u=None):
    """Exits and complex-contagion joins, in place (C4; M4, M20).

    An organization taking part leaves by the run's exit rule, judging the share of its
    partners still taking part (the consortium's share if it has none) and its commitment
    against a floor that the consortium's data alignment lowers (M20). One outside joins
    if committed and invited (patient signatories while a mandating grant runs, M14) or
    pulled in by trusted partners who take part or are willing to (M4), so a coalition can
    form again after a collapse. ``u`` holds ``rule.draws`` uniforms per organization.
    """
    cdef const cnp.int64_t[::1] ti = ties.i, tj = ties.j
    cdef const cnp.npy_bool[::1] tie = ties.tie
    cdef const double[::1] trust = ties.trust
    cdef const double[::1] commitment = orgs.commitment, threshold = orgs.threshold
    cdef const cnp.npy_bool[::1] signatory = orgs.signatory, impatient = orgs.impatient
    cdef cnp.npy_bool[::1] part = orgs.taking_part, ever = orgs.ever_part
    cdef bint in_grant = consortium.in_grant
    cdef bint invited = in_grant and params.grant.mandate
    cdef double floor = exit_floor(consortium.data, params.commitment)
    cdef bint draws = rule.draws
    cdef Py_ssize_t i, n = part.shape[0]
    cdef int n_part = 0
    cdef double share, overall
    cdef bint now
    if draws and (u is None or u.shape[0] < n):
        raise ValueError("this exit rule needs one uniform per organization")
    for i in range(n):
        n_part += part[i]
    willing = np.asarray(part) | (np.asarray(commitment) >= params.commitment.join_commitment)
    cdef double* counts = <double*>calloc(3 * n, sizeof(double))
    count_partners(ti, tj, tie, trust, params.trust.active_threshold, part, willing, counts)
    overall = <double>n_part / <double>n
    for i in range(n):
        share = counts[n + i] / fmax_(counts[i], 1.0) if counts[i] > 0 else overall
        if part[i]:
            now = not rule.leaves(commitment[i], share, threshold[i], floor,
                                  u[i] if draws else 0.0)
        else:
            now = comes(commitment[i], counts[2 * n + i],
                        signatory[i] and invited and not impatient[i], params.commitment)
        part[i] = now
        ever[i] = ever[i] or now
    free(counts)


def trusted_partners(ties, double threshold, const cnp.npy_bool[::1] part,
                     const double[::1] commitment, double willing):
    """Per organization, trusted tied partners who take part or are willing to (M4).

    Trusted: trust at least ``threshold``; willing: in ``part`` or committed at least
    ``willing``.
    """
    cdef Py_ssize_t n = part.shape[0], i
    out = np.zeros(n)
    cdef double[::1] view = out
    cdef double* counts = <double*>calloc(3 * n, sizeof(double))
    count_partners(ties.i, ties.j, ties.tie, ties.trust, threshold, part,
                   np.asarray(part) | (np.asarray(commitment) >= willing), counts)
    for i in range(n):
        view[i] = counts[2 * n + i]
    free(counts)
    return out
