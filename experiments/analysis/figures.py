"""Figures of the analysis, drawn on ``matplotlib.figure.Figure`` and saved as PNG.

Figures are saved with the Agg renderer, so no pyplot state or interactive backend is
involved. Each ``plot_*`` function draws one figure from analysis tables, saves it and
returns its path.
"""

from __future__ import annotations

import functools
import math
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from experiments.analysis.replicates import replicate_tracks
from sim.params import parameter_table
from sim.summary import describe

DPI = 150
MAX_PANELS = 60       # figures beyond this many panels show the first outcomes only
MAX_LINES = 8         # convergence panels show the factors with the largest final index;
                      # time-series and interaction panels draw at most this many lines
MAX_PAIRS = 21        # interaction plots show the first 21 factor pairs (7 factors)
MAX_LEVEL_TICKS = 12  # whole-number factors with more levels get MaxNLocator ticks


# ------------------------------------------------------------------- axis labels and ticks
@functools.cache
def _units() -> dict[str, str]:
    return {row["key"]: str(row["unit"]) for row in parameter_table() if row["unit"]}


def factor_label(key: str) -> str:
    """A factor's axis label: its key and the unit the parameter schema gives it."""
    unit = _units().get(key)
    return f"{key} ({unit})" if unit else key


def outcome_label(name: str, width: int = 36) -> str:
    """An outcome's axis label: its name and, for the model's outcomes, its description."""
    text = describe(name)
    if not text:
        return name
    return name + "\n" + textwrap.fill(textwrap.shorten(text, 2 * width, placeholder="..."),
                                       width)


def is_whole(values: Sequence[Any] | pd.Series) -> bool:
    """Whether every value is a whole number (integer factors, levels such as 3, 5, 8)."""
    v = pd.Series(list(values), dtype=object).infer_objects()
    if not len(v) or pd.api.types.is_bool_dtype(v) or v.map(type).eq(bool).any():
        return False
    x = pd.to_numeric(v, errors="coerce").to_numpy(dtype=float)
    return bool(np.isfinite(x).all() and np.all(x == np.rint(x)))


def _factor_axis(ax, key: str, values: Sequence[Any] | pd.Series, which: str = "x",
                 fontsize: float = 8) -> None:
    """Label an axis with the factor and its unit; whole-number factors get whole ticks."""
    axis = ax.xaxis if which == "x" else ax.yaxis
    axis.set_label_text(factor_label(key), fontsize=fontsize)
    if not is_whole(values):
        return
    levels = np.unique(pd.to_numeric(pd.Series(list(values))).to_numpy(dtype=float))
    if len(levels) <= MAX_LEVEL_TICKS:
        axis.set_ticks(levels, [str(int(v)) for v in levels])
    else:
        axis.set_major_locator(MaxNLocator(integer=True))


