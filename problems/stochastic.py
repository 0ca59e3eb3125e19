"""Stochastic problems for adaptive methods: quadratics with a data law, and online linear losses.

**Stochastic quadratics** (the simple strongly convex SOPs of the Adam symmetry theorem,
Dereich, Do, Jentzen & von Wurstemberger, arXiv 2511.06675):

    f(x) = E[ 1/2 |x - X|^2 ],   X = (X_1, ..., X_d) with iid coordinates from a chosen law,

so f is 1-strongly convex and 1-smooth, x* = E X, f* = d sigma^2 / 2, and the mini-batch gradient
is x - Xbar with Xbar the mean of M independent draws.  The oracle draws Xbar *exactly* where the
law allows it: the mean of M draws of N(m, s^2) is N(m, s^2/M), of Gamma(k, s) is Gamma(Mk, s/M),
of a Bernoulli(p) (or a symmetric two-point law) is Binomial(M, p)/M.  The law's variance and
third central moment kappa_3 are the constants the Adam offset depends on (kappa_3 = 0 for the
symmetric laws, where Adam converges to x*).

**Online linear problems** of Reddi, Kale & Kumar (ICLR 2018, arXiv 1904.09237): the loss at step
t = 1, 2, ... is f_t(x) = <c_t, x> on the box [-radius, radius]^d.  Random: c_t = large w.p. prob,
else -small (Section 5: 1010, 10, 0.01, so E f_t(x) = 0.2 x and x* = -1).  Cyclic (Theorem 1):
c_t = C if t mod 3 = 1, else -1, with C > 2 (the average gradient (C - 2)/3 > 0, x* = -1).

Every generator validates its arguments: a ValueError names the argument and the accepted range.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special, stats

from problems import kinds
from problems.protocol import Oracle
from problems.validate import finite, positive_int

LAWS = ("normal", "two_point", "exponential", "gamma", "bernoulli")
"""The data laws by name; every default has mean 1 and variance 1."""

SYMMETRIC_LAWS = ("normal", "two_point")

_DEFAULTS: dict[str, dict[str, float]] = {
    "normal": {"mean": 1.0, "sd": 1.0},
    "two_point": {"center": 1.0, "half_gap": 1.0},
    "exponential": {"scale": 1.0, "loc": 0.0},
    "gamma": {"shape": 4.0, "scale": 0.5, "loc": -1.0},
    "bernoulli": {"prob": 0.2, "height": 2.5, "loc": 0.5},
}


@dataclass(frozen=True)
class StochasticQuadratic:
    """f(x) = E 1/2 |x - X|^2 with iid coordinates X_j from ``law`` (see the module docstring).

    ``params`` holds the law's parameters by name; ``mean``, ``variance``, ``third_moment`` and
    ``fourth_moment`` are the central moments of one coordinate X_j.
    """

    law: str
    params: dict[str, float]
    d: int
    mean: float
    variance: float
    third_moment: float
    fourth_moment: float

    @property
    def x_star(self) -> np.ndarray:
        return np.full(self.d, self.mean)

    @property
    def f_star(self) -> float:
        return 0.5 * self.d * self.variance

    L = 1.0
    """Smoothness constant of f (the Hessian is the identity)."""
    mu = 1.0
    """Strong-convexity constant of f."""

    @property
    def skewness(self) -> float:
        return self.third_moment / self.variance**1.5

    @property
    def symmetric(self) -> bool:
        """True when the law of X_j is symmetric about its mean (then kappa_3 = 0)."""
        return self.law in SYMMETRIC_LAWS or (self.law == "bernoulli"
                                              and self.params["prob"] == 0.5)

    def value(self, x: np.ndarray) -> np.ndarray:
        """f(x) for x of shape (..., d)."""
        return self.suboptimality(x) + self.f_star

    def suboptimality(self, x: np.ndarray) -> np.ndarray:
        e = np.asarray(x) - self.mean
        return 0.5 * np.sum(e * e, axis=-1)

    def batch_moments(self, batch: int) -> tuple[float, float, float]:
        """Variance, third and fourth central moments of the mean of ``batch`` draws."""
        m = positive_int("batch", batch)
        s2, k3, m4 = self.variance, self.third_moment, self.fourth_moment
        return s2 / m, k3 / m**2, (m4 + 3.0 * (m - 1) * s2 * s2) / m**3

    def batch_mean_nodes(self, batch: int, n: int = 4000) -> tuple[np.ndarray, np.ndarray]:
        """A quadrature rule (nodes, weights) for E h(Xbar), Xbar the mean of ``batch`` draws.

        Exact for the discrete laws (the support of Binomial(batch, p)/batch and its
        probabilities); for the continuous laws, Gauss-Legendre with ``n`` nodes in quantile
        space, E h(Xbar) = int_0^1 h(F^-1(u)) du, which needs no truncation of the tails.
        """
        m = positive_int("batch", batch)
        n = positive_int("n", n, 2)
        p = self.params
        if self.law in ("two_point", "bernoulli"):
            k = np.arange(m + 1)
            if self.law == "two_point":
                x = p["center"] + p["half_gap"] * (2.0 * k - m) / m
                w = stats.binom.pmf(k, m, 0.5)
            else:
                x = p["loc"] + p["height"] * k / m
                w = stats.binom.pmf(k, m, p["prob"])
            return x, w
        u, w = special.roots_legendre(n)
        u, w = 0.5 * (u + 1.0), 0.5 * w
        return self.batch_mean_law(m).ppf(u), w

    def batch_mean_law(self, batch: int):
        """The exact law of Xbar as a frozen scipy distribution (continuous laws only)."""
        m = positive_int("batch", batch)
        p = self.params
        if self.law == "normal":
            return stats.norm(p["mean"], p["sd"] / math.sqrt(m))
        if self.law == "exponential":
            return stats.gamma(m, loc=p["loc"], scale=p["scale"] / m)
        if self.law == "gamma":
            return stats.gamma(p["shape"] * m, loc=p["loc"], scale=p["scale"] / m)
        raise ValueError(f"law {self.law!r} is discrete: use batch_mean_nodes")

    def oracle(self) -> Oracle:
        p = self.params
        if self.law == "normal":
            kind, vec = kinds.SOP_NORMAL, [p["mean"], p["sd"]]
        elif self.law == "two_point":
            kind, vec = kinds.SOP_TWO_POINT, [p["center"], p["half_gap"]]
        elif self.law == "exponential":
            kind, vec = kinds.SOP_GAMMA, [p["loc"], 1.0, p["scale"]]
        elif self.law == "gamma":
            kind, vec = kinds.SOP_GAMMA, [p["loc"], p["shape"], p["scale"]]
        else:
            kind, vec = kinds.SOP_BERNOULLI, [p["loc"], p["prob"], p["height"]]
        return Oracle(kind, np.zeros((1, self.d)), self.x_star, np.asarray(vec))


def stochastic_quadratic(law: str = "exponential", d: int = 1,
                         **params: float) -> StochasticQuadratic:
    """f(x) = E 1/2 |x - X|^2 in dimension ``d`` with X_j iid from ``law``.

    Laws and parameters (defaults give mean 1, variance 1):

    * ``normal``      mean, sd > 0                      symmetric
    * ``two_point``   center, half_gap > 0: center +- half_gap w.p. 1/2   symmetric
    * ``exponential`` scale > 0, loc: loc + Exp(mean scale)   kappa_3 = 2 scale^3
    * ``gamma``       shape > 0, scale > 0, loc: loc + Gamma(shape, scale)   kappa_3 = 2 k s^3
    * ``bernoulli``   prob in (0, 1), height > 0, loc: loc + height Bernoulli(prob)
                      (symmetric only for prob = 1/2)
    """
    if law not in LAWS:
        raise ValueError(f"law must be one of {', '.join(LAWS)}, got {law!r}")
    d = positive_int("d", d)
    unknown = set(params) - set(_DEFAULTS[law])
    if unknown:
        raise ValueError(f"law {law!r} takes the parameters {', '.join(_DEFAULTS[law])}, got "
                         f"{', '.join(sorted(unknown))}")
    p = {**_DEFAULTS[law], **params}
    if law == "normal":
        p = {"mean": finite("mean", p["mean"]),
             "sd": finite("sd", p["sd"], 0.0, low_open=True)}
        mean, var, k3, m4 = p["mean"], p["sd"] ** 2, 0.0, 3.0 * p["sd"] ** 4
    elif law == "two_point":
        p = {"center": finite("center", p["center"]),
             "half_gap": finite("half_gap", p["half_gap"], 0.0, low_open=True)}
        mean, var, k3, m4 = p["center"], p["half_gap"] ** 2, 0.0, p["half_gap"] ** 4
    elif law in ("exponential", "gamma"):
        shape = 1.0 if law == "exponential" else finite("shape", p["shape"], 0.0, 1e6,
                                                        low_open=True)
        scale = finite("scale", p["scale"], 0.0, low_open=True)
        loc = finite("loc", p["loc"])
        p = {"scale": scale, "loc": loc} if law == "exponential" else {
            "shape": shape, "scale": scale, "loc": loc}
        mean = loc + shape * scale
        var, k3 = shape * scale**2, 2.0 * shape * scale**3
        m4 = (3.0 * shape**2 + 6.0 * shape) * scale**4
    else:
        prob = finite("prob", p["prob"], 0.0, 1.0, low_open=True, high_open=True)
        h = finite("height", p["height"], 0.0, low_open=True)
        loc = finite("loc", p["loc"])
        p = {"prob": prob, "height": h, "loc": loc}
        q = 1.0 - prob
        mean, var = loc + h * prob, h * h * prob * q
        k3 = h**3 * prob * q * (q - prob)
        m4 = h**4 * prob * q * (1.0 - 3.0 * prob * q)
    return StochasticQuadratic(law=law, params=p, d=d, mean=float(mean), variance=float(var),
                               third_moment=float(k3), fourth_moment=float(m4))


@dataclass(frozen=True)
class OnlineLinear:
    """Online losses f_t(x) = <c_t, x> on the box [-radius, radius]^d (Reddi et al. 2018).

    ``mean_gradient`` is E c_t,j (random) or the average of c_t,j over a period (cyclic); the
    minimiser of the average loss over the box is the corner x* = -radius sign(mean_gradient).
    """

    name: str
    kind: int
    params: dict[str, float]
    d: int
    radius: float
    mean_gradient: float

    @property
    def x_star(self) -> np.ndarray:
        return np.full(self.d, -self.radius * math.copysign(1.0, self.mean_gradient))

    @property
    def box(self) -> tuple[float, float]:
        return -self.radius, self.radius

    def suboptimality(self, x: np.ndarray) -> np.ndarray:
        """Average loss above the best point: mean_gradient * sum_j (x_j - x*_j) >= 0."""
        return self.mean_gradient * np.sum(np.asarray(x) - self.x_star, axis=-1)

    def oracle(self) -> Oracle:
        return Oracle(self.kind, np.zeros((1, self.d)), self.x_star,
                      np.asarray(list(self.params.values())))


def random_linear(large: float = 1010.0, small: float = 10.0, prob: float = 0.01, d: int = 1,
                  radius: float = 1.0) -> OnlineLinear:
    """c_t = large w.p. prob, else -small [Reddi et al. 2018, Section 5: 1010, 10, 0.01]."""
    large = finite("large", large, 0.0, low_open=True)
    small = finite("small", small, 0.0, low_open=True)
    prob = finite("prob", prob, 0.0, 1.0, low_open=True, high_open=True)
    mean = prob * large - (1.0 - prob) * small
    if mean == 0.0:
        raise ValueError("prob must not make the mean gradient prob*large - (1-prob)*small zero "
                         f"(every point of the box is then optimal), got prob={prob!r}")
    return OnlineLinear("random", kinds.LINEAR_RANDOM,
                        {"large": large, "small": small, "prob": prob}, positive_int("d", d),
                        finite("radius", radius, 0.0, low_open=True), float(mean))


def cyclic_linear(C: float = 3.0, d: int = 1, radius: float = 1.0) -> OnlineLinear:
    """c_t = C if t mod 3 = 1 else -1, C > 2 [Reddi et al. 2018, Theorem 1]; x* = -radius."""
    C = finite("C", C, 2.0, low_open=True)
    return OnlineLinear("cyclic", kinds.LINEAR_CYCLIC, {"C": C}, positive_int("d", d),
                        finite("radius", radius, 0.0, low_open=True), (C - 2.0) / 3.0)
