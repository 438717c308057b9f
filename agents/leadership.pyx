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

The lead's leader also has a style, from directing (0) to coaching (1), and the consortium a
way of governing itself, a hierarchy under MOUs or shared, open control (M25, M26). The
rules at the end turn the two into the month's signals the other passes read: how much
leadership is distributed, how tie formation leans towards or away from the lead, how much
of the lead's power gap partners feel, what workgroups cost and what experiments cost in
visible wins, and the chance that a directive lead imposes its own agenda.
"""

from agents.numerics cimport clip01
from agents.params cimport Governance, Leadership, Params

from agents.codes import MONTHS_PER_YEAR


def monthly_hazard(annual):
    """Annual leader-change chances (L1) spread evenly over twelve monthly chances."""
    return 1.0 - (1.0 - annual) ** (1.0 / MONTHS_PER_YEAR)


cpdef double trust_kept(Params params, double distributed, bint supported=False):
    """Share of personal trust a tie keeps when a leader leaves (T4; M6, M7).

    The share ``turnover_retention`` stays anyway; of the rest, what onboarding or
    distributed leadership hand over stays too. ``distributed`` is the consortium's
    distributed leadership this month (:func:`distributed_leadership`; M25, M26). While
    the grant runs (``supported``), state-funded onboarding support covers the share
    ``grant.onboarding_support`` of what the region's own onboarding leaves uncovered (M6).
    """
    cdef Leadership p = params.leadership
    cdef double onboarding = p.onboarding
    if supported:
        onboarding = onboarding + params.grant.onboarding_support * (1.0 - onboarding)
    cdef double buffer = 1.0 - (1.0 - onboarding) * (1.0 - distributed)
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
# ------------------------------------------------------------------ the lead's style and governance

cdef inline bint shared_open(Params params):
    """Whether the consortium governs itself by shared, open control (M25)."""
    return params.governance.mode == "shared_open"


cpdef double leader_style(double z, Params params):
    """A lead leader's style, 0 a directive program director to 1 a coach (M26; L2).

    Drawn around ``leadership.coaching_mean`` with spread ``coaching_spread`` (``z`` a
    standard normal draw), clipped to 0-1.
    """
    cdef Leadership p = params.leadership
    return clip01(p.coaching_mean + p.coaching_spread * z)


cpdef double style_step(double style, double habits, Params params):
    """The lead's style after a month: the "activator" transition (M26).

    Once the mean habit of the partners taking part reaches ``activator_threshold``, the
    lead hands work to partners ("from being central characters to becoming activators")
    and its style closes ``activator_rate`` of the gap to full coaching each month: a
    culture of learning.
    """
    cdef Leadership p = params.leadership
    if habits >= p.activator_threshold:
        return style + p.activator_rate * (1.0 - style)
    return style


cpdef double imposition_chance(double style, Params params):
    """Monthly chance the lead imposes its own agenda: ``imposition_rate*(1 - style)`` (M26).

    "The moment I start to insert my own agenda or bias into the mix... They'll simply get
    up and walk away from the table": partners are let down on all the lead's ties.
    """
    return params.leadership.imposition_rate * (1.0 - style)


cpdef double distributed_leadership(double style, Params params):
    """Leadership spread beyond the lead this month, 0-1 (M6, M25, M26).

    ``leadership.distributed_leadership``, plus what workgroups and communities of
    practice add under shared control (``workgroup_leadership``) and what a coaching lead
    adds by deferring to others (``coaching_leadership*style``), at most 1.
    """
    cdef double level = (params.leadership.distributed_leadership
                         + params.governance.workgroup_leadership * shared_open(params)
                         + params.leadership.coaching_leadership * style)
    return level if level < 1.0 else 1.0


cpdef (double, double) formation_bias(double style, Params params):
    """Formation multipliers of pairs with the lead and of the other pairs (M25, M26).

    Under a hierarchy (hub and spoke) ties form towards the lead: ``1 + hub_focus`` with
    it, ``1 - hub_focus`` between other partners. Under shared control workgroups bring
    other partners together: ``1`` with the lead, ``1 + workgroup_formation`` between them.
    A coaching lead builds the network between partners: the second is multiplied by
    ``1 + coaching_formation*style``.
    """
    cdef Governance g = params.governance
    cdef double coaching = 1.0 + params.leadership.coaching_formation * style
    if shared_open(params):
        return 1.0, (1.0 + g.workgroup_formation) * coaching
    return 1.0 + g.hub_focus, (1.0 - g.hub_focus) * coaching


cpdef double peer_work(Params params):
    """Multiplier of bilateral work on ties between partners other than the lead (M25).

    Under shared control workgroups add ``workgroup_interaction``; under a hierarchy 1.
    """
    return 1.0 + params.governance.workgroup_interaction * shared_open(params)


cpdef double power_distance(double style, Params params):
    """Share of the lead's power gap (M3) partners feel, 0-1 (M25, M26).

    Shared control defuses ``shared_control`` of it, a coaching lead ``coaching_voice*style``
    of what is left.
    """
    return ((1.0 - params.governance.shared_control * shared_open(params))
            * (1.0 - params.leadership.coaching_voice * style))


cpdef double visible_output(double style, double habits, Params params):
    """Share of the month's quick wins a lead's experiments leave visible (M26, M14).

    A coaching lead spends effort "trying new strategies for collaboration" rather than on
    program outputs: ``1 - experiment_cost*style*(1 - habits)``, a cost that fades as the
    practice settles (``habits``, the mean habit of the partners taking part).
    """
    return 1.0 - params.leadership.experiment_cost * style * (1.0 - clip01(habits))


cpdef double coordination_left(double coordination, Params params):
    """Coordination left after running workgroups and communities of practice (M25, M21).

    Under shared control they take ``workgroup_cost``; never below zero.
    """
    cdef double left = coordination - params.governance.workgroup_cost * shared_open(params)
    return left if left > 0.0 else 0.0
