"""``consortium cohorts`` and ``consortium run COHORT``: statewide populations of consortia."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import numpy as np
import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from cli.common import (
    fail,
    make_console,
    output_set,
    print_shipped,
    run_progress,
    slug,
    writing,
)
from sim.cohorts import PARTNER_KEYS, Cohort, CohortError, load_cohort, shipped_cohorts
from sim.scenario import ScenarioError, parse_override, resolved_table

OUTPUTS = ("consortia.parquet", "statewide.csv", "distribution.csv", "summary.md",
           "statewide.png")
"""What ``run COHORT`` writes, after ``<cohort>_``."""

cohorts_app = typer.Typer(no_args_is_help=False, rich_markup_mode="rich",
                          help="List the shipped statewide cohorts, or show one.")


def read_cohort(name: str) -> Cohort:
    """The cohort; a bad file exits 2 with one line."""
    try:
        return load_cohort(name)
    except CohortError as exc:
        raise fail(exc) from None


@cohorts_app.callback(invoke_without_command=True)
def cohorts(ctx: typer.Context) -> None:
    """List the shipped statewide cohorts.

    Example: [bold]consortium cohorts[/bold]
    """
    if ctx.invoked_subcommand is not None:
        return
    def describe(path: Path) -> list[str]:
        c = load_cohort(path)
        return [str(c.size), c.spec.description]

    print_shipped(make_console(), "Shipped cohorts (scenarios/cohorts/)",
                  ["Consortia", "Description"], shipped_cohorts(), describe,
                  "Show one with [bold]consortium cohorts show NAME[/bold]; run it with "
                  "[bold]consortium run NAME[/bold].")


@cohorts_app.command("show")
def show(cohort: Annotated[str, typer.Argument(
        help="Name of a shipped cohort or path to a cohort file.")]) -> None:
    """Show a cohort: its tiers, lead agencies, partner totals, contexts and couplings.

    Example: [bold]consortium cohorts show ccpt_cohort1[/bold]
    """
    c = read_cohort(cohort)
    spec, console = c.spec, make_console()
    console.print(f"[bold]{spec.name}[/bold] ({c.path}): {spec.description}", soft_wrap=True)
    table = Table(title="Tiers", title_style="bold", header_style="bold")
    for col in ("tier", "consortia", "scenario", "award $M", "lead agencies", "set"):
        table.add_column(col)
    for t in spec.tiers:
        table.add_row(t.label or t.name, str(t.count), t.scenario,
                      f"{c.bases[t.name].grant.award_musd:g}",
                      ", ".join(f"{k} {v}" for k, v in t.leads.items()),
                      ", ".join(f"{k}={v}" for k, v in t.set.items()))
    console.print(table)
    totals = {k: v for k, v in spec.partners.model_dump().items() if v is not None}
    console.print("Partner totals apportioned over the consortia: "
                  + (", ".join(f"{k.removeprefix('n_')} {v}" for k, v in totals.items())
                     or "none (tier compositions times each region's size)"), soft_wrap=True)
    for section in ("contexts", "state", "overlap"):
        values = getattr(spec, section).model_dump()
        console.print(f"[{section}] " + ", ".join(f"{k} = {v}" for k, v in values.items()),
                      soft_wrap=True)
    console.print("Sources of every value: docs/cohorts.md.")


def cohort_subject(c: Cohort, settings: dict) -> dict:
    """What a cohort's results depend on: its file, each tier's scenario and the overrides."""
    from experiments.provenance import scenario_subject

    return {"cohort": c.spec.model_dump(mode="json"),
            "scenarios": {tier: scenario_subject(resolved_table(base))
                          for tier, base in c.bases.items()},
            "settings": settings}


def run_cohort_command(cohort: str, replicates: int, seed: int, overrides: list[str] | None,
                       out: Path, workers: int | None, overwrite: bool = False) -> None:
    """``consortium run COHORT``: statewide replicates, tables, figure and the seeds' reading.

    Written like a scenario's outputs: refused when in the way, staged, with provenance.
    """
    from experiments import provenance
    from experiments.cohort import (
        SELECT_FEW,
        TOTAL,
        cohort_runs,
        distribution,
        seeds_verdict,
        statewide_counts,
    )
    from viz import figures

    c = read_cohort(cohort)
    try:
        settings = dict(parse_override(text) for text in overrides or [])
        c.members(np.random.default_rng(0), settings)  # check the overrides before running
    except ScenarioError as exc:
        raise fail(exc) from None
    console = make_console()
    stem = slug(c.name)
    rec = provenance.record("cohort", c.name, cohort_subject(c, settings), seed, replicates)
    outputs = output_set(console, out, [f"{stem}_{suffix}" for suffix in OUTPUTS], rec, stem,
                         overwrite)
    with run_progress(console) as progress:
        task = progress.add_task(f"{c.name}: statewide replicates of {c.size} consortia",
                                 total=replicates)
        runs = cohort_runs(c, replicates, seed, settings, workers=workers,
                           progress=lambda done: progress.update(task, completed=done))
    years_after = 2
    counts = statewide_counts(runs, years_after)
    dist = distribution(counts)
    ok, verdict = seeds_verdict(dist)
    _print_distribution(console, c, dist, replicates, years_after, verdict, ok)

    total = counts[counts["tier"] == TOTAL]["sustained"].to_numpy()
    with writing(outputs) as stage:  # moved into place at the end; a failure keeps the old set
        at = stage / stem
        provenance.write_parquet(runs, Path(f"{at}_consortia.parquet"), rec)
        counts.to_csv(f"{at}_statewide.csv", index=False)
        dist.to_csv(f"{at}_distribution.csv", index=False)
        Path(f"{at}_summary.md").write_text(_markdown(c, dist, replicates, seed, years_after,
                                                     verdict, overrides))
        figures.statewide(
            dist.to_dict("records"), total, Path(f"{at}_statewide.png"),
            title=f"{c.name}: {years_after} years after the grant ({replicates} statewide "
                  "replicates)", band=SELECT_FEW)
    console.print("Wrote " + ", ".join(str(f) for f in outputs.written)
                  + f" (provenance in {out / provenance.LEDGER})", soft_wrap=True)


def _range(row: pd.Series, status: str) -> str:
    return (f"{row[status]:.1f} ({row[f'{status}_p05']:.0f}-{row[f'{status}_p95']:.0f}) "
            f"{row[f'{status}_share']:.0%}")


def _print_distribution(console: Console, c: Cohort, dist: pd.DataFrame, replicates: int,
                        years_after: int, verdict: str, ok: bool) -> None:
    table = Table(title=f"{c.name}: consortia by status {years_after} years after the grant, "
                  f"over {replicates} statewide replicates (mean, 90% range, share)",
                  title_style="bold", header_style="bold")
    for col in ("tier", "consortia", "sustained", "scaled back", "dissolved"):
        table.add_column(col, justify="left" if col == "tier" else "right")
    for _, row in dist.iterrows():
        table.add_row(row["tier"], str(int(row["consortia"])), _range(row, "sustained"),
                      _range(row, "scaled_back"), _range(row, "dissolved"))
    console.print(table)
    console.print(("[green]" if ok else "[red]") + verdict, soft_wrap=True)


def _markdown(c: Cohort, dist: pd.DataFrame, replicates: int, seed: int, years_after: int,
              verdict: str, overrides: list[str] | None) -> str:
    lines = [f"# Statewide: {c.name}", "", c.spec.description, "",
             f"{replicates} statewide replicates, root seed {seed}; status {years_after} "
             "years after each consortium's grant end; "
             + (f"overrides: {', '.join(overrides)}" if overrides else "no overrides") + ".",
             "", "| tier | consortia | sustained | scaled back | dissolved |",
             "|---|---:|---:|---:|---:|"]
    for _, row in dist.iterrows():
        lines.append(f"| {row['tier']} | {int(row['consortia'])} | {_range(row, 'sustained')}"
                     f" | {_range(row, 'scaled_back')} | {_range(row, 'dissolved')} |")
    lines += ["", "Counts are means over statewide replicates with the 5th-95th percentile "
              "range, then the mean share.", "", verdict, "",
              "Partners per consortium are drawn from the cohort's totals: "
              + ", ".join(PARTNER_KEYS) + " (docs/cohorts.md)."]
    return "\n".join(lines) + "\n"
