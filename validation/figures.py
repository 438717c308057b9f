"""Figures of the validation report: one small PNG per tested pattern.

Drawn on matplotlib ``Figure`` objects rather than pyplot, so no global figure state or
GUI backend is involved; the HTML report embeds them inline as base64 PNGs.
"""

from __future__ import annotations

import io
import math
from typing import Any

from validation.inference import Level, PatternResult, arm_index
from validation.suite import SuiteResult
from validation.text import band_text


def pattern_png(r: PatternResult, res: SuiteResult) -> bytes | None:
    """A small figure of one pattern.

    Pairs: each arm's mean and, beside it, the paired difference against zero (with
    common random numbers the difference is much sharper than the two arms' intervals
    suggest). Bands: the mean with its interval over the shaded band. Associations: the
    two statistics of each run.
    """
    from matplotlib.figure import Figure

    p = r.pattern
    blue, green, red = "#4a6fa5", "#1e6b34", "#a12622"
    if p.kind == "association":
        fig = Figure(figsize=(3.4, 2.4), dpi=100)
        ax = fig.add_subplot()
        arm = res.arms[arm_index(res.arms)[p.a.key]]
        x, y = arm.values[p.a.statistic], arm.values[p.b.statistic]
        ax.scatter(x, y, s=6, alpha=0.5, color=blue)
        ax.set_xlabel(p.a.statistic, fontsize=7)
        ax.set_ylabel(p.b.statistic, fontsize=7)
        ax.set_title(f"{p.id}: {r.status}, ρ = {r.effect.text(2)}", fontsize=8)
        axes = [ax]
    elif p.kind == "band":
        fig = Figure(figsize=(2.6, 2.4), dpi=100)
        ax = fig.add_subplot()
        lvl = r.effect
        _interval(ax, 0, lvl, blue)
        lo, hi = p.band
        ax.axhspan(lo, hi, color=green if r.passed else red, alpha=0.12)
        top, bottom = max(hi, lvl.high), min(lo, lvl.low)
        pad = 0.1 * max(top - bottom, 1e-9)
        ax.set_ylim(bottom - pad, top + pad)
        ax.set_xticks([0], [_short(p.a.label or "baseline")], fontsize=7)
        ax.set_xlim(-0.8, 0.8)
        ax.set_ylabel(p.a.statistic, fontsize=7)
        ax.set_title(f"{p.id}: {r.status}, band {band_text(p)}", fontsize=8)
        axes = [ax]
    else:
        fig = Figure(figsize=(4.4, 2.4), dpi=100)
        ax, dx = fig.subplots(1, 2, gridspec_kw={"width_ratios": [2, 1]})
        for k, lvl in enumerate((r.arm_a, r.arm_b)):
            _interval(ax, k, lvl, blue)
        ax.set_xticks([0, 1], [_short(p.a.label or "A", 16), _short(p.b.label or "B", 16)],
                      fontsize=6)
        ax.set_xlim(-0.6, 1.6)
        ax.set_ylabel(p.a.statistic if p.a.statistic == p.b.statistic else "statistic",
                      fontsize=7)
        _interval(dx, 0, r.effect, green if r.passed else red)
        dx.axhline(0.0, color="#888", lw=0.8, ls="--")
        dx.set_xticks([0], ["A − B"], fontsize=7)
        dx.set_xlim(-0.8, 0.8)
        fig.suptitle(f"{p.id}: {r.status}, N = {r.n}", fontsize=8)
        axes = [ax, dx]
    for a in axes:
        a.tick_params(labelsize=7)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def _interval(ax: Any, x: float, lvl: Level | None, color: str) -> None:
    if lvl is None or not math.isfinite(lvl.value):
        return
    err = [[max(0.0, lvl.value - lvl.low)], [max(0.0, lvl.high - lvl.value)]]
    ax.errorbar([x], [lvl.value], yerr=err, fmt="o", color=color, capsize=4)


def _short(label: str, width: int = 22) -> str:
    return label if len(label) <= width else label[:width - 1] + "…"

