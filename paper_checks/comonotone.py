"""Proximal point and EG+ beyond monotonicity: negatively comonotone operators.

Problem: find x* with F(x*) = 0, F rho-negatively comonotone,
    <F(x) - F(y), x - y> >= -rho ||F(x) - F(y)||^2      for all x, y,
and L-Lipschitz.  The simplest such operators are scaled rotations F = a Rot(theta): they are
rho-comonotone exactly when cos(theta) >= -rho a, so F = L Rot(theta) with cos(theta) = -rho L is
the extreme one, and all the dynamics below are linear (checked against numpy's eigenvalues).

Methods:
* proximal point (PP)  x_{k+1} = (I + gamma F)^{-1} x_k
* EG+                  x~_k = x_k - gamma1 F(x_k),   x_{k+1} = x_k - gamma2 F(x~_k),
                       with gamma2 < gamma1

Guarantees of Gorbunov, Taylor, Horvath & Gidel [1]:
* PP, gamma > 2 rho (tight, [1, Theorem 3.1]; the constant is *inferred*, the full text was not
  available): ||F(x_N)||^2 <= ||x_0 - x*||^2 / (gamma (gamma - 2 rho) N).  Tight: for each N the
  2-D member with gamma a_N^2 (gamma - 2 rho) = 1/(N - 1) (the exact maximiser over the family)
  has N gamma (gamma - 2 rho) ||F(x_N)||^2 = (1 - 1/N)^{N-1} ||x_0||^2 -> e^{-1}.  The instance
  changes with N: the figure's x axis is N and every point is a different operator.  With
  gamma < 2 rho, PP diverges on F = -I/rho (a = 1/rho, theta = pi), the control.
* EG+ (upper bound O(1/N) on ||F(x_N)||^2, tight on the class; [1, Section 4] with the
  condition rho < 1/(2L) of Pethick et al. [2]): converges for rho L < 1/2 with suitable steps,
  and for rho L >= 1/2 *no* step pair makes the linear iteration stable on every
  rho-comonotone L-Lipschitz rotation: the sweep of exact spectral radii below shows the
  boundary.  On the block operator with moduli log-spaced in [a_min, L] (each block exactly
  rho-comonotone), ||F(x_N)||^2 falls like 1/N over the decades where the small blocks are
  still converging, the spectral analogue of GD's 1/lambda density.

Optimistic gradient (one step size gamma) is checked alongside EG+ at rho L = 0.1, where it
also gives 1/N; by the same exact sweep its stable range on the class is narrower (it needs
gamma > 2 rho for the small moduli and gamma L < ~1/2 for the large ones: about rho L < 0.2).

What to look for: PP's points lie on slope -1 with N gamma (gamma - 2 rho) ||F||^2 flattening at
e^{-1} ~ 0.37 under the bound 1; EG+'s residual is a straight line of slope -1; the sweep's
minimal spectral radius crosses 1 at rho L = 1/2.

Not claimed: anything about EG+ with the textbook steps gamma2 = gamma1/2 = 1/(2L) at
rho L = 1/4 -- there the extreme rotation has spectral radius exactly 1 (with gamma1 = 1/L it
needs gamma2 < gamma1 - 2 rho, found by the exact radius), so it stalls.

References
[1] E. Gorbunov, A. Taylor, S. Horvath, G. Gidel. Convergence of proximal point and
    extragradient-based methods beyond monotonicity: the case of negative comonotonicity.
    ICML 2023, arXiv 2210.13831.
[2] T. Pethick, P. Patrinos, O. Fercoq, V. Cevher. Escaping limit cycles: global convergence
    for constrained nonconvex-nonconcave minimax problems. ICLR 2022.
[3] J. Diakonikolas, C. Daskalakis, M. I. Jordan. Efficient methods for structured
    nonconvex-nonconcave min-max optimization. AISTATS 2021, arXiv 2011.00364.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import sympy as sp

from experiments.vi import extragradient, proximal_point
from problems.comonotone import comonotone_blocks, comonotone_rotation, proximal_point_worst_case
from rates import fit
from rates.bound import Bound, k
from rates.claim import Check, Claim, Control, Measurement, Mode, Paper, Tolerance
from rates.measure import bound_holds, fitted
from rates.params import Parameter

PAPER = dict(authors="E. Gorbunov, A. Taylor, S. Horvath, G. Gidel",
             title="Convergence of proximal point and extragradient-based methods beyond "
                   "monotonicity: the case of negative comonotonicity",
             year=2023, arxiv="2210.13831", venue="ICML 2023")

D, gamma, rho, C = sp.symbols("D gamma rho C", positive=True)
PP_BOUND = D**2 / (gamma * (gamma - 2 * rho) * k)
"""[1, Theorem 3.1] (inferred constant): ||F(x_N)||^2 <= ||x0 - x*||^2/(gamma (gamma - 2 rho) N)."""


def horizons(n_min: int, n_max: int) -> np.ndarray:
    """N = n_min, 2 n_min, 4 n_min, ... up to n_max: one family member per N."""
    if n_max < 2 * n_min:
        raise ValueError(f"n_max must be at least 2 n_min, got n_min={n_min}, n_max={n_max}")
    return n_min * 2 ** np.arange(int(np.log2(n_max / n_min)) + 1)


# --- comonotone-pp -------------------------------------------------------------------------------

def proximal_point_experiment(p: Mapping[str, Any], seed: int) -> Measurement:
    """||F(x_N)||^2 after N PP steps on the worst member for N, for N = n_min ... n_max.

    Deterministic: the seed does not enter.  x_0 = (1, 0), so ||x_0 - x*|| = 1.
    """
    ns = horizons(p["n_min"], p["n_max"])
    r = p["rho"]
    step = p["gamma_2rho"] * 2.0 * r
    x0 = np.array([1.0, 0.0])
    values = np.full(ns.size, np.nan)
    moduli = np.empty(ns.size)
    exact_errors: list[float] = []
    diverged_at = None
    for i, n in enumerate(ns):
        member = proximal_point_worst_case(int(n), step, r)
        moduli[i] = member.moduli[0]
        run = proximal_point(member, step, int(n), z0=x0, checkpoints=np.array([int(n)]))
        if run.first_divergence is not None:
            diverged_at = run.first_divergence
            break
        values[i] = member.residual(run.iterates[0, -1]) ** 2
        # exact: the iteration matrix (I + gamma F)^{-1} is normal, so ||x_N|| = radius^N
        P = np.linalg.inv(np.eye(2) + step * member.matrix())
        radius = np.max(np.abs(np.linalg.eigvals(P)))
        simulated = np.linalg.norm(run.iterates[0, -1]) / np.linalg.norm(x0)
        exact_errors.append(abs(simulated / radius ** int(n) - 1.0))
    bound = Bound(PP_BOUND, constants={D: 1.0, gamma: step, rho: r})
    checks: list[Check] = []
    extra: dict[str, Any] = {"N": ns.tolist(), "a_N": moduli.tolist()}
    if diverged_at is None:
        c = step * (step - 2 * r)
        scaled = ns * c * values
        closed = (1.0 - 1.0 / ns) ** (ns - 1)
        extra["N gamma (gamma - 2 rho) ||F(x_N)||^2"] = scaled.tolist()
        checks.append(bound_holds(ns, values, bound))
        worst = float(np.max(np.abs(scaled / closed - 1.0)))
        checks.append(Check("attains (1 - 1/N)^(N-1) / (gamma (gamma - 2 rho) N)",
                            bool(worst < 1e-8),
                            f"max relative deviation {worst:.2g}; at N = {ns[-1]}: "
                            f"{scaled[-1]:.6f} (e^-1 = {np.exp(-1):.6f})"))
        worst = max(exact_errors)
        checks.append(Check("||x_N|| = spectral radius^N (numpy eigvals)", bool(worst < 1e-9),
                            f"max relative deviation {worst:.2g}"))
    m = fitted(ns.astype(float), values[None, :], law="power_law", window=(ns[0], ns[-1]),
               bound=bound, xlabel="N (each point: the worst operator for N steps)",
               ylabel="||F(x_N)||^2", diverged_at=diverged_at, checks=checks)
    m.extra.update(extra)
    return m


PROXIMAL_POINT = Claim(
    id="comonotone-pp",
    title="Proximal point on rho-negatively comonotone F, gamma > 2 rho: ||F(x_N)||^2 = O(1/N), "
          "tight",
    paper=Paper(PAPER["authors"], PAPER["title"], PAPER["year"], PAPER["arxiv"],
                "Theorem 3.1 (inferred constant)", venue=PAPER["venue"]),
    statement="For rho-negatively comonotone F and gamma > 2 rho, proximal point has "
              "||F(x_N)||^2 <= ||x_0 - x*||^2/(gamma (gamma - 2 rho) N), and a 2-D rotation "
              "chosen for N attains it up to (1 - 1/N)^(N-1) -> 1/e.",
    math=r"\|F(x_N)\|^2 \le \frac{\|x_0-x^\star\|^2}{\gamma(\gamma-2\rho)N}",
    mode=Mode.TIGHT,
    law="power_law",
    tolerance=Tolerance(0.02, 0.02, "exact worst case: the only curvature is (1 - 1/N)^(N-1) "
                                    "approaching 1/e, 0.001 in slope over N >= 100"),
    parameters=(
        Parameter("rho", 0.25, "comonotonicity constant rho", 1e-3, 10.0),
        Parameter("gamma_2rho", 2.0, "proximal step as a multiple of 2 rho (the theorem needs "
                  "> 1; 0.5 makes I + gamma F singular on F = -I/rho)", 0.01, 100.0),
        Parameter("n_min", 100, "smallest horizon N of the family", 2, 1_000_000),
        Parameter("n_max", 6400, "largest horizon N (doubling from n_min)", 4, 10_000_000),
    ),
    experiment=proximal_point_experiment,
    control=Control({"gamma_2rho": 0.75}, "gamma = 1.5 rho < 2 rho: on the worst member F = -I/rho "
                                      "each step multiplies x by 1/(1 - gamma/rho) = -2, and PP "
                                      "diverges"),
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


OG_RHO_L = 0.1
"""Optimistic gradient is checked at rho L = 0.1: with one step size its stable range on the
class is narrower than EG+'s (about rho L < 0.2 by the exact sweep, see the tests)."""

