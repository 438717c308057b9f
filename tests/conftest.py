"""Shared helpers of the test suite, and the contract every rule family of ``agents/`` meets.

pytest runs in its default "prepend" import mode and ``tests/`` has no ``__init__.py``, so
``tests/`` is on ``sys.path``: the modules in ``tests/agents/`` and ``tests/sim/`` import
what they share from here (``from conftest import ...``), as they import ``reference``.

The contract
------------
Each rule family's test module has a class that inherits :class:`FamilyContract` (or
:class:`DrawingFamilyContract` when its passes read draws) and says how to run the
family's passes on a world (:meth:`~FamilyContract.apply`), what range its state must stay
in (:meth:`~FamilyContract.check_bounds`) and what else must hold after the passes
(:meth:`~FamilyContract.check_invariants`). The inherited tests then check, for that
family:

- *bounds*: the state stays in range after the passes, under the default parameters, every
  parameter of the family's schema sections at its low bound, every one at its high bound,
  and random mixes within the schema ranges (:func:`parameter_extremes`);
- *determinism*: the same state and the same draws give the same state, bit for bit, and
  the passes draw nothing from any generator but the draws they are handed;
- *the family's invariants*, and that the passes do change the state (so the checks above
  are not vacuous).

Worlds are small models stepped a few months whose state is then scrambled within range
(:func:`random_world`), so the passes run on the very sets, arrays and dtypes the model
uses. Tests of single rules build small states by hand with :func:`pair_state` and
:func:`org_state`, whose layout a test checks against the model's own sets.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

# ``tests/agents`` and ``tests/sim`` mirror the packages ``agents`` and ``sim``. With
# ``tests/`` on sys.path and the project root not (``pytest`` run as a script rather than
# ``python -m pytest``), those folders would shadow the packages as namespace packages;
# the root on sys.path lets the real packages win.
ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))

# The toy models of tests/sweep_models.py are code the tests trust, as a user allows a
# model with --allow-model (experiments.study.REGISTERED_MODELS); spawned workers inherit it.
# The calibration's pattern statistics, which `consortium sweep` trusts, are allowed the same
# way for the tests that call experiments.sweep directly (so no test depends on a CLI test
# having run first).
os.environ.setdefault("CONSORTIUM_ALLOW_MODELS",
                      "sweep_models:*,validation.calibration:pattern_statistics")

import copy  # noqa: E402
import random  # noqa: E402, TID251 - the tests check that nothing draws from the stdlib generator
import re  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from types import SimpleNamespace  # noqa: E402
from typing import Any, ClassVar  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from agents import ties as tie_passes  # noqa: E402
from agents.params import Params  # noqa: E402
from agents.partnerships import IDLE_NEVER, NEVER  # noqa: E402
from sim.model import ConsortiumModel  # noqa: E402
from sim.params import SECTIONS, ScenarioParams  # noqa: E402

# ------------------------------------------------------------------ mechanism markers
MECHANISM_ID = re.compile(r"M([1-9]|[12][0-9]|3[0-4])")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every ``mechanism`` marker names ids of the domain brief, M1 to M34, and at least one."""
    for item in items:
        for mark in item.iter_markers("mechanism"):
            bad = [arg for arg in mark.args
                   if not (isinstance(arg, str) and MECHANISM_ID.fullmatch(arg))]
            if bad or not mark.args:
                raise pytest.UsageError(f"{item.nodeid}: mechanism ids must be M1-M34, got "
                                        f"{mark.args!r}")


# ------------------------------------------------------------------ scenarios and parameters
def scenario(base: ScenarioParams | None = None, **sections: dict) -> ScenarioParams:
    """A validated copy of ``base`` (the default scenario) with section fields replaced."""
    values = (base or ScenarioParams()).model_dump()
    for section, updates in sections.items():
        values[section].update(updates)
    return ScenarioParams.model_validate(values)


def merged(*layers: dict[str, dict]) -> dict[str, dict]:
    """Section overrides, later layers winning field by field."""
    out: dict[str, dict] = {}
    for layer in layers:
        for section, updates in layer.items():
            out.setdefault(section, {}).update(updates)
    return out


