"""Pseudo-Huber regression: a smooth, convex, not strongly convex far away, robust regression.

    f(x) = (1/n) sum_i phi(a_i^T x - b_i),   phi(r) = sqrt(1 + r^2),
    grad f = A^T phi'(r) / n,   phi'(r) = r / sqrt(1 + r^2),
    Hess f = A^T diag(phi''(r)) A / n,   phi''(r) = (1 + r^2)^(-3/2),

with a_i ~ N(0, I_d), b = A x_true + noise N(0, sigma^2).  Far from the data the Hessian vanishes
like |r|^-3 while the gradient stays bounded, so pure Newton steps overshoot (in one dimension
r -> -r^3: it diverges from |r| > 1): the test case of damped Newton methods [Hanzely,
Abdukhakimov, Takac, arXiv 2405.18926, Section 7].  Known answer: x* by a Newton solve with
backtracking to rounding level (a 20-variable strictly convex problem), f* = f(x*).

The Hessian is Lipschitz with L2 = max|phi'''| (1/n) sum ||a_i||^3, max|phi'''| = (3/2)(5/4)^(-5/2)
at r = 1/2 (phi'''(r) = -3 r (1 + r^2)^(-5/2)).  Each run is its own instance, from numpy's
generator seeded by (seed, run).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from problems.arguments import count, real

PHI3_MAX = 1.5 * 1.25 ** -2.5
"""max_r |phi'''(r)| = (3/2)(5/4)^(-5/2), at r = 1/2."""


@dataclass(frozen=True)
class PseudoHuberInstance:
    A: np.ndarray
    b: np.ndarray
    x_star: np.ndarray
    f_star: float

    def value(self, x: np.ndarray) -> np.ndarray:
        """f at x (..., d)."""
        r = np.asarray(x) @ self.A.T - self.b
        return np.mean(np.sqrt(1.0 + r * r), axis=-1)

    def gradient(self, x: np.ndarray) -> np.ndarray:
        r = self.A @ x - self.b
        return self.A.T @ (r / np.sqrt(1.0 + r * r)) / self.b.size

    def hessian(self, x: np.ndarray) -> np.ndarray:
        r = self.A @ x - self.b
        return (self.A.T * (1.0 + r * r) ** -1.5) @ self.A / self.b.size

    @property
    def hessian_lipschitz(self) -> float:
        """L2 = max|phi'''| mean ||a_i||^3 (an upper bound on the Hessian's Lipschitz constant)."""
        return float(PHI3_MAX * np.mean(np.linalg.norm(self.A, axis=1) ** 3))


def _newton_solve(A: np.ndarray, b: np.ndarray, x: np.ndarray) -> np.ndarray:
    """x* by Newton's method with Armijo backtracking, until the Newton step is at rounding
    level (||step|| <= 1e-15 (1 + ||x||)) or ||grad f|| <= 1e-14."""
    inst = PseudoHuberInstance(A, b, x, math.nan)
    for _ in range(100):
        g = inst.gradient(x)
        if np.linalg.norm(g) <= 1e-14:
            return x
        step = np.linalg.solve(inst.hessian(x), g)
        t, fx = 1.0, float(inst.value(x))
        while float(inst.value(x - t * step)) > fx - 1e-4 * t * (g @ step) and t > 1e-12:
            t *= 0.5
        x = x - t * step
        if t == 1.0 and np.linalg.norm(step) <= 1e-15 * (1 + np.linalg.norm(x)):
            return x
    if np.linalg.norm(inst.gradient(x)) > 1e-10:  # pragma: no cover
        raise RuntimeError("the reference Newton solve did not converge")
    return x


@dataclass(frozen=True)
class PseudoHuberRegression:
    """Instances of pseudo-Huber regression, one per (seed, run)."""

    n: int
    d: int
    noise: float
    seed: int

    def instance(self, run: int) -> PseudoHuberInstance:
        rng = np.random.default_rng([self.seed, run])
        A = rng.standard_normal((self.n, self.d))
        x_true = rng.standard_normal(self.d)
        b = A @ x_true + self.noise * rng.standard_normal(self.n)
        x = _newton_solve(A, b, x_true)
        return PseudoHuberInstance(A, b, x, float(PseudoHuberInstance(A, b, x, 0.0).value(x)))

    @property
    def x_star(self) -> np.ndarray:
        return self.instance(0).x_star


def pseudo_huber_regression(n: int = 200, d: int = 20, noise: float = 0.5,
                            seed: int = 0) -> PseudoHuberRegression:
    """Pseudo-Huber regression with n Gaussian samples in dimension d."""
    return PseudoHuberRegression(count("n", n, 1, 10**5), count("d", d, 1, 1000),
                                 real("noise", noise, 0.0, 100.0), count("seed", seed, 0, 2**63))
