"""Trust on ties (agents/trust.pyx): the asymmetric rule (T1, T2), the Beta-reputation rule
(T3), the institutional layer (T4) and referral trust of new ties (T5)."""

from __future__ import annotations

import numpy as np
import pytest
import reference as ref
from conftest import FamilyContract, World, in_unit, pair_state, scenario

from agents.params import Params
from agents.trust import TRUST_RULES, AsymmetricTrust, BetaReputationTrust
from sim.model import ConsortiumModel

BETA = "beta_reputation"
SEEDS = range(4)
M = 400


def asymmetric(**trust: object) -> AsymmetricTrust:
    return AsymmetricTrust(Params(scenario(trust=trust)).trust)


def beta(**trust: object) -> BetaReputationTrust:
    return BetaReputationTrust(Params(scenario(trust=dict(trust, rule=BETA))).trust)


def every(m: int) -> np.ndarray:
    return np.arange(m, dtype=np.int64)


def month(rule: AsymmetricTrust | BetaReputationTrust, **values: object) -> object:
    """One trust month on hand-built pairs (``values`` per pair); returns the pairs."""
    m = next(len(np.atleast_1d(value)) for value in values.values() if np.ndim(value))
    pairs = pair_state(m=m, **values)
    rule.month(pairs)
    return pairs


# ============================================================================ the contract
class TrustContract(FamilyContract):
    """A month of the run's trust rule on every pair: rates, then the update (T1-T4)."""

    sections = ("trust",)

    def apply(self, world: World, u: object) -> None:
        c, rule = world.consortium, world.model.trust_rule
        rule.set_rates(c.backbone_share, c.ta_active)
        rule.month(world.ties)

    def check_bounds(self, world: World) -> None:
        t = world.ties
        for name in ("personal", "institutional", "trust"):
            assert in_unit(getattr(t, name)), name
        assert (t.trust[~t.tie] == 0.0).all()
        for name in ("positive", "negative"):
            x = getattr(t, name)
            assert np.isfinite(x).all() and (x >= 0.0).all(), name

    def check_invariants(self, before: World, after: World, u: object) -> None:
        bt, at = before.ties, after.ties
        untied = ~bt.tie
        for name in ("personal", "institutional", "positive", "negative"):
            assert np.array_equal(getattr(at, name)[untied], getattr(bt, name)[untied]), name
        # Combined trust lies between its two layers (T4).
        lo = np.minimum(at.personal, at.institutional)
        hi = np.maximum(at.personal, at.institutional)
        assert ((at.trust >= lo - 1e-12) & (at.trust <= hi + 1e-12))[bt.tie].all()


@pytest.mark.mechanism("M1", "M9", "M33")
class TestAsymmetricTrustContract(TrustContract):
    fixed = {"trust": {"rule": "asymmetric"}}

    def check_invariants(self, before: World, after: World, u: object) -> None:
        super().check_invariants(before, after, u)
        bt, at = before.ties, after.ties
        win, letdown = bt.signal > 0, bt.signal < 0
        quiet = bt.interacted & (bt.signal == 0)
        assert (at.personal[win] >= bt.personal[win]).all()
        assert (at.personal[letdown] <= bt.personal[letdown]).all()
        assert np.array_equal(at.personal[quiet], bt.personal[quiet])


@pytest.mark.mechanism("M1", "M9", "M33")
class TestBetaReputationTrustContract(TrustContract):
    fixed = {"trust": {"rule": BETA}}

    def check_invariants(self, before: World, after: World, u: object) -> None:
        super().check_invariants(before, after, u)
        bt, at = before.ties, after.ties
        tie = bt.tie
        # Personal trust is the mean of the Beta posterior over the evidence (T3).
        mean = np.array([ref.beta_mean(r, s, after.scenario.trust)
                         for r, s in zip(at.positive, at.negative, strict=True)])
        assert np.allclose(at.personal[tie], mean[tie], rtol=0.0, atol=1e-12)
        # Forgetting never adds evidence; a win adds no let-down and a let-down no win.
        no_win, no_letdown = tie & (bt.signal <= 0), tie & (bt.signal >= 0)
        assert (at.positive[no_win] <= bt.positive[no_win]).all()
        assert (at.negative[no_letdown] <= bt.negative[no_letdown]).all()


