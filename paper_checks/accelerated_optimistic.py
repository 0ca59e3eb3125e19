"""Accelerated optimistic gradient: O(1/T) last iterate where EG and OG are Theta(1/sqrt(T)).

Problem: a monotone, L-Lipschitz operator F (here a bilinear game, F(x, y) = (sigma y, -sigma x)
for min_x max_y sigma x y), unconstrained.  Measure: ||F(z_T)||, the residual of the last
iterate (the tangent residual of [1] when there are no constraints).

Methods, all with one step size:
* EG / OG (see ``paper_checks.extragradient``): their last iterate is Theta(1/sqrt(T)) [1, 2];
* accelerated optimistic gradient (AOG) = optimism + Halpern anchoring to z_0 (*inferred*
  unconstrained form of [1], whose full text was not available):
      z_{k+1/2} = z_k + (z_0 - z_k)/(k+2) - eta F(z_{k-1/2}),
      z_{k+1}   = z_k + (z_0 - z_k)/(k+2) - eta F(z_{k+1/2}),     z_{-1/2} = z_0.
  Guarantee (upper bound, [1, main theorem]): ||F(z_T)|| = O(||z_0 - z*|| / (eta T)).

(The seed abstract of [1] lost its square roots: the rates are EG/OG Theta(1/sqrt(T)) and AOG
O(1/T).)  The -1/2 of EG and OG is a *worst case*: on a fixed game EG's last iterate converges
faster (linearly, for a nonsingular game).  It appears on a family that changes with T: for each
horizon T the 2-D game with sigma_T = 1/(gamma sqrt(T)), where EG's per-step contraction
sqrt(1 - gamma^2 sigma_T^2 + gamma^4 sigma_T^4) compounds to e^{-1/2} over T steps and
||F(z_T)|| ~ e^{-1/2} ||z_0|| / (gamma sqrt(T)).  The figure's x axis is T and every point is a
different game (sigma_T is in the measurement's extra).  On the same family with the same step,
AOG falls like 1/T or faster (the fitted slope must be at least 0.9; prototype 1.12).

What to look for: EG and OG on a line of slope -1/2, indistinguishable; AOG well below, with
T ||F(z_T)|| bounded (it oscillates, as the anchored iterate winds around z*).  The control's
step is above AOG's stability limit (~0.58/L on a rotation) for every member: it diverges.

Not claimed: that EG is slower than 1/T on a *fixed* instance -- it is not.

References
[1] Y. Cai, W. Zheng. Doubly optimal no-regret learning in monotone games. ICML 2023,
    arXiv 2301.13120.
[2] N. Golowich, S. Pattathil, C. Daskalakis, A. Ozdaglar. Last iterate is slower than averaged
    iterate in smooth convex-concave saddle point problems. COLT 2020, arXiv 2002.00057.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import sympy as sp

from experiments.vi import accelerated_optimistic, extragradient
from problems.vi import bilinear_worst_case
from rates import fit
from rates.bound import Bound, k
from rates.claim import Check, Claim, Control, Measurement, Mode, Paper, Tolerance
from rates.measure import fitted
from rates.params import Parameter

C = sp.Symbol("C", positive=True)
AOG_BOUND = C / k
"""[1]: ||F(z_T)|| = O(||z_0 - z*|| / (eta T)); the constant C is left symbolic (the form of the
method is inferred, so its constant is not asserted, and no bound line is drawn)."""


def horizons(t_min: int, t_max: int) -> np.ndarray:
    if t_max < 4 * t_min:
        raise ValueError(f"t_max must be at least 4 t_min, got t_min={t_min}, t_max={t_max}")
    return t_min * 2 ** np.arange(int(np.log2(t_max / t_min)) + 1)


def aog_experiment(p: Mapping[str, Any], seed: int) -> Measurement:
    """||F(z_T)|| of EG, OG (step gamma) and AOG (step eta) on the member for each T.

    eta = eta_L / min_T L_T with min_T L_T = sigma_{T_max} = 1/(gamma sqrt(T_max)).
    Deterministic: the seed does not enter.  z_0 = (1, 1).
    """
    ts = horizons(p["t_min"], p["t_max"])
    step = p["gamma"]
    step_aog = p["eta_L"] * step * np.sqrt(ts[-1])
    z0 = np.array([1.0, 1.0])
    residual = {"eg": np.full(ts.size, np.nan), "og": np.full(ts.size, np.nan),
                "aog": np.full(ts.size, np.nan)}
    sigmas = np.empty(ts.size)
    diverged_at = None
    exact_errors = []
    for i, t in enumerate(ts):
        game = bilinear_worst_case(int(t), step)
        sigmas[i] = game.L
        last = np.array([int(t)])
        runs = {"eg": extragradient(game, step, int(t), z0=z0, checkpoints=last),
                "og": extragradient(game, step, int(t), z0=z0, checkpoints=last, method="og"),
                "aog": accelerated_optimistic(game, step_aog, int(t), z0=z0, checkpoints=last)}
        for name, run in runs.items():
            if run.first_divergence is not None:
                if name == "aog" and diverged_at is None:
                    diverged_at = run.first_divergence
                continue
            residual[name][i] = float(game.residual(run.iterates[0, -1]))
        # exact: EG's iteration matrix I - gamma M + gamma^2 M^2 is normal; ||z_T|| = radius^T
        G = np.eye(2) - step * game.M + step**2 * game.M @ game.M
        radius = float(np.max(np.abs(np.linalg.eigvals(G))))
        exact_errors.append(abs(residual["eg"][i] / (game.L * radius ** int(t)
                                                      * np.linalg.norm(z0)) - 1.0))
    checks: list[Check] = []
    extra: dict[str, Any] = {"T": ts.tolist(), "sigma_T": sigmas.tolist(), "eta": step_aog,
                             "||F(z_T)|| eg": residual["eg"].tolist(),
                             "||F(z_T)|| og": residual["og"].tolist()}
    for name in ("eg", "og"):
        if not np.all(np.isfinite(residual[name])):
            checks.append(Check(f"{name} converges", False, "diverged"))
            continue
        slope = fit.power_law(ts.astype(float), residual[name], (ts[0], ts[-1])).rate
        extra[f"slope {name}"] = slope
        checks.append(Check(f"{name}: slope 1/2 +- 0.1 on the worst-case family",
                            abs(slope - 0.5) <= 0.1, f"slope {slope:.4f}"))
    worst = max(exact_errors)
    checks.append(Check("EG: ||F(z_T)|| = sigma_T radius^T ||z_0|| (numpy eigvals)",
                        bool(worst < 1e-9), f"max relative deviation {worst:.2g}"))
    if diverged_at is None:
        extra["T ||F(z_T)|| aog"] = (ts * residual["aog"]).tolist()
    m = fitted(ts.astype(float), residual["aog"][None, :], law="power_law",
               window=(ts[0], ts[-1]), bound=Bound(AOG_BOUND),
               xlabel="horizon T (each point: the game with sigma_T = 1/(gamma sqrt(T)))",
               ylabel="||F(z_T)||", diverged_at=diverged_at, checks=checks)
    m.extra.update(extra)
    return m


AOG_LAST_ITERATE = Claim(
    id="aog-last-iterate",
    title="Accelerated optimistic gradient: last-iterate ||F(z_T)|| = O(1/T), where EG and OG "
          "are Theta(1/sqrt(T)) on the worst-case family",
    paper=Paper("Y. Cai, W. Zheng", "Doubly optimal no-regret learning in monotone games", 2023,
                "2301.13120", "main theorem (AOG last iterate; inferred unconstrained form)",
                venue="ICML 2023"),
    statement="On monotone Lipschitz games, the last iterate of the accelerated optimistic "
              "gradient method has ||F(z_T)|| = O(1/T), while EG and OG are Theta(1/sqrt(T)) "
              "(attained on a game that depends on T).",
    math=r"\|F(z_T)\| = O\!\left(\frac{\|z_0 - z^\star\|}{\eta T}\right)",
    mode=Mode.UPPER,
    law="power_law",
    tolerance=Tolerance(0.1, 0.0, "an O(1/T) bound on an oscillating residual (anchored "
                                  "iterates wind around z*): accept slopes from 0.9 up"),
    parameters=(
        Parameter("gamma", 0.5, "step size of EG and OG (and the family's sigma_T = "
                  "1/(gamma sqrt(T)))", 1e-3, 10.0),
        Parameter("eta_L", 0.0125, "AOG's step times min_T L_T = sigma_{T_max} (0.0125: "
                  "eta = gamma at T_max = 6400)", 1e-6, 10.0),
        Parameter("t_min", 100, "smallest horizon T of the family", 2, 1_000_000),
        Parameter("t_max", 6400, "largest horizon T (doubling from t_min)", 8, 10_000_000),
    ),
    experiment=aog_experiment,
    control=Control({"eta_L": 0.6}, "eta = 0.6/min_T L_T puts eta L_T >= 0.6 above AOG's "
                                    "stability limit (~0.58) on every member: AOG diverges"),
)

CLAIMS = [AOG_LAST_ITERATE]
