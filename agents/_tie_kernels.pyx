# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Compiled tie-level rules: each written once for one pair, applied to every pair.

``agents.ties`` is the Python face of this module: it documents each rule, unpacks the
parameter sections and passes boolean arrays as ``uint8`` views. The plain per-edge
reference in ``tests/reference.py`` must reproduce these loops on small graphs.
"""

from libc.math cimport exp
from libc.stdint cimport int64_t, uint64_t
from libc.stdlib cimport calloc, free


cdef struct TrustP:
    double decay_rate, age_slowing, baseline, transfer, institutional_decay
    bint beta
    double forgetting, prior_pos, prior_neg, evidence_cap


cdef struct TiesP:
    double convening_rate, common_partner_rate, spontaneous_rate
    double dissolution_rate, age_protection, trust_protection, bridge_factor, postgrant_factor


cdef TrustP trust_p(p):
    cdef TrustP c
    c.decay_rate = p.decay_rate
    c.age_slowing = p.age_slowing
    c.baseline = p.baseline
    c.transfer = p.formalization_transfer
    c.institutional_decay = p.institutional_decay
    c.beta = p.rule == "beta_reputation"
    c.forgetting = p.beta_forgetting
    c.prior_pos = p.beta_prior_weight * p.baseline
    c.prior_neg = p.beta_prior_weight * (1.0 - p.baseline)
    c.evidence_cap = 1.0 / (1.0 - p.beta_forgetting)
    return c


cdef TiesP ties_p(p):
    cdef TiesP c
    c.convening_rate = p.convening_rate
    c.common_partner_rate = p.common_partner_rate
    c.spontaneous_rate = p.spontaneous_rate
    c.dissolution_rate = p.dissolution_rate
    c.age_protection = p.age_protection
    c.trust_protection = p.trust_protection
    c.bridge_factor = p.bridge_factor
    c.postgrant_factor = p.postgrant_factor
    return c


cdef inline double clamp(double x) noexcept nogil:
    return 1.0 if x > 1.0 else (0.0 if x < 0.0 else x)


# ----------------------------------------------------------------------- rules, per pair

cdef inline bint interacts(bint tied, bint both_in, double commit_min, bint coattend,
                           double bilateral_rate, double u) noexcept nogil:
    """Co-attendance, or bilateral work at a rate set by the less committed partner (M1)."""
    return tied and (coattend or (both_in and u < bilateral_rate * commit_min))


cdef inline int signal(bint interacted, double q_pos, double q_neg, double u) noexcept nogil:
    """+1 a shared small win (u < q_pos), -1 a let-down (u >= 1 - q_neg), else 0."""
    if not interacted:
        return 0
    if u < q_pos:
        return 1
    return -1 if u >= 1.0 - q_neg else 0


cdef inline void trust(double* personal, double* institutional, bint tied, bint interacted,
                       bint win, bint let_down, double gain, double loss, double age,
                       double formality, TrustP p) noexcept nogil:
    """Two-layer trust on one pair (T1, T2, T4), in place."""
    cdef double P = personal[0], I = institutional[0], new_p = P
    if win:
        new_p += gain * (1.0 - P)
    if let_down:
        new_p -= loss * P
    if tied and not interacted:
        new_p -= p.decay_rate / (1.0 + p.age_slowing * age) * (P - p.baseline)
    if tied:
        I += p.transfer * formality * (new_p - I) - p.institutional_decay * (1.0 - formality) * I
    personal[0] = clamp(new_p)
    institutional[0] = clamp(I)


cdef inline double beta_mean(double positive, double negative, TrustP p) noexcept nogil:
    """Expected value of Beta(r + a, s + b): personal trust from evidence (T3)."""
    return (positive + p.prior_pos) / (positive + negative + p.prior_pos + p.prior_neg)


cdef inline void beta_trust(double* personal, double* institutional, double* positive,
                            double* negative, bint tied, bint win, bint let_down,
                            double w_pos, double w_neg, double formality,
                            TrustP p) noexcept nogil:
    """Beta-reputation personal trust (T3; Jøsang & Ismail 2002) and the layers (T4), in place.

    Evidence is forgotten every month, then a win adds ``w_pos`` and a let-down ``w_neg``.
    """
    if not tied:
        return
    cdef double r = p.forgetting * positive[0], s = p.forgetting * negative[0]
    if win:
        r += w_pos
    if let_down:
        s += w_neg
    cdef double P = beta_mean(r, s, p), I = institutional[0]
    I += p.transfer * formality * (P - I) - p.institutional_decay * (1.0 - formality) * I
    positive[0] = r
    negative[0] = s
    personal[0] = clamp(P)
    institutional[0] = clamp(I)


cdef inline void evidence_for(double level, TrustP p, double* positive,
                              double* negative) noexcept nogil:
    """The least evidence, at most ``evidence_cap``, whose Beta mean is ``level`` (T3).

    Above the prior mean it is all wins, below it all let-downs.
    """
    cdef double w = p.prior_pos + p.prior_neg, x
    positive[0] = 0.0
    negative[0] = 0.0
    if level * w >= p.prior_pos:
        x = (level * w - p.prior_pos) / (1.0 - level) if level < 1.0 else p.evidence_cap
        positive[0] = x if x < p.evidence_cap else p.evidence_cap
    else:
        x = (p.prior_pos - level * w) / level if level > 0.0 else p.evidence_cap
        negative[0] = x if x < p.evidence_cap else p.evidence_cap


cdef inline double combined(double personal, double institutional,
                            double formality) noexcept nogil:
    """``w*P + (1-w)*I`` with ``w = 1 - formality/2`` (T4)."""
    cdef double w = 1.0 - 0.5 * formality
    return w * personal + (1.0 - w) * institutional


cdef inline double formation(bint tied, bint coattend, double common, double complementarity,
                             double near, double openness, TiesP p) noexcept nogil:
    """Monthly tie chance of an untied pair (N1)."""
    if tied:
        return 0.0
    cdef double miss = 1.0 - p.convening_rate * coattend
    miss *= 1.0 - p.common_partner_rate * common / (1.0 + common) * near
    miss *= 1.0 - p.spontaneous_rate * near
    cdef double prob = (1.0 - miss) * complementarity * openness
    return 1.0 if prob > 1.0 else prob


cdef inline double hazard(bint tied, double age, double trust_value, bint bridge,
                          bint post_grant, TiesP p) noexcept nogil:
    """Monthly dissolution chance of a tie (N3)."""
    if not tied:
        return 0.0
    cdef double h = (p.dissolution_rate * exp(-p.age_protection * age
                                              - p.trust_protection * trust_value)
                     * (1.0 + p.bridge_factor * bridge) * (1.0 + p.postgrant_factor * post_grant))
    return 1.0 if h > 1.0 else h


cdef inline double reset(double personal, bint tied, double keep, double baseline) noexcept nogil:
    """Personal trust falls back towards the baseline when a leader leaves (T4)."""
    return keep * personal + (1.0 - keep) * baseline if tied else 0.0


cdef inline void beta_reset(double* personal, double* positive, double* negative, bint tied,
                            double keep, TrustP p) noexcept nogil:
    """A leader leaving keeps the share ``keep`` of the tie's evidence (T3, T4), in place."""
    if not tied:
        return
    positive[0] = keep * positive[0]
    negative[0] = keep * negative[0]
    personal[0] = beta_mean(positive[0], negative[0], p)


