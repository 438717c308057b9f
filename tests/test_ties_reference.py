"""Differential test: the compiled tie month against the plain per-edge reference.

The passes run exactly as ``Partnerships.work_together`` and ``form_and_dissolve`` run them
(the trust rule's ``set_rates``, ``ties.common_partners``, ``ties.interact``, the rule's
``month``, ``ties.age_and_risk``, ``ties.form_and_dissolve``), on a model's own set of pairs
whose state is replaced by a random graph; ``reference.tie_update`` computes the same month
edge by edge from the formulas, and every pair must agree.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import networkx as nx
import numpy as np
import pytest
import reference as ref
from conftest import in_unit, pair_state, scenario, section_values

from agents import ties
from agents.params import Params
from agents.trust import TRUST_RULES
from sim.model import ConsortiumModel
from sim.params import Grant, Ties, Trust

TOL = 1e-12
BETA = "beta_reputation"
RULES = ("asymmetric", BETA)


def unit_value(rng: np.random.Generator) -> float:
    """A value in [0, 1], now and then exactly 0 or 1."""
    r = rng.random()
    return 0.0 if r < 0.1 else 1.0 if r < 0.2 else float(rng.random())


def model_of_size(n: int, seed: int) -> ConsortiumModel:
    """A model of ``n`` organizations (a college lead, a county office, districts, employers)."""
    districts = max(1, (n - 2) // 2)
    region = dict(n_districts=districts, n_charters=0, n_colleges=1, n_workforce_boards=0,
                  n_county_offices=1, n_ta_providers=0, n_chambers=0,
                  n_employers=n - 2 - districts, prior_tie_density=0.0)
    model = ConsortiumModel(scenario(region=region), seed)
    assert model.n == n
    return model


def random_month(seed: int, n: int, density: float, rule: str,
                 trust_level: float | None = None, post_grant: bool | None = None) -> dict:
    """Random parameters, signals, nodes, ties and untied pairs for one month."""
    rng = np.random.default_rng(seed)
    trust_values = section_values("trust", "random", rng)
    trust_values["rule"] = rule
    p = scenario(trust=trust_values, ties=section_values("ties", "random", rng),
                 grant=dict(required_agreements=bool(rng.random() < 0.5),
                            money=bool(rng.random() < 0.8)))
    model = model_of_size(n, seed)
    t = model.partnerships
    if post_grant is None:
        post_grant = bool(rng.random() < 0.5)
    in_grant = bool(rng.random() < 0.6)
    signals = ref.Signals(vision=unit_value(rng), data=unit_value(rng),
                          state_share=0.0 if post_grant else unit_value(rng),
                          agreements=p.grant.required_agreements and in_grant,
                          regional=bool(rng.random() < 0.5), spanners=unit_value(rng),
                          ta=bool(rng.random() < 0.5), post_grant=post_grant,
                          peer_work=float(rng.choice([1.0, rng.uniform(1.0, 6.0)])),
                          power_distance=unit_value(rng),
                          lead_formation=float(rng.uniform(0.0, 2.0)),
                          peer_formation=float(rng.uniform(0.0, 6.0)))
    power = (ref.power_gap(p.trust, p.grant, signals.state_share, signals.vision)
             * signals.power_distance)
    g = nx.Graph()
    for k in range(n):
        g.add_node(k, commitment=unit_value(rng), taking_part=bool(rng.random() < 0.7),
                   attend=bool(rng.random() < 0.4), group=int(rng.integers(0, 2)))
    cap = 1.0 / (1.0 - p.trust.beta_forgetting)
    candidates = {}
    for k, (a, b) in enumerate(zip(t.i.tolist(), t.j.tolist(), strict=True)):
        if rng.random() < density:
            level = unit_value(rng) if trust_level is None else trust_level
            e = dict(personal=level, institutional=unit_value(rng) if trust_level is None
                     else trust_level, age=float(rng.integers(0, 240)),
                     base_formality=unit_value(rng), cross=bool(t.cross[k]),
                     lead_edge=bool(t.lead_edge[k]), q_neg=float(rng.uniform(0.0, 0.6)),
                     u_interact=float(rng.random()), u_signal=float(rng.random()),
                     u_dissolve=float(rng.random()))
            if e["lead_edge"] and power > 0.0 and rng.random() < 0.5:
                e["u_signal"] = 1.0 - e["q_neg"] - 0.5 * power  # inside the power gap (M3)
            if rule == BETA:
                e["positive"] = unit_value(rng) * cap
                e["negative"] = unit_value(rng) * cap
                e["personal"] = ref.beta_mean(e["positive"], e["negative"], p.trust)
            g.add_edge(a, b, **e)
        else:
            candidates[(a, b)] = dict(distance=float(rng.uniform(0.0, 200.0)),
                                      complementarity=float(rng.choice(
                                          [1.0, rng.uniform(0.0, 10.0)])),
                                      openness=unit_value(rng), base_formality=unit_value(rng)
                                      * (rng.random() < 0.3), lead_edge=bool(t.lead_edge[k]),
                                      u_form=float(rng.random()))
    return dict(params=p, model=model, signals=signals, graph=g, candidates=candidates,
                rng=rng)


def compiled_month(world: dict) -> dict:
    """The same month through the passes the model runs, on the model's set of pairs."""
    p, model, sig, g = world["params"], world["model"], world["signals"], world["graph"]
    rng, rules = world["rng"], Params(world["params"])
    t, meeting = model.partnerships, model.organizations.meeting
    m = t.m
    u = rng.random((4, m))  # noise where the passes must ignore the value
    edge = {name: np.zeros(m) for name in ("personal", "institutional", "positive", "negative",
                                           "age")}
    tie = np.zeros(m, dtype=bool)
    for k, (a, b) in enumerate(zip(t.i.tolist(), t.j.tolist(), strict=True)):
        if g.has_edge(a, b):
            e = g.edges[a, b]
            tie[k] = True
            for name in edge:
                edge[name][k] = e.get(name, 0.0)
            t.base_formality[k] = e["base_formality"]
            t.letdown_base[k] = e["q_neg"]
            u[0, k], u[1, k], u[3, k] = e["u_interact"], e["u_signal"], e["u_dissolve"]
        else:
            cand = world["candidates"][(a, b)]
            t.base_formality[k] = cand["base_formality"]
            t.near[k] = math.exp(-cand["distance"] / p.ties.travel_scale_km)
            t.complementarity[k], t.openness[k] = cand["complementarity"], cand["openness"]
            t.letdown_base[k] = rng.random()
            u[2, k] = cand["u_form"]
    t.tie[:] = tie
    for name, values in edge.items():
        getattr(t, name)[:] = values
    t.prior_formality[:] = t.base_formality
    t.idle[:] = np.where(tie, rng.integers(0, 12, m), 999.0)
    nodes = [g.nodes[k] for k in range(model.n)]
    meeting.attended[:] = [nd["attend"] for nd in nodes]
    meeting.group = np.array([nd["group"] for nd in nodes], dtype=np.int64)
    meeting.committed[:] = [ref.committed(nd) for nd in nodes]
    meeting.regional = sig.regional
    consortium = SimpleNamespace(vision=sig.vision, data=sig.data, state_share=sig.state_share,
                                 month=10 if sig.agreements else 60, grant_end=48,
                                 money_end=0 if sig.post_grant else 100,
                                 peer_work=sig.peer_work, power_distance=sig.power_distance,
                                 lead_formation=sig.lead_formation,
                                 peer_formation=sig.peer_formation)
    rule = TRUST_RULES[p.trust.rule](rules.trust)
    rule.set_rates(sig.spanners, sig.ta)
    ties.common_partners(t)
    ties.interact(t, meeting, consortium, rules, u)
    rule.month(t)
    ties.age_and_risk(t, consortium, rules)
    month = {name: getattr(t, name).copy() for name in (
        "interacted", "signal", "formality", "personal", "institutional", "positive",
        "negative", "age", "trust", "hazard", "formation_chance", "common", "coattend")}
    formed, gone = ties.form_and_dissolve(t, rule, consortium.month, u)
    after = {name: getattr(t, name).copy() for name in (
        "tie", "personal", "institutional", "positive", "negative", "trust", "age", "formed")}
    return dict(i=t.i, j=t.j, tie=tie, month=month, after=after, formed=formed, gone=gone,
                rates=(rule.gain_cross, rule.gain_within, rule.loss),
                lead_edge=t.lead_edge.copy())


