"""Sobol' variance-based sensitivity indices with bootstrap intervals, via SALib.

First-order and total indices use the estimators of Saltelli et al. 2010, second-order
indices those of Saltelli 2002. They are computed on replicate means, one value per
design point (ten Broeke, van Voorn & Ligtenberg 2016); the stochastic share of the
variance is reported separately (:mod:`experiments.analysis.aggregates`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from SALib.analyze import sobol as salib_sobol

from experiments.analysis.common import LEVEL
from experiments.analysis.problem import check_y, factor_names, n_groups, salib_problem


def _salib_seed(seed: int | None) -> int:
    # SALib's sobol.analyze ignores a falsy seed and then draws from numpy's global state.
    return int(seed) if seed else 1


def sobol_step(problem: dict, second_order: bool) -> int:
    """Rows per base sample of a Saltelli design: ``k + 2``, or ``2k + 2`` with second order."""
    d = n_groups(problem)
    return 2 * d + 2 if second_order else d + 2


def _run_sobol(y: np.ndarray, problem: dict, second_order: bool, n_boot: int,
               seed: int | None, level: float):
    step = sobol_step(problem, second_order)
    if y.size == 0 or y.size % step:
        raise ValueError(f"Sobol: {y.size} outputs do not form blocks of {step} rows "
                         f"({n_groups(problem)} factors, second_order={second_order})")
    return salib_sobol.analyze(salib_problem(problem), y, calc_second_order=second_order,
                               num_resamples=n_boot, conf_level=level,
                               seed=_salib_seed(seed))


def sobol_indices(design_samples: np.ndarray | None, Y: np.ndarray, problem: dict,
                  second_order: bool = False, n_boot: int = 1000, seed: int | None = 1,
                  level: float = LEVEL) -> pd.DataFrame:
    """First-order and total Sobol indices with bootstrap intervals (Saltelli et al. 2010).

    ``Y`` holds one value per design point in sampler order (use replicate means; ten
    Broeke et al. 2016). The interval is SALib's: ``S +/- z * sd(bootstrap)``. A constant
    output has no variance to split; its indices are NaN.

    Args:
        design_samples: The Saltelli sample matrix, used only to check the row count.
        Y: Outputs, one per design point.
        problem: SALib problem dict.
        second_order: Whether the sample has the second-order (2k+2) block layout.
        n_boot: Bootstrap resamples.
        seed: Bootstrap seed.
        level: Confidence level.

    Returns:
        One row per factor: factor, S1, S1_conf, S1_lo, S1_hi, ST, ST_conf, ST_lo, ST_hi.
    """
    y = check_y(Y, "Sobol")
    if design_samples is not None and len(design_samples) != y.size:
        raise ValueError(f"Sobol: {len(design_samples)} sample rows but {y.size} outputs")
    names = factor_names(problem)
    step = sobol_step(problem, second_order)
    if y.size == 0 or y.size % step:
        raise ValueError(f"Sobol: {y.size} outputs do not form blocks of {step} rows "
                         f"({len(names)} factors, second_order={second_order})")
    if np.ptp(y) == 0.0:
        res = {k: np.full(len(names), np.nan) for k in ("S1", "S1_conf", "ST", "ST_conf")}
    else:
        res = _run_sobol(y, problem, second_order, n_boot, seed, level)
    frame = pd.DataFrame({"factor": names})
    for key in ("S1", "ST"):
        est = np.asarray(res[key], dtype=float)
        conf = np.asarray(res[f"{key}_conf"], dtype=float)
        frame[key] = est
        frame[f"{key}_conf"] = conf
        frame[f"{key}_lo"] = est - conf
        frame[f"{key}_hi"] = est + conf
    return frame


def sobol_pairs(Y: np.ndarray, problem: dict, n_boot: int = 1000, seed: int | None = 1,
                level: float = LEVEL) -> pd.DataFrame:
    """Second-order Sobol indices S2 for every factor pair (Saltelli 2002).

    ``Y`` must come from a second-order Saltelli sample (blocks of 2k+2 rows).

    Returns:
        One row per pair: factor_a, factor_b, S2, S2_conf.
    """
    y = check_y(Y, "Sobol")
    names = factor_names(problem)
    res = _run_sobol(y, problem, True, n_boot, seed, level)
    rows = [{"factor_a": names[i], "factor_b": names[j], "S2": float(res["S2"][i, j]),
             "S2_conf": float(res["S2_conf"][i, j])}
            for i in range(len(names)) for j in range(i + 1, len(names))]
    return pd.DataFrame(rows, columns=["factor_a", "factor_b", "S2", "S2_conf"])
