"""The steps of :func:`~experiments.analysis.analyze`: each writes one method's tables.

A step takes the :class:`~experiments.analysis.report.Report` of the running analysis,
writes its CSV and Markdown tables and its figure, and adds findings and notes for
``summary.md``. :data:`~experiments.analysis.driver.METHODS` says which steps each design
kind runs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from experiments.analysis.aggregates import aleatory_share, point_means
from experiments.analysis.correlation import rank_correlations
from experiments.analysis.figures import (
    MAX_LINES,
    plot_convergence,
    plot_interactions,
    plot_main_effects,
    plot_morris,
    plot_ofat,
    plot_replicates,
    plot_scatter_grid,
    plot_sobol,
    plot_timeseries,
)
from experiments.analysis.horizon import beyond_horizon
from experiments.analysis.index_convergence import convergence, convergence_verdicts
from experiments.analysis.morris import morris_indices
from experiments.analysis.ofat import interaction_means, main_effects, ofat_curves
from experiments.analysis.problem import factor_names
from experiments.analysis.replicates import replicate_guidance
from experiments.analysis.report import Report
from experiments.analysis.sobol import sobol_indices, sobol_pairs
from experiments.analysis.tables import markdown_table
from experiments.analysis.timeseries import (
    BAND_TEXT,
    grant_ends,
    pooled_curves,
    timeseries_curves,
)


# ============================================================================ every sweep
def write_aggregate(report: Report) -> None:
    """``aggregate.*``: the replicate summary per design point.

    ``beyond_horizon`` counts the runs of a point whose outcome lies beyond that point's
    horizon (NaN there, not failed); ``beyond_horizon.*`` lists them with the horizon that
    would measure them, and each outcome's findings say how many points it concerns.
    """
    beyond = beyond_horizon(report.sweep, report.names)
    counts = beyond.set_index(["outcome", "point"])["runs"] if len(beyond) else None
    agg = report.agg
    keys = pd.MultiIndex.from_arrays([agg["outcome"], agg["point"]])
    agg["beyond_horizon"] = (counts.reindex(keys).fillna(0).astype("int64").to_numpy()
                             if counts is not None else 0)
    short = report.sweep.incomplete
    missing = (short["expected"] - short["recorded"]).set_axis(short["point"])
    agg["missing_runs"] = agg["point"].map(missing).fillna(0).astype("int64").to_numpy()
    report.csv(agg, "aggregate")
    report.md("aggregate", "Replicate summary per design point",
              [f"Mean, sd, standard error, 95% CI (Student-t; Wilson for shares, per "
               f"ci_method) and quantiles of every outcome over the successful replicates of "
               f"each design point ({report.sweep.replicates} replicates planned per point; "
               "failed runs left out). beyond_horizon: runs whose outcome lies beyond that "
               "point's horizon, so n counts none of them (docs/ODD.md §8.2). missing_runs: "
               "runs of the point in chunks left out as missing or edited (only with "
               "--allow-incomplete; 0 otherwise)."], agg)
    if not len(beyond):
        return
    report.csv(beyond, "beyond_horizon")
    report.md("beyond_horizon", "Design points beyond their horizon",
              ["Outcomes read after the grant need the run to last that long. At these "
               "design points the grant outlasts the horizon, so the outcome is NaN in every "
               "run (not a failure); years_needed is the outcomes.horizon_years that would "
               "measure it."], beyond)
    for name, group in beyond.groupby("outcome", sort=False):
        report.findings[name].append(
            f"{len(group)} design point(s) lie beyond their horizon for this outcome "
            f"({int(group['runs'].sum())} runs, NaN, not failed): "
            f"outcomes.horizon_years = {int(group['years_needed'].max())} measures them.")


def write_aleatory(report: Report) -> None:
    """``aleatory.*`` with two or more replicates: the stochastic share of the variance."""
    sweep = report.sweep
    if sweep.replicates < 2 or not len(sweep.outcomes):
        return
    share = aleatory_share(sweep.outcomes, report.names)
    report.csv(share, "aleatory")
    report.md("aleatory", "Stochastic (aleatory) share of output variance",
              ["Mean within-point variance across replicates divided by the variance of "
               "all runs (science_anchors §6.3 item 5). Sensitivity indices describe the "
               "replicate means; this is the part of run-to-run variation they leave out."],
              share)
    for r in share.itertuples():
        if math.isfinite(r.aleatory_share):
            digits = 0 if r.aleatory_share >= 0.01 else 2
            report.findings[r.outcome].append(f"Replicate noise is {r.aleatory_share:.{digits}%} "
                                              "of the run-to-run variance.")


def write_replicates(report: Report) -> None:
    """``replicates.*`` with three or more replicates: how many replicates are enough."""
    sweep, tolerance = report.sweep, report.tolerance
    if sweep.replicates < 3 or not len(sweep.outcomes):
        return
    guide = replicate_guidance(sweep.outcomes, report.names, tolerance=tolerance)
    report.csv(guide, "replicates")
    report.md("replicates", "How many replicates?",
              [f"Running coefficient of variation over the first n replicates; `n_stable` is "
               f"the n after which it stays within ±{tolerance:.0%} of its final value "
               "(Lee et al. 2015). Where a point's mean cannot be told from zero the running "
               "sd is used instead. `n_for_ci` is the number of replicates for a 95% CI "
               "half-width of the stated target, from the point's sd (Secchi & Seri 2017). "
               "Both are evaluated per design point; `_max` is the largest over points."],
              guide)
    report.png(plot_replicates(sweep.outcomes, guide, report.out / "replicates.png", tolerance))
    for r in guide.itertuples():
        report.findings[r.outcome].append(f"Replicates: {r.verdict}.")


# ========================================================================= by design kind
def write_sobol(report: Report) -> None:
    """``sobol.*``, ``sobol_pairs.*`` with second order, and ``convergence.*``."""
    sweep, problem, n_boot, seed = report.sweep, report.sweep.problem, report.n_boot, report.seed
    if problem is None:
        report.notes.append("The manifest has no SALib problem; sobol indices were not "
                            "computed.")
        return
    second = bool(sweep.options.get("second_order", False))
    tables, pairs, convs = [], [], []
    for name in report.names:
        y = _complete_y(report, name, "Sobol")
        if y is None:
            continue
        try:
            t = sobol_indices(sweep.samples, y, problem, second, n_boot, seed)
        except ValueError as err:
            report.notes.append(f"Sobol indices for `{name}` were not computed: {err}.")
            continue
        tables.append(t.assign(outcome=name))
        if second:
            pairs.append(sobol_pairs(y, problem, n_boot, seed).assign(outcome=name))
        convs.append(convergence(None, y, problem, "sobol", second_order=second,
                                 n_boot=n_boot, seed=seed).assign(outcome=name))
        top = t.sort_values("ST", ascending=False).head(3)
        report.findings[name].append(
            "Most influential by total Sobol index ST (95% CI): " + ", ".join(
                f"`{r.factor}` {r.ST:.2f} [{r.ST_lo:.2f}, {r.ST_hi:.2f}]"
                for r in top.itertuples()))
        total_s1 = float(t["S1"].sum())
        report.findings[name].append(
            f"First-order indices sum to {total_s1:.2f}: about {1 - total_s1:.0%} of the "
            "variance of the replicate mean comes from interactions." if total_s1 < 1 else
            f"First-order indices sum to {total_s1:.2f}: the factors act additively (no sign "
            "of interactions).")
    if not tables:
        return
    table = _outcome_first(pd.concat(tables, ignore_index=True))
    report.csv(table, "sobol")
    report.md("sobol", "Sobol sensitivity indices",
              ["First-order (S1) and total (ST) Sobol indices of the replicate mean per "
               "design point (Saltelli et al. 2010 estimators via SALib), with 95% bootstrap "
               f"CIs ({n_boot} resamples); `_lo`/`_hi` are the interval ends."],
              table, [n for n in report.notes if n.startswith("Sobol") or "variance" in n])
    report.png(plot_sobol(table, report.out / "sobol.png"))
    if pairs:
        pair_table = _outcome_first(pd.concat(pairs, ignore_index=True))
        report.csv(pair_table, "sobol_pairs")
        report.md("sobol_pairs", "Second-order Sobol indices",
                  ["S2 for every factor pair, with the 95% bootstrap CI half-width."],
                  pair_table)
    _write_convergence(report, convs)


def write_morris(report: Report) -> None:
    """``morris.*`` and ``convergence.*``."""
    sweep, problem, n_boot, seed = report.sweep, report.sweep.problem, report.n_boot, report.seed
    if problem is None:
        report.notes.append("The manifest has no SALib problem; morris indices were not "
                            "computed.")
        return
    levels = int(sweep.options.get("levels", 4))
    factors = factor_names(problem)
    samples = sweep.samples
    if samples is None:
        samples = sweep.design[[f for f in problem["names"]]].to_numpy(dtype=float)
    tables, convs = [], []
    for name in report.names:
        y = _complete_y(report, name, "Morris")
        if y is None:
            continue
        try:
            t = morris_indices(samples, y, problem, levels, n_boot, seed)
        except ValueError as err:
            report.notes.append(f"Morris indices for `{name}` were not computed: {err}.")
            continue
        tables.append(t.assign(outcome=name))
        convs.append(convergence(samples, y, problem, "morris", levels=levels,
                                 n_boot=n_boot, seed=seed).assign(outcome=name))
        top = t.head(3)
        report.findings[name].append("Most influential by Morris mu* (sigma): " + ", ".join(
            f"`{r.factor}` {r.mu_star:.3g} ({r.sigma:.3g})" for r in top.itertuples()))
    if not tables:
        return
    table = _outcome_first(pd.concat(tables, ignore_index=True))
    report.csv(table, "morris")
    report.md("morris", "Morris elementary-effect screening",
              [f"mu* (mean absolute elementary effect, with 95% bootstrap CI half-width, "
               f"{n_boot} resamples), mu and sigma over {len(samples) // (len(factors) + 1)} "
               f"trajectories on a {levels}-level grid, computed on replicate means "
               "(Morris 1991; Campolongo et al. 2007). A large sigma relative to mu* means "
               "non-linear effects or interactions."],
              table, [n for n in report.notes if n.startswith("Morris")])
    report.png(plot_morris(table, report.out / "morris.png"))
    _write_convergence(report, convs)


def write_ofat(report: Report) -> None:
    """``ofat.*``: response curves along each varied factor."""
    design = report.sweep.design
    if "varied" not in design:
        report.notes.append("The OFAT design table has no `varied` column; no curves drawn.")
        return
    curves = ofat_curves(report.agg, design)
    report.csv(curves, "ofat")
    report.md("ofat", "One-factor-at-a-time response curves",
              ["Replicate mean and 95% CI of each outcome at each level of each "
               "factor, the others held at the base scenario (ten Broeke et al. 2016)."],
              curves)
    report.png(plot_ofat(curves, report.out / "ofat.png"))
    _range_findings(report, curves, "OFAT")


def write_main_effects(report: Report) -> None:
    """``main_effects.*``: the mean at each level of each factor of a factorial."""
    sweep = report.sweep
    effects = main_effects(sweep.outcomes, sweep.design, report.names)
    report.csv(effects, "main_effects")
    report.md("main_effects", "Main effects",
              ["Mean of every outcome at each level of each factor, pooled over the other "
               "factors' levels and the replicates, with a 95% Student-t CI."], effects)
    report.png(plot_main_effects(effects, report.out / "main_effects.png"))
    _range_findings(report, effects, "main effect")


def write_interactions(report: Report) -> None:
    """``interactions.*``: cell means of every factor pair of a factorial, and their plots."""
    sweep = report.sweep
    cells = interaction_means(sweep.outcomes, sweep.design, report.names)
    if not len(cells):
        return
    report.csv(cells, "interactions")
    report.md("interactions", "Two-factor interactions",
              ["Mean of every outcome at each combination of the levels of two factors, "
               "pooled over the other factors' levels and the replicates, with a 95% CI "
               "(Student-t; Wilson for shares, per ci_method). In the figure, lines that are "
               "not parallel show that the effect of factor A depends on factor B."], cells)
    report.png(plot_interactions(cells, report.out / "interactions.png"))


def write_rank_correlations(report: Report) -> None:
    """``lhs.*``: rank correlations and a scatter grid over the numeric factors."""
    design = report.sweep.design
    factors = [f for f in report.sweep.factors if f in design]
    numeric = [f for f in factors if pd.api.types.is_numeric_dtype(design[f])]
    if not numeric:
        return
    corr = rank_correlations(report.agg, numeric)
    report.csv(corr, "lhs")
    report.md("lhs", "Rank correlation of outcomes with factors (Latin hypercube)",
              ["Spearman rank correlation between each factor and the replicate mean of "
               "each outcome over the design points."], corr)
    report.png(plot_scatter_grid(report.agg, numeric, report.out / "lhs.png"))
    for name in report.names:
        top = corr[corr["outcome"] == name].dropna(subset=["rho"])
        top = top.reindex(top["rho"].abs().sort_values(ascending=False).index).head(3)
        if len(top):
            report.findings[name].append(
                "Strongest rank correlations (Spearman rho): " + ", ".join(
                    f"`{r.factor}` {r.rho:+.2f}" for r in top.itertuples()))


def write_timeseries(report: Report) -> None:
    """``timeseries.*`` when the sweep keeps series: each variable over time per point.

    The figure draws one line per design point; with more than ``MAX_LINES`` points, one
    per level of the first factor with 2 to ``MAX_LINES`` levels (pooled over the others),
    else ``MAX_LINES`` evenly spaced points, and its title says which.
    """
    sweep = report.sweep
    result = timeseries_curves(sweep)
    if result is None:
        return
    curves, time = result
    if not len(curves):
        report.notes.append("The sweep keeps series, but no successful run stored any; "
                            "no time-series curves.")
        return
    unit = "yearly means" if time == "year" else "monthly values"
    report.csv(curves, "timeseries")
    report.md("timeseries", "Series over time",
              [f"Mean across the successful replicates of each design point of every stored "
               f"series ({unit}; `{time}` counts from 0 at the start of the run), with the "
               f"band `{curves['band'].iloc[0]}`: the {BAND_TEXT} (lo, hi)."], curves)
    ends = grant_ends(sweep)
    points = sorted(curves["point"].unique())
    design = sweep.design.set_index("point")
    factors = [f for f in sweep.factors if f in design.columns]
    rows = {int(r["point"]): r for r in sweep.design.to_dict("records")}  # types kept
    if len(points) <= MAX_LINES:
        legend = {p: _point_label(p, rows[p], factors) for p in points}
        path = plot_timeseries(curves, time, report.out / "timeseries.png",
                               grant_ends=ends, legend=legend)
    else:
        main = next((f for f in factors if 1 < design[f].nunique() <= MAX_LINES), None)
        if main is not None:
            pooled = pooled_curves(sweep, main)
            level_ends = {}
            for value, pts in design.groupby(main).groups.items():
                found = {ends.get(int(p)) for p in pts}
                level_ends[value] = found.pop() if len(found) == 1 else None
            note = (f"; one line per level of {main}, pooled over the other factors "
                    f"({len(points)} points; timeseries.csv has each)")
            path = plot_timeseries(pooled, time, report.out / "timeseries.png", line="level",
                                   grant_ends=level_ends, note=note,
                                   legend={v: f"{main} = {v}" for v in pooled["level"]})
        else:
            shown = [points[i] for i in np.unique(np.linspace(0, len(points) - 1,
                                                              MAX_LINES).astype(int))]
            note = (f"; {len(shown)} of {len(points)} points, evenly spaced "
                    "(timeseries.csv has all)")
            path = plot_timeseries(curves[curves["point"].isin(shown)], time,
                                   report.out / "timeseries.png", grant_ends=ends, note=note,
                                   legend={p: _point_label(p, rows[p], factors)
                                           for p in shown})
    report.png(path)


# ================================================================================ helpers
def _point_label(point: int, row: dict, factors: Sequence[str]) -> str:
    """``point 3: state_years=5, baseline=0.1`` (the last part of each key)."""
    values = ", ".join(f"{f.rsplit('.', 1)[-1]}={row[f]}" for f in factors[:3])
    more = ", ..." if len(factors) > 3 else ""
    return f"point {point}: {values}{more}" if values else f"point {point}"


def _complete_y(report: Report, name: str, method: str) -> np.ndarray | None:
    """Replicate means of ``name`` at every design point, or None with a note saying why."""
    y = point_means(report.agg, name)
    missing = [int(p) for p in y.index[~np.isfinite(y.to_numpy(dtype=float))]]
    if missing:
        report.notes.append(_skip_note(method, name, missing, len(report.sweep.design)))
        return None
    y = y.to_numpy(dtype=float)
    if np.ptp(y) == 0.0:
        report.notes.append(f"`{name}` is the same at every design point; it has no variance "
                            f"to apportion, so no {method} indices.")
        return None
    return y


def _skip_note(method: str, name: str, missing: list[int], total: int) -> str:
    listed = ", ".join(str(p) for p in missing[:10]) + (", ..." if len(missing) > 10 else "")
    return (f"{method} indices for `{name}` were not computed: {len(missing)} of {total} "
            f"design points have no successful replicate (points {listed}); SALib needs "
            "an output at every point of the design.")


def _write_convergence(report: Report, convs: Sequence[pd.DataFrame]) -> None:
    conv = _outcome_first(pd.concat(convs, ignore_index=True))
    verdicts = convergence_verdicts(conv)
    report.csv(conv, "convergence")
    report.md("convergence", "Convergence of the indices with sample size",
              ["Indices recomputed on the first N' base samples (Sobol) or r' trajectories "
               "(Morris). An index is called stable when its last two estimates differ by "
               "less than the CI half-width of the last one, or not at all.", "", "## Verdicts",
               ""],
              verdicts.drop(columns="text"), max_rows=None)
    with (report.out / "convergence.md").open("a", encoding="utf-8") as fh:
        fh.write("\n## Estimates by sample size\n\n" + markdown_table(conv))
    report.png(plot_convergence(conv, report.out / "convergence.png"))
    for name, grp in verdicts.groupby("outcome", sort=False):
        unstable = grp[grp["verdict"] != "stable"]
        if unstable.empty:
            report.findings[name].append("All indices are stable between the two largest "
                                         "sample sizes.")
        else:
            report.findings[name].append(
                "Not yet stable (more samples would sharpen them): "
                + ", ".join(f"{r.index} of `{r.factor}`" for r in unstable.itertuples()) + ".")


def _outcome_first(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[["outcome", *[c for c in frame.columns if c != "outcome"]]]


def _range_findings(report: Report, table: pd.DataFrame, what: str) -> None:
    for name in report.names:
        sub = table[table["outcome"] == name]
        spans = sub.groupby("factor", sort=False)["mean"].agg(lambda m: m.max() - m.min())
        spans = spans.dropna().sort_values(ascending=False).head(3)
        if len(spans):
            report.findings[name].append(f"Largest {what} range of the mean: " + ", ".join(
                f"`{f}` {v:.3g}" for f, v in spans.items()))
