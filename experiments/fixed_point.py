"""Fixed-point iteration s_{k+1} = T(s_k) of a map given by the problem (``problem(state)``).

numpy, not numba: the maps iterated here are small and deterministic (the SELU layer's moment map
of problems/selu_moments.py: two Gauss-Hermite sums per layer, 60 layers), so a kernel would
save nothing.  A run whose state leaves the finite range stops as diverged, like the kernels'.
"""

from __future__ import annotations

import numpy as np

from experiments.run import DIVERGENCE_LIMIT, Run, validate_checkpoints


def fixed_point_iteration(problem, horizon: int, x0: np.ndarray,
                          checkpoints: np.ndarray | None = None) -> Run:
    """Iterate ``problem`` (a callable on states (runs, d)) ``horizon`` times from ``x0``."""
    if isinstance(horizon, bool) or int(horizon) != horizon or horizon < 1:
        raise ValueError(f"horizon must be an integer >= 1, got {horizon!r}")
    horizon = int(horizon)
    state = np.array(x0, dtype=float, ndmin=2)
    if state.ndim != 2 or not np.all(np.isfinite(state)):
        raise ValueError(f"x0 must be finite of shape (runs, d) or (d,), got {state.shape}")
    c = (np.arange(horizon + 1, dtype=np.int64) if checkpoints is None
         else validate_checkpoints(checkpoints))
    if c[-1] != horizon:
        raise ValueError(f"the last checkpoint must equal horizon={horizon}, got {c[-1]}")
    runs, d = state.shape
    iterates = np.full((runs, c.size, d), np.nan)
    diverged_at = np.full(runs, -1, dtype=np.int64)
    alive = np.ones(runs, dtype=bool)
    j = 0
    if c[0] == 0:
        iterates[:, 0] = state
        j = 1
    for t in range(1, horizon + 1):
        with np.errstate(invalid="ignore", over="ignore"):
            state = np.where(alive[:, None], problem(state), np.nan)
        bad = alive & ~(np.sum(state * state, axis=1) < DIVERGENCE_LIMIT)
        diverged_at[bad] = t
        alive &= ~bad
        if t == c[j]:
            iterates[alive, j] = state[alive]
            j += 1
    return Run(checkpoints=c, iterates=iterates, diverged_at=diverged_at, seed=0)