# ----------------------------------------------------------------------- the model's month

cdef inline void pair_month(
        Py_ssize_t k, const int64_t[::1] ti, const int64_t[::1] tj,
        const unsigned char[::1] tie, double[::1] personal, double[::1] institutional,
        double[::1] positive, double[::1] negative, double[::1] age, double[::1] idle,
        double[::1] formality, const double[::1] base_formality,
        const unsigned char[::1] attend, const int64_t[::1] group, bint regional,
        const double[::1] cp, const double[:, ::1] common_matrix, const double[::1] gain,
        const double[::1] loss, const double[::1] neg_base, double power,
        const unsigned char[::1] lead_edge, double q_pos, double formal_level,
        const double[::1] complementarity, const double[::1] near,
        const double[::1] openness, bint post_grant, const double[:, ::1] u,
        double bilateral_rate, TrustP tp, TiesP xp, unsigned char[::1] interacted,
        signed char[::1] signals, double[::1] trust_out, double[::1] common,
        double[::1] p_form, double[::1] hazards, bint beta) noexcept nogil:
    """One pair's month; ``beta`` picks the trust rule (T1/T2 or T3), a constant per pass."""
    cdef int64_t a = ti[k], b = tj[k]
    cdef bint coattend = attend[a] and attend[b] and (regional or group[a] == group[b])
    cdef double commit_min = cp[a] if cp[a] < cp[b] else cp[b]
    cdef bint both_in = commit_min > 0.0
    formality[k] = base_formality[k]
    if both_in and formal_level > formality[k]:
        formality[k] = formal_level
    cdef bint tied = tie[k]
    cdef bint did = interacts(tied, both_in, commit_min, coattend, bilateral_rate, u[0, k])
    cdef int sig = signal(did, q_pos, neg_base[k] + power * lead_edge[k], u[1, k])
    if beta:
        beta_trust(&personal[k], &institutional[k], &positive[k], &negative[k], tied, sig > 0,
                   sig < 0, gain[k], loss[k], formality[k], tp)
    else:
        trust(&personal[k], &institutional[k], tied, did, sig > 0, sig < 0, gain[k], loss[k],
              age[k], formality[k], tp)
    idle[k] = 0.0 if did else idle[k] + 1.0
    age[k] = age[k] + 1.0 if tied else 0.0
    cdef double c = common_matrix[a, b]
    common[k] = c
    trust_out[k] = combined(personal[k], institutional[k], formality[k]) if tied else 0.0
    hazards[k] = hazard(tied, age[k], trust_out[k], c == 0.0, post_grant, xp)
    p_form[k] = formation(tied, coattend, c, complementarity[k], near[k], openness[k], xp)
    interacted[k] = did
    signals[k] = sig


