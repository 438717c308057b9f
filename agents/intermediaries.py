"""Intermediaries: the brokers of employer engagement and the TA providers (M8, M9).

Workforce boards, county offices and chambers broker employers with a quality of their own;
TA providers give technical assistance while their contract runs. The arrays run over all
organizations, zero for those that are neither, so they line up with the organizations'
own; the verbs call the compiled rules of ``agents.intermediation``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from agents import intermediation
from agents.codes import Sector

TA_PROVIDER = "ta_provider"
"""The kind of organization that gives technical assistance rather than brokering (M9)."""


class Intermediaries:
    """Brokering quality and strength of each intermediary, and who gives TA (M8, M9).

    Construction draws once, last of all the model's construction draws: each
    organization's starting brokering quality, kept for the intermediaries that broker.
    """

    def __init__(self, orgs: Any, ladder: Any, rules: Any, rng: np.random.Generator):
        p, n = rules.intermediaries, orgs.n
        ta = np.array([a.kind == TA_PROVIDER for a in orgs.agents], dtype=bool)
        broker = (orgs.sector == Sector.INTERMEDIARY) & ~ta
        self.brokers = np.flatnonzero(broker)
        self.ta_providers = np.flatnonzero(ta)
        # Each pair of an employer and a broker among the ladder's conveners: pair, employer,
        # broker.
        mine = broker[ladder.convener]
        self.slots = np.ascontiguousarray(np.stack(
            [ladder.convener_pairs[mine], ladder.convener_employer[mine],
             ladder.convener[mine]], axis=1), dtype=np.int64)
        self.quality = np.where(broker, np.clip(p.quality_mean + p.quality_spread
                                                * rng.standard_normal(n), 0.0, 1.0), 0.0)
        self.strength = np.zeros(n)  # brokering this month: quality x work
        self.leader_seen = orgs.leader_id.copy()  # a change loses quality (M7, M8)

    def assist(self, orgs: Any, consortium: Any) -> None:
        """The month's technical assistance: the share of TA providers taking part (M9).

        Only while their contract runs (``consortium.ta_active``).
        """
        contracted = consortium.ta_active
        consortium.ta = (intermediation.technical_assistance(contracted, orgs.taking_part,
                                                             self.ta_providers)
                         if contracted else 0.0)

    def broker(self, orgs: Any, ties: Any, ladder: Any, consortium: Any, rules: Any) -> None:
        """A month of brokering: quality moves, each employer gets its best broker's (M8)."""
        intermediation.broker(self, orgs, ties, ladder, consortium, rules)
