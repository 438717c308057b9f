"""Study files: which factors to vary, how to sample them, how many replicates (TOML).

A study names a base scenario, the factors (dotted scenario keys with ``levels``, or
``bounds`` and a ``distribution``), a design (full factorial, extended OFAT, Latin
hypercube, Sobol/Saltelli, Morris, or given ``points``: one row per design point of a CSV or
Parquet file whose columns are the factors), replicates, a root seed, the outcomes and time
series to keep, and the model as ``module:function``: the consortium model
``sim.run:simulate`` by default (or a function declared with :func:`consortium_model`), or
any importable ``f(params: dict, rng: numpy.random.Generator) -> dict``, so reference
functions with known answers run through the same machinery. Files are validated like
scenario files (pydantic, ``extra="forbid"``, strict TOML types); the problems found become
one :class:`StudyError` listing each: the study file, the key path (``factors[2].bounds``)
and what is wrong. For the consortium model each factor is checked against the base
scenario at load time, so a sweep never starts with a key or value the model would reject.
A ``[set]`` table fixes scenario keys for every run (``[set]`` then
``outcomes.horizon_years = 13``), like ``--set`` on the command line.
"""

from __future__ import annotations

import difflib
import fnmatch
import importlib
import inspect
import math
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal, TypeVar

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, FiniteFloat, PrivateAttr, ValidationError

from sim.params import SAFE_NAME, SECTIONS, ScenarioParams, Source, parameter_table
from sim.scenario import (
    InputError,
    Problem,
    ScenarioError,
    error_message,
    exists,
    load_scenario,
    read_toml,
    shipped_scenarios,
    with_values,
)

DEFAULT_MODEL = "sim.run:simulate"
LOG_MEAN_MAX = 50.0
"""Largest |mean| of a lognormal factor's logarithm: exp(50) is 5e21."""

# Model functions that run the consortium model: their factors are keys of a base scenario
# and the study supplies ``scenario``, ``outcomes``, ``series`` and ``settings``. Each maps to
# where its output names are listed ("module:attribute") and whether it returns time series.
# Only the default is listed here; any other declares itself with ``consortium_model``, so
# the engine never names the packages built on top of it.
CONSORTIUM_MODELS: dict[str, tuple[str, bool]] = {
    DEFAULT_MODEL: ("sim.outcomes:OUTCOMES", True),
}
_DECLARED = "consortium_outputs"  # the attribute consortium_model() sets on a function
_F = TypeVar("_F", bound=Callable[..., Any])
DEFAULT_BASE = "ccpt_baseline"
STUDY_DIR = Path(__file__).resolve().parent / "studies"

SAMPLED_KINDS = ("lhs", "sobol", "morris")
# Study-file distribution names -> SALib's (SALib.util.scale_samples conventions: unif
# [lo, hi]; triang [lo, hi, peak as a fraction of the width]; norm [mean, sd]; lognorm
# [ln-space mean, ln-space sd]).
SALIB_DISTS = {"uniform": "unif", "triangular": "triang", "normal": "norm",
               "lognormal": "lognorm"}
# Keyword arguments of the consortium model that the study itself supplies.
RESERVED_OPTIONS = ("scenario", "outcomes", "series", "settings")

# Never put into a factor_set: keys tied to others by a cross-field check (the spending
# shares must sum to 1, each money split must not exceed 1, the bounds of a drawn range and
# the outcome thresholds must stay ordered, the lead needs an organization of its type;
# sim.scenario._CROSS_FIELD_KEYS and the validators of sim.params), and the region
# head-counts, which change who is in the model rather than how it behaves. ``outcomes.*``
# (classification thresholds and the horizon) are excluded too, and ``costs.*``, which the
# model never reads (they price a design after the run, sim/costs.py).
FACTOR_SET_EXCLUDED = (
    "grant.equipment_share", "grant.staff_share", "grant.convening_share",
    "grant.subgrant_share", "grant.equipment_k12_share", "grant.equipment_college_share",
    "grant.subgrant_k12_share", "grant.subgrant_college_share", "region.prior_tie_age_min",
    "region.prior_tie_age_max", "commitment.capacity_min", "commitment.capacity_max",
    "employers.pledged_rung_min", "employers.pledged_rung_max", "region.lead",
    "region.n_districts", "region.n_colleges", "region.n_county_offices",
    "region.n_workforce_boards", "region.n_chambers",
    "region.n_charters", "region.n_employers", "region.n_ta_providers", "outcomes.*",
    "costs.*",
)


class StudyError(InputError):
    """A bad study: which file, which key, what is wrong (all problems in ``problems``)."""


