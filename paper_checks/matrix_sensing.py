"""Over-parameterisation slows gradient descent down in matrix sensing; imbalance speeds it up.

Problem [1]. Recover a rank-r matrix M* (n x n, singular values sigma_1 >= ... >= sigma_r > 0)
from Gaussian measurements y_i = <A_i, M*> by gradient descent on a factorisation with k >= r
columns, from a small random start of scale alpha:

* symmetric (M* PSD):  f(X) = 1/(4m) sum_i (<A_i, X X^T> - y_i)^2,  X in R^{n x k},
  population limit 1/4 ||X X^T - M*||_F^2 (the default here: the exact expectation of the
  sensing loss, and 20x cheaper; ``--set loss=sensing`` runs the Gaussian measurements,
  m = 10 n r, about 8 s per run);
* asymmetric:          f(F, G) = 1/2 ||F G^T - M*||_F^2,  F, G in R^{n x k}.

Method.  X_{t+1} = X_t - eta grad f(X_t), X_0 = alpha N(0, 1/n) entries; asymmetric
F_0 = alpha N(0, 1/n), G_0 = F_0 / 3 (imbalanced).  With our normalisation the gradient is
(X X^T - M*) X; a paper written with 1/2 instead of 1/4 has twice our eta.

Guarantees.
* Exact parameterisation (k = r): linear convergence, exp(-Omega(T)) [1, abstract]; near the
  solution the slowest mode contracts by 1 - eta sigma_r per step.
* Over-parameterised symmetric (k > r): ||X_T X_T^T - M*||_F^2 = Omega(1/T^2) for randomly
  initialised GD -- a LOWER bound [1, main symmetric theorem].  The k - r spurious columns of X
  have no signal to follow: in their subspace the iteration is, to leading order,
  B <- B - eta B B^T B, whose singular values obey s <- s - eta s^3, so s_t^2 ~ 1/(2 eta t)
  once t >> 1/(eta alpha^2): the error is ~ 1/T, no faster -- and no slower: the recursion
  attains 1/T, in line with the sublinear convergence shown in [2].  So the rate is attained by
  every random start, not only by a worst case, and a fixed instance shows it: the fitted slope
  after the plateau is -1.
* Over-parameterised asymmetric (k > r) with an imbalanced start: linear convergence at a rate
  proportional to alpha^2, ||F_T G_T^T - M*|| <= exp(-Omega(alpha^2 T)) [1, main asymmetric
  theorem].  F^T F - G^T G is conserved by gradient flow; in the spurious subspace it keeps F
  away from zero, so G's spurious part contracts by 1 - eta c alpha^2 per step.  A balanced
  start (G_0 = F_0) has no such imbalance and is the symmetric case again: sublinear.

(Theorem numbers are not given: the statements are taken from the abstract of [1], whose full
text was not at hand; the mechanism above is the standard one and is what the runs show.)

How each claim is judged.
* matrix-sensing-overparam is a LOWER-bound claim (mode "lower"): Omega(1/T^2) holds for every
  random start, not only for a worst case, so on this fixed instance the fitted slope of
  ||X X^T - M*||_F over t in [10, 100]/(eta alpha^2) must not exceed 1 (+0.15).  A lower bound
  alone would pass on a run stalled on its plateau, so the check "past the plateau" also asks
  for a slope >= 0.8 (the recursion's own 1/T, reached from above).  Control k = r: linear
  convergence reaches the float floor long before the window -- faster than any power of t --
  so there is nothing to fit and the claim fails, reporting the factor 1 - eta sigma_r it
  converged at.
* matrix-sensing-asymmetric is a rate in a parameter (mode "parameter"): the decay exponent per
  step, -log rho, against alpha, slope 2 +- 0.1.  The slope alone cannot tell the balanced start
  from the imbalanced one: with spurious parts of size alpha, the spurious dynamics depend on
  eta alpha^2 t only, so in windows scaled by 1/(eta alpha^2) *any* start gives slope 2.  What
  differs is linearity, so the assertion includes the check "log-linear" (the local rate at the
  end of each window is >= 0.7 of that at its start; 1 for a linear rate, 0.5 for 1/t).  The
  balanced control fails that check, and is 10x slower.

What to look for.  Symmetric: the error sits on a plateau until t ~ 1/(eta alpha^2), then falls
as a straight line of slope -1 on log-log axes; with k = r it drops to the float floor within a
few hundred steps.  Asymmetric: the decay exponent per step, divided by eta alpha^2, is the
same for alpha in {0.1, 0.2, 0.4} (a line of slope 2 against alpha); the balanced start bends
(its local rate falls like 1/t) and is several times slower.

References
[1] N. Xiong, L. Ding, S. S. Du. How Over-Parameterization Slows Down Gradient Descent in Matrix
    Sensing: The Curses of Symmetry and Initialization. ICLR 2024, arXiv 2310.01769.
[2] J. Zhuo, J. Kwon, N. Ho, C. Caramanis. On the Computational and Statistical Complexity of
    Over-Parameterized Matrix Sensing. arXiv 2102.02756.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import sympy as sp

from experiments import schedules
from experiments.first_order import gradient_descent
from experiments.run import log_checkpoints
from problems import MatrixSensing, matrix_sensing
from rates import fit as fits
from rates.bound import Bound, k
from rates.claim import Check, Claim, Control, Measurement, Mode, Paper, Tolerance
from rates.measure import fitted
from rates.params import Parameter

AUTHORS = "N. Xiong, L. Ding, S. S. Du"
TITLE = ("How Over-Parameterization Slows Down Gradient Descent in Matrix Sensing: "
         "The Curses of Symmetry and Initialization")

C, h = sp.symbols("C h", positive=True)

FLOOR = 1e-10
"""Errors below FLOOR * ||M*||_F are float round-off, not a rate: they are never fitted."""


def instance(p: Mapping[str, Any], seed: int, *, symmetric: bool,
             alpha: float | None = None) -> MatrixSensing:
    """The instance the parameters describe (``alpha`` overrides p["alpha"] for sweeps)."""
    return matrix_sensing(n=p["n"], r=p["r"], k=p["k"], kappa=p["kappa"], symmetric=symmetric,
                          loss=p["loss"], m=p["m"] or None,
                          alpha=p["alpha"] if alpha is None else alpha,
                          imbalance=p.get("imbalance", 1.0 / 3.0), seed=seed)


def gd_errors(pb: MatrixSensing, eta: float, checkpoints: np.ndarray,
              runs: int) -> tuple[np.ndarray, int | None]:
    """||X_t X_t^T - M*||_F (runs, checkpoints) of GD from ``runs`` random starts.

    GD is deterministic given its start, so each run is one call of the shared GD kernel from
    its own start; returns the errors and the earliest divergence step (or None).
    """
    errors = np.full((runs, checkpoints.size), np.nan)
    diverged = []
    for j, x0 in enumerate(pb.initial_points(runs)):
        run = gradient_descent(pb, schedules.constant(eta), int(checkpoints[-1]), x0=x0,
                               checkpoints=checkpoints)
        if run.first_divergence is not None:
            diverged.append(run.first_divergence)
        errors[j] = pb.error(run.iterates[0])
    return errors, (min(diverged) if diverged else None)


def linear_factor(t: np.ndarray, err: np.ndarray, top: float, bottom: float) -> float | None:
    """Per-step factor of a log-linear fit to the points with bottom < err < top (or None)."""
    keep = (err < top) & (err > bottom)
    if keep.sum() < 3:
        return None
    return float(np.exp(np.polyfit(t[keep], np.log(err[keep]), 1)[0]))


def _shared_parameters(alpha: float, k_default: int) -> tuple[Parameter, ...]:
    return (
        Parameter("n", 20, "matrix size n (M* is n x n)", 2, 200),
        Parameter("r", 2, "rank of M*", 1, 200),
        Parameter("k", k_default, "columns of the factor(s); k > r over-parameterises", 1, 400),
        Parameter("kappa", 2.0, "condition number; the spectrum is log-spaced in [1/kappa, 1] "
                  "({1, 0.5} for r = 2)", 1.0, 1e6),
        Parameter("alpha", alpha, "initialisation scale: X0 = alpha N(0, 1/n)", 1e-4, 10.0),
        Parameter("eta", 0.2, "GD step size", 1e-4, 2.0),
        Parameter("loss", "population", "population (exact expectation) or sensing (m Gaussian "
                  "measurements; ~20x slower)", choices=("population", "sensing")),
        Parameter("m", 0, "measurements for loss=sensing (0: 10 n r)", 0, 1_000_000),
        Parameter("runs", 4, "random initialisations (GD is deterministic given one)", 1, 1000),
    )


# --- symmetric, over-parameterised: Omega(1/T^2) -------------------------------------------

def overparam_experiment(p: Mapping[str, Any], seed: int) -> Measurement:
    """Power-law slope of ||X_t X_t^T - M*||_F over t in [window_start, horizon]/(eta alpha^2).

    Points under the float floor (FLOOR ||M*||_F) are cut from the window; when fewer than three
    remain the run converged faster than any power of t (k = r) and nothing is fitted: the
    measurement says so, with the per-step factor of the descent to the floor.
    """
    pb = instance(p, seed, symmetric=True)
    scale = 1.0 / (p["eta"] * pb.alpha**2)  # the plateau lasts ~ scale steps
    horizon = max(10, round(p["horizon"] * scale))
    c = log_checkpoints(horizon, per_decade=20)
    errors, diverged = gd_errors(pb, p["eta"], c, p["runs"])
    w0 = p["window_start"] * scale
    floor = FLOOR * float(np.linalg.norm(pb.M_star))
    bound = Bound(C / k)  # ||X X^T - M*||_F >= C/T, the square root of Omega(1/T^2)
    common = dict(law="power_law", bound=bound, xlabel="iteration t",
                  ylabel="||X_t X_t^T - M*||_F", diverged_at=diverged, seed=seed)
    if diverged is not None:
        return fitted(c, errors, window=(w0, horizon), **common)
    mean = errors.mean(axis=0)
    low = np.flatnonzero(mean <= floor)
    if not low.size:  # (if the window itself is empty the fit refuses and says why)
        return _overparam_fit(p, fitted(c, errors, window=(w0, horizon), **common))
    w1 = float(c[low[0] - 1]) if low[0] > 0 else 0.0
    if np.count_nonzero((c >= w0) & (c <= w1)) < 3:
        m = fitted(c, errors, window=None, **common)
        m.fit = None
        rho = linear_factor(c, mean, 1e-4 * mean[0], 1e3 * floor)
        m.extra["linear_factor"] = rho
        m.refused = (f"the error reached the float floor ({floor:.1e}) at t = {c[low[0]]}, "
                     f"before the fit window [{w0:.0f}, {horizon}]: faster than any power of t"
                     + (f" (linear factor {rho:.4f} per step)" if rho is not None else ""))
        return m
    return _overparam_fit(p, fitted(c, errors, window=(w0, w1), **common))


def _overparam_fit(p: Mapping[str, Any], m: Measurement) -> Measurement:
    """Add the check that keeps the lower bound from passing on a stalled (plateau) run."""
    if m.fit is not None:
        passed = m.fit.rate >= p["min_slope"]
        w0, w1 = m.fit.window
        m.checks.append(Check(
            "past the plateau", passed,
            f"slope {m.fit.rate:.3f} {'>=' if passed else '<'} {p['min_slope']:g}: the window "
            f"[{w0:.0f}, {w1:.0f}] {'follows' if passed else 'is still on'} the plateau"))
    return m


OVERPARAM = Claim(
    id="matrix-sensing-overparam",
    title="Over-parameterised symmetric matrix sensing: GD's ||XX^T - M*||_F decays like 1/T, "
          "no faster",
    paper=Paper(AUTHORS, TITLE, 2024, "2310.01769",
                "symmetric lower bound Omega(1/T^2) (abstract; theorem number not checked)",
                venue="ICLR 2024"),
    statement="Randomly initialised GD on symmetric matrix sensing with k > r has "
              "||X_T X_T^T - M*||_F^2 = Omega(1/T^2), whereas k = r converges linearly.",
    math=r"\|X_TX_T^\top-M^\star\|_F^2=\Omega(1/T^2)\ (k>r)",
    mode=Mode.LOWER,
    law="power_law",
    tolerance=Tolerance(0.0, 0.15, "the spurious singular values obey s <- s - eta s^3, whose "
                                   "slope reaches -1 from above (-0.98 here); 0.15 admits the "
                                   "scatter over seeds, not a linear rate"),
    parameters=(
        *_shared_parameters(0.1, 4),
        Parameter("horizon", 100.0, "iterations in units of 1/(eta alpha^2); the fit window "
                  "ends there", 1.0, 1e4),
        Parameter("window_start", 10.0, "start of the fit window in units of 1/(eta alpha^2) "
                  "(after the plateau)", 0.1, 1e4),
        Parameter("min_slope", 0.8, "the 'past the plateau' check: the fitted slope must "
                  "exceed this, or the lower bound would pass on a stalled run", 0.0, 2.0),
    ),
    experiment=overparam_experiment,
    control=Control({"k": 2}, "exact parameterisation k = r: linear convergence to the float "
                              "floor long before the window, faster than any power of t"),
)


# --- asymmetric, over-parameterised: exp(-Omega(alpha^2 T)) ---------------------------------

def asymmetric_experiment(p: Mapping[str, Any], seed: int) -> Measurement:
    """Decay exponent per step, -log rho, against alpha in {alpha, 2 alpha, ..., 2^doublings alpha}.

    For each alpha, rho is the geometric factor fitted to each run's ||F_t G_t^T - M*||_F over
    t in [window_start, horizon]/(eta alpha^2) (points under the float floor dropped).  The
    check "log-linear" compares the local rate of the mean error in the last and first thirds
    of each window: a linear rate keeps it, a sublinear decay (balanced start) lets it fall.
    """
    alphas = p["alpha"] * 2.0 ** np.arange(p["doublings"] + 1)
    rates = np.full((p["runs"], alphas.size), np.nan)
    ratios, per_alpha, diverged, refused = [], [], None, None
    for i, a in enumerate(alphas):
        pb = instance(p, seed, symmetric=False, alpha=float(a))
        scale = 1.0 / (p["eta"] * a * a)
        lo = p["window_start"] * scale
        hi = max(p["horizon"] * scale, lo + 30)
        c = np.unique(np.round(np.linspace(lo, hi, 31)).astype(np.int64))
        errors, div = gd_errors(pb, p["eta"], c, p["runs"])
        if div is not None:
            diverged = div if diverged is None else min(diverged, div)
            continue
        floor = FLOOR * float(np.linalg.norm(pb.M_star))
        for j in range(p["runs"]):
            keep = errors[j] > floor
            if keep.sum() < 3:
                refused = (f"alpha = {a:g}: the error reached the float floor before "
                           f"t = {c[2]} (window [{lo:.0f}, {hi:.0f}])")
                continue
            rates[j, i] = -np.log(fits.geometric(c[keep], errors[j, keep]).rate)
        mean = errors.mean(axis=0)
        third = c.size // 3
        first = np.polyfit(c[:third + 1], np.log(mean[:third + 1]), 1)[0]
        last = np.polyfit(c[-third - 1:], np.log(mean[-third - 1:]), 1)[0]
        ratios.append(float(last / first) if first < 0 else 0.0)
        per_alpha.append(float(np.nanmean(rates[:, i]) * scale))
    bound = Bound(C * h**2, variable=h, law="parameter")
    checks = []
    if ratios:
        worst = min(ratios)
        checks.append(Check("log-linear", worst >= p["min_linearity"],
                            f"local rate at the window's end / at its start = {worst:.2f} "
                            f"(min over alpha; accepted >= {p['min_linearity']:g})"))
    m = fitted(alphas, rates, law="parameter", window=None, bound=bound,
               xlabel="initialisation scale alpha", ylabel="-log rho per step",
               diverged_at=diverged, seed=seed, checks=checks)
    m.extra.update(rate_over_eta_alpha2=per_alpha, linearity=ratios)
    if refused is not None:  # a run fell to the float floor inside its window: no rate there
        m.fit = None
        m.refused = refused
    return m


ASYMMETRIC = Claim(
    id="matrix-sensing-asymmetric",
    title="Asymmetric over-parameterised matrix sensing with an imbalanced start: linear rate "
          "proportional to alpha^2",
    paper=Paper(AUTHORS, TITLE, 2024, "2310.01769",
                "asymmetric over-parameterised rate exp(-Omega(alpha^2 T)) (abstract; theorem "
                "number not checked)", venue="ICLR 2024"),
    statement="GD on asymmetric matrix sensing F G^T with k > r from an imbalanced random start "
              "of scale alpha converges linearly, ||F_T G_T^T - M*||_F^2 <= "
              "exp(-Omega(alpha^2 T)); the rate is proportional to alpha^2.",
    math=r"\|F_TG_T^\top-M^\star\|_F^2\le e^{-\Omega(\alpha^2T)}",
    mode=Mode.PARAMETER,
    law="parameter",
    tolerance=Tolerance(0.1, 0.1, "finite eta alpha^2 raises the rate/(eta alpha^2) by ~5% from "
                                  "alpha = 0.1 to 0.4 (slope ~2.05 over seeds 0-5); 0.1 "
                                  "admits that, not an alpha-free rate"),
    parameters=(
        *_shared_parameters(0.1, 4),
        Parameter("doublings", 2, "alpha, 2 alpha, ..., 2^doublings alpha are swept; the "
                  "alpha^2 law needs the largest alpha^2 << sigma_r (0.8 is too large)", 1, 8),
        Parameter("imbalance", 1.0 / 3.0, "G0 = imbalance * F0 (1 is balanced)", 1e-3, 1e3),
        Parameter("horizon", 30.0, "iterations in units of 1/(eta alpha^2); each fit window "
                  "ends there, before the float floor", 0.2, 1e4),
        Parameter("window_start", 10.0, "start of each fit window in units of 1/(eta alpha^2) "
                  "(after the plateau and the transient)", 0.1, 1e4),
        Parameter("min_linearity", 0.7, "the 'log-linear' check: the local rate in the last "
                  "third of each window over that in the first third must reach this (1 for a "
                  "linear rate, 0.5 for a 1/t decay over [10, 30]; imbalanced runs give "
                  "0.85-0.98)", 0.0, 1.0),
    ),
    experiment=asymmetric_experiment,
    control=Control({"imbalance": 1.0}, "balanced start G0 = F0: no imbalance to exploit, the "
                                        "symmetric curse returns and the decay is sublinear"),
)

CLAIMS = [OVERPARAM, ASYMMETRIC]
