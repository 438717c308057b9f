"""``consortium designs``: the shipped funding designs, and one design applied to a scenario."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from cli.common import fail, load_params, make_console, print_shipped
from sim.cohorts import Cohort, CohortError, load_cohort
from sim.costs import COST_ITEMS, state_costs
from sim.designs import Design, DesignError, load_design, shipped_designs
from sim.grant import award_line
from sim.params import Grant, ScenarioParams

designs_app = typer.Typer(no_args_is_help=False, rich_markup_mode="rich",
                          help="List the shipped funding designs, or show one.")


def _chosen(designs: list[str], bases: list[ScenarioParams]) -> list[Design]:
    """The designs named, each once, checked to apply to every one of ``bases``."""
    try:
        chosen = [load_design(d) for d in designs]
    except DesignError as exc:
        raise fail(exc) from None
    names = [d.name for d in chosen]
    if len(set(names)) < len(names):
        raise fail(ValueError(f"designs: each design once (got {', '.join(names)})"))
    try:
        for base in bases:
            for d in chosen:
                d.apply(base)
    except DesignError as exc:
        raise fail(exc) from None
    return chosen


def designs_on(designs: list[str], scenario: str) -> tuple[list[Design], ScenarioParams]:
    """The designs named, each once, and the scenario they all apply to; bad input exits 2."""
    base = load_params(scenario, None)
    return _chosen(designs, [base]), base


def designs_on_cohort(designs: list[str], cohort: str) -> tuple[list[Design], Cohort]:
    """The designs named, each once, and the cohort they apply to; bad input exits 2.

    Every design must apply to every tier's scenario.
    """
    try:
        population = load_cohort(cohort)
    except CohortError as exc:
        raise fail(exc) from None
    return _chosen(designs, list(population.bases.values())), population


@designs_app.callback(invoke_without_command=True)
def designs(ctx: typer.Context) -> None:
    """List the shipped funding designs: what each changes and its award convention.

    Example: [bold]consortium designs[/bold]
    """
    if ctx.invoked_subcommand is not None:
        return
    def describe(path: Path) -> list[str]:
        d = load_design(path)
        return [d.convention, d.description]

    print_shipped(make_console(), "Shipped funding designs (scenarios/designs/)",
                  ["Award convention", "Description"], shipped_designs(), describe,
                  "Show one with [bold]consortium designs show NAME[/bold].")


@designs_app.command("show")
def show(
    design: Annotated[str, typer.Argument(
        help="Name of a shipped design or path to a design TOML file.")],
    scenario: Annotated[str, typer.Option(
        "--scenario", help="Scenario the design is applied to.")] = "ccpt_baseline",
    years_after: Annotated[int, typer.Option(
        "--years-after", min=0, max=40,
        help="Years after the grant over which the state's later costs are counted.")] = 2,
) -> None:
    """Show a design: its rationale and sources, the levers it sets and what the state pays.

    The levers are shown against the scenario's own values. The state's cost is the award
    under the design's convention for the scenario's award, plus what it pays after the
    grant (retained positions, TA, a follow-on grant) over --years-after years.

    Example: [bold]consortium designs show taper_2y --scenario ccpt_6m[/bold]
    """
    try:
        d = load_design(design)
    except DesignError as exc:
        raise fail(exc) from None
    base = load_params(scenario, None)
    try:
        applied = d.apply(base)
    except DesignError as exc:
        raise fail(exc) from None
    console = make_console()
    console.print(f"[bold]{d.name}[/bold]  ({d.path})", soft_wrap=True)
    if d.description:
        console.print(d.description)
    console.print(f"\n[bold]Why[/bold]: {d.rationale}")
    console.print("[bold]Sources[/bold]:")
    for source in d.sources:
        console.print(f"  - {source}")
    table = Table(title=f"Grant levers, applied to {base.name}", title_justify="left",
                  title_style="bold", header_style="bold")
    table.add_column("Lever", no_wrap=True)
    table.add_column("Design", justify="right")
    table.add_column("Scenario", justify="right")
    table.add_column("Unit")
    for key, value in d.grant.items():
        before = getattr(base.grant, key)
        table.add_row(key, str(value), str(before),
                      (Grant.model_fields[key].json_schema_extra or {}).get("unit", ""),
                      style="" if value == before else "yellow")
    console.print(table)
    console.print(f"What the state pays: {award_line(applied)}", soft_wrap=True)
    cost = state_costs(applied, years_after)
    items = Table(title=f"State cost per consortium, through {years_after} years after the "
                  "grant (million USD)", title_justify="left", title_style="bold",
                  header_style="bold")
    for item in (*COST_ITEMS, "total"):
        items.add_column(item.replace("_", " "), justify="right")
    items.add_row(*(f"{cost[item]:.2f}" for item in (*COST_ITEMS, "total")))
    console.print(items)
