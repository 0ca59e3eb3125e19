"""Over-parameterisation slows gradient descent down in matrix sensing; imbalance speeds it up.

Problem [1].  Recover a rank-r M* (n x n, singular values sigma_1 >= ... >= sigma_r > 0) by GD
on a factorisation with k >= r columns from a small random start of scale alpha:
* symmetric (M* PSD): f(X) = 1/4 ||X X^T - M*||_F^2, X in R^{n x k} -- the exact expectation of
  1/(4m) sum_i (<A_i, X X^T> - y_i)^2 over Gaussian A_i (``--set loss=sensing`` draws m = 10 n r);
* asymmetric: f(F, G) = 1/2 ||F G^T - M*||_F^2, F, G in R^{n x k}.
Method: X_{t+1} = X_t - eta (X_t X_t^T - M*) X_t from X_0 = alpha N(0, 1/n) (asymmetric: both
factors, F_0 = alpha N(0, 1/n), G_0 = F_0 / 3).  A paper writing the loss with 1/2 has 2 eta.

Guarantees.
* Symmetric, k > r: ||X_T X_T^T - M*||_F^2 = Omega(1/T^2), a LOWER bound [1, main symmetric
  theorem].  The k - r spurious singular values obey s <- s - eta s^3, so 1/s_t^2 >= 1/s_0^2 +
  2 eta t: ||X X^T - M*||_F -> sqrt(k - r)/(2 eta t) from below, from every random start (no
  worst case needed).  Measured: the slope of the error over t in [10, 100]/(eta alpha^2), after
  the plateau of length ~1/(eta alpha^2), with two typed checks -- the window is past the plateau
  (local slope >= 0.8 at its start) and the constant sqrt(k - r)/(2 eta t) is reached.  Control
  k = r: linear at 1 - eta sigma_r to the float floor (errors under 1e-10 ||M*||_F count as 0)
  long before the window, faster than any power of t: nothing to fit, the claim fails.
* Asymmetric, k > r, imbalanced start: ||F_T G_T^T - M*||_F^2 <= exp(-Omega(alpha^2 T)), linear
  at a rate proportional to alpha^2 [1, main asymmetric theorem].  D = F^T F - G^T G is conserved
  by gradient flow; the slowest spurious mode contracts by 1 - eta lam per step, lam an eigenvalue
  of D compressed to the null space of G_oo, so lam lies in [lam_min, lam_max] of D_0 = (8/9)
  F_0^T F_0 (Cauchy interlacing).  Measured: -ln rho per step where the relative error falls from
  1e-4 to 1e-10, against alpha in {0.1, 0.2, 0.4}: slope 2.  The levels are fixed on purpose: a
  balanced start decays like 1/t, whose local rate at level e is ~2 eta e whatever alpha (in
  windows scaled by 1/(eta alpha^2) it too would show slope 2, its dynamics depending on eta
  alpha^2 t only).  Control k = r: linear at ~eta sigma_r whatever alpha, slope ~0 -- the main
  assertion fails.  A second control, the balanced start G_0 = F_0, never reaches 1e-4.

(Theorem numbers are not given: the statements are from the abstract of [1]; the mechanisms are
the standard ones, and are what the typed checks test.)

References
[1] N. Xiong, L. Ding, S. S. Du. How Over-Parameterization Slows Down Gradient Descent in Matrix
    Sensing: The Curses of Symmetry and Initialization. ICLR 2024, arXiv 2310.01769.
[2] J. Zhuo, J. Kwon, N. Ho, C. Caramanis. On the Computational and Statistical Complexity of
    Over-Parameterized Matrix Sensing. arXiv 2102.02756 (the sublinear 1/T of the spurious part).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import sympy as sp

from experiments.methods import GradientDescent
from problems import matrix_sensing
from rates.bound import Bound, k
from rates.claim import Claim, Control, Mode, Paper, Tolerance
from rates.params import Parameter as P
from rates.spec import Observed, Provided, Quantity, Spec, Sweep, Within, rate_between

AUTHORS, YEAR, ARXIV = "N. Xiong, L. Ding, S. S. Du", 2024, "2310.01769"
TITLE = ("How Over-Parameterization Slows Down Gradient Descent in Matrix Sensing: "
         "The Curses of Symmetry and Initialization")
C, h = sp.symbols("C h", positive=True)
FLOOR = 1e-10
"""Errors under FLOOR ||M*||_F are float round-off, not a rate: they count as 0."""
LEVELS = (1e-4, 1e-10)
"""The relative errors between which the asymmetric linear rate is fitted."""


def _problem(p: Mapping[str, Any], seed: int, symmetric: bool):
    return matrix_sensing(n=p["n"], r=p["r"], k=p["k"], kappa=p["kappa"], symmetric=symmetric,
                          loss=p["loss"], m=p["m"] or None, alpha=p["alpha"],
                          imbalance=p.get("imbalance", 1 / 3), seed=seed)


def _plateau(i) -> float:
    """1/(eta alpha^2): the spurious singular values keep their initial size this long."""
    return 1.0 / (i["eta"] * i["alpha"] ** 2)


def _shared(alpha: float) -> tuple[P, ...]:
    return (P("n", 20, "matrix size n (M* is n x n)", 2, 200), P("r", 2, "rank of M*", 1, 200),
            P("k", 4, "columns of the factor(s); k > r over-parameterises", 1, 400),
            P("kappa", 2.0, "condition number; spectrum log-spaced in [1/kappa, 1]", 1.0, 1e6),
            P("alpha", alpha, "initialisation scale: X0 = alpha N(0, 1/n)", 1e-4, 10.0),
            P("eta", 0.2, "GD step size", 1e-4, 2.0),
            P("loss", "population", "population (exact expectation) or sensing (m Gaussian "
              "measurements; ~20x slower)", choices=("population", "sensing")),
            P("m", 0, "measurements for loss=sensing (0: 10 n r)", 0, 1_000_000),
            P("runs", 10, "random initialisations (GD is deterministic given one)", 1, 1000))


def _population(i) -> bool:
    return i["loss"] == "population"


# --- symmetric, over-parameterised: Omega(1/T^2) -----------------------------------------------

def _overparam_window(i) -> tuple[float, float]:
    return i["window_start"] * _plateau(i), float(max(10, round(i["horizon"] * _plateau(i))))


def _error_to_floor(i, run) -> np.ndarray:
    e = i.problem.error(run.iterates)
    return np.where(e > FLOOR * np.linalg.norm(i.problem.M_star), e, 0.0)


def _in_window(seen: Observed) -> tuple[np.ndarray, np.ndarray]:
    w0, w1 = _overparam_window(seen.instance)
    inside = (seen.x >= w0) & (seen.x <= w1)
    return seen.x[inside], seen.values.mean(axis=0)[inside]


def _slope_at_window_start(seen: Observed) -> float:
    """Local log-log slope of the mean error over the first third of the window."""
    t, e = _in_window(seen)
    third = max(3, t.size // 3)
    if t.size < 3 or not np.all(e[:third] > 0):
        return math.nan
    return -float(np.polyfit(np.log(t[:third]), np.log(e[:third]), 1)[0])


def _constant_at_window_end(seen: Observed) -> float:
    """R = error 2 eta t / sqrt(k - r) at the window's end (-> 1 for s <- s - eta s^3)."""
    t, e = _in_window(seen)
    spurious = seen.instance["k"] - seen.instance["r"]
    return float(e[-1] * 2 * seen.instance["eta"] * t[-1] / math.sqrt(spurious)) if (
        spurious > 0 and t.size) else math.nan


