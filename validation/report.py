"""The validation report: Markdown, one self-contained HTML page and the runs table.

Every estimate is followed by its 95% interval, every pattern by its evidence strength
(A/B/C, domain brief §5), source and role, and failures stay in the report. Calibration,
validation and verification patterns are counted apart, each with the reason for its role
(``validation.patterns``), and the header names every failing pattern by role. The
Markdown is written here; the HTML page is rendered from the Jinja2 templates in
``validation/templates`` with the same wording, inline CSS and inline PNG figures
(``validation.figures``), so it needs no external assets.
"""

from __future__ import annotations

import base64
import html
import math
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from jinja2 import Environment, PackageLoader
from markupsafe import Markup

from validation.figures import pattern_png
from validation.inference import POWER_TARGET, Level, PatternResult
from validation.patterns import Arm, group
from validation.suite import SuiteResult
from validation.text import (
    band_text,
    count_text,
    criterion,
    effect_label,
    effect_text,
    p_text,
    verdict_text,
)

TITLE = "Validation report: consortium-sim pattern suite"
SUMMARY_COLUMNS = ["id", "title", "kind", "role", "strength", "source", "effect",
                   "estimate [95% CI]", "criterion", "N", "verdict", "why"]
ROLE_COLUMNS = ["id", "title", "kind", "verdict", "why this role"]
ROLE_HEADINGS = {
    "validation": "Validation: patterns that could fail, judged against evidence that built "
                  "no rule",
    "verification": "Verification: checks that a rule works as it was built, not evidence "
                    "of validity",
    "calibration": "Calibration: levels of the baseline the assumption parameters are "
                   "fitted to",
}
GUIDANCE_COLUMNS = ["statistic", "arms", "replicates", "measure", "CV settles by",
                    "n for CI target", "verdict"]
NO_GUIDANCE = "No guidance: fewer than three replicates."


def _arm_text(arm: Arm | None, level: Level | None) -> str:
    if arm is None:
        return ""
    label = f"{arm.label}: " if arm.label else ""
    value = f" = {level.text()} ({level.method})" if level is not None else ""
    return f"{label}`{arm.statistic}` of {arm.describe()}{value}"


def _header_lines(res: SuiteResult) -> list[str]:
    counts = res.counts()
    mode = "quick (robust patterns only)" if res.quick else "full"
    rev = res.revision.get("revision")
    code = (f"commit {rev[:12]}" + (" with uncommitted changes" if res.revision.get("dirty")
                                    else "") if rev else "not a git checkout")
    lines = [
        f"- Run: {res.started}; {mode}; wall time {res.wall_time_s:.0f} s; code: {code}.",
        f"- Replicates per arm: **N = {res.replicates}**, root seed {res.seed}; replicate r "
        f"of every arm uses child r of `numpy.random.SeedSequence({res.seed})` (common "
        f"random numbers). {len(res.arms)} arms, {len(res.arms) * res.replicates} runs.",
        "- Suite-wide settings: " + (", ".join(f"`{s}`" for s in res.settings)
                                     if res.settings else "none") + ".",
    ]
    for name in ("validation", "verification", "calibration"):
        c = counts.get(name)
        if c:
            lines.append(f"- {name.capitalize()} patterns: {c['pass']} pass, "
                         f"{c['fail']} fail.")
    n_input = counts.get("input", {}).get("not testable", 0)
    n_absent = counts.get("not represented", {}).get("not testable", 0)
    if n_input or n_absent:
        lines.append(f"- Not testable: {n_input} input{'s' * (n_input != 1)} of the model "
                     f"and {n_absent} pattern{'s' * (n_absent != 1)} it does not represent.")
    failing = [(k, [r.pattern.id for r in res.results
                    if r.status == "fail" and group(r.pattern) == k])
               for k in ("validation", "verification", "calibration")]
    lines.append("- Failing: " + ("; ".join(f"{k} {', '.join(ids)}" for k, ids in failing
                                            if ids) or "none") + ".")
    for name in ("validation", "verification"):
        tested = [r for r in res.results if math.isfinite(r.p_holm) and r.pattern.role == name]
        if tested:
            holm = sum(r.p_holm < r.pattern.alpha and r.status == "pass" for r in tested)
            lines.append(f"- Of {len(tested)} {name} tests (pairs and associations), {holm} "
                         "pass with Holm-adjusted p-values (adjusted over every test of the "
                         "run).")
    lines.append("- Every estimate is followed by its 95% interval in brackets. Counts, "
                 "band bounds, thresholds and p-values are not estimates and carry none.")
    return lines


