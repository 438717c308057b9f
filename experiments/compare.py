"""Compare funding designs on the same seeds: shares, paired differences, survival and cost.

Every design runs on one scenario, or on every consortium of a statewide cohort
(``sim.cohorts``), from the same replicate seeds (common random numbers), so replicate r of
every design faces the same draws, and in a cohort the same consortia, until the designs
make the runs differ.
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

In a cohort the shares pool every consortium of every replicate (Wilson intervals over
those runs); the paired difference and the costs resample whole statewide replicates, and
costs are the cohort's total over its consortia, reported per consortium.

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

from sim.cohorts import Cohort
from sim.costs import COST_ITEMS, state_costs
from sim.designs import Design
from sim.outcomes import program_persistence_by_year, status_by_year
from sim.params import ScenarioParams
from sim.run import replicate_seeds, run
from sim.scenario import with_values
from sim.statewide import run_cohort
from sim.summary import t_interval, wilson_interval

BOOTSTRAP_RESAMPLES = 2000
STATUS = {"sustained": 2.0, "scaled_back": 1.0, "dissolved": 0.0}


@dataclass(frozen=True)
class DesignRuns:
    """One design's runs: status and program level in each year after its own grant end.

    Rows are runs, replicate by replicate: one per replicate on a scenario, ``consortia``
    per replicate (in the cohort's order) in a cohort.
    """

    design: Design
    params: ScenarioParams
    status: np.ndarray     # runs x years (2 sustained, 1 scaled back, 0 dissolved)
    programs: np.ndarray   # runs x years, program level relative to grant end
    cost: dict[str, float]  # per consortium (a cohort's total over its consortia / consortia)
    consortia: int = 1
    tiers: tuple[str, ...] = ()  # a cohort's tier of each consortium, in order

    def by_replicate(self, k: int, status: str = "sustained") -> np.ndarray:
        """Share of runs with ``status`` in year ``k`` + 1 after the grant, per replicate."""
        hits = (self.status[:, k] == STATUS[status]).astype(float)
        return hits.reshape(-1, self.consortia).mean(axis=1)


@dataclass(frozen=True)
class Comparison:
    """Designs compared on one scenario or cohort: the runs and how they were made."""

    runs: list[DesignRuns]
    scenario: str
    replicates: int
    seed: int
    years_after: int
    horizon_years: int
    cohort: bool = False


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


def _cohort_one(job: tuple[Cohort, dict[str, Any], np.random.SeedSequence, int]
                ) -> tuple[np.ndarray, ...]:
    cohort, settings, seed, years = job
    records = run_cohort(cohort, seed, settings).records
    return (np.array([status_by_year(r, years) for r in records]),
            np.array([program_persistence_by_year(r, years) for r in records]))


def compare_cohort(designs: Sequence[Design], cohort: Cohort, replicates: int, seed: int,
                   years_after: int = 2, workers: int | None = None,
                   progress: Callable[[int], None] | None = None) -> Comparison:
    """Run every design on every consortium of ``cohort``, from the same replicate seeds.

    Each statewide replicate draws the same consortia for every design
    (``sim.statewide.run_cohort``); ``progress(n)`` counts statewide replicates.
    """
    if not designs:
        raise ValueError("compare needs at least one design")
    horizon = max(cohort.spec.horizon_years,
                  *(horizon_for(designs, base, years_after) for base in cohort.bases.values()))
    seeds = replicate_seeds(seed, replicates)
    arms = [{**d.settings(), "outcomes.horizon_years": horizon} for d in designs]
    results = map_runs(_cohort_one, [(cohort, a, s, horizon) for a in arms for s in seeds],
                       workers, progress)
    tier_names = tuple(t.name for t in cohort.tier_of())
    out = []
    for k, (d, settings) in enumerate(zip(designs, arms, strict=True)):
        mine = results[k * replicates:(k + 1) * replicates]
        # Costs follow from each tier's grant alone (sim.costs), not from the drawn regions.
        tiers = [(t.count, with_values(cohort.bases[t.name], settings, source=d.path))
                 for t in cohort.spec.tiers]
        costs = [(count, state_costs(p, years_after)) for count, p in tiers]
        cost = {item: math.fsum(count * c[item] for count, c in costs) / cohort.size
                for item in (*COST_ITEMS, "total")}
        out.append(DesignRuns(design=d, params=tiers[0][1],
                              status=np.vstack([r[0] for r in mine]),
                              programs=np.vstack([r[1] for r in mine]), cost=cost,
                              consortia=cohort.size, tiers=tier_names))
    return Comparison(runs=out, scenario=cohort.name, replicates=replicates, seed=seed,
                      years_after=years_after, horizon_years=horizon, cohort=True)


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
    rows = runs.status.shape[0]
    row: dict[str, object] = {"design": runs.design.name, "convention": runs.design.convention,
                              "n": rows, "replicates": c.replicates,
                              "consortia": runs.consortia, "years_after": c.years_after}
    for label, code in STATUS.items():
        hits = float(np.sum(runs.status[:, k] == code))
        low, high = wilson_interval(hits, rows)
        row[label], row[f"{label}_low"], row[f"{label}_high"] = hits / rows, low, high
    # Per replicate (a statewide replicate in a cohort), so the bootstrap keeps the pairing.
    sustained = runs.by_replicate(k)
    diff = sustained - first.by_replicate(k)
    n = sustained.size
    if runs.consortia > 1:  # how many of the cohort's consortia, per statewide replicate
        for label in STATUS:
            count = runs.by_replicate(k, label) * runs.consortia
            row[f"{label}_count"] = float(count.mean())
            row[f"{label}_count_p05"] = float(np.quantile(count, 0.05))
            row[f"{label}_count_p95"] = float(np.quantile(count, 0.95))
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
            low_p, high_p = t_interval(prog) if prog.size != 1 else (mean, mean)
            rows.append({"design": runs.design.name, "year": k + 1, "n": status.size,
                         "sustained": hits / status.size, "sustained_low": low,
                         "sustained_high": high, "programs": mean,
                         "programs_low": low_p, "programs_high": high_p})
    return pd.DataFrame(rows)


def runs_table(runs: DesignRuns, years: int) -> pd.DataFrame:
    """One row per replicate of a design: status and program level by year after the grant."""
    rows = np.arange(runs.status.shape[0])
    data: dict[str, object] = {"replicate": rows // runs.consortia}
    if runs.consortia > 1:
        data["consortium"] = rows % runs.consortia
        data["tier"] = [runs.tiers[i] for i in rows % runs.consortia]
    for k in range(min(years, runs.status.shape[1])):
        data[f"status_{k + 1}y"] = runs.status[:, k]
        data[f"programs_{k + 1}y"] = runs.programs[:, k]
    return pd.DataFrame(data)
