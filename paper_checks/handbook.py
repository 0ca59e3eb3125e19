"""Gradient descent and SGD: four classic theorems of the handbook [1], measured.

Problems and assumptions.  f is L-smooth and convex, or mu-strongly convex; for SGD a finite sum
f = (1/n) sum_i f_i of L_max-smooth f_i with sigma* = E||grad f_i(x*)||^2, the gradient noise at
the solution.  Here: quadratics 1/2 x^T H x in H's eigenbasis (eigenvalues log-spaced in
[mu, L]: a spectral density proportional to 1/lam) and least squares with Gaussian data.

Methods.  GD x_{k+1} = x_k - gamma grad f(x_k); SGD x_{k+1} = x_k - gamma_k grad f_{i_k}(x_k),
i_k uniform.

Guarantees.
* Tight [1, Theorem 3.4]: GD with gamma <= 1/L on convex f has f(x_k) - f* <= ||x_0 - x*||^2 /
  (2 gamma k).  On the 1/lam density f(x_k) - f* = 1/2 sum lam (1 - gamma lam)^(2k) ~ d/(4 gamma
  ln(L/mu) k) for 1/L << k << 1/mu: slope exactly 1, about 1/(2 ln(L/mu)) of the bound.  The
  spectrum's lower edge steepens the local slope to 1 + 2 gamma mu k, so mu = 1e-8 keeps the
  window [1e3, 1e5] clear of it (at mu = 1e-6 the slope drifted from 1.01 to 1.06 inside it).
* Upper [1, Theorem 3.6]: GD with gamma <= 1/L on mu-strongly convex f contracts ||x_k - x*||^2
  by (1 - gamma mu) per step.  A quadratic contracts by (1 - gamma mu)^2, faster, and no
  first-order method contracts by more than ((sqrt kappa - 1)/(sqrt kappa + 1))^2 on a spectrum
  filling [mu, L] [3, Theorem 2.1.13]: that is the cap on "at least as fast".
* Upper [1, Theorem 5.9] = [2, Theorem 3.2]: SGD with gamma_k = 1/(2 L_max) for k < 4 ceil(K),
  then (2k+1)/((k+1)^2 mu), K = L_max/mu, has E||x_k - x*||^2 <= 8 sigma*/(mu^2 k) +
  16 ceil(K)^2 ||x_0 - x*||^2/(e^2 k^2).  With sigma* > 0 the steps ~2/(mu k) inject
  gamma_k^2 sigma* per step and keep a k^-1 term: the cap is the bound's fastest exponent, 2.
* Upper [1, Theorem 5.3]: SGD with a constant gamma <= 1/(2 L_max) has E||x_k - x*||^2 <=
  (1 - gamma mu)^k ||x_0 - x*||^2 + 2 gamma sigma*/mu: a floor linear in gamma (the exact floor
  of least squares adds a gamma^2 term), measured as a rate in gamma over a few halvings.

Worst-case legs (exact, by performance estimation: PEPit, rates/worst_case.py), at N = 1, 2, 5,
10: measured on the quadratic <= the worst case over the whole class <= the theorem's bound.
* Convex: over every L-smooth convex f with ||x_0 - x*|| <= R, GD at gamma L <= 1 has the tight
  worst case L R^2/(4 N gamma L + 2) [4, Theorem 3.1] (PEPit reproduces it, tests), under the
  handbook's R^2/(2 gamma N) by a factor 2 gamma L N/(4 gamma L N + 2) < 1/2.
* Strongly convex: over every L-smooth mu-strongly convex f, ||x_N - x*||^2 <=
  max(|1 - gamma L|, |1 - gamma mu|)^(2N) R^2, attained by a quadratic with eigenvalues mu and
  L; the handbook's (1 - gamma mu)^N R^2 is above it for gamma <= 1/L.
The controls (gamma = 2.1/L) fail the legs too: N steps have a worst case above the bound.

What to look for: the convex curve is a straight line of slope -1 on log-log axes, ~1/37 of the
bound; the strongly convex one is straight on semi-log axes and steeper than the bound; SGD's
switching curve bends from the constant-step phase into slope -1 while the constant-step control
flattens at its floor; the floors line up on a line of slope 1 against gamma.

References
[1] G. Garrigos, R. M. Gower. Handbook of Convergence Theorems for (Stochastic) Gradient
    Methods. arXiv 2301.11235 (2023).
[2] R. M. Gower, N. Loizou, X. Qian, A. Sailanbayev, E. Shulgin, P. Richtarik. SGD: General
    Analysis and Improved Rates. ICML 2019, arXiv 1901.09401.
[3] Y. Nesterov. Introductory Lectures on Convex Optimization. Springer 2004 (no arXiv).
[4] Y. Drori, M. Teboulle. Performance of first-order methods for smooth convex minimization:
    a novel approach. Math. Program. 145 (2014), arXiv 1206.3209.
"""

