"""Convergence of Sobol and Morris indices with sample size, and a verdict per index.

Indices are recomputed on prefixes of the design: SALib's Saltelli sample (Saltelli et al.
2010) stores each base sample as one block of rows and a Morris sample (Morris 1991) each
trajectory as one block, so a prefix of whole blocks is itself a valid, smaller design.
An index is called stable when its last two estimates differ by less than the CI
half-width of the last one, or not at all.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from experiments.analysis.common import LEVEL
from experiments.analysis.morris import morris_indices
from experiments.analysis.problem import check_y, factor_names, n_groups
from experiments.analysis.sobol import sobol_indices, sobol_step


def convergence_sizes(n: int, kind: str) -> list[int]:
    """Sample sizes at which indices are recomputed.

    Sobol: the powers of two ``>= 8`` below the base sample ``N`` (at most four: N/16 ...
    N/2 when N is a power of two), then N. Morris: ``ceil(r / 16)``, ..., ``ceil(r / 2)``
    trajectories (at least 2), then r.
    """
    if kind == "sobol":
        below = [2 ** m for m in range(3, max(3, int(n).bit_length()) + 1) if 2 ** m < n]
        return [*below[-4:], int(n)]
    sizes = sorted({max(2, math.ceil(n / 2 ** j)) for j in (4, 3, 2, 1)} - {n})
    return [s for s in sizes if s < n] + [int(n)]


def convergence(samples: np.ndarray | None, Y: np.ndarray, problem: dict, kind: str, *,
                second_order: bool = False, levels: int = 4, n_boot: int = 1000,
                seed: int | None = 1, level: float = LEVEL) -> pd.DataFrame:
    """Indices recomputed on the first N' base samples (Sobol) or r' trajectories (Morris).

    SALib's Saltelli sample stores each base sample as one block of ``k + 2`` rows
    (``2k + 2`` with second order: A, the k AB rows, [the k BA rows,] B), and a Morris
    sample each trajectory as ``k + 1`` rows, so a prefix of whole blocks is itself a
    valid, smaller design; the first ``2^m`` points of a Sobol' sequence stay balanced.

    Returns:
        Long table: n (base samples or trajectories), runs (design points used), factor,
        index (S1, ST or mu_star, sigma), value, conf (CI half-width).
    """
    y = check_y(Y, kind.capitalize())
    if kind == "sobol":
        block = sobol_step(problem, second_order)
    elif kind == "morris":
        block = n_groups(problem) + 1
        if samples is None:
            raise ValueError("Morris convergence needs the sample matrix")
    else:
        raise ValueError(f"convergence: kind must be 'sobol' or 'morris', not {kind!r}")
    if y.size == 0 or y.size % block:
        raise ValueError(f"{kind}: {y.size} outputs do not form blocks of {block} rows")
    frames = []
    for size in convergence_sizes(y.size // block, kind):
        rows = size * block
        if kind == "sobol":
            t = sobol_indices(None, y[:rows], problem, second_order, n_boot, seed, level)
            parts = [("S1", t["S1"], t["S1_conf"]), ("ST", t["ST"], t["ST_conf"])]
        else:
            t = morris_indices(samples[:rows], y[:rows], problem, levels, n_boot, seed, level)
            parts = [("mu_star", t["mu_star"], t["mu_star_conf"]),
                     ("sigma", t["sigma"], pd.Series(np.nan, index=t.index))]
        for index, value, conf in parts:
            frames.append(pd.DataFrame({"n": size, "runs": rows, "factor": t["factor"],
                                        "index": index, "value": value.to_numpy(),
                                        "conf": conf.to_numpy()}))
    table = pd.concat(frames, ignore_index=True)
    order = {f: i for i, f in enumerate(factor_names(problem))}
    table["_f"] = table["factor"].map(order)
    table = table.sort_values(["index", "_f", "n"], kind="stable").drop(columns="_f")
    return table.reset_index(drop=True)


def convergence_verdicts(conv: pd.DataFrame) -> pd.DataFrame:
    """Plain-language verdict per factor and index from a :func:`convergence` table.

    An index is "stable" if its last two estimates differ by less than the CI half-width
    of the last one, or are equal (an index that is exactly 0 at every size, as for a
    factor an outcome does not depend on, has a zero-width interval). Indices without an
    interval (Morris sigma) are not judged.

    Returns:
        One row per ([outcome,] index, factor): n_prev, value_prev, n_last, value_last,
        change, half_width, verdict, text.
    """
    keys = [k for k in ("outcome", "index", "factor") if k in conv]
    rows = []
    for key, grp in conv.groupby(keys, sort=False):
        grp = grp.sort_values("n")
        if grp["conf"].isna().all():
            continue
        last = grp.iloc[-1]
        row = dict(zip(keys, key if isinstance(key, tuple) else (key,), strict=True))
        if len(grp) < 2:
            row.update(n_prev=math.nan, value_prev=math.nan, n_last=int(last["n"]),
                       value_last=last["value"], change=math.nan, half_width=last["conf"],
                       verdict="not judged",
                       text=f"only one sample size (n={int(last['n'])}); cannot judge")
            rows.append(row)
            continue
        prev = grp.iloc[-2]
        change = abs(float(last["value"]) - float(prev["value"]))
        half = float(last["conf"])
        stable = bool(change < half or change == 0.0)  # an inert factor's 0 never moves
        verdict = "stable" if stable else "not yet stable"
        relation = "less than" if stable else "not less than"
        text = (f"{verdict}: {row['index']} of {row['factor']} moved {change:.3g} from "
                f"n={int(prev['n'])} to n={int(last['n'])}, {relation} the CI half-width "
                f"{half:.3g}")
        row.update(n_prev=int(prev["n"]), value_prev=float(prev["value"]),
                   n_last=int(last["n"]), value_last=float(last["value"]), change=change,
                   half_width=half, verdict=verdict, text=text)
        rows.append(row)
    return pd.DataFrame(rows, columns=[*keys, "n_prev", "value_prev", "n_last", "value_last",
                                       "change", "half_width", "verdict", "text"])
