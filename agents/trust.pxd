# Declarations of the trust rules (agents/trust.pyx), for the tie passes in agents/ties.pyx.

cimport numpy as cnp

from agents.params cimport Trust


cdef class TrustRule:
    cdef readonly Trust p
    cdef readonly double gain_cross, gain_within, loss
    cpdef void set_rates(self, double spanners, double ta)
    cpdef void month(self, ties)
    cpdef void start(self, ties, const cnp.int64_t[::1] pairs, const double[::1] via)
    cpdef void prior(self, ties)
    cpdef void combine(self, ties)
    cpdef void reset(self, ties, const cnp.int64_t[::1] pairs, double keep)
    cpdef void let_down(self, ties, const cnp.int64_t[::1] pairs)
    cdef double personal_at(self, cnp.int64_t k, double level, ties)


cdef class AsymmetricTrust(TrustRule):
    pass


cdef class BetaReputationTrust(TrustRule):
    pass
