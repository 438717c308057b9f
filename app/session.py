"""One facilitator's workshop session: the model(s), the levers, the events, the replicates.

Plain Python, without the browser: the dashboard (``app.workshop``) shows a
:class:`Workshop` and calls its methods, and the tests call them too. Each browser
session builds its own ``Workshop``, so two sessions never share a model.

The left side runs the levers the sliders set; in compare mode the right side runs a
funding design on the same scenario and the same seed, and both step together. Shocks hit
both sides alike, so the comparison stays fair.
"""

from __future__ import annotations

import functools
import io
import math
import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.designs import load_design, shipped_designs
from sim.grant import PHASES, GrantSchedule
from sim.model import ConsortiumModel
from sim.outcomes import RunRecord, status_by_year
from sim.params import ScenarioParams
from sim.run import replicate_seeds
from sim.scenario import load_scenario, with_values
from sim.shocks import SHOCKS, org_name

TURNOVER_KEYS = ("leadership.turnover_district", "leadership.turnover_college",
                 "leadership.turnover_employer", "leadership.turnover_intermediary")


def two_years_on(job: tuple[ScenarioParams, np.random.SeedSequence]) -> tuple[float, float]:
    """One replicate's function level and status two years after its grant end."""
    params, seed = job
    rec = RunRecord.from_model(ConsortiumModel(params, seed).run())
    span = rec.year_after(2)
    level = float(np.mean(rec.function_level()[span])) if span else math.nan
    return level, float(status_by_year(rec, 2)[1])


_POOL_LOCK = threading.Lock()


def replicate_pool() -> ProcessPoolExecutor:
    """Worker processes for replicates, started once per server and shared by sessions.

    Replicates are pure functions of their parameters and seeds, so sharing workers never
    mixes sessions' results. Started with ``spawn``, as the sweep executors are; the lock
    makes sure two sessions asking at once start one pool.
    """
    with _POOL_LOCK:
        return _start_pool()


@functools.cache
def _start_pool() -> ProcessPoolExecutor:
    workers = max(1, min(2, os.cpu_count() or 1))
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
    for f in [pool.submit(_warm) for _ in range(workers)]:
        f.result()
    return pool


def _warm() -> None:
    """Import the model in a worker before the first request needs it."""
    import sim.model  # noqa: F401


@dataclass(frozen=True)
class Lever:
    """A slider: the scenario key it sets, its range and step, and a short label.

    docs/workshop.md says what each one means in the room.
    """

    key: str
    label: str
    low: float
    high: float
    step: float
    integer: bool = False


LEVERS = {
    "state_years": Lever("grant.state_years", "State-funded years", 1, 7, 1, True),
    "taper_years": Lever("grant.taper_years", "Taper years", 0, 3, 1, True),
    "planning_months": Lever("grant.planning_months", "Planning months", 0, 12, 6, True),
    "trust_building": Lever("trust.positive_rate", "Trust building", 0.1, 0.9, 0.05),
    "turnover": Lever("turnover", "Leader turnover (x usual)", 0.0, 3.0, 0.25),
    "now_share": Lever("grant.now_share", "Quick wins now vs then", 0.0, 1.0, 0.05),
    "ta_system_share": Lever("grant.ta_system_share", "System-level TA", 0.0, 1.0, 0.05),
    "subregional_nodes": Lever("grant.subregional_nodes", "Subregional nodes", 1, 4, 1, True),
    "retained_backbone_share": Lever("grant.retained_backbone_share",
                                     "Retained backbone", 0.0, 1.0, 0.1),
}
"""The levers a region controls or a state sets, as the dashboard's sliders."""


def lever_values(params: ScenarioParams, base: ScenarioParams) -> dict[str, float]:
    """The sliders' positions for ``params`` (turnover relative to ``base``)."""
    out: dict[str, float] = {}
    for name, lever in LEVERS.items():
        if lever.key == "turnover":
            b = base.leadership.turnover_district
            out[name] = params.leadership.turnover_district / b if b else 1.0
        else:
            section, key = lever.key.split(".")
            out[name] = getattr(getattr(params, section), key)
    return out


