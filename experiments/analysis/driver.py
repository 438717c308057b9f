"""The :func:`analyze` driver and the registry of what each design kind runs.

Every sweep gets its replicate aggregates first and, with enough replicates, the aleatory
share and replicate guidance last; in between run the steps :data:`METHODS` registers for
its design kind. Supporting a new design kind is one entry there.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from experiments.analysis.aggregates import aggregate
from experiments.analysis.report import Report, summary_markdown
from experiments.analysis.steps import (
    write_aggregate,
    write_aleatory,
    write_main_effects,
    write_morris,
    write_ofat,
    write_rank_correlations,
    write_replicates,
    write_sobol,
)
from experiments.analysis.sweep import load_sweep

Step = Callable[[Report], None]

#: Design kind -> the steps that analyse it, in order.
METHODS: dict[str, tuple[Step, ...]] = {
    "full_factorial": (write_main_effects,),
    "ofat": (write_ofat,),
    "lhs": (write_rank_correlations,),
    "sobol": (write_sobol,),
    "morris": (write_morris,),
    "points": (),          # given parameter sets: nothing beyond the steps every sweep gets
}
FIRST: tuple[Step, ...] = (write_aggregate,)
LAST: tuple[Step, ...] = (write_aleatory, write_replicates)


def analyze(sweep_dir: Path | str, out: Path | str | None = None, *, n_boot: int = 1000,
            seed: int | None = None, tolerance: float = 0.05) -> dict[str, Path]:
    """Analyse a sweep directory and write tables, figures and ``summary.md``.

    Always: ``aggregate.csv/.md`` and ``summary.md``; ``aleatory.csv/.md`` with two or more
    replicates; ``replicates.csv/.md/.png`` with three or more. By design kind: sobol:
    ``sobol.*``, ``convergence.*`` (and ``sobol_pairs.*`` with second order); morris:
    ``morris.*``, ``convergence.*``; ofat: ``ofat.*``; full_factorial: ``main_effects.*``;
    lhs: ``lhs.*`` (rank correlations and a scatter grid). A kind not in :data:`METHODS`
    gets only what every sweep gets.

    Args:
        sweep_dir: The sweep directory.
        out: Output folder (default ``sweep_dir / "analysis"``).
        n_boot: Bootstrap resamples for Sobol and Morris intervals.
        seed: Bootstrap seed (default: the sweep's root seed).
        tolerance: Relative CV tolerance for replicate guidance.

    Returns:
        File name -> path of every file written.
    """
    sweep = load_sweep(sweep_dir)
    out = Path(out) if out is not None else sweep.path / "analysis"
    out.mkdir(parents=True, exist_ok=True)
    seed = int(sweep.manifest.get("root_seed") or 0) if seed is None else seed
    names = sweep.outcome_names
    report = Report(sweep, aggregate(sweep.outcomes, sweep.design, names), names, out,
                    n_boot, seed, tolerance, findings={n: [] for n in names})
    # without outcome values there is nothing to analyse by kind; the summary says why
    by_kind = METHODS.get(sweep.kind, ()) if names else ()
    for step in (*FIRST, *by_kind, *LAST):
        step(report)
    path = out / "summary.md"
    path.write_text(summary_markdown(report), encoding="utf-8")
    report.written[path.name] = path
    return report.written
