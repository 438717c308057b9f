"""Model benchmarks: single-run wall time (setup included) and peak memory.

Run with ``make bench``. Prints one table; quote medians and ratios from a single run, the
machine is shared and noisy. Targets: ``ccpt_baseline`` median <= 40 ms per run including
setup, peak memory <= 200 MB.
"""

from __future__ import annotations

import gc
import resource
import statistics
import sys
import time
import tracemalloc

import numpy as np
from rich.console import Console
from rich.table import Table

from sim.model import ConsortiumModel
from sim.run import run
from sim.scenario import load_scenario

SCENARIOS = ("ccpt_baseline", "workshop_small", "tulare_kings")
REPEATS = 30


def time_runs(name: str, repeats: int) -> dict[str, float]:
    """Wall times of ``repeats`` seeded runs (setup, stepping and outcomes) of a scenario."""
    params = load_scenario(name)
    run(params, 0)  # warm caches and imports
    seeds = np.random.SeedSequence(2024).spawn(repeats)
    totals, setups = [], []
    gc.collect()
    for ss in seeds:
        t0 = time.perf_counter()
        ConsortiumModel(params, ss)
        setups.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        run(params, ss)
        totals.append(time.perf_counter() - t0)
    model = ConsortiumModel(params, 0)
    tracemalloc.start()
    run(params, 1)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "orgs": model.n,
        "pairs": model.partnerships.m,
        "months": params.months,
        "median_ms": 1000 * statistics.median(totals),
        "p10_ms": 1000 * float(np.percentile(totals, 10)),
        "p90_ms": 1000 * float(np.percentile(totals, 90)),
        "setup_ms": 1000 * statistics.median(setups),
        "step_us": 1e6 * (statistics.median(totals) - statistics.median(setups)) / params.months,
        "traced_peak_mb": peak / 2**20,
    }


def main() -> int:
    """Print the benchmark table."""
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else REPEATS
    table = Table(title=f"consortium-sim model benchmark ({repeats} runs per scenario)")
    for col in ("scenario", "orgs", "pairs", "months", "median ms", "p10 ms", "p90 ms",
                "setup ms", "µs/step", "traced peak MB"):
        table.add_column(col, justify="right" if col != "scenario" else "left")
    for name in SCENARIOS:
        r = time_runs(name, repeats)
        table.add_row(name, str(r["orgs"]), str(r["pairs"]), str(r["months"]),
                      f"{r['median_ms']:.1f}", f"{r['p10_ms']:.1f}", f"{r['p90_ms']:.1f}",
                      f"{r['setup_ms']:.1f}", f"{r['step_us']:.0f}", f"{r['traced_peak_mb']:.1f}")
    console = Console(width=150)
    console.print(table)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    console.print(f"process peak RSS: {rss:.0f} MB (includes the interpreter and libraries)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
