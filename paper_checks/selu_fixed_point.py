"""Self-normalising networks: SELU's layer map of (mean, variance) contracts to (0, 1).

Problem (problems/selu_moments.py): a SELU unit y = selu(z), z = sum_i w_i x_i with normalised
weights (omega = sum w_i = 0, tau = sum w_i^2 = 1) and inputs of mean mu and variance nu, so
z ~ N(0, nu): the layer maps (mu, nu) to (E selu(z), Var selu(z)), here by 120-node Gauss-Hermite
sums, iterated over 60 layers from (mu, nu) = (0.5, 2.0) (experiments/fixed_point.py).
Deterministic: one run, and the seed does not enter.

Stated [1, Theorem 1]: for lam_01 = 1.0507, alpha_01 = 1.6733 the map g is a contraction (Banach)
on a domain around (0, 1) holding (0.5, 2.0), with fixed point (0, 1): the spectral norm of its
Jacobian at (0, 1) is 0.7877 [1, Section 3, "the spectral norm of the Jacobian ... is 0.7877"].
Assert limit: max(|mu_30|, |nu_30 - 1|) <= 2e-3 (0.78^30 ~ 6e-4 is what is left of the start;
the 120-node quadrature's own fixed point is off (0, 1) by ~1e-3, the kink of selu at 0);
checks: the per-layer factor (geometric fit of the distance to the layer-60 state over layers
5-25) lies in [0.77, 0.79] and at most the Jacobian's norm, which, computed independently (scipy
adaptive quadrature of the exact Gaussian integrals and central differences), equals the paper's
0.7877 within 5e-4.  With omega = 0 the Jacobian is [[0, d mu~/d nu], [0, d nu~/d nu]]: the
factor is its eigenvalue d nu~/d nu = 0.7826 and the norm sqrt(0.0888^2 + 0.7826^2).

Also checked: the first layer's state equals the exact moments (scipy) within 2e-3 (the map
is g itself, not, e.g., the second moment, which has the same fixed point and Jacobian).

Controls: lam = 1 has another fixed point, (-0.031, 0.626): the variance is not preserved;
alpha = 1 (an ELU scaled by lam) shrinks the variance to ~0.03 by layer 30.

[1] G. Klambauer, T. Unterthiner, A. Mayr, S. Hochreiter, Self-Normalizing Neural Networks,
    NeurIPS 2017, arXiv 1706.02515.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import integrate

from experiments.methods import FixedPointIteration
from problems.selu_moments import ALPHA_01, LAMBDA_01, selu, selu_moment_map
from rates.claim import Claim, Control, Mode, Paper, Tolerance
from rates.params import Parameter as P
from rates.spec import Limit, Observed, Quantity, Within

PAPER_NORM = 0.7877
"""The spectral norm of the Jacobian at (0, 1) that the paper reports [1, Section 3]."""
FIT_LAYERS = (5, 25)


def exact_moments(mu: float, nu: float, lam: float, alpha: float, omega: float = 0.0,
                  tau: float = 1.0) -> np.ndarray:
    """(E selu(z), Var selu(z)), z ~ N(mu omega, nu tau), by scipy's adaptive quadrature on each
    side of the kink (independent of the Gauss-Hermite map)."""
    m, s = mu * omega, math.sqrt(nu * tau)

    def moment(power: int) -> float:
        def f(z):
            return selu(z, lam, alpha) ** power * math.exp(-0.5 * ((z - m) / s) ** 2)
        lo = integrate.quad(f, -np.inf, 0.0, epsabs=1e-14, epsrel=1e-13)[0]
        hi = integrate.quad(f, 0.0, np.inf, epsabs=1e-14, epsrel=1e-13)[0]
        return (lo + hi) / (s * math.sqrt(2 * math.pi))
    m1 = moment(1)
    return np.array([m1, moment(2) - m1 * m1])


def jacobian_at(state: tuple[float, float], lam: float, alpha: float, h: float = 1e-5
                ) -> np.ndarray:
    """The moment map's Jacobian by central differences of :func:`exact_moments`."""
    mu, nu = state
    cols = [(exact_moments(mu + h * e[0], nu + h * e[1], lam, alpha)
             - exact_moments(mu - h * e[0], nu - h * e[1], lam, alpha)) / (2 * h)
            for e in np.eye(2)]
    return np.column_stack(cols)


def _distance(inst, run) -> np.ndarray:
    """max(|mu_k - 0|, |nu_k - 1|) per run and layer."""
    return np.max(np.abs(run.iterates - inst.problem.fixed_point), axis=-1)


def _at_layer(inst, run) -> np.ndarray:
    return _distance(inst, run)[:, int(inst["at"])]


