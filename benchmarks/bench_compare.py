"""Benchmark of ``consortium compare``: 4 designs x 200 replicates on ``ccpt_baseline``.

Target (issue: agency workflow): <= 60 s on 2 cores, the runs and the bootstrap tables
together. Run with ``make bench`` or alone: ``python benchmarks/bench_compare.py``.
Quote the time from a single run: the machine is shared and noisy.
"""

from __future__ import annotations

import argparse
import os
import time

from rich.console import Console
from rich.table import Table

from experiments.compare import compare, summary_table, survival_table
from sim.designs import load_design
from sim.scenario import load_scenario

DESIGNS = ("ccpt_as_run", "longer_5y", "taper_2y", "retained_backbone")
TARGET_S = 60.0


def main() -> None:
    """Time one comparison and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--replicates", type=int, default=200)
    args = parser.parse_args()
    workers = min(2, os.cpu_count() or 1)
    designs = [load_design(d) for d in DESIGNS]
    start = time.perf_counter()
    result = compare(designs, load_scenario("ccpt_baseline"), args.replicates, 20140701,
                     years_after=2, workers=workers)
    summary_table(result)
    survival_table(result)
    elapsed = time.perf_counter() - start
    table = Table(title=f"consortium compare benchmark ({workers} workers)",
                  header_style="bold")
    for col in ("measure", "value", "target", "met"):
        table.add_column(col, justify="left" if col == "measure" else "right")
    table.add_row(f"{len(DESIGNS)} designs x {args.replicates} replicates (s)",
                  f"{elapsed:.1f}", f"<= {TARGET_S:g}", "yes" if elapsed <= TARGET_S else "no")
    Console().print(table)


if __name__ == "__main__":
    main()
