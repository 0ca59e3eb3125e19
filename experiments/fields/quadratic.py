"""Diagonal quadratic f(x) = 1/2 sum lam_i (x_i - x*_i)^2: A[0] = lam, b = x*."""

from numba import njit


@njit(cache=True, inline="always")
def gradient(A, b, x, out):
    for j in range(x.size):
        out[j] = A[0, j] * (x[j] - b[j])


@njit(cache=True, inline="always")
def dense_gradient(A, b, x, out):
    """A (x - x*) for a dense symmetric A (kind QUADRATIC_DENSE), b = x*."""
    d = x.size
    for i in range(d):
        s = 0.0
        for j in range(d):
            s += A[i, j] * (x[j] - b[j])
        out[i] = s
