"""Named outcomes, per run and monthly (domain brief §4; science_anchors §4.7).

Program persistence (local pathways carried on inside districts and colleges) and
regional-collaboration persistence (the cross-sector network itself) are tracked
separately, because CCPT shows they diverge (SF2; P1). Each outcome is a module-level
function of a :class:`RunRecord`, so outcomes pickle and can be listed in ``OUTCOMES``.
Years are counted from the end of the grant (the end of the partner-funded years).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from sim.components import largest_component
from sim.grant import PHASES
from sim.params import Outcomes


@dataclass(frozen=True)
class RunRecord:
    """Everything outcomes are computed from: monthly series and the grant's timing."""

    series: dict[str, np.ndarray]
    grant_end: int
    money_end: int
    months: int
    thresholds: Outcomes
    n_orgs: int
    pair_i: np.ndarray
    pair_j: np.ndarray
    collaboration_edges: np.ndarray
    _components: dict[int, int] = field(default_factory=dict, compare=False, repr=False)
    _functions: dict[str, np.ndarray] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_model(cls, model) -> RunRecord:  # noqa: ANN001 - avoids importing the model
        """Collect the record of a finished model run."""
        return cls(series={k: v.copy() for k, v in model.record.series.items()},
                   grant_end=model.schedule_.grant_end, money_end=model.schedule_.money_end,
                   months=model.months, thresholds=model.params.outcomes, n_orgs=model.n,
                   pair_i=model.partnerships.i, pair_j=model.partnerships.j,
                   collaboration_edges=model.record.collaboration_edges.copy())

    def collaborating_orgs(self, month: int) -> int:
        """Largest group of taking-part organizations joined by active ties at ``month``."""
        if month not in self._components:
            keep = np.unpackbits(self.collaboration_edges[month],
                                 count=len(self.pair_i)).astype(bool)
            self._components[month] = largest_component(self.n_orgs, self.pair_i,
                                                        self.pair_j, keep)
        return self._components[month]

    def component_series(self, months: range | None = None) -> np.ndarray:
        """``collaborating_orgs`` for each month in ``months`` (all by default)."""
        months = range(self.months) if months is None else months
        return np.array([self.collaborating_orgs(m) for m in months], dtype=float)

    def year_after(self, k: int) -> slice | None:
        """Months of year ``k`` after the grant ends, or None past the horizon."""
        start = self.grant_end + 12 * (k - 1)
        stop = start + 12
        return slice(start, stop) if stop <= self.months else None

    def at_grant_end(self, name: str) -> float:
        """A series' value in the last month of the grant; NaN if the grant outlasts the run."""
        return self.at_month(name, self.grant_end - 1)

    def at_month(self, name: str, month: int) -> float:
        """A series' value in ``month`` (month 0 for earlier); NaN past the horizon."""
        return float(self.series[name][max(month, 0)]) if month < self.months else math.nan

    def components(self) -> dict[str, np.ndarray]:
        """The four functions of a collaborative, monthly, each as a share of its threshold.

        Convenings held, active cross-sector ties kept (relative to the grant's last month),
        partners paying (money or an absorbed position) and institutionalization, each
        divided by its threshold in ``outcomes`` and capped at 1 (domain brief §4.2).
        Computed once per record (every status and survival outcome reads them); the arrays
        are read-only.
        """
        if self._functions:
            return self._functions
        th, s = self.thresholds, self.series
        ties_end = self.at_grant_end("active_cross_sector_ties")
        kept = (np.full(self.months, np.nan) if math.isnan(ties_end)  # grant outlasts the run
                else s["active_cross_sector_ties"] / ties_end if ties_end > 0
                else np.zeros(self.months))
        raw = {"convening": s["convening_intensity"] / th.convening_min,
               "ties": kept / th.ties_retained_min,
               "contributors": s["contributors_share"] / th.contributors_min,
               "institutionalization": s["institutionalization"] / th.institutionalization_min}
        for k, v in raw.items():
            capped = np.minimum(1.0, v)
            capped.flags.writeable = False
            self._functions[k] = capped
        return self._functions

    def function_level(self) -> np.ndarray:
        """Monthly function level: the mean of the four capped components (0-1; §4.2).

        It reads what the collaborative does, not how many staff it has; 1 means every
        component meets its threshold.
        """
        parts = self.components()
        return sum(parts.values()) / len(parts)


