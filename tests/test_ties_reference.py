"""Differential test: the numpy tie kernels against the plain per-edge reference."""

from __future__ import annotations

import math
from types import SimpleNamespace

import networkx as nx
import numpy as np
import pytest

from agents import ties
from sim.params import Ties, Trust

try:
    from tests import reference as ref
except ImportError:  # tests/ is not a package: pytest puts tests/ itself on sys.path
    import reference as ref

TOL = 1e-12


def schema_bounds(section: type, name: str) -> tuple[float, float]:
    lo = hi = None
    for m in section.model_fields[name].metadata:
        lo = getattr(m, "ge", lo)
        hi = getattr(m, "le", hi)
    assert lo is not None and hi is not None, name
    return float(lo), float(hi)


def random_section(rng: np.random.Generator, section: type, extreme: float = 0.3):
    """A parameter section with every float drawn within its schema bounds; with chance
    ``extreme`` a value sits exactly on a bound."""
    values = {}
    for name, field in section.model_fields.items():
        if field.annotation is not float:
            continue
        lo, hi = schema_bounds(section, name)
        r = rng.random()
        if r < extreme / 2:
            values[name] = lo
        elif r < extreme:
            values[name] = hi
        else:
            values[name] = float(rng.uniform(lo, hi))
    return section(**values)


def unit_value(rng: np.random.Generator) -> float:
    """A value in [0, 1], now and then exactly 0 or 1."""
    r = rng.random()
    if r < 0.1:
        return 0.0
    if r < 0.2:
        return 1.0
    return float(rng.random())


def random_world(rng: np.random.Generator, n: int, density: float,
                 trust_level: float | None = None,
                 tp: Trust | None = None) -> tuple[nx.Graph, dict]:
    """A graph of ties with random state and pre-drawn uniforms, plus the untied pairs.

    Under the Beta rule (``tp.rule``) each tie also gets evidence, its personal trust is
    the Beta mean of it, and it gets ``w_neg``, the evidence a let-down adds.
    """
    beta = tp is not None and tp.rule == "beta_reputation"
    g = nx.Graph()
    for k in range(n):
        g.add_node(k, commitment=unit_value(rng), taking_part=bool(rng.random() < 0.7),
                   attend=bool(rng.random() < 0.4))
    candidates = {}
    for i in range(n):
        for j in range(i + 1, n):
            if rng.random() < density:
                personal = unit_value(rng) if trust_level is None else trust_level
                institutional = unit_value(rng) if trust_level is None else trust_level
                g.add_edge(i, j, personal=personal, institutional=institutional,
                           age=float(rng.integers(0, 240)), formality=unit_value(rng),
                           gain=unit_value(rng), q_neg=float(rng.uniform(0.0, 0.6)),
                           u_interact=float(rng.random()), u_signal=float(rng.random()),
                           u_dissolve=float(rng.random()))
                if beta:
                    e = g.edges[i, j]
                    cap = 1.0 / (1.0 - tp.beta_forgetting)
                    e["positive"] = unit_value(rng) * cap
                    e["negative"] = unit_value(rng) * cap
                    e["w_neg"] = float(rng.choice([0.0, rng.uniform(0.0, 10.0)]))
                    e["gain"] = float(rng.uniform(0.0, 3.0))
                    e["personal"] = ref.beta_mean(e["positive"], e["negative"], tp)
            else:
                candidates[(i, j)] = dict(
                    distance=float(rng.uniform(0.0, 200.0)),
                    complementarity=float(rng.choice([1.0, rng.uniform(0.0, 10.0)])),
                    openness=unit_value(rng), u_form=float(rng.random()))
    return g, candidates