def replicate_justification(res: SuiteResult) -> list[str]:
    """Sentences on why N is enough, from the runs' own variability and the tests' power."""
    g = res.guidance
    out = []
    if g is not None and not g.empty and "n_stable_max" in g:
        stable = g["n_stable_max"].dropna()
        settled = int((stable < res.replicates).sum())
        worst = g.loc[g["n_stable_max"].idxmax()] if not stable.empty else None
        out.append(
            f"Coefficient of variation (Lee et al. 2015): the running CV (or sd, where a "
            f"mean cannot be told from zero) of {settled} of {len(g)} statistics settles "
            f"within ±5% of its final value before N = {res.replicates}"
            + (f"; the slowest is `{worst['outcome']}` at {int(worst['n_stable_max'])} "
               f"replicates" if worst is not None else "") + ".")
        out.append("The CV's own sampling error is about 1/sqrt(2n) (about "
                   f"{100 / math.sqrt(2 * res.replicates):.0f}% at n = {res.replicates}), so "
                   "a ±5% tolerance settles late by construction; the interval-width rule "
                   "below is the binding one.")
        ci = g[["outcome", "n_for_ci_max"]].dropna()
        if not ci.empty:
            short = ci[ci["n_for_ci_max"] > res.replicates]
            out.append(
                f"Interval width (Secchi & Seri 2017): a 95% half-width of 10% of the mean "
                f"(0.05 for shares) needs at most {int(ci['n_for_ci_max'].max())} replicates "
                f"(median over statistics {int(ci['n_for_ci_max'].median())}); N = "
                f"{res.replicates} meets it for {len(ci) - len(short)} of {len(ci)} "
                "statistics" + (": not for " + ", ".join(
                    f"`{row.outcome}` ({int(row.n_for_ci_max)})"
                    for row in short.itertuples()) + ", whose means are small beside their "
                    "spread, so a width relative to the mean asks for more than their tests "
                    "need" if len(short) else "") + ".")
    tests = [r for r in res.results if r.power is not None]
    if tests:
        strong = sum(r.power.value >= POWER_TARGET for r in tests)
        out.append(
            f"Power: at the observed effects, {strong} of {len(tests)} tests have power ≥ "
            f"{POWER_TARGET:g} at N = {res.replicates}; the details give "
            "the replicates each would need.")
    return out


def _summary_rows(res: SuiteResult) -> list[list[str]]:
    rows = []
    for r in res.results:
        p = r.pattern
        rows.append([p.id, p.title, p.kind, p.role, p.strength, p.source, effect_label(p),
                     effect_text(r), criterion(p), str(r.n) if r.n else "", verdict_text(r),
                     p.why])
    return rows


NOT_AUDITED = ("Not audited yet (validation.patterns.AWAITING_REDEFINITION).")


def _role_sections(res: SuiteResult) -> list[tuple[str, list[list[str]]]]:
    """Per role, its heading and one row per pattern: id, title, kind, verdict, why."""
    out = []
    for name in ("validation", "verification", "calibration"):
        rows = [[r.pattern.id, r.pattern.title, r.pattern.kind, verdict_text(r),
                 r.pattern.role_why or NOT_AUDITED]
                for r in res.results if group(r.pattern) == name]
        if rows:
            out.append((ROLE_HEADINGS[name], rows))
    return out


