"""Tie-level behaviour, computed in bulk over edge arrays (one entry per organization pair).

These kernels are pure functions of arrays. Random draws come in as arrays of uniforms, so
the plain per-edge reference in ``tests/reference.py`` can replay the same draws and must
reproduce the fast path exactly on small graphs.
"""

from __future__ import annotations

import numpy as np

from sim.params import Ties, Trust


def interactions(tie: np.ndarray, both_in: np.ndarray, commit_min: np.ndarray,
                 coattend: np.ndarray, bilateral_rate: float, u: np.ndarray) -> np.ndarray:
    """Which ties interact this month: co-attendance at a convening or bilateral work.

    Bilateral work needs both partners taking part, at a rate scaled by the less committed
    partner (M1 "consistent communication"; M33 coaches work between meetings).
    """
    p_bilateral = bilateral_rate * commit_min * both_in
    return tie & (coattend | (u < p_bilateral))


def signals(interacted: np.ndarray, q_pos: np.ndarray, q_neg: np.ndarray,
            u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positive (small win) and negative (let-down) signals on interacting ties.

    One uniform per tie: below ``q_pos`` a shared small win (science_anchors §4.6), above
    or at ``1 - q_neg`` a let-down (broken pledge, power gap: M3, M29).
    """
    pos = interacted & (u < q_pos)
    neg = interacted & ~pos & (u >= 1.0 - q_neg)
    return pos, neg


def trust_step(personal: np.ndarray, institutional: np.ndarray, tie: np.ndarray,
               interacted: np.ndarray, pos: np.ndarray, neg: np.ndarray, gain: np.ndarray,
               age: np.ndarray, formality: np.ndarray, p: Trust,
               loss: np.ndarray | float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Two-layer trust update (science_anchors T1, T2, T4; M1-M3, M7).

    Personal trust rises by ``gain*(1-P)`` on a win and falls by ``loss*P`` on a let-down,
    where ``loss`` defaults to ``min(1, loss_ratio*gain)`` (negativity bias, Slovic 1993).
    Without interaction it relaxes to the baseline, more slowly on older ties (Burt 2001).
    Institutional trust moves towards personal trust in proportion to the tie's formality
    (agreements, budget lines, shared data) and erodes where formality is missing
    (Zaheer et al. 1998). Both stay in [0, 1].
    """
    if loss is None:
        loss = np.minimum(1.0, p.loss_ratio * gain)
    idle = tie & ~interacted
    decay = p.decay_rate / (1.0 + p.age_slowing * age)
    P = (personal + pos * (gain * (1.0 - personal)) - neg * (loss * personal)
         - idle * (decay * (personal - p.baseline)))
    I = (institutional  # noqa: E741
         + tie * (p.formalization_transfer * formality * (P - institutional)
                  - p.institutional_decay * (1.0 - formality) * institutional))
    return P.clip(0.0, 1.0), I.clip(0.0, 1.0)


def combined_trust(personal: np.ndarray, institutional: np.ndarray,
                   formality: np.ndarray) -> np.ndarray:
    """Trust on a tie: ``w*P + (1-w)*I``, the personal weight falling with formality (T4)."""
    w = 1.0 - 0.5 * formality
    return w * personal + (1.0 - w) * institutional


def formation_probability(tie: np.ndarray, coattend: np.ndarray, common: np.ndarray,
                          complementarity: np.ndarray, near: np.ndarray,
                          openness: np.ndarray, p: Ties) -> np.ndarray:
    """Monthly chance an untied pair forms a tie (science_anchors N1; M1, M4, M10, M11).

    Three routes: meeting at a convening, introductions through common partners (saturating
    in their number), and chance encounters that fade with distance. Complementary
    (cross-sector) pairs form more readily; pairs involving a dense prior cluster form less
    (insularity, M10). ``near`` is ``exp(-distance / travel_scale_km)``. Already-tied pairs
    get zero.
    """
    miss = (1.0 - p.convening_rate * coattend)
    miss = miss * (1.0 - p.common_partner_rate * common / (1.0 + common) * near)
    miss = miss * (1.0 - p.spontaneous_rate * near)
    prob = (1.0 - miss) * complementarity * openness
    return np.where(tie, 0.0, np.minimum(prob, 1.0))


def dissolution_hazard(tie: np.ndarray, age: np.ndarray, trust: np.ndarray, bridge: np.ndarray,
                       post_grant: bool, p: Ties) -> np.ndarray:
    """Monthly chance an existing tie dissolves (science_anchors N3; Burt 2002).

    Falls with tie age and trust, rises for bridges (no common partner) and after the
    grant money ends. Untied pairs get zero.
    """
    h = (p.dissolution_rate * np.exp(-p.age_protection * age - p.trust_protection * trust)
         * (1.0 + p.bridge_factor * bridge) * (1.0 + p.postgrant_factor * post_grant))
    return np.where(tie, np.minimum(h, 1.0), 0.0)
