"""Streaming (online) least squares with a Gaussian design.

f(w) = E 1/2 (<x, w> - y)^2 with x ~ N(0, I_d) and y = <x, w*> + noise xi, xi ~ N(0, 1): every
sample is a fresh pair, so f(w) - f* = 1/2 ||w - w*||^2 and grad f(w) = w - w*.  This is the
model of Jagannath, Jones-McCormick & Sarangian (High-dimensional limit theorems for SGD: Momentum
and Adaptive Step-sizes, arXiv 2511.03952) with w* = e_1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from problems import kinds
from problems.arguments import count, real, vector
from problems.protocol import Oracle


@dataclass(frozen=True)
class StreamingLeastSquares:
    x_star: np.ndarray
    noise: float

    @property
    def d(self) -> int:
        return self.x_star.size

    @property
    def f_star(self) -> float:
        """The Bayes risk noise^2 / 2."""
        return 0.5 * self.noise**2

    def suboptimality(self, w: np.ndarray) -> np.ndarray:
        """f(w) - f* = 1/2 ||w - w*||^2."""
        e = np.asarray(w) - self.x_star
        return 0.5 * np.sum(e * e, axis=-1)

    def oracle(self) -> Oracle:
        """The typed oracle (problems.Oracle) of this problem."""
        return Oracle(*self.oracle_data())

    def oracle_data(self) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
        return (kinds.STREAMING_LEAST_SQUARES, np.zeros((1, self.d)), self.x_star.copy(),
                np.array([self.noise]))


def streaming_least_squares(d: int = 500, noise: float = 0.5,
                            w_star=None) -> StreamingLeastSquares:
    """x ~ N(0, I_d), y = <x, w*> + noise xi; w* defaults to e_1."""
    d = count("d", d, 1)
    noise = real("noise", noise, 0.0, 1e6)
    if w_star is None:
        ws = np.zeros(d)
        ws[0] = 1.0
    else:
        ws = vector("w_star", w_star, d)
    return StreamingLeastSquares(x_star=ws, noise=noise)