def compare(seed: int, n: int, density: float, rule: str = "asymmetric",
            trust_level: float | None = None, post_grant: bool | None = None) -> dict:
    world = random_month(seed, n, density, rule, trust_level, post_grant)
    p = world["params"]
    edges, pairs = ref.tie_update(world["graph"], world["candidates"], world["signals"],
                                  p.trust, p.ties, p.grant)
    fast = compiled_month(world)
    rates = (ref.beta_rates if rule == BETA else ref.asymmetric_rates)(
        p.trust, world["signals"].spanners, world["signals"].ta)
    assert fast["rates"] == pytest.approx(rates, rel=0.0, abs=TOL)
    assert len(edges) + len(pairs) == n * (n - 1) // 2
    month, after = fast["month"], fast["after"]
    for k, (a, b) in enumerate(zip(fast["i"].tolist(), fast["j"].tolist(), strict=True)):
        where = (a, b)
        if fast["tie"][k]:
            res = edges[(a, b)]
            assert month["interacted"][k] == res.interacted, where
            assert month["signal"][k] == (1 if res.win else -1 if res.let_down else 0), where
            for name in ("formality", "personal", "institutional", "positive", "negative",
                         "trust", "hazard"):
                assert abs(month[name][k] - getattr(res, name)) <= TOL, (where, name)
            assert month["age"][k] == res.age and month["formation_chance"][k] == 0.0, where
            assert after["tie"][k] == (not res.dissolves), where
            if res.dissolves:
                for name in ("personal", "institutional", "positive", "negative", "trust",
                             "age"):
                    assert after[name][k] == 0.0, (where, name)
        else:
            pr = pairs[(a, b)]
            assert not month["interacted"][k] and month["signal"][k] == 0, where
            assert abs(month["formality"][k] - pr.formality) <= TOL, where
            assert abs(month["formation_chance"][k] - pr.probability) <= TOL, where
            assert month["hazard"][k] == 0.0 and month["trust"][k] == 0.0, where
            assert after["tie"][k] == pr.forms, where
            if pr.forms:
                assert after["formed"][k] == month_of(world), where
                for name in ("personal", "trust", "positive", "negative"):
                    assert abs(after[name][k] - getattr(pr, name)) <= 1e-9, (where, name)
                assert after["institutional"][k] == 0.0 and after["age"][k] == 0.0, where
    assert fast["formed"] == sum(pr.forms for pr in pairs.values())
    assert fast["gone"] == sum(res.dissolves for res in edges.values())
    return dict(edges=edges, pairs=pairs, fast=fast, params=p, world=world)


