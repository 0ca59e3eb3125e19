"""Accelerated optimistic gradient: O(1/T) last iterate where EG and OG are Theta(1/sqrt(T)).

Problem: a monotone L-Lipschitz operator F, unconstrained; measure ||F(z_T)|| at the last iterate
(the tangent residual of [1] without constraints).  Methods, one step each:

    EG, OG (see extragradient.py): last iterate Theta(1/sqrt(T)) on monotone games [2];
    AOG = optimism + Halpern anchoring to z_0 (the unconstrained form of [1], *inferred*: the
    full text was not available), with z_{-1/2} = z_0:
        z_{k+1/2} = z_k + (z_0 - z_k)/(k+2) - eta F(z_{k-1/2}),
        z_{k+1}   = z_k + (z_0 - z_k)/(k+2) - eta F(z_{k+1/2}).

Upper [1, main theorem]: ||F(z_T)|| = O(||z_0 - z*|| / (eta T)); no first-order method does
better on the class (Omega(L D / T), Yoon & Ryu [3]), so a rate near 2 means a broken method.

The 1/sqrt(T) of EG is a worst case over a family that changes with T: the 2-D game
sigma_T x y, sigma_T = 1/(gamma sqrt(T)), on which EG's contraction sqrt(1 - gamma^2 sigma^2 +
gamma^4 sigma^4) compounds to e^(-1/2) over T steps, ||F(z_T)|| ~ e^(-1/2) ||z_0||/(gamma
sqrt(T)).  The x axis is T and each point a different game; AOG on the same family falls like
1/T (T ||F(z_T)|| winds between ~1 and ~5 as the anchored iterate circles z*, which is why the
horizons are dense: 4 per doubling).  Control: eta above AOG's stability limit (~0.58/L on a
rotation) for every member: it diverges.

Not claimed: that EG is slower than 1/T on a *fixed* game; it is not.

[1] Y. Cai, W. Zheng, Doubly optimal no-regret learning in monotone games, ICML 2023,
    arXiv 2301.13120.
[2] N. Golowich, S. Pattathil, C. Daskalakis, A. Ozdaglar, Last iterate is slower than averaged
    iterate in smooth convex-concave saddle point problems, COLT 2020, arXiv 2002.00057.
[3] T. Yoon, E. K. Ryu, Accelerated algorithms for smooth convex-concave minimax problems with
    O(1/k^2) rate on squared gradient norm, ICML 2021, arXiv 2102.07922.
"""
from __future__ import annotations

import numpy as np
import sympy as sp

from experiments.methods import AcceleratedOptimistic, Extragradient, OptimisticGradient
from problems.vi import bilinear_worst_case
from rates.bound import Bound, k
from rates.claim import Claim, Control, Mode, Paper, Tolerance
from rates.fit import power_law
from rates.params import Parameter as P
from rates.spec import Family, Observed, Quantity, Spec, Within, rate_with

C = sp.Symbol("C", positive=True)
Z0 = np.array([1.0, 1.0])


def horizons(t_min: int, t_max: int, per_octave: int = 4) -> np.ndarray:
    """T = t_min 2^(j/per_octave), rounded, up to t_max: one family member per T."""
    if t_max < 4 * t_min:
        raise ValueError(f"t_max must be at least 4 t_min, got t_min={t_min}, t_max={t_max}")
    j = np.arange(int(np.floor(per_octave * np.log2(t_max / t_min) + 1e-9)) + 1)
    return np.unique(np.round(t_min * 2.0 ** (j / per_octave)).astype(np.int64))


def _eta(p) -> float:
    """eta = eta_L / min_T L_T, min_T L_T = sigma_{T_max} = 1/(gamma sqrt(T_max))."""
    return p["eta_L"] * p["gamma"] * np.sqrt(p["t_max"])


def _method(i):
    if i["method"] == "aog":
        return AcceleratedOptimistic(_eta(i.params))
    return (Extragradient if i["method"] == "eg" else OptimisticGradient)(i["gamma"])


def last_iterate(method: str, sigma: float, step: float, T: int, z0: complex = 1 + 1j) -> complex:
    """z_T of EG, OG or AOG on F(z) = -i sigma z (the game sigma x y as z = x + i y), computed in
    complex arithmetic, independently of the kernels."""
    lam = -1j * sigma
    if method == "eg":  # z+ = (1 - step lam + step^2 lam^2) z
        return (1 - step * lam + (step * lam) ** 2) ** T * z0
    z, g_past = z0, lam * z0
    for t in range(T):
        if method == "og":  # y+ = y - 2 step F(y) + step F(y_-), the first step plain
            g = lam * z
            z = z - (step if t == 0 else 2 * step) * g + (0.0 if t == 0 else step) * g_past
            g_past = g
        else:
            anchor = z + (z0 - z) / (t + 2)
            g_past = lam * (anchor - step * g_past)
            z = anchor - step * g_past
    return z


