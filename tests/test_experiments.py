"""Kernels: exact on closed forms, counter-based randomness, divergence reported not crashed."""

import numba
import numpy as np
import pytest

from experiments import schedules
from experiments.first_order import gradient_descent
from experiments.run import log_checkpoints
from problems import least_squares, quadratic


def test_gd_on_a_diagonal_quadratic_matches_the_closed_form():
    q = quadratic(50, L=1.0, mu=1e-3)
    x0 = q.x_star + 1.0
    run = gradient_descent(q, schedules.constant(0.5), 1000, x0=x0)
    expected = (1 - 0.5 * q.eigenvalues[None, :]) ** run.checkpoints[:, None]
    np.testing.assert_allclose(run.iterates[0] - q.x_star, expected, rtol=1e-10, atol=1e-300)
    assert run.first_divergence is None


def test_divergence_is_reported_with_its_step():
    q = quadratic(10, L=1.0, mu=0.1)
    run = gradient_descent(q, schedules.constant(2.1), 10_000, x0=np.ones(10))
    # |1 - 2.1| = 1.1 per step: ||x||^2 = 1.21^k passes 1e100 at k = 1208
    assert run.first_divergence == 1208
    assert np.isnan(run.iterates[0, -1]).all()


def test_sgd_is_bit_identical_for_a_seed_whatever_the_thread_count():
    ls = least_squares(n=100, d=5)
    args = (ls, schedules.constant(0.01), 2000)
    numba.set_num_threads(1)
    one = gradient_descent(*args, runs=8, seed=7, stochastic=True).iterates
    numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    many = gradient_descent(*args, runs=8, seed=7, stochastic=True).iterates
    assert np.array_equal(one, many)
    other = gradient_descent(*args, runs=8, seed=8, stochastic=True).iterates
    assert not np.array_equal(one, other)
    # a run's stream depends on (seed, run) only: the first 4 of 8 runs equal 4 runs alone
    four = gradient_descent(*args, runs=4, seed=7, stochastic=True).iterates
    assert np.array_equal(four, one[:4])


def test_sgd_converges_to_the_noiseless_solution():
    ls = least_squares(n=200, d=5, noise=0.0)
    run = gradient_descent(ls, schedules.constant(1 / (2 * ls.L_max)), 20_000, runs=4,
                           stochastic=True)
    assert np.max(np.abs(run.iterates[:, -1] - ls.x_star)) < 1e-8


def test_schedules_as_data():
    np.testing.assert_allclose(schedules.polynomial(2.0, 0.5)(np.array([0, 3])), [2.0, 1.0])
    s = schedules.switching(0.1, 10, 2.0)
    np.testing.assert_allclose(s([0, 9, 10]), [0.1, 0.1, 21 / (121 * 2.0)])
    assert schedules.cosine(1.0, 100)([0, 100]).tolist() == pytest.approx([1.0, 0.0])
    with pytest.raises(ValueError, match="gamma"):
        schedules.constant(-1.0)
    with pytest.raises(ValueError, match="a must"):
        schedules.polynomial(1.0, -0.5)


def test_checkpoints_and_argument_errors():
    c = log_checkpoints(1000)
    assert c[0] == 1 and c[-1] == 1000 and np.all(np.diff(c) > 0)
    q = quadratic(3)
    with pytest.raises(ValueError, match="horizon"):
        gradient_descent(q, schedules.constant(1.0), 0)
    with pytest.raises(ValueError, match="runs"):
        gradient_descent(q, schedules.constant(1.0), 10, runs=0)
    with pytest.raises(ValueError, match="x0"):
        gradient_descent(q, schedules.constant(1.0), 10, x0=np.zeros(4))
    with pytest.raises(ValueError, match="last checkpoint"):
        gradient_descent(q, schedules.constant(1.0), 10, checkpoints=np.array([1, 5]))


def test_numba_cache_is_keyed_on_the_kernel_sources():
    import experiments

    # an edit to any inlined oracle or field moves the cache: no stale compiled kernel
    assert numba.config.CACHE_DIR.endswith("numba-" + experiments._kernel_source_digest())
