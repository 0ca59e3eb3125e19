"""Adam need not converge, even on a one-dimensional linear problem; AMSGrad does [1].

Problem: online convex optimisation on F = [-1, 1].  At step t = 1, 2, ... a linear loss
f_t(x) = c_t x arrives and the method sees its gradient c_t.

Method [1, Algorithm 1 with the exponential averages of Adam, no bias correction, m_0 = v_0 = 0]:

    m_t = b1 m_{t-1} + (1 - b1) c_t,   v_t = b2 v_{t-1} + (1 - b2) c_t^2,
    x_{t+1} = Proj_F( x_t - alpha_t m_t / sqrt(vhat_t) ),   alpha_t = alpha / sqrt(t),

with vhat_t = v_t for Adam and vhat_t = max(vhat_{t-1}, v_t) for AMSGrad [1, Algorithm 2] (on an
interval the sqrt(vhat)-weighted projection is a clip).

Guarantees:

* [1, Theorem 1] (lower bound, an exact construction): c_t = C if t mod 3 = 1, else -1, with
  C > 2, b1 = 0, b2 = 1/(1 + C^2) and alpha < sqrt(1 - b2): from x_1 = 1 Adam keeps returning to
  x = +1, the *worst* point (the average loss (C - 2)x/3 is minimised at -1); its average regret
  does not vanish.
* [1, Theorem 3 and Section 5] (stochastic version): c_t = 1010 with probability 0.01, else -10,
  so E f_t(x) = 0.2 x and x* = -1; with b1 = 0.9, b2 = 0.99 Adam goes to +1.  The rare large
  gradient is divided by the large v it creates itself, while the frequent small ones act at
  small v: the net drift points the wrong way.
* [1, Theorem 4] (upper bound): AMSGrad's regret is O(sqrt(T)), so its average iterate
  approaches -1.  Keeping the largest v makes every step see the same denominator.

What to look for: Adam's iterate jumps to the upper end within a few hundred steps and stays
there (mean 0.96 at 1e5 steps with alpha = 1); AMSGrad's mean drifts down by ~0.3 per decade
(its denominator is the largest v seen, ~1e4, so its steps are small) and is negative by 1e4.
On the cyclic example Adam sits at +1 and AMSGrad reaches -1 in a few hundred steps.

The step alpha is not stated in [1] for the synthetic experiment (*inferred*: alpha = 1 shows
both behaviours within 1e5 steps); for the cyclic example alpha = sqrt(1 - b2)/2, as Theorem 1
requires alpha < sqrt(1 - b2).

References
[1] S. J. Reddi, S. Kale, S. Kumar. On the convergence of Adam and beyond. ICLR 2018,
    arXiv 1904.09237.
[2] D. P. Kingma, J. Ba. Adam: a method for stochastic optimization. ICLR 2015, arXiv 1412.6980.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from experiments import schedules
from experiments.adaptive import adam
from problems.stochastic import cyclic_linear, random_linear
from rates.claim import Check, Claim, Control, Measurement, Mode, Paper, Tolerance, Trace
from rates.params import Parameter

PAPER = Paper("S. J. Reddi, S. Kale, S. Kumar", "On the convergence of Adam and beyond", 2018,
              "1904.09237", "Theorems 1 and 3, Section 5", venue="ICLR 2018")

THRESHOLD = 0.9
"""Adam's mean iterate must end above this (CLAIMS.md): near the worst point +1."""


def cyclic_run(C: float, horizon: int, *, amsgrad: bool, exponent: float, eps: float,
               bias_correction: bool) -> np.ndarray:
    """Theorem 1's example from x_1 = 1: the iterate at log-spaced steps (one run, exact)."""
    problem = cyclic_linear(C)
    beta2 = 1.0 / (1.0 + C * C)
    run = adam(problem, schedules.polynomial(0.5 * math.sqrt(1.0 - beta2), exponent, 1.0),
               horizon, beta1=0.0, beta2=beta2, eps=eps, bias_correction=bias_correction,
               amsgrad=amsgrad, box=problem.box, x0=np.ones(1))
    return run.iterates[0, :, 0]


