"""``consortium compare``: funding designs side by side on the same seeds."""

from __future__ import annotations

import hashlib
import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from cli.common import (
    OverwriteOption,
    fail,
    make_console,
    output_set,
    run_progress,
    slug,
    writing,
)
from cli.designs import designs_on, designs_on_cohort
from sim.grant import award_line

if TYPE_CHECKING:
    from sim.cohorts import Cohort
    from sim.designs import Design
    from sim.params import ScenarioParams

MAX_NAME = 80


def comparison_name(designs: list[str]) -> str:
    """A file stem naming the designs compared, shortened with a hash when long."""
    name = "+".join(slug(d) for d in designs)
    if len(name) <= MAX_NAME:
        return name
    return f"{name[:MAX_NAME - 9]}_{hashlib.sha256(name.encode()).hexdigest()[:8]}"


def design_subject(chosen: list[Design], years_after: int, cohort: Cohort | None = None,
                   base: ScenarioParams | None = None) -> dict[str, Any]:
    """What a comparison's results depend on: each design's levers, the scenario or cohort."""
    from cli.cohorts import cohort_subject
    from experiments.provenance import scenario_subject
    from sim.scenario import resolved_table

    return {"designs": [{"name": d.name, "grant": d.grant} for d in chosen],
            "years_after": years_after,
            **({"cohort": cohort_subject(cohort, {})} if cohort is not None else
               {"scenario": scenario_subject(resolved_table(base))})}


def _share(row, key: str) -> str:  # noqa: ANN001 - a pandas row
    return f"{row[key]:.0%} [{row[key + '_low']:.0%}, {row[key + '_high']:.0%}]"


def _money(value: float, low: float, high: float) -> str:
    if not math.isfinite(value):
        return "—"
    ends = "" if not (math.isfinite(low) and math.isfinite(high)) else \
        f" [{low:.1f}, {high:.1f}]"
    return f"{value:.1f}{ends}"


def _print_statewide(console, summary, consortia: int) -> None:  # noqa: ANN001
    """How many of the cohort's consortia each design sustains, and the seeds' reading."""
    from experiments.cohort import SELECT_FEW

    console.print(f"Statewide, of {consortia} consortia (mean, and the range of 90% of "
                  "statewide replicates):")
    for _, row in summary.iterrows():
        console.print(f"  {row['design']}: " + ", ".join(
            f"{row[f'{s}_count']:.1f} {label} ({row[f'{s}_count_p05']:.0f}-"
            f"{row[f'{s}_count_p95']:.0f})"
            for s, label in (("sustained", "sustain"), ("scaled_back", "scale back"),
                             ("dissolved", "dissolve"))), soft_wrap=True)
    first = summary.iloc[0]
    few = SELECT_FEW[0] <= first["sustained"] <= SELECT_FEW[1]
    most = first["scaled_back"] + first["dissolved"] > 0.5
    console.print(f"The seeds, of CCPT as run: most scale back, a select few sustain (read as "
                  f"{SELECT_FEW[0]:.0%}-{SELECT_FEW[1]:.0%} sustaining). {first['design']}: "
                  f"{first['sustained']:.0%} sustain: "
                  + ("consistent." if few and most else "not consistent."), soft_wrap=True)


