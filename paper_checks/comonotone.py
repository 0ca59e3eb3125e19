"""Proximal point and EG+ beyond monotonicity: negatively comonotone operators.

Problem: find x* with F(x*) = 0, F L-Lipschitz and rho-negatively comonotone,
    <F(x) - F(y), x - y> >= -rho ||F(x) - F(y)||^2   for all x, y.
A scaled rotation F = a Rot(theta) is rho-comonotone exactly when cos(theta) >= -rho a, so every
method below is linear on such F (checked against numpy's eigenvalues).

    PP   x_{k+1} = (I + gamma F)^{-1} x_k
    EG+  x~_k = x_k - gamma1 F(x_k),  x_{k+1} = x_k - gamma2 F(x~_k),  gamma2 < gamma1

* Tight [1, Theorem 3.1; constant *inferred*]: PP with gamma > 2 rho has
      ||F(x_N)||^2 <= ||x_0 - x*||^2 / (gamma (gamma - 2 rho) N),
  attained for each N by the 2-D member with gamma (gamma - 2 rho) a_N^2 = 1/(N - 1), on which
  N gamma (gamma - 2 rho) ||F(x_N)||^2 = (1 - 1/N)^(N-1) ||x_0||^2 -> 1/e.  The instance changes
  with N (the x axis is N, each point another operator).  Too slow: gamma < 2 rho diverges on
  F = -I/rho.  Too fast: one fixed member contracts linearly.
* Tight in rate [1, Section 4; rho < 1/(2L) as in Pethick et al. [2]]: EG+ has ||F(x_N)||^2 =
  O(1/N) for rho L < 1/2 with suitable steps, attained on blocks whose moduli are log-spaced in
  [a_min, L] (the spectral analogue of GD's 1/lambda density); for rho L >= 1/2 no step pair is
  stable on every rho-comonotone rotation (the exact sweep below).  Too slow: rho L = 0.55
  diverges.  Too fast: a_min = 0.1 leaves no slow block, and the residual falls geometrically.
  Optimistic gradient (one step 1/(2L)) gives 1/N too at rho L = 0.1; its stable range on the
  class is narrower (about rho L < 0.2).

Worst-case legs (performance estimation: PEPit, rates/worst_case.py).  PP at N = 2, 5, 10: the
member for N attains the exact worst case over the class, under the theorem's constant.  EG+ at
N = 1, 2, 5, 10: at the claim's gamma1 = 1/L the worst case over L-Lipschitz rho-comonotone F
does *not* decay: F = L I (monotone, so in the class) makes I - gamma2 F + gamma1 gamma2 F^2 = I
and EG+ stalls at ||F(x_N)|| = L ||x_0 - x*|| for every N (PEP value 1 at N = 1, 2, 5, 10).  The
O(1/N) measured on the blocks is a rate on that instance, not a guarantee over the class at that
step.  The leg therefore runs at gamma1 = 0.8/L (gamma2 = gamma1/4 = 0.2/L), strictly inside
gamma1 < 1/L, where the PEP worst case decays (0.94, 0.88, 0.74, 0.57 L^2 R^2 at N = 1, 2, 5,
10).  Attribution to verify: the exact step conditions and constant of [1]'s EG+ last-iterate
theorem could not be read here (only the abstract was reachable), so the leg states no bound
and judges measured <= worst only; the PEP value is an upper bound on the worst case (the
pairwise Lipschitz-comonotone conditions are necessary, not sufficient, for interpolation).

Not claimed: EG+ with the textbook gamma2 = gamma1/2 = 1/(2L) at rho L = 1/4, where the extreme
rotation's radius is exactly 1 (with gamma1 = 1/L it needs gamma2 < gamma1 - 2 rho): it stalls.

[1] E. Gorbunov, A. Taylor, S. Horvath, G. Gidel, Convergence of proximal point and
    extragradient-based methods beyond monotonicity: the case of negative comonotonicity,
    ICML 2023, arXiv 2210.13831.
[2] T. Pethick, P. Patrinos, O. Fercoq, V. Cevher, Escaping limit cycles: global convergence for
    constrained nonconvex-nonconcave minimax problems, ICLR 2022.
"""
from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

import numpy as np
import sympy as sp

from experiments.methods import Extragradient, OptimisticGradient, ProximalPoint
from problems.comonotone import comonotone_blocks, comonotone_rotation, proximal_point_worst_case
from rates import worst_case
from rates.bound import Bound, k
from rates.claim import Claim, Control, Mode, Paper, Tolerance
from rates.params import Parameter as P
from rates.spec import (
    BoundHolds,
    Family,
    Observed,
    Quantity,
    Spec,
    Within,
    WorstCaseLeg,
    rate_with,
)