def _twin(seen: Observed) -> float:
    """max over T of |measured ||F(z_T)|| / twin - 1|."""
    inst = seen.instance
    step = _eta(inst.params) if inst["method"] == "aog" else inst["gamma"]
    worst = 0.0
    for T, value in zip(seen.x.astype(int), seen.values[0], strict=True):
        sigma = 1.0 / (inst["gamma"] * np.sqrt(T))
        twin = sigma * abs(last_iterate(inst["method"], sigma, step, int(T), complex(*Z0)))
        worst = max(worst, abs(value / twin - 1.0))
    return worst


AOG_SPEC = Spec(
    problem=lambda p, seed: bilinear_worst_case(p["t_max"], p["gamma"]),
    family=Family(lambda i: horizons(i["t_min"], i["t_max"], i["per_octave"]),
                  lambda i, T: bilinear_worst_case(T, i["gamma"]),
                  "horizon T (each point: the game with sigma_T = 1/(gamma sqrt(T)))"),
    method=_method, x0=lambda i: Z0,
    quantity=Quantity("||F(z_T)||", lambda i, run: i.problem.residual(run.iterates)),
    bound=Bound(C / k),
    checks=(
        Within("the last iterate = the method's recursion in complex arithmetic (relative)",
               _twin, 0.0, 1e-9, "the same method, computed without the kernel: a different "
               "anchor weight or a lost optimism term moves it at O(1)"),
        Within("not absurdly fast: rate on the family", lambda s: power_law(
            s.x, s.values, (s.x[0], s.x[-1])).rate, 0.0, 2.0, "1/T is optimal on the class [3]: "
            "at rate 2, T ||F(z_T)|| would fall 64-fold over the 64-fold range of T"),
        *(Within(f"{m.upper()}: rate 1/2 on the worst-case family", rate_with(
            lambda: AOG_SPEC, {"method": m}), 0.4, 0.6, "Theta(1/sqrt(T)) [2], attained: EG's "
            "contraction compounds to e^(-1/2) on every member") for m in ("eg", "og")),
    ),
    extra=lambda seen: {"sigma_T": (1.0 / (seen.instance["gamma"] * np.sqrt(seen.x))).tolist(),
                        "T ||F(z_T)||": (seen.x * seen.values[0]).tolist()},
)

AOG_LAST_ITERATE = Claim(
    id="aog-last-iterate", mode=Mode.UPPER,
    title="Accelerated optimistic gradient: last-iterate ||F(z_T)|| = O(1/T), where EG and OG "
          "are Theta(1/sqrt(T)) on the worst-case family",
    paper=Paper("Y. Cai, W. Zheng", "Doubly optimal no-regret learning in monotone games", 2023,
                "2301.13120", "main theorem (AOG last iterate; inferred unconstrained form)",
                venue="ICML 2023"),
    statement="On monotone Lipschitz games, the last iterate of the accelerated optimistic "
              "gradient method has ||F(z_T)|| = O(1/T), while EG and OG are Theta(1/sqrt(T)) "
              "(attained on a game that depends on T).",
    math=r"\|F(z_T)\| = O\!\left(\frac{\|z_0 - z^\star\|}{\eta T}\right)",
    tolerance=Tolerance(0.1, 0.0, "an O(1/T) bound on a residual that winds as the anchored "
                        "iterate circles z*: slopes from 0.9 up (the upper side is a check)"),
    parameters=(
        P("gamma", 0.5, "step size of EG and OG (and the family's sigma_T = 1/(gamma sqrt(T)))",
          1e-3, 10.0),
        P("eta_L", 0.0125, "AOG's step times min_T L_T = sigma_{T_max} (0.0125: eta = gamma at "
          "T_max = 6400)", 1e-6, 10.0),
        P("t_min", 100, "smallest horizon T of the family", 2, 1_000_000),
        P("t_max", 6400, "largest horizon T", 8, 10_000_000),
        P("per_octave", 4, "horizons per doubling of T", 1, 64),
        P("method", "aog", "method measured", choices=("aog", "eg", "og")),
    ),
    experiment=AOG_SPEC,
    control=Control({"eta_L": 0.6}, "eta = 0.6/min_T L_T puts eta L_T >= 0.6 above AOG's "
                    "stability limit (~0.58) on every member: AOG diverges"),
)

CLAIMS = [AOG_LAST_ITERATE]
