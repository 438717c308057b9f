"""Tie-level behaviour over edge arrays (one entry per organization pair).

Each rule is written once, for one pair, in the compiled module ``agents._tie_kernels``;
``tie_update`` and ``tie_turnover`` run the whole month over every pair in two compiled
loops, and the functions here apply one rule to whole arrays. Random draws come in as
arrays of uniforms, so the plain per-edge reference in ``tests/reference.py`` can replay
the same draws and must reproduce the compiled path on small graphs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from agents import _tie_kernels as _k

if TYPE_CHECKING:  # annotations only: importing sim here would import sim.model first
    from sim.params import Ties, Trust


def _ready(x: object, dtype: type, m: int) -> bool:
    """Whether ``x`` is already a contiguous ``(m,)`` array of ``dtype`` (no copy needed)."""
    return (type(x) is np.ndarray and x.dtype == dtype and x.shape == (m,)
            and x.flags.c_contiguous)


def _bits(x: np.ndarray | bool, m: int) -> np.ndarray:
    """A boolean array as the compiled code reads it (uint8, contiguous)."""
    if _ready(x, bool, m):
        return x.view(np.uint8)
    return np.ascontiguousarray(np.broadcast_to(np.asarray(x, dtype=bool), (m,))).view(np.uint8)


def _reals(x: np.ndarray | float, m: int) -> np.ndarray:
    """A float array as the compiled code reads it (float64, contiguous)."""
    if _ready(x, float, m):
        return x
    return np.ascontiguousarray(np.broadcast_to(np.asarray(x, dtype=float), (m,)))


def interactions(tie: np.ndarray, both_in: np.ndarray, commit_min: np.ndarray,
                 coattend: np.ndarray, bilateral_rate: float, u: np.ndarray) -> np.ndarray:
    """Which ties interact this month: co-attendance at a convening or bilateral work.

    Bilateral work needs both partners taking part, at a rate scaled by the less committed
    partner (M1 "consistent communication"; M33 coaches work between meetings).
    """
    m = len(tie)
    out = np.zeros(m, dtype=bool)
    _k.interactions(_bits(tie, m), _bits(both_in, m), _reals(commit_min, m), _bits(coattend, m),
                    float(bilateral_rate), _reals(u, m), out.view(np.uint8))
    return out


def signals(interacted: np.ndarray, q_pos: np.ndarray, q_neg: np.ndarray,
            u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positive (small win) and negative (let-down) signals on interacting ties.

    One uniform per tie: below ``q_pos`` a shared small win (science_anchors §4.6), above
    or at ``1 - q_neg`` a let-down (broken pledge, power gap: M3, M29).
    """
    m = len(interacted)
    sig = np.zeros(m, dtype=np.int8)
    _k.signals(_bits(interacted, m), _reals(q_pos, m), _reals(q_neg, m), _reals(u, m), sig)
    return sig > 0, sig < 0


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
    m = len(personal)
    gain = _reals(gain, m)
    if loss is None:
        loss = np.minimum(1.0, p.loss_ratio * gain)
    P = np.array(personal, dtype=float)
    I = np.array(institutional, dtype=float)  # noqa: E741
    _k.trust_step(P, I, _bits(tie, m), _bits(interacted, m), _bits(pos, m), _bits(neg, m), gain,
                  _reals(loss, m), _reals(age, m), _reals(formality, m), p)
    return P, I


