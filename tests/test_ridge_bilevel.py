"""Bilevel ridge regression: derivatives against finite differences, the closed-form answers,
argument checks, and the hypergradient methods against independent closed forms (numpy)."""

import math

import numpy as np
import pytest

from experiments import hypergradient as hg
from experiments.methods import (
    InexactHypergradient,
    PenaltySurrogate,
    TruncatedBackprop,
    UnrolledBilevel,
)
from problems.ridge_bilevel import ridge_bilevel


@pytest.fixture(scope="module")
def q():
    return ridge_bilevel(n=30, n_val=20, d=6, reg=0.2, noise=0.5, instance=3)


def _fd(f, x, h=1e-6):
    x = np.asarray(x, dtype=float)
    out = np.empty(x.size)
    for j in range(x.size):
        e = np.zeros(x.size)
        e[j] = h
        out[j] = (f(x + e) - f(x - e)) / (2 * h)
    return out


def test_gradients_and_hessian_against_finite_differences(q):
    w = np.random.default_rng(0).standard_normal(q.d)
    np.testing.assert_allclose(q.inner_gradient(w), _fd(q.inner_value, w), rtol=1e-7, atol=1e-8)
    np.testing.assert_allclose(q.outer_gradient(w), _fd(q.outer_value, w), rtol=1e-7, atol=1e-8)
    jac = np.stack([_fd(lambda v, i=i: q.inner_gradient(v)[i], w) for i in range(q.d)])
    np.testing.assert_allclose(jac, q.hessian(), atol=1e-7)
    mu, L = q.curvatures()
    ev = np.linalg.eigvalsh(q.X.T @ q.X / q.n) + 0.2
    assert mu == pytest.approx(ev[0]) and L == pytest.approx(ev[-1])


@pytest.mark.parametrize("lam", [-3.0, math.log(0.2), 1.0])
def test_hypergradient_is_the_derivative_of_the_exact_outer_objective(q, lam):
    fd = (q.objective(lam + 1e-5) - q.objective(lam - 1e-5)) / 2e-5
    assert q.hypergradient(lam) == pytest.approx(fd, rel=1e-6, abs=1e-10)


def test_lambda_star_is_the_minimiser_of_the_outer_objective():
    q = ridge_bilevel(n=40, n_val=200, d=30)
    lam = q.lam_star(-8, 4)
    assert abs(q.hypergradient(lam)) < 1e-12
    grid = np.linspace(-8, 4, 241)
    assert q.objective(lam) <= min(q.objective(g) for g in grid)
    # an interval without the zero: the better end
    assert q.lam_star(lam + 1, lam + 3) == pytest.approx(lam + 1)


def test_the_data_come_from_the_instance_alone():
    a, b = ridge_bilevel(instance=np.int64(4)), ridge_bilevel(instance=4)
    assert np.array_equal(a.X, b.X) and np.array_equal(a.y_val, b.y_val)
    assert not np.array_equal(a.X, ridge_bilevel(instance=5).X)
    scale = np.linalg.norm(ridge_bilevel(n=20000, d=5).X, axis=0) / math.sqrt(20000)
    np.testing.assert_allclose(scale, np.geomspace(1, 0.1, 5), rtol=0.03)


@pytest.mark.parametrize(("kwargs", "name"), [
    ({"n": 0}, "n"), ({"n": True}, "n"), ({"n": 5.0}, "n"), ({"d": -1}, "d"),
    ({"n_val": 0}, "n_val"), ({"reg": 0.0}, "reg"), ({"reg": math.inf}, "reg"),
    ({"reg": math.nan}, "reg"), ({"noise": -1.0}, "noise"), ({"scale_low": 2.0}, "scale_low"),
    ({"instance": -1}, "instance"), ({"instance": False}, "instance"),
])
def test_bad_arguments_name_themselves(kwargs, name):
    with pytest.raises(ValueError, match=name):
        ridge_bilevel(**kwargs)


