"""Quadratics with anisotropic gradient noise: the noise covariance is proportional to the Hessian.

f(x) = 1/2 (x - x*)^T H (x - x*), H = diag(lam) with lam log-spaced in [1/kappa, 1] (the
eigenbasis; L = 1, mu = 1/kappa), and stochastic gradients

    g(x) = H (x - x*) + xi,   xi ~ N(0, sigma^2 H / M),

the noise model of least-squares regression with batch size M under which Pan, Liu, Wang & Zhang
(Accelerated Convergence of Stochastic Heavy Ball Method under Anisotropic Gradient Noise, ICLR
2024, arXiv 2312.14567) analyse heavy ball.  The dynamics of any linear method are linear, so
E f(x_k) - f* is exactly a bias term (the noiseless run from x0) plus a variance term (the noisy
run from x*): the two can be measured apart.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from problems import kinds
from problems.arguments import count, real
from problems.protocol import Oracle


@dataclass(frozen=True)
class AnisotropicQuadratic:
    """The quadratic in its eigenbasis, with noise covariance sigma^2 diag(lam) / batch."""

    eigenvalues: np.ndarray
    x_star: np.ndarray
    sigma: float
    batch: int

    @property
    def d(self) -> int:
        return self.eigenvalues.size

    @property
    def L(self) -> float:
        return float(self.eigenvalues.max())

    @property
    def mu(self) -> float:
        return float(self.eigenvalues.min())

    @property
    def noise_scale(self) -> float:
        """s = sigma / sqrt(M): the noise is s sqrt(lam_i) z_i per coordinate."""
        return self.sigma / math.sqrt(self.batch)

    @property
    def noise_covariance(self) -> np.ndarray:
        """sigma^2 H / M (diagonal in the eigenbasis)."""
        return np.diag(self.noise_scale**2 * self.eigenvalues)

    def suboptimality(self, x: np.ndarray) -> np.ndarray:
        """f(x) - f* = 1/2 sum lam_i (x_i - x*_i)^2."""
        e = np.asarray(x) - self.x_star
        return 0.5 * np.einsum("...i,i,...i->...", e, self.eigenvalues, e)

    def oracle(self) -> Oracle:
        """The typed oracle (problems.Oracle) of this problem."""
        return Oracle(*self.oracle_data())

    def oracle_data(self) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
        A = np.ascontiguousarray(np.stack([self.eigenvalues, np.sqrt(self.eigenvalues)]))
        return (kinds.QUADRATIC_ANISOTROPIC, A, self.x_star.copy(),
                np.array([self.noise_scale]))


def anisotropic_quadratic(d: int = 50, kappa: float = 100.0, sigma: float = 1.0,
                          batch: int = 1) -> AnisotropicQuadratic:
    """d eigenvalues log-spaced in [1/kappa, 1] (ends included), x* = 0, noise N(0, sigma^2 H/M).

    ``sigma = 0`` gives exact gradients (the bias term alone).
    """
    d = count("d", d, 2)
    kappa = real("kappa", kappa, 1.0, 1e12, low_open=True)
    sigma = real("sigma", sigma, 0.0, 1e6)
    batch = count("batch", batch, 1)
    lam = np.geomspace(1.0 / kappa, 1.0, d)
    return AnisotropicQuadratic(eigenvalues=lam, x_star=np.zeros(d), sigma=sigma, batch=batch)
