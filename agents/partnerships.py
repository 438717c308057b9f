"""Partnerships: the state of every organization pair, and the verbs of the tie month.

Every unordered pair of organizations has an entry (index ``k``; ``i[k] < j[k]``), tied or
not, so the rules run over arrays. The verbs call the compiled rules of ``agents.ties``
(interaction, formation, dissolution), the trust rule the run chose (``agents.trust``) and
the articulation rules of ``agents.institutions``. ``model.graph()`` exports the current
ties as a networkx graph.
"""

from __future__ import annotations

from typing import Any

import networkx as nx
import numpy as np

from agents import commitment, institutions, ties
from agents.codes import Sector

PRE_EXISTING = -1  # ``formed`` of a tie that stood before the grant
NEVER = np.iinfo(np.int64).max  # ``formed`` of a pair that never had a tie
IDLE_NEVER = 999.0  # ``idle`` of a pair without a tie: it has never interacted


class Partnerships:
    """Per-pair arrays over the upper triangle of organization pairs, and their verbs.

    Construction lays down the collaboration history before the grant (M10): a prior
    network, trust and formality on its ties, habits in its members. It draws, in this
    order: the prior network (``networkx.gnp_random_graph`` seeded from the model's
    generator), the trust on prior ties, their ages.
    """

    def __init__(self, orgs: Any, rules: Any, rule: Any, rng: np.random.Generator):
        r, tr = rules.region, rules.trust
        n = self.n = orgs.n
        self.i, self.j = np.triu_indices(n, 1)
        m = self.m = len(self.i)
        si, sj = orgs.sector[self.i], orgs.sector[self.j]
        self.cross = si != sj
        self.distance = np.hypot(orgs.x[self.i] - orgs.x[self.j], orgs.y[self.i] - orgs.y[self.j])
        prior = np.zeros((n, n), dtype=bool)
        for a, b in nx.gnp_random_graph(n, r.prior_tie_density, seed=rng).edges():
            prior[a, b] = prior[b, a] = True
        self.tie = prior[self.i, self.j]
        # The pre-grant cluster: organizations with enough prior ties (M10, M31).
        orgs.prior_member[np.flatnonzero(prior.sum(axis=1) >= r.prior_cluster_ties)] = True
        self.personal = np.where(self.tie, np.clip(
            r.prior_trust + r.prior_trust_spread * rng.standard_normal(m), 0.0, 1.0), 0.0)
        self.positive, self.negative = np.zeros(m), np.zeros(m)  # evidence (T3 only)
        self.rule = rule
        rule.prior(self)
        self.institutional = self.personal * r.prior_infrastructure
        self.age = np.where(self.tie, rng.integers(r.prior_tie_age_min, r.prior_tie_age_max + 1,
                                                   m), 0).astype(float)
        self.idle = np.where(self.tie, 0, IDLE_NEVER).astype(float)
        self.formed = np.where(self.tie, PRE_EXISTING, NEVER).astype(np.int64)
        self.agreement = np.zeros(m, dtype=bool)
        self.prior_formality = np.where(self.tie, r.prior_infrastructure, 0.0)
        self.base_formality = self.prior_formality.copy()
        self.formality = self.prior_formality.copy()
        # Fixed features of each pair.
        self.near = np.exp(-self.distance / rules.ties.travel_scale_km)
        self.competitive = (si == Sector.COLLEGE) & (sj == Sector.COLLEGE)
        self.lead_edge = (self.i == orgs.lead) | (self.j == orgs.lead)
        self.lead_pairs = np.flatnonzero(self.lead_edge)
        self.k12_college = (((si == Sector.K12) & (sj == Sector.COLLEGE))
                            | ((si == Sector.COLLEGE) & (sj == Sector.K12)))
        self.complementarity = np.where(self.cross, rules.ties.cross_sector_preference, 1.0)
        self.openness = ties.openness(orgs.prior_member[self.i], orgs.prior_member[self.j],
                                      rules)
        self.letdown_base = ties.letdown_base(self.competitive, rules)
        self.incident = [np.flatnonzero((self.i == k) | (self.j == k)) for k in range(n)]
        # This month's working state, filled by the passes.
        self.coattend = np.zeros(m, dtype=bool)
        self.interacted = np.zeros(m, dtype=bool)
        self.signal = np.zeros(m, dtype=np.int8)
        self.trust = np.zeros(m)
        self.common = np.zeros(m)
        self.hazard = np.zeros(m)
        self.formation_chance = np.zeros(m)
        self.active = np.zeros(m, dtype=bool)
        self.candidates = np.zeros(m, dtype=np.int64)
        self.common_matrix = np.zeros((n, n))  # adjacency @ adjacency, while ties stand
        self.referral_scratch = np.zeros((n, n))
        self.changed = True  # whether ties formed or dissolved since common partners were counted
        self.draws = np.zeros((4, m))  # this month's uniforms per pair, refilled in place
        rule.combine(self)
        ties.active(self, tr.active_threshold, float(rules.ties.inactive_window_months))
        # Pre-existing ties carry the habits of prior infrastructure into their members.
        orgs.habit[orgs.prior_member] = r.prior_infrastructure

    def trusted_partners(self, threshold: float, part: np.ndarray, commitment_: np.ndarray,
                         willing: float) -> np.ndarray:
        """Per organization, trusted tied partners who take part or are willing to (M4).

        Trusted: trust at least ``threshold``; willing: in ``part`` or committed at least
        ``willing``.
        """
        return commitment.trusted_partners(self, threshold, part, commitment_, willing)

    def trust_in(self, org: int) -> np.ndarray:
        """Per organization, the trust on its tie with ``org``: 0 without a tie, 1 for ``org``.

        Read by partners weighing a pledge to the lead (M29).
        """
        k = self.incident[org]
        out = np.zeros(self.n)
        out[np.where(self.i[k] == org, self.j[k], self.i[k])] = self.trust[k]
        out[org] = 1.0
        return out

    # --- the tie month (ODD §3, sub-steps 8-10) ------------------------------------------
    def work_together(self, meeting: Any, consortium: Any, rules: Any,
                      rng: np.random.Generator) -> None:
        """Interaction and signals, two-layer trust, ageing and risks (M1-M3, M11, M33; T1-T4).

        Draws four uniforms per pair: interaction, signal, formation, dissolution.
        """
        rng.random(out=self.draws)
        self.rule.set_rates(consortium.backbone_share, consortium.ta)
        if self.changed:
            ties.common_partners(self)
        ties.interact(self, meeting, consortium, rules, self.draws)
        self.rule.month(self)
        ties.age_and_risk(self, consortium, rules)

    def form_and_dissolve(self, month: int, rules: Any) -> None:
        """Ties dissolve and form (N1, N3; T5), then the month's active ties (§4.2)."""
        formed, dissolved = ties.form_and_dissolve(self, self.rule, month, self.draws)
        self.changed = bool(formed or dissolved)
        ties.active(self, rules.trust.active_threshold,
                    float(rules.ties.inactive_window_months))

    def sign_agreements(self, orgs: Any, rules: Any, rng: np.random.Generator) -> None:
        """District-college pairs attempt articulation agreements (M18; SF20).

        Two draws per candidate pair, and none when there is no candidate.
        """
        candidates = institutions.agreement_candidates(orgs, self, rules)
        if len(candidates):
            institutions.sign_agreements(orgs, self, candidates, rules,
                                         rng.random((2, len(candidates))))

    # --- losses outside the tie month -----------------------------------------------------
    def reset_personal(self, org: int, keep: float) -> None:
        """Personal trust on ``org``'s ties keeps the share ``keep`` (T4; M6, M7)."""
        self.rule.reset(self, self.incident[org], keep)

    def let_down_by_lead(self) -> None:
        """The lead imposes its own agenda: partners are let down on all its ties (M26)."""
        k = self.lead_pairs
        self.rule.let_down(self, k[self.tie[k]])

    def let_down_lead(self, org: int) -> None:
        """``org`` lets the lead down on their tie, if they have one (M29)."""
        k = self.incident[org]
        self.rule.let_down(self, k[self.lead_edge[k] & self.tie[k]])
