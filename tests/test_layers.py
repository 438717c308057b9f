"""Imports point one way: agents -> sim -> experiments -> validation -> viz -> app -> cli.

Every module of each package is parsed with ``ast``: imports at module level and inside
functions and classes count, ``if TYPE_CHECKING:`` blocks do not (they hold annotations,
never run). Cython sources are scanned line by line for ``import`` and ``cimport``. A
string constant that is a dotted module path (``"validation.statistics:STATISTICS"``)
counts as naming that package, so a registry cannot point upwards either.

Rules, bottom to top: ``agents`` imports none of the others; ``sim`` only ``agents``;
``experiments`` only ``agents`` and ``sim``; ``validation`` nothing from ``viz`` or
``cli`` (its figures are drawn with matplotlib directly); ``viz`` draws the model's
outputs and imports neither the engine nor the validation; ``app`` (the workshop
dashboard) imports neither the validation nor the command line; ``cli`` may import anything.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ("agents", "sim", "experiments", "validation", "viz", "app", "cli")
FORBIDDEN: dict[str, frozenset[str]] = {
    "agents": frozenset({"sim", "experiments", "validation", "viz", "app", "cli"}),
    "sim": frozenset({"experiments", "validation", "viz", "app", "cli"}),
    "experiments": frozenset({"validation", "viz", "app", "cli"}),
    "validation": frozenset({"viz", "app", "cli"}),
    "viz": frozenset({"experiments", "validation", "app", "cli"}),
    "app": frozenset({"validation", "cli"}),
    "cli": frozenset(),
}
MODULE_PATH = re.compile(rf"({'|'.join(LAYERS)})(\.\w+)*(:\w+)?")
CYTHON_IMPORT = re.compile(r"^\s*(?:from\s+([\w.]+)\s+c?import|c?import\s+([\w.]+))")


def _is_type_checking(test: ast.expr) -> bool:
    return ((isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
            or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"))


def _package_of(module: str, level: int, path: Path) -> str:
    """Top-level package of an import, relative imports resolved against ``path``."""
    if level:
        parts = path.relative_to(ROOT).parent.parts
        base = parts[:len(parts) - level + 1]
        module = ".".join([*base, module] if module else base)
    return module.split(".")[0]


def python_references(path: Path, source: str | None = None) -> list[tuple[int, str, str]]:
    """(line, top-level package, what) for each import and module-path string of a module.

    ``source`` stands in for the file's text (the module's place still resolves relative
    imports).
    """
    found: list[tuple[int, str, str]] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.extend((node.lineno, a.name.split(".")[0], f"import {a.name}")
                         for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            found.append((node.lineno, _package_of(node.module or "", node.level, path),
                          f"from {'.' * node.level}{node.module or ''} import ..."))
        elif (isinstance(node, ast.Constant) and isinstance(node.value, str)
              and ("." in node.value or ":" in node.value)
              and MODULE_PATH.fullmatch(node.value)):
            found.append((node.lineno, node.value.split(".")[0].split(":")[0],
                          f"names {node.value!r}"))
        for child in ast.iter_child_nodes(node):
            visit(child)

    text = path.read_text(encoding="utf-8") if source is None else source
    visit(ast.parse(text, filename=str(path)))
    return found


def cython_references(path: Path) -> list[tuple[int, str, str]]:
    """(line, top-level package, statement) for each import or cimport of a Cython file."""
    found = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        m = CYTHON_IMPORT.match(line)
        if m:
            found.append((lineno, (m[1] or m[2]).split(".")[0], line.strip()))
    return found


def violations(layer: str) -> list[str]:
    """Every import or module path in ``layer`` that reaches a package above it."""
    out = []
    for path in sorted((ROOT / layer).rglob("*")):
        if path.suffix == ".py":
            refs = python_references(path)
        elif path.suffix in (".pyx", ".pxd"):
            refs = cython_references(path)
        else:
            continue
        out += [f"{path.relative_to(ROOT)}:{line}: {what}" for line, package, what in refs
                if package in FORBIDDEN[layer]]
    return out


def test_every_package_has_a_layer():
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")}
    assert packages == set(LAYERS)


@pytest.mark.parametrize("layer", list(LAYERS))
def test_layer_imports_nothing_above_it(layer):
    found = violations(layer)
    assert not found, f"{layer} reaches a higher layer:\n" + "\n".join(found)


def test_the_check_sees_imports_in_functions_and_skips_type_checking():
    source = ('"""Doc naming validation.suite in prose."""\n'
              "from typing import TYPE_CHECKING\n"
              "if TYPE_CHECKING:\n    from cli.main import app\n"
              "def f():\n    import viz.figures\n    return 'validation.runs:run_statistics'\n"
              "from . import scenario\n")
    found = python_references(ROOT / "sim" / "probe.py", source)
    packages = [package for _, package, _ in found]
    assert "cli" not in packages                  # under TYPE_CHECKING only
    assert "viz" in packages                      # imported inside a function
    assert packages.count("validation") == 1      # the string path; the prose is not one
    assert "sim" in packages                      # the relative import resolves to sim