def with_levers(base: ScenarioParams, values: dict[str, float]) -> ScenarioParams:
    """``base`` with the sliders' values set (turnover scales the four hazards)."""
    settings: dict[str, Any] = {}
    for name, value in values.items():
        lever = LEVERS[name]
        if lever.key == "turnover":
            for key in TURNOVER_KEYS:
                section, field_ = key.split(".")
                settings[key] = min(1.0, getattr(getattr(base, section), field_) * value)
        else:
            settings[lever.key] = int(round(value)) if lever.integer else float(value)
    return with_values(base, settings, source="the workshop sliders")


@dataclass
class Side:
    """One running model and what the session has seen of it."""

    label: str
    params: ScenarioParams
    model: ConsortiumModel
    events: list[str] = field(default_factory=list)
    since: np.ndarray | None = None  # month of each organization's last leader change

    def record(self) -> RunRecord:
        """The run so far."""
        return RunRecord.from_model(self.model)

    def series(self) -> dict[str, np.ndarray]:
        """Monthly series so far, with the function level (NaN after the current month)."""
        rec = self.record()
        out = dict(rec.series)
        out["function_level"] = rec.function_level()
        return out


def _snapshot(model: ConsortiumModel) -> dict[str, np.ndarray | str]:
    orgs, ties = model.organizations, model.partnerships
    return {"leader": orgs.leader_id.copy(), "champion": orgs.champion.copy(),
            "part": orgs.taking_part.copy(), "tie": ties.tie.copy(),
            "agreement": ties.agreement.copy(), "phase": model.grant_phase()}


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


PHASE_NEWS = {"state": "the state grant starts", "taper": "state money starts to taper",
              "partner": "state money has ended: partners now pay",
              "post": "the grant is over"}


def events_between(model: ConsortiumModel, before: dict) -> list[str]:
    """What happened in the month just stepped, in plain language."""
    after, month = _snapshot(model), model.month
    out: list[str] = []
    if after["phase"] != before["phase"] and after["phase"] in PHASE_NEWS:
        out.append(f"Month {month}: {PHASE_NEWS[after['phase']]}.")
    ties = model.partnerships
    for i in np.flatnonzero(after["leader"] != before["leader"]):
        touched = int(np.count_nonzero(ties.tie & ((ties.i == i) | (ties.j == i))))
        if not touched and not before["champion"][i]:
            continue  # a contact nobody worked with: not news in the room
        lost = " (a champion)" if before["champion"][i] else ""
        out.append(f"Month {month}: {org_name(model, int(i))}'s leader left{lost}; "
                   f"{_count(touched, 'partnership')} "
                   f"{'loses' if touched == 1 else 'lose'} the trust built with that person.")
    for i in np.flatnonzero(before["part"] & ~after["part"]):
        out.append(f"Month {month}: {org_name(model, int(i))} stopped taking part.")
    for i in np.flatnonzero(~before["part"] & after["part"]):
        out.append(f"Month {month}: {org_name(model, int(i))} joined.")
    formed = int(np.count_nonzero(after["tie"] & ~before["tie"]))
    lapsed = int(np.count_nonzero(before["tie"] & ~after["tie"]))
    if formed or lapsed:
        out.append(f"Month {month}: {_count(formed, 'new partnership')}, {lapsed} lapsed.")
    signed = int(np.count_nonzero(after["agreement"] & ~before["agreement"]))
    if signed:
        out.append(f"Month {month}: {_count(signed, 'partnership agreement')} signed.")
    return out