# ============================================================================ rates
@pytest.mark.mechanism("M1", "M9", "M33")
def test_cross_sector_gains_need_spanners_and_ta_speeds_gains_and_losses() -> None:
    rule = asymmetric(gain_rate=0.1, loss_ratio=3.0, cross_sector_gain=0.6, spanner_boost=0.8,
                      ta_boost=0.3)
    rule.set_rates(0.0, False)
    assert (rule.gain_cross, rule.gain_within, rule.loss) == pytest.approx((0.06, 0.1, 0.3))
    rule.set_rates(1.0, False)  # spanners speed cross-sector gains only
    assert (rule.gain_cross, rule.gain_within, rule.loss) == pytest.approx((0.108, 0.1, 0.3))
    rule.set_rates(0.0, True)  # technical assistance speeds gains and losses alike
    assert (rule.gain_cross, rule.gain_within, rule.loss) == pytest.approx((0.078, 0.13, 0.39))
    fast = asymmetric(gain_rate=1.0, loss_ratio=3.0, ta_boost=5.0, cross_sector_gain=2.0)
    fast.set_rates(1.0, True)
    assert (fast.gain_cross, fast.gain_within, fast.loss) == (1.0, 1.0, 1.0)  # at most 1
    evidence = beta(beta_negative_weight=3.0, cross_sector_gain=0.6, spanner_boost=0.8,
                    ta_boost=0.3)
    evidence.set_rates(0.0, False)
    assert (evidence.gain_cross, evidence.gain_within, evidence.loss) == pytest.approx(
        (0.6, 1.0, 3.0))
    evidence.set_rates(1.0, True)
    assert (evidence.gain_cross, evidence.gain_within, evidence.loss) == pytest.approx(
        (1.404, 1.3, 3.9))


@pytest.mark.mechanism("M1", "M33")
def test_cross_sector_ties_gain_more_slowly_unless_spanners_bridge_them() -> None:
    rule = asymmetric()
    values = dict(tie=True, interacted=True, signal=1, personal=0.4, cross=[True, False])
    rule.set_rates(0.0, False)
    no_spanners = month(rule, **values).personal
    rule.set_rates(1.0, False)
    spanners = month(rule, **values).personal
    assert 0.4 < no_spanners[0] < no_spanners[1]
    assert spanners[0] > no_spanners[0] and spanners[1] == no_spanners[1]


# ============================================================================ asymmetric (T1, T2)
@pytest.mark.mechanism("M1", "M29")
@pytest.mark.parametrize("seed", SEEDS)
def test_a_win_raises_and_a_let_down_lowers_personal_trust(seed: int) -> None:
    rng = np.random.default_rng(seed)
    p0 = rng.uniform(0.01, 0.99, M)
    cross = rng.random(M) < 0.5
    rule = asymmetric(loss_ratio=float(rng.uniform(0.1, 10.0)))
    rule.set_rates(float(rng.random()), bool(rng.random() < 0.5))
    values = dict(tie=True, interacted=True, personal=p0, institutional=rng.random(M),
                  cross=cross, age=rng.random(M) * 100, formality=rng.random(M))
    after = {signal: month(rule, signal=signal, **values).personal for signal in (1, 0, -1)}
    assert (after[1] > p0).all() and (after[-1] < p0).all()
    assert np.array_equal(after[0], p0)  # worked together, nothing came of it: no change
    gain = np.where(cross, rule.gain_cross, rule.gain_within)
    assert np.allclose(after[1] - p0, gain * (1.0 - p0), rtol=0.0, atol=1e-15)
    assert np.allclose(p0 - after[-1], rule.loss * p0, rtol=0.0, atol=1e-15)


@pytest.mark.mechanism("M1", "M29")
def test_a_let_down_weighs_loss_ratio_times_a_win() -> None:
    rule = asymmetric(gain_rate=0.1, loss_ratio=3.0)
    rule.set_rates(0.0, False)
    personal = month(rule, tie=True, interacted=True, personal=0.5, signal=[1, -1]).personal
    assert personal[0] - 0.5 == pytest.approx(0.05) and 0.5 - personal[1] == pytest.approx(0.15)


