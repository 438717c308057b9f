"""``consortium run`` and ``consortium scenarios``: run replicates of a scenario, inspect one.

Figures are imported inside ``run``, after the runs, so that listing or showing scenarios
never imports matplotlib and ``run`` starts fast.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pyarrow as pa
import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from cli.cohorts import run_cohort_command
from cli.common import (
    OverwriteOption,
    SetOption,
    fail,
    load_params,
    make_console,
    output_set,
    print_shipped,
    run_progress,
    slug,
    writing,
)
from experiments import provenance
from sim import summary
from sim.cohorts import is_cohort
from sim.grant import GrantSchedule, award_line
from sim.outcomes import beyond_horizon, status_by_year
from sim.params import ScenarioParams, parameter_table
from sim.run import RunResult, run_replicates
from sim.scenario import (
    ScenarioError,
    load_scenario,
    resolve_path,
    resolved_table,
    shipped_scenarios,
)

scenarios_app = typer.Typer(
    help=(
        "List the shipped scenarios, or show one with every parameter resolved.\n\n"
        "Example: [bold]consortium scenarios[/bold]"
    ),
    rich_markup_mode="rich",
)


def snapshot_months(params: ScenarioParams) -> tuple[int, int]:
    """Return the months of the network snapshots: last grant month and two years later."""
    grant_end = GrantSchedule.build(params.grant, params.months).grant_end
    last = params.months - 1
    return min(max(grant_end - 1, 0), last), min(grant_end + 23, last)



def beyond_note(params: ScenarioParams, beyond: dict[str, int]) -> str:
    """What the run is too short to measure, and the horizon that would measure it."""
    if not beyond:
        return ""
    need = max(beyond.values())
    grant_end = GrantSchedule.build(params.grant, params.months).grant_end
    return (f"{len(beyond)} measures lie beyond the {params.outcomes.horizon_years}-year horizon "
            f"(the grant ends after month {grant_end}), so they are not measured and show as "
            "NaN: "
            + ", ".join(f"{name} (needs {years} years)" for name, years in beyond.items())
            + f". --set outcomes.horizon_years={need} covers them all.")


def run(
    scenario: Annotated[str, typer.Argument(
        help="Name of a shipped scenario (see `consortium scenarios`) or path to a TOML file; "
        "or a statewide cohort (see `consortium cohorts`).")],
    replicates: Annotated[int, typer.Option(
        "--replicates", "-n", min=1, max=100_000,
        help="Number of replicate runs (at most 100,000).")] = 30,
    seed: Annotated[int, typer.Option(
        "--seed", min=0, max=2**63 - 1,
        help="Root seed; replicate seeds are spawned from it.")] = 20140701,
    overrides: SetOption = None,
    out: Annotated[Path, typer.Option(
        "--out", "-o", help="Folder for the output files.")] = Path("out"),
    workers: Annotated[int | None, typer.Option(
        "--workers", "-w", min=1, help="Worker processes for a cohort's statewide replicates "
        "(default: every core); a scenario's replicates run in this process.")] = None,
    overwrite: OverwriteOption = False,
) -> None:
    """Run replicates of a scenario; write tables, a summary and figures.

    Prints the mean and 95% CI of every outcome and the shares of runs sustained, scaled
    back and dissolved, then writes to OUT: <scenario>_monthly.parquet,
    <scenario>_outcomes.parquet, <scenario>_summary.csv and .md, <scenario>_survival.csv
    and .png (status in each year after the grant), <scenario>_distribution.png (function
    level across runs), <scenario>_trajectories.png and <scenario>_network.png.

    A statewide cohort (e.g. ccpt_cohort1) runs statewide replicates of all its consortia
    together and reports how many sustain, scale back or dissolve, per tier and in all,
    beside the seeds' "most scale back, a select few sustain"; it writes
    <cohort>_consortia.parquet (one row per consortium and replicate),
    <cohort>_statewide.csv, <cohort>_distribution.csv, <cohort>_summary.md and
    <cohort>_statewide.png. --set applies to every consortium.

    Nothing is overwritten unless asked: when a file the run would write exists, it stops
    before running and names it. --overwrite replaces the files an earlier run wrote (as
    OUT/provenance.json records them), never a file of your own. The files are written to
    a staging folder and moved into place at the end, so an interrupted run or a full
    disk leaves the earlier files as they were. OUT/provenance.json lists every file with
    its sha256 and the run's provenance (version, git revision, scenario hash, seed,
    command, package versions); Parquet and PNG files carry the record too, Markdown a
    footer line.

    Example: [bold]consortium run ccpt_baseline -n 30 --set grant.taper_years=2 --out out[/bold]

    Example: [bold]consortium run ccpt_cohort1 -n 30[/bold]
    """
    if is_cohort(scenario):
        run_cohort_command(scenario, replicates, seed, overrides, out, workers, overwrite)
        return
    params = load_params(scenario, overrides)
    console = make_console()
    stem = slug(params.name)
    rec = provenance.record("scenario", params.name,
                            provenance.scenario_subject(resolved_table(params)), seed, replicates)
    # files in the way, a file as --out or an unwritable place exit 2 before any run
    outputs = output_set(console, out, [f"{stem}_{suffix}" for suffix in OUTPUTS], rec, stem,
                         overwrite)
    snaps = snapshot_months(params)
    with run_progress(console) as progress:
        task = progress.add_task(f"{params.name}", total=replicates)
        results = run_replicates(params, replicates, seed,
                                 progress=lambda done: progress.update(task, completed=done),
                                 snapshot_months=snaps)

    outcome_rows = summary.summarize([r.outcomes for r in results])
    status_rows = summary.status_shares([r.outcomes for r in results])
    survival = summary.survival(np.vstack([status_by_year(r.record) for r in results]))
    levels = {f"{k} years after": [r.outcomes.get(f"function_level_{k}y", np.nan)
                                   for r in results] for k in (2, 4)}
    shape = {label: summary.bimodality_coefficient(v) for label, v in levels.items()}
    _print_summary(console, params, replicates, seed, outcome_rows, status_rows)
    console.print(f"[dim]{award_line(params)}[/dim]")
    horizon_note = beyond_note(params, beyond_horizon(results[0].record))
    if horizon_note:
        console.print(f"[yellow]{horizon_note}[/yellow]", soft_wrap=True)

    from viz import figures

    meta = {"scenario": json.dumps(resolved_table(params)), "root_seed": str(seed)}
    with writing(outputs) as stage:  # moved into place at the end; a failure keeps the old set
        at = stage / stem
        provenance.write_parquet(_monthly_table(results), Path(f"{at}_monthly.parquet"), rec,
                                 meta)
        provenance.write_parquet(_outcomes_table(results, params.name),
                                 Path(f"{at}_outcomes.parquet"), rec, meta)
        _write_csv(summary.records(outcome_rows, status_rows), Path(f"{at}_summary.csv"))
        notes = [f"scenario: `{params.name}`"
                 + (f" — {params.description}" if params.description else ""),
                 f"replicates: {replicates}, root seed: {seed}",
                 f"overrides: {', '.join(overrides)}" if overrides else "overrides: none",
                 award_line(params),
                 *([horizon_note] if horizon_note else []),
                 "distribution of the function level across runs (Sarle's bimodality "
                 "coefficient; above 0.555 suggests two modes): "
                 + "; ".join(f"{label}: {summary.fmt(bc)}" for label, bc in shape.items())]
        Path(f"{at}_summary.md").write_text(
            summary.markdown(outcome_rows, status_rows, f"Summary: {params.name}", notes))
        _write_csv(survival, Path(f"{at}_survival.csv"))
        if any(row["n"] for row in survival):  # some year after the grant within the horizon
            figures.status_areas(survival, Path(f"{at}_survival.png"),
                                 title=f"{params.name}: status after the grant "
                                       f"({replicates} runs)")
        figures.distribution(
            levels, Path(f"{at}_distribution.png"),
            title=f"{params.name}: function level across runs",
            notes={label: f"bimodality {summary.fmt(bc)}" for label, bc in shape.items()})
        figures.trajectory_bands(results, Path(f"{at}_trajectories.png"),
                                 title=f"{params.name}: monthly trajectories")
        figures.network_snapshots(
            _snapshot_graphs(results[0], snaps), Path(f"{at}_network.png"),
            title=f"{params.name}: partnership network (replicate 0)",
            extent=(params.region.length_km, params.region.width_km))
    console.print(f"\n[bold]Wrote {len(outputs.written)} files to[/bold] {out}/ "
                  f"(provenance in {out / provenance.LEDGER})", soft_wrap=True)
    for f in outputs.written:
        console.print(f"  {f}", soft_wrap=True)


OUTPUTS = ("monthly.parquet", "outcomes.parquet", "summary.csv", "summary.md", "survival.csv",
           "survival.png", "distribution.png", "trajectories.png", "network.png")
"""What ``run`` may write for a scenario, after ``<scenario>_``."""


def _snapshot_graphs(result: RunResult, months: tuple[int, int]) -> dict[str, Any]:
    end, later = months
    grant_end = result.record.grant_end
    graphs = {f"Grant end (month {end}, year {end / 12:.1f})": result.snapshots[end]}
    if later != end:
        label = ("Two years after the grant" if later == grant_end + 23
                 else "End of the horizon")
        graphs[f"{label} (month {later}, year {later / 12:.1f})"] = result.snapshots[later]
    return graphs


def _seed_columns(r: RunResult) -> dict[str, Any]:
    return {"replicate": r.replicate, "seed_entropy": r.seed_entropy,
            "spawn_key": ",".join(map(str, r.spawn_key))}


def _monthly_table(results: list[RunResult]) -> pa.Table:
    cols: dict[str, list] = {}
    for r in results:
        monthly = r.monthly()
        n = len(monthly["month"])
        block = {k: [v] * n for k, v in _seed_columns(r).items()}
        block["month"] = np.asarray(monthly["month"], dtype=np.int32)
        block["year"] = block["month"] // 12 + 1
        block["grant_phase"] = monthly["grant_phase"]
        block.update({k: v for k, v in monthly.items() if k not in block})
        for k, v in block.items():
            cols.setdefault(k, []).append(v)
    return pa.table({k: pa.array(np.concatenate(v)) if isinstance(v[0], np.ndarray)
                     else pa.array([x for part in v for x in part]) for k, v in cols.items()})


def _outcomes_table(results: list[RunResult], name: str) -> pa.Table:
    rows = [{"scenario": name, **_seed_columns(r), **r.outcomes} for r in results]
    return pa.Table.from_pylist(rows)


def _write_csv(rows: list[dict], path: Path) -> Path:
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def _print_summary(console: Console, params: ScenarioParams, replicates: int, seed: int,
                   outcome_rows: list[summary.Estimate],
                   status_rows: list[summary.Estimate]) -> None:
    table = Table(title=f"{params.name}: outcomes over {replicates} runs (seed {seed})",
                  title_style="bold", header_style="bold")
    table.add_column("Outcome")
    table.add_column("n", justify="right")
    table.add_column("Mean", justify="right")
    table.add_column("95% CI", justify="right")
    table.add_column("CI", style="dim")
    for e in outcome_rows:
        if e.available:
            table.add_row(e.name, str(e.n), summary.fmt(e.mean), summary.fmt_interval(e),
                          e.method)
        else:
            table.add_row(e.name, "0", "[dim]n/a[/dim]", "[dim]beyond horizon[/dim]", "")
    console.print(table)

    years = sorted({e.name.rsplit("_", 1)[1] for e in status_rows})
    status = Table(title="Status after the grant", caption="share of runs [Wilson 95% CI]",
                   title_style="bold", header_style="bold")
    status.add_column("Status")
    for y in years:
        status.add_column(f"{y.removesuffix('y')} years", justify="right")
    styles = {"sustained": "green", "scaled back": "yellow", "dissolved": "red"}
    for label, cells in summary.status_grid(status_rows).items():
        status.add_row(Text(label, style=styles[label]), *cells)
    console.print(status)


@scenarios_app.callback(invoke_without_command=True)
def scenarios(ctx: typer.Context) -> None:
    """List the shipped scenarios with their descriptions.

    Example: [bold]consortium scenarios[/bold]
    """
    if ctx.invoked_subcommand is not None:
        return
    shipped = shipped_scenarios()
    console = make_console()
    if not shipped:
        console.print("No shipped scenarios found.")
        return
    print_shipped(console, "Shipped scenarios", ["Description"], shipped,
                  lambda path: [load_scenario(path).description],
                  "Show one with [bold]consortium scenarios show NAME[/bold].")


@scenarios_app.command("show")
def show(
    scenario: Annotated[str, typer.Argument(
        help="Name of a shipped scenario or path to a TOML file.")],
    overrides: SetOption = None,
) -> None:
    """Show a scenario with every parameter resolved, grouped by section.

    For each parameter: value, unit, source label (seed, literature or assumption) and
    whether it differs from the default.

    Example: [bold]consortium scenarios show ccpt_baseline --set grant.taper_years=2[/bold]
    """
    params = load_params(scenario, overrides)
    try:
        path = resolve_path(scenario)
    except ScenarioError as exc:
        raise fail(exc) from None
    resolved = resolved_table(params)
    console = make_console()
    console.print(f"[bold]{params.name}[/bold]  ({path})", soft_wrap=True)
    if params.description:
        console.print(params.description)
    if overrides:
        console.print(f"overrides: {', '.join(overrides)}")
    rows: dict[str, list[dict]] = {}
    for row in parameter_table():
        section, key = row["key"].split(".", 1)
        rows.setdefault(section, []).append({**row, "name": key,
                                             "value": resolved[section][key]})
    changed_total = 0
    for section, params_rows in rows.items():
        table = Table(title=f"\\[{section}]", title_justify="left", title_style="bold",
                      header_style="bold", expand=False)
        table.add_column("Parameter", no_wrap=True)
        table.add_column("Value", justify="right")
        table.add_column("Unit")
        table.add_column("Source")
        table.add_column("vs default")
        for r in params_rows:
            changed = not _same(r["value"], r["default"])
            changed_total += changed
            table.add_row(r["name"], Text(_show(r["value"]),
                                          style="bold yellow" if changed else ""),
                          r["unit"] or "",
                          (r["source"] or "") + (", calibrated" if r["calibrated"] else ""),
                          Text(f"changed (default {_show(r['default'])})", style="yellow")
                          if changed else Text("default", style="dim"))
        console.print(table)
    console.print(f"{changed_total} parameter(s) differ from the defaults.")


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b or a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return float(a) == float(b)
    return a == b


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