def fast_path(g: nx.Graph, candidates: dict, q_pos: float, bilateral_rate: float,
              post_grant: bool, tp: Trust, xp: Ties, rng: np.random.Generator) -> dict:
    """The same month through the numpy kernels, laid out as the model lays out pairs."""
    n = g.number_of_nodes()
    i, j = np.triu_indices(n, 1)
    m = len(i)
    tie = np.array([g.has_edge(a, b) for a, b in zip(i, j, strict=True)], dtype=bool)
    # Untied pairs get noise where the kernels must ignore the value.
    beta = tp.rule == "beta_reputation"
    cols = {name: rng.random(m) for name in ("gain", "q_neg", "u_interact", "u_signal",
                                             "u_dissolve", "formality")}
    cols.update(personal=np.zeros(m), institutional=np.zeros(m), age=np.zeros(m),
                distance=rng.uniform(0, 200, m), complementarity=rng.random(m),
                openness=rng.random(m), u_form=rng.random(m))
    if beta:  # evidence is zero off the ties, as the model keeps it
        cols.update(positive=np.zeros(m), negative=np.zeros(m), w_neg=rng.random(m))
    for k, (a, b) in enumerate(zip(i.tolist(), j.tolist(), strict=True)):
        src = g.edges[a, b] if tie[k] else candidates[(a, b)]
        for name, value in src.items():
            cols[name][k] = value
    commitment = np.array([g.nodes[k]["commitment"] for k in range(n)])
    part = np.array([g.nodes[k]["taking_part"] for k in range(n)])
    attend = np.array([g.nodes[k]["attend"] for k in range(n)])

    cp = commitment * part
    commit_min = np.minimum(cp[i], cp[j])
    coattend = attend[i] & attend[j]
    interacted = ties.interactions(tie, commit_min > 0, commit_min, coattend, bilateral_rate,
                                   cols["u_interact"])
    pos, neg = ties.signals(interacted, q_pos, cols["q_neg"], cols["u_signal"])
    positive = negative = np.zeros(m)
    if beta:
        personal, institutional, positive, negative = ties.beta_trust_step(
            cols["personal"], cols["institutional"], cols["positive"], cols["negative"], tie,
            pos, neg, cols["gain"], cols["w_neg"], cols["formality"], tp)
        loss = cols["w_neg"]
    else:
        personal, institutional = ties.trust_step(cols["personal"], cols["institutional"],
                                                  tie, interacted, pos, neg, cols["gain"],
                                                  cols["age"], cols["formality"], tp)
        loss = np.minimum(1.0, tp.loss_ratio * cols["gain"])
    age = (cols["age"] + 1.0) * tie
    trust = ties.combined_trust(personal, institutional, cols["formality"]) * tie
    adj = np.zeros((n, n))
    adj[i, j] = tie
    adj += adj.T
    common = (adj @ adj)[i, j]
    near = np.exp(-cols["distance"] / xp.travel_scale_km)
    p_form = ties.formation_probability(tie, coattend, common, cols["complementarity"], near,
                                        cols["openness"], xp)
    hazard = ties.dissolution_hazard(tie, age, trust, common == 0, post_grant, xp)
    # The model's path: the whole month in one compiled pass over the pairs.
    ts = SimpleNamespace(i=i, j=j, tie=tie.copy(), personal=cols["personal"].copy(),
                         institutional=cols["institutional"].copy(),
                         positive=cols.get("positive", np.zeros(m)).copy(),
                         negative=cols.get("negative", np.zeros(m)).copy(),
                         age=cols["age"].copy(),
                         idle=np.zeros(m), formality=np.zeros(m),
                         base_formality=cols["formality"].copy(), lead_edge=np.zeros(m, bool),
                         complementarity=cols["complementarity"], near=near,
                         openness=cols["openness"])
    month = ties.tie_update(ts, attend, np.zeros(n, np.int64), True, cp, adj @ adj,
                            cols["gain"], loss, cols["q_neg"], 0.0, q_pos, 0.0, post_grant,
                            np.stack([cols["u_interact"], cols["u_signal"], cols["u_form"]]),
                            tp, xp.model_copy(update={"bilateral_rate": bilateral_rate}))
    month.update(personal=ts.personal, institutional=ts.institutional, age=ts.age,
                 positive=ts.positive, negative=ts.negative,
                 pos=month["signal"] > 0, neg=month["signal"] < 0)
    return dict(i=i, j=j, tie=tie, common=common, interacted=interacted, pos=pos, neg=neg,
                personal=personal, institutional=institutional, positive=positive,
                negative=negative, age=age, trust=trust,
                p_form=p_form, hazard=hazard, forms=cols["u_form"] < p_form,
                gone=cols["u_dissolve"] < hazard, month=month)


