"""The validation suite: run every pattern of ``experiments.patterns`` and report on it.

Each pattern reads one or two *arms* (a scenario plus overrides). Every arm runs the same
``N`` replicate seeds, ``numpy.random.SeedSequence(root).spawn(N)``, so replicate ``r`` of
every arm uses the same child seed (common random numbers) and a pair's differences are not
seed noise. An arm is run once however many patterns read it, and each run is reduced to
the statistics its patterns need before the next one starts.

**Statistics.** Every outcome of ``sim.outcomes.OUTCOMES`` is a statistic; the others below
read the monthly record, network snapshots (``model.graph()``) or *probes* (model state
read after each month: attendance, employer rungs, leader changes, trust on new ties,
burnout exits, articulation agreements).
Runs that need neither go through ``sim.run.run``; the others step a ``ConsortiumModel``
in the same way, and the tests check that both give the same outcomes for the same seed.

**Tests.**

- A pair's effect is the mean paired difference A - B with a Student-t interval; for 0/1
  statistics also Newcombe's interval for paired proportions (method 10), which is then
  the one reported. The one-sided test is a paired t-test, or the exact McNemar test for
  0/1 statistics, at the pattern's alpha. Power at the observed effect comes from the
  noncentral t (over the effect's interval, so it has a range too), with the replicates
  that power 0.95 would need (Secchi & Seri 2017).
- A band's level is the replicate mean with a t interval, or a Wilson interval for shares.
  It passes if the mean lies in the band; the report also says whether the interval does.
- An association is Spearman's rho across replicates with a Fisher-z interval (standard
  error sqrt(1.06 / (n - 3)); Fieller, Hartley & Pearson 1957) and a one-sided test.

A pattern that fails stays in the report as a failure; nothing is tuned here. Holm-adjusted
p-values across the tests are reported beside each pattern's own verdict.

**Replicates.** The report justifies ``N`` from the runs themselves, with
``experiments.analysis.replicate_guidance``: the replicate count at which the running
coefficient of variation of each statistic settles within ±5% of its final value (Lee et
al. 2015), the count for a 95% half-width of 10% of the mean or 0.05 for a share (Secchi &
Seri 2017), and the power of each test at its observed effect. ``DEFAULT_REPLICATES`` is
300, the interval-width count of the most demanding share (``sustained_2y`` near one half
in the SF3 arms needs about 295 runs for ±0.05), which also gives the 5-25% band of SF1 a
resolution of ±0.05. The CV rule is reported but is not the binding one: the CV's own
sampling error is about 1/sqrt(2n), about 4% at n = 300, so a ±5% tolerance settles late
by construction. A full run takes about two minutes on two cores (about three and a half
in one process).
"""

from __future__ import annotations

import base64
import html
import io
import math
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
from scipy import stats

from agents.codes import Sector
from experiments.patterns import PATTERNS, Arm, Pattern, check_catalogue
from sim.grant import GrantSchedule
from sim.model import ConsortiumModel
from sim.observation import Observation
from sim.outcomes import OUTCOMES, RunRecord, compute_outcomes
from sim.params import ScenarioParams
from sim.run import run as run_once
from sim.scenario import ScenarioError, load_scenario, parse_override
from sim.summary import estimate, wilson_interval

DEFAULT_REPLICATES = 300
QUICK_REPLICATES = 20
DEFAULT_SEED = 20140701
LEVEL = 0.95
POWER_TARGET = 0.95
CHUNK = 8  # replicates per task handed to a worker


# ================================================================================ run views
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


# =================================================================================== probes
class Probe:
    """Model state read around each monthly step; ``result()`` is stored on the run view.

    A probe sees the model only through :class:`sim.observation.Observation`: the first
    observation (before any step) and the parameters at construction, then one
    observation before and one after each step.
    """

    def __init__(self, first: Observation, params: ScenarioParams):
        self.params = params

    def before(self, obs: Observation) -> None:
        """Called before each step."""

    def after(self, obs: Observation) -> None:
        """Called after each step; the month stepped is ``obs.month - 1``."""

    def result(self) -> Any:
        """The probe's record of the run."""
        raise NotImplementedError


class AttendanceProbe(Probe):
    """Share of taking-part organizations at a meeting, per month (SF11)."""

    def __init__(self, first: Observation, params: ScenarioParams):
        super().__init__(first, params)
        self.values: list[float] = []

    def after(self, obs: Observation) -> None:
        """Record this month's attendance."""
        self.values.append(obs.attendance)

    def result(self) -> np.ndarray:
        """Monthly attendance."""
        return np.asarray(self.values)


class CollegeAttendanceProbe(Probe):
    """Share of all community colleges that attended a meeting, per month (SF35)."""

    def __init__(self, first: Observation, params: ScenarioParams):
        super().__init__(first, params)
        self.colleges = np.flatnonzero(first.sector == Sector.COLLEGE)
        self.values: list[float] = []

    def after(self, obs: Observation) -> None:
        """Record the colleges' attendance this month."""
        self.values.append(float(np.mean(obs.attended[self.colleges]))
                           if len(self.colleges) else math.nan)

    def result(self) -> np.ndarray:
        """Monthly college attendance."""
        return np.asarray(self.values)


class WblHostsProbe(Probe):
    """Employers taking part at rung 4 or above (job shadow, internship, champion; SF17)."""

    RUNG = 4

    def __init__(self, first: Observation, params: ScenarioParams):
        super().__init__(first, params)
        self.employers = first.sector == Sector.EMPLOYER
        self.values: list[float] = []

    def after(self, obs: Observation) -> None:
        """Count this month's hosts."""
        self.values.append(float(np.sum(self.employers & obs.taking_part
                                         & (obs.rung >= self.RUNG))))

    def result(self) -> np.ndarray:
        """Monthly count of work-based-learning hosts."""
        return np.asarray(self.values)


class LeaderChangeProbe(Probe):
    """Leader changes and whether the organization's commitment rose over that month (SF8)."""

    def __init__(self, first: Observation, params: ScenarioParams):
        super().__init__(first, params)
        self.changes = 0
        self.rises = 0
        self.before(first)

    def before(self, obs: Observation) -> None:
        """Remember leaders and commitment before the step."""
        self._ids = obs.leader.copy()
        self._commitment = obs.commitment.copy()

    def after(self, obs: Observation) -> None:
        """Count the step's leader changes and the rises of commitment among them."""
        changed = obs.leader != self._ids
        self.changes += int(changed.sum())
        self.rises += int(np.sum(obs.commitment[changed] > self._commitment[changed]))

    def result(self) -> dict[str, int]:
        """Counts of changes and of changes after which commitment rose."""
        return {"changes": self.changes, "rises": self.rises}


