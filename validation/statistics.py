"""Statistics: the numbers the patterns read from one run, and the run view they read.

Every outcome of ``sim.outcomes.OUTCOMES`` is a statistic; the others below read the
monthly record, network snapshots (``model.graph()``, at the months a statistic names) or
*probes* (``validation.probes``: model state read after each month through
``ConsortiumModel.observe()``). Each :class:`Statistic` says which snapshots and probes it
needs, so a run records only those (``validation.runs``). The patterns of
``validation.patterns`` say which stylized fact (SF1-SF36) or science-anchor pattern (P1-P5)
each statistic serves.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np
from scipy import stats

from sim.grant import GrantSchedule
from sim.outcomes import OUTCOMES, RunRecord


@dataclass
class RunView:
    """What a statistic reads from one run: the record, outcomes, snapshots and probes."""

    record: RunRecord
    outcomes: dict[str, float]
    months: dict[str, int]
    graphs: dict[int, nx.Graph] = field(default_factory=dict)
    probes: dict[str, Any] = field(default_factory=dict)
    cache: dict[str, Any] = field(default_factory=dict)

    def graph(self, spec: str) -> nx.Graph:
        """The network snapshot at a month spec (``"start"``, ``"23"``, ``"grant_end-1"``)."""
        return self.graphs[self.months[spec]]

    @property
    def grant_end(self) -> int:
        """First month after the grant."""
        return self.record.grant_end

    @property
    def money_end(self) -> int:
        """First month without state money (the cliff)."""
        return self.record.money_end


def resolve_month(spec: str, schedule: GrantSchedule) -> int:
    """Month index of a spec.

    ``start`` is -1 (before the first step); ``N`` is month N; ``grant_end-K`` and
    ``money_end-K`` count from the end of the grant or of state money.
    """
    if spec == "start":
        return -1
    for name in ("grant_end", "money_end"):
        if spec.startswith(name):
            return getattr(schedule, name) + int(spec[len(name):] or 0)
    return int(spec)


@dataclass(frozen=True)
class Statistic:
    """A number read from one run, with the snapshots and probes it needs."""

    fn: Callable[[RunView], float]
    description: str
    snapshots: tuple[str, ...] = ()
    probes: tuple[str, ...] = ()


def _series(v: RunView, name: str) -> np.ndarray:
    return v.record.series[name]


def _ratio(now: float, then: float) -> float:
    if not math.isfinite(now):
        return math.nan
    return now / then if then > 0 else 0.0


def _year_after_mean(v: RunView, values: np.ndarray, k: int) -> float:
    span = v.record.year_after(k)
    return float(values[span].mean()) if span is not None else math.nan


def program_level_vs_peak_2y(v: RunView) -> float:
    """Local programs in year 2 after the grant relative to their grant-era peak."""
    s = _series(v, "program_level")
    peak = float(s[:max(v.grant_end, 1)].max())
    return _ratio(_year_after_mean(v, s, 2), peak)


def program_gain_without_sustainment(v: RunView) -> float:
    """1 if programs grew over the grant and the consortium was not sustained at 2 years."""
    status = v.outcomes["status_2y"]
    if not math.isfinite(status):
        return math.nan
    s = _series(v, "program_level")
    grew = s[max(v.grant_end - 1, 0)] > s[0]
    return float(grew and status < 2.0)


def year1_targets_missed_process_gained(v: RunView) -> float:
    """1 if < half of employers met their pledged rung by month 11 while ties and trust grew.

    Trust is the network's stock (ties times mean trust): new ties start at baseline trust,
    so the mean over ties falls by composition even as relationships are added.
    """
    met = _series(v, "employer_pledges_met")[11]
    ties, trust = _series(v, "ties"), _series(v, "mean_trust")
    return float(met < 0.5 and ties[11] > ties[0] and ties[11] * trust[11] > ties[0] * trust[0])


def new_cross_sector_ties_y2(v: RunView) -> float:
    """1 if month 23 has more cross-sector ties than before the grant and a new K-12-college tie."""
    g0, g1 = v.graph("start"), v.graph("23")
    cross0 = sum(1 for *_, d in g0.edges(data=True) if d["cross_sector"])
    cross1 = sum(1 for *_, d in g1.edges(data=True) if d["cross_sector"])
    sector = nx.get_node_attributes(g1, "sector")
    new_k12_college = any(
        {sector[i], sector[j]} == {"k12", "college"} and not g0.has_edge(i, j)
        for i, j in g1.edges())
    return float(cross1 > cross0 and new_k12_college)


def operating_raw_grant_mean(v: RunView) -> float:
    """Committed participation times operating capacity, averaged over the grant years."""
    return float(_series(v, "operating_raw")[:v.grant_end].mean())


def taking_part_grant_mean(v: RunView) -> float:
    """Share of organizations taking part, averaged over the grant years (M4)."""
    return float(_series(v, "taking_part_share")[:v.grant_end].mean())


def taking_part_2y(v: RunView) -> float:
    """Share of organizations taking part, mean over year 2 after the grant (M4)."""
    return _year_after_mean(v, _series(v, "taking_part_share"), 2)


def turnover_helps_share(v: RunView) -> float:
    """Share of leader changes after which the organization's commitment rose that month."""
    c = v.probes["leader_changes"]
    return c["rises"] / c["changes"] if c["changes"] else math.nan