def _year_mean(rec: RunRecord, series: np.ndarray, k: int) -> float:
    span = rec.year_after(k)
    return float(series[span].mean()) if span is not None else float("nan")


def _ratio(now: float, then: float) -> float:
    if np.isnan(now):
        return float("nan")
    return now / then if then > 0 else 0.0


def _status(rec: RunRecord, k: int) -> float:
    """2 sustained, 1 scaled back, 0 dissolved in year ``k`` after the grant (§4.2 D13).

    Each component is averaged over the year first, so a consortium is sustained when, on
    the year's average, every function meets its threshold (at the default
    ``sustained_threshold`` of 1).
    """
    span = rec.year_after(k)
    if span is None:
        return float("nan")
    parts = rec.components()
    level = float(np.mean([min(1.0, float(v[span].mean())) for v in parts.values()]))
    th = rec.thresholds
    if level >= th.sustained_threshold - 1e-12:
        return 2.0
    return 0.0 if level <= th.dissolved_threshold else 1.0


def status_by_year(rec: RunRecord, years: int | None = None) -> np.ndarray:
    """Status (2/1/0, NaN past the horizon) in each year 1..``years`` after the grant."""
    years = years or rec.thresholds.horizon_years
    return np.array([_status(rec, k) for k in range(1, years + 1)])


def program_persistence_by_year(rec: RunRecord, years: int | None = None) -> np.ndarray:
    """Local pathway programs in each year 1..``years`` after the grant, relative to grant end.

    NaN past the horizon (SF2; the curve of ``program_persistence_2y`` and ``_4y``).
    """
    years = years or rec.thresholds.horizon_years
    s, then = rec.series["program_level"], rec.at_grant_end("program_level")
    return np.array([_ratio(_year_mean(rec, s, k), then) for k in range(1, years + 1)])


def _years_to(rec: RunRecord, below: float) -> float:
    """First year after the grant whose status is below ``below``; NaN if never (censored)."""
    for k, status in enumerate(status_by_year(rec), start=1):
        if np.isnan(status):
            return float("nan")
        if status < below:
            return float(k)
    return float("nan")


def _collaborating(rec: RunRecord, k: int) -> float:
    span = rec.year_after(k)
    if span is None:
        return float("nan")
    orgs = rec.collaborating_orgs(span.stop - 1)
    return float(orgs >= rec.thresholds.collaboration_min_orgs)


# --- outcome functions -------------------------------------------------------------------
def function_level_2y(rec: RunRecord) -> float:
    """Mean function level (§4.2 composite) in year 2 after the grant."""
    return _year_mean(rec, rec.function_level(), 2)


def function_level_4y(rec: RunRecord) -> float:
    """Mean function level (§4.2 composite) in year 4 after the grant."""
    return _year_mean(rec, rec.function_level(), 4)


def years_to_scaled_back(rec: RunRecord) -> float:
    """First year after the grant in which the consortium is no longer sustained.

    NaN: not within the horizon (censored).
    """
    return _years_to(rec, 2.0)


def years_to_dissolved(rec: RunRecord) -> float:
    """First year after the grant in which the consortium is dissolved.

    NaN: not within the horizon (censored).
    """
    return _years_to(rec, 1.0)


def contributors_share_2y(rec: RunRecord) -> float:
    """Share of education and intermediary partners paying something, year 2 after (D2, D8)."""
    return _year_mean(rec, rec.series["contributors_share"], 2)


def orientation_grant_end(rec: RunRecord) -> float:
    """The lead's orientation (0 program delivery, 1 systems change) at grant end (M13)."""
    return rec.at_grant_end("orientation")


