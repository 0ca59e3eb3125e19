"""The Adam vector field of a stochastic quadratic and its zero, by quadrature (no simulation).

For fixed beta1, beta2 and vanishing steps Adam follows the flow of the *Adam vector field*
(Dereich & Jentzen, arXiv 2407.21078; Dereich, Jentzen & Kassing, arXiv 2511.04622): with x
frozen, the moment estimates forget their start and take the stationary law of

    m = sum_{j>=0} (1 - beta1) beta1^j g_j,        v = sum_{j>=0} (1 - beta2) beta2^j g_j^2,

g_j iid mini-batch gradients at x, and the field is A(x) = E[m / (eps + sqrt(v))].  If Adam
converges, its limit is a zero of A, not of grad f.  *Inferred* from the abstracts: the papers'
full text was not available; this is the fast-slow limit their abstracts describe.

For f(x) = E 1/2 |x - X|^2 the field acts coordinate by coordinate, g_j = delta - xi_j with
delta = x - x*, xi_j = Xbar_j - E X.  With eps = 0 (1e-8 against sqrt(v) ~ sigma moves the zero
by ~1e-8 relatively), 1/sqrt(v) = pi^-1/2 int_0^oo t^-1/2 e^{-tv} dt and the independence of the
g_j give a one-dimensional integral of one-dimensional expectations:

    E[m e^{-tv}] = P(t) sum_j a_j psi(t b_j) / phi(t b_j),      P(t) = prod_i phi(t b_i),
    phi(s) = E e^{-s g^2},   psi(s) = E g e^{-s g^2},
    a_j = (1 - beta1) beta1^j,   b_i = (1 - beta2) beta2^i,
    A(delta) = pi^-1/2 int t^{1/2} E[m e^{-tv}] d(log t).

phi and psi are sums over a quadrature rule for the law of Xbar (exact for discrete laws).  On
the grid log t_n = log t_0 + n D/q with D = -log beta2, the points t_n b_i are grid points again,
so log P is a cumulative sum and the beta1-weighted sum a first-order recursive filter; the
trapezoidal rule in log t converges geometrically for this smooth integrand that decays at both
ends.  The zero is then found by Brent's method.  Nothing here runs Adam: it is an estimate of
Adam's limit that is independent of the simulation.

The first-order expansion of A in the cumulants of Xbar (used as a cross-check) gives

    delta* = -[c/(1-c)] kappa_3 / (2 sigma^2 M),      c = (1-beta1)(1-beta2)/(1-beta1 beta2),

from Cov(m, v) = c Cov(g, g^2) and E v = E g^2; the neglected terms are of relative order
(1 - beta2)(kurtosis - 1) and c.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from scipy import optimize, signal

from problems.stochastic import StochasticQuadratic, stochastic_quadratic

T_MIN = 1e-8
"""Lower end of the t-integral; the part below is added analytically:
int_0^T t^-1/2 E[m (1 - t v)] dt = 2 sqrt(T) E m - (2/3) T^{3/2} E[m v] (next term ~ T^{5/2})."""


def coupling(beta1: float, beta2: float) -> float:
    """c = sum_j a_j b_j = (1 - beta1)(1 - beta2)/(1 - beta1 beta2)."""
    return (1.0 - beta1) * (1.0 - beta2) / (1.0 - beta1 * beta2)


def first_order_offset(problem: StochasticQuadratic, beta1: float, beta2: float,
                       batch: int) -> float:
    """-[c/(1-c)] kappa_3/(2 sigma^2 M): the zero of A to first order in the cumulants."""
    c = coupling(beta1, beta2)
    return -c / (1.0 - c) * problem.third_moment / (2.0 * problem.variance * batch)


def _check_betas(beta1: float, beta2: float) -> None:
    if not 0.0 <= beta1 < 1.0:
        raise ValueError(f"beta1 must lie in [0, 1), got {beta1!r}")
    if not 0.0 < beta2 < 1.0:
        raise ValueError(f"beta2 must lie in (0, 1), got {beta2!r}")


def adam_field(problem: StochasticQuadratic, delta: float, beta1: float, beta2: float,
               batch: int, nodes: int = 1000, spacing: float = 0.05) -> float:
    """A(x* + delta) for one coordinate, by the quadrature of the module docstring.

    ``nodes`` is the size of the quadrature rule for the law of Xbar (continuous laws),
    ``spacing`` the largest step in log t (refined to a divisor of -log beta2).
    """
    _check_betas(beta1, beta2)
    x, w = problem.batch_mean_nodes(batch, nodes)
    g = delta - (x - problem.mean)
    g2 = g * g
    mean_g2 = float(w @ g2)
    big = -math.log(beta2)
    q = max(1, math.ceil(big / spacing))
    h = big / q
    # s = t b_0 = t (1 - beta2) on a grid from T_MIN b_0 to where P(t) ~ e^-(t E v) is negligible
    u0 = math.log(T_MIN * (1.0 - beta2))
    u1 = math.log(4000.0 / mean_g2 * (1.0 - beta2))
    n = int(math.ceil((u1 - u0) / h)) + 1
    s = np.exp(u0 + h * np.arange(n))
    expo = -s[:, None] * g2[None, :]                     # (grid, nodes)
    top = expo.max(axis=1, keepdims=True)
    e = w[None, :] * np.exp(expo - top)
    z = e.sum(axis=1)
    log_phi = np.log(z) + top[:, 0]
    ratio = (e @ g) / z                                   # psi/phi: the tilted mean of g
    log_p = np.empty(n)
    filt = np.empty(n)
    for r in range(q):                                    # t_n b_i = s_{n - i q}
        log_p[r::q] = np.cumsum(log_phi[r::q])
        filt[r::q] = signal.lfilter([1.0 - beta1], [1.0, -beta1], ratio[r::q])
    t = s / (1.0 - beta2)
    integrand = np.sqrt(t) * np.exp(log_p) * filt
    if abs(integrand[-1]) > 1e-13 * np.max(np.abs(integrand)):
        raise RuntimeError("the t-grid ends before the integrand has decayed")
    c = coupling(beta1, beta2)
    mean_m = float(w @ g)
    mean_mv = c * float(w @ (g2 * g)) + (1.0 - c) * mean_m * mean_g2
    head = 2.0 * math.sqrt(T_MIN) * mean_m - 2.0 / 3.0 * T_MIN**1.5 * mean_mv
    return float((h * (integrand.sum() - 0.5 * integrand[0]) + head) / math.sqrt(math.pi))


def _zero(problem: StochasticQuadratic, beta1: float, beta2: float, batch: int) -> float:
    def field(d: float) -> float:
        return adam_field(problem, d, beta1, beta2, batch)

    sd = math.sqrt(problem.variance / batch)
    guess = first_order_offset(problem, beta1, beta2, batch)
    # A is increasing and nearly linear near its zero, and the first-order guess is within ~15%:
    # the secant method needs 3-4 evaluations; Brent's method on a wide bracket is the fallback
    sol = optimize.root_scalar(field, method="secant", x0=guess, x1=0.9 * guess,
                               xtol=1e-9 * sd)
    if sol.converged and abs(sol.root) < sd:
        return float(sol.root)
    root, info = optimize.brentq(field, -0.5 * sd, 0.5 * sd, xtol=1e-9 * sd, rtol=1e-8,
                                 full_output=True)
    if not info.converged:
        raise RuntimeError(f"no zero of the Adam field found: {info.flag}")
    return float(root)


@lru_cache(maxsize=256)
def _cached_zero(law: str, params: tuple, beta1: float, beta2: float, batch: int) -> float:
    return _zero(stochastic_quadratic(law, **dict(params)), beta1, beta2, batch)


def adam_zero(problem: StochasticQuadratic, beta1: float, beta2: float, batch: int) -> float:
    """delta* with A(x* + delta*) = 0: where Adam with vanishing steps settles, minus x*.

    Exactly 0 for a symmetric law (A is then odd in delta); cached per law and parameters.
    """
    _check_betas(beta1, beta2)
    if problem.symmetric:
        return 0.0
    return _cached_zero(problem.law, tuple(sorted(problem.params.items())), float(beta1),
                        float(beta2), int(batch))


__all__ = ["adam_field", "adam_zero", "coupling", "first_order_offset"]
