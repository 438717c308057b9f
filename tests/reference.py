"""Plain per-edge reference of the tie month (science_anchors T1-T5, N1, N3).

Everything here is written one edge or one candidate pair at a time, with ``math`` and
Python loops over a networkx graph, straight from the formulas in the docstrings of
``agents/ties.pyx`` and ``agents/trust.pyx`` and in science_anchors §4. It shares no code
with the compiled passes, so the differential test in ``test_ties_reference.py`` checks
the passes the model runs against it.

Data layout
-----------
``graph``: a networkx Graph whose nodes carry ``commitment``, ``taking_part``, ``attend``
and the meeting ``group`` they attend, and whose edges are the current ties, each with
``personal``, ``institutional``, ``age``, ``base_formality``, ``cross`` (a cross-sector
tie), ``lead_edge`` (a tie with the lead), ``q_neg`` (its base let-down chance) and the
pre-drawn uniforms ``u_interact``, ``u_signal`` and ``u_dissolve``. Under the
Beta-reputation rule (T3) each edge also carries its evidence ``positive`` and
``negative``.

``candidates``: one dict per untied pair ``(i, j)`` with ``distance``,
``complementarity``, ``openness``, ``base_formality``, ``lead_edge`` and the pre-drawn
uniform ``u_form``.

``signals``: the month's :class:`Signals`, what the consortium tells every tie.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import networkx as nx

from sim.params import Grant, Ties, Trust


@dataclass(frozen=True)
class Signals:
    """This month's consortium-level inputs to the tie month.

    ``agreements``: formal partnership agreements are required and the grant still runs;
    ``regional``: the whole region meets (else each group meets apart); ``spanners``: the
    share of backbone positions filled; ``ta``: technical assistance is active;
    ``post_grant``: state money has ended. Governance and the lead's style (M25, M26):
    ``peer_work`` multiplies bilateral work on ties without the lead, ``power_distance``
    the lead's power gap, ``lead_formation`` and ``peer_formation`` the formation chance of
    pairs with and without the lead.
    """

    vision: float
    data: float
    state_share: float
    agreements: bool
    regional: bool
    spanners: float
    ta: bool
    post_grant: bool
    peer_work: float = 1.0
    power_distance: float = 1.0
    lead_formation: float = 1.0
    peer_formation: float = 1.0


def committed(node: dict) -> float:
    """Commitment that counts for work on a tie: zero for an organization not taking part."""
    return node["commitment"] if node["taking_part"] else 0.0


def coattends(node_i: dict, node_j: dict, regional: bool) -> bool:
    """Both attended, and at the same meeting unless the whole region met."""
    return bool(node_i["attend"] and node_j["attend"]
                and (regional or node_i["group"] == node_j["group"]))


def interacts(node_i: dict, node_j: dict, u: float, bilateral_rate: float,
              regional: bool = True) -> bool:
    """A tie interacts if both partners were at the same meeting, or by bilateral work.

    Bilateral work happens with chance ``bilateral_rate * min(commitment)`` and only if both
    partners take part with positive commitment.
    """
    if coattends(node_i, node_j, regional):
        return True
    weakest = min(committed(node_i), committed(node_j))
    if weakest <= 0.0:
        return False
    return u < bilateral_rate * weakest


def win_chance(p: Trust, vision: float) -> float:
    """Chance an interaction is a small shared win: ``positive_rate * (wins_base + V)``, at
    most 1 (science_anchors §4.6; M2)."""
    return min(1.0, p.positive_rate * (p.wins_base + vision))


def power_gap(p: Trust, g: Grant, state_share: float, vision: float) -> float:
    """Extra let-down chance on ties with the lead while it controls the money (M3):
    ``power_gap_penalty * (1 - subgrant_share) * s * money * (1 - V)``."""
    money = 1.0 if g.money else 0.0
    return p.power_gap_penalty * (1.0 - g.subgrant_share) * state_share * money * (1.0 - vision)


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


def tie_formality(base: float, weakest: float, p: Trust, agreements: bool,
                  data: float) -> float:
    """A pair's formality this month (T4): its own, or, if both partners take part with
    positive commitment, what a required agreement or shared data gives it, if more."""
    if weakest <= 0.0:
        return base
    given = max(p.agreement_formality if agreements else 0.0, p.data_formality * data)
    return max(base, given)


def asymmetric_rates(p: Trust, spanners: float, ta: bool) -> tuple[float, float, float]:
    """T1 rates (gain across sectors, gain within, loss), each at most 1.

    TA multiplies all three by ``1 + ta_boost``; cross-sector gains are scaled by
    ``cross_sector_gain * (1 + spanner_boost * spanners)``; the loss is ``loss_ratio``
    times the within-sector gain (M1, M9, M33).
    """
    boost = 1.0 + (p.ta_boost if ta else 0.0)
    within = p.gain_rate * boost
    cross = within * p.cross_sector_gain * (1.0 + p.spanner_boost * spanners)
    return min(1.0, cross), min(1.0, within), min(1.0, p.loss_ratio * within)


def beta_rates(p: Trust, spanners: float, ta: bool) -> tuple[float, float, float]:
    """T3 evidence per event (win across sectors, win within, let-down), scaled like T1."""
    boost = 1.0 + (p.ta_boost if ta else 0.0)
    return (boost * p.cross_sector_gain * (1.0 + p.spanner_boost * spanners), boost,
            p.beta_negative_weight * boost)


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
    """T3 prior pseudo-counts of wins and let-downs: the prior weight split as
    baseline : 1 - baseline."""
    return p.beta_prior_weight * p.baseline, p.beta_prior_weight * (1.0 - p.baseline)


def beta_mean(positive: float, negative: float, p: Trust) -> float:
    """T3: the expected value of Beta(r + prior wins, s + prior let-downs)."""
    prior_wins, prior_letdowns = beta_prior(p)
    return (positive + prior_wins) / (positive + negative + prior_wins + prior_letdowns)


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

    With prior wins ``w`` and prior weight ``W``: at or above the prior mean ``w/W``,
    ``s = 0`` and ``(r + w)/(r + W) = level``; below it, ``r = 0`` and
    ``w/(s + W) = level``.
    """
    prior_wins, prior_letdowns = beta_prior(p)
    weight = prior_wins + prior_letdowns
    cap = 1.0 / (1.0 - p.beta_forgetting)
    if level * weight >= prior_wins:
        r = cap if level >= 1.0 else (level * weight - prior_wins) / (1.0 - level)
        return min(r, cap), 0.0
    s = cap if level <= 0.0 else prior_wins / level - weight
    return 0.0, min(s, cap)