SMALL_REGION = dict(n_districts=4, n_charters=1, n_colleges=2, n_workforce_boards=1,
                    n_county_offices=1, n_ta_providers=1, n_chambers=1, n_employers=8,
                    prior_tie_density=0.3)
"""A region of 19 organizations (171 pairs) with every kind present and some prior ties."""

WORLD = dict(region=SMALL_REGION, grant=dict(subregional_nodes=2, subregional_switch_month=0))
"""The scenario of random worlds: the small region meeting in two subregional nodes."""


def small_scenario(**sections: dict) -> ScenarioParams:
    """The default scenario in the small region, with section fields replaced."""
    return scenario(**merged(dict(region=SMALL_REGION), sections))


def small_model(seed: int = 0, months: int = 6, **sections: dict) -> ConsortiumModel:
    """A model of the small region stepped ``months`` months."""
    model = ConsortiumModel(small_scenario(**sections), seed)
    for _ in range(months):
        model.step()
    return model


def evidence(t) -> dict[str, np.ndarray]:  # noqa: ANN001 - the partnership state
    """Copies of what the trust rules read on every pair: personal trust and its evidence."""
    return {name: getattr(t, name).copy() for name in ("personal", "positive", "negative")}


def trust_after_reset(model: ConsortiumModel, before: dict[str, np.ndarray],
                      keep: float | np.ndarray) -> np.ndarray:
    """Personal trust after a tie keeps the share ``keep`` (M6, M7), by the model's rule.

    Asymmetric (T1): ``keep*P + (1-keep)*baseline``. Beta reputation (T3): the mean of the
    kept evidence ``keep*r, keep*s``.
    """
    tp = model.params.trust
    if tp.rule == "asymmetric":
        return keep * before["personal"] + (1 - keep) * tp.baseline
    from tests import reference as ref
    keep = np.broadcast_to(keep, before["personal"].shape)
    return np.array([ref.beta_reset(r, s, k, tp)[0] for r, s, k
                     in zip(before["positive"], before["negative"], keep, strict=True)])


def trust_after_let_down(model: ConsortiumModel, before: dict[str, np.ndarray]) -> np.ndarray:
    """Personal trust after a broken pledge or imposed agenda (M26, M29), by the model's rule.

    Asymmetric (T1): it loses ``min(1, loss_ratio*gain_rate)`` of itself. Beta reputation
    (T3): one let-down's evidence, ``beta_negative_weight``, is added.
    """
    tp = model.params.trust
    if tp.rule == "asymmetric":
        return (1.0 - min(1.0, tp.loss_ratio * tp.gain_rate)) * before["personal"]
    from tests import reference as ref
    return np.array([ref.beta_mean(r, s + tp.beta_negative_weight, tp)
                     for r, s in zip(before["positive"], before["negative"], strict=True)])


def schema_bounds(section: str, name: str) -> tuple[float, float] | None:
    """The ``(ge, le)`` range of a parameter in the schema, or None if it has none."""
    lo = hi = None
    for meta in SECTIONS[section].model_fields[name].metadata:
        lo = getattr(meta, "ge", lo)
        hi = getattr(meta, "le", hi)
    return None if lo is None or hi is None else (lo, hi)


def section_values(section: str, pick: str, rng: np.random.Generator) -> dict[str, Any]:
    """Every ranged number and switch of a section at its low or high end, or at random.

    Choices between rules (``trust.rule``, ``commitment.exit_rule``, ...) keep their value:
    the families choose them. A random mix puts a number on a bound with chance 0.3 each.
    """
    values: dict[str, Any] = {}
    for name, spec in SECTIONS[section].model_fields.items():
        if spec.annotation is bool:
            values[name] = (pick == "high") if pick != "random" else bool(rng.random() < 0.5)
            continue
        bounds = schema_bounds(section, name)
        if spec.annotation not in (int, float) or bounds is None:
            continue
        lo, hi = bounds
        draw = rng.random()
        if pick == "low" or (pick == "random" and draw < 0.3):
            x = lo
        elif pick == "high" or (pick == "random" and draw < 0.6):
            x = hi
        else:
            x = rng.integers(lo, hi + 1) if spec.annotation is int else rng.uniform(lo, hi)
        values[name] = spec.annotation(x)
    return _repaired(section, values)