PAPER = dict(authors="E. Gorbunov, A. Taylor, S. Horvath, G. Gidel",
             title="Convergence of proximal point and extragradient-based methods beyond "
                   "monotonicity: the case of negative comonotonicity",
             year=2023, arxiv="2210.13831", venue="ICML 2023")

D, gamma, rho, C = sp.symbols("D gamma rho C", positive=True)
PP_BOUND = D**2 / (gamma * (gamma - 2 * rho) * k)
residual_squared = Quantity("||F(x_N)||^2", lambda i, run: i.problem.residual(run.iterates) ** 2)


def horizons(n_min: int, n_max: int) -> np.ndarray:
    """N = n_min, 2 n_min, 4 n_min, ... up to n_max: one family member per N."""
    if n_max < 4 * n_min:
        raise ValueError(f"n_max must be at least 4 n_min, got n_min={n_min}, n_max={n_max}")
    return n_min * 2 ** np.arange(int(np.log2(n_max / n_min)) + 1)


# --- comonotone-pp -------------------------------------------------------------------------------

def _step(p) -> float:
    return p["gamma_2rho"] * 2.0 * p["rho"]


def _member(i, N: int):
    """The worst member for N steps, or (instance = fixed) the one for n_min at every N."""
    n = N if i["instance"] == "worst-for-N" else i["n_min"]
    return proximal_point_worst_case(int(n), _step(i.params), i["rho"])


def _attains(seen: Observed) -> float:
    """max_N |N gamma (gamma - 2 rho) ||F(x_N)||^2 / (1 - 1/N)^(N-1) - 1| (||x_0|| = 1)."""
    step, r, ns = _step(seen.instance.params), seen.instance["rho"], seen.x
    return float(np.max(np.abs(ns * step * (step - 2 * r) * seen.values[0]
                               / (1 - 1 / ns) ** (ns - 1) - 1)))


def _spectral(seen: Observed) -> float:
    """max_N | ||x_N|| / radius^N - 1 | with the radius of (I + gamma F)^{-1} from numpy."""
    step, worst = _step(seen.instance.params), 0.0
    for N, run in zip(seen.x.astype(int), seen.runs, strict=True):
        F = _member(seen.instance, int(N)).matrix()
        radius = np.max(np.abs(np.linalg.eigvals(np.linalg.inv(np.eye(2) + step * F))))
        worst = max(worst, abs(np.linalg.norm(run.iterates[0, -1]) / radius ** int(N) - 1))
    return float(worst)


PP_SPEC = Spec(
    problem=lambda p, seed: proximal_point_worst_case(p["n_max"], _step(p), p["rho"]),
    family=Family(lambda i: horizons(i["n_min"], i["n_max"]), _member,
                  "N (each point: the worst operator for N steps)"),
    constants=lambda q, p: {D: 1.0, gamma: _step(p), rho: p["rho"]},
    method=lambda i: ProximalPoint(_step(i.params)), x0=lambda i: np.array([1.0, 0.0]),
    quantity=residual_squared, bound=Bound(PP_BOUND),
    checks=(
        BoundHolds("the theorem's constant, at every N"),
        Within("attains (1 - 1/N)^(N-1) / (gamma (gamma - 2 rho) N): relative deviation",
               _attains, 0.0, 1e-8, "the exact value on the worst member (closed form)"),
        Within("||x_N|| = spectral radius^N (numpy eigvals): relative deviation", _spectral,
               0.0, 1e-9, "(I + gamma F)^{-1} is normal: its power is its radius^N"),
    ),
    extra=lambda seen: {"a_N": [float(_member(seen.instance, int(n)).moduli[0])
                                for n in seen.x]},
)

LEG_HORIZONS = (2, 5, 10, 20, 50)
"""Where the worst-case leg compares: ``rates.spec.values_at(PP_SPEC, params, seed,
LEG_HORIZONS)`` are the measured ||F(x_N)||^2 on the member for each N, to hold against the exact
worst case over the class (a performance-estimation program, small N) and the bound."""

PEP_HORIZONS = (2, 5, 10)
"""The horizons of the PEP leg (the member is undefined at N = 1; N = 20 takes seconds)."""

