"""RMSProp on a non-smooth-in-L nonconvex problem with affine noise variance: the average
gradient norm falls like T^-1/4 [Zhang, Zhou & Zou].

Problem: f(x) = sum (x_i^4/4 - x_i^2/2) = sum (x_i^2 - 1)^2/4 - d/4 on R^10, no box
(problems/double_well.py): not L-smooth (f'' = 3x^2 - 1 grows without bound) but coordinate-wise
(L0, L1)-smooth, |f''| <= L0 + L1 |f'| (L0 = 2, L1 = 3); stochastic gradients
g = grad f + (sigma0 + sigma1 |grad f|) * xi, xi ~ N(0, I), sigma0 = 1, sigma1 = 0.5, so
E (g_i - d_i f)^2 <= 2 sigma0^2 + 2 sigma1^2 (d_i f)^2: the affine noise variance of [1], whose
noise grows with the gradient (a bounded-variance analysis does not apply).

Method: RMSProp with a bias-corrected second moment, v_t = beta2 v_{t-1} + (1 - beta2) g_t^2,
x_t = x_{t-1} - eta g_t / (eps + sqrt(v_t / (1 - beta2^t))), eps = 1e-8: exactly Adam with
beta1 = 0 (m_t = g_t, 1 - 0^t = 1), so it runs experiments.adaptive's kernel
(experiments.methods.rmsprop).  Schedule eta = 1/sqrt(T), 1 - beta2 = 1/T (*inferred*: the
abstract gives the rate, the theorem's schedule was not read; this is the usual choice for the
T^-1/4 rate of adaptive methods), x0 = 2 * 1 (where |grad f| = 6 and the noise sd is 4), 50 runs
(the slope's CI is then +-0.002, against a margin of 0.1 to -0.22).

Guarantee, upper [1, Theorem on RMSProp; numbering to verify]: under these assumptions
(1/T) sum_t E ||grad f(x_t)|| = O(T^-1/4) (an eps-stationary point in O(eps^-4) steps, which
matches the lower bound for stochastic first-order methods).  Measured: Q(T) = the mean over
t = 0..T of E||grad f(x_t)||, one run per T (eta and beta2 depend on T): a sweep over
T in {1e2, 10^2.5, ..., 10^4.5}, each Q a time average over checkpoints (every step up to 1000,
1000 evenly spaced after, trapezoid rule: rates.spec.time_average).

Stated slope -1/4.  Accepted [-0.5, -0.22], fitted over T in [1e3, 10^4.5] (four values; below
1e3 the O(1/T) transient of leaving x0 dominates Q under any step rule): upper, at most -0.22 (a
0.03 margin for the fit's curvature: the run leaves x0 in ~1/eta = sqrt(T) steps, a T^-1/2
transient that steepens the slope, measured about -0.32); and at least -0.5, the bound's
fastest term (that transient): a steeper slope would mean the noise or the schedule is broken.

Control: a constant eta = 0.05 floors at Q ~ 0.71 (the noise keeps RMSProp's normalised steps
~eta from the minimisers), slope ~ -0.06 over the window: it fails the same assertion.

[1] Q. Zhang, Y. Zhou, S. Zou. Convergence Guarantees for RMSProp and Adam in Generalized-smooth
    Non-convex Optimization with Affine Noise Variance. arXiv 2404.01436.
"""

from __future__ import annotations

import math

import numpy as np
import sympy as sp

from experiments.methods import rmsprop
from problems.double_well import double_well
from rates.bound import Bound
from rates.claim import Claim, Control, Mode, Paper, Tolerance
from rates.params import Parameter as P
from rates.spec import IndependentRuns, Quantity, Spec, Sweep, dense_then_even, time_average

T, C = sp.symbols("T C", positive=True)
HORIZONS = tuple(int(round(10 ** (2 + 0.5 * i))) for i in range(6))
"""T = 100, 316, 1000, 3162, 10000, 31623."""
WINDOW_START = 1000
"""The slope is fitted over T >= 1e3: below, an O(1/T) transient from x0 dominates Q for any step
rule (a constant eta too: its Q falls 3.1 -> 0.9 over T = 1e2 .. 1e3 before it floors)."""


