"""VI kernels: exact on linear closed forms, equivalences, determinism, divergence reported."""

import numba
import numpy as np
import pytest

from experiments import schedules
from experiments.halpern import halpern, vr_halpern
from experiments.vi import accelerated_optimistic, operator_method, proximal_point
from problems.comonotone import (
    comonotone_rotation,
    proximal_point_worst_case,
    rotation_fixed_point,
)
from problems.vi import (
    bilinear_game,
    bilinear_worst_case,
    cocoercive_finite_sum,
    strongly_monotone_linear,
)


def _every_step(horizon):
    return np.arange(0, horizon + 1)


def test_extragradient_matches_the_iteration_matrix():
    # EG on V(z) = M z + b: e_{t+1} = (I - g2 M + g1 g2 M^2) e_t with e = z - z*
    g = bilinear_game([0.2, 0.7, 1.0], seed=2)
    g1, g2 = 0.6, 0.3
    z0 = np.ones(g.d)
    run = operator_method(g, g1, 50, gamma_update=g2, z0=z0)
    G = np.eye(g.d) - g2 * g.M + g1 * g2 * g.M @ g.M
    for c, t in enumerate(run.checkpoints):
        expected = np.linalg.matrix_power(G, int(t)) @ (z0 - g.z_star)
        np.testing.assert_allclose(run.iterates[0, c] - g.z_star, expected, atol=1e-12)


def test_ergodic_average_is_the_mean_of_the_leading_points():
    # for GDA the leading point is z_t itself: the average after t steps is mean(z_0..z_{t-1})
    g = bilinear_game([0.5, 1.0], seed=0)
    run = operator_method(g, 0.1, 30, method="gda", z0=np.ones(4), checkpoints=_every_step(30))
    z = run.iterates[0]
    for t in range(1, 31):
        np.testing.assert_allclose(run.averages[0, t], z[:t].mean(axis=0), atol=1e-13)


def test_optimistic_gradient_iterates_are_past_extragradient_leading_points():
    # OG from y0 equals PEG started at z0 = y0 + gamma V(y0) with z_{-1/2} = y0: PEG's leading
    # points are y_0, y_1, ..., so the averages agree exactly
    g = bilinear_game([0.1, 0.4, 1.0], seed=5)
    y0 = np.linspace(-1.0, 1.0, g.d)
    gamma = 0.3
    og = operator_method(g, gamma, 200, method="og", z0=y0)
    peg = operator_method(g, gamma, 200, method="peg", z0=y0 + gamma * g.operator(y0),
                        z_half=y0)
    np.testing.assert_allclose(og.averages, peg.averages, atol=1e-12)


def test_reflected_gradient_first_steps_by_hand():
    g = bilinear_game([1.0], seed=0)
    z0 = np.array([1.0, -0.5])
    run = operator_method(g, 0.2, 2, method="rg", z0=z0, checkpoints=np.array([1, 2]))
    z1 = z0 - 0.2 * g.operator(z0)                 # z_{1/2} = 2 z0 - z_{-1} = z0
    z2 = z1 - 0.2 * g.operator(2 * z1 - z0)
    np.testing.assert_allclose(run.iterates[0], [z1, z2], atol=1e-14)


def test_stochastic_runs_are_bit_identical_across_thread_counts():
    op = strongly_monotone_linear(1.0, [1.0, 2.0])
    s = schedules.polynomial(1.5, 1.0, 14.0)
    args = (op, s, 500)
    kw = dict(runs=6, seed=11, stochastic=True, z0=np.ones(4))
    for method in ("eg", "peg", "og", "rg", "gda"):
        numba.set_num_threads(1)
        one = operator_method(*args, method=method, **kw)
        numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
        many = operator_method(*args, method=method, **kw)
        assert np.array_equal(one.iterates, many.iterates)
        assert np.array_equal(one.averages, many.averages)
    other = operator_method(*args, **{**kw, "seed": 12})
    assert not np.array_equal(other.iterates, many.iterates)
    three = operator_method(*args, method="gda", **{**kw, "runs": 3})
    assert np.array_equal(three.iterates, many.iterates[:3])


