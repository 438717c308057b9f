"""Property-based fuzzing of what users type (issue: reliability): scenario files, study
files and ``--set`` values either load or raise the loader's own error, which the command
line turns into one line and exit code 2, never a traceback.

``make test`` runs a bounded number of examples; ``make fuzz`` runs many more
(``FUZZ_EXAMPLES``). Hypothesis's database is kept out of the tree.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.database import InMemoryExampleDatabase
from typer.testing import CliRunner

from cli.main import app
from experiments.study import StudyError, load_study
from sim.scenario import ScenarioError, load_scenario, parameter_keys

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "40"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=InMemoryExampleDatabase(),
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])
KEYS = parameter_keys()

scalars = st.one_of(
    st.booleans(), st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30), st.sampled_from(["", "nan", "inf", "-1e400", "1e400", "0x10"]))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.text(min_size=1, max_size=8), inner, max_size=3),
                      max_leaves=8)
keys = st.one_of(st.sampled_from(KEYS), st.text(min_size=0, max_size=30),
                 st.sampled_from([k.split(".")[-1] for k in KEYS]))


def toml_value(v: object) -> str:
    """A TOML literal for ``v`` (hypothesis values; non-finite floats as TOML spells them)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return "nan" if v != v else ("inf" if v > 0 else "-inf") if v in (float("inf"),
                                                                          float("-inf")) \
            else repr(v)
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    assert isinstance(v, dict)
    return "{" + ", ".join(f"{json.dumps(k)} = {toml_value(x)}" for k, x in v.items()) + "}"


def toml_document(table: dict[str, dict[str, object]], top: dict[str, object]) -> str:
    lines = [f"{json.dumps(k)} = {toml_value(v)}" for k, v in top.items()]
    for section, body in table.items():
        lines.append(f"[{json.dumps(section)}]")
        lines += [f"{json.dumps(k)} = {toml_value(v)}" for k, v in body.items()]
    return "\n".join(lines) + "\n"


sections = st.sampled_from(["region", "grant", "trust", "ties", "leadership", "commitment",
                            "outcomes", "costs", "bogus"])


@FUZZ
@given(key=keys, value=values)
def test_a_set_value_loads_or_is_a_scenario_error(key: str, value: object) -> None:
    try:
        load_scenario("workshop_small", [f"{key}={toml_value(value)}"])
        event("loaded")
    except ScenarioError:
        event("refused")


@FUZZ
@given(text=st.text(max_size=60))
def test_any_set_text_loads_or_is_a_scenario_error(text: str) -> None:
    try:
        load_scenario("workshop_small", [text])
    except ScenarioError:
        pass


@FUZZ
@given(body=st.dictionaries(sections, st.dictionaries(
           st.one_of(st.sampled_from([k.split(".")[-1] for k in KEYS]), st.text(max_size=10)),
           values, max_size=4), max_size=3),
       top=st.dictionaries(st.sampled_from(["name", "description", "extends", "other"]),
                           values, max_size=2))
def test_a_scenario_file_loads_or_is_a_scenario_error(tmp_path_factory, body, top) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "s.toml"
    path.write_text(toml_document(body, top), encoding="utf-8")
    try:
        load_scenario(path)
        event("loaded")
    except ScenarioError:
        event("refused")


@FUZZ
@given(raw=st.binary(max_size=200))
def test_any_bytes_as_a_scenario_file_load_or_are_a_scenario_error(tmp_path_factory,
                                                                  raw: bytes) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "s.toml"
    path.write_bytes(raw)
    try:
        load_scenario(path)
    except ScenarioError:
        pass


design = st.fixed_dictionaries({"kind": st.sampled_from(
    ["full_factorial", "ofat", "lhs", "sobol", "morris", "points", "other"])},
    optional={"samples": st.integers(-5, 2**45), "levels": st.integers(-2, 12),
              "points": st.integers(-2, 12), "second_order": st.booleans(),
              "scramble": st.booleans(), "file": st.text(max_size=8)})
factor = st.fixed_dictionaries({"key": st.one_of(st.sampled_from(KEYS), st.text(max_size=12))},
                               optional={"levels": st.lists(scalars, max_size=4),
                                         "bounds": st.lists(scalars, max_size=3),
                                         "distribution": st.sampled_from(
                                             ["uniform", "normal", "triangular",
                                              "lognormal", "weird"]),
                                         "integer": st.booleans()})


@FUZZ
@given(top=st.fixed_dictionaries({
           "replicates": st.one_of(st.integers(1, 20), st.integers(-3, 10**12)),
           "seed": st.one_of(st.integers(0, 100), st.integers(-3, 2**70))}, optional={
           "base": st.sampled_from(["workshop_small", "", "nowhere", "../x"]),
           "outcomes": st.lists(st.sampled_from(["sustained_2y", "y", ""]), max_size=3),
           "timeseries": st.sampled_from(["none", "summary", "monthly", "x"])}),
       spec=design, factors=st.lists(factor, min_size=1, max_size=3))
def test_a_study_file_loads_or_is_a_study_error(tmp_path_factory, top, spec, factors) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "study.toml"
    lines = [f"{k} = {toml_value(v)}" for k, v in top.items()]
    lines += ["[design]", *(f"{k} = {toml_value(v)}" for k, v in spec.items())]
    for f in factors:
        lines += ["[[factors]]", *(f"{k} = {toml_value(v)}" for k, v in f.items())]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    try:
        load_study(path)
        event("loaded")
    except StudyError as exc:
        event(f"refused at {exc.key.split('[')[0].split('.')[0] or 'file'}")


@pytest.mark.parametrize("text", ["grant.state_years=\x00", "=", "a.=1", "grant.state_years=[",
                                  "region.lead=\"mayor\"", "grant.award_musd=1e400"])
def test_the_command_line_turns_each_into_one_line_and_exit_2(text: str, tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["scenarios", "show", "workshop_small", "--set", text])
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output and res.output.startswith("error:")
