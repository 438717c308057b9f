"""How many replicates: running coefficient of variation and runs for a target CI width.

Two rules, each evaluated per design point: the replicate count after which the running
CV settles (Lee et al. 2015, JASSS 18(4)4), and the count that gives a 95% interval of a
stated half-width (Secchi & Seri 2017).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from experiments.analysis.common import LEVEL, outcome_names, t_crit


def _replicate_matrix(outcomes: pd.DataFrame,
                      name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Points, a (points x replicates) matrix of values in replicate order, and counts.

    Values of each point are packed to the left, so column j is its (j+1)-th successful
    replicate; the rest is NaN.
    """
    sub = outcomes[["point", "replicate", name]].dropna(subset=[name])
    sub = sub.sort_values(["point", "replicate"], kind="stable")
    if sub.empty:
        return np.zeros(0, dtype=np.int64), np.zeros((0, 0)), np.zeros(0, dtype=np.int64)
    points, inverse = np.unique(sub["point"].to_numpy(), return_inverse=True)
    rank = sub.groupby("point").cumcount().to_numpy()
    matrix = np.full((len(points), int(rank.max()) + 1), np.nan)
    matrix[inverse, rank] = sub[name].to_numpy(dtype=float)
    return points, matrix, np.bincount(inverse)


def _running(matrix: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Running mean and sd over the first n replicates (n = 1..R) of each row."""
    n = np.arange(1, matrix.shape[1] + 1, dtype=float)
    centre = np.nanmean(matrix, axis=1, keepdims=True)  # shift for numerical stability
    c = np.nan_to_num(matrix - centre)
    s1, s2 = np.cumsum(c, axis=1), np.cumsum(c * c, axis=1)
    mean = s1 / n + centre
    with np.errstate(invalid="ignore", divide="ignore"):
        var = np.where(n >= 2, (s2 - s1 * s1 / n) / (n - 1), np.nan)
    sd = np.sqrt(np.clip(var, 0.0, None))
    valid = n[None, :] <= counts[:, None]
    return np.where(valid, mean, np.nan), np.where(valid, sd, np.nan)


def running_cv(outcomes: pd.DataFrame, names: Sequence[str] | None = None) -> pd.DataFrame:
    """Running mean, sd and coefficient of variation over the first n replicates.

    Lee et al. 2015 (JASSS 18(4)4): the number of runs is enough once the CV stops
    moving. ``cv = sd / |mean|`` (NaN where the running mean is 0).

    Returns:
        Long table: outcome, point, n, mean, sd, cv (n = 1..replicates of that point).
    """
    frames = []
    for name in outcome_names(outcomes, names):
        points, matrix, counts = _replicate_matrix(outcomes, name)
        if not len(points):
            continue
        mean, sd = _running(matrix, counts)
        with np.errstate(invalid="ignore", divide="ignore"):
            cv = sd / np.abs(mean)
        n = np.broadcast_to(np.arange(1, matrix.shape[1] + 1), matrix.shape)
        pts = np.broadcast_to(points[:, None], matrix.shape)
        keep = n <= counts[:, None]
        frames.append(pd.DataFrame({"outcome": name, "point": pts[keep], "n": n[keep],
                                    "mean": mean[keep], "sd": sd[keep], "cv": cv[keep]}))
    if not frames:
        return pd.DataFrame(columns=["outcome", "point", "n", "mean", "sd", "cv"])
    return pd.concat(frames, ignore_index=True)


def _n_for_halfwidth(sd: np.ndarray, target: np.ndarray, level: float = LEVEL,
                     cap: int = 10 ** 7) -> np.ndarray:
    """An n >= 2 with ``t_{n-1} sd / sqrt(n) <= target`` (NaN if undefined).

    The search starts from the normal-approximation n and steps up by 2% (at least 1), so
    the n returned is the smallest within one step: exact below 100, at most 2% high above.
    """
    sd, target = np.asarray(sd, dtype=float), np.asarray(target, dtype=float)
    out = np.full(sd.shape, np.nan)
    ok = np.isfinite(sd) & np.isfinite(target) & (target > 0)
    z = stats.norm.ppf(0.5 + level / 2)
    n = np.full(sd.shape, 2.0)
    n[ok] = np.clip(np.ceil((z * sd[ok] / target[ok]) ** 2), 2, cap)
    todo = ok.copy()
    for _ in range(1000):
        with np.errstate(invalid="ignore"):
            short = todo & (t_crit(n) * sd / np.sqrt(n) > target) & (n < cap)
        if not short.any():
            break
        n[short] += np.maximum(1.0, np.floor(0.02 * n[short]))
    # the step above can overshoot by 2%; walk back to the smallest n that meets the target
    for _ in range(1000):
        with np.errstate(invalid="ignore"):
            back = ok & (n > 2) & (t_crit(n - 1) * sd / np.sqrt(n - 1) <= target)
        if not back.any():
            break
        n[back] -= 1
    out[ok] = n[ok]
    return out


@dataclass(frozen=True)
class Tracks:
    """Per-point running statistics of one outcome (points with >= 3 replicates)."""

    points: np.ndarray
    counts: np.ndarray
    track: np.ndarray      # running CV, or running sd where the mean cannot be told from 0
    final: np.ndarray
    zero: np.ndarray
    n_stable: np.ndarray
    mean: np.ndarray       # final mean
    sd: np.ndarray         # final sd


def replicate_tracks(outcomes: pd.DataFrame, name: str, tolerance: float) -> Tracks | None:
    """Running CV (or sd) of one outcome per design point and where it settles.

    Only points with at least three replicates count; None if there are none.
    """
    points, matrix, counts = _replicate_matrix(outcomes, name)
    use = counts >= 3
    if not use.any():
        return None
    points, matrix, counts = points[use], matrix[use], counts[use]
    mean, sd = _running(matrix, counts)
    last = counts - 1
    idx = np.arange(len(points))
    f_mean, f_sd = mean[idx, last], sd[idx, last]
    zero = np.abs(f_mean) <= t_crit(counts) * f_sd / np.sqrt(counts)
    with np.errstate(invalid="ignore", divide="ignore"):
        cv = sd / np.abs(mean)
    track = np.where(zero[:, None], sd, cv)
    final = track[idx, last]
    with np.errstate(invalid="ignore"):
        ok = np.abs(track - final[:, None]) <= tolerance * np.abs(final[:, None])
    n = np.arange(1, matrix.shape[1] + 1)
    ok |= n[None, :] > counts[:, None]
    ok[:, 0] = False  # one replicate has no spread
    settled = np.logical_and.accumulate(ok[:, ::-1], axis=1)[:, ::-1]
    n_stable = np.where(settled.any(axis=1), np.argmax(settled, axis=1) + 1, counts)
    return Tracks(points, counts, track, final, zero, n_stable, f_mean, f_sd)


def replicate_guidance(outcomes: pd.DataFrame, names: Sequence[str] | None = None,
                       tolerance: float = 0.05, target: float = 0.10,
                       binary_target: float = 0.05, level: float = LEVEL) -> pd.DataFrame:
    """How many replicates each outcome needs, by two rules, over design points with >= 3.

    1. CV stabilisation (Lee et al. 2015): the smallest n after which the running CV
       stays within ``+/- tolerance`` (relative) of its final value. Where a point's mean
       is not distinguishable from zero (its 95% CI covers 0) the CV is unbounded, so the
       running sd is used instead (column ``measure`` says where).
    2. Interval width (Secchi & Seri 2017): replicates for a 95% CI half-width of
       ``target`` times |mean|, or ``binary_target`` absolute for 0/1 outcomes, from the
       point's sd (not defined where the mean cannot be told from zero, unless 0/1).

    Each rule is evaluated per design point and summarised by the maximum over points
    (the conservative choice: every point must meet it) and the median.

    Returns:
        One row per outcome: outcome, points, replicates, measure, final_cv_median,
        final_sd_median, n_stable_max, n_stable_median, worst_point, ci_target,
        n_for_ci_max, n_for_ci_median, verdict.
    """
    cols = ["outcome", "points", "replicates", "measure", "final_cv_median",
            "final_sd_median", "n_stable_max", "n_stable_median", "worst_point", "ci_target",
            "n_for_ci_max", "n_for_ci_median", "verdict"]
    rows = []
    for name in outcome_names(outcomes, names):
        values = outcomes[name].dropna().to_numpy(dtype=float)
        binary = values.size > 0 and bool(np.all((values == 0.0) | (values == 1.0)))
        t = replicate_tracks(outcomes, name, tolerance)
        if t is None:
            rows.append({"outcome": name, "points": 0, "replicates": int(
                outcomes.dropna(subset=[name]).groupby("point").size().max()
                if values.size else 0), "measure": "n/a", "ci_target": "n/a",
                "verdict": "fewer than 3 replicates at every point; no guidance"})
            continue
        if binary:
            goal = np.full(len(t.points), binary_target)
            ci_target = f"{binary_target:g} (0/1 outcome)"
        else:
            goal = np.where(t.zero, np.nan, target * np.abs(t.mean))
            ci_target = f"{target:.0%} of the mean"
        n_ci = _n_for_halfwidth(t.sd, goal, level)
        some_ci = bool(np.isfinite(n_ci).any())
        measure = "cv" if not t.zero.any() else ("sd" if t.zero.all()
                                                 else f"cv; sd at {int(t.zero.sum())} points")
        r = int(t.counts.max())
        n_max = int(t.n_stable.max())
        worst = int(np.argmax(t.n_stable))
        stab = (f"not settled within {r} replicates" if n_max >= r
                else f"settled within ±{tolerance:.0%} after {n_max} of {r} replicates")
        ci_txt = (f"; {int(np.nanmax(n_ci))} replicates give a 95% CI half-width of "
                  f"{ci_target}" if some_ci else "")
        cv_final = t.final[~t.zero]
        rows.append({
            "outcome": name, "points": len(t.points), "replicates": r, "measure": measure,
            "final_cv_median": float(np.median(cv_final)) if cv_final.size else math.nan,
            "final_sd_median": float(np.median(t.sd)),
            "n_stable_max": n_max, "n_stable_median": float(np.median(t.n_stable)),
            "worst_point": int(t.points[worst]), "ci_target": ci_target,
            "n_for_ci_max": float(np.nanmax(n_ci)) if some_ci else math.nan,
            "n_for_ci_median": float(np.nanmedian(n_ci)) if some_ci else math.nan,
            "verdict": f"running {measure.split(';')[0].upper()} {stab}{ci_txt}"})
    return pd.DataFrame(rows, columns=cols)
