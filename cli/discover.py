"""``consortium discover``: where in a sweep's futures an outcome meets a target."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from cli.common import fail, make_console, make_folder, record_provenance


def discover_command(
    sweep_dir: Annotated[Path, typer.Argument(
        metavar="SWEEP", help="A sweep directory, e.g. of a Latin hypercube study.")],
    outcome: Annotated[str, typer.Option(
        "--outcome", help="Outcome whose replicate mean is compared with the threshold.")],
    threshold: Annotated[float | None, typer.Option(
        "--threshold", help="Target level (default: the median over the design points).")
    ] = None,
    below: Annotated[bool, typer.Option(
        "--below", help="The target is at most the threshold instead of at least.")] = False,
    min_coverage: Annotated[float, typer.Option(
        "--min-coverage", min=0.05, max=1.0,
        help="Least share of the target futures the PRIM box must keep.")] = 0.5,
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Folder for the tables and figure (default: SWEEP/discover).")
    ] = None,
) -> None:
    """Scenario discovery: the futures in which an outcome meets a target, by PRIM and CART.

    Each design point of the sweep is a future; its replicate mean of OUTCOME meets the
    target if it is at least THRESHOLD (at most, with --below). PRIM (EMA Workbench) peels
    the factor space into a box and reports the densest box that keeps at least
    --min-coverage of the target futures; a shallow CART tree (scikit-learn) gives a
    second description. Both are said in plain words. Writes discover.md,
    prim_trajectory.csv, prim_box.csv, cart.txt and prim_tradeoff.png, and provenance.json
    (the files with the sweep's study hash, seed, command and versions).

    Example: [bold]consortium discover sweeps/robust --outcome sustained_2y --threshold 0.3[/bold]
    """
    from experiments import provenance
    from experiments.analysis.discover import (
        cart_tree,
        futures,
        plain_prim,
        plain_tree,
        prim_box,
    )
    from experiments.analysis.sweep import load_sweep
    from viz.figures import peeling_tradeoff

    try:
        sweep = load_sweep(sweep_dir)
    except (FileNotFoundError, OSError, ValueError) as exc:
        raise fail(ValueError(f"{sweep_dir}: cannot read the sweep ({exc})")) from None
    try:
        x, y, threshold = futures(sweep, outcome, threshold, below)
        p = prim_box(x, y, min_coverage)
    except (KeyError, ValueError) as exc:
        message = exc.args[0] if exc.args else str(exc)
        raise fail(ValueError(f"{sweep_dir}: --outcome {outcome}: {message}")) from None
    t = cart_tree(x, y)
    folder = make_folder(out or sweep_dir / "discover")
    p.trajectory.to_csv(folder / "prim_trajectory.csv", index=False)
    p.limits.to_csv(folder / "prim_box.csv", index=False)
    (folder / "cart.txt").write_text(t.text, encoding="utf-8")
    tr = p.trajectory
    peeling_tradeoff(tr["coverage"].tolist(), tr["density"].tolist(),
                     tr["res_dim"].astype(int).tolist(), p.chosen,
                     folder / "prim_tradeoff.png")
    prim_text, tree_text = (plain_prim(p, outcome, threshold, below),
                            plain_tree(t, outcome, threshold, below))
    target = f"{outcome} {'<=' if below else '>='} {threshold:.3g}"
    lines = [f"# Scenario discovery: {target}", "",
             f"Sweep `{sweep_dir}`: {len(y)} futures (design points), {int(y.sum())} meet "
             f"the target ({y.mean():.0%}).", "", "## PRIM", "", prim_text, "",
             f"Box {p.chosen} of {len(tr)} on the peeling trajectory (coverage "
             f"{p.coverage:.2f}, density {p.density:.2f}, {len(p.limits)} restricted "
             "dimensions).", "", "![trade-off](prim_tradeoff.png)", "", "## CART", "",
             tree_text, "", "```", t.text.rstrip(), "```", ""]
    (folder / "discover.md").write_text("\n".join(lines), encoding="utf-8")
    rec = provenance.sweep_record("discovery", sweep.manifest, {
        "outcome": outcome, "threshold": threshold, "below": below,
        "min_coverage": min_coverage})
    record_provenance(folder, [folder / n for n in (
        "discover.md", "prim_trajectory.csv", "prim_box.csv", "cart.txt", "prim_tradeoff.png")],
        rec, "discover")
    console = make_console()
    console.print(f"[bold]{target}[/bold]: {int(y.sum())} of {len(y)} futures")
    console.print(f"[bold]PRIM[/bold]: {prim_text}", soft_wrap=True)
    table = Table(header_style="bold")
    for col in ("factor", "box low", "box high", "range low", "range high"):
        table.add_column(col, justify="left" if col == "factor" else "right")
    for _, r in p.limits.iterrows():
        table.add_row(r["factor"], *(f"{r[c]:.4g}" for c in ("low", "high", "full_low",
                                                               "full_high")))
    console.print(table)
    console.print(f"[bold]CART[/bold]: {tree_text}", soft_wrap=True)
    console.print(f"Wrote {folder}/discover.md and its tables")
