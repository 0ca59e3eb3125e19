"""The Adam symmetry theorem and its rates: each claim holds and its control fails for seeds 0-9.

Expected values come from theory or from the Adam field's quadrature (experiments.adam_field,
which never runs Adam), not from earlier runs: the stated rates from the bound, the first-order
offset -c/(1-c) kappa_3/(2 sigma^2 M) in closed form, the zero of the field and the slopes of
its zeros, and the stationary variance gamma sigma_M / 2 of a normalised SGD step.  One verdict
per (claim, seed) is shared by every test through a module-level cache.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np
import pytest

from experiments import schedules
from experiments.adam_field import adam_zero, coupling, first_order_offset
from experiments.methods import Adam
from paper_checks.adam_symmetry import (
    ADAM_RATE_BATCH,
    ADAM_RATE_BETA2,
    ADAM_RATE_LR,
    ADAM_SYMMETRY,
    FirstStep,
    first_order_slope,
)
from problems.stochastic import stochastic_quadratic
from rates import registry
from rates.cli import main
from rates.spec import Instance, Observed

SEEDS = range(10)
EXP = stochastic_quadratic("exponential")


@cache
def verdict(claim_id: str, seed: int, **overrides):
    return registry.get(claim_id).check(seed=seed, overrides=overrides or None)


def _slope(x, y) -> float:
    return float(np.polyfit(np.log(x), np.log(y), 1)[0])


# --- adam-symmetry ------------------------------------------------------------------------------

def test_the_field_zero_is_near_its_first_order_expansion_and_exactly_x_star_if_symmetric():
    c = 0.1 * 0.01 / (1 - 0.9 * 0.99)  # (1-b1)(1-b2)/(1-b1 b2)
    first = -c / (1 - c) * 2.0 / 2.0  # kappa_3 = 2, sigma^2 = 1, M = 1 for Exp(1)
    assert first_order_offset(EXP, 0.9, 0.99, 1) == pytest.approx(first, rel=1e-12)
    zero = adam_zero(EXP, 0.9, 0.99, 1)
    # the expansion neglects terms of relative order (1 - b2)(kurtosis - 1) = 0.08
    assert zero / first == pytest.approx(1.0, abs=0.1) and abs(zero) < abs(first)
    for law in ("normal", "two_point"):
        assert adam_zero(stochastic_quadratic(law), 0.9, 0.99, 1) == 0.0
    # the claim's band (+-0.004) lies inside the skewed zero, as its reason says
    assert ADAM_SYMMETRY.tolerance.above < abs(zero) / 2 + 1e-4


@pytest.mark.parametrize("seed", SEEDS)
def test_skewed_data_settle_at_the_field_zero_and_symmetric_data_at_x_star(seed):
    v = verdict("adam-symmetry", seed)
    assert v.ok, (v.outcome.reasons, v.control.reasons)
    m = v.outcome.measurement
    assert m.extra["zero"] == adam_zero(EXP, 0.9, 0.99, 1)
    assert all(c.passed for c in m.checks), [c.detail for c in m.checks]
    lo, hi = m.ci
    assert hi < -ADAM_SYMMETRY.tolerance.above  # the whole CI beyond the band
    # control: N(1, 1): the CI lies inside the band around x*, decisively
    assert v.control.verdict == "fails"
    clo, chi = v.control.measurement.ci
    assert -0.004 < clo < chi < 0.004


@pytest.mark.parametrize("runs", [64, 1024])
def test_the_dichotomy_does_not_flip_with_the_number_of_runs(runs):
    """The tolerance is in value units, so more runs only narrow the CI (256 is the default)."""
    v = verdict("adam-symmetry", 0, runs=runs)
    assert v.ok, (v.outcome.reasons, v.control.reasons)


def test_second_control_a_symmetric_discrete_law_fails_too():
    v = verdict("adam-symmetry", 0, law="two_point")
    assert v.outcome.verdict == "fails" and v.outcome.measurement.checks[0].passed


def test_a_skewed_bernoulli_law_is_not_x_star_either():
    q = stochastic_quadratic("bernoulli")
    v = ADAM_SYMMETRY.check(seed=1, overrides={"law": "bernoulli"}, control=False)
    assert v.passed, v.outcome.reasons
    assert v.outcome.measurement.extra["zero"] == adam_zero(q, 0.9, 0.99, 1) < -0.004


def test_first_step_check_catches_adam_without_bias_correction():
    """Without the corrections Adam's first step is gamma (1-b1)/sqrt(1-b2) (sqrt(10) gamma at
    b2 = 0.999): the check that guards the bias correction fails."""
    gamma = 0.01
    for correct, ratio in ((True, 1.0), (False, 0.1 / math.sqrt(0.001))):
        run = Adam(schedules.constant(gamma), beta2=0.999, bias_correction=correct).run(
            EXP, 10, runs=16, seed=0, x0=EXP.x_star)
        seen = Observed(Instance({"eps": 1e-8}, 0, EXP, None), run.checkpoints, np.zeros((16, 1)),
                        (run,))
        check = FirstStep(lambda s: gamma, lambda s: 1.0).evaluate(seen)
        assert check.passed == correct, check.detail
        step = np.max(np.abs(run.iterates[:, 0, 0] - 1.0)) / gamma
        assert step == pytest.approx(ratio, rel=1e-6)


# --- the rates ----------------------------------------------------------------------------------

def test_stated_rates_come_from_the_bounds():
    assert ADAM_RATE_BATCH.experiment.instance(ADAM_RATE_BATCH.resolve(), 0).stated == -1.0
    inst = ADAM_RATE_BETA2.experiment.instance({**ADAM_RATE_BETA2.resolve(), "h": 0.01}, 0)
    assert inst.stated == pytest.approx(1.0)
    inst = ADAM_RATE_LR.experiment.instance({**ADAM_RATE_LR.resolve(), "gamma": 1e-3}, 0)
    assert inst.stated == pytest.approx(0.5)


def test_the_field_zeros_fall_on_the_accepted_slopes():
    """The independent prediction of each rate claim lies inside its accepted interval, and
    the second controls' predictions outside it."""
    batches = np.array([1, 2, 4, 8, 16])
    batch_slope = _slope(batches, [-adam_zero(EXP, 0.9, 0.99, int(m)) for m in batches])
    assert batch_slope == pytest.approx(-1.0, abs=0.02)  # exactly -1 to first order
    lo, hi = ADAM_RATE_BATCH.accepted(-1.0)
    assert lo < batch_slope < hi
    hs = np.geomspace(0.0025, 0.04, 5)
    zeros = [-adam_zero(EXP, 0.9, 1 - h, 1) for h in hs]
    beta2_slope = _slope(hs, zeros)
    lo, hi = ADAM_RATE_BETA2.accepted(1.0)
    assert lo < beta2_slope < first_order_slope(0.9, hs) < hi
    c = np.array([coupling(0.99, 1 - h) for h in hs])  # second control: beta1 = 0.99
    assert _slope(hs, c / (1 - c)) < lo


