# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Institutionalization: habits, passages, agreements, shared vision and shared data.

The route to sustainability is that "people habitually do the new thing" (M13): a habit
stock that grows while an organization enacts the collaborative practice with systems
effort and decays when it does not (I1; Goodman & Steckler 1989), held up by *passages*
(budget lines, MOUs, positions on general funds) that set floors under it and can lapse
(I1, I3). District-college articulation agreements need trust and survive a faculty veto
(M18). Consortium-level infrastructure is a shared vision built at convenings (M2) and data
alignment built by reporting and habits (M20), and a framing of the region around its
economy and industry sectors rather than counties and programs (M12). Each stock builds
with effort and erodes without it. Each organization's mindset about CTE changes slowly,
through communities of practice and exposure to pathways, and stays when the money ends
(M27; SF28).
"""

cimport numpy as cnp
from libc.stdlib cimport calloc, free

from agents.numerics cimport clip01, fmax_
from agents.params cimport Framing, Institutionalization, Mindset, Params

import numpy as np


# ------------------------------------------------------------------ rules, one organization

cdef inline double habit_step(double habit, double floor, bint enacted, double effort,
                              Institutionalization p) noexcept:
    """Routinization: growth when enacted, decay when not, held above the floor (I1; M13)."""
    cdef double out
    if enacted:
        out = habit + p.habit_growth * effort * (1.0 - habit)
    else:
        out = habit - p.habit_decay * habit
    return clip01(fmax_(out, floor))


cdef inline long passage_step(long passages, bint part, double habit, double commitment,
                              double u_gain, double u_lapse, Institutionalization p) noexcept:
    """A passage gained while taking part with a strong habit, or lapsed outside (I1, I3; M13).

    Passages are budget lines, MOUs and positions on general funds.
    """
    if (part and habit >= p.passage_threshold and commitment >= p.passage_commitment
            and passages < p.max_passages and u_gain < p.passage_rate):
        return passages + 1
    if not part and passages > 0 and u_lapse < p.passage_lapse:
        return passages - 1
    return passages


# ------------------------------------------------------------------ consortium-level rules

cpdef double system_ta(double ta, double supply, Params params):
    """Strength of system-level coaching this month (M9).

    TA's system-level share of the month's TA ``ta`` (what the TA providers give),
    stronger where prior infrastructure is thin ("especially for inexperienced consortia").
    ``supply`` is the share of that coaching the state's pool of system-level coaches can
    give: 1 for a consortium on its own, less when a statewide cohort asks for more than
    the pool holds (``agents.statewide.coaching_supply``).
    """
    return (ta * supply * params.grant.ta_system_share
            * (params.grant.ta_experience_offset - params.region.prior_infrastructure))


cpdef double systems_effort(double now_share, double activity, double coaching,
                            Params params):
    """Effort on systems building, 0-1 (M13, M14; M9).

    The 'then' share of effort, plus part of the quick-win effort if wins are chosen to
    build infrastructure (linked wins), scaled by collaborative activity and raised by
    system-level coaching.
    """
    cdef double linked = (params.grant.linked_wins_share * now_share
                          if params.grant.linked_wins else 0.0)
    cdef double effort = ((1.0 - now_share) + linked) * activity * (1.0 + coaching)
    return effort if effort < 1.0 else 1.0


cpdef double shared_vision(double vision, double convening, double attendance,
                           double now_share, double coaching, Institutionalization p):
    """Shared vision after a month: built at well-attended convenings on systems work (M2).

    Grows with convening intensity, attendance and the 'then' share of effort, faster with
    system-level coaching; decays without them; held in 0-1.
    """
    return clip01(vision + (p.vision_growth * convening * attendance * (1.0 - now_share)
                            * (1.0 + coaching) * (1.0 - vision) - p.vision_decay * vision))


cpdef double data_alignment(double data, bint reporting, double habits, double coordination,
                            Institutionalization p):
    """Data alignment after a month: built by reporting and habits, with coordination (M20).

    ``reporting`` is whether grant reporting requirements are in force; ``habits`` the mean
    habit of the organizations taking part. It decays without them; held in 0-1.
    """
    return clip01(data + (p.data_growth * (reporting + habits) * coordination * (1.0 - data)
                          - p.data_decay * data))


cpdef double framing_step(double framing, double engaged, double now, Params params):
    """The region's framing after a month, 0 counties and programs to 1 the regional economy (M12).

    Regional economic urgency (M28) and the share ``engaged`` of employers taking part as
    advisors or deeper pull it towards the regional economy and its industry sectors, in
    proportion to the room left; the month's effort on program delivery (``now``) pulls it
    back to "counties and programs":
    ``F + rate*((urgency_pull*urgency + employer_pull*engaged)*(1 - F)
    - program_push*now*F)``.
    """
    cdef Framing f = params.framing
    cdef double up = f.urgency_pull * params.region.urgency + f.employer_pull * engaged
    return clip01(framing + f.rate * (up * (1.0 - framing) - f.program_push * now * framing))


# ------------------------------------------------------------------ the month's passes

def institutionalize(orgs, ties, meeting, consortium, Params params, const double[:, ::1] u):
    """Habits of organizations that enact the practice, then passages (I1, I3; M13).

    An organization enacts the practice if it takes part, attended a meeting or worked on a
    tie this month, and there is any collaborative activity. ``u`` holds two uniforms per
    organization (gaining, losing a passage).
    """
    cdef Institutionalization p = params.institutionalization
    cdef bint active = consortium.activity > 0
    cdef double effort = consortium.effort
    cdef const cnp.int64_t[::1] ti = ties.i, tj = ties.j
    cdef const cnp.npy_bool[::1] interacted = ties.interacted
    cdef const cnp.npy_bool[::1] part = orgs.taking_part, attended = meeting.attended
    cdef const double[::1] commitment = orgs.commitment
    cdef double[::1] habit = orgs.habit, floor = orgs.floor
    cdef cnp.int64_t[::1] passages = orgs.passages
    cdef Py_ssize_t k, i, n = part.shape[0]
    cdef bint enacted
    cdef unsigned char* touched = <unsigned char*>calloc(n, 1)
    for k in range(ti.shape[0]):
        if interacted[k]:
            touched[ti[k]] = 1
            touched[tj[k]] = 1
    for i in range(n):
        enacted = part[i] and (attended[i] or touched[i]) and active
        habit[i] = habit_step(habit[i], floor[i], enacted, effort, p)
        passages[i] = passage_step(passages[i], part[i], habit[i], commitment[i], u[0, i],
                                   u[1, i], p)
        floor[i] = passages[i] * p.passage_floor
    free(touched)


def agreement_candidates(orgs, ties, Params params):
    """District-college ties (current ties only) without an agreement, trusted, both ends
    taking part (M18).

    Returns their pair numbers, in pair order.
    """
    cdef const cnp.int64_t[::1] ti = ties.i, tj = ties.j
    cdef const cnp.npy_bool[::1] k12_college = ties.k12_college, agreement = ties.agreement
    cdef const cnp.npy_bool[::1] part = orgs.taking_part, tie = ties.tie
    cdef const double[::1] trust = ties.trust
    cdef double threshold = params.institutionalization.articulation_trust
    cdef cnp.int64_t[::1] out = ties.candidates
    cdef Py_ssize_t k
    cdef int count = 0
    for k in range(ti.shape[0]):
        if (tie[k] and k12_college[k] and not agreement[k] and trust[k] >= threshold
                and part[ti[k]] and part[tj[k]]):
            out[count] = k
            count += 1
    return ties.candidates[:count]


def sign_agreements(orgs, ties, const cnp.int64_t[::1] candidates, Params params,
                    const double[:, ::1] u):
    """Attempts that survive the faculty veto become agreements and passages (M18; SF20).

    A candidate pair attempts an agreement with chance ``articulation_rate`` (``u[0]``) and
    the college's faculty veto it with chance ``faculty_resistance`` (``u[1]``). An
    agreement makes the tie fully formal and is a passage at both ends.
    """
    cdef Institutionalization p = params.institutionalization
    cdef double formal = params.trust.articulation_formality
    cdef const cnp.int64_t[::1] ti = ties.i, tj = ties.j
    cdef cnp.npy_bool[::1] agreement = ties.agreement
    cdef double[::1] base_formality = ties.base_formality, floor = orgs.floor
    cdef cnp.int64_t[::1] passages = orgs.passages
    cdef Py_ssize_t c, k
    cdef cnp.int64_t ends[2]
    cdef int e
    for c in range(candidates.shape[0]):
        if not (u[0, c] < p.articulation_rate and u[1, c] >= p.faculty_resistance):
            continue
        k = candidates[c]
        agreement[k] = 1
        base_formality[k] = formal
        ends[0] = ti[k]
        ends[1] = tj[k]
        for e in range(2):
            if passages[ends[e]] < p.max_passages:
                passages[ends[e]] += 1
                floor[ends[e]] = passages[ends[e]] * p.passage_floor


# ------------------------------------------------------------------ mindset about CTE (M27)

cpdef double drawn_mindset(double z, Params params):
    """A mindset about CTE drawn from the region's starting distribution (M27).

    ``clip(initial_mean + initial_spread*z)`` for a standard normal draw ``z``: the people
    of an organization at the start, or a newcomer leader.
    """
    cdef Mindset p = params.mindset
    return clip01(p.initial_mean + p.initial_spread * z)


def drawn_mindsets(const double[::1] z, Params params):
    """Mindsets about CTE drawn for every organization at the start (M27).

    One standard normal draw per organization in ``z``; see :func:`drawn_mindset`.
    """
    cdef Py_ssize_t i
    out = np.empty(z.shape[0])
    cdef double[::1] mindset = out
    for i in range(z.shape[0]):
        mindset[i] = drawn_mindset(z[i], params)
    return out


cpdef double mindset_step(double mindset, double heard, double exposure, bint resister,
                          Mindset p):
    """An organization's mindset about CTE after a month (M27; SF28).

    It moves slowly towards ``heard``, the mean mindset of its partners on active ties (a
    bounded DeGroot step over communities of practice), and rises with ``exposure`` to
    pathway programs and convenings, in proportion to the room left:
    ``m + influence_rate*(heard - m) + exposure_rate*exposure*(1 - m)``. A resister's does
    not move ("people who stick their feet in the mud"). It does not decay: only partners
    with a weaker mindset pull it down ("people change").
    """
    if resister:
        return mindset
    return clip01(mindset + p.influence_rate * (heard - mindset)
                  + p.exposure_rate * exposure * (1.0 - mindset))


def spread_mindset(orgs, ties, meeting, Params params):
    """A month of mindset change in every organization, all at once (M27; SF28).

    Partners influence each other over the month's active ties between organizations
    taking part (communities of practice), from last month's mindsets; an organization
    without such a tie hears only itself. Exposure is 1 for an organization that attended a
    meeting this month, else its level of pathway programs. Returns the mean mindset of the
    districts and colleges taking part (0 if none).
    """
    cdef Mindset p = params.mindset
    cdef const cnp.int64_t[::1] ti = ties.i, tj = ties.j
    cdef const cnp.npy_bool[::1] active = ties.active, part = orgs.taking_part
    cdef const cnp.npy_bool[::1] attended = meeting.attended, resister = orgs.resister
    cdef const double[::1] program = orgs.program, local = orgs.local
    cdef double[::1] mindset = orgs.mindset
    cdef Py_ssize_t k, a, b, i, n = part.shape[0]
    cdef double heard, exposure, total = 0.0, count = 0.0
    cdef double* sums = <double*>calloc(n, sizeof(double))
    cdef double* partners = <double*>calloc(n, sizeof(double))
    for k in range(ti.shape[0]):
        a = ti[k]
        b = tj[k]
        if active[k] and part[a] and part[b]:
            sums[a] += mindset[b]
            partners[a] += 1.0
            sums[b] += mindset[a]
            partners[b] += 1.0
    for i in range(n):
        heard = sums[i] / partners[i] if partners[i] > 0.0 else mindset[i]
        exposure = 1.0 if attended[i] else program[i]
        mindset[i] = mindset_step(mindset[i], heard, exposure, resister[i], p)
        if part[i] and local[i] > 0.0:
            total += mindset[i]
            count += 1.0
    free(sums)
    free(partners)
    return total / count if count > 0.0 else 0.0
