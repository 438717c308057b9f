"""Compare funding designs on the same seeds: shares, paired differences, survival and cost.

Every design runs on one scenario from the same replicate seeds (common random numbers), so
replicate r of every design faces the same draws until the designs make the runs differ.
Each design is read at the same number of years after its **own** grant end. Reported per
design:

- the shares sustained, scaled back and dissolved ``years_after`` years after the grant,
  with Wilson 95% intervals;
- the paired difference in the share sustained from the first design, with a bootstrap
  95% interval over the paired replicates;
- survival curves: the share sustained, and the programs' level relative to grant end, in
  each year after the grant;
- what the state pays per consortium (``sim.costs``), per consortium sustained and per
  additional consortium sustained against the first design, with bootstrap intervals on
  the same paired replicates.

The tables are plain pandas frames; the command line writes and prints them.
"""

from __future__ import annotations

import math
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from sim.costs import state_costs
from sim.designs import Design
from sim.outcomes import program_persistence_by_year, status_by_year
from sim.params import ScenarioParams
from sim.run import replicate_seeds, run
from sim.scenario import with_values
from sim.summary import wilson_interval

BOOTSTRAP_RESAMPLES = 2000
STATUS = {"sustained": 2.0, "scaled_back": 1.0, "dissolved": 0.0}


@dataclass(frozen=True)
class DesignRuns:
    """One design's runs: status and program level in each year after its own grant end."""

    design: Design
    params: ScenarioParams
    status: np.ndarray     # replicates x years (2 sustained, 1 scaled back, 0 dissolved)
    programs: np.ndarray   # replicates x years, program level relative to grant end
    cost: dict[str, float]


@dataclass(frozen=True)
class Comparison:
    """Designs compared on one scenario: the runs and how they were made."""

    runs: list[DesignRuns]
    scenario: str
    replicates: int
    seed: int
    years_after: int
    horizon_years: int


def horizon_for(designs: Sequence[Design], base: ScenarioParams, years_after: int) -> int:
    """Years every run lasts: the longest design's grant plus ``years_after``.

    At least the scenario's own horizon.
    """
    longest = 0
    for d in designs:
        g = d.apply(base).grant
        longest = max(longest, math.ceil(g.planning_months / 12) + g.grant_years)
    return max(base.outcomes.horizon_years, longest + years_after)


def _one(job: tuple[ScenarioParams, np.random.SeedSequence, int]) -> tuple[np.ndarray, ...]:
    params, seed, years = job
    record = run(params, seed).record
    return status_by_year(record, years), program_persistence_by_year(record, years)


