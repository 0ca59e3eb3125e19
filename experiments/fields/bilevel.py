"""Bilevel ridge (problems.bilevel): exact hypergradient and the inexact stochastic one.

A[0] = signal variances s, A[1] = noise variances v, b = theta*.  ``accuracy`` eps makes the
lower-level solution x_tilde = (1 - eps) x_hat (a solver stopped early), which biases the sample.
"""

import numpy as np
from numba import njit

from experiments.random import ziggurat_normal


@njit(cache=True, inline="always")
def _gains(t):
    """(w, 1 - w) with w = 1/(1 + e^t), without overflow for large |t|."""
    if t >= 0.0:
        e = np.exp(-t)
        return e / (1.0 + e), 1.0 / (1.0 + e)
    e = np.exp(t)
    return 1.0 / (1.0 + e), e / (1.0 + e)


@njit(cache=True, inline="always")
def hypergradient(A, b, theta, out):
    """dF/dtheta_j = -w_j (1 - w_j) (w_j (s_j + v_j) - s_j)."""
    for j in range(theta.size):
        w, omw = _gains(theta[j])
        out[j] = -w * omw * (w * (A[0, j] + A[1, j]) - A[0, j])


@njit(cache=True, inline="always")
def sample_hypergradient(A, b, theta, accuracy, rng, out):
    """One sample (x, y = x + n) per step; g_j = -(1 - w_j) x_tilde_j (x_tilde_j - x_j)."""
    shrink = 1.0 - accuracy
    for j in range(theta.size):
        x = np.sqrt(A[0, j]) * ziggurat_normal(rng)
        y = x + np.sqrt(A[1, j]) * ziggurat_normal(rng)
        w, omw = _gains(theta[j])
        xt = shrink * w * y
        out[j] = -omw * xt * (xt - x)
