"""Diagonal quadratic f(x) = 1/2 sum lam_i (x_i - x*_i)^2: A[0] = lam, b = x*."""

from numba import njit


@njit(cache=True, inline="always")
def gradient(A, b, x, out):
    for j in range(x.size):
        out[j] = A[0, j] * (x[j] - b[j])
