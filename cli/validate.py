"""``consortium validate``: run the pattern suite and write its report."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from cli.common import (
    SetOption,
    fail,
    make_console,
    make_folder,
    record_provenance,
    run_progress,
)
from sim.scenario import ScenarioError, overrides_from_file


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
    and validation_runs.csv to OUT, and provenance.json (the files with the suite's hash,
    seed, replicates, command and versions; the Markdown report ends with a footer).

    Example: [bold]consortium validate --quick --set trust.rule=asymmetric[/bold]
    """
    from experiments import provenance
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
        raise fail(exc) from None
    folder = make_folder(out)  # a file or a read-only place exits 2 before any run
    console = make_console()
    with run_progress(console) as progress:
        task = progress.add_task("validation runs", total=None)
        try:
            result = run_suite(
                replicates=n, seed=seed, quick=quick, settings=settings,
                workers=workers or os.cpu_count() or 1,
                progress=lambda done, total: progress.update(task, completed=done,
                                                             total=total))
        except (ScenarioError, ValidationError) as exc:
            raise fail(exc) from None
        except KeyboardInterrupt:
            progress.stop()
            console.print("Interrupted; no report written.")
            raise typer.Exit(code=130) from None
    files = write_report(result, folder)
    rec = provenance.record("validation", "quick" if quick else "full", {
        "patterns": [p.id for p in select(quick)], "settings": settings}, seed, n)
    record_provenance(folder, files.values(), rec, "validation")
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
