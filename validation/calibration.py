"""Pattern-oriented calibration: filter a Latin hypercube of the assumptions by the level bands.

The calibration filters by the suite's level bands of the baseline (``kind = "band"``,
arm: ``ccpt_baseline`` without overrides): the calibration targets (``role =
"calibration"``) and the verification bands, which hold by construction at the hand-set
values but not everywhere in the box, so a point where one fails is a point where a rule
no longer does what it was built for. The directions (pairs and associations) are never
used here; they are checked afterwards at the accepted parameters (Grimm et al. 2005;
Railsback & Grimm 2019 ch. 20; science_anchors §6).

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

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from experiments.study import consortium_model
from sim.run import scenario_with
from sim.summary import holm
from validation.patterns import BASELINE, PATTERNS, Pattern
from validation.runs import run_statistics
from validation.text import band_text

CALIBRATION_STUDY = "calibration_lhs"
DEFAULT_QUANTILE = 0.05
DEFAULT_ALPHA = 0.01
ON_OPEN_BOUND = 0.05  # distance of a level on an open band end, in band widths
DEFAULT_CANDIDATES = 20  # points a calibration hands to its confirmation round
CONFLICT_RATIO = 0.5  # band pairs holding together less than half as often as if independent
WAVE_WIDEN = 0.1  # share of the ABC sample's range added on each side of the next wave's box


def calibration_patterns(patterns: Sequence[Pattern] = PATTERNS) -> list[Pattern]:
    """The bands a calibration filters by: level bands of the plain baseline run.

    Calibration targets and verification bands alike (module docstring); never a direction.
    """
    return [p for p in patterns
            if p.role in ("calibration", "verification") and p.kind == "band"
            and p.a is not None and p.a.scenario == BASELINE and not p.a.set]


def calibration_statistics(patterns: Sequence[Pattern] = PATTERNS) -> tuple[str, ...]:
    """The statistics the calibration bands read, each once, in catalogue order."""
    return tuple(dict.fromkeys(p.a.statistic for p in calibration_patterns(patterns)))


@consortium_model(outputs="validation.statistics:STATISTICS", series=False)
def pattern_statistics(params: Mapping[str, Any], rng: np.random.Generator, *,
                       scenario: str = BASELINE, outcomes: tuple[str, ...] | None = None,
                       series: bool = False, settings: Mapping[str, Any] | None = None
                       ) -> dict[str, float]:
    """One run of ``scenario`` with ``params`` set, reduced to the suite's statistics.

    The sweep model of a calibration study. ``outcomes`` names statistics of
    ``validation.statistics.STATISTICS`` (default: those of the calibration bands); the run
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
                         f"run a study with model = 'validation.calibration:pattern_statistics'")
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
    table["p_holm"] = holm(table["p"].to_numpy())
    table["identified"] = table["p_holm"] < alpha
    table.insert(1, "sample", "filtered" if filtered else "abc")
    order = np.argsort(-table["ks_d"].fillna(-1).to_numpy(), kind="stable")
    return table.iloc[order].reset_index(drop=True)


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


# ================================================================= selection and summaries
def _value(key: str, value: float, integer: set[str]) -> Any:
    return int(round(value)) if key in integer else float(f"{value:.4g}")


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
    columns = {}
    for key in cal.factors:
        col = rows[key].to_numpy()
        columns[key] = np.rint(col).astype(np.int64) if key in integer else col.astype(float)
    return pd.DataFrame(columns, index=range(len(rows)))  # one frame: no fragmentation


def wave_bounds(cal: Calibration, widen: float = WAVE_WIDEN) -> dict[str, tuple[float, float]]:
    """The box of the next wave: per factor, the range the ABC sample spans.

    Widened by ``widen`` of that range on each side and clipped to this wave's box. Each
    wave of history matching drops the region where no point came near the bands and
    samples the rest again (Vernon et al. 2010; Andrianakis et al. 2015, for agent-based
    models); a box is the crudest such region, so a factor the bands do not constrain keeps
    most of its range.
    """
    abc = cal.abc
    out = {}
    for key, (lo, hi) in cal.bounds.items():
        a, b = float(abc[key].min()), float(abc[key].max())
        pad = widen * (b - a)
        out[key] = (max(lo, a - pad), min(hi, b + pad))
    return out


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


# ================================================================ validation at the sample
def validation_at_points(cal: Calibration, points: Sequence[int], replicates: int = 30,
                         seed: int = 20140701, workers: int = 1,
                         patterns: Sequence[Pattern] | None = None) -> pd.DataFrame:
    """The validation patterns at calibration points, not only at the defaults.

    Each point's factor values become suite-wide settings (a pattern's own overrides still
    apply on top); every point runs the same ``replicates`` common-random-number seeds.
    Returns one row per point and pattern: ``point``, ``pattern``, ``status``, ``effect``
    (the effect or level) and ``n``. The patterns default to the catalogue's validation
    patterns (Grimm et al. 2005: directions are checked at the accepted parameters).
    """
    from validation.suite import run_suite

    chosen = list(patterns if patterns is not None
                  else [p for p in PATTERNS if p.role == "validation" and p.testable])
    rows = []
    for point in points:
        values = selected_values(cal, point)
        settings = [f"{k}={v}" for k, v in values.items()]
        res = run_suite(replicates=replicates, seed=seed, settings=settings,
                        patterns=chosen, workers=workers)
        for r in res.results:
            effect = r.effect.value if r.effect is not None else math.nan
            rows.append({"point": int(point), "pattern": r.pattern.id, "status": r.status,
                         "effect": effect, "n": r.n})
    return pd.DataFrame(rows)
