"""Organizations: the Mesa agents, and the array-backed set that holds their state.

Each :class:`Organization` is one node of the partnership graph: a school district, a
community college, an employer or an intermediary, with one leader or boundary spanner who
may be a champion (M5; L1, L2). It carries the decisions that happen one organization at a
time: a leader leaves and a successor arrives, a pledge is broken, the lead loses
coordinators. :class:`Organizations` holds every organization's state as arrays, so the
rules that act on all of them at once (attending meetings, learning, taking part,
institutionalizing, running programs) run in bulk; its verbs call the compiled rules of
``agents.commitment``, ``agents.institutions`` and ``agents.programs``.
"""

from __future__ import annotations

from typing import Any, ClassVar

import mesa
import numpy as np

from agents import commitment, institutions, leadership, money, programs
from agents.codes import Sector

SECTOR_NAMES = ("k12", "college", "employer", "intermediary")
KIND_ORDER = ("district", "charter", "college", "workforce_board", "county_office",
              "ta_provider", "chamber", "employer")
"""Kinds in the order organizations are numbered; counts come from ``region.n_<kind>s``."""


class Organization(mesa.Agent):
    """A consortium member with one leader or boundary spanner who may be a champion."""

    sector: ClassVar[Sector]
    sector_key: ClassVar[str]

    def __init__(self, model: Any, index: int, kind: str):
        super().__init__(model)
        self.index = index
        self.kind = kind

    @property
    def organizations(self) -> Organizations:
        """The set this organization's state lives in."""
        return self.model.organizations

    # --- state, read from the set's arrays -------------------------------------------------
    @property
    def commitment(self) -> float:
        """Commitment to the consortium, 0-1 (C2)."""
        return float(self.organizations.commitment[self.index])

    @property
    def champion(self) -> bool:
        """Whether the current leader champions the work (M5)."""
        return bool(self.organizations.champion[self.index])

    @property
    def taking_part(self) -> bool:
        """Whether the organization currently takes part in the consortium."""
        return bool(self.organizations.taking_part[self.index])

    @property
    def institutionalization(self) -> float:
        """Habit strength of the collaborative practice in this organization, 0-1 (I1)."""
        return float(self.organizations.habit[self.index])

    @property
    def is_lead(self) -> bool:
        """Whether this is the lead (fiscal and convening) agency."""
        return self.index == self.organizations.lead

    # --- parameters by sector ---------------------------------------------------------------
    def _by_sector(self, section: Any, name: str) -> Any:
        return getattr(section, name.format(self.sector_key))

    def turnover_hazard(self) -> float:
        """Annual leader turnover hazard for this sector (L1)."""
        return self._by_sector(self.model.rules.leadership, "turnover_{}")

    def champion_probability(self) -> float:
        """Chance a new leader is a champion (M5)."""
        return self._by_sector(self.model.rules.leadership, "champion_{}")

    def initiative_load(self) -> float:
        """Competing-initiative load (M24)."""
        return self._by_sector(self.model.rules.commitment, "initiative_load_{}")

    def wins_benefit(self) -> float:
        """How much this organization values the consortium's visible wins (M14)."""
        return self._by_sector(self.model.rules.commitment, "wins_benefit_{}")

    # --- decisions, one organization at a time ----------------------------------------------
    def change_leader(self) -> None:
        """A leader leaves and a successor arrives (M6, M7; L2).

        Personal trust on this organization's ties falls back towards the baseline, except
        for what onboarding and distributed leadership hand over; institutional trust stays
        (T4). The successor is a champion or not, with a fresh disposition, so a change can
        also help (SF8). Commitment moves towards the successor's disposition, less so where
        the practice is institutionalized (I3). Two draws: champion, then disposition; a new
        leader of the lead brings an orientation and a style of their own (M13, M14, M26):
        a third and a fourth draw. How much leadership is distributed is the consortium's
        this month (M25, M26). Last, the successor's own mindset about CTE moves the
        organization's, less where practice is sedimented (M27): one more draw.
        """
        m, orgs, i = self.model, self.organizations, self.index
        rules = m.rules
        supported = m.month < m.schedule_.grant_end   # onboarding support runs with the grant
        m.partnerships.reset_personal(
            i, leadership.trust_kept(rules, m.consortium.distributed, supported))
        champion = bool(m.rng.random() < self.champion_probability())
        orgs.champion[i] = champion
        current = float(orgs.commitment[i])
        disposition = leadership.successor_disposition(current, champion,
                                                       float(m.rng.standard_normal()), rules)
        orgs.commitment[i] = leadership.commitment_after_succession(
            current, disposition, float(orgs.habit[i]), rules)
        orgs.leader_id[i] += 1
        orgs.turnover_events += 1
        if self.is_lead:
            m.consortium.new_lead_leader(float(orgs.habit[i]), float(m.rng.standard_normal()),
                                         float(m.rng.standard_normal()), rules)
        newcomer = institutions.drawn_mindset(float(m.rng.standard_normal()), rules)
        orgs.mindset[i] = leadership.mindset_after_succession(float(orgs.mindset[i]), newcomer,
                                                              float(orgs.habit[i]), rules)

    def break_pledge(self) -> None:
        """A pledged match is not paid: the lead, unless it is this organization, is let down.

        The let-down hits the tie with the lead, if there is one (M29; T1 or T3).
        """
        if not self.is_lead:
            self.model.partnerships.let_down_lead(self.index)

    def lose_coordinators(self, lost: int, planned: int) -> None:
        """The lead loses backbone positions: the trust they carried on its ties goes too (M7)."""
        self.model.partnerships.reset_personal(
            self.index, money.lost_positions_keep(lost, planned, self.model.rules))


