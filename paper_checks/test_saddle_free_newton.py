"""saddle-free-newton: the claim holds and exact Newton (its control) fails for seeds 0-9; the
escape counts equal an independent numpy iteration, and the stated slopes (0 for SFN, -1 for GD)
follow from the counts' bounds, evaluated here numerically.  The experiment is deterministic
given its starts; the seed only draws the starts y0 = 1e-8 |N(0, 1)|."""

import math
from functools import cache

import numpy as np
import pytest

from paper_checks.saddle_free_newton import CLAIM, EPSILONS, GD_BOUND, SFN_BOUND, eps, starts, y0


@cache
def _verdict(seed: int, **overrides):
    return CLAIM.check(seed=seed, overrides=overrides or None)


def _numpy_count(e: float, y: float, method: str) -> float:
    """Iterations of the method's 1-D y-update until |y| > sqrt(e)/2 (the x part is 0 after one
    unit step, and does not enter the y-update)."""
    level = 0.5 * math.sqrt(e)
    for k in range(1, 10**6):
        h = 3 * y * y - e
        g = y**3 - e * y
        y = y - g if method == "gd" else y - g / (abs(h) if method == "sfn" else h)
        if abs(y) > level:
            return k
        if method == "newton" and y == 0.0:
            return math.inf
    return math.inf


def test_counts_equal_an_independent_numpy_iteration():
    v = _verdict(0)
    m = v.outcome.measurement
    counts = m.trace.values  # (runs, eps)
    ys = starts(0, 20, 1e-8)[:, 1]
    for j, e in enumerate(EPSILONS):
        for r in (0, 7, 13):
            exact = _numpy_count(e, ys[r], "sfn")
            assert counts[r, j] == exact
    # GD (the extra arm), at eps = 1e-2: checkpoints every step below 2000 iterations
    assert _numpy_count(1e-2, ys[0], "gd") == pytest.approx(
        1 / math.log(1.01) * math.log(0.05 / ys[0]), rel=0.01)
    assert _numpy_count(1e-3, ys[0], "newton") == math.inf


def test_stated_slopes_are_the_bounds_log_slopes():
    """The bounds' log-slopes in eps, by finite differences at eps = 1e-2, approach 0 (SFN) and
    -1 (GD) as the start nears the stable manifold (y0 << sqrt(eps), the regime of the sympy
    limit eps -> 0+ that states them)."""
    assert SFN_BOUND.rate() == 0.0 and GD_BOUND.rate() == -1.0
    for bound, stated in ((SFN_BOUND, 0.0), (GD_BOUND, -1.0)):
        gaps = []
        for y in (1e-8, 1e-100, 1e-300):
            b = bound.with_constants(y_0=y)
            lo, hi = 1e-2 / 1.01, 1e-2 * 1.01
            slope = float(np.log(b(np.array(hi)) / b(np.array(lo))) / np.log(hi / lo))
            gaps.append(abs(slope - stated))
        assert gaps[0] < 0.05 and gaps[0] > gaps[1] > gaps[2] and gaps[2] < 0.005
    assert eps.is_positive and y0.is_positive


@pytest.mark.parametrize("seed", range(10))
def test_claim_holds_and_control_fails(seed):
    v = _verdict(seed)
    assert v.ok, (v.outcome.reasons, v.control.reasons)
    lo, hi = v.ci
    assert -0.15 <= lo < hi <= 0.15 and 0.0 < lo  # the log factor's +0.03
    details = {c.name: c.detail for c in v.outcome.measurement.checks}
    gd = float(details["GD escape count slope in eps"].split(",")[0])
    assert -1.0 < gd < -0.92
    # exact Newton converges to the saddle: no run escapes, nothing is fitted
    assert v.control.verdict == "fails"
    assert np.all(np.isinf(v.control.measurement.trace.values))


def test_gd_as_the_main_method_fails_the_sfn_slope():
    v = _verdict(0, method="gd")
    assert v.outcome.verdict == "fails" and v.outcome.measurement.ci[1] < -0.9