def attendance_year2(v: RunView) -> float:
    """Mean share of taking-part organizations at a meeting in year 2 (months 12-23)."""
    return float(v.probes["attendance"][12:24].mean())


def trust_growth_year2(v: RunView) -> float:
    """Change of mean trust over ties during year 2 (month 23 minus month 11)."""
    s = _series(v, "mean_trust")
    return float(s[23] - s[11])


def institutionalization_year2_end(v: RunView) -> float:
    """Institutionalization index at the end of year 2 (month 23)."""
    return float(_series(v, "institutionalization")[23])


def employers_engaged_grant_end(v: RunView) -> float:
    """Employers taking part at rung 2 or above in the last grant month."""
    return float(_series(v, "employers_engaged")[max(v.grant_end - 1, 0)])


def employer_pledges_short_grant_end(v: RunView) -> float:
    """Share of employers below the rung they pledged, in the last grant month."""
    return 1.0 - v.outcomes["employer_pledges_met_grant_end"]


def wbl_hosts_years3_4(v: RunView) -> float:
    """Employers hosting work-based learning (rung >= 4), mean over years 3-4 (months 24-47)."""
    return float(v.probes["wbl_hosts"][24:48].mean())


def positions_kept_after_cliff(v: RunView) -> float:
    """Positions filled in the year after state money ends relative to the cliff."""
    filled = _series(v, "positions_filled")
    at_cliff = float(filled[max(v.money_end - 1, 0)])
    after = filled[v.money_end:v.money_end + 12]
    return _ratio(float(after.mean()) if after.size else math.nan, at_cliff)


def year1_position_months_vacant(v: RunView) -> float:
    """Share of the position-months funded in year 1 (months 0-11) left vacant."""
    funded = float(_series(v, "positions_funded")[:12].sum())
    filled = float(_series(v, "positions_filled")[:12].sum())
    return 1.0 - filled / funded if funded > 0 else math.nan


def _hazard(exits: int, at_risk: int) -> float:
    return exits / at_risk if at_risk else math.nan


def heavy_lifter_burnout_exit_hazard(v: RunView) -> float:
    """Monthly burnout-exit hazard of employers taking part on rung 4 or above."""
    c = v.probes["burnout_exits"]
    return _hazard(c["heavy_exits"], c["heavy_at_risk"])


def other_employer_burnout_exit_hazard(v: RunView) -> float:
    """Monthly burnout-exit hazard of employers taking part on rungs 1-3."""
    c = v.probes["burnout_exits"]
    return _hazard(c["other_exits"], c["other_at_risk"])


def bilateral_agreement_by_year2(v: RunView) -> float:
    """1 if a K-12-college articulation agreement stood in some month of years 1-2 (0-23)."""
    return float(v.probes["agreements"][:24].max(initial=0) > 0)


def shared_vision_grant_end(v: RunView) -> float:
    """Shared vision and identity in the last grant month."""
    return float(_series(v, "shared_vision")[max(v.grant_end - 1, 0)])


def months_to_working_trust(v: RunView) -> float:
    """Median months until year-1 cross-sector ties first reach working (active) trust."""
    return v.probes["trust_timing"]


def data_alignment_stays_low(v: RunView) -> float:
    """1 if data alignment stays below 0.5 in every grant month."""
    return float(_series(v, "data_alignment")[:v.grant_end].max() < 0.5)


def college_attendance_grant(v: RunView) -> float:
    """Mean share of community colleges at a meeting per month over the grant."""
    return float(np.nanmean(v.probes["college_attendance"][:v.grant_end]))


def program_level_grant_end(v: RunView) -> float:
    """Mean local program level of districts and colleges in the last grant month."""
    return float(_series(v, "program_level")[max(v.grant_end - 1, 0)])


SCHEIRER_SHARE = 0.6
"""A component is sustained at 60% or more of its peak (Scheirer 2005; P3)."""


def some_component_sustained_2y(v: RunView) -> float:
    """1 if programs (>= 60% of peak), NORC collaboration or the collaborative hold (P3)."""
    programs = program_level_vs_peak_2y(v)
    if not math.isfinite(programs):
        return math.nan
    held = (programs >= SCHEIRER_SHARE
            or v.outcomes["regional_collaboration_2y"] == 1.0
            or v.outcomes["sustained_2y"] == 1.0)
    return float(held)


def sustained_with_few_positions_2y(v: RunView) -> float:
    """1 if a run sustained two years on kept under half its cliff positions (SF21c).

    NaN for runs not sustained, so a band's mean is the share among sustaining runs.
    """
    if v.outcomes["sustained_2y"] != 1.0:
        return math.nan
    kept = v.outcomes["positions_retained_2y"]
    return float(kept < 0.5) if math.isfinite(kept) else math.nan