def compare(seed: int, n: int, density: float, trust_level: float | None = None,
            post_grant: bool | None = None, rule: str = "asymmetric") -> dict:
    rng = np.random.default_rng(seed)
    tp = random_section(rng, Trust).model_copy(update={"rule": rule})
    xp = random_section(rng, Ties)
    q_pos = unit_value(rng)
    bilateral_rate = unit_value(rng)
    if post_grant is None:
        post_grant = bool(rng.random() < 0.5)
    g, candidates = random_world(rng, n, density, trust_level, tp)
    edges, pairs = ref.tie_update(g, candidates, q_pos, bilateral_rate, post_grant, tp, xp)
    fast = fast_path(g, candidates, q_pos, bilateral_rate, post_grant, tp, xp, rng)

    assert len(edges) + len(pairs) == n * (n - 1) // 2
    # The compiled month equals the rules applied one at a time.
    month = fast["month"]
    for name in ("interacted", "pos", "neg", "common"):
        assert np.array_equal(month[name], fast[name]), name
    for name in ("personal", "institutional", "positive", "negative", "age", "trust",
                 "p_form", "hazard"):
        assert np.allclose(month[name], fast[name], rtol=0.0, atol=TOL), name
    for k, (a, b) in enumerate(zip(fast["i"].tolist(), fast["j"].tolist(), strict=True)):
        if fast["tie"][k]:
            e = edges[(a, b)]
            assert fast["interacted"][k] == e.interacted, (a, b)
            assert fast["pos"][k] == e.win, (a, b)
            assert fast["neg"][k] == e.let_down, (a, b)
            assert abs(fast["personal"][k] - e.personal) <= TOL, (a, b)
            assert abs(fast["institutional"][k] - e.institutional) <= TOL, (a, b)
            assert abs(fast["positive"][k] - e.positive) <= TOL, (a, b)
            assert abs(fast["negative"][k] - e.negative) <= TOL, (a, b)
            assert fast["age"][k] == e.age
            assert abs(fast["trust"][k] - e.trust) <= TOL, (a, b)
            assert abs(fast["hazard"][k] - e.hazard) <= TOL, (a, b)
            assert fast["gone"][k] == e.dissolves, (a, b)
            assert fast["p_form"][k] == 0.0
        else:
            pr = pairs[(a, b)]
            assert abs(fast["p_form"][k] - pr.probability) <= TOL, (a, b)
            assert fast["forms"][k] == pr.forms, (a, b)
            assert not fast["interacted"][k] and not fast["pos"][k] and not fast["neg"][k]
            assert fast["personal"][k] == 0.0 and fast["institutional"][k] == 0.0
            assert fast["positive"][k] == 0.0 and fast["negative"][k] == 0.0
            assert fast["hazard"][k] == 0.0 and fast["trust"][k] == 0.0
    return dict(edges=edges, pairs=pairs, fast=fast, tp=tp, xp=xp)


@pytest.mark.parametrize("seed", range(40))
def test_kernels_match_reference_on_random_graphs(seed: int) -> None:
    rng = np.random.default_rng(1000 + seed)
    n = int(rng.integers(5, 13))
    density = float(rng.uniform(0.1, 0.9))
    compare(seed, n, density)


def test_random_graphs_exercise_every_branch() -> None:
    seen = dict(win=0, let_down=0, idle=0, dissolves=0, forms=0, bridge=0, embedded=0)
    for seed in range(40):
        rng = np.random.default_rng(1000 + seed)
        n = int(rng.integers(5, 13))
        out = compare(seed, n, float(rng.uniform(0.1, 0.9)))
        for e in out["edges"].values():
            seen["win"] += e.win
            seen["let_down"] += e.let_down
            seen["idle"] += not e.interacted
            seen["dissolves"] += e.dissolves
        seen["forms"] += sum(pr.forms for pr in out["pairs"].values())
        f = out["fast"]
        seen["bridge"] += int((f["tie"] & (f["common"] == 0)).sum())
        seen["embedded"] += int((f["tie"] & (f["common"] > 0)).sum())
    assert all(v > 0 for v in seen.values()), seen


@pytest.mark.parametrize("seed", range(5))
def test_no_ties(seed: int) -> None:
    rng = np.random.default_rng(seed)
    out = compare(seed, int(rng.integers(5, 13)), density=0.0)
    f = out["fast"]
    assert not f["tie"].any() and not f["interacted"].any()
    assert (f["hazard"] == 0.0).all()
    assert len(out["pairs"]) == len(f["i"])


