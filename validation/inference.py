"""The statistical tests of the suite: a verdict and its numbers for each pattern.

- A pair's effect is the mean paired difference A - B with a Student-t interval; for 0/1
  statistics also Newcombe's interval for paired proportions (Newcombe 1998, method 10;
  ``sim.summary.newcombe_paired``), which is then the one reported. The one-sided test is
  a paired t-test, or the exact McNemar test for 0/1 statistics, at the pattern's alpha.
  Power at the observed effect comes from the noncentral t (over the effect's interval, so
  it has a range too), with the replicates that power 0.95 would need (Secchi & Seri 2017;
  ``statsmodels.stats.power``).
- A band's level is the replicate mean with a t interval, or a Wilson interval for shares
  (``sim.summary.estimate``). It passes if the mean lies in the band; the report also says
  whether the interval does.
- An association is Spearman's rho across replicates with a Fisher-z interval (standard
  error sqrt(1.06 / (n - 3)); Fieller, Hartley & Pearson 1957) and a one-sided test.

Intervals, tests, power and the Holm correction come from scipy and statsmodels; only
Newcombe's paired interval and Fieller's standard error of Spearman's z, which neither
library offers, are written out here. A pattern that fails stays a failure; nothing is tuned
here. Holm-adjusted p-values (Holm 1979) across the tests are reported beside each pattern's
own verdict.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from scipy import stats
from statsmodels.stats.power import NormalIndPower, TTestPower

from sim.grant import GrantSchedule
from sim.outcomes import months_needed
from sim.summary import estimate, holm, newcombe_paired, t_interval
from validation.patterns import Arm, Pattern
from validation.text import num

if TYPE_CHECKING:
    from validation.suite import ArmRuns

LEVEL = 0.95
POWER_TARGET = 0.95


@dataclass
class Level:
    """An estimate with its 95% interval and how it was computed."""

    value: float
    low: float
    high: float
    method: str
    n: int = 0

    def text(self, digits: int = 3) -> str:
        """'value [low, high]'."""
        return f"{num(self.value, digits)} [{num(self.low, digits)}, {num(self.high, digits)}]"


@dataclass
class PatternResult:
    """The verdict on one pattern and the numbers behind it."""

    pattern: Pattern
    status: str                       # pass | fail | not testable
    n: int = 0
    effect: Level | None = None       # pair: mean difference; band: level; association: rho
    arm_a: Level | None = None
    arm_b: Level | None = None
    p_value: float = math.nan
    p_holm: float = math.nan
    test: str = ""
    d_z: Level | None = None          # standardized paired effect
    power: Level | None = None        # power at the observed effect (range over its CI)
    n_for_power: float = math.nan     # replicates for power 0.95 at the observed effect
    ci_in_band: bool | None = None
    ci_outside_band: bool | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """Whether the pattern holds."""
        return self.status == "pass"


def arm_index(arms: Sequence[ArmRuns]) -> dict[tuple[str, tuple[str, ...]], int]:
    """Position of each arm by its key (scenario, overrides), as ``evaluate`` expects."""
    return {(a.scenario, a.overrides): k for k, a in enumerate(arms)}


def _values(arm: Arm, arms: list[ArmRuns], index: dict) -> np.ndarray:
    return arms[index[arm.key]].values[arm.statistic]


def _binary(v: np.ndarray) -> bool:
    return v.size > 0 and bool(np.all((v == 0.0) | (v == 1.0)))


def _level(values: np.ndarray) -> Level:
    e = estimate("", values, level=LEVEL)
    return Level(e.mean, e.low, e.high, e.method, e.n)


def beyond_horizon_note(p: Pattern, arms: list[ArmRuns], index: dict) -> str:
    """Why the pattern cannot be read when an arm's runs end before its statistic's year.

    An arm whose horizon is too short (a long grant, a short ``outcomes.horizon_years``)
    has no value to test: the pattern is not testable there, and the note says which
    horizon would test it (docs/ODD.md §8.2). Empty when every arm is long enough.
    """
    used = [p.a, *([p.b] if p.b is not None else []), *(arm for arm, _ in p.mix or ())]
    for arm in used:
        runs = arms[index[arm.key]]
        params = runs.params
        grant_end = GrantSchedule.build(params.grant, params.months).grant_end
        need = months_needed(arm.statistic, grant_end)
        if need > params.months:
            return (f"{arm.statistic} lies beyond the {params.outcomes.horizon_years}-year "
                    f"horizon of the arm {runs.describe()} (its grant ends after month "
                    f"{grant_end}); outcomes.horizon_years = {math.ceil(need / 12)} would "
                    "test it")
    return ""


def evaluate(p: Pattern, arms: list[ArmRuns], index: dict) -> PatternResult:
    """The verdict on one pattern from its arms' values."""
    if not p.testable:
        return PatternResult(p, "not testable", notes=[p.reason])
    short = beyond_horizon_note(p, arms, index)
    if short:
        return PatternResult(p, "not testable", notes=[short])
    if p.kind == "band" and p.mix:
        return _evaluate_mix(p, [(_values(arm, arms, index), w) for arm, w in p.mix])
    if p.kind == "band":
        return _evaluate_band(p, _values(p.a, arms, index))
    x, y = _values(p.a, arms, index), _values(p.b, arms, index)
    keep = np.isfinite(x) & np.isfinite(y)
    res = (_evaluate_pair if p.kind == "pair" else _evaluate_association)(p, x[keep], y[keep])
    dropped = int((~keep).sum())
    if dropped:
        res.notes.append(f"{dropped} replicate(s) left out: the statistic is undefined there")
    return res


