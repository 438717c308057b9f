"""Paired contrasts: every design point against a reference point, replicate by replicate.

With common random numbers (a study's ``crn = true``, the default) replicate r of every
design point runs from the same seed (``experiments.design.run_plan``: spawn key ``(r,)``),
so replicate r of a point and replicate r of the reference form a pair, and the noise they
share cancels in their difference. Pairing is read from the stored seeds, not assumed: a
sweep whose replicates run on different seeds at different points gets no paired output.

- A measured outcome: the mean of the per-replicate differences with a Student-t interval
  (``sim.summary.t_interval``, scipy) and the two-sided paired t-test
  (``scipy.stats.ttest_rel``).
- A share (every value 0 or 1): Newcombe's interval for the difference of paired
  proportions (Newcombe 1998, method 10; ``sim.summary.newcombe_paired``) and the two-sided
  exact McNemar test (statsmodels ``mcnemar``).

p-values are Holm-adjusted (Holm 1979; statsmodels ``multipletests``) across every contrast
of the table. ``write_paired`` is the analysis step: ``paired.csv/.md/.png`` and a finding
per outcome.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from scipy import stats
from statsmodels.stats.contingency_tables import mcnemar

from experiments.analysis.aggregates import is_share
from experiments.analysis.common import LEVEL, outcome_names
from experiments.analysis.report import Report
from experiments.analysis.sweep import Sweep
from experiments.store import SweepStoreError
from sim.summary import holm, newcombe_paired, t_interval

REFERENCE_LABELS = ("reference", "baseline")
"""Labels that make a point the default reference, in this order."""

LABEL = "label"
"""The design column that names points (``experiments.study.POINT_LABEL``)."""

PLOT_MAX_OUTCOMES = 12
PLOT_MAX_POINTS = 40

COLUMNS = ["outcome", "point", "label", "reference", "reference_label", "n", "mean",
           "reference_mean", "diff", "ci_low", "ci_high", "ci_method", "test", "p_value",
           "p_holm"]


def unpaired_reason(sweep: Sweep) -> str | None:
    """Why the sweep's design points are not paired by replicate, or None if they are.

    Replicate r is paired across points when every recorded run of replicate r has the same
    seed (entropy and spawn key).
    """
    runs = sweep.runs
    if sweep.replicates < 2:
        return "paired contrasts need two or more replicates per design point"
    if sweep.design["point"].nunique() < 2:
        return "the sweep has one design point: there is nothing to compare"
    seeds = runs["seed_entropy"].astype(str) + "/" + runs["spawn_key"].astype(str)
    per_replicate = seeds.groupby(runs["replicate"]).nunique()
    if len(per_replicate) and int(per_replicate.max()) > 1:
        why = " (the study sets crn = false)" if not sweep.manifest.get("crn", True) else ""
        return ("replicates do not share seeds across design points" + why
                + "; differences would not be paired")
    return None


def point_labels(design: pd.DataFrame) -> dict[int, str]:
    """Point -> its label, or ``point N`` where the design has no labels."""
    points = design["point"].astype(int).tolist()
    if LABEL in design:
        return dict(zip(points, design[LABEL].astype(str), strict=True))
    return {p: f"point {p}" for p in points}


def choose_reference(sweep: Sweep, reference: str | None) -> tuple[int, str]:
    """The reference point and a sentence saying how it was chosen.

    ``reference`` is a point's label or number; by default the point labelled ``reference``
    or ``baseline``, else point 0.

    Raises:
        SweepStoreError: ``reference`` names no design point.
    """
    design = sweep.design
    labels = design[LABEL].astype(str).tolist() if LABEL in design else []
    points = design["point"].astype(int).tolist()
    if reference is not None:
        text = str(reference).strip()
        if text in labels:
            point = points[labels.index(text)]
            return point, f"point {point} ('{text}'), chosen with --reference"
        if text.lstrip("-").isdigit() and int(text) in points:
            return int(text), f"point {int(text)}, chosen with --reference"
        known = (f"labels: {', '.join(labels[:12])}{', ...' if len(labels) > 12 else ''}; "
                 if labels else "the design has no labels; ")
        raise SweepStoreError(sweep.path, f"--reference {text!r} names no design point ("
                              f"{known}points {min(points)}-{max(points)})")
    for name in REFERENCE_LABELS:
        if name in labels:
            point = points[labels.index(name)]
            return point, f"point {point} ('{name}'), the point labelled '{name}'"
    return points[0], ("point 0, the first design point (no point is labelled "
                       "'reference' or 'baseline'; choose one with --reference)")


def contrast(x: np.ndarray, y: np.ndarray, share: bool, level: float = LEVEL
             ) -> dict[str, float | str | int]:
    """Paired difference ``x - y`` over the pairs where both are defined.

    Returns n, diff (mean difference), ci_low, ci_high, ci_method (``t`` or ``newcombe``),
    test and the two-sided p_value. Differences without spread have a zero-width t interval
    and p 1 (all zero) or 0 (all the same nonzero value).
    """
    keep = np.isfinite(x) & np.isfinite(y)
    x, y = np.asarray(x, dtype=float)[keep], np.asarray(y, dtype=float)[keep]
    n = int(x.size)
    if n < 2:
        return {"n": n, "diff": math.nan, "ci_low": math.nan, "ci_high": math.nan,
                "ci_method": "n/a", "test": "n/a", "p_value": math.nan}
    d = x - y
    diff = float(d.mean())
    if share:
        low, high = newcombe_paired(x, y, level)
        b = int(np.sum((x == 1) & (y == 0)))
        c = int(np.sum((x == 0) & (y == 1)))
        table = [[int(np.sum((x == 1) & (y == 1))), b], [c, int(np.sum((x == 0) & (y == 0)))]]
        p = float(mcnemar(table, exact=True).pvalue) if b + c else 1.0
        return {"n": n, "diff": diff, "ci_low": low, "ci_high": high,
                "ci_method": "newcombe", "test": "exact McNemar", "p_value": p}
    low, high = t_interval(d, level)
    if float(d.std(ddof=1)) == 0.0:
        p = 1.0 if diff == 0.0 else 0.0
    else:
        with warnings.catch_warnings():  # differences equal up to rounding: p is still ~0
            warnings.simplefilter("ignore", RuntimeWarning)
            p = float(stats.ttest_rel(x, y).pvalue)
    return {"n": n, "diff": diff, "ci_low": low, "ci_high": high, "ci_method": "t",
            "test": "paired t", "p_value": p}


def paired_contrasts(outcomes: pd.DataFrame, design: pd.DataFrame, reference: int,
                     names: Sequence[str] | None = None, level: float = LEVEL) -> pd.DataFrame:
    """Each design point minus ``reference``, per outcome, paired by replicate.

    Returns:
        One row per (outcome, point other than the reference): outcome, point, label,
        reference, reference_label, n (pairs), mean, reference_mean (over the pairs), diff,
        ci_low, ci_high, ci_method, test, p_value and p_holm (Holm over the whole table).
    """
    labels = point_labels(design)
    points = [p for p in sorted(labels) if p != reference]
    rows = []
    for name in outcome_names(outcomes, names):
        wide = outcomes.pivot_table(index="replicate", columns="point", values=name,
                                    aggfunc="first", dropna=False)
        wide = wide.reindex(columns=sorted(labels))
        share = is_share(outcomes[name])
        y = wide[reference].to_numpy(dtype=float)
        for p in points:
            x = wide[p].to_numpy(dtype=float)
            both = np.isfinite(x) & np.isfinite(y)
            rows.append({"outcome": name, "point": p, "label": labels[p],
                         "reference": reference, "reference_label": labels[reference],
                         "mean": float(x[both].mean()) if both.any() else math.nan,
                         "reference_mean": float(y[both].mean()) if both.any() else math.nan,
                         **contrast(x, y, share, level)})
    table = pd.DataFrame(rows, columns=COLUMNS)
    table["p_holm"] = holm(table["p_value"].to_numpy(dtype=float))
    return table[COLUMNS]


def plot_paired(table: pd.DataFrame, path: Path) -> Path:
    """Forest plot: each point's difference from the reference with its CI, per outcome."""
    names = list(dict.fromkeys(table["outcome"]))[:PLOT_MAX_OUTCOMES]
    cols = min(3, len(names))
    rows = math.ceil(len(names) / cols)
    first = table[table["outcome"] == names[0]]
    n_points = min(len(first), PLOT_MAX_POINTS)
    fig = Figure(figsize=(4.2 * cols, 1.2 + rows * (0.9 + 0.28 * n_points)))
    axes = fig.subplots(rows, cols, squeeze=False, sharey=True)
    for ax, name in zip(axes.flat, names, strict=False):
        sub = table[table["outcome"] == name].head(PLOT_MAX_POINTS)
        pos = np.arange(len(sub))[::-1]
        diff = sub["diff"].to_numpy(dtype=float)
        err = np.vstack([diff - sub["ci_low"].to_numpy(dtype=float),
                         sub["ci_high"].to_numpy(dtype=float) - diff])
        ax.errorbar(diff, pos, xerr=np.where(np.isfinite(err), err, 0.0), fmt="o",
                    color="tab:blue", ecolor="tab:blue", capsize=3, markersize=4)
        ax.axvline(0.0, color="0.4", linewidth=0.8, linestyle="--")
        ax.set_yticks(pos, sub["label"].astype(str))
        method = "/".join(sorted(set(sub["ci_method"]) - {"n/a"})) or "n/a"
        ax.set_title(f"{name} ({method} 95% CI)", fontsize=9)
        ax.tick_params(labelsize=8)
    for ax in list(axes.flat)[len(names):]:
        ax.set_visible(False)
    ref = str(table["reference_label"].iloc[0])
    more = []
    if table["outcome"].nunique() > PLOT_MAX_OUTCOMES:
        more.append(f"first {PLOT_MAX_OUTCOMES} outcomes")
    if len(first) > PLOT_MAX_POINTS:
        more.append(f"first {PLOT_MAX_POINTS} points")
    fig.suptitle(f"Paired difference from the reference ({ref}), same seeds"
                 + (f"; {', '.join(more)}" if more else ""), fontsize=10)
    fig.supxlabel("point minus reference (mean over replicates)", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    return path


def write_paired(report: Report) -> None:
    """``paired.*``: every design point against the reference, paired by replicate.

    Runs for points designs, and for any design when ``--reference`` names a point; only
    where the points share replicate seeds (else a note says why it was skipped).
    """
    sweep = report.sweep
    if sweep.kind != "points" and report.reference is None:
        return
    if not report.names or not len(sweep.outcomes):
        return
    why = unpaired_reason(sweep)
    if why is not None:
        report.notes.append(f"No paired contrasts: {why}.")
        return
    reference, how = choose_reference(sweep, report.reference)
    table = paired_contrasts(sweep.outcomes, sweep.design, reference, report.names)
    intro = [f"Reference: {how}. Replicate r of every design point ran from the same seed "
             "(common random numbers), so each point is compared with the reference "
             "replicate by replicate: diff is the mean of the per-replicate differences "
             "(point minus reference) over the n pairs where both runs succeeded.",
             "95% CI per ci_method: `t`, Student-t on the differences; `newcombe`, "
             "Newcombe's interval for paired proportions (Newcombe 1998, method 10), for "
             "outcomes whose every value is 0 or 1. p_value: two-sided paired t-test or "
             "exact McNemar test; p_holm: Holm-adjusted over every row of the table "
             "(Holm 1979)."]
    report.csv(table, "paired")
    report.md("paired", "Paired contrasts against the reference point", intro, table)
    report.png(plot_paired(table, report.out / "paired.png"))
    report.notes.append(f"Paired contrasts (paired.md): reference {how}.")
    for name in report.names:
        sub = table[(table["outcome"] == name) & np.isfinite(table["diff"])]
        if not len(sub):
            continue
        top = sub.loc[sub["diff"].abs().idxmax()]
        hits = int((sub["p_holm"] < 0.05).sum())
        report.findings[name].append(
            f"Paired against `{top['reference_label']}`: {hits} of {len(sub)} points differ "
            f"at Holm-adjusted p < 0.05; largest difference `{top['label']}` "
            f"{top['diff']:+.3g} [{top['ci_low']:.3g}, {top['ci_high']:.3g}] "
            f"({top['ci_method']}, n = {int(top['n'])}).")
