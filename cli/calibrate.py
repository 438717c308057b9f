"""``consortium calibrate``: filter a calibration sweep by the level bands (validation)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from cli.common import fail, input_errors, make_console, make_folder, record_provenance


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
    STUDY_confirm.toml) and, when no point holds every band, the next wave: a Latin
    hypercube of the box the ABC sample spans (STUDY_wave2.toml). On a confirmation sweep
    it reports which candidates hold up. provenance.json lists the files written with the
    sweep's study hash, seed, command and versions; calibration.md ends with a footer.

    Example: [bold]consortium sweep calibration_lhs --out sweeps/calibration &&
    consortium calibrate sweeps/calibration[/bold]
    """
    from experiments import provenance
    from experiments.store import SweepStore
    from validation.calibration import band_summary, calibrate
    from validation.calibration_report import pct, write_calibration

    bad_input = input_errors()
    try:
        store = SweepStore(sweep_dir)
        result = calibrate(sweep_dir, quantile=quantile)
    except (*bad_input, ValueError) as exc:
        raise fail(exc) from None
    folder = make_folder(out or Path(sweep_dir) / "calibration")
    files = write_calibration(result, folder)
    record_provenance(folder, files.values(), provenance.sweep_record(
        "calibration", store.manifest, {"quantile": quantile}), "calibration")
    console = make_console()
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