from __future__ import annotations

import math

import numpy as np
import sympy as sp

from experiments import schedules
from experiments.methods import GradientDescent
from problems import least_squares, quadratic
from rates import worst_case
from rates.bound import Bound, k
from rates.claim import Claim, Control, Mode, Paper, Tolerance
from rates.params import Parameter as P
from rates.spec import (
    BoundHolds,
    CalibratedCI,
    NoFasterThan,
    Spec,
    Sweep,
    WorstCaseLeg,
    distance_squared,
    plateau,
    suboptimality,
)

HANDBOOK = "G. Garrigos, R. M. Gower"
TITLE = "Handbook of Convergence Theorems for (Stochastic) Gradient Methods"

gamma, R0, mu, sigma, Kc, h, G = sp.symbols("gamma R_0 mu sigma_star K h gamma_max",
                                             positive=True)


def _unit_offset(q) -> np.ndarray:
    """x0 = x* + (1, ..., 1) in the eigenbasis: every eigen-direction starts at distance 1."""
    return q.x_star + 1.0


def _quadratic(p, seed):
    return quadratic(p["d"], L=1.0, mu=p["mu"], spacing="log")


def _gd_constants(q, p) -> dict:
    return {R0: float(np.linalg.norm(_unit_offset(q) - q.x_star)), gamma: p["gamma_L"] / q.L,
            mu: q.mu}


def _gd(i) -> GradientDescent:
    return GradientDescent(i["gamma_L"] / i.problem.L)


def _distance0(i) -> float:
    """R = ||x_0 - x*|| of the instance (sqrt(d) for the unit offset)."""
    return float(np.linalg.norm(_unit_offset(i.problem) - i.problem.x_star))


def _bound_at(i, n: int) -> float:
    return float(i.bound(np.array([float(n)]))[0])


PEP_HORIZONS = (1, 2, 5, 10)
"""The horizons of the worst-case legs: each PEP solves in under half a second."""


def _leg(claim: str, worst, reason: str) -> WorstCaseLeg:
    """measured <= PEP worst case <= bound at PEP_HORIZONS; ``claim`` names the module constant
    whose experiment is measured (looked up when evaluated: the leg is part of that spec)."""
    return WorstCaseLeg(PEP_HORIZONS, lambda: globals()[claim].experiment, worst, _bound_at,
                        reason)


