"""``consortium compare``: funding designs side by side on the same seeds."""

from __future__ import annotations

import hashlib
import math
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from cli.common import RateColumn, make_console, make_folder, slug
from cli.designs import designs_on
from sim.grant import award_line

MAX_NAME = 80


def comparison_name(designs: list[str]) -> str:
    """A file stem naming the designs compared, shortened with a hash when long."""
    name = "+".join(slug(d) for d in designs)
    if len(name) <= MAX_NAME:
        return name
    return f"{name[:MAX_NAME - 9]}_{hashlib.sha256(name.encode()).hexdigest()[:8]}"


def _share(row, key: str) -> str:  # noqa: ANN001 - a pandas row
    return f"{row[key]:.0%} [{row[key + '_low']:.0%}, {row[key + '_high']:.0%}]"


def _money(value: float, low: float, high: float) -> str:
    if not math.isfinite(value):
        return "—"
    ends = "" if not (math.isfinite(low) and math.isfinite(high)) else \
        f" [{low:.1f}, {high:.1f}]"
    return f"{value:.1f}{ends}"


def compare_command(
    designs: Annotated[list[str], typer.Argument(
        help="Shipped design names or design files; the first is the reference.")],
    scenario: Annotated[str, typer.Option(
        "--scenario", help="Scenario every design is applied to.")] = "ccpt_baseline",
    replicates: Annotated[int, typer.Option(
        "--replicates", "-n", min=2, max=100_000,
        help="Replicates per design, on the same seeds for every design.")] = 200,
    years_after: Annotated[int, typer.Option(
        "--years-after", "-k", min=1, max=30,
        help="Years after each design's own grant end at which designs are compared.")] = 2,
    seed: Annotated[int, typer.Option(
        "--seed", min=0, max=2**63 - 1, help="Root seed (common random numbers).")
    ] = 20140701,
    out: Annotated[Path, typer.Option(
        "--out", "-o", help="Folder for the tables.")] = Path("out/compare"),
    workers: Annotated[int | None, typer.Option(
        "--workers", "-w", min=1,
        help="Worker processes (default: every core; 1 runs in this process).")] = None,
) -> None:
    """Compare funding designs on one scenario, on the same seeds.

    Each design runs REPLICATES times from the same replicate seeds and is read K years
    after its own grant end: shares sustained, scaled back and dissolved (Wilson 95%
    intervals), the paired difference in the share sustained from the first design
    (bootstrap 95% interval), survival curves, and what the state pays per consortium, per
    consortium sustained and per additional consortium sustained. Writes, named by the
    designs compared, a self-contained HTML decision brief for non-programmers, the summary
    (.csv, .parquet), survival (.csv) and one runs table per design (.parquet) to
    OUT/SCENARIO_nN_seedS/.

    Example: [bold]consortium compare ccpt_as_run longer_5y taper_2y retained_backbone[/bold]
    """
    from experiments.compare import compare, runs_table, summary_table, survival_table
    from viz.brief import decision_brief

    chosen, base = designs_on(designs, scenario)
    names = [d.name for d in chosen]
    folder = make_folder(out / f"{slug(base.name)}_n{replicates}_seed{seed}")
    console = make_console()
    total = replicates * len(chosen)
    columns = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn(), TextColumn("eta"), TimeRemainingColumn(), RateColumn())
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task(f"{len(chosen)} designs x {replicates}", total=total)
        result = compare(chosen, base, replicates, seed, years_after, workers,
                         progress=lambda done: progress.update(task, completed=done))
    summary = summary_table(result)
    survival = survival_table(result)
    stem = comparison_name(names)
    summary.to_csv(folder / f"summary_{stem}.csv", index=False)
    summary.to_parquet(folder / f"summary_{stem}.parquet", index=False)
    survival.to_csv(folder / f"survival_{stem}.csv", index=False)
    for runs in result.runs:
        runs_table(runs, result.horizon_years).to_parquet(
            folder / f"runs_{slug(runs.design.name)}.parquet", index=False)
    command = ("consortium compare " + " ".join(designs) + f" --scenario {scenario} "
               f"--replicates {replicates} --years-after {years_after} --seed {seed}")
    brief = folder / f"brief_{stem}.html"
    brief.write_text(decision_brief(result, summary, command), encoding="utf-8")

    table = Table(title=f"{base.name}: {len(chosen)} designs, {replicates} replicates each "
                  f"on the same seeds, read {years_after} years after each design's own "
                  "grant end", title_style="bold", header_style="bold")
    for col in ("design", "convention", "state pays $M", "sustained", "scaled back",
                "dissolved", f"Δ sustained vs {names[0]}", "$M per sustained",
                "$M per additional"):
        table.add_column(col, justify="left" if col in ("design", "convention") else "right")
    for _, row in summary.iterrows():
        table.add_row(row["design"], row["convention"], f"{row['cost_total_musd']:.2f}",
                      _share(row, "sustained"), _share(row, "scaled_back"),
                      _share(row, "dissolved"),
                      f"{row['diff_sustained']:+.0%} [{row['diff_low']:+.0%}, "
                      f"{row['diff_high']:+.0%}]",
                      _money(row["cost_per_sustained_musd"], row["cost_per_sustained_low"],
                             row["cost_per_sustained_high"]),
                      _money(row["cost_per_additional_musd"], row["cost_per_additional_low"],
                             row["cost_per_additional_high"]))
    console.print(table)
    for runs in result.runs:
        console.print(f"  {runs.design.name}: {award_line(runs.params)}", soft_wrap=True)
    console.print(f"Costs count the state's payments through {years_after} years after the "
                  "grant (award, retained positions, post-grant TA, onboarding support, "
                  "follow-on grants); intervals: Wilson for shares, bootstrap over the paired "
                  "replicates otherwise.")
    console.print(f"Wrote tables and the decision brief to {folder}/ ({brief.name})")