def compare_command(
    designs: Annotated[list[str], typer.Argument(
        help="Shipped design names or design files; the first is the reference.")],
    scenario: Annotated[str | None, typer.Option(
        "--scenario", help="Scenario every design is applied to [default: ccpt_baseline].")
    ] = None,
    cohort: Annotated[str | None, typer.Option(
        "--cohort", help="Statewide cohort (see `consortium cohorts`) whose every consortium "
        "each design is applied to, instead of one scenario.")] = None,
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
    overwrite: OverwriteOption = False,
) -> None:
    """Compare funding designs on one scenario, or on a statewide cohort, on the same seeds.

    Each design runs REPLICATES times from the same replicate seeds and is read K years
    after its own grant end: shares sustained, scaled back and dissolved (Wilson 95%
    intervals), the paired difference in the share sustained from the first design
    (bootstrap 95% interval), survival curves, and what the state pays per consortium, per
    consortium sustained and per additional consortium sustained. Writes, named by the
    designs compared, a self-contained HTML decision brief for non-programmers, the summary
    (.csv, .parquet), survival (.csv) and one runs table per design (.parquet) to
    OUT/SCENARIO_nN_seedS/.

    With --cohort, every design is applied to every consortium of the cohort: each
    replicate is a statewide replicate that meets the same consortia under every design,
    shares pool the cohort's consortia, differences and costs resample whole statewide
    replicates, and the table also gives how many of the cohort's consortia sustain, scale
    back and dissolve. Output goes to OUT/COHORT_nN_seedS/.

    As with consortium run, files in the way stop the command before it runs unless
    --overwrite (which replaces only files an earlier comparison wrote), the files are
    moved into place together at the end, and provenance.json lists them with their
    provenance.

    Example: [bold]consortium compare ccpt_as_run longer_5y taper_2y retained_backbone[/bold]

    Example: [bold]consortium compare ccpt_as_run taper_2y --cohort ccpt_cohort1 -n 50[/bold]
    """
    from experiments import provenance
    from experiments.compare import (
        compare,
        compare_cohort,
        runs_table,
        summary_table,
        survival_table,
    )
    from viz.brief import decision_brief

    if scenario is not None and cohort is not None:
        raise fail(ValueError("--scenario and --cohort: give one or the other"))
    if cohort is not None:
        chosen, population = designs_on_cohort(designs, cohort)
        name, base = population.name, None
    else:
        scenario = scenario or "ccpt_baseline"
        chosen, base = designs_on(designs, scenario)
        name = base.name
    names = [d.name for d in chosen]
    console = make_console()
    stem = comparison_name(names)
    rec = provenance.record("comparison", name, design_subject(
        chosen, years_after, cohort=population if cohort is not None else None, base=base),
        seed, replicates)
    folder = out / f"{slug(name)}_n{replicates}_seed{seed}"
    outputs = output_set(console, folder, [
        f"summary_{stem}.csv", f"summary_{stem}.parquet", f"survival_{stem}.csv",
        f"brief_{stem}.html", *(f"runs_{slug(n)}.parquet" for n in names)], rec, stem, overwrite)
    total = replicates * len(chosen)
    with run_progress(console) as progress:
        unit = "statewide replicates" if cohort else "replicates"
        task = progress.add_task(f"{len(chosen)} designs x {replicates} {unit}", total=total)
        tick = lambda done: progress.update(task, completed=done)  # noqa: E731
        result = (compare_cohort(chosen, population, replicates, seed, years_after, workers,
                                 progress=tick) if cohort is not None else
                  compare(chosen, base, replicates, seed, years_after, workers, progress=tick))
    summary = summary_table(result)
    survival = survival_table(result)
    where = f"--cohort {cohort}" if cohort is not None else f"--scenario {scenario}"
    command = ("consortium compare " + " ".join(designs) + f" {where} "
               f"--replicates {replicates} --years-after {years_after} --seed {seed}")
    brief = folder / f"brief_{stem}.html"
    with writing(outputs) as stage:  # moved into place at the end; a failure keeps the old set
        summary.to_csv(stage / f"summary_{stem}.csv", index=False)
        provenance.write_parquet(summary, stage / f"summary_{stem}.parquet", rec)
        survival.to_csv(stage / f"survival_{stem}.csv", index=False)
        for runs in result.runs:
            provenance.write_parquet(runs_table(runs, result.horizon_years),
                                     stage / f"runs_{slug(runs.design.name)}.parquet", rec)
        (stage / brief.name).write_text(decision_brief(result, summary, command),
                                        encoding="utf-8")

    each = (f"{replicates} statewide replicates of its {result.runs[0].consortia} consortia"
            if result.cohort else f"{replicates} replicates")
    table = Table(title=f"{name}: {len(chosen)} designs, {each} each on the same seeds, read "
                  f"{years_after} years after each design's own grant end"
                  + (" (state pays: per consortium, averaged over the cohort)"
                     if result.cohort else ""), title_style="bold", header_style="bold")
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
    if result.cohort:
        _print_statewide(console, summary, result.runs[0].consortia)
    else:
        for runs in result.runs:
            console.print(f"  {runs.design.name}: {award_line(runs.params)}", soft_wrap=True)
    console.print(f"Costs count the state's payments through {years_after} years after the "
                  "grant (award, retained positions, post-grant TA, onboarding support, "
                  "follow-on grants); intervals: Wilson for shares, bootstrap over the paired "
                  "replicates otherwise.")
    console.print(f"Wrote tables and the decision brief to {folder}/ ({brief.name})")
