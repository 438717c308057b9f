"""What an observer may read of a running model: one month's state by name (ODD §4.11).

Validation probes, figures and the dashboard read the model through
:meth:`ConsortiumModel.observe`, never through its internal arrays or scratch buffers, so
the model's internals can change without touching them. Arrays are read-only views of the
model's current state (copy one to keep it past the next step).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Observation:
    """The model's state after the month ``month - 1`` (``month`` months stepped).

    Per organization (index = organization): ``sector`` (``agents.codes.Sector``),
    ``taking_part``, ``attended`` (was at a meeting this month), ``commitment``,
    ``leader`` (number of the current leader, +1 at each change), ``rung`` (employer
    engagement rung, ``agents.codes.Rung``; 0 for non-employers) and ``burnout``.

    Per organization pair (the upper triangle, ``pair_i < pair_j``): ``tie`` (a current
    partnership tie), ``cross_sector``, ``k12_college``, ``formed`` (month the tie formed,
    -1 before the grant), ``agreement`` (articulation agreement) and ``trust`` (combined
    trust, zero where there is no tie).
    """

    month: int
    attendance: float
    sector: np.ndarray
    taking_part: np.ndarray
    attended: np.ndarray
    commitment: np.ndarray
    leader: np.ndarray
    rung: np.ndarray
    burnout: np.ndarray
    pair_i: np.ndarray
    pair_j: np.ndarray
    tie: np.ndarray
    cross_sector: np.ndarray
    k12_college: np.ndarray
    formed: np.ndarray
    agreement: np.ndarray
    trust: np.ndarray


def read_only(a: np.ndarray) -> np.ndarray:
    """A view of ``a`` that cannot be written through."""
    v = a.view()
    v.flags.writeable = False
    return v