def _descent_to_floor(seen: Observed) -> dict[str, Any]:
    """Where the mean error reaches the float floor: the per-step factor it got there at."""
    mean = seen.values.mean(axis=0)
    if mean[-1] > 0:
        return {}
    keep = (mean < 1e-3 * mean[0]) & np.all(seen.values > 0, axis=0)  # the linear tail
    factor = (float(np.exp(np.polyfit(seen.x[keep], np.log(mean[keep]), 1)[0]))
              if keep.sum() >= 3 else None)
    return {"floor reached at": float(seen.x[np.argmax(mean == 0)]), "linear_factor": factor}


OVERPARAM = Claim(
    id="matrix-sensing-overparam", mode=Mode.LOWER,
    title="Over-parameterised symmetric matrix sensing: GD's ||XX^T - M*||_F decays like 1/T, "
          "no faster",
    paper=Paper(AUTHORS, TITLE, YEAR, ARXIV, "symmetric lower bound Omega(1/T^2) (abstract; "
                "theorem number not checked)", venue="ICLR 2024"),
    statement="Randomly initialised GD on symmetric matrix sensing with k > r has "
              "||X_T X_T^T - M*||_F^2 = Omega(1/T^2), whereas k = r converges linearly.",
    math=r"\|X_TX_T^\top-M^\star\|_F^2=\Omega(1/T^2)\ (k>r)",
    tolerance=Tolerance(0.0, 0.15, "the spurious singular values obey s <- s - eta s^3, whose "
                        "slope reaches -1 from above (-0.98 here); 0.15 admits the scatter "
                        "over starts, not a linear rate"),
    parameters=(*_shared(0.1),
                P("horizon", 100.0, "iterations in units of 1/(eta alpha^2); the fit window "
                  "ends there", 1.0, 1e4),
                P("window_start", 10.0, "start of the fit window in units of 1/(eta alpha^2) "
                  "(after the plateau)", 0.1, 1e4)),
    experiment=Spec(
        problem=lambda p, seed: _problem(p, seed, symmetric=True),
        # the error's asymptote sqrt(k - r)/(2 eta t), which the bound is drawn with
        constants=lambda q, p: {C: math.sqrt(q.k - q.r) / (2 * p["eta"])} if q.k > q.r else {},
        method=lambda i: GradientDescent(i["eta"]),
        bound=Bound(C / k),  # ||X X^T - M*||_F >= C/T: the square root of Omega(1/T^2)
        quantity=Quantity("||X_t X_t^T - M*||_F", _error_to_floor), xlabel="iteration t",
        x0=lambda i: i.problem.initial_points(i["runs"]), runs="runs", horizon="window",
        window=_overparam_window, extra=_descent_to_floor,
        checks=(
            Within("past the plateau", _slope_at_window_start, 0.8, math.inf,
                   "each spurious mode has local slope 2 eta t s_t^2 = 1 - 1/(1 + 2 eta t "
                   "s_0^2): ~0 on the plateau, >= 0.8 four plateau lengths past it"),
            Provided(_population, Within(
                "the constant sqrt(k - r)/(2 eta t)", _constant_at_window_end, 0.95, 1.0,
                "1/s_t^2 >= 1/s_0^2 + 2 eta t gives R <= 1, and 1 - R ~ 1/(2 eta t s_0^2) <= "
                "0.05 at t = 100/(eta alpha^2) for s_0^2 >= 0.1 alpha^2"),
                "derived for the population loss; sensing's restricted-isometry error changes "
                "the constant"))),
    control=Control({"k": 2}, "exact parameterisation k = r: linear convergence to the float "
                              "floor long before the window, faster than any power of t"),
)


