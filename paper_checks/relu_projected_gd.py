"""Projected gradient descent learns a single ReLU with a sparse weight vector at a linear rate,
from w0 = 0 and with fewer samples than dimensions.

Problem (problems/relu.py): y_i = max(0, <w*, x_i>), x_i ~ N(0, I_d), d = 1000, w* 10-sparse with
||w*|| = 1 (entries +-1/sqrt(10)); n = 400 samples (and 800, a typed extra assertion); each of the
20 runs is its own instance.  Method (experiments/projected_gd.py): step 1 on
L(w) = (1/n) sum (max(0, <w, x_i>) - y_i)^2,

    w <- P_s(w - (1/n) sum_i (max(0, z_i) - y_i)(1 + sgn z_i) x_i),   z_i = <w, x_i>,  sgn 0 = 0,

P_s keeping the s largest entries.  numpy matmuls (two n x d products per step, 30 steps).
Stated [1, Theorem 3.1 (attribution to verify: the factor 1/2 and the step are as we recall
them; the sample threshold n > c s log(d/s) has an unspecified constant c)]: from w0 = 0,
||w_k - w*|| <= (1/2)^k ||w*|| once n exceeds the threshold.  Measured: the per-iteration factor
of the median ||w_k - w*|| over runs, fitted over k in [1, 20] (it stays above 1e-12 there at
both n; n = 800 reaches it near k = 25).  The median, not the mean: the theorem holds with high
probability over the instance, and at n = 400 an occasional instance near the threshold (seed 7:
one run of 20 ends at 2.5e-7, factor ~0.6) dominates the mean and widens its CI to 0.31-0.77.
Assert upper: factor <= 1/2 + 0.1, since at n = 400
(2.5 s log(d/s) samples) the threshold's constant is not known and single runs spread to 0.54;
n = 800 has factor <= 0.6 too (runs 0.2-0.4); and the median ||w_30 - w*|| < 1e-8 (single
slow runs at n = 400 may end above: 0.6^30 = 2e-7).

Control: n = 60 samples (below the threshold: 60 equations do not determine the 10 entries
and their support among 1000): the error grows, factor > 1.

[1] M. Soltanolkotabi, Learning ReLUs via Gradient Descent, NeurIPS 2017, arXiv 1705.04591.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import sympy as sp

from experiments.methods import SparseProjectedGD
from problems.relu import sparse_relu
from rates.bound import Bound, k
from rates.claim import Claim, Control, Mode, Paper, Tolerance
from rates.params import Parameter as P
from rates.spec import Observed, Quantity, RateWithin, Spec, Within

C = sp.Symbol("C", positive=True)
WINDOW = (1.0, 20.0)
FINAL_ERROR = 1e-8


def _errors(inst, run) -> np.ndarray:
    """||w_k - w*|| per run (each run has its own w*)."""
    stars = inst.problem.x_stars(run.runs)
    return np.linalg.norm(run.iterates - stars[:, None, :], axis=-1)


ERROR = Quantity("||w_k - w*||", _errors)


def final_error(seen: Observed) -> float:
    """The median over runs of ||w_30 - w*||."""
    return float(np.median(seen.values[:, -1]))


BASE = Spec(
    problem=lambda p, seed: sparse_relu(p["d"], p["s"], p["n"], seed),
    method=lambda i: SparseProjectedGD(1.0, i["s"]),
    quantity=ERROR, bound=Bound(C * sp.Rational(1, 2) ** k, law="geometric"),
    constants=lambda q, p: {C: 1.0}, horizon="horizon", runs="runs", window=WINDOW,
    checkpoints="linear", statistic="median",
    checks=(Within("median ||w_30 - w*||", final_error, 0.0, FINAL_ERROR,
                   "linear convergence from ||w0 - w*|| = 1 at ~0.45 per step"),))
"""Projected GD on one sample size; the error of w_30 held below 1e-8."""

SPEC = replace(BASE, checks=BASE.checks + (
    RateWithin("factor at n = 800", BASE, 0.0, 0.6, "more samples, the same (or a faster) "
               "linear rate [1, Thm 3.1]", overrides={"n": 800}),))


CLAIM = Claim(
    id="relu-projected-gd", mode=Mode.UPPER,
    title="Projected GD from 0 learns a sparse ReLU at a linear rate with n < d samples",
    paper=Paper("M. Soltanolkotabi", "Learning ReLUs via Gradient Descent", 2017, "1705.04591",
                "Theorem 3.1 (attribution to verify)", "NeurIPS 2017"),
    statement="For y = max(0, <w*, x>) with Gaussian x and w* in a closed set (here s-sparse), "
              "projected gradient descent initialised at 0 converges to w* at a linear rate "
              "(factor 1/2 per step) with a number of samples near the set's complexity, even "
              "when n < d.",
    tolerance=Tolerance(0.0, 0.1, "at n = 400 the sample threshold's unspecified constant "
                        "leaves runs up to 0.54; n = 60 grows the error (factor > 1)"),
    parameters=(P("d", 1000, "dimension", 10, 10**4), P("s", 10, "sparsity of w*", 1, 1000),
                P("n", 400, "samples", 1, 10**4), P("runs", 20, "instances (X, w*)", 5, 200),
                P("horizon", 30, "iterations", 21, 1000)),
    experiment=SPEC,
    control=Control({"n": 60}, "60 samples, below the threshold: the error grows"),
    cost_model=lambda p: (4.0 * p["runs"] * p["horizon"] * p["n"] * p["d"],
                          8.0 * (p["n"] + p["runs"] * (p["horizon"] + 1)) * p["d"]),
    lesson="With sgn 0 = 0 the first step from 0 is the correlation (1/n) sum y_i x_i, whose "
           "s largest entries already point at w*'s support; from there the projected steps "
           "contract the error by about 0.3-0.5 per iteration, with 400 samples in 1000 "
           "dimensions.",
)
