"""``rates bench``: the library's numba kernels against a minimal kernel and plain NumPy.

For each family: the time per step (per run-step for Monte Carlo) of the library kernel, of a
minimal hand-written numba kernel of the same method on the same problem (the *reference*: one
run, no dispatch, no checkpoints, no divergence check, no averaging; ``ratio`` = library /
reference is what the library's generality costs), of a per-step NumPy loop, and of NumPy
vectorised across runs, all measured in this process one after the other; and the library
kernel's compile time, cold (empty numba cache) and loaded from the cache, each measured in a
fresh subprocess.  The NumPy versions are the references in :mod:`experiments.reference`, which
the tests hold to the kernels' results; the minimal kernels are below, and the tests hold them to
the library's iterates too.

The minimal kernels are compiled in every process (no ``cache=True``): they call the field
functions of :mod:`experiments.fields` directly, and numba's own cache (the only one outside
``experiments/``) would not notice an edit there.  Their compile time is not reported.
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
from numba import njit

from experiments import schedules
from experiments.fields.bilevel import sample_hypergradient
from experiments.fields.least_squares import sample_gradient
from experiments.fields.stochastic import batch_mean
from experiments.fields.vi import affine
from experiments.oracles import oracle_args
from experiments.random import stream
from experiments.run import FASTMATH


@dataclass
class BenchCase:
    family: str
    method: str
    problem: str
    numba_step: Callable[[int], None]        # run n steps of one run
    reference_step: Callable[[int], None]    # the same with the minimal numba kernel
    numpy_step: Callable[[int], None] | None  # the same with the NumPy loop
    numba_runs: Callable[[int, int], None] | None  # n steps x R runs
    numpy_runs: Callable[[int, int], None] | None
    steps_numba: int
    steps_numpy: int
    warm_code: str                           # imports, and def work(): calls the kernel once
    runs: int = 256                          # Monte Carlo: runs, and steps of the numba kernel
    run_steps: int = 2000                    # (NumPy vectorised does a quarter of the steps)


@dataclass
class BenchResult:
    family: str
    method: str
    problem: str
    numba_ns_per_step: float
    reference_ns_per_step: float
    ratio_to_reference: float
    numpy_loop_ns_per_step: float | None
    speedup_vs_numpy_loop: float | None
    numba_ns_per_run_step: float | None
    numpy_vectorised_ns_per_run_step: float | None
    speedup_vs_numpy_vectorised: float | None
    compile_cold_s: float
    compile_cached_s: float


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
    case.reference_step(10)
    # library and reference alternate, best of 5 each: on a shared machine a busy spell then
    # hits both, and the minimum of each is its unloaded time
    numba_ns = reference_ns = np.inf
    for _ in range(5):
        numba_ns = min(numba_ns, _best(lambda: case.numba_step(s_numba), 1) / s_numba * 1e9)
        reference_ns = min(reference_ns,
                           _best(lambda: case.reference_step(s_numba), 1) / s_numba * 1e9)
    # best of 3 for NumPy too: on a shared machine one unlucky timeslice (or OpenBLAS threads
    # waiting on a busy core) can inflate a single measurement many times over
    numpy_ns = None
    if case.numpy_step is not None:
        numpy_ns = _best(lambda: case.numpy_step(s_numpy)) / s_numpy * 1e9
    nr = vr = None
    if case.numba_runs is not None:
        runs = case.runs
        case.numba_runs(10, 2)
        nr = _best(lambda: case.numba_runs(s_runs, runs)) / (s_runs * runs) * 1e9
        if case.numpy_runs is not None:
            s_vec = max(10, s_runs // 4)
            vr = _best(lambda: case.numpy_runs(s_vec, runs)) / (s_vec * runs) * 1e9
    cold, cached = _compile_times(case.warm_code) if compile_times else (np.nan, np.nan)
    return BenchResult(
        family=case.family, method=case.method, problem=case.problem,
        numba_ns_per_step=numba_ns, reference_ns_per_step=reference_ns,
        ratio_to_reference=numba_ns / reference_ns, numpy_loop_ns_per_step=numpy_ns,
        speedup_vs_numpy_loop=None if numpy_ns is None else numpy_ns / numba_ns,
        numba_ns_per_run_step=nr, numpy_vectorised_ns_per_run_step=vr,
        speedup_vs_numpy_vectorised=None if vr is None else vr / nr,
        compile_cold_s=cold, compile_cached_s=cached)


# --- the minimal kernels: one run, the method's update and its oracle, nothing else -------------

@njit(fastmath=FASTMATH)
def minimal_sgd(A, b, x, gamma, n, seed):
    """SGD on least squares: x -= gamma grad f_i(x), i uniform (the library's stream, run 0)."""
    rng = stream(seed, 0)
    g = np.empty(x.size)
    for _ in range(n):
        sample_gradient(A, b, x, rng, g)
        for j in range(x.size):
            x[j] -= gamma * g[j]
    return x


@njit
def minimal_adam(kind, p, x, gamma, beta1, beta2, eps, n, seed):
    """Adam with bias correction on E 1/2 (x - X)^2, one coordinate at a time."""
    rng = stream(seed, 0)
    m = np.zeros(x.size)
    v = np.zeros(x.size)
    power1 = power2 = 1.0
    for _ in range(n):
        power1 *= beta1
        power2 *= beta2
        step = gamma / (1.0 - power1)
        root_c2 = np.sqrt(1.0 - power2)
        for j in range(x.size):
            g = x[j] - batch_mean(kind, p, 1, rng)
            m[j] = beta1 * m[j] + (1.0 - beta1) * g
            v[j] = beta2 * v[j] + (1.0 - beta2) * g * g
            x[j] -= step * (m[j] / (np.sqrt(v[j]) / root_c2 + eps))
    return x


@njit(fastmath=FASTMATH)
def minimal_bilevel_sgd(A, b, x, step_kind, step_params, acc_kind, acc_params, n, seed):
    """x -= alpha_k g_k with g_k a hypergradient sample at accuracy eps_k."""
    rng = stream(seed, 0)
    g = np.empty(x.size)
    for k in range(n):
        alpha = schedules.step_size(step_kind, step_params, k)
        sample_hypergradient(A, b, x, schedules.step_size(acc_kind, acc_params, k), rng, g)
        for j in range(x.size):
            x[j] -= alpha * g[j]
    return x


@njit(fastmath=FASTMATH)
def minimal_eg(A, b, z, gamma, n):
    """Extragradient, V(z) = A z + b."""
    g = np.empty(z.size)
    lead = np.empty(z.size)
    for _ in range(n):
        affine(A, b, z, g)
        for j in range(z.size):
            lead[j] = z[j] - gamma * g[j]
        affine(A, b, lead, g)
        for j in range(z.size):
            z[j] -= gamma * g[j]
    return z


@njit(fastmath=FASTMATH)
def minimal_peg(A, b, z, gamma, n):
    """Past extragradient (Popov), z_{-1/2} = z_0."""
    g = np.empty(z.size)
    lead = np.empty(z.size)
    affine(A, b, z, g)
    for _ in range(n):
        for j in range(z.size):
            lead[j] = z[j] - gamma * g[j]
        affine(A, b, lead, g)
        for j in range(z.size):
            z[j] -= gamma * g[j]
    return z


@njit(fastmath=FASTMATH)
def minimal_og(A, b, y, gamma, n):
    """Optimistic gradient, constant step: y -= 2 gamma V(y_t) - gamma V(y_{t-1}); the first
    step y_1 = y_0 - gamma V(y_0)."""
    g = np.empty(y.size)
    g_past = np.empty(y.size)
    affine(A, b, y, g_past)
    for j in range(y.size):
        y[j] -= gamma * g_past[j]
    for _ in range(1, n):
        affine(A, b, y, g)
        for j in range(y.size):
            y[j] += -2.0 * gamma * g[j] + gamma * g_past[j]
            g_past[j] = g[j]
    return y


@njit(fastmath=FASTMATH)
def minimal_rg(A, b, z, gamma, n):
    """Reflected gradient: z_{t+1} = z_t - gamma V(2 z_t - z_{t-1}), z_{-1} = z_0."""
    g = np.empty(z.size)
    lead = np.empty(z.size)
    prev = z.copy()
    for _ in range(n):
        for j in range(z.size):
            lead[j] = 2.0 * z[j] - prev[j]
            prev[j] = z[j]
        affine(A, b, lead, g)
        for j in range(z.size):
            z[j] -= gamma * g[j]
    return z


@njit(fastmath=FASTMATH)
def minimal_gda(A, b, z, gamma, n):
    """Simultaneous gradient descent-ascent."""
    g = np.empty(z.size)
    for _ in range(n):
        affine(A, b, z, g)
        for j in range(z.size):
            z[j] -= gamma * g[j]
    return z


@njit(fastmath=FASTMATH)
def minimal_aog(A, b, z, eta, n):
    """Accelerated optimistic gradient: anchor a_k = z_k + (z_0 - z_k)/(k+2), the leading point
    a_k - eta V(z_{k-1/2}), z_{k+1} = a_k - eta V(z_{k+1/2}); V(z_{-1/2}) = V(z_0)."""
    z0 = z.copy()
    g = np.empty(z.size)
    lead = np.empty(z.size)
    affine(A, b, z, g)
    for k in range(n):
        for j in range(z.size):
            z[j] += (z0[j] - z[j]) / (k + 2.0)
            lead[j] = z[j] - eta * g[j]
        affine(A, b, lead, g)
        for j in range(z.size):
            z[j] -= eta * g[j]
    return z


MINIMAL_VI = {"eg": minimal_eg, "peg": minimal_peg, "og": minimal_og, "rg": minimal_rg,
              "gda": minimal_gda, "aog": minimal_aog}
"""The minimal VI kernels by method name (``experiments.vi``'s names; aog: its accelerated
optimistic gradient), each ``(A, b, z, step, n) -> z`` for the affine V(z) = A z + b."""


def first_order_case() -> BenchCase:
    from experiments import schedules
    from experiments.first_order import gradient_descent
    from experiments.reference import sgd_least_squares_loop, sgd_least_squares_runs
    from problems import least_squares

    ls = least_squares(n=1000, d=100, noise=0.5, seed=0)
    gamma = 1.0 / (2 * ls.L_max)
    x0 = np.zeros(ls.d)
    step = schedules.constant(gamma)
    _, A, b, _ = oracle_args(ls, True)

    def numba_runs(n: int, r: int) -> None:
        gradient_descent(ls, step, n, runs=r, stochastic=True, checkpoints=np.array([n]))

    return BenchCase(
        family="first-order", method="SGD, constant step", problem="least squares n=1000 d=100",
        numba_step=lambda n: numba_runs(n, 1),
        reference_step=lambda n: minimal_sgd(A, b, x0.copy(), gamma, n, 0),
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
            """).strip())


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
    kind, _, _, p = oracle_args(q, True)

    def reference_step(n: int) -> None:
        minimal_adam(kind, p, np.zeros(1), gamma, betas["beta1"], betas["beta2"], betas["eps"],
                     n, 0)

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
        numba_step=lambda n: numba_runs(n, 1), reference_step=reference_step,
        numpy_step=numpy_step, numba_runs=numba_runs, numpy_runs=numpy_runs,
        steps_numba=1_000_000, steps_numpy=20_000, runs=256, run_steps=20_000,
        warm_code=textwrap.dedent("""
            from experiments import schedules
            from experiments.adaptive import adam
            from problems import stochastic_quadratic
            q = stochastic_quadratic("normal", d=1)
            def work():
                adam(q, schedules.constant(0.01), 10, runs=2)
            """).strip())


def vi_case() -> BenchCase:
    """Extragradient, constant step 1/(2L), on a 50 x 50 bilinear game (d = 100).

    Per step: the exact operator.  Monte Carlo: the stochastic oracle (additive N(0, 0.1^2 I)),
    the NumPy version drawing the kernel's numbers (its Box-Muller twin) inside the timing.  Its
    matrix products go through BLAS (one multiplication of R x d by d x d per half-step), which
    is where NumPy vectorised across runs is at its best.
    """
    from experiments import reference

    case = vi_method_case("eg")
    game, gamma, z0 = _vi_game()
    case.numpy_step = lambda n: reference.extragradient_loop(game.M, game.b, z0, gamma, n)
    case.numpy_runs = lambda n, r: reference.extragradient_runs(game.M, game.b, z0, gamma, n, r,
                                                                noise=game.noise)
    return case


def _vi_game():
    from problems.vi import bilinear_game

    game = bilinear_game(np.linspace(0.1, 1.0, 50), seed=0, noise=0.1)
    return game, 0.5 / game.L, np.zeros(game.d)


VI_METHODS = {"eg": "extragradient", "peg": "past extragradient", "og": "optimistic gradient",
              "rg": "reflected gradient", "gda": "gradient descent-ascent",
              "aog": "accelerated optimistic gradient"}


VI_STEPS_L = {"eg": 0.5, "gda": 1e-3}
"""gamma L per VI method in the benchmark (default 0.25): a step at which the method converges on
the bilinear game, or (GDA, which spirals out at any step) grows by 0.5 % in 10^4 steps; a
diverging run stops at its divergence and would time nothing after it."""


def vi_method_case(method: str) -> BenchCase:
    """One VI method of :mod:`experiments.vi`, constant step ``VI_STEPS_L`` / L, on the 50 x 50
    bilinear game of :func:`vi_case`: per step exact, Monte Carlo with the stochastic oracle (no
    NumPy versions but extragradient's)."""
    from experiments.vi import accelerated_optimistic, operator_method

    game, _, z0 = _vi_game()
    gamma = VI_STEPS_L.get(method, 0.25) / game.L
    _, A, b, _ = oracle_args(game)
    minimal = MINIMAL_VI[method]

    def numba_runs(n: int, r: int, stochastic: bool = True) -> None:
        if method == "aog":
            accelerated_optimistic(game, gamma, n, runs=r, stochastic=stochastic,
                                   checkpoints=np.array([n]))
        else:
            operator_method(game, gamma, n, runs=r, stochastic=stochastic, method=method,
                          checkpoints=np.array([n]))

    call = ("accelerated_optimistic(game, 0.1, 10, runs=2, stochastic=True)" if method == "aog"
            else f"operator_method(game, 0.1, 10, runs=2, stochastic=True, method={method!r})")
    return BenchCase(
        family="vi" if method == "eg" else f"vi-{method}",
        method=f"{VI_METHODS[method]}, constant step", problem="bilinear game 50x50",
        numba_step=lambda n: numba_runs(n, 1, False),
        reference_step=lambda n: minimal(A, b, z0.copy(), gamma, n),
        numpy_step=None, numba_runs=numba_runs, numpy_runs=None,
        steps_numba=10_000, steps_numpy=4_000, runs=64, run_steps=1_000,
        warm_code=textwrap.dedent(f"""
            import numpy as np
            from experiments.vi import accelerated_optimistic, operator_method
            from problems.vi import bilinear_game
            game = bilinear_game(np.ones(3), noise=0.1)
            def work():
                {call}
            """).strip())


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
    _, A, b, _ = oracle_args(pb, True)

    def reference_step(n: int) -> None:
        minimal_bilevel_sgd(A, b, pb.x_star.copy(), *steps.kernel_args(),
                            *accuracies.kernel_args(), n, 0)

    def numba_runs(n: int, r: int) -> None:
        inexact_bilevel_sgd(pb, steps, accuracies, n, runs=r, checkpoints=np.array([n]))

    def numpy_runs(n: int, r: int) -> None:
        normals = np.random.default_rng(0).standard_normal((n, r, pb.d, 2))
        k = np.arange(n) + 1.0
        reference.inexact_bilevel_sgd_runs(pb.signal_var, pb.noise_var, pb.theta_star,
                                           k**-0.5, 0.5 * k**-0.5, normals)

    return BenchCase(
        family="bilevel", method="inexact bilevel SGD", problem="bilevel ridge d=20",
        numba_step=lambda n: numba_runs(n, 1), reference_step=reference_step,
        numpy_step=lambda n: numpy_runs(n, 1),
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
    "bilevel": bilevel_case,
    **{f"vi-{m}": (lambda m=m: vi_method_case(m)) for m in VI_METHODS if m != "eg"}}
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
