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


def screening_scores(table: pd.DataFrame) -> pd.DataFrame:
    """One screening score per factor over several outcomes of a Morris table.

    Each outcome's mu* is divided by the largest mu* of that outcome, so outcomes in
    different units weigh alike; a factor's score is its largest such share over the
    outcomes (1 for the leading factor of any outcome). Outcomes whose mu* are all zero or
    missing carry no ranking and are left out. Ties break on the mean share, then the name.

    Args:
        table: Long Morris table with columns outcome, factor, mu_star (and sigma), as
            written by :func:`~experiments.analysis.analyze` (``morris.csv``).

    Returns:
        One row per factor, best first: rank (1-based), factor, score, mean_share,
        outcome (where the score is reached), mu_star and sigma there.
    """
    t = table.loc[np.isfinite(table["mu_star"].to_numpy(float)),
                  ["outcome", "factor", "mu_star", "sigma"]]
    top = t.groupby("outcome", sort=False)["mu_star"].transform("max")
    t = t[top > 0].assign(share=t["mu_star"] / top)
    best = t.loc[t.groupby("factor", sort=False)["share"].idxmax()]
    best = best.set_index("factor")
    frame = pd.DataFrame({
        "factor": best.index,
        "score": best["share"].to_numpy(float),
        "mean_share": t.groupby("factor")["share"].mean()[best.index].to_numpy(float),
        "outcome": best["outcome"].to_numpy(),
        "mu_star": best["mu_star"].to_numpy(float),
        "sigma": best["sigma"].to_numpy(float),
    })
    frame = frame.sort_values(["score", "mean_share", "factor"],
                              ascending=[False, False, True], kind="stable")
    frame.insert(0, "rank", np.arange(1, len(frame) + 1))
    return frame.reset_index(drop=True)


def top_factors(table: pd.DataFrame, k: int) -> list[str]:
    """The ``k`` factors with the highest :func:`screening_scores`, best first.

    The rule that picks the factors of a Sobol' study from a Morris screening (ten Broeke,
    van Voorn & Ligtenberg 2016; Campolongo et al. 2007 rank by mu*): it keeps every
    outcome's leader and fills the rest by relative mu*.
    """
    if k < 1:
        raise ValueError(f"top_factors: k must be at least 1 (got {k})")
    return screening_scores(table)["factor"].head(k).tolist()
