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


@njit(cache=True, nogil=True, parallel=True, fastmath=FASTMATH)
def _first_order(kind, A, b, p, x0, sched_kind, sched_params, mom_kind, mom_params, nesterov,
                 acc_kind, acc_params, stochastic, checkpoints, seed, runs):
    """x_{k+1} = x_k - gamma_k g(y_k) + beta_k (x_k - x_{k-1}), y_k = x_k (+ beta_k (x_k - x_{k-1})
    when ``nesterov``); ``mom_kind < 0`` means no momentum (plain GD/SGD, no extra work).

    Flat arguments on purpose: numba caches a kernel of plain arrays and scalars on disk, while a
    jitclass or record argument is not cacheable; the grouped, validated form is the method's
    dataclass in experiments.methods."""
    d = x0.shape[1]
    K = checkpoints.size
    horizon = checkpoints[-1]
    momentum = mom_kind >= 0
    iterates = np.full((runs, K, d), np.nan)
    diverged_at = np.full(runs, -1, dtype=np.int64)
    for r in prange(runs):
        rng = stream(seed, r)
        x = x0[r].copy()
        x_prev = x0[r].copy()
        y = x0[r].copy()
        g = np.empty(d)
        c = 0
        if checkpoints[0] == 0:
            iterates[r, 0, :] = x
            c = 1
        for k in range(horizon):
            gamma = schedules.step_size(sched_kind, sched_params, k)
            beta = schedules.step_size(mom_kind, mom_params, k) if momentum else 0.0
            at = x
            if momentum and nesterov:
                for j in range(d):
                    y[j] = x[j] + beta * (x[j] - x_prev[j])
                at = y
            if stochastic:
                accuracy = schedules.step_size(acc_kind, acc_params, k)
                sample_field(kind, A, b, p, at, accuracy, rng, g)
            else:
                field(kind, A, b, p, at, g)
            sq = 0.0
            if momentum:
                for j in range(d):
                    step = beta * (x[j] - x_prev[j]) - gamma * g[j]
                    x_prev[j] = x[j]
                    x[j] += step
                    sq += x[j] * x[j]
            else:
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
                     accuracy: schedules.Schedule | None = None,
                     momentum: schedules.Schedule | None = None, nesterov: bool = False) -> Run:
    """Run GD (``stochastic=False``) or SGD for ``horizon`` steps, ``runs`` times.

    ``problem`` is any generator output with ``oracle()`` and ``x_star``; ``x0`` defaults
    to zeros, and is one start (d,) for every run or one per run (runs, d).  ``accuracy`` is
    the schedule eps_k handed to an inexact stochastic oracle (e.g. the bilevel hypergradient;
    default 0, exact).  Returns the iterates at ``checkpoints``
    (log-spaced from 1 by default).

    ``momentum`` (a schedule of beta_k) makes it Polyak's heavy ball [Polyak 1964],
    x_{k+1} = x_k - gamma_k g(x_k) + beta_k (x_k - x_{k-1}), and with ``nesterov=True`` the
    gradient is taken at the extrapolated point y_k = x_k + beta_k (x_k - x_{k-1}) (Nesterov's
    accelerated gradient [Nesterov 1983] in its two-sequence form).

    Many keyword parameters on purpose: this is the flat entry point that the method's dataclass in
    experiments.methods (the grouped, validated form) calls."""
    if int(horizon) != horizon or horizon < 1:
        raise ValueError(f"horizon must be an integer >= 1, got {horizon!r}")
    if int(runs) != runs or runs < 1:
        raise ValueError(f"runs must be an integer >= 1, got {runs!r}")
    if int(seed) != seed or seed < 0:
        raise ValueError(f"seed must be an integer >= 0, got {seed!r}")
    kind, A, b, p = oracle_args(problem, bool(stochastic))
    d = problem.x_star.size
    x0 = np.zeros(d) if x0 is None else np.asarray(x0, dtype=np.float64)
    if x0.shape == (d,):
        x0 = np.broadcast_to(x0, (int(runs), d))
    if x0.shape != (runs, d):
        raise ValueError(f"x0 must have shape ({d},) or (runs, {d}) = ({runs}, {d}), "
                         f"got {x0.shape}")
    x0 = np.ascontiguousarray(x0)
    c = log_checkpoints(int(horizon)) if checkpoints is None else validate_checkpoints(checkpoints)
    if c[-1] != horizon:
        raise ValueError(f"the last checkpoint must equal horizon={horizon}, got {c[-1]}")
    sk, sp = schedule.kernel_args()
    ak, ap = (EXACT if accuracy is None else accuracy).kernel_args()
    mk, mp = (-1, np.zeros(1)) if momentum is None else momentum.kernel_args()
    if nesterov and momentum is None:
        raise ValueError("nesterov=True needs a momentum schedule")
    iterates, diverged_at = _first_order(kind, A, b, p, x0, sk, sp, mk, mp, bool(nesterov), ak,
                                         ap, bool(stochastic), c, np.uint64(seed), int(runs))
    return Run(checkpoints=c, iterates=iterates, diverged_at=diverged_at, seed=int(seed))
