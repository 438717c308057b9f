"""The ``consortium`` command line: run scenarios, inspect them, sweep studies, analyze sweeps.

Figures are imported inside ``run``, and the experiments package inside ``sweep`` and
``analyze``, so that the model core never imports matplotlib and ``run`` starts fast.
"""

from __future__ import annotations

import csv
import inspect
import json
import math
import re
import shlex
import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from sim import summary
from sim.grant import GrantSchedule
from sim.params import ScenarioParams, parameter_table
from sim.run import RunResult, run_replicates
from sim.scenario import (
    ScenarioError,
    load_scenario,
    overrides_from_file,
    resolve_path,
    resolved_table,
    shipped_scenarios,
)

app = typer.Typer(
    name="consortium",
    help=(
        "Simulate whether a regional cross-sector career-pathway consortium survives the end "
        "of its state grant.\n\n"
        "Example: [bold]consortium run ccpt_baseline --replicates 30 --seed 20140701[/bold]"
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    pretty_exceptions_show_locals=False,
)
scenarios_app = typer.Typer(
    help=(
        "List the shipped scenarios, or show one with every parameter resolved.\n\n"
        "Example: [bold]consortium scenarios[/bold]"
    ),
    rich_markup_mode="rich",
)
app.add_typer(scenarios_app, name="scenarios")

SetOption = Annotated[
    list[str] | None,
    typer.Option("--set", "-s", metavar="KEY=VALUE",
                 help="Override one parameter, e.g. --set grant.taper_years=2 (repeatable)."),
]


def _out() -> Console:
    return Console(highlight=False)


def _fail(exc: Exception) -> typer.Exit:
    Console(stderr=True, highlight=False, soft_wrap=True).print(
        Text(f"error: {exc}", style="bold red"))
    return typer.Exit(code=2)


def _load(scenario: str, overrides: list[str] | None) -> ScenarioParams:
    try:
        return load_scenario(scenario, overrides or [])
    except ScenarioError as exc:
        raise _fail(exc) from None


def _slug(name: str) -> str:
    return re.sub(r"[^\w.-]+", "_", name).strip("_") or "scenario"


class _RateColumn(ProgressColumn):
    def render(self, task) -> Text:  # noqa: ANN001
        speed = task.finished_speed or task.speed
        return Text("" if speed is None else f"{speed:.2f} runs/s", style="progress.data.speed")


def snapshot_months(params: ScenarioParams) -> tuple[int, int]:
    """Return the months of the network snapshots: last grant month and two years later."""
    grant_end = GrantSchedule.build(params.grant, params.months).grant_end
    last = params.months - 1
    return min(max(grant_end - 1, 0), last), min(grant_end + 23, last)


@app.command()
def run(
    scenario: Annotated[str, typer.Argument(
        help="Name of a shipped scenario (see `consortium scenarios`) or path to a TOML file.")],
    replicates: Annotated[int, typer.Option(
        "--replicates", "-n", min=1, help="Number of replicate runs.")] = 30,
    seed: Annotated[int, typer.Option(
        "--seed", min=0, max=2**63 - 1,
        help="Root seed; replicate seeds are spawned from it.")] = 20140701,
    overrides: SetOption = None,
    out: Annotated[Path, typer.Option(
        "--out", "-o", help="Folder for the output files.")] = Path("out"),
) -> None:
    """Run replicates of a scenario; write tables, a summary and figures.

    Prints the mean and 95% CI of every outcome and the shares of runs sustained, scaled
    back and dissolved, then writes to OUT: <scenario>_monthly.parquet,
    <scenario>_outcomes.parquet, <scenario>_summary.csv and .md,
    <scenario>_trajectories.png and <scenario>_network.png.

    Example: [bold]consortium run ccpt_baseline -n 30 --set grant.taper_years=2 --out out[/bold]
    """
    params = _load(scenario, overrides)
    console = _out()
    snaps = snapshot_months(params)
    columns = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
               _RateColumn(), TimeElapsedColumn(), TextColumn("eta"), TimeRemainingColumn())
    with Progress(*columns, console=console) as progress:
        task = progress.add_task(f"{params.name}", total=replicates)
        results = run_replicates(params, replicates, seed,
                                 progress=lambda done: progress.update(task, completed=done),
                                 snapshot_months=snaps)

    outcome_rows = summary.summarize([r.outcomes for r in results])
    status_rows = summary.status_shares([r.outcomes for r in results])
    _print_summary(console, params, replicates, seed, outcome_rows, status_rows)

    from viz import figures

    out.mkdir(parents=True, exist_ok=True)
    stem = out / _slug(params.name)
    meta = {"scenario": json.dumps(resolved_table(params)), "root_seed": str(seed)}
    files = [
        _write_parquet(_monthly_table(results), Path(f"{stem}_monthly.parquet"), meta),
        _write_parquet(_outcomes_table(results, params.name), Path(f"{stem}_outcomes.parquet"),
                       meta),
        _write_csv(summary.records(outcome_rows, status_rows), Path(f"{stem}_summary.csv")),
    ]
    notes = [f"scenario: `{params.name}`" + (f" — {params.description}" if params.description
                                              else ""),
             f"replicates: {replicates}, root seed: {seed}",
             f"overrides: {', '.join(overrides)}" if overrides else "overrides: none"]
    md = Path(f"{stem}_summary.md")
    md.write_text(summary.markdown(outcome_rows, status_rows, f"Summary: {params.name}", notes))
    files.append(md)
    files.append(figures.trajectory_bands(results, Path(f"{stem}_trajectories.png"),
                                          title=f"{params.name}: monthly trajectories"))
    graphs = _snapshot_graphs(results[0], snaps)
    files.append(figures.network_snapshots(
        graphs, Path(f"{stem}_network.png"),
        title=f"{params.name}: partnership network (replicate 0)",
        extent=(params.region.length_km, params.region.width_km)))

    console.print(f"\n[bold]Wrote {len(files)} files to[/bold] {out}/")
    for f in files:
        console.print(f"  {f}", soft_wrap=True)


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


