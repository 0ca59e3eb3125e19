"""Kernels: exact on closed forms, counter-based randomness, divergence reported not crashed."""

import os
from pathlib import Path

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


def _cache_path(kernel) -> str:
    return kernel._cache._impl.locator.get_cache_path()


def test_numba_cache_is_keyed_on_each_kernel_modules_import_closure():
    import experiments
    from experiments import adaptive, first_order, sources, vi

    root = Path(experiments.__file__).resolve().parent.parent
    closure = {p.relative_to(root).as_posix() for p in
               sources.module_closure("experiments.first_order", root)}
    # GD's kernel calls the oracles, every family's field, the streams and the schedules ...
    assert {"experiments/first_order.py", "experiments/oracles.py", "experiments/fields/vi.py",
            "experiments/random.py", "experiments/schedules.py"} <= closure
    # ... but not the other methods' kernels: editing one of those leaves GD's cache alone
    assert not {"experiments/vi.py", "experiments/adaptive.py"} & closure
    for kernel, module in ((first_order._first_order, first_order), (adaptive._adam, adaptive),
                           (vi._vi, vi)):
        assert f"numba-{experiments.kernel_key(module.__file__)}" in _cache_path(kernel)
    keys = {experiments.kernel_key(m.__file__) for m in (first_order, adaptive, vi)}
    assert len(keys) == 3


def test_a_kernels_key_moves_when_a_file_it_calls_changes(tmp_path):
    """The key is the digest of the closure's contents: a copy of the package with one field
    edited gives the kernels that call it a new key and leaves the others' alone."""
    import shutil

    import experiments
    from experiments import sources

    root = Path(experiments.__file__).resolve().parent.parent
    for package in ("experiments", "problems"):
        shutil.copytree(root / package, tmp_path / package,
                        ignore=shutil.ignore_patterns("__pycache__"))

    def key(module: str, at: Path) -> str:
        return sources.digest(sources.module_closure(module, at), at)

    before = {m: key(m, tmp_path) for m in ("experiments.first_order", "experiments.random")}
    field = tmp_path / "experiments" / "fields" / "quadratic.py"
    field.write_text(field.read_text() + "\n# an edit\n")
    assert key("experiments.first_order", tmp_path) != before["experiments.first_order"]
    assert key("experiments.random", tmp_path) == before["experiments.random"]


@pytest.mark.slow
def test_an_unwritable_numba_cache_directory_falls_back_to_a_keyed_one(tmp_path):
    """numba must never fall back to its own unkeyed locations (a stale kernel after an edit):
    an unwritable $NUMBA_CACHE_DIR (here below a plain file, which even root cannot write)
    moves the cache to the user cache directory, still keyed, and says so."""
    import subprocess
    import sys

    blocker = tmp_path / "a-file"
    blocker.write_text("")
    env = {**os.environ, "NUMBA_CACHE_DIR": str(blocker / "numba"),
           "XDG_CACHE_HOME": str(tmp_path / "user-cache")}
    code = ("import experiments; from experiments import first_order as f; "
            "print(f._first_order._cache._impl.locator.get_cache_path()); "
            "print(experiments.kernel_key(f.__file__))")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    path, key = done.stdout.split()
    assert path.startswith(str(tmp_path / "user-cache" / "rates" / "numba" / f"numba-{key}"))
    assert "is not writable" in done.stderr and str(blocker / "numba") in done.stderr