SWEEP_RHO_L = np.array([0.1, 0.2, 0.3, 0.4, 0.45, 0.5, 0.55, 0.6, 0.75, 0.9])
SWEEP_GAMMA1 = np.linspace(0.02, 1.2, 60)
SWEEP_GAMMA2 = np.geomspace(1e-3, 1.2, 40)


def _stability_checks() -> tuple[list[Check], dict[str, Any]]:
    radii, best = egplus_radii(SWEEP_RHO_L, SWEEP_GAMMA1, SWEEP_GAMMA2)
    stable = radii < 1.0
    boundary_ok = bool(np.all(stable == (SWEEP_RHO_L < 0.5)))
    # the class holds moduli down to 1e-3, whose radius tends to 1 from below: a stable rho L
    # sits just under 1, an unstable one above it
    detail = "rho L: radius - 1 = " + ", ".join(
        f"{r:g}: {x - 1:+.1e}" for r, x in zip(SWEEP_RHO_L, radii, strict=True))
    checks = [Check("EG+ stable on the class iff rho L < 1/2 (min over step pairs of the max "
                    "spectral radius)", boundary_ok, detail)]
    # the closed-form eigenvalues are numpy's, on the extreme rotation at each best pair
    worst = 0.0
    for r, (g1, g2) in zip(SWEEP_RHO_L, best, strict=True):
        F = comonotone_rotation(r).matrix()
        G = np.eye(2) - g2 * F + g1 * g2 * F @ F
        lam = np.exp(1j * np.arccos(-r))
        worst = max(worst, abs(np.max(np.abs(np.linalg.eigvals(G)))
                               - abs(1 - g2 * lam + g1 * g2 * lam**2)))
    checks.append(Check("closed-form spectral radius = numpy eigvals", bool(worst < 1e-12),
                        f"max difference {worst:.2g}"))
    return checks, {"sweep rho L": SWEEP_RHO_L.tolist(), "sweep min radius": radii.tolist(),
                    "sweep best steps": best.tolist()}


