"""The one facade every caller uses: ``run(scenario, seed) -> RunResult``.

Sweeps, the CLI, the dashboard and the tests all go through here. Replicate seeds are
spawned from one root ``numpy.random.SeedSequence`` before any run starts, never drawn.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import networkx as nx
import numpy as np

from sim.model import ConsortiumModel
from sim.outcomes import RunRecord, compute_outcomes, monthly_table
from sim.params import ScenarioParams
from sim.scenario import load_scenario, with_values


@dataclass(frozen=True)
class RunResult:
    """Outcomes and monthly record of one seeded run."""

    replicate: int
    seed_entropy: int
    spawn_key: tuple[int, ...]
    outcomes: dict[str, float]
    record: RunRecord
    snapshots: dict[int, nx.Graph] = field(default_factory=dict)

    def monthly(self) -> dict:
        """Monthly time series as plain columns."""
        return monthly_table(self.record)


def replicate_seeds(root: int | None, n: int) -> list[np.random.SeedSequence]:
    """``n`` independent child seeds of one root seed (same root, same children)."""
    return np.random.SeedSequence(root).spawn(n)


def run(params: ScenarioParams,
        seed: int | np.random.SeedSequence | np.random.Generator | None = None,
        replicate: int = 0, snapshot_months: tuple[int, ...] = ()) -> RunResult:
    """Run one replicate of ``params`` from ``seed`` and compute its outcomes.

    ``seed`` may also be a sweep's Generator, ``default_rng(SeedSequence(...))``, which
    gives the same run as its SeedSequence. ``snapshot_months`` lists months (0-based)
    after which the partnership graph is kept, e.g. the last grant month and two years
    later, for network figures.
    """
    model = ConsortiumModel(params, seed)
    ss = model.seed_sequence
    wanted = {m for m in snapshot_months if 0 <= m < model.months}
    snapshots: dict[int, nx.Graph] = {}
    for month in sorted(wanted):
        model.run(until=month + 1)
        snapshots[month] = model.graph()
    model.run()
    record = RunRecord.from_model(model)
    return RunResult(replicate=replicate, seed_entropy=int(ss.entropy),
                     spawn_key=tuple(ss.spawn_key), outcomes=compute_outcomes(record),
                     record=record, snapshots=snapshots)


def iter_replicates(params: ScenarioParams, replicates: int, seed: int | None,
                    snapshot_months: tuple[int, ...] = ()) -> Iterator[RunResult]:
    """Run replicates one after another from seeds spawned off ``seed``.

    Graphs are kept for replicate 0 only.
    """
    for r, ss in enumerate(replicate_seeds(seed, replicates)):
        yield run(params, ss, replicate=r, snapshot_months=snapshot_months if r == 0 else ())


def run_replicates(params: ScenarioParams, replicates: int, seed: int | None,
                   progress: Callable[[int], None] | None = None,
                   snapshot_months: tuple[int, ...] = ()) -> list[RunResult]:
    """All replicates as a list; ``progress(done)`` is called after each."""
    out = []
    for res in iter_replicates(params, replicates, seed, snapshot_months):
        out.append(res)
        if progress:
            progress(len(out))
    return out


@lru_cache(maxsize=16)
def _base_scenario(scenario: str, settings: tuple[tuple[str, Any], ...] = ()) -> ScenarioParams:
    base = load_scenario(scenario)
    return with_values(base, dict(settings)) if settings else base


def scenario_with(params: Mapping[str, Any], scenario: str = "ccpt_baseline",
                  settings: Mapping[str, Any] | None = None) -> ScenarioParams:
    """``scenario`` with the dotted keys of ``settings`` and then of ``params`` set.

    The shipped or file scenario is read once per process (cached), so sweeps that run it
    thousands of times parse it once.
    """
    base = _base_scenario(scenario, tuple(sorted((settings or {}).items())))
    return with_values(base, dict(params)) if params else base


def simulate(params: Mapping[str, Any], rng: np.random.Generator, *,
             scenario: str = "ccpt_baseline", outcomes: tuple[str, ...] | None = None,
             series: bool = False, settings: Mapping[str, Any] | None = None
             ) -> dict[str, float | np.ndarray]:
    """One run of ``scenario`` with dotted keys in ``params`` set; the sweep model interface.

    ``f(params, rng) -> {outcome: value}`` is what ``experiments`` runs for every design
    point and replicate; all randomness comes from ``rng``. ``settings`` fixes dotted keys
    for every run (a study's ``[set]`` table). With ``series=True`` the monthly series come
    back as arrays next to the outcomes.
    """
    model = ConsortiumModel(scenario_with(params, scenario, settings), rng)
    model.run()
    record = RunRecord.from_model(model)
    out: dict[str, float | np.ndarray] = dict(
        compute_outcomes(record, list(outcomes) if outcomes else None))
    if series:
        for name, values in monthly_table(record).items():
            if name not in ("month", "grant_phase"):
                out[name] = np.asarray(values, dtype=float)
    return out
