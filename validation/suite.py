"""The suite runner: run every pattern of ``validation.patterns`` over its arms.

Each pattern reads one or two *arms* (a scenario plus overrides). Every arm runs the same
``N`` replicate seeds, ``numpy.random.SeedSequence(root).spawn(N)``, so replicate ``r`` of
every arm uses the same child seed (common random numbers) and a pair's differences are not
seed noise. An arm is run once however many patterns read it, and each run is reduced to
the statistics its patterns need before the next one starts (``validation.runs``); chunks
of replicates go to worker processes on the experiments engine's executor. The verdicts
come from ``validation.inference``; a failing pattern stays a failure.

**Replicates.** The report justifies ``N`` from the runs themselves, with
``experiments.analysis.replicate_guidance``: the replicate count at which the running
coefficient of variation of each statistic settles within ±5% of its final value (Lee et
al. 2015), the count for a 95% half-width of 10% of the mean or 0.05 for a share (Secchi &
Seri 2017), and the power of each test at its observed effect. ``DEFAULT_REPLICATES`` is
300, the interval-width count of the most demanding share (``sustained_2y`` near one half
in the SF3 arms needs about 295 runs for ±0.05), which also gives the 5-25% band of SF1 a
resolution of ±0.05. The CV rule is reported but is not the binding one: the CV's own
sampling error is about 1/sqrt(2n), about 4% at n = 300, so a ±5% tolerance settles late
by construction. A full run takes about two minutes on two cores (about three and a half
in one process).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd

from sim.params import ScenarioParams
from sim.scenario import load_scenario, parse_override
from validation.inference import PatternResult, evaluate, holm_adjust
from validation.patterns import PATTERNS, Pattern, check_catalogue, group
from validation.runs import run_statistics
from validation.statistics import STATISTICS

DEFAULT_REPLICATES = 300
QUICK_REPLICATES = 20
DEFAULT_SEED = 20140701
CHUNK = 8  # replicates per task handed to a worker


@dataclass
class ArmRuns:
    """One arm's runs: its scenario, the overrides applied and one array per statistic."""

    scenario: str
    overrides: tuple[str, ...]
    params: ScenarioParams
    values: dict[str, np.ndarray]

    def describe(self) -> str:
        """Scenario and overrides as one line."""
        return self.scenario + "".join(f" + {s}" for s in self.overrides)


@dataclass
class SuiteResult:
    """Everything the report needs."""

    results: list[PatternResult]
    arms: list[ArmRuns]
    replicates: int
    seed: int
    quick: bool
    settings: tuple[str, ...]
    wall_time_s: float
    guidance: pd.DataFrame
    started: str
    revision: dict[str, Any] = field(default_factory=dict)

    def counts(self) -> dict[str, dict[str, int]]:
        """Pass/fail/not-testable counts by group: role if testable, else kind (``GROUPS``)."""
        out: dict[str, dict[str, int]] = {}
        for r in self.results:
            row = out.setdefault(group(r.pattern), {"pass": 0, "fail": 0, "not testable": 0})
            row[r.status] += 1
        return out


@dataclass(frozen=True)
class ArmTask:
    """One chunk of replicates of one arm, for a worker (the suite's and the knock-outs')."""

    arm: int
    params: ScenarioParams
    replicates: tuple[int, ...]
    seeds: tuple[np.random.SeedSequence, ...]
    names: tuple[str, ...]


def run_task(task: ArmTask) -> tuple[int, list[tuple[int, dict[str, float]]]]:
    """Run one chunk of replicates of one arm (module level, so a worker can import it)."""
    rows = [(r, run_statistics(task.params, ss, task.names))
            for r, ss in zip(task.replicates, task.seeds, strict=True)]
    return task.arm, rows


class ValidationError(ValueError):
    """Bad input to the suite (replicates, settings, a pattern entry)."""


def select(quick: bool, patterns: Sequence[Pattern] = PATTERNS) -> list[Pattern]:
    """The patterns of a run: every one, or in quick mode the robust ones."""
    return [p for p in patterns if p.robust] if quick else list(patterns)


def _check_settings(settings: Sequence[str]) -> None:
    for text in settings:
        parse_override(text)  # ScenarioError on a malformed KEY=VALUE


def prepare_arms(patterns: Sequence[Pattern], settings: Sequence[str] = ()
                 ) -> tuple[list[ArmRuns], dict[tuple[str, tuple[str, ...]], int]]:
    """Load every arm's scenario once: suite-wide ``settings`` first, the arm's own after.

    The arm's overrides win, so a pattern's contrast survives a suite-wide setting of the
    same key. Raises ScenarioError on a bad key or value.
    """
    _check_settings(settings)
    arms: list[ArmRuns] = []
    index: dict[tuple[str, tuple[str, ...]], int] = {}
    for p in patterns:
        for arm in p.arms():
            if arm.statistic not in STATISTICS:
                raise ValidationError(f"{p.id}: unknown statistic {arm.statistic!r}")
            if arm.key not in index:
                params = load_scenario(arm.scenario, [*settings, *arm.set])
                index[arm.key] = len(arms)
                arms.append(ArmRuns(arm.scenario, arm.set, params, {}))
    return arms, index