class TrustTimingProbe(Probe):
    """Months from formation until trust first reaches the active threshold (SF27).

    The cohort is the cross-sector ties formed in year 1 (months 0-11) that still stand at
    the end of year 3 (month 35). A tie that never reached the threshold counts at its age
    then, a lower bound, so the cohort median is a lower bound where more than half never
    reach it.
    """

    COHORT_LAST_MONTH = 11
    READ_MONTH = 35

    def __init__(self, first: Observation, params: ScenarioParams):
        super().__init__(first, params)
        self.threshold = params.trust.active_threshold
        self.formed = first.formed.copy()
        self.first = np.full(len(first.formed), -1, dtype=np.int64)
        self.value = math.nan

    def after(self, obs: Observation) -> None:
        """Track the first month each current tie reached the threshold."""
        month = obs.month - 1
        if month > self.READ_MONTH:
            return
        reformed = obs.formed != self.formed
        self.first[reformed] = -1
        self.formed = obs.formed.copy()
        hit = obs.tie & (obs.trust >= self.threshold) & (self.first < 0)
        self.first[hit] = month
        if month == self.READ_MONTH:
            cohort = (obs.tie & obs.cross_sector & (self.formed >= 0)
                      & (self.formed <= self.COHORT_LAST_MONTH))
            if cohort.any():
                reached = self.first[cohort] >= 0
                times = np.where(reached, self.first[cohort] - self.formed[cohort],
                                 month - self.formed[cohort])
                self.value = float(np.median(times))

    def result(self) -> float:
        """Median months to working trust of the cohort (NaN if the cohort is empty)."""
        return self.value


class BurnoutExitProbe(Probe):
    """Employers' exits through burnout ("divorce") by rung, and their months at risk (SF18).

    At risk in a month: an employer taking part at the start of the month on rung 1 or
    above (rung 0 is not asked). Heavy lifters are on rung 4 or above then (hosting
    work-based learning, as for SF17), the others on rungs 1-3. A burnout exit: an employer
    at risk that no longer takes part after the step, with burnout above
    ``employers.burnout_exit``. An employer that leaves for another reason cannot have
    burnout that high: it was at most the exit level a month earlier (or the employer would
    have burnt out then), and burnout only decays while the employer is out.
    """

    HEAVY = WblHostsProbe.RUNG

    def __init__(self, first: Observation, params: ScenarioParams):
        super().__init__(first, params)
        self.employers = first.sector == Sector.EMPLOYER
        self.exit_level = params.employers.burnout_exit
        self.at_risk = {"heavy": 0, "other": 0}
        self.exits = {"heavy": 0, "other": 0}
        self.before(first)

    def before(self, obs: Observation) -> None:
        """Classify the employers at risk by their rung at the start of the month."""
        asked = self.employers & obs.taking_part & (obs.rung >= 1)
        self._groups = {"heavy": asked & (obs.rung >= self.HEAVY),
                        "other": asked & (obs.rung < self.HEAVY)}

    def after(self, obs: Observation) -> None:
        """Count the month's employer-months at risk and burnout exits per group."""
        burnt = ~obs.taking_part & (obs.burnout > self.exit_level)
        for key, mask in self._groups.items():
            self.at_risk[key] += int(mask.sum())
            self.exits[key] += int(np.sum(mask & burnt))

    def result(self) -> dict[str, int]:
        """Employer-months at risk and burnout exits, for heavy lifters and the others."""
        return {"heavy_at_risk": self.at_risk["heavy"], "heavy_exits": self.exits["heavy"],
                "other_at_risk": self.at_risk["other"], "other_exits": self.exits["other"]}


class AgreementProbe(Probe):
    """K-12-college articulation agreements standing after each month (SF20)."""

    def __init__(self, first: Observation, params: ScenarioParams):
        super().__init__(first, params)
        self.values: list[int] = []

    def after(self, obs: Observation) -> None:
        """Count the agreements standing this month."""
        self.values.append(int(obs.agreement.sum()))

    def result(self) -> np.ndarray:
        """Monthly count of standing agreements."""
        return np.asarray(self.values)


PROBES: dict[str, type[Probe]] = {
    "attendance": AttendanceProbe,
    "college_attendance": CollegeAttendanceProbe,
    "wbl_hosts": WblHostsProbe,
    "leader_changes": LeaderChangeProbe,
    "trust_timing": TrustTimingProbe,
    "burnout_exits": BurnoutExitProbe,
    "agreements": AgreementProbe,
}


# =============================================================================== statistics
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
    """Local programmes in year 2 after the grant relative to their grant-era peak."""
    s = _series(v, "program_level")
    peak = float(s[:max(v.grant_end, 1)].max())
    return _ratio(_year_after_mean(v, s, 2), peak)


def programme_gain_without_sustainment(v: RunView) -> float:
    """1 if programmes grew over the grant and the consortium was not sustained at 2 years."""
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
    """Mean local programme level of districts and colleges in the last grant month."""
    return float(_series(v, "program_level")[max(v.grant_end - 1, 0)])


def some_component_sustained_2y(v: RunView) -> float:
    """1 if programmes (>= sustained threshold of peak), NORC collaboration or operation hold."""
    programmes = program_level_vs_peak_2y(v)
    if not math.isfinite(programmes):
        return math.nan
    held = (programmes >= v.record.thresholds.sustained_threshold
            or v.outcomes["regional_collaboration_2y"] == 1.0
            or v.outcomes["sustained_2y"] == 1.0)
    return float(held)


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
           (programme_gain_without_sustainment, (), ()),
           (year1_targets_missed_process_gained, (), ()),
           (new_cross_sector_ties_y2, ("start", "23"), ()),
           (operating_raw_grant_mean, (), ()),
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
           (trust_age_spearman_grant_end, ("grant_end-1",), ()),
           (bridge_dissolution_year3, _DISSOLUTION, ()),
           (embedded_dissolution_year3, _DISSOLUTION, ()),
           (young_dissolution_year3, _DISSOLUTION, ()),
           (old_dissolution_year3, _DISSOLUTION, ()),
       )},
}


