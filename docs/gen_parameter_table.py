"""Write the parameter tables of docs/ODD.md from ``sim.params.parameter_table()``.

Two blocks are generated: the parameters (ODD §9), between the marker lines
``<!-- parameters:start -->`` and ``<!-- parameters:end -->``, and the declared constants
(ODD §10.3), between ``<!-- constants:start -->`` and ``<!-- constants:end -->``. Both are
rewritten in place, so the documented defaults, units, ranges and sources always follow the
code. Run from the repository root::

    python docs/gen_parameter_table.py            # rewrite the blocks in docs/ODD.md
    python docs/gen_parameter_table.py --check    # exit 1 if a block is out of date
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import typing
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _schema() -> Any:
    """``sim/params.py`` on its own: it needs only pydantic, not the compiled model."""
    spec = importlib.util.spec_from_file_location("_schema", ROOT / "sim" / "params.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # pydantic resolves annotations through the module
    spec.loader.exec_module(module)
    return module


_params = _schema()
SECTIONS, SOURCES, parameter_table = _params.SECTIONS, _params.SOURCES, _params.parameter_table

ODD_PATH = ROOT / "docs" / "ODD.md"
BLOCKS = {"parameters": "parameter", "constants": "constant"}  # block name -> tier it lists
START, END = "<!-- parameters:start -->", "<!-- parameters:end -->"
COLUMNS = ("Key", "Default", "Unit", "Range", "Source", "Reference", "Description")


def _cell(text: Any) -> str:
    """Return ``text`` as one Markdown table cell (pipes escaped, one line)."""
    return " ".join(str(text).split()).replace("|", "\\|")


def _number(x: Any) -> str:
    """Format a default or bound: booleans as TOML, floats without noise."""
    if isinstance(x, bool):
        return "true" if x else "false"
    if isinstance(x, float):
        return f"{x:g}"
    if isinstance(x, str):
        return f'"{x}"'
    return str(x)


def _choices(key: str) -> list[str]:
    """Return the allowed values of a categorical (``Literal``) parameter, else []."""
    section, name = key.split(".", 1)
    field = SECTIONS[section].model_fields[name]
    if typing.get_origin(field.annotation) is typing.Literal:
        return [_number(v) for v in typing.get_args(field.annotation)]
    return []


def _range(row: dict[str, Any]) -> str:
    """Return the allowed range of one parameter as text."""
    low, high = row["low"], row["high"]
    if low is not None or high is not None:
        lo = _number(low) if low is not None else "-inf"
        hi = _number(high) if high is not None else "inf"
        return f"{lo} to {hi}"
    if isinstance(row["default"], bool):
        return "true, false"
    return ", ".join(_choices(row["key"]))


def render_table(rows: list[dict[str, Any]]) -> str:
    """Render parameter rows as Markdown tables, one per parameter section."""
    out: list[str] = []
    current = None
    for row in rows:
        section = row["key"].split(".", 1)[0]
        if section != current:
            current = section
            doc = " ".join((SECTIONS[section].__doc__ or "").split())
            if out:
                out.append("")
            out.append(f"**`[{section}]`**: {doc}")
            out.append("")
            out.append("| " + " | ".join(COLUMNS) + " |")
            out.append("|" + "|".join("---" for _ in COLUMNS) + "|")
        cells = (
            f"`{row['key']}`",
            f"`{_number(row['default'])}`",
            _cell(row["unit"]),
            _cell(_range(row)),
            _cell(row["source"] + (f"; calibrated ({row['calibrated']})"
                                   if row.get("calibrated") else "")),
            _cell(row["ref"]),
            _cell(row["description"]),
        )
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)


def markers(name: str) -> tuple[str, str]:
    """The start and end marker lines of block ``name``."""
    return f"<!-- {name}:start -->", f"<!-- {name}:end -->"


def render_block(name: str = "parameters") -> str:
    """Return the whole generated block ``name``, marker lines included."""
    rows = [r for r in parameter_table() if r["tier"] == BLOCKS[name]]
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["source"]] = counts.get(row["source"], 0) + 1
    summary = ", ".join(f"{counts[s]} `{s}`" for s in SOURCES if counts.get(s))
    noun = "parameters" if name == "parameters" else "declared constants"
    start, end = markers(name)
    return "\n".join((
        start,
        "",
        f"{len(rows)} {noun} ({summary}).",
        "",
        render_table(rows),
        "",
        end,
    ))


def split_document(text: str, name: str = "parameters") -> tuple[str, str, str]:
    """Split ``text`` into (before, block, after) around the marker lines of block ``name``.

    Raises:
        ValueError: if the markers are missing, repeated or out of order.
    """
    start, end = markers(name)
    if text.count(start) != 1 or text.count(end) != 1:
        raise ValueError(f"expected exactly one '{start}' and one '{end}' line")
    head, rest = text.split(start, 1)
    block, tail = rest.split(end, 1)
    if start in tail or end in head:
        raise ValueError(f"{name} markers are out of order")
    return head, start + block + end, tail


def update(path: Path = ODD_PATH) -> bool:
    """Rewrite every generated block of ``path``; return True if the file changed."""
    text = original = path.read_text(encoding="utf-8")
    for name in BLOCKS:
        head, _, tail = split_document(text, name)
        text = head + render_block(name) + tail
    if text == original:
        return False
    path.write_text(text, encoding="utf-8")
    return True


def stale(path: Path = ODD_PATH) -> list[str]:
    """Names of the blocks of ``path`` that are out of date."""
    text = path.read_text(encoding="utf-8")
    return [name for name in BLOCKS if split_document(text, name)[1] != render_block(name)]


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: update the tables, or check them with ``--check``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 if a table is out of date")
    parser.add_argument("--path", type=Path, default=ODD_PATH, help="ODD file to update")
    args = parser.parse_args(argv)
    if args.check:
        out_of_date = stale(args.path)
        if out_of_date:
            print(f"{args.path}: {' and '.join(out_of_date)} table out of date; "
                  "run python docs/gen_parameter_table.py")
            return 1
        print(f"{args.path}: parameter tables are up to date")
        return 0
    changed = update(args.path)
    print(f"{args.path}: parameter tables {'updated' if changed else 'already up to date'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
