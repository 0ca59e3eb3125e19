"""The 2-D saddle x^2/2 - eps y^2/2 + y^4/4 and the GD / Newton / saddle-free Newton kernel."""

import math

import numpy as np
import pytest

from experiments.methods import SaddleEscape
from experiments.saddle_newton import saddle_escape
from problems.saddle2d import saddle_2d


def test_gradient_and_hessian_match_finite_differences():
    q = saddle_2d(0.03)
    rng = np.random.default_rng(0)
    h = 1e-6
    for z in rng.standard_normal((5, 2)):
        fd = [(q.value(z + h * e) - q.value(z - h * e)) / (2 * h) for e in np.eye(2)]
        np.testing.assert_allclose(q.gradient(z), fd, rtol=1e-7, atol=1e-9)
        fd_h = np.array([(q.gradient(z + h * e) - q.gradient(z - h * e)) / (2 * h)
                         for e in np.eye(2)])
        np.testing.assert_allclose(q.hessian(z), fd_h, rtol=1e-6, atol=1e-8)


def test_minima_saddle_and_constants():
    q = saddle_2d(np.float64(0.01))
    for m in q.minima:
        np.testing.assert_allclose(q.gradient(m), 0.0, atol=1e-15)
        assert np.all(np.linalg.eigvalsh(q.hessian(m)) > 0)
        assert float(q.value(m)) == pytest.approx(q.f_star, rel=1e-12)
    np.testing.assert_allclose(np.linalg.eigvalsh(q.hessian(np.zeros(2))), [-0.01, 1.0])
    assert q.escape_level == pytest.approx(0.05)
    # the gradient is 1-Lipschitz where |y| <= sqrt((1 + eps)/3): the Hessian's norm is <= 1
    ys = np.linspace(-math.sqrt(1.01 / 3), math.sqrt(1.01 / 3), 101)
    norms = [np.abs(np.linalg.eigvalsh(q.hessian(np.array([0.0, y])))).max() for y in ys]
    assert max(norms) == pytest.approx(q.L)


@pytest.mark.parametrize("bad", [0.0, 1.0, -0.1, 1.5, math.inf, math.nan, True, "0.1"])
def test_eps_is_validated(bad):
    with pytest.raises(ValueError, match="eps"):
        saddle_2d(bad)


def _numpy_step(q, method, z, eta=1.0):
    g, H = q.gradient(z), q.hessian(z)
    if method == "gd":
        return z - eta * g
    w, V = np.linalg.eigh(H)
    w = np.abs(w) if method == "sfn" else w
    return z - V @ ((V.T @ g) / w)


@pytest.mark.parametrize("method", ["gd", "newton", "sfn"])
def test_kernel_step_equals_the_numpy_update(method):
    q = saddle_2d(0.05)
    z0 = np.random.default_rng(1).standard_normal((4, 2)) * 0.3
    run = saddle_escape(q, method, 3, eta=0.7, runs=4, x0=z0)
    expected = z0.copy()
    for k in range(1, 4):
        expected = np.array([_numpy_step(q, method, z, 0.7) for z in expected])
        np.testing.assert_allclose(run.iterates[:, k], expected, rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(run.diverged_at, -1)


def test_near_the_saddle_sfn_doubles_gd_grows_newton_collapses():
    q = saddle_2d(1e-2)
    z0 = np.array([[1.0, 1e-8]])
    sfn = SaddleEscape("sfn").run(q, 5, x0=z0).iterates[0, :, 1]
    gd = SaddleEscape("gd").run(q, 5, x0=z0).iterates[0, :, 1]
    newton = SaddleEscape("newton").run(q, 2, x0=z0).iterates[0, :, 1]
    np.testing.assert_allclose(sfn[1:] / sfn[:-1], 2.0, rtol=1e-10)
    np.testing.assert_allclose(gd[1:] / gd[:-1], 1.01, rtol=1e-10)
    assert newton[1] == pytest.approx(-2e-24 / 1e-2, rel=1e-6)


def test_divergence_is_reported_not_raised():
    run = SaddleEscape("gd", step=50.0).run(saddle_2d(0.1), 40, x0=np.array([[1.0, 0.5]]))
    assert 0 < run.first_divergence <= 40
    assert np.isnan(run.iterates[0, -1]).all()


def test_arguments_are_validated():
    q = saddle_2d(0.1)
    with pytest.raises(ValueError, match="method"):
        SaddleEscape("cubic")
    with pytest.raises(ValueError, match="step"):
        SaddleEscape("gd", step=-1.0)
    with pytest.raises(ValueError, match="horizon"):
        saddle_escape(q, "gd", 0)
    with pytest.raises(ValueError, match="x0"):
        saddle_escape(q, "gd", 3, x0=np.ones((2, 3)))
