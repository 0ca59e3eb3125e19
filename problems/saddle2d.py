"""A two-dimensional strict saddle with two minima: the escape problem of saddle-free Newton.

    f(x, y) = x^2/2 - eps y^2/2 + y^4/4,     0 < eps < 1,

grad f = (x, y^3 - eps y), Hess f = diag(1, 3 y^2 - eps).  The origin is a strict saddle (Hessian
eigenvalues 1 and -eps), the minima are (0, +-sqrt(eps)) with f* = -eps^2/4.  A start (1, y0)
with 0 < |y0| << sqrt(eps) sits almost on the saddle's stable manifold {y = 0}: how many steps a
method needs to leave it (|y| > sqrt(eps)/2) is the escape time [Pascanu, Dauphin, Ganguli,
Bengio, On the saddle point problem for non-convex optimization, arXiv 1405.4604, Section 4].

On the region |y| <= sqrt((1 + eps)/3) (which holds the minima and the escape level) the
gradient is 1-Lipschitz: ``L = 1``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from problems.arguments import real


@dataclass(frozen=True)
class Saddle2D:
    """f(x, y) = x^2/2 - eps y^2/2 + y^4/4 (see the module docstring)."""

    eps: float

    @property
    def L(self) -> float:
        """Lipschitz constant of grad f on |y| <= sqrt((1 + eps)/3): the x curvature 1."""
        return 1.0

    @property
    def escape_level(self) -> float:
        """|y| beyond which a run has left the saddle: half the minima's sqrt(eps)."""
        return 0.5 * math.sqrt(self.eps)

    @property
    def minima(self) -> np.ndarray:
        """The two minimisers (0, -sqrt(eps)) and (0, sqrt(eps)), shape (2, 2)."""
        r = math.sqrt(self.eps)
        return np.array([[0.0, -r], [0.0, r]])

    @property
    def f_star(self) -> float:
        return -self.eps**2 / 4

    @property
    def x_star(self) -> np.ndarray:
        """The minimiser with y > 0 (the problem's dimension for the methods)."""
        return self.minima[1].copy()

    def value(self, z: np.ndarray) -> np.ndarray:
        z = np.asarray(z, dtype=float)
        x, y = z[..., 0], z[..., 1]
        return 0.5 * x * x - 0.5 * self.eps * y * y + 0.25 * y**4

    def gradient(self, z: np.ndarray) -> np.ndarray:
        z = np.asarray(z, dtype=float)
        x, y = z[..., 0], z[..., 1]
        return np.stack([x, y**3 - self.eps * y], axis=-1)

    def hessian(self, z: np.ndarray) -> np.ndarray:
        """diag(1, 3 y^2 - eps), shape (..., 2, 2)."""
        z = np.asarray(z, dtype=float)
        out = np.zeros(z.shape[:-1] + (2, 2))
        out[..., 0, 0] = 1.0
        out[..., 1, 1] = 3 * z[..., 1] ** 2 - self.eps
        return out


def saddle_2d(eps: float = 1e-2) -> Saddle2D:
    """The saddle x^2/2 - eps y^2/2 + y^4/4 with 0 < eps < 1."""
    value = real("eps", eps, 0.0, 1.0, low_open=True)
    if value >= 1.0:  # eps = 1 would merge the escape level with the region's edge
        raise ValueError(f"eps must lie in (0, 1), got {eps!r}")
    return Saddle2D(value)