def beta_reset(positive: float, negative: float, keep: float,
               p: Trust) -> tuple[float, float, float]:
    """T3 with T4 turnover: the tie keeps the share ``keep`` of its evidence; (P, r, s)."""
    r, s = keep * positive, keep * negative
    return beta_mean(r, s, p), r, s


def combined(personal: float, institutional: float, formality: float, p: Trust) -> float:
    """T4: personal trust, held up by institutional trust where that is higher.

    ``P + formality_weight * F * max(0, I - P)``: formality never pulls trust below ``P``.
    """
    return personal + p.formality_weight * formality * max(0.0, institutional - personal)


def formation(coattend: bool, common: int, complementarity: float, distance: float,
              openness: float, p: Ties, bias: float = 1.0) -> float:
    """N1: chance an untied pair forms a tie this month.

    The pair misses each of three routes independently: meeting at a convening,
    introduction through common partners (saturating as ``c / (1 + c)``, fading with
    distance), and a chance encounter fading with distance. ``bias`` is the lean of
    governance towards or away from the lead (M25, M26).
    """
    near = math.exp(-distance / p.travel_scale_km)
    miss_convening = 1.0 - p.convening_rate * (1.0 if coattend else 0.0)
    miss_referral = 1.0 - p.common_partner_rate * (common / (1.0 + common)) * near
    miss_chance = 1.0 - p.spontaneous_rate * near
    prob = ((1.0 - miss_convening * miss_referral * miss_chance) * complementarity * openness
            * bias)
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


def referral(standing: nx.Graph, trust: dict[tuple[int, int], float], i: int, j: int,
             p: Trust) -> float:
    """T5: the personal trust a new tie between ``i`` and ``j`` starts with.

    ``baseline + referral_weight * via``, at most 1, where ``via`` is the mean, over the
    partners ``i`` and ``j`` share among the ties ``standing`` after the month's
    dissolutions, of the products of the trusts on their ties to that partner (0 if none).
    """
    via = 0.0
    shared = set(standing.neighbors(i)) & set(standing.neighbors(j))
    for partner in shared:
        via += (trust[(min(i, partner), max(i, partner))]
                * trust[(min(j, partner), max(j, partner))])
    via /= max(len(shared), 1)
    return min(1.0, p.baseline + p.referral_weight * via)


