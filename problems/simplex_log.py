"""Logarithmic objectives on the probability simplex: portfolio selection and the log-barrier.

    f(x) = - sum_i w_i log(a_i^T x) + c^T x,    x in Delta_d = {x >= 0, sum x = 1},

f = +inf where some a_i^T x <= 0.  Such f are (generalized) self-concordant but not smooth on the
simplex: the gradient blows up at its boundary, which is what Frank-Wolfe's analysis of
Carderera, Besancon & Pokutta (arXiv 2105.13913) has to handle.

* ``portfolio``: w_i = 1/m, rows a_i = r_i (returns of d assets in m periods, r_ij = |1 + s N(0,1)|,
  so every a_i^T x > 0 on the simplex), c = 0: the log-optimal (Kelly) portfolio.
* ``log_barrier``: a_i = e_i, w_i = 1/d, c with entries U(0, 1): f = -(1/d) sum log x_j + c^T x,
  finite only in the simplex's relative interior.

The known answer f* = min f is computed once per instance by exponentiated gradient (mirror
descent with the entropy, which keeps every iterate in the relative interior), run until the
Frank-Wolfe gap  max_j (grad f(x)^T x - grad f(x)_j)  -- an upper bound on f(x) - f* -- is below
1e-12; it is stored with the problem, with that gap as its certificate.

Every generator validates its arguments: a ValueError names the argument and the accepted range.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from problems.arguments import count, real

GAP_TOL = 1e-12
"""The Frank-Wolfe gap at which the reference solution is accepted (f* to within it)."""


@dataclass(frozen=True)
class SimplexLog:
    """f(x) = - sum_i w_i log(a_i^T x) + c^T x on the simplex; ``f_star`` and ``x_star`` are
    the reference solution (exponentiated gradient, certified by ``gap_star``)."""

    name: str
    A: np.ndarray
    w: np.ndarray
    c: np.ndarray
    x_star: np.ndarray
    f_star: float
    gap_star: float

    @property
    def d(self) -> int:
        return self.A.shape[1]

    @property
    def barycentre(self) -> np.ndarray:
        return np.full(self.d, 1.0 / self.d)

    def value(self, x: np.ndarray) -> np.ndarray:
        """f(x) for x of shape (..., d); +inf where some a_i^T x <= 0 (or NaN in x)."""
        return _value(self.A, self.w, self.c, np.asarray(x, dtype=float))

    def suboptimality(self, x: np.ndarray) -> np.ndarray:
        return self.value(x) - self.f_star

    def gradient(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        return -(self.w / (x @ self.A.T)) @ self.A + self.c

    def hessian(self, x: np.ndarray) -> np.ndarray:
        s = self.A @ np.asarray(x, dtype=float)
        return (self.A.T * (self.w / s**2)) @ self.A

    @property
    def curvature_bound(self) -> float:
        """An upper bound on Frank-Wolfe's curvature constant C_f over the simplex.

        (v - x)^T grad^2 f(y) (v - x) = sum_i w_i (a_i^T (v - x))^2 / (a_i^T y)^2 for x, v, y in
        the simplex, and |a_i^T (v - x)| <= max_j a_ij - min_j a_ij, a_i^T y >= min_j a_ij, so
        C_f <= sum_i w_i (max_j a_ij - min_j a_ij)^2 / (min_j a_ij)^2: finite for positive
        returns, +inf for the log-barrier (whose curvature is unbounded at the boundary).
        """
        low, high = self.A.min(axis=1), self.A.max(axis=1)
        if np.any(low <= 0):
            return math.inf
        return float(np.sum(self.w * ((high - low) / low) ** 2))

    def fw_gap(self, x: np.ndarray) -> float:
        """max over the simplex of grad f(x)^T (x - v): an upper bound on f(x) - f*."""
        g = self.gradient(x)
        return float(g @ x - g.min())


def _value(A, w, c, x):
    s = x @ A.T
    with np.errstate(divide="ignore", invalid="ignore"):
        v = -(np.log(s) @ w) + x @ c
    return np.where(np.all(s > 0, axis=-1), v, np.inf)


def _exponentiated_gradient(A, w, c, x0, tol, max_iter=20_000):
    """Mirror descent with the entropy and a backtracked step, until the FW gap < ``tol``.

    The iterate is kept as log-weights (coordinates leaving the support underflow in x, not in
    log x).  Deterministic dense linear algebra on a 200 x 50 matrix, run once per instance:
    NumPy.
    """
    logx = np.log(x0)
    x = x0.copy()
    f = float(_value(A, w, c, x))
    eta = 1.0
    gap = math.inf
    for _ in range(max_iter):
        g = -(w / (A @ x)) @ A + c
        gap = float(g @ x - g.min())
        if gap < tol:
            break
        while True:  # Armijo backtracking: f(y) <= f(x) + g^T (y - x) + KL(y, x) / eta
            z = logx - eta * (g - g.min())
            z -= z.max() + np.log(np.sum(np.exp(z - z.max())))
            y = np.exp(z)
            fy = float(_value(A, w, c, y))
            kl = float(np.sum(y * (z - logx)))
            if fy <= f + g @ (y - x) + kl / eta + 1e-15 * abs(f):
                break
            eta *= 0.5
        logx, x, f = z, y, fy
        eta = min(2.0 * eta, 1e6)
    return x, f, gap


@lru_cache(maxsize=32)
def _portfolio(d: int, m: int, spread: float, seed: int) -> SimplexLog:
    rng = np.random.default_rng(seed)
    A = np.abs(1.0 + spread * rng.standard_normal((m, d)))
    w, c = np.full(m, 1.0 / m), np.zeros(d)
    return _solved("portfolio", A, w, c)


@lru_cache(maxsize=32)
def _log_barrier(d: int, seed: int) -> SimplexLog:
    c = np.random.default_rng(seed).uniform(0.0, 1.0, d)
    return _solved("log_barrier", np.eye(d), np.full(d, 1.0 / d), c)


def _newton_on_support(A, w, c, x, steps=50):
    """Newton's method for min f on the face of the simplex that ``x`` (nearly) lies on.

    Exponentiated gradient finds the support fast but stalls at a FW gap ~1e-10 on the
    portfolio problems, where differences of f fall below its rounding and the line search
    stops; on the support f is smooth and strongly convex, and a few equality-constrained
    Newton steps (the KKT system with sum dx = 0) reach the gap of rounding.
    """
    support = x > 1e-9 * x.max()
    x = np.where(support, x, 0.0)
    x /= x.sum()
    for _ in range(steps):
        g, s = -(w / (A @ x)) @ A + c, A @ x
        if float(g @ x - g.min()) < 1e-3 * GAP_TOL:
            break
        n = int(support.sum())
        As = A[:, support]
        kkt = np.zeros((n + 1, n + 1))
        kkt[:n, :n] = (As.T * (w / s**2)) @ As
        kkt[:n, n] = kkt[n, :n] = 1.0
        dx = np.linalg.solve(kkt, np.concatenate([-g[support], [0.0]]))[:n]
        xs = x[support]
        shrink = dx < 0
        t = min(1.0, float(np.min(-xs[shrink] / dx[shrink]))) if shrink.any() else 1.0
        xs = xs + t * dx
        if t < 1.0:  # a coordinate reached the face's boundary: it leaves the support
            xs[np.argmin(xs)] = 0.0
        x[support] = xs
        support = x > 0
    return x


def _solved(name, A, w, c) -> SimplexLog:
    d = A.shape[1]
    x, f, gap = _exponentiated_gradient(A, w, c, np.full(d, 1.0 / d), tol=1e-6)
    x = _newton_on_support(A, w, c, x)
    g = -(w / (A @ x)) @ A + c
    f, gap = float(_value(A, w, c, x)), float(g @ x - g.min())
    if not gap < GAP_TOL:
        raise RuntimeError(f"exponentiated gradient stopped at FW gap {gap:.3g} > {GAP_TOL:g}")
    for a in (A, w, c, x):
        a.setflags(write=False)
    return SimplexLog(name, A, w, c, x, f, gap)


def portfolio(d: int = 50, m: int = 200, spread: float = 0.2, seed: int = 0) -> SimplexLog:
    """Log-optimal portfolio: f(x) = -(1/m) sum_i log(r_i^T x), r_ij = |1 + spread N(0, 1)|.

    Cached per (d, m, spread, seed): the reference solution is computed once per instance."""
    d, m = count("d", d, 2, 10**4), count("m", m, 1, 10**5)
    spread = real("spread", spread, 0.0, 10.0, low_open=True)
    return _portfolio(d, m, spread, count("seed", seed, 0))


def log_barrier(d: int = 50, seed: int = 0) -> SimplexLog:
    """f(x) = -(1/d) sum_j log x_j + c^T x, c_j ~ U(0, 1) from the seed (cached per instance)."""
    return _log_barrier(count("d", d, 2, 10**4), count("seed", seed, 0))
