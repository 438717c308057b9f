"""The statistical tests: broken patterns fail on the same runs; intervals and power hold."""

import dataclasses
import math

import numpy as np
import pytest
from scipy import stats

from validation.inference import (
    arm_index,
    evaluate,
    n_for_power,
    newcombe_paired,
    paired_power,
    spearman_n_for_power,
    spearman_power,
)
from validation.patterns import by_id


def test_a_flipped_direction_fails(quick):
    index = arm_index(quick.arms)
    for pid in ("SF5a", "P1", "SF35"):
        p = by_id(pid)
        assert evaluate(p, quick.arms, index).passed
        flipped = dataclasses.replace(p, direction="less" if p.direction == "greater"
                                      else "greater")
        res = evaluate(flipped, quick.arms, index)
        assert res.status == "fail", pid
        assert res.p_value > 0.5


def test_a_band_that_excludes_the_truth_fails(quick):
    index = arm_index(quick.arms)
    p = by_id("SF16")
    good = evaluate(p, quick.arms, index)
    assert good.passed
    above = dataclasses.replace(p, band=(good.effect.high + 0.05, 1.0))
    below = dataclasses.replace(p, band=(0.0, good.effect.low - 0.05))
    assert evaluate(above, quick.arms, index).status == "fail"
    assert evaluate(below, quick.arms, index).status == "fail"
    # An open end excludes its bound: a share of 1 in every run is not inside (0.84, 1).
    every = by_id("SF7")
    assert evaluate(every, quick.arms, index).passed
    opened = dataclasses.replace(every, band_open=(False, True))
    assert evaluate(opened, quick.arms, index).status == "fail"


def test_newcombe_interval_covers_at_its_nominal_rate():
    rng = np.random.default_rng(11)
    cover, n, trials = 0, 60, 2000
    p11, p10, p01 = 0.2, 0.15, 0.05          # P(A and B), P(A only), P(B only)
    for _ in range(trials):
        u = rng.random(n)
        x = (u < p11 + p10).astype(float)
        y = ((u < p11) | ((u >= p11 + p10) & (u < p11 + p10 + p01))).astype(float)
        lo, hi = newcombe_paired(x, y)
        cover += lo <= p10 - p01 <= hi
    assert 0.93 <= cover / trials <= 0.975


def test_paired_power_matches_simulation():
    rng = np.random.default_rng(5)
    n, d, alpha = 12, 0.8, 0.01
    hits = sum(stats.ttest_1samp(rng.normal(d, 1, n), 0, alternative="greater").pvalue < alpha
               for _ in range(3000))
    assert abs(hits / 3000 - paired_power(d, n, alpha)) < 0.03
    assert paired_power(d, int(n_for_power(d, alpha)), alpha) >= 0.95


def test_effects_are_finite_in_the_quick_suite(quick):
    for r in quick.results:
        assert math.isfinite(r.effect.value) and r.effect.low <= r.effect.value <= r.effect.high


def test_an_arm_too_short_for_its_statistic_is_not_testable_and_says_why(quick):
    """Issue 13 §1: a grant that outlasts the horizon leaves nothing to test, not a fail."""
    from sim.scenario import with_values

    index = arm_index(quick.arms)
    p = by_id("SF16")  # a level read at grant end, in the quick suite
    assert evaluate(p, quick.arms, index).passed
    k = index[p.a.key]
    long = dataclasses.replace(quick.arms[k], params=with_values(
        quick.arms[k].params, {"grant.state_years": 10}))
    arms = [*quick.arms[:k], long, *quick.arms[k + 1:]]
    res = evaluate(p, arms, index)
    assert res.status == "not testable"
    assert f"{p.a.statistic} lies beyond the 10-year horizon" in res.notes[0]
    assert "(its grant ends after month 132)" in res.notes[0]
    assert "would test it" in res.notes[0]


def test_power_and_replicates_match_published_values():
    """G*Power (Faul et al. 2007), one-sample t, one-tailed, alpha 0.05, power 0.95."""
    assert n_for_power(0.5, 0.05) == 45
    assert paired_power(0.5, 45, 0.05) == pytest.approx(0.9512, abs=5e-4)
    for d, alpha in ((0.2, 0.05), (0.05, 0.01), (1.3, 0.05)):
        n = int(n_for_power(d, alpha))      # the fewest replicates, not an overshoot
        assert paired_power(d, n, alpha) >= 0.95 > paired_power(d, n - 1, alpha) or n == 3
    assert n_for_power(-0.3, 0.05) == math.inf


def test_spearman_power_is_the_normal_power_of_fishers_z():
    """Fieller et al. 1957: z = atanh(rho) has sd sqrt(1.06 / (n - 3))."""
    z, n, alpha = 0.4, 30, 0.05
    crit = stats.norm.ppf(1 - alpha)
    se = math.sqrt(1.06 / (n - 3))
    assert spearman_power(z, n, alpha) == pytest.approx(stats.norm.sf(crit - z / se), abs=1e-12)
    need = spearman_n_for_power(z, alpha)
    assert need == math.ceil(3 + 1.06 * ((crit + stats.norm.ppf(0.95)) / z) ** 2)
