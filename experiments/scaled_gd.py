"""ScaledGD(lambda): gradient descent on factors, right-preconditioned by the damped Gram matrix.

Symmetric factor X (n x k):      X <- X - eta grad_X f(X) (X^T X + lambda I)^-1
Asymmetric factors F, G (n x k): F <- F - eta grad_F f (G^T G + lambda I)^-1,
                                 G <- G - eta grad_G f (F^T F + lambda I)^-1
(both updates use the old F and G)

[Xu, Shen, Chi, Ma, ICML 2023, arXiv 2302.01186]; lambda = 0 is ScaledGD [Tong, Ma, Chi, JMLR
2021, arXiv 2005.08898], which needs the Gram matrix to stay invertible (it does not when k > r
and the initialisation is small: the damping is what makes over-parameterisation safe).

Written once against the oracle: the kernel takes the field's output (the gradient with respect
to the flattened factors), cuts it into n x k blocks and multiplies each by the inverse of its
partner block's damped Gram matrix (block j's partner is block B - 1 - j: itself for XX^T, the
other factor for FG^T).  Runs are random initialisations, one per row of x0.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from experiments.oracles import field, oracle_args
from experiments.run import Run, diverging, validate_checkpoints


@njit(cache=True, inline="always")
def _cholesky(P, k):
    """In-place lower Cholesky factor of the k x k matrix P; False if P is not positive definite.

    Hand-written rather than np.linalg.cholesky so that a singular preconditioner (lambda = 0
    with a rank-deficient factor) stops the run as diverged instead of raising in a thread.
    """
    for j in range(k):
        s = P[j, j]
        for a in range(j):
            s -= P[j, a] * P[j, a]
        if not s > 0.0:
            return False
        P[j, j] = np.sqrt(s)
        for i in range(j + 1, k):
            t = P[i, j]
            for a in range(j):
                t -= P[i, a] * P[j, a]
            P[i, j] = t / P[j, j]
    return True


@njit(cache=True, nogil=True, parallel=True)
def _scaled_gd(kind, A, b, p, x0, n, k, eta, lam, checkpoints):
    """Flat arguments on purpose: numba caches a kernel of plain arrays and scalars on disk, while a
    jitclass or record argument is not cacheable; the grouped, validated form is the method's
    dataclass in experiments.methods."""
    runs, d = x0.shape
    blocks = d // (n * k)
    nk = n * k
    K = checkpoints.size
    horizon = checkpoints[-1]
    iterates = np.full((runs, K, d), np.nan)
    diverged_at = np.full(runs, -1, dtype=np.int64)
    for r in prange(runs):
        x = x0[r].copy()
        g = np.empty(d)
        step = np.empty(d)
        P = np.empty((k, k))
        z = np.empty(k)
        c = 0
        if checkpoints[0] == 0:
            iterates[r, 0, :] = x
            c = 1
        for t in range(horizon):
            field(kind, A, b, p, x, g)
            ok = True
            for j in range(blocks):
                q = (blocks - 1 - j) * nk  # the partner block's Gram preconditions block j
                for a in range(k):
                    for e in range(a + 1):
                        s = 0.0
                        for i in range(n):
                            s += x[q + i * k + a] * x[q + i * k + e]
                        P[a, e] = s
                    P[a, a] += lam
                if not _cholesky(P, k):
                    ok = False
                    break
                for i in range(n):  # row i of grad_j times P^-1: solve L L^T z = row
                    o = j * nk + i * k
                    for a in range(k):
                        s = g[o + a]
                        for e in range(a):
                            s -= P[a, e] * z[e]
                        z[a] = s / P[a, a]
                    for a in range(k - 1, -1, -1):
                        s = z[a]
                        for e in range(a + 1, k):
                            s -= P[e, a] * z[e]
                        z[a] = s / P[a, a]
                    for a in range(k):
                        step[o + a] = z[a]
            sq = 0.0
            if ok:
                for i in range(d):
                    x[i] -= eta * step[i]
                    sq += x[i] * x[i]
            if not ok or diverging(sq):
                diverged_at[r] = t + 1
                break
            if t + 1 == checkpoints[c]:
                iterates[r, c, :] = x
                c += 1
    return iterates, diverged_at


def scaled_gd(problem, eta: float, lam: float, horizon: int, x0: np.ndarray,
              checkpoints: np.ndarray | None = None) -> Run:
    """Run ScaledGD(lambda) from each row of ``x0`` (runs, d) for ``horizon`` steps.

    ``problem`` is a factorised problem with ``oracle()``, ``n``, ``k`` and ``d`` (e.g.
    problems.matrix_sensing); the iterates are recorded at ``checkpoints`` (every step by
    default).  A run whose factors blow up, or whose preconditioner is singular (lambda = 0
    with a rank-deficient factor), stops and reports the step.
    """
    eta = float(eta)
    if not (math.isfinite(eta) and eta > 0):
        raise ValueError(f"eta must be a positive finite number, got {eta!r}")
    lam = float(lam)
    if not (math.isfinite(lam) and lam >= 0):
        raise ValueError(f"lam must be a finite number >= 0, got {lam!r}")
    if int(horizon) != horizon or horizon < 1:
        raise ValueError(f"horizon must be an integer >= 1, got {horizon!r}")
    n, k, d = int(problem.n), int(problem.k), int(problem.d)
    if d % (n * k):
        raise ValueError(f"the problem's d = {d} is not a whole number of {n} x {k} blocks")
    x0 = np.asarray(x0, dtype=np.float64)
    if x0.ndim == 1:
        x0 = x0[None, :]
    if x0.ndim != 2 or x0.shape[1] != d:
        raise ValueError(f"x0 must have shape (runs, {d}) or ({d},), got {x0.shape}")
    c = (np.arange(0, int(horizon) + 1, dtype=np.int64) if checkpoints is None
         else validate_checkpoints(checkpoints))
    if c[-1] != horizon:
        raise ValueError(f"the last checkpoint must equal horizon={horizon}, got {c[-1]}")
    kind, A, b, p = oracle_args(problem)
    iterates, diverged_at = _scaled_gd(kind, A, b, p, np.ascontiguousarray(x0), n, k, eta, lam,
                                       c)
    return Run(checkpoints=c, iterates=iterates, diverged_at=diverged_at, seed=0)
