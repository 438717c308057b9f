"""Connected components of the collaboration network (M7 fragmentation; §4.2, §4.7)."""

from __future__ import annotations

import numpy as np


def largest_component(n: int, i: np.ndarray, j: np.ndarray, keep: np.ndarray) -> int:
    """Size of the largest connected component formed by the kept edges i-j (0 if none).

    Union-find over the kept edges only; consortium graphs have at most a few hundred.
    """
    idx = np.flatnonzero(keep)
    if not len(idx):
        return 0
    parent = list(range(n))

    def root(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for a, b in zip(i[idx].tolist(), j[idx].tolist(), strict=True):
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[ra] = rb
    sizes = np.bincount([root(a) for a in range(n)])
    largest = int(sizes.max())
    return largest if largest >= 2 else 0
