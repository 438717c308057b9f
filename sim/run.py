"""The one facade every caller uses: ``run(scenario, seed) -> RunResult``.

Sweeps, the CLI, the dashboard and the tests all go through here. Replicate seeds are
spawned from one root ``numpy.random.SeedSequence`` before any run starts, never drawn.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import networkx as nx
import numpy as np

from sim.model import ConsortiumModel
from sim.outcomes import RunRecord, compute_outcomes, monthly_table
from sim.params import ScenarioParams


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


def run(params: ScenarioParams, seed: int | np.random.SeedSequence | None = None,
        replicate: int = 0, snapshot_months: tuple[int, ...] = ()) -> RunResult:
    """Run one replicate of ``params`` from ``seed`` and compute its outcomes.

    ``snapshot_months`` lists months (0-based) after which the partnership graph is kept,
    e.g. the last grant month and two years later, for network figures.
    """
    ss = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    model = ConsortiumModel(params, ss)
    wanted = {m for m in snapshot_months if 0 <= m < model.months}
    snapshots: dict[int, nx.Graph] = {}
    while model.month < model.months:
        model.step()
        if model.month - 1 in wanted:
            snapshots[model.month - 1] = model.graph()
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
