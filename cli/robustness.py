"""``consortium robustness``: funding designs across the deep uncertainties."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from cli.common import RateColumn, make_console, make_folder, record_provenance, slug
from cli.compare import comparison_name, design_subject
from cli.designs import designs_on


def robustness_command(
    designs: Annotated[list[str], typer.Argument(
        help="Shipped design names or design files.")],
    scenario: Annotated[str, typer.Option(
        "--scenario", help="Scenario every design is applied to.")] = "ccpt_baseline",
    futures: Annotated[int, typer.Option(
        "--futures", min=2, max=10_000, help="Futures drawn by Latin hypercube.")] = 50,
    replicates: Annotated[int, typer.Option(
        "--replicates", "-n", min=1, max=10_000,
        help="Runs per design in each future, on the same seeds.")] = 20,
    target: Annotated[float, typer.Option(
        "--target", min=0.0, max=1.0,
        help="Share sustained a design should reach in a future (satisficing).")] = 0.3,
    years_after: Annotated[int, typer.Option(
        "--years-after", "-k", min=1, max=30,
        help="Years after each design's own grant end at which it is read.")] = 2,
    seed: Annotated[int, typer.Option("--seed", min=0, max=2**63 - 1, help="Root seed.")
                    ] = 20140701,
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the tables.")
                   ] = Path("out/robustness"),
    workers: Annotated[int | None, typer.Option(
        "--workers", "-w", min=1, help="Worker processes (default: every core).")] = None,
) -> None:
    """How robust each funding design is to what nobody knows: satisficing and regret.

    The futures are a Latin hypercube of deep uncertainties (trust, leader turnover,
    partners' means, crowding-out, competing grants, costs; experiments/robustness.py).
    Every design runs in every future on the same seeds. Reported per design: the share of
    futures in which its share sustained reaches --target, and its regret (the best
    design's share in a future minus its own), median and 90th percentile, as a table and
    a figure. provenance.json in the folder lists the files with their provenance.

    Example: [bold]consortium robustness ccpt_as_run longer_5y taper_2y --target 0.3[/bold]
    """
    from experiments import provenance
    from experiments.robustness import robustness, robustness_table
    from viz.figures import robustness_strip

    chosen, base = designs_on(designs, scenario)
    names = [d.name for d in chosen]
    folder = make_folder(out / f"{slug(base.name)}_f{futures}_n{replicates}_seed{seed}")
    console = make_console()
    total = futures * len(chosen) * replicates
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), RateColumn(), console=console) as progress:
        task = progress.add_task(f"{futures} futures x {len(chosen)} designs", total=total)
        result = robustness(chosen, base, futures, replicates, seed, years_after, workers,
                            progress=lambda done: progress.update(task, completed=done))
    table = robustness_table(result, target)
    stem = comparison_name(names)
    table.to_csv(folder / f"robustness_{stem}.csv", index=False)
    result.futures.join(result.sustained.add_prefix("sustained:")).join(
        result.cost.add_prefix("cost:")).to_csv(folder / f"futures_{stem}.csv", index=False)
    robustness_strip(result.sustained.to_dict("list"), target,
                     folder / f"robustness_{stem}.png")
    rec = provenance.record("robustness", base.name, {
        **design_subject(chosen, years_after, base=base), "futures": futures, "target": target},
        seed, replicates)
    record_provenance(folder, [folder / f"{kind}_{stem}.{ext}" for kind, ext in (
        ("robustness", "csv"), ("futures", "csv"), ("robustness", "png"))], rec, stem)
    shown = Table(title=f"{base.name}: {futures} futures, {replicates} runs per design in "
                  f"each, read {years_after} years after each design's grant end",
                  title_style="bold", header_style="bold")
    for col in ("design", f"futures with >= {target:.0%} sustained", "median sustained",
                "worst future", "median regret", "90th pct regret", "mean state cost $M"):
        shown.add_column(col, justify="left" if col == "design" else "right")
    for _, r in table.iterrows():
        shown.add_row(r["design"], f"{r['satisficing_share']:.0%}",
                      f"{r['sustained_median']:.0%}", f"{r['sustained_min']:.0%}",
                      f"{r['regret_median']:.0%}", f"{r['regret_p90']:.0%}",
                      f"{r['cost_mean_musd']:.2f}")
    console.print(shown)
    console.print(f"Regret: the best design's share sustained in a future minus this "
                  f"design's. Wrote the table, the futures and a figure to {folder}/")