PP_WITH_LEG = replace(PP_SPEC, checks=(*PP_SPEC.checks, WorstCaseLeg(
    PEP_HORIZONS, lambda: PP_SPEC,
    lambda i, n: worst_case.proximal_point(n, gamma=_step(i.params), rho=i["rho"], R=1.0),
    lambda i, n: float(i.bound(np.array([float(n)]))[0]),
    "the member for N is the worst operator of the class: it attains the PEP value, under the "
    "paper's constant")))

PROXIMAL_POINT = Claim(
    id="comonotone-pp", mode=Mode.TIGHT,
    title="Proximal point on rho-negatively comonotone F, gamma > 2 rho: ||F(x_N)||^2 = O(1/N), "
          "tight",
    paper=Paper(PAPER["authors"], PAPER["title"], PAPER["year"], PAPER["arxiv"],
                "Theorem 3.1 (inferred constant)", venue=PAPER["venue"]),
    statement="For rho-negatively comonotone F and gamma > 2 rho, proximal point has "
              "||F(x_N)||^2 <= ||x_0 - x*||^2/(gamma (gamma - 2 rho) N), and a 2-D rotation "
              "chosen for N attains it up to (1 - 1/N)^(N-1) -> 1/e.",
    math=r"\|F(x_N)\|^2 \le \frac{\|x_0-x^\star\|^2}{\gamma(\gamma-2\rho)N}",
    tolerance=Tolerance(0.02, 0.02, "exact worst case: the only curvature is (1 - 1/N)^(N-1) "
                        "approaching 1/e, 0.001 in slope over N >= 100"),
    parameters=(
        P("rho", 0.25, "comonotonicity constant rho", 1e-3, 10.0),
        P("gamma_2rho", 2.0, "proximal step as a multiple of 2 rho (the theorem needs > 1; 0.5 "
          "makes I + gamma F singular on F = -I/rho)", 0.01, 100.0),
        P("n_min", 100, "smallest horizon N of the family", 2, 1_000_000),
        P("n_max", 6400, "largest horizon N (doubling from n_min)", 8, 10_000_000),
        P("instance", "worst-for-N", "the member run for N steps",
          choices=("worst-for-N", "fixed")),
    ),
    experiment=PP_WITH_LEG,
    control=Control({"gamma_2rho": 0.75}, "gamma = 1.5 rho < 2 rho: on the worst member "
                    "F = -I/rho each step multiplies x by 1/(1 - gamma/rho) = -2: PP diverges"),
    more_controls=(Control({"instance": "fixed"}, "too fast: the member worst for N = n_min, "
                           "kept for every N, contracts linearly: ||F(x_N)||^2 ~ (1 + 1/99)^-N"),),
)


# --- comonotone-eg -------------------------------------------------------------------------------

def egplus_radii(rho_L: np.ndarray, gamma1: np.ndarray, gamma2: np.ndarray,
                 moduli: int = 24, angles: int = 12) -> tuple[np.ndarray, np.ndarray]:
    """For each rho L: min over step pairs of the max spectral radius of EG+ over the class.

    The class: F = a Rot(theta), 0 < a <= L = 1, 0 <= theta <= arccos(-rho a) (every
    rho-comonotone 1-Lipschitz scaled rotation, on a grid).  F is normal, so the iteration matrix
    I - gamma2 F + gamma1 gamma2 F^2 has the eigenvalues p(a e^{+-i theta}) with
    p(l) = 1 - gamma2 l + gamma1 gamma2 l^2.  Returns (radius[rho], best pair[rho, 2]).
    """
    a = np.geomspace(1e-3, 1.0, moduli)[:, None]
    g1 = np.asarray(gamma1, float)[:, None, None, None]
    g2 = np.asarray(gamma2, float)[None, :, None, None]
    radii, best = [], []
    for r in np.asarray(rho_L, float):
        theta = np.arccos(np.clip(-r * a, -1.0, 1.0)) * np.linspace(0.0, 1.0, angles)[None, :]
        lam = (a * np.exp(1j * theta))[None, None]
        worst = np.abs(1.0 - g2 * lam + g1 * g2 * lam**2).max(axis=(2, 3))
        i, j = np.unravel_index(np.argmin(worst), worst.shape)
        radii.append(worst[i, j])
        best.append((float(np.ravel(g1)[i]), float(np.ravel(g2)[j])))
    return np.array(radii), np.array(best)


