"""Funding and the backbone: grant money, what the core costs, who pays, who is hired.

:class:`Funding` holds the grant money each organization receives, the partner money, the
anchors' base budgets and the other grants that can replace it; :class:`Backbone` holds the
coordinator positions the grant budgets, their hosts and whether a host absorbed one. Their
verbs call the rules of ``agents.money`` (M3, M10, M19, M21-M23, M29; C3, C5).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from agents import money
from agents.codes import MONTHS_PER_YEAR, Phase, Sector


class Funding:
    """Grant money by organization, partners' budgets and contributions, other grants.

    Construction fixes, for the run: the yearly award and what the state pays, each
    organization's receipt of grant money and redirectable budget, and the costs of the
    core the grant builds and of the operations core that can outlast it.
    """

    def __init__(self, orgs: Any, schedule: Any, rules: Any):
        self.state_share = schedule.state_share
        self.money_end = schedule.money_end
        money_months = max(schedule.state_money_months, 1.0)
        self.per_year = money.award_per_year(rules, money_months)
        self.state_award = (money.state_award_musd(rules, money_months)
                            if schedule.state_money_months else 0.0)
        self.receipt = money.receipt(rules, orgs.sector, self.per_year)
        self.dominance = money.dominance(rules, orgs.sector)
        self.from_grant = money.grant_convening(rules, self.per_year, orgs.n)
        orgs.budget[:] = money.partner_budgets(rules, orgs.sector, money.nominal_per_year(rules))
        self.core_cost = 0.0  # set once the backbone is planned: see Backbone
        self.operations_cost = money.operations_cost(rules, orgs.n)
        self.partner_funding = 0.0
        self.partner_ratio = 0.0  # partner money over the operations core, at most 1
        self.extra_positions = 0  # positions partner money pays beyond the operations core
        self.in_kind = 0.0  # mean share of their budgets partners taking part contribute
        self.anchors = 0.0  # summed commitment of the anchor institutions taking part
        self.operations = 0.0  # covered share of the operations core
        self.follow_on = 0.0
        # A follow-on grant (M23; SF25): its first month (-1: none) and its award.
        self.follow_on_from = money.follow_on_start(rules)
        self.follow_on_musd = rules.grant.follow_on_musd if self.follow_on_from >= 0 else 0.0
        # Other grants (M23): months left pursuing one, and when each won grant ends.
        self.pursuing = 0
        self.won_until: list[int] = []
        self.new_grants = 0  # won grants paying this month
        self.grants_won = 0
        self.arrival = money.opportunity_chance(rules)
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
        with a logistic chance (one draw per organization) that grows with role clarity and
        its trust in the lead and falls with its ask mismatch (``orgs.lead_trust``,
        ``orgs.ask_mismatch``, as
        :meth:`agents.organizations.Organizations.weigh_pledges` last set them). An
        honoured pledge pays at least ``honoured_pledge_share`` of the budget, except for
        money-motivated partners, who give nothing (M3); a broken pledge means no money and
        a let-down of the lead (M29).
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
                rules.grant.match_enforced, money.role_clarity(rules), orgs.lead_trust,
                orgs.ask_mismatch, c)
            honoured = rng.random(orgs.n) < honour
            pledged = part & orgs.signatory
            broken = pledged & ~honoured
            floor = c.honoured_pledge_share * (pledged & honoured & ~orgs.money_motivated)
            share = np.where(broken, 0.0, np.maximum(share, floor))
            for i in np.flatnonzero(broken):
                orgs.agents[i].break_pledge()
        share = share * part
        orgs.contribution[:] = orgs.budget * share
        n_part = int(part.sum())
        self.in_kind = float(share.sum()) / n_part if n_part else 0.0
        self.partner_funding = float(orgs.contribution.sum())
        ops = self.operations_cost
        self.partner_ratio = min(1.0, self.partner_funding / ops) if ops else 0.0
        beyond = max(0.0, self.partner_funding - ops)
        self.extra_positions = int(beyond * money.KUSD_PER_MUSD // rules.grant.position_cost_kusd)

    def seek_grants(self, month: int, taking_part: bool, habits: float, data: float,
                    rules: Any, rng: np.random.Generator) -> bool:
        """New grant opportunities: pursued, won or lost, and paid while they run (M23).

        Opportunities arrive at ``opportunity_rate`` a year while anyone takes part; the
        consortium pursues one at a time for ``pursuit_months`` (a distraction), then wins
        it with :func:`agents.money.win_chance`. A won grant pays a share of the operations
        core for ``new_grant_years``. Two draws a month: arrival, then the decision.
        Returns whether a grant was won this month (its goals then cost shared vision:
        :meth:`agents.consortium.Consortium.take_on_goals`).
        """
        s = rules.sustainment
        u_arrive, u_win = rng.random(2)
        won = False
        if self.pursuing:
            self.pursuing -= 1
            if not self.pursuing and u_win < money.win_chance(habits, data, rules):
                self.won_until.append(month + MONTHS_PER_YEAR * s.new_grant_years)
                self.grants_won += 1
                won = True
        elif taking_part and s.pursuit_months and u_arrive < self.arrival:
            self.pursuing = s.pursuit_months
        if self.won_until:
            self.new_grants = sum(end > month for end in self.won_until)
        return won

    def cover_operations(self, orgs: Any, rules: Any) -> None:
        """The covered share of the operations core this month (M10, M22, M23).

        Anchor institutions (county offices) taking part convene from base budgets in
        proportion to their commitment.
        """
        self.anchors = float(orgs.commitment.dot(orgs.anchor & orgs.taking_part))
        self.operations = money.operations_coverage(self.partner_ratio, self.anchors,
                                                    self.new_grants, rules)

    def follow_on_grant(self, month: int, rules: Any) -> None:
        """The share of the core cost a follow-on grant covers this month (M23)."""
        self.follow_on = money.follow_on_share(month, self.core_cost, self.follow_on_from,
                                               self.follow_on_musd, rules)

    def award_follow_on(self, start: int, musd: float) -> None:
        """A follow-on grant of ``musd`` awarded while the run goes on, from month ``start``.

        A statewide cohort awards one when a Cohort 2 grant lands in this region (SF25,
        M23); it replaces any follow-on grant the scenario sets.
        """
        self.follow_on_from, self.follow_on_musd = int(start), float(musd)


class Backbone:
    """The coordinator positions the grant budgets: planned, funded, filled, absorbed (M21).

    Each position has a host organization (:func:`agents.money.position_hosts`): the lead
    hosts the directors and conveners, districts the coaches and WBL coordinators. A host
    can absorb its position into its own budget; an absorbed position lasts while its
    host takes part. The trust a position carries sits on its host's ties (M7). Under
    ``grant.staffing_strategy = "reassign_existing"`` part of the positions are held by the
    hosts' existing staff (:func:`agents.money.reassigned_positions`): filled and paid by
    their hosts from the start, like absorbed ones, and giving less coordination.
    """

    def __init__(self, orgs: Any, funding: Funding, rules: Any):
        self.orgs = orgs
        self.rules = rules
        self.money_end = funding.money_end
        self.planned = money.positions_planned(rules, funding.per_year)
        districts = np.flatnonzero(orgs.sector == Sector.K12)
        self.host = money.position_hosts(rules, self.planned, orgs.lead, districts)
        self.per_host = np.bincount(self.host, minlength=orgs.n)
        self.reassigned = money.reassigned_positions(rules, self.planned)
        self.is_filled = self.reassigned.copy()
        self.absorbed = self.reassigned.copy()
        self.absorbed_count = 0
        self.reassigned_count = 0
        self.paying = np.zeros(orgs.n, dtype=bool)  # hosts paying for an absorbed position
        self.recount_absorbed()
        self.funded = 0
        self.filled = int(self.is_filled.sum())
        funding.core_cost = money.core_cost(rules, self.planned, orgs.n)

    @property
    def share_filled(self) -> float:
        """Staffing ``K``, 0-1 (M21).

        Filled positions as a share of those planned (0 without any planned), a reassigned
        one counting for the coordination it gives.
        """
        return money.staffing(self.filled, self.reassigned_count, self.planned, self.rules)

    @property
    def n_absorbed(self) -> int:
        """Positions their hosts pay for."""
        return self.absorbed_count

    def absorbing(self) -> np.ndarray:
        """Per organization, whether it pays for an absorbed position (read-only view)."""
        return self.paying

    def recount_absorbed(self) -> None:
        """Count the absorbed positions and mark their hosts, after ``absorbed`` changed.

        A reassigned position whose host no longer pays for it becomes an ordinary one.
        """
        self.reassigned &= self.absorbed
        self.reassigned_count = int(self.reassigned.sum())
        self.absorbed_count = int(self.absorbed.sum())
        self.paying[:] = False
        self.paying[self.host[self.absorbed]] = True

    def absorb(self, rules: Any, rng: np.random.Generator) -> None:
        """Hosts decide whether to absorb their filled, grant-funded positions (M21; SF21).

        At each yearly decision, one draw per filled position not yet absorbed whose host
        takes part.
        """
        orgs = self.orgs
        for k in np.flatnonzero(self.is_filled & ~self.absorbed):
            h = self.host[k]
            if not orgs.taking_part[h]:
                continue
            chance = money.absorb_chance(float(orgs.commitment[h]), float(orgs.habit[h]),
                                         bool(orgs.champion[h]), rules)
            self.absorbed[k] = rng.random() < chance
        self.recount_absorbed()

    def staff(self, month: int, state_share: float, funding: Funding, rules: Any,
              rng: np.random.Generator) -> None:
        """Fund positions, lose the unfunded, fill vacancies with a hiring lag (M7, M21; SF22).

        An absorbed position lapses when its host stops taking part, and is then an
        ordinary position, paid by the grant or lost; a reassigned one is vacated, its
        holder going with their organization. Positions not paid for go, the last-planned
        first, each host's ties losing the trust its positions carried; vacancies are filled
        in plan order, one draw per vacancy.
        """
        if not self.planned:
            return
        orgs = self.orgs
        if self.absorbed_count:
            stays = orgs.taking_part[self.host]
            self.absorbed &= stays  # lapse where the host has left
            if self.reassigned_count:
                leaving = self.reassigned & ~stays
                if leaving.any():
                    self._lose(leaving)
                    self.filled = int(self.is_filled.sum())
            self.recount_absorbed()
        self.funded = money.positions_funded(self.planned, state_share, funding.follow_on,
                                             funding.operations, funding.extra_positions,
                                             self.absorbed_count, rules)
        if (self.funded == self.planned and self.filled == self.planned) or (
                not self.absorbed_count and self.funded == self.filled
                and self.is_filled[:self.filled].all()):
            return  # every paid position is filled, none is lost: nothing to draw
        # Positions the grant or partners pay, in plan order, after the absorbed ones.
        open_ = np.flatnonzero(~self.absorbed)
        paid = open_[:max(0, self.funded - self.absorbed_count)]
        keep = self.absorbed.copy()
        keep[paid] = True
        lost = self.is_filled & ~keep
        if lost.any():
            self._lose(lost)
        vacant = np.flatnonzero(keep & ~self.is_filled)
        if len(vacant):
            chance = money.hiring_chance(month, state_share, self.money_end, rules)
            self.is_filled[vacant] = rng.random(len(vacant)) < chance
        self.filled = int(self.is_filled.sum())

    def _lose(self, lost: np.ndarray) -> None:
        """Vacate the ``lost`` positions; each host's ties lose the trust they carried (M7)."""
        orgs = self.orgs
        for h, count in zip(*np.unique(self.host[lost], return_counts=True), strict=True):
            orgs.agents[h].lose_coordinators(int(count), int(self.per_host[h]))
        self.is_filled &= ~lost