def _write_parquet(table: pa.Table, path: Path, meta: dict[str, str]) -> Path:
    pq.write_table(table.replace_schema_metadata(meta), path)
    return path


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
    console = _out()
    if not shipped:
        console.print("No shipped scenarios found.")
        return
    table = Table(title="Shipped scenarios", title_style="bold", header_style="bold")
    table.add_column("Name", style="bold cyan", no_wrap=True)
    table.add_column("Description")
    for name, path in shipped.items():
        try:
            description = load_scenario(path).description
        except ScenarioError as exc:
            description = f"[red]invalid: {exc.key}: {exc.problem}[/red]"
        table.add_row(name, description)
    console.print(table)
    console.print("Show one with [bold]consortium scenarios show NAME[/bold].")


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
    params = _load(scenario, overrides)
    try:
        path = resolve_path(scenario)
    except ScenarioError as exc:
        raise _fail(exc) from None
    resolved = resolved_table(params)
    console = _out()
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
                          r["unit"] or "", r["source"] or "",
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


class ExecutorKind(StrEnum):
    """Where a sweep's runs execute."""

    local = "local"
    dask = "dask"
    sequential = "sequential"


class _SweepRateColumn(ProgressColumn):
    """Runs per second since the sweep (or its resume) started, and the time left at that rate.

    Chunks finish in bursts, so rich's sliding-window speed jumps about; the mean rate since
    the start is steadier, and counts worker start-up as the cost it is.
    """

    def render(self, task) -> Text:  # noqa: ANN001
        start, base = task.fields.get("t0"), task.fields.get("base", 0)
        if start is None or task.total is None:
            return Text("")
        rate = (task.completed - base) / max(time.monotonic() - start, 1e-9)
        if rate <= 0:
            return Text("-- runs/s  eta --", style="progress.data.speed")
        eta = (task.total - task.completed) / rate
        return Text(f"{rate:.2f} runs/s  eta {int(eta) // 60}:{int(eta) % 60:02d}",
                    style="progress.data.speed")


