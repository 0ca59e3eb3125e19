"""Gradient descent, Newton and saddle-free Newton on the 2-D saddle x^2/2 - eps y^2/2 + y^4/4.

One kernel with a method switch, since the three differ only in how the step rescales the
gradient g = (x, y^3 - eps y) along the Hessian's eigenvectors (the axes: H = diag(1, h),
h = 3 y^2 - eps):

* GD (``GD``):                     z <- z - eta g
* Newton (``NEWTON``):              z <- z - H^-1 g          (attracted by the saddle: h < 0)
* saddle-free Newton (``SFN``):     z <- z - |H|^-1 g,  |H| = diag(1, |h|)

[Pascanu, Dauphin, Ganguli, Bengio, On the saddle point problem for non-convex optimization,
arXiv 1405.4604, Section 4: |H| replaces H, so negative curvature becomes a descent direction
scaled by its own size].  Near the saddle (y^2 << eps) SFN doubles |y| every step, GD multiplies
it by 1 + eta eps, and Newton maps y to about -2 y^3/eps (converging to the saddle).

A numba kernel because GD needs ~1e5 steps per run at eps = 1e-4; the problem's derivatives are
evaluated here (the family of problems/saddle2d.py holds only eps).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from experiments.run import Run, diverging, validate_checkpoints

GD, NEWTON, SFN = 0, 1, 2
METHODS = {"gd": GD, "newton": NEWTON, "sfn": SFN}


@njit(cache=True, inline="always")
def _curvature(eps, y):
    """The Hessian's y entry 3 y^2 - eps (its x entry is 1)."""
    return 3.0 * y * y - eps


@njit(cache=True, parallel=True)
def _saddle_kernel(method, eps, eta, z0, checkpoints):
    runs = z0.shape[0]
    K = checkpoints.size
    horizon = checkpoints[-1]
    iterates = np.full((runs, K, 2), np.nan)
    diverged_at = np.full(runs, -1, dtype=np.int64)
    for r in prange(runs):
        x, y = z0[r, 0], z0[r, 1]
        c = 0
        if checkpoints[0] == 0:
            iterates[r, 0, 0] = x
            iterates[r, 0, 1] = y
            c = 1
        for t in range(horizon):
            gx, gy = x, y * y * y - eps * y
            if method == GD:
                x -= eta * gx
                y -= eta * gy
            else:
                h = _curvature(eps, y)
                if method == SFN:
                    h = abs(h)
                x -= gx  # the x curvature is 1
                y -= gy / h
            if diverging(x * x + y * y):
                diverged_at[r] = t + 1
                break
            if t + 1 == checkpoints[c]:
                iterates[r, c, 0] = x
                iterates[r, c, 1] = y
                c += 1
    return iterates, diverged_at


def saddle_escape(problem, method: str, horizon: int, *, eta: float = 1.0, runs: int = 1,
                  x0: np.ndarray | None = None, checkpoints: np.ndarray | None = None) -> Run:
    """Run ``method`` ("gd", "newton" or "sfn") on a :class:`problems.saddle2d.Saddle2D`.

    ``eta`` is GD's step (Newton and SFN take unit steps); ``x0`` is (runs, 2) or (2,);
    iterates are recorded at ``checkpoints`` (every step by default).  Deterministic: runs
    differ by their starts only.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    eta = float(eta)
    if not (math.isfinite(eta) and eta > 0):
        raise ValueError(f"eta must be a positive finite number, got {eta!r}")
    if isinstance(horizon, bool) or int(horizon) != horizon or horizon < 1:
        raise ValueError(f"horizon must be an integer >= 1, got {horizon!r}")
    horizon = int(horizon)
    z0 = np.array([[1.0, 1e-8]]) if x0 is None else np.asarray(x0, dtype=np.float64)
    if z0.ndim == 1:
        z0 = np.broadcast_to(z0, (runs, z0.size))
    if z0.ndim != 2 or z0.shape[1] != 2 or not np.all(np.isfinite(z0)):
        raise ValueError(f"x0 must be finite of shape (runs, 2) or (2,), got {z0.shape}")
    c = (np.arange(0, horizon + 1, dtype=np.int64) if checkpoints is None
         else validate_checkpoints(checkpoints))
    if c[-1] != horizon:
        raise ValueError(f"the last checkpoint must equal horizon={horizon}, got {c[-1]}")
    iterates, diverged_at = _saddle_kernel(METHODS[method], float(problem.eps), eta,
                                           np.ascontiguousarray(z0), c)
    return Run(checkpoints=c, iterates=iterates, diverged_at=diverged_at, seed=0)