def run_suite(replicates: int = DEFAULT_REPLICATES, seed: int = DEFAULT_SEED,
              quick: bool = False, settings: Sequence[str] = (),
              patterns: Sequence[Pattern] = PATTERNS, workers: int = 1,
              progress: Callable[[int, int], None] | None = None) -> SuiteResult:
    """Run the patterns with ``replicates`` common-random-number replicates per arm.

    Args:
        replicates: Replicates per arm (at least 3).
        seed: Root seed; replicate r of every arm uses child r of ``SeedSequence(seed)``.
        quick: Run only the robust patterns.
        settings: ``KEY=VALUE`` overrides applied to every arm before its own.
        patterns: The catalogue.
        workers: Worker processes; 1 runs everything in this process.
        progress: Called with (runs done, runs in total) as chunks finish.

    Raises:
        ValidationError: bad replicates or catalogue; ScenarioError: a bad setting.
    """
    if replicates < 3:
        raise ValidationError(f"replicates must be at least 3, got {replicates}")
    try:
        check_catalogue(tuple(patterns))
    except ValueError as exc:
        raise ValidationError(str(exc)) from None
    chosen = select(quick, patterns)
    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    t0 = time.perf_counter()
    arms, index = prepare_arms(chosen, settings)
    names: list[list[str]] = [[] for _ in arms]
    for p in chosen:
        for arm in p.arms():
            k = index[arm.key]
            if arm.statistic not in names[k]:
                names[k].append(arm.statistic)
    seeds = np.random.SeedSequence(seed).spawn(replicates)
    tasks = [ArmTask(k, arm.params, tuple(range(lo, min(lo + CHUNK, replicates))),
                   tuple(seeds[lo:lo + CHUNK]), tuple(names[k]))
             for k, arm in enumerate(arms) for lo in range(0, replicates, CHUNK)]
    for k, arm in enumerate(arms):
        arm.values = {n: np.full(replicates, np.nan) for n in names[k]}
    total = replicates * len(arms)
    done = 0
    if progress:
        progress(0, total)
    for arm_k, rows in execute(tasks, workers):
        for r, values in rows:
            for name, value in values.items():
                arms[arm_k].values[name][r] = value
        done += len(rows)
        if progress:
            progress(done, total)
    results = [evaluate(p, arms, index) for p in chosen]
    holm_adjust(results)
    for r in results:
        _note_conflicts(r, settings)
    guidance = _guidance(arms)
    from experiments.store import git_revision

    return SuiteResult(results, arms, replicates, seed, quick, tuple(settings),
                       time.perf_counter() - t0, guidance, started, git_revision())


def execute(tasks: list[ArmTask], workers: int
            ) -> Iterable[tuple[int, list[tuple[int, dict[str, float]]]]]:
    """Run the tasks here (one worker) or on a local process pool, yielding as they finish."""
    if workers <= 1 or len(tasks) <= 1:
        for task in tasks:
            yield run_task(task)
        return
    from experiments.executors import make_executor

    with make_executor("local", workers) as executor:
        futures: list[Future] = [executor.submit(run_task, t) for t in tasks]
        for future in as_completed(futures):
            yield future.result()


def _note_conflicts(result: PatternResult, settings: Sequence[str]) -> None:
    keys = {parse_override(s)[0] for s in settings}
    for arm in result.pattern.arms():
        clash = keys & {parse_override(s)[0] for s in arm.set}
        if clash:
            result.notes.append(f"suite-wide setting of {', '.join(sorted(clash))} is "
                                f"overridden by this pattern's own arm")


def _guidance(arms: list[ArmRuns]) -> pd.DataFrame:
    from experiments.analysis import replicate_guidance

    frames = []
    for k, arm in enumerate(arms):
        n = len(next(iter(arm.values.values()))) if arm.values else 0
        frame = pd.DataFrame({"point": k, "replicate": np.arange(n)})
        for name, values in arm.values.items():
            frame[name] = values
        frames.append(frame)
    if not frames:
        return pd.DataFrame()
    table = pd.concat(frames, ignore_index=True)
    names = [c for c in table.columns if c not in ("point", "replicate")]
    return replicate_guidance(table, names)


__all__ = [
    "DEFAULT_REPLICATES", "DEFAULT_SEED", "QUICK_REPLICATES", "ArmRuns", "SuiteResult",
    "ValidationError", "prepare_arms", "run_suite", "select",
]