class _FailedColumn(ProgressColumn):
    def render(self, task) -> Text:  # noqa: ANN001
        failed = task.fields.get("failed", 0)
        return Text(f"{failed} failed", style="bold red" if failed else "dim")


def _bad_input() -> tuple[type[Exception], ...]:
    from experiments.executors import ExecutorError
    from experiments.store import SweepStoreError
    from experiments.study import StudyError

    return ScenarioError, StudyError, SweepStoreError, ExecutorError


@app.command("sweep")
def sweep_command(
    study: Annotated[str, typer.Argument(
        help="Study file (TOML) or the name of a shipped study.")],
    executor: Annotated[ExecutorKind | None, typer.Option(
        "--executor", "-e",
        help="local: process pool on this machine (default); dask: a Dask LocalCluster, or "
             "the cluster of --scheduler; sequential: one run after another.")] = None,
    workers: Annotated[int | None, typer.Option(
        "--workers", "-w", min=1,
        help="Worker processes (default: every core; with --scheduler, the cluster's).")] = None,
    scheduler: Annotated[str | None, typer.Option(
        "--scheduler", metavar="ADDR",
        help="Address of a running Dask scheduler, e.g. tcp://10.0.0.5:8786 "
             "(implies --executor dask).")] = None,
    resume: Annotated[bool, typer.Option(
        "--resume", help="Finish an interrupted sweep in --out; nothing is run twice.")] = False,
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Sweep directory (default: sweeps/<study name>).")] = None,
) -> None:
    """Run every design point and replicate of a study; store results chunk by chunk.

    Writes manifest.json, design.parquet and the runs, outcomes and series tables to OUT.
    A failed run is stored with its traceback and the sweep goes on. After Ctrl-C or a
    crash, run the same command with --resume to finish it.

    Example: [bold]consortium sweep experiments/studies/ofat_grant_length.toml --workers 4[/bold]
    """
    from experiments.study import load_study
    from experiments.sweep import sweep

    bad_input = _bad_input()
    if scheduler and executor not in (None, ExecutorKind.dask):
        raise _fail(ValueError(f"--scheduler runs on Dask; it cannot be combined with "
                               f"--executor {executor.value}"))
    kind = ExecutorKind.dask if scheduler else (executor or ExecutorKind.local)
    try:
        loaded = load_study(study)
    except bad_input as exc:
        raise _fail(exc) from None
    out = out or Path("sweeps") / _slug(loaded.name)
    again = ["consortium", "sweep", study]
    if executor or scheduler:
        again += ["--executor", kind.value]
    if workers:
        again += ["--workers", str(workers)]
    if scheduler:
        again += ["--scheduler", scheduler]
    again += ["--resume", "--out", str(out)]

    console = _out()
    state = {"done": 0, "total": 0, "failed": 0}
    progress = Progress(TextColumn("[bold]{task.description}"), BarColumn(bar_width=24),
                        MofNCompleteColumn(), TimeElapsedColumn(), _SweepRateColumn(),
                        _FailedColumn(), console=console)
    bar = progress.add_task(loaded.name, total=None, failed=0)

    def report(done: int, total: int, failed: int) -> None:
        if not state["total"]:
            # Shown once the sweep has started; runs resumed from disk do not count in the rate.
            progress.start()
            progress.reset(bar, total=total, completed=done, failed=failed,
                           t0=time.monotonic(), base=done)
        else:
            progress.update(bar, completed=done, failed=failed)
        state.update(done=done, total=total, failed=failed)

    try:
        sweep(loaded, out, executor=kind.value, workers=workers, scheduler=scheduler,
              resume=resume, progress=report)
    except bad_input as exc:
        _stop(progress)
        raise _fail(exc) from None
    except KeyboardInterrupt:
        _stop(progress)
        console.print(f"Interrupted: {state['done']} of {state['total'] or '?'} runs saved. "
                      f"Resume with: {shlex.join(again)}", soft_wrap=True)
        raise typer.Exit(code=130) from None
    _stop(progress)

    ok = state["done"] - state["failed"]
    console.print(f"[bold]Sweep {loaded.name}:[/bold] {state['done']} runs, {ok} ok, "
                  f"{state['failed']} failed, in {out}/", soft_wrap=True)
    if state["failed"]:
        console.print(f"[yellow]First error:[/yellow] {_first_error(out)}", soft_wrap=True)
    console.print(f"Analyze with: [bold]{shlex.join(['consortium', 'analyze', str(out)])}"
                  "[/bold]", soft_wrap=True)


