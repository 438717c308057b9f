"""Knock-out effects: each mechanism switched off against the baseline, on the same seeds.

Every knock-out of ``validation.knockouts`` is one *arm*: the scenario (``ccpt_baseline``
unless told) with the knock-out's overrides. The baseline is arm 0. Replicate ``r`` of
every arm uses child ``r`` of ``SeedSequence(seed)`` (common random numbers), so the
knock-out minus the baseline, replicate by replicate, is the knock-out's effect and not
seed noise. For each knock-out and outcome the effect is the mean paired difference with a
95% paired-t interval and paired-t test (for 0/1 outcomes Newcombe's interval and the
exact McNemar test); the p-values are adjusted across the whole table (every knock-out
times every outcome) by Holm's method (Holm 1979, ``statsmodels``), and a
knock-out changes something *measurably* if any of its outcomes has an adjusted p-value
below ``ALPHA``. The standardized effect is the difference over the pooled standard
deviation of the two arms (Cohen's d), so outcomes on different scales compare.

Runs go to worker processes in chunks through the experiments engine's executor
(``experiments.executors``), each run reduced to its statistics by
``validation.runs.run_statistics``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.multitest import multipletests

from sim.scenario import load_scenario
from sim.summary import t_interval
from validation.inference import newcombe_paired
from validation.knockouts import KnockOut, apply, runnable
from validation.statistics import STATISTICS
from validation.suite import ArmTask, execute

OUTCOMES: tuple[str, ...] = (
    "sustained_2y", "function_level_2y", "function_level_4y", "regional_collaboration_4y",
    "taking_part_grant_mean", "taking_part_2y", "operating_raw_grant_mean",
    "institutionalization_year2_end", "institutionalization_grant_end",
    "institutionalization_2y", "orientation_grant_end", "shared_vision_grant_end",
    "mean_trust_grant_end", "active_cross_sector_ties_grant_end",
    "active_cross_sector_ties_retained_2y", "positions_retained_2y", "contributors_share_2y",
    "funding_gap_filled_2y", "new_grants_won", "program_persistence_2y",
    "employers_engaged_grant_end", "employer_engagement_retained_2y",
    "employer_pledges_met_grant_end",
)
"""The outcomes a knock-out is judged on: the sustainment verdict and function level after
the grant, participation, the grant years' activity and stocks, ties and trust, positions
and money after the grant, programs, and employers, so every part of the model shows in
one of them."""

DEFAULT_SCENARIO = "ccpt_baseline"
DEFAULT_REPLICATES = 200
DEFAULT_SEED = 20140701
ALPHA = 0.05
CORRECTION = "holm"
LEVEL = 0.95
CHUNK = 10  # replicates per task handed to a worker


@dataclass
class Effect:
    """The paired effect of one knock-out on one outcome (knock-out minus baseline)."""

    knockout: str
    outcome: str
    n: int
    baseline: float
    knocked: float
    diff: float
    low: float
    high: float
    p: float
    standardized: float
    p_adjusted: float = math.nan

    @property
    def measurable(self) -> bool:
        """Whether the adjusted p-value is below ``ALPHA`` (the interval excludes zero)."""
        return bool(self.p_adjusted < ALPHA)


@dataclass
class KnockoutResult:
    """Everything the knock-out table needs: arms' values, effects and how they were made."""

    scenario: str
    replicates: int
    seed: int
    outcomes: tuple[str, ...]
    knockouts: list[KnockOut]
    baseline: dict[str, np.ndarray]
    arms: dict[str, dict[str, np.ndarray]]
    effects: list[Effect]
    wall_time_s: float = 0.0
    started: str = ""
    revision: dict[str, Any] = field(default_factory=dict)

    def effects_of(self, key: str) -> list[Effect]:
        """The effects of one knock-out, in outcome order."""
        return [e for e in self.effects if e.knockout == key]

    def measurable(self, key: str) -> bool:
        """Whether any outcome of the knock-out moves measurably."""
        return any(e.measurable for e in self.effects_of(key))

    def largest(self, key: str, k: int = 3) -> list[Effect]:
        """The ``k`` largest measurable effects by size, or the largest one if none is."""
        ranked = sorted(self.effects_of(key), key=_size, reverse=True)
        shown = [e for e in ranked if e.measurable][:k]
        return shown or ranked[:1]

    def table(self) -> pd.DataFrame:
        """One row per knock-out and outcome."""
        return pd.DataFrame([vars(e) | {"measurable": e.measurable} for e in self.effects])


def _size(e: Effect) -> float:
    return abs(e.standardized) if math.isfinite(e.standardized) else math.inf


def paired_effect(knocked: np.ndarray, base: np.ndarray) -> tuple[float, float, float, float, int]:
    """Mean paired difference, its 95% interval, a two-sided p-value and n.

    A paired t interval and test; for 0/1 outcomes Newcombe's interval for paired
    proportions and the exact McNemar test (as the validation suite uses them); where every
    difference is the same, the sign test. Pairs where either value is undefined (NaN) are
    left out.
    """
    keep = np.isfinite(knocked) & np.isfinite(base)
    x, y = knocked[keep], base[keep]
    d = x - y
    n = int(d.size)
    if n < 2:
        return math.nan, math.nan, math.nan, math.nan, n
    mean, sd = float(d.mean()), float(d.std(ddof=1))
    if _binary(x) and _binary(y):
        low, high = newcombe_paired(x, y)
        return mean, low, high, _sign_test(d), n
    if sd == 0.0:
        return mean, mean, mean, _sign_test(d), n
    low, high = t_interval(d, LEVEL)
    return mean, low, high, float(stats.ttest_rel(x, y).pvalue), n


