"""Bounds, direction and invariants of every update rule (science_anchors §4, §7 B)."""

from __future__ import annotations

import copy
from types import SimpleNamespace

import numpy as np
import pytest

from agents import _org_kernels as kernels
from agents import rules, ties
from agents.organization import EMPLOYER
from sim.model import ConsortiumModel
from sim.params import (
    Commitment,
    Employers,
    Institutionalization,
    ScenarioParams,
    Ties,
    Trust,
)

SEEDS = range(6)
N = 400


def bounds_of(section: type, name: str) -> tuple[float, float]:
    lo = hi = None
    for m in section.model_fields[name].metadata:
        lo = getattr(m, "ge", lo)
        hi = getattr(m, "le", hi)
    return float(lo), float(hi)


def extreme_sections(section: type, rng: np.random.Generator, count: int = 8) -> list:
    """Default, all-low, all-high and random corner/interior mixes of a section's floats."""
    floats = [n for n, f in section.model_fields.items() if f.annotation is float]
    out = [section()]
    for pick in ("low", "high"):
        out.append(section(**{n: bounds_of(section, n)[0 if pick == "low" else 1]
                              for n in floats}))
    for _ in range(count):
        vals = {}
        for n in floats:
            lo, hi = bounds_of(section, n)
            r = rng.random()
            vals[n] = lo if r < 0.3 else hi if r < 0.6 else float(rng.uniform(lo, hi))
        out.append(section(**vals))
    return out


def unit(rng: np.random.Generator, n: int = N) -> np.ndarray:
    """Values in [0, 1] with exact 0s and 1s mixed in."""
    x = rng.random(n)
    x[rng.random(n) < 0.1] = 0.0
    x[rng.random(n) < 0.1] = 1.0
    return x


def in_unit(x: np.ndarray) -> bool:
    return bool(np.all((x >= 0.0) & (x <= 1.0)) and np.all(np.isfinite(x)))


def trust_inputs(rng: np.random.Generator, n: int = N) -> dict:
    tie = rng.random(n) < 0.8
    interacted = tie & (rng.random(n) < 0.6)
    u = rng.random(n)
    pos = interacted & (u < 0.4)
    neg = interacted & ~pos & (u > 0.7)
    return dict(personal=unit(rng, n) * tie, institutional=unit(rng, n) * tie, tie=tie,
                interacted=interacted, pos=pos, neg=neg, gain=unit(rng, n),
                age=rng.integers(0, 300, n).astype(float), formality=unit(rng, n))


def step(d: dict, p: Trust) -> tuple[np.ndarray, np.ndarray]:
    return ties.trust_step(d["personal"], d["institutional"], d["tie"], d["interacted"],
                           d["pos"], d["neg"], d["gain"], d["age"], d["formality"], p)


