"""Funding and the backbone: grant money, what the core costs, who pays, who is hired.

:class:`Funding` holds the grant money each organization receives and the partner money
that replaces it; :class:`Backbone` holds the coordinator positions the grant budgets.
Their verbs call the rules of ``agents.money`` (M3, M19, M21-M23, M29; C3, C5).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from agents import money
from agents.codes import MONTHS_PER_YEAR, Phase


class Funding:
    """Grant money by organization, the core cost, and partners' yearly contributions."""

    def __init__(self, orgs: Any, schedule: Any, rules: Any):
        self.state_share = schedule.state_share
        self.money_end = schedule.money_end
        self.per_year = money.award_per_year(rules, max(schedule.state_money_months, 1.0))
        self.receipt = money.receipt(rules, orgs.sector, self.per_year)
        self.dominance = money.dominance(rules, orgs.sector)
        self.from_grant = money.grant_convening(rules, self.per_year, orgs.n)
        self.core_cost = 0.0  # set once the backbone is planned: see Backbone
        self.partner_funding = 0.0
        self.partner_ratio = 0.0
        self.follow_on = 0.0
        # Partners first decide in the first month without full state money (M22).
        short = np.flatnonzero(schedule.state_share < 1.0)
        self.first_decision = int(short[0]) if len(short) else len(schedule.state_share)

    def decides_in(self, month: int) -> bool:
        """Whether partners decide their contributions this month: yearly from the first."""
        return (month >= self.first_decision
                and (month - self.first_decision) % MONTHS_PER_YEAR == 0)

    def partners_decide(self, month: int, phase: int, orgs: Any, consortium: Any, rules: Any,
                        rng: np.random.Generator) -> None:
        """Each partner decides what share of its budget to contribute this year (M22; C3, C5).

        In taper and partner-funded years every signatory pledged a match: each honours it
        with a logistic chance (one draw per organization), and a broken pledge means no
        money and a let-down of the lead (M29).
        """
        c = rules.commitment
        part = orgs.taking_part
        value = money.perceived_value(orgs.commitment, consortium.recent_wins.mean(),
                                      consortium.data, rules)
        # The grant money a partner received over the past months crowds its own out (C3).
        memory = c.crowding_memory_months
        exposure = (float(self.state_share[max(0, month - memory):month].mean()) if month
                    else consortium.state_share)
        used_to = np.maximum(consortium.state_share, self.receipt * exposure)
        share = money.contribution_share(value, orgs.habit, orgs.champion, consortium.vision,
                                         orgs.load, orgs.money_motivated, used_to, c)
        if phase in (Phase.TAPER, Phase.PARTNER):
            honour = money.pledge_honour_probability(
                orgs.commitment, orgs.leader_id == orgs.pledge_leader, orgs.habit,
                rules.grant.match_enforced, c)
            honoured = rng.random(orgs.n) < honour
            broken = part & orgs.signatory & ~honoured
            share = np.where(broken, 0.0,
                             np.maximum(share, c.honoured_pledge_share * (honoured & part)))
            for i in np.flatnonzero(broken):
                orgs.agents[i].break_pledge()
        orgs.contribution[:] = orgs.budget * share * part
        self.partner_funding = float(orgs.contribution.sum())
        cost = self.core_cost
        self.partner_ratio = min(1.0, self.partner_funding / cost) if cost else 0.0

    def follow_on_grant(self, month: int, rules: Any) -> None:
        """The share of the core cost a follow-on grant covers this month (M23)."""
        self.follow_on = money.follow_on_share(month, self.core_cost, rules)


class Backbone:
    """The coordinator positions the grant budgets: planned, funded and filled (M21).

    The lead hosts them, so its ties carry the trust they build and lose (M7).
    """

    def __init__(self, host: Any, funding: Any, n_orgs: int, rules: Any):
        self.host = host
        self.money_end = funding.money_end
        self.planned = money.positions_planned(rules, funding.per_year)
        self.funded = 0
        self.filled = 0
        funding.core_cost = money.core_cost(rules, self.planned, n_orgs)

    @property
    def share_filled(self) -> float:
        """Positions filled as a share of those planned (0 without any planned)."""
        return self.filled / self.planned if self.planned else 0.0

    def staff(self, month: int, state_share: float, funding: Funding, rules: Any,
              rng: np.random.Generator) -> None:
        """Fund positions, lose the unfunded, fill vacancies with a hiring lag (M7, M21; SF22).

        One draw per vacancy.
        """
        if not self.planned:
            return
        share = money.funded_share(state_share, funding.partner_ratio, funding.follow_on, rules)
        self.funded = int(round(self.planned * share))
        if self.filled > self.funded:
            self.host.lose_coordinators(self.filled - self.funded, self.planned)
            self.filled = self.funded
        vacant = self.funded - self.filled
        if vacant > 0:
            chance = money.hiring_chance(month, state_share, self.money_end, rules)
            self.filled += int((rng.random(vacant) < chance).sum())
