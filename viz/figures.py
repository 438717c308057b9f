"""Figures for a batch of runs: trajectory bands and partnership-network snapshots.

This is the only module that imports matplotlib; it uses the Agg backend and writes PNGs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import networkx as nx  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.collections import LineCollection  # noqa: E402
from matplotlib.colors import LinearSegmentedColormap, Normalize  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from sim.grant import PHASES  # noqa: E402

DPI = 130

SERIES = {
    "function_level": ("Function level", "§4.2 composite, 0-1"),
    "program_level": ("Local pathway programs", "program level (0-1)"),
    "active_cross_sector_ties": ("Active cross-sector ties", "ties"),
    "mean_trust": ("Mean trust on ties", "trust (0-1)"),
    "institutionalization": ("Institutionalization", "index (0-1)"),
    "taking_part_share": ("Organizations taking part", "share of organizations"),
    "positions_filled": ("Backbone positions filled", "positions"),
    "partner_funding_ratio": ("Partner funding of operations", "share of operations core"),
}

PHASE_COLOURS = {
    "planning": "#e4dcf0",
    "state": "#dcebf7",
    "taper": "#e2f2dc",
    "partner": "#fbe8cf",
}
PHASE_LABELS = {
    "planning": "Planning",
    "state": "State-funded",
    "taper": "Taper",
    "partner": "Partner-funded",
    "post": "After the grant",
}

# Okabe-Ito colours, safe for the common forms of colour blindness.
SECTOR_COLOURS = {
    "k12": "#0072B2",
    "college": "#E69F00",
    "employer": "#009E73",
    "intermediary": "#CC79A7",
}
SECTOR_LABELS = {
    "k12": "K-12",
    "college": "College",
    "employer": "Employer",
    "intermediary": "Intermediary",
}
TRUST_CMAP = LinearSegmentedColormap.from_list(
    "trust", plt.get_cmap("magma_r")(np.linspace(0.12, 0.92, 256)))
INACTIVE = "#c8c8c8"
LINE = "#1f3b5c"


def _stack(results: Sequence, name: str) -> np.ndarray:
    rows = [r.record.function_level() if name == "function_level" else r.record.series[name]
            for r in results]
    return np.vstack([np.asarray(row, dtype=float) for row in rows])


def _phase_spans(phase: np.ndarray) -> list[tuple[str, int, int]]:
    """Contiguous (phase name, start month, stop month) runs of the phase codes."""
    spans: list[tuple[str, int, int]] = []
    start = 0
    for t in range(1, len(phase) + 1):
        if t == len(phase) or phase[t] != phase[start]:
            spans.append((PHASES[int(phase[start])], start, t))
            start = t
    return spans


def trajectory_bands(results: Sequence, path: str | Path, title: str | None = None,
                     series: Mapping[str, tuple[str, str]] | None = None) -> Path:
    """Plot median and 50%/90% bands across replicates for key monthly series.

    Args:
        results: ``RunResult`` objects of one scenario (same horizon and grant schedule).
        path: PNG file to write.
        title: Figure title.
        series: Series name -> (panel title, y label); defaults to ``SERIES``.

    Returns:
        The path written.
    """
    if not results:
        raise ValueError("no results to plot")
    series = dict(series or SERIES)
    rec = results[0].record
    months = rec.months
    years = (np.arange(months) + 0.5) / 12.0
    spans = _phase_spans(rec.series["phase"])
    grant_end = rec.grant_end / 12.0

    ncols = 4 if len(series) > 4 else len(series)
    nrows = -(-len(series) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.0 * ncols, 3.0 * nrows + 0.9),
                             sharex=True, squeeze=False)
    for ax, (name, (panel, ylabel)) in zip(axes.flat, series.items(), strict=False):
        for phase, a, b in spans:
            if phase in PHASE_COLOURS:
                ax.axvspan(a / 12.0, b / 12.0, color=PHASE_COLOURS[phase], lw=0, zorder=0)
        data = _stack(results, name)
        if np.isnan(data).all():  # e.g. the function level, when the grant outlasts the run
            ax.text(0.5, 0.5, "not measured:\nthe grant outlasts the run", ha="center",
                    va="center", transform=ax.transAxes, fontsize=9, color="#555555")
            ax.set_title(panel, fontsize=10)
            continue
        q05, q25, q50, q75, q95 = np.nanpercentile(data, [5, 25, 50, 75, 95], axis=0)
        ax.fill_between(years, q05, q95, color=LINE, alpha=0.15, lw=0, zorder=1)
        ax.fill_between(years, q25, q75, color=LINE, alpha=0.30, lw=0, zorder=2)
        ax.plot(years, q50, color=LINE, lw=1.8, zorder=3)
        if 0 < rec.grant_end <= months:
            ax.axvline(grant_end, color="#b2182b", lw=1.2, ls="--", zorder=4)
        ax.set_title(panel, fontsize=11)
        ax.set_ylabel(ylabel, fontsize=9)
        ax.set_xlim(0, months / 12.0)
        lo = min(0.0, float(np.nanmin(q05))) if np.isfinite(q05).any() else 0.0
        ax.set_ylim(bottom=lo)
        ax.grid(axis="y", color="white", lw=0.8, alpha=0.9, zorder=0.5)
        ax.tick_params(labelsize=9)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    for ax in axes.flat[len(series):]:
        ax.set_visible(False)
    for ax in axes[-1]:
        ax.set_xlabel("years since the grant started", fontsize=9)
        ax.xaxis.set_tick_params(labelbottom=True)

    seen = [p for p in PHASES if p in {s[0] for s in spans}]
    handles = [Patch(facecolor=PHASE_COLOURS.get(p, "white"), edgecolor="#999999", lw=0.5,
                     label=PHASE_LABELS[p]) for p in seen]
    handles += [Line2D([], [], color=LINE, lw=1.8, label="median"),
                Patch(facecolor=LINE, alpha=0.45, label="50% of runs"),
                Patch(facecolor=LINE, alpha=0.15, label="90% of runs"),
                Line2D([], [], color="#b2182b", lw=1.2, ls="--", label="grant end")]
    fig.legend(handles=handles, loc="lower center", ncol=len(handles), frameon=False,
               fontsize=9, bbox_to_anchor=(0.5, 0.0))
    heading = title or "Trajectories across replicates"
    fig.suptitle(f"{heading}  ({len(results)} runs)", fontsize=13)
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    return _save(fig, path)


STATUS_COLOURS = {"sustained": "#1b7837", "scaled_back": "#e08214", "dissolved": "#762a83"}


def survival_curves(curves: Mapping[str, Sequence[Mapping[str, float]]], path: str | Path,
                    title: str | None = None, status: str = "sustained") -> Path:
    """Share of runs in a status by year after each design's own grant end, with Wilson bands.

    Args:
        curves: Label -> rows of :func:`sim.summary.survival` (one per year).
        path: PNG file to write.
        title: Figure title.
        status: ``sustained``, ``scaled_back`` or ``dissolved``.

    Returns:
        The path written.
    """
    if not curves:
        raise ValueError("no curves to plot")
    fig, ax = plt.subplots(figsize=(7.5, 5.4))
    cmap = plt.get_cmap("tab10")
    for n, (label, rows) in enumerate(curves.items()):
        rows = [r for r in rows if r["n"] > 0]
        years = np.array([r["year"] for r in rows])
        share = np.array([r[status] for r in rows])
        low = np.array([r[f"{status}_low"] for r in rows])
        high = np.array([r[f"{status}_high"] for r in rows])
        colour = cmap(n % 10)
        ax.fill_between(years, low, high, color=colour, alpha=0.15, lw=0, step="mid")
        ax.step(years, share, where="mid", color=colour, lw=2.0, label=label)
    ax.set_xlabel("years after the design's own grant end", fontsize=10)
    ax.set_ylabel(f"share of runs {status.replace('_', ' ')}", fontsize=10)
    ax.set_ylim(0.0, 1.0)
    ax.legend(frameon=False, fontsize=9, loc="upper center", bbox_to_anchor=(0.5, -0.14),
              ncol=2)
    return _finish(fig, ax, "y", title or f"Share {status.replace('_', ' ')} after the grant",
                   "steps: share of runs; bands: Wilson 95% intervals", path)


def ranked_designs(rows: Sequence[Mapping[str, float]], path: str | Path,
                   title: str | None = None) -> Path:
    """Designs ranked by the share sustained, each with its 95% interval and its cost.

    Args:
        rows: Rows of ``experiments.compare.summary_table`` (``design``, ``sustained``,
            ``sustained_low``, ``sustained_high``, ``cost_total_musd``).
        path: PNG file to write.
        title: Figure title.

    Returns:
        The path written.
    """
    if not rows:
        raise ValueError("no designs to plot")
    ranked = sorted(rows, key=lambda r: r["sustained"])
    fig, ax = plt.subplots(figsize=(9.0, 0.55 * len(ranked) + 1.6))
    y = np.arange(len(ranked))
    share = np.array([r["sustained"] for r in ranked])
    low = np.array([r["sustained_low"] for r in ranked])
    high = np.array([r["sustained_high"] for r in ranked])
    # Wilson ends can sit a rounding error inside the share at 0 or 1
    ax.errorbar(share, y, xerr=[np.clip(share - low, 0, None), np.clip(high - share, 0, None)],
                fmt="o", color=LINE, ms=7, capsize=4, lw=1.6)
    beside = ax.get_yaxis_transform()   # x in axes units, y in data units
    for k, r in enumerate(ranked):
        ax.text(1.03, k, f"{r['sustained']:.0%}, state pays ${r['cost_total_musd']:.1f}M",
                transform=beside, va="center", fontsize=9, color="#333333")
    ax.set_yticks(y, [r["design"] for r in ranked], fontsize=10)
    ax.set_xlim(0.0, 1.0)
    ax.set_xlabel("share of consortia sustained", fontsize=10)
    return _finish(fig, ax, "x", title or "Designs ranked by the share of consortia sustained",
                   "dots: share of runs; bars: Wilson 95% intervals", path)


def peeling_tradeoff(coverage: Sequence[float], density: Sequence[float], res_dim: Sequence[int],
                     chosen: int, path: str | Path, title: str | None = None) -> Path:
    """PRIM's peeling trajectory: coverage against density, the chosen box marked.

    Args:
        coverage: Share of the target futures inside each box, one per peeling step.
        density: Share of the futures in each box that meet the target.
        res_dim: Restricted dimensions of each box.
        chosen: Index of the box reported.
        path: PNG file to write.
        title: Figure title.

    Returns:
        The path written.
    """
    fig, ax = plt.subplots(figsize=(6.4, 5.0))
    points = ax.scatter(coverage, density, c=res_dim, cmap="viridis", s=22)
    ax.scatter([coverage[chosen]], [density[chosen]], s=160, facecolors="none",
               edgecolors="#c0392b", lw=2, label="box reported")
    fig.colorbar(points, ax=ax, label="restricted dimensions")
    ax.set_xlabel("coverage: share of target futures inside the box", fontsize=10)
    ax.set_ylabel("density: share of futures in the box meeting the target", fontsize=10)
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.grid(color="#dddddd", lw=0.8)
    ax.legend(frameon=False, fontsize=9, loc="lower left")
    ax.set_title(title or "PRIM peeling trajectory", fontsize=12)
    fig.tight_layout()
    return _save(fig, path)


def robustness_strip(sustained: Mapping[str, Sequence[float]], target: float,
                     path: str | Path, title: str | None = None) -> Path:
    """Each design's share sustained in every future, as dots, with the target line.

    Args:
        sustained: Design -> share sustained in each future.
        target: The share a design should reach (satisficing).
        path: PNG file to write.
        title: Figure title.

    Returns:
        The path written.
    """
    names = list(sustained)
    fig, ax = plt.subplots(figsize=(8.0, 0.6 * len(names) + 1.8))
    rng = np.random.default_rng(0)   # jitter only, for legibility
    for k, name in enumerate(names):
        values = np.asarray(sustained[name], dtype=float)
        met = values >= target
        jitter = k + rng.uniform(-0.18, 0.18, values.size)
        ax.scatter(values[met], jitter[met], s=16, color="#1f7a4d", alpha=0.8)
        ax.scatter(values[~met], jitter[~met], s=16, color="#b03a2e", alpha=0.8)
        ax.text(1.03, k, f"meets the target in {met.mean():.0%}",
                transform=ax.get_yaxis_transform(), va="center", fontsize=9)
    ax.axvline(target, color="#333333", ls="--", lw=1)
    ax.set_yticks(range(len(names)), names, fontsize=10)
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of consortia sustained in a future", fontsize=10)
    return _finish(fig, ax, "x", title or "Each design across the futures",
                   "one dot per future; dashed: the target", path)


def status_areas(rows: Sequence[Mapping[str, float]], path: str | Path,
                 title: str | None = None) -> Path:
    """Stacked shares of runs sustained, scaled back and dissolved, by year after the grant.

    ``rows`` are those of :func:`sim.summary.survival`; years past the horizon are left out.
    """
    rows = [r for r in rows if r["n"] > 0]
    if not rows:
        raise ValueError("no year after the grant lies within the horizon")
    years = np.array([r["year"] for r in rows])
    stack = [np.array([r[s] for r in rows]) for s in STATUS_COLOURS]
    fig, ax = plt.subplots(figsize=(7.0, 4.0))
    ax.stackplot(years, *stack, colors=list(STATUS_COLOURS.values()), alpha=0.85,
                 labels=[s.replace("_", " ") for s in STATUS_COLOURS])
    ax.set_xlim(years.min(), max(years.max(), years.min() + 1.0))
    ax.set_ylim(0.0, 1.0)
    ax.set_xlabel("years after the grant", fontsize=10)
    ax.set_ylabel("share of runs", fontsize=10)
    ax.legend(frameon=False, fontsize=9, loc="upper right")
    ax.set_title(title or "Status after the grant", fontsize=12)
    fig.tight_layout()
    return _save(fig, path)


def statewide(dist: Sequence[Mapping[str, float]], sustained: Sequence[float],
              path: str | Path, title: str, band: tuple[float, float]) -> Path:
    """A cohort's statewide outcome: status shares by tier, and consortia sustaining.

    Left, one bar per tier (and in all): the mean share of its consortia sustained, scaled
    back and dissolved. Right, across statewide replicates, how many of the cohort's
    consortia sustain, with the "select few" ``band`` (shares) shaded.
    """
    fig, (left, right) = plt.subplots(1, 2, figsize=(10.5, 0.5 * len(dist) + 2.6),
                                      gridspec_kw={"width_ratios": [1.4, 1]})
    labels = [f"{r['tier']} ({int(r['consortia'])})" for r in dist][::-1]
    start = np.zeros(len(dist))
    for status, colour in STATUS_COLOURS.items():
        share = np.array([r[f"{status}_share"] for r in dist])[::-1]
        left.barh(labels, share, left=start, color=colour, alpha=0.85,
                  label=status.replace("_", " "))
        for y, (x0, w) in enumerate(zip(start, share, strict=True)):
            if w >= 0.08:
                left.text(x0 + w / 2, y, f"{w:.0%}", ha="center", va="center", fontsize=8,
                          color="white")
        start += share
    left.set_xlim(0, 1)
    left.set_xlabel("mean share of the tier's consortia", fontsize=9)
    left.legend(frameon=False, fontsize=8, ncol=3, loc="lower center",
                bbox_to_anchor=(0.5, 1.0))
    total = int(dist[-1]["consortia"])
    v = np.asarray(sustained, dtype=float)
    right.axvspan(band[0] * total, band[1] * total, color="#1b7837", alpha=0.12,
                  label="'a select few'")
    right.hist(v, bins=np.arange(-0.5, total + 1.5), color=STATUS_COLOURS["sustained"],
               alpha=0.85)
    right.set_xlim(-0.5, max(v.max() if v.size else 0, band[1] * total) + 1.5)
    right.set_xlabel(f"consortia of {total} sustained", fontsize=9)
    right.set_ylabel("statewide replicates", fontsize=9)
    right.yaxis.set_major_locator(MaxNLocator(integer=True))
    right.legend(frameon=False, fontsize=8)
    for ax in (left, right):
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    fig.suptitle(title, fontsize=12)
    fig.tight_layout()
    return _save(fig, path)


def distribution(values: Mapping[str, Sequence[float]], path: str | Path,
                 title: str | None = None, notes: Mapping[str, str] | None = None) -> Path:
    """Histograms of an outcome across runs, one panel per label.

    ``notes`` adds a line to each panel, for instance the bimodality coefficient.
    """
    labels = list(values)
    fig, axes = plt.subplots(1, len(labels), figsize=(4.2 * len(labels), 3.4), squeeze=False)
    for ax, label in zip(axes[0], labels, strict=True):
        v = np.asarray(values[label], dtype=float)
        v = v[~np.isnan(v)]
        ax.hist(v, bins=np.linspace(0.0, 1.0, 21), color=LINE, alpha=0.8)
        ax.set_title(label, fontsize=11)
        ax.set_xlabel("value", fontsize=9)
        ax.set_ylabel("runs", fontsize=9)
        if notes and label in notes:
            ax.text(0.02, 0.96, notes[label], transform=ax.transAxes, fontsize=9, va="top")
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    fig.suptitle(title or "Distribution across runs", fontsize=12)
    fig.tight_layout()
    return _save(fig, path)


def network_snapshots(graphs: Mapping[str, nx.Graph], path: str | Path,
                      title: str | None = None,
                      extent: tuple[float, float] | None = None) -> Path:
    """Draw the partnership network at several moments on the regional map.

    Nodes sit at their ``x``, ``y`` position (km) and are coloured by sector; organizations
    taking part are solid with a dark outline, others faded; the lead is a star. Active ties
    are coloured by trust; inactive ties are faint grey.

    Args:
        graphs: Panel label -> graph from ``ConsortiumModel.graph()``.
        path: PNG file to write.
        title: Figure title.
        extent: (length_km, width_km) of the region; defaults to the nodes' range.

    Returns:
        The path written.
    """
    if not graphs:
        raise ValueError("no graphs to draw")
    xs = [d["x"] for g in graphs.values() for _, d in g.nodes(data=True)] or [1.0]
    ys = [d["y"] for g in graphs.values() for _, d in g.nodes(data=True)] or [1.0]
    width, height = extent or (max(xs), max(ys))
    width, height = max(width, max(xs), 1e-9), max(height, max(ys), 1e-9)
    aspect = width / height
    n = len(graphs)
    stacked = aspect > 1.6 and n > 1
    nrows, ncols = (n, 1) if stacked else (1, n)
    panel_w = 11.0 if stacked else 6.0
    panel_h = min(max(panel_w / aspect, 2.4), 6.5) + 1.0
    fig, axes = plt.subplots(nrows, ncols, figsize=(panel_w * ncols + 1.2, panel_h * nrows + 1.3),
                             squeeze=False, layout="constrained")
    norm = Normalize(0.0, 1.0)
    cmap = TRUST_CMAP
    pad_x, pad_y = 0.03 * width, 0.06 * height
    for ax, (label, g) in zip(axes.flat, graphs.items(), strict=True):
        _draw_network(ax, g, cmap, norm)
        ax.set_xlim(-pad_x, width + pad_x)
        ax.set_ylim(-pad_y, height + pad_y)
        ax.set_aspect("equal")
        ax.set_title(f"{label}\n{_network_caption(g)}", fontsize=10.5)
        ax.set_xlabel("km along the region", fontsize=9)
        ax.set_ylabel("km across", fontsize=9)
        ax.tick_params(labelsize=8)

    sm = plt.cm.ScalarMappable(norm=norm, cmap=cmap)
    cbar = fig.colorbar(sm, ax=axes, shrink=0.8, aspect=30, pad=0.01)
    cbar.set_label("trust on active tie", fontsize=9)
    handles = [Line2D([], [], marker="o", ls="", markersize=8, markerfacecolor=c,
                      markeredgecolor="#222222", label=SECTOR_LABELS[s])
               for s, c in SECTOR_COLOURS.items()]
    handles += [
        Line2D([], [], marker="o", ls="", markersize=8, markerfacecolor="#bbbbbb", alpha=0.4,
               markeredgecolor="none", label="not taking part"),
        Line2D([], [], marker="*", ls="", markersize=14, markerfacecolor="white",
               markeredgecolor="#222222", label="lead agency"),
        Line2D([], [], color=cmap(0.8), lw=2.0, label="active tie"),
        Line2D([], [], color=INACTIVE, lw=0.8, ls=(0, (2, 2)), label="inactive tie"),
    ]
    fig.legend(handles=handles, loc="outside lower center", ncol=len(handles), frameon=False,
               fontsize=9)
    fig.suptitle(title or "Partnership network", fontsize=13)
    return _save(fig, path)


def _network_caption(g: nx.Graph) -> str:
    nodes = g.nodes(data=True)
    part = sum(1 for _, d in nodes if d.get("taking_part"))
    active = [(u, v, d) for u, v, d in g.edges(data=True) if d.get("active")]
    cross = sum(1 for *_, d in active if d.get("cross_sector"))
    trust = np.mean([d["trust"] for *_, d in active]) if active else float("nan")
    trust_txt = f"{trust:.2f}" if np.isfinite(trust) else "n/a"
    return (f"{part}/{g.number_of_nodes()} organizations taking part · {len(active)} active "
            f"ties ({cross} cross-sector)\nmean trust on active ties {trust_txt}")


def _draw_network(ax: plt.Axes, g: nx.Graph, cmap, norm: Normalize) -> None:  # noqa: ANN001
    pos = {i: (d["x"], d["y"]) for i, d in g.nodes(data=True)}
    inactive = [(pos[u], pos[v]) for u, v, d in g.edges(data=True) if not d.get("active")]
    active = sorted(((d["trust"], (pos[u], pos[v])) for u, v, d in g.edges(data=True)
                     if d.get("active")), key=lambda t: t[0])
    if inactive:
        ax.add_collection(LineCollection(inactive, colors=INACTIVE, linewidths=0.6,
                                         linestyles=(0, (2, 2)), alpha=0.6, zorder=1))
    if active:
        trust = np.array([t for t, _ in active])
        ax.add_collection(LineCollection([seg for _, seg in active], colors=cmap(norm(trust)),
                                         linewidths=0.8 + 1.6 * trust, alpha=0.9, zorder=2))
    for taking_part in (False, True):
        for sector, colour in SECTOR_COLOURS.items():
            sel = [d for _, d in g.nodes(data=True) if d["sector"] == sector
                   and bool(d.get("taking_part")) == taking_part and not d.get("lead")]
            if not sel:
                continue
            ax.scatter([d["x"] for d in sel], [d["y"] for d in sel], s=55, c=colour,
                       alpha=1.0 if taking_part else 0.35,
                       edgecolors="#222222" if taking_part else "none",
                       linewidths=0.9, zorder=4 if taking_part else 3)
    for _, d in g.nodes(data=True):
        if d.get("lead"):
            ax.scatter([d["x"]], [d["y"]], s=330, marker="*", c=SECTOR_COLOURS[d["sector"]],
                       alpha=1.0 if d.get("taking_part") else 0.5, edgecolors="#222222",
                       linewidths=1.1, zorder=5)


def _finish(fig: plt.Figure, ax: plt.Axes, grid: str, title: str, note: str,
            path: str | Path) -> Path:
    """The house style of a one-panel chart: light grid, open frame, title, footnote; saved."""
    ax.grid(axis=grid, color="#dddddd", lw=0.8)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.set_title(title, fontsize=12)
    fig.text(0.01, 0.01, note, fontsize=8, color="#555555")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    return _save(fig, path)


def _save(fig: plt.Figure, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=DPI, facecolor="white")
    plt.close(fig)
    return path