def _repaired(section: str, values: dict[str, Any]) -> dict[str, Any]:
    """Values moved just enough to pass the section's cross-field validators."""
    for lo, hi in (("capacity_min", "capacity_max"), ("pledged_rung_min", "pledged_rung_max"),
                   ("prior_tie_age_min", "prior_tie_age_max")):
        if lo in values and values[lo] > values[hi]:
            values[lo], values[hi] = values[hi], values[lo]
    if section == "grant":
        shares = ("equipment_share", "staff_share", "convening_share", "subgrant_share")
        total = sum(values[name] for name in shares)
        for name in shares:
            values[name] = values[name] / total if total else 0.25
        for kind in ("equipment", "subgrant"):
            split = values[f"{kind}_k12_share"] + values[f"{kind}_college_share"]
            if split > 1.0:
                values[f"{kind}_k12_share"] /= split
                values[f"{kind}_college_share"] /= split
    return values


def parameter_extremes(sections: tuple[str, ...], rng: np.random.Generator, count: int = 8,
                       **fixed: dict) -> list[tuple[str, ScenarioParams]]:
    """Labelled scenarios: the default, then per section all-low, all-high and random mixes.

    Each scenario is the random worlds' scenario (:data:`WORLD`) with one section replaced;
    ``fixed`` section fields (a family's rule choice) are set in every one of them.
    """
    base = merged(WORLD, fixed)
    out = [("default", scenario(**base))]
    for section in sections:
        picks = ["low", "high"] + ["random"] * count
        for number, pick in enumerate(picks):
            values = section_values(section, pick, rng)
            label = f"{section} {pick}" + (f" {number - 1}" if pick == "random" else "")
            out.append((label, scenario(**merged(base, {section: values}, fixed))))
    return out


