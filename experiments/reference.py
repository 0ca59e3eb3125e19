"""Plain NumPy implementations of the kernels: test oracles and the benchmark's baseline.

They draw the same counter-based random numbers as the numba kernels (experiments.random's
NumPy twins), so a kernel and its reference agree to rounding on the same problem and seed.
Two forms per method: a per-step loop over one run, and a loop over steps vectorised across runs
(the best one can do in NumPy for Monte Carlo).
"""

from __future__ import annotations

import numpy as np

from experiments.random import numpy_randint


def sgd_least_squares_loop(A: np.ndarray, b: np.ndarray, x0: np.ndarray, gamma: float,
                           steps: int, seed: int, run: int = 0) -> np.ndarray:
    """SGD with a constant step on (1/n) sum_i 1/2 (a_i.x - b_i)^2, one run, step by step."""
    idx = numpy_randint(seed, run, steps, A.shape[0])
    x = x0.copy()
    for i in idx:
        x -= gamma * (A[i] @ x - b[i]) * A[i]
    return x


def sgd_least_squares_runs(A: np.ndarray, b: np.ndarray, x0: np.ndarray, gamma: float,
                           steps: int, seed: int, runs: int) -> np.ndarray:
    """The same for ``runs`` runs at once: one vectorised update per step.  Shape (runs, d)."""
    idx = np.stack([numpy_randint(seed, r, steps, A.shape[0]) for r in range(runs)], axis=1)
    X = np.tile(x0, (runs, 1))
    for k in range(steps):
        rows = A[idx[k]]
        X -= (gamma * (np.einsum("rd,rd->r", rows, X) - b[idx[k]]))[:, None] * rows
    return X