def _binary(v: np.ndarray) -> bool:
    return bool(np.all((v == 0.0) | (v == 1.0)))


def _sign_test(d: np.ndarray) -> float:
    """Two-sided exact sign test of paired differences (McNemar's test for 0/1 outcomes)."""
    up, down = int((d > 0).sum()), int((d < 0).sum())
    return float(stats.binomtest(up, up + down, 0.5).pvalue) if up + down else 1.0


def standardized(knocked: np.ndarray, base: np.ndarray) -> float:
    """Difference of means over the pooled standard deviation of the two arms (Cohen's d)."""
    k, b = knocked[np.isfinite(knocked)], base[np.isfinite(base)]
    if k.size < 2 or b.size < 2:
        return math.nan
    diff = float(k.mean() - b.mean())
    pooled = math.sqrt((float(k.var(ddof=1)) + float(b.var(ddof=1))) / 2.0)
    if pooled == 0.0:
        return 0.0 if diff == 0.0 else math.copysign(math.inf, diff)
    return diff / pooled


def effects(baseline: dict[str, np.ndarray], arms: dict[str, dict[str, np.ndarray]],
            outcomes: Sequence[str], method: str = CORRECTION) -> list[Effect]:
    """Paired effects of every arm on every outcome, p-values adjusted across them all."""
    out: list[Effect] = []
    for key, values in arms.items():
        for name in outcomes:
            x, y = values[name], baseline[name]
            diff, low, high, p, n = paired_effect(x, y)
            out.append(Effect(key, name, n, float(np.nanmean(y)), float(np.nanmean(x)),
                              diff, low, high, p, standardized(x, y)))
    tested = [e for e in out if math.isfinite(e.p)]
    if tested:
        adjusted = multipletests([e.p for e in tested], alpha=ALPHA, method=method)[1]
        for e, p in zip(tested, adjusted, strict=True):
            e.p_adjusted = float(p)
    return out


def run_knockouts(scenario: str = DEFAULT_SCENARIO, replicates: int = DEFAULT_REPLICATES,
                  seed: int = DEFAULT_SEED, knockouts: Sequence[KnockOut] | None = None,
                  outcomes: Sequence[str] = OUTCOMES, workers: int = 1,
                  progress: Callable[[int, int], None] | None = None) -> KnockoutResult:
    """Run the baseline and every knock-out on the same ``replicates`` seeds; the effects.

    Args:
        scenario: Shipped scenario name or file the knock-outs are applied to.
        replicates: Replicates per arm (at least 3).
        seed: Root seed; replicate r of every arm uses child r of ``SeedSequence(seed)``.
        knockouts: The knock-outs (every runnable one of the registry, parts included).
        outcomes: Statistics of ``validation.statistics`` to judge them on.
        workers: Worker processes; 1 runs everything in this process.
        progress: Called with (runs done, runs in total) as chunks finish.
    """
    if replicates < 3:
        raise ValueError(f"replicates must be at least 3, got {replicates}")
    unknown = [n for n in outcomes if n not in STATISTICS]
    if unknown:
        raise ValueError(f"unknown statistics: {', '.join(unknown)}")
    chosen = list(runnable() if knockouts is None else knockouts)
    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    t0 = time.perf_counter()
    base = load_scenario(scenario)
    arms = [base, *(apply(ko, base).params for ko in chosen)]
    seeds = np.random.SeedSequence(seed).spawn(replicates)
    names = tuple(outcomes)
    tasks = [ArmTask(k, params, tuple(range(lo, min(lo + CHUNK, replicates))),
                   tuple(seeds[lo:lo + CHUNK]), names)
             for k, params in enumerate(arms) for lo in range(0, replicates, CHUNK)]
    values = [{n: np.full(replicates, np.nan) for n in names} for _ in arms]
    total, done = replicates * len(arms), 0
    if progress:
        progress(0, total)
    for k, rows in execute(tasks, workers):
        for r, row in rows:
            for name, value in row.items():
                values[k][name][r] = value
        done += len(rows)
        if progress:
            progress(done, total)
    by_key = {ko.key: v for ko, v in zip(chosen, values[1:], strict=True)}
    from experiments.store import git_revision

    return KnockoutResult(scenario, replicates, seed, names, chosen, values[0], by_key,
                          effects(values[0], by_key, names), time.perf_counter() - t0,
                          started, git_revision())


__all__ = [
    "ALPHA", "CORRECTION", "DEFAULT_REPLICATES", "DEFAULT_SCENARIO", "DEFAULT_SEED", "OUTCOMES",
    "Effect", "KnockoutResult", "effects", "paired_effect", "run_knockouts", "standardized",
]