@pytest.mark.parametrize("seed", range(5))
def test_all_ties(seed: int) -> None:
    rng = np.random.default_rng(seed)
    out = compare(seed, int(rng.integers(5, 13)), density=1.0)
    f = out["fast"]
    assert f["tie"].all()
    assert (f["p_form"] == 0.0).all() and not f["forms"].any()
    assert not out["pairs"]


@pytest.mark.parametrize("level", [0.0, 1.0])
@pytest.mark.parametrize("seed", range(5))
def test_trust_at_bounds(seed: int, level: float) -> None:
    out = compare(seed, 10, density=0.6, trust_level=level)
    f, tp = out["fast"], out["tp"]
    tie = f["tie"]
    assert ((f["personal"][tie] >= 0.0) & (f["personal"][tie] <= 1.0)).all()
    if level == 1.0:
        # A win cannot raise trust above 1.
        assert (f["personal"][f["pos"]] == 1.0).all()
    else:
        # A let-down cannot push trust below 0.
        assert (f["personal"][f["neg"]] == 0.0).all()
    if tp.decay_rate == 0.0:
        idle = tie & ~f["interacted"]
        assert (f["personal"][idle] == level).all()


@pytest.mark.parametrize("post_grant", [False, True])
def test_post_grant_switch_matches(post_grant: bool) -> None:
    for seed in range(5):
        compare(seed, 8, 0.5, post_grant=post_grant)


def test_reference_by_hand() -> None:
    """The reference itself, on numbers worked out by hand."""
    tp = Trust(gain_rate=0.1, loss_ratio=3.0, decay_rate=0.1, age_slowing=0.0, baseline=0.2,
               formalization_transfer=0.5, institutional_decay=0.1)
    # A win from 0.5 with gain 0.1: 0.5 + 0.1 * 0.5.
    p, i = ref.trust_update(0.5, 0.0, True, True, False, 0.1, 0.0, 1.0, tp)
    assert p == pytest.approx(0.55) and i == pytest.approx(0.275)
    # A let-down from 0.5: 0.5 - 0.3 * 0.5; no formality, so institutional only erodes.
    p, i = ref.trust_update(0.5, 0.4, True, False, True, 0.1, 0.0, 0.0, tp)
    assert p == pytest.approx(0.35) and i == pytest.approx(0.36)
    # Idle: relax 10% of the way to the baseline.
    p, _ = ref.trust_update(0.6, 0.0, False, False, False, 0.1, 0.0, 0.0, tp)
    assert p == pytest.approx(0.56)
    assert ref.combined(0.8, 0.2, 1.0) == pytest.approx(0.5)
    assert ref.combined(0.8, 0.2, 0.0) == pytest.approx(0.8)
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


@pytest.mark.parametrize("seed", range(5))
def test_explicit_loss_matches_reference(seed: int) -> None:
    """A let-down loss given separately from the gain (as the model passes it) matches."""
    rng = np.random.default_rng(seed)
    k = 50
    p = Trust(loss_ratio=float(rng.uniform(0, 10)), decay_rate=float(rng.uniform(0, 1)))
    personal, institutional = rng.random(k), rng.random(k)
    tie = rng.random(k) < 0.8
    interacted = tie & (rng.random(k) < 0.6)
    pos = interacted & (rng.random(k) < 0.4)
    neg = interacted & ~pos & (rng.random(k) < 0.5)
    gain, loss = rng.random(k), rng.random(k)
    age, formality = rng.uniform(0, 100, k), rng.random(k)
    fast_p, fast_i = ties.trust_step(personal, institutional, tie, interacted, pos, neg, gain,
                                     age, formality, p, loss=loss)
    for e in np.flatnonzero(tie):
        ref_p, ref_i = ref.trust_update(
            float(personal[e]), float(institutional[e]), bool(interacted[e]), bool(pos[e]),
            bool(neg[e]), float(gain[e]), float(age[e]), float(formality[e]), p,
            loss=float(loss[e]))
        assert math.isclose(fast_p[e], ref_p, abs_tol=1e-12)
        assert math.isclose(fast_i[e], ref_i, abs_tol=1e-12)


# --------------------------------------------------------------- the Beta-reputation rule (T3)
BETA = "beta_reputation"


