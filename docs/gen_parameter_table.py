"""Write the parameter table of docs/ODD.md from ``sim.params.parameter_table()``.

The table sits between the marker lines ``<!-- parameters:start -->`` and
``<!-- parameters:end -->`` and is rewritten in place, so the documented defaults, units,
ranges and sources always follow the code. Run from the repository root::

    python docs/gen_parameter_table.py            # rewrite the block in docs/ODD.md
    python docs/gen_parameter_table.py --check    # exit 1 if the block is out of date
"""

from __future__ import annotations

import argparse
import sys
import typing
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sim.params import SECTIONS, parameter_table  # noqa: E402

ODD_PATH = ROOT / "docs" / "ODD.md"
START = "<!-- parameters:start -->"
END = "<!-- parameters:end -->"
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
            _cell(row["source"]),
            _cell(row["ref"]),
            _cell(row["description"]),
        )
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)


def render_block() -> str:
    """Return the whole generated block, marker lines included."""
    rows = parameter_table()
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["source"]] = counts.get(row["source"], 0) + 1
    summary = ", ".join(f"{counts.get(s, 0)} `{s}`" for s in ("seed", "literature", "assumption"))
    return "\n".join((
        START,
        "",
        f"{len(rows)} parameters ({summary}).",
        "",
        render_table(rows),
        "",
        END,
    ))


def split_document(text: str) -> tuple[str, str, str]:
    """Split ``text`` into (before, block, after) around the marker lines.

    Raises:
        ValueError: if the markers are missing, repeated or out of order.
    """
    if text.count(START) != 1 or text.count(END) != 1:
        raise ValueError(f"expected exactly one '{START}' and one '{END}' line")
    head, rest = text.split(START, 1)
    block, tail = rest.split(END, 1)
    if START in tail or END in head:
        raise ValueError("parameter markers are out of order")
    return head, START + block + END, tail


def update(path: Path = ODD_PATH) -> bool:
    """Rewrite the parameter block of ``path``; return True if the file changed."""
    text = path.read_text(encoding="utf-8")
    head, block, tail = split_document(text)
    new = render_block()
    if block == new:
        return False
    path.write_text(head + new + tail, encoding="utf-8")
    return True


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: update the table, or check it with ``--check``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 if the table is out of date")
    parser.add_argument("--path", type=Path, default=ODD_PATH, help="ODD file to update")
    args = parser.parse_args(argv)
    if args.check:
        _, block, _ = split_document(args.path.read_text(encoding="utf-8"))
        if block != render_block():
            print(f"{args.path}: parameter table is out of date; "
                  "run python docs/gen_parameter_table.py")
            return 1
        print(f"{args.path}: parameter table is up to date")
        return 0
    changed = update(args.path)
    print(f"{args.path}: parameter table {'updated' if changed else 'already up to date'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
