"""Matrix sensing: the instances, their gradients, GD on them, and the ScaledGD(lambda) kernel."""

import dataclasses

import numba
import numpy as np
import pytest

from experiments import schedules
from experiments.first_order import gradient_descent
from experiments.oracles import field
from experiments.scaled_gd import scaled_gd
from problems import kinds, matrix_sensing

CASES = [(True, "population"), (True, "sensing"), (False, "population"), (False, "sensing")]


def reference_gradient(pb, x):
    """The gradient in plain numpy, from the formulas in problems/matrix_sensing.py."""
    if pb.symmetric:
        X = pb.factors(x)
        if pb.sensing is None:
            return ((X @ X.T - pb.M_star) @ X).ravel()
        res = pb.sensing @ (X @ X.T).ravel() - pb.y
        S = (res @ pb.sensing).reshape(pb.n, pb.n) / pb.m
        return (0.5 * (S + S.T) @ X).ravel()
    F, G = pb.factors(x)
    if pb.sensing is None:
        D = F @ G.T - pb.M_star
    else:
        res = pb.sensing @ (F @ G.T).ravel() - pb.y
        D = (res @ pb.sensing).reshape(pb.n, pb.n) / pb.m
    return np.concatenate([(D @ G).ravel(), (D.T @ F).ravel()])


def oracle(pb, x):
    kind, A, b, p = pb.oracle().astuple()
    out = np.empty(pb.d)
    field(kind, A, b, p, np.asarray(x, dtype=float), out)
    return out


# --- instances ---------------------------------------------------------------------------------

@pytest.mark.parametrize("symmetric", [True, False])
def test_instance_has_the_prescribed_spectrum_and_a_known_minimiser(symmetric):
    pb = matrix_sensing(n=8, r=3, k=5, spectrum=[0.5, 2.0, 1.0], symmetric=symmetric, seed=3)
    np.testing.assert_allclose(pb.spectrum, [2.0, 1.0, 0.5])
    sv = np.linalg.svd(pb.M_star, compute_uv=False)
    np.testing.assert_allclose(sv[:3], [2.0, 1.0, 0.5], rtol=1e-12)
    assert np.all(sv[3:] < 1e-12)
    assert pb.kappa == 4.0 and pb.sigma_min == 0.5 and pb.sigma_max == 2.0
    assert pb.d == 8 * 5 * (1 if symmetric else 2) == pb.x_star.size
    assert pb.error(pb.x_star) < 1e-14 and pb.value(pb.x_star) < 1e-28
    if symmetric:
        np.testing.assert_array_equal(pb.M_star, pb.M_star.T)
        assert np.linalg.eigvalsh(pb.M_star).min() > -1e-14
    np.testing.assert_allclose(pb.U.T @ pb.U, np.eye(3), atol=1e-14)
    np.testing.assert_allclose(pb.V.T @ pb.V, np.eye(3), atol=1e-14)


def test_kappa_gives_a_log_spaced_spectrum_and_the_default_kappa_is_two():
    np.testing.assert_allclose(matrix_sensing(n=10, r=3, kappa=100.0).spectrum, [1, 0.1, 0.01])
    np.testing.assert_allclose(matrix_sensing().spectrum, [1.0, 0.5])


@pytest.mark.parametrize("symmetric", [True, False])
def test_population_loss_is_the_expectation_of_the_sensing_loss(symmetric):
    sensing = matrix_sensing(n=4, r=1, k=2, symmetric=symmetric, loss="sensing", m=40_000, seed=2)
    population = matrix_sensing(n=4, r=1, k=2, symmetric=symmetric, seed=2)
    np.testing.assert_array_equal(sensing.M_star, population.M_star)  # same instance
    x = np.random.default_rng(0).standard_normal(population.d)
    # m = 40 000 Gaussian measurements: the sensing loss is within ~1% of its expectation
    assert sensing.value(x) == pytest.approx(population.value(x), rel=0.05)
    np.testing.assert_allclose(oracle(sensing, x), oracle(population, x),
                               atol=0.05 * np.abs(oracle(population, x)).max())


