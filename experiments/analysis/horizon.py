"""Which design points a sweep's runs are too short for, outcome by outcome (ODD §8.2).

A design point whose grant outlasts its horizon (six state-funded years in a ten-year run,
a short ``outcomes.horizon_years``) has no value for the outcomes read after its grant:
they are NaN in every run, and the point shows ``n = 0``. That is not a failure, and the
analysis says so: :func:`beyond_horizon` lists each such (outcome, point) with the runs it
affects and the ``outcomes.horizon_years`` that would measure it.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from experiments.analysis.sweep import Sweep
from sim.grant import GrantSchedule
from sim.outcomes import months_needed
from sim.params import ScenarioParams
from sim.scenario import with_values

CONSORTIUM_MODEL = "sim.run:simulate"
COLUMNS = ["outcome", "point", "runs", "horizon_years", "years_needed"]


def _horizon(params: ScenarioParams) -> tuple[int, int]:
    """The run's months and the month its grant ends."""
    return params.months, GrantSchedule.build(params.grant, params.months).grant_end


def point_horizons(sweep: Sweep) -> dict[int, tuple[int, int]]:
    """Design point -> (the run's months, the month its grant ends); empty for other models.

    The base scenario with the study's ``[set]`` keys and the point's grant and horizon
    factors (only those keys move the horizon). Design rows are read as records, which keep
    each column's type (``iterrows`` would turn 3 into 3.0 beside a float column).
    """
    manifest = sweep.manifest
    base = manifest.get("base_scenario")
    if manifest.get("model") != CONSORTIUM_MODEL or not isinstance(base, dict):
        return {}
    params = ScenarioParams.model_validate(base)
    settings: dict[str, Any] = dict((manifest.get("study") or {}).get("settings") or {})
    shaping = [f for f in sweep.factors if f in sweep.design.columns
               and f.startswith(("grant.", "outcomes."))]
    cache: dict[tuple, tuple[int, int]] = {}
    out = {}
    for point in sweep.design.to_dict("records"):
        values = {**settings, **{f: _plain(point[f]) for f in shaping}}
        key = tuple(sorted((k, repr(v)) for k, v in values.items()))
        if key not in cache:
            cache[key] = _horizon(with_values(params, values) if values else params)
        out[int(point["point"])] = cache[key]
    return out


def beyond_horizon(sweep: Sweep, names: list[str]) -> pd.DataFrame:
    """One row per (outcome, design point) the point's runs are too short for.

    ``runs``: the point's successful runs, whose value is NaN for that reason;
    ``years_needed``: the ``outcomes.horizon_years`` that would measure it. Empty for models
    other than the consortium model (their horizon is their own).
    """
    ok = sweep.outcomes.groupby("point").size() if len(sweep.outcomes) else pd.Series()
    rows = []
    for point, (months, grant_end) in point_horizons(sweep).items():
        for name in names:
            need = months_needed(name, grant_end)
            if need > months:
                rows.append({"outcome": name, "point": point, "runs": int(ok.get(point, 0)),
                             "horizon_years": months // 12,
                             "years_needed": math.ceil(need / 12)})
    return pd.DataFrame(rows, columns=COLUMNS)


def _plain(value: Any) -> Any:
    """A design value as the scenario takes it (numpy scalars as Python numbers)."""
    return value.item() if hasattr(value, "item") else value