@pytest.mark.mechanism("M1", "M29")
@pytest.mark.parametrize("seed", SEEDS)
def test_equal_gain_and_loss_are_symmetric(seed: int) -> None:
    """With ``loss_ratio = 1`` a win from P mirrors a let-down from 1 - P (science_anchors §7 B)."""
    rng = np.random.default_rng(seed)
    p0 = rng.random(M)
    rule = asymmetric(loss_ratio=1.0, gain_rate=float(rng.uniform(0.01, 1.0)),
                      decay_rate=float(rng.random()))
    rule.set_rates(0.0, bool(rng.random() < 0.5))
    values = dict(tie=True, interacted=True, age=rng.random(M) * 50, formality=rng.random(M))
    win = month(rule, personal=p0, signal=1, **values).personal
    mirrored = month(rule, personal=1.0 - p0, signal=-1, **values).personal
    assert np.allclose(1.0 - win, mirrored, rtol=0.0, atol=1e-15)


@pytest.mark.mechanism("M1")
@pytest.mark.parametrize("seed", SEEDS)
def test_without_decay_idle_personal_trust_stays(seed: int) -> None:
    rng = np.random.default_rng(seed)
    p0 = rng.random(M)
    rule = asymmetric(decay_rate=0.0, age_slowing=float(rng.random()),
                      baseline=float(rng.random()))
    rule.set_rates(0.5, True)
    after = month(rule, tie=True, personal=p0, age=rng.random(M) * 200).personal
    assert np.array_equal(after, p0)


@pytest.mark.mechanism("M1")
def test_idle_trust_relaxes_to_baseline_more_slowly_on_old_ties() -> None:
    rule = asymmetric(decay_rate=0.1, age_slowing=0.05, baseline=0.3)
    rule.set_rates(0.0, False)
    personal = month(rule, tie=True, personal=[0.9, 0.9, 0.1, 0.1, 0.3],
                     age=[0.0, 100.0, 0.0, 100.0, 0.0]).personal
    assert personal[0] < personal[1] < 0.9  # high trust falls, less on the older tie
    assert 0.1 < personal[3] < personal[2]  # low trust rises to the baseline, less on the older
    assert personal[4] == 0.3
    assert personal[0] > 0.3 and personal[2] < 0.3  # no overshoot
    assert personal[0] == pytest.approx(0.84) and personal[1] == pytest.approx(0.89)


@pytest.mark.mechanism("M7")
def test_institutional_trust_follows_personal_trust_as_far_as_the_tie_is_formal() -> None:
    rule = asymmetric(formalization_transfer=0.2, institutional_decay=0.05, formality_weight=0.5)
    rule.set_rates(0.0, False)
    t = month(rule, tie=True, interacted=True, personal=0.8, institutional=0.4,
              formality=[0.0, 0.5, 1.0])
    inst = t.institutional
    assert inst[0] < 0.4  # no formal backing: it erodes
    assert inst[2] > inst[1] > inst[0]
    assert inst.tolist() == pytest.approx([0.38, 0.43, 0.48])
    # Institutional trust below personal trust never pulls it down (T4).
    assert t.trust.tolist() == pytest.approx([0.8, 0.8, 0.8])


@pytest.mark.mechanism("M7", "M20")
def test_institutional_trust_holds_trust_up_on_formal_ties_and_never_pulls_it_down() -> None:
    for rule in (asymmetric(formality_weight=0.5), beta(formality_weight=0.5)):
        # After a leader leaves: personal trust 0.2, institutional 0.6.
        t = pair_state(m=4, tie=[True, True, True, False], personal=0.2, institutional=0.6,
                       formality=[0.0, 0.5, 1.0, 1.0], trust=0.7)
        rule.combine(t)
        assert t.trust.tolist() == pytest.approx([0.2, 0.3, 0.4, 0.0])
        # Institutional trust below personal trust leaves it as it is, at any formality.
        t = pair_state(m=3, tie=True, personal=0.8, institutional=0.4,
                       formality=[0.0, 0.5, 1.0])
        rule.combine(t)
        assert t.trust.tolist() == pytest.approx([0.8, 0.8, 0.8])
    flat = asymmetric(formality_weight=0.0)
    t = pair_state(m=2, tie=True, personal=0.2, institutional=0.6, formality=1.0)
    flat.combine(t)
    assert t.trust.tolist() == pytest.approx([0.2, 0.2])