def test_initial_points_are_reproducible_per_run_and_imbalanced():
    pb = matrix_sensing(n=20, r=2, k=4, symmetric=False, alpha=0.1, imbalance=1 / 3, seed=5)
    x0 = pb.initial_points(6)
    np.testing.assert_array_equal(pb.initial_points(2), x0[:2])  # run j depends on (seed, j)
    assert not np.array_equal(x0[0], x0[1])
    assert not np.array_equal(pb.initial_points(1, seed=6), x0[:1])
    F0, G0 = pb.factors(x0)
    np.testing.assert_allclose(G0, F0 / 3, rtol=1e-15)
    # entries alpha N(0, 1/n): E ||F0||_F^2 = alpha^2 k
    assert np.mean(np.sum(F0**2, axis=(1, 2))) == pytest.approx(0.01 * 4, rel=0.3)


@pytest.mark.parametrize("kwargs, name", [
    ({"n": 0}, "n"), ({"n": 3, "r": 4}, "r"), ({"r": 0}, "r"), ({"k": 0}, "k"),
    ({"k": 1.5}, "k"), ({"spectrum": [1.0]}, "spectrum"), ({"spectrum": [1.0, -1.0]}, "spectrum"),
    ({"spectrum": [1.0, np.inf]}, "spectrum"), ({"kappa": 0.5}, "kappa"),
    ({"kappa": 2.0, "spectrum": [1.0, 0.5]}, "spectrum or kappa"), ({"alpha": 0.0}, "alpha"),
    ({"alpha": -1.0}, "alpha"), ({"imbalance": 0.0}, "imbalance"), ({"loss": "huber"}, "loss"),
    ({"m": 10}, "m"), ({"loss": "sensing", "m": 0}, "m"), ({"seed": -1}, "seed"),
    ({"symmetric": "yes"}, "symmetric"),
])
def test_impossible_values_raise_naming_the_argument(kwargs, name):
    with pytest.raises(ValueError, match=name):
        matrix_sensing(**kwargs)


def test_oracle_packs_the_kinds():
    assert matrix_sensing().oracle().kind == kinds.MATRIX_SENSING_SYMMETRIC_POPULATION
    assert matrix_sensing(symmetric=False).oracle().kind == (
        kinds.MATRIX_SENSING_ASYMMETRIC_POPULATION)
    kind, A, b, p = matrix_sensing(n=5, r=1, k=2, loss="sensing").oracle().astuple()
    assert kind == kinds.MATRIX_SENSING_SYMMETRIC and A.shape == (50, 25) and b.shape == (50,)
    assert p.tolist() == [5.0, 2.0]
    assert all(50 <= t <= 59 for t in (kinds.MATRIX_SENSING_SYMMETRIC,
                                       kinds.MATRIX_SENSING_ASYMMETRIC))


# --- gradients ---------------------------------------------------------------------------------

@pytest.mark.parametrize("symmetric, loss", CASES)
def test_field_is_the_gradient_of_the_loss(symmetric, loss):
    pb = matrix_sensing(n=6, r=2, k=3, symmetric=symmetric, loss=loss, seed=1)
    x = np.random.default_rng(1).standard_normal(pb.d)
    g = oracle(pb, x)
    np.testing.assert_allclose(g, reference_gradient(pb, x), rtol=1e-12, atol=1e-12)
    h = 1e-6
    fd = np.array([(pb.value(x + h * e) - pb.value(x - h * e)) / (2 * h) for e in np.eye(pb.d)])
    np.testing.assert_allclose(g, fd, rtol=1e-7, atol=1e-7)
    assert np.abs(oracle(pb, pb.x_star)).max() < 1e-14  # the minimiser is stationary


# --- GD (the shared kernel) ----------------------------------------------------------------------

