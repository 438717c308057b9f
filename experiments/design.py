"""Designs, run plans and seeds: from a validated study to the table of runs.

``build_design`` turns a :class:`~experiments.study.Study` into a design table (one row per
design point). Samplers are SALib's and scipy's, never hand-written: Latin hypercube from
``scipy.stats.qmc.LatinHypercube`` (McKay et al. 1979), Sobol'/Saltelli from
``SALib.sample.sobol`` (Saltelli 2002; Saltelli et al. 2010), Morris trajectories from
``SALib.sample.morris`` (Morris 1991); unit samples are mapped to each factor's
distribution by ``SALib.util.scale_samples``. The full factorial is ``itertools.product``;
the extended OFAT design follows ten Broeke, van Voorn & Ligtenberg 2016 (JASSS 19(1)5).

``run_plan`` expands design points into runs, each with its own seed spawned from the root
seed (numpy ``SeedSequence``), with common random numbers across design points by default.
"""

from __future__ import annotations

import copy
import itertools
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from SALib.sample import morris as morris_sampler
from SALib.sample import sobol as sobol_sampler
from SALib.util import scale_samples
from scipy.stats import qmc

from experiments.study import (
    POINT_LABEL,
    SALIB_DISTS,
    Factor,
    Study,
    StudyError,
    check_values,
)

# The design's own randomness (LHS, Sobol' scrambling, Morris trajectories) comes from the
# root seed spawned with this key, which no run seed uses: runs get spawn keys (r,) with
# r < replicates, or (p, r).
DESIGN_SPAWN_KEY = (2**31,)
CHUNK_MAX = 64


@dataclass(frozen=True, eq=False)
class Design:
    """Design points of a study, and what SALib needs to analyse them.

    ``table``: column ``point`` (0..n-1), then one column per factor key with the values
    runs use (integer factors rounded); OFAT adds ``varied`` (the factor varied at that
    point, or "base"); points adds ``label`` when the file names its points. ``problem``:
    the SALib problem (num_vars, names, bounds, and dists when any factor is not uniform)
    for lhs, sobol and morris, else None. ``samples``: the
    raw sampler matrix in point order (before rounding), what SALib's analyze functions
    take, else None. ``options``: the design options (N, second_order, levels, scramble,
    points, seed).
    """

    kind: str
    factors: list[str]
    table: pd.DataFrame
    problem: dict[str, Any] | None = None
    samples: np.ndarray | None = None
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def n_points(self) -> int:
        """Number of design points."""
        return len(self.table)


def design_seed(root_seed: int) -> int:
    """Seed of the design's own sampler, derived from the root seed (see DESIGN_SPAWN_KEY)."""
    state = np.random.SeedSequence(root_seed, spawn_key=DESIGN_SPAWN_KEY).generate_state(
        1, dtype=np.uint32)
    return int(state[0])


def salib_problem(factors: list[Factor]) -> dict[str, Any]:
    """The SALib problem dict of sampled factors (bounds in SALib's per-distribution form)."""
    bounds = []
    for f in factors:
        assert f.bounds is not None
        b = [float(v) for v in f.bounds]
        if f.distribution == "triangular" and len(b) == 2:
            b.append(0.5)  # peak in the middle of [lo, hi]
        bounds.append(b)
    problem: dict[str, Any] = {"num_vars": len(factors), "names": [f.key for f in factors],
                               "bounds": bounds}
    if any(f.distribution != "uniform" for f in factors):
        problem["dists"] = [SALIB_DISTS[f.distribution] for f in factors]
    return problem


def _column(values: np.ndarray, integer: bool) -> pd.Series:
    if integer:
        return pd.Series(np.rint(values).astype(np.int64))
    return pd.Series(values, dtype=np.float64)


def _table(keys: list[str], columns: list[pd.Series], extra: dict[str, Any] | None = None
           ) -> pd.DataFrame:
    """Design table: ``point``, one typed column per factor, then any extra columns."""
    n = len(columns[0]) if columns else 0
    parts = {"point": pd.Series(np.arange(n, dtype=np.int64))}
    for key, column in zip(keys, columns, strict=True):
        parts[key] = column.reset_index(drop=True)
    for name, column in (extra or {}).items():
        parts[name] = pd.Series(column, dtype=str)
    return pd.DataFrame(parts)  # one frame at once: hundreds of factors stay unfragmented