def test_untied_pairs_keep_no_trust() -> None:
    for rule in (asymmetric(), beta()):
        rule.set_rates(1.0, True)
        t = month(rule, tie=False, age=[0.0, 50.0], formality=[0.0, 1.0], trust=[0.3, 0.6])
        assert t.trust.tolist() == [0.0, 0.0] and t.personal.tolist() == [0.0, 0.0]
        assert t.institutional.tolist() == [0.0, 0.0]


@pytest.mark.mechanism("M6", "M7")
def test_turnover_keeps_a_share_of_personal_trust_and_falls_back_to_baseline() -> None:
    rule = asymmetric(baseline=0.2)
    t = pair_state(m=4, tie=[True, True, False, True], personal=[0.9, 0.1, 0.0, 0.6])
    rule.reset(t, np.array([0, 1, 2], dtype=np.int64), 0.25)
    assert t.personal.tolist() == pytest.approx([0.375, 0.175, 0.0, 0.6])
    rule.reset(t, np.array([3], dtype=np.int64), 1.0)
    assert t.personal[3] == 0.6
    rule.reset(t, np.array([3], dtype=np.int64), 0.0)
    assert t.personal[3] == pytest.approx(0.2)


@pytest.mark.mechanism("M29")
def test_a_broken_pledge_costs_loss_ratio_times_the_gain() -> None:
    rule = asymmetric(loss_ratio=3.0, gain_rate=0.1)
    t = pair_state(m=2, tie=True, personal=[0.6, 0.4])
    rule.let_down(t, np.array([1], dtype=np.int64))
    assert t.personal.tolist() == [0.6, pytest.approx(0.28)]
    heavy = asymmetric(loss_ratio=10.0, gain_rate=0.5)  # the loss is at most all of it
    heavy.let_down(t, np.array([0], dtype=np.int64))
    assert t.personal[0] == 0.0


def test_new_ties_start_at_referral_trust() -> None:
    """Baseline plus ``referral_weight`` times the trust through common partners (T5)."""
    rule = asymmetric(baseline=0.15, referral_weight=0.3, formality_weight=0.5)
    t = pair_state(m=5, tie=True, institutional=0.9, formality=[0.0, 1.0, 0.5, 0.0, 0.0])
    rule.start(t, np.array([0, 1, 2, 3], dtype=np.int64), np.array([0.0, 1.0, 2.0, 10.0]))
    assert t.personal[:4].tolist() == pytest.approx([0.15, 0.45, 0.75, 1.0])
    assert t.institutional.tolist() == [0.0, 0.0, 0.0, 0.0, 0.9]
    assert t.trust[:4].tolist() == pytest.approx([0.15, 0.45, 0.75, 1.0])  # no I yet
    assert t.personal[4] == 0.0 and t.trust[4] == 0.0


def test_the_asymmetric_rule_needs_no_prior_state() -> None:
    t = pair_state(m=3, tie=True, personal=[0.2, 0.5, 0.9])
    asymmetric().prior(t)
    assert t.personal.tolist() == [0.2, 0.5, 0.9]
    assert not t.positive.any() and not t.negative.any()


# ============================================================================ Beta reputation (T3)
@pytest.mark.mechanism("M1", "M29")
@pytest.mark.parametrize("seed", SEEDS)
def test_beta_wins_raise_and_let_downs_lower_trust(seed: int) -> None:
    rng = np.random.default_rng(seed)
    rule = beta(beta_forgetting=float(rng.uniform(0.0, 0.99)),
                beta_prior_weight=float(rng.uniform(0.1, 20.0)),
                baseline=float(rng.uniform(0.01, 0.99)), cross_sector_gain=2.0,
                beta_negative_weight=float(rng.uniform(0.01, 5.0)))
    rule.set_rates(0.0, False)
    cap = 1.0 / (1.0 - rule.p.beta_forgetting)
    values = dict(tie=True, interacted=True, positive=rng.random(M) * cap,
                  negative=rng.random(M) * cap)
    after = {signal: month(rule, signal=signal, **values).personal for signal in (1, 0, -1)}
    assert (after[1] > after[0]).all() and (after[-1] < after[0]).all()
    # More evidence per win (a cross-sector weight of 2 here) raises trust further.
    assert (month(rule, signal=1, cross=True, **values).personal > after[1]).all()
    # Heavier let-downs lower it further.
    p = rule.p
    heavy = beta(beta_forgetting=p.beta_forgetting, beta_prior_weight=p.beta_prior_weight,
                 baseline=p.baseline, beta_negative_weight=2.0 * p.beta_negative_weight)
    heavy.set_rates(0.0, False)
    assert (month(heavy, signal=-1, **values).personal < after[-1]).all()


