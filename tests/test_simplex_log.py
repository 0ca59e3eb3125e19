"""The simplex log-barrier / portfolio family: gradient and Hessian against finite differences,
the reference solution's certificate (checked by scipy's SLSQP too), the curvature bound, and
argument validation."""

import numpy as np
import pytest
from scipy.optimize import minimize

from problems.simplex_log import GAP_TOL, log_barrier, portfolio


@pytest.mark.parametrize("make", [lambda: portfolio(seed=1), lambda: log_barrier(seed=1)])
def test_gradient_and_hessian_match_finite_differences(make):
    q = make()
    x = np.random.default_rng(0).dirichlet(np.full(q.d, 20.0))  # away from the boundary
    h = 1e-6
    E = np.eye(q.d)
    fd = np.array([(q.value(x + h * e) - q.value(x - h * e)) / (2 * h) for e in E])
    assert np.allclose(q.gradient(x), fd, rtol=1e-6, atol=1e-8)
    fd2 = np.array([(q.gradient(x + h * e) - q.gradient(x - h * e)) / (2 * h) for e in E])
    assert np.allclose(q.hessian(x), fd2, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("seed", range(3))
def test_the_reference_solution_is_certified_and_agrees_with_slsqp(seed):
    q = portfolio(seed=seed)
    assert q.gap_star < GAP_TOL and q.fw_gap(q.x_star) < GAP_TOL
    assert np.all(q.x_star >= 0) and abs(q.x_star.sum() - 1) < 1e-14
    assert q.value(q.x_star) == pytest.approx(q.f_star, abs=1e-15)
    res = minimize(lambda x: float(q.value(x)), np.full(q.d, 1 / q.d), jac=q.gradient,
                   method="SLSQP", bounds=[(0, 1)] * q.d, options={"ftol": 1e-14},
                   constraints=({"type": "eq", "fun": lambda x: x.sum() - 1},))
    assert q.f_star <= res.fun + 1e-15 and res.fun - q.f_star < 1e-9


def test_the_barrier_optimum_is_interior_and_solves_its_kkt_system():
    q = log_barrier(seed=2)
    g = q.gradient(q.x_star)
    assert np.all(q.x_star > 0) and np.ptp(g) < 1e-12  # equal partial derivatives inside


def test_the_curvature_bound_dominates_sampled_curvatures():
    q = portfolio(seed=0)
    rng = np.random.default_rng(1)
    worst = 0.0
    for _ in range(200):
        y = rng.dirichlet(np.full(q.d, 0.1))
        j, k = rng.choice(q.d, 2, replace=False)
        u = np.eye(q.d)[j] - np.eye(q.d)[k]
        worst = max(worst, u @ q.hessian(y) @ u)
    assert 0 < worst <= q.curvature_bound
    assert log_barrier().curvature_bound == np.inf


def test_value_is_inf_outside_the_domain():
    q = log_barrier(d=3)
    assert q.value(np.array([1.0, 0.0, 0.0])) == np.inf
    assert np.isfinite(q.value(q.barycentre))


@pytest.mark.parametrize("call, name", [
    (lambda: portfolio(d=1), "d"), (lambda: portfolio(d=True), "d"), (lambda: portfolio(m=0), "m"),
    (lambda: portfolio(spread=0.0), "spread"), (lambda: portfolio(spread=np.inf), "spread"),
    (lambda: portfolio(spread=np.nan), "spread"), (lambda: portfolio(seed=-1), "seed"),
    (lambda: portfolio(d=2.5), "d"), (lambda: log_barrier(d=0), "d"),
    (lambda: log_barrier(seed=True), "seed")])
def test_bad_arguments_are_refused(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_numpy_integers_are_accepted_and_instances_cached():
    assert portfolio(d=np.int64(50), seed=np.int32(0)) is portfolio()