def month_of(world: dict) -> int:
    return 10 if world["signals"].agreements else 60


def random_case(seed: int, offset: int) -> tuple[int, float]:
    rng = np.random.default_rng(offset + seed)
    return int(rng.integers(5, 13)), float(rng.uniform(0.1, 0.9))


@pytest.mark.mechanism("M1", "M2", "M3", "M11", "M25", "M26", "M29", "M33")
@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("seed", range(40))
def test_passes_match_the_reference_on_random_graphs(seed: int, rule: str) -> None:
    n, density = random_case(seed, 1000 if rule == "asymmetric" else 2000)
    compare(seed, n, density, rule)


@pytest.mark.parametrize("rule", RULES)
def test_random_graphs_exercise_every_branch(rule: str) -> None:
    seen = dict(win=0, let_down=0, quiet=0, idle=0, dissolves=0, forms=0, bridge=0,
                embedded=0, power_gap=0, apart=0, formalized=0, referred=0, workgroup=0)
    for seed in range(40):
        n, density = random_case(seed, 1000 if rule == "asymmetric" else 2000)
        out = compare(seed, n, density, rule)
        world, month = out["world"], out["fast"]["month"]
        g, sig, p = world["graph"], world["signals"], out["params"]
        power = ref.power_gap(p.trust, p.grant, sig.state_share, sig.vision) * sig.power_distance
        for (a, b), res in out["edges"].items():
            e = g.edges[a, b]
            seen["win"] += res.win
            seen["let_down"] += res.let_down
            seen["quiet"] += res.interacted and not (res.win or res.let_down)
            seen["idle"] += not res.interacted
            seen["dissolves"] += res.dissolves
            seen["power_gap"] += res.let_down and e["u_signal"] < 1.0 - e["q_neg"] and power > 0
            seen["formalized"] += res.formality > e["base_formality"]
            weakest = min(ref.committed(g.nodes[a]), ref.committed(g.nodes[b]))
            seen["workgroup"] += (res.interacted and not e["lead_edge"]
                                  and not ref.coattends(g.nodes[a], g.nodes[b], sig.regional)
                                  and e["u_interact"] >= p.ties.bilateral_rate * weakest)
            seen["apart"] += (not sig.regional and g.nodes[a]["attend"] and g.nodes[b]["attend"]
                              and g.nodes[a]["group"] != g.nodes[b]["group"])
            common = ref.common_partners(g, a, b)
            seen["bridge"] += common == 0
            seen["embedded"] += common > 0
        for pr in out["pairs"].values():
            seen["forms"] += pr.forms
            seen["referred"] += pr.forms and pr.personal > p.trust.baseline + 1e-9
        assert len(month["interacted"]) == len(out["fast"]["i"])
    assert all(v > 0 for v in seen.values()), str(seen)


