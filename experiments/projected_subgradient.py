"""The stochastic projected subgradient method on a box, written once for every problem.

    x_{t+1} = Proj_[lo, hi]^d (x_t - alpha_t g_t),   g_t a sample of the (sub)gradient at x_t,

the method of Davis & Drusvyatskiy's analysis of weakly convex problems (arXiv 1803.06523,
Section 3; on a box the projection is a clip).  g_t comes from the problem's stochastic oracle
(:func:`experiments.oracles.sample_field`), alpha_t from a schedule (t counts steps from 0).
Stationarity measures (the Moreau envelope's gradient) belong to the problem and are computed
from the recorded iterates, so the kernel stays the plain method.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from experiments import schedules
from experiments.oracles import oracle_args, sample_field
from experiments.random import stream
from experiments.run import FASTMATH, Run, diverging, log_checkpoints, validate_checkpoints


@njit(cache=True, parallel=True, fastmath=FASTMATH)
def _projected_subgradient(kind, A, b, p, x0, sched_kind, sched_params, lo, hi, checkpoints,
                           seed, runs):
    """Flat arguments on purpose: numba caches a kernel of plain arrays and scalars on disk, while a
    jitclass or record argument is not cacheable; the grouped, validated form is the method's
    dataclass in experiments.methods."""
    d = x0.shape[1]
    K = checkpoints.size
    horizon = checkpoints[-1]
    iterates = np.full((runs, K, d), np.nan)
    diverged_at = np.full(runs, -1, dtype=np.int64)
    for r in prange(runs):
        rng = stream(seed, r)
        x = x0[r].copy()
        g = np.empty(d)
        c = 0
        if checkpoints[0] == 0:
            iterates[r, 0, :] = x
            c = 1
        for k in range(horizon):
            alpha = schedules.step_size(sched_kind, sched_params, k)
            sample_field(kind, A, b, p, x, 0.0, rng, g)
            sq = 0.0
            for j in range(d):
                xj = x[j] - alpha * g[j]
                xj = min(max(xj, lo), hi)
                x[j] = xj
                sq += xj * xj
            if diverging(sq):  # only without a box (or a NaN sample)
                diverged_at[r] = k + 1
                break
            if k + 1 == checkpoints[c]:
                iterates[r, c, :] = x
                c += 1
    return iterates, diverged_at


def projected_subgradient(problem, schedule: schedules.Schedule, horizon: int, *,
                          box: tuple[float, float] | None = None, runs: int = 1, seed: int = 0,
                          x0: np.ndarray | None = None,
                          checkpoints: np.ndarray | None = None) -> Run:
    """Run the stochastic projected subgradient method ``runs`` times for ``horizon`` steps.

    ``problem`` needs a stochastic oracle and ``x_star``; ``box`` = (lo, hi) clips every
    coordinate (None: no projection, plain SGD); ``x0`` is one start (d,) or one per run
    (runs, d), inside the box; ``checkpoints`` default to log-spaced steps from 1.
    """
    if isinstance(horizon, bool) or int(horizon) != horizon or horizon < 1:
        raise ValueError(f"horizon must be an integer >= 1, got {horizon!r}")
    if isinstance(runs, bool) or int(runs) != runs or runs < 1:
        raise ValueError(f"runs must be an integer >= 1, got {runs!r}")
    if isinstance(seed, bool) or int(seed) != seed or seed < 0:
        raise ValueError(f"seed must be an integer >= 0, got {seed!r}")
    runs, horizon = int(runs), int(horizon)
    lo, hi = (-math.inf, math.inf) if box is None else (float(box[0]), float(box[1]))
    if not lo < hi:
        raise ValueError(f"box must be (lo, hi) with lo < hi, got {box!r}")
    kind, A, b, p = oracle_args(problem, True)
    d = problem.x_star.size
    x0 = np.zeros(d) if x0 is None else np.asarray(x0, dtype=np.float64)
    if x0.shape == (d,):
        x0 = np.broadcast_to(x0, (runs, d))
    if x0.shape != (runs, d):
        raise ValueError(f"x0 must have shape ({d},) or (runs, {d}) = ({runs}, {d}), "
                         f"got {x0.shape}")
    if not np.all((x0 >= lo) & (x0 <= hi)):
        raise ValueError(f"x0 must lie in the box [{lo}, {hi}]")
    c = log_checkpoints(horizon) if checkpoints is None else validate_checkpoints(checkpoints)
    if c[-1] != horizon:
        raise ValueError(f"the last checkpoint must equal horizon={horizon}, got {c[-1]}")
    sk, sp = schedule.kernel_args()
    iterates, diverged_at = _projected_subgradient(
        kind, A, b, p, np.ascontiguousarray(x0), sk, sp, lo, hi, c, np.uint64(seed), runs)
    return Run(checkpoints=c, iterates=iterates, diverged_at=diverged_at, seed=int(seed))
