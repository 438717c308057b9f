"""Write docs/knockouts.md: every mechanism knocked out against the baseline, on the same seeds.

Runs ``validation.knockout_effects.run_knockouts`` (the baseline and each knock-out of
``validation/knockouts.py``, common random numbers, on a process pool) and writes the
table (``docs/knockouts.md``), the heat map of standardized effects
(``docs/img/knockouts.png``) and every effect (``docs/knockouts.csv``). Re-run it whenever
the model changes; from the repository root::

    python docs/gen_knockouts.py                      # 200 replicates per arm, 2 workers
    python docs/gen_knockouts.py --replicates 50 --out /tmp/ko   # a quicker look elsewhere
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from validation.knockout_effects import (
    DEFAULT_REPLICATES,
    DEFAULT_SCENARIO,
    DEFAULT_SEED,
    run_knockouts,
)
from validation.knockout_report import effects_csv, heatmap_png, markdown

DOCS = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    """Run the knock-outs and write the table, the figure and the CSV into ``--out``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicates", "-n", type=int, default=DEFAULT_REPLICATES,
                        help="replicates per arm (default %(default)s)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED,
                        help="root seed (default %(default)s)")
    parser.add_argument("--scenario", default=DEFAULT_SCENARIO,
                        help="scenario the knock-outs are applied to (default %(default)s)")
    parser.add_argument("--workers", "-w", type=int, default=min(2, os.cpu_count() or 1),
                        help="worker processes (default %(default)s)")
    parser.add_argument("--out", type=Path, default=DOCS,
                        help="folder for knockouts.md, knockouts.csv and img/knockouts.png")
    args = parser.parse_args(argv)
    console = Console(stderr=True)
    columns = (TextColumn("knock-outs"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("runs", total=None)
        result = run_knockouts(args.scenario, args.replicates, args.seed, workers=args.workers,
                               progress=lambda done, total: progress.update(
                                   task, completed=done, total=total))
    (args.out / "img").mkdir(parents=True, exist_ok=True)
    (args.out / "knockouts.md").write_text(markdown(result), encoding="utf-8")
    (args.out / "knockouts.csv").write_text(effects_csv(result), encoding="utf-8")
    (args.out / "img" / "knockouts.png").write_bytes(heatmap_png(result))
    inert = [ko.key for ko in result.knockouts if not result.measurable(ko.key)]
    console.print(f"{len(result.knockouts)} knock-outs, {result.replicates} replicates per arm; "
                  f"inert at the baseline: {', '.join(inert) or 'none'}; "
                  f"wrote {args.out / 'knockouts.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