GD_CONVEX = Claim(
    id="handbook-gd-convex", mode=Mode.TIGHT,
    title="GD on convex L-smooth f: f(x_k) - f* <= ||x0 - x*||^2/(2 gamma k), tight O(1/k)",
    paper=Paper(HANDBOOK, TITLE, 2023, "2301.11235", "Theorem 3.4"),
    statement="Gradient descent with gamma <= 1/L on a convex L-smooth function has "
              "f(x_k) - f* <= ||x_0 - x*||^2/(2 gamma k); the 1/k is attained by quadratics "
              "whose spectral density is proportional to 1/lambda.",
    tolerance=Tolerance(0.05, 0.05, "deterministic: the slope is 1 + O(gamma mu k) + O(1/k) "
                                    "(1.0003 here); 0.05 rejects k^-0.95 and k^-1.05"),
    parameters=(
        P("d", 1000, "dimension (number of eigenvalues)", 10, 100_000),
        P("mu", 1e-8, "smallest eigenvalue; 1/k holds for k << 1/mu", 1e-12, 1e-2),
        P("gamma_L", 1.0, "step size times L (the theorem needs <= 1)", 1e-3, 3.0),
        P("horizon", 100_000, "iterations", 100, 10_000_000),
        P("window_start", 1000, "first iteration of the fit window (late iterations)",
          1, 10_000_000),
    ),
    experiment=Spec(
        problem=_quadratic, constants=_gd_constants, method=_gd,
        bound=Bound(R0**2 / (2 * gamma * k)), quantity=suboptimality,
        x0=lambda i: _unit_offset(i.problem),
        window=lambda i: (i["window_start"], i["horizon"]),
        checks=(
            BoundHolds("the theorem bounds every iterate, with the instance's constants"),
            _leg("GD_CONVEX", lambda i, n: worst_case.gd_convex(
                n, gamma_L=i["gamma_L"], L=i.problem.L, R=_distance0(i)),
                 "Drori & Teboulle's tight L R^2/(4 N gamma L + 2) over every L-smooth convex f "
                 "lies under the handbook's R^2/(2 gamma N)"),
        )),
    control=Control({"gamma_L": 2.1}, "gamma = 2.1/L > 2/L: GD diverges"),
    more_controls=(Control({"mu": 1e-4}, "too fast: the spectrum's edge 1e-4 is reached inside "
                                         "the window, GD converges linearly (slope >> 1)"),),
)
"""Deterministic (one run, the seed does not enter): the CI is the spread of the slope over
three fit windows, and the bound with its constants must hold at every checkpoint."""


GD_STRONGLY_CONVEX = Claim(
    id="handbook-gd-strongly-convex", mode=Mode.UPPER,
    title="GD on mu-strongly convex f contracts ||x - x*||^2 by (1 - gamma mu) per step",
    paper=Paper(HANDBOOK, TITLE, 2023, "2301.11235", "Theorem 3.6"),
    statement="Gradient descent with gamma <= 1/L on a mu-strongly convex L-smooth function has "
              "||x_{k+1} - x*||^2 <= (1 - gamma mu)||x_k - x*||^2.",
    tolerance=Tolerance(0.0, 0.0, "the contraction holds at every step of every instance, so "
                                  "no slack: rho must not exceed 1 - gamma mu"),
    parameters=(
        P("d", 1000, "dimension", 2, 100_000),
        P("mu", 1e-2, "smallest eigenvalue (strong convexity)", 1e-6, 0.5),
        P("gamma_L", 1.0, "step size times L (the theorem needs <= 1)", 1e-3, 3.0),
        P("horizon", 1000, "iterations; the fit uses the later half", 10, 1_000_000),
    ),
    experiment=Spec(
        problem=_quadratic, constants=_gd_constants, method=_gd,
        bound=Bound(R0**2 * (1 - gamma * mu) ** k, law="geometric"),
        quantity=distance_squared, x0=lambda i: _unit_offset(i.problem),
        window=lambda i: (i["horizon"] / 2, i["horizon"]),
        checks=(
            # from k = 1: at k = 0 the bound is ||x0 - x*||^2 itself, equal up to rounding
            BoundHolds("the contraction holds at every step, with the instance's constants",
                       start=1),
            NoFasterThan(lambda i: ((math.sqrt(i.problem.L / i.problem.mu) - 1)
                                    / (math.sqrt(i.problem.L / i.problem.mu) + 1)) ** 2,
                         "no first-order method beats ((sqrt kappa - 1)/(sqrt kappa + 1))^2 "
                         "per step on a spectrum filling [mu, L] [Nesterov 2004, Thm 2.1.13]"),
            _leg("GD_STRONGLY_CONVEX", lambda i, n: worst_case.gd_strongly_convex(
                n, mu=i.problem.mu, gamma_L=i["gamma_L"], L=i.problem.L, R=_distance0(i)),
                 "the class's per-step factor max(|1 - gamma L|, |1 - gamma mu|)^2 is at most "
                 "the handbook's 1 - gamma mu for gamma <= 1/L"),
        )),
    control=Control({"gamma_L": 2.1}, "gamma = 2.1/L > 2/L: GD diverges"),
)
"""Deterministic (one run): the CI is the spread of rho over three fit windows."""


