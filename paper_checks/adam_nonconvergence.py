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
  x = +1, the *worst* point (the average loss (C - 2)x/3 is minimised at -1).
* [1, Theorem 3 and Section 5] (stochastic version): c_t = 1010 with probability 0.01, else -10,
  so E f_t(x) = 0.2 x and x* = -1; with b1 = 0.9, b2 = 0.99 Adam goes to +1.  The rare large
  gradient is divided by the large v it creates itself, while the frequent small ones act at
  small v: the net drift points the wrong way.  Each rare gradient knocks the iterate down by
  about alpha_t sum_j 0.9^j/0.995^j ~ 10 alpha_t, recovered within ~100 steps, so E x_T = 1 -
  O(alpha_T): measured 1 - (11 to 13) alpha_T at T = 1e4, 1e5, 1e6.
* [1, Theorem 4] (upper bound): AMSGrad's regret is O(sqrt(T)), so its iterate approaches -1.

The claim: Adam's mean final iterate lies within 0.1 of the worst point +1, its iterates stay in
F (the theorems are about projected iterates), the oracle's gradients average to E c_t, and the
cyclic example ends near +1 too.  The step alpha is not stated in [1] for the synthetic
experiment (*inferred*: alpha = 1 shows both behaviours within 1e5 steps); for the cyclic
example alpha = sqrt(1 - b2)/2, as Theorem 1 requires alpha < sqrt(1 - b2).

References
[1] S. J. Reddi, S. Kale, S. Kumar. On the convergence of Adam and beyond. ICLR 2018,
    arXiv 1904.09237.
[2] D. P. Kingma, J. Ba. Adam: a method for stochastic optimization. ICLR 2015, arXiv 1412.6980.
"""

from __future__ import annotations

import math

import numpy as np

from experiments import schedules
from experiments.methods import Adam
from problems.stochastic import cyclic_linear, random_linear
from rates.claim import Claim, Control, Mode, Paper, Tolerance
from rates.params import Parameter as P
from rates.spec import Agrees, Feasible, IndependentRuns, Limit, Observed, Quantity, Within

PAPER = Paper("S. J. Reddi, S. Kale, S. Kumar", "On the convergence of Adam and beyond", 2018,
              "1904.09237", "Theorems 1 and 3, Section 5", venue="ICLR 2018")


def cyclic_final(C: float, horizon: int, *, amsgrad: bool, exponent: float, eps: float,
                 bias_correction: bool) -> float:
    """Theorem 1's example from x_1 = 1 (b1 = 0, b2 = 1/(1 + C^2)): the last iterate (exact)."""
    problem = cyclic_linear(C)
    beta2 = 1.0 / (1.0 + C * C)
    method = Adam(schedules.polynomial(0.5 * math.sqrt(1.0 - beta2), exponent, 1.0), beta1=0.0,
                  beta2=beta2, eps=eps, bias_correction=bias_correction, amsgrad=amsgrad,
                  box=problem.box)
    return float(method.run(problem, horizon, x0=np.ones(1)).iterates[0, -1, 0])


def _cyclic(seen: Observed) -> float:
    p = seen.instance.params
    return cyclic_final(p["C"], p["horizon"], amsgrad=p["amsgrad"], exponent=p["exponent"],
                        eps=p["eps"], bias_correction=p["bias_correction"])


def _adam(i) -> Adam:
    return Adam(schedules.polynomial(i["gamma0"], i["exponent"], 1.0), beta1=i["beta1"],
                beta2=i["beta2"], eps=i["eps"], bias_correction=i["bias_correction"],
                amsgrad=i["amsgrad"], box=i.problem.box)


ADAM_NONCONVERGENCE = Claim(
    id="adam-nonconvergence", mode=Mode.LIMIT, lesson=__doc__, law="limit", paper=PAPER,
    title="Adam goes to the worst point +1 of Reddi et al.'s linear problems; AMSGrad to -1",
    statement="On F = [-1, 1] with f_t(x) = 1010x w.p. 0.01, else -10x (E f_t = 0.2x, x* = -1), "
              "Adam with b1 = 0.9, b2 = 0.99, alpha_t = alpha/sqrt(t) and no bias correction "
              "drifts to x = +1; so does it on the cyclic example of Theorem 1 (f_t = Cx if "
              "t mod 3 = 1, else -x).  AMSGrad heads to -1.",
    math=r"x_t \to +1 \ne x^\star = -1",
    tolerance=Tolerance(0.1, math.inf, "E x_T = 1 - O(alpha_T): the rare gradient's kicks "
                        "leave 1 - (11-13) alpha_T, 0.035-0.04 at T = 1e5; above +1 the "
                        "feasibility check decides"),
    parameters=(
        P("beta1", 0.9, "first-moment parameter", 0.0, 0.999),
        P("beta2", 0.99, "second-moment parameter", 0.0, 0.99999),
        P("eps", 0.0, "epsilon outside the root ([1] has none)", 0.0, 1.0),
        P("gamma0", 1.0, "alpha in alpha_t = alpha t^-exponent", 1e-6, 100.0),
        P("exponent", 0.5, "decay exponent of alpha_t", 0.0, 1.0),
        P("bias_correction", False, "Kingma & Ba's bias correction ([1] has none)"),
        P("amsgrad", False, "divide by the running maximum of v (AMSGrad)"),
        P("large", 1010.0, "the rare gradient", 1e-6, 1e9),
        P("small", 10.0, "minus the frequent gradient", 1e-6, 1e9),
        P("prob", 0.01, "probability of the rare gradient", 1e-9, 0.999),
        P("C", 3.0, "the cyclic example's large gradient (Theorem 1 needs C > 2)", 2.000001,
          1e6),
        P("horizon", 100_000, "steps", 10, 100_000_000),
        P("runs", 64, "independent runs of the stochastic example", 2, 1_000_000)),
    experiment=Limit(
        problem=lambda p, seed: random_linear(p["large"], p["small"], p["prob"]),
        target=lambda i: -float(i.problem.x_star[0]), method=_adam, x0=lambda i: np.zeros(1),
        value=Quantity("x_T (final iterate)", lambda i, r: r.iterates[:, -1, 0]),
        trace=Quantity("x_t", lambda i, r: r.iterates[:, :, 0]), xlabel="step t",
        checks=(
            Feasible(-1.0, 1.0, "the theorems are about the projected iterates, in F"),
            Agrees("the oracle's gradients average to E c_t",
                   lambda seen: seen.instance.problem.mean_gradient,
                   of=lambda seen: seen.runs[0].mean_gradient[:, 0],
                   reason="c_t is drawn independently of x: the window's mean of the samples "
                          "estimates p large - (1 - p) small exactly"),
            Within("cyclic example (Theorem 1) ends near +1", _cyclic, 0.9, 1.0,
                   "Theorem 1: after each period's two small gradients Adam is back at +1"),
            IndependentRuns()),
        extra=lambda seen: {
            "mean_at": {int(k): float(seen.values[:, j].mean())
                        for j, k in enumerate(seen.runs[0].checkpoints)
                        if k in (10, 100, 1000, 10_000, 100_000, 1_000_000)},
            "cyclic_final": _cyclic(seen), "x_star": float(seen.instance.problem.x_star[0])}),
    control=Control({"amsgrad": True}, "AMSGrad: its mean iterate heads to x* = -1 (negative "
                                       "by 1e4 steps), far below 0.9"),
)

CLAIMS = [ADAM_NONCONVERGENCE]
