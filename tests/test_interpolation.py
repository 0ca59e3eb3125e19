"""Interpolating least squares with a minibatch oracle and its strong-growth constant."""

import numpy as np
import pytest

from experiments.oracles import field, sample_field
from experiments.random import stream
from problems.interpolation import interpolating_least_squares, strong_growth


def test_interpolates_and_constants():
    q = interpolating_least_squares(128, 6, batch=4, seed=1)
    np.testing.assert_allclose(q.A @ q.x_star, q.b)
    eig = np.linalg.eigvalsh(q.A.T @ q.A / 128)
    assert q.L == pytest.approx(eig[-1]) and q.mu == pytest.approx(eig[0])
    x = np.linspace(-1, 1, 6)
    r = q.A @ (x - q.x_star)
    assert float(q.suboptimality(x)) == pytest.approx(0.5 * np.mean(r * r), rel=1e-12)
    # every row is fitted: the minibatch gradient at x* is exactly 0
    kind, A, b, p = q.oracle_data()
    out = np.ones(6)
    sample_field(kind, A, b, p, q.x_star, 0.0, stream(np.uint64(0), 0), out)
    np.testing.assert_allclose(out, 0.0, atol=1e-12)


def test_field_is_the_gradient():
    q = interpolating_least_squares(64, 5, seed=2)
    x = np.arange(5.0)
    kind, A, b, p = q.oracle_data()
    out = np.empty(5)
    field(kind, A, b, p, x, out)
    h = 1e-6
    fd = [(q.suboptimality(x + h * e) - q.suboptimality(x - h * e)) / (2 * h) for e in np.eye(5)]
    np.testing.assert_allclose(out, fd, rtol=1e-6, atol=1e-8)


def test_minibatch_second_moment_and_strong_growth():
    """E g_B = grad f and E||g_B||^2 = e'H^2e + (e'Se - e'H^2e)/B (Monte Carlo, 5 SE); rho(B)
    is the largest ratio E||g_B||^2/||grad f||^2, attained at e = H^-1 v (v its eigenvector)."""
    q = interpolating_least_squares(40, 4, batch=3, decades=0.5, seed=3)
    A, n, B = q.A, 40, 3
    H = A.T @ A / n
    S = (A * np.sum(A * A, axis=1)[:, None]).T @ A / n
    Hi = np.linalg.inv(H)
    w, V = np.linalg.eigh(np.eye(4) + Hi @ (S - H @ H) @ Hi / B)
    assert q.rho == pytest.approx(w[-1], rel=1e-10)
    e = Hi @ V[:, -1]
    x = q.x_star + e
    kind, Ad, b, p = q.oracle_data()
    rng = stream(np.uint64(5), 0)
    m = 40000
    g = np.empty((m, 4))
    out = np.empty(4)
    for i in range(m):
        sample_field(kind, Ad, b, p, x, 0.0, rng, out)
        g[i] = out
    grad = H @ e
    se = g.std(axis=0) / np.sqrt(m)
    assert np.all(np.abs(g.mean(axis=0) - grad) < 5 * se)
    sq = np.sum(g * g, axis=1)
    exact = e @ H @ H @ e + (e @ S @ e - e @ H @ H @ e) / B
    assert abs(sq.mean() - exact) < 5 * sq.std() / np.sqrt(m)
    assert exact / (grad @ grad) == pytest.approx(q.rho, rel=1e-9)
    # any other direction has a smaller ratio
    for u in np.random.default_rng(0).standard_normal((20, 4)):
        ratio = (u @ H @ H @ u + (u @ S @ u - u @ H @ H @ u) / B) / (u @ H @ H @ u)
        assert ratio <= q.rho * (1 + 1e-12)


def test_rho_falls_with_the_batch_and_is_at_most_lmax_over_mu():
    q = interpolating_least_squares(256, 8, seed=4)
    rhos = [strong_growth(q.A, B) for B in (1, 4, 16, 64)]
    assert all(a > b for a, b in zip(rhos[:-1], rhos[1:], strict=True)) and rhos[-1] > 1
    l_max = np.max(np.sum(q.A * q.A, axis=1))
    assert rhos[0] <= l_max / q.mu


@pytest.mark.parametrize("kwargs, name", [
    ({"n": 3, "d": 4}, "n"), ({"batch": 0}, "batch"), ({"batch": 10**6}, "batch"),
    ({"decades": -1.0}, "decades"), ({"seed": -1}, "seed"), ({"d": False}, "d")])
def test_rejects_bad_arguments(kwargs, name):
    with pytest.raises(ValueError, match=name):
        interpolating_least_squares(**kwargs)
