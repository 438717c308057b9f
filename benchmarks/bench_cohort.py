"""Benchmark of one statewide replicate of ``ccpt_cohort1`` (39 consortia in lockstep).

Targets (issue: agency workflow): one statewide replicate in <= 1 s, peak memory <= 400 MB.
Times are the median of ``--repeats`` replicates in this process, after one warm-up
(drawing the consortia, building 39 models, 72 months in lockstep, collecting the records);
the throughput row runs ``--throughput`` replicates on two worker processes, as ``consortium
run`` does. Peak memory is the resident set of a fresh process that imports the model and
runs one replicate, read from ``getrusage``. Run with ``make bench`` or alone:
``python benchmarks/bench_cohort.py``. Quote figures from a single run: the machine is
shared and noisy.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

from rich.console import Console
from rich.table import Table

from experiments.cohort import cohort_runs
from sim.cohorts import load_cohort
from sim.statewide import run_cohort

COHORT = "ccpt_cohort1"
TARGET_S = 1.0
TARGET_MB = 400.0
PEAK = """
import resource
from sim.cohorts import load_cohort
from sim.statewide import run_cohort
run_cohort(load_cohort("{cohort}"), 1)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def peak_mb(cohort: str) -> float:
    """Peak resident memory (MB) of a fresh process running one statewide replicate."""
    out = subprocess.run([sys.executable, "-c", PEAK.format(cohort=cohort)], check=True,
                         capture_output=True, text=True)
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    """Time statewide replicates, measure peak memory and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--throughput", type=int, default=10)
    parser.add_argument("--cohort", default=COHORT)
    args = parser.parse_args()
    cohort = load_cohort(args.cohort)
    run_cohort(cohort, 0)
    times = []
    for seed in range(1, args.repeats + 1):
        start = time.perf_counter()
        run_cohort(cohort, seed)
        times.append(time.perf_counter() - start)
    workers = min(2, os.cpu_count() or 1)
    start = time.perf_counter()
    cohort_runs(cohort, args.throughput, 20140701, workers=workers)
    per = (time.perf_counter() - start) / args.throughput
    peak = peak_mb(args.cohort)
    median = statistics.median(times)
    table = Table(title=f"statewide cohort benchmark: {cohort.name}, {cohort.size} consortia",
                  header_style="bold")
    for col in ("measure", "value", "target", "met"):
        table.add_column(col, justify="left" if col == "measure" else "right")
    table.add_row(f"one replicate, median of {args.repeats} (s)", f"{median:.2f}",
                  f"<= {TARGET_S:g}", "yes" if median <= TARGET_S else "no")
    table.add_row("  fastest / slowest (s)", f"{min(times):.2f} / {max(times):.2f}", "", "")
    table.add_row(f"per replicate, {args.throughput} on {workers} workers with outcomes (s)",
                  f"{per:.2f}", "", "")
    table.add_row("peak memory, one replicate in a fresh process (MB)", f"{peak:.0f}",
                  f"<= {TARGET_MB:g}", "yes" if peak <= TARGET_MB else "no")
    Console().print(table)


if __name__ == "__main__":
    main()