def _evaluate_band(p: Pattern, values: np.ndarray) -> PatternResult:
    v = values[np.isfinite(values)]
    lo, hi = p.band
    open_lo, open_hi = p.band_open
    res = PatternResult(p, "fail", n=int(v.size), test="mean in band")
    if v.size < 2:
        res.notes.append("fewer than two replicates define the statistic")
        return res
    lvl = _level(v)
    res.effect = res.arm_a = lvl
    res.status = "pass" if p.in_band(lvl.value) else "fail"
    res.ci_in_band = p.in_band(lvl.low) and p.in_band(lvl.high)
    res.ci_outside_band = (lvl.low > hi or (open_hi and lvl.low >= hi)
                           or lvl.high < lo or (open_lo and lvl.high <= lo))
    dropped = int(values.size - v.size)
    if dropped:
        res.notes.append(f"{dropped} replicate(s) left out: the statistic is undefined there")
    return res


def _evaluate_mix(p: Pattern, parts: list[tuple[np.ndarray, float]]) -> PatternResult:
    """A band on the weighted mean of several arms' means (a stratified estimate).

    Weights are normalized; the interval is the normal one of a stratified mean,
    ``sum(w_i^2 s_i^2 / n_i)`` with each arm's sample variance (Cochran 1977, §5.3).
    """
    total = sum(w for _, w in parts)
    res = PatternResult(p, "fail", test="weighted mean in band")
    means, var, n = 0.0, 0.0, 0
    for values, w in parts:
        v = values[np.isfinite(values)]
        if v.size < 2:
            res.notes.append("fewer than two replicates define the statistic in an arm")
            return res
        means += w / total * float(v.mean())
        var += (w / total) ** 2 * float(v.var(ddof=1)) / v.size
        n += int(v.size)
    low, high = (float(x) for x in stats.norm.interval(LEVEL, loc=means, scale=math.sqrt(var)))
    shares = all(_binary(v[np.isfinite(v)]) for v, _ in parts)
    if shares:  # a share's interval stays within 0-1
        low, high = max(0.0, low), min(1.0, high)
    lvl = Level(means, low, high, "stratified normal", n)
    res.n = n
    res.effect = res.arm_a = lvl
    res.status = "pass" if p.in_band(lvl.value) else "fail"
    res.ci_in_band = p.in_band(lvl.low) and p.in_band(lvl.high)
    lo, hi = p.band
    res.ci_outside_band = lvl.low > hi or lvl.high < lo
    return res


def paired_power(d_dir: float, n: int, alpha: float) -> float:
    """Power of a one-sided paired t-test at standardized effect ``d_dir`` (in its direction).

    The noncentral t of ``statsmodels.stats.power.TTestPower``.
    """
    if n < 2 or not math.isfinite(d_dir):
        return math.nan
    return float(TTestPower().power(effect_size=d_dir, nobs=n, alpha=alpha,
                                    alternative="larger"))


N_FOR_POWER_CAP = 10 ** 7
"""Largest replicate count :func:`n_for_power` reports; a smaller effect reports this cap."""


def n_for_power(d_dir: float, alpha: float, target: float = POWER_TARGET) -> float:
    """Fewest replicates (at least 3) a one-sided paired t-test needs for ``target`` power.

    ``TTestPower.solve_power`` (statsmodels) finds the real-valued n; the smallest whole n
    whose power reaches ``target`` is then checked on either side of it.
    """
    if not math.isfinite(d_dir) or d_dir <= 0:
        return math.inf
    try:
        solved = float(TTestPower().solve_power(effect_size=d_dir, alpha=alpha, power=target,
                                                alternative="larger"))
    except (ValueError, RuntimeError):
        solved = math.nan
    if not math.isfinite(solved) or solved > N_FOR_POWER_CAP:
        return float(N_FOR_POWER_CAP)
    n = max(3, math.ceil(solved))
    while n > 3 and paired_power(d_dir, n - 1, alpha) >= target:
        n -= 1
    while paired_power(d_dir, n, alpha) < target and n < N_FOR_POWER_CAP:
        n += 1
    return float(n)


