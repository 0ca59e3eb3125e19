"""Halpern iteration: Lieder's tight O(1/k) residual, and variance reduction for finite sums.

Problem: a fixed point x* = T x* of a nonexpansive T (||T x - T y|| <= ||x - y||); with
T = I - eta F, a zero of a cocoercive F.  Halpern's iteration with Lieder's anchoring weights:
    x_{k+1} = x_0 / (k + 2) + (1 - 1/(k + 2)) T x_k.

* Tight [1, Theorem 2.1]: ||x_k - T x_k|| <= 2 ||x_0 - x*|| / (k + 1).  On T = Rot(phi),
  (k + 1) x_k = sum_{j<=k} T^j x_0, so (k + 1) ||x_k - T x_k|| = |1 - e^{i(k+1) phi}| ||x_0||:
  the bound is touched at (k + 1) phi = pi (mod 2 pi).  The residual is recorded at those peaks
  (the nearest integers k, where |sin((k + 1) phi/2)| >= cos(phi/4)), on which the slope is -1.
  Too slow: Picard x <- T x keeps |1 - e^{i phi}| ||x_0||.  Too fast: Krasnoselskii-Mann
  x <- (x + T x)/2 contracts a rotation by cos(phi/2) per step, geometrically.
* Upper [2; the estimator is *inferred*]: for F = (1/n) sum_i F_i cocoercive on average,
  Halpern with a PAGE-type estimate of F (a full pass with probability 1/sqrt(n), else sqrt(n)
  differences F_i(x_k) - F_i(x_{k-1})) reaches ||F(x)|| <= eps in O~(n + sqrt(n) L/eps)
  component calls, against n L/eps for full batches: at a fixed eps, sqrt(n) instead of n.

[1] F. Lieder, On the convergence rate of the Halpern-iteration, Optimization Letters 15
    (2021) (no arXiv).
[2] X. Cai, A. Alacaoglu, J. Diakonikolas, Variance reduced Halpern iteration for finite-sum
    monotone inclusions, ICLR 2024, arXiv 2310.02987.
[3] B. Halpern, Fixed points of nonexpanding maps, Bull. AMS 73 (1967).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import sympy as sp

from experiments.methods import GradientDescent, Halpern, VarianceReducedHalpern
from problems.comonotone import rotation_fixed_point
from problems.vi import cocoercive_finite_sum
from rates.bound import Bound, k
from rates.claim import Check, Claim, Control, Mode, Paper, Tolerance
from rates.fit import parameter
from rates.params import Parameter as P
from rates.spec import BoundHolds, Observed, Quantity, Spec, Within

D = sp.Symbol("D", positive=True)
LIEDER_BOUND = 2 * D / (k + 1)
X0 = np.array([1.0, 0.0])


def peak_checkpoints(phi: float, horizon: int, points: int = 30) -> np.ndarray:
    """Steps k with (k + 1) phi nearest to an odd multiple of pi, log-spaced up to horizon."""
    period = 2 * np.pi / phi
    m_max = int((horizon + 1) / period - 0.5)
    if m_max < 3:
        raise ValueError(f"horizon {horizon} holds fewer than 3 periods of 2 pi/phi = {period:.3g}")
    m = np.unique(np.round(np.geomspace(1, m_max, points)).astype(np.int64))
    return np.unique(np.round((2 * m + 1) * np.pi / phi).astype(np.int64) - 1)


def _peaks(i) -> np.ndarray:
    return peak_checkpoints(i["phi"], i["horizon"])


def _method(i):
    return Halpern(1.0) if i["method"] == "halpern" else GradientDescent(i["relaxation"])


def _reach(seen: Observed) -> float:
    """min over peaks of (k + 1) ||x_k - T x_k|| / (2 ||x_0 - x*|| cos(phi/4))."""
    at = seen.x >= 1
    return float(np.min(seen.values[0, at] * (seen.x[at] + 1) / 2.0)
                 / np.cos(seen.instance["phi"] / 4))


def _eigen(seen: Observed) -> float:
    """max |x_k - V diag(c_k) V^{-1} x_0| with numpy's eigen-decomposition of T = Rot(phi):
    c_k = sum_{j<=k} lam^j/(k + 1) (Halpern) or ((1 - a) + a lam)^k (x <- x - a F(x))."""
    inst, run = seen.instance, seen.runs[0]
    lam, V = np.linalg.eig(np.eye(2) - inst.problem.matrix())
    kk = seen.x[:, None]
    if inst["method"] == "halpern":
        coef = (1 - lam[None, :] ** (kk + 1)) / ((kk + 1) * (1 - lam[None, :]))
    else:
        coef = ((1 - inst["relaxation"]) + inst["relaxation"] * lam[None, :]) ** kk
    exact = np.real(np.einsum("ij,kj,jl,l->ki", V, coef, np.linalg.inv(V), X0))
    return float(np.max(np.abs(exact - run.iterates[0])))


@lru_cache(maxsize=8)
def finite_sums(eps: float, n_max: int, runs: int, max_iter: int, seed: int) -> dict:
    """Component calls to reach ||F(x)|| <= eps ||F(x_0)|| for n = 64, 256, ... n_max: one
    full-batch Halpern run and ``runs`` variance-reduced runs per n (same F for every n)."""
    ns = 64 * 4 ** np.arange(int(np.log(n_max / 64) / np.log(4)) + 1)
    full, reduced = [], []
    for n in ns:
        fs = cocoercive_finite_sum(int(n), d=5, mu=1e-2, seed=seed)
        eta, x0 = 1.0 / fs.L_mean, np.zeros(fs.d)
        tol = eps * float(fs.residual(x0))
        h = Halpern(eta, tol=tol).run(fs, max_iter, x0=x0, checkpoints=np.array([max_iter]))
        vr = VarianceReducedHalpern(eta, tol).run(fs, max_iter, runs=runs, seed=seed, x0=x0)
        if h.first_below < 0 or not vr.reached:
            return {"n": ns.tolist(), "unreached": int(n)}
        full.append(float(n) * (h.first_below + 1))  # one full pass per step, and at x_0
        reduced.append(vr.calls)
    calls = np.array(reduced, dtype=float).T  # (runs, len(ns))
    f_full, f_vr = parameter(ns.astype(float), np.array(full)), parameter(ns.astype(float), calls)
    return {"n": ns.tolist(), "full-batch calls": full,
            "variance-reduced calls (mean)": calls.mean(axis=0).tolist(),
            "slope full-batch": f_full.rate, "slope variance-reduced": f_vr.rate,
            "ci variance-reduced": f_vr.ci}


@dataclass(frozen=True)
class CallsGrow:
    """The finite-sum leg: the slope of component calls in n (log-log) lies in [low, high] --
    with ``ci=True`` its whole confidence interval over the variance-reduced runs."""

    name: str
    key: str
    low: float
    high: float
    reason: str
    ci: bool = False

    def evaluate(self, seen: Observed) -> Check:
        p = seen.instance
        if p["method"] != "halpern":
            return Check(self.name, True, "not asserted for Picard (no finite-sum counterpart)")
        fs = finite_sums(p["eps"], p["n_max"], p["runs"], p["max_iter"], p.seed)
        if "unreached" in fs:
            return Check(self.name, False, f"n = {fs['unreached']}: ||F|| <= eps not reached "
                         f"within max_iter = {p['max_iter']}")
        lo, hi = fs["ci variance-reduced"] if self.ci else (fs[self.key],) * 2
        ok = self.low <= lo and hi <= self.high
        where = f"CI [{lo:.3f}, {hi:.3f}]" if self.ci else f"{lo:.4f}"
        return Check(self.name, ok, f"slope {fs[self.key]:.4f}, {where}, accepted "
                     f"[{self.low:g}, {self.high:g}]")


HALPERN_SPEC = Spec(
    problem=lambda p, seed: rotation_fixed_point(p["phi"]), constants=lambda q, p: {D: 1.0},
    method=_method, x0=lambda i: X0,
    checkpoints=lambda i: np.concatenate([[0], _peaks(i)]), horizon=lambda i: int(_peaks(i)[-1]),
    window=lambda i: (float(_peaks(i)[0]), float(_peaks(i)[-1])),
    quantity=Quantity("||x_k - T x_k||", lambda i, run: i.problem.residual(run.iterates)),
    bound=Bound(LIEDER_BOUND), xlabel="iteration k (peaks: (k+1) phi = pi mod 2 pi)",
    checks=(
        BoundHolds("Lieder's constant, at x_0 and every peak"),
        Within("tight: min over peaks of (k + 1) ||x_k - T x_k|| / (2 ||x_0 - x*|| cos(phi/4))",
               _reach, 1 - 1e-12, math.inf, "at the nearest integer to a peak |sin((k + 1) "
               "phi/2)| >= cos(phi/4): the most an integer k can show of the bound"),
        Within("iterates = numpy eigen-decomposition of T: max difference", _eigen, 0.0, 1e-10,
               "x_k is a closed form in the eigenvalues of T for Halpern and for Picard"),
        CallsGrow("full-batch Halpern calls ~ n: slope", "slope full-batch", 0.95, 1.05,
                  "one full pass per step, the iterations to eps independent of n (the same F)"),
        CallsGrow("variance-reduced Halpern calls ~ sqrt(n): slope", "slope variance-reduced",
                  0.4, 0.6, "O~(n + sqrt(n) L/eps) [2] at a fixed eps, where sqrt(n) L/eps "
                  "dominates; 0.1 admits the log factor and the n term", ci=True),
    ),
    extra=lambda seen: {"(k+1) residual / (2 ||x0 - x*||)":
                        (seen.values[0, 1:] * (seen.x[1:] + 1) / 2).tolist(),
                        "spectral radius of T": float(np.max(np.abs(np.linalg.eigvals(
                            np.eye(2) - seen.instance.problem.matrix()))))},
)

LEG_HORIZONS = (1, 2, 5, 10, 20, 50)
"""Where the worst-case leg compares: ``rates.spec.values_at(HALPERN_SPEC, params, seed,
LEG_HORIZONS)`` are the measured ||x_N - T x_N|| on the rotation, to hold against the exact worst
case over nonexpansive T (a performance-estimation program) and Lieder's bound."""