def trust_age_spearman_grant_end(v: RunView) -> float:
    """Spearman correlation of trust with tie age over the ties standing at grant end."""
    edges = [(d["trust"], d["age"]) for *_, d in v.graph("grant_end-1").edges(data=True)]
    if len(edges) < 3:
        return math.nan
    trust, age = np.asarray(edges).T
    if np.ptp(trust) == 0 or np.ptp(age) == 0:
        return math.nan
    return float(stats.spearmanr(trust, age).statistic)


def _dissolution(v: RunView) -> dict[str, float]:
    """Share of the ties standing at month 23 that are gone by month 35, by tie class.

    A tie survives if the pair is tied at month 35 and its age grew by 12 months (not
    dissolved and re-formed). Bridges have no common partner at month 23.
    """
    if "dissolution" in v.cache:
        return v.cache["dissolution"]
    g0, g1 = v.graph("23"), v.graph("35")
    gone: dict[str, list[bool]] = {"bridge": [], "embedded": [], "young": [], "old": []}
    for i, j, d in g0.edges(data=True):
        later = g1.get_edge_data(i, j)
        lost = later is None or later["age"] != d["age"] + 12
        common = any(True for _ in nx.common_neighbors(g0, i, j))
        gone["embedded" if common else "bridge"].append(lost)
        if d["age"] < 12:
            gone["young"].append(lost)
        elif d["age"] >= 24:
            gone["old"].append(lost)
    out = {k: float(np.mean(x)) if x else math.nan for k, x in gone.items()}
    v.cache["dissolution"] = out
    return out


def bridge_dissolution_year3(v: RunView) -> float:
    """Share of bridging ties (no common partner) at month 23 gone by month 35."""
    return _dissolution(v)["bridge"]


def embedded_dissolution_year3(v: RunView) -> float:
    """Share of embedded ties (a common partner) at month 23 gone by month 35."""
    return _dissolution(v)["embedded"]


def young_dissolution_year3(v: RunView) -> float:
    """Share of ties under 12 months old at month 23 gone by month 35."""
    return _dissolution(v)["young"]


def old_dissolution_year3(v: RunView) -> float:
    """Share of ties at least 24 months old at month 23 gone by month 35."""
    return _dissolution(v)["old"]


def _outcome(name: str) -> Statistic:
    fn = OUTCOMES[name]
    doc = (fn.__doc__ or name).strip().splitlines()[0]
    return Statistic(_OutcomeReader(name), doc)


@dataclass(frozen=True)
class _OutcomeReader:
    """Reads one named outcome (picklable, unlike a lambda)."""

    name: str

    def __call__(self, v: RunView) -> float:
        return v.outcomes[self.name]


_DISSOLUTION = ("23", "35")
STATISTICS: dict[str, Statistic] = {
    **{name: _outcome(name) for name in OUTCOMES},
    **{f.__name__: Statistic(f, (f.__doc__ or "").strip().splitlines()[0], snaps, probes)
       for f, snaps, probes in (
           (program_level_vs_peak_2y, (), ()),
           (program_gain_without_sustainment, (), ()),
           (year1_targets_missed_process_gained, (), ()),
           (new_cross_sector_ties_y2, ("start", "23"), ()),
           (operating_raw_grant_mean, (), ()),
           (taking_part_grant_mean, (), ()),
           (taking_part_2y, (), ()),
           (turnover_helps_share, (), ("leader_changes",)),
           (attendance_year2, (), ("attendance",)),
           (trust_growth_year2, (), ()),
           (institutionalization_year2_end, (), ()),
           (employers_engaged_grant_end, (), ()),
           (employer_pledges_short_grant_end, (), ()),
           (wbl_hosts_years3_4, (), ("wbl_hosts",)),
           (positions_kept_after_cliff, (), ()),
           (year1_position_months_vacant, (), ()),
           (heavy_lifter_burnout_exit_hazard, (), ("burnout_exits",)),
           (other_employer_burnout_exit_hazard, (), ("burnout_exits",)),
           (bilateral_agreement_by_year2, (), ("agreements",)),
           (shared_vision_grant_end, (), ()),
           (months_to_working_trust, (), ("trust_timing",)),
           (data_alignment_stays_low, (), ()),
           (college_attendance_grant, (), ("college_attendance",)),
           (program_level_grant_end, (), ()),
           (some_component_sustained_2y, (), ()),
           (sustained_with_few_positions_2y, (), ()),
           (trust_age_spearman_grant_end, ("grant_end-1",), ()),
           (bridge_dissolution_year3, _DISSOLUTION, ()),
           (embedded_dissolution_year3, _DISSOLUTION, ()),
           (young_dissolution_year3, _DISSOLUTION, ()),
           (old_dissolution_year3, _DISSOLUTION, ()),
       )},
}