@pytest.mark.parametrize("seed", SEEDS)
def test_offset_falls_like_one_over_the_batch_size(seed):
    v = verdict("adam-rate-batch", seed)
    assert v.ok, (v.outcome.reasons, v.control.reasons)
    zeros = [-adam_zero(EXP, 0.9, 0.99, m) for m in (1, 2, 4, 8, 16)]
    assert v.measured == pytest.approx(_slope([1, 2, 4, 8, 16], zeros), abs=0.05)
    assert all(c.passed for c in v.outcome.measurement.checks)
    assert v.control.measurement.fit is None and "indistinguishable" in v.control.reasons[0]


def test_batch_second_control_a_step_comparable_to_one_minus_beta2_is_too_steep():
    v = verdict("adam-rate-batch", 0, gamma=5e-3)
    assert v.outcome.verdict == "fails" and v.outcome.measurement.fit.ci[1] < -1.15


@pytest.mark.parametrize("seed", SEEDS)
def test_offset_is_of_order_one_minus_beta2(seed):
    v = verdict("adam-rate-beta2", seed)
    assert v.ok, (v.outcome.reasons, v.control.reasons)
    hs = np.geomspace(0.0025, 0.04, 5)
    field = _slope(hs, [-adam_zero(EXP, 0.9, 1 - h, 1) for h in hs])
    assert v.measured == pytest.approx(field, abs=0.03)
    extra = v.outcome.measurement.extra
    assert extra["first_order_slope"] == pytest.approx(first_order_slope(0.9, hs), rel=1e-12)
    assert v.control.measurement.fit is None and "indistinguishable" in v.control.reasons[0]


def test_beta2_second_control_beta1_near_beta2_halves_the_slope():
    v = verdict("adam-rate-beta2", 0, beta1=0.99)
    assert v.outcome.verdict == "fails" and v.outcome.measurement.fit.ci[1] < 0.8


@pytest.mark.parametrize("seed", SEEDS)
def test_rms_error_of_symmetric_data_is_of_order_sqrt_gamma(seed):
    v = verdict("adam-rate-lr", seed)
    assert v.ok, (v.outcome.reasons, v.control.reasons)
    m = v.outcome.measurement
    # the checks: the mean square is gamma sigma_M / 2 at every step; the first step is gamma
    assert all(c.passed for c in m.checks), [c.detail for c in m.checks]
    predicted = np.sqrt(m.trace.x / 2)  # sigma_M = 1
    assert np.sqrt(np.mean(m.trace.values**2, axis=0)) == pytest.approx(predicted, rel=0.15)
    # control: Exp(1) at beta2 = 0.9: the bias (the field's zero, 0.042) floors the RMS at
    # small gamma, where the fluctuation sqrt(gamma/2) = 0.007 adds 1.5% in quadrature
    floor = abs(adam_zero(EXP, 0.9, 0.9, 1))
    c = v.control.measurement
    assert np.sqrt(np.mean(c.trace.values[:, 0] ** 2)) == pytest.approx(floor, rel=0.05)
    assert v.control.verdict == "fails" and c.fit.ci[1] < 0.45


def test_show_and_set_work_for_what_a_reader_varies(capsys):
    assert main(["show", "adam-symmetry"]) == 0
    out = capsys.readouterr().out
    for name in ("law", "beta1", "beta2", "eps", "batch", "gamma0", "exponent", "horizon",
                 "runs"):
        assert name in out
    params = ADAM_RATE_BATCH.resolve({"gamma": 2e-4, "max_batch": 8, "beta2": 0.999})
    assert params["gamma"] == 2e-4 and params["law"] == "exponential"
    with pytest.raises(ValueError, match="law"):
        ADAM_SYMMETRY.resolve({"law": "cauchy"})
    with pytest.raises(ValueError, match="beta2_low must be < beta2_high"):
        ADAM_RATE_BETA2.check(overrides={"beta2_low": 0.999, "beta2_high": 0.99})
