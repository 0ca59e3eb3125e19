"""``rates bench``: numba kernels against plain NumPy, per method family.

For each family: the time per step (per run-step for Monte Carlo) of the numba kernel, of a
per-step NumPy loop, and of NumPy vectorised across runs, measured in this process one after the
other on the same problem; and the kernel's compile time, cold (empty numba cache) and loaded
from the cache, each measured in a fresh subprocess.  The NumPy versions are the references in
:mod:`experiments.reference`, which the tests hold to the kernels' results.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np


@dataclass
class BenchCase:
    family: str
    method: str
    problem: str
    numba_step: Callable[[int], None]        # run n steps of one run
    numpy_step: Callable[[int], None]        # the same with the NumPy loop
    numba_runs: Callable[[int, int], None] | None  # n steps x R runs
    numpy_runs: Callable[[int, int], None] | None
    steps_numba: int
    steps_numpy: int
    warm_code: str                           # imports, and def work(): calls the kernel once
    c_reference_ns: float | None = None      # an optimized C loop on this machine class
    runs: int = 256                          # Monte Carlo: runs, and steps of the numba kernel
    run_steps: int = 2000                    # (NumPy vectorised does a quarter of the steps)


@dataclass
class BenchResult:
    family: str
    method: str
    problem: str
    numba_ns_per_step: float
    numpy_loop_ns_per_step: float
    speedup_vs_numpy_loop: float
    numba_ns_per_run_step: float | None
    numpy_vectorised_ns_per_run_step: float | None
    speedup_vs_numpy_vectorised: float | None
    compile_cold_s: float
    compile_cached_s: float
    c_reference_ns: float | None
    ratio_to_c: float | None


def _best(fn: Callable[[], None], repeat: int = 3) -> float:
    best = np.inf
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def _compile_times(warm_code: str) -> tuple[float, float]:
    """(cold, cached) compile seconds: first call minus second call, in fresh processes."""
    script = "\n".join([
        "import time", warm_code,  # imports and a function work() that calls the kernel once
        "t0 = time.perf_counter(); work(); t1 = time.perf_counter(); work()",
        "t2 = time.perf_counter(); print((t1 - t0) - (t2 - t1))"])
    out = []
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        for _ in range(2):  # the first process compiles and writes the cache, the second loads
            res = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                                 text=True, check=True)
            out.append(float(res.stdout.strip().splitlines()[-1]))
    return out[0], out[1]


def run_case(case: BenchCase, compile_times: bool = True, scale: float = 1.0) -> BenchResult:
    """Time one case; ``scale`` multiplies every step count (a quick smoke run: 0.01)."""
    def steps(n: int) -> int:
        return max(10, round(n * scale))

    s_numba, s_numpy, s_runs = steps(case.steps_numba), steps(case.steps_numpy), \
        steps(case.run_steps)
    case.numba_step(10)  # compile (or load) outside the timing
    numba_ns = _best(lambda: case.numba_step(s_numba)) / s_numba * 1e9
    # best of 3 for NumPy too: on a shared machine one unlucky timeslice (or OpenBLAS threads
    # waiting on a busy core) can inflate a single measurement many times over
    numpy_ns = _best(lambda: case.numpy_step(s_numpy)) / s_numpy * 1e9
    nr = vr = None
    if case.numba_runs is not None and case.numpy_runs is not None:
        runs, s_vec = case.runs, max(10, s_runs // 4)
        case.numba_runs(10, 2)
        nr = _best(lambda: case.numba_runs(s_runs, runs)) / (s_runs * runs) * 1e9
        vr = _best(lambda: case.numpy_runs(s_vec, runs)) / (s_vec * runs) * 1e9
    cold, cached = _compile_times(case.warm_code) if compile_times else (np.nan, np.nan)
    return BenchResult(
        family=case.family, method=case.method, problem=case.problem,
        numba_ns_per_step=numba_ns, numpy_loop_ns_per_step=numpy_ns,
        speedup_vs_numpy_loop=numpy_ns / numba_ns,
        numba_ns_per_run_step=nr, numpy_vectorised_ns_per_run_step=vr,
        speedup_vs_numpy_vectorised=None if nr is None else vr / nr,
        compile_cold_s=cold, compile_cached_s=cached, c_reference_ns=case.c_reference_ns,
        ratio_to_c=None if case.c_reference_ns is None else numba_ns / case.c_reference_ns)


def first_order_case() -> BenchCase:
    from experiments import schedules
    from experiments.first_order import gradient_descent
    from experiments.reference import sgd_least_squares_loop, sgd_least_squares_runs
    from problems import least_squares

    ls = least_squares(n=1000, d=100, noise=0.5, seed=0)
    gamma = 1.0 / (2 * ls.L_max)
    x0 = np.zeros(ls.d)
    step = schedules.constant(gamma)

    def numba_runs(n: int, r: int) -> None:
        gradient_descent(ls, step, n, runs=r, stochastic=True, checkpoints=np.array([n]))

    return BenchCase(
        family="first-order", method="SGD, constant step", problem="least squares n=1000 d=100",
        numba_step=lambda n: numba_runs(n, 1),
        numpy_step=lambda n: sgd_least_squares_loop(ls.A, ls.b, x0, gamma, n, 0),
        numba_runs=numba_runs,
        numpy_runs=lambda n, r: sgd_least_squares_runs(ls.A, ls.b, x0, gamma, n, 0, r),
        steps_numba=200_000, steps_numpy=20_000,
        warm_code=textwrap.dedent("""
            import numpy as np
            from experiments import schedules
            from experiments.first_order import gradient_descent
            from problems import least_squares
            ls = least_squares(n=50, d=5)
            def work():
                gradient_descent(ls, schedules.constant(0.01), 10, runs=2, stochastic=True)
            """).strip(),
        c_reference_ns=64.0)


def adaptive_case() -> BenchCase:
    """Scalar Adam, constant step, on f(x) = E 1/2 (x - X)^2 with X ~ N(1, 1).

    Both NumPy versions draw the kernel's own numbers (the Box-Muller twin), inside the timing.
    """
    from experiments import reference, schedules
    from experiments.adaptive import adam
    from problems import stochastic_quadratic

    q = stochastic_quadratic("normal", d=1)
    gamma, betas = 0.01, {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8}
    step = schedules.constant(gamma)

    def numba_runs(n: int, r: int) -> None:
        adam(q, step, n, runs=r, checkpoints=np.array([n]), **betas)

    def numpy_step(n: int) -> None:
        G = reference.sop_normal_samples(1.0, 1.0, n, 0, 1)[:, 0]
        reference.adam(lambda x, t: x + G[t - 1], np.zeros(1), n, np.full(n, gamma), **betas)

    def numpy_runs(n: int, r: int) -> None:
        G = reference.sop_normal_samples(1.0, 1.0, n, 0, r)
        reference.adam_runs(G, 0.0, np.full(n, gamma), **betas)

    return BenchCase(
        family="adaptive", method="Adam, constant step", problem="scalar quadratic, N(1, 1)",
        numba_step=lambda n: numba_runs(n, 1), numpy_step=numpy_step,
        numba_runs=numba_runs, numpy_runs=numpy_runs,
        steps_numba=1_000_000, steps_numpy=20_000, runs=256, run_steps=20_000,
        warm_code=textwrap.dedent("""
            from experiments import schedules
            from experiments.adaptive import adam
            from problems import stochastic_quadratic
            q = stochastic_quadratic("normal", d=1)
            def work():
                adam(q, schedules.constant(0.01), 10, runs=2)
            """).strip(),
        c_reference_ns=18.0)


def vi_case() -> BenchCase:
    """Extragradient, constant step 1/(2L), on a 50 x 50 bilinear game (d = 100).

    Per step: the exact operator.  Monte Carlo: the stochastic oracle (additive N(0, 0.1^2 I)),
    the NumPy version drawing the kernel's numbers (its Box-Muller twin) inside the timing.  Its
    matrix products go through BLAS (one multiplication of R x d by d x d per half-step), which
    is where NumPy vectorised across runs is at its best.
    """
    from experiments import reference
    from experiments.vi import extragradient
    from problems.vi import bilinear_game

    game = bilinear_game(np.linspace(0.1, 1.0, 50), seed=0, noise=0.1)
    gamma = 0.5 / game.L
    z0 = np.zeros(game.d)

    def numba_runs(n: int, r: int) -> None:
        extragradient(game, gamma, n, runs=r, stochastic=True, checkpoints=np.array([n]))

    return BenchCase(
        family="vi", method="extragradient, constant step", problem="bilinear game 50x50",
        numba_step=lambda n: extragradient(game, gamma, n, checkpoints=np.array([n])),
        numpy_step=lambda n: reference.extragradient_loop(game.M, game.b, z0, gamma, n),
        numba_runs=numba_runs,
        numpy_runs=lambda n, r: reference.extragradient_runs(game.M, game.b, z0, gamma, n, r,
                                                             noise=game.noise),
        steps_numba=10_000, steps_numpy=4_000, runs=64, run_steps=1_000,
        warm_code=textwrap.dedent("""
            import numpy as np
            from experiments.vi import extragradient
            from problems.vi import bilinear_game
            game = bilinear_game(np.ones(3), noise=0.1)
            def work():
                extragradient(game, 0.1, 10, runs=2, stochastic=True)
            """).strip(),
        c_reference_ns=1000.0)


def bilevel_case() -> BenchCase:
    """Inexact bilevel SGD, alpha_k = (k+1)^-1/2, eps_k = 0.5 (k+1)^-1/2, bilevel ridge d = 20.

    Timing only for the NumPy side: it draws NumPy's own normals (``Generator.standard_normal``,
    itself a ziggurat), the same count as the kernel.  The exact twin of the kernel's normals
    (``bilevel_normals``, which the tests feed to the same reference) runs its ziggurat's
    rejections in Python and would time those, not NumPy.
    """
    from experiments import reference
    from experiments.bilevel import accuracy_schedule, inexact_bilevel_sgd, step_schedule
    from problems.bilevel import bilevel_ridge

    pb = bilevel_ridge(d=20)
    steps, accuracies = step_schedule(1.0, 0.5), accuracy_schedule(0.5, 0.5)

    def numba_runs(n: int, r: int) -> None:
        inexact_bilevel_sgd(pb, steps, accuracies, n, runs=r, checkpoints=np.array([n]))

    def numpy_runs(n: int, r: int) -> None:
        normals = np.random.default_rng(0).standard_normal((n, r, pb.d, 2))
        k = np.arange(n) + 1.0
        reference.inexact_bilevel_sgd_runs(pb.signal_var, pb.noise_var, pb.theta_star,
                                           k**-0.5, 0.5 * k**-0.5, normals)

    return BenchCase(
        family="bilevel", method="inexact bilevel SGD", problem="bilevel ridge d=20",
        numba_step=lambda n: numba_runs(n, 1), numpy_step=lambda n: numpy_runs(n, 1),
        numba_runs=numba_runs, numpy_runs=numpy_runs,
        steps_numba=200_000, steps_numpy=10_000, runs=256, run_steps=2_000,
        warm_code=textwrap.dedent("""
            from experiments.bilevel import accuracy_schedule, inexact_bilevel_sgd, step_schedule
            from problems.bilevel import bilevel_ridge
            pb = bilevel_ridge(d=3)
            def work():
                inexact_bilevel_sgd(pb, step_schedule(1.0, 0.5), accuracy_schedule(0.5, 0.5),
                                    10, runs=2)
            """).strip())


CASES: dict[str, Callable[[], BenchCase]] = {
    "first-order": first_order_case, "adaptive": adaptive_case, "vi": vi_case,
    "bilevel": bilevel_case}
"""Every family's benchmark, by name; each returns a fresh case."""


def run_all(families: list[str] | None = None, compile_times: bool = True,
            scale: float = 1.0) -> list[BenchResult]:
    """Run the named families (all by default); ``scale`` multiplies every step count."""
    names = families or list(CASES)
    unknown = set(names) - set(CASES)
    if unknown:
        raise ValueError(f"unknown families {sorted(unknown)}; known: {', '.join(CASES)}")
    if not 0.0 < scale <= 1.0:
        raise ValueError(f"scale must lie in (0, 1], got {scale!r}")
    return [run_case(CASES[n](), compile_times=compile_times, scale=scale) for n in names]


def as_dicts(results: list[BenchResult]) -> list[dict]:
    return [asdict(r) for r in results]
