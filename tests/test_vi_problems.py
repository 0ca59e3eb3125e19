"""VI problem generators: known solutions and constants, closed forms, and clear errors."""

import math

import numpy as np
import pytest

from problems.comonotone import (
    comonotone_blocks,
    comonotone_rotation,
    proximal_point_worst_case,
    rotation,
    rotation_fixed_point,
)
from problems.vi import (
    affine_operator,
    bilinear_game,
    cocoercive_finite_sum,
    strongly_monotone_linear,
)


def test_bilinear_game_solution_constants_and_skewness():
    s = np.linspace(0.01, 1.0, 6)
    g = bilinear_game(s, seed=3)
    np.testing.assert_allclose(g.operator(g.z_star), 0.0, atol=1e-12)
    np.testing.assert_allclose(g.M, -g.M.T)
    assert g.L == pytest.approx(1.0) and g.mu == 0.0 and g.skew
    A = g.M[:6, 6:]
    np.testing.assert_allclose(np.linalg.svd(A, compute_uv=False), s[::-1], rtol=1e-12)
    assert np.linalg.norm(g.M, 2) == pytest.approx(1.0)
    # without linear terms the solution is the origin
    np.testing.assert_array_equal(bilinear_game(s, linear_terms=False).z_star, 0.0)


def test_restricted_merit_is_the_maximum_over_the_ball():
    g = bilinear_game([0.3, 1.0, 2.0], seed=1)
    rng = np.random.default_rng(0)
    center = rng.standard_normal(6)
    z_hat = g.z_star + rng.standard_normal(6)
    radius = 1.7
    closed = g.restricted_merit(z_hat, center, radius)
    # brute force: <V(z), z_hat - z> is affine in z for a skew M, so its maximum over the ball
    # lies on the sphere; sample the sphere densely and compare
    u = rng.standard_normal((200_000, 6))
    z = center + radius * u / np.linalg.norm(u, axis=1, keepdims=True)
    values = np.einsum("ij,ij->i", g.operator(z), z_hat - z)
    assert values.max() <= closed + 1e-9
    assert values.max() == pytest.approx(closed, rel=2e-2)
    # the maximiser of the closed form attains it exactly
    c = -g.operator(z_hat)
    zmax = center + radius * c / np.linalg.norm(c)
    assert g.operator(zmax) @ (z_hat - zmax) == pytest.approx(closed, rel=1e-12)
    # zero at the solution; non-negative when the ball holds the solution
    assert g.restricted_merit(g.z_star, center, radius) == pytest.approx(0.0, abs=1e-12)
    r_hold = np.linalg.norm(center - g.z_star)
    assert g.restricted_merit(z_hat, center, r_hold) >= 0


def test_restricted_merit_needs_a_skew_operator():
    op = strongly_monotone_linear(0.5, [1.0])
    with pytest.raises(ValueError, match="skew"):
        op.restricted_merit(np.ones(2), np.zeros(2), 1.0)


def test_strongly_monotone_linear_constants():
    op = strongly_monotone_linear(0.5, [1.0, 2.0], noise=0.3)
    sym = 0.5 * (op.M + op.M.T)
    assert np.linalg.eigvalsh(sym)[0] == pytest.approx(0.5)
    assert op.L == pytest.approx(np.linalg.norm(op.M, 2)) == pytest.approx(math.sqrt(4.25))
    assert op.mu == 0.5 and op.noise == 0.3
    kind, A, b, p = op.oracle().astuple()
    assert p.tolist() == [0.3] and A.shape == (4, 4)