def map_runs(function: Callable[[Any], Any], jobs: Sequence[Any], workers: int | None,
             progress: Callable[[int], None] | None = None) -> list[Any]:
    """``function`` over ``jobs`` in order: in this process, or on a pool of ``workers``.

    The pool is started with ``spawn``, as the sweep executors start theirs, so it is safe
    from threaded callers. ``progress(n)`` is called with the number of jobs done.
    """
    workers = workers or os.cpu_count() or 1
    results: list[Any] = []
    if workers == 1:
        for job in jobs:
            results.append(function(job))
            if progress:
                progress(len(results))
        return results
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        for res in pool.map(function, jobs, chunksize=max(1, len(jobs) // (8 * workers))):
            results.append(res)
            if progress:
                progress(len(results))
    return results


def compare(designs: Sequence[Design], base: ScenarioParams, replicates: int, seed: int,
            years_after: int = 2, workers: int | None = None,
            progress: Callable[[int], None] | None = None) -> Comparison:
    """Run every design on ``base`` from the same ``replicates`` seeds of root ``seed``.

    ``workers`` processes (default: every core; 1 runs in this process). ``progress(n)``
    is called with the number of runs finished.
    """
    if not designs:
        raise ValueError("compare needs at least one design")
    horizon = horizon_for(designs, base, years_after)
    years = horizon  # status columns: years 1.. after each run's own grant end
    seeds = replicate_seeds(seed, replicates)
    arms = [with_values(d.apply(base), {"outcomes.horizon_years": horizon}, source=d.path)
            for d in designs]
    results = map_runs(_one, [(p, s, years) for p in arms for s in seeds], workers, progress)
    out = []
    for k, (d, p) in enumerate(zip(designs, arms, strict=True)):
        mine = results[k * replicates:(k + 1) * replicates]
        out.append(DesignRuns(design=d, params=p,
                              status=np.array([r[0] for r in mine]),
                              programs=np.array([r[1] for r in mine]),
                              cost=state_costs(p, years_after)))
    return Comparison(runs=out, scenario=base.name, replicates=replicates, seed=seed,
                      years_after=years_after, horizon_years=horizon)


def _bootstrap(statistic: Callable[[np.ndarray], float], n: int, seed: int
               ) -> tuple[float, float]:
    """Percentile 95% interval of ``statistic(idx)`` over resampled replicate indices."""
    rng = np.random.default_rng(seed)
    draws = np.array([statistic(rng.integers(0, n, n)) for _ in range(BOOTSTRAP_RESAMPLES)])
    draws = draws[np.isfinite(draws)]
    if draws.size < BOOTSTRAP_RESAMPLES // 2:
        return math.nan, math.nan
    return float(np.quantile(draws, 0.025)), float(np.quantile(draws, 0.975))


def _per(cost: float, share: float) -> float:
    return cost / share if share > 0 else math.inf


def _design_row(runs: DesignRuns, first: DesignRuns, c: Comparison) -> dict[str, object]:
    """One design's row of the summary: shares, the paired difference and the costs."""
    k = c.years_after - 1
    n = runs.status.shape[0]
    row: dict[str, object] = {"design": runs.design.name, "convention": runs.design.convention,
                              "n": n, "years_after": c.years_after}
    for label, code in STATUS.items():
        hits = float(np.sum(runs.status[:, k] == code))
        low, high = wilson_interval(hits, n)
        row[label], row[f"{label}_low"], row[f"{label}_high"] = hits / n, low, high
    sustained = (runs.status[:, k] == STATUS["sustained"]).astype(float)
    diff = sustained - (first.status[:, k] == STATUS["sustained"]).astype(float)
    row["diff_sustained"] = float(diff.mean())
    if np.all(diff == diff[0]):   # no spread: the interval is the value itself
        row["diff_low"] = row["diff_high"] = float(diff[0])
    else:
        row["diff_low"], row["diff_high"] = _bootstrap(lambda i: diff[i].mean(), n, c.seed)
    total, extra = runs.cost["total"], runs.cost["total"] - first.cost["total"]
    row.update({f"cost_{item}_musd": value for item, value in runs.cost.items()})
    row["cost_per_sustained_musd"] = _per(total, sustained.mean())
    row["cost_per_sustained_low"], row["cost_per_sustained_high"] = _bootstrap(
        lambda i: _per(total, sustained[i].mean()), n, c.seed)
    row["cost_per_additional_musd"] = math.nan
    row["cost_per_additional_low"] = row["cost_per_additional_high"] = math.nan
    if runs is not first and diff.mean() > 0:
        row["cost_per_additional_musd"] = extra / diff.mean()
        row["cost_per_additional_low"], row["cost_per_additional_high"] = _bootstrap(
            lambda i: _per(extra, diff[i].mean()), n, c.seed)
    return row


def summary_table(c: Comparison) -> pd.DataFrame:
    """One row per design: shares with intervals, the paired difference and the costs."""
    return pd.DataFrame([_design_row(runs, c.runs[0], c) for runs in c.runs])


def survival_table(c: Comparison) -> pd.DataFrame:
    """Per design and year after its grant end: the share sustained and the programs' level.

    The share has a Wilson interval, the programs' mean level relative to grant end a t
    interval.
    """
    rows = []
    for runs in c.runs:
        for k in range(runs.status.shape[1]):
            status = runs.status[:, k]
            status = status[~np.isnan(status)]
            if status.size == 0:
                continue
            hits = float(np.sum(status == STATUS["sustained"]))
            low, high = wilson_interval(hits, status.size)
            prog = runs.programs[:, k]
            prog = prog[np.isfinite(prog)]
            mean = float(prog.mean()) if prog.size else math.nan
            half = (float(stats.sem(prog) * stats.t.ppf(0.975, prog.size - 1))
                    if prog.size > 1 and prog.std() > 0 else 0.0)
            rows.append({"design": runs.design.name, "year": k + 1, "n": status.size,
                         "sustained": hits / status.size, "sustained_low": low,
                         "sustained_high": high, "programs": mean,
                         "programs_low": mean - half, "programs_high": mean + half})
    return pd.DataFrame(rows)


def runs_table(runs: DesignRuns, years: int) -> pd.DataFrame:
    """One row per replicate of a design: status and program level by year after the grant."""
    data: dict[str, object] = {"replicate": np.arange(runs.status.shape[0])}
    for k in range(min(years, runs.status.shape[1])):
        data[f"status_{k + 1}y"] = runs.status[:, k]
        data[f"programs_{k + 1}y"] = runs.programs[:, k]
    return pd.DataFrame(data)
