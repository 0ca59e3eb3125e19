"""Bilevel ridge regression (a Wiener filter learned by bilevel optimisation), in closed form.

Data: a clean signal x with independent components x_j ~ N(0, s_j) and a noisy observation
y = x + n, n_j ~ N(0, v_j).  For regularisation weights theta in R^d,

    lower level   x_hat(theta; y) = argmin_x 1/2 ||x - y||^2 + 1/2 sum_j e^theta_j x_j^2,
                  x_hat_j = w_j y_j,   w_j = 1 / (1 + e^theta_j)   (strongly convex: 1-strongly);
    upper level   F(theta) = 1/2 E ||x_hat(theta; y) - x||^2
                           = 1/2 sum_j [w_j^2 (s_j + v_j) - 2 w_j s_j + s_j].

Exact hypergradient (chain rule, dw_j/dtheta_j = -w_j (1 - w_j)):

    dF/dtheta_j = -w_j (1 - w_j) (w_j (s_j + v_j) - s_j),

zero where w_j = s_j / (s_j + v_j), the Wiener filter:  theta*_j = log(v_j / s_j)
(= -log s_j for unit noise), with F* = 1/2 sum_j s_j v_j / (s_j + v_j).  F is not convex: it is
flat at theta -> +-inf (w -> 0 or 1, the gradient vanishes), with curvature
H_j = s_j^2 v_j^2 / (s_j + v_j)^3 at theta*.

Stochastic, inexact hypergradient (the implicit-function formula of the paper, evaluated at an
inexact lower-level solution).  One sample (x, n) per step and accuracy eps in [0, 1):

    x_tilde = (1 - eps) x_hat         (a lower-level solver stopped early, ||x_tilde - x_hat||
                                       = eps ||x_hat||: every early-stopped descent from x = 0
                                       undershoots like this),
    g_j = -(d^2 g / dtheta_j dx_j)(d^2 g / dx_j^2)^-1 (x_tilde_j - x_j)
        = -(1 - w_j) x_tilde_j (x_tilde_j - x_j).

With eps = 0 it is unbiased.  With eps > 0 its mean is
-(1 - w_j)(1 - eps) w_j ((1 - eps) w_j (s_j + v_j) - s_j): a bias that is O(eps), and at theta*
equals eps (1 - eps) w*_j (1 - w*_j) s_j > 0.  Zero-mean inexactness would average out and show
nothing, which is why the inexactness here is a systematic undershoot.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import expit

from problems import kinds
from problems.protocol import Oracle
from problems.validate import finite, positive_int


@dataclass(frozen=True)
class BilevelRidge:
    """Signal and noise variances per component, the optimal weights ``theta_star``, ``F_star``."""

    signal_var: np.ndarray
    noise_var: np.ndarray
    theta_star: np.ndarray
    F_star: float

    @property
    def d(self) -> int:
        return self.signal_var.size

    @property
    def x_star(self) -> np.ndarray:
        """The upper-level solution under the name generic tools use."""
        return self.theta_star

    def weights(self, theta: np.ndarray) -> np.ndarray:
        """w = 1/(1 + e^theta), the lower-level solution's gain x_hat = w y."""
        return expit(-np.asarray(theta, dtype=float))

    def value(self, theta: np.ndarray) -> np.ndarray:
        """F(theta) for theta of shape (..., d)."""
        w = self.weights(theta)
        s, v = self.signal_var, self.noise_var
        return 0.5 * np.sum(w * w * (s + v) - 2 * w * s + s, axis=-1)

    def suboptimality(self, theta: np.ndarray) -> np.ndarray:
        """F(theta) - F* = 1/2 sum_j (s_j + v_j)(w_j - w*_j)^2 (no cancellation)."""
        w = self.weights(theta)
        s, v = self.signal_var, self.noise_var
        return 0.5 * np.sum((s + v) * (w - s / (s + v)) ** 2, axis=-1)

    def hypergradient(self, theta: np.ndarray) -> np.ndarray:
        """The exact gradient of F at theta of shape (..., d)."""
        theta = np.asarray(theta, dtype=float)
        w, omw = expit(-theta), expit(theta)
        s, v = self.signal_var, self.noise_var
        return -w * omw * (w * (s + v) - s)

    def stationarity(self, theta: np.ndarray) -> np.ndarray:
        """||grad F(theta)||^2 for theta of shape (..., d)."""
        g = self.hypergradient(theta)
        return np.sum(g * g, axis=-1)

    def expected_sample(self, theta: np.ndarray, accuracy: float) -> np.ndarray:
        """The mean of the inexact stochastic hypergradient with accuracy eps."""
        accuracy = finite("accuracy", accuracy, 0.0, 1.0, high_open=True)
        theta = np.asarray(theta, dtype=float)
        w, omw = expit(-theta), expit(theta)
        s, v = self.signal_var, self.noise_var
        a = 1.0 - accuracy
        return -omw * a * w * (a * w * (s + v) - s)

    def bias(self, theta: np.ndarray, accuracy: float) -> np.ndarray:
        """E[inexact sample] - grad F: the systematic error of accuracy eps."""
        return self.expected_sample(theta, accuracy) - self.hypergradient(theta)

    @property
    def curvature(self) -> np.ndarray:
        """The Hessian of F at theta* (diagonal): s^2 v^2 / (s + v)^3."""
        s, v = self.signal_var, self.noise_var
        return s**2 * v**2 / (s + v) ** 3

    @property
    def sample_variance(self) -> np.ndarray:
        """Per-component variance of the exact (eps = 0) sample at theta*: s^3 v^3 / (s + v)^4.

        At theta*, u = y and z = w* y - x are jointly Gaussian and uncorrelated, so
        E[u^2 z^2] = E u^2 E z^2 = (s + v) s v / (s + v); times (w*(1 - w*))^2.
        """
        s, v = self.signal_var, self.noise_var
        return s**3 * v**3 / (s + v) ** 4

    def max_constant_accuracy(self) -> float:
        """The largest constant eps under which every component's biased field has a zero.

        The mean sample vanishes at (1 - eps) w_j (s_j + v_j) = s_j, which needs w_j < 1, i.e.
        eps < v_j / (s_j + v_j).  Beyond it theta_j drifts to -inf (where grad F -> 0 too).
        """
        return float(np.min(self.noise_var / (self.signal_var + self.noise_var)))

    def oracle(self) -> Oracle:
        return Oracle(kinds.BILEVEL_RIDGE, np.vstack([self.signal_var, self.noise_var]),
                      self.theta_star.copy(), np.zeros(1))


def bilevel_ridge(d: int = 20, signal_low: float = 0.1, signal_high: float = 10.0,
                  noise_var: float = 1.0) -> BilevelRidge:
    """``d`` components with signal variances log-spaced in [signal_low, signal_high]."""
    d = positive_int("d", d)
    signal_low = finite("signal_low", signal_low, 0.0, low_open=True)
    signal_high = finite("signal_high", signal_high, signal_low)
    noise_var = finite("noise_var", noise_var, 0.0, low_open=True)
    s = np.geomspace(signal_low, signal_high, d) if d > 1 else np.array([signal_high])
    v = np.full(d, noise_var)
    return BilevelRidge(signal_var=s, noise_var=v, theta_star=np.log(v / s),
                        F_star=float(0.5 * np.sum(s * v / (s + v))))