def tie_update(const int64_t[::1] ti, const int64_t[::1] tj, const unsigned char[::1] tie,
               double[::1] personal, double[::1] institutional, double[::1] positive,
               double[::1] negative, double[::1] age,
               double[::1] idle, double[::1] formality, const double[::1] base_formality,
               const unsigned char[::1] attend, const int64_t[::1] group, bint regional,
               const double[::1] cp, const double[:, ::1] common_matrix,
               const double[::1] gain, const double[::1] loss, const double[::1] neg_base,
               double power,
               const unsigned char[::1] lead_edge, double q_pos, double formal_level,
               const double[::1] complementarity, const double[::1] near,
               const double[::1] openness, bint post_grant, const double[:, ::1] u,
               double bilateral_rate, trust_params, ties_params,
               unsigned char[::1] interacted, signed char[::1] signals, double[::1] trust_out,
               double[::1] common, double[::1] p_form, double[::1] hazards):
    """Interaction, signals, trust, ageing, formation chance and hazard for every pair.

    The trust rule is chosen once for the pass: ``gain`` and ``loss`` are the steps of the
    asymmetric update (T1), or the evidence a win and a let-down add (T3).
    """
    cdef TrustP tp = trust_p(trust_params)
    cdef TiesP xp = ties_p(ties_params)
    cdef Py_ssize_t k, m = ti.shape[0]
    with nogil:
        if tp.beta:
            for k in range(m):
                pair_month(k, ti, tj, tie, personal, institutional, positive, negative, age,
                           idle, formality, base_formality, attend, group, regional, cp,
                           common_matrix, gain, loss, neg_base, power, lead_edge, q_pos,
                           formal_level, complementarity, near, openness, post_grant, u,
                           bilateral_rate, tp, xp, interacted, signals, trust_out, common,
                           p_form, hazards, True)
        else:
            for k in range(m):
                pair_month(k, ti, tj, tie, personal, institutional, positive, negative, age,
                           idle, formality, base_formality, attend, group, regional, cp,
                           common_matrix, gain, loss, neg_base, power, lead_edge, q_pos,
                           formal_level, complementarity, near, openness, post_grant, u,
                           bilateral_rate, tp, xp, interacted, signals, trust_out, common,
                           p_form, hazards, False)


