# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Trust on ties: built by small wins, eroded by let-downs, carried by people (T1-T5).

Every tie carries two layers of trust (T4; Zaheer et al. 1998): personal trust ``P``,
carried by the two organizations' leaders or boundary spanners, and institutional trust
``I``, embedded in agreements, budget lines and shared data. Partners act on personal
trust, held up by institutional trust where that is higher, as far as the tie is formal.

Personal trust follows one of two rules, chosen once per run by ``trust.rule``:

- :class:`AsymmetricTrust`: a small win raises it, a let-down lowers it ``loss_ratio``
  times as fast, and without interaction it relaxes to a baseline, more slowly on old ties
  (T1 Slovic 1993, Macy & Flache 2002; T2 Burt 2001, Sutcliffe & Wang 2012);
- :class:`BetaReputationTrust`: the expected value of a Beta posterior over forgotten
  evidence of wins and let-downs (T3 Jøsang & Ismail 2002).

Each rule also says what a new tie starts with (referral trust through common partners,
T5 Gulati & Gargiulo 1999), what a departing leader takes along (M6, M7) and what a broken
pledge costs (M29). Both can build and erode: wins and formality build, let-downs, idle
months, turnover and lost coordinators erode.
"""

cimport numpy as cnp

from agents.numerics cimport clip01
from agents.params cimport Trust


# ------------------------------------------------------------------ rules, one tie at a time

cdef inline double combined(double personal, double institutional, double formality,
                            Trust p) noexcept:
    """Trust partners act on: ``P + formality_weight*F*max(0, I - P)`` (T4).

    Institutional trust holds the tie up where it exceeds personal trust, as after a leader
    leaves, in proportion to formality (Zaheer et al. 1998); it never pulls it below ``P``.
    """
    if institutional <= personal:
        return personal
    return personal + p.formality_weight * formality * (institutional - personal)


cdef inline double institutional_step(double institutional, double personal, double formality,
                                      Trust p) noexcept:
    """Institutional trust follows personal trust as far as the tie is formal (T4).

    It moves towards ``P`` in proportion to formality (Zaheer et al. 1998) and erodes where
    formal backing is missing. The result is not yet clamped.
    """
    return institutional + (p.formalization_transfer * formality * (personal - institutional)
                            - p.institutional_decay * (1.0 - formality) * institutional)


cdef inline double asymmetric_step(double personal, int signal, bint idle, double gain,
                                   double loss, double age, Trust p) noexcept:
    """Personal trust after a month, not yet clamped (T1, T2; M1).

    A small win (``signal > 0``) adds ``gain*(1-P)``; a let-down (``signal < 0``) removes
    ``loss*P``; an idle tie relaxes towards the baseline at a rate that falls with age.
    """
    cdef double out = personal
    if signal > 0:
        out += gain * (1.0 - personal)
    if signal < 0:
        out -= loss * personal
    if idle:
        out -= p.decay_rate / (1.0 + p.age_slowing * age) * (personal - p.baseline)
    return out


cdef inline double prior_wins(Trust p) noexcept:
    """Prior pseudo-count of wins, ``W*baseline`` (T3)."""
    return p.beta_prior_weight * p.baseline


cdef inline double prior_letdowns(Trust p) noexcept:
    """Prior pseudo-count of let-downs, ``W*(1-baseline)`` (T3)."""
    return p.beta_prior_weight * (1.0 - p.baseline)


cdef inline double beta_mean(double positive, double negative, Trust p) noexcept:
    """Expected value of ``Beta(r + a, s + b)``: personal trust from evidence (T3)."""
    cdef double a = prior_wins(p)
    return (positive + a) / (positive + negative + a + prior_letdowns(p))


cdef inline (double, double) evidence_for(double level, Trust p) noexcept:
    """The least evidence ``(r, s)``, each at most ``1/(1-forgetting)``, whose mean is ``level``.

    Above the prior mean it is all wins, below it all let-downs (T3). The cap is the
    evidence a tie holds with one event a month under forgetting, so levels near 0 or 1
    come out nearer the baseline.
    """
    cdef double a = prior_wins(p), w = a + prior_letdowns(p), x
    cdef double cap = 1.0 / (1.0 - p.beta_forgetting)
    if level * w >= a:
        x = (level * w - a) / (1.0 - level) if level < 1.0 else cap
        return (x if x < cap else cap, 0.0)
    x = (a - level * w) / level if level > 0.0 else cap
    return (0.0, x if x < cap else cap)


cdef inline double referral_trust(double via, Trust p) noexcept:
    """Personal trust a new tie starts with: baseline plus trust through common partners (T5)."""
    cdef double out = p.baseline + p.referral_weight * via
    return 1.0 if out > 1.0 else out


# ------------------------------------------------------------------ the rules, as chosen

cdef class TrustRule:
    """A rule for personal trust on every tie; the run chooses one (``trust.rule``).

    ``set_rates`` fixes this month's steps, ``month`` updates every tie and writes the
    combined trust partners act on, ``start`` gives a new tie its trust, ``reset`` and
    ``let_down`` are the losses of turnover and broken pledges.
    """

    def __init__(self, Trust p):
        self.p = p

    cpdef void set_rates(self, double spanners, double ta):
        """This month's steps: cross-sector gains need spanners, TA speeds both (M1, M9, M33).

        ``spanners`` is the share of backbone positions filled. Cross-sector ties gain more
        slowly but lose at the base rate; boundary spanners speed gains only.
        """
        raise NotImplementedError

    cpdef void month(self, ties):
        """Update personal and institutional trust on every pair, then ``ties.trust``."""
        raise NotImplementedError

    cpdef void start(self, ties, const cnp.int64_t[::1] pairs, const double[::1] via):
        """New ties on ``pairs`` start at referral trust ``via`` (T5); no institutional trust."""
        cdef double[::1] personal = ties.personal, institutional = ties.institutional
        cdef double[::1] trust = ties.trust
        cdef const double[::1] formality = ties.formality
        cdef Py_ssize_t c
        cdef cnp.int64_t k
        for c in range(pairs.shape[0]):
            k = pairs[c]
            personal[k] = self.personal_at(k, referral_trust(via[c], self.p), ties)
            institutional[k] = 0.0
            trust[k] = combined(personal[k], 0.0, formality[k], self.p)

    cdef double personal_at(self, cnp.int64_t k, double level, ties):
        """Personal trust of a new tie on pair ``k`` whose referral trust is ``level``."""
        return level

    cpdef void prior(self, ties):
        """Give the pre-existing ties the state this rule needs for their trust (none)."""

    cpdef void combine(self, ties):
        """Write the combined trust of every pair into ``ties.trust`` (zero where untied; T4)."""
        cdef const cnp.npy_bool[::1] tie = ties.tie
        cdef const double[::1] personal = ties.personal, institutional = ties.institutional
        cdef const double[::1] formality = ties.formality
        cdef double[::1] trust = ties.trust
        cdef Py_ssize_t k
        for k in range(tie.shape[0]):
            trust[k] = combined(personal[k], institutional[k], formality[k], self.p) if tie[k] else 0.0

    cpdef void reset(self, ties, const cnp.int64_t[::1] pairs, double keep):
        """A leader or coordinator leaves: ``pairs`` keep the share ``keep`` (T4; M6, M7)."""
        raise NotImplementedError

    cpdef void let_down(self, ties, const cnp.int64_t[::1] pairs):
        """A let-down outside the tie month, e.g. a broken pledge (M29), on ``pairs``."""
        raise NotImplementedError


cdef class AsymmetricTrust(TrustRule):
    """Asymmetric bounded updating with a negativity bias and decay (T1, T2)."""

    cpdef void set_rates(self, double spanners, double ta):
        """Gain ``gain_rate`` per win, slower across sectors and faster with spanners and TA.

        A let-down costs ``loss_ratio`` times the base gain (T1; M1, M9, M33).
        """
        cdef Trust p = self.p
        cdef double boost = 1.0 + p.ta_boost * ta
        cdef double cross = p.gain_rate * boost * p.cross_sector_gain * (1.0 + p.spanner_boost
                                                                        * spanners)
        cdef double within = p.gain_rate * boost
        cdef double loss = p.loss_ratio * p.gain_rate * boost
        self.gain_cross = cross if cross < 1.0 else 1.0
        self.gain_within = within if within < 1.0 else 1.0
        self.loss = loss if loss < 1.0 else 1.0

    cpdef void month(self, ties):
        """T1, T2, T4 on every pair; untied pairs keep zero trust."""
        cdef Trust p = self.p
        cdef const cnp.npy_bool[::1] tie = ties.tie, interacted = ties.interacted
        cdef const cnp.npy_bool[::1] cross = ties.cross
        cdef const signed char[::1] signal = ties.signal
        cdef const double[::1] age = ties.age, formality = ties.formality
        cdef double[::1] personal = ties.personal, institutional = ties.institutional
        cdef double[::1] trust = ties.trust
        cdef Py_ssize_t k
        cdef double new, inst, gain
        for k in range(tie.shape[0]):
            gain = self.gain_cross if cross[k] else self.gain_within
            new = asymmetric_step(personal[k], signal[k], tie[k] and not interacted[k], gain,
                                  self.loss, age[k], p)
            inst = institutional[k]
            if tie[k]:
                inst = institutional_step(inst, new, formality[k], p)
            personal[k] = clip01(new)
            institutional[k] = clip01(inst)
            trust[k] = combined(personal[k], institutional[k], formality[k], p) if tie[k] else 0.0

    cpdef void reset(self, ties, const cnp.int64_t[::1] pairs, double keep):
        """``P <- keep*P + (1-keep)*baseline`` on tied pairs, untied stay at zero (M6, M7)."""
        cdef double[::1] personal = ties.personal
        cdef const cnp.npy_bool[::1] tie = ties.tie
        cdef Py_ssize_t c
        cdef cnp.int64_t k
        for c in range(pairs.shape[0]):
            k = pairs[c]
            personal[k] = keep * personal[k] + (1.0 - keep) * self.p.baseline if tie[k] else 0.0

    cpdef void let_down(self, ties, const cnp.int64_t[::1] pairs):
        """``P <- P - min(1, loss_ratio*gain_rate)*P`` (T1; M29)."""
        cdef double[::1] personal = ties.personal
        cdef double loss = self.p.loss_ratio * self.p.gain_rate
        loss = loss if loss < 1.0 else 1.0
        cdef Py_ssize_t c
        for c in range(pairs.shape[0]):
            personal[pairs[c]] = personal[pairs[c]] - loss * personal[pairs[c]]


cdef class BetaReputationTrust(TrustRule):
    """Personal trust as the mean of a Beta posterior over forgotten evidence (T3).

    Each tie holds evidence of wins ``r`` and let-downs ``s``. Every month both are
    discounted by ``beta_forgetting``, then a win adds the month's gain and a let-down the
    month's loss, and ``P`` is the mean of ``Beta(r + a, s + b)`` with prior pseudo-counts
    ``a = W*baseline``, ``b = W*(1-baseline)`` (Jøsang & Ismail 2002). As evidence is
    forgotten, trust returns to the baseline.
    """

    cpdef void set_rates(self, double spanners, double ta):
        """A win adds evidence scaled like T1's gain, a let-down ``beta_negative_weight`` (T3).

        Cross-sector ties gain less, boundary spanners and TA more (M1, M9, M33).
        """
        cdef Trust p = self.p
        cdef double boost = 1.0 + p.ta_boost * ta
        self.gain_cross = boost * p.cross_sector_gain * (1.0 + p.spanner_boost * spanners)
        self.gain_within = boost
        self.loss = p.beta_negative_weight * boost

    cpdef void month(self, ties):
        """T3, T4 on every tied pair: this month's wins and let-downs become evidence (M1).

        Untied pairs are left as they are.
        """
        cdef Trust p = self.p
        cdef const cnp.npy_bool[::1] tie = ties.tie, cross = ties.cross
        cdef const signed char[::1] signal = ties.signal
        cdef const double[::1] formality = ties.formality
        cdef double[::1] personal = ties.personal, institutional = ties.institutional
        cdef double[::1] positive = ties.positive, negative = ties.negative
        cdef double[::1] trust = ties.trust
        cdef Py_ssize_t k
        cdef double r, s, mean
        for k in range(tie.shape[0]):
            if tie[k]:
                r = p.beta_forgetting * positive[k]
                s = p.beta_forgetting * negative[k]
                if signal[k] > 0:
                    r += self.gain_cross if cross[k] else self.gain_within
                if signal[k] < 0:
                    s += self.loss
                mean = beta_mean(r, s, p)
                positive[k] = r
                negative[k] = s
                personal[k] = clip01(mean)
                institutional[k] = clip01(institutional_step(institutional[k], mean,
                                                            formality[k], p))
                trust[k] = combined(personal[k], institutional[k], formality[k], p)
            else:
                trust[k] = 0.0

    cdef double personal_at(self, cnp.int64_t k, double level, ties):
        """The least evidence whose mean is the referral trust, and that mean (T3, T5)."""
        cdef double[::1] positive = ties.positive, negative = ties.negative
        positive[k], negative[k] = evidence_for(level, self.p)
        return beta_mean(positive[k], negative[k], self.p)

    cpdef void prior(self, ties):
        """Pre-existing ties hold the evidence of their trust, and its mean as ``P`` (T3)."""
        cdef const cnp.npy_bool[::1] tie = ties.tie
        cdef double[::1] personal = ties.personal
        cdef double[::1] positive = ties.positive, negative = ties.negative
        cdef Py_ssize_t k
        for k in range(tie.shape[0]):
            if tie[k]:
                positive[k], negative[k] = evidence_for(personal[k], self.p)
                personal[k] = beta_mean(positive[k], negative[k], self.p)

    cpdef void reset(self, ties, const cnp.int64_t[::1] pairs, double keep):
        """Tied pairs keep the share ``keep`` of their evidence (T3, T4; M6, M7)."""
        cdef double[::1] personal = ties.personal
        cdef double[::1] positive = ties.positive, negative = ties.negative
        cdef const cnp.npy_bool[::1] tie = ties.tie
        cdef Py_ssize_t c
        cdef cnp.int64_t k
        for c in range(pairs.shape[0]):
            k = pairs[c]
            if tie[k]:
                positive[k] = keep * positive[k]
                negative[k] = keep * negative[k]
                personal[k] = beta_mean(positive[k], negative[k], self.p)

    cpdef void let_down(self, ties, const cnp.int64_t[::1] pairs):
        """``s <- s + beta_negative_weight``, then ``P`` is the new mean (T3; M29)."""
        cdef double[::1] personal = ties.personal
        cdef double[::1] positive = ties.positive, negative = ties.negative
        cdef Py_ssize_t c
        cdef cnp.int64_t k
        for c in range(pairs.shape[0]):
            k = pairs[c]
            negative[k] = negative[k] + self.p.beta_negative_weight
        for c in range(pairs.shape[0]):
            k = pairs[c]
            personal[k] = beta_mean(positive[k], negative[k], self.p)


TRUST_RULES = {"asymmetric": AsymmetricTrust, "beta_reputation": BetaReputationTrust}
"""The personal-trust rules by their ``trust.rule`` name."""