@pytest.mark.parametrize("seed", range(40))
def test_beta_rule_matches_reference_on_random_graphs(seed: int) -> None:
    rng = np.random.default_rng(2000 + seed)
    n = int(rng.integers(5, 13))
    compare(seed, n, float(rng.uniform(0.1, 0.9)), rule=BETA)


def test_beta_random_graphs_exercise_every_branch() -> None:
    seen = dict(win=0, let_down=0, quiet=0, idle=0, dissolves=0, forms=0)
    for seed in range(40):
        rng = np.random.default_rng(2000 + seed)
        n = int(rng.integers(5, 13))
        out = compare(seed, n, float(rng.uniform(0.1, 0.9)), rule=BETA)
        for e in out["edges"].values():
            seen["win"] += e.win
            seen["let_down"] += e.let_down
            seen["quiet"] += e.interacted and not (e.win or e.let_down)
            seen["idle"] += not e.interacted
            seen["dissolves"] += e.dissolves
        seen["forms"] += sum(pr.forms for pr in out["pairs"].values())
    assert all(v > 0 for v in seen.values()), seen


@pytest.mark.parametrize("density", [0.0, 1.0])
@pytest.mark.parametrize("seed", range(5))
def test_beta_rule_on_empty_and_full_graphs(seed: int, density: float) -> None:
    rng = np.random.default_rng(seed)
    out = compare(seed, int(rng.integers(5, 13)), density=density, rule=BETA)
    f = out["fast"]
    assert (f["positive"] >= 0).all() and (f["negative"] >= 0).all()
    assert ((f["personal"] >= 0) & (f["personal"] <= 1)).all()


def test_beta_reference_by_hand() -> None:
    """The Beta reference on numbers worked out by hand (Jøsang & Ismail's uniform prior)."""
    tp = Trust(rule=BETA, baseline=0.5, beta_prior_weight=2.0, beta_forgetting=0.5,
               formalization_transfer=0.5, institutional_decay=0.1)
    assert ref.beta_prior(tp) == (1.0, 1.0)
    # r = 0.5*4 + 1 = 3, s = 0.5*2 = 1: (3 + 1) / (3 + 1 + 2).
    p, i, r, s = ref.beta_trust_update(0.0, 4.0, 2.0, True, False, 1.0, 3.0, 1.0, tp)
    assert (r, s) == (3.0, 1.0) and p == pytest.approx(4 / 6) and i == pytest.approx(1 / 3)
    # A let-down weighing 3: r = 2, s = 1 + 3: (2 + 1) / (2 + 4 + 2).
    p, i, r, s = ref.beta_trust_update(0.4, 4.0, 2.0, False, True, 1.0, 3.0, 0.0, tp)
    assert (r, s) == (2.0, 4.0) and p == pytest.approx(3 / 8) and i == pytest.approx(0.36)
    # Evidence for 0.75 under the uniform prior: two wins, no let-downs.
    assert ref.evidence_for(0.75, tp) == pytest.approx((2.0, 0.0))
    assert ref.evidence_for(0.25, tp) == pytest.approx((0.0, 2.0))
    assert ref.evidence_for(1.0, tp) == (2.0, 0.0)  # capped at 1 / (1 - 0.5)
    assert ref.beta_reset(4.0, 2.0, 0.5, tp) == pytest.approx((3 / 5, 2.0, 1.0))


@pytest.mark.parametrize("seed", range(10))
def test_beta_evidence_and_reset_match_reference(seed: int) -> None:
    rng = np.random.default_rng(seed)
    tp = random_section(rng, Trust).model_copy(update={"rule": BETA})
    level = np.array([unit_value(rng) for _ in range(60)] + [tp.baseline])
    r, s = ties.beta_evidence(level, tp)
    for k, x in enumerate(level.tolist()):
        rr, ss = ref.evidence_for(x, tp)
        assert math.isclose(r[k], rr, abs_tol=1e-9) and math.isclose(s[k], ss, abs_tol=1e-9)
    tie = rng.random(60) < 0.8
    ts = SimpleNamespace(tie=tie, positive=np.where(tie, rng.random(60) * 5, 0.0),
                         negative=np.where(tie, rng.random(60) * 5, 0.0))
    ts.personal = np.where(tie, ties.beta_mean(ts.positive, ts.negative, tp), 0.0)
    before = SimpleNamespace(**{k: np.copy(v) for k, v in vars(ts).items()})
    pairs = np.flatnonzero(rng.random(60) < 0.5)
    keep = unit_value(rng)
    ties.reset_personal(ts, pairs, keep, tp)
    for k in pairs.tolist():
        if tie[k]:
            p, rr, ss = ref.beta_reset(before.positive[k], before.negative[k], keep, tp)
            assert math.isclose(ts.personal[k], p, abs_tol=TOL)
            assert math.isclose(ts.positive[k], rr, abs_tol=TOL)
            assert math.isclose(ts.negative[k], ss, abs_tol=TOL)
        else:
            assert ts.personal[k] == ts.positive[k] == ts.negative[k] == 0.0


