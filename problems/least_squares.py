"""Finite-sum least squares with Gaussian features.

f(x) = (1/n) sum_i f_i(x), f_i(x) = 1/2 (a_i.x - b_i)^2, a_i ~ N(0, I_d), b = A x_true + noise * xi.
The constants are those of the SGD theorems in Garrigos & Gower (arXiv 2301.11235):
mu = lambda_min(A^T A / n), L = lambda_max(A^T A / n), L_max = max_i ||a_i||^2 (each f_i is
L_max-smooth) and sigma* = E_i ||grad f_i(x*)||^2, the gradient noise at the solution.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from problems import kinds
from problems.protocol import Oracle
from problems.validate import finite, positive_int


@dataclass(frozen=True)
class LeastSquares:
    A: np.ndarray
    b: np.ndarray
    x_star: np.ndarray
    f_star: float
    mu: float
    L: float
    L_max: float
    sigma_star: float

    @property
    def n(self) -> int:
        return self.A.shape[0]

    @property
    def d(self) -> int:
        return self.A.shape[1]

    def suboptimality(self, x: np.ndarray) -> np.ndarray:
        """f(x) - f* = 1/(2n) ||A (x - x*)||^2 (exact, since the residual at x* is orthogonal)."""
        e = np.asarray(x) - self.x_star
        r = e @ self.A.T
        return 0.5 * np.mean(r * r, axis=-1)

    def oracle(self) -> Oracle:
        return Oracle(kinds.LEAST_SQUARES, self.A, self.b, np.zeros(1))


def least_squares(n: int = 1000, d: int = 20, noise: float = 0.5, seed: int = 0) -> LeastSquares:
    """Draw a least-squares instance; ``noise = 0`` gives an interpolating one (sigma* = 0)."""
    n = positive_int("n", n)
    d = positive_int("d", d)
    if n < d:
        raise ValueError(f"n must be >= d for a strongly convex instance, got n={n} < d={d}")
    noise = finite("noise", noise, 0.0)
    rng = np.random.default_rng(positive_int("seed", seed, 0))
    A = rng.standard_normal((n, d))
    x_true = rng.standard_normal(d)
    b = A @ x_true + noise * rng.standard_normal(n)
    x_star, *_ = np.linalg.lstsq(A, b, rcond=None)
    res = A @ x_star - b
    eig = np.linalg.eigvalsh(A.T @ A / n)
    grads = A * res[:, None]
    return LeastSquares(
        A=A, b=b, x_star=x_star, f_star=float(0.5 * np.mean(res**2)),
        mu=float(eig[0]), L=float(eig[-1]), L_max=float(np.max(np.sum(A * A, axis=1))),
        sigma_star=float(np.mean(np.sum(grads * grads, axis=1))),
    )