def test_divergence_is_reported_not_crashed():
    g = bilinear_game(np.linspace(0.01, 1.0, 10), seed=0)
    gda = operator_method(g, 0.4, 20_000, method="gda")
    # |1 + i gamma sigma_max|^2 = 1.16 per step from ||z0 - z*||^2 ~ 26: 1e100 near step 1570
    assert 1500 < gda.first_divergence < 1650
    assert np.isnan(gda.iterates[0, -1]).all()
    # EG beyond gamma = 1/L: |1 - i g s - g^2 s^2|^2 = 1 - g^2 s^2 + g^4 s^4 > 1 for g s > 1
    eg = operator_method(g, 1.2, 20_000, method="eg")
    assert eg.first_divergence is not None and eg.first_divergence < 1000
    assert operator_method(g, 0.9, 2000, method="eg").first_divergence is None


@pytest.mark.parametrize("kwargs, name", [
    ({"method": "sgd"}, "method"),
    ({"gamma_update": 0.1, "method": "peg"}, "gamma_update"),
    ({"z0": np.zeros(3)}, "z0"),
    ({"runs": 0}, "runs"),
    ({"seed": -1}, "seed"),
    ({"checkpoints": np.array([1, 5])}, "last checkpoint"),
])
def test_extragradient_rejects_bad_arguments(kwargs, name):
    g = bilinear_game([1.0], seed=0)
    with pytest.raises(ValueError, match=name):
        operator_method(g, 0.1, 10, **kwargs)
    with pytest.raises(ValueError, match="gamma"):
        operator_method(g, -0.1, 10)


def test_proximal_point_is_the_resolvent_power():
    F = comonotone_rotation(0.25)
    run = proximal_point(F, 1.0, 40, z0=np.array([1.0, 2.0]))
    P = np.linalg.inv(np.eye(2) + F.matrix())
    for c, t in enumerate(run.checkpoints):
        np.testing.assert_allclose(run.iterates[0, c],
                                   np.linalg.matrix_power(P, int(t)) @ [1.0, 2.0], atol=1e-13)
    # affine operators: the resolvent includes the offset, and converges to z*
    g = bilinear_game([0.5, 1.0], seed=1)
    run = proximal_point(g, 2.0, 400)
    np.testing.assert_allclose(run.iterates[0, -1], g.z_star, atol=1e-8)


def test_proximal_point_divergence_and_singular_resolvent():
    worst = proximal_point_worst_case(100, gamma=0.375, rho=0.25)  # factor -2 per step
    assert proximal_point(worst, 0.375, 1000, z0=np.array([1.0, 0.0])).first_divergence == 167
    with pytest.raises(ValueError, match="singular"):
        proximal_point(worst, 0.25, 10, z0=np.ones(2))  # I + F/4 = 0
    with pytest.raises(ValueError, match="gamma"):
        proximal_point(worst, 0.0, 10)


# --- Halpern ----------------------------------------------------------------------------------

def test_halpern_on_a_rotation_matches_its_closed_form():
    # (k + 1) x_k = sum_{j <= k} T^j x_0 for T = Rot(phi): in complex form x0 (1 - w^{k+1})/(1 - w)
    phi = 0.3
    F = rotation_fixed_point(phi)
    run = halpern(F, 1.0, 300, x0=np.array([1.0, 0.0]))
    w = np.exp(1j * phi)
    k = run.checkpoints
    z = (1 - w ** (k + 1)) / ((k + 1) * (1 - w))
    np.testing.assert_allclose(run.iterates[0], np.stack([z.real, z.imag], axis=1), atol=1e-14)
    assert run.first_below == -1  # tol = 0 is never reached