@pytest.mark.parametrize("call, name", [
    (lambda: bilinear_game([0.0, 1.0]), "singular_values"),
    (lambda: bilinear_game([1.0, np.nan]), "singular_values"),
    (lambda: bilinear_game([1.0], seed=-1), "seed"),
    (lambda: bilinear_game([1.0], noise=-1.0), "noise"),
    (lambda: strongly_monotone_linear(0.0, [1.0]), "mu"),
    (lambda: strongly_monotone_linear(1.0, [-1.0]), "strengths"),
    (lambda: affine_operator(np.array([[-1.0, 0.0], [0.0, 1.0]])), "not monotone"),
    (lambda: affine_operator(np.zeros((2, 3))), "square"),
    (lambda: affine_operator(np.array([[0.0, 1.0], [-1.0, 0.0]]), b=np.zeros(3)), "b"),
    (lambda: affine_operator(np.zeros((2, 2))), "nonsingular"),
])
def test_vi_generators_reject_impossible_values(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_affine_operator_accepts_a_non_monotone_one_when_told():
    op = affine_operator(np.array([[-1.0, 0.0], [0.0, 1.0]]), np.array([1.0, 1.0]),
                         monotone=False)
    np.testing.assert_allclose(op.operator(op.z_star), 0.0)
    assert op.mu == pytest.approx(-1.0)


# --- comonotone operators --------------------------------------------------------------------

def _comonotone_margin(F, rho, samples=2000, seed=0):
    """min over random pairs of <Fx - Fy, x - y> + rho ||Fx - Fy||^2 (>= 0 iff rho-comonotone)."""
    rng = np.random.default_rng(seed)
    x, y = rng.standard_normal((2, samples, F.d))
    dF = F.operator(x) - F.operator(y)
    return np.min(np.einsum("ij,ij->i", dF, x - y) + rho * np.einsum("ij,ij->i", dF, dF))


def test_comonotone_rotation_is_exactly_rho_comonotone():
    F = comonotone_rotation(0.3, L=1.5)
    assert F.comonotonicity == pytest.approx(0.3) and F.L == 1.5
    assert np.cos(F.angles[0]) == pytest.approx(-0.45)
    # equality for every pair (a scaled rotation is exactly comonotone), violated for smaller rho
    assert _comonotone_margin(F, 0.3) == pytest.approx(0.0, abs=1e-10)
    assert _comonotone_margin(F, 0.29) < 0
    np.testing.assert_allclose(F.operator(np.eye(2)), F.matrix().T)
    assert np.linalg.norm(F.matrix(), 2) == pytest.approx(1.5)


def test_comonotone_blocks_and_the_worst_case_family():
    F = comonotone_blocks(0.25, L=1.0, a_min=1e-2, blocks=7)
    assert F.d == 14 and F.L == pytest.approx(1.0)
    np.testing.assert_allclose(-np.cos(F.angles) / F.moduli, 0.25)
    assert _comonotone_margin(F, 0.25) >= -1e-12
    member = proximal_point_worst_case(400, gamma=1.0, rho=0.25)
    assert member.horizon == 400 and member.gamma == 1.0
    assert member.moduli[0] ** 2 == pytest.approx(1.0 / (399 * 0.5))
    assert member.comonotonicity == pytest.approx(0.25)
    # below gamma = 2 rho the worst member is F = -I/rho
    worst = proximal_point_worst_case(400, gamma=0.375, rho=0.25)
    np.testing.assert_allclose(worst.matrix(), -4.0 * np.eye(2), atol=1e-12)


def test_rotation_fixed_point_is_half_cocoercive():
    F = rotation_fixed_point(0.3)
    T = np.eye(2) - F.matrix()
    np.testing.assert_allclose(T, [[np.cos(0.3), -np.sin(0.3)], [np.sin(0.3), np.cos(0.3)]],
                               atol=1e-15)
    assert F.comonotonicity == pytest.approx(-0.5)
    assert F.L == pytest.approx(2 * np.sin(0.15))


@pytest.mark.parametrize("call, name", [
    (lambda: comonotone_rotation(-0.1), "rho"),
    (lambda: comonotone_rotation(0.8, L=2.0), "rho"),
    (lambda: rotation(1.0, 2.5, rho=0.5), "theta"),
    (lambda: rotation(1.0, 4.0), "theta"),
    (lambda: rotation(0.0, 1.0), "a"),
    (lambda: comonotone_blocks(0.1, L=1.0, a_min=2.0), "a_min"),
    (lambda: comonotone_blocks(0.1, blocks=0), "blocks"),
    (lambda: proximal_point_worst_case(1, 1.0, 0.1), "horizon"),
    (lambda: proximal_point_worst_case(10, 0.1, 0.1), "gamma"),
    (lambda: proximal_point_worst_case(10, 1.0, -0.1), "rho"),
    (lambda: rotation_fixed_point(0.0), "phi"),
])
def test_comonotone_generators_reject_impossible_values(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_cocoercive_finite_sum_mean_is_the_same_for_every_n():
    a = cocoercive_finite_sum(16, d=4, seed=7)
    b = cocoercive_finite_sum(64, d=4, seed=7)
    np.testing.assert_allclose(a.A_mean, b.A_mean, atol=1e-12)
    np.testing.assert_allclose(a.x_star, b.x_star)
    np.testing.assert_allclose(a.operator(a.x_star), 0.0, atol=1e-12)
    # the components do not vanish at x* (offsets), and each is symmetric PSD
    assert np.max(np.abs(np.einsum("nij,j->ni", a.A, a.x_star) + a.b)) > 0.1
    assert np.all(np.linalg.eigvalsh(a.A) >= -1e-12)
    # on-average cocoercivity: mean ||A_i v||^2 <= L_mean <Abar v, v>, tight somewhere
    v = np.random.default_rng(0).standard_normal((500, 4))
    lhs = np.mean(np.einsum("nij,kj->kni", a.A, v) ** 2, axis=1).sum(axis=1)
    rhs = a.L_mean * np.einsum("ki,ij,kj->k", v, a.A_mean, v)
    assert np.all(lhs <= rhs * (1 + 1e-12))
    assert a.L == pytest.approx(1.0) and a.mu == pytest.approx(1e-2)
    kind, A, bb, p = a.oracle().astuple()
    assert A.shape == (17 * 4, 4) and p.tolist() == [16.0]


@pytest.mark.parametrize("kwargs, name", [
    ({"n": 1}, "n"), ({"n": 4, "mu": 0.0}, "mu"), ({"n": 4, "spread": 1.5}, "spread"),
    ({"n": 4, "offset": -1.0}, "offset"), ({"n": 4, "d": 0}, "d"),
])
def test_cocoercive_finite_sum_rejects_impossible_values(kwargs, name):
    with pytest.raises(ValueError, match=name):
        cocoercive_finite_sum(**kwargs)