def _evaluate_pair(p: Pattern, x: np.ndarray, y: np.ndarray) -> PatternResult:
    res = PatternResult(p, "fail", n=int(x.size))
    if x.size < 3:
        res.notes.append("fewer than three replicates define both statistics")
        return res
    d = x - y
    sign = 1.0 if p.direction == "greater" else -1.0
    mean = float(d.mean())
    sd = float(d.std(ddof=1))
    binary = _binary(x) and _binary(y)
    res.arm_a, res.arm_b = _level(x), _level(y)
    t_low, t_high = _t_ci(d)
    if binary:
        low, high = newcombe_paired(x, y)
        res.effect = Level(mean, low, high, "newcombe", x.size)
        b = int(np.sum((x == 1) & (y == 0)))
        c = int(np.sum((x == 0) & (y == 1)))
        k, m = (b, c) if sign > 0 else (c, b)
        res.p_value = (float(stats.binomtest(k, k + m, 0.5, alternative="greater").pvalue)
                       if k + m else 1.0)
        res.test = "exact McNemar, one-sided"
        res.notes.append(f"discordant pairs: A only {b}, B only {c}; "
                         f"t interval {num(t_low)} to {num(t_high)}")
    else:
        res.effect = Level(mean, t_low, t_high, "t", x.size)
        if sd == 0.0:
            res.p_value = 0.0 if sign * mean > 0 else 1.0
        else:
            alt = "greater" if sign > 0 else "less"
            res.p_value = float(stats.ttest_rel(x, y, alternative=alt).pvalue)
        res.test = "paired t, one-sided"
    res.status = "pass" if res.p_value < p.alpha and sign * mean > 0 else "fail"
    if sd > 0:
        res.d_z = Level(mean / sd, t_low / sd, t_high / sd, "t", x.size)
        lo_d, hi_d = sorted((sign * t_low / sd, sign * t_high / sd))
        res.power = Level(paired_power(sign * mean / sd, x.size, p.alpha),
                          paired_power(lo_d, x.size, p.alpha),
                          paired_power(hi_d, x.size, p.alpha), "noncentral t", x.size)
        res.n_for_power = n_for_power(sign * mean / sd, p.alpha)
    return res


def _evaluate_association(p: Pattern, x: np.ndarray, y: np.ndarray) -> PatternResult:
    res = PatternResult(p, "fail", n=int(x.size), test="Spearman, one-sided")
    res.arm_a, res.arm_b = (_level(x), _level(y)) if x.size else (None, None)
    if x.size < 4 or np.ptp(x) == 0 or np.ptp(y) == 0:
        res.notes.append("too few replicates or a constant statistic: no correlation")
        return res
    alt = "greater" if p.direction == "greater" else "less"
    test = stats.spearmanr(x, y, alternative=alt)
    rho = float(test.statistic)
    z = math.atanh(max(-0.999999, min(0.999999, rho)))
    z_low, z_high = stats.norm.interval(LEVEL, loc=z, scale=spearman_z_se(x.size))
    res.effect = Level(rho, math.tanh(z_low), math.tanh(z_high), "Fisher z", x.size)
    res.p_value = float(test.pvalue)
    sign = 1.0 if alt == "greater" else -1.0
    res.status = "pass" if res.p_value < p.alpha and sign * rho > 0 else "fail"
    lo_p, hi_p = sorted((spearman_power(sign * z_low, x.size, p.alpha),
                         spearman_power(sign * z_high, x.size, p.alpha)))
    res.power = Level(spearman_power(sign * z, x.size, p.alpha), lo_p, hi_p, "Fisher z",
                      x.size)
    res.n_for_power = spearman_n_for_power(sign * z, p.alpha)
    return res


def spearman_z_se(n: int) -> float:
    """Standard error of Fisher's z of Spearman's rho, sqrt(1.06 / (n - 3)).

    Fieller, Hartley & Pearson 1957; written out because neither scipy nor statsmodels
    offers it.
    """
    return math.sqrt(1.06 / (n - 3))


def spearman_power(z_dir: float, n: int, alpha: float) -> float:
    """Power of a one-sided test of Spearman's rho at Fisher z ``z_dir`` (in its direction).

    The normal power of statsmodels' ``NormalIndPower`` (one sample: ``ratio=0``) with
    Fieller's standard error, i.e. an effective sample of (n - 3) / 1.06.
    """
    return float(NormalIndPower().power(effect_size=z_dir, nobs1=(n - 3) / 1.06, alpha=alpha,
                                        ratio=0, alternative="larger"))


def spearman_n_for_power(z_dir: float, alpha: float, target: float = POWER_TARGET) -> float:
    """Replicates a one-sided Spearman test needs for ``target`` power at Fisher z ``z_dir``.

    ``NormalIndPower.solve_power`` gives the effective sample (n - 3) / 1.06.
    """
    if not math.isfinite(z_dir) or z_dir <= 0:
        return math.inf
    effective = float(NormalIndPower().solve_power(effect_size=z_dir, alpha=alpha,
                                                   power=target, ratio=0,
                                                   alternative="larger"))
    return float(math.ceil(3 + 1.06 * effective))


def _t_ci(d: np.ndarray) -> tuple[float, float]:
    return t_interval(d, LEVEL)


def holm_adjust(results: Sequence[PatternResult]) -> None:
    """Set ``p_holm`` of every pair and association test with a p-value, across them all."""
    tested = [r for r in results if r.pattern.kind in ("pair", "association")
              and math.isfinite(r.p_value)]
    adjusted = holm(np.array([r.p_value for r in tested], dtype=float))
    for r, p in zip(tested, adjusted, strict=True):
        r.p_holm = float(p)
