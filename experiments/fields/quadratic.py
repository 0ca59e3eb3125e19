"""Quadratics: the diagonal f(x) = 1/2 sum lam_i (x_i - x*_i)^2 (A[0] = lam, b = x*), and the
block-diagonal dense 1/2 (x - x*)^T H (x - x*) (A = the stacked diagonal blocks, b = x*)."""

import numpy as np
from numba import njit


@njit(cache=True, inline="always")
def gradient(A, b, x, out):
    for j in range(x.size):
        out[j] = A[0, j] * (x[j] - b[j])


@njit(cache=True, inline="always")
def dense_gradient(A, b, x, out):
    """H (x - x*) for a block-diagonal symmetric H (kind QUADRATIC_DENSE), b = x*: A (d x m)
    stacks the diagonal blocks of size m row-wise (m = d: a dense H)."""
    d = x.size
    m = A.shape[1]
    e = np.empty(d)  # one allocation per call is ~1% of the d m products it saves reloading b
    for j in range(d):
        e[j] = x[j] - b[j]
    for i in range(d):
        row = A[i]
        block = e[(i // m) * m:(i // m + 1) * m]
        s = 0.0
        for j in range(m):
            s += row[j] * block[j]
        out[i] = s
