"""Pattern-oriented calibration: filter a Latin hypercube of the assumptions by the level bands.

The calibration targets are the suite's level bands of the baseline (``role =
"calibration"``, ``kind = "band"``, arm: ``ccpt_baseline`` without overrides). The
directions (pairs and associations) are never used here; they stay validation targets and
are checked afterwards at the accepted parameters (Grimm et al. 2005; Railsback & Grimm
2019 ch. 20; science_anchors §6).

**Runs.** ``pattern_statistics`` is a sweep model (``f(params, rng) -> dict``) that runs the
consortium model once and returns the band statistics, read exactly as
``consortium validate`` reads them. The shipped study ``calibration_lhs`` samples every
``assumption`` parameter by Latin hypercube (McKay et al. 1979; ``scipy.stats.qmc``) on the
experiments engine, so a calibration is resumable, runs on any executor and stores every
run with its seed.

**Acceptance.** A design point's level for a band is its replicate mean, as in the suite.

- *Pattern-oriented filtering* (Railsback & Grimm 2019, ch. 20): a point is accepted when
  every band holds; the share of the prior that passes each band says how much that
  pattern constrains the model.
- *Rejection ABC* (Beaumont 2010; van der Vaart et al. 2015 for agent-based models): the
  distance of a point is the Euclidean norm over bands of how far its level lies outside
  each band, in band widths (zero inside). The points within the ``quantile`` of smallest
  distances form the ABC sample; when more points pass every band than that quantile
  holds, the ABC sample is the filtered set.

A parameter is *identified* by the bands when its accepted values differ in distribution
from the prior sample (two-sample Kolmogorov-Smirnov, Holm-adjusted across parameters at
``alpha``); the others are not constrained by the level patterns. Pairs of bands that the
points hold together far less often than if they were independent are listed as
*conflicts*: where no point holds every band, they say which patterns the model cannot
reconcile.

**Confirmation.** Points chosen on their first replicates look better than they are (the
winner's curse), so a screening round hands its points nearest the bands to a second
study: the same model on those points (a ``points`` design) with more replicates and a
fresh root seed. On that sweep the accepted candidates are the confirmed ones, and the
*selected* point is the one whose levels sit deepest inside their bands, in standard
errors. On a screening sweep the selected point is the accepted point nearest the
accepted set's median over the identified parameters. Nothing here changes a band: a
pattern no point can reach is reported as such.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from scipy import stats

from experiments.patterns import BASELINE, PATTERNS, Pattern
from experiments.validate import band_text, run_statistics
from sim.run import scenario_with

CALIBRATION_STUDY = "calibration_lhs"
DEFAULT_QUANTILE = 0.05
DEFAULT_ALPHA = 0.01
ON_OPEN_BOUND = 0.05  # distance of a level on an open band end, in band widths
DEFAULT_CANDIDATES = 20  # points a calibration hands to its confirmation round
CONFIRM_REPLICATES = 50
CONFLICT_RATIO = 0.5  # band pairs holding together less than half as often as if independent
DPI = 150


def calibration_patterns(patterns: Sequence[Pattern] = PATTERNS) -> list[Pattern]:
    """The calibration targets: level bands of the plain baseline run."""
    return [p for p in patterns
            if p.role == "calibration" and p.kind == "band" and p.a is not None
            and p.a.scenario == BASELINE and not p.a.set]


def calibration_statistics(patterns: Sequence[Pattern] = PATTERNS) -> tuple[str, ...]:
    """The statistics the calibration bands read, each once, in catalogue order."""
    return tuple(dict.fromkeys(p.a.statistic for p in calibration_patterns(patterns)))


def pattern_statistics(params: Mapping[str, Any], rng: np.random.Generator, *,
                       scenario: str = BASELINE, outcomes: tuple[str, ...] | None = None,
                       series: bool = False, settings: Mapping[str, Any] | None = None
                       ) -> dict[str, float]:
    """One run of ``scenario`` with ``params`` set, reduced to the suite's statistics.

    The sweep model of a calibration study. ``outcomes`` names statistics of
    ``experiments.validate.STATISTICS`` (default: those of the calibration bands); the run
    and the statistics are those of ``consortium validate`` for the same seed.
    """
    if series:
        raise ValueError("pattern_statistics returns no time series")
    names = tuple(outcomes) if outcomes else calibration_statistics()
    return run_statistics(scenario_with(params, scenario, settings), rng, names)


# ================================================================================ analysis
@dataclass
class Calibration:
    """The filtered design of a calibration sweep.

    Attributes:
        sweep: The sweep read by ``experiments.analysis.load_sweep``.
        patterns: The bands used, in catalogue order.
        points: One row per design point: ``point``, the factors, then per band
            ``level:<id>`` (replicate mean), ``sem:<id>``, ``in:<id>`` and ``dist:<id>``
            (how far outside, in band widths); ``n_in`` (bands held), ``distance``,
            ``accepted`` (every band holds) and ``abc`` (in the ABC sample).
        quantile: The ABC acceptance quantile asked for.
        epsilon: The ABC tolerance: the largest distance in the ABC sample.
        defaults: The base scenario's value of each factor (the hand-set value).
        bounds: Each factor's sampled range (lo, hi).
        posterior: One row per factor (see :func:`posterior_table`).
        selected: The representative accepted point, or None if no point is accepted.
        absent: Calibration bands whose statistic the sweep did not record (a study written
            before the band joined the catalogue); they are not targets of this run.
    """

    sweep: Any
    patterns: list[Pattern]
    points: pd.DataFrame
    quantile: float
    epsilon: float
    defaults: dict[str, float]
    bounds: dict[str, tuple[float, float]]
    posterior: pd.DataFrame
    selected: int | None
    absent: list[Pattern]

    @property
    def factors(self) -> list[str]:
        """Factor keys in design order."""
        return list(self.bounds)

    @property
    def accepted(self) -> pd.DataFrame:
        """The points that hold every band."""
        return self.points[self.points["accepted"]]

    @property
    def abc(self) -> pd.DataFrame:
        """The ABC sample."""
        return self.points[self.points["abc"]]


def in_band(p: Pattern, level: np.ndarray) -> np.ndarray:
    """Whether each level lies in the band of ``p`` (``Pattern.in_band``, element-wise)."""
    level = np.asarray(level, dtype=float)
    return np.array([p.in_band(x) for x in level.ravel()], dtype=bool).reshape(level.shape)


def band_distance(p: Pattern, level: np.ndarray) -> np.ndarray:
    """How far each level lies outside the band of ``p``, in band widths (0 inside).

    A level on an open bound is outside, and counts as ``ON_OPEN_BOUND`` band widths away.
    An undefined level (NaN: no replicate defined the statistic) is infinitely far.
    """
    lo, hi = p.band
    width = hi - lo if hi > lo else 1.0
    level = np.asarray(level, dtype=float)
    gap = np.maximum.reduce([np.zeros_like(level), lo - level, level - hi]) / width
    gap = np.where(in_band(p, level), 0.0, np.maximum(gap, ON_OPEN_BOUND))
    return np.where(np.isfinite(level), gap, np.inf)


def _factor_info(sweep: Any) -> tuple[dict[str, float], dict[str, tuple[float, float]]]:
    base = sweep.manifest.get("base_scenario") or {}
    problem = sweep.problem or {}
    bounds = {k: (float(b[0]), float(b[1]))
              for k, b in zip(problem.get("names", []), problem.get("bounds", []), strict=True)}
    if not bounds:  # a points design: the range the candidates span
        bounds = {k: (float(sweep.design[k].min()), float(sweep.design[k].max()))
                  for k in sweep.factors}
    defaults = {}
    for key in bounds:
        section, _, name = key.rpartition(".")
        value = (base.get(section) or {}).get(name) if section else None
        defaults[key] = float(value) if isinstance(value, int | float) else math.nan
    return defaults, bounds


def level_table(sweep: Any, patterns: Sequence[Pattern]) -> pd.DataFrame:
    """Per design point and band: the replicate mean and its standard error."""
    names = list(dict.fromkeys(p.a.statistic for p in patterns))
    missing = [n for n in names if n not in sweep.outcomes.columns]
    if missing:
        raise ValueError(f"{sweep.path}: the sweep has no statistic {', '.join(missing)}; "
                         f"run a study with model = 'experiments.calibrate:pattern_statistics'")
    grouped = sweep.outcomes.groupby("point")[names]
    mean, sem = grouped.mean(), grouped.sem()
    table = sweep.design[["point"]].set_index("point")
    for p in patterns:
        table[f"level:{p.id}"] = mean[p.a.statistic]
        table[f"sem:{p.id}"] = sem[p.a.statistic]
    return table.reset_index()


def calibrate(sweep_dir: str | Path, quantile: float = DEFAULT_QUANTILE,
              alpha: float = DEFAULT_ALPHA,
              patterns: Sequence[Pattern] | None = None) -> Calibration:
    """Filter the design points of a calibration sweep by the level bands."""
    from experiments.analysis import load_sweep

    if not 0.0 < quantile <= 1.0:
        raise ValueError(f"quantile must lie in (0, 1], got {quantile}")
    sweep = load_sweep(sweep_dir)
    if sweep.kind not in ("lhs", "sobol", "morris", "points"):
        raise ValueError(f"{sweep.path}: a calibration needs a sampled design (lhs) or the "
                         f"candidate points of a confirmation, not {sweep.kind}")
    bands = list(patterns) if patterns is not None else calibration_patterns()
    absent = [p for p in bands if p.a.statistic not in sweep.outcomes.columns]
    if patterns is None and len(absent) < len(bands):
        bands = [p for p in bands if p not in absent]  # reported, not silently dropped
    else:
        absent = []
    defaults, bounds = _factor_info(sweep)
    levels = level_table(sweep, bands)
    points = sweep.design.merge(levels, on="point", how="left")
    dist = np.zeros(len(points))
    n_in = np.zeros(len(points), dtype=int)
    for p in bands:
        inside = in_band(p, points[f"level:{p.id}"].to_numpy())
        d = band_distance(p, points[f"level:{p.id}"].to_numpy())
        points[f"in:{p.id}"] = inside
        points[f"dist:{p.id}"] = d
        n_in += inside
        dist = dist + d ** 2
    points["n_in"] = n_in
    points["distance"] = np.sqrt(dist)
    points["accepted"] = n_in == len(bands)
    finite = points["distance"][np.isfinite(points["distance"])]
    n_abc = max(1, math.ceil(quantile * len(points)), int(points["accepted"].sum()))
    epsilon = float(np.sort(finite.to_numpy())[min(n_abc, len(finite)) - 1]) if len(finite) \
        else math.inf
    points["abc"] = points["distance"] <= epsilon
    if sweep.kind == "points":  # candidates, not a prior sample: nothing to identify
        posterior = posterior_table(points.iloc[:0], defaults, bounds, alpha).iloc[:0]
        selected = deepest_point(points, bands)
    else:
        posterior = posterior_table(points, defaults, bounds, alpha)
        selected = representative_point(points, posterior)
    return Calibration(sweep, bands, points, quantile, epsilon, defaults, bounds, posterior,
                       selected, absent)


def posterior_table(points: pd.DataFrame, defaults: Mapping[str, float],
                    bounds: Mapping[str, tuple[float, float]],
                    alpha: float = DEFAULT_ALPHA) -> pd.DataFrame:
    """Prior and accepted values of each factor, and whether the bands identify it.

    The accepted sample is the filtered set if it has at least 10 points, else the ABC
    sample. A factor is identified when the two-sample Kolmogorov-Smirnov test of the
    accepted against all points rejects at ``alpha`` after Holm's adjustment.
    """
    filtered = int(points["accepted"].sum()) >= 10
    sample = points[points["accepted"] if filtered else points["abc"]]
    rows = []
    for key, (lo, hi) in bounds.items():
        prior = points[key].to_numpy(dtype=float)
        post = sample[key].to_numpy(dtype=float)
        if len(post) >= 2:
            ks = stats.ks_2samp(post, prior)
            d, pval = float(ks.statistic), float(ks.pvalue)
            q05, med, q95 = np.quantile(post, [0.05, 0.5, 0.95])
        else:
            d = pval = q05 = med = q95 = math.nan
        default = defaults.get(key, math.nan)
        rows.append({"factor": key, "default": default, "prior_low": lo, "prior_high": hi,
                     "posterior_q05": q05, "posterior_median": med, "posterior_q95": q95,
                     "ks_d": d, "p": pval,
                     "default_percentile": float(np.mean(post <= default)) if len(post)
                     else math.nan})
    table = pd.DataFrame(rows)
    table["p_holm"] = _holm(table["p"].to_numpy())
    table["identified"] = table["p_holm"] < alpha
    table.insert(1, "sample", "filtered" if filtered else "abc")
    order = np.argsort(-table["ks_d"].fillna(-1).to_numpy(), kind="stable")
    return table.iloc[order].reset_index(drop=True)


def _holm(p: np.ndarray) -> np.ndarray:
    """Holm-adjusted p-values (NaN stays NaN)."""
    out = np.full(p.shape, np.nan)
    ok = np.flatnonzero(np.isfinite(p))
    order = ok[np.argsort(p[ok], kind="stable")]
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (len(order) - rank) * p[i]))
        out[i] = running
    return out


def deepest_point(points: pd.DataFrame, bands: Sequence[Pattern]) -> int | None:
    """The accepted point whose levels sit deepest inside their bands.

    Depth of a band is the level's distance to the nearer bound in standard errors of the
    replicate mean (a level every replicate gives exactly is infinitely deep); a point is
    as deep as its shallowest band. This is the point least likely to have passed by
    replicate noise.
    """
    accepted = points[points["accepted"]]
    if accepted.empty:
        return None
    depth = np.full(len(accepted), np.inf)
    for p in bands:
        level = accepted[f"level:{p.id}"].to_numpy(dtype=float)
        sem = accepted[f"sem:{p.id}"].to_numpy(dtype=float)
        margin = np.minimum(level - p.band[0], p.band[1] - level)
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.where(sem > 0, margin / sem, np.inf)
        depth = np.minimum(depth, z)
    return int(accepted["point"].to_numpy()[int(np.argmax(depth))])


def representative_point(points: pd.DataFrame, posterior: pd.DataFrame) -> int | None:
    """The accepted point nearest the accepted set's median, over the identified factors.

    Distances are in prior ranks (0-1), so every factor counts alike; with no identified
    factor every factor counts. A central point, not an edge case of the accepted region,
    is what a default should be.
    """
    accepted = points[points["accepted"]]
    if accepted.empty:
        return None
    keys = list(posterior.loc[posterior["identified"], "factor"]) or list(posterior["factor"])
    ranks = points[keys].rank(pct=True).loc[accepted.index]
    gap = ((ranks - ranks.median()) ** 2).sum(axis=1)
    return int(accepted.loc[gap.idxmin(), "point"])


# ================================================================================= outputs
def _value(key: str, value: float, integer: set[str]) -> Any:
    return int(round(value)) if key in integer else float(f"{value:.4g}")


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    return json.dumps(value) if isinstance(value, str) else repr(value)


def overlay_toml(values: Mapping[str, Any], name: str, description: str,
                 extends: str = f"{BASELINE}.toml", comment: Sequence[str] = ()) -> str:
    """A scenario file that extends ``extends`` and sets the dotted keys of ``values``."""
    sections: dict[str, list[str]] = {}
    for key, value in values.items():
        section, field = key.split(".")
        sections.setdefault(section, []).append(f"{field} = {_toml_value(value)}")
    lines = [f"# {c}" if c else "#" for c in comment]
    lines += [f'name = "{name}"', f'description = "{description}"', f'extends = "{extends}"']
    for section, entries in sections.items():
        lines += ["", f"[{section}]", *entries]
    return "\n".join(lines) + "\n"


def _integer_factors(cal: Calibration) -> set[str]:
    """Whole-number factors: declared by the sampled design, or integer columns of points."""
    declared = ((cal.sweep.manifest.get("design") or {}).get("options") or {}).get("integer")
    typed = {k for k in cal.factors if pd.api.types.is_integer_dtype(cal.sweep.design[k])}
    return set(declared or []) | typed


def by_distance(points: pd.DataFrame) -> pd.DataFrame:
    """Points nearest the bands first: by distance, then by most bands held."""
    return points.sort_values(["distance", "n_in"], ascending=[True, False], kind="stable")


def nearest_point(cal: Calibration) -> int | None:
    """The point nearest the bands, or None if there are no points."""
    return None if cal.points.empty else int(by_distance(cal.points)["point"].iloc[0])


def selected_values(cal: Calibration, point: int | None = None) -> dict[str, Any]:
    """The factor values of a point, by default the selected one.

    Values keep 4 significant digits; integer factors stay whole.
    """
    point = cal.selected if point is None else point
    if point is None:
        return {}
    row = cal.points.set_index("point").loc[point]
    integer = _integer_factors(cal)
    return {k: _value(k, float(row[k]), integer) for k in cal.factors}


def candidates(cal: Calibration, k: int = DEFAULT_CANDIDATES) -> pd.DataFrame:
    """The ``k`` points nearest the bands (every accepted point if more), as design rows.

    Ordered by distance, then by bands held; integer factors stay whole numbers.
    """
    rows = by_distance(cal.points).head(max(k, int(cal.points["accepted"].sum())))
    integer = _integer_factors(cal)
    out = pd.DataFrame(index=range(len(rows)))
    for key in cal.factors:
        col = rows[key].to_numpy()
        out[key] = np.rint(col).astype(np.int64) if key in integer else col.astype(float)
    return out


def confirm_study(cal: Calibration, candidates_file: str, n_points: int,
                  replicates: int = CONFIRM_REPLICATES) -> str:
    """A study that re-runs ``n_points`` candidates with more replicates and fresh seeds.

    A point chosen for its first replicates looks better than it is (the winner's curse),
    so the confirmation uses a different root seed: its band levels are unbiased estimates
    at the candidates, and filtering them is the confirmation (sequential filtering with
    growing replicate numbers; Railsback & Grimm 2019 ch. 20).
    """
    study = dict(cal.sweep.manifest.get("study") or {})
    name = f"{study.get('name') or CALIBRATION_STUDY}_confirm"
    seed = int(cal.sweep.manifest.get("root_seed") or 0) + 1
    statistics = dict.fromkeys(p.a.statistic for p in cal.patterns)
    lines = [
        f"# Confirmation of {study.get('name')}: its {n_points} candidate points nearest the "
        f"bands (file {candidates_file}),",
        f"# each re-run with {replicates} replicates from a fresh root seed. Written by "
        "consortium calibrate.",
        f"# Runs: {n_points} points x {replicates} replicates = {n_points * replicates:,}.",
        "",
        f'name = "{name}"',
        f"description = {_toml_value(_confirm_description(study))}",
        f'base = "{cal.sweep.manifest.get("base") or BASELINE}"',
        f'model = "{cal.sweep.manifest.get("model")}"',
        f"replicates = {replicates}",
        f"seed = {seed}",
        "outcomes = [" + ", ".join(f'"{name}"' for name in statistics) + "]",
        'timeseries = "none"',
    ]
    settings = study.get("settings") or {}
    if settings:
        lines += ["", "[set]", *(f"{k} = {_toml_value(v)}" for k, v in settings.items())]
    lines += ["", "[design]", 'kind = "points"', f'file = "{candidates_file}"', ""]
    return "\n".join(lines)


def _confirm_description(study: Mapping[str, Any]) -> str:
    return ("Do the candidate parameter sets of " + str(study.get("name") or "the calibration")
            + " hold every level band when re-run with more replicates and fresh seeds?")


def band_summary(cal: Calibration) -> pd.DataFrame:
    """Per band: how much of the prior holds it, and its level in the accepted sets."""
    pts = cal.points
    rows = []
    sel = pts.set_index("point").loc[cal.selected] if cal.selected is not None else None
    n_bands = len(cal.patterns)
    for p in cal.patterns:
        level = pts[f"level:{p.id}"]
        inside = pts[f"in:{p.id}"]
        others = pts["n_in"] - inside.astype(int) == n_bands - 1
        rows.append({
            "id": p.id, "statistic": p.a.statistic, "band": band_text(p),
            "strength": p.strength,
            "prior_share_in_band": float(inside.mean()),
            "prior_median_level": float(level.median()),
            "abc_share_in_band": float(pts.loc[pts["abc"], f"in:{p.id}"].mean()),
            "hold_all_others": int(others.sum()),
            "of_which_in_band": int((others & inside).sum()),
            "selected_level": float(sel[f"level:{p.id}"]) if sel is not None else math.nan,
        })
    return pd.DataFrame(rows)


def band_conflicts(cal: Calibration, ratio: float = CONFLICT_RATIO) -> pd.DataFrame:
    """Pairs of bands that hold together far less often than if they were independent.

    For bands a and b, ``joint_ratio`` = P(both) / (P(a) P(b)) over the design points; a
    pair is listed when it is below ``ratio``. ``level_rho`` is the Spearman correlation of
    the two levels across points: a strong one, where one band asks for a low level and
    the other for a high one, means the model couples the two statistics so that both
    cannot be met; a weak one means the two bands merely sit in rare, separate regions.
    """
    pts = cal.points
    rows = []
    for i, a in enumerate(cal.patterns):
        for b in cal.patterns[i + 1:]:
            in_a, in_b = pts[f"in:{a.id}"], pts[f"in:{b.id}"]
            pa, pb = float(in_a.mean()), float(in_b.mean())
            if not 0 < pa < 1 or not 0 < pb < 1:
                continue
            joint = float((in_a & in_b).mean())
            if joint / (pa * pb) >= ratio:
                continue
            rho = stats.spearmanr(pts[f"level:{a.id}"], pts[f"level:{b.id}"],
                                  nan_policy="omit").statistic
            rows.append({"band_a": a.id, "band_b": b.id, "share_a": pa, "share_b": pb,
                         "share_both": joint, "joint_ratio": joint / (pa * pb),
                         "level_rho": float(rho)})
    cols = ["band_a", "band_b", "share_a", "share_b", "share_both", "joint_ratio", "level_rho"]
    return pd.DataFrame(rows, columns=cols).sort_values("joint_ratio", kind="stable")


def markdown_report(cal: Calibration, top: int = 15) -> str:
    """The calibration report as Markdown."""
    from experiments.analysis import markdown_table

    m = cal.sweep.manifest
    pts = cal.points
    confirm = cal.sweep.kind == "points"
    n_ok = int((cal.sweep.runs["status"] == "ok").sum())
    n_failed = int(len(cal.sweep.runs) - n_ok)
    identified = cal.posterior[cal.posterior["identified"]]
    design = (f"- Design: {len(pts)} given points of {len(cal.factors)} parameters "
              f"(`{(m.get('design') or {}).get('options', {}).get('file')}`) x "
              if confirm else
              f"- Design: Latin hypercube of {len(cal.factors)} parameters, {len(pts)} points x ")
    lines = [
        "# Calibration report", "",
        f"- Sweep: `{cal.sweep.path}` (study `{(m.get('study') or {}).get('name')}`, "
        f"root seed {m.get('root_seed')}, git {str(m.get('git_revision'))[:10]}"
        f"{' dirty' if m.get('git_dirty') else ''})",
        design + f"{cal.sweep.replicates} replicates = {n_ok} runs ({n_failed} failed)",
        f"- Targets: {len(cal.patterns)} level bands of the baseline "
        f"({', '.join(p.id for p in cal.patterns)}); a point's level is its replicate mean",
        *([f"- **Not targets here:** {', '.join(p.id for p in cal.absent)}: the sweep did not "
           "record their statistics"] if cal.absent else []),
        f"- **Pattern-oriented filtering: {int(pts['accepted'].sum())} of {len(pts)} points "
        "hold every band**",
    ]
    if not confirm:
        lines += [
            f"- Rejection ABC: the {int(pts['abc'].sum())} points within distance "
            f"{cal.epsilon:.3g} (quantile {cal.quantile:g}, or the filtered set if larger)",
            f"- Parameters the bands identify (KS test, Holm, alpha {DEFAULT_ALPHA:g}): "
            f"{len(identified)} of {len(cal.factors)}",
        ]
    lines += [
        "", "## Bands", "",
        "How much of the design holds each band, and the band's level at the selected "
        "point. A band that few points hold is the one that constrains the parameters most. "
        "`hold_all_others` counts the points that hold every other band; where none of them "
        "holds this one (`of_which_in_band` = 0), this band is the one the others leave out "
        "of reach.", "",
        markdown_table(band_summary(cal)),
        "## How many bands the points hold", "",
        markdown_table(pts["n_in"].value_counts().sort_index(ascending=False)
                       .rename_axis("bands held").reset_index(name="points")),
    ]
    conflicts = band_conflicts(cal)
    if not confirm:
        lines += ["## Bands that rarely hold together", "",
                  "Pairs of bands that the design points hold together less than "
                  f"{CONFLICT_RATIO:g} times as often as if they were independent. "
                  "`level_rho` is the rank correlation of the two levels across points; a "
                  "strong one where one band asks for a low level and the other for a high "
                  "one means the model couples the two statistics.",
                  "", markdown_table(conflicts) if len(conflicts) else "None.", ""]
    if confirm:
        shown = ["point", "n_in", "distance", "accepted",
                 *[f"level:{p.id}" for p in cal.patterns]]
        lines += ["## Points", "", "Each point's band levels at "
                  f"{cal.sweep.replicates} replicates; `points.csv` adds standard errors.", "",
                  markdown_table(by_distance(pts)[shown]), ""]
    else:
        lines += [
            "## Parameters", "",
            f"Accepted sample used: {cal.posterior['sample'].iloc[0]}. `default_percentile` "
            "is where the hand-set value falls in the accepted values. The first "
            f"{top} by KS distance; `posterior.csv` has all.", "",
            markdown_table(cal.posterior.head(top)),
        ]
    lines += ["## Selected point", ""]
    if cal.selected is not None:
        sel = selected_values(cal)
        how = ("the accepted candidate whose levels sit deepest inside their bands, in "
               "standard errors" if confirm else "the accepted point nearest the median of "
               "the accepted set over the identified parameters")
        keys = list(identified["factor"]) or sorted(
            cal.factors, key=lambda k: -abs(sel[k] - cal.defaults[k])
            / max(abs(cal.defaults[k]), 1e-12) if math.isfinite(cal.defaults[k]) else 0.0)[:top]
        what = "identified parameters" if len(identified) else \
            f"{len(keys)} parameters furthest from their hand-set values"
        lines += [f"Design point {cal.selected}: {how}. `selected.toml` is this point as a "
                  f"scenario file; its {what}:", "",
                  markdown_table(pd.DataFrame([(k, cal.defaults[k], sel[k]) for k in keys],
                                              columns=["factor", "hand-set", "selected"])), ""]
    elif confirm:
        lines += [f"No point holds every band at {cal.sweep.replicates} replicates, so "
                  "none is selected; the table above shows which bands each one misses. "
                  f"`nearest.toml` is the nearest, point {nearest_point(cal)}, as a "
                  "scenario file, for running the suite there.", ""]
    else:
        lines += ["No point holds every band, so none is selected. The points nearest the "
                  "bands are in `*_candidates.csv`; the `*_confirm.toml` study re-runs them "
                  "with more replicates.", ""]
    return "\n".join(lines)


def plot_bands(cal: Calibration, path: Path) -> Path:
    """Per band: the distribution of point levels over the prior, the band shaded."""
    n = len(cal.patterns)
    ncols = 4
    nrows = math.ceil(n / ncols)
    fig = Figure(figsize=(3.2 * ncols, 2.4 * nrows + 0.5), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    pts = cal.points
    for ax, p in zip(axes, cal.patterns, strict=False):
        level = pts[f"level:{p.id}"].to_numpy(dtype=float)
        level = level[np.isfinite(level)]
        lo, hi = p.band
        span = np.concatenate([level, [lo, hi]])
        bins = np.linspace(span.min(), span.max() if span.max() > span.min() else
                           span.min() + 1, 25)
        ax.axvspan(lo, hi, color="#2ca02c", alpha=0.15, lw=0)
        ax.hist(level, bins=bins, color="#999999", label="prior")
        acc = pts.loc[pts["abc"], f"level:{p.id}"].to_numpy(dtype=float)
        ax.hist(acc[np.isfinite(acc)], bins=bins, color="#1f77b4", label="ABC sample")
        ax.set_title(f"{p.id}: {pct(pts[f'in:{p.id}'].mean())} of prior in band", fontsize=9)
        ax.set_xlabel(p.a.statistic, fontsize=8)
        ax.tick_params(labelsize=7)
    for ax in axes[n:]:
        ax.set_visible(False)
    axes[0].legend(fontsize=7)
    what = "candidates" if cal.sweep.kind == "points" else "Latin hypercube"
    fig.suptitle(f"Band levels over the {what} (green: the band)", fontsize=11)
    fig.savefig(path, dpi=DPI, facecolor="white")
    return path


def pct(x: float) -> str:
    """A share as a percentage with one decimal."""
    return f"{100 * x:.1f}%"


def plot_posterior(cal: Calibration, path: Path, top: int = 12) -> Path:
    """Prior and accepted values of the factors with the largest KS distance."""
    rows = cal.posterior.head(top)
    ncols = 4
    nrows = max(1, math.ceil(len(rows) / ncols))
    fig = Figure(figsize=(3.2 * ncols, 2.3 * nrows + 0.5), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    use = cal.points["accepted"] if rows["sample"].iloc[0] == "filtered" else cal.points["abc"]
    sel = cal.points.set_index("point").loc[cal.selected] if cal.selected is not None else None
    for ax, row in zip(axes, rows.itertuples(), strict=False):
        key = row.factor
        lo, hi = cal.bounds[key]
        bins = np.linspace(lo, hi, 16)
        ax.hist(cal.points[key], bins=bins, density=True, color="#cccccc", label="prior")
        ax.hist(cal.points.loc[use, key], bins=bins, density=True, color="#1f77b4",
                alpha=0.7, label="accepted")
        ax.axvline(cal.defaults[key], color="black", ls="--", lw=1, label="hand-set")
        if sel is not None:
            ax.axvline(float(sel[key]), color="#d62728", lw=1.2, label="selected")
        flag = " *" if row.identified else ""
        ax.set_title(f"{key}{flag}\nKS D = {row.ks_d:.2f}", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.set_yticks([])
    for ax in axes[len(rows):]:
        ax.set_visible(False)
    axes[0].legend(fontsize=6)
    fig.suptitle("Accepted against prior values (* identified by the bands)", fontsize=11)
    fig.savefig(path, dpi=DPI, facecolor="white")
    return path


def write_calibration(cal: Calibration, out: str | Path) -> dict[str, Path]:
    """Write the report, tables, figures, the selected point and the confirmation study."""
    from experiments.analysis import write_csv

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    files = {"report": out / "calibration.md", "points": out / "points.csv",
             "posterior": out / "posterior.csv", "bands": out / "bands.png",
             "parameters": out / "posterior.png"}
    files["report"].write_text(markdown_report(cal), encoding="utf-8")
    write_csv(cal.points, files["points"])
    if cal.sweep.kind != "points":
        files["abc"] = out / "abc_sample.csv"
        write_csv(by_distance(cal.abc), files["abc"])
    plot_bands(cal, files["bands"])
    if len(cal.posterior):
        write_csv(cal.posterior, files["posterior"])
        plot_posterior(cal, files["parameters"])
    else:  # candidates of a confirmation: nothing to identify
        del files["posterior"], files["parameters"]
    if cal.sweep.manifest.get("base_scenario"):
        settings = (cal.sweep.manifest.get("study") or {}).get("settings") or {}
        nearest = nearest_point(cal)
        if cal.selected is not None:
            files["selected"] = out / "selected.toml"
            files["selected"].write_text(overlay_toml(
                {**settings, **selected_values(cal)}, "calibrated_selected",
                f"CCPT baseline at design point {cal.selected} of the calibration sweep.",
                comment=[f"Written by consortium calibrate from {cal.sweep.path}."]),
                encoding="utf-8")
        elif nearest is not None:
            held = int(cal.points.set_index("point").loc[nearest, "n_in"])
            files["nearest"] = out / "nearest.toml"
            files["nearest"].write_text(overlay_toml(
                {**settings, **selected_values(cal, nearest)}, "calibration_nearest",
                f"CCPT baseline at design point {nearest}, the point nearest the bands: it "
                f"holds {held} of {len(cal.patterns)}, so it is not an accepted set.",
                comment=[f"Written by consortium calibrate from {cal.sweep.path}."]),
                encoding="utf-8")
    if cal.sweep.kind != "points":
        stem = str((cal.sweep.manifest.get("study") or {}).get("name") or CALIBRATION_STUDY)
        rows = candidates(cal)
        files["candidates"] = out / f"{stem}_candidates.csv"
        write_csv(rows, files["candidates"])
        files["confirm"] = out / f"{stem}_confirm.toml"
        files["confirm"].write_text(confirm_study(cal, files["candidates"].name, len(rows)),
                                    encoding="utf-8")
    return files
