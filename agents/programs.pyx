# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Collaborative activity, visible wins and local pathway programs (M5, M13-M15; SF2, SF36).

The consortium's activity is a weakest link across sectors: the sector least engaged
holds it back (M5; SF36). Effort splits between visible quick wins ("now") and less
visible process and systems gains ("then"), which count with stakeholders only as far as
they are narrated, at a narrative strength the consortium builds by telling its story
(M14, M15). Local pathway programs in districts and colleges grow with local money, quick
wins and technical assistance, as far as the organization's mindset about CTE lets them
(M27), and decay unless habits, money or partner contributions support them (SF2), which
is why programs can outlast the regional collaboration (P1).
"""

cimport numpy as cnp
from libc.math cimport fabs, isfinite, pow

from agents.numerics cimport clip01, fmin_
from agents.params cimport Commitment, Institutionalization, Orientation, Params


# ------------------------------------------------------------------ consortium-level rules

cpdef double operating_capacity(double coordination, double convening, Params params):
    """Operating capacity: coordination and convening, weighted (M11, M21)."""
    cdef double w = params.commitment.coordination_weight
    return w * coordination + (1.0 - w) * convening


def weakest_link(engaged, present, Params params):
    """Engagement of the sectors present, aggregated towards the weakest (M5; SF36).

    A CES mean with exponent ``weakest_link_rho`` < 0 of each sector's mean commitment
    taking part; ``present`` lists ``(sector, organizations)`` for the sectors present.
    """
    cdef double rho = params.commitment.weakest_link_rho
    cdef double total = 0.0, carry = 0.0, level, x, running
    cdef long count = 0
    for k, size in present:
        level = engaged[k] / size
        level = level if level >= 1e-6 else 1e-6  # an absent sector's zero would be infinite
        # Neumaier's compensated sum, as Python's sum() of floats does it (3.12+).
        x = pow(level, rho)
        running = total + x
        carry += (total - running) + x if fabs(total) >= fabs(x) else (x - running) + total
        total = running
        count += 1
    if carry and isfinite(carry):
        total += carry
    return pow(total / count, 1.0 / rho)


cpdef double mean_at_table(const double[::1] values, const cnp.npy_bool[::1] taking_part):
    """Mean of ``values`` over the organizations taking part (0 if none; M30's fit gap)."""
    cdef Py_ssize_t i
    cdef double total = 0.0
    cdef long count = 0
    for i in range(values.shape[0]):
        if taking_part[i]:
            total += values[i]
            count += 1
    return total / <double>count if count else 0.0


cpdef double table_fit(double fit_gap, Params params):
    """How much activity the table has for its fit to the consortium's needs (M30).

    ``fit_gap`` is the mean fit of the organizations taking part less the region's mean:
    negative while the wrong ones crowd the table ("half the representatives around the
    table were the wrong ones for the project. It really made for an underwhelming
    launch"), positive for a purposefully recruited one. ``max(0, 1 + fit_activity*gap)``.
    """
    cdef double kept = 1.0 + params.recruitment.fit_activity * fit_gap
    return kept if kept > 0.0 else 0.0


cpdef (double, double) wins_and_process(double activity, double now_share, double local_money,
                                        Params params):
    """Visible quick wins and less visible process gains this month (M14).

    Quick wins take the 'now' share of activity and, in part, grant money reaching
    districts and colleges; process gains take the rest.
    """
    cdef double m = params.commitment.wins_money_dependence
    return (now_share * activity * ((1.0 - m) + m * local_money), (1.0 - now_share) * activity)


cpdef double narrative_strength(double narrative, double coordination, double coaching,
                                Commitment p):
    """The consortium's narrative strength after a month, 0-1 (M15).

    Communication staff time (coordination capacity) and system-level coaching build it
    ("storytelling's power as a core function and means for growing cohesion, engagement,
    and ultimately sustained investment"); it fades without them, leaving good work
    unrecognised (a "best kept secret"):
    ``n + narrative_growth*(coordination + coaching)*(1 - n) - narrative_decay*n``.
    """
    return clip01(narrative + p.narrative_growth * (coordination + coaching) * (1.0 - narrative)
                  - p.narrative_decay * narrative)


# ------------------------------------------------------------------ the lead's orientation

cpdef double leader_orientation(double z, Params params):
    """A lead leader's orientation, 0 program delivery to 1 systems change (M13, M14; L2).

    Drawn around ``region.orientation_mean`` with spread ``orientation.spread`` (``z`` a
    standard normal draw), clipped to 0-1.
    """
    return clip01(params.region.orientation_mean + params.orientation.spread * z)


cpdef double now_share(double orientation, Params params):
    """Share of effort on visible quick wins: the grant's for a program-oriented lead, the
    systems share for a systems-oriented one, in between otherwise (M14)."""
    cdef double program = params.grant.now_share
    return program + orientation * (params.region.systems_now_share - program)


cpdef double orientation_step(double orientation, double coaching, double narrated,
                              double state_share, double impatient, Params params):
    """The lead's orientation after a month of pulls (M9, M13, M14, M15).

    System-level coaching and narrated process gains pull it towards systems work, in
    proportion to the room left; flowing grant money ("organizations are often used to
    receiving grants that cause them to pursue relatively tangible outcomes") and the share
    of partners out of patience pull it back towards quick wins:
    ``o + rate*((ta_pull*coaching + process_pull*narrated)*(1 - o)
    - (conditioning*state_share + impatience_push*impatient)*o)``.
    """
    cdef Orientation o = params.orientation
    cdef double up = o.ta_pull * coaching + o.process_pull * narrated
    cdef double down = o.conditioning * state_share + o.impatience_push * impatient
    return clip01(orientation + o.rate * (up * (1.0 - orientation) - down * orientation))


# ------------------------------------------------------------------ rules, one organization

cpdef double mindset_gate(double mindset, double weight):
    """How far a mindset about CTE lets pathway work through: ``1 - weight*(1 - mindset)`` (M27).

    "Simply changing structures and strategies cannot promote successful pathway
    implementation unless the thinking that produced and supported the old structures
    changes as well": at ``weight`` 1 the work goes through only as far as people see CTE
    as a core track; at 0 mindset does not matter.
    """
    return 1.0 - weight * (1.0 - mindset)


cdef inline double program_step(double program, double support, double push,
                                  Institutionalization p) noexcept:
    """Local programs grow with push and decay unless supported (SF2; M13, M14)."""
    cdef double out = program + p.program_growth * push * (1.0 - program)
    out = out - p.program_decay * program * (1.0 - support)
    return clip01(out)


def run_programs(orgs, funding, consortium, Params params):
    """Local pathway programs in districts and colleges, one month (SF2; M9, M13, M14, M22, M27).

    Push: grant money reaching the organization, the consortium's quick-win effort and
    program-level technical assistance, the share ``1 - grant.ta_system_share`` of the
    month's TA (M9), gated by the organization's mindset about CTE (M27). Support: habits,
    grant money and the organization's own contribution to the collaborative.
    """
    cdef Institutionalization p = params.institutionalization
    cdef double local_money = consortium.local_money
    cdef double quick_wins = consortium.now * consortium.activity
    cdef double ta = p.program_ta_push * (1.0 - params.grant.ta_system_share) * consortium.ta
    cdef const double[::1] local = orgs.local, receipt = funding.receipt
    cdef const double[::1] habit = orgs.habit, contribution = orgs.contribution
    cdef const double[::1] mindset = orgs.mindset
    cdef double weight = params.mindset.program_weight
    cdef double[::1] program = orgs.program
    cdef Py_ssize_t i
    cdef double money, push, support
    for i in range(program.shape[0]):
        money = local_money * receipt[i]
        push = (fmin_(1.0, money + quick_wins + ta) * local[i]
                * mindset_gate(mindset[i], weight))
        support = fmin_(1.0, habit[i] + p.program_money_support * money
                        + p.program_contribution_support * (contribution[i] > 0))
        program[i] = program_step(program[i], support, push, p) * local[i]
