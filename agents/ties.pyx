# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Partnership ties: who works together, and how ties form and dissolve (N1, N3; M1, M4, M10,
M11, M25, M26, M33).

A month on the ties runs in passes over every organization pair, each a rule written for
one pair: :func:`interact` (who works together and what comes of it), the trust rule of
``agents.trust``, :func:`age_and_risk` (ageing, formation chances and hazards) and
:func:`form_and_dissolve`. Random draws come in as arrays of uniforms, so the plain
per-edge reference in ``tests/reference.py`` can replay them. Ties build through
convenings, common partners and chance encounters, and erode through idleness, low trust
and the end of grant money; bridges are the most fragile.
"""

cimport numpy as cnp
from libc.math cimport exp
from libc.stdint cimport uint64_t
from libc.stdlib cimport calloc, free

from agents.params cimport Params, Ties, Trust
from agents.trust cimport TrustRule

import numpy as np


# ------------------------------------------------------------------ rules, one pair at a time

cdef inline bint interacts(bint tied, bint coattend, double commit_min, double bilateral_rate,
                           double u) noexcept:
    """Co-attendance, or bilateral work at a rate set by the less committed partner (M1, M33).

    ``commit_min`` is the lower commitment of the two, zero for one not taking part.
    """
    return tied and (coattend or (commit_min > 0.0 and u < bilateral_rate * commit_min))


cdef inline signed char signal(bint interacted, double win_chance, double letdown_chance,
                               double u) noexcept:
    """+1 a shared small win (``u < win_chance``), -1 a let-down (``u >= 1 - letdown_chance``).

    One uniform per interacting tie: small wins drive the trust loop (science_anchors §4.6,
    M2); let-downs are broken commitments, power gaps and rivalry (M3, M18, M29).
    """
    if not interacted:
        return 0
    if u < win_chance:
        return 1
    return -1 if u >= 1.0 - letdown_chance else 0


cdef inline double formation(bint tied, bint coattend, double common, double complementarity,
                             double near, double openness, double bias, Ties p) noexcept:
    """Monthly chance an untied pair forms a tie (N1; M1, M4, M10, M11, M25, M26).

    Three routes: meeting at a convening, introductions through common partners
    (saturating in their number) and chance encounters, the last two fading with distance
    (``near = exp(-distance/travel_scale_km)``). Complementary (cross-sector) pairs form
    more readily; pairs straddling the prior cluster less (insularity, M10). ``bias`` is
    the month's lean of governance and the lead's style towards or away from the lead.
    """
    if tied:
        return 0.0
    cdef double miss = 1.0 - p.convening_rate * coattend
    miss *= 1.0 - p.common_partner_rate * common / (1.0 + common) * near
    miss *= 1.0 - p.spontaneous_rate * near
    cdef double chance = (1.0 - miss) * complementarity * openness * bias
    return 1.0 if chance > 1.0 else chance


cdef inline double hazard(bint tied, double age, double trust, bint bridge, bint post_grant,
                          Ties p) noexcept:
    """Monthly chance a tie dissolves (N3; Burt 2002; Raeder et al. 2011).

    Falls with age and trust, rises for bridges (no common partner) and once grant money
    has ended.
    """
    if not tied:
        return 0.0
    cdef double h = (p.dissolution_rate * exp(-p.age_protection * age
                                              - p.trust_protection * trust)
                     * (1.0 + p.bridge_factor * bridge) * (1.0 + p.postgrant_factor * post_grant))
    return 1.0 if h > 1.0 else h


# ------------------------------------------------------------------ features of a pair

def openness(member_i, member_j, Params params):
    """Formation multiplier of pairs straddling the pre-grant cluster (M10, M31).

    ``1 - insularity`` where exactly one end belongs to the prior cluster: a dense prior
    network with a strong identity resists newcomers.
    """
    return 1.0 - params.region.insularity * (member_i != member_j)


def letdown_base(competitive, Params params):
    """Base let-down chance of an interaction: broken commitments, and rivalry (M18, M29).

    College-college ties compete for enrolment ("bad blood").
    """
    return np.minimum(1.0, params.trust.negative_rate + competitive
                      * params.institutionalization.college_competition)


# ------------------------------------------------------------------ the month's passes

def interact(ties, meeting, consortium, Params params, const double[:, ::1] u):
    """Formality, interaction and signals on every pair (M1-M3, M11, M18, M25, M26, M29, M33).

    A tie's formality (T4) is its own (prior infrastructure, an articulation agreement) or, when
    both partners take part, what required partnership agreements (M25, M29) and shared
    data (M20) give it. Co-attendance
    needs both at the same meeting (``meeting.group``, unless the meeting is regional).
    Bilateral work between partners other than the lead runs ``consortium.peer_work``
    times as often (workgroups, M25). A small win comes with chance
    ``positive_rate*(wins_base + V)``; a let-down with the tie's base chance, plus a power
    gap on ties with the lead while it controls the money, defused by sub-grants and shared
    vision (M3), and felt in the share ``consortium.power_distance`` that shared control and
    a coaching lead leave (M25, M26). ``u[0]`` and ``u[1]`` are the pair's draws.
    """
    cdef Trust tp = params.trust
    cdef double vision = consortium.vision
    cdef double win_chance = tp.positive_rate * (tp.wins_base + vision)
    win_chance = win_chance if win_chance < 1.0 else 1.0
    cdef double power = (tp.power_gap_penalty * (1.0 - params.grant.subgrant_share)
                         * consortium.state_share * params.grant.money * (1.0 - vision)
                         * consortium.power_distance)
    cdef bint agreements = (params.grant.required_agreements
                            and consortium.month < consortium.grant_end)
    cdef double mou = tp.agreement_formality * agreements
    cdef double shared_data = tp.data_formality * consortium.data
    cdef double formal_level = shared_data if shared_data > mou else mou
    cdef double bilateral_rate = params.ties.bilateral_rate
    cdef double peer_rate = bilateral_rate * consortium.peer_work
    cdef const cnp.int64_t[::1] ti = ties.i, tj = ties.j
    cdef const cnp.npy_bool[::1] tie = ties.tie, lead_edge = ties.lead_edge
    cdef const double[::1] base_formality = ties.base_formality
    cdef const double[::1] letdown_base = ties.letdown_base
    cdef double[::1] formality = ties.formality
    cdef cnp.npy_bool[::1] coattend = ties.coattend, interacted = ties.interacted
    cdef signed char[::1] signals = ties.signal
    cdef const cnp.npy_bool[::1] attended = meeting.attended
    cdef const cnp.int64_t[::1] group = meeting.group
    cdef const double[::1] committed = meeting.committed
    cdef bint regional = meeting.regional
    cdef Py_ssize_t k
    cdef cnp.int64_t a, b
    cdef double commit_min
    for k in range(ti.shape[0]):
        a = ti[k]
        b = tj[k]
        coattend[k] = attended[a] and attended[b] and (regional or group[a] == group[b])
        commit_min = committed[a] if committed[a] < committed[b] else committed[b]
        formality[k] = base_formality[k]
        if commit_min > 0.0 and formal_level > formality[k]:
            formality[k] = formal_level
        interacted[k] = interacts(tie[k], coattend[k], commit_min,
                                  bilateral_rate if lead_edge[k] else peer_rate, u[0, k])
        signals[k] = signal(interacted[k], win_chance, letdown_base[k] + power * lead_edge[k],
                            u[1, k])


def age_and_risk(ties, consortium, Params params):
    """Idle months and age, then this month's hazards and formation chances (N1, N3).

    Reads the trust the trust rule wrote; a bridge is a tie without a common partner, as
    counted before this month's changes. Hazards rise once grant money has ended.
    Formation leans by ``consortium.lead_formation`` on pairs with the lead and
    ``consortium.peer_formation`` on the others (governance and the lead's style; M25, M26).
    """
    cdef Ties p = params.ties
    cdef bint post_grant = (consortium.state_share == 0.0
                            and consortium.month >= consortium.money_end)
    cdef const cnp.int64_t[::1] ti = ties.i, tj = ties.j
    cdef const cnp.npy_bool[::1] tie = ties.tie, interacted = ties.interacted
    cdef const cnp.npy_bool[::1] coattend = ties.coattend, lead_edge = ties.lead_edge
    cdef double lead_bias = consortium.lead_formation, peer_bias = consortium.peer_formation
    cdef const double[::1] trust = ties.trust, complementarity = ties.complementarity
    cdef const double[::1] near = ties.near, openness = ties.openness
    cdef const double[:, ::1] common_matrix = ties.common_matrix
    cdef double[::1] idle = ties.idle, age = ties.age, common = ties.common
    cdef double[::1] hazards = ties.hazard, chances = ties.formation_chance
    cdef Py_ssize_t k
    cdef double c
    for k in range(ti.shape[0]):
        idle[k] = 0.0 if interacted[k] else idle[k] + 1.0
        age[k] = age[k] + 1.0 if tie[k] else 0.0
        c = common_matrix[ti[k], tj[k]]
        common[k] = c
        hazards[k] = hazard(tie[k], age[k], trust[k], c == 0.0, post_grant, p)
        chances[k] = formation(tie[k], coattend[k], c, complementarity[k], near[k],
                               openness[k], lead_bias if lead_edge[k] else peer_bias, p)


def form_and_dissolve(ties, TrustRule rule, cnp.int64_t month, const double[:, ::1] u):
    """Dissolve ties whose draw falls below the hazard, then form new ones (N1, N3; T5).

    A dissolved tie loses its trust, age and agreement. A new tie starts at the referral
    trust ``rule.start`` gives it: the baseline plus ``referral_weight`` times the trust
    carried through common partners, averaged over them (Gulati & Gargiulo 1999), counted on
    the ties standing after the dissolutions. ``u[2]`` and ``u[3]`` are the pair's draws for
    forming and dissolving. Returns the numbers formed and dissolved.
    """
    cdef const cnp.int64_t[::1] ti = ties.i, tj = ties.j
    cdef cnp.npy_bool[::1] tie = ties.tie, agreement = ties.agreement
    cdef double[::1] personal = ties.personal, institutional = ties.institutional
    cdef double[::1] positive = ties.positive, negative = ties.negative
    cdef double[::1] trust = ties.trust, age = ties.age, idle = ties.idle
    cdef double[::1] base_formality = ties.base_formality
    cdef const double[::1] prior_formality = ties.prior_formality
    cdef const double[::1] hazards = ties.hazard, chances = ties.formation_chance
    cdef cnp.int64_t[::1] formed = ties.formed
    cdef double[:, ::1] scratch = ties.referral_scratch
    cdef Py_ssize_t k, x, m = ti.shape[0], n = scratch.shape[0]
    cdef cnp.int64_t a, b
    cdef int gone = 0, new = 0
    cdef double via, shared
    for k in range(m):
        if tie[k] and u[3, k] < hazards[k]:
            tie[k] = 0
            personal[k] = 0.0
            institutional[k] = 0.0
            positive[k] = 0.0
            negative[k] = 0.0
            trust[k] = 0.0
            age[k] = 0.0
            if agreement[k]:
                agreement[k] = 0
                base_formality[k] = prior_formality[k]
            gone += 1
    for k in range(m):
        if u[2, k] < chances[k]:
            new += 1
    if not new:
        return 0, gone
    pairs = np.empty(new, dtype=np.int64)
    vias = np.empty(new)
    cdef cnp.int64_t[::1] new_pairs = pairs
    cdef double[::1] new_via = vias
    # Trust on the ties standing after the dissolutions; -1 marks no tie.
    for k in range(m):
        scratch[ti[k], tj[k]] = trust[k] if tie[k] else -1.0
        scratch[tj[k], ti[k]] = trust[k] if tie[k] else -1.0
    for x in range(n):
        scratch[x, x] = -1.0
    cdef Py_ssize_t c = 0
    for k in range(m):
        if not u[2, k] < chances[k]:
            continue
        a = ti[k]
        b = tj[k]
        via = 0.0
        shared = 0.0
        for x in range(n):
            if scratch[a, x] >= 0.0 and scratch[b, x] >= 0.0:
                via += scratch[a, x] * scratch[b, x]
                shared += 1.0
        via /= shared if shared > 1.0 else 1.0
        tie[k] = 1
        idle[k] = 0.0
        formed[k] = month
        new_pairs[c] = k
        new_via[c] = via
        c += 1
    rule.start(ties, new_pairs, new_via)
    return new, gone


cdef inline int popcount(uint64_t x) noexcept:
    x = x - ((x >> 1) & 0x5555555555555555ULL)
    x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL)
    x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0FULL
    return <int>((x * 0x0101010101010101ULL) >> 56)


def common_partners(ties):
    """Common partners of every two organizations, ``A @ A`` of the ties, into ``ties.common_matrix``.

    Each organization's partners are a bit set, so a pair's count is one popcount per
    64 organizations (N1 counts them; N3 calls a tie without any a bridge).
    """
    cdef const cnp.int64_t[::1] ti = ties.i, tj = ties.j
    cdef const cnp.npy_bool[::1] tie = ties.tie
    cdef double[:, ::1] out = ties.common_matrix
    cdef Py_ssize_t n = out.shape[0], w = (n + 63) // 64, k, a, b, x
    cdef int c
    cdef uint64_t* rows = <uint64_t*>calloc(n * w, sizeof(uint64_t))
    for k in range(ti.shape[0]):
        if tie[k]:
            a = ti[k]
            b = tj[k]
            rows[a * w + b // 64] |= (<uint64_t>1) << (b % 64)
            rows[b * w + a // 64] |= (<uint64_t>1) << (a % 64)
    for a in range(n):
        for b in range(a, n):
            c = 0
            for x in range(w):
                c += popcount(rows[a * w + x] & rows[b * w + x])
            out[a, b] = c
            out[b, a] = c
    free(rows)


def active(ties, double threshold, double window):
    """Ties with trust at or above ``threshold`` and interaction within ``window`` months (§4.2).

    Writes ``ties.active`` from ``ties.trust``.
    """
    cdef const cnp.npy_bool[::1] tie = ties.tie
    cdef const double[::1] trust = ties.trust, idle = ties.idle
    cdef cnp.npy_bool[::1] out = ties.active
    cdef Py_ssize_t k
    for k in range(tie.shape[0]):
        out[k] = tie[k] and trust[k] >= threshold and idle[k] <= window