@dataclass
class EdgeResult:
    """What the month produced on one existing tie."""

    interacted: bool
    win: bool
    let_down: bool
    formality: float
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
    """What the month produced on one untied pair; the new tie's state if it forms."""

    formality: float
    probability: float
    forms: bool
    personal: float = 0.0
    trust: float = 0.0
    positive: float = 0.0
    negative: float = 0.0


def common_partners(graph: nx.Graph, i: int, j: int) -> int:
    """Number of organizations tied to both ``i`` and ``j``."""
    return len(set(graph.neighbors(i)) & set(graph.neighbors(j)))


def tie_update(graph: nx.Graph, candidates: dict[tuple[int, int], dict], signals: Signals,
               trust_p: Trust, ties_p: Ties,
               grant_p: Grant) -> tuple[dict[tuple[int, int], EdgeResult],
                                        dict[tuple[int, int], PairResult]]:
    """One month of the tie-level update, edge by edge and pair by pair.

    Order: formality, interaction, signal, two-layer trust (T1/T2, or T3 under
    ``trust_p.rule = "beta_reputation"``), ageing by one month, combined trust,
    dissolution hazard on ties (bridge = no common partner in the graph before the
    update), formation chance on untied pairs. A tie dissolves when its ``u_dissolve`` is
    below the hazard; a pair forms a tie when its ``u_form`` is below the chance, and starts
    at referral trust (T5) with no institutional trust, under T3 as the least evidence of
    that level.
    """
    beta = trust_p.rule == "beta_reputation"
    q_pos = win_chance(trust_p, signals.vision)
    power = (power_gap(trust_p, grant_p, signals.state_share, signals.vision)
             * signals.power_distance)
    rates = (beta_rates if beta else asymmetric_rates)(trust_p, signals.spanners, signals.ta)
    edges: dict[tuple[int, int], EdgeResult] = {}
    for one, other, e in graph.edges(data=True):
        i, j = min(one, other), max(one, other)
        ni, nj = graph.nodes[i], graph.nodes[j]
        weakest = min(committed(ni), committed(nj))
        formality = tie_formality(e["base_formality"], weakest, trust_p, signals.agreements,
                                  signals.data)
        rate = ties_p.bilateral_rate * (1.0 if e["lead_edge"] else signals.peer_work)
        did = interacts(ni, nj, e["u_interact"], rate, signals.regional)
        q_neg = e["q_neg"] + (power if e["lead_edge"] else 0.0)
        win, let_down = signal(did, q_pos, q_neg, e["u_signal"])
        gain = rates[0] if e["cross"] else rates[1]
        positive = negative = 0.0
        if beta:
            personal, institutional, positive, negative = beta_trust_update(
                e["institutional"], e["positive"], e["negative"], win, let_down, gain,
                rates[2], formality, trust_p)
        else:
            personal, institutional = trust_update(e["personal"], e["institutional"], did,
                                                   win, let_down, gain, e["age"], formality,
                                                   trust_p, loss=rates[2])
        age = e["age"] + 1.0
        trust = combined(personal, institutional, formality, trust_p)
        bridge = common_partners(graph, i, j) == 0
        hazard = dissolution(age, trust, bridge, signals.post_grant, ties_p)
        edges[(i, j)] = EdgeResult(did, win, let_down, formality, personal, institutional,
                                   age, trust, hazard, e["u_dissolve"] < hazard, positive,
                                   negative)
    standing = nx.Graph()
    standing.add_nodes_from(graph.nodes)
    standing.add_edges_from(pair for pair, res in edges.items() if not res.dissolves)
    trust_now = {pair: res.trust for pair, res in edges.items()}
    pairs: dict[tuple[int, int], PairResult] = {}
    for (i, j), cand in candidates.items():
        ni, nj = graph.nodes[i], graph.nodes[j]
        weakest = min(committed(ni), committed(nj))
        formality = tie_formality(cand["base_formality"], weakest, trust_p, signals.agreements,
                                  signals.data)
        common = common_partners(graph, i, j)
        bias = signals.lead_formation if cand["lead_edge"] else signals.peer_formation
        prob = formation(coattends(ni, nj, signals.regional), common, cand["complementarity"],
                         cand["distance"], cand["openness"], ties_p, bias)
        out = PairResult(formality, prob, cand["u_form"] < prob)
        if out.forms:
            level = referral(standing, trust_now, i, j, trust_p)
            if beta:
                out.positive, out.negative = evidence_for(level, trust_p)
                level = beta_mean(out.positive, out.negative, trust_p)
            out.personal = level
            out.trust = combined(level, 0.0, formality, trust_p)
        pairs[(i, j)] = out
    return edges, pairs
