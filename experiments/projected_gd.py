"""Projected gradient descent onto s-sparse vectors: w <- P_s(w - eta grad L(w)).

P_s keeps the s entries of largest magnitude (the Euclidean projection onto the nonconvex set of
s-sparse vectors; ties broken by position) [Soltanolkotabi, Learning ReLUs via Gradient Descent,
arXiv 1705.04591, eq. (1.2)].  numpy, not numba: the cost is two dense (n x d) products per
step, which BLAS does at full speed, for 30 steps per run.  Each run is its own instance of the
problem (``problem.instance(run)``, e.g. problems/relu.py), started from the same w0.
"""

from __future__ import annotations

import numpy as np

from experiments.run import DIVERGENCE_LIMIT, Run, validate_checkpoints


def project_sparse(w: np.ndarray, s: int) -> np.ndarray:
    """The s largest-magnitude entries of w, the others set to 0."""
    out = np.zeros_like(w)
    keep = np.argsort(-np.abs(w), kind="stable")[:s]
    out[keep] = w[keep]
    return out


def projected_gd(problem, eta: float, s: int, horizon: int, *, runs: int = 1,
                 x0: np.ndarray | None = None, checkpoints: np.ndarray | None = None) -> Run:
    """``horizon`` steps from x0 (zeros by default) on instances 0..runs-1 of ``problem``."""
    if isinstance(horizon, bool) or int(horizon) != horizon or horizon < 1:
        raise ValueError(f"horizon must be an integer >= 1, got {horizon!r}")
    horizon = int(horizon)
    d = int(problem.d)
    w0 = np.zeros(d) if x0 is None else np.asarray(x0, dtype=float)
    if w0.shape != (d,) or not np.all(np.isfinite(w0)):
        raise ValueError(f"x0 must be a finite vector of shape ({d},), got {w0.shape}")
    c = (np.arange(horizon + 1, dtype=np.int64) if checkpoints is None
         else validate_checkpoints(checkpoints))
    if c[-1] != horizon:
        raise ValueError(f"the last checkpoint must equal horizon={horizon}, got {c[-1]}")
    iterates = np.full((runs, c.size, d), np.nan)
    diverged_at = np.full(runs, -1, dtype=np.int64)
    for r in range(runs):
        inst = problem.instance(r)
        w = w0.copy()
        j = 0
        if c[0] == 0:
            iterates[r, 0] = w
            j = 1
        for t in range(1, horizon + 1):
            w = project_sparse(w - eta * inst.gradient(w), s)
            if not float(w @ w) < DIVERGENCE_LIMIT:
                diverged_at[r] = t
                break
            if t == c[j]:
                iterates[r, j] = w
                j += 1
    return Run(checkpoints=c, iterates=iterates, diverged_at=diverged_at, seed=int(problem.seed))