# ==================================================================================== runs
def run_statistics(params: ScenarioParams,
                   seed: np.random.SeedSequence | np.random.Generator,
                   names: Sequence[str]) -> dict[str, float]:
    """One run of ``params`` from ``seed``, reduced to the statistics ``names``.

    ``seed`` may be a sweep's Generator, ``default_rng(SeedSequence(...))``, which gives
    the same run as its SeedSequence (the calibration's sweep model passes one).

    Runs that need no probe and no pre-grant snapshot go through ``sim.run.run``; the
    others step the model here in the same order.
    """
    wanted = [STATISTICS[n] for n in names]
    schedule = GrantSchedule.build(params.grant, params.months)
    specs = sorted({s for st in wanted for s in st.snapshots})
    months = {s: resolve_month(s, schedule) for s in specs}
    probe_names = sorted({p for st in wanted for p in st.probes})
    snaps = tuple(sorted({m for m in months.values() if m >= 0}))
    if not probe_names and -1 not in months.values():
        res = run_once(params, seed, snapshot_months=snaps)
        view = RunView(res.record, res.outcomes, months, dict(res.snapshots))
    else:
        view = _stepped_run(params, seed, months, snaps, probe_names)
    out = {}
    for name, st in zip(names, wanted, strict=True):
        value = st.fn(view)
        out[name] = float(value) if value is not None else math.nan
    return out


def _stepped_run(params: ScenarioParams,
                 seed: np.random.SeedSequence | np.random.Generator, months: dict[str, int],
                 snaps: tuple[int, ...], probe_names: Sequence[str]) -> RunView:
    model = ConsortiumModel(params, seed)
    graphs: dict[int, nx.Graph] = {}
    if -1 in months.values():
        graphs[-1] = model.graph()
    first = model.observe()
    probes = {name: PROBES[name](first, params) for name in probe_names}
    wanted = set(snaps)
    while model.month < model.months:
        if probes:
            obs = model.observe()
            for p in probes.values():
                p.before(obs)
        model.step()
        month = model.month - 1
        if probes:
            obs = model.observe()
            for p in probes.values():
                p.after(obs)
        if month in wanted:
            graphs[month] = model.graph()
    record = RunRecord.from_model(model)
    return RunView(record, compute_outcomes(record), months, graphs,
                   {k: p.result() for k, p in probes.items()})


@dataclass(frozen=True)
class _Task:
    arm: int
    params: ScenarioParams
    replicates: tuple[int, ...]
    seeds: tuple[np.random.SeedSequence, ...]
    names: tuple[str, ...]


def _run_task(task: _Task) -> tuple[int, list[tuple[int, dict[str, float]]]]:
    """Run one chunk of replicates of one arm (module level, so a worker can import it)."""
    rows = [(r, run_statistics(task.params, ss, task.names))
            for r, ss in zip(task.replicates, task.seeds, strict=True)]
    return task.arm, rows


# =============================================================================== the suite
@dataclass
class ArmRuns:
    """One arm's runs: its scenario, the overrides applied and one array per statistic."""

    scenario: str
    overrides: tuple[str, ...]
    params: ScenarioParams
    values: dict[str, np.ndarray]

    def describe(self) -> str:
        """Scenario and overrides as one line."""
        return self.scenario + "".join(f" + {s}" for s in self.overrides)


@dataclass
class Level:
    """An estimate with its 95% interval and how it was computed."""

    value: float
    low: float
    high: float
    method: str
    n: int = 0

    def text(self, digits: int = 3) -> str:
        """'value [low, high]'."""
        return f"{_num(self.value, digits)} [{_num(self.low, digits)}, {_num(self.high, digits)}]"


@dataclass
class PatternResult:
    """The verdict on one pattern and the numbers behind it."""

    pattern: Pattern
    status: str                       # pass | fail | not testable
    n: int = 0
    effect: Level | None = None       # pair: mean difference; band: level; association: rho
    arm_a: Level | None = None
    arm_b: Level | None = None
    p_value: float = math.nan
    p_holm: float = math.nan
    test: str = ""
    d_z: Level | None = None          # standardized paired effect
    power: Level | None = None        # power at the observed effect (range over its CI)
    n_for_power: float = math.nan     # replicates for power 0.95 at the observed effect
    ci_in_band: bool | None = None
    ci_outside_band: bool | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """Whether the pattern holds."""
        return self.status == "pass"


@dataclass
class SuiteResult:
    """Everything the report needs."""

    results: list[PatternResult]
    arms: list[ArmRuns]
    replicates: int
    seed: int
    quick: bool
    settings: tuple[str, ...]
    wall_time_s: float
    guidance: pd.DataFrame
    started: str
    revision: dict[str, Any] = field(default_factory=dict)

    def counts(self) -> dict[str, dict[str, int]]:
        """Pass/fail/not-testable counts by role."""
        out: dict[str, dict[str, int]] = {}
        for r in self.results:
            row = out.setdefault(r.pattern.role, {"pass": 0, "fail": 0, "not testable": 0})
            row[r.status] += 1
        return out


class ValidationError(ValueError):
    """Bad input to the suite (replicates, settings, a pattern entry)."""


def select(quick: bool, patterns: Sequence[Pattern] = PATTERNS) -> list[Pattern]:
    """The patterns of a run: every one, or in quick mode the robust ones."""
    return [p for p in patterns if p.robust] if quick else list(patterns)


def _check_settings(settings: Sequence[str]) -> None:
    for text in settings:
        parse_override(text)  # ScenarioError on a malformed KEY=VALUE


def prepare_arms(patterns: Sequence[Pattern], settings: Sequence[str] = ()
                 ) -> tuple[list[ArmRuns], dict[tuple[str, tuple[str, ...]], int]]:
    """Load every arm's scenario once: suite-wide ``settings`` first, the arm's own after.

    The arm's overrides win, so a pattern's contrast survives a suite-wide setting of the
    same key. Raises ScenarioError on a bad key or value.
    """
    _check_settings(settings)
    arms: list[ArmRuns] = []
    index: dict[tuple[str, tuple[str, ...]], int] = {}
    for p in patterns:
        for arm in p.arms():
            if arm.statistic not in STATISTICS:
                raise ValidationError(f"{p.id}: unknown statistic {arm.statistic!r}")
            if arm.key not in index:
                params = load_scenario(arm.scenario, [*settings, *arm.set])
                index[arm.key] = len(arms)
                arms.append(ArmRuns(arm.scenario, arm.set, params, {}))
    return arms, index


