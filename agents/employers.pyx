# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""The employer engagement ladder (M16, M17, M28; SF15-SF18, SF31).

Employers climb a graduated, relationship-first ladder (``agents.codes.Rung``): from
awareness through speaking, advising and hosting work-based learning to championing the
pathways. A rung needs trust in a convener or intermediary (M8) and a perceived return,
which grows when employers meet students ("once they see our kids, they're bowled over"),
more so under regional urgency (M28). Sector barriers slow the climb into work-based
learning (M17). Employers slip down without contact and activity, are scared off by
premature big asks (SF17) and burn out when the heaviest lifters are tapped most, the
"20-80 rule" (SF18). An effective intermediary brokering the employer speeds its climb
and, as a one-stop, bundles its asks (M8).
"""

cimport numpy as cnp
from libc.stdlib cimport calloc, free

from agents.codes cimport Rung
from agents.numerics cimport clip01, fmax_
from agents.params cimport Employers, Params

import numpy as np


INDUSTRY_SECTORS = ("health", "manufacturing", "ict", "engineering", "agriculture")
"""Industry sectors an employer can be in (M17)."""


def barriers(industry, Params params):
    """Each organization's work-based-learning barrier, from its industry sector (M17, M34).

    Health and manufacturing are hardest, engineering easiest; a state or JPA liability
    solution lowers manufacturing's barrier.
    """
    cdef Employers e = params.employers
    barrier = np.array([getattr(e, f"difficulty_{s}") for s in INDUSTRY_SECTORS])
    difficulty = barrier[industry].copy()
    if e.liability_solution:
        difficulty[industry == INDUSTRY_SECTORS.index("manufacturing")] *= e.liability_relief
    return difficulty


cpdef double advisors_share(const cnp.int64_t[::1] rung, const cnp.npy_bool[::1] taking_part,
                            long n_employers):
    """Share of the employers taking part as advisors or deeper (0 without employers; M12).

    Non-employers sit on rung 0, so counting over all organizations counts employers.
    """
    cdef Py_ssize_t i
    cdef long count = 0
    if n_employers <= 0:
        return 0.0
    for i in range(rung.shape[0]):
        if taking_part[i] and rung[i] >= Rung.ADVISOR:
            count += 1
    return <double>count / <double>n_employers


# ------------------------------------------------------------------ rules, one employer

cpdef double framing_gain(double framing, Params params):
    """Multiplier of employers' return from meeting students under the region's framing (M12).

    ``1 + framing.return_gain*F``: "focused our efforts on a regional basis around economic
    development and industry sectors that are in need in our region".
    """
    return 1.0 + params.framing.return_gain * framing


cdef inline bint meets_students(bint taking_part, long rung, double activity, double u,
                                Employers p) noexcept:
    """Student contact this month, on rungs up to advisor, as the consortium is active (M16)."""
    return taking_part and rung <= Rung.ADVISOR and u < p.contact_rate * activity


cdef inline double return_after(double roi, bint contact, double urgency, double welcome,
                                double framed, Employers p) noexcept:
    """Perceived return after a month: contact raises it, more so under urgency (M16, M28).

    The gain is multiplied by ``welcome``, how far the schools' mindset about CTE lets
    meeting students pay off (M27), and by ``framed``: a region framed around its economy
    and industry sectors makes the work read as the employers' own (M12;
    :func:`framing_gain`). It decays without contact.
    """
    roi = roi + (contact * p.contact_roi_gain * (1.0 + p.urgency_gain * urgency) * welcome
                 * framed * (1.0 - roi))
    return roi - p.roi_decay * roi


cdef inline bint climbs(bint taking_part, long rung, double roi, double trust_convener,
                        double difficulty, double pace, double u, Employers p) noexcept:
    """One rung up: trust in a convener and a return both reach the next rung's bar (M8, M16).

    Climbing into work-based learning (from the advisor rung up) is slowed by the sector's
    barrier (M17); ``pace`` multiplies the month's chance (an intermediary's brokering, M8).
    """
    cdef long up = rung + 1
    cdef bint ready = (trust_convener >= p.trust_per_stage * <double>up
                       and roi >= p.roi_per_stage * <double>up)
    cdef double hard = difficulty if rung >= Rung.ADVISOR else 0.0
    return (taking_part and ready and rung < Rung.CHAMPION
            and u < p.step_rate * (1.0 - hard) * pace)


cdef inline double asks_of(bint taking_part, long rung, double activity, double now_share,
                           double brokered, Employers p) noexcept:
    """Asks an engaged employer gets this month: more on quick wins, most on heavy lifters.

    Over-asking burns the heaviest lifters out (M16; SF18); an intermediary one-stop merges
    duplicate asks, as far as the intermediary brokering the employer is effective (M8).
    """
    cdef double asks = (p.ask_rate * now_share * activity * (rung >= Rung.AWARENESS)
                        * (1.0 - p.one_stop * brokered))
    return asks * (1.0 + <double>rung / p.ask_rung_scale) * taking_part


cdef inline bint scared_off(bint taking_part, long rung, double asks, double u,
                            Employers p) noexcept:
    """A premature big ask scares an employer below work-based learning off (M16; SF17)."""
    return (p.transactional_asks and taking_part and rung < Rung.JOB_SHADOW
            and u < p.transactional_dropout * asks * p.transactional_ask_size)


cdef inline bint slips(bint taking_part, bint contact, long rung, double activity, double u,
                       Employers p) noexcept:
    """One rung down without contact, faster when the consortium is inactive (M16)."""
    return ((not taking_part or not contact) and rung > Rung.NONE
            and u < p.stage_decay * (1.0 - activity * taking_part))


# ------------------------------------------------------------------ the month's pass

def climb(ladder, orgs, ties, consortium, Params params, const double[:, ::1] u):
    """One month on the ladder for every employer, in place (M8, M12, M16, M17, M28).

    An employer's trust in the consortium is its best trust on a tie to a convener (an
    intermediary or the lead); the brokering it gets this month (``ladder.brokered``, set by
    ``agents.intermediation.broker``) speeds its climb and bundles its asks. Employers
    scared off or burnt out ("divorce") stop taking part, and keep only part of their
    commitment. ``u`` holds four uniforms per organization: contact, climb, scare-off, slip.
    """
    cdef Employers p = params.employers
    cdef double activity = consortium.activity, now_share = consortium.now
    cdef double urgency = params.region.urgency, welcome = consortium.welcome
    cdef double framed = framing_gain(consortium.framing, params)
    cdef double gain = params.intermediaries.brokering_gain
    cdef const double[::1] brokered = ladder.brokered
    cdef const cnp.int64_t[::1] conv_employer = ladder.convener_employer
    cdef const cnp.int64_t[::1] conv_pairs = ladder.convener_pairs
    cdef const cnp.npy_bool[::1] is_employer = ladder.is_employer
    cdef const double[::1] trust = ties.trust, difficulty = ladder.difficulty
    cdef cnp.int64_t[::1] rung = ladder.rung
    cdef double[::1] roi = ladder.roi, burnout = ladder.burnout
    cdef cnp.npy_bool[::1] part = orgs.taking_part
    cdef double[::1] commitment = orgs.commitment
    cdef Py_ssize_t c, i, n = part.shape[0]
    cdef bint taking_part, contact, scared, burnt
    cdef long s
    cdef double r, asks
    cdef double* best = <double*>calloc(n, sizeof(double))
    for c in range(conv_pairs.shape[0]):
        i = conv_employer[c]
        best[i] = fmax_(best[i], trust[conv_pairs[c]])
    for i in range(n):
        taking_part = part[i] and is_employer[i]
        s = rung[i]
        contact = meets_students(taking_part, s, activity, u[0, i], p)
        r = return_after(roi[i], contact, urgency, welcome, framed, p)
        if climbs(taking_part, s, r, best[i], difficulty[i], 1.0 + gain * brokered[i], u[1, i],
                  p):
            s += 1
        asks = asks_of(taking_part, s, activity, now_share, brokered[i], p)
        scared = scared_off(taking_part, s, asks, u[2, i], p)
        if scared:
            s = Rung.NONE
        burnout[i] = clip01(burnout[i] + p.burnout_rate * asks - p.burnout_recovery * burnout[i])
        burnt = taking_part and burnout[i] > p.burnout_exit
        if slips(taking_part, contact, s, activity, u[3, i], p):
            s -= 1
        rung[i] = s
        roi[i] = clip01(r)
        if scared or burnt:
            part[i] = 0
            commitment[i] = p.exit_commitment_keep * commitment[i]
    free(best)