# --- asymmetric, over-parameterised: exp(-Omega(alpha^2 T)) ------------------------------------

def _relative_error(i, run) -> np.ndarray:
    return i.problem.error(run.iterates) / np.linalg.norm(i.problem.M_star)


def _conserved_imbalance(seen: Observed) -> tuple[np.ndarray, np.ndarray]:
    """-ln(1 - eta lam) for the least and largest |lam| of D_0 = F_0^T F_0 - G_0^T G_0, each
    of shape (runs, alphas)."""
    base = seen.instance
    F0, G0 = base.problem.factors(base.problem.initial_points(seen.values.shape[0]))
    # |eigenvalues|: with G_0 the larger factor D_0 is negative definite and F's spurious part
    # contracts instead (the claim is symmetric in F and G)
    lam = np.sort(np.abs(np.linalg.eigvalsh(np.swapaxes(F0, 1, 2) @ F0
                                            - np.swapaxes(G0, 1, 2) @ G0)), axis=1)
    scale = (seen.x / base["alpha"]) ** 2  # F_0 and G_0 are the same draws times alpha
    step = base["eta"] * lam[:, [0, -1]][:, :, None] * scale
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = -np.log1p(-np.minimum(step, 1.0))
    return factor[:, 0], factor[:, 1]


def _slowest_over_lam_min(seen: Observed) -> float:
    return float(np.min(seen.values / _conserved_imbalance(seen)[0]))


def _fastest_over_lam_max(seen: Observed) -> float:
    return float(np.max(seen.values / _conserved_imbalance(seen)[1]))


def _linearity(seen: Observed) -> float:
    """Min over runs and alphas of the local rate in the last third of the levels' points over
    that in the first third (1 for a linear rate)."""
    high, low = LEVELS
    worst = math.inf
    for run in seen.runs:
        t = np.asarray(run.checkpoints, dtype=float)
        for e in _relative_error(seen.instance, run):
            keep = (e >= low) & (e <= high)
            if keep.sum() < 6:
                return math.nan
            x, y = t[keep], np.log(e[keep])
            third = x.size // 3
            first = np.polyfit(x[:third], y[:third], 1)[0]
            last = np.polyfit(x[-third:], y[-third:], 1)[0]
            worst = min(worst, float(last / first) if first < 0 else 0.0)
    return worst