class SchoolDistrict(Organization):
    """A K-12 district or charter organization: hosts pathways, gets most grant money."""

    sector = Sector.K12
    sector_key = "district"


class CommunityCollege(Organization):
    """A community college: dual enrollment and articulation; high initiative load (M18, M24)."""

    sector = Sector.COLLEGE
    sector_key = "college"


class Employer(Organization):
    """An employer on the engagement ladder (M16, M17)."""

    sector = Sector.EMPLOYER
    sector_key = "employer"

    @property
    def engagement_stage(self) -> int:
        """Rung on the engagement ladder (``agents.codes.Rung``; M16)."""
        return int(self.model.employers.rung[self.index])


class Intermediary(Organization):
    """County office, workforce board, TA provider or chamber: brokers and convenes (M8, M9)."""

    sector = Sector.INTERMEDIARY
    sector_key = "intermediary"


AGENT_CLASSES: dict[str, type[Organization]] = {
    "district": SchoolDistrict,
    "charter": SchoolDistrict,
    "college": CommunityCollege,
    "employer": Employer,
    "county_office": Intermediary,
    "workforce_board": Intermediary,
    "ta_provider": Intermediary,
    "chamber": Intermediary,
}


class Meeting:
    """The month's meetings: venue, groups and who attended (M11; SF11, SF12)."""

    def __init__(self, n: int, groups: int):
        self.regional = True
        self.group: np.ndarray = np.zeros(n, dtype=np.int64)  # meeting group of each
        self.near: np.ndarray = np.zeros(n)  # nearness to its venue
        self.group_size = np.zeros(groups)
        self.attended = np.zeros(n, dtype=bool)
        self.committed = np.zeros(n)  # commitment of those taking part, 0 for the others


