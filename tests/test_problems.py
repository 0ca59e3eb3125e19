"""Problem generators: known solutions and constants, and clear errors for impossible values."""

import numpy as np
import pytest

from problems import least_squares, quadratic


def test_quadratic_spectrum_and_solution():
    q = quadratic(5, L=2.0, mu=0.02)
    np.testing.assert_allclose(q.eigenvalues, np.geomspace(0.02, 2.0, 5))
    assert q.L == 2.0 and q.mu == 0.02
    assert q.suboptimality(q.x_star) == 0.0
    assert q.value(q.x_star + 1.0) == pytest.approx(0.5 * q.eigenvalues.sum())


@pytest.mark.parametrize("kwargs, name", [
    ({"d": 0}, "d"), ({"d": 2.5}, "d"), ({"d": 3, "mu": 2.0, "L": 1.0}, "mu"),
    ({"d": 3, "mu": -1.0}, "mu"), ({"d": 3, "L": 0.0}, "L"), ({"d": 3, "spacing": "cubic"},
                                                              "spacing"),
    ({"d": 3, "x_star": np.zeros(4)}, "x_star"),
])
def test_quadratic_rejects_impossible_values(kwargs, name):
    with pytest.raises(ValueError, match=name):
        quadratic(**kwargs)


def test_least_squares_constants():
    ls = least_squares(n=200, d=5, noise=0.3, seed=4)
    grad = ls.A.T @ (ls.A @ ls.x_star - ls.b) / ls.n
    np.testing.assert_allclose(grad, 0.0, atol=1e-12)
    eig = np.linalg.eigvalsh(ls.A.T @ ls.A / ls.n)
    assert ls.mu == pytest.approx(eig[0]) and ls.L == pytest.approx(eig[-1])
    assert ls.L_max >= ls.L >= ls.mu > 0
    assert ls.sigma_star > 0
    assert least_squares(n=200, d=5, noise=0.0).sigma_star == pytest.approx(0.0, abs=1e-20)
    x = ls.x_star + 0.1
    f = 0.5 * np.mean((ls.A @ x - ls.b) ** 2)
    assert ls.suboptimality(x) == pytest.approx(f - ls.f_star)


@pytest.mark.parametrize("kwargs, name", [
    ({"n": 5, "d": 10}, "n"), ({"noise": -1.0}, "noise"), ({"seed": -2}, "seed"),
    ({"d": 0}, "d"),
])
def test_least_squares_rejects_impossible_values(kwargs, name):
    with pytest.raises(ValueError, match=name):
        least_squares(**kwargs)
