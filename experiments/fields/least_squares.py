"""Least squares (1/n) sum_i 1/2 (a_i.x - b_i)^2: full gradient and one-sample gradient."""

from numba import njit

from experiments.random import randint


@njit(cache=True, inline="always")
def gradient(A, b, x, out):
    n, d = A.shape
    out[:] = 0.0
    for i in range(n):
        r = -b[i]
        for j in range(d):
            r += A[i, j] * x[j]
        for j in range(d):
            out[j] += A[i, j] * r
    for j in range(d):
        out[j] /= n


@njit(cache=True, inline="always")
def sample_gradient(A, b, x, rng, out):
    """grad f_i(x) for i uniform on {0, ..., n-1}."""
    n, d = A.shape
    i = randint(rng, n)
    r = -b[i]
    for j in range(d):
        r += A[i, j] * x[j]
    for j in range(d):
        out[j] = A[i, j] * r