@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("seed", range(5))
def test_no_ties(seed: int, rule: str) -> None:
    out = compare(seed, int(np.random.default_rng(seed).integers(5, 13)), 0.0, rule)
    fast = out["fast"]
    assert not fast["tie"].any() and not fast["month"]["interacted"].any()
    assert (fast["month"]["hazard"] == 0.0).all() and not out["edges"]
    assert len(out["pairs"]) == len(fast["i"])


@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("seed", range(5))
def test_all_ties(seed: int, rule: str) -> None:
    out = compare(seed, int(np.random.default_rng(seed).integers(5, 13)), 1.0, rule)
    fast = out["fast"]
    assert fast["tie"].all() and not out["pairs"]
    assert (fast["month"]["formation_chance"] == 0.0).all() and fast["formed"] == 0


@pytest.mark.parametrize("level", [0.0, 1.0])
@pytest.mark.parametrize("seed", range(5))
def test_trust_at_its_bounds(seed: int, level: float) -> None:
    out = compare(seed, 10, 0.6, trust_level=level)
    month, tie, p = out["fast"]["month"], out["fast"]["tie"], out["params"]
    assert in_unit(month["personal"][tie])
    if level == 1.0:  # a win cannot raise trust above 1
        assert (month["personal"][month["signal"] > 0] == 1.0).all()
    else:  # a let-down cannot push trust below 0
        assert (month["personal"][month["signal"] < 0] == 0.0).all()
    if p.trust.decay_rate == 0.0:
        idle = tie & ~month["interacted"]
        assert (month["personal"][idle] == level).all()


@pytest.mark.mechanism("M22")
@pytest.mark.parametrize("post_grant", [False, True])
def test_post_grant_switch_matches(post_grant: bool) -> None:
    for seed in range(5):
        for rule in RULES:
            compare(seed, 8, 0.5, rule, post_grant=post_grant)


