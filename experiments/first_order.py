"""Gradient descent and SGD: x_{k+1} = x_k - gamma_k g_k, written once for every problem.

g_k is the exact field (GD) or one sample of it (SGD); gamma_k comes from a schedule.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from experiments import schedules
from experiments.oracles import field, oracle_args, sample_field
from experiments.random import stream
from experiments.run import FASTMATH, Run, diverging, log_checkpoints, validate_checkpoints

EXACT = schedules.Schedule(schedules.CONSTANT, (0.0,), "0 (exact)")
"""The accuracy schedule of an exact oracle."""


@njit(cache=True, parallel=True, fastmath=FASTMATH)
def _gradient_descent(kind, A, b, p, x0, sched_kind, sched_params, acc_kind, acc_params,
                      stochastic, checkpoints, seed, runs):
    d = x0.size
    K = checkpoints.size
    horizon = checkpoints[-1]
    iterates = np.full((runs, K, d), np.nan)
    diverged_at = np.full(runs, -1, dtype=np.int64)
    for r in prange(runs):
        rng = stream(seed, r)
        x = x0.copy()
        g = np.empty(d)
        c = 0
        if checkpoints[0] == 0:
            iterates[r, 0, :] = x
            c = 1
        for k in range(horizon):
            gamma = schedules.step_size(sched_kind, sched_params, k)
            if stochastic:
                accuracy = schedules.step_size(acc_kind, acc_params, k)
                sample_field(kind, A, b, p, x, accuracy, rng, g)
            else:
                field(kind, A, b, p, x, g)
            sq = 0.0
            for j in range(d):
                x[j] -= gamma * g[j]
                sq += x[j] * x[j]
            if diverging(sq):
                diverged_at[r] = k + 1
                break
            if k + 1 == checkpoints[c]:
                iterates[r, c, :] = x
                c += 1
    return iterates, diverged_at


def gradient_descent(problem, schedule: schedules.Schedule, horizon: int, *, runs: int = 1,
                     seed: int = 0, stochastic: bool = False, x0: np.ndarray | None = None,
                     checkpoints: np.ndarray | None = None,
                     accuracy: schedules.Schedule | None = None) -> Run:
    """Run GD (``stochastic=False``) or SGD for ``horizon`` steps, ``runs`` times.

    ``problem`` is any generator output with ``oracle_data()`` and ``x_star``; ``x0`` defaults
    to zeros.  ``accuracy`` is the schedule eps_k handed to an inexact stochastic oracle (e.g.
    the bilevel hypergradient; default 0, exact).  Returns the iterates at ``checkpoints``
    (log-spaced from 1 by default).
    """
    if int(horizon) != horizon or horizon < 1:
        raise ValueError(f"horizon must be an integer >= 1, got {horizon!r}")
    if int(runs) != runs or runs < 1:
        raise ValueError(f"runs must be an integer >= 1, got {runs!r}")
    if int(seed) != seed or seed < 0:
        raise ValueError(f"seed must be an integer >= 0, got {seed!r}")
    kind, A, b, p = oracle_args(problem, bool(stochastic))
    d = problem.x_star.size
    x0 = np.zeros(d) if x0 is None else np.asarray(x0, dtype=np.float64)
    if x0.shape != (d,):
        raise ValueError(f"x0 must have shape ({d},), got {x0.shape}")
    c = log_checkpoints(int(horizon)) if checkpoints is None else validate_checkpoints(checkpoints)
    if c[-1] != horizon:
        raise ValueError(f"the last checkpoint must equal horizon={horizon}, got {c[-1]}")
    sk, sp = schedule.kernel_args()
    ak, ap = (EXACT if accuracy is None else accuracy).kernel_args()
    iterates, diverged_at = _gradient_descent(kind, A, b, p, x0, sk, sp, ak, ap, bool(stochastic),
                                              c, np.uint64(seed), int(runs))
    return Run(checkpoints=c, iterates=iterates, diverged_at=diverged_at, seed=int(seed))