def _stop(progress: Progress) -> None:
    if progress.live.is_started:
        progress.stop()


def _first_error(sweep_dir: Path) -> str:
    """The last line of the first failed run's traceback, with its run_id."""
    import pyarrow.compute as pc

    from experiments.store import SweepStore

    runs = SweepStore(sweep_dir).runs()
    first = runs.head(1, columns=["run_id", "error"], filter=pc.field("status") == "failed")
    if not first.num_rows:
        return ""
    error = (first.column("error")[0].as_py() or "").strip().splitlines() or [""]
    return f"run {first.column('run_id')[0].as_py()}: {error[-1]}"


@app.command("analyze")
def analyze_command(
    sweep_dir: Annotated[Path, typer.Argument(
        metavar="SWEEP", help="A sweep directory written by `consortium sweep`.")],
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Folder for tables and figures (default: SWEEP/analysis).")] = None,
) -> None:
    """Summarize a sweep: replicate means and CIs, sensitivity indices, curves, guidance.

    Writes CSV and Markdown tables and PNG figures: replicate aggregates per design point,
    Sobol S1/ST or Morris mu*/sigma with bootstrap CIs, OFAT response curves, convergence
    of the indices with sample size and how many replicates the outcomes need.

    Example: [bold]consortium analyze sweeps/ofat_grant_length[/bold]
    """
    from experiments.analysis import analyze
    from experiments.store import SweepStore

    bad_input = _bad_input()
    try:
        SweepStore(sweep_dir)
        files = analyze(sweep_dir, out)
    except bad_input as exc:
        raise _fail(exc) from None
    console = _out()
    table = Table(title=f"Analysis of {sweep_dir}", title_style="bold", header_style="bold")
    table.add_column("File", style="bold cyan", no_wrap=True)
    table.add_column("Path")
    for name, path in files.items():
        table.add_row(str(name), str(path))
    console.print(table)
    console.print(f"Wrote {len(files)} files.")


