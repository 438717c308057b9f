"""The calibration report: Markdown, figures, the selected point and the confirmation study.

``write_calibration`` writes what ``consortium calibrate`` leaves in its folder: the report
(bands, the conflicts between them, the parameters the bands identify; Railsback & Grimm
2019 ch. 20), the points and the ABC sample (Beaumont 2010), the band and posterior
figures, the selected (or nearest) point as a scenario file, and for a screening sweep the
candidates nearest the bands with a study that re-runs them on fresh seeds and, when no
point holds every band, the next wave: a study of the box the ABC sample spans.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from validation.calibration import (
    CALIBRATION_STUDY,
    CONFLICT_RATIO,
    DEFAULT_ALPHA,
    WAVE_WIDEN,
    Calibration,
    _integer_factors,
    _value,
    band_conflicts,
    band_summary,
    by_distance,
    candidates,
    nearest_point,
    selected_values,
    wave_bounds,
)
from validation.patterns import BASELINE

CONFIRM_REPLICATES = 50
NARROWED = 0.9  # a factor whose next box is under this share of its last one counts as narrowed
DPI = 150


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


def _study_head(cal: Calibration, name: str, description: str, replicates: int,
                seed: int) -> list[str]:
    """The top-level keys of a study that runs the calibration's model on its statistics.

    ``base`` and ``timeseries`` belong to the consortium model only, so they are written when
    the sweep had a base scenario.
    """
    base = cal.sweep.manifest.get("base")
    statistics = dict.fromkeys(p.a.statistic for p in cal.patterns)
    return [f'name = "{name}"', f"description = {_toml_value(description)}",
            *([f'base = "{base}"'] if base else []),
            f'model = "{cal.sweep.manifest.get("model")}"', f"replicates = {replicates}",
            f"seed = {seed}", "outcomes = [" + ", ".join(f'"{s}"' for s in statistics) + "]",
            *(['timeseries = "none"'] if base else [])]


def _fixed_settings(cal: Calibration) -> dict[str, Any]:
    """The sweep's ``[set]`` values that it did not also vary.

    A ``[set]`` value of a key the sweep varies only centred that factor's box; a study of
    given points or a new box sets the key itself, and may not also fix it.
    """
    study = cal.sweep.manifest.get("study") or {}
    return {k: v for k, v in (study.get("settings") or {}).items() if k not in cal.bounds}


def _set_table(settings: Mapping[str, Any]) -> list[str]:
    """A ``[set]`` table of dotted scenario keys, or nothing."""
    if not settings:
        return []
    return ["", "[set]", *(f"{k} = {_toml_value(v)}" for k, v in settings.items())]


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
    lines = [
        f"# Confirmation of {study.get('name')}: its {n_points} candidate points nearest the "
        f"bands (file {candidates_file}),",
        f"# each re-run with {replicates} replicates from a fresh root seed. Written by "
        "consortium calibrate.",
        f"# Runs: {n_points} points x {replicates} replicates = {n_points * replicates:,}.",
        "",
        *_study_head(cal, name, _confirm_description(study), replicates, seed),
        *_set_table(_fixed_settings(cal)),
    ]
    lines += ["", "[design]", 'kind = "points"', f'file = "{candidates_file}"', ""]
    return "\n".join(lines)


def wave_name(name: str) -> str:
    """The next wave's study name: ``calibration_lhs`` -> ``..._wave2`` -> ``..._wave3``."""
    stem, _, k = name.rpartition("_wave")
    return f"{stem}_wave{int(k) + 1}" if stem and k.isdigit() else f"{name}_wave2"


def wave_study(cal: Calibration, bounds: Mapping[str, tuple[float, float]]) -> str:
    """A study that samples the next wave's box by Latin hypercube, as the last wave did.

    The same design size, replicates, statistics and settings; a fresh root seed. Factors
    whose box has shrunk to a point are left at that value.
    """
    study = dict(cal.sweep.manifest.get("study") or {})
    name = wave_name(str(study.get("name") or CALIBRATION_STUDY))
    seed = int(cal.sweep.manifest.get("root_seed") or 0) + 2
    samples = len(cal.points)
    replicates = int(cal.sweep.replicates)
    integer = _integer_factors(cal)
    fixed = {k: b[0] for k, b in bounds.items() if not b[1] > b[0]}
    narrowed = sum(1 for k, b in bounds.items()
                   if b[1] - b[0] < NARROWED * (cal.bounds[k][1] - cal.bounds[k][0]))
    lines = [
        f"# Wave {name.rpartition('_wave')[2]} of {study.get('name')}: a Latin hypercube of "
        "the box the ABC sample of the last wave spans,",
        f"# widened by {WAVE_WIDEN:g} of its range on each side (history matching in waves; "
        "Vernon et al. 2010). Written by consortium calibrate.",
        f"# {narrowed} of {len(bounds)} factors have a box under {NARROWED:.0%} of the last "
        "wave's.",
        f"# Runs: {samples:,} points x {replicates} replicates = {samples * replicates:,}.",
        "",
        *_study_head(cal, name, "Does the box where the last wave came nearest the level bands "
                     "hold parameter sets that reproduce every band at once?", replicates, seed),
        *_set_table({**_fixed_settings(cal),
                     **{k: _value(k, v, integer) for k, v in fixed.items()}}),
    ]
    lines += ["", "[design]", 'kind = "lhs"', f"samples = {samples}", "scramble = true"]
    for key, (lo, hi) in bounds.items():
        if key in fixed:
            continue
        lo_, hi_ = (math.floor(lo), math.ceil(hi)) if key in integer else (lo, hi)
        lines += ["", "[[factors]]", f'key = "{key}"',
                  f"bounds = [{float(f'{lo_:.6g}')!r}, {float(f'{hi_:.6g}')!r}]"]
        if key in integer:
            lines.append("integer = true")
    return "\n".join(lines) + "\n"


def _confirm_description(study: Mapping[str, Any]) -> str:
    return ("Do the candidate parameter sets of " + str(study.get("name") or "the calibration")
            + " hold every level band when re-run with more replicates and fresh seeds?")


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
    verifying = [p.id for p in cal.patterns if p.role == "verification"]
    lines = [
        "# Calibration report", "",
        f"- Sweep: `{cal.sweep.path}` (study `{(m.get('study') or {}).get('name')}`, "
        f"root seed {m.get('root_seed')}, git {str(m.get('git_revision'))[:10]}"
        f"{' dirty' if m.get('git_dirty') else ''})",
        design + f"{cal.sweep.replicates} replicates = {n_ok} runs ({n_failed} failed)",
        f"- Targets: {len(cal.patterns)} level bands of the baseline "
        f"({', '.join(p.id for p in cal.patterns)}); a point's level is its replicate mean",
        *([f"- Of these, {', '.join(verifying)} are verification bands: they hold by "
           "construction at the hand-set values and filter out points where a rule stops "
           "doing what it was built for"] if verifying else []),
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
        if not cal.points["accepted"].any():  # nothing holds every band: sample again
            files["wave"] = out / f"{wave_name(stem)}.toml"
            files["wave"].write_text(wave_study(cal, wave_bounds(cal)), encoding="utf-8")
    return files
