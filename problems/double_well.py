"""The separable double well, a weakly convex problem, optionally on a box.

f(x) = sum_i (x_i^2 - 1)^2 / 4 on R^d, or phi = f + indicator of the box [lo, hi]^d.  Each
coordinate has minimisers +-1 (f* = 0) and a local maximum at 0; f'' = 3 x^2 - 1 >= -1, so f is
rho-weakly convex with rho = 1 (f + ||x||^2/2 is convex).  On R^d it is not L-smooth (f'' grows
like x^2) but coordinate-wise (L0, L1)-smooth, |f''(x)| <= L0 + L1 |f'(x)| with L0 = 2, L1 = 3
(checked in the tests): the class of Zhang, Zhou & Zou (arXiv 2404.01436).

Stochastic gradients (problems.kinds.DOUBLE_WELL): grad f + (sigma0 + sigma1 |grad f|) * xi,
xi ~ N(0, I) coordinate-wise, so E g = grad f and E (g_i - d_i f)^2 = (sigma0 + sigma1 |d_i f|)^2
<= 2 sigma0^2 + 2 sigma1^2 (d_i f)^2 (affine noise variance); sigma1 = 0 is additive noise.

The known answer is the stationarity measure of weakly convex optimisation [Davis &
Drusvyatskiy, arXiv 1803.06523]: the gradient of the Moreau envelope
phi_lam(x) = min_y phi(y) + ||y - x||^2 / (2 lam), lam < 1/rho.  Per coordinate the prox
y = argmin_{y in [lo, hi]} f(y) + (y - x)^2 / (2 lam) solves the strictly convex stationarity
condition y^3 + (1/lam - 1) y - x/lam = 0, a depressed cubic with one real root (Cardano), clipped
to the box (a strictly convex function of one variable is minimised on an interval at the clip of
its free minimiser); grad phi_lam(x) = (x - y)/lam.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from problems import kinds
from problems.arguments import count, real
from problems.protocol import Oracle

RHO = 1.0
"""The weak-convexity modulus of f: f'' = 3 x^2 - 1 >= -1."""


def _cardano(x: np.ndarray, p: float, a: float) -> np.ndarray:
    """The real root y of y^3 + p y - a x = 0 (p > 0, a > 0), vectorised.

    With q = -a x: y = sign(x) (c - p/(3c)), c = cbrt(|q|/2 + sqrt(q^2/4 + p^3/27)), the
    cancellation-free form of Cardano's cbrt(u) + cbrt(v) (u v = -p^3/27); in place, since the
    claims evaluate it on millions of recorded coordinates (relative error ~1e-15, tested
    against scipy's root finder)."""
    x = np.asarray(x, dtype=float)
    h = np.abs(x)
    h *= 0.5 * a
    c = h * h
    c += p**3 / 27.0
    np.sqrt(c, out=c)
    c += h
    np.cbrt(c, out=c)
    y = p / (3.0 * c)
    np.subtract(c, y, out=y)
    return np.copysign(y, x, out=y)


@dataclass(frozen=True)
class DoubleWell:
    """f(x) = sum (x_i^2 - 1)^2 / 4, optionally on the box [lo, hi]^d, with affine noise."""

    d: int
    sigma0: float
    sigma1: float
    box: tuple[float, float] | None

    rho = RHO

    @property
    def x_star(self) -> np.ndarray:
        """A minimiser: (1, ..., 1) (every point of {-1, 1}^d is one; f* = 0)."""
        return np.ones(self.d)

    @property
    def f_star(self) -> float:
        return 0.0

    def value(self, x: np.ndarray) -> np.ndarray:
        """f(x) for x of shape (..., d) (the box's indicator is not added)."""
        x = np.asarray(x, dtype=float)
        return 0.25 * np.sum((x * x - 1.0) ** 2, axis=-1)

    def gradient(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        return x**3 - x

    def gradient_norm(self, x: np.ndarray) -> np.ndarray:
        """||grad f(x)|| for x of shape (..., d)."""
        return np.linalg.norm(self.gradient(x), axis=-1)

    def prox(self, x: np.ndarray, lam: float) -> np.ndarray:
        """argmin_y phi(y) + ||y - x||^2/(2 lam), coordinate-wise, for 0 < lam < 1/rho."""
        lam = real("lam", lam, 0.0, 1.0 / self.rho, low_open=True)
        if lam == 1.0 / self.rho:  # the prox problem is then convex but not strictly
            raise ValueError(f"lam must lie in (0, {1.0 / self.rho}) (lam < 1/rho), got {lam!r}")
        y = _cardano(x, 1.0 / lam - 1.0, 1.0 / lam)
        return y if self.box is None else np.clip(y, *self.box, out=y)

    def envelope_gradient(self, x: np.ndarray, lam: float = 0.5) -> np.ndarray:
        """grad phi_lam(x) = (x - prox(x))/lam, shape of x (default lam = 1/(2 rho))."""
        x = np.asarray(x, dtype=float)
        g = self.prox(x, lam)
        np.subtract(x, g, out=g)
        g /= lam
        return g

    def envelope_gradient_sq(self, x: np.ndarray, lam: float = 0.5) -> np.ndarray:
        """||grad phi_lam(x)||^2 for x of shape (..., d)."""
        g = self.envelope_gradient(x, lam)
        return np.einsum("...i,...i->...", g, g)

    def max_slope(self) -> float:
        """max |f'(x)| = max |x^3 - x| over the box (at an end or at +-1/sqrt 3; inf without)."""
        if self.box is None:
            return math.inf
        lo, hi = self.box
        points = [lo, hi] + [c for c in (-1 / math.sqrt(3), 1 / math.sqrt(3)) if lo <= c <= hi]
        return max(abs(x**3 - x) for x in points)

    def second_moment_bound(self) -> float:
        """L^2 = sup over the box of E||g(x)||^2 = sum_i f'(x_i)^2 + (sigma0 + sigma1 |f'(x_i)|)^2
        (inf without a box): the constant of the stochastic subgradient theorems."""
        if self.box is None:
            return math.inf
        g = self.max_slope()
        return self.d * (g * g + (self.sigma0 + self.sigma1 * g) ** 2)

    def oracle(self) -> Oracle:
        return Oracle(kinds.DOUBLE_WELL, np.zeros((1, self.d)), self.x_star,
                      np.array([self.sigma0, self.sigma1]))


def double_well(d: int = 10, sigma0: float = 1.0, sigma1: float = 0.0,
                box: tuple[float, float] | None = None) -> DoubleWell:
    """The d-dimensional double well with noise (sigma0 + sigma1 |grad f|) xi, on ``box``.

    ``box`` = (lo, hi) with lo < hi (e.g. (-2, 2)), or None for the whole space.
    """
    d = count("d", d, 1, 10**6)
    sigma0 = real("sigma0", sigma0, 0.0, 1e6)
    sigma1 = real("sigma1", sigma1, 0.0, 1e6)
    if box is not None:
        if not isinstance(box, tuple | list) or len(box) != 2:
            raise ValueError(f"box must be None or a pair (lo, hi), got {box!r}")
        lo = real("box[0]", box[0], -1e6, 1e6)
        hi = real("box[1]", box[1], -1e6, 1e6)
        if not lo < hi:
            raise ValueError(f"box must be (lo, hi) with lo < hi, got {box!r}")
        box = (lo, hi)
    return DoubleWell(d=d, sigma0=sigma0, sigma1=sigma1, box=box)
