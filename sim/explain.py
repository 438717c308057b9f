"""Explain a mechanism: where it runs, its parameters, its ODD sections and its tests.

``explain("M7")`` gathers, for one mechanism of the domain brief, the rules that implement
it (file and line, from ``agents.mechanisms``), the parameters whose reference cites it
(with their values, units and sources), the ODD sections that describe it and the tests
marked ``@pytest.mark.mechanism("M7")``. ``consortium explain M7`` prints it. It reads the
source checkout: ``docs/ODD.md`` and ``tests/``.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agents.mechanisms import MECHANISMS, NOT_REPRESENTED, ROOT, Location, locate
from sim.params import ScenarioParams, parameter_table

ODD = ROOT / "docs" / "ODD.md"
TESTS = ROOT / "tests"
MECHANISM_ID = re.compile(r"^M([1-9]|[12][0-9]|3[0-4])$")


@dataclass(frozen=True)
class Explanation:
    """Everything the project knows about where one mechanism lives."""

    id: str
    title: str
    represented: bool
    note: str  # what is not represented, or why the mechanism is not
    rules: list[Location] = field(default_factory=list)
    parameters: list[dict[str, Any]] = field(default_factory=list)
    odd: list[tuple[str, str]] = field(default_factory=list)  # (section, heading)
    tests: list[tuple[str, int, str]] = field(default_factory=list)  # (file, line, test)


def normalize(mechanism: str) -> str:
    """``"m7"``, ``"7"`` or ``"M07"`` as ``"M7"``; ValueError if it is not M1-M34."""
    text = mechanism.strip().upper().lstrip("M").lstrip("0") or "0"
    mid = f"M{text}"
    if not MECHANISM_ID.match(mid):
        raise ValueError(f"{mechanism!r} is not a mechanism id: give M1 to M34")
    return mid


def odd_sections() -> dict[str, str]:
    """ODD section number -> heading, for the numbered headings of docs/ODD.md."""
    out = {}
    for line in ODD.read_text().splitlines():
        m = re.match(r"#{2,4} (\d+(?:\.\d+)*)\.? (.+)", line)
        if m:
            out[m.group(1)] = m.group(2).strip()
    return out


def cites(ref: str, mechanism: str) -> bool:
    """Whether a parameter's reference cites ``mechanism`` (``M7`` is not ``M17``)."""
    return re.search(rf"\b{mechanism}\b", ref or "") is not None


def parameters_citing(mechanism: str, params: ScenarioParams | None = None
                      ) -> list[dict[str, Any]]:
    """Parameter rows whose reference cites ``mechanism``, with their values in ``params``."""
    values = (params or ScenarioParams()).model_dump(mode="python")
    rows = []
    for row in parameter_table():
        if cites(row["ref"], mechanism):
            section, name = row["key"].split(".")
            rows.append({**row, "value": values[section][name]})
    return rows


def _marked(decorators: list[ast.expr]) -> set[str]:
    ids: set[str] = set()
    for d in decorators:
        if (isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute)
                and d.func.attr == "mechanism"):
            ids |= {a.value for a in d.args if isinstance(a, ast.Constant)}
    return ids


def marked_tests(root: Path = TESTS) -> dict[str, list[tuple[str, int, str]]]:
    """Mechanism id -> the tests marked with it (file, line, name), read from ``tests/``.

    A mark on a class applies to its tests.
    """
    out: dict[str, list[tuple[str, int, str]]] = {}
    for path in sorted(root.rglob("test_*.py")):
        rel = str(path.relative_to(ROOT))
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                continue
            ids = _marked(node.decorator_list)
            targets = [node] if isinstance(node, ast.FunctionDef) else [
                f for f in node.body if isinstance(f, ast.FunctionDef)
                and f.name.startswith("test")]
            for mid in ids:
                for test in targets:
                    if test.name.startswith("test"):
                        name = test.name if test is node else f"{node.name}.{test.name}"
                        out.setdefault(mid, []).append((rel, test.lineno, name))
    return out


def explain(mechanism: str, params: ScenarioParams | None = None) -> Explanation:
    """Where ``mechanism`` (``"M7"``) lives in the code, the parameters, the ODD and the tests.

    Parameter values are those of ``params`` (the schema defaults if None).
    """
    mid = normalize(mechanism)
    tests = marked_tests().get(mid, [])
    params = parameters_citing(mid, params)
    if mid in NOT_REPRESENTED:
        title, reason = NOT_REPRESENTED[mid]
        return Explanation(mid, title, False, reason, parameters=params, tests=tests)
    m = MECHANISMS[mid]
    headings = odd_sections()
    return Explanation(mid, m.title, True, m.note, rules=[locate(r) for r in m.rules],
                       parameters=params, odd=[(s, headings.get(s, "?")) for s in m.odd],
                       tests=tests)


def all_ids() -> list[str]:
    """Every mechanism id of the brief, M1 to M34, in order."""
    return sorted([*MECHANISMS, *NOT_REPRESENTED], key=lambda m: int(m[1:]))