def egplus_experiment(p: Mapping[str, Any], seed: int) -> Measurement:
    """||F(x_N)||^2 of EG+ on the block operator (moduli log-spaced in [a_min, 1]).

    Deterministic: the seed does not enter.  x_0 = (1, ..., 1).
    """
    problem = comonotone_blocks(p["rho"], 1.0, p["a_min"], p["blocks"])
    g1 = p["gamma1_L"] / problem.L
    g2 = p["gamma2_ratio"] * g1
    horizon = p["horizon"]
    run = extragradient(problem, g1, horizon, gamma_update=g2, z0=np.ones(problem.d))
    residual = problem.residual(run.iterates[0]) ** 2
    checks: list[Check] = []
    extra: dict[str, Any] = {"rho L": problem.comonotonicity * problem.L}
    # exact: on the extreme block alone, the simulated contraction is the spectral radius
    extreme = comonotone_rotation(p["rho"])
    G = np.eye(2) - g2 * extreme.matrix() + g1 * g2 * extreme.matrix() @ extreme.matrix()
    radius = float(np.max(np.abs(np.linalg.eigvals(G))))
    steps = 200
    single = extragradient(extreme, g1, steps, gamma_update=g2, z0=np.array([1.0, 0.0]),
                           checkpoints=np.array([steps]))
    if single.first_divergence is None:
        simulated = float(np.linalg.norm(single.iterates[0, -1])) ** (1.0 / steps)
        checks.append(Check("contraction of the extreme block = its spectral radius",
                            bool(abs(simulated - radius) < 1e-12),
                            f"simulated {simulated:.12f}, numpy {radius:.12f}"))
    extra["extreme block spectral radius"] = radius
    # optimistic gradient (one step 1/(2L)) on the same blocks at rho L = 0.1
    og_problem = comonotone_blocks(OG_RHO_L, 1.0, p["a_min"], p["blocks"])
    og = extragradient(og_problem, 0.5, horizon, method="og", z0=np.ones(og_problem.d))
    if og.first_divergence is not None:
        checks.append(Check("OG converges at rho L = 0.1", False,
                            f"diverged at step {og.first_divergence}"))
    else:
        og_res = og_problem.residual(og.iterates[0]) ** 2
        w = og.checkpoints >= p["window_start"]
        slope = float(fit.power_law(og.checkpoints[w], og_res[w]).rate)
        extra["slope og (rho L = 0.1)"] = slope
        checks.append(Check("OG (gamma = 1/(2L)) at rho L = 0.1: slope 1 +- 0.05",
                            abs(slope - 1.0) <= 0.05, f"slope {slope:.4f}"))
    sweep_checks, sweep_extra = _stability_checks()
    checks += sweep_checks
    extra.update(sweep_extra)
    m = fitted(run.checkpoints, residual[None, :], law="power_law",
               window=(p["window_start"], horizon), bound=Bound(C / k), xlabel="iteration N",
               ylabel="||F(x_N)||^2", diverged_at=run.first_divergence, checks=checks)
    m.extra.update(extra)
    return m