def beta_trust_step(personal: np.ndarray, institutional: np.ndarray, positive: np.ndarray,
                    negative: np.ndarray, tie: np.ndarray, pos: np.ndarray, neg: np.ndarray,
                    w_pos: np.ndarray | float, w_neg: np.ndarray | float,
                    formality: np.ndarray, p: Trust
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Beta-reputation trust update, the alternative to :func:`trust_step` (T3, T4).

    Each tie holds positive evidence ``r`` and negative evidence ``s``. Every month both are
    discounted by ``beta_forgetting``, then a win adds ``w_pos`` to ``r`` and a let-down
    ``w_neg`` to ``s``. Personal trust is the expected value of ``Beta(r + a, s + b)``, with
    prior pseudo-counts ``a = W*baseline`` and ``b = W*(1 - baseline)`` for the prior weight
    ``W = beta_prior_weight`` (Jøsang & Ismail 2002): it stays in [0, 1] and, as evidence
    is forgotten, returns to the baseline. Institutional trust follows personal trust as in
    :func:`trust_step` (Zaheer et al. 1998). Untied pairs are left as they are. Returns
    personal and institutional trust and the two evidence arrays.
    """
    m = len(personal)
    P, I = np.array(personal, dtype=float), np.array(institutional, dtype=float)  # noqa: E741
    r, s = np.array(positive, dtype=float), np.array(negative, dtype=float)
    _k.beta_trust_step(P, I, r, s, _bits(tie, m), _bits(pos, m), _bits(neg, m),
                       _reals(w_pos, m), _reals(w_neg, m), _reals(formality, m), p)
    return P, I, r, s


def beta_mean(positive: np.ndarray, negative: np.ndarray, p: Trust) -> np.ndarray:
    """Personal trust from evidence: ``(r + a) / (r + s + a + b)`` (T3)."""
    m = len(positive)
    out = np.empty(m)
    _k.beta_means(_reals(positive, m), _reals(negative, m), p, out)
    return out


def beta_evidence(level: np.ndarray, p: Trust) -> tuple[np.ndarray, np.ndarray]:
    """The least evidence whose Beta mean is ``level`` (T3).

    Wins above the prior mean, let-downs below it, each at most
    ``1 / (1 - beta_forgetting)``: the evidence a tie holds with one unit event a month
    under forgetting. Levels that would need more (near 0 or 1) come out nearer the
    baseline. Pre-existing ties and new ties (referral trust, T5) start from this evidence
    under the Beta rule.
    """
    m = len(level)
    r, s = np.empty(m), np.empty(m)
    _k.evidence(_reals(level, m), p, r, s)
    return r, s


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
    m = len(tie)
    out = np.empty(m)
    _k.formation_probability(_bits(tie, m), _bits(coattend, m), _reals(common, m),
                             _reals(complementarity, m), _reals(near, m), _reals(openness, m),
                             p, out)
    return out


def dissolution_hazard(tie: np.ndarray, age: np.ndarray, trust: np.ndarray, bridge: np.ndarray,
                       post_grant: bool, p: Ties) -> np.ndarray:
    """Monthly chance an existing tie dissolves (science_anchors N3; Burt 2002).

    Falls with tie age and trust, rises for bridges (no common partner) and after the
    grant money ends. Untied pairs get zero.
    """
    m = len(tie)
    out = np.empty(m)
    _k.dissolution_hazard(_bits(tie, m), _reals(age, m), _reals(trust, m), _bits(bridge, m),
                          bool(post_grant), p, out)
    return out


def tie_update(ts, attend: np.ndarray, group: np.ndarray, regional: bool, cp: np.ndarray,
               common_matrix: np.ndarray, gain: np.ndarray, loss: np.ndarray | float,
               neg_base: np.ndarray,
               power: float, q_pos: float, formal_level: float, post_grant: bool,
               u: np.ndarray, trust_p: Trust, ties_p: Ties,
               out: dict[str, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """One month of every pair's rules, in order, updating the tie state ``ts`` in place.

    Interaction (:func:`interactions`), signals (:func:`signals`; ``q_neg`` is
    ``neg_base + power`` on ties with the lead, M3), two-layer trust (:func:`trust_step`, or
    :func:`beta_trust_step` under ``trust_p.rule = "beta_reputation"``, where ``gain`` and
    ``loss`` are the evidence a win and a let-down add),
    idle months and ageing, combined trust, then the formation chance of untied pairs and
    the hazard of ties (bridges have no common partner before this month's changes).
    Formality is the pair's own, or ``formal_level`` (required MOUs, shared data) when both
    partners take part (M13, T4). Co-attendance needs both at the same meeting: the same
    ``group`` unless the meeting is ``regional`` (M11). ``u`` holds three uniforms per pair.
    ``out``, a result of an earlier call, is filled again instead of new arrays.
    """
    m = len(ts.i)
    if out is None:
        out = {"interacted": np.zeros(m, dtype=bool), "signal": np.zeros(m, dtype=np.int8),
               "trust": np.empty(m), "common": np.empty(m), "p_form": np.empty(m),
               "hazard": np.empty(m)}
    _k.tie_update(ts.i, ts.j, ts.tie.view(np.uint8), ts.personal, ts.institutional,
                  ts.positive, ts.negative, ts.age,
                  ts.idle, ts.formality, ts.base_formality, attend.view(np.uint8), group,
                  bool(regional), cp, common_matrix, gain, _reals(loss, m), neg_base, float(power),
                  ts.lead_edge.view(np.uint8), float(q_pos), float(formal_level),
                  ts.complementarity, ts.near, ts.openness, bool(post_grant), u,
                  ties_p.bilateral_rate, trust_p, ties_p, out["interacted"].view(np.uint8),
                  out["signal"], out["trust"], out["common"], out["p_form"], out["hazard"])
    return out


def tie_turnover(ts, month: int, n: int, trust: np.ndarray, common: np.ndarray,
                 p_form: np.ndarray, hazard: np.ndarray, u_form: np.ndarray,
                 u_gone: np.ndarray, p: Trust) -> tuple[int, int]:
    """Dissolve ties whose uniform falls below the hazard, then form new ones (N1, N3; T5).

    A dissolved tie loses its trust (and evidence), age and agreement. A new tie starts at
    the baseline plus ``referral_weight`` times the trust carried through common partners,
    averaged over them (Gulati & Gargiulo 1999); under the Beta rule it starts from the
    evidence of that level (:func:`beta_evidence`). ``n`` is the number of organizations.
    Updates ``ts`` and ``trust`` in place; returns the number of ties formed and dissolved.
    """
    return _k.tie_turnover(month, ts.i, ts.j, ts.tie.view(np.uint8), ts.personal,
                           ts.institutional, ts.positive, ts.negative, ts.age, ts.idle,
                           ts.formed, ts.agreement.view(np.uint8), ts.base_formality,
                           ts.prior_formality, ts.formality, trust, common, p_form, hazard,
                           u_form, u_gone, p.baseline, p.referral_weight, np.zeros((n, n)), p)


def reset_personal(ts, pairs: np.ndarray, keep: float, p: Trust) -> None:
    """Personal trust on ``pairs`` falls back to ``keep*P + (1-keep)*baseline`` (T4; M6, M7).

    A departing leader or coordinator takes the person-carried part of trust along;
    institutional trust stays. Under the Beta rule the tie keeps the share ``keep`` of its
    evidence instead, so trust moves towards the baseline in the same proportion of its
    evidence (T3). Untied pairs stay at zero. Updates ``ts`` in place.
    """
    _k.reset_personal(ts.personal, ts.positive, ts.negative, ts.tie.view(np.uint8), pairs,
                      float(keep), p)


def let_down(ts, pairs: np.ndarray, p: Trust) -> None:
    """A let-down outside the tie month (a broken pledge, M29) on ``pairs``, in place.

    The asymmetric rule removes ``min(1, loss_ratio*gain_rate)*P`` (T1); the Beta rule adds
    ``beta_negative_weight`` to the negative evidence (T3).
    """
    if p.rule == "beta_reputation":
        ts.negative[pairs] += p.beta_negative_weight
        ts.personal[pairs] = beta_mean(ts.positive[pairs], ts.negative[pairs], p)
    else:
        loss = min(1.0, p.loss_ratio * p.gain_rate)
        ts.personal[pairs] -= loss * ts.personal[pairs]


def common_partners(ts, n: int, out: np.ndarray | None = None) -> np.ndarray:
    """Common partners of every two of the ``n`` organizations: ``A @ A`` of the ties (N1).

    Counts are exact integers, so the result equals the matrix product of the adjacency
    matrix with itself. Fills ``out`` if given.
    """
    out = np.empty((n, n)) if out is None else out
    _k.common_partners(ts.i, ts.j, ts.tie.view(np.uint8), out)
    return out