def _grid(n: int, ncols: int, panel: tuple[float, float],
          title: str) -> tuple[Figure, list]:
    ncols = max(1, min(ncols, n))
    nrows = max(1, math.ceil(n / ncols))
    fig = Figure(figsize=(panel[0] * ncols, panel[1] * nrows + 0.6), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel().tolist()
    for ax in axes[n:]:
        ax.set_visible(False)
    fig.suptitle(textwrap.fill(title, width=max(30, int(panel[0] * ncols * 8.5))), fontsize=12)
    return fig, axes[:n]


def _fit_outcomes(outs: list, per_outcome: int, title: str) -> tuple[list, str]:
    """Keep as many outcomes (rows of panels) as fit in MAX_PANELS, and say so."""
    keep = max(1, MAX_PANELS // max(1, per_outcome))
    if len(outs) <= keep:
        return outs, title
    return outs[:keep], f"{title} [first {keep} of {len(outs)} outcomes; the CSV has all]"


def _save(fig: Figure, path: Path) -> Path:
    fig.savefig(path, dpi=DPI, facecolor="white")
    return path


def _rotate(ax, labels: Sequence[str]) -> None:
    if max((len(str(s)) for s in labels), default=0) * len(labels) > 40:
        for lab in ax.get_xticklabels():
            lab.set_rotation(30)
            lab.set_horizontalalignment("right")


def plot_sobol(table: pd.DataFrame, path: Path) -> Path:
    """Bar chart of S1 and ST with 95% bootstrap whiskers, one panel per outcome."""
    outs = list(dict.fromkeys(table["outcome"]))
    k = table["factor"].nunique()
    fig, axes = _grid(len(outs), 3, (max(4.0, 0.55 * k + 1.8), 3.4),
                      "Sobol indices of the replicate mean (bars: estimate; whiskers: 95% CI)")
    for ax, name in zip(axes, outs, strict=True):
        t = table[table["outcome"] == name]
        x = np.arange(len(t))
        w = 0.38
        ax.bar(x - w / 2, t["S1"], w, yerr=t["S1_conf"], capsize=3, color="#4C72B0",
               label="first order S1")
        ax.bar(x + w / 2, t["ST"], w, yerr=t["ST_conf"], capsize=3, color="#DD8452",
               label="total order ST")
        ax.axhline(0.0, color="black", lw=0.8)
        ax.set_xticks(x, t["factor"])
        _rotate(ax, t["factor"].tolist())
        ax.set_ylabel("share of output variance")
        ax.set_title(name)
        ax.legend(fontsize=8, loc="upper right")
    return _save(fig, path)


def plot_morris(table: pd.DataFrame, path: Path, top: int = 5) -> Path:
    """mu* against sigma per outcome; the ``top`` factors by mu* are labelled."""
    outs = list(dict.fromkeys(table["outcome"]))
    fig, axes = _grid(len(outs), 3, (4.6, 4.0),
                      "Morris screening: mean |elementary effect| (mu*) vs its spread (sigma)")
    for ax, name in zip(axes, outs, strict=True):
        t = table[table["outcome"] == name].sort_values("mu_star", ascending=False)
        ax.errorbar(t["mu_star"], t["sigma"], xerr=t["mu_star_conf"], fmt="o", ms=5,
                    color="#4C72B0", ecolor="#9DB3D8", capsize=2)
        hi = float(np.nanmax([t["mu_star"].max(), t["sigma"].max(), 1e-12]))
        ax.plot([0, hi], [0, hi], ls="--", color="grey", lw=0.8, label="sigma = mu*")
        for _, r in t.head(top).iterrows():
            ax.annotate(str(r["factor"]), (r["mu_star"], r["sigma"]), fontsize=8,
                        xytext=(4, 4), textcoords="offset points")
        ax.set_xlabel("mu* (output units over the factor range)")
        ax.set_ylabel("sigma")
        ax.set_title(name)
        ax.legend(fontsize=8, loc="upper left")
    return _save(fig, path)


def plot_ranking(scores: pd.DataFrame, path: Path, top: int = 30,
                 group: str | None = None) -> Path:
    """Horizontal bars of the ``top`` screening scores, coloured by the ``group`` column.

    ``scores`` is :func:`~experiments.analysis.morris.screening_scores` (factor, score,
    outcome), optionally with a label column such as the parameter's source.
    """
    t = scores.head(top).iloc[::-1]
    groups = list(dict.fromkeys(scores[group])) if group else [None]
    palette = matplotlib.colormaps["tab10"]
    colour = {g: palette(i % palette.N) for i, g in enumerate(groups)}
    fig = Figure(figsize=(8.0, 0.26 * len(t) + 1.4), layout="constrained")
    ax = fig.subplots()
    y = np.arange(len(t))
    ax.barh(y, t["score"], color=[colour[g] for g in (t[group] if group else [None] * len(t))])
    ax.set_yticks(y, [f"{f}  ({o})" for f, o in zip(t["factor"], t["outcome"], strict=True)],
                  fontsize=7)
    ax.set_xlim(0, 1.05)
    ax.set_xlabel("score: largest mu* / top mu* over the outcomes")
    if group:
        shown = [g for g in groups if g in set(t[group])]
        handles = [Patch(color=colour[g], label=str(g)) for g in shown]
        ax.legend(handles=handles, fontsize=8, loc="lower right", title=group)
    ax.set_title(f"Morris screening: the {len(t)} highest-ranked factors "
                 "(in brackets: the outcome where the score is reached)", fontsize=10)
    return _save(fig, path)


def _levels_axis(levels: pd.Series) -> tuple[np.ndarray, list[str] | None]:
    numeric = pd.to_numeric(levels, errors="coerce")
    if numeric.notna().all() and not pd.api.types.is_bool_dtype(levels.infer_objects()):
        return numeric.to_numpy(dtype=float), None
    labels = [str(v) for v in levels]
    return np.arange(len(labels), dtype=float), labels


def _curve_grid(table: pd.DataFrame, path: Path, title: str,
                base: dict[str, Any] | None = None) -> Path:
    factors = list(dict.fromkeys(table["factor"]))
    outs, title = _fit_outcomes(list(dict.fromkeys(table["outcome"])), len(factors), title)
    fig, axes = _grid(len(outs) * len(factors), len(factors), (3.4, 2.7), title)
    for i, name in enumerate(outs):
        for j, factor in enumerate(factors):
            ax = axes[i * len(factors) + j]
            t = table[(table["factor"] == factor) & (table["outcome"] == name)]
            x, labels = _levels_axis(t["level"])
            ax.fill_between(x, t["ci_low"].to_numpy(float), t["ci_high"].to_numpy(float),
                            color="#4C72B0", alpha=0.25, lw=0, label="95% CI")
            ax.plot(x, t["mean"].to_numpy(float), "o-", color="#4C72B0", ms=3, label="mean")
            if labels is not None:
                ax.set_xticks(x, labels)
                ax.set_xlabel(factor_label(factor), fontsize=8)
            else:
                _factor_axis(ax, factor, t["level"])
            if base is not None and factor in base and "is_base" in t:
                b = t[t["is_base"].astype(bool)]
                if len(b):
                    xb = x[np.flatnonzero(t["is_base"].to_numpy(bool))]
                    ax.axvline(xb[0], color="#C44E52", ls=":", lw=1)
                    ax.plot(xb, b["mean"].to_numpy(float), "D", color="#C44E52", ms=5,
                            label="base")
            if j == 0:
                ax.set_ylabel(outcome_label(name), fontsize=8)
            ax.tick_params(labelsize=7)
            if i == 0 and j == 0:
                ax.legend(fontsize=7)
    return _save(fig, path)


def plot_ofat(curves: pd.DataFrame, path: Path) -> Path:
    """OFAT response curves: one panel per outcome and factor, CI band, base marked."""
    base = {f: True for f in curves["factor"].unique()}
    return _curve_grid(curves, path, "One-factor-at-a-time response: replicate mean with "
                       "95% CI (diamond and dotted line: base value)", base)


def plot_main_effects(effects: pd.DataFrame, path: Path) -> Path:
    """Main-effect plots: mean outcome by level of each factor, with 95% CIs."""
    return _curve_grid(effects, path, "Main effects: mean outcome at each factor level "
                       "(pooled over the other factors; 95% CI)")


def plot_convergence(conv: pd.DataFrame, path: Path) -> Path:
    """Indices against sample size with CI bars: one row per outcome, one panel per index.

    Each panel shows the ``MAX_LINES`` factors with the largest index at the full sample.
    """
    conv = conv[conv["conf"].notna()]
    indices = list(dict.fromkeys(conv["index"]))
    title = "Convergence of sensitivity indices with sample size (95% CI bars)"
    if conv["factor"].nunique() > MAX_LINES:
        title += f"; the {MAX_LINES} largest per panel"
    outs = list(dict.fromkeys(conv["outcome"])) if "outcome" in conv else [None]
    outs, title = _fit_outcomes(outs, len(indices), title)
    fig, axes = _grid(len(outs) * len(indices), len(indices), (4.6, 3.2), title)
    palette = matplotlib.colormaps["tab10" if conv["factor"].nunique() <= 10 else "tab20"]
    colour = {f: palette(i % palette.N) for i, f in enumerate(dict.fromkeys(conv["factor"]))}
    for i, name in enumerate(outs):
        sub = conv if name is None else conv[conv["outcome"] == name]
        for j, index in enumerate(indices):
            ax = axes[i * len(indices) + j]
            t = sub[sub["index"] == index]
            final = t[t["n"] == t["n"].max()].set_index("factor")["value"]
            factors = final.abs().sort_values(ascending=False, kind="stable").index[:MAX_LINES]
            for k, factor in enumerate(factors):
                f = t[t["factor"] == factor]
                shift = 1.0 + 0.03 * (k - (len(factors) - 1) / 2)
                ax.errorbar(f["n"] * shift, f["value"], yerr=f["conf"], marker="o", ms=3,
                            capsize=2, label=str(factor), color=colour[factor])
            ax.set_xscale("log", base=2)
            sizes = sorted(t["n"].unique())
            ax.set_xticks(sizes, [str(int(v)) for v in sizes])
            ax.minorticks_off()
            ax.set_xlabel("base samples N" if index in ("S1", "ST") else "trajectories r")
            ax.set_ylabel(index)
            ax.set_title(f"{name}: {index}" if name is not None else index, fontsize=9)
            if j == len(indices) - 1:
                ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return _save(fig, path)


def plot_scatter_grid(agg: pd.DataFrame, factors: Sequence[str], path: Path) -> Path:
    """Replicate mean of each outcome against each factor (rows: outcomes)."""
    outs, title = _fit_outcomes(list(dict.fromkeys(agg["outcome"])), len(factors),
                                "Replicate mean of each outcome against each factor")
    fig, axes = _grid(len(outs) * len(factors), len(factors), (3.0, 2.5), title)
    for i, name in enumerate(outs):
        sub = agg[agg["outcome"] == name]
        for j, factor in enumerate(factors):
            ax = axes[i * len(factors) + j]
            x = pd.to_numeric(sub[factor], errors="coerce")
            ax.scatter(x, sub["mean"], s=6, alpha=0.6, color="#4C72B0", lw=0)
            _factor_axis(ax, factor, sub[factor])
            if j == 0:
                ax.set_ylabel(outcome_label(name), fontsize=8)
            ax.tick_params(labelsize=7)
    return _save(fig, path)


def plot_replicates(outcomes: pd.DataFrame, guidance: pd.DataFrame, path: Path,
                    tolerance: float = 0.05, max_points: int = 12) -> Path:
    """Running CV over the first n replicates relative to its final value, per outcome.

    Grey: up to ``max_points`` design points; red: the point that needs the most
    replicates. The band is +/- ``tolerance``; the dotted line is where the slowest point
    settles. (Where a point's mean cannot be told from zero its running sd is shown.)
    """
    g = guidance[guidance["points"] > 0]
    fig, axes = _grid(max(1, len(g)), 3, (4.4, 3.2),
                      "Running coefficient of variation over the first n replicates, "
                      f"relative to its final value (band: ±{tolerance:.0%})")
    n = None
    for ax, row in zip(axes, g.itertuples(), strict=False):
        t = replicate_tracks(outcomes, row.outcome, tolerance)
        n = np.arange(1, t.track.shape[1] + 1)
        with np.errstate(invalid="ignore", divide="ignore"):
            rel = np.where(t.track == t.final[:, None], 1.0, t.track / t.final[:, None])
        worst = int(np.argmax(t.n_stable))
        shown = np.unique(np.linspace(0, len(t.points) - 1,
                                      min(max_points, len(t.points))).astype(int))
        for i in shown:
            k = slice(1, t.counts[i])
            ax.plot(n[k], rel[i, k], color="grey", alpha=0.45, lw=0.8)
        k = slice(1, t.counts[worst])
        ax.plot(n[k], rel[worst, k], color="#C44E52", lw=1.6,
                label=f"slowest: point {int(t.points[worst])}")
        ax.axhspan(1 - tolerance, 1 + tolerance, color="#55A868", alpha=0.2, lw=0)
        ax.axvline(row.n_stable_max, color="#C44E52", ls=":", lw=1)
        ax.set_ylim(0.0, 2.0)
        ax.set_xlim(2, max(3, int(t.counts.max())))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("replicates n")
        ax.set_ylabel("running CV / final CV")
        ax.set_title(f"{row.outcome} (settles at n={int(row.n_stable_max)})", fontsize=9)
        ax.legend(fontsize=7, loc="upper right")
    return _save(fig, path)



def plot_timeseries(curves: pd.DataFrame, time: str, path: Path, line: str = "point",
                    grant_ends: dict[Any, int] | None = None, note: str = "",
                    legend: dict[Any, str] | None = None) -> Path:
    """Series over time: one panel per variable, one line per ``line`` value, with bands.

    ``curves`` is :func:`~experiments.analysis.timeseries.timeseries_curves` (or its pooled
    form with ``line="level"``); ``legend`` names the lines. Yearly means are drawn at
    mid-year, so the dotted grant end (``grant_ends``: line -> first month after the grant)
    falls between the right years; where lines differ, each distinct end is drawn and the
    legend lists them.
    """
    variables = list(dict.fromkeys(curves["variable"]))[:MAX_PANELS]
    lines = sorted(dict.fromkeys(curves[line]), key=_sort_key)
    band = str(curves["band"].iloc[0]) if len(curves) else "t95"
    title = (f"Series over time: mean across replicates per {line} (band: "
             f"{'Student-t 95% CI of the replicate mean' if band == 't95' else band})")
    ncols = max(1, min(4, len(variables)))
    fig, axes = _grid(len(variables), ncols, (max(3.8, 8.0 / ncols), 2.7), f"{title}{note}")
    palette = matplotlib.colormaps["tab10"]
    years = time == "year"
    ends = {v: (grant_ends or {}).get(v) for v in lines}
    known = {e for e in ends.values() if e is not None}
    one_end = len(known) == 1 and None not in ends.values()
    for ax, var in zip(axes, variables, strict=True):
        sub = curves[curves["variable"] == var]
        for k, value in enumerate(lines):
            t = sub[sub[line] == value].sort_values(time)
            x = t[time].to_numpy(float) + (0.5 if years else 0.0)
            colour = palette(k % palette.N)
            ax.fill_between(x, t["lo"].to_numpy(float), t["hi"].to_numpy(float),
                            color=colour, alpha=0.18, lw=0)
            ax.plot(x, t["mean"].to_numpy(float), "-", color=colour, lw=1.3,
                    label=(legend or {}).get(value, f"{line} {value}"))
        for end in sorted(known):
            ax.axvline(end / 12 if years else end, color="black", ls=":", lw=1,
                       label="grant end" if one_end else None)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("years since start (yearly means at mid-year)" if years
                      else "months since start", fontsize=8)
        ax.set_ylabel(var, fontsize=8)
        ax.tick_params(labelsize=7)
    if axes:
        handles, labels = axes[0].get_legend_handles_labels()
        if known and not one_end:
            at = ", ".join(f"{e / 12:g}" if years else str(e) for e in sorted(known))
            labels = [*labels, f"grant ends (dotted): {'years' if years else 'months'} {at}"]
            handles = [*handles, Line2D([], [], color="black", ls=":", lw=1)]
        fig.legend(handles, labels, fontsize=7, loc="outside lower center",
                   ncols=min(3, len(labels)))
    return _save(fig, path)


def plot_interactions(cells: pd.DataFrame, path: Path) -> Path:
    """Interaction plots: mean outcome against factor A, one line per level of factor B.

    ``cells`` is :func:`~experiments.analysis.ofat.interaction_means`. One panel per factor
    pair and outcome, with 95% CI bars; lines that are not parallel show an interaction.
    """
    pairs = list(dict.fromkeys(zip(cells["factor_a"], cells["factor_b"], strict=True)))
    title = ("Interactions: mean outcome at each level of factor A (x axis), one line per "
             "level of factor B (95% CI bars)")
    if len(pairs) > MAX_PAIRS:
        title += f" [first {MAX_PAIRS} of {len(pairs)} factor pairs; the CSV has all]"
        pairs = pairs[:MAX_PAIRS]
    outs, title = _fit_outcomes(list(dict.fromkeys(cells["outcome"])), len(pairs), title)
    fig, axes = _grid(len(outs) * len(pairs), len(pairs), (3.8, 3.0), title)
    palette = matplotlib.colormaps["tab10"]
    for i, name in enumerate(outs):
        for j, (fa, fb) in enumerate(pairs):
            ax = axes[i * len(pairs) + j]
            t = cells[(cells["factor_a"] == fa) & (cells["factor_b"] == fb)
                      & (cells["outcome"] == name)]
            a_levels = sorted(dict.fromkeys(t["level_a"]), key=_sort_key)
            x_all, labels = _levels_axis(pd.Series(a_levels, dtype=object))
            where = dict(zip(map(repr, a_levels), x_all, strict=True))
            b_levels = sorted(dict.fromkeys(t["level_b"]), key=_sort_key)
            if len(b_levels) > MAX_LINES:
                keep = np.unique(np.linspace(0, len(b_levels) - 1, MAX_LINES).astype(int))
                b_levels = [b_levels[k] for k in keep]
                ax.set_title(f"{MAX_LINES} of {len(t['level_b'].unique())} levels of {fb}",
                             fontsize=7)
            for k, lb in enumerate(b_levels):
                u = t[t["level_b"].map(repr) == repr(lb)]
                u = u.assign(_x=[where[repr(v)] for v in u["level_a"]]).sort_values("_x")
                mean = u["mean"].to_numpy(float)
                # rounding can put a Wilson end a hair inside the mean of an all-0/1 cell
                err = np.maximum(np.vstack([mean - u["ci_low"].to_numpy(float),
                                            u["ci_high"].to_numpy(float) - mean]), 0.0)
                ax.errorbar(u["_x"], mean, yerr=err, marker="o", ms=3, capsize=2, lw=1.2,
                            color=palette(k % palette.N), label=str(lb))
            if labels is not None:
                ax.set_xticks(x_all, labels)
                ax.set_xlabel(factor_label(fa), fontsize=8)
            else:
                _factor_axis(ax, fa, a_levels)
            if j == 0:
                ax.set_ylabel(outcome_label(name), fontsize=8)
            ax.tick_params(labelsize=7)
            ax.legend(fontsize=6, title=factor_label(fb), title_fontsize=6, loc="best")
    return _save(fig, path)


def _sort_key(value: Any) -> tuple[int, Any]:
    """Numbers in numeric order, then anything else by its text."""
    if isinstance(value, int | float | np.number) and not isinstance(value, bool):
        return (0, float(value))
    return (1, str(value))
