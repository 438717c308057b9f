"""Probes: model state read around each monthly step of a validation run.

A probe sees the model only through ``ConsortiumModel.observe()``, a read-only
:class:`sim.observation.Observation`: the first observation (before any step), then one
before and one after each step. Each probe records what one or more statistics of
``validation.statistics`` need: attendance (SF11), college attendance (SF35), work-based
learning hosts (SF17), leader changes (SF8), the timing of working trust (SF27), employers'
burnout exits (SF18) and articulation agreements (SF20).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from agents.codes import Rung, Sector
from sim.observation import Observation
from sim.params import ScenarioParams


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

    RUNG = Rung.JOB_SHADOW

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
        asked = self.employers & obs.taking_part & (obs.rung >= Rung.AWARENESS)
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
