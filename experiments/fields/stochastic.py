"""Mini-batch gradients of the stochastic quadratics and the online linear problems.

Stochastic quadratic f(x) = E 1/2 |x - X|^2: the mini-batch gradient is x - Xbar, with Xbar the
mean of ``batch`` draws sampled exactly in one go (see problems/stochastic.py).  Online linear
f_t(x) = <c_t, x>: the gradient is c_t, random (Bernoulli mixture) or a function of the step t.
"""

import numpy as np
from numba import njit

from experiments.random import binomial, gamma, normal
from problems import kinds


@njit(cache=True, inline="always")
def batch_mean(kind, p, batch, rng):
    """The mean of ``batch`` iid draws of one coordinate X_j, drawn exactly."""
    if kind == kinds.SOP_NORMAL:  # p = [mean, sd]
        return p[0] + p[1] / np.sqrt(batch) * normal(rng)
    if kind == kinds.SOP_TWO_POINT:  # p = [center, half_gap]
        return p[0] + p[1] * (2.0 * binomial(rng, batch, 0.5) - batch) / batch
    if kind == kinds.SOP_GAMMA:  # p = [loc, shape, scale]: Gamma(M k, s/M)
        return p[0] + p[2] / batch * gamma(rng, p[1] * batch)
    # SOP_BERNOULLI, p = [loc, prob, height]: Binomial(M, prob)/M
    return p[0] + p[2] * binomial(rng, batch, p[1]) / batch


@njit(cache=True, inline="always")
def sop_mean_gradient(b, x, out):
    """The exact gradient E[x - X] = x - x* (b = x*)."""
    for j in range(x.size):
        out[j] = x[j] - b[j]


@njit(cache=True, inline="always")
def sop_gradient(kind, p, x, batch, rng, out):
    for j in range(x.size):
        out[j] = x[j] - batch_mean(kind, p, batch, rng)


@njit(cache=True, inline="always")
def random_linear_gradient(p, x, batch, rng, out):
    """Mean of ``batch`` draws of c = large w.p. prob, else -small (p = [large, small, prob])."""
    for j in range(x.size):
        hits = binomial(rng, batch, p[2])
        out[j] = (hits * p[0] - (batch - hits) * p[1]) / batch


@njit(cache=True, inline="always")
def cyclic_linear_gradient(p, x, t, out):
    """c_t = C if t mod 3 = 1 else -1, for the 1-based step t (p = [C])."""
    c = p[0] if t % 3 == 1 else -1.0
    for j in range(x.size):
        out[j] = c
