"""Operators of variational inequalities: affine maps, rotation blocks, linear finite sums."""

import numpy as np
from numba import njit

from experiments.random import randint, uniform

_TWO_PI = 2.0 * np.pi


@njit(cache=True, inline="always")
def affine(A, b, x, out):
    """V(x) = A x + b, from the first d rows of A and b (a finite sum stores its mean there)."""
    d = x.size
    for i in range(d):
        s = b[i]
        for j in range(d):
            s += A[i, j] * x[j]
        out[i] = s


@njit(cache=True, inline="always")
def sample_affine(A, b, p, x, rng, out):
    """V(x) + p[0] * N(0, I): additive Gaussian noise of standard deviation p[0].

    Box-Muller gives two independent normals per pair of uniforms; using both (cos and sin)
    halves the cost of the noise, which dominates a small operator's oracle call.
    """
    affine(A, b, x, out)
    if p[0] != 0.0:
        d = x.size
        for i in range(0, d, 2):
            radius = p[0] * np.sqrt(-2.0 * np.log(1.0 - uniform(rng)))
            angle = _TWO_PI * uniform(rng)
            out[i] += radius * np.cos(angle)
            if i + 1 < d:
                out[i + 1] += radius * np.sin(angle)


@njit(cache=True, inline="always")
def rotation_blocks(A, x, out):
    """Block i maps (x_{2i}, x_{2i+1}) by [[c, -s], [s, c]], c = A[0, i], s = A[1, i]."""
    for i in range(A.shape[1]):
        c = A[0, i]
        s = A[1, i]
        u = x[2 * i]
        v = x[2 * i + 1]
        out[2 * i] = c * u - s * v
        out[2 * i + 1] = s * u + c * v


@njit(cache=True, inline="always")
def sample_finite_sum(A, b, p, x, rng, out):
    """A_i x + b_i for i uniform on {0, ..., n-1}, n = p[0]; block i is stored at i + 1."""
    d = x.size
    i = randint(rng, np.int64(p[0]))
    r0 = (i + 1) * d
    for r in range(d):
        s = b[r0 + r]
        for j in range(d):
            s += A[r0 + r, j] * x[j]
        out[r] = s