def test_gd_on_a_scalar_instance_matches_the_recursion():
    pb = matrix_sensing(n=1, r=1, k=1, spectrum=[2.0], alpha=0.1)
    x0 = np.array([0.01])
    run = gradient_descent(pb, schedules.constant(0.1), 200, x0=x0,
                           checkpoints=np.arange(201))
    x, expected = 0.01, [0.01]
    for _ in range(200):
        x = x - 0.1 * (x * x - 2.0) * x
        expected.append(x)
    np.testing.assert_allclose(run.iterates[0, :, 0], expected, rtol=1e-13)


def test_exact_rank_gd_converges_linearly_at_one_minus_eta_sigma_r():
    pb = matrix_sensing(n=10, r=2, k=2, spectrum=[1.0, 0.5], seed=4)
    eta = 0.2
    run = gradient_descent(pb, schedules.constant(eta), 200, x0=pb.initial_points(1)[0],
                           checkpoints=np.arange(100, 201))
    e = pb.error(run.iterates[0])
    assert np.exp(np.polyfit(np.arange(100, 201), np.log(e), 1)[0]) == pytest.approx(
        1 - eta * 0.5, abs=1e-4)


def test_balanced_asymmetric_gd_on_a_psd_target_is_symmetric_gd():
    sym = matrix_sensing(n=6, r=2, k=3, seed=7)
    asym = dataclasses.replace(matrix_sensing(n=6, r=2, k=3, symmetric=False, seed=7),
                               M_star=sym.M_star)
    X0 = sym.initial_points(1)[0]
    s = gradient_descent(sym, schedules.constant(0.2), 500, x0=X0)
    a = gradient_descent(asym, schedules.constant(0.2), 500, x0=np.concatenate([X0, X0]))
    F, G = asym.factors(a.iterates[0])
    np.testing.assert_allclose(F, sym.factors(s.iterates[0]), rtol=1e-12, atol=1e-15)
    # F and G are updated by different expressions, (FG^T - M)G and (FG^T - M)^T F, equal in
    # exact arithmetic only: they agree to rounding (entries are O(1), so 1e-14 is ~50 ulps),
    # not bit for bit (the rounding differs across CPUs and fast-math reassociations)
    np.testing.assert_allclose(F, G, rtol=1e-12, atol=1e-14)


def test_gd_divergence_on_matrix_sensing_is_reported():
    pb = matrix_sensing(n=5, r=1, k=2, alpha=1.0)
    run = gradient_descent(pb, schedules.constant(50.0), 1000, x0=pb.initial_points(1)[0] * 10)
    assert run.first_divergence is not None and run.first_divergence < 50


# --- ScaledGD(lambda) ----------------------------------------------------------------------------

def reference_scaled_gd(pb, x, eta, lam, steps):
    k = pb.k
    for _ in range(steps):
        g = reference_gradient(pb, x)
        if pb.symmetric:
            X = pb.factors(x)
            x = (X - eta * g.reshape(X.shape) @ np.linalg.inv(X.T @ X + lam * np.eye(k))).ravel()
        else:
            F, G = pb.factors(x)
            gF, gG = g[:F.size].reshape(F.shape), g[F.size:].reshape(G.shape)
            F2 = F - eta * gF @ np.linalg.inv(G.T @ G + lam * np.eye(k))
            G2 = G - eta * gG @ np.linalg.inv(F.T @ F + lam * np.eye(k))
            x = np.concatenate([F2.ravel(), G2.ravel()])
    return x


@pytest.mark.parametrize("symmetric, loss", CASES)
def test_scaled_gd_matches_a_numpy_reference(symmetric, loss):
    pb = matrix_sensing(n=6, r=2, k=3, symmetric=symmetric, loss=loss, alpha=0.3, seed=2)
    x0 = pb.initial_points(2)
    run = scaled_gd(pb, 0.3, 0.1, 8, x0)
    assert run.iterates.shape == (2, 9, pb.d)
    np.testing.assert_array_equal(run.iterates[:, 0], x0)
    for j in range(2):
        np.testing.assert_allclose(run.iterates[j, -1], reference_scaled_gd(pb, x0[j], 0.3, 0.1, 8),
                                   rtol=1e-10, atol=1e-13)