def tie_turnover(int64_t month, const int64_t[::1] ti, const int64_t[::1] tj, unsigned char[::1] tie,
                 double[::1] personal, double[::1] institutional, double[::1] positive,
                 double[::1] negative, double[::1] age,
                 double[::1] idle, int64_t[::1] formed, unsigned char[::1] agreement,
                 double[::1] base_formality, const double[::1] prior_formality,
                 const double[::1] formality, double[::1] trust_values,
                 const double[::1] common, const double[::1] p_form, const double[::1] hazards,
                 const double[::1] u_form, const double[::1] u_gone, double baseline,
                 double referral_weight, double[:, ::1] scratch, trust_params):
    """Dissolutions, then formations, in place (N1, N3; T5); returns (formed, dissolved).

    Under the Beta rule (T3) a new tie starts with the least evidence whose mean is its
    referral trust.
    """
    cdef TrustP tp = trust_p(trust_params)
    cdef Py_ssize_t k, x, m = ti.shape[0], n = scratch.shape[0]
    cdef int64_t a, b
    cdef int gone = 0, new = 0
    cdef double via
    with nogil:
        for k in range(m):
            if tie[k] and u_gone[k] < hazards[k]:
                a = ti[k]
                b = tj[k]
                tie[k] = 0
                personal[k] = 0.0
                institutional[k] = 0.0
                positive[k] = 0.0
                negative[k] = 0.0
                trust_values[k] = 0.0
                age[k] = 0.0
                if agreement[k]:
                    agreement[k] = 0
                    base_formality[k] = prior_formality[k]
                gone += 1
        for k in range(m):
            if u_form[k] < p_form[k]:
                new += 1
        if new:
            for k in range(m):
                scratch[ti[k], tj[k]] = trust_values[k]
                scratch[tj[k], ti[k]] = trust_values[k]
            for k in range(m):
                if not u_form[k] < p_form[k]:
                    continue
                a = ti[k]
                b = tj[k]
                via = 0.0
                for x in range(n):
                    via += scratch[a, x] * scratch[b, x]
                via /= common[k] if common[k] > 1.0 else 1.0
                tie[k] = 1
                personal[k] = baseline + referral_weight * via
                if personal[k] > 1.0:
                    personal[k] = 1.0
                if tp.beta:
                    evidence_for(personal[k], tp, &positive[k], &negative[k])
                    personal[k] = beta_mean(positive[k], negative[k], tp)
                institutional[k] = 0.0
                idle[k] = 0.0
                formed[k] = month
                trust_values[k] = combined(personal[k], 0.0, formality[k])
    return new, gone


cdef inline int popcount(uint64_t x) noexcept nogil:
    x = x - ((x >> 1) & 0x5555555555555555ULL)
    x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL)
    x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0FULL
    return <int>((x * 0x0101010101010101ULL) >> 56)


def common_partners(const int64_t[::1] ti, const int64_t[::1] tj, const unsigned char[::1] tie,
                    double[:, ::1] out):
    """Common partners of every two organizations, ``A @ A`` for the adjacency ``A`` (N1).

    Each organization's partners are a bit set, so a pair's count is one popcount per
    64 organizations.
    """
    cdef Py_ssize_t n = out.shape[0], w = (n + 63) // 64, k, a, b, x
    cdef int c
    cdef uint64_t* rows = <uint64_t*>calloc(n * w, sizeof(uint64_t))
    with nogil:
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


