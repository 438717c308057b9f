"""The :func:`analyze` driver and the registry of what each design kind runs.

Every sweep gets its replicate aggregates first and, with enough replicates, the aleatory
share and replicate guidance last; in between run the steps :data:`METHODS` registers for
its design kind. Supporting a new design kind is one entry there.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from experiments.analysis.aggregates import aggregate
from experiments.analysis.paired import choose_reference, write_paired
from experiments.analysis.report import Report, summary_markdown
from experiments.analysis.steps import (
    write_aggregate,
    write_aleatory,
    write_interactions,
    write_main_effects,
    write_morris,
    write_ofat,
    write_rank_correlations,
    write_replicates,
    write_sobol,
    write_timeseries,
)
from experiments.analysis.sweep import load_sweep

Step = Callable[[Report], None]

#: Design kind -> the steps that analyse it, in order.
METHODS: dict[str, tuple[Step, ...]] = {
    "full_factorial": (write_main_effects, write_interactions),
    "ofat": (write_ofat,),
    "lhs": (write_rank_correlations,),
    "sobol": (write_sobol,),
    "morris": (write_morris,),
    "points": (),          # given parameter sets: nothing beyond the steps every sweep gets
}
FIRST: tuple[Step, ...] = (write_aggregate, write_paired)
LAST: tuple[Step, ...] = (write_aleatory, write_replicates, write_timeseries)


def analyze(sweep_dir: Path | str, out: Path | str | None = None, *, n_boot: int = 1000,
            seed: int | None = None, tolerance: float = 0.05,
            allow_incomplete: bool = False, reference: str | None = None) -> dict[str, Path]:
    """Analyse a sweep directory and write tables, figures and ``summary.md``.

    Always: ``aggregate.csv/.md`` and ``summary.md``; ``aleatory.csv/.md`` with two or more
    replicates; ``replicates.csv/.md/.png`` with three or more; ``timeseries.csv/.md/.png``
    when the sweep keeps series. By design kind: sobol:
    ``sobol.*``, ``convergence.*`` (and ``sobol_pairs.*`` with second order); morris:
    ``morris.*``, ``convergence.*``; ofat: ``ofat.*``; full_factorial: ``main_effects.*``
    and ``interactions.*``;
    lhs: ``lhs.*`` (rank correlations and a scatter grid); points (or any kind, given
    ``reference``): ``paired.*``, each point against the reference, paired by replicate.
    A kind not in :data:`METHODS` gets only what every sweep gets.

    Args:
        sweep_dir: The sweep directory.
        out: Output folder (default ``sweep_dir / "analysis"``).
        n_boot: Bootstrap resamples for Sobol and Morris intervals.
        seed: Bootstrap seed (default: the sweep's root seed).
        tolerance: Relative CV tolerance for replicate guidance.
        allow_incomplete: Analyse a sweep with missing or edited chunks (else refused);
            the summary lists the chunks and the design points left short.
        reference: Label or number of the point that paired contrasts compare against
            (``paired.*``; default: the point labelled reference or baseline, else 0).
            Points designs always get them, other designs when this is given; only where
            replicates share seeds across points.

    Returns:
        File name -> path of every file written.
    """
    sweep = load_sweep(sweep_dir, allow_incomplete=allow_incomplete)
    if reference is not None:
        choose_reference(sweep, reference)  # an unknown reference is refused before any work
    out = Path(out) if out is not None else sweep.path / "analysis"
    out.mkdir(parents=True, exist_ok=True)
    seed = int(sweep.manifest.get("root_seed") or 0) if seed is None else seed
    names = sweep.outcome_names
    report = Report(sweep, aggregate(sweep.outcomes, sweep.design, names), names, out,
                    n_boot, seed, tolerance, findings={n: [] for n in names},
                    reference=reference)
    # without outcome values there is nothing to analyse by kind; the summary says why
    by_kind = METHODS.get(sweep.kind, ()) if names else ()
    for step in (*FIRST, *by_kind, *LAST):
        step(report)
    path = out / "summary.md"
    path.write_text(summary_markdown(report), encoding="utf-8")
    report.written[path.name] = path
    from experiments.provenance import record_outputs, sweep_record  # the files' provenance
    record_outputs(out, report.written.values(), sweep_record(
        "analysis", sweep.manifest, {"n_boot": n_boot, "seed": seed}), "analysis", False)
    return report.written
