"""Interpolating least squares with a minibatch oracle, and its strong-growth constant.

f(x) = 1/(2n) ||A x - b||^2 with b = A x* (interpolation: every f_i is minimised at x*), A with
Gaussian rows whose columns are scaled by logspace(0, -1) (kappa ~ 100 for n >> d).  A stochastic
gradient is the mean over B rows drawn uniformly *with replacement* of a_i (a_i.x - b_i).  Then,
with e = x - x*, H = A^T A / n and S = (1/n) sum ||a_i||^2 a_i a_i^T,

    E ||grad f_B(x)||^2 = e^T H^2 e + (e^T S e - e^T H^2 e) / B,

so the strong growth condition E ||grad f_B||^2 <= rho ||grad f||^2 holds with the smallest
constant rho(B) = lam_max(I + H^-1 (S - H^2) H^-1 / B) (substitute u = H e), the constant of
Mishkin, Pilanci & Schmidt (Faster Convergence of Stochastic Accelerated Gradient Descent under
Interpolation, arXiv 2404.02378).  rho(1) <= L_max / mu and rho(B) -> 1 as B grows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from problems import kinds
from problems.arguments import count, real
from problems.protocol import Oracle


@dataclass(frozen=True)
class MinibatchLeastSquares:
    A: np.ndarray
    b: np.ndarray
    x_star: np.ndarray
    batch: int
    L: float
    mu: float
    rho: float
    """The strong-growth constant of the batch-``batch`` oracle (module docstring)."""
    H: np.ndarray
    """The Hessian A^T A / n."""

    @property
    def n(self) -> int:
        return self.A.shape[0]

    @property
    def d(self) -> int:
        return self.A.shape[1]

    @property
    def kappa(self) -> float:
        return self.L / self.mu

    def suboptimality(self, x: np.ndarray) -> np.ndarray:
        """f(x) - f* = 1/(2n) ||A (x - x*)||^2 = 1/2 e^T H e (f* = 0: it interpolates)."""
        e = np.asarray(x) - self.x_star
        return 0.5 * np.einsum("...i,ij,...j->...", e, self.H, e)

    def oracle(self) -> Oracle:
        """The typed oracle (problems.Oracle) of this problem."""
        return Oracle(*self.oracle_data())

    def oracle_data(self) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
        return (kinds.LEAST_SQUARES_MINIBATCH, self.A, self.b, np.array([float(self.batch)]))


def strong_growth(A: np.ndarray, batch: int) -> float:
    """rho(B) = lam_max(I + H^-1 (S - H^2) H^-1 / B) for rows sampled with replacement."""
    n = A.shape[0]
    H = A.T @ A / n
    S = (A * np.sum(A * A, axis=1)[:, None]).T @ A / n
    Hi = np.linalg.inv(H)
    M = np.eye(H.shape[0]) + Hi @ (S - H @ H) @ Hi / batch
    return float(np.linalg.eigvalsh((M + M.T) / 2)[-1])


def interpolating_least_squares(n: int = 512, d: int = 20, batch: int = 16,
                                decades: float = 1.0, seed: int = 0) -> MinibatchLeastSquares:
    """Gaussian rows, column j scaled by 10^(-decades j/(d-1)), x* ~ N(0, I), b = A x*.

    The seed draws A and x*; ``batch`` only changes the oracle (and rho).
    """
    n = count("n", n, 2)
    d = count("d", d, 1)
    if n < d:
        raise ValueError(f"n must be >= d for a unique interpolating solution, got n={n} < d={d}")
    batch = count("batch", batch, 1, n)
    decades = real("decades", decades, 0.0, 6.0)
    seed = count("seed", seed, 0)
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((n, d)) * np.logspace(0.0, -decades, d)
    x_star = rng.standard_normal(d)
    b = A @ x_star
    H = A.T @ A / n
    eig = np.linalg.eigvalsh(H)
    return MinibatchLeastSquares(A=np.ascontiguousarray(A), b=b, x_star=x_star, batch=batch,
                                 L=float(eig[-1]), mu=float(eig[0]),
                                 rho=strong_growth(A, batch), H=H)
