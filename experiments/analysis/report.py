"""What one :func:`~experiments.analysis.analyze` call works on and writes, and its summary.

A :class:`Report` carries the sweep, its replicate aggregates and the settings to every
analysis step, and collects the files written, per-outcome findings and notes, from which
:func:`summary_markdown` writes ``summary.md``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from experiments.analysis.sweep import Sweep, design_info
from experiments.analysis.tables import MD_MAX_ROWS, write_csv, write_md


@dataclass
class Report:
    """The inputs of one analysis and what it has written so far.

    Attributes:
        sweep: The sweep read by :func:`~experiments.analysis.sweep.load_sweep`.
        agg: Replicate aggregates per design point (:func:`~experiments.analysis.aggregate`).
        names: The outcomes analysed.
        out: The output folder.
        n_boot: Bootstrap resamples for Sobol and Morris intervals.
        seed: Bootstrap seed.
        tolerance: Relative CV tolerance for replicate guidance.
        written: File name -> path of every file written, in writing order.
        findings: Outcome -> key findings for ``summary.md``.
        notes: What could not be computed, and why.
        reference: The reference point of paired contrasts (a label or point number), or
            None for the default (``experiments.analysis.paired``).
    """

    sweep: Sweep
    agg: pd.DataFrame
    names: list[str]
    out: Path
    n_boot: int
    seed: int
    tolerance: float
    written: dict[str, Path] = field(default_factory=dict)
    findings: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    reference: str | None = None

    def csv(self, frame: pd.DataFrame, stem: str) -> None:
        """Write ``stem.csv``."""
        self.written[f"{stem}.csv"] = write_csv(frame, self.out / f"{stem}.csv")

    def md(self, stem: str, title: str, intro: Sequence[str], frame: pd.DataFrame,
           notes: Sequence[str] = (), max_rows: int | None = MD_MAX_ROWS) -> None:
        """Write ``stem.md``: title, intro, the table and notes."""
        path = write_md(self.out / f"{stem}.md", title, intro, frame, notes, max_rows)
        self.written[path.name] = path

    def png(self, path: Path) -> None:
        """Record a figure already saved at ``path``."""
        self.written[path.name] = path


def summary_markdown(report: Report) -> str:
    """The text of ``summary.md``: the sweep, failed runs, notes, findings and files."""
    sweep, names, findings = report.sweep, report.names, report.findings
    notes, written = report.notes, report.written
    m = sweep.manifest
    study = m.get("study") or {}
    title = study.get("name") or Path(str(m.get("study_file") or sweep.path.name)).stem
    runs = sweep.runs
    n_runs = int(m.get("n_runs") or 0)
    ok = int((runs["status"] == "ok").sum())
    failed = sweep.failed
    lines = [f"# Sweep analysis: {title}", ""]
    if study.get("description"):
        lines += [str(study["description"]), ""]
    opts = {k: v for k, v in (design_info(m).get("options") or {}).items()
            if k not in ("kind", "seed") and v not in (None, [], {}, "")}
    lines += [
        f"- Design: **{sweep.kind}**"
        + (f" ({', '.join(f'{k}={v}' for k, v in opts.items())})" if opts else ""),
        f"- Factors ({len(sweep.factors)}): " + ", ".join(f"`{f}`" for f in sweep.factors),
        f"- Design points: {len(sweep.design)}; replicates per point: {sweep.replicates}",
        f"- Runs: {n_runs or 'n/a'} planned, {len(runs)} recorded, {ok} ok, "
        f"{len(failed)} failed",
        f"- Model: `{m.get('model', 'n/a')}`; root seed {m.get('root_seed', 'n/a')}; "
        f"common random numbers: {'yes' if m.get('crn', True) else 'no'}",
        f"- Outcomes ({len(names)}): " + (", ".join(f"`{n}`" for n in names) or "none"),
    ]
    if n_runs and len(runs) < n_runs:
        lines.append(f"- **Incomplete sweep:** {n_runs - len(runs)} runs not recorded; "
                     "finish it with `consortium sweep STUDY --resume`.")
    lines += [f"- **Chunk {c} left out:** {why}." for c, why in sorted(sweep.bad_chunks.items())]
    lines += [f"- **Incomplete point {r.point}:** {r.recorded} of {r.expected} runs recorded."
              for r in sweep.incomplete.itertuples(index=False)]
    if sweep.checked_by == "structure":
        lines.append("- Chunks checked by structure only: the sweep was written before "
                     "chunk checksums were recorded.")
    if len(failed):
        last = failed["error"].fillna("").map(
            lambda e: (e.strip().splitlines() or ["(no traceback)"])[-1])
        common = last.value_counts().head(3)
        many = len(failed) != 1
        lines += ["", "## Failed runs", "",
                  f"{len(failed)} run{'s' if many else ''} failed and {'are' if many else 'is'} "
                  "left out of every table (tracebacks are in the runs table). Most common "
                  "errors:", ""]
        lines += [f"- {count} x `{msg}`" for msg, count in common.items()]
    if notes:
        lines += ["", "## Notes", ""] + [f"- {n}" for n in notes]
    lines += ["", "## Key findings", ""]
    if not names:
        lines += ["No outcome values were recorded: every recorded run failed, or none "
                  "finished.", ""]
    for name in names:
        lines += [f"### `{name}`", ""]
        lines += [f"- {f}" for f in findings.get(name) or ["No sensitivity result."]]
        lines.append("")
    lines += ["## Files", ""] + [f"- `{p}`" for p in written] + ["- `summary.md`", ""]
    return "\n".join(lines)