@app.command("calibrate")
def calibrate_command(
    sweep_dir: Annotated[Path, typer.Argument(
        metavar="SWEEP", help="A sweep of a calibration study (model = "
                              "'validation.calibration:pattern_statistics'), e.g. of the "
                              "shipped study calibration_lhs.")],
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Folder for the report (default: SWEEP/calibration).")] = None,
    quantile: Annotated[float, typer.Option(
        "--quantile", "-q", min=0.0, max=1.0,
        help="Rejection-ABC acceptance quantile of the distance to the bands.")] = 0.05,
) -> None:
    """Filter a calibration sweep by the level bands, keeping the parameter sets that hold all.

    Pattern-oriented filtering keeps the design points whose replicate means lie in every
    level band of the baseline; rejection ABC keeps the closest quantile. Writes
    calibration.md (bands, conflicts between them, identified parameters), points.csv,
    abc_sample.csv, posterior.csv, bands.png, posterior.png, selected.toml (or nearest.toml
    when no point holds every band) and, for a screening sweep, the candidates nearest the
    bands with a study that re-runs them on fresh seeds (STUDY_candidates.csv,
    STUDY_confirm.toml). On that confirmation sweep it reports which candidates hold up.

    Example: [bold]consortium sweep calibration_lhs --out sweeps/calibration &&
    consortium calibrate sweeps/calibration[/bold]
    """
    from experiments.store import SweepStore
    from validation.calibration import band_summary, calibrate
    from validation.calibration_report import pct, write_calibration

    bad_input = _bad_input()
    try:
        SweepStore(sweep_dir)
        result = calibrate(sweep_dir, quantile=quantile)
    except (*bad_input, ValueError) as exc:
        raise _fail(exc) from None
    files = write_calibration(result, out or Path(sweep_dir) / "calibration")
    console = _out()
    pts = result.points
    held = (f"[bold]{int(pts['accepted'].sum())} of {len(pts)} points hold all "
            f"{len(result.patterns)} bands[/bold]")
    if result.sweep.kind == "points":
        console.print(f"{held} at {result.sweep.replicates} replicates.")
    else:
        console.print(f"{held}; ABC sample {int(pts['abc'].sum())} points (distance <= "
                      f"{result.epsilon:.3g}); {int(result.posterior['identified'].sum())} of "
                      f"{len(result.factors)} parameters identified.")
    if result.absent:
        console.print(f"[yellow]Not targets here: {', '.join(p.id for p in result.absent)} "
                      "(the sweep did not record their statistics).[/yellow]")
    what = "candidates" if result.sweep.kind == "points" else "prior"
    table = Table(title=f"Share of the {what} holding each band", title_style="bold",
                  header_style="bold")
    for name in ("Band", "Range", f"{what.capitalize()} in band",
                 "In band / hold all others", "Selected level"):
        table.add_column(name, justify="left" if name in ("Band", "Range") else "right")
    for row in band_summary(result).itertuples():
        table.add_row(row.id, row.band, pct(row.prior_share_in_band),
                      f"{row.of_which_in_band}/{row.hold_all_others}",
                      "" if math.isnan(row.selected_level) else f"{row.selected_level:.3g}")
    console.print(table)
    for f in files.values():
        console.print(f"  {f}", soft_wrap=True)


@app.command("validate")
def validate_command(
    replicates: Annotated[int | None, typer.Option(
        "--replicates", "-n", min=3,
        help="Replicates per scenario arm (default 300, or 20 with --quick).")] = None,
    quick: Annotated[bool, typer.Option(
        "--quick", help="Only the robust patterns, with few replicates (what the tests run).")
    ] = False,
    out: Annotated[Path, typer.Option(
        "--out", "-o", help="Folder for the report.")] = Path("out/validation"),
    overrides: SetOption = None,
    set_file: Annotated[Path | None, typer.Option(
        "--set-file", metavar="FILE",
        help="A TOML file of scenario keys applied to every scenario like --set, before the "
             "--set options, e.g. the selected.toml of consortium calibrate.")] = None,
    seed: Annotated[int, typer.Option(
        "--seed", min=0, max=2**63 - 1,
        help="Root seed; replicate r of every arm uses child r (common random numbers).")
    ] = 20140701,
    workers: Annotated[int | None, typer.Option(
        "--workers", "-w", min=1,
        help="Worker processes (default: every core; 1 runs in this process).")] = None,
) -> None:
    """Run the pattern suite: stylized facts and patterns as scenario pairs and level bands.

    Every pattern passes or fails; each entry gives its effect size with a 95% CI, the
    evidence strength (A/B/C), its source and whether it is a calibration or a validation
    pattern. --set applies to every scenario of the suite (e.g. a structural alternative);
    a pattern's own overrides still apply on top. Failing patterns are findings: the exit
    code is 0 unless the input is bad. Writes validation_report.md, validation_report.html
    and validation_runs.csv to OUT.

    Example: [bold]consortium validate --quick --set trust.rule=beta_reputation[/bold]
    """
    import os

    from validation.report import write_report
    from validation.suite import (
        DEFAULT_REPLICATES,
        QUICK_REPLICATES,
        ValidationError,
        prepare_arms,
        run_suite,
        select,
    )

    n = replicates or (QUICK_REPLICATES if quick else DEFAULT_REPLICATES)
    try:
        settings = [*(overrides_from_file(set_file) if set_file else []), *(overrides or [])]
        prepare_arms(select(quick), settings)  # bad --set values fail before any run
    except (ScenarioError, ValidationError) as exc:
        raise _fail(exc) from None
    console = _out()
    columns = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
               _RateColumn(), TimeElapsedColumn(), TextColumn("eta"), TimeRemainingColumn())
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("validation runs", total=None)
        try:
            result = run_suite(
                replicates=n, seed=seed, quick=quick, settings=settings,
                workers=workers or os.cpu_count() or 1,
                progress=lambda done, total: progress.update(task, completed=done,
                                                             total=total))
        except (ScenarioError, ValidationError) as exc:
            raise _fail(exc) from None
        except KeyboardInterrupt:
            progress.stop()
            console.print("Interrupted; no report written.")
            raise typer.Exit(code=130) from None
    files = write_report(result, out)
    _print_validation(console, result)
    console.print(f"\n[bold]Report[/bold] ({result.wall_time_s:.0f} s):")
    for f in files.values():
        console.print(f"  {f}", soft_wrap=True)


