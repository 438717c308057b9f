"""Table writers: GitHub Markdown and CSV files of the analysis tables."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

MD_MAX_ROWS = 200


def _cell(x: Any) -> str:
    if x is None or (isinstance(x, float | np.floating) and math.isnan(x)) or x is pd.NA:
        return "n/a"
    if isinstance(x, bool | np.bool_):
        return "yes" if x else "no"
    if isinstance(x, int | np.integer):
        return str(int(x))
    if isinstance(x, float | np.floating):
        return f"{float(x):.4g}"
    return str(x).replace("|", "\\|").replace("\n", " ")


def markdown_table(frame: pd.DataFrame, max_rows: int | None = MD_MAX_ROWS) -> str:
    """Render a DataFrame as a GitHub Markdown table (numbers right-aligned, 4 digits)."""
    shown = frame if max_rows is None else frame.head(max_rows)
    numeric = [pd.api.types.is_numeric_dtype(frame[c]) and not
               pd.api.types.is_bool_dtype(frame[c]) for c in frame.columns]
    lines = ["| " + " | ".join(str(c) for c in frame.columns) + " |",
             "|" + "|".join("---:" if num else "---" for num in numeric) + "|"]
    for row in shown.itertuples(index=False):
        lines.append("| " + " | ".join(_cell(v) for v in row) + " |")
    if max_rows is not None and len(frame) > max_rows:
        lines.append("")
        lines.append(f"*First {max_rows} of {len(frame)} rows; the CSV file has all.*")
    return "\n".join(lines) + "\n"


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """Write a table as CSV with pyarrow (fast), or pandas for mixed-type columns."""
    try:
        table = pa.Table.from_pandas(frame, preserve_index=False)
    except (pa.ArrowException, TypeError, ValueError):
        frame.to_csv(path, index=False)
        return path
    pa_csv.write_csv(table, path, pa_csv.WriteOptions(quoting_style="needed"))
    return path


def write_md(path: Path, title: str, intro: Sequence[str], frame: pd.DataFrame,
             notes: Sequence[str] = (), max_rows: int | None = MD_MAX_ROWS) -> Path:
    """Write a Markdown page: a title, intro lines, the table, then notes as a list."""
    parts = [f"# {title}", ""]
    parts += [*intro, ""] if intro else []
    parts += [markdown_table(frame, max_rows)]
    if notes:
        parts += ["", *[f"- {n}" for n in notes], ""]
    path.write_text("\n".join(parts), encoding="utf-8")
    return path
