"""Morris elementary-effect screening via SALib (Morris 1991; mu* of Campolongo et al. 2007).

Effects are computed on replicate means, one value per trajectory point, as step 2 of the
sequence of ten Broeke, van Voorn & Ligtenberg 2016.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from SALib.analyze import morris as salib_morris

from experiments.analysis.common import LEVEL
from experiments.analysis.problem import check_y, factor_names, n_groups, salib_problem


def morris_indices(samples: np.ndarray, Y: np.ndarray, problem: dict, levels: int = 4,
                   n_boot: int = 1000, seed: int | None = 1,
                   level: float = LEVEL) -> pd.DataFrame:
    """Morris elementary-effect screening: mu, mu*, its bootstrap interval and sigma.

    Morris 1991; mu* as in Campolongo et al. 2007. ``samples`` are the model inputs of the
    trajectories (blocks of k+1 rows) and ``Y`` one output per row (replicate means).
    Effects are per unit of the [0, 1]-scaled factor, so mu* is in output units over the
    factor's whole range.

    Returns:
        One row per factor, sorted by mu_star (largest first): factor, mu, mu_star,
        mu_star_conf, sigma.
    """
    y = check_y(Y, "Morris")
    x = np.asarray(samples, dtype=float)
    block = n_groups(problem) + 1
    if x.shape[0] != y.size or y.size == 0 or y.size % block:
        raise ValueError(f"Morris: {x.shape[0]} sample rows and {y.size} outputs do not form "
                         f"trajectories of {block} rows")
    res = salib_morris.analyze(salib_problem(problem), x, y, num_resamples=n_boot,
                               conf_level=level, num_levels=int(levels), seed=seed)
    frame = pd.DataFrame({
        "factor": factor_names(problem),
        "mu": np.asarray(res["mu"], dtype=float),
        "mu_star": np.asarray(res["mu_star"], dtype=float),
        "mu_star_conf": np.asarray(res["mu_star_conf"], dtype=float),
        "sigma": np.asarray(res["sigma"], dtype=float),
    })
    return frame.sort_values("mu_star", ascending=False, kind="stable").reset_index(drop=True)
