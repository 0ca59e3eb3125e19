"""rmsprop-affine-variance: the claim holds and its control fails for seeds 0-9; RMSProp is Adam
with beta1 = 0, checked against an independent numpy RMSProp on the kernel's own noise; the
stated slope is the complexity's (numpy)."""

from functools import cache

import numpy as np
import pytest

from experiments.methods import rmsprop
from experiments.random import numpy_ziggurat_normal
from paper_checks.rmsprop_affine import CLAIM, SPEC, WINDOW_START, schedule
from problems.double_well import double_well


@cache
def _verdict(seed: int):
    return CLAIM.check(seed=seed)


@pytest.mark.parametrize("seed", range(10))
def test_claim_holds_and_control_fails(seed):
    v = _verdict(seed)
    assert v.ok, (v.outcome.reasons, v.control.reasons)
    lo, hi = v.ci
    assert -0.5 <= lo < hi <= -0.22
    assert v.outcome.measurement.fit.window[0] == WINDOW_START
    assert v.control.measurement.ci[0] > -0.15  # the constant step floors
    floor = v.control.measurement.trace.values[:, -1].mean()
    assert 0.65 < floor < 0.77  # Q at T = 10^4.5 under eta = 0.05: ~0.71


def test_measured_values_match_the_prototype():
    """Q falls from ~2.05 at T = 100 to ~0.296 at 10^4.5 (an independent numpy prototype)."""
    q = _verdict(0).outcome.measurement.trace.values.mean(axis=0)
    assert q[0] == pytest.approx(2.05, rel=0.05) and q[-1] == pytest.approx(0.296, rel=0.05)


def test_stated_value_is_the_complexity_exponent():
    """O(eps^-4) iterations to (1/T) sum E||grad f|| <= eps is eps(T) ~ T^-1/4: the log-slope
    of the inverse of T(eps) = eps^-4 (numpy) is the spec's stated rate."""
    eps = np.geomspace(1e-3, 1e-1, 9)
    slope = np.polyfit(np.log(eps**-4.0), np.log(eps), 1)[0]
    assert SPEC.instance(CLAIM.resolve(), 0).stated == pytest.approx(slope, abs=1e-12)
    assert schedule(CLAIM.resolve({"T": 400})) == (0.05, 1 - 1 / 400)


def test_rmsprop_is_adam_with_beta1_zero_and_matches_numpy():
    q = double_well(3, sigma0=1.0, sigma1=0.5)
    x0 = np.array([2.0, -0.3, 1.1])
    steps, eta, beta2 = 40, 0.1, 0.99
    run = rmsprop(eta, beta2).run(q, steps, runs=2, seed=3, x0=x0,
                                  checkpoints=np.arange(steps + 1))
    for r in range(2):
        z = numpy_ziggurat_normal(3, r, 3 * steps).reshape(steps, 3)
        x, v = x0.copy(), np.zeros(3)
        for t in range(1, steps + 1):
            grad = x**3 - x
            g = grad + (1.0 + 0.5 * np.abs(grad)) * z[t - 1]
            v = beta2 * v + (1 - beta2) * g * g
            x = x - eta * g / (1e-8 + np.sqrt(v / (1 - beta2**t)))
            assert np.allclose(run.iterates[r, t], x, rtol=1e-9, atol=1e-12)
    # one start for all runs, or the same start per run: the same runs
    tiled = rmsprop(eta, beta2).run(q, steps, runs=2, seed=3, x0=np.tile(x0, (2, 1)),
                                    checkpoints=np.arange(steps + 1))
    assert np.array_equal(tiled.iterates, run.iterates)


def test_rmsprop_validates():
    with pytest.raises(ValueError, match="beta2"):
        rmsprop(0.1, 1.5).run(double_well(2), 5)
    with pytest.raises(ValueError, match="step"):
        rmsprop(-0.1, 0.9)
    with pytest.raises(ValueError, match="x0 must have shape"):
        rmsprop(0.1, 0.9).run(double_well(2), 5, runs=3, x0=np.zeros((2, 2)))
