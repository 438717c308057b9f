"""Plain per-edge reference of the tie-level update (science_anchors T1, T2, T4, N1, N3).

Everything here is written one edge or one candidate pair at a time, with ``math`` and
Python loops over a networkx graph, straight from the formulas in the docstrings of
``agents/ties.py`` and in science_anchors §4. It shares no code with the numpy kernels, so
the differential test in ``test_ties_reference.py`` checks the fast path against it.

Data layout
-----------
``graph``: a networkx Graph whose nodes carry ``commitment``, ``taking_part`` and
``attend`` and whose edges are the current ties, each with ``personal``,
``institutional``, ``age``, ``formality``, ``gain``, ``q_neg`` and the pre-drawn uniforms
``u_interact``, ``u_signal`` and ``u_dissolve``.

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

    Order: interaction, signal, two-layer trust, ageing by one month, combined trust,
    dissolution hazard on ties (bridge = no common partner in the graph before the
    update), formation chance on untied pairs. A tie dissolves when its ``u_dissolve`` is
    below the hazard; a pair forms a tie when its ``u_form`` is below the chance.
    """
    edges: dict[tuple[int, int], EdgeResult] = {}
    for a, b, e in graph.edges(data=True):
        i, j = min(a, b), max(a, b)
        ni, nj = graph.nodes[i], graph.nodes[j]
        did = interacts(ni, nj, e["u_interact"], bilateral_rate)
        win, let_down = signal(did, q_pos, e["q_neg"], e["u_signal"])
        personal, institutional = trust_update(e["personal"], e["institutional"], did, win,
                                               let_down, e["gain"], e["age"], e["formality"],
                                               trust_p)
        age = e["age"] + 1.0
        trust = combined(personal, institutional, e["formality"])
        bridge = common_partners(graph, i, j) == 0
        hazard = dissolution(age, trust, bridge, post_grant, ties_p)
        edges[(i, j)] = EdgeResult(did, win, let_down, personal, institutional, age, trust,
                                   hazard, e["u_dissolve"] < hazard)
    pairs: dict[tuple[int, int], PairResult] = {}
    for (i, j), c in candidates.items():
        ni, nj = graph.nodes[i], graph.nodes[j]
        coattend = bool(ni["attend"] and nj["attend"])
        prob = formation(coattend, common_partners(graph, i, j), c["complementarity"],
                         c["distance"], c["openness"], ties_p)
        pairs[(i, j)] = PairResult(prob, c["u_form"] < prob)
    return edges, pairs
