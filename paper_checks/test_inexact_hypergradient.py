"""Inexact hypergradients: the claim holds and its control stalls for seeds 0-9 (the seed does
not enter); the slope is numpy's least-squares slope of the same errors; the errors lie under
the bound with the quadratic's constants; lambda_T approaches lambda* with T."""

from functools import cache

import numpy as np
import pytest

from paper_checks.inexact_hypergradient import (
    ACCURACIES,
    INEXACT_HYPERGRADIENT,
    franceschi_gap,
)
from rates.claim import FAILS, HOLDS

SEEDS = range(10)


@cache
def verdict(seed: int):
    return INEXACT_HYPERGRADIENT.check(seed=seed)


@pytest.mark.parametrize("seed", SEEDS)
def test_claim_holds_and_its_control_stalls(seed):
    v = verdict(seed)
    assert v.status == HOLDS, v.outcome.reasons
    assert v.stated == 1.0
    lo, hi = v.control.measurement.ci
    assert v.control.verdict == FAILS and -0.05 < lo < hi < 0.2  # a stall, not slope 1
    assert all(c.passed for c in v.outcome.measurement.checks)
    base = verdict(0)
    assert v.measured == base.measured and v.ci == base.ci
    assert v.control.measurement.measured == base.control.measurement.measured


def test_the_slope_is_numpys_and_the_levels_are_the_prototypes():
    m = verdict(0).outcome.measurement
    errors = m.trace.values[0]
    np.testing.assert_array_equal(m.trace.x, ACCURACIES)
    slope = np.polyfit(np.log(ACCURACIES), np.log(errors), 1)[0]
    assert slope == pytest.approx(m.fit.rate, abs=1e-12)
    assert 5e-4 < errors[0] < 1e-3 and 3e-8 < errors[-1] < 2e-7
    stalled = verdict(0).control.measurement.trace.values[0]
    assert np.all((stalled > 2e-4) & (stalled < 1e-3))


def test_lambda_T_converges_to_lambda_star():
    p = INEXACT_HYPERGRADIENT.resolve()
    gaps = [franceschi_gap(p["f_n"], p["f_n_val"], p["f_d"], p["noise"], p["instance"], T)
            for T in (10, 160, 640, 2560)]
    assert gaps[0] == pytest.approx(3.85, abs=0.01)  # T = 10: the interval's end, -8
    assert gaps[0] > gaps[1] > gaps[2] > gaps[3]
    assert gaps[2] > 1e-6 > gaps[3]  # 1e-6 separates T = 640 from T = 2560