def _ofat_values(f: Factor, points: int) -> list[Any]:
    """Values of one factor's OFAT curve: its levels, or ``points`` evenly spaced values."""
    if f.levels is not None:
        return list(f.levels)
    assert f.bounds is not None
    grid = np.linspace(f.bounds[0], f.bounds[1], points)
    if f.integer:
        return [int(v) for v in np.unique(np.rint(grid))]
    return [float(v) for v in grid]


def _is_base(value: Any, base: Any) -> bool:
    """Whether an OFAT value is the base value (real numbers within rounding of a grid)."""
    if isinstance(value, bool) or isinstance(base, bool) or isinstance(value, str) \
            or isinstance(base, str):
        return type(value) is type(base) and value == base
    return math.isclose(float(value), float(base), rel_tol=1e-12, abs_tol=1e-12)


def _ofat_others(study: Study, f: Factor, base: Any) -> list[Any]:
    """The values of a factor's curve other than its base value: its own design points."""
    return [v for v in _ofat_values(f, study.design.points) if not _is_base(v, base)]


def ofat_size(study: Study) -> int:
    """Design points of an OFAT study: the base point plus each factor's other values.

    Counted without building the table (for the size check of
    :func:`~experiments.study.planned_points`); a grid of more than a million values per
    factor is counted as ``points`` values, none of them the base.
    """
    n = 1
    for f in study.factors:
        if f.levels is None and study.design.points > 1_000_000:
            n += study.design.points
        else:
            n += len(_ofat_others(study, f, _ofat_base(study, f)))
    return n