def layer_factor(seen: Observed) -> float:
    """exp(slope) of log max|s_k - s_60| over layers 5-25: the contraction per layer."""
    run = seen.runs[0]
    d = np.max(np.abs(run.iterates[0] - run.iterates[0, -1]), axis=-1)
    k = np.arange(*FIT_LAYERS) if FIT_LAYERS[1] < d.size else np.arange(1, d.size - 1)
    return float(np.exp(np.polyfit(k, np.log(d[k]), 1)[0]))


def first_layer_error(seen: Observed) -> float:
    """max |layer-1 state - exact moments from (mu0, nu0)| (scipy quadrature)."""
    p = seen.instance.params
    exact = exact_moments(p["mu0"], p["nu0"], p["lam"], p["alpha"])
    return float(np.max(np.abs(seen.runs[0].iterates[0, 1] - exact)))


def jacobian_norm(seen: Observed) -> float:
    return float(np.linalg.norm(jacobian_at((0.0, 1.0), seen.instance["lam"],
                                            seen.instance["alpha"]), 2))


SPEC = Limit(
    problem=lambda p, seed: selu_moment_map(p["lam"], p["alpha"], nodes=p["nodes"]),
    method=lambda i: FixedPointIteration(),
    value=Quantity("max(|mu_30|, |nu_30 - 1|)", _at_layer), target=0.0, horizon="layers",
    runs=1, x0=lambda i: np.array([[i["mu0"], i["nu0"]]]),
    trace=Quantity("max(|mu_k|, |nu_k - 1|)", _distance), xlabel="layer k",
    checks=(
        Within("layer 1 minus the exact moments (scipy)", first_layer_error, 0.0, 2e-3,
               "the layer map is the paper's g: mean and variance (not second moment) of selu "
               "(z), up to the 120-node quadrature's error (~1e-3)"),
        Within("per-layer factor", layer_factor, 0.77, 0.79,
               "the Jacobian's eigenvalue d nu~/d nu = 0.7826 at (0, 1); the fit starts at "
               "nu_5 = 1.1, where the map is still slightly nonlinear"),
        Within("factor minus the Jacobian's norm at (0, 1)",
               lambda s: layer_factor(s) - jacobian_norm(s), -1.0, 0.0,
               "a contraction with Lipschitz constant ||J|| shrinks distances by <= ||J||"),
        Within("Jacobian norm at (0, 1) (scipy quadrature) minus the paper's 0.7877",
               lambda s: jacobian_norm(s) - PAPER_NORM, -5e-4, 5e-4,
               "the paper rounds to 4 digits; central differences are accurate to ~1e-9"),
    ))


CLAIM = Claim(
    id="selu-fixed-point", mode=Mode.LIMIT, law="limit",
    title="SELU's (mean, variance) layer map contracts to the fixed point (0, 1), Jacobian "
          "norm 0.7877",
    paper=Paper("G. Klambauer, T. Unterthiner, A. Mayr, S. Hochreiter",
                "Self-Normalizing Neural Networks", 2017, "1706.02515",
                "Theorem 1 (Banach fixed point at (0, 1)); Section 3 (Jacobian norm 0.7877)",
                "NeurIPS 2017"),
    statement="With lam_01 = 1.0507 and alpha_01 = 1.6733 and normalised weights (sum w = 0, "
              "sum w^2 = 1), the map of a layer's input mean and variance to its output's is a "
              "contraction with fixed point (0, 1): activations stay normalised through depth.",
    tolerance=Tolerance(0.0, 2e-3, "0.78^30 of the start's distance 1 (6e-4) plus the "
                        "120-node quadrature's fixed-point error (~1e-3, the kink at 0)"),
    parameters=(P("lam", LAMBDA_01, "selu's scale lambda", 0.1, 5.0),
                P("alpha", ALPHA_01, "selu's alpha", 0.0, 5.0),
                P("nodes", 120, "Gauss-Hermite nodes", 8, 300),
                P("layers", 60, "layers iterated", 31, 1000),
                P("at", 30, "the layer whose state is judged", 1, 1000),
                P("mu0", 0.5, "input mean", -3.0, 3.0),
                P("nu0", 2.0, "input variance", 0.01, 10.0)),
    experiment=SPEC,
    control=Control({"lam": 1.0}, "lambda = 1: the fixed point moves to (-0.031, 0.626)"),
    more_controls=(Control({"alpha": 1.0}, "alpha = 1: the variance collapses to ~0.03"),),
    lesson="SELU's two constants are chosen so that a layer maps mean 0 and variance 1 to "
           "themselves, and its Jacobian there has norm 0.79 < 1: deviations shrink by about "
           "0.78 per layer, so deep networks stay normalised without batch normalisation.",
)
