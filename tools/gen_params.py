"""Generate ``agents/params.pxd`` and ``agents/params.pyx`` from the schema in ``sim/params.py``.

The compiled rules read parameters as C values from typed extension classes, one per
schema section, built once per run from the validated scenario. Writing those classes by
hand would copy the schema; this script writes them from it instead. Run from the
repository root (``make params`` does, and the build depends on the output)::

    python tools/gen_params.py            # rewrite agents/params.pxd and agents/params.pyx
    python tools/gen_params.py --check    # exit 1 if either file is out of date
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import typing
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _schema() -> typing.Any:
    """``sim/params.py`` on its own: it needs only pydantic, not the compiled model."""
    spec = importlib.util.spec_from_file_location("_schema", ROOT / "sim" / "params.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # pydantic resolves annotations through the module
    spec.loader.exec_module(module)
    return module


SECTIONS = _schema().SECTIONS

PXD = ROOT / "agents" / "params.pxd"
PYX = ROOT / "agents" / "params.pyx"
HEADER = ("# Generated from sim/params.py by tools/gen_params.py: do not edit; run "
          "`make params`.\n")


def c_type(annotation: object) -> str:
    """The Cython type of a schema field: double, long, bint or str (categories)."""
    if annotation is bool:
        return "bint"
    if annotation is int:
        return "long"
    if annotation is float:
        return "double"
    if typing.get_origin(annotation) is typing.Literal:
        return "str"
    raise TypeError(f"no C type for {annotation!r}")


def _class_name(section: str) -> str:
    return SECTIONS[section].__name__


def render_pxd() -> str:
    """The declarations: one extension class per section and ``Params`` holding them."""
    out = [HEADER, "# The scenario's parameters as typed attributes: C values in the compiled "
           "rules,\n# Python values elsewhere. One class per section of sim/params.py.\n"]
    for cls in SECTIONS.values():
        out.append(f"\ncdef class {cls.__name__}:")
        for name, field in cls.model_fields.items():
            out.append(f"    cdef readonly {c_type(field.annotation)} {name}")
    out.append("\n\ncdef class Params:")
    for section in SECTIONS:
        out.append(f"    cdef readonly {_class_name(section)} {section}")
    return "\n".join(out) + "\n"


def render_pyx() -> str:
    """The constructors: each class copies its section of a validated scenario."""
    out = [HEADER.replace("# ", "# cython: language_level=3\n# ", 1),
           '"""The scenario\'s parameters as typed classes for the compiled rules.\n\n'
           "``Params(scenario)`` copies a validated ``sim.params.ScenarioParams`` once per run;"
           "\nthe rules then read ``params.trust.gain_rate`` as a C double. Each class mirrors "
           "one\nsection of ``sim/params.py`` field by field, in the schema's order.\n\"\"\"\n"]
    for section, cls in SECTIONS.items():
        doc = " ".join((cls.__doc__ or "").split()).split(". ")[0].rstrip(".")
        out.append(f"\ncdef class {cls.__name__}:")
        out.append(f'    """``[{section}]``: {doc}."""\n')
        out.append("    def __init__(self, section):")
        for name in cls.model_fields:
            out.append(f"        self.{name} = section.{name}")
        out.append("")
    out.append("\ncdef class Params:")
    out.append('    """Every section of one scenario\'s parameters."""\n')
    out.append("    def __init__(self, scenario):")
    for section in SECTIONS:
        out.append(f"        self.{section} = {_class_name(section)}(scenario.{section})")
    return "\n".join(out) + "\n"


def main() -> int:
    """Rewrite the generated files, or check them with ``--check``."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="exit 1 if a file is out of date")
    args = ap.parse_args()
    stale = []
    for path, text in ((PXD, render_pxd()), (PYX, render_pyx())):
        if path.exists() and path.read_text() == text:
            continue
        stale.append(path)
        if not args.check:
            path.write_text(text)
    if args.check and stale:
        print("out of date: " + ", ".join(str(p.relative_to(ROOT)) for p in stale)
              + " (run make params)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
