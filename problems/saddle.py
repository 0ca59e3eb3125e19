"""A convex-strongly-concave quadratic saddle with bilinear coupling.

    min_x max_y  L(x, y) = f(x) + <K x, y> - (mu_y / 2) ||y||^2,   f(x) = 1/2 x^T H x - b^T x,

with H = L_x Q diag(logspace(lo, hi)) Q^T (Q Haar; L_x = lam_max(H), f barely strongly convex) and
K = U diag(s) V^T (U, V Haar, singular values s evenly spaced in [s_min, s_max]).  The maximiser is
y*(x) = K x / mu_y, so the primal function is

    phi(x) = f(x) + ||K x||^2 / (2 mu_y),   x* = (H + K^T K / mu_y)^-1 b,   y* = K x* / mu_y,

strongly convex through K (lam_min(H + K^T K/mu_y) >= s_min^2 / mu_y).  This is the setting of
Khalafi & Boob (Accelerated Primal-Dual Methods for Convex-Strongly-Concave Saddle Point
Problems, ICML 2023, arXiv 2209.04604) with a semi-linear (here bilinear) coupling.

The oracle is that of f alone (the part a linearized primal-dual method calls): grad f(x) =
H x - b, served as the affine operator (A, b) = (H, -b); the coupling K and mu_y are attributes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import ortho_group

from problems import kinds
from problems.arguments import count, real
from problems.protocol import Oracle


@dataclass(frozen=True)
class QuadraticSaddle:
    H: np.ndarray
    b: np.ndarray
    coupling: np.ndarray
    mu_y: float
    x_star: np.ndarray
    y_star: np.ndarray

    @property
    def d(self) -> int:
        return self.b.size

    @property
    def L_x(self) -> float:
        """The Lipschitz constant of grad f: lam_max(H)."""
        return float(np.linalg.eigvalsh(self.H)[-1])

    @property
    def L_xy(self) -> float:
        """The coupling's Lipschitz constant ||K||."""
        return float(np.linalg.norm(self.coupling, 2))

    @property
    def primal_hessian(self) -> np.ndarray:
        """The Hessian of phi: H + K^T K / mu_y."""
        return self.H + self.coupling.T @ self.coupling / self.mu_y

    def phi(self, x: np.ndarray) -> np.ndarray:
        """The primal function phi(x) = max_y L(x, y), for x of shape (..., d)."""
        x = np.asarray(x)
        Kx = x @ self.coupling.T
        return (0.5 * np.einsum("...i,ij,...j->...", x, self.H, x) - x @ self.b
                + 0.5 * np.sum(Kx * Kx, axis=-1) / self.mu_y)

    def suboptimality(self, x: np.ndarray) -> np.ndarray:
        """phi(x) - phi* = 1/2 (x - x*)^T (H + K^T K / mu_y) (x - x*) (exact: phi is quadratic)."""
        e = np.asarray(x) - self.x_star
        return 0.5 * np.einsum("...i,ij,...j->...", e, self.primal_hessian, e)

    def lagrangian(self, x: np.ndarray, y: np.ndarray) -> float:
        x, y = np.asarray(x), np.asarray(y)
        return float(0.5 * x @ self.H @ x - self.b @ x + y @ self.coupling @ x
                     - 0.5 * self.mu_y * y @ y)

    def oracle(self) -> Oracle:
        """grad f(x) = H x - b as the affine operator (H, -b)."""
        return Oracle(kinds.AFFINE_OPERATOR, np.ascontiguousarray(self.H), -self.b, np.zeros(1))


def quadratic_saddle(d: int = 30, L_x: float = 100.0, decades: tuple[float, float] = (-6.0, 0.0),
                     singular: tuple[float, float] = (0.3, 1.0), mu_y: float = 1.0,
                     seed: int = 0) -> QuadraticSaddle:
    """Draw Q, U, V (Haar) and b ~ N(0, I) from ``seed``; H's spectrum L_x logspace(*decades).

    The draws do not depend on L_x, so instances of one seed differ only in the scale of H.
    """
    d = count("d", d, 2)
    L_x = real("L_x", L_x, 0.0, 1e12, low_open=True)
    lo, hi = (real("decades[0]", decades[0], -12.0, 0.0), real("decades[1]", decades[1], -12.0,
                                                                 0.0))
    if not lo < hi or hi != 0.0:
        raise ValueError(f"decades must be (lo, 0) with lo < 0 so that lam_max(H) = L_x, "
                         f"got {decades!r}")
    s_min = real("singular[0]", singular[0], 0.0, low_open=True)
    s_max = real("singular[1]", singular[1], s_min)
    mu_y = real("mu_y", mu_y, 0.0, 1e12, low_open=True)
    seed = count("seed", seed, 0)
    rng = np.random.default_rng(seed)
    Q = ortho_group.rvs(d, random_state=rng)
    U = ortho_group.rvs(d, random_state=rng)
    V = ortho_group.rvs(d, random_state=rng)
    b = rng.standard_normal(d)
    H = L_x * (Q * np.logspace(lo, hi, d)) @ Q.T
    H = 0.5 * (H + H.T)
    K = (U * np.linspace(s_min, s_max, d)) @ V.T
    x_star = np.linalg.solve(H + K.T @ K / mu_y, b)
    return QuadraticSaddle(H=H, b=b, coupling=np.ascontiguousarray(K), mu_y=mu_y, x_star=x_star,
                           y_star=K @ x_star / mu_y)