def _ofat_base(study: Study, f: Factor) -> Any:
    """The base value of a factor.

    The base scenario's value; for other models the middle level (the lower of the two
    middle ones) or the midpoint of the bounds.
    """
    if study.is_consortium:
        return study.base_value(f.key)
    if f.levels is not None:
        return f.levels[(len(f.levels) - 1) // 2]
    assert f.bounds is not None
    mid = (f.bounds[0] + f.bounds[1]) / 2
    return int(np.rint(mid)) if f.integer else float(mid)


def _full_factorial(study: Study) -> Design:
    keys = study.factor_keys
    rows = list(itertools.product(*(f.levels or [] for f in study.factors)))
    columns = [pd.Series([row[j] for row in rows]) for j in range(len(keys))]
    return Design("full_factorial", keys, _table(keys, columns), options={})


def _ofat(study: Study) -> Design:
    keys = study.factor_keys
    points = study.design.points
    base = [_ofat_base(study, f) for f in study.factors]
    rows, varied = [list(base)], ["base"]
    for j, f in enumerate(study.factors):
        for value in _ofat_others(study, f, base[j]):
            row = list(base)
            row[j] = value
            rows.append(row)
            varied.append(f.key)
    columns = [pd.Series([row[j] for row in rows]) for j in range(len(keys))]
    return Design("ofat", keys, _table(keys, columns, {"varied": varied}),
                  options={"points": points})


def _sampled(study: Study) -> Design:
    spec = study.design
    factors = study.factors
    problem = salib_problem(factors)
    seed = design_seed(study.seed)
    n = int(spec.samples or 0)
    if spec.kind == "lhs":
        unit = qmc.LatinHypercube(d=len(factors), scramble=spec.scramble, rng=seed).random(n)
        samples = scale_samples(unit, copy.deepcopy(problem))
        options = {"N": n, "scramble": spec.scramble, "seed": seed}
    elif spec.kind == "sobol":
        samples = sobol_sampler.sample(copy.deepcopy(problem), n,
                                       calc_second_order=spec.second_order,
                                       scramble=spec.scramble, seed=seed)
        options = {"N": n, "second_order": spec.second_order, "scramble": spec.scramble,
                   "seed": seed}
    else:
        samples = morris_sampler.sample(copy.deepcopy(problem), N=n, num_levels=spec.levels,
                                        seed=seed)
        options = {"N": n, "levels": spec.levels, "seed": seed}
    samples = np.asarray(samples, dtype=float)
    options["integer"] = [f.key for f in factors if f.integer]
    keys = study.factor_keys
    columns = [_column(samples[:, j], f.integer) for j, f in enumerate(factors)]
    return Design(spec.kind, keys, _table(keys, columns), problem, samples, options)


def _check_tails(study: Study, design: Design) -> None:
    """Normal and lognormal factors are unbounded: check the values actually drawn."""
    base = study.base_params
    if base is None or study.path is None:
        return
    for i, f in enumerate(study.factors):
        if f.distribution in ("normal", "lognormal"):
            col = design.table[f.key]
            ends = [col.min(), col.max()]
            values = [int(v) if f.integer else float(v) for v in ends]
            try:
                check_values(study.path, base, f.key, f"factors[{i}].bounds", values,
                             f"the {f.distribution} distribution draws")
            except StudyError as exc:
                raise StudyError(exc.file, exc.key, f"{exc.problem}; narrow the sd") from None


def build_design(study: Study) -> Design:
    """The design of ``study``: one row per design point, in the order runs are numbered.

    full_factorial: every combination of levels, first factor slowest. ofat (extended OFAT,
    ten Broeke et al. 2016): point 0 (``varied = "base"``) has every factor at its base
    value (the base scenario's; for other models the middle level or the midpoint of the
    bounds) and runs once; then each factor in turn takes each of its other values with the
    others at base, so a factor's curve is its own points plus point 0, and the design has
    ``1 + sum(values - 1)`` points when every factor's values hold its base. lhs, sobol,
    morris: SALib/scipy samples seeded from the root seed (``design_seed``); integer factors
    rounded in ``table``.
    points: the rows of the study's ``design.file``, in file order, with its ``label``
    column (if any) beside the factors. Raises StudyError if a
    normal or lognormal factor draws a value the base scenario rejects.
    """
    kind = study.design.kind
    if kind == "points":
        table = study.points_table
        keys = study.factor_keys
        columns = [table[k].reset_index(drop=True) for k in keys]
        labels = ({POINT_LABEL: table[POINT_LABEL].to_numpy()} if POINT_LABEL in table
                  else None)
        design = Design("points", keys, _table(keys, columns, labels),
                        options={"file": study.design.file})
    elif kind == "full_factorial":
        design = _full_factorial(study)
    elif kind == "ofat":
        design = _ofat(study)
    else:
        design = _sampled(study)
        _check_tails(study, design)
    return design


# --- runs and seeds --------------------------------------------------------------------------
def spawn_key_text(key: tuple[int, ...]) -> str:
    """``(12, 3)`` -> ``"12,3"``: how spawn keys are stored."""
    return ",".join(str(k) for k in key)


def run_seed(entropy: int | str, spawn_key: str | tuple[int, ...]) -> np.random.SeedSequence:
    """The SeedSequence of one run, rebuilt from its stored entropy and spawn key.

    ``SeedSequence(root).spawn(R)[r]`` is ``SeedSequence(root, spawn_key=(r,))``, so a
    worker needs nothing but the two stored values.
    """
    if isinstance(spawn_key, str):
        spawn_key = tuple(int(k) for k in spawn_key.split(",") if k.strip())
    return np.random.SeedSequence(int(entropy), spawn_key=tuple(spawn_key))


def run_plan(study: Study, design: Design) -> pd.DataFrame:
    """One row per run: run_id, point, replicate, seed_entropy, spawn_key, factor values.

    ``run_id = point * replicates + replicate``. Seeds: ``root = SeedSequence(study.seed)``;
    with common random numbers (``crn = true``, the default) replicate r of every point
    uses ``root.spawn(replicates)[r]`` (spawn key ``(r,)``), so design points are compared
    on the same random streams; without, point p replicate r uses
    ``root.spawn(n_points)[p].spawn(replicates)[r]`` (spawn key ``(p, r)``).
    """
    n_points, reps = design.n_points, study.replicates
    point = np.repeat(np.arange(n_points, dtype=np.int64), reps)
    replicate = np.tile(np.arange(reps, dtype=np.int64), n_points)
    if study.crn:
        keys = [str(r) for r in range(reps)] * n_points
    else:
        keys = [f"{p},{r}" for p in range(n_points) for r in range(reps)]
    plan = pd.DataFrame({
        "run_id": point * reps + replicate,
        "point": point,
        "replicate": replicate,
        "seed_entropy": pd.Series([str(study.seed)] * len(point), dtype=str),
        "spawn_key": pd.Series(keys, dtype=str),
    })
    values = design.table[design.factors].iloc[point].reset_index(drop=True)
    return pd.concat([plan, values], axis=1)


def auto_chunk_size(n_runs: int, workers: int) -> int:
    """Runs per chunk: ``max(1, min(64, ceil(n_runs / (8 * workers))))``.

    Eight chunks per worker keep workers busy to the end, and at most 64 runs of the
    consortium model (~0.02-0.06 s each) keep a chunk to a few seconds of work, so the
    progress bar moves and an interrupted sweep loses little. Writing a chunk costs about
    10 ms; for a much faster model set the study's ``chunk_size`` higher.
    """
    return max(1, min(CHUNK_MAX, math.ceil(max(n_runs, 0) / (8 * max(workers, 1)))))
