"""Pseudo-Huber regression and the damped Newton method."""

import math

import numpy as np
import pytest
from scipy.optimize import minimize

from experiments.damped_newton import damped_newton
from experiments.methods import DampedNewton
from problems.pseudo_huber import PHI3_MAX, pseudo_huber_regression


def test_gradient_and_hessian_match_finite_differences():
    inst = pseudo_huber_regression(40, 5, seed=1).instance(0)
    x = np.random.default_rng(0).standard_normal(5)
    h = 1e-6
    fd = [(inst.value(x + h * e) - inst.value(x - h * e)) / (2 * h) for e in np.eye(5)]
    np.testing.assert_allclose(inst.gradient(x), fd, rtol=1e-7, atol=1e-10)
    fd_h = np.array([(inst.gradient(x + h * e) - inst.gradient(x - h * e)) / (2 * h)
                     for e in np.eye(5)])
    np.testing.assert_allclose(inst.hessian(x), fd_h, rtol=1e-6, atol=1e-9)


def test_reference_solution_agrees_with_scipy():
    inst = pseudo_huber_regression(seed=4).instance(2)
    res = minimize(inst.value, np.zeros(20), jac=inst.gradient, hess=inst.hessian,
                   method="trust-exact", options={"gtol": 1e-9})
    assert np.linalg.norm(inst.gradient(res.x)) < 1e-8  # scipy's own stopping test
    np.testing.assert_allclose(res.x, inst.x_star, atol=1e-7)
    assert float(res.fun) >= inst.f_star - 1e-15
    assert np.linalg.norm(inst.gradient(inst.x_star)) < 1e-12


def test_third_derivative_bound():
    r = np.linspace(-5, 5, 200001)
    phi3 = -3 * r * (1 + r * r) ** -2.5
    assert np.abs(phi3).max() == pytest.approx(PHI3_MAX, rel=1e-9)


@pytest.mark.parametrize("name, kw", [("n", {"n": 0}), ("d", {"d": True}),
                                      ("noise", {"noise": math.nan}), ("seed", {"seed": -2})])
def test_arguments_are_validated(name, kw):
    with pytest.raises(ValueError, match=name):
        pseudo_huber_regression(**kw)


def test_first_step_is_the_aicn_step():
    q = pseudo_huber_regression(60, 4, seed=2)
    inst = q.instance(0)
    x0 = np.full(4, 2.0)
    run = damped_newton(q, 1, runs=1, x0=x0, L0=1.0)
    g, H = inst.gradient(x0), inst.hessian(x0)
    newton = np.linalg.solve(H, g)
    G = math.sqrt(g @ newton)
    L = 0.5  # halved first, then doubled until f decreases
    while True:
        alpha = (-1 + math.sqrt(1 + 2 * L * G)) / (L * G)
        if inst.value(x0 - alpha * newton) <= inst.value(x0):
            break
        L *= 2
    np.testing.assert_allclose(run.iterates[0, 1], x0 - alpha * newton, rtol=1e-12)


def test_pure_newton_diverges_and_damped_converges():
    q = pseudo_huber_regression(seed=0)
    pure = DampedNewton(damped=False).run(q, 10, runs=4, x0=np.ones(20))
    assert pure.first_divergence is not None
    damped = DampedNewton().run(q, 30, runs=4, x0=np.ones(20))
    assert damped.first_divergence is None
    for r in range(4):
        inst = q.instance(r)
        assert inst.value(damped.iterates[r, -1]) - inst.f_star < 1e-12
    with pytest.raises(ValueError, match="L0"):
        DampedNewton(L0=0.0)