def _md_cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def markdown_report(res: SuiteResult) -> str:
    """The report as Markdown."""
    lines = [f"# {TITLE}", ""]
    lines += _header_lines(res)
    lines += ["", "## Roles", ""]
    for heading, rows in _role_sections(res):
        lines += [f"### {heading}", "", "| " + " | ".join(ROLE_COLUMNS) + " |",
                  "|" + "---|" * len(ROLE_COLUMNS)]
        lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
        lines.append("")
    lines += ["## Why this many replicates", ""]
    lines += [f"- {s}" for s in replicate_justification(res)]
    lines += ["", "## Patterns", "",
              "| " + " | ".join(SUMMARY_COLUMNS) + " |",
              "|" + "---|" * len(SUMMARY_COLUMNS)]
    for row in _summary_rows(res):
        lines.append("| " + " | ".join(_md_cell(c) for c in row) + " |")
    lines += ["", "## Details", ""]
    for r in res.results:
        lines += _md_details(r)
    lines += ["## Replicate guidance per statistic", ""]
    lines += _md_guidance(res.guidance)
    return "\n".join(lines) + "\n"


def _detail_items(r: PatternResult) -> list[str]:
    p = r.pattern
    items = [f"Evidence: {p.evidence}", f"Source: {p.source}; strength {p.strength}; "
             f"role {p.role}; kind {p.kind}."]
    if p.role_why:
        items.append(f"Why {p.role}: {p.role_why}")
    if not p.testable:
        items.append(f"Not testable: {p.reason}")
        return items
    if p.kind == "band":
        items.append(f"Statistic: {_arm_text(p.a, r.arm_a)}.")
        items.append(f"Band {band_text(p)}; verdict: {verdict_text(r)} (N = {r.n}).")
    else:
        items.append(f"A: {_arm_text(p.a, r.arm_a)}.")
        items.append(f"B: {_arm_text(p.b, r.arm_b)}.")
        if r.effect is not None:
            items.append(f"{effect_label(p)} = {r.effect.text()} ({r.effect.method}); "
                         f"{r.test}: p = {p_text(r.p_value)}, Holm-adjusted {p_text(r.p_holm)}; "
                         f"N = {r.n}; verdict: {r.status}.")
        if r.d_z is not None:
            items.append(f"Standardized effect d_z = {r.d_z.text(2)}.")
        if r.power is not None:
            items.append(f"Power at the observed effect = {r.power.text(2)} "
                         f"({r.power.method}); N for power {POWER_TARGET:g}: "
                         f"{count_text(r.n_for_power)}.")
    items.append(f"Why this shape: {p.why}")
    items += [f"Note: {n}" for n in r.notes]
    return items


def _md_details(r: PatternResult) -> list[str]:
    p = r.pattern
    return [f"### {p.id}: {p.title} — {r.status}", ""] + [
        f"- {_md_cell(s)}" for s in _detail_items(r)] + [""]


def _guidance_rows(g: pd.DataFrame) -> list[list[Any]]:
    """One row per statistic of the replicate guidance, in GUIDANCE_COLUMNS order."""
    cols = ["outcome", "points", "replicates", "measure", "n_stable_max", "n_for_ci_max",
            "verdict"]
    return [[row["outcome"], row["points"], row["replicates"], row["measure"],
             _int_or_na(row["n_stable_max"]), _int_or_na(row["n_for_ci_max"]), row["verdict"]]
            for _, row in g[cols].iterrows()]


def _md_guidance(g: pd.DataFrame) -> list[str]:
    if g is None or g.empty:
        return [NO_GUIDANCE, ""]
    lines = ["| " + " | ".join(GUIDANCE_COLUMNS) + " |", "|---|---:|---:|---|---:|---:|---|"]
    lines += ["| " + " | ".join(_md_cell(c) for c in cells) + " |"
              for cells in _guidance_rows(g)]
    return lines + [""]


def _int_or_na(x: Any) -> str:
    try:
        return str(int(x)) if math.isfinite(float(x)) else "n/a"
    except (TypeError, ValueError):
        return "n/a"