def _print_validation(console: Console, result: Any) -> None:
    from rich import box

    from validation.text import effect_text

    mode = "quick" if result.quick else "full"
    table = Table(title=f"Pattern suite ({mode}): N = {result.replicates} replicates per arm, "
                        f"seed {result.seed}", title_style="bold", header_style="bold",
                  box=box.SIMPLE_HEAD, caption="role: cal = calibration, val = validation; "
                  "S = evidence strength")
    # Seven columns of about 51 characters plus three of padding each; titles get the rest.
    room = min(60, console.width - 76)
    for name in ("ID", "Kind", "Role", "S", "Effect [95% CI]", "Verdict"):
        table.add_column(name, no_wrap=True, justify="right" if name.startswith("E") else "left")
    if room >= 12:
        table.add_column("Pattern", no_wrap=True)
    kinds = {"association": "assoc.", "not_represented": "absent"}
    styles = {"pass": "green", "fail": "bold red", "not testable": "dim"}
    for r in result.results:
        p = r.pattern
        cells = [p.id, kinds.get(p.kind, p.kind), p.role[:3], p.strength,
                 effect_text(r) if p.testable else "",
                 Text(r.status, style=styles.get(r.status, ""))]
        if room >= 12:
            cells.append(p.title if len(p.title) <= room else p.title[:room - 1] + "…")
        table.add_row(*cells)
    console.print(table)
    for role, c in sorted(result.counts().items(), reverse=True):
        console.print(f"{role}: {c['pass']} pass, {c['fail']} fail, "
                      f"{c['not testable']} not testable")


def _reflow(doc: str | None) -> str | None:
    """A docstring with each prose paragraph on one line, so help wraps to the terminal.

    Typer keeps single line breaks of the paragraphs after the first, so source-wrapped
    docstrings would break mid-sentence in a narrow terminal. Paragraphs with list items or
    indented lines keep their breaks.
    """
    if not doc:
        return doc
    paragraphs = inspect.cleandoc(doc).split("\n\n")
    keep = ("- ", "* ", " ")
    return "\n\n".join(p if any(line.startswith(keep) for line in p.splitlines())
                       else " ".join(line.strip() for line in p.splitlines())
                       for p in paragraphs)


for _typer_app in (app, scenarios_app):
    for _info in _typer_app.registered_commands:
        if _info.help is None and _info.callback is not None:
            _info.help = _reflow(_info.callback.__doc__)
