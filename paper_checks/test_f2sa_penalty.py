"""F2SA's penalty bias: the claim holds and its control fails for seeds 0-9 (the seed does not
enter); the slope is numpy's; sigma x bias tends to the closed-form first-order constant."""

from functools import cache

import numpy as np
import pytest

from paper_checks.f2sa_penalty import F2SA_PENALTY, PENALTIES, first_order_bias, problem
from rates.claim import FAILS, HOLDS

SEEDS = range(10)


@cache
def verdict(seed: int):
    return F2SA_PENALTY.check(seed=seed)


@pytest.mark.parametrize("seed", SEEDS)
def test_claim_holds_and_its_control_fails(seed):
    v = verdict(seed)
    assert v.status == HOLDS, v.outcome.reasons
    assert v.stated == -1.0
    lo, hi = v.ci
    assert -1.01 < lo < hi < -0.98
    c = v.control
    assert c.verdict == FAILS and c.measurement.ci[0] > -0.5  # the bias stops falling
    base = verdict(0)
    assert v.measured == base.measured
    assert c.measurement.measured == base.control.measurement.measured


def test_the_bias_is_first_order_in_one_over_sigma():
    """numpy's slope of the same values, and sigma (L_sigma - h*) -> c1 (closed form)."""
    m = verdict(0).outcome.measurement
    values = m.trace.values[0]
    assert np.polyfit(np.log(PENALTIES), np.log(values), 1)[0] == pytest.approx(m.fit.rate,
                                                                                abs=1e-12)
    q = problem(F2SA_PENALTY.resolve())
    scaled = np.asarray(PENALTIES) * values * abs(q.hypergradient())
    c1 = abs(first_order_bias(q))
    assert abs(scaled[-1] / c1 - 1) < 1e-4 and abs(scaled[0] / c1 - 1) > abs(scaled[-1] / c1 - 1)
    np.testing.assert_allclose(values[[0, -1]], [4.8e-2, 5.1e-6], rtol=0.02)
