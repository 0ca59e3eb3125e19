"""A single ReLU neuron with a sparse planted weight vector [Soltanolkotabi 2017].

y_i = max(0, <w*, x_i>), x_i ~ N(0, I_d) (i = 1..n), w* s-sparse with ||w*|| = 1 (support uniform,
entries +-1/sqrt(s) with random signs: no entry too small to be found); the loss is

    L(w) = (1/n) sum_i (max(0, <w, x_i>) - y_i)^2,
    grad L(w) = (1/n) sum_i (max(0, z_i) - y_i)(1 + sgn z_i) x_i,   z_i = <w, x_i>,

the gradient with ReLU'(z) = (1 + sgn z)/2 and sgn 0 = 0 (at w = 0 every z_i is 0 and the
gradient is -(1/n) sum y_i x_i: with ReLU'(0) = 0 gradient descent would never leave 0)
[M. Soltanolkotabi, Learning ReLUs via Gradient Descent, NeurIPS 2017, arXiv 1705.04591, eq.
(1.1) and Section 2].  Known answer: w* (the loss is 0 there).

Each run is an independent instance (X, y, w*), drawn lazily from numpy's generator seeded by
(seed, run): the method handles one (n x d) instance at a time, so 20 runs at n = 800, d = 1000
never hold 128 MB of features at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from problems.arguments import count


@dataclass(frozen=True)
class ReluInstance:
    X: np.ndarray
    y: np.ndarray
    w_star: np.ndarray

    def loss(self, w: np.ndarray) -> float:
        r = np.maximum(self.X @ w, 0.0) - self.y
        return float(r @ r / self.y.size)

    def gradient(self, w: np.ndarray) -> np.ndarray:
        z = self.X @ w
        return ((np.maximum(z, 0.0) - self.y) * (1.0 + np.sign(z))) @ self.X / self.y.size


@dataclass(frozen=True)
class SparseRelu:
    """Instances of the sparse single-ReLU regression, one per (seed, run)."""

    d: int
    s: int
    n: int
    seed: int

    def w_star(self, run: int) -> np.ndarray:
        rng = np.random.default_rng([self.seed, run, 0])
        w = np.zeros(self.d)
        support = rng.choice(self.d, self.s, replace=False)
        w[support] = rng.choice([-1.0, 1.0], self.s) / np.sqrt(self.s)
        return w

    def instance(self, run: int) -> ReluInstance:
        X = np.random.default_rng([self.seed, run, 1]).standard_normal((self.n, self.d))
        w = self.w_star(run)
        return ReluInstance(X, np.maximum(X @ w, 0.0), w)

    def x_stars(self, runs: int) -> np.ndarray:
        """w* of runs 0..runs-1: shape (runs, d)."""
        return np.stack([self.w_star(r) for r in range(runs)])

    @property
    def x_star(self) -> np.ndarray:
        """w* of run 0 (the dimension for the methods)."""
        return self.w_star(0)


def sparse_relu(d: int = 1000, s: int = 10, n: int = 400, seed: int = 0) -> SparseRelu:
    """Single-ReLU regression in dimension d with an s-sparse unit w* and n Gaussian samples."""
    d = count("d", d, 1, 10**5)
    s = count("s", s, 1, d)
    n = count("n", n, 1, 10**5)
    seed = count("seed", seed, 0, 2**63)
    return SparseRelu(d, s, n, seed)
