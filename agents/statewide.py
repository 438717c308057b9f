"""What couples the consortia of a statewide cohort: the state's coaches and later grants.

- **System-level coaching is scarce statewide (M9).** "There are a lot of support providers
  who know how to do a lot of good ground-up work. But there are not a lot who know how to
  do system-down work" (001). Each consortium whose TA contract runs asks the state's pool
  for its ``grant.ta_system_share``; when the cohort (and other grantees) ask for more than
  the pool holds, every consortium gets the same part of what it asked (:func:`coaching_supply`).
  Program-level TA, which the seeds call plentiful, is not pooled.
- **A later cohort's grants land in some regions (SF25, M23).** "Several Cohort 1 consortia
  have a Cohort 2 CCPT grant in the same or nearby region" (001): the grants go to regions
  drawn with chances in proportion to M23's win chance (:func:`overlap_awards`), and each
  becomes a follow-on grant of the consortium there.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from agents import money


def coaching_supply(capacity: float, asked: float) -> float:
    """Share of the system-level coaching asked for that the state's pool gives (M9).

    All of it while the pool covers what is asked, else ``capacity / asked``: every
    consortium gets the same part.
    """
    if asked <= capacity:
        return 1.0
    return capacity / asked


def coaching_asked(models: Sequence[Any], month: int) -> float:
    """System-level coaching the consortia ask of the pool this month (M9).

    The system share of each consortium whose TA contract runs (``Consortium.ta_until``).
    """
    return float(sum(m.rules.grant.ta_system_share for m in models
                     if m.consortium.ta_until > month))


def overlap_awards(models: Sequence[Any], grants: int, rng: np.random.Generator) -> np.ndarray:
    """Which consortia a later cohort's ``grants`` land with (SF25, M23).

    Drawn without replacement, each with chance in proportion to its M23 win chance
    (habits and shared data) now; uniform when fewer consortia than grants have any
    chance. One ``rng.choice`` call.
    """
    n = len(models)
    if grants <= 0 or n == 0:
        return np.zeros(0, dtype=int)
    w = np.array([money.win_chance(m.consortium.habits, m.consortium.data, m.rules)
                  for m in models], dtype=float)
    p = w / w.sum() if w.sum() > 0 and np.count_nonzero(w) >= grants else None
    return np.sort(rng.choice(n, size=min(grants, n), replace=False, p=p))
