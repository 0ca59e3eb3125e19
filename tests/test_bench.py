"""The benchmark's minimal kernels compute what the library's kernels compute (not timings)."""

import numpy as np
import pytest

from experiments import schedules
from experiments.adaptive import adam
from experiments.bilevel import accuracy_schedule, inexact_bilevel_sgd, step_schedule
from experiments.first_order import gradient_descent
from experiments.oracles import oracle_args
from experiments.vi import accelerated_optimistic, operator_method
from problems import least_squares, stochastic_quadratic
from problems.bilevel import bilevel_ridge
from problems.vi import bilinear_game
from rates import bench

# different code paths (the library's fast-math reductions, its dispatch): agreement to rounding
TOL = {"rtol": 1e-9, "atol": 1e-12}


def test_minimal_sgd_draws_the_same_rows():
    ls = least_squares(n=40, d=5, noise=0.5, seed=1)
    gamma, n = 0.5 / ls.L_max, 300
    run = gradient_descent(ls, schedules.constant(gamma), n, stochastic=True, seed=3,
                           checkpoints=np.array([n]))
    _, A, b, _ = oracle_args(ls, True)
    x = bench.minimal_sgd(A, b, np.zeros(ls.d), gamma, n, 3)
    np.testing.assert_allclose(run.iterates[0, -1], x, **TOL)
    assert np.linalg.norm(x) > 1e-3  # it moved


def test_minimal_adam_matches_the_library_adam():
    q = stochastic_quadratic("normal", d=2)
    n = 500
    run = adam(q, schedules.constant(0.05), n, seed=2, checkpoints=np.array([n]))
    kind, _, _, p = oracle_args(q, True)
    x = bench.minimal_adam(kind, p, np.zeros(2), 0.05, 0.9, 0.999, 1e-8, n, 2)
    np.testing.assert_allclose(run.iterates[0, -1], x, **TOL)
    assert np.all(np.abs(x) > 0.1)


def test_minimal_bilevel_sgd_matches_the_library():
    pb = bilevel_ridge(d=4)
    steps, accuracies = step_schedule(1.0, 0.5), accuracy_schedule(0.5, 0.5)
    n = 400
    run = inexact_bilevel_sgd(pb, steps, accuracies, n, seed=5, checkpoints=np.array([n]))
    _, A, b, _ = oracle_args(pb, True)
    x = bench.minimal_bilevel_sgd(A, b, pb.x_star.copy(), *steps.kernel_args(),
                                  *accuracies.kernel_args(), n, 5)
    np.testing.assert_allclose(run.iterates[0, -1], x, **TOL)
    assert np.linalg.norm(x - pb.x_star) > 1e-3  # it moved (the library starts at theta*)


@pytest.mark.parametrize("method", sorted(bench.MINIMAL_VI))
def test_minimal_vi_kernels_match_the_library(method):
    game = bilinear_game(np.linspace(0.3, 1.0, 4), seed=2)
    gamma, n = 0.4 / game.L, 60
    z0 = np.linspace(-1.0, 1.0, game.d)
    kw = {"z0": z0, "checkpoints": np.array([n])}
    run = (accelerated_optimistic(game, gamma, n, **kw) if method == "aog"
           else operator_method(game, gamma, n, method=method, **kw))
    _, A, b, _ = oracle_args(game)
    z = bench.MINIMAL_VI[method](A, b, z0.copy(), gamma, n)
    np.testing.assert_allclose(run.iterates[0, -1], z, **TOL)
    assert np.linalg.norm(z - z0) > 1e-2  # a comparison of moved iterates


def test_every_vi_method_has_a_bench_family():
    assert {"vi", "vi-peg", "vi-og", "vi-rg", "vi-gda", "vi-aog"} <= set(bench.CASES)
    assert set(bench.MINIMAL_VI) == set(bench.VI_METHODS)
