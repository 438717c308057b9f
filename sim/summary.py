"""Summaries of replicate outcomes: intervals, status shares, survival and shape.

Means carry 95% intervals; survival tables give status shares by year after the grant; the
bimodality coefficient describes the shape of an outcome's distribution across runs.

Continuous outcomes get a Student-t interval (scipy), 0/1 outcomes a Wilson score interval
(statsmodels); a paired difference of 0/1 outcomes gets Newcombe's interval, and families
of p-values Holm's adjustment (statsmodels).
Outcomes that are NaN in every run (measured past the horizon) are reported as not
available. Survival tables read each run's status in every year after its own grant end
(``sim.outcomes.status_by_year``). Everything here is a pure function of its inputs.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass

import numpy as np
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint

from sim.outcomes import OUTCOMES

STATUS_LABELS = {2: "sustained", 1: "scaled back", 0: "dissolved"}
STATUS_YEARS = (2, 4)
NAN = float("nan")


@dataclass(frozen=True)
class Estimate:
    """One row of a summary table: a mean (or share) with its interval."""

    name: str
    description: str
    n: int
    mean: float
    low: float
    high: float
    method: str

    @property
    def available(self) -> bool:
        """Whether any run measured this quantity."""
        return self.n > 0


def is_binary(values: Iterable[float]) -> bool:
    """Return True if every non-NaN value is 0 or 1 (and there is at least one)."""
    v = _clean(values)
    return v.size > 0 and bool(np.all((v == 0.0) | (v == 1.0)))


def wilson_interval(successes: float, n: int, level: float = 0.95) -> tuple[float, float]:
    """Compute the Wilson score interval for a proportion (Wilson 1927; statsmodels).

    Args:
        successes: Number of successes.
        n: Number of trials.
        level: Confidence level.

    Returns:
        (low, high), or (nan, nan) if ``n`` is 0.
    """
    if n <= 0:
        return NAN, NAN
    low, high = proportion_confint(successes, n, alpha=1 - level, method="wilson")
    return max(0.0, float(low)), min(1.0, float(high))


def t_interval(values: Iterable[float], level: float = 0.95) -> tuple[float, float]:
    """Compute the Student-t interval for the mean of the non-NaN ``values`` (scipy).

    Returns:
        (low, high); (nan, nan) with fewer than two values; (mean, mean) without spread.
    """
    v = _clean(values)
    if v.size < 2:
        return NAN, NAN
    mean = float(v.mean())
    sem = float(stats.sem(v))
    if sem == 0.0:
        return mean, mean
    low, high = stats.t.interval(level, v.size - 1, loc=mean, scale=sem)
    return float(low), float(high)


def newcombe_paired(x: np.ndarray, y: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """Newcombe's (1998, method 10) interval for the difference of paired proportions.

    Written out from the paper: neither scipy nor statsmodels offers a paired-proportion
    interval. Its two Wilson intervals come from statsmodels (:func:`wilson_interval`).
    """
    n = x.size
    a = float(np.sum((x == 1) & (y == 1)))
    b = float(np.sum((x == 1) & (y == 0)))
    c = float(np.sum((x == 0) & (y == 1)))
    d = float(np.sum((x == 0) & (y == 0)))
    p1, p2 = (a + b) / n, (a + c) / n
    l1, u1 = wilson_interval(a + b, n, level)
    l2, u2 = wilson_interval(a + c, n, level)
    denom = (a + b) * (c + d) * (a + c) * (b + d)
    phi = (a * d - b * c) / math.sqrt(denom) if denom > 0 else 0.0
    delta = math.sqrt(max(0.0, (p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2))
    eps = math.sqrt(max(0.0, (u1 - p1) ** 2 - 2 * phi * (u1 - p1) * (p2 - l2) + (p2 - l2) ** 2))
    diff = p1 - p2
    return max(-1.0, diff - delta), min(1.0, diff + eps)


def holm(p: Iterable[float]) -> np.ndarray:
    """Holm-adjusted p-values (Holm 1979; statsmodels ``multipletests``); NaN stays NaN."""
    p = np.asarray(list(p), dtype=float)
    out = np.full(p.shape, NAN)
    ok = np.isfinite(p)
    if ok.any():
        out[ok] = multipletests(p[ok], method="holm")[1]
    return out


def estimate(name: str, values: Iterable[float], description: str = "",
             level: float = 0.95) -> Estimate:
    """Summarize one outcome across runs: n, mean and interval (t or Wilson)."""
    v = _clean(values)
    if v.size == 0:
        return Estimate(name, description, 0, NAN, NAN, NAN, "n/a")
    mean = float(v.mean())
    if is_binary(v):
        low, high = wilson_interval(float(v.sum()), v.size, level)
        return Estimate(name, description, v.size, mean, low, high, "wilson")
    low, high = t_interval(v, level)
    return Estimate(name, description, v.size, mean, low, high, "t")


def summarize(outcomes: Sequence[Mapping[str, float]], names: Sequence[str] | None = None,
              level: float = 0.95) -> list[Estimate]:
    """Summarize every outcome over a list of per-run outcome dicts.

    Args:
        outcomes: One dict of outcome name -> value per run.
        names: Outcomes to include; defaults to every outcome present in the runs except the
            ``status_*`` codes, which :func:`status_shares` reports as shares.
        level: Confidence level.

    Returns:
        One :class:`Estimate` per outcome, in ``OUTCOMES`` order.
    """
    present = {k for run in outcomes for k in run if not k.startswith("status_")}
    if names is None:
        names = [n for n in OUTCOMES if n in present]
        names += sorted(present - set(names))
    return [estimate(n, [run.get(n, NAN) for run in outcomes], describe(n), level)
            for n in names]


def status_shares(outcomes: Sequence[Mapping[str, float]], level: float = 0.95,
                  years: Sequence[int] = STATUS_YEARS) -> list[Estimate]:
    """Share of runs sustained, scaled back and dissolved at each of ``years`` after the grant.

    Shares come from the ``status_<k>y`` codes (2 sustained, 1 scaled back, 0 dissolved)
    and carry Wilson intervals; runs where the status is NaN are left out.
    """
    rows = []
    for k in years:
        codes = _clean(run.get(f"status_{k}y", NAN) for run in outcomes)
        for code, label in STATUS_LABELS.items():
            name = f"{label.replace(' ', '_')}_{k}y"
            desc = f"Share of runs {label} {k} years after the grant."
            if codes.size == 0:
                rows.append(Estimate(name, desc, 0, NAN, NAN, NAN, "n/a"))
                continue
            hits = float(np.sum(codes == code))
            low, high = wilson_interval(hits, codes.size, level)
            rows.append(Estimate(name, desc, codes.size, hits / codes.size, low, high, "wilson"))
    return rows


def survival(statuses: np.ndarray, level: float = 0.95) -> list[dict[str, float]]:
    """Share of runs in each status in each year after their own grant ended.

    ``statuses`` has one row per run and one column per year (2/1/0, NaN past the
    horizon). Returns one row per year with ``n`` and, per status, the share and its
    Wilson interval (``sustained``, ``sustained_low``, ``sustained_high``, ...); runs whose
    status is NaN that year are left out.
    """
    rows = []
    for k in range(statuses.shape[1]):
        codes = _clean(statuses[:, k])
        row: dict[str, float] = {"year": float(k + 1), "n": float(codes.size)}
        for code, label in STATUS_LABELS.items():
            key = label.replace(" ", "_")
            hits = float(np.sum(codes == code))
            low, high = wilson_interval(hits, codes.size, level)
            row[key] = hits / codes.size if codes.size else NAN
            row[f"{key}_low"], row[f"{key}_high"] = low, high
        rows.append(row)
    return rows


def bimodality_coefficient(values: Iterable[float]) -> float:
    """Sarle's bimodality coefficient of a sample (NaN below 4 values or without spread).

    ``(g^2 + 1) / (k + 3(n - 1)^2 / ((n - 2)(n - 3)))`` with the bias-corrected skewness
    ``g`` and excess kurtosis ``k`` (scipy.stats); above 5/9 (about 0.555, its value for a
    uniform distribution) the sample suggests two modes (SAS Institute 1990; Pfister et al.
    2013).
    """
    v = _clean(values)
    n = v.size
    if n < 4 or np.ptp(v) == 0.0:
        return NAN
    g = float(stats.skew(v, bias=False))
    k = float(stats.kurtosis(v, bias=False))
    return (g * g + 1.0) / (k + 3.0 * (n - 1) ** 2 / ((n - 2) * (n - 3)))


BIMODAL_ABOVE = 5.0 / 9.0
"""The bimodality coefficient of a uniform distribution; larger values suggest two modes."""


def describe(name: str) -> str:
    """Return the one-line description of an outcome (its function's docstring)."""
    fn = OUTCOMES.get(name)
    doc = (fn.__doc__ or "") if fn else ""
    return doc.strip().splitlines()[0] if doc.strip() else ""


def fmt(x: float, percent: bool = False) -> str:
    """Format a number for a table; NaN becomes 'n/a'."""
    if x is None or not math.isfinite(x):
        return "n/a"
    if percent:
        return f"{100 * x:.0f}%"
    if abs(x) >= 100:
        return f"{x:.1f}"
    return f"{x:.3f}"


def fmt_interval(e: Estimate, percent: bool = False) -> str:
    """Format an estimate's interval as '[low, high]', or 'n/a'."""
    if not e.available or not math.isfinite(e.low):
        return "n/a"
    return f"[{fmt(e.low, percent)}, {fmt(e.high, percent)}]"


def records(outcome_rows: Sequence[Estimate], status_rows: Sequence[Estimate]) -> list[dict]:
    """Flatten both tables into rows for CSV output (``table`` says which one)."""
    out = []
    for table, rows in (("outcome", outcome_rows), ("status", status_rows)):
        for e in rows:
            row = {"table": table, **asdict(e)}
            row.update(ci_low=row.pop("low"), ci_high=row.pop("high"))
            out.append(row)
    return out


def markdown(outcome_rows: Sequence[Estimate], status_rows: Sequence[Estimate],
             title: str = "Summary", notes: Sequence[str] = ()) -> str:
    """Render both tables as a Markdown document."""
    lines = [f"# {title}", ""]
    lines += [f"- {n}" for n in notes]
    lines += ["", "## Outcomes (mean and 95% CI)", "",
              "| Outcome | n | Mean | 95% CI | Interval | Description |",
              "|---|---:|---:|---|---|---|"]
    for e in outcome_rows:
        lines.append(f"| `{e.name}` | {e.n} | {fmt(e.mean)} | {fmt_interval(e)} | {e.method} "
                     f"| {e.description} |")
    lines += ["", "## Consortium status after the grant (share of runs, Wilson 95% CI)", "",
              "| Status | " + " | ".join(f"{k} years" for k in _years(status_rows)) + " |",
              "|---|" + "---|" * len(_years(status_rows))]
    for label, cells in status_grid(status_rows).items():
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def status_grid(status_rows: Sequence[Estimate]) -> dict[str, list[str]]:
    """Status label -> one 'share [low, high]' cell per year, for display."""
    grid: dict[str, list[str]] = {label: [] for label in STATUS_LABELS.values()}
    for e in status_rows:
        label = e.name.rsplit("_", 1)[0].replace("_", " ")
        cell = "n/a" if not e.available else f"{fmt(e.mean, True)} {fmt_interval(e, True)}"
        grid[label].append(cell)
    return grid


def _years(status_rows: Sequence[Estimate]) -> list[str]:
    return list(dict.fromkeys(e.name.rsplit("_", 1)[1].removesuffix("y") for e in status_rows))


def _clean(values: Iterable[float]) -> np.ndarray:
    v = np.asarray(list(values), dtype=float)
    return v[~np.isnan(v)]
