"""Benchmark of the workshop's "Run 50 replicates" on ``workshop_small``, both sides.

Target (issue: workshop mode): 50 replicates finish in <= 2 s. Measured as the dashboard
runs them: a compare session (two designs), 50 replicates per side to two years after each
grant, on the server's two replicate workers, started before the first request. Also the
time to draw one frame of the page (networks, timeline, charts, difference). Run with
``make bench`` or alone: ``python benchmarks/bench_workshop.py``. Quote figures from a
single run: the machine is shared and noisy.
"""

from __future__ import annotations

import statistics
import time

from rich.console import Console
from rich.table import Table

from app.session import Workshop, replicate_pool
from app.workshop import make_frame

TARGET_S = 2.0


def main() -> None:
    """Time the replicates and a frame, and print the table."""
    replicate_pool()
    w = Workshop("workshop_small")
    w.set_compare("taper_2y")
    w.step(24)
    times = []
    for _ in range(5):
        start = time.perf_counter()
        w.run_replicates(50)
        times.append(time.perf_counter() - start)
    frames = []
    for _ in range(5):
        start = time.perf_counter()
        make_frame(w)
        frames.append(time.perf_counter() - start)
        w.step(1)
    median = statistics.median(times)
    table = Table(title="workshop benchmark: workshop_small, compare mode", header_style="bold")
    for col in ("measure", "value", "target", "met"):
        table.add_column(col, justify="left" if col == "measure" else "right")
    table.add_row("50 replicates per side, two sides, median of 5 (s)", f"{median:.2f}",
                  f"<= {TARGET_S:g}", "yes" if median <= TARGET_S else "no")
    table.add_row("one frame of the page, median of 5 (s)", f"{statistics.median(frames):.2f}",
                  "", "")
    Console().print(table)


if __name__ == "__main__":
    main()
