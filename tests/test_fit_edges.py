"""rates.fit at the edges: it never returns NaN, and every refusal is a ValueError naming what.

Property-based: for any data, a fit either returns finite numbers with rate inside its CI's
neighbourhood or raises ValueError; never NaN, never another exception.
"""

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from rates import fit

K = np.geomspace(1, 1e4, 41)
LAWS = {"power_law": fit.power_law, "geometric": fit.geometric, "parameter": fit.parameter}


def test_a_window_with_one_distinct_k_is_refused_not_nan():
    k = np.array([1.0, 2.0, 5.0, 5.0, 5.0])
    with pytest.raises(ValueError, match=r"single distinct value of k \(5\)"):
        fit.power_law(k, k**-1.0, window=(4, 6))
    with pytest.raises(ValueError, match="single distinct value of h"):
        fit.parameter(k, k**-1.0, window=(4, 6))
    # replicated points are fine when the window holds two distinct values
    f = fit.power_law(k, k**-1.0, window=(2, 6))
    assert f.rate == pytest.approx(1.0, abs=1e-12) and f.points == 4


@pytest.mark.parametrize("bad", [0.0, -1e-5])
@pytest.mark.parametrize("statistic", ["mean", "median"])
def test_one_run_at_zero_or_below_is_refused_though_the_mean_is_positive(bad, statistic):
    errors = np.tile(K**-1.0, (5, 1))
    errors[2, -3] = bad
    assert np.all(np.mean(errors, axis=0) > 0)  # the old check looked only at this
    with pytest.raises(ValueError, match=f"positive in every run for statistic '{statistic}'"):
        fit.power_law(K, errors, statistic=statistic)


def test_signed_runs_are_fitted_by_mean_abs_and_rms():
    rng = np.random.default_rng(0)
    signs = rng.choice([-1.0, 1.0], size=(30, K.size))
    errors = signs * K**-1.0 * np.exp(0.1 * rng.standard_normal((30, K.size)))
    for statistic in ("mean_abs", "rms"):
        f = fit.power_law(K, errors, statistic=statistic, n_resamples=200)
        assert f.rate == pytest.approx(1.0, abs=0.05)


@pytest.mark.parametrize("runs, message", [
    (10, "leave-one-run-out statistic is not positive"),         # jackknife: 5-49 runs
    (60, "bootstrap resamples of the runs have a rms <= 0")])    # BCa: >= 50 runs
def test_resamples_with_a_zero_statistic_are_an_error_not_dropped(runs, message):
    # one run non-zero only: leaving it out (or a resample without it) has rms 0 -> log 0
    errors = np.zeros((runs, K.size))
    errors[0] = K**-1.0
    with pytest.raises(ValueError, match=message):
        fit.power_law(K, errors, statistic="rms", n_resamples=200)


def test_noiseless_runs_still_get_a_finite_interval():
    errors = np.tile(3 * K**-0.5, (10, 1))
    f = fit.power_law(K, errors, n_resamples=200)
    assert f.rate == pytest.approx(0.5, abs=1e-12)
    assert f.ci == pytest.approx((0.5, 0.5), abs=1e-12)


def test_an_overflowing_statistic_is_refused():
    errors = np.full((2, K.size), 1e308)
    with pytest.raises(ValueError, match="overflows"):
        fit.power_law(K, errors, statistic="rms")


def test_an_interval_that_overflows_is_refused():
    # one run falling 300 decades in one step: the t-interval of log rho reaches ~2000 (exp: inf)
    with pytest.raises(ValueError, match="rate or its interval is not finite"):
        fit.geometric(np.arange(1.0, 4.0), np.array([[1e300, 1.0, 1.0]]), (1.0, 3.0))


@pytest.mark.parametrize("n", [0, 1, 2.5, True])
def test_n_resamples_is_checked(n):
    with pytest.raises(ValueError, match="n_resamples must be an integer >= 2"):
        fit.power_law(K, np.tile(K**-1.0, (3, 1)), n_resamples=n)


finite_positive = st.floats(1e-200, 1e200, allow_nan=False, allow_infinity=False)
anything = st.floats(allow_nan=True, allow_infinity=True, width=64)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(law=st.sampled_from(sorted(LAWS)),
       data=hnp.arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(3, 8)),
                       elements=st.one_of(finite_positive, anything)),
       statistic=st.sampled_from(sorted(fit.STATISTICS)))
def test_any_data_give_a_finite_fit_or_a_value_error(law, data, statistic):
    x = np.arange(1.0, data.shape[1] + 1)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # no silent NaN arithmetic either
        try:
            f = LAWS[law](x, data, (1.0, float(data.shape[1])), statistic=statistic,
                          n_resamples=50)
        except ValueError:
            return
    assert np.isfinite(f.rate) and np.isfinite(f.intercept) and np.isfinite(f.residual)
    assert np.all(np.isfinite(f.ci)) and f.ci[0] <= f.ci[1]
    if statistic in fit.POSITIVE_RUNS:
        assert np.all(data > 0)


@settings(max_examples=40, deadline=None)
@given(p=st.floats(0.1, 3.0), c=st.floats(1e-6, 1e6), scale=st.floats(1e-6, 1e6),
       runs=st.sampled_from([1, 5, 6]), seed=st.integers(0, 2**31))
def test_the_rate_does_not_depend_on_the_units_of_the_errors(p, c, scale, runs, seed):
    rng = np.random.default_rng(seed)
    errors = c * K**-p * np.exp(0.2 * rng.standard_normal((runs, K.size)))
    a = fit.power_law(K, errors, n_resamples=50, seed=seed)
    b = fit.power_law(K, scale * errors, n_resamples=50, seed=seed)
    assert b.rate == pytest.approx(a.rate, rel=1e-9, abs=1e-9)
    assert b.intercept == pytest.approx(a.intercept + np.log(scale), rel=1e-9, abs=1e-6)


@settings(max_examples=40, deadline=None)
@given(lo=st.floats(-1e6, 1e6), width=st.floats(-1e6, 1e6))
def test_any_window_is_fitted_or_refused_by_a_value_error(lo, width):
    assume(np.isfinite(lo + width))
    try:
        f = fit.power_law(K, K**-1.0, window=(lo, lo + width))
    except ValueError as error:
        assert "window" in str(error) or "k must be positive" in str(error)
        return
    assert f.rate == pytest.approx(1.0, abs=1e-9) and f.points >= 3
