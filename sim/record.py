"""The monthly record: the series every outcome is computed from (ODD §8.1; domain brief §4.2).

After each month the model writes one value per series, and the collaboration network
(active ties between organizations taking part) packed as bits, from which the
regional-collaboration outcomes are computed.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from agents import programs
from sim import _record

MONTHLY_SERIES = (
    "state_share", "phase", "operating_raw", "program_level", "taking_part_share",
    "active_ties", "active_cross_sector_ties",
    "mean_trust", "mean_personal_trust", "mean_institutional_trust", "ties",
    "institutionalization", "positions_filled", "positions_funded", "partner_funding_ratio",
    "convening_intensity", "shared_vision", "data_alignment", "employers_engaged",
    "employer_pledges_met", "visible_wins", "turnover_events", "contributors_share",
    "positions_absorbed", "operations_coverage", "new_grants", "pursuing_grant",
    "orientation", "impatient_share", "lead_style", "agenda_impositions", "cte_mindset",
    "narrative",
)


class MonthlyRecord:
    """One value per series and month, and the month's collaboration edges."""

    def __init__(self, months: int, n_orgs: int, n_pairs: int):
        self.series = {name: np.full(months, np.nan) for name in MONTHLY_SERIES}
        self.collaboration_edges = np.zeros((months, (n_pairs + 7) // 8), np.uint8)
        self._part_w, self._ever_w = np.zeros(n_orgs), np.zeros(n_orgs)
        self._tie_w = np.zeros(n_pairs)

    def write(self, month: int, model: Any) -> None:
        """Record the state the model reached in ``month``."""
        orgs, ties, c = model.organizations, model.partnerships, model.consortium
        rec, n = self.series, orgs.n
        part_w, ever_w, tie_w = self._part_w, self._ever_w, self._tie_w
        n_part, n_active, n_cross, n_ties, n_ever, engaged, met = _record.counts(
            orgs, ties, model.employers, self.collaboration_edges[month], part_w, ever_w, tie_w)
        rec["state_share"][month] = c.state_share
        rec["phase"][month] = c.phase
        rec["operating_raw"][month] = (float(orgs.commitment.dot(part_w)) / n
                                       * programs.operating_capacity(
                                           c.coordination, c.convening, model.rules))
        rec["program_level"][month] = float(orgs.program.dot(orgs.local)) / orgs.n_local
        rec["taking_part_share"][month] = n_part / n
        rec["active_ties"][month] = n_active
        rec["active_cross_sector_ties"][month] = n_cross
        rec["ties"][month] = n_ties
        if n_ties:
            rec["mean_trust"][month] = ties.trust.sum() / n_ties
            rec["mean_personal_trust"][month] = ties.personal.dot(tie_w) / n_ties
            rec["mean_institutional_trust"][month] = ties.institutional.dot(tie_w) / n_ties
        else:
            rec["mean_trust"][month] = rec["mean_personal_trust"][month] = 0.0
            rec["mean_institutional_trust"][month] = 0.0
        rec["institutionalization"][month] = (float(orgs.habit.dot(ever_w)) / n_ever
                                              if n_ever else 0.0)
        rec["positions_filled"][month] = model.backbone.filled
        rec["positions_funded"][month] = model.backbone.funded
        rec["partner_funding_ratio"][month] = model.funding.partner_ratio
        rec["convening_intensity"][month] = c.convening
        rec["shared_vision"][month] = c.vision
        rec["data_alignment"][month] = c.data
        n_emp = len(model.employers.employers)
        rec["employers_engaged"][month] = engaged
        rec["employer_pledges_met"][month] = met / n_emp if n_emp else 0.0
        rec["visible_wins"][month] = c.wins
        rec["turnover_events"][month] = orgs.turnover_events
        paying = (orgs.contribution > 0) | model.backbone.absorbing()
        rec["contributors_share"][month] = (np.count_nonzero(paying & orgs.not_employer)
                                            / orgs.n_not_employer)
        rec["positions_absorbed"][month] = model.backbone.n_absorbed
        rec["operations_coverage"][month] = model.funding.operations
        rec["new_grants"][month] = model.funding.new_grants
        rec["pursuing_grant"][month] = float(model.funding.pursuing > 0)
        rec["orientation"][month] = c.orientation
        rec["impatient_share"][month] = c.impatient
        rec["lead_style"][month] = c.style
        rec["agenda_impositions"][month] = c.impositions
        rec["cte_mindset"][month] = float(orgs.mindset.dot(orgs.local)) / orgs.n_local
        rec["narrative"][month] = c.narrative
