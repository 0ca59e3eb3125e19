"""Quadratics held by n workers, for distributed gradient methods with compressed messages.

Worker i holds f_i(x) = (a_i^T x)^2 + (mu/2) ||x||^2 and the objective is their mean
f = (1/n) sum_i f_i, so

    grad f_i(x) = 2 a_i a_i^T x + mu x,   f is mu-strongly convex,   x* = 0,   f* = 0.

The default instance is the example of Beznosikov, Horvath, Richtarik & Safaryan (On biased
compression for distributed learning, arXiv 2002.12410; attribution to verify) used by Gao,
Islamov & Stich (EControl, arXiv 2311.05645) to show that naive compressed GD diverges: three
workers in R^3 with a_1 = (-3, 2, 2) and its cyclic shifts, mu = 1/2.

Every generator validates its arguments: a ValueError names the argument and the accepted range.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from problems.arguments import real

BEZNOSIKOV_ROW = (-3.0, 2.0, 2.0)
"""a_1 of the divergence example; a_2, a_3 are its cyclic shifts."""


@dataclass(frozen=True)
class CompressedWorkers:
    """f(x) = (1/n) sum_i (a_i^T x)^2 + (mu/2)||x||^2, worker i holding row i of ``A``."""

    A: np.ndarray
    mu: float

    @property
    def workers(self) -> int:
        return self.A.shape[0]

    @property
    def d(self) -> int:
        return self.A.shape[1]

    @property
    def x_star(self) -> np.ndarray:
        return np.zeros(self.d)

    @property
    def L(self) -> float:
        """Smoothness constant of f: the largest eigenvalue of its Hessian."""
        return float(np.linalg.eigvalsh(self.hessian())[-1])

    def hessian(self) -> np.ndarray:
        return 2.0 * self.A.T @ self.A / self.workers + self.mu * np.eye(self.d)

    def value(self, x: np.ndarray) -> np.ndarray:
        """f(x) for x of shape (..., d)."""
        x = np.asarray(x, dtype=float)
        return np.mean((x @ self.A.T) ** 2, axis=-1) + 0.5 * self.mu * np.sum(x * x, axis=-1)

    def worker_gradients(self, x: np.ndarray) -> np.ndarray:
        """grad f_i(x) for every worker: shape (n, d) for x of shape (d,)."""
        x = np.asarray(x, dtype=float)
        return 2.0 * self.A * (self.A @ x)[:, None] + self.mu * x[None, :]

    def gradient(self, x: np.ndarray) -> np.ndarray:
        return self.worker_gradients(x).mean(axis=0)


def compressed_workers(rows: object = None, mu: float = 0.5) -> CompressedWorkers:
    """Workers' quadratics with rows ``a_i`` (n x d, finite; default: the cyclic shifts of
    (-3, 2, 2)) and curvature ``mu`` > 0."""
    if rows is None:
        first = np.asarray(BEZNOSIKOV_ROW)
        A = np.stack([np.roll(first, i) for i in range(first.size)])
    else:
        try:
            A = np.array(rows, dtype=float)
        except (TypeError, ValueError):
            raise ValueError(f"rows must be an (n, d) array of real numbers, got {rows!r}"
                             ) from None
        if A.ndim != 2 or A.shape[0] < 1 or A.shape[1] < 1:
            raise ValueError(f"rows must be an (n, d) array with n, d >= 1, got shape {A.shape}")
        if not np.all(np.isfinite(A)):
            raise ValueError("rows must hold finite values")
    mu = real("mu", mu, 0.0, math.inf, low_open=True)
    return CompressedWorkers(A=np.ascontiguousarray(A), mu=mu)
