"""Gradient descent and SGD: the handbook's four classic theorems, measured.

Garrigos & Gower collect the convergence theorems of (stochastic) gradient methods with their
constants [1].  Four of them, on problems whose answer we know exactly:

* GD on a convex L-smooth f with gamma <= 1/L:   f(x_k) - f*  <=  ||x_0 - x*||^2 / (2 gamma k)
  [1, Theorem 3.4].  O(1/k), and tight: a quadratic whose spectral density is proportional to
  1/lam (eigenvalues log-spaced) attains it, so here the fitted slope must *equal* -1.
* GD on a mu-strongly convex f:  ||x_{k+1} - x*||^2 <= (1 - gamma mu) ||x_k - x*||^2
  [1, Theorem 3.6].  Quadratics attain (1 - gamma mu)^2 per step, faster than the bound, so the
  assertion is "at least as fast" (upper).
* SGD with the switching steps of Gower et al. [2, Theorem 3.2]: gamma_k = 1/(2 L_max) for
  k < 4 ceil(K), then (2k+1)/((k+1)^2 mu), gives
  E||x_k - x*||^2 <= 8 sigma*/(mu^2 k) + 16 ceil(K)^2 ||x_0 - x*||^2 / (e^2 k^2),  K = L_max/mu
  [1, Theorem 5.9].
* SGD with a constant gamma <= 1/(2 L_max) converges linearly to a noise floor:
  E||x_k - x*||^2 <= (1 - gamma mu)^k ||x_0 - x*||^2 + 2 gamma sigma*/mu  [1, Theorem 5.3].
  The floor is linear in gamma: halving the step halves the plateau.

What to look for: the convex curve is a straight line of slope -1 on log-log axes, sitting
about 25 times under the bound; the strongly convex curve is straight on semi-log axes and
steeper than the bound; SGD's switching curve bends from the constant-step phase into slope -1
while the constant-step control flattens at its floor; the floors line up on a line of slope 1
against gamma.

References
[1] G. Garrigos, R. M. Gower. Handbook of Convergence Theorems for (Stochastic) Gradient
    Methods. arXiv 2301.11235 (2023).
[2] R. M. Gower, N. Loizou, X. Qian, A. Sailanbayev, E. Shulgin, P. Richtarik. SGD: General
    Analysis and Improved Rates. ICML 2019, arXiv 1901.09401.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import sympy as sp

from experiments import schedules
from experiments.first_order import gradient_descent
from problems import least_squares, quadratic
from rates.bound import Bound, k
from rates.claim import Claim, Control, Measurement, Mode, Paper, Tolerance
from rates.measure import bound_holds, fitted
from rates.params import Parameter

HANDBOOK = "G. Garrigos, R. M. Gower"
TITLE = "Handbook of Convergence Theorems for (Stochastic) Gradient Methods"

gamma, R0, mu, sigma, Kc, h = sp.symbols("gamma R_0 mu sigma_star K h", positive=True)


# --- GD, convex -------------------------------------------------------------------------------

def gd_convex_experiment(p: Mapping[str, Any], seed: int) -> Measurement:
    """GD with gamma = factor/L on the 1/lam-density quadratic, from x0 - x* = ones.

    Deterministic: the seed does not enter (every eigen-direction starts at distance 1).
    """
    q = quadratic(p["d"], L=1.0, mu=p["mu"], spacing="log")
    step = p["gamma_L"] / q.L
    x0 = q.x_star + 1.0
    run = gradient_descent(q, schedules.constant(step), p["horizon"], x0=x0)
    gap = run.measure(q.suboptimality)
    bound = Bound(R0**2 / (2 * gamma * k), constants={R0: float(np.linalg.norm(x0 - q.x_star)),
                                                      gamma: step})
    checks = [] if run.first_divergence else [bound_holds(run.checkpoints, gap[0], bound)]
    return fitted(run.checkpoints, gap, law="power_law", window=(p["window_start"], p["horizon"]),
                  bound=bound, xlabel="iteration k", ylabel="f(x_k) - f*",
                  diverged_at=run.first_divergence, checks=checks)


GD_CONVEX = Claim(
    id="handbook-gd-convex",
    title="GD on convex L-smooth f: f(x_k) - f* <= ||x0 - x*||^2/(2 gamma k), tight O(1/k)",
    paper=Paper(HANDBOOK, TITLE, 2023, "2301.11235", "Theorem 3.4"),
    statement="Gradient descent with gamma <= 1/L on a convex L-smooth function has "
              "f(x_k) - f* <= ||x_0 - x*||^2/(2 gamma k); the 1/k is attained by quadratics "
              "whose spectral density is proportional to 1/lambda.",
    math=r"f(x_k)-f^\star \le \frac{\|x_0-x^\star\|^2}{2\gamma k}",
    mode=Mode.TIGHT,
    law="power_law",
    tolerance=Tolerance(0.05, 0.05, "the spectrum's edge lam_min = 1e-6 steepens the tail to "
                                    "~1.03 by k = 1e5; 0.05 admits that, not k^-0.95"),
    parameters=(
        Parameter("d", 1000, "dimension (number of eigenvalues)", 10, 100_000),
        Parameter("mu", 1e-6, "smallest eigenvalue; 1/k holds for k << 1/mu", 1e-12, 1e-2),
        Parameter("gamma_L", 1.0, "step size times L (the theorem needs <= 1)", 1e-3, 3.0),
        Parameter("horizon", 100_000, "iterations", 100, 10_000_000),
        Parameter("window_start", 1000, "first iteration of the fit window (late iterations)",
                  1, 10_000_000),
    ),
    experiment=gd_convex_experiment,
    control=Control({"gamma_L": 2.1}, "gamma = 2.1/L > 2/L: GD diverges"),
)


# --- GD, strongly convex -----------------------------------------------------------------------

def gd_strongly_convex_experiment(p: Mapping[str, Any], seed: int) -> Measurement:
    """||x_k - x*||^2 of GD with gamma = factor/L on a quadratic with spectrum in [mu, L]."""
    q = quadratic(p["d"], L=1.0, mu=p["mu"], spacing="log")
    step = p["gamma_L"] / q.L
    x0 = q.x_star + 1.0
    ks = np.unique(np.linspace(0, p["horizon"], 101).astype(np.int64))
    run = gradient_descent(q, schedules.constant(step), p["horizon"], x0=x0, checkpoints=ks)
    dist = np.sum((run.iterates - q.x_star) ** 2, axis=-1)
    bound = Bound(R0**2 * (1 - gamma * mu) ** k, law="geometric",
                  constants={R0: float(np.linalg.norm(x0 - q.x_star)), gamma: step, mu: q.mu})
    checks = [] if run.first_divergence else [
        bound_holds(run.checkpoints, dist[0] * (1 - 1e-12), bound)]
    return fitted(run.checkpoints, dist, law="geometric",
                  window=(p["horizon"] / 2, p["horizon"]), bound=bound, xlabel="iteration k",
                  ylabel="||x_k - x*||^2", xscale="linear", diverged_at=run.first_divergence,
                  checks=checks)


GD_STRONGLY_CONVEX = Claim(
    id="handbook-gd-strongly-convex",
    title="GD on mu-strongly convex f contracts ||x - x*||^2 by (1 - gamma mu) per step",
    paper=Paper(HANDBOOK, TITLE, 2023, "2301.11235", "Theorem 3.6"),
    statement="Gradient descent with gamma <= 1/L on a mu-strongly convex L-smooth function has "
              "||x_{k+1} - x*||^2 <= (1 - gamma mu)||x_k - x*||^2.",
    math=r"\|x_{k}-x^\star\|^2 \le (1-\gamma\mu)^k \|x_0-x^\star\|^2",
    mode=Mode.UPPER,
    law="geometric",
    tolerance=Tolerance(0.0, 0.0, "the contraction holds at every step of every instance, so "
                                  "no slack: rho must not exceed 1 - gamma mu"),
    parameters=(
        Parameter("d", 1000, "dimension", 2, 100_000),
        Parameter("mu", 1e-2, "smallest eigenvalue (strong convexity)", 1e-6, 0.5),
        Parameter("gamma_L", 1.0, "step size times L (the theorem needs <= 1)", 1e-3, 3.0),
        Parameter("horizon", 1000, "iterations; the fit uses the later half", 10, 1_000_000),
    ),
    experiment=gd_strongly_convex_experiment,
    control=Control({"gamma_L": 2.1}, "gamma = 2.1/L > 2/L: GD diverges"),
)


# --- SGD, switching steps ----------------------------------------------------------------------

def _sgd_instance(p: Mapping[str, Any], seed: int):
    return least_squares(n=p["n"], d=p["d"], noise=p["noise"], seed=seed)


def sgd_switching_experiment(p: Mapping[str, Any], seed: int) -> Measurement:
    """E||x_k - x*||^2 over ``runs`` SGD runs on least squares, from x0 = 0."""
    ls = _sgd_instance(p, seed)
    kc = math.ceil(ls.L_max / ls.mu)
    gamma0 = 1.0 / (2.0 * ls.L_max)
    if p["schedule"] == "switching":
        schedule = schedules.switching(gamma0, 4 * kc, ls.mu)
    else:
        schedule = schedules.constant(gamma0)
    run = gradient_descent(ls, schedule, p["horizon"], runs=p["runs"], seed=seed,
                           stochastic=True)
    dist = np.sum((run.iterates - ls.x_star) ** 2, axis=-1)
    bound = Bound(8 * sigma / (mu**2 * k) + 16 * Kc**2 * R0**2 / (sp.E**2 * k**2),
                  constants={sigma: ls.sigma_star, mu: ls.mu, Kc: kc,
                             R0: float(np.linalg.norm(ls.x_star))})
    checks = [] if run.first_divergence else [
        bound_holds(run.checkpoints, dist.mean(axis=0), bound,
                    where=run.checkpoints >= 4 * kc, name="bound for k >= 4 ceil(K)")]
    return fitted(run.checkpoints, dist, law="power_law", window=(p["window_start"], p["horizon"]),
                  bound=bound, xlabel="iteration k", ylabel="E||x_k - x*||^2",
                  diverged_at=run.first_divergence, seed=seed, checks=checks)


SGD_SWITCHING = Claim(
    id="handbook-sgd-switching",
    title="SGD with switching steps (2k+1)/((k+1)^2 mu): E||x_k - x*||^2 = O(1/k)",
    paper=Paper(HANDBOOK, TITLE, 2023, "2301.11235",
                "Theorem 5.9 (Gower et al. 2019, Theorem 3.2)"),
    statement="On a mu-strongly convex finite sum of L_max-smooth functions, SGD with "
              "gamma_k = 1/(2 L_max) for k < 4 ceil(K), then (2k+1)/((k+1)^2 mu), has "
              "E||x_k - x*||^2 <= 8 sigma*/(mu^2 k) + 16 ceil(K)^2 ||x0 - x*||^2/(e^2 k^2).",
    math=r"\mathbb{E}\|x_k-x^\star\|^2 \le \frac{8\sigma^\star}{\mu^2 k}"
         r"+\frac{16\lceil K\rceil^2\|x_0-x^\star\|^2}{e^2k^2}",
    mode=Mode.UPPER,
    law="power_law",
    tolerance=Tolerance(0.1, 0.0, "the mean of 100 runs scatters by about +-0.03 across seeds; "
                                  "0.1 admits that and rejects a plateau (slope 0)"),
    parameters=(
        Parameter("n", 1000, "number of samples", 2, 1_000_000),
        Parameter("d", 20, "dimension", 1, 10_000),
        Parameter("noise", 0.5, "label noise standard deviation (sigma* > 0 needs noise > 0)",
                  0.0, 100.0),
        Parameter("runs", 100, "independent SGD runs averaged before fitting", 2, 100_000),
        Parameter("horizon", 100_000, "iterations", 100, 100_000_000),
        Parameter("window_start", 1000, "first iteration of the fit window", 1, 100_000_000),
        Parameter("schedule", "switching", "step schedule", choices=("switching", "constant")),
    ),
    experiment=sgd_switching_experiment,
    control=Control({"schedule": "constant"},
                    "constant gamma = 1/(2 L_max): SGD stalls at its noise floor, slope ~ 0"),
)


# --- SGD, constant step: the noise floor --------------------------------------------------------

def sgd_noise_floor_experiment(p: Mapping[str, Any], seed: int) -> Measurement:
    """Plateau of E||x_k - x*||^2 for constant steps gamma_max / 2^j, j = 0..halvings.

    The plateau of a run is its time average over the later half of the horizon, after the
    (1 - gamma mu)^k transient has died out (gamma mu k > 40 at the smallest gamma by default).
    """
    ls = _sgd_instance(p, seed)
    gamma_max = p["gamma_factor"] / (2.0 * ls.L_max)
    steps = gamma_max / 2.0 ** np.arange(p["halvings"] + 1)
    ks = np.unique(np.linspace(p["horizon"] // 2, p["horizon"], 51).astype(np.int64))
    plateaus = np.empty((p["runs"], steps.size))
    first_divergence = None
    for j, step in enumerate(steps):
        run = gradient_descent(ls, schedules.constant(step), p["horizon"], runs=p["runs"],
                               seed=seed, stochastic=True, checkpoints=ks)
        if run.first_divergence is not None:
            first_divergence = run.first_divergence
            break
        plateaus[:, j] = np.sum((run.iterates - ls.x_star) ** 2, axis=-1).mean(axis=1)
    bound = Bound(2 * h * sigma / mu, variable=h, law="parameter",
                  constants={sigma: ls.sigma_star, mu: ls.mu})
    checks = [] if first_divergence else [
        bound_holds(steps, plateaus.mean(axis=0), bound, name="plateau under 2 gamma sigma*/mu")]
    return fitted(steps, plateaus, law="parameter", window=None, bound=bound,
                  xlabel="step size gamma", ylabel="plateau of E||x_k - x*||^2",
                  diverged_at=first_divergence, seed=seed, checks=checks)


SGD_NOISE_FLOOR = Claim(
    id="handbook-sgd-noise-floor",
    title="SGD with constant gamma <= 1/(2 L_max) stalls at a floor 2 gamma sigma*/mu, linear "
          "in gamma",
    paper=Paper(HANDBOOK, TITLE, 2023, "2301.11235", "Theorem 5.3"),
    statement="SGD with a constant gamma <= 1/(2 L_max) has E||x_k - x*||^2 <= "
              "(1 - gamma mu)^k ||x0 - x*||^2 + 2 gamma sigma*/mu: a floor proportional to gamma.",
    math=r"\mathbb{E}\|x_k-x^\star\|^2 \le (1-\gamma\mu)^k\|x_0-x^\star\|^2"
         r"+\frac{2\gamma\sigma^\star}{\mu}",
    mode=Mode.PARAMETER,
    law="parameter",
    tolerance=Tolerance(0.1, 0.1, "the exact floor has a gamma^2 term that steepens the slope "
                                  "to ~1.05 (seeds 0-5); 0.1 admits it, not a gamma-free floor"),
    parameters=(
        Parameter("n", 1000, "number of samples", 2, 1_000_000),
        Parameter("d", 20, "dimension", 1, 10_000),
        Parameter("noise", 0.5, "label noise standard deviation; 0 interpolates (no floor)",
                  0.0, 100.0),
        Parameter("runs", 100, "independent SGD runs per step size", 2, 100_000),
        Parameter("horizon", 80_000, "iterations per run; the plateau is the later half",
                  100, 100_000_000),
        Parameter("gamma_factor", 1.0, "largest step as a multiple of 1/(2 L_max)", 1e-3, 10.0),
        Parameter("halvings", 3, "number of times the step is halved", 2, 20),
    ),
    experiment=sgd_noise_floor_experiment,
    control=Control({"noise": 0.0}, "noiseless labels: sigma* = 0, no floor, the error keeps "
                                    "falling and the plateau is not linear in gamma"),
)

CLAIMS = [GD_CONVEX, GD_STRONGLY_CONVEX, SGD_SWITCHING, SGD_NOISE_FLOOR]