def test_reference_by_hand() -> None:
    """The reference itself, on numbers worked out by hand."""
    tp = Trust(gain_rate=0.1, loss_ratio=3.0, decay_rate=0.1, age_slowing=0.0, baseline=0.2,
               formalization_transfer=0.5, institutional_decay=0.1, formality_weight=0.5,
               ta_boost=0.5, cross_sector_gain=0.5, spanner_boost=1.0)
    # A win from 0.5 with gain 0.1: 0.5 + 0.1 * 0.5.
    personal, inst = ref.trust_update(0.5, 0.0, True, True, False, 0.1, 0.0, 1.0, tp)
    assert personal == pytest.approx(0.55) and inst == pytest.approx(0.275)
    # A let-down from 0.5: 0.5 - 0.3 * 0.5; no formality, so institutional only erodes.
    personal, inst = ref.trust_update(0.5, 0.4, True, False, True, 0.1, 0.0, 0.0, tp)
    assert personal == pytest.approx(0.35) and inst == pytest.approx(0.36)
    # Idle: relax 10% of the way to the baseline.
    personal, _ = ref.trust_update(0.6, 0.0, False, False, False, 0.1, 0.0, 0.0, tp)
    assert personal == pytest.approx(0.56)
    # Institutional trust only holds personal trust up: 0.2 + 0.5 * 1.0 * (0.8 - 0.2).
    assert ref.combined(0.2, 0.8, 1.0, tp) == pytest.approx(0.5)
    assert ref.combined(0.2, 0.8, 0.0, tp) == pytest.approx(0.2)
    assert ref.combined(0.8, 0.2, 1.0, tp) == pytest.approx(0.8)
    # TA x1.5; cross-sector x0.5 x(1 + 0.5 spanners): 0.1125, 0.15, loss 0.45.
    assert ref.asymmetric_rates(tp, 0.5, True) == pytest.approx((0.1125, 0.15, 0.45))
    assert ref.win_chance(Trust(positive_rate=0.5, wins_base=0.5), 0.4) == pytest.approx(0.45)
    assert ref.power_gap(Trust(power_gap_penalty=0.25), Grant(), 1.0, 0.5) == pytest.approx(
        0.25 * 0.8 * 0.5)
    assert ref.tie_formality(0.1, 0.5, Trust(agreement_formality=0.5, data_formality=0.5),
                             True, 0.2) == 0.5
    assert ref.tie_formality(0.1, 0.0, Trust(), True, 1.0) == 0.1
    xp = Ties(spontaneous_rate=0.0, convening_rate=0.5, common_partner_rate=0.0,
              dissolution_rate=0.1, age_protection=0.0, trust_protection=0.0,
              bridge_factor=1.0, postgrant_factor=1.0)
    assert ref.formation(True, 0, 2.0, 0.0, 1.0, xp) == pytest.approx(1.0)
    assert ref.formation(True, 0, 1.0, 0.0, 0.5, xp) == pytest.approx(0.25)
    assert ref.dissolution(10.0, 0.5, True, True, xp) == pytest.approx(0.4)
    assert ref.dissolution(10.0, 0.5, False, False, xp) == pytest.approx(0.1)
    xp2 = Ties(dissolution_rate=0.1, age_protection=0.01, trust_protection=2.0)
    assert ref.dissolution(100.0, 0.5, False, False, xp2) == pytest.approx(
        0.1 * math.exp(-1.0) * math.exp(-1.0))
    g = nx.Graph([(0, 1), (1, 2), (0, 3), (3, 2)])
    assert ref.common_partners(g, 0, 2) == 2 and ref.common_partners(g, 0, 1) == 0
    trust = {(0, 1): 0.5, (1, 2): 0.4, (0, 3): 0.5, (2, 3): 1.0}
    tr = Trust(baseline=0.1, referral_weight=0.5)
    assert ref.referral(g, trust, 0, 2, tr) == pytest.approx(0.1 + 0.5 * (0.2 + 0.5) / 2)