# ------------------------------------------------------------------ random values and states
def unit(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` values in [0, 1], with exact 0s and 1s mixed in."""
    x = rng.random(n)
    x[rng.random(n) < 0.1] = 0.0
    x[rng.random(n) < 0.1] = 1.0
    return x


def unit_value(rng: np.random.Generator) -> float:
    """One value in [0, 1], now and then exactly 0 or 1."""
    return float(unit(rng, 1)[0])


def in_unit(x: Any) -> bool:
    """All values finite and within [0, 1]."""
    x = np.asarray(x, dtype=float)
    return bool(np.isfinite(x).all() and (x >= 0.0).all() and (x <= 1.0).all())


@dataclass
class World:
    """A model whose sets the passes run on; ``notes`` keeps what a pass returned."""

    model: ConsortiumModel
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def scenario(self) -> ScenarioParams:
        return self.model.params

    @property
    def rules(self) -> Params:
        return self.model.rules

    @property
    def orgs(self) -> Any:
        return self.model.organizations

    @property
    def meeting(self) -> Any:
        return self.model.organizations.meeting

    @property
    def ties(self) -> Any:
        return self.model.partnerships

    @property
    def ladder(self) -> Any:
        return self.model.employers

    @property
    def consortium(self) -> Any:
        return self.model.consortium

    @property
    def funding(self) -> Any:
        return self.model.funding

    @property
    def backbone(self) -> Any:
        return self.model.backbone

    @property
    def intermediaries(self) -> Any:
        return self.model.intermediaries

    def copy(self) -> World:
        return World(copy.deepcopy(self.model), copy.deepcopy(self.notes))


def random_world(rng: np.random.Generator, params: ScenarioParams | None = None) -> World:
    """A small model (:data:`WORLD` unless ``params``) stepped 1-12 months, state scrambled.

    Organizations, ties, the ladder and the consortium's signals get random values within
    their ranges, consistent where the model keeps them consistent (no trust without a tie,
    signals only on interacting ties, habits at or above their floors, the Beta evidence
    behind personal trust); the month's meeting is then convened by the model's own verb,
    and the intermediaries' brokering quality is scrambled last.
    """
    model = ConsortiumModel(params or scenario(**WORLD), int(rng.integers(2**31)))
    for _ in range(int(rng.integers(1, 13))):
        model.step()
    world = World(model)
    randomize_orgs(world, rng)
    randomize_ties(world, rng)
    randomize_ladder(world, rng)
    randomize_consortium(world, rng)
    world.orgs.convene(world.consortium.month, world.consortium.convening, world.rules, rng)
    randomize_intermediaries(world, rng)
    return world


def randomize_orgs(world: World, rng: np.random.Generator) -> None:
    o, ih = world.orgs, world.rules.institutionalization
    n = o.n
    o.taking_part[:] = rng.random(n) < 0.7
    o.ever_part[:] = o.taking_part | (rng.random(n) < 0.3)
    o.commitment[:] = unit(rng, n)
    o.aspiration[:] = rng.uniform(-0.5, 1.0, n)
    o.champion[:] = rng.random(n) < 0.3
    o.passages[:] = rng.integers(0, ih.max_passages + 1, n)
    o.floor[:] = o.passages * ih.passage_floor
    o.habit[:] = np.maximum(unit(rng, n), np.minimum(1.0, o.floor))
    o.contribution[:] = np.where(rng.random(n) < 0.5, rng.random(n) * o.budget, 0.0)
    o.program[:] = unit(rng, n) * o.local


def randomize_ties(world: World, rng: np.random.Generator) -> None:
    t, rules = world.ties, world.rules
    m, rule = t.m, t.rule
    density = float(rng.choice([0.0, 1.0, rng.uniform(0.05, 0.8)], p=[0.05, 0.05, 0.9]))
    tie = rng.random(m) < density
    t.tie[:] = tie
    t.personal[:] = np.where(tie, unit(rng, m), 0.0)
    t.institutional[:] = np.where(tie, unit(rng, m), 0.0)
    if world.scenario.trust.rule == "beta_reputation":
        cap = 1.0 / (1.0 - world.scenario.trust.beta_forgetting)
        t.positive[:] = np.where(tie, unit(rng, m) * cap, 0.0)
        t.negative[:] = np.where(tie, unit(rng, m) * cap, 0.0)
        rule.reset(t, np.arange(m, dtype=np.int64), 1.0)  # personal trust: the evidence's mean
    else:
        t.positive[:] = 0.0
        t.negative[:] = 0.0
    t.age[:] = np.where(tie, rng.integers(0, 240, m), 0)
    t.idle[:] = np.where(tie, rng.integers(0, 13, m), IDLE_NEVER)
    t.formed[:] = np.where(tie, rng.integers(-1, 24, m), NEVER)
    t.agreement[:] = tie & t.k12_college & (rng.random(m) < 0.3)
    t.prior_formality[:] = np.where(tie & (rng.random(m) < 0.5), unit(rng, m), 0.0)
    t.base_formality[:] = np.where(t.agreement, rules.trust.articulation_formality,
                                   t.prior_formality)
    t.formality[:] = t.base_formality
    t.interacted[:] = tie & (rng.random(m) < 0.6)
    t.coattend[:] = t.interacted & (rng.random(m) < 0.5)
    t.signal[:] = np.where(t.interacted, rng.integers(-1, 2, m), 0)
    t.hazard[:] = np.where(tie, unit(rng, m), 0.0)
    t.formation_chance[:] = np.where(tie, 0.0, unit(rng, m) * 0.3)
    tie_passes.common_partners(t)
    t.changed = False
    rule.combine(t)
    tie_passes.active(t, rules.trust.active_threshold, float(rules.ties.inactive_window_months))


def randomize_ladder(world: World, rng: np.random.Generator) -> None:
    lad, n = world.ladder, world.orgs.n
    employer = lad.is_employer
    lad.rung[:] = np.where(employer, rng.integers(0, 7, n), 0)
    lad.roi[:] = np.where(employer, unit(rng, n), 0.0)
    lad.burnout[:] = np.where(employer, unit(rng, n), 0.0)


def randomize_intermediaries(world: World, rng: np.random.Generator) -> None:
    """Brokers' quality at random, and some leaders changed since the brokers last looked."""
    it, n = world.intermediaries, world.orgs.n
    brokers = np.zeros(n, dtype=bool)
    brokers[it.brokers] = True
    it.quality[:] = np.where(brokers, unit(rng, n), 0.0)
    it.leader_seen[:] = world.orgs.leader_id - (rng.random(n) < 0.3)


def randomize_consortium(world: World, rng: np.random.Generator) -> None:
    c, model = world.consortium, world.model
    c.read_schedule(int(rng.integers(0, model.months)))
    c.state_share = float(rng.choice([0.0, 1.0, rng.random()]))
    c.in_grant = bool(rng.random() < 0.6)
    for name in ("activity", "now", "vision", "data", "backbone_share", "effort", "coaching",
                 "convening", "coordination", "attendance", "habits", "narrative"):
        setattr(c, name, unit_value(rng))
    c.ta_active = bool(rng.random() < 0.5)
    c.ta = unit_value(rng) * c.ta_active
    c.local_money = c.state_share * world.rules.grant.money
    c.wins, c.process = unit_value(rng) * c.now, unit_value(rng) * (1.0 - c.now)


# ------------------------------------------------------------------ hand-built states
PAIR_FIELDS: dict[str, type] = {
    "i": np.int64, "j": np.int64, "tie": bool, "cross": bool, "lead_edge": bool,
    "k12_college": bool, "competitive": bool, "agreement": bool, "coattend": bool,
    "interacted": bool, "active": bool, "signal": np.int8, "personal": float,
    "institutional": float, "positive": float, "negative": float, "trust": float,
    "age": float, "idle": float, "formality": float, "base_formality": float,
    "prior_formality": float, "letdown_base": float, "complementarity": float,
    "near": float, "openness": float, "common": float, "hazard": float,
    "formation_chance": float, "formed": np.int64, "candidates": np.int64,
}
"""Per-pair arrays of ``Partnerships`` that the passes read or write, with their dtypes."""

ORG_FIELDS: dict[str, type] = {
    "sector": np.int8, "taking_part": bool, "ever_part": bool, "signatory": bool,
    "champion": bool, "not_employer": bool, "money_motivated": bool, "commitment": float,
    "aspiration": float, "threshold": float, "habit": float, "floor": float,
    "passages": np.int64, "capacity": float, "effective_capacity": float, "relevance": float,
    "base_cost": float, "money_weight": float, "wins_benefit": float, "program": float,
    "contribution": float, "local": float, "budget": float, "load": float,
    "impatient": bool, "waiting": float, "anchor": bool, "mindset": float, "resister": bool,
    "fit_gap": float,
}
"""Per-organization arrays of ``Organizations`` that the passes read or write."""


def pair_state(n: int | None = None, *, m: int | None = None, **values: Any) -> SimpleNamespace:
    """Every pair of ``n`` organizations (upper triangle), untied and zero unless given.

    Has the arrays of :data:`PAIR_FIELDS` and the two ``n x n`` scratch matrices. With
    ``m`` instead of ``n``: ``m`` pairs whose ends are all 0, for the rules that act on one
    pair at a time and never read its ends (the trust rules).
    """
    if n is not None:
        i, j = np.triu_indices(n, 1)
    else:
        n, i = 1, np.zeros(m, dtype=np.int64)
        j = i
    ns = SimpleNamespace(n=n, m=len(i), common_matrix=np.zeros((n, n)),
                         referral_scratch=np.zeros((n, n)))
    for name, dtype in PAIR_FIELDS.items():
        setattr(ns, name, np.zeros(len(i), dtype=dtype))
    ns.i[:], ns.j[:] = i, j
    for name, value in values.items():
        getattr(ns, name)[:] = value
    return ns


def pair_index(n: int, a: int, b: int) -> int:
    """Index of the pair ``(a, b)`` in the upper-triangle order of :func:`pair_state`."""
    a, b = min(a, b), max(a, b)
    return a * n - a * (a + 1) // 2 + (b - a - 1)


def org_state(n: int, **values: Any) -> SimpleNamespace:
    """``n`` organizations with the arrays of :data:`ORG_FIELDS`, zero unless given."""
    ns = SimpleNamespace(n=n, engaged=np.zeros(4))
    for name, dtype in ORG_FIELDS.items():
        setattr(ns, name, np.zeros(n, dtype=dtype))
    ns.not_employer[:] = True
    for name, value in values.items():
        getattr(ns, name)[:] = value
    return ns


# ------------------------------------------------------------------ comparing states
def _value_key(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return (value.dtype.str, value.shape, value.tobytes())
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (float, np.floating)):
        return float(value).hex()
    if isinstance(value, (int, np.integer)):
        return int(value)
    return None


def state_of(world: World) -> dict[str, Any]:
    """Every array and number of every set, exactly (floats by their bits)."""
    out: dict[str, Any] = {}
    for owner in ("orgs", "meeting", "ties", "ladder", "funding", "backbone", "consortium",
                  "intermediaries"):
        for name, value in vars(getattr(world, owner)).items():
            key = _value_key(value)
            if key is not None:
                out[f"{owner}.{name}"] = key
    return out


def differences(first: dict[str, Any], second: dict[str, Any]) -> list[str]:
    """Names whose values differ between two :func:`state_of` results."""
    return sorted(name for name in first.keys() | second.keys()
                  if first.get(name) != second.get(name))


def generator_states(world: World) -> tuple[Any, ...]:
    """The model's generators and the process-wide ones, to check that nothing drew."""
    legacy = np.random.get_state()  # noqa: NPY002 - checking that nothing uses it
    return (world.model.rng, copy.deepcopy(world.model.rng.bit_generator.state),
            world.model.random.getstate(), random.getstate(), legacy[0],
            legacy[1].tobytes(), legacy[2:])


def assert_nothing_drew(before: tuple[Any, ...], world: World) -> None:
    rng = before[0]
    after = generator_states(world)
    assert rng.bit_generator.state == before[1], "the model's generator was drawn from"
    assert after[2] == before[2], "mesa's random.Random was drawn from"
    assert after[3] == before[3], "the stdlib random module was drawn from"
    assert after[4:] == before[4:], "numpy's global generator was drawn from"


# ------------------------------------------------------------------ the contract
class FamilyContract:
    """The contract of a rule family's passes; a family's test class inherits it.

    Subclasses set ``sections`` (the schema sections whose parameters the passes read) and
    ``fixed`` (section fields every scenario keeps, e.g. the family's rule choice), and
    implement :meth:`apply`, :meth:`check_bounds` and, where the family has any,
    :meth:`check_invariants` and :meth:`draws`.
    """

    sections: ClassVar[tuple[str, ...]] = ()
    fixed: ClassVar[dict[str, dict]] = {}
    worlds: ClassVar[tuple[int, ...]] = (0, 1, 2)
    months: ClassVar[int] = 3  # passes applied in a row in the bounds test

    # --- what a family says -------------------------------------------------------------
    def world(self, rng: np.random.Generator, params: ScenarioParams | None = None) -> World:
        """A random world under ``params`` (the family's default scenario if None)."""
        return random_world(rng, params or scenario(**merged(WORLD, self.fixed)))

    def draws(self, world: World, rng: np.random.Generator) -> Any:
        """The draws one application of the passes reads (None: it reads none)."""
        return None

    def apply(self, world: World, u: Any) -> None:
        """Run the family's passes once on ``world`` with draws ``u``."""
        raise NotImplementedError

    def check_bounds(self, world: World) -> None:
        """Assert that the state the passes write is in range."""
        raise NotImplementedError

    def check_invariants(self, before: World, after: World, u: Any) -> None:
        """Assert the family's invariants between the state before and after the passes."""

    # --- the contract's tests -----------------------------------------------------------
    def test_state_stays_in_bounds_over_parameter_extremes(self) -> None:
        rng = np.random.default_rng(20140701)
        settings = parameter_extremes(self.sections, rng, **self.fixed)
        assert len(settings) == 1 + 10 * len(self.sections)
        for label, params in settings:
            for seed in self.worlds:
                world = self.world(np.random.default_rng(seed), params)
                for month in range(self.months):
                    self.apply(world, self.draws(world, rng))
                    try:
                        self.check_bounds(world)
                    except AssertionError as error:
                        raise AssertionError(f"{label}, world {seed}, pass {month + 1}: "
                                             f"{error}") from error

    def test_same_draws_give_the_same_state_bit_for_bit(self) -> None:
        for seed in self.worlds:
            rng = np.random.default_rng(seed)
            world = self.world(rng)
            twin = world.copy()
            u = self.draws(world, rng)
            kept = copy.deepcopy(u)
            self.apply(world, u)
            self.apply(twin, copy.deepcopy(kept))
            assert not differences(state_of(world), state_of(twin))
            if isinstance(u, np.ndarray | dict):
                assert _value_key_tree(u) == _value_key_tree(kept), "the passes wrote the draws"

    def test_passes_draw_from_no_generator(self) -> None:
        rng = np.random.default_rng(7)
        world = self.world(rng)
        u = self.draws(world, rng)
        before = generator_states(world)
        self.apply(world, u)
        assert_nothing_drew(before, world)

    def test_passes_change_the_state(self) -> None:
        """Within a year of applications (rare events need a few months)."""
        for seed in self.worlds:
            rng = np.random.default_rng(seed)
            world = self.world(rng)
            before = state_of(world)
            for _ in range(12):
                self.apply(world, self.draws(world, rng))
                if differences(before, state_of(world)):
                    break
            assert differences(before, state_of(world))

    def test_family_invariants_hold(self) -> None:
        rng = np.random.default_rng(11)
        settings = parameter_extremes(self.sections, rng, count=1, **self.fixed)
        for label, params in settings:
            for seed in self.worlds:
                world = self.world(np.random.default_rng(seed), params)
                before = world.copy()
                u = self.draws(world, rng)
                self.apply(world, copy.deepcopy(u))
                try:
                    self.check_invariants(before, world, u)
                except AssertionError as error:
                    raise AssertionError(f"{label}, world {seed}: {error}") from error


class DrawingFamilyContract(FamilyContract):
    """The contract of passes that read draws: other draws must give another state."""

    def test_other_draws_give_another_state(self) -> None:
        """Within a year of applications (draws that decide rare events need a few)."""
        for seed in self.worlds:
            rng = np.random.default_rng(seed)
            world = self.world(rng)
            twin = world.copy()
            for _ in range(12):
                self.apply(world, self.draws(world, rng))
                self.apply(twin, self.draws(twin, rng))
                if differences(state_of(world), state_of(twin)):
                    break
            assert differences(state_of(world), state_of(twin))


def _value_key_tree(u: Any) -> Any:
    if isinstance(u, dict):
        return {name: _value_key_tree(value) for name, value in u.items()}
    return _value_key(u)


# --- the toy calibration sweep of tests/sweep_models.py --------------------------------------
TESTS = Path(__file__).resolve().parent

TOY = """\
name = "toy_calibration"
model = "sweep_models:band_toy"
replicates = 2
seed = 3
[design]
kind = "lhs"
samples = 200
[[factors]]
key = "a"
bounds = [0.0, 1.0]
[[factors]]
key = "b"
bounds = [0.0, 1.0]
"""


@pytest.fixture
def tests_dir() -> Path:
    """The tests folder, where ``sweep_models`` lives."""
    return TESTS


@pytest.fixture
def toy_sweep(tmp_path, monkeypatch):
    """A sweep of ``sweep_models:band_toy``: a band on ``level`` accepts exactly its ``a``."""
    from experiments.sweep import sweep

    monkeypatch.syspath_prepend(str(TESTS))
    study = tmp_path / "toy.toml"
    study.write_text(TOY)
    out = tmp_path / "sweep"
    sweep(study, out, executor="sequential")
    return out