def reset_personal(double[::1] personal, double[::1] positive, double[::1] negative,
                   const unsigned char[::1] tie, const int64_t[::1] pairs, double keep,
                   trust_params):
    """:func:`reset` (T4), or :func:`beta_reset` (T3), on the listed pairs, in place."""
    cdef TrustP tp = trust_p(trust_params)
    cdef Py_ssize_t c
    cdef int64_t k
    if tp.beta:
        for c in range(pairs.shape[0]):
            k = pairs[c]
            beta_reset(&personal[k], &positive[k], &negative[k], tie[k], keep, tp)
    else:
        for c in range(pairs.shape[0]):
            k = pairs[c]
            personal[k] = reset(personal[k], tie[k], keep, tp.baseline)


# ----------------------------------------------------------------------- one rule, arrays

def interactions(const unsigned char[::1] tie, const unsigned char[::1] both_in,
                 const double[::1] commit_min, const unsigned char[::1] coattend,
                 double bilateral_rate, const double[::1] u, unsigned char[::1] out):
    cdef Py_ssize_t k
    for k in range(tie.shape[0]):
        out[k] = interacts(tie[k], both_in[k], commit_min[k], coattend[k], bilateral_rate, u[k])


def signals(const unsigned char[::1] interacted, const double[::1] q_pos,
            const double[::1] q_neg, const double[::1] u, signed char[::1] out):
    cdef Py_ssize_t k
    for k in range(interacted.shape[0]):
        out[k] = signal(interacted[k], q_pos[k], q_neg[k], u[k])


def trust_step(double[::1] personal, double[::1] institutional, const unsigned char[::1] tie,
               const unsigned char[::1] interacted, const unsigned char[::1] win,
               const unsigned char[::1] let_down, const double[::1] gain, const double[::1] loss, const double[::1] age,
               const double[::1] formality, trust_params):
    cdef TrustP tp = trust_p(trust_params)
    cdef Py_ssize_t k
    for k in range(personal.shape[0]):
        trust(&personal[k], &institutional[k], tie[k], interacted[k], win[k], let_down[k],
              gain[k], loss[k], age[k], formality[k], tp)


def beta_trust_step(double[::1] personal, double[::1] institutional, double[::1] positive,
                    double[::1] negative, const unsigned char[::1] tie,
                    const unsigned char[::1] win, const unsigned char[::1] let_down,
                    const double[::1] w_pos, const double[::1] w_neg,
                    const double[::1] formality, trust_params):
    cdef TrustP tp = trust_p(trust_params)
    cdef Py_ssize_t k
    for k in range(personal.shape[0]):
        beta_trust(&personal[k], &institutional[k], &positive[k], &negative[k], tie[k], win[k],
                   let_down[k], w_pos[k], w_neg[k], formality[k], tp)


def beta_means(const double[::1] positive, const double[::1] negative, trust_params,
               double[::1] out):
    cdef TrustP tp = trust_p(trust_params)
    cdef Py_ssize_t k
    for k in range(positive.shape[0]):
        out[k] = beta_mean(positive[k], negative[k], tp)


def evidence(const double[::1] level, trust_params, double[::1] positive,
             double[::1] negative):
    cdef TrustP tp = trust_p(trust_params)
    cdef Py_ssize_t k
    for k in range(level.shape[0]):
        evidence_for(level[k], tp, &positive[k], &negative[k])


def formation_probability(const unsigned char[::1] tie, const unsigned char[::1] coattend,
                          const double[::1] common, const double[::1] complementarity,
                          const double[::1] near, const double[::1] openness, ties_params,
                          double[::1] out):
    cdef TiesP xp = ties_p(ties_params)
    cdef Py_ssize_t k
    for k in range(tie.shape[0]):
        out[k] = formation(tie[k], coattend[k], common[k], complementarity[k], near[k],
                           openness[k], xp)


def dissolution_hazard(const unsigned char[::1] tie, const double[::1] age,
                       const double[::1] trust_values, const unsigned char[::1] bridge,
                       bint post_grant, ties_params, double[::1] out):
    cdef TiesP xp = ties_p(ties_params)
    cdef Py_ssize_t k
    for k in range(tie.shape[0]):
        out[k] = hazard(tie[k], age[k], trust_values[k], bridge[k], post_grant, xp)
