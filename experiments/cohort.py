"""Statewide cohort replicates as plain tables: who sustains, scales back or dissolves.

``cohort_runs`` runs replicates of a cohort (``sim.statewide.run_cohort``) on a process pool
and returns one row per consortium and replicate: its tier, the context it drew, whether a
later grant landed in its region, its status in each year after its grant and its outcomes.
``statewide_counts`` counts each replicate's consortia by status, per tier and in all;
``distribution`` summarises those counts across replicates next to the seeds' "most scale
back, a select few sustain" (SF1; docs/cohorts.md).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from experiments.compare import STATUS, map_runs
from sim.cohorts import PARTNER_KEYS, Cohort
from sim.outcomes import compute_outcomes, program_persistence_by_year, status_by_year
from sim.run import replicate_seeds
from sim.statewide import run_cohort

SELECT_FEW = (0.05, 0.25)
"""The brief's reading of "a select few" (§5 usage note; SF1's band): an assumption."""
TOTAL = "all consortia"


def _job(job: tuple[Cohort, dict[str, Any], np.random.SeedSequence, int, int]
         ) -> list[dict[str, Any]]:
    cohort, settings, seed, years, replicate = job
    res = run_cohort(cohort, seed, settings)
    rows = []
    for m, rec, landed in zip(res.members, res.records, res.overlap, strict=True):
        region = m.params.region
        row: dict[str, Any] = {
            "replicate": replicate, "consortium": m.index, "tier": m.tier, "label": m.label,
            "lead": region.lead, "award_musd": m.params.grant.award_musd, "size": m.size,
            "prior_infrastructure": region.prior_infrastructure, "urgency": region.urgency,
            "length_km": region.length_km,
            **{key: getattr(region, key) for key in PARTNER_KEYS},
            "later_grant": bool(landed), "coaching_supply_min": float(res.supply.min()),
        }
        for k, (status, programs) in enumerate(zip(status_by_year(rec, years),
                                                   program_persistence_by_year(rec, years),
                                                   strict=True), start=1):
            row[f"status_{k}y"], row[f"programs_{k}y"] = status, programs
        row.update(compute_outcomes(rec))
        rows.append(row)
    return rows


def cohort_runs(cohort: Cohort, replicates: int, seed: int,
                settings: dict[str, Any] | None = None, years: int | None = None,
                workers: int | None = None, progress: Callable[[int], None] | None = None
                ) -> pd.DataFrame:
    """``replicates`` statewide replicates of ``cohort`` from root ``seed``.

    One row per consortium and replicate, with ``status_{k}y`` and ``programs_{k}y`` for
    k = 1..``years`` after each consortium's grant end.
    """
    years = years or cohort.spec.horizon_years
    jobs = [(cohort, dict(settings or {}), s, years, r)
            for r, s in enumerate(replicate_seeds(seed, replicates))]
    rows = map_runs(_job, jobs, workers, progress)
    return pd.DataFrame([row for chunk in rows for row in chunk])


def statewide_counts(runs: pd.DataFrame, years_after: int) -> pd.DataFrame:
    """Per replicate and tier (and in all): consortia sustained, scaled back, dissolved."""
    col = f"status_{years_after}y"
    out = []
    for (replicate, tier), group in runs.groupby(["replicate", "label"], sort=False):
        out.append(_count(replicate, tier, group[col]))
    for replicate, group in runs.groupby("replicate", sort=False):
        out.append(_count(replicate, TOTAL, group[col]))
    return pd.DataFrame(out)


def _count(replicate: int, tier: str, status: pd.Series) -> dict[str, Any]:
    row: dict[str, Any] = {"replicate": replicate, "tier": tier, "consortia": len(status)}
    for label, code in STATUS.items():
        row[label] = int((status == code).sum())
    row["past_horizon"] = int(status.isna().sum())
    return row


def distribution(counts: pd.DataFrame) -> pd.DataFrame:
    """Across replicates, per tier and in all: each status's mean count and share.

    With the 5th-95th percentile range of the count.
    """
    rows = []
    for tier, group in counts.groupby("tier", sort=False):
        n = int(group["consortia"].iloc[0])
        row: dict[str, Any] = {"tier": tier, "consortia": n, "replicates": len(group)}
        for label in STATUS:
            v = group[label].to_numpy(dtype=float)
            row[label] = float(v.mean())
            row[f"{label}_p05"], row[f"{label}_p95"] = (float(np.quantile(v, 0.05)),
                                                        float(np.quantile(v, 0.95)))
            row[f"{label}_share"] = float(v.mean() / n) if n else float("nan")
        rows.append(row)
    return pd.DataFrame(rows)


def seeds_verdict(dist: pd.DataFrame) -> tuple[bool, str]:
    """Whether the statewide distribution reads as the seeds' SF1 (000).

    "most of the partnerships find themselves scaling back ..., a select few are reaping
    the benefits".

    Most: scaled back or dissolved in more than half the consortia, scaled back the most
    common status; a select few: the share sustained within :data:`SELECT_FEW` (an
    assumption, the brief's reading).
    """
    total = dist.set_index("tier").loc[TOTAL]
    sustained = float(total["sustained_share"])
    scaled, dissolved = float(total["scaled_back_share"]), float(total["dissolved_share"])
    most = scaled + dissolved > 0.5 and scaled >= max(sustained, dissolved)
    few = SELECT_FEW[0] <= sustained <= SELECT_FEW[1]
    text = (f"{sustained:.0%} sustain, {scaled:.0%} scale back and {dissolved:.0%} dissolve. "
            f"The seeds: most scale back, a select few sustain (read as {SELECT_FEW[0]:.0%}-"
            f"{SELECT_FEW[1]:.0%} sustaining): "
            + ("consistent." if most and few else
               "not consistent (" + ", ".join(
                   p for p, ok in (("most do not scale back", most),
                                   ("the share sustaining is outside the band", few))
                   if not ok) + ")."))
    return most and few, text
