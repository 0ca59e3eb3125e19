"""Reddi et al.'s examples: Adam ends near the worst point +1, AMSGrad heads to x* = -1.

Values from seeds 0-5: Adam's mean iterate at 1e5 steps 0.947 ... 0.968 (SE ~0.005),
AMSGrad's -0.23 ... -0.42 and falling (SE ~0.07); the cyclic example ends at 0.998 (Adam) and
-1 (AMSGrad).
"""

import pytest

from paper_checks.adam_nonconvergence import ADAM_NONCONVERGENCE, cyclic_run

SEEDS = [0, 1, 2, 3, 4, 5]


@pytest.mark.parametrize("seed", SEEDS)
def test_adam_goes_to_the_worst_point_and_amsgrad_does_not(seed):
    v = ADAM_NONCONVERGENCE.check(seed=seed)
    assert v.ok, (v.outcome.reasons, v.control and v.control.reasons)
    m = v.outcome.measurement
    assert m.value == pytest.approx(0.958, abs=0.025) and m.value - 0.9 > 5 * m.se
    assert m.extra["x_star"] == -1.0 and m.extra["cyclic_final"] > 0.99
    assert m.checks[0].passed
    # control: AMSGrad's mean iterate is negative and falls decade by decade towards -1
    c = v.control.measurement
    at = c.extra["mean_at"]
    assert at[100_000] < at[10_000] < 0 and at[100_000] < -0.15
    assert c.value < 0.9 - 15 * c.se
    assert c.extra["cyclic_final"] == -1.0 and not c.checks[0].passed


def test_cyclic_example_is_deterministic_and_returns_to_plus_one():
    a = cyclic_run(3.0, 3000, amsgrad=False, exponent=0.5, eps=0.0, bias_correction=False)
    b = cyclic_run(3.0, 3000, amsgrad=False, exponent=0.5, eps=0.0, bias_correction=False)
    assert (a == b).all()
    # Theorem 1: after the two small gradients of each period the iterate is back at +1
    assert a[-1] == 1.0
    assert cyclic_run(10.0, 3001, amsgrad=True, exponent=0.5, eps=0.0,
                      bias_correction=False)[-1] == -1.0


def test_bias_correction_does_not_rescue_adam():
    v = ADAM_NONCONVERGENCE.check(seed=1, overrides={"bias_correction": True, "eps": 1e-8},
                                  control=False)
    assert v.passed and v.outcome.measurement.extra["cyclic_final"] > 0.99
