"""Krum: SGD that tolerates f Byzantine workers out of n when n > 2f + 2; the mean tolerates none.

Problem [1, Sections 2-3].  n workers compute stochastic gradients of f(x) = 1/2 ||x - x*||^2,
x* = 1 in R^10, with noise N(0, I) (problems.byzantine, a wrapper of the stochastic quadratic);
f of them are Byzantine and send arbitrary vectors, chosen knowing everything.  Attacks:
omniscient -- the f send one vector that makes the *mean* of the n vectors x - x* + 1, the
gradient of a function minimised at x* - 1 (*inferred*: the experiment's "-100 (x - x* + 1)"
makes mean-SGD diverge, not stick, so the scale is read as the mean's direction only);
colluding -- the f send the honest mean - 5 1.

Method: x_{t+1} = x_t - gamma_t Agg(V_1..V_n), gamma_t = 0.5 (1 + t)^-0.6, Agg the mean or Krum:
the V_i with the smallest sum of squared distances to its n - f - 2 nearest neighbours
(experiments.krum, a numba kernel: 20 runs x 2000 steps x 190 pairwise distances).

Guarantee [1, Lemma 1 and Proposition 1 (the numbering of the NeurIPS version; attribution to
verify)].  No linear rule (the mean) tolerates a single Byzantine worker: one vector sets the
mean to anything.  Krum is (alpha, f)-Byzantine resilient for n > 2f + 2 while
eta(n, f) sqrt(d) sigma < ||grad f||, so SGD with Robbins-Monro steps converges (almost surely,
to the region where ||grad f|| <= eta sqrt(d) sigma; with the attacks here, to x*).

Assert limit: Krum with f = 8 colluding (the main value) and f = 1 omniscient (an arm) ends at
E||x_T - x*||^2 <= 0.05 (the CI over 60 runs, T = 2000), and the mean error falls like t^-0.5 or
faster over t in [200, 2000] (the CI's slower end of the fitted slope <= -0.5; the step's
t^-0.6 sets the rate: measured -0.6 to -0.7).  60 runs, not 20: at 20 the jackknife CI of the
slope is +-0.13 around -0.6 and its slower end crossed -0.5 on 5 of 20 (seed, f) pairs.
Mean aggregation with f = 1 omniscient is stuck at
||x* - 1 - x*||^2 = 10 (asserted >= 5).  Control: f = 12 colluders (n <= 2f + 2): they are each
other's nearest neighbours, Krum selects their vector and SGD goes to x* + 5 1, error 250.

Not asserted, and why: Krum with f = 8 *omniscient* ends near 0.9, not <= 0.05 -- the eight
identical vectors sit 2.5 sqrt(d) from the honest cloud, close enough to win Krum's score on a
fraction of the steps, which leaves a bias; that is within [1]'s guarantee (convergence to a
region whose radius grows with eta(n, f) sqrt(d) sigma), not a counterexample (see the tests).

References
[1] P. Blanchard, E. M. El Mhamdi, R. Guerraoui, J. Stainer. Machine Learning with Adversaries:
    Byzantine Tolerant Gradient Descent. NeurIPS 2017, arXiv 1703.02757.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np

from experiments import schedules
from experiments.methods import ByzantineSGD
from problems.byzantine import ATTACKS, ByzantineWorkers, byzantine_workers
from rates.claim import Claim, Control, Mode, Paper, Tolerance
from rates.fit import power_law
from rates.params import Parameter as P
from rates.spec import IndependentRuns, Instance, Limit, Observed, Quantity, RateWithin, Within

LEVEL = 0.05
"""The final error E||x_T - x*||^2 accepted at T = 2000 (measured ~0.01; 10 when stuck)."""
SLOPE_MAX = -0.5
WINDOW = (200.0, 2000.0)


def _problem(p: Mapping[str, Any], seed: int = 0) -> ByzantineWorkers:
    return byzantine_workers(p["n"], p["f"], p["attack"], d=p["d"])


def _method(i: Instance) -> ByzantineSGD:
    return ByzantineSGD(schedules.polynomial(i["step0"], i["step_decay"], 1.0),
                        i["aggregation"])


def _error(i: Instance, run) -> np.ndarray:
    return np.sum((run.iterates - i.problem.x_star) ** 2, axis=-1)


def _slope_slow_end(seen: Observed) -> float:
    """The slower end of the CI of the fitted slope of the mean error over [200, T]."""
    try:
        fit = power_law(seen.x, seen.values, (WINDOW[0], seen.x[-1]))
    except ValueError:
        return math.nan
    return -fit.ci[0]


PLAIN = Limit(
    problem=_problem, method=_method, runs="runs", horizon="horizon",
    x0=lambda i: np.zeros(i.problem.d),
    value=Quantity("||x_T - x*||^2", lambda i, r: _error(i, r)[:, -1]), target=0.0,
    trace=Quantity("||x_t - x*||^2", _error), xlabel="SGD step t",
    checks=(IndependentRuns(),))

CONVERGES = replace(PLAIN, checks=PLAIN.checks + (
    Within("slope of the mean error over [200, T] (CI's slower end)", _slope_slow_end,
           -math.inf, SLOPE_MAX, "Robbins-Monro steps t^-0.6 give E error ~ t^-0.6"),))

SPEC = replace(CONVERGES, checks=CONVERGES.checks + (
    RateWithin("Krum, f = 1 omniscient: final error", CONVERGES, -math.inf, LEVEL,
               "n = 20 > 2 f + 2: resilient; converges with the same slope check (60 runs, "
               "also under the control)", overrides={"f": 1, "attack": "omniscient",
                                                     "runs": 60}),
    RateWithin("mean, f = 1 omniscient: stuck at x* - 1", replace(PLAIN, checks=()), 5.0,
               math.inf,
               "one Byzantine vector sets the mean [1, Lemma 1]: SGD goes to x* - 1, error "
               "d = 10 (5 runs: the omniscient attacker cancels the noise of the mean)",
               overrides={"f": 1, "attack": "omniscient", "aggregation": "mean", "runs": 5})))

CLAIM = Claim(
    id="krum-byzantine", mode=Mode.LIMIT, law="limit",
    title="Krum-SGD converges with f Byzantine workers out of n > 2f + 2; the mean does not",
    paper=Paper("P. Blanchard, E. M. El Mhamdi, R. Guerraoui, J. Stainer", "Machine Learning "
                "with Adversaries: Byzantine Tolerant Gradient Descent", 2017, "1703.02757",
                "Lemma 1 (no linear rule is resilient) and Proposition 1 (Krum is, for "
                "n > 2f + 2); attribution to verify", "NeurIPS 2017"),
    statement="No linear aggregation rule tolerates one Byzantine worker; Krum, the vector with "
              "the smallest sum of squared distances to its n - f - 2 nearest neighbours, is "
              "Byzantine resilient for n > 2f + 2, so SGD aggregated by Krum converges.",
    math=r"\mathbb{E}\|x_T - x^\star\|^2 \to 0 \ (n > 2f + 2)",
    tolerance=Tolerance(math.inf, LEVEL, "one-sided: the error at T = 2000 is ~gamma_T sigma^2 "
                        "d/2 ~ 0.01-0.03; 0.05 separates it from a stuck run (>= 10)"),
    parameters=(P("n", 20, "workers", 4, 10**4),
                P("f", 8, "Byzantine workers", 1, 10**4 - 1),
                P("attack", "colluding", "attack law", choices=ATTACKS),
                P("aggregation", "krum", "aggregation rule", choices=("krum", "mean")),
                P("d", 10, "dimension", 1, 10**4),
                P("step0", 0.5, "gamma_t = step0 (1 + t)^-step_decay", 1e-6, 1.0),
                P("step_decay", 0.6, "the step's decay exponent (Robbins-Monro: (1/2, 1])",
                  0.0, 1.0),
                P("horizon", 2000, "SGD steps T", 201, 10**7),
                P("runs", 60, "independent runs (60: the slope's CI resolves -0.5 from the "
                  "expected -0.6; at 20 it is +-0.13 wide)", 2, 10**5)),
    experiment=SPEC,
    control=Control({"f": 12, "runs": 5},
                    "12 colluders (n <= 2f + 2): their identical vectors win Krum's score, SGD "
                    "goes to x* + 5 1 (error 250; 5 runs suffice)"),
    lesson="Averaging gives every worker full control of the result; Krum keeps the vector "
           "most surrounded by others, which a minority cannot move far -- until the "
           "colluders are numerous enough to surround each other.",
)

CLAIMS = [CLAIM]