# ---------------------------------------------------------------------------- tie kernels
@pytest.mark.parametrize("seed", SEEDS)
def test_trust_step_bounds(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for p in extreme_sections(Trust, rng):
        d = trust_inputs(rng)
        P, I = step(d, p)  # noqa: E741
        assert in_unit(P) and in_unit(I)
        # Pairs without a tie are left alone.
        assert np.array_equal(P[~d["tie"]], d["personal"][~d["tie"]])
        assert np.array_equal(I[~d["tie"]], d["institutional"][~d["tie"]])
        assert in_unit(ties.combined_trust(P, I, d["formality"]))


@pytest.mark.parametrize("seed", SEEDS)
def test_win_raises_and_let_down_lowers_trust(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = N
    base = dict(personal=rng.uniform(0.01, 0.99, n), institutional=rng.random(n),
                tie=np.ones(n, bool), interacted=np.ones(n, bool), gain=rng.uniform(0.01, 1, n),
                age=rng.random(n) * 100, formality=rng.random(n))
    none = np.zeros(n, bool)
    p = Trust(loss_ratio=float(rng.uniform(0.1, 10)))
    P_win, _ = step(dict(base, pos=~none, neg=none), p)
    P_loss, _ = step(dict(base, pos=none, neg=~none), p)
    P_same, _ = step(dict(base, pos=none, neg=none), p)
    assert (P_win > base["personal"]).all()
    assert (P_loss < base["personal"]).all()
    assert np.array_equal(P_same, base["personal"])
    # Negativity bias: with loss_ratio > 1 a let-down at P = 1/2 outweighs a win.
    half = dict(base, personal=np.full(n, 0.5), gain=np.full(n, 0.1))
    p3 = Trust(loss_ratio=3.0)
    up = step(dict(half, pos=~none, neg=none), p3)[0] - 0.5
    down = 0.5 - step(dict(half, pos=none, neg=~none), p3)[0]
    assert np.allclose(down, 3.0 * up)


@pytest.mark.parametrize("seed", SEEDS)
def test_equal_gain_win_and_let_down_are_symmetric(seed: int) -> None:
    """alpha- = alpha+ (loss_ratio 1): a win moves P by gain*(1-P), a let-down by gain*P,
    so a win from P mirrors a let-down from 1-P (science_anchors §7 B)."""
    rng = np.random.default_rng(seed)
    n = N
    P0 = unit(rng, n)
    gain = rng.random(n)
    common = dict(institutional=rng.random(n), tie=np.ones(n, bool),
                  interacted=np.ones(n, bool), gain=gain, age=rng.random(n) * 50,
                  formality=rng.random(n))
    none = np.zeros(n, bool)
    p = Trust(loss_ratio=1.0, decay_rate=float(rng.random()))
    win, _ = step(dict(common, personal=P0, pos=~none, neg=none), p)
    loss, _ = step(dict(common, personal=P0, pos=none, neg=~none), p)
    assert np.allclose(win - P0, gain * (1.0 - P0), atol=1e-15)
    assert np.allclose(P0 - loss, gain * P0, atol=1e-15)
    mirrored, _ = step(dict(common, personal=1.0 - P0, pos=none, neg=~none), p)
    assert np.allclose(1.0 - win, mirrored, atol=1e-15)


@pytest.mark.parametrize("seed", SEEDS)
def test_no_interaction_and_no_decay_leaves_personal_trust(seed: int) -> None:
    rng = np.random.default_rng(seed)
    d = trust_inputs(rng)
    d["interacted"] = np.zeros(N, bool)
    d["pos"] = d["neg"] = np.zeros(N, bool)
    p = Trust(decay_rate=0.0, age_slowing=float(rng.random()), baseline=float(rng.random()))
    P, _ = step(d, p)
    assert np.array_equal(P, d["personal"])


def test_idle_trust_relaxes_to_baseline_more_slowly_on_old_ties() -> None:
    p = Trust(decay_rate=0.1, age_slowing=0.05, baseline=0.3)
    personal = np.array([0.9, 0.9, 0.1, 0.1, 0.3])
    age = np.array([0.0, 100.0, 0.0, 100.0, 0.0])
    n = len(personal)
    P, _ = ties.trust_step(personal, np.zeros(n), np.ones(n, bool), np.zeros(n, bool),
                           np.zeros(n, bool), np.zeros(n, bool), np.full(n, 0.1), age,
                           np.zeros(n), p)
    assert P[0] < P[1] < 0.9  # high trust falls, less on the older tie
    assert 0.1 < P[3] < P[2]  # low trust rises towards the baseline, less on the older tie
    assert P[4] == 0.3
    assert P[0] > 0.3 and P[2] < 0.3  # no overshoot


def test_institutional_trust_follows_formality() -> None:
    p = Trust(formalization_transfer=0.2, institutional_decay=0.05)
    n = 3
    personal = np.full(n, 0.8)
    inst = np.full(n, 0.4)
    formality = np.array([0.0, 0.5, 1.0])
    args = (np.ones(n, bool), np.ones(n, bool), np.zeros(n, bool), np.zeros(n, bool),
            np.full(n, 0.1), np.zeros(n), formality, p)
    _, I = ties.trust_step(personal, inst, *args)  # noqa: E741
    assert I[0] < 0.4  # no formal backing: erodes
    assert I[2] > I[1] > I[0]  # more formality, more transfer from personal trust
    assert I[2] == pytest.approx(0.4 + 0.2 * 0.4)
    # Combined trust leans on the institutional layer as formality grows (T4).
    c = ties.combined_trust(personal, inst, formality)
    assert c[0] == pytest.approx(0.8) and c[2] == pytest.approx(0.6)


# ---------------------------------------------------------------------------- Beta trust (T3)
BETA = "beta_reputation"


def beta_section(**values) -> Trust:
    return Trust(rule=BETA, **values)


def beta_inputs(rng: np.random.Generator, p: Trust, n: int = N) -> dict:
    """Tie state consistent under the Beta rule: personal trust is the mean of the evidence."""
    d = trust_inputs(rng, n)
    cap = 1.0 / (1.0 - p.beta_forgetting)
    d["positive"] = unit(rng, n) * cap * d["tie"]
    d["negative"] = unit(rng, n) * cap * d["tie"]
    d["personal"] = ties.beta_mean(d["positive"], d["negative"], p) * d["tie"]
    d["w_neg"] = rng.uniform(0.0, 10.0, n)
    return d


def beta_step(d: dict, p: Trust) -> tuple[np.ndarray, ...]:
    return ties.beta_trust_step(d["personal"], d["institutional"], d["positive"],
                                d["negative"], d["tie"], d["pos"], d["neg"], d["gain"],
                                d["w_neg"], d["formality"], p)


@pytest.mark.parametrize("seed", SEEDS)
def test_beta_trust_bounds(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for p in extreme_sections(Trust, rng):
        p = p.model_copy(update={"rule": BETA})
        d = beta_inputs(rng, p)
        P, I, r, s = beta_step(d, p)  # noqa: E741
        assert in_unit(P) and in_unit(I)
        assert (r >= 0).all() and (s >= 0).all() and np.isfinite(r + s).all()
        tie = d["tie"]
        for new, old in ((P, "personal"), (I, "institutional"), (r, "positive"),
                         (s, "negative")):
            assert np.array_equal(new[~tie], d[old][~tie]), old
        assert np.allclose(P[tie], ties.beta_mean(r, s, p)[tie], rtol=0.0, atol=1e-15)


@pytest.mark.parametrize("seed", SEEDS)
def test_beta_wins_raise_and_let_downs_lower_trust(seed: int) -> None:
    rng = np.random.default_rng(seed)
    p = beta_section(beta_forgetting=float(rng.uniform(0.0, 0.99)),
                     beta_prior_weight=float(rng.uniform(0.1, 20)),
                     baseline=float(rng.uniform(0.01, 0.99)))
    d = beta_inputs(rng, p)
    d.update(tie=np.ones(N, bool), gain=rng.uniform(0.01, 3.0, N),
             w_neg=rng.uniform(0.01, 10.0, N))
    none = np.zeros(N, bool)
    P_win = beta_step(dict(d, pos=~none, neg=none), p)[0]
    P_none = beta_step(dict(d, pos=none, neg=none), p)[0]
    P_loss = beta_step(dict(d, pos=none, neg=~none), p)[0]
    assert (P_win > P_none).all() and (P_loss < P_none).all()
    # More wins (more evidence per win) raise trust further; more let-downs lower it.
    assert (beta_step(dict(d, pos=~none, neg=none, gain=2 * d["gain"]), p)[0] > P_win).all()
    assert (beta_step(dict(d, pos=none, neg=~none, w_neg=2 * d["w_neg"]), p)[0]
            < P_loss).all()
    # Negativity bias: with equal evidence from the prior alone, a let-down weighing 3
    # moves trust more than a win weighing 1.
    q = beta_section(beta_negative_weight=3.0, baseline=0.5, beta_prior_weight=2.0)
    zero = np.zeros(1)
    up = ties.beta_trust_step(zero, zero, zero, zero, [True], [True], [False], 1.0, 3.0,
                              zero, q)[0][0] - 0.5
    down = 0.5 - ties.beta_trust_step(zero, zero, zero, zero, [True], [False], [True], 1.0,
                                      3.0, zero, q)[0][0]
    assert up == pytest.approx(2 / 3 - 0.5) and down == pytest.approx(0.5 - 1 / 5)
    assert down > up


@pytest.mark.parametrize("seed", SEEDS)
def test_beta_forgetting_returns_trust_to_the_prior_mean(seed: int) -> None:
    rng = np.random.default_rng(seed)
    p = beta_section(beta_forgetting=float(rng.uniform(0.3, 0.95)),
                     baseline=float(rng.uniform(0.0, 1.0)))
    d = beta_inputs(rng, p)
    d.update(tie=np.ones(N, bool), pos=np.zeros(N, bool), neg=np.zeros(N, bool))
    gap = np.abs(d["personal"] - p.baseline)
    for _ in range(400):
        P, d["institutional"], d["positive"], d["negative"] = beta_step(d, p)
        new_gap = np.abs(P - p.baseline)
        assert (new_gap <= gap + 1e-15).all()  # never moves away, never overshoots
        gap = new_gap
    assert np.allclose(P, p.baseline, atol=1e-9)


def test_beta_forgetting_zero_keeps_only_this_month() -> None:
    p = beta_section(beta_forgetting=0.0, beta_prior_weight=2.0, baseline=0.5)
    P, _, r, s = ties.beta_trust_step(np.zeros(2), np.zeros(2), np.array([50.0, 0.0]),
                                      np.array([0.0, 50.0]), [True, True], [True, False],
                                      [False, True], 1.0, 1.0, np.zeros(2), p)
    assert r.tolist() == [1.0, 0.0] and s.tolist() == [0.0, 1.0]
    assert P.tolist() == [2 / 3, 1 / 3]


@pytest.mark.parametrize("seed", SEEDS)
def test_beta_turnover_lowers_evidence(seed: int) -> None:
    rng = np.random.default_rng(seed)
    p = beta_section(baseline=float(rng.random()))
    d = beta_inputs(rng, p)
    ts = SimpleNamespace(personal=d["personal"].copy(), positive=d["positive"].copy(),
                         negative=d["negative"].copy(), tie=d["tie"])
    pairs = np.flatnonzero(rng.random(N) < 0.5)
    keep = float(rng.random())
    ties.reset_personal(ts, pairs, keep, p)
    hit = np.zeros(N, bool)
    hit[pairs] = True
    tied = hit & d["tie"]
    assert np.allclose(ts.positive[tied], keep * d["positive"][tied], rtol=0.0, atol=1e-15)
    assert np.allclose(ts.negative[tied], keep * d["negative"][tied], rtol=0.0, atol=1e-15)
    assert (ts.positive + ts.negative <= d["positive"] + d["negative"]).all()
    for name in ("personal", "positive", "negative"):
        assert np.array_equal(getattr(ts, name)[~tied], d[name][~tied]), name
    # Trust moves towards the baseline (the prior mean), never past it.
    old, new = d["personal"][tied] - p.baseline, ts.personal[tied] - p.baseline
    assert (np.abs(new) <= np.abs(old) + 1e-15).all() and (new * old >= 0).all()
    assert np.allclose(ts.personal[tied], ties.beta_mean(ts.positive, ts.negative, p)[tied])
    # Keeping everything changes nothing; keeping nothing leaves the prior mean.
    ts2 = SimpleNamespace(personal=d["personal"].copy(), positive=d["positive"].copy(),
                          negative=d["negative"].copy(), tie=d["tie"])
    ties.reset_personal(ts2, pairs, 1.0, p)
    assert np.array_equal(ts2.positive, d["positive"])
    ties.reset_personal(ts2, pairs, 0.0, p)
    assert np.allclose(ts2.personal[tied], p.baseline)


def test_beta_let_down_adds_negative_evidence() -> None:
    p = beta_section(beta_negative_weight=2.5)
    ts = SimpleNamespace(personal=np.array([0.6, 0.4]), positive=np.array([3.0, 1.0]),
                         negative=np.array([0.5, 0.0]), tie=np.ones(2, bool))
    ties.let_down(ts, np.array([0]), p)
    assert ts.negative.tolist() == [3.0, 0.0] and ts.positive.tolist() == [3.0, 1.0]
    assert ts.personal[0] == pytest.approx(ties.beta_mean(ts.positive, ts.negative, p)[0])
    assert ts.personal[1] == 0.4
    # The asymmetric rule removes min(1, loss_ratio*gain_rate) of personal trust.
    q = Trust(loss_ratio=3.0, gain_rate=0.1)
    ts = SimpleNamespace(personal=np.array([0.6, 0.4]))
    ties.let_down(ts, np.array([1]), q)
    assert ts.personal.tolist() == [0.6, pytest.approx(0.28)]


@pytest.mark.parametrize("seed", SEEDS)
def test_beta_evidence_reproduces_trust_levels(seed: int) -> None:
    rng = np.random.default_rng(seed)
    p = beta_section(beta_forgetting=0.99, beta_prior_weight=float(rng.uniform(0.1, 20)),
                     baseline=float(rng.uniform(0.05, 0.95)))
    level = rng.uniform(0.05, 0.95, N)
    r, s = ties.beta_evidence(level, p)
    assert (r >= 0).all() and (s >= 0).all() and ((r == 0) | (s == 0)).all()
    cap = 1.0 / (1.0 - p.beta_forgetting)
    ok = (r < cap) & (s < cap)
    assert ok.any()
    assert np.allclose(ties.beta_mean(r, s, p)[ok], level[ok], atol=1e-12)
    # Levels needing more evidence than the cap come out at the cap, nearer the baseline.
    edge = ties.beta_evidence(np.array([0.0, 1.0, p.baseline]), p)
    assert edge[0][:2].tolist() == [0.0, cap] and edge[1][:2].tolist() == [cap, 0.0]
    # The baseline is the prior mean: (next to) no evidence at all.
    assert edge[0][2] + edge[1][2] < 1e-12


@pytest.mark.parametrize("seed", SEEDS)
def test_interactions_and_signals(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = N
    tie = rng.random(n) < 0.7
    commit_min = unit(rng, n)
    coattend = rng.random(n) < 0.3
    u = rng.random(n)
    out = ties.interactions(tie, commit_min > 0, commit_min, coattend, 1.0, u)
    assert not out[~tie].any()
    assert out[tie & coattend].all()
    # Nobody committed and nobody co-attending: no interaction at any rate.
    quiet = ties.interactions(tie, np.zeros(n, bool), np.zeros(n), np.zeros(n, bool), 1.0,
                              np.zeros(n))
    assert not quiet.any()
    # Rate 0: only co-attendance counts.
    assert np.array_equal(ties.interactions(tie, commit_min > 0, commit_min, coattend, 0.0, u),
                          tie & coattend)
    q_neg = rng.random(n) * 0.5
    pos, neg = ties.signals(out, 0.4, q_neg, rng.random(n))
    assert not (pos & neg).any()
    assert not ((pos | neg) & ~out).any()
    pos1, neg1 = ties.signals(out, 1.0, q_neg, rng.random(n))
    assert np.array_equal(pos1, out) and not neg1.any()
    pos0, neg0 = ties.signals(out, 0.0, np.ones(n), rng.random(n))
    assert not pos0.any() and np.array_equal(neg0, out)


def hazard(p: Ties, age=50.0, trust=0.4, bridge=False, post=False) -> float:
    return float(ties.dissolution_hazard(np.array([True]), np.array([age]), np.array([trust]),
                                         np.array([bridge]), post, p)[0])


@pytest.mark.parametrize("seed", SEEDS)
def test_dissolution_hazard_bounds_and_direction(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for p in extreme_sections(Ties, rng):
        n = N
        tie = rng.random(n) < 0.6
        h = ties.dissolution_hazard(tie, rng.random(n) * 200, unit(rng, n), rng.random(n) < 0.5,
                                    bool(rng.random() < 0.5), p)
        assert in_unit(h)
        assert (h[~tie] == 0.0).all()
    p = Ties()
    assert hazard(p, trust=0.8) < hazard(p, trust=0.4) < hazard(p, trust=0.0)
    assert hazard(p, age=200) < hazard(p, age=50) < hazard(p, age=0)
    assert hazard(p, bridge=True) > hazard(p)
    assert hazard(p, post=True) > hazard(p)
    assert hazard(p, bridge=True, post=True) == pytest.approx(hazard(p) * 2.5 * 1.5)
    assert hazard(Ties(dissolution_rate=0.0), trust=0.0, age=0, bridge=True, post=True) == 0.0


def form(p: Ties, tie=False, coattend=False, common=0.0, comp=1.0, near=1.0, open_=1.0):
    return float(ties.formation_probability(np.array([tie]), np.array([coattend]),
                                            np.array([common]), np.array([comp]),
                                            np.array([near]), np.array([open_]), p)[0])


@pytest.mark.parametrize("seed", SEEDS)
def test_formation_probability_bounds_and_direction(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for p in extreme_sections(Ties, rng):
        n = N
        tie = rng.random(n) < 0.5
        prob = ties.formation_probability(tie, rng.random(n) < 0.5,
                                          rng.integers(0, 20, n).astype(float),
                                          rng.uniform(0, 10, n), unit(rng, n), unit(rng, n), p)
        assert in_unit(prob)
        assert (prob[tie] == 0.0).all()
    p = Ties()
    for kw in ({}, {"coattend": True}, {"common": 3.0}):
        assert form(p, tie=True, **kw) == 0.0
    assert form(p, coattend=True) > form(p)
    assert form(p, common=4.0) > form(p, common=1.0) > form(p, common=0.0)
    assert form(p, comp=1.5) > form(p, comp=1.0)
    assert form(p, coattend=True, open_=0.5) < form(p, coattend=True)
    assert form(p, common=2.0, near=0.1) < form(p, common=2.0, near=0.9)
    # Saturation: each extra common partner adds less.
    steps = np.diff([form(p, common=c) for c in range(6)])
    assert (np.diff(steps) < 0).all()


# ---------------------------------------------------------------------------- commitment
@pytest.mark.parametrize("seed", SEEDS)
def test_commitment_learning_bounds(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for p in extreme_sections(Commitment, rng):
        c0, a0 = unit(rng), rng.uniform(-2, 2, N)
        payoff = rng.uniform(-3, 3, N)
        C, A = rules.commitment_learning(c0, a0, payoff, p)
        assert in_unit(C)
        lo, hi = np.minimum(a0, payoff), np.maximum(a0, payoff)
        assert ((A >= lo - 1e-12) & (A <= hi + 1e-12)).all()


@pytest.mark.parametrize("seed", SEEDS)
def test_commitment_follows_payoff_against_aspiration(seed: int) -> None:
    rng = np.random.default_rng(seed)
    p = Commitment(learning_rate=0.3, habituation=0.2)
    c0 = rng.uniform(0.01, 0.99, N)
    a0 = rng.uniform(-0.5, 0.5, N)
    gap = rng.uniform(0.01, 0.8, N)
    up, a_up = rules.commitment_learning(c0, a0, a0 + gap, p)
    down, a_down = rules.commitment_learning(c0, a0, a0 - gap, p)
    assert (up > c0).all() and (down < c0).all()
    assert np.allclose(up - c0, 0.3 * (1 - c0) * gap)
    assert np.allclose(c0 - down, 0.3 * c0 * gap)
    # Aspirations habituate towards the payoff (C2).
    assert (a_up > a0).all() and (a_down < a0).all()
    same, _ = rules.commitment_learning(c0, a0, a0, p)
    assert np.array_equal(same, c0)
    # A bigger payoff gap moves commitment further.
    more, _ = rules.commitment_learning(c0, a0, a0 + gap + 0.1, p)
    assert (more > up).all()


def test_exits_and_joins() -> None:
    p = Commitment(exit_commitment=0.2, join_commitment=0.4, join_min_partners=2)
    c = np.array([0.1, 0.5, 0.5, 0.19, 0.9])
    share = np.array([0.9, 0.9, 0.1, 0.9, 0.5])
    thr = np.array([0.3, 0.3, 0.3, 0.3, 0.5])
    assert exits_list(c, share, thr, p) == [True, False, True, True, False]
    trusted = np.array([2, 1, 3, 0, 5])
    invited = np.array([False, False, False, True, False])
    out = rules.joins(np.array([0.5, 0.5, 0.3, 0.5, 0.4]), trusted, invited, p)
    assert out.tolist() == [True, False, False, True, True]


def exits_list(c, share, thr, p) -> list[bool]:
    return rules.exits(c, share, thr, p).tolist()


@pytest.mark.parametrize("seed", SEEDS)
def test_exits_joins_monotone(seed: int) -> None:
    rng = np.random.default_rng(seed)
    p = Commitment()
    c, share, thr = unit(rng), unit(rng), unit(rng)
    base = rules.exits(c, share, thr, p)
    assert (rules.exits(c * 0.5, share, thr, p) >= base).all()
    assert (rules.exits(c, share * 0.5, thr, p) >= base).all()
    trusted = rng.integers(0, 5, N)
    invited = rng.random(N) < 0.3
    j = rules.joins(c, trusted, invited, p)
    assert (rules.joins(np.minimum(1, c + 0.2), trusted + 1, invited, p) >= j).all()
    assert not rules.joins(np.zeros(N), trusted + 10, np.ones(N, bool), p).any()


# ---------------------------------------------------------------------------- logit exit (C4 alt.)
def logit(**values) -> Commitment:
    return Commitment(exit_rule="logit", **values)


@pytest.mark.parametrize("seed", SEEDS)
def test_exit_probability_bounds_and_direction(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for p in extreme_sections(Commitment, rng):
        c, share, thr = unit(rng), unit(rng), unit(rng)
        prob = rules.exit_probability(c, share, thr, p)
        assert in_unit(prob)
        # Falling commitment or partner share, or a higher threshold: never less likely.
        assert (rules.exit_probability(c * 0.5, share, thr, p) >= prob).all()
        assert (rules.exit_probability(c, share * 0.5, thr, p) >= prob).all()
        assert (rules.exit_probability(c, share, np.minimum(1, thr + 0.2), p) >= prob).all()
    # Strictly so while the chance is neither 0 nor 1.
    p = logit(exit_slope=5.0)
    c = np.linspace(0.0, 1.0, 11)
    prob = rules.exit_probability(c, np.full(11, 0.5), np.full(11, 0.3), p)
    assert (np.diff(prob) < 0).all()
    prob = rules.exit_probability(np.full(11, 0.5), c, np.full(11, 0.3), p)
    assert (np.diff(prob) < 0).all()


def test_exit_probability_at_the_lines_and_without_slope() -> None:
    p = logit(exit_slope=40.0, exit_commitment=0.2)
    # On one line and far above the other: even odds.
    assert rules.exit_probability([0.2], [1.0], [0.0], p)[0] == pytest.approx(0.5, abs=1e-12)
    assert rules.exit_probability([1.0], [0.3], [0.3], p)[0] == pytest.approx(0.5, abs=1e-12)
    # A slope of zero ignores both shortfalls: 2 of 3 alternatives are leaving.
    flat = logit(exit_slope=0.0)
    c, share = np.random.default_rng(0).random((2, 50))
    assert np.allclose(rules.exit_probability(c, share, share, flat), 2 / 3)


@pytest.mark.parametrize("seed", SEEDS)
def test_steep_logit_exit_approaches_the_threshold_rule(seed: int) -> None:
    rng = np.random.default_rng(seed)
    p = Commitment(exit_commitment=float(rng.uniform(0.05, 0.5)))
    c, share, thr = unit(rng), unit(rng), unit(rng)
    # Keep every value at least 0.02 from its line, so slope 1000 gives e^-20 or less.
    far = ((np.abs(c - p.exit_commitment) > 0.02) & (np.abs(share - thr) > 0.02))
    c, share, thr = c[far], share[far], thr[far]
    threshold_exits = rules.exits(c, share, thr, p)
    assert threshold_exits.any() and not threshold_exits.all()
    steep = p.model_copy(update={"exit_rule": "logit", "exit_slope": 1000.0})
    prob = rules.exit_probability(c, share, thr, steep)
    assert np.allclose(prob, threshold_exits, atol=1e-8)
    u = rng.random(len(c))
    assert np.array_equal(rules.exits(c, share, thr, steep, u), threshold_exits)
    # A gentler slope blurs the line: some exits above it, some stays below it.
    gentle = rules.exit_probability(c, share, thr, steep.model_copy(
        update={"exit_slope": 10.0}))
    assert (gentle[~threshold_exits] > 1e-6).any() and (gentle[threshold_exits] < 1).any()


def test_logit_exits_need_uniforms() -> None:
    p = logit()
    c, share, thr = np.array([0.1, 0.9]), np.array([0.9, 0.9]), np.array([0.3, 0.3])
    with pytest.raises(ValueError, match="uniform"):
        rules.exits(c, share, thr, p)
    prob = rules.exit_probability(c, share, thr, p)
    assert rules.exits(c, share, thr, p, u=prob - 1e-12).tolist() == [True, True]
    assert rules.exits(c, share, thr, p, u=prob).tolist() == [False, False]


@pytest.mark.parametrize("seed", SEEDS)
def test_contribution_share_bounds(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for p in extreme_sections(Commitment, rng):
        share = rules.contribution_share(unit(rng), unit(rng), rng.random(N) < 0.3,
                                         float(rng.random()), unit(rng), rng.random(N) < 0.2,
                                         float(rng.random()), p)
        assert in_unit(share)


@pytest.mark.parametrize("seed", SEEDS)
def test_contribution_share_direction(seed: int) -> None:
    rng = np.random.default_rng(seed)
    p = Commitment(contrib_intercept=-0.2, contrib_value=0.6, crowding=0.3)
    habit = rng.uniform(0.0, 0.3, N)
    champ = rng.random(N) < 0.3
    load = rng.uniform(0.0, 0.5, N)
    none = np.zeros(N, bool)
    value = rng.uniform(0.2, 0.5, N)
    lo = rules.contribution_share(value, habit, champ, 0.2, load, none, 0.0, p)
    hi = rules.contribution_share(value + 0.3, habit, champ, 0.2, load, none, 0.0, p)
    assert (hi >= lo).all() and (hi > lo).any()
    inside = (lo > 0) & (hi < 1)
    assert inside.sum() > N // 2 and (hi[inside] > lo[inside]).all()
    more_habit = rules.contribution_share(value, habit + 0.2, champ, 0.2, load, none, 0.0, p)
    assert (more_habit >= lo).all() and (more_habit > lo).any()
    loaded = rules.contribution_share(value, habit, champ, 0.2, load + 0.3, none, 0.0, p)
    assert (loaded <= lo).all() and (loaded < lo).any()
    # Money-motivated partners give nothing (M3).
    money = rules.contribution_share(np.ones(N), np.ones(N), np.ones(N, bool), 1.0,
                                     np.zeros(N), np.ones(N, bool), 0.0, p)
    assert (money == 0.0).all()
    # State money still flowing crowds partners' own money out (C3).
    crowded = rules.contribution_share(value, habit, champ, 0.2, load, none, 1.0, p)
    assert (crowded <= lo).all() and (crowded[lo > 0] < lo[lo > 0]).all()


def test_negative_crowding_crowds_in() -> None:
    """C3 allows crowding in [-0.1, 0.7]; a negative value crowds partners' money in."""
    p = Commitment(contrib_intercept=-0.2, contrib_value=0.6, crowding=-0.1)
    value = np.array([0.5, 0.6, 0.7, 2.0])
    args = (np.zeros(4), np.zeros(4, bool), 0.2, np.zeros(4), np.zeros(4, bool))
    without = rules.contribution_share(value, *args, 0.0, p)
    with_state = rules.contribution_share(value, *args, 1.0, p)
    assert (with_state[:3] > without[:3]).all()
    assert np.allclose(with_state[:3], without[:3] * 1.1)
    assert with_state[3] == without[3] == 1.0


@pytest.mark.parametrize("seed", SEEDS)
def test_pledge_honour_probability(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for p in extreme_sections(Commitment, rng):
        c, same, habit = unit(rng), rng.random(N) < 0.5, unit(rng)
        for enforced in (False, True):
            pr = rules.pledge_honour_probability(c, same, habit, enforced, p)
            assert in_unit(pr)
    p = Commitment()
    c = rng.uniform(0.0, 0.8, N)
    same = rng.random(N) < 0.5
    habit = rng.uniform(0.0, 0.8, N)
    base = rules.pledge_honour_probability(c, same, habit, False, p)
    assert (rules.pledge_honour_probability(c + 0.2, same, habit, False, p) > base).all()
    assert (rules.pledge_honour_probability(c, same, habit, True, p) > base).all()
    assert (rules.pledge_honour_probability(c, same, habit + 0.2, False, p) > base).all()
    assert (rules.pledge_honour_probability(c, np.ones(N, bool), habit, False, p)[~same]
            > base[~same]).all()


# ---------------------------------------------------------------------------- habits
@pytest.mark.parametrize("seed", SEEDS)
def test_habit_step_bounds_and_floor(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for p in extreme_sections(Institutionalization, rng):
        habit = unit(rng)
        floor = unit(rng) * 0.6
        habit = np.maximum(habit, floor)
        enacted = rng.random(N) < 0.5
        out = rules.habit_step(habit, floor, enacted, float(rng.random()), p)
        assert in_unit(out)
        assert (out >= floor).all()


@pytest.mark.parametrize("seed", SEEDS)
def test_habit_grows_when_enacted_and_decays_to_floor(seed: int) -> None:
    rng = np.random.default_rng(seed)
    p = Institutionalization(habit_growth=0.1, habit_decay=0.2)
    habit = rng.uniform(0.01, 0.99, N)
    floor = np.zeros(N)
    yes, no = np.ones(N, bool), np.zeros(N, bool)
    assert (rules.habit_step(habit, floor, yes, 0.7, p) > habit).all()
    assert (rules.habit_step(habit, floor, no, 0.7, p) < habit).all()
    # More systems effort, faster growth; no effort, no growth.
    assert (rules.habit_step(habit, floor, yes, 1.0, p)
            > rules.habit_step(habit, floor, yes, 0.5, p)).all()
    assert np.array_equal(rules.habit_step(habit, floor, yes, 0.0, p), habit)
    # Passages hold the habit at its floor however long the practice lapses.
    floor = np.full(N, 0.24)
    h = habit.copy()
    for _ in range(200):
        h = rules.habit_step(h, floor, no, 0.7, p)
        assert (h >= 0.24).all()
    assert np.allclose(h, 0.24)


@pytest.mark.parametrize("seed", SEEDS)
def test_program_step(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for p in extreme_sections(Institutionalization, rng):
        out = rules.program_step(unit(rng), unit(rng), unit(rng), p)
        assert in_unit(out)
    p = Institutionalization()
    prog = rng.uniform(0.05, 0.95, N)
    assert (rules.program_step(prog, np.zeros(N), np.ones(N), p)
            > rules.program_step(prog, np.zeros(N), np.zeros(N), p)).all()
    assert (rules.program_step(prog, np.zeros(N), np.zeros(N), p) < prog).all()
    assert np.array_equal(rules.program_step(prog, np.ones(N), np.zeros(N), p), prog)


# ---------------------------------------------------------------------------- employers
def employers(n: int, stage, roi, trust, part=True, burnout=0.0, difficulty=0.0,
              u=(1.0, 0.0, 1.0, 1.0)):
    return dict(stage=np.full(n, stage, dtype=np.int64), roi=np.full(n, float(roi)),
                burnout=np.full(n, float(burnout)), taking_part=np.full(n, part),
                trust_convener=np.full(n, float(trust)),
                difficulty=np.full(n, float(difficulty)),
                u=np.array([np.full(n, float(x)) for x in u]))


def emp_step(d: dict, p: Employers, activity=0.5, now=0.7, urgency=0.4, one_stop=0.0):
    return rules.employer_step(d["stage"], d["roi"], d["burnout"], d["taking_part"],
                               d["trust_convener"], d["difficulty"], activity, now, urgency,
                               np.float64(one_stop), d["u"], p)


@pytest.mark.parametrize("seed", SEEDS)
def test_employer_step_bounds(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for p in extreme_sections(Employers, rng, count=6):
        for transactional in (False, True):
            p2 = p.model_copy(update={"transactional_asks": transactional})
            stage = rng.integers(0, 7, N)
            roi, burnout = unit(rng), unit(rng)
            part = rng.random(N) < 0.7
            for _ in range(12):
                stage, roi, burnout, scared, burnt = rules.employer_step(
                    stage, roi, burnout, part, unit(rng), rng.choice([0.0, 0.25, 0.5], N),
                    float(rng.random()), float(rng.random()), float(rng.random()),
                    np.float64(rng.random() < 0.5), rng.random((4, N)), p2)
                assert ((stage >= 0) & (stage <= 6)).all()
                assert np.issubdtype(stage.dtype, np.integer)
                assert in_unit(roi) and in_unit(burnout)
                assert not (scared & ~part).any() and not (burnt & ~part).any()


def test_employers_climb_only_when_trust_and_roi_allow() -> None:
    p = Employers(trust_per_stage=0.1, roi_per_stage=0.1, step_rate=0.5)
    n = 5
    # Next rung (3) needs trust >= 0.3 and roi >= 0.3.
    ok = emp_step(employers(n, 2, roi=0.5, trust=0.5), p)[0]
    assert (ok == 3).all()
    low_trust = emp_step(employers(n, 2, roi=0.5, trust=0.25), p)[0]
    low_roi = emp_step(employers(n, 2, roi=0.2, trust=0.5), p)[0]
    out = emp_step(employers(n, 2, roi=0.5, trust=0.5, part=False), p)[0]
    assert (low_trust == 2).all() and (low_roi == 2).all() and (out <= 2).all()
    # Even a certain draw cannot lift an employer past champion (6).
    top = emp_step(employers(n, 6, roi=1.0, trust=1.0), Employers(trust_per_stage=0.0,
                                                                  roi_per_stage=0.0,
                                                                  step_rate=1.0))[0]
    assert (top == 6).all()
    # Higher rungs are harder in difficult sectors: a draw that climbs at difficulty 0
    # fails at difficulty 0.5.
    easy = emp_step(employers(n, 3, roi=1.0, trust=1.0, u=(1, 0.3, 1, 1)), p)[0]
    hard = emp_step(employers(n, 3, roi=1.0, trust=1.0, difficulty=0.5, u=(1, 0.3, 1, 1)),
                    p)[0]
    assert (easy == 4).all() and (hard == 3).all()


def test_student_contact_raises_roi() -> None:
    p = Employers(contact_rate=1.0, roi_decay=0.0)
    met = emp_step(employers(3, 1, roi=0.2, trust=0.0, u=(0.0, 1, 1, 1)), p, activity=1.0)[1]
    unmet = emp_step(employers(3, 1, roi=0.2, trust=0.0, u=(1.0, 1, 1, 1)), p, activity=1.0)[1]
    assert (met > 0.2).all() and (unmet == 0.2).all()
    more_urgent = emp_step(employers(3, 1, roi=0.2, trust=0.0, u=(0.0, 1, 1, 1)), p,
                           activity=1.0, urgency=1.0)[1]
    assert (more_urgent > met).all()


def test_transactional_asks_scare_employers_off_only_when_enabled() -> None:
    n = 4
    d = employers(n, 2, roi=0.0, trust=0.0, u=(1.0, 1.0, 0.0, 1.0))
    off = Employers(transactional_asks=False, transactional_dropout=1.0)
    on = Employers(transactional_asks=True, transactional_dropout=1.0)
    stage_off, _, _, scared_off, _ = emp_step(d, off, activity=1.0, now=1.0)
    stage_on, _, _, scared_on, _ = emp_step(d, on, activity=1.0, now=1.0)
    assert not scared_off.any() and (stage_off == 2).all()
    assert scared_on.all() and (stage_on == 0).all()
    # No 'now' effort, no asks, nobody scared.
    assert not emp_step(d, on, activity=1.0, now=0.0)[3].any()
    # Employers at rung 4 and above are past being scared off.
    high = employers(n, 4, roi=0.0, trust=0.0, u=(1.0, 1.0, 0.0, 1.0))
    assert not emp_step(high, on, activity=1.0, now=1.0)[3].any()


def test_heavy_asks_burn_employers_out() -> None:
    p = Employers(burnout_rate=0.5, burnout_exit=0.3, ask_rate=1.0)
    burnt = emp_step(employers(3, 4, roi=0.0, trust=0.0), p, activity=1.0, now=1.0)[4]
    calm = emp_step(employers(3, 4, roi=0.0, trust=0.0), p, activity=1.0, now=0.0)[4]
    assert burnt.all() and not calm.any()
    one_stop = emp_step(employers(3, 4, roi=0.0, trust=0.0), p, activity=1.0, now=1.0,
                        one_stop=1.0)[2]
    plain = emp_step(employers(3, 4, roi=0.0, trust=0.0), p, activity=1.0, now=1.0)[2]
    assert (one_stop < plain).all()


# ---------------------------------------------------------------------------- leader turnover
def small_params(**grant) -> ScenarioParams:
    d = ScenarioParams().model_dump()
    d["region"].update(n_districts=4, n_charters=0, n_colleges=2, n_workforce_boards=1,
                       n_county_offices=1, n_ta_providers=1, n_chambers=1, n_employers=6,
                       prior_tie_density=0.5)
    d["grant"].update(grant)
    return ScenarioParams.model_validate(d)


@pytest.mark.parametrize("seed", range(3))
def test_leader_turnover_leaves_institutional_trust(seed: int) -> None:
    model = ConsortiumModel(small_params(), seed)
    for _ in range(6):
        model.step()
    t = model.ties
    tp = model.params.trust
    lp = model.params.leadership
    for agent in model.agents_list:
        inst = t.institutional.copy()
        personal = t.personal.copy()
        agent.change_leader()
        assert np.array_equal(t.institutional, inst)
        k = agent.index
        mine = (t.i == k) | (t.j == k)
        assert np.array_equal(t.personal[~mine], personal[~mine])
        buffer = 1 - (1 - lp.onboarding) * (1 - lp.distributed_leadership)
        keep = tp.turnover_retention + (1 - tp.turnover_retention) * buffer
        expect = np.where(t.tie, keep * personal + (1 - keep) * tp.baseline, 0.0)
        assert np.allclose(t.personal[mine], expect[mine], atol=1e-12)


# ---------------------------------------------------------------------------- the model's month
# The model runs the rules above in compiled passes over all organizations; each test states
# one sub-step with array formulas and the public rules, and compares it with the pass.
def month_model(seed: int, months: int = 18, **sections: dict) -> ConsortiumModel:
    d = ScenarioParams().model_dump()
    for section, updates in sections.items():
        d[section].update(updates)
    model = ConsortiumModel(ScenarioParams.model_validate(d), seed)
    for _ in range(months):
        model.step()
    return model


def close(a: np.ndarray, b: np.ndarray) -> bool:
    return np.allclose(a, b, rtol=0.0, atol=1e-12)


@pytest.mark.parametrize("n", [1, 2, 3, 63, 64, 65, 130])
def test_common_partners_is_the_squared_adjacency(n: int) -> None:
    rng = np.random.default_rng(n)
    i, j = np.triu_indices(n, 1)
    for density in (0.0, 0.3, 1.0):
        tie = rng.random(len(i)) < density
        adj = np.zeros((n, n))
        adj[i[tie], j[tie]] = 1.0
        adj += adj.T
        out = ties.common_partners(SimpleNamespace(i=i, j=j, tie=tie), n, np.full((n, n), 7.0))
        assert np.array_equal(out, adj @ adj)


@pytest.mark.parametrize("seed", range(3))
def test_commitment_pass_is_payoff_then_learning(seed: int) -> None:
    model = month_model(seed)
    org, t, p = model.org, model.ties, model.params
    c, g = p.commitment, p.grant
    trust = model.trust()
    active = model.active_ties(trust)
    assert np.array_equal(active, t.tie & (trust >= p.trust.active_threshold)
                          & (t.idle <= p.ties.inactive_window_months))
    s, in_grant, part = 0.5, True, org.taking_part
    value = trust * active * (1.0 + 0.5 * t.cross)
    rel = (np.bincount(t.i, weights=value * part[t.j], minlength=model.n)
           + np.bincount(t.j, weights=value * part[t.i], minlength=model.n))
    relational = c.relational_weight * np.minimum(1.0, rel / 3.0)
    champion = p.leadership.champion_boost * org.champion
    relief = 0.5 * np.maximum(model.backbone_share,
                              p.institutionalization.habit_coordination * org.habit)
    inside = (relational + c.grant_weight * s * g.money * model.money_weight * model.grant_receipt
              + c.mandate_weight * g.mandate * org.signatory + c.vision_weight * model.vision
              + c.wins_weight * (model.wins + c.narrative * model.process)
              * (model.sector_benefit + org.roi)
              + champion - model.base_cost * (1.0 - relief) - model.dominance * s)
    outside = 0.5 * relational + champion
    C, A = rules.commitment_learning(org.commitment, org.aspiration,
                                     outside + part * (inside - outside), c)
    model._learn_commitment(s, in_grant, trust, active)
    assert close(org.commitment, C) and close(org.aspiration, A)


@pytest.mark.parametrize("seed", range(3))
def test_participation_pass_is_exits_and_joins(seed: int) -> None:
    model = month_model(seed, months=30)
    org, t, p = model.org, model.ties, model.params
    trust = model.trust()
    for in_grant in (True, False):
        part = org.taking_part.copy()
        adj = model.adjacency()
        partners, active_partners = adj.sum(axis=1), adj @ part
        share = np.where(partners > 0, active_partners / np.maximum(partners, 1.0),
                         part.mean())
        leave = part & rules.exits(org.commitment, share, org.threshold, p.commitment)
        ok = t.tie & (trust >= p.trust.active_threshold)
        trusted = (np.bincount(t.i, weights=ok & part[t.j], minlength=model.n)
                   + np.bincount(t.j, weights=ok & part[t.i], minlength=model.n))
        invited = org.signatory & (in_grant and p.grant.mandate)
        come = ~part & rules.joins(org.commitment, trusted, invited, p.commitment)
        expected = (part & ~leave) | come
        ever = org.ever_part | expected
        model._update_participation(in_grant, trust)
        assert np.array_equal(org.taking_part, expected)
        assert np.array_equal(org.ever_part, ever)


@pytest.mark.parametrize("seed", range(3))
def test_participation_pass_with_logit_exits(seed: int) -> None:
    """Under the logit rule the pass draws one uniform per organization from model.rng."""
    model = month_model(seed, months=30, commitment=dict(exit_rule="logit", exit_slope=20.0))
    org, t, p = model.org, model.ties, model.params
    trust = model.trust()
    for in_grant in (True, False):
        part = org.taking_part.copy()
        adj = model.adjacency()
        partners, active_partners = adj.sum(axis=1), adj @ part
        share = np.where(partners > 0, active_partners / np.maximum(partners, 1.0),
                         part.mean())
        u = copy.deepcopy(model.rng).random(model.n)
        leave = part & rules.exits(org.commitment, share, org.threshold, p.commitment, u)
        ok = t.tie & (trust >= p.trust.active_threshold)
        trusted = (np.bincount(t.i, weights=ok & part[t.j], minlength=model.n)
                   + np.bincount(t.j, weights=ok & part[t.i], minlength=model.n))
        invited = org.signatory & (in_grant and p.grant.mandate)
        come = ~part & rules.joins(org.commitment, trusted, invited, p.commitment)
        expected = (part & ~leave) | come
        model._update_participation(in_grant, trust)
        assert np.array_equal(org.taking_part, expected)


def test_threshold_exits_draw_nothing() -> None:
    model = month_model(0, months=30)
    state = copy.deepcopy(model.rng.bit_generator.state)
    model._update_participation(True, model.trust())
    assert model.rng.bit_generator.state == state
    logit_model = month_model(0, months=30, commitment=dict(exit_rule="logit"))
    state = copy.deepcopy(logit_model.rng.bit_generator.state)
    logit_model._update_participation(True, logit_model.trust())
    assert logit_model.rng.bit_generator.state != state


@pytest.mark.parametrize("seed", range(3))
def test_institutionalization_pass_is_habits_then_passages(seed: int) -> None:
    model = month_model(seed, months=30)
    org, t = model.org, model.ties
    ih = model.params.institutionalization
    rng = np.random.default_rng(seed)
    attend = rng.random(model.n) < 0.5
    interacted = t.tie & (rng.random(model.n_pairs) < 0.3)
    touched = np.zeros(model.n, dtype=bool)
    touched[t.i[interacted]] = touched[t.j[interacted]] = True
    part = org.taking_part
    habit = rules.habit_step(org.habit, org.floor, part & (attend | touched), 0.6, ih)
    u = copy.deepcopy(model.rng).random((2, model.n))
    gain = (part & (habit >= ih.passage_threshold) & (org.commitment >= 0.5)
            & (org.passages < ih.max_passages) & (u[0] < ih.passage_rate))
    lapse = ~part & (org.passages > 0) & (u[1] < ih.passage_lapse)
    passages = org.passages + gain - lapse
    model.activity = 0.5
    model._institutionalize(attend, interacted, 0.6)
    assert np.array_equal(org.habit, habit)
    assert np.array_equal(org.passages, passages)
    assert np.array_equal(org.floor, passages * ih.passage_floor)


@pytest.mark.parametrize("transactional", [False, True])
def test_employer_pass_is_the_ladder_with_exits(transactional: bool) -> None:
    model = month_model(4, months=30, employers=dict(transactional_asks=transactional))
    org = model.org
    trust = model.trust()
    best = np.zeros(model.n)
    np.maximum.at(best, model.conv_employer, trust[model.conv_pairs])
    employer = org.sector == EMPLOYER
    u = copy.deepcopy(model.rng).random((4, model.n))
    stage, roi, burnout, scared, burnt = rules.employer_step(
        org.stage, org.roi, org.burnout, org.taking_part & employer, best, org.difficulty,
        model.activity, 0.7, model.params.region.urgency, model.has_one_stop, u,
        model.params.employers)
    out = scared | burnt
    part, commitment = org.taking_part & ~out, np.where(out, 0.5 * org.commitment,
                                                          org.commitment)
    model._employers(trust, 0.7)
    assert np.array_equal(org.stage, stage) and close(org.roi, roi)
    assert close(org.burnout, burnout) and np.array_equal(org.taking_part, part)
    assert close(org.commitment, commitment)


@pytest.mark.parametrize("seed", range(3))
def test_record_counts_match_the_state(seed: int) -> None:
    model = ConsortiumModel(ScenarioParams(), seed)
    org, t = model.org, model.ties
    for month in range(24):
        model.step()
        rec = {k: v[month] for k, v in model.series.items()}
        part = org.taking_part
        active = model.active_ties()
        assert np.array_equal(model.collaboration_edges[month],
                              np.packbits(active & part[t.i] & part[t.j]))
        assert rec["active_ties"] == active.sum()
        assert rec["active_cross_sector_ties"] == (active & t.cross).sum()
        assert rec["ties"] == t.tie.sum()
        assert rec["taking_part_share"] == part.sum() / model.n
        emp = model.employers_idx
        assert rec["employers_engaged"] == ((org.stage[emp] >= 2) & part[emp]).sum()
        assert rec["employer_pledges_met"] == (
            ((org.stage[emp] >= org.pledged_stage[emp]) & part[emp]).sum() / len(emp))
        assert rec["mean_personal_trust"] == pytest.approx(t.personal[t.tie].mean())
        assert rec["institutionalization"] == pytest.approx(org.habit[org.ever_part].mean())


@pytest.mark.parametrize("nodes", [1, 3])
def test_convening_pass_is_attendance_by_distance_and_crowding(nodes: int) -> None:
    model = month_model(nodes, months=30, grant=dict(subregional_nodes=nodes,
                                                     subregional_switch_month=0))
    org = model.org
    group, near = model.node_group, model.near_node
    part = org.taking_part
    size = np.bincount(group, weights=part & (org.sector != EMPLOYER), minlength=nodes)[group]
    thr = model.params.ties.meeting_size_threshold
    for meetings in (0.0, 0.5, 1.3, 2.0):
        relevance = model.employer_relevance / (1.0 + np.maximum(0.0, size - thr) / thr)
        p_meeting = model.capacity_eff * np.sqrt(org.commitment) * near * relevance * part
        u = np.random.default_rng(nodes).random(model.n)
        attend = u < 1.0 - (1.0 - p_meeting) ** meetings
        out, cp, engaged = np.zeros(model.n, dtype=bool), np.zeros(model.n), np.zeros(4)
        count = kernels.convene(part.view(np.uint8), model.not_employer_bits, org.commitment,
                                model.capacity_eff, near, model.employer_relevance, group,
                                float(thr), meetings, u, org.sector, np.zeros(nodes), engaged,
                                out.view(np.uint8), cp)
        assert np.array_equal(out, attend) and count == attend.sum()
        assert np.array_equal(cp, org.commitment * part)
        assert close(engaged, np.bincount(org.sector, weights=cp, minlength=4))


@pytest.mark.parametrize("seed", range(3))
def test_programme_pass_is_push_support_then_rule(seed: int) -> None:
    model = month_model(seed, months=40)
    org = model.org
    ih = model.params.institutionalization
    money = 0.8 * model.grant_receipt
    push = np.minimum(1.0, money + 0.3 + 0.3) * model.local
    support = np.minimum(1.0, org.habit + 0.5 * money + 0.5 * (org.contribution > 0))
    expected = rules.program_step(org.program, support, push, ih) * model.local
    kernels.programmes(model.local, model.grant_receipt, org.habit, org.contribution, 0.8, 0.3,
                       0.3, org.program, ih)
    assert close(org.program, expected)


@pytest.mark.parametrize("seed", [1, 2, 3, 6])
def test_articulation_pass_signs_trusted_district_college_ties(seed: int) -> None:
    model = month_model(seed, months=24, institutionalization=dict(
        articulation_trust=0.2, articulation_rate=0.5, faculty_resistance=0.3))
    org, t = model.org, model.ties
    ih = model.params.institutionalization
    trust = model.trust()
    part = org.taking_part
    idx = np.flatnonzero(t.k12_college & ~t.agreement & (trust >= ih.articulation_trust)
                         & part[t.i] & part[t.j])
    assert len(idx)
    u = copy.deepcopy(model.rng).random((2, len(idx)))
    ok = idx[(u[0] < ih.articulation_rate) & (u[1] >= ih.faculty_resistance)]
    assert len(ok)
    agreement, formality = t.agreement.copy(), t.base_formality.copy()
    agreement[ok], formality[ok] = True, 1.0
    passages = org.passages.copy()
    for k in ok:
        for i in (t.i[k], t.j[k]):
            passages[i] += passages[i] < ih.max_passages
    model._articulation(trust)
    assert np.array_equal(t.agreement, agreement)
    assert np.array_equal(t.base_formality, formality)
    assert np.array_equal(org.passages, passages)
    assert np.array_equal(org.floor, passages * ih.passage_floor)
