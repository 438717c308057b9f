"""Property-based fuzzing of what users type (issue: reliability): scenario files, study
files, ``--set`` values, cohort files and design files either load or raise the loader's own
error, which the command line prints (one line per problem) with exit code 2, never a
traceback. Cohort and design files are mutations of the shipped ones: wrong types,
out-of-range and huge numbers, unknown and missing keys, bad names, deep nesting and bytes
that are not UTF-8.

``make test`` runs a bounded number of examples; ``make fuzz`` runs many more
(``FUZZ_EXAMPLES``). Hypothesis's database is kept out of the tree.
"""

from __future__ import annotations

import copy
import json
import os
import tomllib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.database import InMemoryExampleDatabase
from typer.testing import CliRunner

from cli.main import app
from experiments.study import StudyError, load_study
from sim.cohorts import CohortError, load_cohort, shipped_cohorts
from sim.designs import shipped_designs
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


# --- cohort and design files: mutations of the shipped ones ---------------------------------
Path_ = tuple[str | int, ...]
hostile = st.one_of(
    scalars, values,
    st.sampled_from([-1, 0, 1, 2, 10**9, -(10**9), 2**63, -(2**63), 10**30, 1e308, -1e308,
                     5e-324, 0.5, -0.5, "", ".", "..", "../x", "a/b", "x" * 300, "\x00",
                     [], {}, [[]], [{}], {"": 1}])).map(copy.deepcopy)
# deepcopy: the literal lists and dicts above are shared between examples; a mutation that
# writes into one must not change (or nest into) the next example's copy
bad_names = st.sampled_from(["", ".", "..", "../outside", "a/b", "/abs", "x" * 300, " ",
                             "-dash", "\x00", "名前", "a b", 0, True, ["x"]])


def _paths(node: object, prefix: Path_ = ()) -> list[Path_]:
    """Every key path and list index in a parsed TOML document."""
    items = node.items() if isinstance(node, dict) else enumerate(node) \
        if isinstance(node, list) else ()
    out: list[Path_] = []
    for key, child in items:
        out.append((*prefix, key))
        out += _paths(child, (*prefix, key))
    return out


def _tables(doc: dict) -> list[Path_]:
    """The paths of the tables (dicts) in ``doc``, the document itself first."""
    return [(), *(p for p in _paths(doc) if isinstance(_at(doc, p), dict))]


def _at(doc: object, path: Path_) -> object:
    for part in path:
        doc = doc[part]  # type: ignore[index]
    return doc


def _deep(depth: int) -> str:
    return "[" * depth + "]" * depth


@st.composite
def mutated(draw: st.DrawFn, shipped: dict[str, Path]) -> bytes:
    """A shipped file (drawn from ``shipped``) after one to three hostile mutations, as bytes."""
    name = draw(st.sampled_from(sorted(shipped)))
    doc = tomllib.loads(shipped[name].read_text(encoding="utf-8"))
    deep: dict[str, int] = {}  # placeholder string -> nesting depth written in its place
    for _ in range(draw(st.integers(1, 3))):
        op = draw(st.sampled_from(["set", "set", "tweak", "tweak", "delete", "add", "name",
                                   "deep"]))
        paths = _paths(doc)
        numbers = [p for p in paths if isinstance(_at(doc, p), int | float)
                   and not isinstance(_at(doc, p), bool)]
        if op == "tweak" and numbers:  # a shipped number nudged, scaled or retyped
            path = draw(st.sampled_from(numbers))
            v = _at(doc, path)
            _at(doc, path[:-1])[path[-1]] = draw(st.sampled_from(  # type: ignore[index]
                [v + 1, v - 1, -v, v * 10, v * 1000, v * 10**6, float(v), str(v),
                 int(v) if float(v).is_integer() else v + 0.5]))
            event(f"tweak {path[0]}")
            continue
        if op in ("set", "delete", "deep") and paths:
            path = draw(st.sampled_from(paths))
            parent = _at(doc, path[:-1])
            if op == "delete":
                del parent[path[-1]]  # type: ignore[attr-defined]
            elif op == "set":
                parent[path[-1]] = draw(hostile)  # type: ignore[index]
            else:
                mark = f"deep-{len(deep)}"
                deep[mark] = draw(st.integers(1, 5000))
                parent[path[-1]] = mark  # type: ignore[index]
            event(f"{op} {path[0]}")
        elif op == "add":
            table = draw(st.sampled_from(_tables(doc)))
            key = draw(st.one_of(st.text(min_size=1, max_size=12),
                                 st.sampled_from([k.split(".")[-1] for k in KEYS])))
            _at(doc, table)[key] = draw(hostile)  # type: ignore[index]
            event("add")
        elif op == "name":
            tiers = doc.get("tiers")
            where = draw(st.sampled_from(["top", "tier"])) if isinstance(tiers, list) and \
                tiers and isinstance(tiers[0], dict) else "top"
            (tiers[0] if where == "tier" else doc)["name"] = draw(bad_names)
            event(f"name {where}")
    text = "".join(f"{json.dumps(k)} = {toml_value(v)}\n" for k, v in doc.items())
    for mark, depth in deep.items():  # deep nesting, written where a value was
        text = text.replace(json.dumps(mark), _deep(depth))
    raw = text.encode("utf-8", errors="surrogatepass")
    if draw(st.integers(0, 9)) == 0:  # a byte that is not UTF-8, anywhere
        at = draw(st.integers(0, len(raw)))
        raw = raw[:at] + draw(st.sampled_from([b"\xff", b"\xe9", b"\xc3", b"\x80"])) + raw[at:]
        event("not utf-8")
    return raw


def _exits_0_or_2(args: list[str]) -> int:
    res = CliRunner().invoke(app, args)
    assert res.exit_code in (0, 2), (res.exit_code, res.output, res.exception)
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    assert "Traceback" not in res.output
    if res.exit_code == 2:
        assert res.output.startswith("error: "), res.output
    return res.exit_code


@FUZZ
@given(raw=mutated(shipped_cohorts()))
def test_a_mutated_cohort_file_is_shown_or_exits_2(tmp_path_factory, raw: bytes) -> None:
    folder = tmp_path_factory.mktemp("fuzz") / "cohorts"
    folder.mkdir()
    path = folder / "c.toml"
    path.write_bytes(raw)
    code = _exits_0_or_2(["cohorts", "show", str(path)])
    event(f"exit {code}")
    if code == 0:  # what `consortium run COHORT` checks before it runs
        try:
            load_cohort(path).members(np.random.default_rng(0))
        except CohortError as exc:  # a drawn consortium's value names the draw
            assert "(drawn for consortium " in exc.problem, exc
            event("draw refused")


@FUZZ
@given(raw=mutated(shipped_designs()))
def test_a_mutated_design_file_is_shown_or_exits_2(tmp_path_factory, raw: bytes) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "d.toml"
    path.write_bytes(raw)
    event(f"exit {_exits_0_or_2(['designs', 'show', str(path)])}")