def og_radii(rho_L: np.ndarray, gammas: np.ndarray, moduli: int = 24,
             angles: int = 12) -> np.ndarray:
    """Like :func:`egplus_radii` for optimistic gradient y+ = y - 2 g F y + g F y_-: the roots
    of z^2 - (1 - 2 g l) z - g l = 0 for each eigenvalue l; min over g of the max over the class.
    """
    a = np.geomspace(1e-3, 1.0, moduli)[:, None]
    g = np.asarray(gammas, float)[:, None, None]
    out = []
    for r in np.asarray(rho_L, float):
        theta = np.arccos(np.clip(-r * a, -1.0, 1.0)) * np.linspace(0.0, 1.0, angles)[None, :]
        lam = (a * np.exp(1j * theta))[None]
        b = 2 * g * lam - 1
        disc = np.sqrt(b * b + 4 * g * lam + 0j)
        roots = np.maximum(np.abs((-b + disc) / 2), np.abs((-b - disc) / 2))
        out.append(roots.max(axis=(1, 2)).min())
    return np.array(out)


SWEEP_RHO_L = np.array([0.1, 0.2, 0.3, 0.4, 0.45, 0.5, 0.55, 0.6, 0.75, 0.9])
SWEEP_GAMMA1 = np.linspace(0.02, 1.2, 60)
SWEEP_GAMMA2 = np.geomspace(1e-3, 1.2, 40)


@lru_cache(maxsize=1)
def _sweep() -> tuple[int, float]:
    """(rho L values whose stability disagrees with rho L < 1/2, max |closed-form radius -
    numpy eigvals radius| on the extreme rotation at each best pair)."""
    radii, best = egplus_radii(SWEEP_RHO_L, SWEEP_GAMMA1, SWEEP_GAMMA2)
    wrong = int(np.sum((radii < 1.0) != (SWEEP_RHO_L < 0.5)))
    worst = 0.0
    for r, (g1, g2) in zip(SWEEP_RHO_L, best, strict=True):
        F = comonotone_rotation(r).matrix()
        G = np.eye(2) - g2 * F + g1 * g2 * F @ F
        lam = np.exp(1j * np.arccos(-r))
        worst = max(worst, abs(np.max(np.abs(np.linalg.eigvals(G)))
                               - abs(1 - g2 * lam + g1 * g2 * lam**2)))
    return wrong, worst


def _steps(i) -> tuple[float, float]:
    g1 = i["gamma1_L"] / i.problem.L
    return g1, i["gamma2_ratio"] * g1


def _egplus_method(i):
    if i["method"] == "og":
        return OptimisticGradient(0.5 / i.problem.L)
    g1, g2 = _steps(i)
    return Extragradient(g1, update_step=g2)


def _extreme_block(seen: Observed) -> float:
    """|(||x_200|| on the extreme rotation alone)^(1/200) - its spectral radius| (EG+ only)."""
    if seen.instance["method"] != "eg+":
        return 0.0
    g1, g2 = _steps(seen.instance)
    F = comonotone_rotation(seen.instance["rho"])
    G = np.eye(2) - g2 * F.matrix() + g1 * g2 * F.matrix() @ F.matrix()
    radius = float(np.max(np.abs(np.linalg.eigvals(G))))
    run = Extragradient(g1, update_step=g2).run(F, 200, x0=np.array([1.0, 0.0]),
                                                checkpoints=np.array([200]))
    if run.first_divergence is not None:
        return float("inf")
    return abs(float(np.linalg.norm(run.iterates[0, -1])) ** (1 / 200) - radius)


EG_PLUS_SPEC = Spec(
    problem=lambda p, seed: comonotone_blocks(p["rho"], 1.0, p["a_min"], p["blocks"]),
    method=_egplus_method, x0=lambda i: np.ones(i.problem.d), quantity=residual_squared,
    bound=Bound(C / k), window=lambda i: (i["window_start"], i["horizon"]), xlabel="iteration N",
    checks=(
        Within("the extreme block alone contracts by its spectral radius (numpy eigvals)",
               _extreme_block, 0.0, 1e-12, "EG+ is linear on a rotation: the measured "
               "contraction is the iteration matrix's radius"),
        Within("EG+ stability on the class disagrees with rho L < 1/2 at (count)",
               lambda s: _sweep()[0], 0, 0, "the exact sweep of spectral radii: stable below "
               "1/2, no step pair above [1]"),
        Within("closed-form radius - numpy eigvals, extreme rotation", lambda s: _sweep()[1],
               0.0, 1e-12, "the sweep's closed form is the iteration matrix's radius"),
        Within("OG (gamma = 1/(2L)) at rho L = 0.1: slope", rate_with(
            lambda: EG_PLUS_SPEC, {"rho": 0.1, "method": "og"}), 0.95, 1.05,
            "one step size also gives 1/N where it is stable (rho L < ~0.2)"),
    ),
)

