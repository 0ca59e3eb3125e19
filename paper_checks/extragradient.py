"""Extragradient and its single-call variants: ergodic O(1/t), and O(1/t) for the stochastic last
iterate.

Problem: find z* with V(z*) = 0 for a monotone, beta-Lipschitz operator V (a convex-concave
saddle point: V = (grad_x f, -grad_y f)).  The methods evaluate V at a leading point z_{t+1/2}
and update z_t with it:

* extragradient (EG)   z_{t+1/2} = z_t - gamma V(z_t),        z_{t+1} = z_t - gamma V(z_{t+1/2})
* past EG (PEG, Popov) z_{t+1/2} = z_t - gamma V(z_{t-1/2}),  z_{t+1} = z_t - gamma V(z_{t+1/2})
* optimistic gradient (OG) and reflected gradient (RG, z_{t+1/2} = 2 z_t - z_{t-1}), which make
  one oracle call per step like PEG.  Unconstrained, OG's iterates *are* PEG's leading points.

Guarantees of Hsieh, Iutzeler, Malick & Mertikopoulos [1]:

* ergodic, deterministic (upper bound, O(1/t), [1, Theorem 1 / Proposition 2] -- the constant
  as in the project's claims catalogue): for PEG with gamma < 1/(2 beta), the average
  zbar_N = (1/N) sum_t z_{t+1/2} has restricted merit
      Err_R(zbar_N) = max_{||z - z_1|| <= R} <V(z), zbar_N - z>
                    <=  (R^2 + ||z_1 - z_{1/2}||^2) / (2 gamma N)
  whenever the ball contains a solution.  On a bilinear game the averages of the rotating
  iterates converge like exactly 1/N, so the fitted slope must *equal* -1.
* last iterate, stochastic (upper bound, [1, Theorem 5, *inferred* constants]): for a
  mu-strongly monotone V with unbiased noise of bounded variance, EG and PEG with steps
  gamma/(t + b), gamma mu large enough (gamma > 1/mu in [1]) and b >= 4 beta gamma, have
  E||z_t - z*||^2 = O(1/t).  With additive noise the 1/t is attained (the noise alone forbids
  anything faster), so the slope must equal -1.  With gamma mu < 1/2 the same recursion decays
  only like t^{-2 gamma mu}: the classic Robbins-Monro threshold, which the control crosses.

What to look for: the merit of the averages falls on a line of slope -1 below the bound (the
three radii R = 1, 2, 4 ||z_1 - z*|| give parallel lines); GDA's iterates spiral out and
diverge.  In the stochastic figure the mean squared distance of 400 runs bends into slope -1,
while the control's small step leaves it on slope -1/2.

Not claimed: that the last iterate is slower than the average on this instance.  With a
nonsingular game matrix the last iterate of EG/PEG converges *linearly* (slowly, at a rate set by
sigma_min^2), so on a fixed instance it eventually beats 1/t (see aog-last-iterate for the worst
case of the last iterate, which needs a family that changes with the horizon).

References
[1] Y.-G. Hsieh, F. Iutzeler, J. Malick, P. Mertikopoulos. On the convergence of single-call
    stochastic extra-gradient methods. NeurIPS 2019, arXiv 1908.08465.
[2] G. M. Korpelevich. The extragradient method for finding saddle points and other problems.
    Ekonomika i Matematicheskie Metody 12 (1976).
[3] L. D. Popov. A modification of the Arrow-Hurwicz method for search of saddle points.
    Mathematical Notes 28 (1980).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import sympy as sp

from experiments import schedules
from experiments.vi import EG, METHODS, PEG, extragradient
from problems.vi import bilinear_game, strongly_monotone_linear
from rates import fit
from rates.bound import Bound, k
from rates.claim import Check, Claim, Control, Measurement, Mode, Paper, Tolerance
from rates.measure import bound_holds, fitted
from rates.params import Parameter

PAPER_AUTHORS = "Y.-G. Hsieh, F. Iutzeler, J. Malick, P. Mertikopoulos"
PAPER_TITLE = "On the convergence of single-call stochastic extra-gradient methods"

R, h, gamma, C = sp.symbols("R h gamma C", positive=True)
ERGODIC_BOUND = (R**2 + h**2) / (2 * gamma * k)
"""[1]: Err_R(zbar_N) <= (R^2 + ||z_1 - z_{1/2}||^2) / (2 gamma N) for PEG, gamma < 1/(2 beta)."""

RADII = (1.0, 2.0, 4.0)


def _slope(x: np.ndarray, y: np.ndarray, lo: float) -> float:
    w = x >= lo
    return float(fit.power_law(x[w], y[w], (lo, x.max())).rate)


# --- eg-ergodic-gap ------------------------------------------------------------------------------

def ergodic_gap_experiment(p: Mapping[str, Any], seed: int) -> Measurement:
    """Err_R of the ergodic average on a bilinear game, R = p["R"] ||z_1 - z*||.

    The game: A (n x n) with singular values linspace(sigma_min, 1, n) (beta = ||A|| = 1), Haar
    singular vectors and z* ~ N(0, I) drawn from ``seed``; z_1 = z_{1/2} = 0.  Deterministic
    given the seed.
    """
    game = bilinear_game(np.linspace(p["sigma_min"], 1.0, p["n"]), seed=seed)
    step = p["gamma_L"] / game.L
    z1 = np.zeros(game.d)
    dist = float(np.linalg.norm(z1 - game.z_star))
    horizon, lo = p["horizon"], p["window_start"]
    run = extragradient(game, step, horizon, method=p["method"], z0=z1)
    ks = run.checkpoints
    radius = p["R"] * dist
    merit = game.restricted_merit(run.averages[0], z1, radius) if not run.first_divergence \
        else np.full(ks.size, np.nan)
    bound = Bound(ERGODIC_BOUND, constants={R: radius, h: 0.0, gamma: step})
    checks: list[Check] = []
    extra: dict[str, Any] = {"distance": dist, "L": game.L, "slopes": {}}
    if not run.first_divergence:
        for mult in RADII:
            err = game.restricted_merit(run.averages[0], z1, mult * dist)
            b_mult = Bound(ERGODIC_BOUND, constants={R: mult * dist, h: 0.0, gamma: step})
            slope = _slope(ks, err, lo)
            extra["slopes"][f"{p['method']} R={mult:g}D"] = slope
            if p["method"] == PEG:  # the theorem's constant is PEG's (gamma < 1/(2 beta))
                checks.append(bound_holds(ks, err, b_mult, where=ks >= 1,
                                          name=f"bound at R = {mult:g}D"))
            # an O(1/t) bound: every radius decays at least as fast as 1/t
            checks.append(Check(f"slope at R = {mult:g}D at least 0.9", slope >= 0.9,
                                f"slope {slope:.3f} over t >= {lo}"))
        for other in (m for m in (EG, PEG, "og", "rg") if m != p["method"]):
            o = extragradient(game, step, horizon, method=other, z0=z1)
            if o.first_divergence:
                checks.append(Check(f"{other} converges", False,
                                    f"diverged at step {o.first_divergence}"))
                continue
            slope = _slope(ks, game.restricted_merit(o.averages[0], z1, radius), lo)
            extra["slopes"][f"{other} R={p['R']:g}D"] = slope
            checks.append(Check(f"{other}: slope 1 +- 0.1", abs(slope - 1.0) <= 0.1,
                                f"slope {slope:.3f}"))
    m = fitted(ks, merit[None, :], law="power_law", window=(lo, horizon), bound=bound,
               xlabel="iteration t", ylabel="Err_R(average of leading points)",
               diverged_at=run.first_divergence, checks=checks)
    m.extra.update(extra)
    return m


ERGODIC_GAP = Claim(
    id="eg-ergodic-gap",
    title="EG, PEG, OG, RG on a monotone game: the ergodic restricted merit is O(1/t)",
    paper=Paper(PAPER_AUTHORS, PAPER_TITLE, 2019, "1908.08465", "Theorem 1 / Proposition 2",
                venue="NeurIPS 2019"),
    statement="For a monotone beta-Lipschitz operator, past extragradient with gamma < 1/(2 beta) "
              "has Err_R(zbar_N) <= (R^2 + ||z_1 - z_{1/2}||^2)/(2 gamma N); EG, OG and RG have "
              "the same O(1/t) ergodic rate.",
    math=r"\mathrm{Err}_R(\bar z_N) \le \frac{R^2 + \|z_1 - z_{1/2}\|^2}{2\gamma N}",
    mode=Mode.TIGHT,
    law="power_law",
    tolerance=Tolerance(0.1, 0.1, "on a bilinear game the averages converge like exactly 1/N; the "
                                  "slowest rotation (period 2 pi/(gamma sigma_min) ~ 1600 steps) "
                                  "leaves +-0.03 of wiggle in [1e3, 2e4]"),
    parameters=(
        Parameter("n", 10, "size of the game matrix A (z has 2n coordinates)", 1, 500),
        Parameter("sigma_min", 0.01, "smallest singular value of A (largest is 1)", 1e-4, 1.0),
        Parameter("gamma_L", 0.4, "step size times beta (PEG's theorem needs < 0.5)", 1e-3, 3.0),
        Parameter("R", 2.0, "radius of the merit's ball in units of ||z_1 - z*|| (>= 1 so the "
                  "ball holds z*)", 1.0, 100.0),
        Parameter("horizon", 20_000, "iterations", 100, 10_000_000),
        Parameter("window_start", 1000, "first iteration of the fit window", 1, 10_000_000),
        Parameter("method", PEG, "method whose average is fitted", choices=METHODS),
    ),
    experiment=ergodic_gap_experiment,
    control=Control({"method": "gda"}, "simultaneous gradient descent-ascent: on a bilinear game "
                                       "each step multiplies ||z - z*|| by sqrt(1 + gamma^2 "
                                       "sigma^2) > 1, so it spirals out and diverges"),
)


# --- eg-stochastic-last-iterate ------------------------------------------------------------------

def stochastic_last_iterate_experiment(p: Mapping[str, Any], seed: int) -> Measurement:
    """E||z_t - z*||^2 over ``runs`` runs of stochastic EG (or PEG) with steps gamma/(t + b).

    V(z) = (mu I + S) z, S two 2x2 rotation blocks of strengths 1 and 2 (beta = sqrt(mu^2 + 4)),
    additive N(0, I) noise; gamma = gamma_mu / mu, b = ceil(4 beta gamma) as the theorem asks;
    z_0 = (1, ..., 1).
    """
    op = strongly_monotone_linear(p["mu"], [1.0, 2.0], noise=p["noise"])
    step = p["gamma_mu"] / op.mu
    offset = float(np.ceil(4.0 * op.L * step))
    schedule = schedules.polynomial(step, 1.0, offset)
    z0 = np.ones(op.d)
    horizon, lo = p["horizon"], p["window_start"]
    results = {}
    for method in (p["method"], PEG if p["method"] == EG else EG):
        run = extragradient(op, schedule, horizon, method=method, runs=p["runs"], seed=seed,
                            stochastic=True, z0=z0)
        results[method] = run
    run = results[p["method"]]
    dist = np.sum((run.iterates - op.z_star) ** 2, axis=-1)
    checks: list[Check] = []
    extra: dict[str, Any] = {"b": offset, "gamma": step, "L": op.L}
    other_name = PEG if p["method"] == EG else EG
    other = results[other_name]
    if other.first_divergence:
        checks.append(Check(f"stochastic {other_name} converges", False,
                            f"diverged at step {other.first_divergence}"))
    elif run.first_divergence is None:
        od = np.sum((other.iterates - op.z_star) ** 2, axis=-1)
        f_other = fit.power_law(run.checkpoints, od, (lo, horizon), seed=seed)
        extra[f"slope {other_name}"] = f_other.rate
        extra[f"ci {other_name}"] = f_other.ci
        checks.append(Check(f"stochastic {other_name}: slope 1 +- 0.15",
                            abs(f_other.rate - 1.0) <= 0.15, f"slope {f_other}"))
    bound = Bound(C / k)
    m = fitted(run.checkpoints, dist, law="power_law", window=(lo, horizon), bound=bound,
               xlabel="iteration t", ylabel="E||z_t - z*||^2", diverged_at=run.first_divergence,
               seed=seed, checks=checks)
    m.extra.update(extra)
    return m


STOCHASTIC_LAST_ITERATE = Claim(
    id="eg-stochastic-last-iterate",
    title="Stochastic EG and PEG with steps gamma/(t + b) on a strongly monotone operator: "
          "E||z_t - z*||^2 = O(1/t)",
    paper=Paper(PAPER_AUTHORS, PAPER_TITLE, 2019, "1908.08465", "Theorem 5 (inferred constants)",
                venue="NeurIPS 2019"),
    statement="For a mu-strongly monotone, beta-Lipschitz operator with unbiased noise of bounded "
              "variance, stochastic EG and PEG with gamma_t = gamma/(t + b), gamma mu large "
              "enough and b >= 4 beta gamma, have E||z_t - z*||^2 = O(1/t).",
    math=r"\mathbb{E}\|z_t - z^\star\|^2 = O(1/t)",
    mode=Mode.TIGHT,
    law="power_law",
    tolerance=Tolerance(0.15, 0.15, "400 runs of d = 4 give a +-0.05 CI; the O(1/t^2) transient "
                                    "and the b offset bend the window's start by a few 0.01"),
    parameters=(
        Parameter("mu", 1.0, "strong monotonicity of V", 1e-3, 10.0),
        Parameter("gamma_mu", 1.5, "gamma times mu (1/t needs > 1/2; the theorem asks > 1)",
                  1e-3, 10.0),
        Parameter("noise", 1.0, "standard deviation of the additive Gaussian noise", 0.0, 100.0),
        Parameter("runs", 400, "independent runs averaged before fitting", 2, 100_000),
        Parameter("horizon", 4000, "iterations", 100, 10_000_000),
        Parameter("window_start", 400, "first iteration of the fit window (the transient "
                  "(b/t)^(2 gamma mu) is 1e-4 of the noise term there)", 1, 10_000_000),
        Parameter("method", EG, "method fitted (the other one is a check)", choices=(EG, PEG)),
    ),
    experiment=stochastic_last_iterate_experiment,
    control=Control({"gamma_mu": 0.25}, "gamma mu = 1/4 < 1/2: the steps are too small and "
                                        "E||z_t - z*||^2 decays like t^{-2 gamma mu} = t^{-1/2}"),
)

CLAIMS = [ERGODIC_GAP, STOCHASTIC_LAST_ITERATE]
