"""Reference problems: analytic indices checked by quadrature, determinism, noise from rng."""

from __future__ import annotations

import itertools
import math
import pickle

import numpy as np
import pytest

from experiments import reference as ref

RNG_SEED = 11


def gauss(lo: float, hi: float, n: int = 24, pieces: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Gauss-Legendre nodes and weights for the uniform density on [lo, hi]."""
    x, w = np.polynomial.legendre.leggauss(n)
    edges = np.linspace(lo, hi, pieces + 1)
    nodes, weights = [], []
    for a, b in itertools.pairwise(edges):
        nodes.append((b - a) / 2 * x + (a + b) / 2)
        weights.append(w * (b - a) / 2 / (hi - lo))
    return np.concatenate(nodes), np.concatenate(weights)


def quadrature_indices(f, axes: list[tuple[np.ndarray, np.ndarray]]) -> tuple:
    """First-order and total indices of f(x1, ..., xk) on a tensor grid, by conditional
    variances: S1_i = Var(E[f|x_i]) / V and ST_i = E[Var(f|x_~i)] / V."""
    grids = np.meshgrid(*[a[0] for a in axes], indexing="ij")
    w = np.ones_like(grids[0])
    for i, (_, wi) in enumerate(axes):
        shape = [1] * len(axes)
        shape[i] = -1
        w = w * wi.reshape(shape)
    y = f(*grids)
    mean = float(np.sum(w * y))
    var = float(np.sum(w * (y - mean) ** 2))
    s1, st = [], []
    for i in range(len(axes)):
        others = tuple(j for j in range(len(axes)) if j != i)
        wi = axes[i][1]
        cond = np.sum(w * y, axis=others) / wi
        s1.append(float(np.sum(wi * (cond - mean) ** 2)) / var)
        w_rest = np.sum(w, axis=i, keepdims=True)
        cond_rest = np.sum(w * y, axis=i, keepdims=True) / w_rest
        st.append(float(np.sum(w * (y - cond_rest) ** 2)) / var)
    return mean, var, np.array(s1), np.array(st)


def ishigami_vec(x1, x2, x3, a=ref.ISHIGAMI_A, b=ref.ISHIGAMI_B):
    return np.sin(x1) + a * np.sin(x2) ** 2 + b * x3 ** 4 * np.sin(x1)


# --------------------------------------------------------------------------- Ishigami
def test_ishigami_constants_match_published_values() -> None:
    np.testing.assert_allclose(ref.ISHIGAMI_S1, [0.3139, 0.4424, 0.0], atol=5e-5)
    np.testing.assert_allclose(ref.ISHIGAMI_ST, [0.5576, 0.4424, 0.2437], atol=5e-5)


def test_ishigami_variance_and_indices_match_quadrature() -> None:
    axis = gauss(-math.pi, math.pi, n=40)
    mean, var, s1, st = quadrature_indices(ishigami_vec, [axis] * 3)
    assert mean == pytest.approx(ref.ISHIGAMI_A / 2, rel=1e-10)
    assert var == pytest.approx(ref.ishigami_variance(), rel=1e-10)
    np.testing.assert_allclose(s1, ref.ISHIGAMI_S1, atol=1e-10)
    np.testing.assert_allclose(st, ref.ISHIGAMI_ST, atol=1e-10)


def test_ishigami_other_coefficients_match_quadrature() -> None:
    axis = gauss(-math.pi, math.pi, n=40)
    _, var, s1, st = quadrature_indices(lambda x1, x2, x3: ishigami_vec(x1, x2, x3, 5.0, 0.3),
                                        [axis] * 3)
    assert var == pytest.approx(ref.ishigami_variance(5.0, 0.3), rel=1e-10)
    exp_s1, exp_st = ref.ishigami_indices(5.0, 0.3)
    np.testing.assert_allclose(s1, exp_s1, atol=1e-10)
    np.testing.assert_allclose(st, exp_st, atol=1e-10)


def test_ishigami_point_values() -> None:
    rng = np.random.default_rng(RNG_SEED)
    assert ref.ishigami({"x1": 0.0, "x2": 0.0, "x3": 0.0}, rng) == {"y": 0.0}
    y = ref.ishigami({"x1": math.pi / 2, "x2": math.pi / 2, "x3": 1.0}, rng)["y"]
    assert y == pytest.approx(1 + 7 + 0.1)


# --------------------------------------------------------------------------- Sobol G
def test_sobol_g_index_properties() -> None:
    s1, st = ref.SOBOL_G_S1, ref.SOBOL_G_ST
    assert np.all(st >= s1 - 1e-15)
    assert 0.0 < s1.sum() < 1.0 < st.sum()
    assert np.all(np.diff(st[:5]) < 0)            # a grows -> less important
    np.testing.assert_allclose(st[4:], st[4])      # equal a, equal indices
    assert st[4] < 2e-4 and st[0] > 0.75


def test_sobol_g_single_and_equal_factors() -> None:
    s1, st = ref.sobol_g_indices([3.0])
    assert s1[0] == pytest.approx(1.0) and st[0] == pytest.approx(1.0)
    s1, st = ref.sobol_g_indices([0.0] * 4)
    np.testing.assert_allclose(s1, s1[0])
    np.testing.assert_allclose(st, st[0])


def test_sobol_g_indices_match_quadrature() -> None:
    a = (0.0, 1.0, 9.0)
    axis = gauss(0.0, 1.0, n=8, pieces=2)   # |4x - 2| is linear on each half: exact

    def g(*xs):
        out = np.ones_like(xs[0])
        for x, ai in zip(xs, a, strict=True):
            out = out * (np.abs(4 * x - 2) + ai) / (1 + ai)
        return out

    mean, _, s1, st = quadrature_indices(g, [axis] * 3)
    exp_s1, exp_st = ref.sobol_g_indices(a)
    assert mean == pytest.approx(1.0, rel=1e-12)
    np.testing.assert_allclose(s1, exp_s1, atol=1e-12)
    np.testing.assert_allclose(st, exp_st, atol=1e-12)


def test_sobol_g_point_values() -> None:
    rng = np.random.default_rng(RNG_SEED)
    half = {f"x{i + 1}": 0.5 for i in range(8)}
    # x1 = 0.5 with a1 = 0 makes the whole product 0
    assert ref.sobol_g(half, rng)["y"] == 0.0
    ones = {f"x{i + 1}": 1.0 for i in range(8)}
    expected = math.prod((2 + ai) / (1 + ai) for ai in ref.SOBOL_G_A)
    assert ref.sobol_g(ones, rng)["y"] == pytest.approx(expected)
    assert ref.sobol_g({"x1": 0.0}, rng, a=(0.0,))["y"] == pytest.approx(2.0)


# --------------------------------------------------------------------------- linear
def test_linear_values_and_indices() -> None:
    rng = np.random.default_rng(RNG_SEED)
    params = {"x1": 1.0, "x2": 1.0, "x3": 1.0, "x4": 1.0}
    assert ref.linear(params, rng)["y"] == pytest.approx(1.0 - 2.0 + 0.5 + 0.0)
    var = np.array([1 / 12, 4 / 12, 16 / 12, 100 / 12]) * np.array(ref.LINEAR_B) ** 2
    np.testing.assert_allclose(ref.LINEAR_S1, var / var.sum())
    np.testing.assert_array_equal(ref.LINEAR_S1, ref.LINEAR_ST)
    assert ref.LINEAR_S1.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(ref.LINEAR_MU_STAR, [1.0, 4.0, 2.0, 0.0])
    np.testing.assert_array_equal(ref.LINEAR_SIGMA, 0.0)


def test_linear_monte_carlo_variance() -> None:
    rng = np.random.default_rng(3)
    lo, hi = np.array(ref.LINEAR_PROBLEM["bounds"]).T
    x = lo + (hi - lo) * rng.random((200_000, 4))
    y = x @ np.array(ref.LINEAR_B)
    part = np.array(ref.LINEAR_B) ** 2 * (hi - lo) ** 2 / 12
    assert y.var() == pytest.approx(part.sum(), rel=0.01)


# --------------------------------------------------------------------------- contract
FUNCTIONS = [
    (ref.ishigami, ref.ISHIGAMI_PROBLEM),
    (ref.sobol_g, ref.SOBOL_G_PROBLEM),
    (ref.linear, ref.LINEAR_PROBLEM),
]


def _params(problem: dict, rng: np.random.Generator) -> dict[str, float]:
    return {n: float(rng.uniform(lo, hi)) for n, (lo, hi) in zip(problem["names"],
                                                                 problem["bounds"], strict=True)}


@pytest.mark.parametrize(("f", "problem"), FUNCTIONS)
def test_problem_dicts_are_consistent(f, problem) -> None:
    assert problem["num_vars"] == len(problem["names"]) == len(problem["bounds"])
    assert all(lo < hi for lo, hi in problem["bounds"])


@pytest.mark.parametrize(("f", "problem"), FUNCTIONS)
def test_noise_comes_only_from_rng(f, problem) -> None:
    params = _params(problem, np.random.default_rng(5))
    clean = f(params, np.random.default_rng(1))["y"]
    assert f(params, np.random.default_rng(2))["y"] == clean   # no noise: seed irrelevant
    global_state = np.random.get_state()  # noqa: NPY002
    a = f(params, np.random.default_rng(1), noise=0.5)["y"]
    b = f(params, np.random.default_rng(1), noise=0.5)["y"]
    c = f(params, np.random.default_rng(2), noise=0.5)["y"]
    assert a == b and a != c
    z = np.random.default_rng(1).standard_normal()
    assert a == pytest.approx(clean + 0.5 * z, abs=1e-12)
    after = np.random.get_state()  # noqa: NPY002
    assert np.array_equal(after[1], global_state[1])
    # exactly one normal is drawn per call, noisy or not
    rng1, rng2 = np.random.default_rng(4), np.random.default_rng(4)
    f(params, rng1)
    f(params, rng2, noise=2.0)
    assert rng1.random() == rng2.random()


@pytest.mark.parametrize(("f", "problem"), FUNCTIONS)
def test_functions_pickle_and_return_floats(f, problem) -> None:
    g = pickle.loads(pickle.dumps(f))
    params = _params(problem, np.random.default_rng(9))
    out = g(params, np.random.default_rng(0))
    assert set(out) == {"y"} and isinstance(out["y"], float)
    assert out == f(params, np.random.default_rng(0))
