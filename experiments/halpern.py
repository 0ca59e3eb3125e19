"""Halpern iteration and a variance-reduced Halpern iteration that counts its oracle calls.

Halpern anchors a fixed-point iteration of T = I - eta F to the start x_0 [Halpern 1967]:

    x_{k+1} = x_0 / (k + 2) + (1 - 1/(k + 2)) (x_k - eta F(x_k)).

The variance-reduced version (after Cai, Alacaoglu & Diakonikolas, ICLR 2024, arXiv 2310.02987;
the estimator and its parameters here are *inferred*, the full text was not available) replaces
F(x_k) for a finite sum F = (1/n) sum_i F_i by a PAGE-type recursive estimate: with probability
p the full operator (n component calls), otherwise the previous estimate corrected by a
mini-batch of b differences F_i(x_k) - F_i(x_{k-1}) (2b calls).  With b ~ sqrt(n) and
p ~ 1/sqrt(n) a step costs O(sqrt(n)) calls instead of n.

The difference F_i(x_k) - F_i(x_{k-1}) needs *the same* sample i at both points; the kernel gets
it from the ordinary ``sample_field`` oracle by replaying the run's random stream: it saves the
counter-based state, draws at x_k, restores the state and draws again at x_{k-1}.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit, prange

from experiments.oracles import field, oracle_args, sample_field
from experiments.random import stream, uniform
from experiments.run import Run, diverging, log_checkpoints, validate_checkpoints


@njit(cache=True)
def _halpern(kind, A, b, p, x0, eta, checkpoints, tol):
    d = x0.size
    K = checkpoints.size
    iterates = np.full((1, K, d), np.nan)
    diverged_at = np.full(1, -1, dtype=np.int64)
    first_below = -1
    x = x0.copy()
    g = np.empty(d)
    c = 0
    if checkpoints[0] == 0:
        iterates[0, 0, :] = x
        c = 1
    for k in range(checkpoints[-1]):
        field(kind, A, b, p, x, g)
        if first_below < 0:
            sq = 0.0
            for j in range(d):
                sq += g[j] * g[j]
            if np.sqrt(sq) <= tol:
                first_below = k
        lam = 1.0 / (k + 2.0)
        sq = 0.0
        for j in range(d):
            x[j] = lam * x0[j] + (1.0 - lam) * (x[j] - eta * g[j])
            sq += x[j] * x[j]
        if diverging(sq):
            diverged_at[0] = k + 1
            break
        if k + 1 == checkpoints[c]:
            iterates[0, c, :] = x
            c += 1
    return iterates, diverged_at, first_below


@njit(cache=True, nogil=True, parallel=True)
def _vr_halpern(kind, A, b, p, x0, eta, n, batch, prob, max_iter, tol, seed, runs):
    """Flat arguments on purpose: numba caches a kernel of plain arrays and scalars on disk, while a
    jitclass or record argument is not cacheable; the grouped, validated form is the method's
    dataclass in experiments.methods."""
    d = x0.size
    calls_to_tol = np.full(runs, -1, dtype=np.int64)
    iters_to_tol = np.full(runs, -1, dtype=np.int64)
    final = np.full((runs, d), np.nan)
    for r in prange(runs):
        rng = stream(seed, r)
        x = x0.copy()
        x_new = np.empty(d)
        est = np.empty(d)
        g_new = np.empty(d)
        g_old = np.empty(d)
        exact = np.empty(d)
        field(kind, A, b, p, x, est)  # a full pass at x_0
        calls = n
        for k in range(max_iter):
            # the exact residual is a measurement, not one of the method's oracle calls
            field(kind, A, b, p, x, exact)
            sq = 0.0
            for j in range(d):
                sq += exact[j] * exact[j]
            if np.sqrt(sq) <= tol:
                calls_to_tol[r] = calls
                iters_to_tol[r] = k
                break
            lam = 1.0 / (k + 2.0)
            sq = 0.0
            for j in range(d):
                x_new[j] = lam * x0[j] + (1.0 - lam) * (x[j] - eta * est[j])
                sq += x_new[j] * x_new[j]
            if diverging(sq):
                break
            if uniform(rng) < prob:
                field(kind, A, b, p, x_new, est)
                calls += n
            else:
                for _ in range(batch):
                    saved = rng[0]
                    sample_field(kind, A, b, p, x_new, 0.0, rng, g_new)
                    rng[0] = saved  # replay: the same component at the previous point
                    sample_field(kind, A, b, p, x, 0.0, rng, g_old)
                    for j in range(d):
                        est[j] += (g_new[j] - g_old[j]) / batch
                calls += 2 * batch
            for j in range(d):
                x[j] = x_new[j]
        for j in range(d):
            final[r, j] = x[j]
    return calls_to_tol, iters_to_tol, final


@dataclass(frozen=True)
class HalpernRun(Run):
    """A Halpern :class:`Run` with the first step at which ||F(x_k)|| <= tol (-1: never)."""

    first_below: int


def halpern(problem, eta: float, horizon: int, *, x0: np.ndarray | None = None,
            checkpoints: np.ndarray | None = None, tol: float = 0.0) -> HalpernRun:
    """Halpern iteration on T = I - eta F for ``horizon`` steps (deterministic, one run)."""
    eta = _positive("eta", eta)
    if isinstance(horizon, bool) or int(horizon) != horizon or horizon < 1:
        raise ValueError(f"horizon must be an integer >= 1, got {horizon!r}")
    x0 = _start(problem, x0)
    c = log_checkpoints(int(horizon)) if checkpoints is None else validate_checkpoints(checkpoints)
    if c[-1] != horizon:
        raise ValueError(f"the last checkpoint must equal horizon={horizon}, got {c[-1]}")
    kind, A, b, p = oracle_args(problem, False)
    iterates, diverged_at, first = _halpern(kind, A, b, p, x0, eta, c, float(tol))
    return HalpernRun(checkpoints=c, iterates=iterates, diverged_at=diverged_at, seed=0,
                      first_below=int(first))


@dataclass(frozen=True)
class CallCount:
    """Oracle calls (component evaluations) each run used to reach ||F(x_k)|| <= tol."""

    calls: np.ndarray       # (runs,), -1 where max_iter was reached first
    iterations: np.ndarray  # (runs,)
    final: np.ndarray       # (runs, d): the last iterate

    @property
    def reached(self) -> bool:
        return bool(np.all(self.calls >= 0))


def vr_halpern(problem, eta: float, tol: float, *, batch: int | None = None,
               prob: float | None = None, max_iter: int = 1_000_000, runs: int = 1,
               seed: int = 0, x0: np.ndarray | None = None) -> CallCount:
    """Variance-reduced Halpern on a finite sum; counts component calls until ||F|| <= tol.

    Defaults: batch b = ceil(sqrt(n)), refresh probability p = 1/sqrt(n), so that a step costs
    p n + 2 b (1 - p) ~ 3 sqrt(n) calls on average.

    Many keyword parameters on purpose: this is the flat entry point that the method's dataclass in
    experiments.methods (the grouped, validated form) calls."""
    n = int(problem.n)
    eta = _positive("eta", eta)
    tol = _positive("tol", tol)
    batch = int(np.ceil(np.sqrt(n))) if batch is None else batch
    if isinstance(batch, bool) or int(batch) != batch or batch < 1:
        raise ValueError(f"batch must be an integer >= 1, got {batch!r}")
    prob = 1.0 / np.sqrt(n) if prob is None else float(prob)
    if not 0.0 < prob <= 1.0:
        raise ValueError(f"prob must lie in (0, 1], got {prob!r}")
    for name, v, lo in (("max_iter", max_iter, 1), ("runs", runs, 1), ("seed", seed, 0)):
        if isinstance(v, bool) or int(v) != v or v < lo:
            raise ValueError(f"{name} must be an integer >= {lo}, got {v!r}")
    x0 = _start(problem, x0)
    kind, A, b, p = oracle_args(problem, True)
    calls, iters, final = _vr_halpern(kind, A, b, p, x0, eta, n, int(batch), prob,
                                      int(max_iter), tol, np.uint64(seed), int(runs))
    return CallCount(calls=calls, iterations=iters, final=final)


def _positive(name: str, value: float) -> float:
    value = float(value)
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")
    return value


def _start(problem, x0):
    d = problem.x_star.size
    x0 = np.zeros(d) if x0 is None else np.asarray(x0, dtype=np.float64)
    if x0.shape != (d,) or not np.all(np.isfinite(x0)):
        raise ValueError(f"x0 must be a finite vector of shape ({d},), got shape {x0.shape}")
    return x0