# --- SGD on least squares -----------------------------------------------------------------------

CALIBRATED = CalibratedCI("runs are the independent units: at 100 runs the BCa and jackknife SEs "
                          "of a smooth rate agree to a few %; [0.8, 1.25] rejects an interval "
                          "over checkpoints or at a wrong level")

def _least_squares(p, seed):
    return least_squares(n=p["n"], d=p["d"], noise=p["noise"], seed=seed)


def _switch_at(ls) -> int:
    """4 ceil(K), K = L_max/mu: where the switching schedule leaves its constant phase."""
    return 4 * math.ceil(ls.L_max / ls.mu)


def _sgd_switching(i) -> GradientDescent:
    ls = i.problem
    gamma0 = 1.0 / (2.0 * ls.L_max)
    step = (schedules.switching(gamma0, _switch_at(ls), ls.mu) if i["schedule"] == "switching"
            else gamma0)
    return GradientDescent(step, stochastic=True)


SGD_SWITCHING = Claim(
    id="handbook-sgd-switching", mode=Mode.UPPER,
    title="SGD with switching steps (2k+1)/((k+1)^2 mu): E||x_k - x*||^2 = O(1/k)",
    paper=Paper(HANDBOOK, TITLE, 2023, "2301.11235",
                "Theorem 5.9 (Gower et al. 2019, Theorem 3.2)"),
    statement="On a mu-strongly convex finite sum of L_max-smooth functions, SGD with "
              "gamma_k = 1/(2 L_max) for k < 4 ceil(K), then (2k+1)/((k+1)^2 mu), has "
              "E||x_k - x*||^2 <= 8 sigma*/(mu^2 k) + 16 ceil(K)^2 ||x0 - x*||^2/(e^2 k^2).",
    tolerance=Tolerance(0.1, 0.0, "the mean of 100 runs scatters by about +-0.03 across seeds; "
                                  "0.1 admits that and rejects a plateau (slope 0)"),
    parameters=(
        P("n", 1000, "number of samples", 2, 1_000_000),
        P("d", 20, "dimension", 1, 10_000),
        P("noise", 0.5, "label noise standard deviation (sigma* > 0 needs noise > 0)",
          0.0, 100.0),
        P("runs", 100, "independent SGD runs averaged before fitting", 2, 100_000),
        P("horizon", 100_000, "iterations", 100, 100_000_000),
        P("window_start", 1000, "first iteration of the fit window", 1, 100_000_000),
        P("schedule", "switching", "step schedule", choices=("switching", "constant")),
    ),
    experiment=Spec(
        problem=_least_squares, method=_sgd_switching, quantity=distance_squared, runs="runs",
        constants=lambda ls, p: {sigma: ls.sigma_star, mu: ls.mu, Kc: math.ceil(ls.L_max / ls.mu),
                                 R0: float(np.linalg.norm(ls.x_star))},  # x0 = 0
        bound=Bound(8 * sigma / (mu**2 * k) + 16 * Kc**2 * R0**2 / (sp.E**2 * k**2)),
        window=lambda i: (i["window_start"], i["horizon"]),
        checks=(
            BoundHolds("the theorem holds from the switch on, with the instance's constants",
                       start=lambda i: _switch_at(i.problem), name="bound for k >= 4 ceil(K)"),
            NoFasterThan(lambda i: 2.0 if i["noise"] > 0 else math.inf,
                         "sigma* > 0 keeps a k^-1 noise term in SGD with steps ~2/(mu k); 2 is "
                         "the bound's fastest term (none without label noise)"),
            CALIBRATED,
        )),
    control=Control({"schedule": "constant"},
                    "constant gamma = 1/(2 L_max): SGD stalls at its noise floor, slope ~ 0"),
)


