"""The compiled parameter mirror follows the schema: generated, current, value for value."""

from __future__ import annotations

import importlib.util
import typing
from pathlib import Path

import pytest

from agents.params import Params
from sim.params import SECTIONS, ScenarioParams
from sim.scenario import load_scenario, shipped_scenarios

ROOT = Path(__file__).resolve().parent.parent


def _generator():
    spec = importlib.util.spec_from_file_location("gen_params", ROOT / "tools" / "gen_params.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


gen = _generator()


def test_the_committed_mirror_is_what_the_generator_writes() -> None:
    assert (ROOT / "agents" / "params.pxd").read_text() == gen.render_pxd(), (
        "agents/params.pxd is out of date: run make params")
    assert (ROOT / "agents" / "params.pyx").read_text() == gen.render_pyx(), (
        "agents/params.pyx is out of date: run make params")


@pytest.mark.parametrize("name", sorted(shipped_scenarios()))
def test_the_mirror_holds_every_value_of_every_section(name: str) -> None:
    scenario = load_scenario(name)
    mirror = Params(scenario)
    for section, cls in SECTIONS.items():
        ours, theirs = getattr(mirror, section), getattr(scenario, section)
        for field, spec in cls.model_fields.items():
            value = getattr(ours, field)
            assert value == getattr(theirs, field), f"{section}.{field}"
            if spec.annotation is float:
                assert isinstance(value, float), f"{section}.{field}"
            elif typing.get_origin(spec.annotation) is typing.Literal:
                assert isinstance(value, str), f"{section}.{field}"


def test_the_mirror_is_read_only_and_pickles() -> None:
    import pickle

    mirror = Params(ScenarioParams())
    with pytest.raises(AttributeError):
        mirror.trust.gain_rate = 0.5
    copy = pickle.loads(pickle.dumps(mirror))
    assert copy.trust.gain_rate == mirror.trust.gain_rate
    assert copy.region.lead == mirror.region.lead


def test_c_types_follow_the_schema_types() -> None:
    assert gen.c_type(float) == "double" and gen.c_type(int) == "long"
    assert gen.c_type(bool) == "bint" and gen.c_type(typing.Literal["a", "b"]) == "str"
    with pytest.raises(TypeError):
        gen.c_type(list)