def run_suite(replicates: int = DEFAULT_REPLICATES, seed: int = DEFAULT_SEED,
              quick: bool = False, settings: Sequence[str] = (),
              patterns: Sequence[Pattern] = PATTERNS, workers: int = 1,
              progress: Callable[[int, int], None] | None = None) -> SuiteResult:
    """Run the patterns with ``replicates`` common-random-number replicates per arm.

    Args:
        replicates: Replicates per arm (at least 3).
        seed: Root seed; replicate r of every arm uses child r of ``SeedSequence(seed)``.
        quick: Run only the robust patterns.
        settings: ``KEY=VALUE`` overrides applied to every arm before its own.
        patterns: The catalogue.
        workers: Worker processes; 1 runs everything in this process.
        progress: Called with (runs done, runs in total) as chunks finish.

    Raises:
        ValidationError: bad replicates or catalogue; ScenarioError: a bad setting.
    """
    if replicates < 3:
        raise ValidationError(f"replicates must be at least 3, got {replicates}")
    try:
        check_catalogue(tuple(patterns))
    except ValueError as exc:
        raise ValidationError(str(exc)) from None
    chosen = select(quick, patterns)
    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    t0 = time.perf_counter()
    arms, index = prepare_arms(chosen, settings)
    names: list[list[str]] = [[] for _ in arms]
    for p in chosen:
        for arm in p.arms():
            k = index[arm.key]
            if arm.statistic not in names[k]:
                names[k].append(arm.statistic)
    seeds = np.random.SeedSequence(seed).spawn(replicates)
    tasks = [_Task(k, arm.params, tuple(range(lo, min(lo + CHUNK, replicates))),
                   tuple(seeds[lo:lo + CHUNK]), tuple(names[k]))
             for k, arm in enumerate(arms) for lo in range(0, replicates, CHUNK)]
    for k, arm in enumerate(arms):
        arm.values = {n: np.full(replicates, np.nan) for n in names[k]}
    total = replicates * len(arms)
    done = 0
    if progress:
        progress(0, total)
    for arm_k, rows in _execute(tasks, workers):
        for r, values in rows:
            for name, value in values.items():
                arms[arm_k].values[name][r] = value
        done += len(rows)
        if progress:
            progress(done, total)
    results = [evaluate(p, arms, index) for p in chosen]
    _holm(results)
    for r in results:
        _note_conflicts(r, settings)
    guidance = _guidance(arms)
    from experiments.store import git_revision

    return SuiteResult(results, arms, replicates, seed, quick, tuple(settings),
                       time.perf_counter() - t0, guidance, started, git_revision())


def _execute(tasks: list[_Task], workers: int
             ) -> Iterable[tuple[int, list[tuple[int, dict[str, float]]]]]:
    if workers <= 1 or len(tasks) <= 1:
        for task in tasks:
            yield _run_task(task)
        return
    from experiments.executors import make_executor

    with make_executor("local", workers) as executor:
        futures: list[Future] = [executor.submit(_run_task, t) for t in tasks]
        for future in as_completed(futures):
            yield future.result()


def _note_conflicts(result: PatternResult, settings: Sequence[str]) -> None:
    keys = {parse_override(s)[0] for s in settings}
    for arm in result.pattern.arms():
        clash = keys & {parse_override(s)[0] for s in arm.set}
        if clash:
            result.notes.append(f"suite-wide setting of {', '.join(sorted(clash))} is "
                                f"overridden by this pattern's own arm")


# ============================================================================== evaluation
def arm_index(arms: Sequence[ArmRuns]) -> dict[tuple[str, tuple[str, ...]], int]:
    """Position of each arm by its key (scenario, overrides), as ``evaluate`` expects."""
    return {(a.scenario, a.overrides): k for k, a in enumerate(arms)}


def _values(arm: Arm, arms: list[ArmRuns], index: dict) -> np.ndarray:
    return arms[index[arm.key]].values[arm.statistic]


def _binary(v: np.ndarray) -> bool:
    return v.size > 0 and bool(np.all((v == 0.0) | (v == 1.0)))


def _level(values: np.ndarray) -> Level:
    e = estimate("", values, level=LEVEL)
    return Level(e.mean, e.low, e.high, e.method, e.n)


def evaluate(p: Pattern, arms: list[ArmRuns], index: dict) -> PatternResult:
    """The verdict on one pattern from its arms' values."""
    if not p.testable:
        return PatternResult(p, "not testable", notes=[p.reason])
    if p.kind == "band":
        return _evaluate_band(p, _values(p.a, arms, index))
    x, y = _values(p.a, arms, index), _values(p.b, arms, index)
    keep = np.isfinite(x) & np.isfinite(y)
    res = (_evaluate_pair if p.kind == "pair" else _evaluate_association)(p, x[keep], y[keep])
    dropped = int((~keep).sum())
    if dropped:
        res.notes.append(f"{dropped} replicate(s) left out: the statistic is undefined there")
    return res


def _evaluate_band(p: Pattern, values: np.ndarray) -> PatternResult:
    v = values[np.isfinite(values)]
    lo, hi = p.band
    open_lo, open_hi = p.band_open
    res = PatternResult(p, "fail", n=int(v.size), test="mean in band")
    if v.size < 2:
        res.notes.append("fewer than two replicates define the statistic")
        return res
    lvl = _level(v)
    res.effect = res.arm_a = lvl
    res.status = "pass" if p.in_band(lvl.value) else "fail"
    res.ci_in_band = p.in_band(lvl.low) and p.in_band(lvl.high)
    res.ci_outside_band = (lvl.low > hi or (open_hi and lvl.low >= hi)
                           or lvl.high < lo or (open_lo and lvl.high <= lo))
    dropped = int(values.size - v.size)
    if dropped:
        res.notes.append(f"{dropped} replicate(s) left out: the statistic is undefined there")
    return res


