# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Intermediation: intermediaries broker employer engagement (M8), TA providers assist (M9).

Workforce boards, county offices and chambers broker employers: they make the business
case, are a single point of contact and remove red tape, so employers they broker climb
the ladder faster and get their asks bundled (M8). How well they broker is a quality that
varies, "effective intermediaries generally are in short supply", and that takes "time,
regional leadership, and resources" to build: it grows while an intermediary takes part,
is paid for and the consortium is active, and erodes when it is out, when the grant that
paid for its brokering ends and it does not pay its way, or when its leader, who carried
the employer relationships, leaves. TA providers give technical assistance under a
contract that runs with the grant (M9): the month's TA is the share of them taking part.
"""

cimport numpy as cnp

from agents.numerics cimport clip01, fmax_
from agents.params cimport Intermediaries, Params


# ------------------------------------------------------------------ rules, one intermediary

cpdef double paid_share(bint anchor, double state_share, bint paying, Intermediaries p):
    """Share of an intermediary's brokering paid for this month (M8).

    The grant pays ``grant_dependence`` of it, in proportion to the state share; the rest is
    the intermediary's own. An intermediary that contributes to the collaborative pays its
    brokering itself, and an anchor (a county office) brokers from its base budget.
    """
    if anchor:
        return 1.0
    return 1.0 - p.grant_dependence * (1.0 - fmax_(state_share, paying))


cpdef double quality_step(double quality, double work, double activity, Intermediaries p):
    """Brokering quality after a month of ``work`` (taking part x paid share; M8).

    It builds with work in an active consortium ("takes time, regional leadership, and
    resources") and erodes without work: ``q + quality_growth*work*activity*(1 - q)
    - quality_decay*(1 - work)*q``.
    """
    return clip01(quality + p.quality_growth * work * activity * (1.0 - quality)
                  - p.quality_decay * (1.0 - work) * quality)


cpdef double technical_assistance(bint contracted, const cnp.npy_bool[::1] taking_part,
                                  const cnp.int64_t[::1] providers):
    """This month's technical assistance, 0-1 (M9).

    The share of the TA providers that take part, while their contract runs; nothing
    without TA providers.
    """
    cdef Py_ssize_t c, n = providers.shape[0]
    cdef long present = 0
    if not contracted or n == 0:
        return 0.0
    for c in range(n):
        present += taking_part[providers[c]]
    return <double>present / <double>n


# ------------------------------------------------------------------ the month's pass

def broker(intermediaries, orgs, ties, ladder, consortium, Params params):
    """One month of brokering, in place (M8).

    Each intermediary that brokers first loses ``turnover_keep`` of its quality if its
    leader changed since last month; it then brokers with strength ``quality x work``, and
    its quality moves by :func:`quality_step`. Each employer gets the brokering of its best
    tied broker (``ladder.brokered``; ``intermediaries.slots`` lists each pair of an employer
    and a broker as pair, employer, broker).
    """
    cdef Intermediaries p = params.intermediaries
    cdef double state_share = consortium.state_share, activity = consortium.activity
    cdef const cnp.int64_t[::1] brokers = intermediaries.brokers
    cdef const cnp.npy_bool[::1] anchor = orgs.anchor, part = orgs.taking_part
    cdef const double[::1] contribution = orgs.contribution
    cdef const cnp.int64_t[::1] leader = orgs.leader_id
    cdef cnp.int64_t[::1] seen = intermediaries.leader_seen
    cdef double[::1] quality = intermediaries.quality, strength = intermediaries.strength
    cdef const cnp.int64_t[:, ::1] slots = intermediaries.slots
    cdef const cnp.npy_bool[::1] tie = ties.tie
    cdef double[::1] brokered = ladder.brokered
    cdef Py_ssize_t c, i
    cdef double work
    for c in range(brokers.shape[0]):
        i = brokers[c]
        if leader[i] != seen[i]:
            quality[i] = p.turnover_keep * quality[i]
            seen[i] = leader[i]
        work = part[i] * paid_share(anchor[i], state_share, contribution[i] > 0.0, p)
        strength[i] = quality[i] * work
        quality[i] = quality_step(quality[i], work, activity, p)
    for c in range(slots.shape[0]):
        brokered[slots[c, 1]] = 0.0
    for c in range(slots.shape[0]):
        if tie[slots[c, 0]]:
            i = slots[c, 1]
            brokered[i] = fmax_(brokered[i], strength[slots[c, 2]])
