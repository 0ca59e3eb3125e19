"""Frank-Wolfe on the simplex for f(x) = - sum_i w_i log(a_i^T x) + c^T x (problems.simplex_log).

    v_t = e_j,  j = argmin_j grad f(x_t)_j        (the linear minimisation oracle of the simplex)
    x_{t+1} = x_t + gamma_t (v_t - x_t),  gamma_t = 2/(t + 2)

``monotone=True`` is the variant of Carderera, Besancon & Pokutta (arXiv 2105.13913,
Algorithm 2): a step that would increase f or leave its domain (f = +inf) is skipped,
x_{t+1} = x_t.  Vanilla FW takes every step; one that lands where f = +inf is a divergence (the
run stops there, ``diverged_at``).

The kernel keeps s = A x (m numbers) up to date, s <- (1 - gamma) s + gamma A[:, j], so a step
costs one pass over A for the gradient and O(m) for f at the candidate.  Deterministic: one run.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from experiments.run import Run, log_checkpoints, validate_checkpoints


@njit(cache=True)
def _value(s, w, cx):
    v = cx
    for i in range(s.size):
        if not s[i] > 0.0:
            return np.inf
        v -= w[i] * np.log(s[i])
    return v


@njit(cache=True)
def _frank_wolfe(A, w, c, x0, checkpoints, monotone):
    m, d = A.shape
    K = checkpoints.size
    iterates = np.full((1, K, d), np.nan)
    diverged_at = np.full(1, -1, dtype=np.int64)
    skipped = 0
    x = x0.copy()
    s = A @ x
    cx = 0.0
    for j in range(d):
        cx += c[j] * x[j]
    f = _value(s, w, cx)
    g = np.empty(d)
    s_new = np.empty(m)
    k = 0
    if checkpoints[0] == 0:
        iterates[0, 0, :] = x
        k = 1
    for t in range(checkpoints[-1]):
        for j in range(d):
            g[j] = c[j]
        for i in range(m):
            r = w[i] / s[i]
            for j in range(d):
                g[j] -= r * A[i, j]
        best = 0
        for j in range(1, d):
            if g[j] < g[best]:
                best = j
        gamma = 2.0 / (t + 2.0)
        for i in range(m):
            s_new[i] = (1.0 - gamma) * s[i] + gamma * A[i, best]
        cx_new = (1.0 - gamma) * cx + gamma * c[best]
        f_new = _value(s_new, w, cx_new)
        if monotone and not f_new <= f:
            skipped += 1  # the step would increase f or leave the domain: x_{t+1} = x_t
        else:
            for j in range(d):
                x[j] *= 1.0 - gamma
            x[best] += gamma
            s[:] = s_new
            cx, f = cx_new, f_new
            if not np.isfinite(f):
                diverged_at[0] = t + 1
                break
        if k < K and t + 1 == checkpoints[k]:
            iterates[0, k, :] = x
            k += 1
    return iterates, diverged_at, skipped


def frank_wolfe(problem, horizon: int, *, monotone: bool = True, x0: np.ndarray | None = None,
                checkpoints: np.ndarray | None = None) -> Run:
    """One run of (monotone) Frank-Wolfe from ``x0`` (default: the first vertex e_1)."""
    d = problem.d
    if x0 is None:
        x0 = np.eye(d)[0]
    x0 = np.asarray(x0, dtype=float).reshape(-1)
    if x0.shape != (d,) or not np.all(np.isfinite(x0)) or np.any(x0 < 0) or not (
            abs(x0.sum() - 1.0) < 1e-12):
        raise ValueError(f"x0 must be a point of the simplex in R^{d}")
    c = log_checkpoints(horizon) if checkpoints is None else validate_checkpoints(checkpoints)
    iterates, diverged_at, _ = _frank_wolfe(np.ascontiguousarray(problem.A, dtype=float),
                                            np.asarray(problem.w, dtype=float),
                                            np.asarray(problem.c, dtype=float), x0, c,
                                            bool(monotone))
    return Run(checkpoints=c, iterates=iterates, diverged_at=diverged_at, seed=0)