def newcombe_paired(x: np.ndarray, y: np.ndarray, level: float = LEVEL) -> tuple[float, float]:
    """Newcombe's (1998, method 10) interval for the difference of paired proportions."""
    n = x.size
    a = float(np.sum((x == 1) & (y == 1)))
    b = float(np.sum((x == 1) & (y == 0)))
    c = float(np.sum((x == 0) & (y == 1)))
    d = float(np.sum((x == 0) & (y == 0)))
    p1, p2 = (a + b) / n, (a + c) / n
    l1, u1 = wilson_interval(a + b, n, level)
    l2, u2 = wilson_interval(a + c, n, level)
    denom = (a + b) * (c + d) * (a + c) * (b + d)
    phi = (a * d - b * c) / math.sqrt(denom) if denom > 0 else 0.0
    delta = math.sqrt(max(0.0, (p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2))
    eps = math.sqrt(max(0.0, (u1 - p1) ** 2 - 2 * phi * (u1 - p1) * (p2 - l2) + (p2 - l2) ** 2))
    diff = p1 - p2
    return max(-1.0, diff - delta), min(1.0, diff + eps)


def paired_power(d_dir: float, n: int, alpha: float) -> float:
    """Power of a one-sided paired t-test at standardized effect ``d_dir`` (in its direction)."""
    if n < 2 or not math.isfinite(d_dir):
        return math.nan
    crit = stats.t.ppf(1 - alpha, n - 1)
    return float(stats.nct.sf(crit, n - 1, d_dir * math.sqrt(n)))


def n_for_power(d_dir: float, alpha: float, target: float = POWER_TARGET) -> float:
    """Replicates a one-sided paired t-test needs for ``target`` power at effect ``d_dir``."""
    if not math.isfinite(d_dir) or d_dir <= 0:
        return math.inf
    n = max(3, math.ceil(((stats.norm.ppf(1 - alpha) + stats.norm.ppf(target)) / d_dir) ** 2))
    while paired_power(d_dir, n, alpha) < target and n < 10 ** 7:
        n += max(1, n // 50)
    return float(n)


def _evaluate_pair(p: Pattern, x: np.ndarray, y: np.ndarray) -> PatternResult:
    res = PatternResult(p, "fail", n=int(x.size))
    if x.size < 3:
        res.notes.append("fewer than three replicates define both statistics")
        return res
    d = x - y
    sign = 1.0 if p.direction == "greater" else -1.0
    mean = float(d.mean())
    sd = float(d.std(ddof=1))
    binary = _binary(x) and _binary(y)
    res.arm_a, res.arm_b = _level(x), _level(y)
    t_low, t_high = _t_ci(d)
    if binary:
        low, high = newcombe_paired(x, y)
        res.effect = Level(mean, low, high, "newcombe", x.size)
        b = int(np.sum((x == 1) & (y == 0)))
        c = int(np.sum((x == 0) & (y == 1)))
        k, m = (b, c) if sign > 0 else (c, b)
        res.p_value = (float(stats.binomtest(k, k + m, 0.5, alternative="greater").pvalue)
                       if k + m else 1.0)
        res.test = "exact McNemar, one-sided"
        res.notes.append(f"discordant pairs: A only {b}, B only {c}; "
                         f"t interval {_num(t_low)} to {_num(t_high)}")
    else:
        res.effect = Level(mean, t_low, t_high, "t", x.size)
        if sd == 0.0:
            res.p_value = 0.0 if sign * mean > 0 else 1.0
        else:
            alt = "greater" if sign > 0 else "less"
            res.p_value = float(stats.ttest_rel(x, y, alternative=alt).pvalue)
        res.test = "paired t, one-sided"
    res.status = "pass" if res.p_value < p.alpha and sign * mean > 0 else "fail"
    if sd > 0:
        res.d_z = Level(mean / sd, t_low / sd, t_high / sd, "t", x.size)
        lo_d, hi_d = sorted((sign * t_low / sd, sign * t_high / sd))
        res.power = Level(paired_power(sign * mean / sd, x.size, p.alpha),
                          paired_power(lo_d, x.size, p.alpha),
                          paired_power(hi_d, x.size, p.alpha), "noncentral t", x.size)
        res.n_for_power = n_for_power(sign * mean / sd, p.alpha)
    return res


def _evaluate_association(p: Pattern, x: np.ndarray, y: np.ndarray) -> PatternResult:
    res = PatternResult(p, "fail", n=int(x.size), test="Spearman, one-sided")
    res.arm_a, res.arm_b = (_level(x), _level(y)) if x.size else (None, None)
    if x.size < 4 or np.ptp(x) == 0 or np.ptp(y) == 0:
        res.notes.append("too few replicates or a constant statistic: no correlation")
        return res
    alt = "greater" if p.direction == "greater" else "less"
    test = stats.spearmanr(x, y, alternative=alt)
    rho = float(test.statistic)
    se = math.sqrt(1.06 / (x.size - 3))
    z = math.atanh(max(-0.999999, min(0.999999, rho)))
    half = stats.norm.ppf(0.5 + LEVEL / 2) * se
    res.effect = Level(rho, math.tanh(z - half), math.tanh(z + half), "Fisher z", x.size)
    res.p_value = float(test.pvalue)
    sign = 1.0 if alt == "greater" else -1.0
    res.status = "pass" if res.p_value < p.alpha and sign * rho > 0 else "fail"
    crit = stats.norm.ppf(1 - p.alpha)

    def power(zz: float) -> float:
        return float(stats.norm.sf(crit - sign * zz / se))

    lo_p, hi_p = sorted((power(z - half), power(z + half)))
    res.power = Level(power(z), lo_p, hi_p, "Fisher z", x.size)
    res.n_for_power = (math.ceil(3 + 1.06 * ((crit + stats.norm.ppf(POWER_TARGET)) / abs(z)) ** 2)
                       if sign * z > 0 else math.inf)
    return res


def _t_ci(d: np.ndarray) -> tuple[float, float]:
    mean, sd = float(d.mean()), float(d.std(ddof=1))
    if sd == 0.0:
        return mean, mean
    half = float(stats.t.ppf(0.5 + LEVEL / 2, d.size - 1)) * sd / math.sqrt(d.size)
    return mean - half, mean + half


def _holm(results: list[PatternResult]) -> None:
    tested = [r for r in results if r.pattern.kind in ("pair", "association")
              and math.isfinite(r.p_value)]
    order = sorted(tested, key=lambda r: r.p_value)
    m = len(order)
    running = 0.0
    for k, r in enumerate(order):
        running = max(running, min(1.0, (m - k) * r.p_value))
        r.p_holm = running


def _guidance(arms: list[ArmRuns]) -> pd.DataFrame:
    from experiments.analysis import replicate_guidance

    frames = []
    for k, arm in enumerate(arms):
        n = len(next(iter(arm.values.values()))) if arm.values else 0
        frame = pd.DataFrame({"point": k, "replicate": np.arange(n)})
        for name, values in arm.values.items():
            frame[name] = values
        frames.append(frame)
    if not frames:
        return pd.DataFrame()
    table = pd.concat(frames, ignore_index=True)
    names = [c for c in table.columns if c not in ("point", "replicate")]
    return replicate_guidance(table, names)


# ================================================================================== report
def _num(x: float, digits: int = 3) -> str:
    if x is None or not math.isfinite(x):
        return "n/a" if x is None or math.isnan(x) else ("∞" if x > 0 else "-∞")
    if abs(x) >= 1000:
        return f"{x:.0f}"
    if abs(x) >= 100:
        return f"{x:.1f}"
    return f"{x:.{digits}f}"


def _count(x: float) -> str:
    if math.isinf(x):
        return "none (no effect in the tested direction)"
    return str(int(x)) if math.isfinite(x) else "n/a"


def _p(x: float) -> str:
    if not math.isfinite(x):
        return "n/a"
    return "<1e-6" if x < 1e-6 else f"{x:.2g}"


def band_text(p: Pattern) -> str:
    """The band as an interval with open or closed ends, e.g. '(0, 0.5]'."""
    lo, hi = p.band
    return (f"{'(' if p.band_open[0] else '['}{_num(lo, 2)}, "
            f"{_num(hi, 2)}{')' if p.band_open[1] else ']'}")


def criterion(p: Pattern) -> str:
    """What the pattern asks, in a line."""
    if p.kind == "pair":
        op = ">" if p.direction == "greater" else "<"
        return f"A {op} B, one-sided α = {p.alpha:g}"
    if p.kind == "association":
        op = ">" if p.direction == "greater" else "<"
        return f"ρ {op} 0, one-sided α = {p.alpha:g}"
    if p.kind == "band":
        return f"mean in {band_text(p)}"
    return "not testable"


def effect_text(r: PatternResult) -> str:
    """The effect with its 95% interval, or why there is none."""
    if r.effect is None:
        return "not testable" if r.status == "not testable" else "n/a"
    return r.effect.text()


def effect_label(p: Pattern) -> str:
    """What the effect column holds for this kind."""
    return {"pair": "mean difference A − B", "band": "mean", "association": "Spearman ρ"}.get(
        p.kind, "")


def verdict_text(r: PatternResult) -> str:
    """'pass', 'fail' or 'not testable', with the band qualifier."""
    if r.pattern.kind == "band" and r.ci_in_band is not None:
        where = ("CI inside band" if r.ci_in_band else
                 "CI outside band" if r.ci_outside_band else "CI crosses a band edge")
        return f"{r.status} ({where})"
    return r.status


def _arm_text(arm: Arm | None, level: Level | None) -> str:
    if arm is None:
        return ""
    label = f"{arm.label}: " if arm.label else ""
    value = f" = {level.text()} ({level.method})" if level is not None else ""
    return f"{label}`{arm.statistic}` of {arm.describe()}{value}"


def _header_lines(res: SuiteResult) -> list[str]:
    counts = res.counts()
    mode = "quick (robust patterns only)" if res.quick else "full"
    rev = res.revision.get("revision")
    code = (f"commit {rev[:12]}" + (" with uncommitted changes" if res.revision.get("dirty")
                                    else "") if rev else "not a git checkout")
    lines = [
        f"- Run: {res.started}; {mode}; wall time {res.wall_time_s:.0f} s; code: {code}.",
        f"- Replicates per arm: **N = {res.replicates}**, root seed {res.seed}; replicate r "
        f"of every arm uses child r of `numpy.random.SeedSequence({res.seed})` (common "
        f"random numbers). {len(res.arms)} arms, {len(res.arms) * res.replicates} runs.",
        "- Suite-wide settings: " + (", ".join(f"`{s}`" for s in res.settings)
                                     if res.settings else "none") + ".",
    ]
    for role in ("validation", "calibration"):
        c = counts.get(role)
        if c:
            lines.append(f"- {role.capitalize()} patterns: {c['pass']} pass, {c['fail']} fail, "
                         f"{c['not testable']} not testable.")
    tested = [r for r in res.results if math.isfinite(r.p_holm)]
    if tested:
        holm = sum(r.p_holm < r.pattern.alpha and r.status == "pass" for r in tested)
        lines.append(f"- Of {len(tested)} tests (pairs and associations), {holm} still pass "
                     "with Holm-adjusted p-values.")
    lines.append("- Every estimate is followed by its 95% interval in brackets. Counts, "
                 "band bounds, thresholds and p-values are not estimates and carry none.")
    return lines


def replicate_justification(res: SuiteResult) -> list[str]:
    """Sentences on why N is enough, from the runs' own variability and the tests' power."""
    g = res.guidance
    out = []
    if g is not None and not g.empty and "n_stable_max" in g:
        stable = g["n_stable_max"].dropna()
        settled = int((stable < res.replicates).sum())
        worst = g.loc[g["n_stable_max"].idxmax()] if not stable.empty else None
        out.append(
            f"Coefficient of variation (Lee et al. 2015): the running CV (or sd, where a "
            f"mean cannot be told from zero) of {settled} of {len(g)} statistics settles "
            f"within ±5% of its final value before N = {res.replicates}"
            + (f"; the slowest is `{worst['outcome']}` at {int(worst['n_stable_max'])} "
               f"replicates" if worst is not None else "") + ".")
        out.append("The CV's own sampling error is about 1/sqrt(2n) (about "
                   f"{100 / math.sqrt(2 * res.replicates):.0f}% at n = {res.replicates}), so "
                   "a ±5% tolerance settles late by construction; the interval-width rule "
                   "below is the binding one.")
        ci = g[["outcome", "n_for_ci_max"]].dropna()
        if not ci.empty:
            short = ci[ci["n_for_ci_max"] > res.replicates]
            out.append(
                f"Interval width (Secchi & Seri 2017): a 95% half-width of 10% of the mean "
                f"(0.05 for shares) needs at most {int(ci['n_for_ci_max'].max())} replicates "
                f"(median over statistics {int(ci['n_for_ci_max'].median())}); N = "
                f"{res.replicates} meets it for {len(ci) - len(short)} of {len(ci)} "
                "statistics" + (": not for " + ", ".join(
                    f"`{row.outcome}` ({int(row.n_for_ci_max)})"
                    for row in short.itertuples()) + ", whose means are small beside their "
                    "spread, so a width relative to the mean asks for more than their tests "
                    "need" if len(short) else "") + ".")
    tests = [r for r in res.results if r.power is not None]
    if tests:
        strong = sum(r.power.value >= POWER_TARGET for r in tests)
        out.append(
            f"Power: at the observed effects, {strong} of {len(tests)} tests have power ≥ "
            f"{POWER_TARGET:g} at N = {res.replicates}; the details give "
            "the replicates each would need.")
    return out


def _summary_rows(res: SuiteResult) -> list[list[str]]:
    rows = []
    for r in res.results:
        p = r.pattern
        rows.append([p.id, p.title, p.kind, p.role, p.strength, p.source, effect_label(p),
                     effect_text(r), criterion(p), str(r.n) if r.n else "", verdict_text(r),
                     p.why])
    return rows


SUMMARY_COLUMNS = ["id", "title", "kind", "role", "strength", "source", "effect",
                   "estimate [95% CI]", "criterion", "N", "verdict", "why"]


def _md_cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def markdown_report(res: SuiteResult) -> str:
    """The report as Markdown."""
    lines = ["# Validation report: consortium-sim pattern suite", ""]
    lines += _header_lines(res)
    lines += ["", "## Why this many replicates", ""]
    lines += [f"- {s}" for s in replicate_justification(res)]
    lines += ["", "## Patterns", "",
              "| " + " | ".join(SUMMARY_COLUMNS) + " |",
              "|" + "---|" * len(SUMMARY_COLUMNS)]
    for row in _summary_rows(res):
        lines.append("| " + " | ".join(_md_cell(c) for c in row) + " |")
    lines += ["", "## Details", ""]
    for r in res.results:
        lines += _md_details(r)
    lines += ["## Replicate guidance per statistic", ""]
    lines += _md_guidance(res.guidance)
    return "\n".join(lines) + "\n"


def _detail_items(r: PatternResult) -> list[str]:
    p = r.pattern
    items = [f"Evidence: {p.evidence}", f"Source: {p.source}; strength {p.strength}; "
             f"role {p.role}; kind {p.kind}."]
    if not p.testable:
        items.append(f"Not testable: {p.reason}")
        return items
    if p.kind == "band":
        items.append(f"Statistic: {_arm_text(p.a, r.arm_a)}.")
        items.append(f"Band {band_text(p)}; verdict: {verdict_text(r)} (N = {r.n}).")
    else:
        items.append(f"A: {_arm_text(p.a, r.arm_a)}.")
        items.append(f"B: {_arm_text(p.b, r.arm_b)}.")
        if r.effect is not None:
            items.append(f"{effect_label(p)} = {r.effect.text()} ({r.effect.method}); "
                         f"{r.test}: p = {_p(r.p_value)}, Holm-adjusted {_p(r.p_holm)}; "
                         f"N = {r.n}; verdict: {r.status}.")
        if r.d_z is not None:
            items.append(f"Standardized effect d_z = {r.d_z.text(2)}.")
        if r.power is not None:
            items.append(f"Power at the observed effect = {r.power.text(2)} "
                         f"({r.power.method}); N for power {POWER_TARGET:g}: "
                         f"{_count(r.n_for_power)}.")
    items.append(f"Why this shape: {p.why}")
    items += [f"Note: {n}" for n in r.notes]
    return items


def _md_details(r: PatternResult) -> list[str]:
    p = r.pattern
    return [f"### {p.id}: {p.title} — {r.status}", ""] + [
        f"- {_md_cell(s)}" for s in _detail_items(r)] + [""]


def _md_guidance(g: pd.DataFrame) -> list[str]:
    if g is None or g.empty:
        return ["No guidance: fewer than three replicates.", ""]
    cols = ["outcome", "points", "replicates", "measure", "n_stable_max", "n_for_ci_max",
            "verdict"]
    lines = ["| statistic | arms | replicates | measure | CV settles by | n for CI target | "
             "verdict |", "|---|---:|---:|---|---:|---:|---|"]
    for _, row in g[cols].iterrows():
        cells = [row["outcome"], row["points"], row["replicates"], row["measure"],
                 _int_or_na(row["n_stable_max"]), _int_or_na(row["n_for_ci_max"]),
                 row["verdict"]]
        lines.append("| " + " | ".join(_md_cell(c) for c in cells) + " |")
    return lines + [""]


def _int_or_na(x: Any) -> str:
    try:
        return str(int(x)) if math.isfinite(float(x)) else "n/a"
    except (TypeError, ValueError):
        return "n/a"


_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2em;color:#222;
max-width:1400px}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.6em}h3{font-size:1.05em;margin-bottom:.3em}
table{border-collapse:collapse;font-size:.85em;width:100%}
th,td{border:1px solid #ccc;padding:4px 6px;vertical-align:top;text-align:left}
th{background:#f2f2f2}td.num{white-space:nowrap;font-variant-numeric:tabular-nums}
.pass{background:#e6f4ea;color:#1e6b34;font-weight:600}
.fail{background:#fdecea;color:#a12622;font-weight:600}
.nt{background:#f1f1f1;color:#666}
.detail{border-top:1px solid #ddd;padding:.4em 0;display:flex;gap:1.5em}
.detail ul{margin:.2em 0;padding-left:1.2em;font-size:.9em}.detail img{max-width:440px;height:auto}
code{background:#f6f6f6;padding:0 2px}
"""


def _status_class(r: PatternResult) -> str:
    return {"pass": "pass", "fail": "fail"}.get(r.status, "nt")


def html_report(res: SuiteResult, figures: bool = True) -> str:
    """The report as one self-contained HTML page (inline CSS and PNGs, no external assets)."""
    e = html.escape
    parts = ["<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
             "<title>Validation report: consortium-sim</title>",
             f"<style>{_CSS}</style></head><body>",
             "<h1>Validation report: consortium-sim pattern suite</h1><ul>"]
    parts += [f"<li>{_inline_md(x[2:])}</li>" for x in _header_lines(res)]
    parts.append("</ul><h2>Why this many replicates</h2><ul>")
    parts += [f"<li>{_inline_md(x)}</li>" for x in replicate_justification(res)]
    parts.append("</ul><h2>Patterns</h2><table><tr>")
    parts += [f"<th>{e(c)}</th>" for c in SUMMARY_COLUMNS]
    parts.append("</tr>")
    for r, row in zip(res.results, _summary_rows(res), strict=True):
        cells = []
        for k, cell in enumerate(row):
            cls = ""
            if SUMMARY_COLUMNS[k] == "verdict":
                cls = f" class='{_status_class(r)}'"
            elif SUMMARY_COLUMNS[k] in ("estimate [95% CI]", "N"):
                cls = " class='num'"
            ident = f" id='row-{e(r.pattern.id)}'" if k == 0 else ""
            body = (f"<a href='#{e(r.pattern.id)}'>{e(cell)}</a>" if k == 0 else e(cell))
            cells.append(f"<td{cls}{ident}>{body}</td>")
        parts.append("<tr>" + "".join(cells) + "</tr>")
    parts.append("</table><h2>Details</h2>")
    for r in res.results:
        p = r.pattern
        img = ""
        if figures and p.testable and r.effect is not None:
            png = pattern_png(r, res)
            if png:
                img = (f"<img alt='{e(p.id)} figure' "
                       f"src='data:image/png;base64,{base64.b64encode(png).decode()}'>")
        items = "".join(f"<li>{_inline_md(s)}</li>" for s in _detail_items(r))
        parts.append(f"<div class='detail' id='{e(p.id)}'><div><h3>{e(p.id)}: {e(p.title)} — "
                     f"<span class='{_status_class(r)}'>{e(r.status)}</span></h3>"
                     f"<ul>{items}</ul></div>{img}</div>")
    parts.append("<h2>Replicate guidance per statistic</h2>")
    parts.append(_html_guidance(res.guidance))
    parts.append("</body></html>")
    return "\n".join(parts)


def _inline_md(text: str) -> str:
    """Escape, then render `code` and **bold** spans."""
    out = html.escape(text)
    pieces = out.split("`")
    out = "".join(f"<code>{s}</code>" if k % 2 else s for k, s in enumerate(pieces))
    pieces = out.split("**")
    return "".join(f"<b>{s}</b>" if k % 2 else s for k, s in enumerate(pieces))


def _html_guidance(g: pd.DataFrame) -> str:
    lines = _md_guidance(g)
    if len(lines) <= 2:
        return f"<p>{html.escape(lines[0])}</p>"
    head = [c.strip() for c in lines[0].strip("|").split("|")]
    rows = ["<table><tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in head) + "</tr>"]
    for line in lines[2:]:
        if not line:
            continue
        cells = [c.strip().replace("\\|", "|") for c in line.strip("|").split(" | ")]
        rows.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
    return "".join(rows) + "</table>"


def pattern_png(r: PatternResult, res: SuiteResult) -> bytes | None:
    """A small figure of one pattern.

    Pairs: each arm's mean and, beside it, the paired difference against zero (with
    common random numbers the difference is much sharper than the two arms' intervals
    suggest). Bands: the mean with its interval over the shaded band. Associations: the
    two statistics of each run.
    """
    from matplotlib.figure import Figure

    p = r.pattern
    blue, green, red = "#4a6fa5", "#1e6b34", "#a12622"
    if p.kind == "association":
        fig = Figure(figsize=(3.4, 2.4), dpi=100)
        ax = fig.add_subplot()
        arm = res.arms[arm_index(res.arms)[p.a.key]]
        x, y = arm.values[p.a.statistic], arm.values[p.b.statistic]
        ax.scatter(x, y, s=6, alpha=0.5, color=blue)
        ax.set_xlabel(p.a.statistic, fontsize=7)
        ax.set_ylabel(p.b.statistic, fontsize=7)
        ax.set_title(f"{p.id}: {r.status}, ρ = {r.effect.text(2)}", fontsize=8)
        axes = [ax]
    elif p.kind == "band":
        fig = Figure(figsize=(2.6, 2.4), dpi=100)
        ax = fig.add_subplot()
        lvl = r.effect
        _interval(ax, 0, lvl, blue)
        lo, hi = p.band
        ax.axhspan(lo, hi, color=green if r.passed else red, alpha=0.12)
        top, bottom = max(hi, lvl.high), min(lo, lvl.low)
        pad = 0.1 * max(top - bottom, 1e-9)
        ax.set_ylim(bottom - pad, top + pad)
        ax.set_xticks([0], [_short(p.a.label or "baseline")], fontsize=7)
        ax.set_xlim(-0.8, 0.8)
        ax.set_ylabel(p.a.statistic, fontsize=7)
        ax.set_title(f"{p.id}: {r.status}, band {band_text(p)}", fontsize=8)
        axes = [ax]
    else:
        fig = Figure(figsize=(4.4, 2.4), dpi=100)
        ax, dx = fig.subplots(1, 2, gridspec_kw={"width_ratios": [2, 1]})
        for k, lvl in enumerate((r.arm_a, r.arm_b)):
            _interval(ax, k, lvl, blue)
        ax.set_xticks([0, 1], [_short(p.a.label or "A", 16), _short(p.b.label or "B", 16)],
                      fontsize=6)
        ax.set_xlim(-0.6, 1.6)
        ax.set_ylabel(p.a.statistic if p.a.statistic == p.b.statistic else "statistic",
                      fontsize=7)
        _interval(dx, 0, r.effect, green if r.passed else red)
        dx.axhline(0.0, color="#888", lw=0.8, ls="--")
        dx.set_xticks([0], ["A − B"], fontsize=7)
        dx.set_xlim(-0.8, 0.8)
        fig.suptitle(f"{p.id}: {r.status}, N = {r.n}", fontsize=8)
        axes = [ax, dx]
    for a in axes:
        a.tick_params(labelsize=7)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def _interval(ax: Any, x: float, lvl: Level | None, color: str) -> None:
    if lvl is None or not math.isfinite(lvl.value):
        return
    err = [[max(0.0, lvl.value - lvl.low)], [max(0.0, lvl.high - lvl.value)]]
    ax.errorbar([x], [lvl.value], yerr=err, fmt="o", color=color, capsize=4)


def _short(label: str, width: int = 22) -> str:
    return label if len(label) <= width else label[:width - 1] + "…"


def runs_table(res: SuiteResult) -> pd.DataFrame:
    """Every run's statistics in long form: arm, scenario, overrides, replicate, value."""
    seeds = np.random.SeedSequence(res.seed).spawn(res.replicates)
    rows = []
    for k, arm in enumerate(res.arms):
        for name, values in arm.values.items():
            for r, v in enumerate(values):
                rows.append({"arm": k, "scenario": arm.scenario,
                             "overrides": "; ".join(arm.overrides), "replicate": r,
                             "spawn_key": ",".join(map(str, seeds[r].spawn_key)),
                             "statistic": name, "value": v})
    return pd.DataFrame(rows)


def write_report(res: SuiteResult, out: Path | str, figures: bool = True) -> dict[str, Path]:
    """Write validation_report.md, validation_report.html and validation_runs.csv to ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    files = {"markdown": out / "validation_report.md", "html": out / "validation_report.html",
             "runs": out / "validation_runs.csv"}
    files["markdown"].write_text(markdown_report(res), encoding="utf-8")
    files["html"].write_text(html_report(res, figures=figures), encoding="utf-8")
    runs_table(res).to_csv(files["runs"], index=False)
    return files


__all__ = [
    "DEFAULT_REPLICATES", "DEFAULT_SEED", "QUICK_REPLICATES", "STATISTICS", "PatternResult",
    "ScenarioError", "SuiteResult", "ValidationError", "evaluate", "run_suite", "select",
    "write_report",
]
