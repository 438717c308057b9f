"""Organization agents: school districts, community colleges, employers and intermediaries.

Each agent is one node of the partnership graph. Its state lives in the model's arrays
(so tie- and organization-level rules run in bulk); the agent exposes that state by name
and holds the behaviour that happens one organization at a time, such as a change of
leader (M5-M7; science_anchors L1, L2).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import mesa

if TYPE_CHECKING:
    from sim.model import ConsortiumModel

from agents.codes import Sector

K12, COLLEGE, EMPLOYER, INTERMEDIARY = Sector  # in code order
SECTOR_NAMES = ("k12", "college", "employer", "intermediary")


class Organization(mesa.Agent):
    """A consortium member with one leader / boundary spanner who may be a champion."""

    sector: ClassVar[int]
    sector_key: ClassVar[str]

    def __init__(self, model: ConsortiumModel, index: int, kind: str):
        super().__init__(model)
        self.index = index
        self.kind = kind

    # --- state, read from the model's arrays -------------------------------------------
    @property
    def commitment(self) -> float:
        """Commitment to the consortium, 0-1 (C2)."""
        return float(self.model.org.commitment[self.index])

    @property
    def champion(self) -> bool:
        """Whether the current leader champions the work (M5)."""
        return bool(self.model.org.champion[self.index])

    @property
    def taking_part(self) -> bool:
        """Whether the organization currently takes part in the consortium."""
        return bool(self.model.org.taking_part[self.index])

    @property
    def institutionalization(self) -> float:
        """Habit strength of the collaborative practice in this organization, 0-1 (I1)."""
        return float(self.model.org.habit[self.index])

    @property
    def is_lead(self) -> bool:
        """Whether this is the lead (fiscal and convening) agency."""
        return self.index == self.model.lead

    # --- parameters by sector ------------------------------------------------------------
    def turnover_hazard(self) -> float:
        """Annual leader turnover hazard for this sector (L1)."""
        return getattr(self.model.params.leadership, f"turnover_{self.sector_key}")

    def champion_probability(self) -> float:
        """Chance a new leader is a champion (M5)."""
        return getattr(self.model.params.leadership, f"champion_{self.sector_key}")

    def initiative_load(self) -> float:
        """Competing-initiative load (M24)."""
        return getattr(self.model.params.commitment, f"initiative_load_{self.sector_key}")

    def budget_musd(self) -> float:
        """Largest yearly contribution this organization can make (M22)."""
        return getattr(self.model.params.commitment, f"budget_{self.sector_key}_musd")

    # --- behaviour -------------------------------------------------------------------------
    def change_leader(self) -> None:
        """A new leader arrives (M6, M7; L2).

        Personal trust on this organization's ties falls back towards baseline, except for
        the share buffered by onboarding and distributed leadership; institutional trust is
        untouched (T4). The successor is drawn afresh: champion or not, with a disposition
        around the population mean, or around the organization's own if leaders are grown
        internally. So a change can also help (SF8). Commitment moves towards the new
        leader's disposition, less so where the practice is institutionalized (I3).
        """
        m = self.model
        p = m.params
        i = self.index
        buffer = 1.0 - (1.0 - p.leadership.onboarding) * (1.0 - p.leadership.distributed_leadership)
        keep = p.trust.turnover_retention + (1.0 - p.trust.turnover_retention) * buffer
        m.reset_personal_trust(i, keep)
        org = m.org
        champion = bool(m.rng.random() < self.champion_probability())
        org.champion[i] = champion
        current = float(org.commitment[i])
        centre = current if p.leadership.grow_leaders else m.disposition_mean
        draw = centre + p.leadership.successor_spread * float(m.rng.standard_normal())
        disposition = min(1.0, max(0.0, draw + 0.15 * champion))
        sediment = min(1.0, float(org.habit[i]) / max(p.institutionalization.passage_threshold,
                                                      1e-9))
        org.commitment[i] = current + (1.0 - sediment) * (disposition - current)
        org.leader_id[i] += 1
        m.turnover_events += 1


class SchoolDistrict(Organization):
    """A K-12 district or charter organization: hosts pathways, gets most grant money."""

    sector = K12
    sector_key = "district"


class CommunityCollege(Organization):
    """A community college: dual enrollment and articulation; high initiative load (M18, M24)."""

    sector = COLLEGE
    sector_key = "college"


class Employer(Organization):
    """An employer on the engagement ladder (M16, M17)."""

    sector = EMPLOYER
    sector_key = "employer"

    @property
    def engagement_stage(self) -> int:
        """Rung on the ladder: 0 none ... 6 champion/co-investor (M16)."""
        return int(self.model.org.stage[self.index])


class Intermediary(Organization):
    """County office, workforce board, TA provider or chamber: brokers and convenes (M8, M9)."""

    sector = INTERMEDIARY
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
