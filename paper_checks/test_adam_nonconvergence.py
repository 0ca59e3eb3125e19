"""Reddi et al.'s examples: Adam ends near the worst point +1, AMSGrad heads to x* = -1.

Expected values come from the problem's closed forms (E c_t = p large - (1 - p) small, the corner
x* = -sign(E c_t)), from Theorem 1's construction (after each period's two small gradients the
iterate is back at +1) and from E x_T = 1 - O(alpha_T); one verdict per seed is shared.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np
import pytest

from experiments import schedules
from experiments.methods import Adam
from paper_checks.adam_nonconvergence import ADAM_NONCONVERGENCE, cyclic_final
from problems.stochastic import random_linear
from rates.spec import Instance, Observed

SEEDS = range(10)


@cache
def verdict(seed: int, **overrides):
    return ADAM_NONCONVERGENCE.check(seed=seed, overrides=overrides or None)


def test_the_problem_is_reddis_and_its_worst_point_is_plus_one():
    q = random_linear()
    assert q.mean_gradient == pytest.approx(0.01 * 1010 - 0.99 * 10, rel=1e-12)  # 0.2
    assert q.x_star[0] == -1.0 and q.box == (-1.0, 1.0)
    v = verdict(0)
    assert v.stated == 1.0 and ADAM_NONCONVERGENCE.accepted(1.0) == (0.9, math.inf)


@pytest.mark.parametrize("seed", SEEDS)
def test_adam_goes_to_the_worst_point_and_amsgrad_does_not(seed):
    v = verdict(seed)
    assert v.ok, (v.outcome.reasons, v.control.reasons)
    m = v.outcome.measurement
    assert all(c.passed for c in m.checks), [c.detail for c in m.checks]
    assert 0.9 < m.ci[0] and m.ci[1] <= 1.0 + 1e-9 and m.extra["cyclic_final"] > 0.9
    # control: AMSGrad's CI lies below 0.9 (wholly), and the cyclic example goes to x* = -1
    c = v.control.measurement
    assert v.control.verdict == "fails" and c.ci[1] < 0.9
    assert c.extra["cyclic_final"] == -1.0


def test_the_deficit_from_plus_one_shrinks_like_alpha_T():
    """E x_T = 1 - O(alpha_T), alpha_T = T^-1/2: ten times the steps, sqrt(10) less deficit."""
    short = verdict(0, horizon=10_000).outcome.measurement
    long = verdict(0).outcome.measurement
    assert (1 - short.value) / (1 - long.value) == pytest.approx(math.sqrt(10), rel=0.3)


def test_cyclic_example_returns_to_plus_one_after_every_period():
    # Theorem 1: after the two small gradients of each period the iterate is back at +1
    for horizon in (3000, 30_000):
        kwargs = {"exponent": 0.5, "eps": 0.0, "bias_correction": False}
        assert cyclic_final(3.0, horizon, amsgrad=False, **kwargs) == 1.0
        assert cyclic_final(10.0, horizon + 1, amsgrad=True, **kwargs) == -1.0


def test_the_feasibility_check_catches_adam_without_the_projection():
    q = random_linear()
    step = schedules.polynomial(1.0, 0.5, 1.0)
    free = Adam(step, beta2=0.99, eps=0.0, bias_correction=False).run(q, 10_000, runs=8,
                                                                     x0=np.zeros(1))
    assert free.iterates.max() > 1.0  # without Proj_F Adam runs off past the worst point
    claim = ADAM_NONCONVERGENCE.experiment
    feasible = next(c for c in claim.checks if c.name == "iterates in the feasible set")
    seen = Observed(Instance({}, 0, q, None), free.checkpoints, free.iterates[:, :, 0], (free,))
    assert not feasible.evaluate(seen).passed


def test_bias_correction_does_not_rescue_adam():
    v = ADAM_NONCONVERGENCE.check(seed=1, overrides={"bias_correction": True, "eps": 1e-8},
                                  control=False)
    assert v.passed, v.outcome.reasons
