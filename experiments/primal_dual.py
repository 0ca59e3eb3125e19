"""Linearized primal-dual methods, plain (LPD) and accelerated (ALPD), for saddle problems

    min_x max_y  f(x) + <K x, y> - (mu_y / 2) ||y||^2

with f convex and L_x-smooth (called through the oracle: any problem whose ``oracle_data()``
serves grad f), K the bilinear coupling (||K|| = L_xy) and the dual part mu_y-strongly concave.
[Khalafi & Boob, Accelerated Primal-Dual Methods for Convex-Strongly-Concave Saddle Point
Problems, ICML 2023, arXiv 2209.04604, Algorithms 1 (LPD) and 2 (ALPD).]  One iteration:

    x_mid   = (1 - beta_k) x_bar + beta_k x_k                          (ALPD; LPD: x_mid = x_k)
    y_{k+1} = argmax_y <K (x_k + theta_k (x_k - x_{k-1})), y> - (mu_y/2)||y||^2
                        - (tau_k / 2) ||y - y_k||^2
    x_{k+1} = x_k - (grad f(x_mid) + K^T y_{k+1}) / eta_k
    x_bar   = (1 - beta_k) x_bar + beta_k x_{k+1}                      (the output; LPD: x_{k+1})

one grad f call per iteration.  The parameters (*inferred*: the paper's step rules were not
available; these satisfy the conditions of the standard primal-dual gap analysis, Chen, Lan &
Ouyang, SIAM J. Optim. 24(4), 2014, with weights w_k = k + 1):

    theta_k = k / (k + 1) = w_{k-1} / w_k,     tau_k = mu_y k / 2   (w_k tau_k = w_{k-1}(tau_{k-1}
    + mu_y): the dual's strong concavity accelerates it),
    ALPD: beta_k = 2 / (k + 2), eta_k = 2 (L_x + L_xy^2 / mu_y) / (k + 1)   (eta_k >= L_x beta_k,
          w_k eta_k constant: Nesterov's step on f, O(L_x / k^2));
    LPD:  beta_k = 1,           eta_k = L_x + 2 L_xy^2 / (mu_y (k + 1))      (eta_k >= L_x: the
          step on f stays 1/L_x, O(L_x / k)),

and in both the coupling share of eta_k times tau_{k+1} is L_xy^2 >= theta_{k+1} L_xy^2.  So
ALPD needs O(sqrt(L_x / eps)) grad f calls and LPD O(L_x / eps), the dependence the paper states.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from experiments.oracles import field, oracle_args
from experiments.run import FASTMATH, Run, diverging, log_checkpoints, validate_checkpoints


@njit(cache=True, nogil=True, parallel=True, fastmath=FASTMATH)
def _primal_dual(kind, A, b, p, K, mu_y, L_x, L_xy, accelerated, x0, checkpoints, runs):
    """Flat arguments on purpose: numba caches a kernel of plain arrays and scalars on disk, while a
    jitclass or record argument is not cacheable; the grouped, validated form is the method's
    dataclass in experiments.methods."""
    d = x0.shape[1]
    m = K.shape[0]
    n_checks = checkpoints.size
    horizon = checkpoints[-1]
    iterates = np.full((runs, n_checks, d), np.nan)
    diverged_at = np.full(runs, -1, dtype=np.int64)
    coupling = 2.0 * L_xy * L_xy / mu_y
    for r in prange(runs):
        x = x0[r].copy()
        x_prev = x0[r].copy()
        x_bar = x0[r].copy()
        x_mid = np.empty(d)
        g = np.empty(d)
        y = np.zeros(m)
        c = 0
        if checkpoints[0] == 0:
            iterates[r, 0, :] = x_bar
            c = 1
        for k in range(horizon):
            theta = k / (k + 1.0)
            tau = 0.5 * mu_y * k
            if accelerated:
                beta = 2.0 / (k + 2.0)
                eta = (2.0 * L_x + coupling) / (k + 1.0)
            else:
                beta = 1.0
                eta = L_x + coupling / (k + 1.0)
            for i in range(m):  # dual step at the extrapolated primal point
                s = 0.0
                for j in range(d):
                    s += K[i, j] * (x[j] + theta * (x[j] - x_prev[j]))
                y[i] = (s + tau * y[i]) / (mu_y + tau)
            for j in range(d):
                x_mid[j] = (1.0 - beta) * x_bar[j] + beta * x[j]
            field(kind, A, b, p, x_mid, g)
            for i in range(m):
                yi = y[i]
                for j in range(d):
                    g[j] += K[i, j] * yi
            sq = 0.0
            for j in range(d):
                x_prev[j] = x[j]
                x[j] -= g[j] / eta
                x_bar[j] = (1.0 - beta) * x_bar[j] + beta * x[j]
                sq += x_bar[j] * x_bar[j]
            if diverging(sq):
                diverged_at[r] = k + 1
                break
            if k + 1 == checkpoints[c]:
                iterates[r, c, :] = x_bar
                c += 1
    return iterates, diverged_at


def linearized_primal_dual(problem, horizon: int, *, L_x: float, L_xy: float, mu_y: float,
                           accelerated: bool = True, runs: int = 1,
                           x0: np.ndarray | None = None,
                           checkpoints: np.ndarray | None = None) -> Run:
    """Run ALPD (``accelerated=True``) or LPD for ``horizon`` iterations from each start.

    ``problem`` serves grad f through ``oracle_data()`` and has ``coupling`` (K, m x d) and
    ``x_star``; ``x0`` is one start (d,) or one per run (runs, d) (default zeros), y0 = 0.
    The recorded iterates are the outputs x_bar (ALPD's aggregate; LPD's x_k).

    Many keyword parameters on purpose: this is the flat entry point that the method's dataclass in
    experiments.methods (the grouped, validated form) calls."""
    if int(horizon) != horizon or horizon < 1:
        raise ValueError(f"horizon must be an integer >= 1, got {horizon!r}")
    if int(runs) != runs or runs < 1:
        raise ValueError(f"runs must be an integer >= 1, got {runs!r}")
    for name, value in (("L_x", L_x), ("L_xy", L_xy), ("mu_y", mu_y)):
        if not (np.isfinite(value) and value > 0):
            raise ValueError(f"{name} must be a positive finite number, got {value!r}")
    kind, A, b, p = oracle_args(problem, False)
    K = np.ascontiguousarray(problem.coupling, dtype=np.float64)
    d = problem.x_star.size
    if K.ndim != 2 or K.shape[1] != d:
        raise ValueError(f"the coupling must be a matrix with {d} columns, got shape {K.shape}")
    x0 = np.zeros(d) if x0 is None else np.asarray(x0, dtype=np.float64)
    if x0.shape == (d,):
        x0 = np.broadcast_to(x0, (int(runs), d))
    if x0.shape != (runs, d):
        raise ValueError(f"x0 must have shape ({d},) or (runs, {d}) = ({runs}, {d}), "
                         f"got {x0.shape}")
    c = log_checkpoints(int(horizon)) if checkpoints is None else validate_checkpoints(checkpoints)
    if c[-1] != horizon:
        raise ValueError(f"the last checkpoint must equal horizon={horizon}, got {c[-1]}")
    iterates, diverged_at = _primal_dual(kind, A, b, p, K, float(mu_y), float(L_x), float(L_xy),
                                         bool(accelerated), np.ascontiguousarray(x0), c,
                                         int(runs))
    return Run(checkpoints=c, iterates=iterates, diverged_at=diverged_at, seed=0)
