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


def run_case(case: BenchCase, runs: int = 256, run_steps: int = 2000,
             compile_times: bool = True) -> BenchResult:
    case.numba_step(10)  # compile (or load) outside the timing
    numba_ns = _best(lambda: case.numba_step(case.steps_numba)) / case.steps_numba * 1e9
    numpy_ns = _best(lambda: case.numpy_step(case.steps_numpy), 1) / case.steps_numpy * 1e9
    nr = vr = None
    if case.numba_runs is not None and case.numpy_runs is not None:
        case.numba_runs(10, 2)
        nr = _best(lambda: case.numba_runs(run_steps, runs)) / (run_steps * runs) * 1e9
        vr = _best(lambda: case.numpy_runs(run_steps // 4, runs), 1) / (run_steps // 4 * runs) \
            * 1e9
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


CASES: dict[str, Callable[[], BenchCase]] = {"first-order": first_order_case}
"""Every family's benchmark, by name; each returns a fresh case."""


def run_all(families: list[str] | None = None, compile_times: bool = True) -> list[BenchResult]:
    names = families or list(CASES)
    unknown = set(names) - set(CASES)
    if unknown:
        raise ValueError(f"unknown families {sorted(unknown)}; known: {', '.join(CASES)}")
    return [run_case(CASES[n](), compile_times=compile_times) for n in names]


def as_dicts(results: list[BenchResult]) -> list[dict]:
    return [asdict(r) for r in results]