# ------------------------------------------------------------------------------------ HTML
def _escape(value: Any) -> Markup:
    """Escape text as ``html.escape`` does (quotes too); markup passes through."""
    if hasattr(value, "__html__"):
        return Markup(value.__html__())
    return Markup(html.escape(str(value)))


def inline_md(text: str) -> Markup:
    """Escape, then render `code` and **bold** spans."""
    out = html.escape(text)
    pieces = out.split("`")
    out = "".join(f"<code>{s}</code>" if k % 2 else s for k, s in enumerate(pieces))
    pieces = out.split("**")
    return Markup("".join(f"<b>{s}</b>" if k % 2 else s for k, s in enumerate(pieces)))


@cache
def _environment() -> Environment:
    # ``finalize`` escapes every expression as html.escape does, so the page reads the same
    # as the Markdown's wording; autoescape stays on behind it for anything it lets through.
    env = Environment(loader=PackageLoader("validation", "templates"), autoescape=True,
                      finalize=_escape, trim_blocks=True, lstrip_blocks=True)
    env.filters["inline_md"] = inline_md
    return env


def _status_class(r: PatternResult) -> str:
    return {"pass": "pass", "fail": "fail"}.get(r.status, "nt")


def _html_cell(text: Any) -> str:
    return str(text).replace("\n", " ").strip()


def html_report(res: SuiteResult, figures: bool = True) -> str:
    """The report as one self-contained HTML page (inline CSS and PNGs, no external assets)."""
    rows = [{"id": r.pattern.id, "status": _status_class(r), "cells": cells}
            for r, cells in zip(res.results, _summary_rows(res), strict=True)]
    details = []
    for r in res.results:
        p = r.pattern
        png = pattern_png(r, res) if figures and p.testable and r.effect is not None else None
        details.append({"id": p.id, "title": p.title, "status": r.status,
                        "status_class": _status_class(r), "entries": _detail_items(r),
                        "png": base64.b64encode(png).decode() if png else ""})
    g = res.guidance
    guidance = (None if g is None or g.empty else
                [[_html_cell(c) for c in cells] for cells in _guidance_rows(g)])
    return _environment().get_template("report.html.j2").render(
        title=TITLE, header=[line[2:] for line in _header_lines(res)],
        role_columns=ROLE_COLUMNS, role_sections=[
            {"heading": h, "rows": [[_html_cell(c) for c in row] for row in rows]}
            for h, rows in _role_sections(res)],
        justification=replicate_justification(res), columns=SUMMARY_COLUMNS,
        numeric=("estimate [95% CI]", "N"), rows=rows, details=details,
        guidance_columns=GUIDANCE_COLUMNS, guidance=guidance, no_guidance=NO_GUIDANCE)


# ------------------------------------------------------------------------------- the files
def runs_table(res: SuiteResult) -> pd.DataFrame:
    """Every run's statistics in long form: arm, scenario, overrides, replicate, value."""
    seeds = np.random.SeedSequence(res.seed).spawn(res.replicates)
    rows = []
    for k, arm in enumerate(res.arms):
        for name, values in arm.values.items():
            for r, v in enumerate(values):
                rows.append({"arm": k, "scenario": arm.scenario,
                             "overrides": "; ".join(arm.overrides), "replicate": r,
                             "spawn_key": ",".join(map(str, seeds[r].spawn_key)),
                             "statistic": name, "value": v})
    return pd.DataFrame(rows)


def write_report(res: SuiteResult, out: Path | str, figures: bool = True) -> dict[str, Path]:
    """Write validation_report.md, validation_report.html and validation_runs.csv to ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    files = {"markdown": out / "validation_report.md", "html": out / "validation_report.html",
             "runs": out / "validation_runs.csv"}
    files["markdown"].write_text(markdown_report(res), encoding="utf-8")
    files["html"].write_text(html_report(res, figures=figures), encoding="utf-8")
    runs_table(res).to_csv(files["runs"], index=False)
    return files