def schedule(params) -> tuple[float, float]:
    """(eta, beta2): (1/sqrt(T), 1 - 1/T), or the control's constant eta with the same beta2."""
    horizon = params["T"]
    eta = 1 / math.sqrt(horizon) if params["schedule"] == "sqrt" else params["eta"]
    return eta, 1.0 - 1.0 / horizon


def _method(i):
    eta, beta2 = schedule(i.params)
    return rmsprop(eta, beta2)


GRADIENT_NORM = Quantity("||grad f(x_t)|| (mean over t = 0..T: Q(T))",
                         lambda i, r: i.problem.gradient_norm(r.iterates))

SPEC = Spec(
    problem=lambda p, seed: double_well(p["d"], sigma0=p["sigma0"], sigma1=p["sigma1"]),
    method=_method, quantity=GRADIENT_NORM, runs="runs", horizon="T",
    x0=lambda i: np.full(i.problem.d, i["x0"]),
    checkpoints=lambda i: dense_then_even(i["T"]),
    bound=Bound(C * T ** sp.Rational(-1, 4), variable=T, law="parameter"),
    sweep=Sweep("T", HORIZONS, time_average, label="horizon T"),
    window=(WINDOW_START, HORIZONS[-1]),
    checks=(IndependentRuns(),))

CLAIM = Claim(
    id="rmsprop-affine-variance", mode=Mode.PARAMETER, lesson=__doc__,
    title="RMSProp under (L0, L1)-smoothness and affine noise variance: (1/T) sum E||grad f|| "
          "= O(T^-1/4)",
    paper=Paper("Q. Zhang, Y. Zhou, S. Zou", "Convergence Guarantees for RMSProp and Adam in "
                "Generalized-smooth Non-convex Optimization with Affine Noise Variance", 2024,
                "2404.01436", "the RMSProp theorem (numbering to verify)"),
    statement="Under coordinate-wise (L0, L1)-smoothness and affine noise variance, RMSProp "
              "(and Adam) reach an eps-stationary point in O(eps^-4) iterations: "
              "(1/T) sum_t E||grad f(x_t)|| = O(T^-1/4), matching the lower bound.",
    tolerance=Tolerance(0.25, 0.03, "upper: at most -0.22 (the T^-1/2 transient steepens it "
                        "to ~-0.33); the bound's fastest term is T^-1/2, so below -0.5 is an "
                        "error"),
    parameters=(
        P("d", 10, "dimension", 1, 10**4),
        P("runs", 50, "runs per horizon from x0", 1, 10**5),
        P("T", 1000, "horizon (swept over 1e2 .. 10^4.5)", 2, 10**8),
        P("schedule", "sqrt", "eta = 1/sqrt(T) (sqrt) or a constant eta", choices=("sqrt",
                                                                                    "constant")),
        P("eta", 0.05, "the constant step of schedule=constant", 1e-8, 10.0),
        P("sigma0", 1.0, "noise floor sigma0", 0.0, 100.0),
        P("sigma1", 0.5, "noise growth sigma1 (sd sigma0 + sigma1 |grad f|)", 0.0, 100.0),
        P("x0", 2.0, "every coordinate of the start", -100.0, 100.0),
    ),
    experiment=SPEC,
    cost_model=lambda p: (p["runs"] * sum(HORIZONS) * p["d"],  # the sweep's run-steps x d
                          8.0 * 4 * p["runs"] * 2001 * p["d"]),  # iterates + norms
    control=Control({"schedule": "constant"},
                    "constant eta = 0.05: Q floors at ~0.71, slope ~ -0.06 from T = 1e3"),
)
"""rmsprop-affine-variance: holds and the control fails for seeds 0-9; RMSProp is checked to be
Adam with beta1 = 0 against an independent numpy RMSProp on the same noise."""
