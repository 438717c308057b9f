# cython: language_level=3, boundscheck=False, wraparound=False
"""The month's counts for the record, in one pass over organizations and pairs (§8.1)."""

cimport numpy as cnp

from agents.codes cimport Rung


def counts(orgs, ties, ladder, unsigned char[::1] collaboration, double[::1] part_w,
           double[::1] ever_w, double[::1] tie_w):
    """Counts of the month, and its collaboration edges packed as ``numpy.packbits`` does.

    Returns (taking part, active ties, active cross-sector ties, ties, ever taking part,
    employers engaged, employers at their pledge). A collaboration edge is an active tie
    between two organizations taking part. An engaged employer takes part at the speaker
    rung or above (D11); one at its pledge has reached the rung it pledged (SF16). Fills the
    masks of organizations taking part, ever taking part and of ties as 0/1 weights, for
    the dot products of the means.
    """
    cdef const cnp.int64_t[::1] ti = ties.i, tj = ties.j
    cdef const cnp.npy_bool[::1] tie = ties.tie, active = ties.active, cross = ties.cross
    cdef const cnp.npy_bool[::1] part = orgs.taking_part, ever = orgs.ever_part
    cdef const cnp.int64_t[::1] employers = ladder.employers, rung = ladder.rung
    cdef const cnp.int64_t[::1] pledged = ladder.pledged_rung
    cdef Py_ssize_t k, i, e
    cdef int n_part = 0, n_ever = 0, n_active = 0, n_cross = 0, n_ties = 0
    cdef int engaged = 0, met = 0
    cdef unsigned char byte = 0
    cdef bint on
    for i in range(part.shape[0]):
        n_part += part[i]
        n_ever += ever[i]
        part_w[i] = part[i]
        ever_w[i] = ever[i]
    for k in range(ti.shape[0]):
        n_ties += tie[k]
        tie_w[k] = tie[k]
        n_active += active[k]
        n_cross += active[k] and cross[k]
        on = active[k] and part[ti[k]] and part[tj[k]]
        byte |= on << (7 - k % 8)
        if k % 8 == 7:
            collaboration[k // 8] = byte
            byte = 0
    if ti.shape[0] % 8:
        collaboration[ti.shape[0] // 8] = byte
    for e in range(employers.shape[0]):
        i = employers[e]
        if part[i]:
            engaged += rung[i] >= Rung.SPEAKER
            met += rung[i] >= pledged[i]
    return n_part, n_active, n_cross, n_ties, n_ever, engaged, met