def nonconvergence_experiment(p: Mapping[str, Any], seed: int) -> Measurement:
    """Mean over runs of x_T on the stochastic example; the cyclic example as a check."""
    q = random_linear(p["large"], p["small"], p["prob"])
    horizon = p["horizon"]
    run = adam(q, schedules.polynomial(p["gamma0"], p["exponent"], 1.0), horizon,
               beta1=p["beta1"], beta2=p["beta2"], eps=p["eps"],
               bias_correction=p["bias_correction"], amsgrad=p["amsgrad"], box=q.box,
               runs=p["runs"], seed=seed, x0=np.zeros(1))
    x = run.iterates[:, :, 0]
    trace = Trace(x=run.checkpoints.astype(float), values=x, xlabel="step t",
                  ylabel="x_t (mean over runs)", yscale="linear")
    final = x[:, -1]
    value = float(final.mean())
    se = float(max(final.std(ddof=1), 1e-12) / math.sqrt(final.size))
    cyclic = cyclic_run(p["C"], horizon, amsgrad=p["amsgrad"], exponent=p["exponent"],
                        eps=p["eps"], bias_correction=p["bias_correction"])
    check = Check(f"cyclic example (Theorem 1, C = {p['C']:g}) ends above {THRESHOLD}",
                  bool(cyclic[-1] > THRESHOLD), f"x_T = {cyclic[-1]:.4g} (x* = -1)")
    decades = {int(k): float(x[:, i].mean()) for i, k in enumerate(run.checkpoints)
               if k in (10, 100, 1000, 10_000, 100_000, 1_000_000)}
    return Measurement(trace=trace, value=value, se=se, target=THRESHOLD, checks=[check],
                       diverged_at=run.first_divergence,
                       extra={"mean_at": decades, "cyclic_final": float(cyclic[-1]),
                              "x_star": float(q.x_star[0])})


ADAM_NONCONVERGENCE = Claim(
    id="adam-nonconvergence",
    title="Adam goes to the worst point +1 of Reddi et al.'s linear problems; AMSGrad to -1",
    paper=PAPER,
    statement="On F = [-1, 1] with f_t(x) = 1010x w.p. 0.01, else -10x (E f_t = 0.2x, x* = -1), "
              "Adam with b1 = 0.9, b2 = 0.99, alpha_t = alpha/sqrt(t) and no bias correction "
              "drifts to x = +1; so does it on the cyclic example of Theorem 1 (f_t = Cx if "
              "t mod 3 = 1, else -x).  AMSGrad heads to -1.",
    math=r"x_t \to +1 \ne x^\star = -1",
    mode=Mode.LIMIT,
    law="limit",
    tolerance=Tolerance(math.inf, 3.0, "one-sided: Adam's mean iterate must exceed 0.9 by more "
                                       "than 3 SE (it is ~0.96 +- 0.005 with 64 runs)",
                        outside=True, se_units=True),
    parameters=(
        Parameter("beta1", 0.9, "first-moment parameter", 0.0, 0.999),
        Parameter("beta2", 0.99, "second-moment parameter", 0.0, 0.99999),
        Parameter("eps", 0.0, "epsilon outside the root ([1] has none)", 0.0, 1.0),
        Parameter("gamma0", 1.0, "alpha in alpha_t = alpha t^-exponent", 1e-6, 100.0),
        Parameter("exponent", 0.5, "decay exponent of alpha_t", 0.0, 1.0),
        Parameter("bias_correction", False, "Kingma & Ba's bias correction ([1] has none)"),
        Parameter("amsgrad", False, "divide by the running maximum of v (AMSGrad)"),
        Parameter("large", 1010.0, "the rare gradient", 1e-6, 1e9),
        Parameter("small", 10.0, "minus the frequent gradient", 1e-6, 1e9),
        Parameter("prob", 0.01, "probability of the rare gradient", 1e-9, 0.999),
        Parameter("C", 3.0, "the cyclic example's large gradient (Theorem 1 needs C > 2)",
                  2.000001, 1e6),
        Parameter("horizon", 100_000, "steps", 10, 100_000_000),
        Parameter("runs", 64, "independent runs of the stochastic example", 2, 1_000_000),
    ),
    experiment=nonconvergence_experiment,
    control=Control({"amsgrad": True}, "AMSGrad: its mean iterate heads to x* = -1 (negative "
                                       "by 1e4 steps), far below 0.9"),
)

CLAIMS = [ADAM_NONCONVERGENCE]
