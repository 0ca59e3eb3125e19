"""VI problem generators: known solutions and constants, closed forms, and clear errors."""

import math

import numpy as np
import pytest

from problems.vi import (
    affine_operator,
    bilinear_game,
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
    kind, A, b, p = op.oracle_data()
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
