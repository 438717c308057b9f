"""Figures for the workshop dashboard, sized and lettered to be read on a projector.

Each function returns a ``matplotlib.figure.Figure`` built without pyplot, so browser
sessions can draw at the same time. The colours are those of ``viz.figures``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from sim.grant import PHASES
from viz.figures import (
    INACTIVE,
    PHASE_COLOURS,
    PHASE_LABELS,
    SECTOR_COLOURS,
    SECTOR_LABELS,
    STATUS_COLOURS,
    TRUST_CMAP,
)

FONT = 13
CHARTS = {
    "mean_trust": ("Trust on ties", "mean trust (0-1)"),
    "active_cross_sector_ties": ("Active cross-sector ties", "ties"),
    "institutionalization": ("Habits (institutionalization)", "index (0-1)"),
    "partner_funding_ratio": ("Share of the core cost partners pay", "share"),
}
SIDE_STYLES = ("-", "--")
SIDE_COLOURS = ("#1f3b5c", "#b2182b")
PERSONAL_ONLY = 0.05
"""Institutional trust below which a tie counts as carried only by the people on it."""


def _shade_phases(ax: Any, phase: np.ndarray) -> None:
    """Shade the grant phases of a month-indexed ``phase`` code series."""
    if phase.size == 0:
        return
    start = 0
    for m in range(1, phase.size + 1):
        if m == phase.size or phase[m] != phase[start]:
            name = PHASES[int(phase[start])]
            if name in PHASE_COLOURS:
                ax.axvspan(start, m, color=PHASE_COLOURS[name], lw=0, zorder=0)
            start = m


def network(model: Any, title: str, new_leader_months: int = 6,
            since: np.ndarray | None = None) -> Figure:
    """The partnership network now, on the regional map.

    Nodes are coloured by sector and sized by commitment; organizations not taking part are
    faded; the lead agency is a star. Active ties are coloured and widened by trust, dashed
    where only the people on them carry them (institutional trust below
    :data:`PERSONAL_ONLY`, no agreement). A red ring marks a leader who arrived in the last
    ``new_leader_months`` (``since``: month of each organization's last leader change).
    Subregional nodes are shaded bands.
    """
    g = model.graph()
    r = model.params.region
    fig = Figure(figsize=(9.5, 4.6), layout="constrained")
    ax = fig.add_subplot()
    nodes = model.params.grant.subregional_nodes
    for k in range(nodes):
        if nodes > 1:
            ax.add_patch(Rectangle((k * r.length_km / nodes, 0), r.length_km / nodes,
                                   r.width_km, color="#f0f0f0" if k % 2 else "#e6eef5",
                                   lw=0, zorder=0))
            ax.text((k + 0.5) * r.length_km / nodes, r.width_km * 1.02, f"subregion {k + 1}",
                    ha="center", va="bottom", fontsize=FONT - 3, color="#555555")
    pos = {i: (d["x"], d["y"]) for i, d in g.nodes(data=True)}
    inactive = [(pos[u], pos[v]) for u, v, d in g.edges(data=True) if not d["active"]]
    if inactive:
        ax.add_collection(LineCollection(inactive, colors=INACTIVE, linewidths=0.5,
                                         linestyles=(0, (1, 3)), alpha=0.5, zorder=1))
    norm = Normalize(0.0, 1.0)
    for personal in (False, True):
        edges = [(d["trust"], (pos[u], pos[v])) for u, v, d in g.edges(data=True)
                 if d["active"] and personal == (d["institutional_trust"] < PERSONAL_ONLY
                                                 and not d["agreement"])]
        if edges:
            trust = np.array([t for t, _ in edges])
            ax.add_collection(LineCollection(
                [s for _, s in edges], colors=TRUST_CMAP(norm(trust)),
                linewidths=1.0 + 3.0 * trust, linestyles=(0, (4, 2)) if personal else "solid",
                alpha=0.9, zorder=2))
    data = [d for _, d in g.nodes(data=True)]
    for d in data:
        size = 60 + 340 * d["commitment"]
        colour = SECTOR_COLOURS[d["sector"]]
        alpha = 1.0 if d["taking_part"] else 0.3
        ax.scatter([d["x"]], [d["y"]], s=size * (2.2 if d["lead"] else 1.0),
                   marker="*" if d["lead"] else "o", c=colour, alpha=alpha,
                   edgecolors="#222222" if d["taking_part"] else "none", linewidths=1.0,
                   zorder=4)
    if since is not None:
        recent = [i for i in pos if since[i] >= 0 and model.month - since[i] < new_leader_months]
        if recent:
            ax.scatter([pos[i][0] for i in recent], [pos[i][1] for i in recent], s=520,
                       facecolors="none", edgecolors="#d62728", linewidths=2.2, zorder=5)
    ax.set_xlim(-0.03 * r.length_km, 1.03 * r.length_km)
    ax.set_ylim(-0.08 * r.width_km, 1.15 * r.width_km)
    ax.set_aspect("equal", adjustable="box")
    ax.set_xticks([])
    ax.set_yticks([])
    for side in ax.spines.values():
        side.set_visible(False)
    active = [d for *_, d in g.edges(data=True) if d["active"]]
    part = sum(d["taking_part"] for d in data)
    ax.set_title(f"{title} — month {model.month}: {part} of {len(data)} taking part, "
                 f"{len(active)} active ties", fontsize=FONT + 1)
    handles = [Line2D([], [], marker="o", ls="", markersize=10, markerfacecolor=c,
                      markeredgecolor="#222222", label=SECTOR_LABELS[s])
               for s, c in SECTOR_COLOURS.items()]
    handles += [Line2D([], [], marker="*", ls="", markersize=15, markerfacecolor="white",
                       markeredgecolor="#222222", label="lead"),
                Line2D([], [], color=TRUST_CMAP(0.8), lw=3, label="trusted tie"),
                Line2D([], [], color=TRUST_CMAP(0.8), lw=2, ls=(0, (4, 2)),
                       label="held by people only"),
                Line2D([], [], marker="o", ls="", markersize=13, markerfacecolor="none",
                       markeredgecolor="#d62728", label="new leader")]
    fig.legend(handles=handles, loc="outside lower center", ncol=4, frameon=False,
               fontsize=FONT - 3)
    return fig


def timeline(phase: np.ndarray, month: int, months: int) -> Figure:
    """The grant's phases as a strip, with the current month marked."""
    fig = Figure(figsize=(9.5, 1.1), layout="constrained")
    ax = fig.add_subplot()
    _shade_phases(ax, phase)
    start = 0
    for m in range(1, phase.size + 1):
        if m == phase.size or phase[m] != phase[start]:
            label = PHASE_LABELS.get(PHASES[int(phase[start])], "")
            if m - start >= 6:
                ax.text((start + m) / 2, 0.5, label, ha="center", va="center", fontsize=FONT - 1)
            start = m
    ax.axvline(month, color="#d62728", lw=3)
    ax.set_xlim(0, months)
    ax.set_ylim(0, 1)
    ax.set_yticks([])
    ax.set_xticks(range(0, months + 1, 12))
    ax.set_xticklabels([f"yr {k}" for k in range(0, months // 12 + 1)], fontsize=FONT - 3)
    return fig


def charts(sides: Sequence[tuple[str, Mapping[str, np.ndarray]]], phase: np.ndarray,
           months: int) -> Figure:
    """Four large charts of the monthly series, both sides when comparing."""
    fig = Figure(figsize=(9.5, 5.6), layout="constrained")
    axes = fig.subplots(2, 2, sharex=True)
    for ax, (key, (title, unit)) in zip(axes.flat, CHARTS.items(), strict=True):
        _shade_phases(ax, phase)
        for k, (label, series) in enumerate(sides):
            y = np.asarray(series[key], dtype=float)
            ax.plot(np.arange(y.size), y, SIDE_STYLES[k % 2], color=SIDE_COLOURS[k % 2], lw=2.6,
                    label=label)
        ax.set_title(title, fontsize=FONT)
        ax.set_ylabel(unit, fontsize=FONT - 3)
        ax.set_xlim(0, months)
        ax.tick_params(labelsize=FONT - 4)
        ax.grid(color="#dddddd", lw=0.6)
    for ax in axes[1]:
        ax.set_xlabel("month", fontsize=FONT - 3)
    if len(sides) > 1:
        axes[0, 0].legend(fontsize=FONT - 3, frameon=False)
    return fig


def difference(a: Mapping[str, np.ndarray], b: Mapping[str, np.ndarray], labels: Sequence[str],
               phase: np.ndarray, months: int, key: str = "function_level") -> Figure:
    """The right side minus the left, month by month, on the same seed."""
    fig = Figure(figsize=(9.5, 2.8), layout="constrained")
    ax = fig.add_subplot()
    _shade_phases(ax, phase)
    d = np.asarray(b[key], dtype=float) - np.asarray(a[key], dtype=float)
    ax.axhline(0, color="#555555", lw=1)
    ax.fill_between(np.arange(d.size), 0, d, where=d >= 0, color="#1b7837", alpha=0.6)
    ax.fill_between(np.arange(d.size), 0, d, where=d < 0, color="#b2182b", alpha=0.6)
    ax.set_xlim(0, months)
    ax.set_title(f"{labels[1]} minus {labels[0]}: function level (same seed)", fontsize=FONT)
    ax.tick_params(labelsize=FONT - 4)
    return fig


def replicates(results: Sequence[tuple[str, Sequence[float], Sequence[float]]],
               guess: float | None) -> Figure:
    """Each replicate as a dot: function level two years after the grant, by status.

    ``results`` holds, per side, its label, the function levels and the statuses (2
    sustained, 1 scaled back, 0 dissolved). ``guess`` is the room's predicted share
    sustained, shown beside the result.
    """
    fig = Figure(figsize=(9.5, 3.6), layout="constrained")
    ax = fig.add_subplot()
    rng = np.random.default_rng(0)  # fixed jitter: the picture does not move on redraw
    colours = {2.0: STATUS_COLOURS["sustained"], 1.0: STATUS_COLOURS["scaled_back"],
               0.0: STATUS_COLOURS["dissolved"]}
    labels = []
    for k, (label, level, status) in enumerate(results):
        level, status = np.asarray(level, float), np.asarray(status, float)
        y = k + rng.uniform(-0.25, 0.25, level.size)
        ax.scatter(level, y, s=70, c=[colours.get(s, "#999999") for s in status],
                   edgecolors="white", linewidths=0.6, zorder=3)
        share = float(np.mean(status == 2.0)) if status.size else float("nan")
        text = f"{label}: {share:.0%} sustain"
        if guess is not None:
            text += f" (room guessed {guess:.0%})"
        labels.append(text)
    ax.set_yticks(range(len(results)))
    ax.set_yticklabels(labels, fontsize=FONT - 1)
    ax.set_xlim(0, 1.02)
    ax.set_ylim(-0.6, len(results) - 0.4)
    ax.set_xlabel("function level two years after the grant (each dot is one run)",
                  fontsize=FONT - 3)
    handles = [Line2D([], [], marker="o", ls="", markersize=10, markerfacecolor=c,
                      markeredgecolor="white", label=s.replace("_", " "))
               for s, c in STATUS_COLOURS.items()]
    ax.legend(handles=handles, fontsize=FONT - 4, frameon=False, loc="lower right")
    ax.grid(axis="x", color="#dddddd", lw=0.6)
    return fig
