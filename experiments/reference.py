"""Reference problems with known sensitivity indices, for checking the sweep and analysis.

Each problem is a module-level, picklable model function with the sweep interface
``f(params, rng, *, noise=0.0) -> {"y": value}``. Inputs are read from ``params`` by name
(``x1``, ``x2``, ...). The only randomness is the optional additive noise
``noise * rng.standard_normal()``; one normal is drawn on every call, so the random stream
a replicate uses does not depend on the noise level.

Next to each function sit its SALib problem dict and its analytic first-order (S1) and
total (ST) Sobol indices, so a study over these functions has answers to compare with.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

# ------------------------------------------------------------------------------ Ishigami
ISHIGAMI_A = 7.0
ISHIGAMI_B = 0.1
ISHIGAMI_PROBLEM = {
    "num_vars": 3,
    "names": ["x1", "x2", "x3"],
    "bounds": [[-math.pi, math.pi] for _ in range(3)],
}


def ishigami(params: Mapping[str, float], rng: np.random.Generator, *,
             noise: float = 0.0, a: float = ISHIGAMI_A, b: float = ISHIGAMI_B) -> dict[str, float]:
    """Ishigami function ``sin x1 + a sin^2 x2 + b x3^4 sin x1`` on ``[-pi, pi]^3``.

    Ishigami & Homma 1990, "An importance quantification technique in uncertainty
    analysis for computer models", ISUMA '90, pp. 398-403. With ``a = 7``, ``b = 0.1``
    the indices are S1 = (0.3139, 0.4424, 0) and ST = (0.5576, 0.4424, 0.2437).
    """
    x1, x2, x3 = (float(params[k]) for k in ("x1", "x2", "x3"))
    y = math.sin(x1) + a * math.sin(x2) ** 2 + b * x3 ** 4 * math.sin(x1)
    return {"y": y + noise * float(rng.standard_normal())}


def ishigami_variance(a: float = ISHIGAMI_A, b: float = ISHIGAMI_B) -> float:
    """Output variance of the Ishigami function with uniform inputs on ``[-pi, pi]``.

    ``V = a^2/8 + b pi^4/5 + b^2 pi^8/18 + 1/2`` (Ishigami & Homma 1990; Saltelli et al.
    2008, Global Sensitivity Analysis: The Primer, §4.6).
    """
    return a ** 2 / 8 + b * math.pi ** 4 / 5 + b ** 2 * math.pi ** 8 / 18 + 0.5


def ishigami_indices(a: float = ISHIGAMI_A,
                     b: float = ISHIGAMI_B) -> tuple[np.ndarray, np.ndarray]:
    """Analytic (S1, ST) of the Ishigami function.

    Partial variances: ``V1 = (1 + b pi^4/5)^2 / 2``, ``V2 = a^2/8``, ``V3 = 0`` and the
    only interaction ``V13 = 8 b^2 pi^8 / 225``.
    """
    v = ishigami_variance(a, b)
    v1 = 0.5 * (1 + b * math.pi ** 4 / 5) ** 2
    v2 = a ** 2 / 8
    v13 = 8 * b ** 2 * math.pi ** 8 / 225
    s1 = np.array([v1, v2, 0.0]) / v
    st = np.array([v1 + v13, v2, v13]) / v
    return s1, st


ISHIGAMI_S1, ISHIGAMI_ST = ishigami_indices()

# ------------------------------------------------------------------------------ Sobol G
SOBOL_G_A = (0.0, 1.0, 4.5, 9.0, 99.0, 99.0, 99.0, 99.0)
SOBOL_G_PROBLEM = {
    "num_vars": len(SOBOL_G_A),
    "names": [f"x{i + 1}" for i in range(len(SOBOL_G_A))],
    "bounds": [[0.0, 1.0] for _ in SOBOL_G_A],
}


def sobol_g(params: Mapping[str, float], rng: np.random.Generator, *,
            noise: float = 0.0, a: Sequence[float] = SOBOL_G_A) -> dict[str, float]:
    """Sobol' G function ``prod_i (|4 x_i - 2| + a_i) / (1 + a_i)`` on ``[0, 1]^k``.

    Saltelli et al. 2010, "Variance based sensitivity analysis of model output. Design
    and estimator for the total sensitivity index", Comput. Phys. Commun. 181:259-270
    (test function of §5). A small ``a_i`` makes ``x_i`` important; ``a_i = 99`` makes it
    almost inert. ``k = len(a)`` inputs ``x1..xk`` are read.
    """
    y = 1.0
    for i, ai in enumerate(a):
        y *= (abs(4.0 * float(params[f"x{i + 1}"]) - 2.0) + ai) / (1.0 + ai)
    return {"y": y + noise * float(rng.standard_normal())}


def sobol_g_indices(a: Sequence[float] = SOBOL_G_A) -> tuple[np.ndarray, np.ndarray]:
    """Analytic (S1, ST) of the Sobol' G function from the product formula.

    ``V_i = 1 / (3 (1 + a_i)^2)``, ``V = prod_i (1 + V_i) - 1``, ``S1_i = V_i / V`` and
    ``ST_i = V_i prod_{j != i} (1 + V_j) / V`` (Saltelli et al. 2010, eqs. 29-30).
    """
    vi = 1.0 / (3.0 * (1.0 + np.asarray(a, dtype=float)) ** 2)
    total = float(np.prod(1.0 + vi)) - 1.0
    s1 = vi / total
    st = vi * np.prod(1.0 + vi) / (1.0 + vi) / total
    return s1, st


SOBOL_G_S1, SOBOL_G_ST = sobol_g_indices()

# ------------------------------------------------------------------------------ linear
LINEAR_B = (1.0, -2.0, 0.5, 0.0)
LINEAR_PROBLEM = {
    "num_vars": len(LINEAR_B),
    "names": [f"x{i + 1}" for i in range(len(LINEAR_B))],
    "bounds": [[0.0, 1.0], [0.0, 2.0], [-1.0, 3.0], [0.0, 10.0]],
}


def linear(params: Mapping[str, float], rng: np.random.Generator, *,
           noise: float = 0.0, b: Sequence[float] = LINEAR_B) -> dict[str, float]:
    """Additive linear model ``sum_i b_i x_i + noise * N(0, 1)``.

    For independent inputs the variance splits exactly into ``b_i^2 Var(x_i)``, so
    S1 = ST, and every elementary effect of ``x_i`` is ``b_i`` times the step (Morris 1991,
    Technometrics 33:161-174). ``k = len(b)`` inputs ``x1..xk`` are read.
    """
    y = sum(bi * float(params[f"x{i + 1}"]) for i, bi in enumerate(b))
    return {"y": y + noise * float(rng.standard_normal())}


def linear_indices(b: Sequence[float] = LINEAR_B,
                   bounds: Sequence[Sequence[float]] = LINEAR_PROBLEM["bounds"],
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Analytic S1 (= ST) of the linear model with uniform inputs.

    ``Var(x_i) = (hi - lo)^2 / 12``; ``S_i = b_i^2 Var(x_i) / sum_j b_j^2 Var(x_j)``.

    Returns:
        (S1, ST), equal arrays.
    """
    span = np.array([hi - lo for lo, hi in bounds], dtype=float)
    part = np.asarray(b, dtype=float) ** 2 * span ** 2 / 12.0
    s = part / part.sum()
    return s, s.copy()


def linear_morris(b: Sequence[float] = LINEAR_B,
                  bounds: Sequence[Sequence[float]] = LINEAR_PROBLEM["bounds"],
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Analytic Morris (mu_star, sigma) of the linear model.

    SALib measures elementary effects per unit of the [0, 1]-scaled input, so
    ``mu* = |b_i| (hi - lo)``; every effect of a factor is the same, so ``sigma = 0``.
    """
    span = np.array([hi - lo for lo, hi in bounds], dtype=float)
    return np.abs(np.asarray(b, dtype=float)) * span, np.zeros(len(span))


LINEAR_S1, LINEAR_ST = linear_indices()
LINEAR_MU_STAR, LINEAR_SIGMA = linear_morris()
