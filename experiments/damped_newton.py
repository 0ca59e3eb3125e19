"""Damped Newton with the stepsize alpha_k = (-1 + sqrt(1 + 2 L G_k))/(L G_k) and a backtracking
estimate of L, or pure Newton (alpha = 1).

    x_{k+1} = x_k - alpha_k H_k^-1 g_k,   G_k = ||g_k||*_{x_k} = sqrt(g_k^T H_k^-1 g_k),

L is halved before each step and doubled until f decreases (*inferred* backtracking: the paper's
procedure adapts an unknown smoothness constant the same way) [Hanzely, Abdukhakimov, Takac,
Newton Method Revisited, arXiv 2405.18926, the AICN stepsize of Hanzely et al., NeurIPS 2022].
numpy, not numba: 15 dense 20 x 20 solves per run.  Each run is its own instance of the problem
(``problem.instance(run)``, e.g. problems/pseudo_huber.py).
"""

from __future__ import annotations

import math

import numpy as np

from experiments.run import DIVERGENCE_LIMIT, Run, validate_checkpoints

MAX_DOUBLINGS = 200


def damped_newton(problem, horizon: int, *, damped: bool = True, L0: float = 1.0,
                  runs: int = 1, x0: np.ndarray | None = None,
                  checkpoints: np.ndarray | None = None) -> Run:
    """``horizon`` steps from x0 ((d,) or (runs, d)) on instances 0..runs-1 of ``problem``."""
    if isinstance(horizon, bool) or int(horizon) != horizon or horizon < 1:
        raise ValueError(f"horizon must be an integer >= 1, got {horizon!r}")
    if not (math.isfinite(L0) and L0 > 0):
        raise ValueError(f"L0 must be a positive finite number, got {L0!r}")
    horizon = int(horizon)
    d = int(problem.d)
    starts = np.zeros((runs, d)) if x0 is None else np.broadcast_to(
        np.asarray(x0, dtype=float), (runs, d))
    if not np.all(np.isfinite(starts)):
        raise ValueError("x0 must be finite")
    c = (np.arange(horizon + 1, dtype=np.int64) if checkpoints is None
         else validate_checkpoints(checkpoints))
    if c[-1] != horizon:
        raise ValueError(f"the last checkpoint must equal horizon={horizon}, got {c[-1]}")
    iterates = np.full((runs, c.size, d), np.nan)
    diverged_at = np.full(runs, -1, dtype=np.int64)
    for r in range(runs):
        inst = problem.instance(r)
        x, L = starts[r].copy(), float(L0)
        j = 0
        if c[0] == 0:
            iterates[r, 0] = x
            j = 1
        for t in range(1, horizon + 1):
            x = _step(inst, x, L, damped)
            if x is None or not float(x[0] @ x[0]) < DIVERGENCE_LIMIT:
                diverged_at[r] = t
                break
            x, L = x
            if t == c[j]:
                iterates[r, j] = x
                j += 1
    return Run(checkpoints=c, iterates=iterates, diverged_at=diverged_at, seed=int(problem.seed))


def _step(inst, x: np.ndarray, L: float, damped: bool):
    """(x_next, L) or None when the Newton system cannot be solved (a vanished Hessian)."""
    g = inst.gradient(x)
    with np.errstate(all="ignore"):
        try:
            newton = np.linalg.solve(inst.hessian(x), g)
        except np.linalg.LinAlgError:
            return None
    if not np.all(np.isfinite(newton)):
        return None
    if not damped:
        return x - newton, L
    G = math.sqrt(max(float(g @ newton), 0.0))
    if G == 0.0:
        return x, L
    fx = float(inst.value(x))
    L = L / 2  # try a smaller constant first: the step grows back towards 1
    for _ in range(MAX_DOUBLINGS):
        alpha = (-1.0 + math.sqrt(1.0 + 2.0 * L * G)) / (L * G)
        candidate = x - alpha * newton
        if float(inst.value(candidate)) <= fx:
            return candidate, L
        L *= 2
    return None
