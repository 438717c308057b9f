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
                 trust_level: float | None = None) -> tuple[nx.Graph, dict]:
    """A graph of ties with random state and pre-drawn uniforms, plus the untied pairs."""
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
    cols = {name: rng.random(m) for name in ("gain", "q_neg", "u_interact", "u_signal",
                                             "u_dissolve", "formality")}
    cols.update(personal=np.zeros(m), institutional=np.zeros(m), age=np.zeros(m),
                distance=rng.uniform(0, 200, m), complementarity=rng.random(m),
                openness=rng.random(m), u_form=rng.random(m))
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
    personal, institutional = ties.trust_step(cols["personal"], cols["institutional"], tie,
                                              interacted, pos, neg, cols["gain"], cols["age"],
                                              cols["formality"], tp)
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
                         institutional=cols["institutional"].copy(), age=cols["age"].copy(),
                         idle=np.zeros(m), formality=np.zeros(m),
                         base_formality=cols["formality"].copy(), lead_edge=np.zeros(m, bool),
                         complementarity=cols["complementarity"], near=near,
                         openness=cols["openness"])
    month = ties.tie_update(ts, attend, np.zeros(n, np.int64), True, cp, adj @ adj,
                            cols["gain"], np.minimum(1.0, tp.loss_ratio * cols["gain"]),
                            cols["q_neg"], 0.0, q_pos, 0.0, post_grant,
                            np.stack([cols["u_interact"], cols["u_signal"], cols["u_form"]]),
                            tp, xp.model_copy(update={"bilateral_rate": bilateral_rate}))
    month.update(personal=ts.personal, institutional=ts.institutional, age=ts.age,
                 pos=month["signal"] > 0, neg=month["signal"] < 0)
    return dict(i=i, j=j, tie=tie, common=common, interacted=interacted, pos=pos, neg=neg,
                personal=personal, institutional=institutional, age=age, trust=trust,
                p_form=p_form, hazard=hazard, forms=cols["u_form"] < p_form,
                gone=cols["u_dissolve"] < hazard, month=month)


def compare(seed: int, n: int, density: float, trust_level: float | None = None,
            post_grant: bool | None = None) -> dict:
    rng = np.random.default_rng(seed)
    tp = random_section(rng, Trust)
    xp = random_section(rng, Ties)
    q_pos = unit_value(rng)
    bilateral_rate = unit_value(rng)
    if post_grant is None:
        post_grant = bool(rng.random() < 0.5)
    g, candidates = random_world(rng, n, density, trust_level)
    edges, pairs = ref.tie_update(g, candidates, q_pos, bilateral_rate, post_grant, tp, xp)
    fast = fast_path(g, candidates, q_pos, bilateral_rate, post_grant, tp, xp, rng)

    assert len(edges) + len(pairs) == n * (n - 1) // 2
    # The compiled month equals the rules applied one at a time.
    month = fast["month"]
    for name in ("interacted", "pos", "neg", "common"):
        assert np.array_equal(month[name], fast[name]), name
    for name in ("personal", "institutional", "age", "trust", "p_form", "hazard"):
        assert np.allclose(month[name], fast[name], rtol=0.0, atol=TOL), name
    for k, (a, b) in enumerate(zip(fast["i"].tolist(), fast["j"].tolist(), strict=True)):
        if fast["tie"][k]:
            e = edges[(a, b)]
            assert fast["interacted"][k] == e.interacted, (a, b)
            assert fast["pos"][k] == e.win, (a, b)
            assert fast["neg"][k] == e.let_down, (a, b)
            assert abs(fast["personal"][k] - e.personal) <= TOL, (a, b)
            assert abs(fast["institutional"][k] - e.institutional) <= TOL, (a, b)
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
