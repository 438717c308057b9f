"""Constants and helpers shared by the analysis modules: id columns, Student-t intervals."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

ID_COLUMNS = ("run_id", "point", "replicate")
LEVEL = 0.95


def t_crit(n: np.ndarray, level: float = LEVEL) -> np.ndarray:
    """Two-sided Student-t quantile for a mean of ``n`` values (NaN where ``n < 2``)."""
    n = np.asarray(n, dtype=float)
    df = np.where(n >= 2, n - 1, np.nan)
    return stats.t.ppf(0.5 + level / 2, df)


def outcome_names(outcomes: pd.DataFrame, names: Sequence[str] | None) -> list[str]:
    """``names``, or by default every numeric column of ``outcomes`` except the ids."""
    if names is not None:
        return list(names)
    return [c for c in outcomes.columns
            if c not in ID_COLUMNS and pd.api.types.is_numeric_dtype(outcomes[c])]
