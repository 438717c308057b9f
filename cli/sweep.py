"""``consortium sweep`` and ``consortium analyze``: run a study on the experiments engine.

The engine is imported inside the commands, so ``consortium --help`` and ``run`` do not
load it (nor Dask).
"""

from __future__ import annotations

import os
import shlex
import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

from cli.common import fail, input_errors, make_console, make_folder, slug


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


PROJECT_MODELS = ("validation.calibration:pattern_statistics",)
"""Models of the project's own packages the command line trusts beside the registered ones
(``experiments.study.REGISTERED_MODELS``), e.g. a calibration study copied elsewhere."""


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
    allow_model: Annotated[list[str] | None, typer.Option(
        "--allow-model", metavar="MODULE:FUNCTION",
        help="Allow a study's model that is not registered. A study file that names a model "
        "is code: run only studies you trust (repeatable).")] = None,
) -> None:
    """Run every design point and replicate of a study; store results chunk by chunk.

    Writes manifest.json, design.parquet and the runs, outcomes and series tables to OUT.
    A failed run is stored with its traceback and the sweep goes on; so is a run that
    exceeds the study's run_timeout_s. After Ctrl-C, a crash or a full disk, run the same
    command with --resume to finish it: damaged or edited chunks run again, and lost
    folders and design files are rebuilt.

    Example: [bold]consortium sweep experiments/studies/ofat_grant_length.toml --workers 4[/bold]
    """
    from experiments.store import SweepWriteError
    from experiments.study import ALLOW_MODELS_ENV, load_study
    from experiments.sweep import sweep

    bad_input = input_errors()
    if scheduler and executor not in (None, ExecutorKind.dask):
        raise fail(ValueError(f"--scheduler runs on Dask; it cannot be combined with "
                               f"--executor {executor.value}"))
    kind = ExecutorKind.dask if scheduler else (executor or ExecutorKind.local)
    # The project's own calibration statistics, and what the user allows; workers inherit it.
    os.environ[ALLOW_MODELS_ENV] = ",".join(
        [*filter(None, os.environ.get(ALLOW_MODELS_ENV, "").split(",")), *PROJECT_MODELS,
         *(allow_model or [])])
    try:
        loaded = load_study(study)
    except bad_input as exc:
        raise fail(exc) from None
    out = out or Path("sweeps") / slug(loaded.name)
    again = ["consortium", "sweep", study, *(f"--allow-model={m}" for m in allow_model or [])]
    if executor or scheduler:
        again += ["--executor", kind.value]
    if workers:
        again += ["--workers", str(workers)]
    if scheduler:
        again += ["--scheduler", scheduler]
    again += ["--resume", "--out", str(out)]

    console = make_console()
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
    except SweepWriteError as exc:
        _stop(progress)
        raise fail(ValueError(f"{exc}. Finished chunks are kept; once the directory can be "
                              f"written, resume with: {shlex.join(again)}")) from None
    except bad_input as exc:
        _stop(progress)
        raise fail(exc) from None
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


def analyze_command(
    sweep_dir: Annotated[Path, typer.Argument(
        metavar="SWEEP", help="A sweep directory written by `consortium sweep`.")],
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Folder for tables and figures (default: SWEEP/analysis).")] = None,
    allow_incomplete: Annotated[bool, typer.Option(
        "--allow-incomplete",
        help="Analyse a sweep with missing or edited chunks (refused otherwise): they are "
             "left out, and summary.md marks the design points short of runs.")] = False,
    reference: Annotated[str | None, typer.Option(
        "--reference", metavar="LABEL_OR_POINT",
        help="Design point that paired contrasts (paired.csv/.md/.png) compare against: a "
             "label of a points design or a point number. Default: the point labelled "
             "reference or baseline, else point 0. Points designs always get paired "
             "contrasts; other designs when this is given.")] = None,
) -> None:
    """Summarize a sweep: replicate means and CIs, sensitivity indices, curves, guidance.

    Writes CSV and Markdown tables and PNG figures: replicate aggregates per design point,
    Sobol S1/ST or Morris mu*/sigma with bootstrap CIs, OFAT response curves, factorial
    main effects and interaction plots, paired contrasts against a reference point,
    response curves over time of stored series, convergence of the indices with sample
    size and how many replicates the outcomes need.

    Every chunk is verified first (its sha256 checksums); a sweep with missing or edited
    chunks is refused with the command that finishes it, unless --allow-incomplete.

    Example: [bold]consortium analyze sweeps/ofat_grant_length[/bold]
    """
    from experiments.analysis import analyze
    from experiments.store import SweepStore

    bad_input = input_errors()
    try:
        store = SweepStore(sweep_dir)
        if out is not None:
            make_folder(out)  # one that cannot be made or written exits 2 before any work
        files = analyze(sweep_dir, out, allow_incomplete=allow_incomplete, reference=reference)
    except bad_input as exc:
        raise fail(exc) from None
    console = make_console()
    if not store.checksums:
        console.print("[dim]Chunks checked by structure only: this sweep was written before "
                      "chunk checksums were recorded.[/dim]", soft_wrap=True)
    bad = store.verify() if allow_incomplete else {}
    if bad:
        console.print(f"[bold yellow]Incomplete sweep:[/bold yellow] {len(bad)} chunk"
                      f"{'s' if len(bad) != 1 else ''} left out ("
                      + "; ".join(f"chunk {c} {why}" for c, why in sorted(bad.items()))
                      + "); summary.md lists the design points short of runs. Finish it with "
                      + store.resume_command(), soft_wrap=True)
    table = Table(title=f"Analysis of {sweep_dir}", title_style="bold", header_style="bold")
    table.add_column("File", style="bold cyan", no_wrap=True)
    table.add_column("Path")
    for name, path in files.items():
        table.add_row(str(name), str(path))
    console.print(table)
    console.print(f"Wrote {len(files)} files.")
