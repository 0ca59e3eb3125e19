"""Bilevel ridge regression: the ridge weight e^lambda tuned on a validation set, in closed form.

Data: training features X (n x d), labels y; validation X_v (n_v x d), y_v.  Columns of both are
scaled by geomspace(1, scale_low, d) (an ill-conditioned Gram matrix), a ground truth
w_true ~ N(0, I), labels y = X w_true + noise N(0, I) (the same for the validation set).

    lower level   g(w, lambda) = ||X w - y||^2 / (2n) + (e^lambda / 2) ||w||^2
                  grad_w g = H w - b,   H = A + e^lambda I,   A = X^T X / n,   b = X^T y / n,
                  mu-strongly convex and L-smooth, mu = lambda_min(H), L = lambda_max(H);
    upper level   F(w) = ||X_v w - y_v||^2 / (2 n_v),   grad F = A_v w - b_v;
    outer loss    f(lambda) = F(w*(lambda)),  w*(lambda) = H^{-1} b.

Exact hypergradient (implicit differentiation: H dw*/dlambda = -e^lambda w*):

    h*(lambda) = f'(lambda) = -e^lambda w*^T H^{-1} grad F(w*),

and lambda* = argmin of f on an interval (a zero of h*, found by Brent's method on the closed
form).  This is a different problem from :mod:`problems.bilevel` (a per-coordinate Wiener
filter); the methods of :mod:`experiments.hypergradient` run on this one, on its arrays
(A, b, A_v, b_v) directly: no integer kind, no shared oracle.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np
from scipy.optimize import brentq

from problems.arguments import count, real


@dataclass(frozen=True)
class RidgeBilevel:
    """Training and validation data, and the log ridge weight lambda the inner problem uses."""

    X: np.ndarray
    y: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    log_reg: float

    def __post_init__(self) -> None:
        for name in ("X", "y", "X_val", "y_val"):
            value = np.ascontiguousarray(getattr(self, name), dtype=np.float64)
            value.setflags(write=False)
            object.__setattr__(self, name, value)
        n, d = self.X.shape
        if self.y.shape != (n,) or self.X_val.ndim != 2 or self.X_val.shape[1] != d \
                or self.y_val.shape != (self.X_val.shape[0],):
            raise ValueError("X (n, d), y (n,), X_val (n_v, d), y_val (n_v,) have mismatched "
                             f"shapes {self.X.shape}, {self.y.shape}, {self.X_val.shape}, "
                             f"{self.y_val.shape}")
        object.__setattr__(self, "log_reg", real("log_reg", self.log_reg, -50.0, 50.0))

    # --- sizes and the quadratic forms ---------------------------------------------------------
    @property
    def n(self) -> int:
        return self.X.shape[0]

    @property
    def n_val(self) -> int:
        return self.X_val.shape[0]

    @property
    def d(self) -> int:
        return self.X.shape[1]

    @cached_property
    def A(self) -> np.ndarray:
        """X^T X / n: the Hessian of the data term of g."""
        return self.X.T @ self.X / self.n

    @cached_property
    def b(self) -> np.ndarray:
        return self.X.T @ self.y / self.n

    @cached_property
    def A_val(self) -> np.ndarray:
        """X_v^T X_v / n_v: the Hessian of F."""
        return self.X_val.T @ self.X_val / self.n_val

    @cached_property
    def b_val(self) -> np.ndarray:
        return self.X_val.T @ self.y_val / self.n_val

    def at(self, log_reg: float) -> RidgeBilevel:
        """The same data with another lambda."""
        return replace(self, log_reg=log_reg)

    def _lam(self, lam: float | None) -> float:
        return self.log_reg if lam is None else real("lam", lam, -50.0, 50.0)

    def hessian(self, lam: float | None = None) -> np.ndarray:
        """H = A + e^lambda I (at the instance's lambda by default)."""
        return self.A + math.exp(self._lam(lam)) * np.eye(self.d)

    def curvatures(self, lam: float | None = None) -> tuple[float, float]:
        """(mu, L): the extreme eigenvalues of H."""
        ev = np.linalg.eigvalsh(self.hessian(lam))
        return float(ev[0]), float(ev[-1])

    @property
    def mu(self) -> float:
        return self.curvatures()[0]

    @property
    def L(self) -> float:
        return self.curvatures()[1]

    # --- the two levels ------------------------------------------------------------------------
    def inner_value(self, w: np.ndarray, lam: float | None = None) -> np.ndarray:
        """g(w, lambda) for w of shape (..., d)."""
        w = np.asarray(w, dtype=float)
        r = w @ self.X.T - self.y
        return 0.5 * np.mean(r * r, axis=-1) + 0.5 * math.exp(self._lam(lam)) * np.sum(w * w, -1)

    def inner_gradient(self, w: np.ndarray, lam: float | None = None) -> np.ndarray:
        """grad_w g = H w - b."""
        return np.asarray(w, dtype=float) @ self.hessian(lam) - self.b

    def outer_value(self, w: np.ndarray) -> np.ndarray:
        """F(w) = ||X_v w - y_v||^2 / (2 n_v) for w of shape (..., d)."""
        r = np.asarray(w, dtype=float) @ self.X_val.T - self.y_val
        return 0.5 * np.mean(r * r, axis=-1)

    def outer_gradient(self, w: np.ndarray) -> np.ndarray:
        """grad F = A_v w - b_v."""
        return np.asarray(w, dtype=float) @ self.A_val - self.b_val

    # --- the known answers ---------------------------------------------------------------------
    def w_star(self, lam: float | None = None) -> np.ndarray:
        """The inner solution H^{-1} b."""
        return np.linalg.solve(self.hessian(lam), self.b)

    @property
    def x_star(self) -> np.ndarray:
        """The inner solution under the name generic tools use."""
        return self.w_star()

    def objective(self, lam: float | None = None) -> float:
        """The outer loss f(lambda) = F(w*(lambda))."""
        return float(self.outer_value(self.w_star(lam)))

    def hypergradient(self, lam: float | None = None) -> float:
        """h*(lambda) = -e^lambda w*^T H^{-1} grad F(w*) (implicit differentiation)."""
        lam = self._lam(lam)
        H = self.hessian(lam)
        w = np.linalg.solve(H, self.b)
        return float(-math.exp(lam) * w @ np.linalg.solve(H, self.outer_gradient(w)))

    def lam_star(self, low: float = -8.0, high: float = 4.0) -> float:
        """The minimiser of f on [low, high]: the zero of h* there, else the better end."""
        low, high = real("low", low, -50.0, 50.0), real("high", high, -50.0, 50.0)
        if not low < high:
            raise ValueError(f"need low < high, got low={low!r}, high={high!r}")
        h_low, h_high = self.hypergradient(low), self.hypergradient(high)
        if h_low < 0 < h_high:
            return float(brentq(self.hypergradient, low, high, xtol=1e-14, rtol=1e-15))
        return low if self.objective(low) <= self.objective(high) else high


def ridge_bilevel(n: int = 100, n_val: int = 50, d: int = 20, reg: float = 0.05,
                  noise: float = 1.0, scale_low: float = 0.1, instance: int = 0) -> RidgeBilevel:
    """Draw a bilevel ridge instance; ``reg`` = e^lambda, ``instance`` seeds the data.

    The data are drawn from ``instance`` alone, so a claim's verdict on them does not depend on
    the run seed (every method here is deterministic).
    """
    n = count("n", n)
    d = count("d", d)
    n_val = count("n_val", n_val)
    reg = real("reg", reg, 0.0, 1e10, low_open=True)
    noise = real("noise", noise, 0.0, 1e6)
    scale_low = real("scale_low", scale_low, 0.0, 1.0, low_open=True)
    rng = np.random.default_rng(count("instance", instance, 0))
    scale = np.geomspace(1.0, scale_low, d)
    w_true = rng.standard_normal(d)
    X = rng.standard_normal((n, d)) * scale
    X_val = rng.standard_normal((n_val, d)) * scale
    y = X @ w_true + noise * rng.standard_normal(n)
    y_val = X_val @ w_true + noise * rng.standard_normal(n_val)
    return RidgeBilevel(X, y, X_val, y_val, math.log(reg))