class Organizations:
    """Every organization's state as arrays (index = organization), and the verbs on them all.

    Construction draws, in this order: positions, champions, initial commitment, industry,
    capacity, money motivation and exit thresholds, then mindset about CTE and resisters
    (M27), then fit to the consortium's needs (M30), which moves initial commitment and,
    under purposeful recruitment, decides who signs on.
    """

    def __init__(self, model: Any, rules: Any, grant_on: bool):
        r, c, rng = rules.region, rules.commitment, model.rng
        kinds = [k for k in KIND_ORDER for _ in range(getattr(r, f"n_{k}s"))]
        self.agents = [AGENT_CLASSES[k](model, idx, k) for idx, k in enumerate(kinds)]
        n = self.n = len(kinds)
        self.sector = np.array([a.sector for a in self.agents], dtype=np.int8)
        self.x = rng.uniform(0.0, r.length_km, n)
        self.y = rng.uniform(0.0, r.width_km, n)
        self.lead = kinds.index(r.lead)
        # The lead convenes from the corridor's centre.
        self.x[self.lead], self.y[self.lead] = r.length_km / 2, r.width_km / 2
        per = [(a.turnover_hazard(), a.initiative_load(), a.champion_probability(),
                a.wins_benefit()) for a in self.agents]
        self.turnover, self.load, champion_p, self.wins_benefit = (
            np.array(col) for col in zip(*per, strict=True))
        self.budget = np.zeros(n)  # redirectable yearly budget, set by Funding (M22)
        # Anchor institutions convene from base budgets (M10; §1.3 county offices).
        self.anchor = np.array([k == "county_office" for k in kinds])
        self.champion = rng.random(n) < champion_p
        self.commitment = np.clip(commitment.initial_commitment(rules)
                                  + c.initial_spread * rng.standard_normal(n)
                                  + rules.leadership.champion_disposition * self.champion,
                                  0.0, 1.0)
        self.industry = rng.integers(0, r.n_industry_sectors, n)
        self.capacity = rng.uniform(c.capacity_min, c.capacity_max, n)
        self.money_motivated = (rng.random(n) < commitment.money_motivated_share(rules)) & grant_on
        self.threshold = np.clip(c.exit_threshold_mean + c.exit_threshold_spread
                                 * rng.standard_normal(n), 0.0, 1.0)
        # How far each organization's people see CTE as a core track; resisters stay put (M27).
        self.mindset = institutions.drawn_mindsets(rng.standard_normal(n), rules)
        self.resister = rng.random(n) < rules.mindset.resister_share
        # Recruitment (M30): fit to the consortium's needs, and who signs on.
        self.fit = rng.random(n)
        self.fit_gap = self.fit - self.fit.mean()  # against the region's mean fit
        self.commitment = commitment.launch_commitment(self.commitment, self.fit_gap, rules)
        self.signatory = commitment.signs_on(self.fit, grant_on, rules)
        self.aspiration = np.full(n, c.initial_aspiration)
        self.taking_part = np.zeros(n, dtype=bool)
        self.ever_part = np.zeros(n, dtype=bool)
        self.leader_id = np.zeros(n, dtype=np.int64)
        self.pledge_leader = np.zeros(n, dtype=np.int64)
        self.lead_trust = np.zeros(n)  # trust in the lead when pledges fall due (M29)
        self.ask_mismatch = np.zeros(n)  # what was asked beyond what is done (M29)
        self.habit = np.zeros(n)
        self.floor = np.zeros(n)
        self.passages = np.zeros(n, dtype=np.int64)
        self.program = np.zeros(n)
        self.contribution = np.zeros(n)
        self.waiting = np.zeros(n)  # months waiting for visible value (M14)
        self.impatient = np.zeros(n, dtype=bool)
        self._seen = np.zeros(n)  # scratch: visible value each organization sees
        self.prior_member = np.zeros(n, dtype=bool)
        self.turnover_events = 0
        # Constants of the run derived from the state above.
        employer = self.sector == Sector.EMPLOYER
        self.not_employer = ~employer
        self.n_not_employer = max(1, int(self.not_employer.sum()))
        self.relevance = commitment.meeting_relevance(employer, rules)
        self.effective_capacity = commitment.effective_capacity(self.capacity, self.load, rules)
        self.base_cost = commitment.participation_cost(self.capacity, self.load, rules)
        self.money_weight = np.where(self.money_motivated, c.money_motivated_weight, 1.0)
        self.turnover_month = leadership.monthly_hazard(self.turnover)
        self.local = ((self.sector == Sector.K12)
                      | (self.sector == Sector.COLLEGE)).astype(float)
        self.n_local = max(1.0, float(self.local.sum()))
        counts = np.bincount(self.sector, minlength=len(Sector))[:Sector.EMPLOYER + 1]
        # Sectors present, with their sizes, for the weakest-link activity (SF36).
        self.present = [(int(k), int(counts[k])) for k in np.flatnonzero(counts)]
        self.engaged = np.zeros(len(Sector))  # commitment taking part, per sector
        self._participants = np.zeros(n)  # taking part as 0/1 weights, for dot products
        self._venues(rules)

    def _venues(self, rules: Any) -> None:
        """Where each organization meets: the corridor's centre, or its node's (M11)."""
        r, g, scale = rules.region, rules.grant, rules.ties.travel_scale_km
        self.near_regional = np.exp(-np.hypot(self.x - r.length_km / 2,
                                              self.y - r.width_km / 2) / scale)
        nodes = g.subregional_nodes
        bounds = np.linspace(0.0, r.length_km, nodes + 1)
        self.node = np.clip(np.searchsorted(bounds, self.x, side="right") - 1, 0, nodes - 1)
        self.whole_region = np.zeros(self.n, dtype=np.int64)
        # Nodes are equal bands along the corridor, each meeting at its band's centre.
        node_x = (self.node + 0.5) * r.length_km / nodes
        self.near_node = np.exp(-np.hypot(self.x - node_x, self.y - r.width_km / 2) / scale)
        self.meeting = Meeting(self.n, nodes)

    # --- the set's verbs, in the order of the month (ODD §3) ---------------------------------
    def mean_habit_of_participants(self) -> float:
        """Mean habit of the organizations taking part (0 if none)."""
        w = self._participants
        w[:] = self.taking_part
        n_part = int(self.taking_part.sum())
        return float(self.habit.dot(w)) / n_part if n_part else 0.0

    def weigh_pledges(self, ties: Any, ladder: Any) -> None:
        """What each partner's pledge hinges on this year, besides its own state (M29).

        Its trust in the lead (on their tie; none without one, full for the lead itself)
        and its ask mismatch (:meth:`agents.ladder.EmployerLadder.ask_mismatch`).
        """
        self.lead_trust[:] = ties.trust_in(self.lead)
        self.ask_mismatch[:] = ladder.ask_mismatch()
    def share_taking_part(self) -> float:
        """Share of the organizations taking part."""
        return np.count_nonzero(self.taking_part) / self.n

    def fit_at_table(self) -> float:
        """Mean fit of the organizations taking part less the region's mean (0 if none; M30)."""
        return programs.mean_at_table(self.fit_gap, self.taking_part)

    def turn_over_leaders(self, rng: np.random.Generator) -> None:
        """Each organization changes leader with its monthly hazard, in index order (L1)."""
        for i in (rng.random(self.n) < self.turnover_month).nonzero()[0]:
            self.agents[i].change_leader()

    def convene(self, month: int, convening: float, rules: Any,
                rng: np.random.Generator) -> float:
        """Who attends this month's meetings; returns the share of participants attending (M11)."""
        meeting = self.meeting
        meeting.regional = commitment.meets_regionally(month, rules)
        if meeting.regional:
            meeting.group, meeting.near = self.whole_region, self.near_regional
        else:
            meeting.group, meeting.near = self.node, self.near_node
        attending = commitment.attend(self, meeting, convening, rules, rng.random(self.n))
        n_part = int(self.taking_part.sum())
        return attending / n_part if n_part else 0.0

    def wait_for_value(self, ladder: Any, consortium: Any, rules: Any) -> None:
        """Partners count the months they wait for visible value; past patience, they tire (M14).

        A partner waits while the wins and narrated process gains it remembers, weighed by
        how much it values them (employers: by perceived return), stay below
        ``orientation.patience_threshold``; value resets the count. Urgency shortens
        patience (M28). Impatient partners no longer answer the mandate's invitation.
        """
        seen = self._seen
        np.add(self.wins_benefit, ladder.roi, out=seen)
        seen *= consortium.recent_wins.mean()
        self.waiting += 1.0
        self.waiting[seen >= rules.orientation.patience_threshold] = 0.0
        np.greater(self.waiting, commitment.patience(rules), out=self.impatient)

    def impatient_share(self) -> float:
        """Share of the organizations taking part that are out of patience (M14)."""
        n_part = int(self.taking_part.sum())
        return float((self.impatient & self.taking_part).sum()) / n_part if n_part else 0.0

    def learn_commitment(self, ladder: Any, ties: Any, consortium: Any, funding: Any,
                         rules: Any) -> None:
        """Payoffs of taking part, then commitment learning (C1, C2)."""
        commitment.learn_commitment(self, ladder, ties, consortium, funding, rules)

    def take_part(self, ties: Any, consortium: Any, rule: Any, rules: Any,
                  rng: np.random.Generator) -> None:
        """Exits by the run's exit rule and complex-contagion joins (C4; M4)."""
        u = rng.random(self.n) if rule.draws else None
        commitment.take_part(self, ties, consortium, rule, rules, u)

    def institutionalize(self, ties: Any, consortium: Any, rules: Any,
                         rng: np.random.Generator) -> None:
        """Habits, then passages (I1, I3; M13): two draws per organization."""
        institutions.institutionalize(self, ties, self.meeting, consortium, rules,
                                      rng.random((2, self.n)))

    def spread_mindset(self, ties: Any, rules: Any) -> float:
        """A month of mindset change over communities of practice and exposure (M27; SF28).

        Returns the mean mindset of the districts and colleges taking part.
        """
        return institutions.spread_mindset(self, ties, self.meeting, rules)

    def run_programs(self, funding: Any, consortium: Any, rules: Any) -> None:
        """Local pathway programs in districts and colleges (SF2)."""
        programs.run_programs(self, funding, consortium, rules)
