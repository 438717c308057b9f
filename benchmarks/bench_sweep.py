"""Sweep engine benchmarks: engine overhead, process-pool speed-up, driver memory.

Run with ``make bench`` (after the model benchmark) or alone:
``python benchmarks/bench_sweep.py [--runs 240] [--pool-runs 1200] [--big-runs 20000]``.
Targets (issue: experiments): engine overhead <= 10% against calling the run function in a
plain loop; a local pool on 2 cores >= 1.7x faster than sequential; a 20,000-run sweep of
``ccpt_baseline`` keeps the driver's peak memory <= 500 MB.

Quote medians and ratios from a single run: the machine is shared and noisy.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from experiments.design import build_design, run_plan, run_seed
from experiments.study import load_study
from experiments.sweep import sweep
from sim.run import simulate

ROOT = Path(__file__).resolve().parent.parent

STUDY = """
name = "bench_{name}"
description = "Benchmark: {runs} runs of ccpt_baseline over two factors."
base = "ccpt_baseline"
replicates = {replicates}
seed = 7
outcomes = ["sustained_2y", "function_level_2y", "function_level_4y",
            "regional_collaboration_4y"]
timeseries = "none"

[design]
kind = "lhs"
samples = {points}

[[factors]]
key = "grant.state_years"
bounds = [3, 8]
integer = true

[[factors]]
key = "trust.baseline"
bounds = [0.05, 0.4]
"""


def write_study(folder: Path, name: str, runs: int, replicates: int = 4) -> Path:
    """A study file with ``runs`` runs (points x replicates)."""
    path = folder / f"{name}.toml"
    path.write_text(STUDY.format(name=name, runs=runs, replicates=replicates,
                                 points=max(1, runs // replicates)))
    return path


def plain_loop(study_path: Path) -> float:
    """Seconds to call the run function for every run of the study, nothing else."""
    study = load_study(study_path)
    plan = run_plan(study, build_design(study))
    options = study.model_options_for_run()
    factors = study.factor_keys
    rows = plan.to_dict("records")
    t0 = time.perf_counter()
    for row in rows:
        params = {k: row[k] for k in factors}
        rng = np.random.default_rng(run_seed(row["seed_entropy"], row["spawn_key"]))
        simulate(params, rng, **options)
    return time.perf_counter() - t0


def timed_sweep(study_path: Path, folder: Path, executor: str, workers: int | None) -> float:
    """Seconds for a whole sweep into a fresh directory (start-up and writing included)."""
    out = folder / f"sweep_{executor}_{time.monotonic_ns()}"
    t0 = time.perf_counter()
    sweep(study_path, out, executor=executor, workers=workers)
    elapsed = time.perf_counter() - t0
    shutil.rmtree(out)
    return elapsed


def driver_memory(study_path: Path, folder: Path, workers: int) -> tuple[float, float, int]:
    """Peak RSS (MB) of a sweep driver process, its wall time, and the runs it stored."""
    out = folder / "sweep_big"
    code = (
        "import resource, sys, time\n"
        "from experiments.sweep import sweep\n"
        "t0 = time.perf_counter()\n"
        f"sweep({str(study_path)!r}, {str(out)!r}, executor='local', workers={workers})\n"
        "print(time.perf_counter() - t0)\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                          text=True, cwd=ROOT)
    wall, rss = (float(x) for x in done.stdout.split()[-2:])
    import pyarrow.dataset as ds

    stored = ds.dataset(out / "runs", format="parquet").count_rows()
    shutil.rmtree(out)
    return rss, wall, stored


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=240, help="runs for the engine overhead")
    ap.add_argument("--repeats", type=int, default=3, help="repeats of the overhead timing")
    ap.add_argument("--pool-runs", type=int, default=1200,
                    help="runs for the pool speed-up (workers start in ~2 s: keep it large)")
    ap.add_argument("--big-runs", type=int, default=20_000, help="runs of the memory sweep")
    args = ap.parse_args()
    workers = os.cpu_count() or 2
    console = Console()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        small = write_study(folder, "small", args.runs)
        simulate({}, np.random.default_rng(0))  # warm imports and caches
        loop, seq = [], []
        for _ in range(args.repeats):
            loop.append(plain_loop(small))
            seq.append(timed_sweep(small, folder, "sequential", 1))
        t_loop, t_seq = statistics.median(loop), statistics.median(seq)
        console.print(f"[dim]speed-up: {args.pool_runs} runs, sequential then "
                      f"{workers} workers...[/dim]")
        medium = write_study(folder, "medium", args.pool_runs)
        t_seq_medium = timed_sweep(medium, folder, "sequential", 1)
        t_pool = timed_sweep(medium, folder, "local", workers)
        console.print(f"[dim]memory sweep: {args.big_runs} runs on {workers} workers...[/dim]")
        big = write_study(folder, "big", args.big_runs, replicates=10)
        rss, wall, stored = driver_memory(big, folder, workers)

    table = Table(title=f"consortium-sim sweep benchmark ({workers} cores; overhead: median "
                  f"of {args.repeats})")
    for col in ("measure", "value", "target", "met"):
        table.add_column(col, justify="right" if col != "measure" else "left")
    overhead = t_seq / t_loop - 1.0
    speedup = t_seq_medium / t_pool
    start = t_pool - t_seq_medium / workers
    table.add_row(f"plain loop, {args.runs} runs (s)", f"{t_loop:.2f}", "", "")
    table.add_row(f"sequential sweep, {args.runs} runs (s)", f"{t_seq:.2f}", "", "")
    table.add_row(f"sequential sweep, {args.pool_runs} runs (s)", f"{t_seq_medium:.2f}", "", "")
    table.add_row(f"local pool sweep, {args.pool_runs} runs, {workers} workers (s)",
                  f"{t_pool:.2f}", "", "")
    table.add_row("pool start-up beyond a perfect split (s)", f"{start:.2f}", "", "")
    table.add_row("engine overhead vs plain loop", f"{overhead:+.1%}", "<= 10%",
                  "yes" if overhead <= 0.10 else "NO")
    table.add_row("pool speed-up vs sequential", f"{speedup:.2f}x", ">= 1.7x",
                  "yes" if speedup >= 1.7 else "NO")
    table.add_row(f"{args.big_runs}-run sweep: driver peak RSS (MB)", f"{rss:.0f}", "<= 500",
                  "yes" if rss <= 500 else "NO")
    table.add_row(f"{args.big_runs}-run sweep: wall time (s), runs stored",
                  f"{wall:.0f}, {stored}", "", "yes" if stored == args.big_runs else "NO")
    console.print(table)


if __name__ == "__main__":
    main()
