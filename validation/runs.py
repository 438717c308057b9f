"""Runs: one run of the model reduced to the statistics a pattern or a calibration reads.

Runs that need neither a probe nor a snapshot before the first step go through
``sim.run.run``; the others step a ``ConsortiumModel`` here in the same order, reading it
only through ``model.observe()`` and ``model.graph()``. The tests check that both give the
same outcomes for the same seed, so a statistic does not depend on how its run was made.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import networkx as nx
import numpy as np

from sim.grant import GrantSchedule
from sim.model import ConsortiumModel
from sim.outcomes import RunRecord, compute_outcomes
from sim.params import ScenarioParams
from sim.run import run as run_once
from validation.probes import PROBES
from validation.statistics import STATISTICS, RunView, resolve_month


def run_statistics(params: ScenarioParams,
                   seed: np.random.SeedSequence | np.random.Generator,
                   names: Sequence[str]) -> dict[str, float]:
    """One run of ``params`` from ``seed``, reduced to the statistics ``names``.

    ``seed`` may be a sweep's Generator, ``default_rng(SeedSequence(...))``, which gives
    the same run as its SeedSequence (the calibration's sweep model passes one).

    Runs that need no probe and no pre-grant snapshot go through ``sim.run.run``; the
    others step the model here in the same order.
    """
    wanted = [STATISTICS[n] for n in names]
    schedule = GrantSchedule.build(params.grant, params.months)
    specs = sorted({s for st in wanted for s in st.snapshots})
    months = {s: resolve_month(s, schedule) for s in specs}
    probe_names = sorted({p for st in wanted for p in st.probes})
    snaps = tuple(sorted({m for m in months.values() if m >= 0}))
    if not probe_names and -1 not in months.values():
        res = run_once(params, seed, snapshot_months=snaps)
        view = RunView(res.record, res.outcomes, months, dict(res.snapshots))
    else:
        view = stepped_run(params, seed, months, snaps, probe_names)
    out = {}
    for name, st in zip(names, wanted, strict=True):
        value = st.fn(view)
        out[name] = float(value) if value is not None else math.nan
    return out


def stepped_run(params: ScenarioParams,
                seed: np.random.SeedSequence | np.random.Generator, months: dict[str, int],
                snaps: tuple[int, ...], probe_names: Sequence[str]) -> RunView:
    """Step the model month by month with the named probes and snapshot the given months.

    ``months`` maps month specs to indices (-1: before the first step); ``snaps`` are the
    months from 0 on whose network is kept.
    """
    model = ConsortiumModel(params, seed)
    graphs: dict[int, nx.Graph] = {}
    if -1 in months.values():
        graphs[-1] = model.graph()
    first = model.observe()
    probes = {name: PROBES[name](first, params) for name in probe_names}
    wanted = set(snaps)
    while model.month < model.months:
        if probes:
            obs = model.observe()
            for p in probes.values():
                p.before(obs)
        model.run(until=model.month + 1)
        month = model.month - 1
        if probes:
            obs = model.observe()
            for p in probes.values():
                p.after(obs)
        if month in wanted:
            graphs[month] = model.graph()
    record = RunRecord.from_model(model)
    return RunView(record, compute_outcomes(record), months, graphs,
                   {k: p.result() for k, p in probes.items()})
