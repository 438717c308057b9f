"""Scenario discovery: in which futures an outcome meets a target (Bryant & Lempert 2010).

A sweep's design points are the futures; an outcome's replicate mean at each point is
compared with a threshold. Two methods describe the futures that meet it:

- **PRIM** (Friedman & Fisher 1999), from the EMA Workbench (Kwakkel 2017), peels the factor
  space into a box; its peeling trajectory trades coverage (the share of all target futures
  inside the box) against density (the share of futures inside the box that meet the
  target). The box reported is the densest one whose coverage is at least
  ``min_coverage``.
- **CART** (Breiman et al. 1984), a shallow scikit-learn classification tree, whose purest
  large leaf is a second description.

Each is also said in plain words.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from experiments.analysis.aggregates import aggregate, point_means
from experiments.analysis.sweep import Sweep


@dataclass(frozen=True)
class PrimResult:
    """A PRIM box: the trajectory it was chosen from and its restricted dimensions."""

    trajectory: pd.DataFrame   # coverage, density, mass, res_dim per peeling step
    chosen: int                # the row of the trajectory reported
    limits: pd.DataFrame       # factor, low, high, full_low, full_high (restricted only)
    coverage: float
    density: float


@dataclass(frozen=True)
class TreeResult:
    """A CART tree: its text and the purest large leaf as conditions."""

    text: str
    conditions: list[str]
    leaf_density: float
    leaf_coverage: float


def futures(sweep: Sweep, outcome: str, threshold: float | None, below: bool = False
            ) -> tuple[pd.DataFrame, np.ndarray, float]:
    """The factor values of each design point, whether its mean meets the target, the target.

    The target is ``mean >= threshold`` (``mean <= threshold`` with ``below``); without a
    threshold, the median of the points' means. Points without a successful replicate are
    left out.
    """
    if outcome not in sweep.outcome_names:
        raise KeyError(f"no outcome '{outcome}' in this sweep (it has: "
                       f"{', '.join(sweep.outcome_names)})")
    means = point_means(aggregate(sweep.outcomes, sweep.design, [outcome]), outcome)
    x = sweep.design.set_index("point")[sweep.factors].loc[means.index]
    keep = means.notna().to_numpy()
    if threshold is None:
        threshold = float(means.median())
    hit = (means <= threshold) if below else (means >= threshold)
    return x[keep].reset_index(drop=True), hit.to_numpy()[keep], threshold


def prim_box(x: pd.DataFrame, y: np.ndarray, min_coverage: float = 0.5) -> PrimResult:
    """The densest PRIM box covering at least ``min_coverage`` of the target futures."""
    if y.sum() == 0 or y.all():
        raise ValueError("the target is met in none or all of the futures: nothing to "
                         "discover; choose another threshold")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import prim

        box = prim.Prim(x.astype(float), y.astype(int)).find_box()
    trajectory = box.peeling_trajectory.reset_index(drop=True)
    ok = trajectory[trajectory["coverage"] >= min_coverage]
    chosen = int(ok["density"].idxmax()) if len(ok) else 0
    lims = box.box_lims[chosen]
    rows = []
    for factor in x.columns:
        low, high = float(lims[factor][0]), float(lims[factor][1])
        full_low, full_high = float(x[factor].min()), float(x[factor].max())
        if low > full_low or high < full_high:
            rows.append({"factor": factor, "low": low, "high": high,
                         "full_low": full_low, "full_high": full_high})
    return PrimResult(trajectory=trajectory, chosen=chosen, limits=pd.DataFrame(rows),
                      coverage=float(trajectory.loc[chosen, "coverage"]),
                      density=float(trajectory.loc[chosen, "density"]))


def cart_tree(x: pd.DataFrame, y: np.ndarray, max_depth: int = 3) -> TreeResult:
    """A shallow classification tree and its purest leaf with at least 5% of the futures."""
    from sklearn.tree import DecisionTreeClassifier, export_text

    min_leaf = max(5, int(0.05 * len(y)))
    tree = DecisionTreeClassifier(max_depth=max_depth, min_samples_leaf=min_leaf,
                                  random_state=0).fit(x.to_numpy(), y.astype(int))
    t = tree.tree_
    best, best_density, conditions = 0, -1.0, []
    stack = [(0, [])]
    while stack:
        node, path = stack.pop()
        if t.children_left[node] == -1:   # a leaf
            counts = t.value[node][0]
            density = float(counts[-1] / counts.sum()) if len(counts) > 1 else float(
                tree.classes_[0] == 1)
            if density > best_density:
                best, best_density, conditions = node, density, path
            continue
        name, cut = x.columns[t.feature[node]], float(t.threshold[node])
        stack.append((t.children_left[node], [*path, f"{name} <= {cut:.4g}"]))
        stack.append((t.children_right[node], [*path, f"{name} > {cut:.4g}"]))
    in_leaf = tree.apply(x.to_numpy()) == best
    coverage = float(y[in_leaf].sum() / y.sum()) if y.sum() else 0.0
    return TreeResult(text=export_text(tree, feature_names=list(x.columns)),
                      conditions=conditions, leaf_density=best_density,
                      leaf_coverage=coverage)


def _fmt(v: float) -> str:
    return f"{v:.3g}"


def plain_prim(p: PrimResult, outcome: str, threshold: float, below: bool) -> str:
    """The PRIM box in one sentence."""
    target = f"{outcome} {'<=' if below else '>='} {_fmt(threshold)}"
    if p.limits.empty:
        return f"No box narrows the futures: {target} holds in {p.density:.0%} of them."
    parts = []
    for _, r in p.limits.iterrows():
        if r["low"] > r["full_low"] and r["high"] < r["full_high"]:
            parts.append(f"{r['factor']} is between {_fmt(r['low'])} and {_fmt(r['high'])}")
        elif r["low"] > r["full_low"]:
            parts.append(f"{r['factor']} >= {_fmt(r['low'])}")
        else:
            parts.append(f"{r['factor']} <= {_fmt(r['high'])}")
    return (f"{target} in {p.density:.0%} of the futures where " + " and ".join(parts)
            + f"; these futures hold {p.coverage:.0%} of all futures where it holds.")


def plain_tree(t: TreeResult, outcome: str, threshold: float, below: bool) -> str:
    """The tree's purest leaf in one sentence."""
    target = f"{outcome} {'<=' if below else '>='} {_fmt(threshold)}"
    where = " and ".join(t.conditions) or "everywhere"
    return (f"{target} in {t.leaf_density:.0%} of the futures where {where}; they hold "
            f"{t.leaf_coverage:.0%} of all futures where it holds.")