def _alphas(p: Mapping[str, Any]) -> list[float]:
    return [p["alpha"] * 2.0**j for j in range(p["doublings"] + 1)]


def _per_alpha(seen: Observed) -> dict[str, Any]:
    return {"rate_over_eta_alpha2": (seen.values.mean(axis=0) / (seen.instance["eta"]
                                                                   * seen.x**2)).tolist()}


_IMBALANCE = ("the slowest spurious mode contracts by 1 - eta lam, lam an eigenvalue of the "
              "conserved F^T F - G^T G compressed to null(G_oo), within [lam_min, lam_max] of D_0")
ASYMMETRIC = Claim(
    id="matrix-sensing-asymmetric", mode=Mode.PARAMETER,
    title="Asymmetric over-parameterised matrix sensing with an imbalanced start: linear rate "
          "proportional to alpha^2",
    paper=Paper(AUTHORS, TITLE, YEAR, ARXIV, "asymmetric over-parameterised rate "
                "exp(-Omega(alpha^2 T)) (abstract; theorem number not checked)",
                venue="ICLR 2024"),
    statement="GD on asymmetric matrix sensing F G^T with k > r from an imbalanced random start "
              "of scale alpha converges linearly, ||F_T G_T^T - M*||_F^2 <= "
              "exp(-Omega(alpha^2 T)); the rate is proportional to alpha^2.",
    math=r"\|F_TG_T^\top-M^\star\|_F^2\le e^{-\Omega(\alpha^2T)}",
    tolerance=Tolerance(0.1, 0.1, "finite eta alpha^2 raises the rate/(eta alpha^2) by a few % "
                        "from alpha = 0.1 to 0.4 (slope ~2.04); 0.1 admits that, not an "
                        "alpha-free rate (0) or an alpha^4 one"),
    parameters=(*_shared(0.1),
                P("doublings", 2, "alpha, 2 alpha, ..., 2^doublings alpha are swept; the "
                  "alpha^2 law needs the largest alpha^2 << sigma_r (0.8 is too large)", 1, 8),
                P("imbalance", 1 / 3, "G0 = imbalance * F0 (1 is balanced)", 1e-3, 1e3),
                P("horizon", 30.0, "iterations in units of 1/(eta alpha^2) (a run ending above "
                  "1e-10 is fitted down to where it ends)", 0.2, 1e4)),
    experiment=Spec(
        problem=lambda p, seed: _problem(p, seed, symmetric=False),
        method=lambda i: GradientDescent(i["eta"]),
        bound=Bound(C * h**2, variable=h, law="parameter"),
        quantity=Quantity("-ln rho per step, fitted where ||F G^T - M*||_F / ||M*||_F falls "
                          "from 1e-4 to 1e-10", _relative_error),
        sweep=Sweep("alpha", _alphas, rate_between(*LEVELS), "initialisation scale alpha"),
        x0=lambda i: i.problem.initial_points(i["runs"]), runs="runs",
        horizon=lambda i: math.ceil(i["horizon"] * _plateau(i)), checkpoints="linear",
        extra=_per_alpha,
        checks=(
            Within("log-linear", _linearity, 0.8, math.inf,
                   "a linear rate keeps its local rate through the levels (the slowest mode "
                   "taking over costs a few %); a 1/t decay's falls with the level"),
            Provided(_population, Within("no slower than lam_min(D_0)", _slowest_over_lam_min,
                                         0.9, math.inf, _IMBALANCE + "; 0.9 admits D's drift "
                                         "in discrete time (the flow conserves it exactly)"),
                     "derived for the population loss"),
            Provided(_population, Within("no faster than lam_max(D_0)", _fastest_over_lam_max,
                                         0.0, 1.0, _IMBALANCE), "derived for the population "
                                                                "loss"))),
    control=Control({"k": 2}, "exact parameterisation k = r: linear at ~eta sigma_r whatever "
                              "alpha, so the rate does not scale like alpha^2 (slope ~0)"),
    more_controls=(Control({"imbalance": 1.0}, "balanced start G0 = F0, the curse of symmetry: "
                           "a 1/t decay that never reaches the levels of the linear rate"),),
)

CLAIMS = [OVERPARAM, ASYMMETRIC]
