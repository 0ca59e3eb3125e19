"""Extragradient and its single-call variants: ergodic O(1/t); O(1/t) for the stochastic last
iterate.

Problem: find z* with V(z*) = 0, V monotone and beta-Lipschitz (a convex-concave saddle point,
V = (grad_x f, -grad_y f)); the methods call V at a leading point z_{t+1/2}:

    EG   z_{t+1/2} = z_t - gamma V(z_t),        z_{t+1} = z_t - gamma V(z_{t+1/2})
    PEG  z_{t+1/2} = z_t - gamma V(z_{t-1/2}),  z_{t+1} = z_t - gamma V(z_{t+1/2})  (Popov)

and optimistic (OG) and reflected (RG, z_{t+1/2} = 2 z_t - z_{t-1}) gradient, one call per step.

* Tight [1, Theorem 1 / Proposition 2]: PEG with gamma < 1/(2 beta), zbar_N = (1/N) sum_t
  z_{t+1/2}, Err_R(z) = max_{||u - z_1|| <= R} <V(u), z - u> (R large enough to hold z*):
      Err_R(zbar_N) <= (R^2 + ||z_1 - z_{1/2}||^2) / (2 gamma N),
  attained in rate on a bilinear game, whose rotating iterates average like exactly 1/N.  The
  proof telescopes the update: for affine V, V(zbar_N) = (z_1 - z_{N+1}) / (gamma N) exactly.
  Too fast: with mu I added, V(u) = M(u - z*) is strongly monotone and Err_R =
  ||M^T(zbar - z*)||^2/(4 mu) is quadratic in the error: 1/N^2.  Too slow: gradient
  descent-ascent spirals out.
* Upper [1, Theorem 5; constants inferred], tight under additive noise: EG or PEG with
  gamma_t = gamma/(t + b), gamma mu > 1 and b >= 4 beta gamma, on a mu-strongly monotone V with
  unbiased noise, has E||z_t - z*||^2 = O(1/t), and the noise alone forbids faster.  Too slow:
  gamma mu < 1/2 leaves t^(-2 gamma mu) (the Robbins-Monro threshold).  Too fast: with
  (nearly) no noise the same recursion falls like t^(-2 gamma mu) = t^-3.

Worst-case leg (performance estimation: PEPit, rates/worst_case.py), for PEG at N = 1, 2, 5, 10:
Err_R of the game's averages <= the PEP value over every monotone beta-Lipschitz V with
||z_1 - z*|| = D and R = 2 D (the merit's maximiser u is a variable of the program) <= [1]'s
bound R^2/(2 gamma N).  The pairwise Lipschitz-monotone conditions are necessary, not
sufficient, for interpolation: the PEP value is an upper bound on the worst case, still under
the bound because [1]'s proof uses only those inequalities.  At gamma = 0.4/beta it is 0.35,
0.59, 0.80, 0.88 of the bound at N = 1, 2, 5, 10, and a 2-D rotation attains it at N = 1, 2
and within 2 % at N = 5, 10 (tests): the relaxation is nearly tight here.

Not claimed: that the last iterate is slower than the average here; on a nonsingular game it
converges linearly (aog-last-iterate has the last iterate's worst case).

[1] Y.-G. Hsieh, F. Iutzeler, J. Malick, P. Mertikopoulos, On the convergence of single-call
    stochastic extra-gradient methods, NeurIPS 2019, arXiv 1908.08465.
[2] G. M. Korpelevich, The extragradient method for finding saddle points and other problems,
    Ekonomika i Matematicheskie Metody 12 (1976).
[3] L. D. Popov, A modification of the Arrow-Hurwicz method for search of saddle points,
    Mathematical Notes 28 (1980).
[4] A. Nemirovski, Prox-method with rate of convergence O(1/t) for variational inequalities
    with Lipschitz continuous monotone operators, SIAM J. Optim. 15(1) (2004) (no arXiv).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import sympy as sp

from experiments import schedules
from experiments.methods import (
    Extragradient,
    GradientDescentAscent,
    OptimisticGradient,
    PastExtragradient,
    ReflectedGradient,
)
from problems.vi import affine_operator, bilinear_game, strongly_monotone_linear
from rates import worst_case
from rates.bound import Bound, k
from rates.claim import Check, Claim, Control, Mode, Paper, Tolerance
from rates.fit import power_law
from rates.params import Parameter as P
from rates.spec import (
    MatchesExpectation,
    Observed,
    Quantity,
    Spec,
    Within,
    WorstCaseLeg,
    distance_squared,
    rate_with,
)

PAPER = dict(authors="Y.-G. Hsieh, F. Iutzeler, J. Malick, P. Mertikopoulos",
             title="On the convergence of single-call stochastic extra-gradient methods",
             year=2019, arxiv="1908.08465", venue="NeurIPS 2019")
METHODS = {"eg": Extragradient, "peg": PastExtragradient, "og": OptimisticGradient,
           "rg": ReflectedGradient, "gda": GradientDescentAscent}
TELESCOPES = ("eg", "peg", "rg", "gda")
"""Methods whose update is z_{t+1} = z_t - gamma V(z_{t+1/2}) (OG's recorded points are its
leading points, for which the sum telescopes differently)."""

R, h, gamma, C = sp.symbols("R h gamma C", positive=True)
ERGODIC_BOUND = (R**2 + h**2) / (2 * gamma * k)


# --- eg-ergodic-gap ------------------------------------------------------------------------------

def merit(op, z_hat: np.ndarray, center: np.ndarray, radius: float) -> np.ndarray:
    """Err_R(z_hat) = max_{||u - center|| <= R} <V(u), z_hat - u> for V(u) = M(u - z*), M = mu I
    + S with S skew.  With e = z_hat - z*, g = M^T e and w = u - z*, the objective is
    <w, g> - mu ||w||^2: for mu = 0 linear (maximum <g, c> + R ||g||, c = center - z*), for
    mu > 0 isotropic, so the maximiser is the point of the ball nearest to g/(2 mu)."""
    M = op.M
    mu = float(np.mean(np.diag(M)))
    if not np.allclose(M + M.T, 2 * mu * np.eye(M.shape[0]), atol=1e-12):
        raise ValueError("merit needs V(u) = (mu I + S)(u - z*) with S skew")
    e = np.asarray(z_hat, float) - op.z_star
    g = e @ M  # rows: M^T e
    c = np.asarray(center, float) - op.z_star
    if mu == 0.0:
        return g @ c + radius * np.linalg.norm(g, axis=-1)
    gap = g / (2 * mu) - c
    dist = np.linalg.norm(gap, axis=-1, keepdims=True)
    w = c + gap * np.minimum(1.0, radius / np.maximum(dist, 1e-300))
    return np.sum(w * g, axis=-1) - mu * np.sum(w * w, axis=-1)


def _game(p, seed):
    game = bilinear_game(np.linspace(p["sigma_min"], 1.0, p["n"]), seed=seed)
    if p["mu"] == 0:
        return game
    M = game.M + p["mu"] * np.eye(game.d)  # strongly monotone, the same z*
    return affine_operator(M, -M @ game.z_star)


def _radius(inst, mult: float | None = None) -> float:
    """R = mult ||z_1 - z*||, z_1 = 0."""
    return (inst["R"] if mult is None else mult) * float(np.linalg.norm(inst.problem.z_star))


def _merit_at(mult: float | None):
    return lambda i, run: merit(i.problem, run.averages, np.zeros(i.problem.d), _radius(i, mult))


def _telescoped(seen: Observed) -> float:
    """max_t ||V(zbar_t) - (z_1 - z_{t+1})/(gamma t)|| / ||(z_1 - z_{t+1})/(gamma t)||."""
    inst, run = seen.instance, seen.runs[0]
    if inst["method"] not in TELESCOPES:
        return 0.0
    at = run.checkpoints >= 1
    t = run.checkpoints[at]
    step = inst["gamma_L"] / inst.problem.L
    lhs = inst.problem.operator(run.averages[0, at])
    rhs = -run.iterates[0, at] / (step * t[:, None])  # z_1 = 0
    return float(np.max(np.linalg.norm(lhs - rhs, axis=1) / np.linalg.norm(rhs, axis=1)))


@dataclass(frozen=True)
class BoundAtRadius:
    """[1]'s bound with this instance's constants at R = mult ||z_1 - z*|| (the claim's R when
    None), from t = 1; for PEG and EG only (the constant is theirs: PEG's with gamma < 1/(2 beta)
    [1], EG's the same for gamma <= 1/beta [4])."""

    mult: float | None = None
    reason: str = "the theorem's constant, R^2/(2 gamma t) with z_{1/2} = z_1, at every t >= 1"

    @property
    def name(self) -> str:
        return ("bound with constants" if self.mult is None
                else f"bound at R = {self.mult:g} ||z_1 - z*||")

    def evaluate(self, seen: Observed) -> Check:
        inst = seen.instance
        if inst["method"] not in ("peg", "eg"):
            return Check(self.name, True, f"not asserted for {inst['method']}")
        at = seen.x >= 1
        values = _merit_at(self.mult)(inst, seen.runs[0])[0, at]
        step = inst["gamma_L"] / inst.problem.L
        ratio = values / ((_radius(inst, self.mult) ** 2) / (2 * step * seen.x[at]))
        return Check(self.name, bool(np.all(np.isfinite(ratio)) and ratio.max() <= 1.0),
                     f"max measured/bound = {ratio.max():.3g}")


def _slope_at(mult: float):
    def of(seen: Observed) -> float:
        values = _merit_at(mult)(seen.instance, seen.runs[0])
        return power_law(seen.x, values, (seen.instance["window_start"], seen.x[-1])).rate
    return of


ERGODIC_SPEC = Spec(
    problem=_game,
    constants=lambda q, p: {R: p["R"] * float(np.linalg.norm(q.z_star)), h: 0.0,
                            gamma: p["gamma_L"] / q.L},
    method=lambda i: METHODS[i["method"]](i["gamma_L"] / i.problem.L),
    quantity=Quantity("Err_R(average of the leading points)", _merit_at(None)),
    bound=Bound(ERGODIC_BOUND), x0=lambda i: np.zeros(i.problem.d),
    window=lambda i: (i["window_start"], i["horizon"]), xlabel="iteration t",
    checks=(
        BoundAtRadius(), BoundAtRadius(1.0), BoundAtRadius(4.0),
        Within("V(zbar_t) = (z_1 - z_{t+1})/(gamma t): the telescoped update, relative error",
               _telescoped, 0.0, 1e-6, "an identity for affine V (the proof's first line); "
               "averaging other points than the leading ones breaks it at O(1)"),
        *(Within(f"Err_R slope at R = {m:g} ||z_1 - z*||", _slope_at(m), 0.9, 1.5,
                 "O(1/t) at every radius; R = ||z_1 - z*|| just holds z*, where the window sees "
                 "1.05-1.2 (the 1/t constant nearly cancels)") for m in (1.0, 4.0)),
        *(Within(f"{name}: ergodic slope", rate_with(lambda: ERGODIC_SPEC, {"method": name}),
                 0.9, 1.1, "the same O(1/t) for the other single- and two-call methods [1]")
          for name in ("eg", "og", "rg")),
    ),
)

LEG_HORIZONS = (5, 10, 20, 50)
"""Where a worst-case leg compares: ``rates.spec.values_at(ERGODIC_SPEC, params, seed,
LEG_HORIZONS)`` are the measured Err_R of the averages after N steps."""

PEP_HORIZONS = (1, 2, 5, 10)
"""The horizons of the PEG worst-case leg (one oracle call a step: N = 10 solves in ~1 s)."""


def _peg_worst(i, n: int):
    D = float(np.linalg.norm(i.problem.z_star))  # z_1 = 0
    return worst_case.past_extragradient_ergodic(n, gamma_L=i["gamma_L"], radius=i["R"],
                                                 L=i.problem.L, D=D)


ERGODIC_WITH_LEG = replace(ERGODIC_SPEC, checks=(*ERGODIC_SPEC.checks, WorstCaseLeg(
    PEP_HORIZONS, lambda: ERGODIC_SPEC, _peg_worst,
    lambda i, n: float(i.bound(np.array([float(n)]))[0]),
    "PEG's averages on the game stay under the PEP value over monotone Lipschitz V, itself under "
    "[1]'s constant", overrides={"method": "peg"})))

ERGODIC_GAP = Claim(
    id="eg-ergodic-gap", mode=Mode.TIGHT,
    title="EG, PEG, OG, RG on a monotone game: the ergodic restricted merit is O(1/t)",
    paper=Paper(PAPER["authors"], PAPER["title"], PAPER["year"], PAPER["arxiv"],
                "Theorem 1 / Proposition 2", venue=PAPER["venue"]),
    statement="For a monotone beta-Lipschitz operator, past extragradient with gamma < 1/(2 beta) "
              "has Err_R(zbar_N) <= (R^2 + ||z_1 - z_{1/2}||^2)/(2 gamma N); EG, OG and RG have "
              "the same O(1/t) ergodic rate.",
    math=r"\mathrm{Err}_R(\bar z_N) \le \frac{R^2 + \|z_1 - z_{1/2}\|^2}{2\gamma N}",
    tolerance=Tolerance(0.1, 0.1, "on a bilinear game the averages converge like exactly 1/N; the "
                        "slowest rotation (period 2 pi/(gamma sigma_min) ~ 1600 steps) tilts "
                        "sub-windows of [1e3, 2e4] by up to 0.06; 1/N^2 is far out"),
    parameters=(
        P("n", 10, "size of the game matrix A (z has 2n coordinates)", 1, 500),
        P("sigma_min", 0.01, "smallest singular value of A (largest is 1)", 1e-4, 1.0),
        P("mu", 0.0, "strong monotonicity added to V (0: the bilinear game)", 0.0, 10.0),
        P("gamma_L", 0.4, "step size times beta (PEG's theorem needs < 0.5)", 1e-3, 3.0),
        P("R", 2.0, "radius of the merit's ball in units of ||z_1 - z*|| (>= 1 holds z*)",
          1.0, 100.0),
        P("horizon", 20_000, "iterations", 100, 10_000_000),
        P("window_start", 1000, "first iteration of the fit window", 1, 10_000_000),
        P("method", "peg", "method whose average is fitted", choices=tuple(METHODS)),
    ),
    experiment=ERGODIC_WITH_LEG,
    control=Control({"method": "gda"}, "simultaneous gradient descent-ascent: on a bilinear game "
                    "each step multiplies ||z - z*|| by sqrt(1 + gamma^2 sigma^2) > 1: it "
                    "spirals out and diverges"),
    more_controls=(Control({"mu": 0.1}, "too fast: V + 0.1 I is strongly monotone, so Err_R = "
                           "||M^T(zbar - z*)||^2/(4 mu) is quadratic in the error: 1/N^2"),),
)


# --- eg-stochastic-last-iterate ------------------------------------------------------------------

def _schedule(i) -> schedules.Schedule:
    """gamma_t = gamma/(t + b): gamma = gamma_mu/mu, b = ceil(4 beta gamma) as [1] asks."""
    step = i["gamma_mu"] / i.problem.mu
    return schedules.polynomial(step, 1.0, float(np.ceil(4.0 * i.problem.L * step)))


def exact_mean_square(op, steps: np.ndarray, method: str, z0: np.ndarray,
                      checkpoints: np.ndarray) -> np.ndarray:
    """E||z_t - z*||^2 of stochastic EG or PEG on V(z) = M z (z* = 0) with V + sigma N(0, I)
    oracles: the exact mean and covariance recursion of the linear system (numpy, no kernel).

    EG: z+ = (I - g M + g^2 M^2) z + g^2 M xi_1 - g xi_2.  PEG carries v = V^(z_{t-1/2}):
    v+ = M z - g M v + xi, z+ = z - g v+, started at v = V^(z_0).
    """
    M, d, s2 = op.M, op.d, op.noise**2
    eye = np.eye(d)
    if method == "eg":
        mean, cov = z0.astype(float), np.zeros((d, d))
    else:
        mean = np.concatenate([z0, M @ z0])
        cov = np.zeros((2 * d, 2 * d))
        cov[d:, d:] = s2 * eye
    out, c = [], 0
    for t in range(int(checkpoints[-1])):
        g = steps[t]
        if method == "eg":
            A = eye - g * M + g * g * M @ M
            Q = s2 * (g * g * eye + g**4 * M @ M.T)
        else:
            A = np.block([[eye - g * M, g * g * M], [M, -g * M]])
            B = np.vstack([-g * eye, eye])
            Q = s2 * B @ B.T
        mean, cov = A @ mean, A @ cov @ A.T + Q
        while c < checkpoints.size and checkpoints[c] == t + 1:
            out.append(mean[:d] @ mean[:d] + np.trace(cov[:d, :d]))
            c += 1
    return np.array(out)


def _exact(seen: Observed) -> np.ndarray:
    inst, run = seen.instance, seen.runs[0]
    steps = _schedule(inst)(np.arange(int(run.checkpoints[-1])))
    values = exact_mean_square(inst.problem, steps, inst["method"], np.ones(inst.problem.d),
                               run.checkpoints)
    return values if run.checkpoints[0] > 0 else np.concatenate([[inst.problem.d], values])


STOCHASTIC_SPEC = Spec(
    problem=lambda p, seed: strongly_monotone_linear(p["mu"], [1.0, 2.0], noise=p["noise"]),
    method=lambda i: METHODS[i["method"]](_schedule(i), stochastic=True),
    quantity=distance_squared, bound=Bound(C / k), runs="runs",
    x0=lambda i: np.ones(i.problem.d), window=lambda i: (i["window_start"], i["horizon"]),
    xlabel="iteration t",
    checks=(
        MatchesExpectation("mean over runs = exact E||z_t - z*||^2 of the method (moment "
                           "recursion)", _exact, "5 SE at ~40 points: a false alarm below 1e-4; "
                           "gradient descent-ascent on the same schedule is 10+ SE off near "
                           "t = 20"),
        Within("the other method (PEG for EG, EG for PEG): slope",
               rate_with(lambda: STOCHASTIC_SPEC,
                         lambda i: {"method": "peg" if i["method"] == "eg" else "eg"}), 0.85, 1.15,
               "[1, Theorem 5] covers both; the same tolerance as the claim"),
    ),
)

STOCHASTIC_LAST_ITERATE = Claim(
    id="eg-stochastic-last-iterate", mode=Mode.TIGHT,
    title="Stochastic EG and PEG with steps gamma/(t + b) on a strongly monotone operator: "
          "E||z_t - z*||^2 = O(1/t)",
    paper=Paper(PAPER["authors"], PAPER["title"], PAPER["year"], PAPER["arxiv"],
                "Theorem 5 (inferred constants)", venue=PAPER["venue"]),
    statement="For a mu-strongly monotone, beta-Lipschitz operator with unbiased noise of bounded "
              "variance, stochastic EG and PEG with gamma_t = gamma/(t + b), gamma mu large "
              "enough and b >= 4 beta gamma, have E||z_t - z*||^2 = O(1/t).",
    math=r"\mathbb{E}\|z_t - z^\star\|^2 = O(1/t)",
    tolerance=Tolerance(0.15, 0.15, "400 runs of d = 4 give a +-0.05 CI; the O(1/t^2) transient "
                        "and the b offset bend the window's start by a few 0.01"),
    parameters=(
        P("mu", 1.0, "strong monotonicity of V (V = mu I + rotations of strengths 1, 2)",
          1e-3, 10.0),
        P("gamma_mu", 1.5, "gamma times mu (1/t needs > 1/2; the theorem asks > 1)", 1e-3, 10.0),
        P("noise", 1.0, "standard deviation of the additive Gaussian noise", 0.0, 100.0),
        P("runs", 400, "independent runs averaged before fitting", 2, 100_000),
        P("horizon", 4000, "iterations", 100, 10_000_000),
        P("window_start", 400, "first iteration of the fit window (the transient "
          "(b/t)^(2 gamma mu) is 1e-4 of the noise term there)", 1, 10_000_000),
        P("method", "eg", "method fitted (the other one is a check)", choices=("eg", "peg")),
    ),
    experiment=STOCHASTIC_SPEC,
    control=Control({"gamma_mu": 0.25}, "gamma mu = 1/4 < 1/2: the steps are too small and "
                    "E||z_t - z*||^2 decays like t^(-2 gamma mu) = t^(-1/2)"),
    more_controls=(Control({"noise": 1e-3}, "too fast: with noise 1e-3 the floor d gamma^2 "
                           "sigma^2/((2 gamma mu - 1) t) stays under the transient until t ~ "
                           "5e4: the window sees t^(-2 gamma mu) = t^-3"),),
)

CLAIMS = [ERGODIC_GAP, STOCHASTIC_LAST_ITERATE]
