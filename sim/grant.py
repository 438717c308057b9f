"""The grant schedule: phases and state money month by month (domain brief §2.3, M21, M22).

Months run from 0. A funded planning period comes first, then the full state-funded years,
then a linear taper (if any), then the partner-funded years the design *expects* partners to
pay for, then the post-grant years.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from agents.codes import MONTHS_PER_YEAR, Phase
from sim.params import Grant, ScenarioParams

PHASES = tuple(p.name.lower() for p in Phase)  # "planning", "state", "taper", "partner", "post"


@dataclass(frozen=True)
class GrantSchedule:
    """Month-indexed phase codes and state funding share.

    ``money_end`` is the first month without state money; ``grant_end`` the first month after
    the partner-funded years, from which post-grant outcomes are measured.
    """

    phase: np.ndarray
    state_share: np.ndarray
    money_end: int
    grant_end: int

    @classmethod
    def build(cls, grant: Grant, months: int) -> GrantSchedule:
        """Lay out the phases of ``grant`` over ``months`` monthly steps."""
        month = np.arange(months)
        plan_end = grant.planning_months
        state_end = plan_end + MONTHS_PER_YEAR * grant.state_years
        taper_end = state_end + MONTHS_PER_YEAR * grant.taper_years
        grant_end = taper_end + MONTHS_PER_YEAR * grant.partner_years
        phase = np.full(months, Phase.POST, dtype=np.int8)
        phase[month < grant_end] = Phase.PARTNER
        phase[month < taper_end] = Phase.TAPER
        phase[month < state_end] = Phase.STATE
        phase[month < plan_end] = Phase.PLANNING
        share = np.zeros(months)
        share[month < state_end] = 1.0
        if grant.taper_years:
            # A linear ramp whose steps fall strictly between full funding and none.
            in_taper = (month >= state_end) & (month < taper_end)
            steps = MONTHS_PER_YEAR * grant.taper_years + 1
            share[in_taper] = 1.0 - (month[in_taper] - state_end + 1) / steps
        if grant.award_musd == 0 or not (grant.money or grant.backbone or grant.convenings
                                         or grant.technical_assistance):
            share[:] = 0.0  # no state money reaches anyone: partners decide from month 0
        return cls(phase=phase, state_share=share, money_end=taper_end, grant_end=grant_end)

    @property
    def state_money_months(self) -> float:
        """Full-share-equivalent months of state money (the award is spread over these)."""
        return float(self.state_share.sum())

    def grant_phase(self, month: int) -> str:
        """Phase name at ``month``."""
        return PHASES[int(self.phase[min(month, len(self.phase) - 1)])]


def award_terms(params: ScenarioParams) -> dict[str, float | str]:
    """The award convention and what the state pays under it (ODD §2.4, §7.24).

    ``per_year`` is state money per full year of state funding, ``years`` the full-year
    equivalents of state money and ``state_award`` their product, all from the rules of
    ``agents.money`` that the model runs.
    """
    from agents import money
    from agents.params import Params

    g = params.grant
    months = GrantSchedule.build(g, params.months).state_money_months
    rules = Params(params)
    per_year = money.award_per_year(rules, max(months, 1.0)) if months else 0.0
    return {"convention": g.award_convention, "award_musd": g.award_musd,
            "per_year": per_year, "years": months / MONTHS_PER_YEAR,
            "state_award": money.state_award_musd(rules, months) if months else 0.0}


def award_line(params: ScenarioParams) -> str:
    """One line stating the award convention and the state's cost, for every report."""
    t = award_terms(params)
    if not t["state_award"]:
        return "award: none"
    return (f"award convention: {t['convention']} (award_musd = {t['award_musd']:g}): "
            f"${t['per_year']:.2f}M per full year of state money over {t['years']:g} "
            f"full-year equivalents, ${t['state_award']:.2f}M in all")
