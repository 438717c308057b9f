"""Plain per-edge reference of the tie-level update (science_anchors T1-T4, N1, N3).

Everything here is written one edge or one candidate pair at a time, with ``math`` and
Python loops over a networkx graph, straight from the formulas in the docstrings of
``agents/ties.py`` and in science_anchors §4. It shares no code with the numpy kernels, so
the differential test in ``test_ties_reference.py`` checks the fast path against it.

Data layout
-----------
``graph``: a networkx Graph whose nodes carry ``commitment``, ``taking_part`` and
``attend`` and whose edges are the current ties, each with ``personal``,
``institutional``, ``age``, ``formality``, ``gain``, ``q_neg`` and the pre-drawn uniforms
``u_interact``, ``u_signal`` and ``u_dissolve``. Under the Beta-reputation rule (T3) each
edge also carries its evidence ``positive`` and ``negative`` and ``w_neg``, the evidence a
let-down adds; ``gain`` is then the evidence a win adds.

``candidates``: one dict per untied pair ``(i, j)`` with ``distance``,
``complementarity``, ``openness`` and the pre-drawn uniform ``u_form``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import networkx as nx

from sim.params import Ties, Trust


def committed(node: dict) -> float:
    """Commitment that counts for work on a tie: zero for an organization not taking part."""
    return node["commitment"] if node["taking_part"] else 0.0


def interacts(node_i: dict, node_j: dict, u: float, bilateral_rate: float) -> bool:
    """A tie interacts if both partners attended the convening, or by bilateral work.

    Bilateral work happens with chance ``bilateral_rate * min(commitment)`` and only if both
    partners take part with positive commitment.
    """
    if node_i["attend"] and node_j["attend"]:
        return True
    weakest = min(committed(node_i), committed(node_j))
    if weakest <= 0.0:
        return False
    return u < bilateral_rate * weakest


def signal(interacted: bool, q_pos: float, q_neg: float, u: float) -> tuple[bool, bool]:
    """(win, let-down) on one tie: a win below ``q_pos``, a let-down at or above
    ``1 - q_neg`` unless it was already a win; nothing without interaction."""
    if not interacted:
        return False, False
    if u < q_pos:
        return True, False
    if u >= 1.0 - q_neg:
        return False, True
    return False, False


def clamp(x: float) -> float:
    """Keep a trust value in [0, 1]."""
    return min(1.0, max(0.0, x))


def trust_update(personal: float, institutional: float, interacted: bool, win: bool,
                 let_down: bool, gain: float, age: float, formality: float,
                 p: Trust, loss: float | None = None) -> tuple[float, float]:
    """Two-layer trust on one existing tie.

    T1: a win adds ``gain * (1 - P)``; a let-down removes ``loss * P``, with ``loss``
    defaulting to ``min(1, loss_ratio * gain)``.
    T2: an idle tie relaxes towards the baseline at ``decay_rate / (1 + age_slowing * age)``.
    T4: institutional trust moves towards the new personal trust at
    ``formalization_transfer * formality`` and erodes at
    ``institutional_decay * (1 - formality)``. Both are clamped to [0, 1] at the end.
    """
    new_p = personal
    if win:
        new_p = new_p + gain * (1.0 - personal)
    if let_down:
        alpha_minus = min(1.0, p.loss_ratio * gain) if loss is None else loss
        new_p = new_p - alpha_minus * personal
    if not interacted:
        delta = p.decay_rate / (1.0 + p.age_slowing * age)
        new_p = new_p - delta * (personal - p.baseline)
    towards = p.formalization_transfer * formality * (new_p - institutional)
    erosion = p.institutional_decay * (1.0 - formality) * institutional
    new_i = institutional + towards - erosion
    return clamp(new_p), clamp(new_i)


def beta_prior(p: Trust) -> tuple[float, float]:
    """T3 prior pseudo-counts: the prior weight split as baseline : 1 - baseline."""
    return p.beta_prior_weight * p.baseline, p.beta_prior_weight * (1.0 - p.baseline)


def beta_mean(positive: float, negative: float, p: Trust) -> float:
    """T3: the expected value of Beta(r + a, s + b)."""
    a, b = beta_prior(p)
    return (positive + a) / (positive + negative + a + b)


def beta_trust_update(institutional: float, positive: float, negative: float, win: bool,
                      let_down: bool, w_pos: float, w_neg: float, formality: float,
                      p: Trust) -> tuple[float, float, float, float]:
    """Beta-reputation trust on one existing tie: (personal, institutional, r, s).

    T3: ``r <- phi*r + w_pos*win``, ``s <- phi*s + w_neg*let_down`` with the forgetting
    factor ``phi``; personal trust is the Beta mean of the new evidence, whatever it was
    before. T4 as in :func:`trust_update`, then institutional trust is clamped to [0, 1].
    """
    phi = p.beta_forgetting
    r = phi * positive + (w_pos if win else 0.0)
    s = phi * negative + (w_neg if let_down else 0.0)
    personal = beta_mean(r, s, p)
    towards = p.formalization_transfer * formality * (personal - institutional)
    erosion = p.institutional_decay * (1.0 - formality) * institutional
    return clamp(personal), clamp(institutional + towards - erosion), r, s


def evidence_for(level: float, p: Trust) -> tuple[float, float]:
    """T3: the least (r, s) whose Beta mean is ``level``, each capped at ``1/(1 - phi)``.

    At or above the prior mean ``a/(a+b)``: ``s = 0`` and ``(r + a)/(r + a + b) = level``;
    below it: ``r = 0`` and ``a/(s + a + b) = level``.
    """
    a, b = beta_prior(p)
    cap = 1.0 / (1.0 - p.beta_forgetting)
    if level * (a + b) >= a:
        r = cap if level >= 1.0 else (level * (a + b) - a) / (1.0 - level)
        return min(r, cap), 0.0
    s = cap if level <= 0.0 else a / level - (a + b)
    return 0.0, min(s, cap)


def beta_reset(positive: float, negative: float, keep: float,
               p: Trust) -> tuple[float, float, float]:
    """T3 with T4 turnover: the tie keeps the share ``keep`` of its evidence; (P, r, s)."""
    r, s = keep * positive, keep * negative
    return beta_mean(r, s, p), r, s


def combined(personal: float, institutional: float, formality: float) -> float:
    """T4: ``w * P + (1 - w) * I`` with the personal weight ``w = 1 - formality / 2``."""
    w = 1.0 - formality / 2.0
    return w * personal + (1.0 - w) * institutional


def formation(coattend: bool, common: int, complementarity: float, distance: float,
              openness: float, p: Ties) -> float:
    """N1: chance an untied pair forms a tie this month.

    The pair misses each of three routes independently: meeting at a convening,
    introduction through common partners (saturating as ``c / (1 + c)``, fading with
    distance), and a chance encounter fading with distance.
    """
    near = math.exp(-distance / p.travel_scale_km)
    miss_convening = 1.0 - p.convening_rate * (1.0 if coattend else 0.0)
    miss_referral = 1.0 - p.common_partner_rate * (common / (1.0 + common)) * near
    miss_chance = 1.0 - p.spontaneous_rate * near
    prob = (1.0 - miss_convening * miss_referral * miss_chance) * complementarity * openness
    return min(prob, 1.0)


def dissolution(age: float, trust: float, bridge: bool, post_grant: bool, p: Ties) -> float:
    """N3: ``h0 * exp(-gamma * age - theta_T * trust) * (1 + eta_b * bridge)
    * (1 + eta_G * post_grant)``, capped at 1."""
    h = p.dissolution_rate * math.exp(-p.age_protection * age) * math.exp(
        -p.trust_protection * trust)
    if bridge:
        h *= 1.0 + p.bridge_factor
    if post_grant:
        h *= 1.0 + p.postgrant_factor
    return min(h, 1.0)


@dataclass
class EdgeResult:
    """What the update produced on one existing tie."""

    interacted: bool
    win: bool
    let_down: bool
    personal: float
    institutional: float
    age: float
    trust: float
    hazard: float
    dissolves: bool
    positive: float = 0.0
    negative: float = 0.0


@dataclass
class PairResult:
    """What the update produced on one untied pair."""

    probability: float
    forms: bool


def common_partners(graph: nx.Graph, i: int, j: int) -> int:
    """Number of organizations tied to both ``i`` and ``j``."""
    return len(set(graph.neighbors(i)) & set(graph.neighbors(j)))


def tie_update(graph: nx.Graph, candidates: dict[tuple[int, int], dict], q_pos: float,
               bilateral_rate: float, post_grant: bool, trust_p: Trust,
               ties_p: Ties) -> tuple[dict[tuple[int, int], EdgeResult],
                                      dict[tuple[int, int], PairResult]]:
    """One month of the tie-level update, edge by edge and pair by pair.

    Order: interaction, signal, two-layer trust (T1/T2, or T3 under
    ``trust_p.rule = "beta_reputation"``), ageing by one month, combined trust,
    dissolution hazard on ties (bridge = no common partner in the graph before the
    update), formation chance on untied pairs. A tie dissolves when its ``u_dissolve`` is
    below the hazard; a pair forms a tie when its ``u_form`` is below the chance.
    """
    edges: dict[tuple[int, int], EdgeResult] = {}
    beta = trust_p.rule == "beta_reputation"
    for a, b, e in graph.edges(data=True):
        i, j = min(a, b), max(a, b)
        ni, nj = graph.nodes[i], graph.nodes[j]
        did = interacts(ni, nj, e["u_interact"], bilateral_rate)
        win, let_down = signal(did, q_pos, e["q_neg"], e["u_signal"])
        positive = negative = 0.0
        if beta:
            personal, institutional, positive, negative = beta_trust_update(
                e["institutional"], e["positive"], e["negative"], win, let_down, e["gain"],
                e["w_neg"], e["formality"], trust_p)
        else:
            personal, institutional = trust_update(e["personal"], e["institutional"], did,
                                                   win, let_down, e["gain"], e["age"],
                                                   e["formality"], trust_p)
        age = e["age"] + 1.0
        trust = combined(personal, institutional, e["formality"])
        bridge = common_partners(graph, i, j) == 0
        hazard = dissolution(age, trust, bridge, post_grant, ties_p)
        edges[(i, j)] = EdgeResult(did, win, let_down, personal, institutional, age, trust,
                                   hazard, e["u_dissolve"] < hazard, positive, negative)
    pairs: dict[tuple[int, int], PairResult] = {}
    for (i, j), c in candidates.items():
        ni, nj = graph.nodes[i], graph.nodes[j]
        coattend = bool(ni["attend"] and nj["attend"])
        prob = formation(coattend, common_partners(graph, i, j), c["complementarity"],
                         c["distance"], c["openness"], ties_p)
        pairs[(i, j)] = PairResult(prob, c["u_form"] < prob)
    return edges, pairs