def systems_led(rec: RunRecord) -> float:
    """1 if the lead's orientation at grant end reaches ``outcomes.systems_threshold`` (SF4).

    NaN if the grant outlasts the run.
    """
    orientation = rec.at_grant_end("orientation")
    return orientation if math.isnan(orientation) else float(
        orientation >= rec.thresholds.systems_threshold)


def new_grants_won(rec: RunRecord) -> float:
    """Grants won by the end of the horizon (M23; D10)."""
    s = rec.series["new_grants"]
    return float(np.sum(np.diff(s, prepend=0.0) > 0))


def status_2y(rec: RunRecord) -> float:
    """2 sustained, 1 scaled back, 0 dissolved, two years after the grant (§4.2 D13)."""
    return _status(rec, 2)


def status_4y(rec: RunRecord) -> float:
    """2 sustained, 1 scaled back, 0 dissolved, four years after the grant."""
    return _status(rec, 4)


def sustained_2y(rec: RunRecord) -> float:
    """1 if sustained two years after the grant."""
    s = _status(rec, 2)
    return s if np.isnan(s) else float(s == 2.0)


def scaled_back_2y(rec: RunRecord) -> float:
    """1 if scaled back two years after the grant."""
    s = _status(rec, 2)
    return s if np.isnan(s) else float(s == 1.0)


def dissolved_2y(rec: RunRecord) -> float:
    """1 if dissolved two years after the grant."""
    s = _status(rec, 2)
    return s if np.isnan(s) else float(s == 0.0)


def sustained_4y(rec: RunRecord) -> float:
    """1 if sustained four years after the grant."""
    s = _status(rec, 4)
    return s if np.isnan(s) else float(s == 2.0)


def program_persistence_2y(rec: RunRecord) -> float:
    """Local pathway programs in year 2 after the grant relative to grant end (SF2)."""
    s = rec.series["program_level"]
    return _ratio(_year_mean(rec, s, 2), rec.at_grant_end("program_level"))


def program_persistence_4y(rec: RunRecord) -> float:
    """Local pathway programs in year 4 after the grant relative to grant end."""
    s = rec.series["program_level"]
    return _ratio(_year_mean(rec, s, 4), rec.at_grant_end("program_level"))


def regional_collaboration_2y(rec: RunRecord) -> float:
    """1 if at least N organizations still collaborate two years on (NORC/HCAP 2012)."""
    return _collaborating(rec, 2)


def regional_collaboration_4y(rec: RunRecord) -> float:
    """1 if at least N organizations still collaborate four years on."""
    return _collaborating(rec, 4)


def active_cross_sector_ties_grant_end(rec: RunRecord) -> float:
    """Active cross-sector ties in the last month of the grant (D7)."""
    return rec.at_grant_end("active_cross_sector_ties")


def active_cross_sector_ties_retained_2y(rec: RunRecord) -> float:
    """Active cross-sector ties in year 2 after the grant relative to grant end."""
    s = rec.series["active_cross_sector_ties"]
    return _ratio(_year_mean(rec, s, 2), rec.at_grant_end("active_cross_sector_ties"))


def largest_component_share_2y(rec: RunRecord) -> float:
    """Largest collaborating component as a share of organizations, year 2 after (M7)."""
    span = rec.year_after(2)
    if span is None:
        return float("nan")
    return float(rec.component_series(range(span.start, span.stop)).mean() / rec.n_orgs)


def funding_gap_filled_2y(rec: RunRecord) -> float:
    """Partner contributions over the core cost, year 2 after the grant (D2, M22)."""
    return _year_mean(rec, rec.series["partner_funding_ratio"], 2)


def positions_retained_2y(rec: RunRecord) -> float:
    """Backbone positions filled in year 2 after the grant relative to the cliff (D4)."""
    filled = rec.series["positions_filled"]
    return _ratio(_year_mean(rec, filled, 2), rec.at_month("positions_filled", rec.money_end - 1))


