"""SALib problem dicts and output vectors, shared by the Sobol, Morris and convergence code.

Indices come from SALib (Herman & Usher 2017); these helpers only shape its inputs.
"""

from __future__ import annotations

import copy

import numpy as np


def salib_problem(problem: dict) -> dict:
    """A private copy (SALib writes ``groups`` into the dict it is given)."""
    p = copy.deepcopy(dict(problem))
    p.setdefault("num_vars", len(p["names"]))
    return p


def n_groups(problem: dict) -> int:
    """Number of factors, counting a SALib group as one."""
    return len(dict.fromkeys(problem.get("groups") or problem["names"]))


def factor_names(problem: dict) -> list[str]:
    """Factor (or group) names in problem order."""
    return list(dict.fromkeys(problem.get("groups") or problem["names"]))


def check_y(y: np.ndarray, what: str) -> np.ndarray:
    """``y`` as a flat float array; ValueError if any design point lacks an output."""
    y = np.asarray(y, dtype=float).ravel()
    if not np.all(np.isfinite(y)):
        missing = int(np.sum(~np.isfinite(y)))
        raise ValueError(f"{what}: {missing} of {y.size} outputs are missing (NaN); "
                         "SALib needs an output for every design point")
    return y