HALPERN = Claim(
    id="halpern", mode=Mode.TIGHT,
    title="Halpern iteration: ||x_k - T x_k|| <= 2||x_0 - x*||/(k+1), tight; variance "
          "reduction makes its finite-sum cost grow like sqrt(n)",
    paper=Paper("F. Lieder; X. Cai, A. Alacaoglu, J. Diakonikolas",
                "On the convergence rate of the Halpern-iteration; Variance reduced Halpern "
                "iteration for finite-sum monotone inclusions", 2021, "2310.02987",
                "Lieder Theorem 2.1; Cai et al. (ICLR 2024) main result", venue="Optim. Lett."),
    statement="Halpern's x_{k+1} = x_0/(k+2) + (1 - 1/(k+2)) T x_k on a nonexpansive T has "
              "||x_k - T x_k|| <= 2||x_0 - x*||/(k+1), attained on rotations; on a cocoercive "
              "finite sum of n operators a variance-reduced Halpern needs O~(n + sqrt(n) L/eps) "
              "calls.",
    math=r"\|x_k - Tx_k\| \le \frac{2\|x_0 - x^\star\|}{k+1}",
    tolerance=Tolerance(0.02, 0.02, "exact: at the peaks (k+1) residual = 2|sin((k+1) phi/2)| "
                        "||x0||, the sine >= cos(phi/4) after rounding k (0.997 at phi = 0.3; "
                        "0.97 at phi = 1 moves the slope by 0.01)"),
    parameters=(
        P("phi", 0.3, "rotation angle of T (radians)", 1e-3, 3.14159),
        P("horizon", 10_000, "largest iteration (the last peak before it)", 100, 10_000_000),
        P("method", "halpern", "fixed-point method", choices=("halpern", "picard")),
        P("relaxation", 1.0, "Picard's step a: x <- x - a (x - T x) (1: x <- T x; 1/2: "
          "Krasnoselskii-Mann)", 1e-3, 1.0),
        P("eps", 1e-2, "finite sums: target residual relative to ||F(x_0)||", 1e-6, 0.5),
        P("n_max", 4096, "finite sums: largest n (n = 64, 256, ... n_max)", 256, 1_000_000),
        P("runs", 10, "finite sums: variance-reduced runs per n", 5, 10_000),
        P("max_iter", 100_000, "finite sums: iteration cap", 10, 100_000_000),
    ),
    experiment=HALPERN_SPEC,
    control=Control({"method": "picard"}, "Picard x <- T x on a rotation: the residual "
                    "|1 - e^{i phi}| ||x_0|| never decreases (slope 0)"),
    more_controls=(Control({"method": "picard", "relaxation": 0.5}, "too fast: "
                           "Krasnoselskii-Mann (x + T x)/2 contracts a rotation by cos(phi/2) "
                           "per step: geometric, far faster than 1/k"),),
)

CLAIMS = [HALPERN]