def test_beta_reference_by_hand() -> None:
    """The Beta reference on numbers worked out by hand (Jøsang & Ismail's uniform prior)."""
    tp = Trust(rule=BETA, baseline=0.5, beta_prior_weight=2.0, beta_forgetting=0.5,
               formalization_transfer=0.5, institutional_decay=0.1)
    assert ref.beta_prior(tp) == (1.0, 1.0)
    # r = 0.5*4 + 1 = 3, s = 0.5*2 = 1: (3 + 1) / (3 + 1 + 2).
    personal, inst, r, s = ref.beta_trust_update(0.0, 4.0, 2.0, True, False, 1.0, 3.0, 1.0, tp)
    assert (r, s) == (3.0, 1.0) and personal == pytest.approx(4 / 6)
    assert inst == pytest.approx(1 / 3)
    # A let-down weighing 3: r = 2, s = 1 + 3: (2 + 1) / (2 + 4 + 2).
    personal, inst, r, s = ref.beta_trust_update(0.4, 4.0, 2.0, False, True, 1.0, 3.0, 0.0, tp)
    assert (r, s) == (2.0, 4.0) and personal == pytest.approx(3 / 8)
    assert inst == pytest.approx(0.36)
    # Evidence for 0.75 under the uniform prior: two wins, no let-downs.
    assert ref.evidence_for(0.75, tp) == pytest.approx((2.0, 0.0))
    assert ref.evidence_for(0.25, tp) == pytest.approx((0.0, 2.0))
    assert ref.evidence_for(1.0, tp) == (2.0, 0.0)  # capped at 1 / (1 - 0.5)
    assert ref.beta_reset(4.0, 2.0, 0.5, tp) == pytest.approx((3 / 5, 2.0, 1.0))
    assert ref.beta_rates(Trust(beta_negative_weight=3.0, ta_boost=1.0, cross_sector_gain=0.5,
                                spanner_boost=1.0), 1.0, True) == pytest.approx((2.0, 2.0, 6.0))


@pytest.mark.parametrize("seed", range(10))
def test_beta_evidence_and_turnover_match_the_reference(seed: int) -> None:
    """The rule's ``prior`` (evidence of a level) and ``reset`` (turnover) against the
    reference's ``evidence_for`` and ``beta_reset``."""
    rng = np.random.default_rng(seed)
    values = section_values("trust", "random", rng)
    values["rule"] = BETA
    tp = scenario(trust=values).trust
    rule = TRUST_RULES[BETA](Params(scenario(trust=values)).trust)
    level = [unit_value(rng) for _ in range(60)] + [tp.baseline]
    t = pair_state(m=len(level), tie=True, personal=level)
    rule.prior(t)
    for k, x in enumerate(level):
        r, s = ref.evidence_for(x, tp)
        assert math.isclose(t.positive[k], r, abs_tol=1e-9)
        assert math.isclose(t.negative[k], s, abs_tol=1e-9)
        assert math.isclose(t.personal[k], ref.beta_mean(r, s, tp), abs_tol=1e-9)
    m = 60
    tie = rng.random(m) < 0.8
    t = pair_state(m=m, tie=tie, positive=np.where(tie, rng.random(m) * 5, 0.0),
                   negative=np.where(tie, rng.random(m) * 5, 0.0))
    before_r, before_s = t.positive.copy(), t.negative.copy()
    pairs = np.flatnonzero(rng.random(m) < 0.5).astype(np.int64)
    keep = unit_value(rng)
    rule.reset(t, pairs, keep)
    for k in pairs.tolist():
        if tie[k]:
            personal, r, s = ref.beta_reset(before_r[k], before_s[k], keep, tp)
            assert math.isclose(t.personal[k], personal, abs_tol=TOL)
            assert math.isclose(t.positive[k], r, abs_tol=TOL)
            assert math.isclose(t.negative[k], s, abs_tol=TOL)
        else:
            assert t.personal[k] == t.positive[k] == t.negative[k] == 0.0
