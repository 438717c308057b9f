"""How numbers, bands, effects and verdicts read in the reports and on the command line.

One place for the wording, so the Markdown and HTML reports, the calibration report and
``consortium validate`` print a band or an effect alike.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from validation.patterns import Pattern

if TYPE_CHECKING:
    from validation.inference import PatternResult


def num(x: float | None, digits: int = 3) -> str:
    """A number with ``digits`` decimals (fewer from 100 on); n/a and ±∞ as words."""
    if x is None or not math.isfinite(x):
        return "n/a" if x is None or math.isnan(x) else ("∞" if x > 0 else "-∞")
    if abs(x) >= 1000:
        return f"{x:.0f}"
    if abs(x) >= 100:
        return f"{x:.1f}"
    return f"{x:.{digits}f}"


def count_text(x: float) -> str:
    """A replicate count; infinite when the effect points the other way."""
    if math.isinf(x):
        return "none (no effect in the tested direction)"
    return str(int(x)) if math.isfinite(x) else "n/a"


def p_text(x: float) -> str:
    """A p-value with two significant digits, or <1e-6."""
    if not math.isfinite(x):
        return "n/a"
    return "<1e-6" if x < 1e-6 else f"{x:.2g}"


def band_text(p: Pattern) -> str:
    """The band as an interval with open or closed ends, e.g. '(0, 0.5]'."""
    lo, hi = p.band
    return (f"{'(' if p.band_open[0] else '['}{num(lo, 2)}, "
            f"{num(hi, 2)}{')' if p.band_open[1] else ']'}")


def criterion(p: Pattern) -> str:
    """What the pattern asks, in a line."""
    if p.kind == "pair":
        op = ">" if p.direction == "greater" else "<"
        return f"A {op} B, one-sided α = {p.alpha:g}"
    if p.kind == "association":
        op = ">" if p.direction == "greater" else "<"
        return f"ρ {op} 0, one-sided α = {p.alpha:g}"
    if p.kind == "band":
        return f"mean in {band_text(p)}"
    return "not testable"


def effect_label(p: Pattern) -> str:
    """What the effect column holds for this kind."""
    return {"pair": "mean difference A − B", "band": "mean", "association": "Spearman ρ"}.get(
        p.kind, "")


def effect_text(r: PatternResult) -> str:
    """The effect with its 95% interval, or why there is none."""
    if r.effect is None:
        return "not testable" if r.status == "not testable" else "n/a"
    return r.effect.text()


def verdict_text(r: PatternResult) -> str:
    """'pass', 'fail' or 'not testable', with the band qualifier."""
    if r.pattern.kind == "band" and r.ci_in_band is not None:
        where = ("CI inside band" if r.ci_in_band else
                 "CI outside band" if r.ci_outside_band else "CI crosses a band edge")
        return f"{r.status} ({where})"
    return r.status