def _sgd_constant(i) -> GradientDescent:
    return GradientDescent(i["fraction"] * i["gamma_factor"] / (2.0 * i.problem.L_max),
                           stochastic=True)


SGD_NOISE_FLOOR = Claim(
    id="handbook-sgd-noise-floor", mode=Mode.PARAMETER,
    title="SGD with constant gamma <= 1/(2 L_max) stalls at a floor 2 gamma sigma*/mu, linear "
          "in gamma",
    paper=Paper(HANDBOOK, TITLE, 2023, "2301.11235", "Theorem 5.3"),
    statement="SGD with a constant gamma <= 1/(2 L_max) has E||x_k - x*||^2 <= "
              "(1 - gamma mu)^k ||x0 - x*||^2 + 2 gamma sigma*/mu: a floor proportional to gamma.",
    math=r"\mathbb{E}\|x_k-x^\star\|^2 \le (1-\gamma\mu)^k\|x_0-x^\star\|^2"
         r"+\frac{2\gamma\sigma^\star}{\mu}",
    tolerance=Tolerance(0.1, 0.1, "the exact floor has a gamma^2 term that steepens the slope "
                                  "to ~1.05 (seeds 0-5); 0.1 admits it, not a gamma-free floor"),
    parameters=(
        P("n", 1000, "number of samples", 2, 1_000_000),
        P("d", 20, "dimension", 1, 10_000),
        P("noise", 0.5, "label noise standard deviation; 0 interpolates (no floor)", 0.0, 100.0),
        P("runs", 100, "independent SGD runs per step size", 2, 100_000),
        P("horizon", 80_000, "iterations per run; the plateau is the later half",
          100, 100_000_000),
        P("gamma_factor", 1.0, "largest step gamma_max as a multiple of 1/(2 L_max)", 1e-3, 10.0),
        P("halvings", 3, "number of times the step is halved", 2, 20),
    ),
    experiment=Spec(
        problem=_least_squares, method=_sgd_constant, quantity=distance_squared, runs="runs",
        constants=lambda ls, p: {sigma: ls.sigma_star, mu: ls.mu,
                                 G: p["gamma_factor"] / (2.0 * ls.L_max)},
        bound=Bound(2 * h * G * sigma / mu, variable=h, law="parameter"),
        sweep=Sweep("fraction", lambda p: 2.0 ** -np.arange(p["halvings"], -1.0, -1.0),
                    plateau(0.5), label="step size gamma / gamma_max"),
        checkpoints="linear",
        checks=(BoundHolds("the floor lies under 2 gamma sigma*/mu at every step size",
                           name="plateau under 2 gamma sigma*/mu"), CALIBRATED)),
    control=Control({"noise": 0.0}, "noiseless labels: sigma* = 0, no floor, the error keeps "
                                    "falling and the plateau is not linear in gamma"),
    more_controls=(Control({"gamma_factor": 4.0}, "too steep: steps up to 2/L_max, where the "
                           "floor's gamma^2 term makes it superlinear in gamma"),),
)
"""The plateau of a run is its mean over the later half of the horizon, after the (1 - gamma
mu)^k transient has died out (gamma mu k > 40 at the smallest gamma by default)."""

CLAIMS = [GD_CONVEX, GD_STRONGLY_CONVEX, SGD_SWITCHING, SGD_NOISE_FLOOR]
