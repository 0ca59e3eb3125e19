"""A user's own claim: gradient descent with Polyak's step size on a strongly convex quadratic.

This file is *not* part of the catalogue: it shows how to check a rate of your own with
``rates check --claims examples/polyak_step_size.py`` (or ``--claims examples/``).  It brings its
own method (not one of ``experiments.methods``), written here as a plain class with ``.run``, and
takes the problem from ``problems``.

Problem: f(x) = 1/2 (x - x*)^T A (x - x*), spectrum of A in [mu, L], kappa = L/mu, f* known.
Method [1]: x_{k+1} = x_k - gamma (f(x_k) - f*) / ||g_k||^2 g_k, g_k = grad f(x_k), gamma in (0, 2).

The rate (upper), derived here.  With e = x - x* and alpha = gamma (f - f*)/||g||^2,

    ||e_{k+1}||^2 = ||e||^2 - 2 alpha <g, e> + alpha^2 ||g||^2
                 <= ||e||^2 - (2 gamma - gamma^2) (f - f*)^2 / ||g||^2  [convex: <g, e> >= f - f*]
                 <= ||e||^2 - (2 gamma - gamma^2) (f - f*) / (2 L)  [smooth: ||g||^2 <= 2L(f - f*)]
                 <= (1 - (2 gamma - gamma^2) / (4 kappa)) ||e||^2   [strongly convex]

so at gamma = 1, ||x_k - x*||^2 / ||x_0 - x*||^2 <= (1 - 1/(4 kappa))^k at every k.  Since the
bound holds step by step, the least-squares slope of log ||e_k||^2 over any window (a positive
average of the per-step slopes) is at most log(1 - 1/(4 kappa)): the claim is an upper bound.

Control: gamma = 1e-3.  Then alpha <= gamma / (2 mu), so every eigen-component contracts by at
least 1 - gamma kappa / 2 per step, and ||e_k||^2 falls no faster than (1 - gamma kappa / 2)^(2k)
= 0.990^k at kappa = 10: slower than the bound's 0.975, so the same assertion must fail.

[1] B. T. Polyak, Minimization of unsmooth functionals, USSR Comput. Math. Math. Phys. 9(3),
    1969 (the step size; no arXiv).
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from experiments.run import DIVERGENCE_LIMIT, Run
from problems import quadratic
from rates.bound import Bound, k
from rates.claim import Claim, Control, Mode, Paper, Tolerance
from rates.params import Parameter as P
from rates.spec import BoundHolds, Quantity, Spec, gaussian_start


class PolyakStepGD:
    """Gradient descent with Polyak's step gamma (f(x) - f*)/||grad f(x)||^2 on a quadratic
    in its eigenbasis (``problems.quadratic``), vectorised over runs with NumPy."""

    def __init__(self, gamma: float = 1.0) -> None:
        if not 0 < gamma < 2:
            raise ValueError(f"gamma must lie in (0, 2), got {gamma!r}")
        self.gamma = gamma

    def run(self, problem, horizon: int, *, runs: int = 1, seed: int = 0,
            x0: np.ndarray | None = None, checkpoints: np.ndarray | None = None) -> Run:
        lam, x_star = problem.eigenvalues, problem.x_star
        x = np.broadcast_to(x_star if x0 is None else x0, (runs, x_star.size)).astype(float)
        marks = np.arange(horizon + 1) if checkpoints is None else np.asarray(checkpoints)
        iterates = np.full((runs, marks.size, x_star.size), np.nan)
        diverged = np.full(runs, -1, dtype=np.int64)
        j = 0
        for step in range(horizon + 1):
            if j < marks.size and step == marks[j]:
                iterates[:, j] = x
                j += 1
            e = x - x_star
            g = lam * e
            gap = 0.5 * np.sum(lam * e * e, axis=1)
            norm2 = np.sum(g * g, axis=1)
            alpha = np.divide(self.gamma * gap, norm2, out=np.zeros(runs), where=norm2 > 0)
            x = x - alpha[:, None] * g
            bad = (diverged < 0) & ~(np.sum(x * x, axis=1) < DIVERGENCE_LIMIT)
            diverged[bad] = step + 1
        return Run(checkpoints=marks, iterates=iterates, diverged_at=diverged, seed=seed)


def _relative_sq_dist(inst, run) -> np.ndarray:
    sq = np.sum((run.iterates - inst.problem.x_star) ** 2, axis=-1)
    return sq / sq[:, :1]


kappa = sp.symbols("kappa", positive=True)
CLAIM = Claim(
    id="user-polyak-step-size", mode=Mode.UPPER,
    title="GD with Polyak's step size contracts ||x - x*||^2 by at least 1 - 1/(4 kappa) per step",
    paper=Paper("B. T. Polyak", "Minimization of unsmooth functionals", 1969, None,
                "the step size; the rate is derived in this file",
                venue="USSR Comput. Math. Math. Phys. 9(3)"),
    statement="On a mu-strongly convex, L-smooth quadratic, gradient descent with Polyak's step "
              "(f - f*)/||g||^2 satisfies ||x_k - x*||^2 <= (1 - 1/(4 kappa))^k ||x_0 - x*||^2.",
    tolerance=Tolerance(0.0, 0.1, "an upper bound holds step by step, so the fit may only be "
                        "faster; 10% of -ln rho admits the fit's CI at the bound", relative=True),
    parameters=(P("kappa", 10.0, "condition number L/mu", 2.0, 1e4),
                P("d", 50, "dimension", 2, 10**4), P("runs", 10, "x0 ~ N(x*, I)", 5, 1000),
                P("gamma", 1.0, "multiple of Polyak's step", 1e-6, 1.0)),
    experiment=Spec(
        problem=lambda p, seed: quadratic(p["d"], L=1.0, mu=1 / p["kappa"], spacing="log"),
        constants=lambda q, p: {kappa: q.L / q.mu},
        method=lambda i: PolyakStepGD(i["gamma"]),
        bound=Bound((1 - 1 / (4 * kappa)) ** k, law="geometric"),
        quantity=Quantity("||x_k - x*||^2 / ||x_0 - x*||^2", _relative_sq_dist),
        x0=gaussian_start, runs="runs", horizon=60, window=(5.0, 60.0),
        checks=(BoundHolds("the bound is proved step by step, so it holds at every k"),)),
    control=Control({"gamma": 1e-3}, "a step 1000 times shorter: no faster than "
                    "(1 - gamma kappa/2)^2 = 0.990 per step, slower than the bound"),
)
