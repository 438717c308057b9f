"""One statewide replicate: a cohort's consortia stepped month by month together.

``run_cohort(cohort, seed)`` spawns the replicate's seed (always the same children, however
often the seed object is used) into one stream for drawing the consortia
(``sim.cohorts.Cohort.members``), one for the state's awards and one per consortium,
builds every consortium's model, and steps them in lockstep. Each month, before
the consortia step, the state's pool of system-level coaches is shared among those whose TA
runs (``agents.statewide.coaching_supply``); after month ``overlap.decided_month``, a later
cohort's grants land in the regions ``agents.statewide.overlap_awards`` draws and run as
follow-on grants from the start of ``overlap.year`` (SF25). A design's levers (``settings``)
are applied to every consortium after the draws, so designs compared on one seed meet the
same consortia.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from agents.codes import MONTHS_PER_YEAR
from agents.statewide import coaching_asked, coaching_supply, overlap_awards
from sim.cohorts import Cohort, Member
from sim.model import ConsortiumModel
from sim.outcomes import RunRecord


@dataclass(frozen=True)
class CohortRun:
    """A statewide replicate: each consortium's record and what the state did."""

    members: list[Member]
    records: list[RunRecord]
    overlap: np.ndarray      # bool per consortium: a later grant landed in its region
    supply: np.ndarray       # coaching supply in each month, 0-1
    seed_entropy: int
    spawn_key: tuple[int, ...]


def run_cohort(cohort: Cohort, seed: int | np.random.SeedSequence | None,
               settings: dict[str, Any] | None = None,
               on_month: Callable[[int, list[ConsortiumModel]], None] | None = None
               ) -> CohortRun:
    """Run one statewide replicate of ``cohort`` from ``seed``.

    ``settings`` (dotted scenario keys, e.g. a design's levers or a horizon) apply to every
    consortium. ``on_month(month, models)`` is called after each month (for live views).
    """
    ss = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    # Children of a fresh copy: spawning counts on the object, and the same seed object may
    # be run again (one per design in a comparison).
    fresh = np.random.SeedSequence(ss.entropy, spawn_key=ss.spawn_key, pool_size=ss.pool_size)
    draws, awards, *own = fresh.spawn(2 + cohort.size)
    members = cohort.members(np.random.default_rng(draws), settings)
    models = [ConsortiumModel(m.params, s) for m, s in zip(members, own, strict=True)]
    spec = cohort.spec
    state, lap = spec.state, spec.overlap
    months = max(m.months for m in models)
    supply = np.ones(months)
    landed = np.zeros(len(models), dtype=bool)
    award_rng = np.random.default_rng(awards)
    advance = ConsortiumModel.step  # each month as the class defines it, as model.run() does
    for month in range(months):
        asked = coaching_asked(models, month)
        if state.other_from_year <= month // MONTHS_PER_YEAR + 1 <= state.other_until_year:
            asked += state.other_demand
        supply[month] = coaching_supply(state.capacity, asked)
        for model in models:
            model.consortium.coaching_supply = supply[month]
            advance(model)
        if lap.grants and month == lap.decided_month:
            chosen = overlap_awards(models, lap.grants, award_rng)
            landed[chosen] = True
            for c in chosen:
                models[c].funding.award_follow_on(MONTHS_PER_YEAR * (lap.year - 1), lap.musd)
        if on_month is not None:
            on_month(month, models)
    return CohortRun(members=members, records=[RunRecord.from_model(m) for m in models],
                     overlap=landed, supply=supply, seed_entropy=int(ss.entropy),
                     spawn_key=tuple(ss.spawn_key))
