"""The NumPy references (the benchmark's baselines) agree with the kernels on the same numbers."""

import numpy as np

from experiments import schedules
from experiments.first_order import gradient_descent
from experiments.random import numpy_randint, numpy_u64, randint, stream
from experiments.reference import sgd_least_squares_loop, sgd_least_squares_runs
from problems import least_squares


def test_numpy_twin_draws_the_kernel_numbers():
    state = stream(np.uint64(9), 3)
    from numba import njit

    @njit
    def draw(state, count, n):
        out = np.empty(count, np.int64)
        for i in range(count):
            out[i] = randint(state, n)
        return out

    assert np.array_equal(draw(state, 100, 17), numpy_randint(9, 3, 100, 17))
    assert numpy_u64(9, 3, 5).dtype == np.uint64


def test_sgd_kernel_matches_numpy_loop_and_vectorised_references():
    ls = least_squares(n=300, d=30, seed=2)
    gamma = 1 / (2 * ls.L_max)
    run = gradient_descent(ls, schedules.constant(gamma), 3000, runs=3, seed=4, stochastic=True)
    loop = sgd_least_squares_loop(ls.A, ls.b, np.zeros(30), gamma, 3000, 4, run=2)
    vec = sgd_least_squares_runs(ls.A, ls.b, np.zeros(30), gamma, 3000, 4, runs=3)
    # fast-math reassociation changes the last bits of each dot product, not more
    np.testing.assert_allclose(run.iterates[2, -1], loop, rtol=0, atol=1e-12)
    np.testing.assert_allclose(run.iterates[:, -1], vec, rtol=0, atol=1e-12)


def test_bench_command_runs_without_compile_timings(tmp_path, capsys):
    import json

    from rates.cli import main

    out = tmp_path / "bench.json"
    assert main(["bench", "first-order", "--no-compile", "--json", str(out)]) == 0
    (r,) = json.loads(out.read_text())
    assert r["family"] == "first-order" and r["numba_ns_per_step"] > 0
    assert r["speedup_vs_numpy_loop"] > 1
    assert main(["bench", "quantum"]) == 2