def test_vr_halpern_with_full_passes_is_halpern():
    fs = cocoercive_finite_sum(50, d=4, seed=2)
    eta, tol = 1.0 / fs.L_mean, 1e-2 * float(fs.residual(np.zeros(4)))
    h = halpern(fs, eta, 100_000, tol=tol, checkpoints=np.array([100_000]))
    vr = vr_halpern(fs, eta, tol, prob=1.0, runs=3)
    assert np.all(vr.iterations == h.first_below)
    assert np.all(vr.calls == 50 * (h.first_below + 1))


def test_vr_halpern_counts_calls_and_is_thread_independent():
    fs = cocoercive_finite_sum(400, d=4, seed=3)
    eta, tol = 1.0 / fs.L_mean, 1e-2 * float(fs.residual(np.zeros(4)))
    numba.set_num_threads(1)
    one = vr_halpern(fs, eta, tol, runs=5, seed=4)
    numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    many = vr_halpern(fs, eta, tol, runs=5, seed=4)
    assert np.array_equal(one.calls, many.calls) and np.array_equal(one.final, many.final)
    assert one.reached
    # every call is a full pass (n = 400) or 2 b = 40 differences, after the pass at x_0
    assert np.all((one.calls - 400) % 40 == 0)
    assert np.all(fs.residual(one.final) <= tol)


def test_vr_halpern_replays_the_sample_so_differences_are_exact():
    # F_i(x) - F_i(y) = A_i (x - y) exactly when the same i is drawn at both points: with a
    # finite sum whose components are all equal the estimate never drifts from F
    fs = cocoercive_finite_sum(20, d=3, spread=0.0, offset=0.0, seed=1)
    eta, tol = 1.0 / fs.L_mean, 1e-3 * float(fs.residual(np.zeros(3)))
    h = halpern(fs, eta, 100_000, tol=tol, checkpoints=np.array([100_000]))
    vr = vr_halpern(fs, eta, tol, prob=1e-9, runs=2)
    assert np.all(vr.iterations == h.first_below)


@pytest.mark.parametrize("kwargs, name", [
    ({"batch": 0}, "batch"), ({"prob": 0.0}, "prob"), ({"runs": 0}, "runs"),
    ({"max_iter": 0}, "max_iter"), ({"x0": np.zeros(2)}, "x0"),
])
def test_vr_halpern_rejects_bad_arguments(kwargs, name):
    fs = cocoercive_finite_sum(10, d=3)
    with pytest.raises(ValueError, match=name):
        vr_halpern(fs, 1.0, 1e-3, **kwargs)
    with pytest.raises(ValueError, match="eta"):
        halpern(fs, 0.0, 10)


def test_accelerated_optimistic_matches_a_numpy_transcription():
    g = bilinear_game([0.3, 1.0], seed=4)
    z0 = np.array([1.0, -1.0, 0.5, 2.0])
    eta = 0.2
    run = accelerated_optimistic(g, eta, 25, z0=z0, checkpoints=np.arange(1, 26))
    z, g_half = z0.copy(), g.operator(z0)
    for k in range(25):
        anchor = z + (z0 - z) / (k + 2)
        g_half = g.operator(anchor - eta * g_half)
        z = anchor - eta * g_half
        np.testing.assert_allclose(run.iterates[0, k], z, atol=1e-13)


def test_bilinear_worst_case_member_records_its_horizon():
    game = bilinear_worst_case(400, gamma=0.5)
    assert game.horizon == 400 and game.gamma == 0.5
    assert game.L == pytest.approx(0.1) and game.skew
    # EG with gamma after T steps: ||z_T|| = (1 - 1/T + 1/T^2)^{T/2} ||z_0|| -> e^{-1/2}
    run = operator_method(game, 0.5, 400, z0=np.array([1.0, 0.0]), checkpoints=np.array([400]))
    assert np.linalg.norm(run.iterates[0, -1]) == pytest.approx(
        (1 - 1 / 400 + 1 / 400**2) ** 200, rel=1e-12)
    with pytest.raises(ValueError, match="horizon"):
        bilinear_worst_case(0, 0.5)
    with pytest.raises(ValueError, match="gamma"):
        bilinear_worst_case(10, 0.0)