@pytest.mark.mechanism("M1", "M29")
def test_beta_let_down_outweighs_a_win() -> None:
    """Uniform prior (baseline 1/2, weight 2), no evidence: a win gives 2/3, a let-down
    weighing 3 gives 1/5."""
    rule = beta(baseline=0.5, beta_prior_weight=2.0, beta_negative_weight=3.0)
    rule.set_rates(0.0, False)
    personal = month(rule, tie=True, interacted=True, signal=[1, -1]).personal
    assert personal.tolist() == pytest.approx([2 / 3, 1 / 5])
    assert 0.5 - personal[1] > personal[0] - 0.5


@pytest.mark.mechanism("M1")
@pytest.mark.parametrize("seed", SEEDS)
def test_beta_forgetting_returns_trust_to_the_prior_mean(seed: int) -> None:
    rng = np.random.default_rng(seed)
    rule = beta(beta_forgetting=float(rng.uniform(0.3, 0.95)), baseline=float(rng.random()))
    rule.set_rates(0.0, False)
    cap = 1.0 / (1.0 - rule.p.beta_forgetting)
    t = pair_state(m=M, tie=True, positive=rng.random(M) * cap, negative=rng.random(M) * cap)
    rule.reset(t, every(M), 1.0)
    gap = np.abs(t.personal - rule.p.baseline)
    for _ in range(400):
        rule.month(t)
        new_gap = np.abs(t.personal - rule.p.baseline)
        assert (new_gap <= gap + 1e-15).all()  # never moves away, never overshoots
        gap = new_gap
    assert np.allclose(t.personal, rule.p.baseline, rtol=0.0, atol=1e-9)


@pytest.mark.mechanism("M1")
def test_beta_without_memory_keeps_only_this_month() -> None:
    rule = beta(beta_forgetting=0.0, beta_prior_weight=2.0, baseline=0.5,
                beta_negative_weight=1.0)
    rule.set_rates(0.0, False)
    t = month(rule, tie=True, interacted=True, signal=[1, -1], positive=[50.0, 0.0],
              negative=[0.0, 50.0])
    assert t.positive.tolist() == [1.0, 0.0] and t.negative.tolist() == [0.0, 1.0]
    assert t.personal.tolist() == pytest.approx([2 / 3, 1 / 3])


@pytest.mark.mechanism("M6", "M7")
@pytest.mark.parametrize("seed", SEEDS)
def test_beta_turnover_keeps_a_share_of_the_evidence(seed: int) -> None:
    rng = np.random.default_rng(seed)
    rule = beta(baseline=float(rng.random()))
    tie = rng.random(M) < 0.8
    t = pair_state(m=M, tie=tie, positive=rng.random(M) * 5 * tie,
                   negative=rng.random(M) * 5 * tie)
    rule.reset(t, every(M), 1.0)
    before = {k: getattr(t, k).copy() for k in ("personal", "positive", "negative")}
    pairs = np.flatnonzero(rng.random(M) < 0.5).astype(np.int64)
    keep = float(rng.random())
    rule.reset(t, pairs, keep)
    hit = np.zeros(M, dtype=bool)
    hit[pairs] = True
    tied = hit & tie
    assert np.allclose(t.positive[tied], keep * before["positive"][tied], rtol=0, atol=1e-15)
    assert np.allclose(t.negative[tied], keep * before["negative"][tied], rtol=0, atol=1e-15)
    for name, old in before.items():
        assert np.array_equal(getattr(t, name)[~tied], old[~tied]), name
    # Trust moves towards the baseline (the prior mean), never past it.
    old, new = before["personal"][tied] - rule.p.baseline, t.personal[tied] - rule.p.baseline
    assert (np.abs(new) <= np.abs(old) + 1e-15).all() and (new * old >= 0).all()
    rule.reset(t, pairs, 0.0)
    assert np.allclose(t.personal[tied], rule.p.baseline, rtol=0.0, atol=1e-15)


