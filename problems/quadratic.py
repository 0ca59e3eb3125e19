"""Quadratics with a prescribed spectrum.

f(x) = 1/2 (x - x*)^T H (x - x*) + f*, with H = Q diag(lam) Q^T.  Gradient methods are
equivariant under the rotation Q (the iterates rotate with it), so the generator works in the
eigenbasis: H is diagonal and the experiment is exactly that of every rotated instance.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from problems import kinds
from problems.protocol import Oracle
from problems.validate import finite, positive_int, vector


@dataclass(frozen=True)
class Quadratic:
    """A quadratic in its eigenbasis: eigenvalues, minimiser ``x_star``, value ``f_star``."""

    eigenvalues: np.ndarray
    x_star: np.ndarray
    f_star: float

    @property
    def d(self) -> int:
        return self.eigenvalues.size

    @property
    def L(self) -> float:
        """Smoothness constant: the largest eigenvalue."""
        return float(self.eigenvalues.max())

    @property
    def mu(self) -> float:
        """Strong-convexity constant: the smallest eigenvalue (0 means merely convex)."""
        return float(self.eigenvalues.min())

    def value(self, x: np.ndarray) -> np.ndarray:
        """f(x) for x of shape (..., d)."""
        e = np.asarray(x) - self.x_star
        return 0.5 * np.einsum("...i,i,...i->...", e, self.eigenvalues, e) + self.f_star

    def suboptimality(self, x: np.ndarray) -> np.ndarray:
        """f(x) - f*, computed from x - x* so that it does not cancel catastrophically."""
        e = np.asarray(x) - self.x_star
        return 0.5 * np.einsum("...i,i,...i->...", e, self.eigenvalues, e)

    def oracle(self) -> Oracle:
        return Oracle(kinds.QUADRATIC_DIAGONAL, self.eigenvalues[None, :], self.x_star,
                      np.zeros(1))


def quadratic(d: int, L: float = 1.0, mu: float = 1e-2, spacing: str = "log",
              x_star: np.ndarray | None = None, f_star: float = 0.0) -> Quadratic:
    """A d-dimensional quadratic with eigenvalues spaced in [mu, L].

    ``spacing="log"`` gives a spectral density proportional to 1/lam (the density on which GD's
    O(1/k) bound is tight for convex f); ``"linear"`` spaces them evenly.  ``mu`` must be
    positive: a merely convex instance is a tiny ``mu``, whose sublinear regime lasts for
    k << 1/mu.
    """
    d = positive_int("d", d)
    L = finite("L", L, 0.0, low_open=True)
    mu = finite("mu", mu, 0.0, L, low_open=True)
    if spacing == "log":
        lam = np.geomspace(mu, L, d) if d > 1 else np.array([L])
    elif spacing == "linear":
        lam = np.linspace(mu, L, d) if d > 1 else np.array([L])
    else:
        raise ValueError(f"spacing must be 'log' or 'linear', got {spacing!r}")
    if x_star is None:
        xs = np.zeros(d)
    else:
        xs = vector("x_star", x_star, d)
    f_star = finite("f_star", f_star)
    return Quadratic(eigenvalues=lam, x_star=xs, f_star=f_star)
