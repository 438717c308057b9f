"""The consortium model: wires organizations, ties and the grant, and steps monthly.

It builds the organizations, the partnership graph and the grant schedule, then steps the
world one month at a time.

Organization state lives in arrays (``OrgState``) and tie state in arrays over all
organization pairs (``TieState``), so the rules in ``agents/`` run in bulk. The networkx
graph of current ties is the topology API and export format: ``model.graph()``.
All randomness comes from ``model.rng``, seeded from one ``numpy.random.SeedSequence``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import mesa
import networkx as nx
import numpy as np

from agents import _org_kernels as kernels
from agents import rules, ties
from agents.organization import (
    AGENT_CLASSES,
    COLLEGE,
    EMPLOYER,
    INTERMEDIARY,
    K12,
    SECTOR_NAMES,
    Organization,
)
from sim.grant import PARTNER, PLANNING, POST, TAPER, GrantSchedule
from sim.observation import Observation, read_only
from sim.params import ScenarioParams

NEVER = np.iinfo(np.int64).max  # "formed" month of a pair that never had a tie


@dataclass
class OrgState:
    """Per-organization arrays (index = organization)."""

    sector: np.ndarray
    x: np.ndarray
    y: np.ndarray
    capacity: np.ndarray
    load: np.ndarray
    budget: np.ndarray
    turnover: np.ndarray
    commitment: np.ndarray
    aspiration: np.ndarray
    taking_part: np.ndarray
    signatory: np.ndarray
    money_motivated: np.ndarray
    threshold: np.ndarray
    champion: np.ndarray
    leader_id: np.ndarray
    pledge_leader: np.ndarray
    habit: np.ndarray
    floor: np.ndarray
    passages: np.ndarray
    program: np.ndarray
    stage: np.ndarray
    roi: np.ndarray
    burnout: np.ndarray
    pledged_stage: np.ndarray
    difficulty: np.ndarray
    contribution: np.ndarray
    prior_member: np.ndarray
    ever_part: np.ndarray


@dataclass
class TieState:
    """Per-pair arrays over the upper triangle of organization pairs."""

    i: np.ndarray
    j: np.ndarray
    tie: np.ndarray
    personal: np.ndarray
    institutional: np.ndarray
    age: np.ndarray
    idle: np.ndarray
    formed: np.ndarray
    agreement: np.ndarray
    prior_formality: np.ndarray
    cross: np.ndarray
    distance: np.ndarray
    near: np.ndarray
    competitive: np.ndarray
    lead_edge: np.ndarray
    k12_college: np.ndarray
    complementarity: np.ndarray
    openness: np.ndarray
    base_formality: np.ndarray = field(init=False)
    formality: np.ndarray = field(init=False)
    positive: np.ndarray = field(init=False)  # Beta-rule evidence (T3); zero otherwise
    negative: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.base_formality = self.prior_formality.copy()
        self.formality = self.prior_formality.copy()
        self.positive = np.zeros(len(self.i))
        self.negative = np.zeros(len(self.i))


MONTHLY_SERIES = (
    "state_share", "phase", "operating_raw", "program_level", "taking_part_share",
    "active_ties", "active_cross_sector_ties",
    "mean_trust", "mean_personal_trust", "mean_institutional_trust", "ties",
    "institutionalization", "positions_filled", "positions_funded", "partner_funding_ratio",
    "convening_intensity", "shared_vision", "data_alignment", "employers_engaged",
    "employer_pledges_met", "visible_wins", "turnover_events",
)


class ConsortiumModel(mesa.Model):
    """A regional cross-sector consortium under a time-limited grant, stepped monthly."""

    def __init__(self, params: ScenarioParams,
                 seed: int | np.random.SeedSequence | np.random.Generator | None = None):
        if isinstance(seed, np.random.Generator):
            # A caller that owns the stream (a sweep) hands over its Generator directly.
            ss = seed.bit_generator.seed_seq
            rng = seed
        else:
            ss = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
            rng = np.random.default_rng(ss)
        super().__init__(rng=rng)
        self.seed_sequence = ss
        self.params = params
        self.months = params.months
        self.schedule_ = GrantSchedule.build(params.grant, self.months)
        self.month = 0
        self.turnover_events = 0
        self.disposition_mean = params.commitment.initial_mean
        self._build_organizations()
        self._build_ties()
        self._init_consortium()
        self.series = {name: np.full(self.months, np.nan) for name in MONTHLY_SERIES}
        self.collaboration_edges = np.zeros((self.months, (self.n_pairs + 7) // 8), np.uint8)

    # ------------------------------------------------------------------ construction
    def _build_organizations(self) -> None:
        p = self.params
        r = p.region
        kinds = (["district"] * r.n_districts + ["charter"] * r.n_charters
                 + ["college"] * r.n_colleges + ["workforce_board"] * r.n_workforce_boards
                 + ["county_office"] * r.n_county_offices + ["ta_provider"] * r.n_ta_providers
                 + ["chamber"] * r.n_chambers + ["employer"] * r.n_employers)
        self.agents_list: list[Organization] = [
            AGENT_CLASSES[k](self, idx, k) for idx, k in enumerate(kinds)
        ]
        n = len(kinds)
        self.n = n
        sector = np.array([a.sector for a in self.agents_list], dtype=np.int8)
        rng = self.rng
        x = rng.uniform(0.0, r.length_km, n)
        y = rng.uniform(0.0, r.width_km, n)
        self.lead = kinds.index(r.lead)
        x[self.lead], y[self.lead] = r.length_km / 2, r.width_km / 2
        c = p.commitment
        per = [(a.turnover_hazard(), a.initiative_load(), a.budget_musd(),
                a.champion_probability()) for a in self.agents_list]
        turnover, load, budget, champ_p = (np.array(col) for col in zip(*per, strict=True))
        grant_on = p.grant.award_musd > 0 and (p.grant.money or p.grant.mandate)
        p_money = min(0.9, c.money_motivated_base + c.money_motivated_per_musd * p.grant.award_musd)
        champion = rng.random(n) < champ_p
        commitment = np.clip(c.initial_mean + c.initial_spread * rng.standard_normal(n)
                             + 0.15 * champion, 0.0, 1.0)
        industry = rng.integers(0, r.n_industry_sectors, n)
        difficulty = rules.SECTOR_DIFFICULTY[industry].copy()
        if p.employers.liability_solution:
            difficulty[industry == rules.MANUFACTURING] *= 0.4
        self.org = OrgState(
            sector=sector, x=x, y=y,
            capacity=rng.uniform(0.6, 1.0, n),
            load=load, budget=budget, turnover=turnover,
            commitment=commitment,
            aspiration=np.full(n, 0.2),
            taking_part=np.zeros(n, dtype=bool),
            signatory=np.full(n, grant_on),
            money_motivated=(rng.random(n) < p_money) & grant_on,
            threshold=np.clip(c.exit_threshold_mean + c.exit_threshold_spread
                              * rng.standard_normal(n), 0.0, 1.0),
            champion=champion,
            leader_id=np.zeros(n, dtype=np.int64),
            pledge_leader=np.zeros(n, dtype=np.int64),
            habit=np.zeros(n), floor=np.zeros(n), passages=np.zeros(n, dtype=np.int64),
            program=np.zeros(n),
            stage=np.where(sector == EMPLOYER, rng.integers(0, 2, n), 0).astype(np.int64),
            roi=np.where(sector == EMPLOYER, rng.uniform(0.0, 0.2, n), 0.0),
            burnout=np.zeros(n),
            pledged_stage=np.where(sector == EMPLOYER, rng.integers(2, 6, n), 0),
            difficulty=np.where(sector == EMPLOYER, difficulty, 0.0),
            contribution=np.zeros(n),
            prior_member=np.zeros(n, dtype=bool),
            ever_part=np.zeros(n, dtype=bool),
        )

    def _build_ties(self) -> None:
        p = self.params
        n, org, rng = self.n, self.org, self.rng
        iu, ju = np.triu_indices(n, 1)
        si, sj = org.sector[iu], org.sector[ju]
        cross = si != sj
        dist = np.hypot(org.x[iu] - org.x[ju], org.y[iu] - org.y[ju])
        # Pre-existing ties: a networkx random graph seeded from the model's Generator (M10).
        prior_graph = nx.gnp_random_graph(n, p.region.prior_tie_density, seed=rng)
        prior = np.zeros((n, n), dtype=bool)
        for a, b in prior_graph.edges():
            prior[a, b] = prior[b, a] = True
        tie = prior[iu, ju]
        members = np.flatnonzero(prior.sum(axis=1) >= 2)
        org.prior_member[members] = True
        personal = np.where(tie, np.clip(p.region.prior_trust + 0.1 * rng.standard_normal(
            len(iu)), 0.0, 1.0), 0.0)
        beta = p.trust.rule == "beta_reputation"
        if beta:  # the evidence of the same prior trust (T3)
            positive, negative = (np.where(tie, e, 0.0)
                                  for e in ties.beta_evidence(personal, p.trust))
            personal = np.where(tie, ties.beta_mean(positive, negative, p.trust), 0.0)
        prior_formality = np.where(tie, p.region.prior_infrastructure, 0.0)
        self.ties = TieState(
            i=iu, j=ju, tie=tie, personal=personal,
            institutional=personal * p.region.prior_infrastructure,
            age=np.where(tie, rng.integers(12, 120, len(iu)), 0).astype(float),
            idle=np.where(tie, 0, 999).astype(float),
            formed=np.where(tie, -1, NEVER).astype(np.int64),
            agreement=np.zeros(len(iu), dtype=bool),
            prior_formality=prior_formality,
            cross=cross, distance=dist, near=np.exp(-dist / p.ties.travel_scale_km),
            competitive=(si == COLLEGE) & (sj == COLLEGE),
            lead_edge=(iu == self.lead) | (ju == self.lead),
            k12_college=((si == K12) & (sj == COLLEGE)) | ((si == COLLEGE) & (sj == K12)),
            complementarity=np.where(cross, p.ties.cross_sector_preference, 1.0),
            openness=1.0 - p.region.insularity * (org.prior_member[iu] != org.prior_member[ju]),
        )
        if beta:
            self.ties.positive, self.ties.negative = positive, negative
        self.n_pairs = len(iu)
        self.incident = [np.flatnonzero((iu == k) | (ju == k)) for k in range(n)]
        self.neg_base = np.minimum(1.0, p.trust.negative_rate + self.ties.competitive
                                   * p.institutionalization.college_competition)
        org.habit[org.prior_member] = p.region.prior_infrastructure

    def _init_consortium(self) -> None:
        p, g, org = self.params, self.params.grant, self.org
        sched = self.schedule_
        money_months = max(sched.state_money_months, 1.0)
        self.award_per_year = g.award_musd * 12.0 / money_months if g.award_musd else 0.0
        self.positions_planned = 0
        if g.backbone and g.award_musd:
            self.positions_planned = int(round(
                g.staff_share * self.award_per_year * 1000.0 / g.position_cost_kusd))
        self.positions_filled = 0
        self.positions_funded = 0
        convening_cost = g.convening_cost_kusd * self.n
        self.core_cost = (self.positions_planned * g.position_cost_kusd + convening_cost) / 1000.0
        conv_money = g.convening_share * self.award_per_year * 1000.0
        self.grant_convening = min(1.0, conv_money / convening_cost) if g.convenings else 0.0
        # Money flows by sector (§2.5: "the vast majority ... invested in high schools").
        sector_money = np.zeros(4)
        if g.money:
            sector_money[K12] = 0.8 * g.equipment_share + 0.85 * g.subgrant_share
            sector_money[COLLEGE] = 0.2 * g.equipment_share + 0.15 * g.subgrant_share
        if g.backbone:
            sector_money[INTERMEDIARY] = g.staff_share
        counts = np.bincount(org.sector, minlength=4).astype(float)
        per_org = np.divide(sector_money * self.award_per_year, counts,
                            out=np.zeros(4), where=counts > 0)
        received = per_org[org.sector]
        self.grant_receipt = received / (received + 0.05)
        ownership = 0.6 if g.administered_by == "k12_agency" else 1.0
        self.grant_receipt[org.sector == COLLEGE] *= ownership
        total = sector_money.sum()
        k12_share = sector_money[K12] / total if total else 0.0
        present = max(1, int((counts > 0).sum()))
        excess = max(0.0, k12_share - 1.0 / present - p.commitment.dominance_tolerance)
        self.dominance = np.where(org.sector != K12, p.commitment.dominance_penalty * excess, 0.0)
        self.sector_benefit = np.array([1.0, 0.7, 0.0, 0.8])[org.sector]
        self.has_one_stop = float((org.sector == INTERMEDIARY).sum() > 0)
        self.vision = 0.1 * p.region.prior_infrastructure
        self.data = 0.05
        self.partner_funding = 0.0
        self.partner_ratio = 0.0
        self.convening = 0.0
        self.attendance = 0.0
        self.coordination = 0.0
        self.activity = 0.0
        self.wins = 0.0
        self.process = 0.0
        self.recent_wins = np.zeros(12)
        self.backbone_share = 0.0
        # The lead's orientation: systems change or programme delivery (M13, M14; SF3, SF4).
        self.systems_lead = bool(self.rng.random() < p.region.systems_lead_probability)
        self.now_share = p.region.systems_now_share if self.systems_lead else g.now_share
        self.first_decision = self._first_decision_month()
        self._precompute()
        c = p.commitment
        invited = org.signatory
        trusted = self._trusted_active_partners(np.ones(self.n, dtype=bool), self.trust())
        org.taking_part[:] = invited | ((trusted >= c.join_min_partners)
                                        & (org.commitment >= c.join_commitment))
        org.ever_part[:] = org.taking_part
        org.pledge_leader[:] = org.leader_id

    def _precompute(self) -> None:
        """Constants of the run: venues and distances, capacities, sector masks (M11, M24)."""
        p, org, n = self.params, self.org, self.n
        r, tl = p.region, p.ties
        self.zero_group = np.zeros(n, dtype=np.int64)
        self.near_regional = np.exp(-np.hypot(org.x - r.length_km / 2, org.y - r.width_km / 2)
                                    / tl.travel_scale_km)
        self.nodes = p.grant.subregional_nodes
        bounds = np.linspace(0.0, r.length_km, self.nodes + 1)
        self.node_group = np.clip(np.searchsorted(bounds, org.x, side="right") - 1, 0,
                                  self.nodes - 1)
        node_x = (self.node_group + 0.5) * r.length_km / self.nodes
        self.near_node = np.exp(-np.hypot(org.x - node_x, org.y - r.width_km / 2)
                                / tl.travel_scale_km)
        employer = org.sector == EMPLOYER
        self.not_employer = ~employer
        # Employers attend their sector's roundtable; breadth spreads them thin (M17, M32).
        self.employer_relevance = np.where(employer, 1.0 / (1.0 + 0.3 * (r.n_industry_sectors
                                                                       - 1)), 1.0)
        c = p.commitment
        self.capacity_eff = org.capacity / (1.0 + c.overload_sensitivity * org.load
                                            * (1.0 - c.policy_coherence))
        counts = np.bincount(org.sector, minlength=4)[:3]
        # Sectors present, with their sizes, for the weakest-link activity.
        self.present_counts = [(int(k), int(counts[k])) for k in np.flatnonzero(counts)]
        self.local = ((org.sector == K12) | (org.sector == COLLEGE)).astype(float)
        g = p.grant
        on = g.technical_assistance and g.award_musd > 0
        self.ta_months = (self.schedule_.grant_end + 12 * g.ta_post_grant_years) if on else 0
        self.window = tl.inactive_window_months
        t = self.ties
        convener = org.sector == INTERMEDIARY
        convener[self.lead] = True
        emp_i = employer[t.i] & convener[t.j]
        emp_j = employer[t.j] & convener[t.i]
        self.conv_pairs = np.flatnonzero(emp_i | emp_j)
        self.conv_employer = np.where(emp_i, t.i, t.j)[self.conv_pairs]
        self.employers_idx = np.flatnonzero(employer)
        self.n_local = max(1.0, float(self.local.sum()))
        self.money_weight = np.where(org.money_motivated, 2.0, 1.0)
        self.base_cost = (c.participation_cost * (1.0 + c.overload_sensitivity * org.load
                                                  * (1.0 - c.policy_coherence)) / org.capacity)
        # Annual probabilities (L1) spread evenly over twelve monthly chances.
        self.turnover_month = 1.0 - (1.0 - org.turnover) ** (1.0 / 12.0)
        # The schedule as Python numbers, constant masks as the compiled passes read them,
        # and buffers the passes fill every month.
        self.shares = self.schedule_.state_share.tolist()
        self.phases = self.schedule_.phase.tolist()
        self.employer_bits = employer.view(np.uint8)
        self.not_employer_bits = self.not_employer.view(np.uint8)
        self.cross_bits = t.cross.view(np.uint8)
        self.k12_college_bits = t.k12_college.view(np.uint8)
        self.size_threshold = float(tl.meeting_size_threshold)
        self.group_size = np.zeros(self.nodes)
        self.engaged = np.zeros(4)
        self.attend = np.zeros(n, dtype=bool)
        self.cp = np.zeros(n)
        self.candidates = np.zeros(self.n_pairs, dtype=np.int64)
        self.part_w, self.ever_w, self.tie_w = np.zeros(n), np.zeros(n), np.zeros(self.n_pairs)
        self.rates_key: tuple[float, bool] | None = None  # (K, TA) of gain and loss
        self.gain, self.loss = np.zeros(self.n_pairs), np.zeros(self.n_pairs)
        self.common_partners = np.zeros((n, n))  # adjacency @ adjacency, while ties stand
        self.tie_month: dict[str, np.ndarray] | None = None  # the tie month's outputs
        self.ties_changed = True

    def _first_decision_month(self) -> int:
        """First month partners decide what to pay: the first without full state money (M22)."""
        short = np.flatnonzero(self.schedule_.state_share < 1.0)
        return int(short[0]) if len(short) else self.months

    # ------------------------------------------------------------------ helpers
    def trust(self) -> np.ndarray:
        """Combined trust per pair (zero where no tie)."""
        t = self.ties
        return ties.combined_trust(t.personal, t.institutional, t.formality) * t.tie

    def _trusted_active_partners(self, active: np.ndarray, trust: np.ndarray) -> np.ndarray:
        t = self.ties
        out = np.zeros(self.n)
        kernels.trusted_partners(t.i, t.j, t.tie.view(np.uint8), trust,
                                 self.params.trust.active_threshold, active.view(np.uint8), out)
        return out

    def adjacency(self) -> np.ndarray:
        """The current ties as a symmetric 0/1 matrix over organizations."""
        t = self.ties
        adj = np.zeros((self.n, self.n))
        adj[t.i[t.tie], t.j[t.tie]] = 1.0
        return adj + adj.T

    def reset_personal_trust(self, i: int, keep: float) -> None:
        """Personal trust on organization ``i``'s ties falls back towards baseline (T4)."""
        t = self.ties
        ties.reset_personal(t, self.incident[i], keep, self.params.trust)

    def _trust_rates(self, K: float, ta: bool) -> tuple[np.ndarray, np.ndarray]:
        """Trust gain per pair and loss per let-down this month; kept while K and TA hold.

        Cross-sector ties gain more slowly, and boundary spanners speed their gains (M1,
        M33). Let-downs cost the base rate: cross-sector ties are slower to build, not to
        lose, and spanners speed up gains only. TA raises both (M9). Under the Beta rule
        (T3) the same multipliers scale the evidence a win adds (1 on a plain tie), and a
        let-down adds ``beta_negative_weight`` times the TA boost.
        """
        if self.rates_key != (K, ta):
            tp = self.params.trust
            boost = 1.0 + tp.ta_boost * ta
            if tp.rule == "beta_reputation":
                self.gain = np.where(self.ties.cross, boost * tp.cross_sector_gain
                                     * (1.0 + tp.spanner_boost * K), boost)
                self.loss = np.full(self.n_pairs, tp.beta_negative_weight * boost)
                self.rates_key = (K, ta)
                return self.gain, self.loss
            self.gain = np.where(self.ties.cross,
                                 min(1.0, tp.gain_rate * boost * tp.cross_sector_gain
                                     * (1.0 + tp.spanner_boost * K)),
                                 min(1.0, tp.gain_rate * boost))
            self.loss = np.full(self.n_pairs, min(1.0, tp.loss_ratio * tp.gain_rate * boost))
            self.rates_key = (K, ta)
        return self.gain, self.loss

    def grant_phase(self) -> str:
        """Name of the current grant phase."""
        return self.schedule_.grant_phase(self.month)

    # ------------------------------------------------------------------ the monthly step
    def step(self) -> None:
        """Advance one month.

        Order: resources, turnover, convenings, trust, ties, commitment, participation,
        institutionalization, employers, programmes, then the record.
        """
        t = self.month
        if t >= self.months:
            return
        p = self.params
        g, tp, ih = p.grant, p.trust, p.institutionalization
        s, phase = self.shares[t], self.phases[t]
        in_grant = phase < POST
        org, ts, rng = self.org, self.ties, self.rng
        if t >= self.first_decision and (t - self.first_decision) % 12 == 0:
            self._decide_contributions(s, phase)
        follow = self._follow_on_share(t)
        self._staff_positions(t, s, follow)
        self._leader_turnover()
        part = org.taking_part
        n_part = kernels.weights(part.view(np.uint8), self.part_w)
        habits = float(org.habit.dot(self.part_w)) / n_part if n_part else 0.0
        K = self.positions_filled / self.positions_planned if self.positions_planned else 0.0
        self.backbone_share = K
        self.coordination = min(1.0, K + ih.habit_coordination * habits)
        self.convening = min(1.0, s * self.grant_convening + self.partner_ratio + follow
                             + ih.habit_coordination * habits)
        ta = self.ta_months > t

        # Convenings: attendance falls with distance and crowding (M11; SF11, SF12).
        nodes_on = self.nodes > 1 and t >= g.subregional_switch_month
        regional = not nodes_on or t % p.ties.regional_meeting_interval == 0
        if regional:
            group, near = self.zero_group, self.near_regional
        else:
            group, near = self.node_group, self.near_node
        attend, cp = self.attend, self.cp  # cp: commitment of those taking part
        n_attend = kernels.convene(
            part.view(np.uint8), self.not_employer_bits, org.commitment, self.capacity_eff, near,
            self.employer_relevance, group, self.size_threshold,
            p.ties.meetings_per_month * self.convening, rng.random(self.n), org.sector,
            self.group_size, self.engaged, attend.view(np.uint8), cp)
        self.attendance = n_attend / n_part if n_part else 0.0

        # Interaction, signals, two-layer trust, then tie formation and dissolution
        # (M1-M4, M7, M10, M11, M33; T1, T2, T4, T5; N1, N3), compiled in agents.ties.
        u = rng.random((4, self.n_pairs))
        gain, loss = self._trust_rates(K, ta)
        if self.ties_changed:
            ties.common_partners(ts, self.n, self.common_partners)
        mou = 0.5 * (g.required_agreements and t < self.schedule_.grant_end)
        month = ties.tie_update(
            ts, attend, group, regional, cp, self.common_partners, gain, loss=loss,
            neg_base=self.neg_base,
            power=(tp.power_gap_penalty * (1.0 - g.subgrant_share) * s * g.money
                   * (1.0 - self.vision)),
            q_pos=min(1.0, tp.positive_rate * (0.5 + self.vision)),
            formal_level=max(mou, 0.5 * self.data),
            post_grant=s == 0.0 and t >= self.schedule_.money_end, u=u, trust_p=tp,
            ties_p=p.ties, out=self.tie_month)
        self.tie_month = month
        interacted, trust = month["interacted"], month["trust"]
        self.ties_changed = any(ties.tie_turnover(ts, t, self.n, trust, month["common"],
                                                  month["p_form"], month["hazard"], u[2], u[3],
                                                  tp))
        active = self.active_ties(trust)

        # Collaborative activity, visible wins and process gains (M5, M14, M15; SF36).
        engaged = self.engaged.tolist()  # commitment taking part, per sector
        levels = [max(engaged[k] / c, 1e-6) for k, c in self.present_counts]
        weakest_link = (sum(x ** -2.0 for x in levels) / len(levels)) ** -0.5  # CES, rho=-2
        self.activity = weakest_link * (0.5 * self.coordination + 0.5 * self.convening)
        now = 0.0 if phase == PLANNING else self.now_share
        local_money = s * g.money
        self.wins = now * self.activity * (0.5 + 0.5 * local_money)
        self.process = (1.0 - now) * self.activity
        self.recent_wins[t % 12] = self.wins + p.commitment.narrative * self.process

        # Payoffs, commitment learning and participation (C1, C2, C4; M3-M5, M16, M19, M24).
        self._learn_commitment(s, in_grant, trust, active)
        self._update_participation(in_grant, trust)

        # Institutionalization: habits, passages, agreements (I1, I3; M13, M18, M20).
        sys_ta = ta * g.ta_system_share * (2.0 - p.region.prior_infrastructure)
        effort = min(1.0, ((1.0 - now) + (0.5 * now if g.linked_wins else 0.0))
                     * self.activity * (1.0 + sys_ta))
        self._institutionalize(attend, interacted, effort)
        self._articulation(trust)
        self.vision += (ih.vision_growth * self.convening * self.attendance * (1.0 - now)
                        * (1.0 + sys_ta) * (1.0 - self.vision) - ih.vision_decay * self.vision)
        reporting = g.reporting and in_grant and g.award_musd > 0
        self.data += (ih.data_growth * (reporting + habits) * self.coordination * (1.0 - self.data)
                      - ih.data_decay * self.data)

        # Employers climb or slip on the engagement ladder (M16, M17, M28).
        self._employers(trust, now)

        # Local pathway programmes (SF2; M13): local money, quick wins and TA push them.
        kernels.programmes(self.local, self.grant_receipt, org.habit, org.contribution,
                           local_money, now * self.activity, 0.3 * ta, org.program, ih)

        self._record(t, s, phase, trust, active)
        self.month += 1

    # ------------------------------------------------------------------ sub-steps
    def _follow_on_share(self, t: int) -> float:
        """Share of the core cost a follow-on grant covers this month (M23; SF25)."""
        g = self.params.grant
        if not g.follow_on_year or not g.follow_on_musd:
            return 0.0
        start = g.planning_months + 12 * (g.follow_on_year - 1)
        if not start <= t < start + 36:
            return 0.0
        return min(1.0, g.follow_on_musd / 3.0 / max(self.core_cost, 1e-9))

    def _staff_positions(self, t: int, s: float, follow: float) -> None:
        """Backbone positions: hiring lag, falling fill rates, loss at the cliff (M21, M7)."""
        g = self.params.grant
        if not self.positions_planned:
            return
        funded_share = min(1.0, s + self.partner_ratio + g.retained_backbone_share + follow)
        self.positions_funded = int(round(self.positions_planned * funded_share))
        if self.positions_filled > self.positions_funded:
            lost = self.positions_filled - self.positions_funded
            # Person-carried ties of the backbone host weaken with each lost coordinator (M7).
            self.reset_personal_trust(self.lead, 1.0 - 0.5 * lost / self.positions_planned)
            self.positions_filled = self.positions_funded
        vacant = self.positions_funded - self.positions_filled
        if vacant > 0:
            # Fewer applicants as the grant runs out (SF22); steadier once partner-funded.
            end = self.schedule_.money_end
            security = math.sqrt(max(0, end - t) / max(end, 1)) if s > 0 else 0.7
            p_fill = security / max(g.hire_lag_months, 1.0)
            self.positions_filled += int((self.rng.random(vacant) < p_fill).sum())

    def _leader_turnover(self) -> None:
        """Monthly leader changes from annual sector hazards (L1)."""
        hit = (self.rng.random(self.n) < self.turnover_month).nonzero()[0]
        for i in hit:
            self.agents_list[i].change_leader()

    def _learn_commitment(self, s: float, in_grant: bool, trust: np.ndarray,
                          active: np.ndarray) -> None:
        """Monthly payoff of taking part, then commitment learning (C1, C2).

        Payoff: trusted active ties (M1), grant money (M3; money-motivated partners weigh it
        double), the mandate while the grant runs, shared vision (M2), visible wins and
        narrated process gains (M14, M15; employers value them by perceived ROI, M16), a
        champion (M5), minus the cost of taking part, raised by initiative load (M24) and
        eased by paid coordinators or habits (M13, M21), and minus K-12 dominance (M19).
        Outsiders get half the relational value of their ties.
        """
        p, g, org, t = self.params, self.params.grant, self.org, self.ties
        c = p.commitment
        kernels.learn_commitment(
            t.i, t.j, trust, active.view(np.uint8), self.cross_bits,
            org.taking_part.view(np.uint8), self.money_weight, self.grant_receipt,
            org.signatory.view(np.uint8), self.sector_benefit, org.roi, org.habit,
            self.base_cost, org.champion.view(np.uint8), self.dominance, c.relational_weight,
            c.grant_weight * s * g.money, c.mandate_weight * (g.mandate and in_grant),
            c.vision_weight * self.vision, c.wins_weight * (self.wins + c.narrative * self.process),
            self.backbone_share, p.institutionalization.habit_coordination,
            p.leadership.champion_boost, s, org.commitment, org.aspiration, c)

    def _update_participation(self, in_grant: bool, trust: np.ndarray) -> None:
        """Threshold (or logit) exits and complex-contagion joins (C4; M4).

        Nothing changes when nobody takes part and the grant is over. Signatories are
        invited while a mandating grant runs. The logit exit rule draws one uniform per
        organization each month; the threshold rule draws none.
        """
        p, org, t = self.params, self.org, self.ties
        u = self.rng.random(self.n) if p.commitment.exit_rule == "logit" else None
        kernels.participation(
            t.i, t.j, t.tie.view(np.uint8), trust, p.trust.active_threshold, org.commitment,
            org.threshold, org.signatory.view(np.uint8), in_grant and p.grant.mandate, in_grant,
            org.taking_part.view(np.uint8), org.ever_part.view(np.uint8), p.commitment, u)

    def _institutionalize(self, attend: np.ndarray, interacted: np.ndarray,
                          effort: float) -> None:
        """Habits, then budget lines, MOUs, positions on general funds (I1, I3; M13).

        Organizations that take part and attended or interacted enact the practice, while
        there is any activity; passages are discrete floors under the habit.
        """
        org, t = self.org, self.ties
        kernels.institutionalize(
            t.i, t.j, interacted.view(np.uint8), org.taking_part.view(np.uint8),
            attend.view(np.uint8), self.activity > 0, effort, self.rng.random((2, self.n)),
            org.commitment, org.habit, org.floor, org.passages, self.params.institutionalization)

    def _articulation(self, trust: np.ndarray) -> None:
        """District-college agreements need trust and survive a faculty veto (M18; SF20)."""
        ih, t, org = self.params.institutionalization, self.ties, self.org
        agreement = t.agreement.view(np.uint8)
        count = kernels.agreement_candidates(
            t.i, t.j, self.k12_college_bits, agreement, trust, ih.articulation_trust,
            org.taking_part.view(np.uint8), self.candidates)
        if not count:
            return
        kernels.sign_agreements(
            self.candidates[:count], self.rng.random((2, count)), ih.articulation_rate,
            ih.faculty_resistance, t.i, t.j, agreement, t.base_formality, org.passages,
            org.floor, ih)

    def _employers(self, trust: np.ndarray, now: float) -> None:
        """Employers on the ladder, with trust in the best-trusted convener (M8, M16).

        The ladder runs over all organizations with non-employers masked out, which avoids
        gathering and scattering the employer rows.
        """
        org = self.org
        if not len(self.employers_idx):
            return
        kernels.employer_month(
            self.conv_employer, self.conv_pairs, trust, self.employer_bits,
            org.taking_part.view(np.uint8), org.commitment, org.stage, org.roi, org.burnout,
            org.difficulty, self.activity, now, self.params.region.urgency, self.has_one_stop,
            self.rng.random((4, self.n)), self.params.employers)

    def _decide_contributions(self, s: float, phase: int) -> None:
        """Yearly partner funding decisions once state money falls short (M22, M29; C5).

        In taper and partner-funded years signatories pledged a match: each honours it with
        a logistic chance; a broken pledge means no money and a let-down on the tie with the
        lead.
        """
        p, org = self.params, self.org
        c = p.commitment
        part = org.taking_part
        value = np.clip(0.5 * org.commitment + 1.2 * self.recent_wins.mean() + 0.2 * self.data,
                        0.0, 1.0)
        # Grant money a partner received over the past year crowds its own money out (C3).
        t = self.month
        exposure = float(self.schedule_.state_share[max(0, t - 12):t].mean()) if t else s
        used_to = np.maximum(s, self.grant_receipt * exposure)
        share = rules.contribution_share(value, org.habit, org.champion, self.vision,
                                         org.load, org.money_motivated, used_to, c)
        if phase in (TAPER, PARTNER):
            honour_p = rules.pledge_honour_probability(
                org.commitment, org.leader_id == org.pledge_leader, org.habit,
                p.grant.match_enforced, c)
            honoured = self.rng.random(self.n) < honour_p
            broken = part & org.signatory & ~honoured
            share = np.where(broken, 0.0, np.maximum(share, 0.5 * (honoured & part)))
            for i in np.flatnonzero(broken):
                if i != self.lead:
                    self._let_down(i)
        org.contribution = org.budget * share * part
        self.partner_funding = float(org.contribution.sum())
        cost = self.core_cost
        self.partner_ratio = min(1.0, self.partner_funding / cost) if cost else 0.0

    def _let_down(self, i: int) -> None:
        """A broken pledge costs trust on the tie with the lead (M29; T1 or T3)."""
        t = self.ties
        k = self.incident[i]
        ties.let_down(t, k[t.lead_edge[k] & t.tie[k]], self.params.trust)

    # ------------------------------------------------------------------ records and export
    def active_ties(self, trust: np.ndarray | None = None) -> np.ndarray:
        """Ties with trust above threshold and interaction within the window (§4.2)."""
        t = self.ties
        trust = self.trust() if trust is None else np.ascontiguousarray(trust, dtype=float)
        out = np.zeros(self.n_pairs, dtype=bool)
        kernels.active_ties(t.tie.view(np.uint8), trust, t.idle,
                            self.params.trust.active_threshold, float(self.window),
                            out.view(np.uint8))
        return out

    def _record(self, t: int, s: float, phase: int, trust: np.ndarray,
                active: np.ndarray) -> None:
        org, ts, rec = self.org, self.ties, self.series
        part, ever = org.taking_part, org.ever_part
        # Components are computed on demand from the packed edge sets (sim.components).
        part_w, ever_w, tie_w = self.part_w, self.ever_w, self.tie_w  # masks as 0/1 weights
        n_part, n_active, n_cross, n_ties, n_ever, engaged, met = kernels.record_counts(
            ts.i, ts.j, ts.tie.view(np.uint8), active.view(np.uint8), self.cross_bits,
            part.view(np.uint8), ever.view(np.uint8), self.employers_idx, org.stage,
            org.pledged_stage, self.collaboration_edges[t], part_w, ever_w, tie_w)
        rec["state_share"][t] = s
        rec["phase"][t] = phase
        rec["operating_raw"][t] = (float(org.commitment.dot(part_w)) / self.n
                                   * (0.5 * self.coordination + 0.5 * self.convening))
        rec["program_level"][t] = float(org.program.dot(self.local)) / self.n_local
        rec["taking_part_share"][t] = n_part / self.n
        rec["active_ties"][t] = n_active
        rec["active_cross_sector_ties"][t] = n_cross
        rec["ties"][t] = n_ties
        if n_ties:
            rec["mean_trust"][t] = trust.sum() / n_ties
            rec["mean_personal_trust"][t] = ts.personal.dot(tie_w) / n_ties
            rec["mean_institutional_trust"][t] = ts.institutional.dot(tie_w) / n_ties
        else:
            rec["mean_trust"][t] = rec["mean_personal_trust"][t] = 0.0
            rec["mean_institutional_trust"][t] = 0.0
        rec["institutionalization"][t] = float(org.habit.dot(ever_w)) / n_ever if n_ever else 0.0
        rec["positions_filled"][t] = self.positions_filled
        rec["positions_funded"][t] = self.positions_funded
        rec["partner_funding_ratio"][t] = self.partner_ratio
        rec["convening_intensity"][t] = self.convening
        rec["shared_vision"][t] = self.vision
        rec["data_alignment"][t] = self.data
        n_emp = len(self.employers_idx)
        rec["employers_engaged"][t] = engaged
        rec["employer_pledges_met"][t] = met / n_emp if n_emp else 0.0
        rec["visible_wins"][t] = self.wins
        rec["turnover_events"][t] = self.turnover_events

    def observe(self) -> Observation:
        """The state an observer may read after the last step (ODD §4.11)."""
        org, t = self.org, self.ties
        return Observation(
            month=self.month, attendance=self.attendance,
            sector=read_only(org.sector), taking_part=read_only(org.taking_part),
            attended=read_only(self.attend), commitment=read_only(org.commitment),
            leader=read_only(org.leader_id), rung=read_only(org.stage),
            burnout=read_only(org.burnout), pair_i=read_only(t.i), pair_j=read_only(t.j),
            tie=read_only(t.tie), cross_sector=read_only(t.cross),
            k12_college=read_only(t.k12_college), formed=read_only(t.formed),
            agreement=read_only(t.agreement), trust=read_only(self.trust()))

    def run(self) -> ConsortiumModel:
        """Step through the whole horizon."""
        while self.month < self.months:
            self.step()
        return self

    def graph(self) -> nx.Graph:
        """The partnership graph now, as a networkx Graph.

        Organizations are nodes; current ties are edges with trust layers, age, origin and
        whether the tie is active.
        """
        g = nx.Graph()
        org, t = self.org, self.ties
        for a in self.agents_list:
            i = a.index
            g.add_node(i, kind=a.kind, sector=SECTOR_NAMES[org.sector[i]], x=float(org.x[i]),
                       y=float(org.y[i]), lead=i == self.lead,
                       taking_part=bool(org.taking_part[i]), champion=bool(org.champion[i]),
                       commitment=float(org.commitment[i]))
        trust = self.trust()
        active = self.active_ties(trust)
        grant_end = self.schedule_.grant_end
        for k in np.flatnonzero(t.tie):
            formed = int(t.formed[k])
            origin = ("pre_existing" if formed < 0 else
                      "grant_formed" if formed < grant_end and self.params.grant.award_musd > 0
                      else "formed_later")
            g.add_edge(int(t.i[k]), int(t.j[k]), trust=float(trust[k]),
                       personal_trust=float(t.personal[k]),
                       institutional_trust=float(t.institutional[k]), age=float(t.age[k]),
                       origin=origin, cross_sector=bool(t.cross[k]), active=bool(active[k]),
                       agreement=bool(t.agreement[k]))
        return g
