"""Inexact bilevel SGD: theta_{k+1} = theta_k - alpha_k g_k, g_k an inexact stochastic hypergrad.

alpha_k = alpha (k+1)^-q is the step and eps_k = eps0 (k+1)^-p (or a constant eps0) the accuracy
of the lower-level solve the oracle is asked for at step k; both are schedules (plain data).  The
method is SGD with a biased oracle, so it runs on the one SGD kernel
(:func:`experiments.first_order.gradient_descent`), which hands eps_k to
:func:`experiments.oracles.sample_field` as its ``accuracy``.  Salehi, Mukherjee, Roberts &
Ehrhardt, arXiv 2511.06774.
"""

from __future__ import annotations

import numpy as np

from experiments import schedules
from experiments.first_order import EXACT, gradient_descent
from experiments.run import Run


def step_schedule(alpha: float, q: float) -> schedules.Schedule:
    """alpha_k = alpha (k+1)^-q."""
    return schedules.polynomial(alpha, q, 1.0)


def accuracy_schedule(eps0: float, p: float = 0.0, decaying: bool = True) -> schedules.Schedule:
    """eps_k = eps0 (k+1)^-p (``decaying``) or eps0 at every step; eps0 = 0 is the exact oracle."""
    eps0 = float(eps0)
    if not 0.0 <= eps0 < 1.0:
        raise ValueError(f"eps0 must lie in [0, 1) (x_tilde = (1 - eps) x_hat), got {eps0!r}")
    if eps0 == 0.0:
        return EXACT
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
    if accuracies.kind not in (schedules.CONSTANT, schedules.POLYNOMIAL):
        raise ValueError("accuracies must be a constant or polynomial schedule, "
                         f"got {accuracies}")
    eps_first = float(accuracies(0)[0])
    if not 0.0 <= eps_first < 1.0:
        raise ValueError(f"the accuracy eps_k must lie in [0, 1), got eps_0 = {eps_first!r}")
    d = problem.x_star.size
    theta0 = problem.x_star.copy() if theta0 is None else np.asarray(theta0, dtype=np.float64)
    if theta0.shape != (d,) or not np.all(np.isfinite(theta0)):
        raise ValueError(f"theta0 must be a finite array of shape ({d},), got {theta0!r}")
    # SGD with a biased oracle: the shared kernel, handed the accuracy schedule
    return gradient_descent(problem, steps, horizon, runs=runs, seed=seed, stochastic=True,
                            x0=theta0, checkpoints=checkpoints, accuracy=accuracies)
