"""Markdown tables."""

from __future__ import annotations

import numpy as np
import pandas as pd

from experiments.analysis.tables import markdown_table


def test_markdown_table() -> None:
    frame = pd.DataFrame({"name": ["a|b", "c"], "x": [1.234567, np.nan], "n": [3, 4],
                          "flag": [True, False]})
    md = markdown_table(frame)
    lines = md.splitlines()
    assert lines[0] == "| name | x | n | flag |"
    assert lines[1] == "|---|---:|---:|---|"
    assert lines[2] == "| a\\|b | 1.235 | 3 | yes |"
    assert lines[3] == "| c | n/a | 4 | no |"
    long = markdown_table(pd.DataFrame({"v": range(5)}), max_rows=2)
    assert "First 2 of 5 rows" in long and long.count("\n| ") == 2