class Workshop:
    """A session: a scenario, the sliders, one or two sides, and the room's guess."""

    def __init__(self, scenario: str = "workshop_small", seed: int = 20140701):
        self.base = load_scenario(scenario)
        self.seed = seed
        self.lock = threading.RLock()  # the page's play loop and its clicks take turns
        self.levers = lever_values(self.base, self.base)
        self.preset = "ccpt_as_run"
        self.compare_design: str | None = None
        self.guess: float | None = None
        self.replicate_results: list[tuple[str, list[float], list[float]]] = []
        self.sides: list[Side] = []
        self.reset()

    # ---------------------------------------------------------------- set-up
    @staticmethod
    def designs() -> list[str]:
        """The shipped funding designs, the presets."""
        return list(shipped_designs())

    def use_design(self, name: str) -> None:
        """Move the sliders to a shipped design's levers, then reset."""
        params = load_design(name).apply(self.base)
        self.levers = lever_values(params, self.base)
        self.preset = name
        self.reset()

    def set_lever(self, name: str, value: float) -> None:
        """Move one slider, then reset (levers act from month 0)."""
        self.levers = {**self.levers, name: value}
        self.preset = "custom"
        self.reset()

    def set_compare(self, design: str | None) -> None:
        """Compare with ``design`` on the same seed (None: one side), then reset."""
        self.compare_design = design
        self.reset()

    def left_params(self) -> ScenarioParams:
        """The left side's scenario: the base with the sliders' values."""
        return with_levers(self.base, self.levers)

    def reset(self, seed: int | None = None) -> None:
        """Start again at month 0 (a new seed if given); the same seed on both sides."""
        if seed is not None:
            self.seed = seed
        left = self.left_params()
        self.sides = [self._side(f"levers ({self.preset})", left)]
        if self.compare_design:
            right = load_design(self.compare_design).apply(self.base)
            self.sides.append(self._side(self.compare_design, right))
        self.replicate_results = []

    def _side(self, label: str, params: ScenarioParams) -> Side:
        model = ConsortiumModel(params, np.random.SeedSequence(self.seed))
        return Side(label=label, params=params, model=model,
                    since=np.full(model.n, -1, dtype=int))

    # ---------------------------------------------------------------- running
    @property
    def month(self) -> int:
        """Months stepped so far (the left side's clock; both step together)."""
        return self.sides[0].model.month

    @property
    def months(self) -> int:
        """The horizon in months."""
        return max(s.model.months for s in self.sides)

    @property
    def finished(self) -> bool:
        """Whether every side has reached its horizon."""
        return all(s.model.month >= s.model.months for s in self.sides)

    def step(self, n: int = 1) -> None:
        """Step every side ``n`` months together, collecting what happened."""
        for _ in range(n):
            for side in self.sides:
                model = side.model
                if model.month >= model.months:
                    continue
                before = _snapshot(model)
                model.step()
                changed = np.flatnonzero(model.organizations.leader_id != before["leader"])
                side.since[changed] = model.month
                side.events.extend(events_between(model, before))

    def shock(self, name: str) -> list[str]:
        """Fire a shock into every side's running model; returns the feed's new lines."""
        if name not in SHOCKS:
            raise ValueError(f"unknown shock {name!r}; one of {', '.join(SHOCKS)}")
        said = []
        for side in self.sides:
            before = side.model.organizations.leader_id.copy()
            text = f"Month {side.model.month} (shock): {SHOCKS[name](side.model)}"
            changed = np.flatnonzero(side.model.organizations.leader_id != before)
            side.since[changed] = side.model.month
            side.events.append(text)
            said.append(text)
        return said

    # ---------------------------------------------------------------- replicates
    def run_replicates(self, n: int = 50,
                       progress: Callable[[int], None] | None = None) -> list[tuple]:
        """``n`` replicates of each side on the same seeds, to two years after the grant.

        Returns, per side, its label, the function level two years after the grant and the
        status then (2 sustained, 1 scaled back, 0 dissolved) of each replicate.
        """
        seeds = replicate_seeds(self.seed, n)
        jobs = []
        for side in self.sides:
            schedule = GrantSchedule.build(side.params.grant, side.params.months)
            years = math.ceil((schedule.grant_end + 24) / 12)
            params = with_values(side.params, {"outcomes.horizon_years": years})
            jobs.extend((params, ss) for ss in seeds)
        results = []
        for res in replicate_pool().map(two_years_on, jobs, chunksize=5):
            results.append(res)
            if progress:
                progress(len(results))
        out = []
        for k, side in enumerate(self.sides):
            mine = results[k * n:(k + 1) * n]
            out.append((side.label, [r[0] for r in mine], [r[1] for r in mine]))
        self.replicate_results = out
        return out

    # ---------------------------------------------------------------- export
    def csv(self) -> bytes:
        """The run so far as CSV: one row per month and side."""
        frames = []
        for side in self.sides:
            m, series = side.model.month, side.series()
            table = pd.DataFrame({"side": side.label, "month": np.arange(m),
                                  "grant_phase": [PHASES[int(c)] for c in series["phase"][:m]],
                                  **{k: v[:m] for k, v in series.items() if k != "phase"}})
            frames.append(table)
        buffer = io.StringIO()
        pd.concat(frames).to_csv(buffer, index=False)
        return buffer.getvalue().encode()
