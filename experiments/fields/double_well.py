"""The separable double well f(x) = sum (x_i^2 - 1)^2 / 4 (kind 70, see problems/kinds.py).

The sample is grad f + (sigma0 + sigma1 |grad f|) * xi per coordinate, xi ~ N(0, 1): its
variance sigma0^2 + ... + sigma1^2 (d_i f)^2 is the affine noise variance of Zhang, Zhou & Zou
(arXiv 2404.01436); sigma1 = 0 is additive Gaussian noise.
"""

from numba import njit

from experiments.random import ziggurat_normal


@njit(cache=True, inline="always")
def gradient(x, out):
    for j in range(x.size):
        out[j] = x[j] * x[j] * x[j] - x[j]


@njit(cache=True, inline="always")
def sample_gradient(p, x, rng, out):
    """x^3 - x + (p[0] + p[1] |x^3 - x|) xi, one standard normal per coordinate."""
    s0 = p[0]
    s1 = p[1]
    for j in range(x.size):
        g = x[j] * x[j] * x[j] - x[j]
        out[j] = g + (s0 + s1 * abs(g)) * ziggurat_normal(rng)
