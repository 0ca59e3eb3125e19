"""The SELU moment map against closed-form Gaussian integrals, and the fixed-point iteration."""

import math

import numpy as np
import pytest
from scipy.stats import norm

from experiments.fixed_point import fixed_point_iteration
from experiments.methods import FixedPointIteration
from problems.selu_moments import ALPHA_01, LAMBDA_01, selu_moment_map


def closed_form(nu: float, lam: float = LAMBDA_01, alpha: float = ALPHA_01) -> np.ndarray:
    """(E selu(z), Var selu(z)) for z ~ N(0, nu), from the Gaussian integrals
    E[z; z > 0] = s/sqrt(2 pi), E[z^2; z > 0] = s^2/2, E[e^(t z); z <= 0] = e^(t^2 s^2/2) Phi(-t s).
    """
    s = math.sqrt(nu)
    e1, e2 = math.exp(nu / 2) * norm.cdf(-s), math.exp(2 * nu) * norm.cdf(-2 * s)
    m1 = lam * (s / math.sqrt(2 * math.pi) + alpha * (e1 - 0.5))
    m2 = lam**2 * (nu / 2 + alpha**2 * (e2 - 2 * e1 + 0.5))
    return np.array([m1, m2 - m1 * m1])


def test_zero_one_is_the_fixed_point_of_the_exact_map():
    np.testing.assert_allclose(closed_form(1.0), [0.0, 1.0], atol=1e-12)


def test_gauss_hermite_map_approaches_the_closed_form():
    errors = []
    for nodes in (30, 120, 300):
        T = selu_moment_map(nodes=nodes)
        errors.append(max(np.abs(T(np.array([0.3, nu])) - closed_form(nu)).max()
                          for nu in (0.5, 1.0, 2.0)))
    assert errors[0] > errors[1] > errors[2] and errors[1] < 2e-3


def test_jacobian_at_the_fixed_point_is_the_papers():
    """Central differences of the closed form: [[0, 0.0888], [0, 0.7826]], norm 0.7877."""
    h = 1e-5
    col_nu = (closed_form(1 + h) - closed_form(1 - h)) / (2 * h)
    J = np.column_stack([np.zeros(2), col_nu])  # omega = 0: mu does not enter
    np.testing.assert_allclose(J[:, 1], [0.088834, 0.782648], atol=2e-6)
    assert np.linalg.norm(J, 2) == pytest.approx(0.7877, abs=5e-5)


def test_map_uses_omega_and_tau():
    T = selu_moment_map(omega=0.5, tau=2.0)
    s = np.array([0.4, 0.8])
    # z ~ N(mu omega, nu tau): the same as omega = 1, tau = 1 at (0.2, 1.6)
    np.testing.assert_allclose(T(s), selu_moment_map(omega=1.0)(np.array([0.2, 1.6])),
                               rtol=1e-12)


@pytest.mark.parametrize("name, bad", [("lam", 0.0), ("lam", math.nan), ("alpha", -1.0),
                                       ("tau", 0.0), ("omega", math.inf), ("nodes", 1),
                                       ("nodes", True), ("lam", True), ("nodes", 12.5)])
def test_arguments_are_validated(name, bad):
    with pytest.raises(ValueError, match=name):
        selu_moment_map(**{name: bad})


def test_numpy_integers_are_accepted():
    assert selu_moment_map(nodes=np.int64(50)).nodes.size == 50


def test_fixed_point_iteration_records_and_reports_divergence():
    run = FixedPointIteration().run(lambda s: 2 * s, 4, x0=np.array([[1.0, 1.0]]),
                                    checkpoints=np.array([0, 2, 4]))
    np.testing.assert_allclose(run.iterates[0, :, 0], [1.0, 4.0, 16.0])
    # ||s||^2 = 1e120 > 1e100 (the kernels' divergence limit) after two steps
    blow = fixed_point_iteration(lambda s: s * 1e30, 10, np.array([[1.0], [0.0]]))
    assert blow.diverged_at[0] == 2 and blow.diverged_at[1] == -1
    assert np.isnan(blow.iterates[0, -1, 0]) and blow.iterates[1, -1, 0] == 0.0
    with pytest.raises(ValueError, match="x0"):
        FixedPointIteration().run(lambda s: s, 3)
    with pytest.raises(ValueError, match="horizon"):
        fixed_point_iteration(lambda s: s, 0, np.ones((1, 2)))