class _Table(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Factor(_Table):
    """One varied input: ``levels`` (full factorial, OFAT) or ``bounds`` (LHS, Sobol, Morris).

    OFAT takes either; with bounds it spaces ``design.points`` values evenly across them.
    ``bounds`` follow SALib's problem conventions for the distribution: uniform and
    triangular ``[lo, hi]`` (triangular may add a third value, the peak as a fraction of
    the width, default 0.5), normal ``[mean, sd]``, lognormal ``[mean, sd]`` of the
    logarithm (|mean| at most 50). ``integer = true`` rounds sampled values to whole
    numbers (``numpy.rint``) and needs whole-number uniform or triangular bounds.
    """

    key: str = Field(min_length=1)
    levels: list[bool | int | FiniteFloat | str] | None = Field(None, min_length=1)
    bounds: list[FiniteFloat] | None = Field(None, min_length=2, max_length=3)
    distribution: Literal["uniform", "normal", "triangular", "lognormal"] = "uniform"
    integer: bool = False


class DesignSpec(_Table):
    """The sampling design; each option applies to the kinds named beside it."""

    kind: Literal["full_factorial", "ofat", "lhs", "sobol", "morris", "points"]
    samples: int | None = Field(None, ge=1)  # lhs: points; sobol: base N; morris: trajectories
    file: str | None = Field(None, min_length=1)  # points: CSV or Parquet, one row per point
    second_order: bool = False               # sobol
    levels: int = Field(4, ge=2)             # morris grid levels (even)
    scramble: bool = True                    # lhs, sobol
    points: int = Field(9, ge=2)             # ofat: values per factor given by bounds


_OPTION_KINDS = {"samples": SAMPLED_KINDS, "second_order": ("sobol",), "levels": ("morris",),
                 "scramble": ("lhs", "sobol"), "points": ("ofat",), "file": ("points",)}


class FactorSet(_Table):
    """Add every numeric parameter whose source label is in ``sources`` as a factor.

    The declared constants (ODD §10.3) join only with ``constants = true``.
    """

    sources: list[Source] = Field(min_length=1)
    spread: float = Field(0.5, gt=0, le=1)
    exclude: list[str] = []
    constants: bool = False


class Study(_Table):
    """A validated study; ``factors`` is the resolved list (explicit, then ``factor_set``)."""

    name: str = ""
    description: str = ""
    base: str | None = None
    model: str = DEFAULT_MODEL
    model_options: dict[str, Any] = {}
    settings: dict[str, Any] = Field({}, alias="set")
    replicates: int = Field(ge=1)
    seed: int = Field(ge=0)
    crn: bool = True
    outcomes: list[str] | None = Field(None, min_length=1)
    timeseries: Literal["none", "summary", "monthly"] = "none"
    chunk_size: int = Field(0, ge=0)
    run_timeout_s: FiniteFloat | None = Field(None, gt=0)  # a longer run becomes a failed row
    design: DesignSpec
    factors: list[Factor] = []
    factor_set: FactorSet | None = None

    _path: Path | None = PrivateAttr(None)
    _base_params: ScenarioParams | None = PrivateAttr(None)
    _base_ref: str | None = PrivateAttr(None)
    _skipped: dict[str, str] = PrivateAttr(default_factory=dict)
    _points: Any = PrivateAttr(None)

    @property
    def path(self) -> Path | None:
        """The study file this study was read from."""
        return self._path

    @property
    def is_consortium(self) -> bool:
        """Whether the model runs the consortium model (factors are scenario keys)."""
        return consortium_outputs(self.model) is not None

    @property
    def base_params(self) -> ScenarioParams | None:
        """The validated base scenario (consortium model only)."""
        return self._base_params

    @property
    def base_ref(self) -> str | None:
        """The base scenario as the model loads it: a shipped name or an absolute path."""
        return self._base_ref

    @property
    def points_table(self) -> Any:
        """The design points of a ``points`` design (a pandas DataFrame), else None."""
        return self._points

    @property
    def factor_keys(self) -> list[str]:
        """Keys of the resolved factors, in design-column order."""
        return [f.key for f in self.factors]

    @property
    def skipped_factors(self) -> dict[str, str]:
        """Parameters the ``factor_set`` matched but could not vary, with the reason."""
        return dict(self._skipped)

    def base_value(self, key: str) -> Any:
        """The base scenario's value at dotted ``key`` (consortium model only)."""
        if self._base_params is None:
            raise ValueError("only the consortium model has a base scenario")
        return _lookup(self._base_params.model_dump(mode="python"), key)

    def model_options_for_run(self) -> dict[str, Any]:
        """Keyword arguments every run passes to the model function.

        For ``sim.run:simulate`` the study supplies ``scenario`` (the base), ``outcomes``
        (a tuple, or None for all), ``series`` (whether time series are kept) and, when
        the file has a ``[set]`` table, ``settings`` (its dotted keys), merged with the
        file's ``[model_options]``.
        """
        options = dict(self.model_options)
        if self.is_consortium:
            options.update(scenario=self._base_ref,
                           outcomes=tuple(self.outcomes) if self.outcomes else None,
                           series=self.timeseries != "none")
            if self.settings:
                options["settings"] = dict(self.settings)
        return options


def consortium_model(outputs: str, series: bool = False) -> Callable[[_F], _F]:
    """Declare that a model function runs the consortium model.

    Studies of the function then take scenario keys as factors, pass it ``scenario``,
    ``outcomes``, ``series`` and ``settings``, and check their outcomes against the names
    at ``outputs`` ("module:attribute", e.g. a mapping of statistics). ``series`` says
    whether it can return time series. The engine reads the declaration after importing the
    model the study names.
    """

    def declare(function: _F) -> _F:
        setattr(function, _DECLARED, (outputs, series))
        return function

    return declare


def consortium_outputs(model: str) -> tuple[str, bool] | None:
    """Where a consortium model lists its output names, and whether it returns time series.

    None if ``model`` ("module:function") does not run the consortium model, or cannot be
    imported: ``load_study`` reports that on its own.
    """
    if model in CONSORTIUM_MODELS:
        return CONSORTIUM_MODELS[model]
    module_name, _, attr = model.partition(":")
    try:
        function = getattr(importlib.import_module(module_name), attr)
    except Exception:  # noqa: BLE001 - an unimportable model is not a consortium model
        return None
    return getattr(function, _DECLARED, None)


def model_outputs(model: str) -> list[str]:
    """The output names a consortium model function can return (its outcome vocabulary)."""
    declared = consortium_outputs(model)
    if declared is None:
        raise KeyError(model)
    module, _, attr = declared[0].partition(":")
    return list(getattr(importlib.import_module(module), attr))


def shipped_studies() -> dict[str, Path]:
    """Study name -> file, read from ``experiments/studies/``."""
    return {p.stem: p for p in sorted(STUDY_DIR.glob("*.toml"))}


# --- reading and describing errors -----------------------------------------------------------
_SCHEMAS: dict[str, type[_Table]] = {"design": DesignSpec, "factors": Factor,
                                     "factor_set": FactorSet}


def _key_path(parts: list[Any]) -> str:
    key = ""
    for part in parts:
        key += f"[{part}]" if isinstance(part, int) else (f".{part}" if key else str(part))
    return key


def _split_loc(err: dict[str, Any], data: Any) -> tuple[list[Any], list[str]]:
    """Split an error's location into the part present in the file and union-member tags."""
    loc, missing = err["loc"], err["type"] == "missing"
    node, kept = data, []
    for i, part in enumerate(loc):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        elif isinstance(node, dict) and missing and i == len(loc) - 1:
            pass  # the missing key itself
        else:
            return kept, [str(p) for p in loc[i:]]
        kept.append(part)
    return kept, []


def _describe(errors: list[dict[str, Any]], data: dict[str, Any]) -> list[tuple[str, str]]:
    """Key path and problem of each key with validation errors, as sim.scenario reports them.

    A union (``levels``) gives one error per member type at one key: they become one problem.
    """
    located = [(e, *_split_loc(e, data)) for e in errors]
    out: dict[str, str] = {}
    for err, kept, tags in located:
        key = _key_path(kept)
        if key in out:
            continue
        if tags:  # say what would have been valid
            same = [(e, t) for e, k, t in located if k == kept]
            specific = [e for e, _ in same if not e["type"].endswith("_type")]
            if specific:
                msg = f"{specific[0]['msg']} (got {specific[0]['input']!r})"
            else:
                members = dict.fromkeys(t[0] for _, t in same if t)
                msg = f"expected {' or '.join(members)} (got {err['input']!r})"
        else:
            msg = error_message(err)
            if err["type"] == "extra_forbidden":
                schema = _SCHEMAS.get(str(kept[0]), Study) if len(kept) > 1 else Study
                close = difflib.get_close_matches(str(kept[-1]), list(schema.model_fields),
                                                  n=1)
                msg += f" (did you mean '{close[0]}'?)" if close else ""
        out[key] = msg
    return list(out.items())


def _lookup(table: dict[str, Any], key: str) -> Any:
    node: Any = table
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            raise KeyError(key)
        node = node[part]
    return node


# --- checks ----------------------------------------------------------------------------------
REGISTERED_MODELS = ("sim.run:simulate", "experiments.reference:*")
"""The models any study may name without asking: the consortium model and the reference
functions of ``experiments.reference``. A study shipped in ``experiments/studies/`` may name
any model (it is the project's own code); the command line adds the calibration's."""
ALLOW_MODELS_ENV = "CONSORTIUM_ALLOW_MODELS"


def allowed_models() -> tuple[str, ...]:
    """Registered models, and those allowed by ``--allow-model``.

    ``--allow-model`` sets ``CONSORTIUM_ALLOW_MODELS``: comma-separated ``module:function``
    patterns.
    """
    extra = [m.strip() for m in os.environ.get(ALLOW_MODELS_ENV, "").split(",") if m.strip()]
    return (*REGISTERED_MODELS, *extra)


def _resolve_model(path: Path, model: str) -> Callable[..., Any]:
    """Import ``module:function`` and return the function, as the worker will.

    A study file that names a model is code: importing the module runs it. Only the
    registered models, the models of the shipped studies and those the user allows
    (``--allow-model``) are imported.
    """
    module_name, sep, attr = model.partition(":")
    if not sep or not module_name.strip() or not attr.strip():
        raise StudyError(path, "model", f"expected 'module:function', e.g. '{DEFAULT_MODEL}' "
                         f"(got {model!r})")
    shipped = path.resolve().parent == STUDY_DIR
    if not shipped and not any(fnmatch.fnmatchcase(model, p) for p in allowed_models()):
        raise StudyError(path, "model", f"'{model}' is not a registered model "
                         f"({', '.join(REGISTERED_MODELS)}). A study file that names a model "
                         "is code: run only studies you trust, and allow this one with "
                         f"--allow-model {model}")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        raise StudyError(path, "model", f"cannot import module '{module_name}': {exc}") from None
    except Exception as exc:  # noqa: BLE001 - any import failure is the study's problem
        raise StudyError(path, "model", f"importing module '{module_name}' failed: "
                         f"{type(exc).__name__}: {exc}") from None
    if not hasattr(module, attr):
        raise StudyError(path, "model", f"module '{module_name}' has no attribute '{attr}'")
    function = getattr(module, attr)
    if not callable(function):
        raise StudyError(path, "model", f"'{model}' is not callable")
    return function


def _check_model_options(path: Path, study: Study, function: Callable[..., Any]) -> None:
    if study.is_consortium:
        for key in study.model_options:
            if key in RESERVED_OPTIONS:
                source = {"scenario": "base", "outcomes": "outcomes",
                          "series": "timeseries", "settings": "[set]"}[key]
                raise StudyError(path, f"model_options.{key}",
                                 f"set by the study from '{source}'; remove it here")
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return  # builtins without a signature: the runs will tell
    params = list(signature.parameters.values())
    if not any(p.kind is p.VAR_KEYWORD for p in params):
        names = [p.name for p in params[2:] if p.kind is p.POSITIONAL_OR_KEYWORD]
        names += [p.name for p in params if p.kind is p.KEYWORD_ONLY]
        for key in study.model_options:
            if key not in names:
                takes = [n for n in names if not (study.is_consortium and n in RESERVED_OPTIONS)]
                raise StudyError(path, f"model_options.{key}", f"not an option of "
                                 f"{study.model} (it takes: {', '.join(takes) or 'none'})")
    try:
        signature.bind(None, None, **study.model_options_for_run())
    except TypeError as exc:
        raise StudyError(path, "model", f"{study.model} must take (params, rng) and the "
                         f"model options: {exc}") from None


def _resolve_base(path: Path, base: str) -> tuple[ScenarioParams, str]:
    """The base scenario (a path relative to the study file, or a shipped name) and its ref.

    The ref is how the model names it: a shipped name travels to remote workers as is;
    anything else goes by absolute path.
    """
    candidate = path.parent / base
    if candidate.is_file():
        ref = str(candidate.resolve())
    elif base.removesuffix(".toml") in shipped_scenarios():
        ref = base.removesuffix(".toml")
    else:
        known = ", ".join(shipped_scenarios())
        raise StudyError(path, "base", f"no scenario file '{candidate}' and no shipped "
                         f"scenario '{base}' (shipped: {known})")
    try:
        return load_scenario(ref), ref
    except ScenarioError as exc:
        raise StudyError.of([Problem(str(path), "base", f"the base scenario is invalid: {p}")
                             for p in exc.problems]) from None


def _listing(items: tuple[str, ...]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _check_design(path: Path, design: DesignSpec) -> None:
    for option, kinds in _OPTION_KINDS.items():
        if option in design.model_fields_set and design.kind not in kinds:
            raise StudyError(path, f"design.{option}",
                             f"applies to {_listing(kinds)}, not {design.kind}")
    if design.kind in SAMPLED_KINDS and design.samples is None:
        what = {"lhs": "points", "sobol": "base sample size N (a power of 2)",
                "morris": "trajectories r"}[design.kind]
        raise StudyError(path, "design.samples", f"required for {design.kind}: the {what}")
    if design.kind == "sobol" and design.samples & (design.samples - 1):
        raise StudyError(path, "design.samples", "Sobol' (Saltelli) sampling needs a power of "
                         f"2 (got {design.samples}; try {1 << design.samples.bit_length()})")
    if design.kind == "points" and design.file is None:
        raise StudyError(path, "design.file", "required for points: a CSV or Parquet file with "
                         "one column per factor and one row per design point")
    if design.kind == "morris" and design.levels % 2:
        raise StudyError(path, "design.levels", "Morris needs an even number of grid levels "
                         f"(Morris 1991; got {design.levels})")


def _check_factor_shape(path: Path, i: int, f: Factor, design: DesignSpec) -> None:
    """Levels or bounds as the design needs them; bounds valid for the distribution."""
    at = f"factors[{i}]"
    kind = design.kind
    if kind == "points":
        return  # built from the file's columns (read_points checked them)
    if kind == "full_factorial":
        if f.levels is None:
            raise StudyError(path, at, f"'{f.key}': full_factorial needs levels = [...] "
                             "(bounds are for ofat, lhs, sobol and morris)")
        if f.bounds is not None:
            raise StudyError(path, f"{at}.bounds", f"'{f.key}': full_factorial takes levels "
                             "only")
    elif kind == "ofat":
        if f.levels is None and f.bounds is None:
            raise StudyError(path, at, f"'{f.key}': ofat needs levels = [...] or "
                             "bounds = [lo, hi]")
        if f.levels is not None and f.bounds is not None:
            raise StudyError(path, at, f"'{f.key}': give levels or bounds, not both")
    else:
        if f.levels is not None:
            raise StudyError(path, f"{at}.levels", f"'{f.key}': {kind} samples from bounds; "
                             "levels are for full_factorial and ofat")
        if f.bounds is None:
            raise StudyError(path, at, f"'{f.key}': {kind} needs bounds = [lo, hi]")
    if f.distribution != "uniform" and kind not in SAMPLED_KINDS:
        raise StudyError(path, f"{at}.distribution", f"'{f.key}': distributions apply to lhs, "
                         f"sobol and morris; {kind} spaces values evenly")
    if f.distribution in ("normal", "lognormal"):
        if kind == "morris":
            raise StudyError(path, f"{at}.distribution", f"'{f.key}': Morris grids include "
                             f"the 0 and 1 quantiles, where a {f.distribution} distribution "
                             "is infinite; use uniform or triangular")
        if kind == "sobol" and not design.scramble:
            raise StudyError(path, f"{at}.distribution", f"'{f.key}': an unscrambled Sobol' "
                             f"sequence starts at the 0 quantile, where a {f.distribution} "
                             "distribution is infinite; keep scramble = true")
    if f.integer and f.levels is not None:
        raise StudyError(path, f"{at}.integer", f"'{f.key}': integer applies to bounds; "
                         "levels keep the types they are written in")
    if f.levels is not None:
        seen: list[Any] = []
        for level in f.levels:
            if any(type(level) is type(s) and level == s for s in seen):
                raise StudyError(path, f"{at}.levels", f"'{f.key}': level {level!r} is given "
                                 "twice")
            seen.append(level)
    if f.bounds is not None:
        b = f.bounds
        if len(b) == 3 and f.distribution != "triangular":
            raise StudyError(path, f"{at}.bounds", f"'{f.key}': a third value (the peak) is "
                             "for triangular distributions only")
        if f.distribution in ("uniform", "triangular") and b[0] >= b[1]:
            raise StudyError(path, f"{at}.bounds", f"'{f.key}': lower bound must be below the "
                             f"upper bound (got {b})")
        if f.distribution == "triangular":
            if len(b) == 3 and not 0 <= b[2] < 1:
                raise StudyError(path, f"{at}.bounds", f"'{f.key}': the peak is a fraction of "
                                 f"the width in [0, 1) (got {b[2]})")
            if b[1] < 0:
                raise StudyError(path, f"{at}.bounds", f"'{f.key}': SALib's triangular "
                                 "distribution needs a non-negative upper bound")
        if f.distribution in ("normal", "lognormal") and b[1] <= 0:
            raise StudyError(path, f"{at}.bounds", f"'{f.key}': a {f.distribution} factor "
                             f"takes [mean, sd] with sd > 0 (got {b})")
        if f.distribution == "lognormal" and abs(b[0]) > LOG_MEAN_MAX:
            raise StudyError(path, f"{at}.bounds", f"'{f.key}': lognormal bounds are [mean, "
                             f"sd] of the logarithm; a mean of {b[0]:g} puts the median at "
                             f"exp({b[0]:g}), beyond any parameter's range (|mean| <= "
                             f"{LOG_MEAN_MAX:g})")
        if f.integer and f.distribution in ("uniform", "triangular") and not all(
                float(v).is_integer() for v in b[:2]):
            raise StudyError(path, f"{at}.integer", f"'{f.key}': integer = true rounds "
                             f"sampled values, so the bounds must be whole numbers (got "
                             f"{b[:2]}); rounding could leave them otherwise")


def extremes(f: Factor) -> list[Any]:
    """Values a factor can take at its ends, typed as runs will see them.

    Levels: every level. Uniform and triangular bounds: both ends. Normal: the mean;
    lognormal: exp(mean) (their tails are checked on the built design).
    """
    if f.levels is not None:
        return list(f.levels)
    assert f.bounds is not None
    if f.distribution == "normal":
        ends = [f.bounds[0]]
    elif f.distribution == "lognormal":
        ends = [math.exp(f.bounds[0])]
    else:
        ends = list(f.bounds[:2])
    return [int(np.rint(v)) if f.integer else float(v) for v in ends]


def check_values(study_path: Path, base: ScenarioParams, key: str, at: str,
                 values: list[Any], what: str) -> None:
    """Raise a StudyError at ``at`` if the base scenario rejects ``key = value`` for any."""
    for value in values:
        try:
            with_values(base, {key: value}, source=study_path)
        except ScenarioError as exc:
            problem = exc.problem
            if (isinstance(value, float) and value.is_integer()
                    and "valid integer" in problem):
                problem += "; set integer = true"
            raise StudyError(study_path, at, f"{what} {value!r} for '{key}' is rejected by "
                             f"the base scenario: {exc.key}: {problem}") from None


def _check_factor_against_base(path: Path, i: int, f: Factor, base: ScenarioParams,
                               base_name: str) -> None:
    at = f"factors[{i}]"
    try:
        current = _lookup(base.model_dump(mode="python"), f.key)
    except KeyError:
        raise StudyError(path, f"{at}.key", f"'{f.key}' is not a parameter of the base "
                         f"scenario '{base_name}' (see `consortium scenarios show "
                         f"{base_name}`)") from None
    if isinstance(current, dict):
        raise StudyError(path, f"{at}.key", f"'{f.key}' is a section; name one of its "
                         "parameters, e.g. "
                         f"'{f.key}.{next(iter(current))}'")
    if f.bounds is not None:
        if isinstance(current, bool | str):
            raise StudyError(path, f"{at}.bounds", f"'{f.key}' is a "
                             f"{'switch' if isinstance(current, bool) else 'category'}; "
                             "vary it with levels in a full_factorial or ofat design")
        if isinstance(current, int) and not f.integer:
            raise StudyError(path, f"{at}.integer", f"'{f.key}' takes whole numbers: set "
                             "integer = true")
        check_values(path, base, f.key, f"{at}.bounds", extremes(f), "bound")
    else:
        check_values(path, base, f.key, f"{at}.levels", extremes(f), "level")


def _check_factor(path: Path, i: int, f: Factor, study: Study, first: dict[str, int],
                  base_params: ScenarioParams | None, base_name: str | None) -> None:
    """Raise the first problem of factor ``i``; ``first`` maps keys seen to their index."""
    if f.key in study.settings:
        raise StudyError(path, f"factors[{i}].key", f"'{f.key}' is also fixed in [set]; "
                         "vary it or fix it, not both")
    if f.key in first:
        raise StudyError(path, f"factors[{i}].key", f"duplicate factor '{f.key}' (also "
                         f"factors[{first[f.key]}])")
    first[f.key] = i
    _check_factor_shape(path, i, f, study.design)
    if base_params is not None:
        try:
            _check_factor_against_base(path, i, f, base_params, base_name or DEFAULT_BASE)
        except StudyError as exc:
            if study.design.kind != "points":
                raise
            raise StudyError(path, "design.file", f"column '{f.key}' of "
                             f"{study.design.file}: {exc.problem}") from None


# --- factor_set ------------------------------------------------------------------------------
def _tidy(x: float) -> float:
    return float(f"{x:.12g}")


def spread_bounds(value: float, low: float | None, high: float | None,
                  spread: float) -> tuple[float, float]:
    """Bounds ``value * (1 -/+ spread)`` clipped to the allowed ``[low, high]``.

    Assumption (documented, not from a source): a parameter at 0 has no scale to spread, so
    it gets ``[low, low + spread * (min(high, 1) - low)]`` (``low`` taken as 0 and ``high``
    as 1 where the schema gives no limit). Negative values keep the order ``lo < hi``.
    """
    lo_lim = -math.inf if low is None else low
    hi_lim = math.inf if high is None else high
    if value == 0:
        start = 0.0 if low is None else low
        top = 1.0 if high is None else min(high, 1.0)
        return _tidy(start), _tidy(start + spread * (top - start))
    a, b = sorted((value * (1 - spread), value * (1 + spread)))
    return _tidy(max(a, lo_lim)), _tidy(min(b, hi_lim))


def _whole_numbers_as_int(table: Any, base: ScenarioParams) -> Any:
    """Columns of whole-number scenario parameters as integers.

    A CSV written from a table that mixed numbers reads ``2`` back as ``2.0``; the scenario
    validator is strict, so a whole-number float for an ``int`` parameter becomes an int
    (a fractional one is left for the validator to refuse by name).
    """
    values = base.model_dump(mode="python")
    for column in table.columns:
        section, _, name = str(column).partition(".")
        field = SECTIONS[section].model_fields.get(name) if section in SECTIONS else None
        col = table[column]
        if (field is not None and field.annotation is int and col.dtype.kind == "f"
                and (col == col.round()).all() and isinstance(values[section][name], int)):
            table[column] = col.astype("int64")
    return table


def read_points(study_path: Path, file: str) -> Any:
    """The design points of a ``points`` design: a CSV or Parquet file next to the study.

    One column per factor (the scenario key, or the model's parameter name) and one row
    per point; a column named ``point`` is ignored (points are numbered in file order).
    Values must be numbers, booleans or strings, with none missing. An optional ``label``
    column (:data:`POINT_LABEL`) names each point in tables and figures: unique and
    file-safe (``sim.params.SAFE_NAME``); it is not a factor.
    """
    import pandas as pd

    where = f"design.file '{file}'"
    source = (study_path.parent / file)
    if not source.is_file():
        raise StudyError(study_path, "design.file", f"no such file: {source}")
    try:
        if source.suffix.lower() in (".parquet", ".pq"):
            table = pd.read_parquet(source)
        else:
            table = pd.read_csv(source)
    except Exception as exc:  # noqa: BLE001 - any read failure is the study's problem
        raise StudyError(study_path, "design.file", f"cannot read {source}: "
                         f"{type(exc).__name__}: {exc}") from None
    table = table.drop(columns=[c for c in table.columns if c == "point"])
    if table.empty or not len(table.columns):
        raise StudyError(study_path, "design.file", f"{where} has no factor columns or no rows")
    for column in table.columns:
        missing = table[column].isna()
        if missing.any():
            raise StudyError(study_path, "design.file", f"{where}: column '{column}' has no "
                             f"value in row {int(missing.to_numpy().argmax()) + 1}")
        if table[column].dtype == object and not all(isinstance(v, str)
                                                     for v in table[column]):
            raise StudyError(study_path, "design.file", f"{where}: column '{column}' mixes "
                             "types")
    if POINT_LABEL in table.columns:
        table[POINT_LABEL] = _point_labels(study_path, where, table[POINT_LABEL])
    return table.reset_index(drop=True)


POINT_LABEL = "label"
"""The optional column of a points design that names each point (not a factor)."""


def _point_labels(study_path: Path, where: str, column: Any) -> Any:
    """The ``label`` column as text, refused unless every label is unique and file-safe."""
    if column.dtype.kind in "iu":  # a CSV reads labels such as 2030 as integers
        column = column.astype(str)
    for row, label in enumerate(column, start=1):
        if not isinstance(label, str):
            raise StudyError(study_path, "design.file", f"{where}: label {label!r} in row "
                             f"{row} is not text; write a name such as 'baseline'")
        if not re.fullmatch(SAFE_NAME, label):
            raise StudyError(study_path, "design.file", f"{where}: label {label!r} in row "
                             f"{row} is not a file-safe name: letters, digits and _ . + -, at "
                             "most 80 characters, not starting with . + or -")
    repeated = column[column.duplicated(keep=False)]
    if len(repeated):
        rows = [i + 1 for i in repeated.index[repeated == repeated.iloc[0]]]
        raise StudyError(study_path, "design.file", f"{where}: label {repeated.iloc[0]!r} "
                         f"names rows {', '.join(map(str, rows))}; each label must be unique")
    return column


def _unique(column: Any) -> list[Any]:
    """The distinct values of a column as Python scalars, in order of appearance."""
    return list(dict.fromkeys(v.item() if hasattr(v, "item") else v for v in column))


def _excluded(key: str, patterns: tuple[str, ...] | list[str]) -> bool:
    return any(fnmatch.fnmatchcase(key, p) for p in patterns)


def factor_set_reason(row: dict[str, Any], fs: FactorSet, values: dict[str, Any],
                      explicit: set[str] | frozenset[str] = frozenset()) -> str | None:
    """Why ``fs`` leaves the parameter of ``row`` (a ``parameter_table`` row) out, or None.

    ``values`` is the base scenario as a nested dict. A None answer means the parameter
    joins, unless :func:`spread_bounds` leaves it no room (see :func:`expand_factor_set`).
    """
    key = row["key"]
    section, name = key.split(".")
    if key in explicit:
        return "an explicit factor of the study"
    if SECTIONS[section].model_fields[name].annotation not in (int, float):
        return "a switch or category, not a number"
    if _excluded(key, FACTOR_SET_EXCLUDED):
        return "excluded by the engine (FACTOR_SET_EXCLUDED)"
    if _excluded(key, fs.exclude):
        return "excluded by the study (factor_set.exclude)"
    if row["when"] is not None:
        rule_key, choice = row["when"]
        rule_section, rule_name = rule_key.split(".")
        if values[rule_section][rule_name] != choice:
            return f"inert: acts only when {rule_key} = {choice!r}"
    if row["source"] not in fs.sources:
        return f"source label {row['source']!r} not in factor_set.sources"
    if row["tier"] == "constant" and not fs.constants:
        return "a declared constant (factor_set.constants = false)"
    return None


def expand_factor_set(fs: FactorSet, base: ScenarioParams, explicit: set[str]
                      ) -> tuple[list[Factor], dict[str, str]]:
    """Factors for every numeric parameter whose ``source`` is in ``fs.sources``.

    Booleans and categories, declared constants unless ``fs.constants``, the keys of
    :data:`FACTOR_SET_EXCLUDED`, keys matching
    ``fs.exclude``, explicit factors and the parameters of a rule the base scenario does not
    choose (``when`` in the parameter table, e.g. ``trust.gain_rate`` unless
    ``trust.rule = "asymmetric"``: they would be inert) are left out
    (:func:`factor_set_reason` says why). Bounds come from :func:`spread_bounds`
    around the base scenario's value (the schema default unless the scenario sets it).
    Whole-number parameters get ``integer = true`` and rounded bounds; if rounding collapses
    them, they widen to the value -/+ 1 within the allowed range, and a parameter that still
    cannot vary is skipped (returned with the reason).
    """
    values = base.model_dump(mode="python")
    factors, skipped = [], {}
    for row in parameter_table():
        key = row["key"]
        if factor_set_reason(row, fs, values, explicit) is not None:
            continue
        section, name = key.split(".")
        kind = SECTIONS[section].model_fields[name].annotation
        value = values[section][name]
        lo, hi = spread_bounds(value, row["low"], row["high"], fs.spread)
        if kind is int:
            lo_i, hi_i = int(np.rint(lo)), int(np.rint(hi))
            if lo_i >= hi_i:
                lo_i = value - 1 if row["low"] is None else max(row["low"], value - 1)
                hi_i = value + 1 if row["high"] is None else min(row["high"], value + 1)
            if lo_i >= hi_i:
                skipped[key] = f"whole-number range [{row['low']}, {row['high']}] has no room"
                continue
            factors.append(Factor(key=key, bounds=[lo_i, hi_i], integer=True))
        elif lo >= hi:
            skipped[key] = f"allowed range [{row['low']}, {row['high']}] has no room"
        else:
            factors.append(Factor(key=key, bounds=[lo, hi]))
    return factors, skipped


def factor_set_left_out(fs: FactorSet, base: ScenarioParams,
                        explicit: set[str] | frozenset[str] = frozenset()) -> dict[str, str]:
    """Every parameter ``fs`` does not vary, with the reason, in parameter-table order."""
    values = base.model_dump(mode="python")
    _, skipped = expand_factor_set(fs, base, set(explicit))
    left: dict[str, str] = {}
    for row in parameter_table():
        reason = factor_set_reason(row, fs, values, explicit) or skipped.get(row["key"])
        if reason is not None:
            left[row["key"]] = reason
    return left


# --- loading ---------------------------------------------------------------------------------
def resolve_study_path(name_or_path: str | Path) -> Path:
    """The path as given if it exists, else the shipped study of that name."""
    p = Path(name_or_path)
    if exists(p):
        return p
    shipped = shipped_studies()
    stem = p.name.removesuffix(".toml")
    return shipped[stem] if stem in shipped and p.parent == Path(".") else p


def _flatten(table: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"grant": {"state_years": 5}}`` -> ``{"grant.state_years": 5}``."""
    flat: dict[str, Any] = {}
    for key, value in table.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def load_study(name_or_path: str | Path) -> Study:
    """Read and validate a study file; raise :class:`StudyError` on any problem."""
    path = resolve_study_path(name_or_path)
    data = read_toml(path, StudyError, "study file")
    try:
        study = Study.model_validate(data, strict=True)
    except ValidationError as exc:
        raise StudyError.of([Problem(str(path), key, msg)
                             for key, msg in _describe(exc.errors(), data)]) from None

    function = _resolve_model(path, study.model)
    base_params, base_ref, base_name = None, None, None
    if study.is_consortium:
        if study.base is not None and not study.base.strip():
            raise StudyError(path, "base", "is empty: name a shipped scenario or a scenario "
                             f"file, or leave base out for {DEFAULT_BASE}")
        base_name = study.base or DEFAULT_BASE
        base_params, base_ref = _resolve_base(path, base_name)
        known = model_outputs(study.model)
        unknown = []
        for i, name in enumerate(study.outcomes or []):
            if name not in known:
                close = difflib.get_close_matches(name, known, n=1)
                hint = f"did you mean '{close[0]}'? " if close else ""
                unknown.append(Problem(str(path), f"outcomes[{i}]", f"unknown outcome "
                                       f"'{name}' ({hint}known: {', '.join(known)})"))
        if unknown:
            raise StudyError.of(unknown)
        if study.timeseries != "none" and not consortium_outputs(study.model)[1]:
            raise StudyError(path, "timeseries", f"{study.model} returns no time series; "
                             "use timeseries = \"none\"")
        settings = _flatten(study.settings)
        try:
            base_params = with_values(base_params, settings, path)
        except ScenarioError as exc:
            raise StudyError.of([Problem(str(path), f"set.{p.key}", p.problem)
                                 for p in exc.problems]) from None
        study = study.model_copy(update={"settings": settings})
    elif study.settings:
        raise StudyError(path, "set", f"sets scenario keys of the consortium model "
                         f"({DEFAULT_MODEL}); pass what your model needs in [model_options]")
    elif study.base is not None:
        raise StudyError(path, "base", f"used only by the consortium model ({DEFAULT_MODEL}); "
                         "pass what your model needs in [model_options]")
    elif study.factor_set is not None:
        raise StudyError(path, "factor_set", "draws on the consortium model's parameter "
                         f"table; it needs model = '{DEFAULT_MODEL}'")
    if study.outcomes:
        for i, name in enumerate(study.outcomes):
            if name in study.outcomes[:i]:
                raise StudyError(path, f"outcomes[{i}]", f"outcome '{name}' is listed twice")

    study = study.model_copy(update={"name": study.name or path.stem,
                                     "base": base_name})
    study._path, study._base_params, study._base_ref = path, base_params, base_ref
    _check_model_options(path, study, function)
    _check_design(path, study.design)

    if study.design.kind == "points":
        if study.factors or study.factor_set is not None:
            raise StudyError(path, "factors", "a points design takes its factors from the "
                             "columns of design.file; remove [[factors]] and [factor_set]")
        table = read_points(path, study.design.file or "")
        if base_params is not None:
            table = _whole_numbers_as_int(table, base_params)
        study = study.model_copy(update={"factors": [   # model_copy keeps private attributes
            Factor(key=key, levels=_unique(table[key]))
            for key in table.columns if key != POINT_LABEL]})
        study._points = table

    first: dict[str, int] = {}
    problems: list[Problem] = []  # each factor's first problem
    for i, f in enumerate(study.factors):
        try:
            _check_factor(path, i, f, study, first, base_params, base_name)
        except StudyError as exc:
            problems += exc.problems
    if problems:
        raise StudyError.of(problems)

    factors = list(study.factors)
    if study.factor_set is not None:
        if study.design.kind == "full_factorial":
            raise StudyError(path, "factor_set", "gives factors bounds; full_factorial needs "
                             "levels (use ofat, lhs, sobol or morris)")
        assert base_params is not None
        added, skipped = expand_factor_set(study.factor_set, base_params, set(first))
        for f in added:
            try:
                check_values(path, base_params, f.key, "factor_set", extremes(f), "bound")
            except StudyError as exc:
                raise StudyError(path, "factor_set", f"{exc.problem}; add '{f.key}' to "
                                 "exclude") from None
        factors += added
        study._skipped = skipped
    if not factors:
        raise StudyError(path, "factors", "no factors: add [[factors]] tables or a "
                         "[factor_set]")
    resolved = study.model_copy(update={"factors": factors})
    _check_size(path, resolved)
    return resolved


MAX_RUNS = 10_000_000
"""Most runs a study may plan (design points x replicates): refused before any is drawn."""
SECONDS_PER_RUN = 0.04
"""About what one run of the baseline takes on one core (``make bench``): for estimates."""


def planned_points(study: Study) -> int:
    """Design points the study's design will have, counted without drawing them.

    Full factorial: the product of the level counts; OFAT: the base point plus each
    factor's values other than its base (``experiments.design.ofat_size``); LHS:
    ``samples``; Sobol': N(k + 2), or N(2k + 2) with second-order indices; Morris: N(k + 1);
    points: the file's rows.
    """
    spec, factors = study.design, study.factors
    k, n = len(factors), int(spec.samples or 0)
    if spec.kind == "full_factorial":
        return math.prod(len(f.levels or []) for f in factors)
    if spec.kind == "ofat":
        from experiments.design import ofat_size  # design builds on this module
        return ofat_size(study)
    if spec.kind == "lhs":
        return n
    if spec.kind == "sobol":
        return n * (2 * k + 2 if spec.second_order else k + 2)
    if spec.kind == "morris":
        return n * (k + 1)
    return len(study._points) if study._points is not None else 0


def _check_size(path: Path, study: Study) -> None:
    """Refuse a study of more than :data:`MAX_RUNS` runs, with what it would take."""
    points = planned_points(study)
    runs = points * study.replicates
    if runs <= MAX_RUNS:
        return
    years = runs * SECONDS_PER_RUN / 2 / (3600 * 24 * 365)
    took = f"about {years:,.0f} years" if years >= 1 else \
        f"about {runs * SECONDS_PER_RUN / 2 / 3600:,.0f} hours"
    raise StudyError(path, "design", f"this study is {runs:.3g} runs ({points:,} design "
                     f"points x {study.replicates:,} replicates), {took} on 2 cores; at most "
                     f"{MAX_RUNS:,} runs: use fewer samples, levels, factors or replicates")