def test_scaled_gd_on_a_scalar_instance_matches_the_recursion():
    pb = matrix_sensing(n=1, r=1, k=1, spectrum=[0.01])
    run = scaled_gd(pb, 0.5, 0.01, 50, np.array([1e-3]))
    x = 1e-3
    for _ in range(50):
        x = x - 0.5 * (x * x - 0.01) * x / (x * x + 0.01)
    assert run.iterates[0, -1, 0] == pytest.approx(x, rel=1e-13)


def test_scaled_gd_speed_does_not_depend_on_the_condition_number():
    """The preconditioner equalises the directions: ~40-50 steps to 1e-6 for kappa 10 and 1000."""
    steps = []
    for kappa in (10.0, 1000.0):
        pb = matrix_sensing(n=30, r=3, k=6, kappa=kappa, alpha=1e-6, seed=0)
        run = scaled_gd(pb, 0.5, pb.sigma_min, 100, pb.initial_points(1))
        rel = pb.error(run.iterates[0]) / np.linalg.norm(pb.M_star)
        steps.append(int(np.argmax(rel <= 1e-6)))
    assert 30 < steps[1] <= steps[0] < 60


def test_scaled_gd_is_identical_whatever_the_thread_count():
    pb = matrix_sensing(n=10, r=2, k=4, symmetric=False, alpha=0.01, seed=3)
    x0 = pb.initial_points(5)
    numba.set_num_threads(1)
    one = scaled_gd(pb, 0.5, 0.5, 60, x0).iterates
    numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    many = scaled_gd(pb, 0.5, 0.5, 60, x0).iterates
    assert np.array_equal(one, many)


def test_scaled_gd_reports_divergence_and_a_singular_preconditioner():
    pb = matrix_sensing(n=5, r=1, k=2, alpha=1.0)
    run = scaled_gd(pb, 100.0, 1.0, 500, pb.initial_points(2) * 10)
    assert (run.diverged_at > 0).all() and run.first_divergence < 100
    assert np.isnan(run.iterates[:, -1]).all()
    x0 = pb.initial_points(1)
    x0[0, 1::2] = 0.0  # the second column of X is zero: X^T X is singular
    run = scaled_gd(pb, 0.5, 0.0, 10, x0)
    assert run.diverged_at.tolist() == [1]
    assert scaled_gd(pb, 0.5, 1e-3, 10, x0).first_divergence is None  # damping fixes it


@pytest.mark.parametrize("kwargs, name", [
    ({"eta": 0.0}, "eta"), ({"eta": np.nan}, "eta"), ({"lam": -1.0}, "lam"),
    ({"horizon": 0}, "horizon"), ({"x0": np.zeros(3)}, "x0"),
    ({"checkpoints": np.array([1, 5])}, "last checkpoint"),
])
def test_scaled_gd_rejects_bad_arguments(kwargs, name):
    pb = matrix_sensing(n=5, r=1, k=2)
    args = {"eta": 0.5, "lam": 0.1, "horizon": 10, "x0": pb.initial_points(1)} | kwargs
    with pytest.raises(ValueError, match=name):
        scaled_gd(pb, **args)


def test_scaled_gd_with_too_few_measurements_stalls_above_the_target():
    """m = 10 n r Gaussian measurements are far from the RIP that [Xu et al.] assume: the spurious
    columns get excited and ScaledGD(lambda) stalls at kappa = 100 (see paper_checks/scaled_gd)."""
    pb = matrix_sensing(n=30, r=3, k=6, kappa=100.0, alpha=1e-6, loss="sensing", seed=0)
    run = scaled_gd(pb, 0.5, pb.sigma_min, 200, pb.initial_points(1), checkpoints=np.array([200]))
    rel = pb.error(run.iterates[0, -1]) / np.linalg.norm(pb.M_star)
    assert 1e-5 < rel < 1e-3
    population = dataclasses.replace(pb, sensing=None, y=None, loss="population")
    run = scaled_gd(population, 0.5, pb.sigma_min, 200, pb.initial_points(1),
                    checkpoints=np.array([200]))
    assert population.error(run.iterates[0, -1]) / np.linalg.norm(pb.M_star) < 1e-10