@pytest.mark.mechanism("M29")
def test_beta_let_down_adds_negative_evidence() -> None:
    rule = beta(beta_negative_weight=2.5, baseline=0.5, beta_prior_weight=2.0)
    t = pair_state(m=2, tie=True, personal=[0.6, 0.4], positive=[3.0, 1.0], negative=[0.5, 0.0])
    rule.let_down(t, np.array([0], dtype=np.int64))
    assert t.negative.tolist() == [3.0, 0.0] and t.positive.tolist() == [3.0, 1.0]
    assert t.personal.tolist() == [pytest.approx(4.0 / 8.0), 0.4]


@pytest.mark.parametrize("seed", SEEDS)
def test_beta_evidence_reproduces_trust_levels(seed: int) -> None:
    """Pre-existing ties get the least evidence whose mean is their trust (T3)."""
    rng = np.random.default_rng(seed)
    rule = beta(beta_forgetting=0.99, beta_prior_weight=float(rng.uniform(0.1, 20.0)),
                baseline=float(rng.uniform(0.05, 0.95)))
    level = rng.uniform(0.05, 0.95, M)
    t = pair_state(m=M, tie=True, personal=level)
    rule.prior(t)
    r, s = t.positive, t.negative
    assert (r >= 0).all() and (s >= 0).all() and ((r == 0) | (s == 0)).all()
    cap = 1.0 / (1.0 - rule.p.beta_forgetting)
    below = (r < cap) & (s < cap)
    assert below.any()
    assert np.allclose(t.personal[below], level[below], rtol=0.0, atol=1e-12)
    # Levels that need more evidence than the cap come out at the cap, nearer the baseline.
    edge = pair_state(m=3, tie=True, personal=[0.0, 1.0, rule.p.baseline])
    rule.prior(edge)
    assert edge.positive[:2].tolist() == [0.0, cap] and edge.negative[:2].tolist() == [cap, 0.0]
    assert 0.0 < edge.personal[0] < rule.p.baseline < edge.personal[1] < 1.0
    assert edge.positive[2] + edge.negative[2] < 1e-12  # the baseline needs no evidence


def test_beta_new_ties_hold_the_least_evidence_of_their_referral_trust() -> None:
    rule = beta(baseline=0.5, beta_prior_weight=2.0, beta_forgetting=0.5, referral_weight=0.25)
    t = pair_state(m=3, tie=True)
    rule.start(t, np.array([0, 1, 2], dtype=np.int64), np.array([1.0, 0.0, 4.0]))
    # 0.75 = (r + 1) / (r + 2) at r = 2; 0.5 is the prior mean; 1.0 is capped at 1/(1-0.5).
    assert t.positive.tolist() == [2.0, 0.0, 2.0] and t.negative.tolist() == [0.0, 0.0, 0.0]
    assert t.personal.tolist() == pytest.approx([0.75, 0.5, 0.75])


def test_beta_month_leaves_untied_pairs_alone() -> None:
    rule = beta()
    rule.set_rates(1.0, True)
    t = month(rule, tie=[False, True], personal=[0.3, 0.3], positive=[2.0, 2.0],
              negative=[1.0, 1.0], trust=[0.5, 0.5])
    assert (t.personal[0], t.positive[0], t.negative[0], t.trust[0]) == (0.3, 2.0, 1.0, 0.0)
    assert t.positive[1] < 2.0 and t.trust[1] > 0.0


@pytest.mark.mechanism("M10")
def test_pre_existing_ties_start_at_the_same_trust_under_both_rules() -> None:
    base = scenario(region=dict(prior_tie_density=0.2), trust=dict(rule="asymmetric"))
    plain = ConsortiumModel(base, 4).partnerships
    evidence = ConsortiumModel(scenario(base, trust=dict(rule=BETA)), 4).partnerships
    assert isinstance(plain.rule, TRUST_RULES["asymmetric"])
    assert isinstance(evidence.rule, TRUST_RULES[BETA])
    assert np.array_equal(plain.tie, evidence.tie) and plain.tie.sum() > 20
    tie = plain.tie
    assert np.allclose(plain.personal[tie], evidence.personal[tie], rtol=0.0, atol=1e-12)
    assert np.allclose(plain.institutional, evidence.institutional, rtol=0.0, atol=1e-12)
    assert (evidence.positive[tie] + evidence.negative[tie] > 0).all()
    assert not plain.positive.any() and not plain.negative.any()
