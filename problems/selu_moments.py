"""The mean-and-variance map of a SELU layer with normalised weights [Klambauer et al. 2017].

A unit of a layer computes y = selu(z), z = sum_i w_i x_i, with inputs x_i independent of mean mu
and variance nu, and weights with sum w_i = omega and sum w_i^2 = tau.  For many inputs z is
Gaussian (central limit), z ~ N(mu omega, nu tau), and the layer maps (mu, nu) to

    mu~ = E selu(z),     nu~ = E selu(z)^2 - mu~^2,
    selu(z) = lam z (z > 0),  lam alpha (e^z - 1) (z <= 0)

[G. Klambauer, T. Unterthiner, A. Mayr, S. Hochreiter, Self-Normalizing Neural Networks, NeurIPS
2017, arXiv 1706.02515, Section 3, eqs. (4)-(5)].  The expectations are Gauss-Hermite sums with
``nodes`` nodes (numpy: two moments of a 1-D Gaussian, evaluated 60 times per run).  With
omega = 0, tau = 1 and the paper's lam = 1.0507..., alpha = 1.6733... the point (0, 1) is a
fixed point (known answer: ``fixed_point``); the quadrature's error at 120 nodes is below 1e-4
(the kink of selu at 0 limits Gauss-Hermite's accuracy).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from problems.arguments import count, real

LAMBDA_01 = 1.0507009873554804934193349852946
"""The paper's lambda_01 [1, eq. (14)]: with alpha_01 it makes (0, 1) a fixed point."""
ALPHA_01 = 1.6732632423543772848170429916717


def selu(z: np.ndarray, lam: float = LAMBDA_01, alpha: float = ALPHA_01) -> np.ndarray:
    z = np.asarray(z, dtype=float)
    return lam * np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0.0)))


@dataclass(frozen=True)
class SeluMomentMap:
    """(mu, nu) -> (E selu(z), Var selu(z)) with z ~ N(mu omega, nu tau) (module docstring)."""

    lam: float
    alpha: float
    omega: float
    tau: float
    nodes: np.ndarray
    weights: np.ndarray

    @property
    def fixed_point(self) -> np.ndarray:
        """(0, 1): the fixed point for the paper's constants (omega = 0, tau = 1)."""
        return np.array([0.0, 1.0])

    @property
    def x_star(self) -> np.ndarray:
        return self.fixed_point

    def __call__(self, state: np.ndarray) -> np.ndarray:
        """The map applied to states (..., 2) = (mu, nu); nu must be > 0."""
        state = np.asarray(state, dtype=float)
        mean = state[..., :1] * self.omega
        std = np.sqrt(state[..., 1:] * self.tau)
        y = selu(mean + np.sqrt(2.0) * std * self.nodes, self.lam, self.alpha)
        m1 = y @ self.weights
        m2 = (y * y) @ self.weights
        return np.stack([m1, m2 - m1 * m1], axis=-1)


def selu_moment_map(lam: float = LAMBDA_01, alpha: float = ALPHA_01, omega: float = 0.0,
                    tau: float = 1.0, nodes: int = 120) -> SeluMomentMap:
    """The SELU layer's moment map with ``nodes``-point Gauss-Hermite expectations."""
    lam = real("lam", lam, 0.0, 10.0, low_open=True)
    alpha = real("alpha", alpha, 0.0, 10.0)
    omega = real("omega", omega, -10.0, 10.0)
    tau = real("tau", tau, 0.0, 10.0, low_open=True)
    n = count("nodes", nodes, 2, 300)  # hermgauss overflows beyond ~350
    x, w = np.polynomial.hermite.hermgauss(n)
    return SeluMomentMap(lam, alpha, omega, tau, x, w / np.sqrt(np.pi))
