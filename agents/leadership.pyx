# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Leader turnover and succession (L1, L2; M5, M6, M7; I3).

Leaders change at sector-specific annual rates (L1; Grissom & Andersen 2012, community
college CEO tenure studies). A departing leader takes the person-carried part of trust
along, except what onboarding and distributed leadership hand over (M6, M7; T4). The
successor is drawn afresh, a champion or not, with a disposition around the population's
or, if leaders are grown internally, the organization's own (M6 Elk Grove), so a change can
also help (SF8: "the opposite is always true"). Sedimented practice resists the change of
course (I3; Tolbert & Zucker 1996), also in the organization's mindset about CTE (M27). The
rules here are used by ``Organization.change_leader``, one organization at a time.
"""

from agents.params cimport Leadership, Params

from agents.codes import MONTHS_PER_YEAR


def monthly_hazard(annual):
    """Annual leader-change chances (L1) spread evenly over twelve monthly chances."""
    return 1.0 - (1.0 - annual) ** (1.0 / MONTHS_PER_YEAR)


cpdef double trust_kept(Params params):
    """Share of personal trust a tie keeps when a leader leaves (T4; M6, M7).

    The share ``turnover_retention`` stays anyway; of the rest, what onboarding or
    distributed leadership (M25) hand over stays too.
    """
    cdef Leadership p = params.leadership
    cdef double buffer = 1.0 - (1.0 - p.onboarding) * (1.0 - p.distributed_leadership)
    cdef double retention = params.trust.turnover_retention
    return retention + (1.0 - retention) * buffer


cpdef double successor_disposition(double current, bint champion, double z, Params params):
    """A new leader's disposition towards the consortium, 0-1 (L2; M5, M6).

    Drawn around the population's mean (``commitment.initial_mean``), or around the
    organization's ``current`` commitment if leaders are grown internally, with spread
    ``successor_spread`` (``z`` a standard normal draw); a champion adds
    ``champion_disposition``.
    """
    cdef Leadership p = params.leadership
    cdef double centre = current if p.grow_leaders else params.commitment.initial_mean
    cdef double draw = centre + p.successor_spread * z + p.champion_disposition * champion
    draw = draw if draw > 0.0 else 0.0
    return draw if draw < 1.0 else 1.0


cpdef double commitment_after_succession(double current, double disposition, double habit,
                                         Params params):
    """Commitment moves towards the successor's disposition, less where practice is sedimented (I3).

    Sedimentation is the habit relative to the level at which passages become possible.
    """
    cdef double threshold = params.institutionalization.passage_threshold
    cdef double sediment = habit / (threshold if threshold >= 1e-9 else 1e-9)
    sediment = sediment if sediment < 1.0 else 1.0
    return current + (1.0 - sediment) * (disposition - current)


cpdef double mindset_after_succession(double current, double newcomer, double habit,
                                      Params params):
    """An organization's mindset about CTE once a new leader arrives (M27; I3).

    The newcomer's own mindset pulls it by the share its leader carries,
    ``mindset.leader_weight``, less where practice is sedimented, as for commitment:
    ``current + (1 - sediment)*leader_weight*(newcomer - current)``. A low-mindset newcomer
    erodes it.
    """
    cdef double pulled = current + params.mindset.leader_weight * (newcomer - current)
    return commitment_after_succession(current, pulled, habit, params)