def institutionalization_grant_end(rec: RunRecord) -> float:
    """Institutionalization index in the last month of the grant (M13)."""
    return rec.at_grant_end("institutionalization")


def institutionalization_2y(rec: RunRecord) -> float:
    """Institutionalization index in year 2 after the grant (D1, D5)."""
    return _year_mean(rec, rec.series["institutionalization"], 2)


def employer_engagement_retained_2y(rec: RunRecord) -> float:
    """Employers at rung 2 or above in year 2 after the grant relative to grant end (D11)."""
    s = rec.series["employers_engaged"]
    return _ratio(_year_mean(rec, s, 2), rec.at_grant_end("employers_engaged"))


def employer_pledges_met_grant_end(rec: RunRecord) -> float:
    """Share of employers taking part at or above their pledged rung at grant end (SF16)."""
    return rec.at_grant_end("employer_pledges_met")


def mean_trust_grant_end(rec: RunRecord) -> float:
    """Mean trust over ties in the last month of the grant."""
    return rec.at_grant_end("mean_trust")


def cte_mindset_2y(rec: RunRecord) -> float:
    """Mean mindset about CTE of districts and colleges in year 2 after the grant (M27)."""
    return _year_mean(rec, rec.series["cte_mindset"], 2)


OUTCOMES: dict[str, Callable[[RunRecord], float]] = {
    f.__name__: f for f in (
        function_level_2y, function_level_4y, years_to_scaled_back, years_to_dissolved,
        contributors_share_2y, orientation_grant_end, systems_led, new_grants_won, status_2y,
        status_4y, sustained_2y, scaled_back_2y, dissolved_2y, sustained_4y, program_persistence_2y,
        program_persistence_4y, regional_collaboration_2y, regional_collaboration_4y,
        active_cross_sector_ties_grant_end, active_cross_sector_ties_retained_2y,
        largest_component_share_2y, funding_gap_filled_2y, positions_retained_2y,
        institutionalization_grant_end, institutionalization_2y,
        employer_engagement_retained_2y, employer_pledges_met_grant_end, mean_trust_grant_end,
        cte_mindset_2y,
    )
}


def months_needed(name: str, grant_end: int) -> int:
    """Months a run whose grant ends after month ``grant_end`` must last for outcome ``name``.

    Through its year after the grant (``_2y``: two years), through the grant
    (``_grant_end``, ``systems_led``), or through the first year after it (``years_to_``);
    0 for outcomes any run has.
    """
    years = re.search(r"_(\d+)y$", name)
    if years:
        return grant_end + 12 * int(years.group(1))
    if name.endswith("_grant_end") or name == "systems_led":
        return grant_end
    if name.startswith("years_to_"):
        return grant_end + 12
    return 0


def beyond_horizon(rec: RunRecord, names: list[str] | None = None) -> dict[str, int]:
    """The outcomes this run is too short for, with the ``outcomes.horizon_years`` covering each.

    Their values are NaN, never dropped (docs/ODD.md §8.2).
    """
    return {name: math.ceil(months_needed(name, rec.grant_end) / 12)
            for name in (names or OUTCOMES) if months_needed(name, rec.grant_end) > rec.months}


def compute_outcomes(rec: RunRecord, names: list[str] | None = None) -> dict[str, float]:
    """Named outcomes of one run."""
    return {name: float(OUTCOMES[name](rec)) for name in (names or OUTCOMES)}


def monthly_table(rec: RunRecord) -> dict[str, np.ndarray | list[str]]:
    """Monthly time series as plain columns, with the function level and phase names."""
    cols: dict[str, np.ndarray | list[str]] = {"month": np.arange(rec.months)}
    cols["grant_phase"] = [PHASES[int(c)] for c in rec.series["phase"]]
    cols["function_level"] = rec.function_level()
    for name, values in rec.series.items():
        if name != "phase":
            cols[name] = values
    collaborating = rec.component_series()
    cols["collaborating_orgs"] = collaborating
    cols["largest_component_share"] = collaborating / rec.n_orgs
    return cols