@pytest.mark.parametrize("rule", ["asymmetric", BETA])
@pytest.mark.parametrize("seed", range(5))
def test_turnover_of_ties_matches_reference(seed: int, rule: str) -> None:
    """Dissolved ties lose trust and evidence; a new tie starts from referral trust (T5),
    under the Beta rule as the least evidence of that level (T3)."""
    rng = np.random.default_rng(seed)
    tp = random_section(rng, Trust).model_copy(update={"rule": rule})
    n = 9
    i, j = np.triu_indices(n, 1)
    m = len(i)
    tie = rng.random(m) < 0.5
    positive = np.where(tie, rng.random(m) * 3, 0.0)
    negative = np.where(tie, rng.random(m) * 3, 0.0)
    personal = np.where(tie, rng.random(m), 0.0)
    formality = rng.random(m)
    trust = np.where(tie, rng.random(m), 0.0)
    adj = np.zeros((n, n))
    adj[i, j] = tie
    adj += adj.T
    common = (adj @ adj)[i, j]
    ts = SimpleNamespace(i=i, j=j, tie=tie.copy(), personal=personal.copy(),
                         institutional=np.where(tie, rng.random(m), 0.0),
                         positive=positive.copy(), negative=negative.copy(),
                         age=np.where(tie, 5.0, 0.0), idle=np.zeros(m),
                         formed=np.zeros(m, np.int64), agreement=np.zeros(m, bool),
                         base_formality=formality.copy(), prior_formality=formality.copy(),
                         formality=formality)
    p_form = np.where(tie, 0.0, rng.random(m))
    hazard = np.where(tie, rng.random(m), 0.0)
    u_form, u_gone = rng.random(m), rng.random(m)
    trust_before = trust.copy()
    ties.tie_turnover(ts, 7, n, trust, common, p_form, hazard, u_form, u_gone, tp)
    # Referral trust through common partners, from trust after this month's dissolutions.
    gone = tie & (u_gone < hazard)
    kept = np.where(gone, 0.0, trust_before)
    t_mat = np.zeros((n, n))
    t_mat[i, j] = kept
    t_mat += t_mat.T
    for k in range(m):
        if gone[k]:
            assert not ts.tie[k] and ts.personal[k] == 0.0
            assert ts.positive[k] == 0.0 and ts.negative[k] == 0.0
        elif not tie[k] and u_form[k] < p_form[k]:
            a, b = int(i[k]), int(j[k])
            via = sum(t_mat[a, x] * t_mat[b, x] for x in range(n)) / max(common[k], 1.0)
            level = min(1.0, tp.baseline + tp.referral_weight * via)
            assert ts.tie[k] and ts.formed[k] == 7
            if rule == BETA:
                r, s = ref.evidence_for(level, tp)
                assert math.isclose(ts.positive[k], r, abs_tol=1e-9)
                assert math.isclose(ts.negative[k], s, abs_tol=1e-9)
                assert math.isclose(ts.personal[k], ref.beta_mean(r, s, tp), abs_tol=1e-9)
            else:
                assert math.isclose(ts.personal[k], level, abs_tol=TOL)
                assert ts.positive[k] == 0.0 and ts.negative[k] == 0.0
            assert math.isclose(trust[k], ref.combined(ts.personal[k], 0.0, formality[k]),
                                abs_tol=1e-9)
        elif tie[k]:
            assert ts.personal[k] == personal[k] and ts.positive[k] == positive[k]