def test_methods_validate_their_hyper_parameters(q):
    for bad in (lambda: TruncatedBackprop(-1.0, 10), lambda: TruncatedBackprop(0.1, 0),
                lambda: TruncatedBackprop(True, 10), lambda: InexactHypergradient(0.0, 1e-3, 1.0),
                lambda: InexactHypergradient(1e-3, math.nan, 1.0),
                lambda: PenaltySurrogate(-1.0), lambda: PenaltySurrogate(10.0, 1.5),
                lambda: UnrolledBilevel(4.0, -8.0)):
        with pytest.raises(ValueError):
            bad()
    with pytest.raises(ValueError, match="runs"):
        TruncatedBackprop(0.1, 10).run(q, 5, runs=3)
    with pytest.raises(ValueError, match="exceeds"):
        TruncatedBackprop(0.1, 10).run(q, 20)


def test_truncated_reverse_mode_matches_the_closed_form(q):
    """From a converged trajectory: h* - h_K = -e^lambda w*^T (I - alpha H)^K H^-1 grad F(w*)
    (numpy eigen-decomposition), for every K."""
    mu, L = q.curvatures()
    a = 1.0 / L
    run = TruncatedBackprop(a, 4000).run(q, 200)
    ev, V = np.linalg.eigh(q.hessian())
    w = q.w_star()
    u = V.T @ w * (V.T @ q.outer_gradient(w)) / ev
    K = np.arange(201)[:, None]
    closed = q.hypergradient() + math.exp(q.log_reg) * np.sum(u * (1 - a * ev) ** K, axis=1)
    np.testing.assert_allclose(run.iterates[0, :, 0], closed, rtol=1e-10, atol=1e-14)
    assert run.iterates[0, 0, 0] == 0.0 and run.first_divergence is None


def test_a_step_beyond_two_over_L_diverges_and_is_reported(q):
    run = TruncatedBackprop(2.1 / q.L, 3000).run(q, 10)
    assert run.first_divergence is not None and np.all(np.isnan(run.iterates))


def test_the_inexact_hypergradient_meets_its_tolerances(q):
    run = InexactHypergradient(1e-6, 1e-6, 1.0 / q.L).run(q, 10**5)
    assert abs(run.iterates[0, 0, 0] - q.hypergradient()) < 1e-4
    H = q.hessian()
    rhs = np.random.default_rng(1).standard_normal(q.d)
    x, it, res = hg.conjugate_gradient(H, rhs, 1e-12, 100)
    np.testing.assert_allclose(x, np.linalg.solve(H, rhs), rtol=1e-9)
    assert res <= 1e-12 and it <= 3 * q.d


def test_the_exact_penalty_surrogate_matches_its_closed_form(q):
    """sigma e^lambda (||w_s||^2 - ||z||^2)/2, w_s = (sigma H + A_v)^-1 (sigma b + b_v)."""
    s = 37.0
    H, z = q.hessian(), q.w_star()
    w = np.linalg.solve(s * q.hessian() + q.A_val, s * q.b + q.b_val)
    closed = 0.5 * s * math.exp(q.log_reg) * (w @ w - z @ z)
    got = PenaltySurrogate(s).run(q, 1).iterates[0, 0, 0]
    assert got == pytest.approx(closed, rel=1e-9)
    gd = PenaltySurrogate(s, 1e-12).run(q, 10**6).iterates[0, 0, 0]
    assert gd == pytest.approx(closed, rel=1e-6)
    assert H.shape == (q.d, q.d)


def test_the_unrolled_derivative_is_the_derivative_of_the_unrolled_objective():
    q = ridge_bilevel(n=40, n_val=200, d=30)
    for lam in (-5.0, -1.0):
        _, slope = hg.unrolled_objective(q, lam, 300)
        hi, _ = hg.unrolled_objective(q, lam + 1e-6, 300)
        lo, _ = hg.unrolled_objective(q, lam - 1e-6, 300)
        assert slope == pytest.approx((hi - lo) / 2e-6, rel=1e-6)
        value, _ = hg.unrolled_objective(q, lam, 300, slope=False)
        assert value == pytest.approx(hi, rel=1e-5)
    # w_T from 0 in closed form (numpy): (I - (I - alpha H)^T) H^-1 b, alpha = 1/L(lambda)
    lam, T = -2.0, 50
    ev, V = np.linalg.eigh(q.hessian(lam))
    a = 1.0 / (np.linalg.eigvalsh(q.A)[-1] + math.exp(lam))
    w_T = V @ ((1 - (1 - a * ev) ** T) / ev * (V.T @ q.b))
    assert hg.unrolled_objective(q, lam, T)[0] == pytest.approx(float(q.outer_value(w_T)),
                                                                rel=1e-12)