LEG_HORIZONS_EG = (5, 10, 20, 50)
"""The worst-case leg of EG+: ``values_at(EG_PLUS_SPEC, params, seed, LEG_HORIZONS_EG)``."""

PEP_HORIZONS_EG = (1, 2, 5, 10)
"""The horizons of the EG+ PEP leg (two oracle calls a step: N = 10 takes about 1.5 s)."""

LEG_GAMMA1_L = 0.8
"""The extrapolation step of the EG+ leg, times L: at the claim's 1/L the class's worst case is
||F(x_N)||^2 = L^2 ||x_0 - x*||^2 at every N (F = L I stalls EG+); inside, at 0.8/L, it decays."""


def _egplus_worst(i, n: int):
    g1, g2 = _steps(i)
    L = i.problem.L
    return worst_case.extragradient(n, gamma1_L=g1 * L, gamma2_L=g2 * L, rho_L=i["rho"] * L, L=L,
                                    R=float(np.linalg.norm(np.ones(i.problem.d)
                                                           - i.problem.x_star)))


EG_PLUS_WITH_LEG = replace(EG_PLUS_SPEC, checks=(*EG_PLUS_SPEC.checks, WorstCaseLeg(
    PEP_HORIZONS_EG, lambda: EG_PLUS_SPEC, _egplus_worst, None,
    "EG+ at gamma1 = 0.8/L on the blocks stays under the PEP worst case over L-Lipschitz "
    "rho-comonotone F (no constant of the paper to hold it to)",
    overrides={"gamma1_L": LEG_GAMMA1_L, "method": "eg+"})))

EG_PLUS = Claim(
    id="comonotone-eg", mode=Mode.TIGHT,
    title="EG+ on rho-negatively comonotone F: ||F(x_N)||^2 = O(1/N) for rho L < 1/2, and no "
          "step pair works once rho L >= 1/2",
    paper=Paper(PAPER["authors"], PAPER["title"], PAPER["year"], PAPER["arxiv"],
                "Section 4 (EG+); counter-examples for rho >= 1/(2L)", venue=PAPER["venue"]),
    statement="EG+ (extrapolation gamma1, update gamma2 < gamma1) on a rho-negatively "
              "comonotone L-Lipschitz F with rho L < 1/2 has ||F(x_N)||^2 = O(1/N), tight; for "
              "rho L >= 1/2 there are such F on which it fails for every step pair.",
    math=r"\|F(x_N)\|^2 = O(1/N)\ \text{for}\ \rho L < 1/2",
    tolerance=Tolerance(0.05, 0.05, "the log-spaced moduli give 1/N up to ~0.01 of ripple; 0.05 "
                        "admits that and rejects the linear rate of a single block"),
    parameters=(
        P("rho", 0.25, "comonotonicity constant (L = 1)", 0.0, 1.0),
        P("gamma1_L", 1.0, "extrapolation step times L", 1e-3, 2.0),
        P("gamma2_ratio", 0.25, "update step / extrapolation step (with gamma1 = 1/L the extreme "
          "rotation needs gamma2 < gamma1 - 2 rho)", 1e-3, 1.0),
        P("a_min", 1e-3, "smallest block modulus", 1e-6, 0.5),
        P("blocks", 60, "number of 2x2 blocks (d = 2 blocks)", 1, 10_000),
        P("horizon", 10_000, "iterations", 100, 10_000_000),
        P("window_start", 100, "first iteration of the fit window: after the large blocks' "
          "transient ~1/(1 - radius), longer near rho L = 1/2", 1, 10_000_000),
        P("method", "eg+", "eg+, or optimistic gradient with gamma = 1/(2L)",
          choices=("eg+", "og")),
    ),
    experiment=EG_PLUS_WITH_LEG,
    control=Control({"rho": 0.55}, "rho L = 0.55 >= 1/2: the extreme rotation's iteration has "
                    "spectral radius 1.13 > 1 at these steps (and >= 1 at every step pair): EG+ "
                    "diverges"),
    more_controls=(Control({"a_min": 0.1}, "too fast: no block slower than a = 0.1, so the "
                           "residual falls geometrically, not like 1/N"),),
)

CLAIMS = [PROXIMAL_POINT, EG_PLUS]