EG_PLUS = Claim(
    id="comonotone-eg",
    title="EG+ on rho-negatively comonotone F: ||F(x_N)||^2 = O(1/N) for rho L < 1/2, and no "
          "step pair works once rho L >= 1/2",
    paper=Paper(PAPER["authors"], PAPER["title"], PAPER["year"], PAPER["arxiv"],
                "Section 4 (EG+); counter-examples for rho >= 1/(2L)", venue=PAPER["venue"]),
    statement="EG+ (extrapolation gamma1, update gamma2 < gamma1) on a rho-negatively "
              "comonotone L-Lipschitz F with rho L < 1/2 has ||F(x_N)||^2 = O(1/N), tight; for "
              "rho L >= 1/2 there are such F on which it fails for every step pair.",
    math=r"\|F(x_N)\|^2 = O(1/N)\ \text{for}\ \rho L < 1/2",
    mode=Mode.TIGHT,
    law="power_law",
    tolerance=Tolerance(0.05, 0.05, "the log-spaced moduli give 1/N up to ~0.01 of ripple; 0.05 "
                                    "admits that and rejects the linear rate of a single block"),
    parameters=(
        Parameter("rho", 0.25, "comonotonicity constant (L = 1)", 0.0, 1.0),
        Parameter("gamma1_L", 1.0, "extrapolation step times L", 1e-3, 2.0),
        Parameter("gamma2_ratio", 0.25, "update step / extrapolation step (with gamma1 = 1/L "
                  "the extreme rotation needs gamma2 < gamma1 - 2 rho)", 1e-3, 1.0),
        Parameter("a_min", 1e-3, "smallest block modulus", 1e-6, 0.5),
        Parameter("blocks", 60, "number of 2x2 blocks (d = 2 blocks)", 1, 10_000),
        Parameter("horizon", 10_000, "iterations", 100, 10_000_000),
        Parameter("window_start", 100, "first iteration of the fit window: after the large "
                  "blocks' transient ~1/(1 - radius), longer near rho L = 1/2", 1, 10_000_000),
    ),
    experiment=egplus_experiment,
    control=Control({"rho": 0.55}, "rho L = 0.55 >= 1/2: the extreme rotation's iteration has "
                                   "spectral radius 1.13 > 1 at these steps (and >= 1 at every "
                                   "step pair): EG+ diverges"),
)

CLAIMS = [PROXIMAL_POINT, EG_PLUS]
