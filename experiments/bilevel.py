"""Inexact bilevel SGD: theta_{k+1} = theta_k - alpha_k g_k, g_k an inexact stochastic hypergrad.

alpha_k = alpha (k+1)^-q is the step and eps_k = eps0 (k+1)^-p (or a constant eps0) the accuracy
of the lower-level solve the oracle is asked for at step k; both are schedules (plain data), and
the kernel is generic over the problem through :func:`experiments.oracles.sample_field`, whose
``accuracy`` argument carries eps_k.  Salehi, Mukherjee, Roberts & Ehrhardt, arXiv 2511.06774.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from experiments import schedules
from experiments.oracles import oracle_args, sample_field
from experiments.random import stream
from experiments.run import Run, diverging, log_checkpoints, validate_checkpoints


@njit(cache=True, parallel=True)
def _inexact_sgd(kind, A, b, p, theta0, step_kind, step_params, acc_kind, acc_params,
                 checkpoints, seed, runs):
    d = theta0.size
    K = checkpoints.size
    horizon = checkpoints[-1]
    iterates = np.full((runs, K, d), np.nan)
    diverged_at = np.full(runs, -1, dtype=np.int64)
    for r in prange(runs):
        rng = stream(seed, r)
        theta = theta0.copy()
        g = np.empty(d)
        c = 0
        if checkpoints[0] == 0:
            iterates[r, 0, :] = theta
            c = 1
        for k in range(horizon):
            alpha = schedules.step_size(step_kind, step_params, k)
            eps = schedules.step_size(acc_kind, acc_params, k)
            sample_field(kind, A, b, p, theta, eps, rng, g)
            sq = 0.0
            for j in range(d):
                theta[j] -= alpha * g[j]
                sq += theta[j] * theta[j]
            if diverging(sq):
                diverged_at[r] = k + 1
                break
            if k + 1 == checkpoints[c]:
                iterates[r, c, :] = theta
                c += 1
    return iterates, diverged_at


def step_schedule(alpha: float, q: float) -> schedules.Schedule:
    """alpha_k = alpha (k+1)^-q."""
    return schedules.polynomial(alpha, q, 1.0)


def accuracy_schedule(eps0: float, p: float = 0.0, decaying: bool = True) -> schedules.Schedule:
    """eps_k = eps0 (k+1)^-p (``decaying``) or eps0 at every step; eps0 = 0 is the exact oracle."""
    eps0 = float(eps0)
    if not 0.0 <= eps0 < 1.0:
        raise ValueError(f"eps0 must lie in [0, 1) (x_tilde = (1 - eps) x_hat), got {eps0!r}")
    if eps0 == 0.0:
        return schedules.Schedule(schedules.CONSTANT, (0.0,), "0 (exact)")
    if decaying:
        return schedules.polynomial(eps0, p, 1.0)
    return schedules.constant(eps0)


def inexact_bilevel_sgd(problem, steps: schedules.Schedule, accuracies: schedules.Schedule,
                        horizon: int, *, runs: int = 1, seed: int = 0,
                        theta0: np.ndarray | None = None,
                        checkpoints: np.ndarray | None = None) -> Run:
    """Run inexact bilevel SGD ``runs`` times for ``horizon`` steps from ``theta0``.

    ``theta0`` defaults to the problem's theta*.  ``accuracies`` must be a constant or
    polynomial schedule with values in [0, 1) (both are non-increasing, so eps_0 is checked).
    Returns the iterates theta at ``checkpoints`` (log-spaced from 1 by default).
    """
    if int(horizon) != horizon or horizon < 1:
        raise ValueError(f"horizon must be an integer >= 1, got {horizon!r}")
    if int(runs) != runs or runs < 1:
        raise ValueError(f"runs must be an integer >= 1, got {runs!r}")
    if int(seed) != seed or seed < 0:
        raise ValueError(f"seed must be an integer >= 0, got {seed!r}")
    if accuracies.kind not in (schedules.CONSTANT, schedules.POLYNOMIAL):
        raise ValueError("accuracies must be a constant or polynomial schedule, "
                         f"got {accuracies}")
    eps_first = float(accuracies(0)[0])
    if not 0.0 <= eps_first < 1.0:
        raise ValueError(f"the accuracy eps_k must lie in [0, 1), got eps_0 = {eps_first!r}")
    kind, A, b, p = oracle_args(problem, True)
    d = problem.x_star.size
    theta0 = problem.x_star.copy() if theta0 is None else np.asarray(theta0, dtype=np.float64)
    if theta0.shape != (d,) or not np.all(np.isfinite(theta0)):
        raise ValueError(f"theta0 must be a finite array of shape ({d},), got {theta0!r}")
    c = log_checkpoints(int(horizon)) if checkpoints is None else validate_checkpoints(checkpoints)
    if c[-1] != horizon:
        raise ValueError(f"the last checkpoint must equal horizon={horizon}, got {c[-1]}")
    sk, sp = steps.kernel_args()
    ak, ap = accuracies.kernel_args()
    iterates, diverged_at = _inexact_sgd(kind, A, b, p, theta0, sk, sp, ak, ap, c,
                                         np.uint64(seed), int(runs))
    return Run(checkpoints=c, iterates=iterates, diverged_at=diverged_at, seed=int(seed))
