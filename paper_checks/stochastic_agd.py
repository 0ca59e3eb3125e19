"""Stochastic accelerated gradient descent under interpolation and strong growth: the dependence
on the strong-growth constant rho drops from rho (SGD) to sqrt(rho) [Mishkin, Pilanci, Schmidt].

Problem: interpolating least squares (b = A x*), n = 512, d = 20, Gaussian rows with columns
scaled by logspace(0, -1) (kappa ~ 100); a stochastic gradient is the mean of B rows drawn with
replacement, B in {256, 64, 16, 4}, which satisfies strong growth E||grad f_B||^2 <= rho(B)
||grad f||^2 with rho(B) = lam_max(I + H^-1 (S - H^2) H^-1 / B) (problems/interpolation.py:
about 2.7, 7.7, 28, 108).  Methods: stochastic AGD (Nesterov's two-sequence form, step
eta = 1/(rho L), momentum (1 - sqrt(mu eta))/(1 + sqrt(mu eta)) [1, Section 4: the strongly
convex specialisation to accelerated SGD under strong growth; *inferred*: its constant-momentum
form]) and SGD at the same step.  Measured: iterations until f(x_k) - f* <= 1e-6 (f(x0) - f*),
per run (50 runs, x0 ~ N(x*, I)), against rho(B) at fixed kappa.

Stated: AGD needs O(sqrt(rho kappa) log 1/eps) iterations [1, Thm 3 and its corollary for SGD
under strong growth; the revised arXiv version's strongly convex rate sqrt(L L_max)/mu has the
same sqrt(rho) at fixed kappa, L_max <= rho L], slope 1/2 in rho; SGD O(rho kappa log 1/eps),
slope 1.  Accepted for AGD [0.35, 0.65]: the local slope rises with rho (the minibatch noise
matters more as B falls), and a slope far under 1/2 would beat the deterministic sqrt(kappa).
Keep rho <= kappa: at B = 1 (rho ~ 430 > kappa) the local slope is ~0.86.
The run must stay interpolating: the minibatch gradient at x* is exactly 0 (checked).

Control: momentum 0 (SGD at 1/(rho L)) fails the AGD slope.  Second control (the tests): the
deterministic tuning (step 1/L, momentum (sqrt kappa - 1)/(sqrt kappa + 1)) diverges for B <= 4.

[1] A. Mishkin, M. Pilanci, M. Schmidt. Faster Convergence of Stochastic Accelerated Gradient
    Descent under Interpolation. arXiv 2404.02378 (2024).
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import sympy as sp

from experiments.methods import GradientDescent, HeavyBall
from experiments.oracles import sample_field
from experiments.random import stream
from problems.interpolation import interpolating_least_squares
from rates.bound import Bound
from rates.claim import Claim, Control, Mode, Paper, Tolerance
from rates.params import Parameter as P
from rates.spec import (
    Observed,
    Quantity,
    RateWithin,
    Spec,
    Sweep,
    Within,
    gaussian_start,
    iterations_to,
    suboptimality,
)

rho, C = sp.symbols("rho C", positive=True)
BATCHES = (256, 64, 16, 4)
TOL = 1e-6
"""Iterations are counted to f(x_k) - f* <= TOL (f(x0) - f*), per run."""


def _step(i) -> float:
    q = i.problem
    return 1.0 / q.L if i["tuning"] == "deterministic" else 1.0 / (q.rho * q.L)


def _method(i):
    q = i.problem
    eta = _step(i)
    if not i["momentum"]:
        return GradientDescent(eta, stochastic=True)
    if i["tuning"] == "deterministic":
        root = math.sqrt(q.kappa)
        return HeavyBall(eta, (root - 1) / (root + 1), nesterov=True, stochastic=True)
    s = math.sqrt(q.mu * eta)
    return HeavyBall(eta, (1 - s) / (1 + s), nesterov=True, stochastic=True)


def _horizon(i) -> int:
    """About twice the measured counts: ln(1/tol) sqrt(rho kappa) for AGD (counts ~6-8 sqrt(rho
    kappa) at tol = 1e-6); 0.4 ln(1/tol) rho kappa for SGD (f ~ e^(-2 k eta mu) on the slowest
    mode, whose share of f0 is ~1/(kappa d): counts ~3.1-3.7 rho kappa)."""
    q = i.problem
    scale = q.rho * q.kappa
    law = math.sqrt(scale) if i["momentum"] else 0.4 * scale
    return int(math.log(1 / TOL) * law) + 100


def _gradient_at_solution(seen: Observed) -> float:
    """max |minibatch gradient at x*| over 200 draws: 0 for an interpolating instance."""
    q = seen.instance.problem
    kind, A, b, p = q.oracle_data()
    out, worst = np.empty(q.d), 0.0
    rng = stream(np.uint64(seen.instance.seed), 0)
    for _ in range(200):
        sample_field(kind, A, b, p, q.x_star, 0.0, rng, out)
        worst = max(worst, float(np.abs(out).max()))
    return worst


SAGD = Spec(
    problem=lambda p, seed: interpolating_least_squares(p["n"], p["d"], batch=int(p["batch"]),
                                                        seed=seed),
    method=_method,
    quantity=Quantity("iterations until f(x_k) - f* <= 1e-6 (f(x0) - f*)", suboptimality.of),
    bound=Bound(C * sp.sqrt(rho), variable=rho, law="parameter"),
    x0=gaussian_start, runs="runs", checkpoints="linear", horizon=_horizon,
    sweep=Sweep("batch", BATCHES, iterations_to(TOL), at=lambda i: i.problem.rho,
                label="strong-growth constant rho(B)"),
    checks=(Within("interpolation: |grad f_B(x*)|", _gradient_at_solution, 0.0, 1e-12,
                   "strong growth needs every minibatch gradient to vanish at x*"),))

SPEC = replace(SAGD, checks=SAGD.checks + (
    RateWithin("SGD slope in rho", SAGD, 0.9, 1.1,
               "SGD under strong growth needs O(rho kappa log 1/eps) (20 runs)",
               overrides={"momentum": False, "runs": 20}),))

CLAIM = Claim(
    id="stochastic-agd-interpolation", mode=Mode.PARAMETER,
    title="Stochastic AGD under interpolation: iterations grow like sqrt(rho), SGD's like rho",
    paper=Paper("A. Mishkin, M. Pilanci, M. Schmidt", "Faster Convergence of Stochastic "
                "Accelerated Gradient Descent under Interpolation", 2024, "2404.02378",
                "Theorem 3 and its corollary for accelerated SGD under strong growth"),
    statement="Under interpolation and strong growth E||grad f_B(x)||^2 <= rho ||grad f(x)||^2, "
              "stochastic AGD's dependence on rho drops from rho to sqrt(rho), while SGD's "
              "stays rho.",
    tolerance=Tolerance(0.15, 0.15, "the local slope rises with rho (0.54 -> 0.63 here); "
                        "below 0.35 would beat deterministic acceleration"),
    parameters=(P("n", 512, "rows", 2, 10**5), P("d", 20, "dimension", 1, 1000),
                P("runs", 50, "runs (x0 ~ N(x*, I))", 1, 10**4),
                P("momentum", True, "stochastic AGD (false: SGD at the same step)"),
                P("tuning", "strong-growth", "step 1/(rho L) (strong-growth) or 1/L with "
                  "kappa's momentum (deterministic)", choices=("strong-growth",
                                                              "deterministic"))),
    math=r"k_\epsilon^{SAGD} = O\big(\sqrt{\rho\kappa}\log\frac{1}{\epsilon}\big),\ "
         r"k_\epsilon^{SGD} = O\big(\rho\kappa\log\frac{1}{\epsilon}\big)",
    experiment=SPEC,
    control=Control({"momentum": False, "runs": 20},
                    "no momentum: SGD's slope 1 in rho (20 runs: its counts hardly vary)"),
    lesson="Under interpolation minibatch noise vanishes at x*, so constant steps converge "
           "linearly; the price of small batches is rho, and acceleration pays only its square "
           "root -- if the step is 1/(rho L): with the deterministic step it diverges.",
)
