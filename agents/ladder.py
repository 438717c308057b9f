"""The employer engagement ladder: each employer's rung, return and burnout (M16, M17, M28).

The arrays run over all organizations, zero for the non-employers, so the ladder's state
lines up with the organizations' own; its verb calls the compiled ladder rules of
``agents.employers``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from agents import employers
from agents.codes import Rung, Sector


class EmployerLadder:
    """Rung, return, burnout, pledged rung, sector barrier and brokering of every employer.

    Construction draws, in this order: starting rungs, starting returns, pledged rungs.
    """

    def __init__(self, orgs: Any, rules: Any, rng: np.random.Generator):
        e, n = rules.employers, orgs.n
        self.is_employer = orgs.sector == Sector.EMPLOYER
        self.employers = np.flatnonzero(self.is_employer)
        self.rung = np.where(self.is_employer, rng.integers(0, e.initial_rung_max + 1, n),
                             0).astype(np.int64)
        self.roi = np.where(self.is_employer, rng.uniform(0.0, e.initial_roi_max, n), 0.0)
        self.burnout = np.zeros(n)
        self.pledged_rung = np.where(self.is_employer,
                                     rng.integers(e.pledged_rung_min, e.pledged_rung_max + 1, n),
                                     0)
        self.difficulty = np.where(self.is_employer, employers.barriers(orgs.industry, rules),
                                   0.0)
        # Brokering each employer gets this month from its best intermediary (M8).
        self.brokered = np.zeros(n)
        self.convener_pairs = np.zeros(0, dtype=np.int64)
        self.convener_employer = np.zeros(0, dtype=np.int64)
        self.convener = np.zeros(0, dtype=np.int64)

    def find_conveners(self, orgs: Any, ties: Any) -> None:
        """The pairs of an employer and a convener (an intermediary or the lead; M8)."""
        convener = orgs.sector == Sector.INTERMEDIARY
        convener[orgs.lead] = True
        emp_i = self.is_employer[ties.i] & convener[ties.j]
        emp_j = self.is_employer[ties.j] & convener[ties.i]
        self.convener_pairs = np.flatnonzero(emp_i | emp_j)
        self.convener_employer = np.where(emp_i, ties.i, ties.j)[self.convener_pairs]
        self.convener = np.where(emp_i, ties.j, ties.i)[self.convener_pairs]

    def ask_mismatch(self) -> np.ndarray:
        """Per organization, the rungs pledged in the proposal beyond the rung reached (M29).

        As a share of the ladder's top rung; zero for non-employers and for employers at or
        above their pledged rung.
        """
        return np.maximum(self.pledged_rung - self.rung, 0) / Rung.CHAMPION
    def advisors_share(self, taking_part: np.ndarray) -> float:
        """Share of the employers taking part as advisors or deeper (0 without employers; M12)."""
        return employers.advisors_share(self.rung, taking_part, len(self.employers))

    def climb(self, orgs: Any, ties: Any, consortium: Any, rules: Any,
              rng: np.random.Generator) -> None:
        """One month on the ladder (M16); four draws per organization, none without employers."""
        if len(self.employers):
            employers.climb(self, orgs, ties, consortium, rules, rng.random((4, orgs.n)))
