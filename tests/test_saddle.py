"""The quadratic saddle f(x) + <Kx, y> - mu_y/2 ||y||^2 and the linearized primal-dual kernel."""

import numpy as np
import pytest

from experiments.methods import LinearizedPrimalDual, alpd
from experiments.oracles import field
from problems.saddle import quadratic_saddle


def test_solution_constants_and_primal_function():
    q = quadratic_saddle(12, L_x=50.0, mu_y=2.0, seed=1)
    H, K = q.H, q.coupling
    assert q.L_x == pytest.approx(50.0, rel=1e-9)
    np.testing.assert_allclose(np.linalg.svd(K, compute_uv=False)[[0, -1]], [1.0, 0.3])
    # (x*, y*) is a saddle point: both partial gradients vanish
    np.testing.assert_allclose(H @ q.x_star - q.b + K.T @ q.y_star, 0, atol=1e-9)
    np.testing.assert_allclose(K @ q.x_star - q.mu_y * q.y_star, 0, atol=1e-9)
    x = np.random.default_rng(0).standard_normal(12)
    # phi(x) = max_y L(x, y), attained at y = K x / mu_y; no other y does better
    assert float(q.phi(x)) == pytest.approx(q.lagrangian(x, K @ x / q.mu_y), rel=1e-12)
    assert q.lagrangian(x, K @ x / q.mu_y + 0.1) < float(q.phi(x))
    assert float(q.suboptimality(x)) == pytest.approx(float(q.phi(x) - q.phi(q.x_star)),
                                                      rel=1e-9)
    assert np.linalg.eigvalsh(q.primal_hessian)[0] >= 0.3**2 / q.mu_y - 1e-12


def test_oracle_is_grad_f():
    q = quadratic_saddle(7, L_x=10.0, seed=2)
    kind, A, b, p = q.oracle().astuple()
    x = np.linspace(-1, 2, 7)
    out = np.empty(7)
    field(kind, A, b, p, x, out)

    def f(z):
        return 0.5 * z @ q.H @ z - q.b @ z
    h = 1e-6
    fd = [(f(x + h * e) - f(x - h * e)) / (2 * h) for e in np.eye(7)]
    np.testing.assert_allclose(out, fd, rtol=1e-6, atol=1e-6)


def test_same_seed_same_geometry_across_L_x():
    a, b = quadratic_saddle(6, L_x=10.0, seed=3), quadratic_saddle(6, L_x=1000.0, seed=3)
    np.testing.assert_allclose(b.H, 100 * a.H, rtol=1e-12)
    np.testing.assert_allclose(a.coupling, b.coupling)


def _reference(q, x0, steps, accelerated):
    """The iteration of experiments.primal_dual, written independently in NumPy."""
    L, M, mu = q.L_x, q.L_xy, q.mu_y
    x, x_prev, x_bar, y = x0.copy(), x0.copy(), x0.copy(), np.zeros(q.d)
    out = []
    for k in range(steps):
        beta = 2 / (k + 2) if accelerated else 1.0
        eta = (2 * L / (k + 1) if accelerated else L) + 2 * M * M / (mu * (k + 1))
        tau = mu * k / 2
        y = (q.coupling @ (x + k / (k + 1) * (x - x_prev)) + tau * y) / (mu + tau)
        g = q.H @ ((1 - beta) * x_bar + beta * x) - q.b + q.coupling.T @ y
        x_prev, x = x, x - g / eta
        x_bar = (1 - beta) * x_bar + beta * x
        out.append(x_bar)
    return np.array(out)


@pytest.mark.parametrize("accelerated", [True, False])
def test_kernel_matches_the_numpy_iteration(accelerated):
    q = quadratic_saddle(8, L_x=20.0, seed=4)
    x0 = np.random.default_rng(1).standard_normal((2, 8))
    run = alpd(q, accelerated).run(q, 40, runs=2, x0=x0, checkpoints=np.arange(1, 41))
    for r in range(2):
        np.testing.assert_allclose(run.iterates[r], _reference(q, x0[r], 40, accelerated),
                                   rtol=1e-9, atol=1e-12)


def test_both_converge_and_alpd_is_faster_at_large_L_x():
    q = quadratic_saddle(10, L_x=300.0, seed=5)
    x0 = q.x_star + np.ones(10)
    fast = alpd(q).run(q, 3000, x0=x0)
    slow = alpd(q, accelerated=False).run(q, 3000, x0=x0)
    gap_fast = q.suboptimality(fast.iterates[0, -1])
    gap_slow = q.suboptimality(slow.iterates[0, -1])
    assert gap_fast < 1e-8 * q.suboptimality(x0) and gap_slow < q.suboptimality(x0)
    assert gap_fast < 1e-3 * gap_slow


@pytest.mark.parametrize("kwargs, name", [
    ({"d": 1}, "d"), ({"L_x": 0.0}, "L_x"), ({"decades": (-3.0, -1.0)}, "decades"),
    ({"singular": (0.0, 1.0)}, "singular"), ({"singular": (0.5, 0.2)}, "singular"),
    ({"mu_y": -1.0}, "mu_y"), ({"seed": True}, "seed")])
def test_rejects_bad_arguments(kwargs, name):
    with pytest.raises(ValueError, match=name):
        quadratic_saddle(**kwargs)


def test_method_rejects_bad_constants_and_starts():
    q = quadratic_saddle(4, seed=0)
    with pytest.raises(ValueError, match="L_x"):
        LinearizedPrimalDual(0.0, 1.0, 1.0).run(q, 10)
    with pytest.raises(ValueError, match="x0"):
        alpd(q).run(q, 10, runs=2, x0=np.zeros((3, 4)))
