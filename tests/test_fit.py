"""rates.fit: recovers known rates, its CI covers the truth at about the stated level, and it
refuses data it cannot fit."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rates import fit

K = np.geomspace(1, 1e4, 41)


@settings(max_examples=30, deadline=None)
@given(p=st.floats(0.1, 3.0), c=st.floats(1e-3, 1e3), noise=st.floats(0.0, 0.3),
       seed=st.integers(0, 2**31))
def test_power_law_recovers_rate(p, c, noise, seed):
    rng = np.random.default_rng(seed)
    errors = c * K ** (-p) * np.exp(noise * rng.standard_normal((30, K.size)))
    f = fit.power_law(K, errors, n_resamples=200)
    # 30 runs, 11 points in the last decade: the slope's SE is ~noise * 0.06; 0.1 is > 5 SE
    assert f.rate == pytest.approx(p, abs=0.1)
    assert f.window == (1e3, 1e4) and f.runs == 30 and f.points == 11


@settings(max_examples=30, deadline=None)
@given(rho=st.floats(0.5, 0.999), noise=st.floats(0.0, 0.3), seed=st.integers(0, 2**31))
def test_geometric_recovers_factor(rho, noise, seed):
    rng = np.random.default_rng(seed)
    k = np.arange(0, 200, 5.0)
    errors = 2.0 * rho**k * np.exp(noise * rng.standard_normal((30, k.size)))
    f = fit.geometric(k, errors, n_resamples=200)
    # log rho is the slope; over 100 steps of the late half the SE of log rho is ~noise * 3e-4
    assert f.rate == pytest.approx(rho, abs=2e-3)


@settings(max_examples=30, deadline=None)
@given(p=st.floats(-2.0, 2.0), noise=st.floats(0.0, 0.3), seed=st.integers(0, 2**31))
def test_parameter_recovers_exponent(p, noise, seed):
    rng = np.random.default_rng(seed)
    hs = np.geomspace(1e-3, 1e-1, 9)
    errors = 0.5 * hs**p * np.exp(noise * rng.standard_normal((40, hs.size)))
    f = fit.parameter(hs, errors, n_resamples=200)
    assert f.rate == pytest.approx(p, abs=0.1)
    assert f.window == (1e-3, 1e-1)


def coverage(trials: int, runs: int, noise: float, seed: int = 0) -> float:
    rng = np.random.default_rng(seed)
    hits = 0
    for trial in range(trials):
        errors = 3.0 * K**-0.5 * np.exp(noise * rng.standard_normal((runs, K.size)))
        f = fit.power_law(K, errors, n_resamples=1000, seed=trial)
        hits += f.ci[0] <= 0.5 <= f.ci[1]
    return hits / trials


@pytest.mark.parametrize("runs, trials", [(5, 300), (20, 300), (60, 150)])
def test_ci_covers_truth_at_about_95_percent_at_small_and_large_run_counts(runs, trials):
    # jackknife-t below 50 runs, BCa from 50; the binomial SE of a 95% coverage over 150-300
    # trials is 1.3-1.8%, so [0.90, 0.99] rejects a 90% or an 80% interval
    c = coverage(trials, runs, 0.3)
    method = "BCa" if runs >= fit.MIN_BOOTSTRAP_RUNS else "jackknife"
    assert method in fit.power_law(K, 3.0 * K**-0.5 * np.exp(0.3 * np.random.default_rng(
        0).standard_normal((runs, K.size)))).ci_method
    assert 0.90 <= c <= 0.99, c


def test_two_to_four_runs_are_refused_as_too_few():
    errors = 3.0 * K**-0.5 * np.exp(0.1 * np.random.default_rng(0).standard_normal((3, K.size)))
    with pytest.raises(fit.TooFewRuns, match="3 runs are too few"):
        fit.power_law(K, errors)


def test_ci_treats_runs_as_the_units_duplicating_them_narrows_it_by_sqrt_two():
    # runs correlated along time (a random walk in log error): resampling checkpoints would
    # see 41 nearly dependent points; resampling runs sees 30, and 60 copies of them narrow the
    # interval by about sqrt(2)
    rng = np.random.default_rng(5)
    walk = np.cumsum(0.05 * rng.standard_normal((30, K.size)), axis=1)
    errors = K**-1.0 * np.exp(walk)
    once = fit.power_law(K, errors)
    twice = fit.power_law(K, np.concatenate([errors, errors]))
    ratio = (once.ci[1] - once.ci[0]) / (twice.ci[1] - twice.ci[0])
    assert twice.rate == pytest.approx(once.rate, abs=1e-12)
    assert 1.25 <= ratio <= 1.6, ratio


def test_ci_from_one_run_is_the_spread_over_three_windows():
    errors = 2.0 * K**-1.0 * np.exp(0.05 * np.random.default_rng(1).standard_normal(K.size))
    f = fit.power_law(K, errors, window=(10, 1e4))
    assert f.runs == 1 and "3 fit windows" in f.ci_method
    assert f.ci[0] <= f.rate <= f.ci[1] and f.ci[1] - f.ci[0] < 0.05
    bent = 2.0 * K**-1.0 * (1 + 30 / K)  # a rate still changing inside the window
    g = fit.power_law(K, bent, window=(10, 1e4))
    assert g.ci[1] - g.ci[0] > 0.2  # local slopes 1.05-1.3 across the window


def test_exact_data_give_exact_rate_and_predict():
    f = fit.power_law(K, 5 * K**-2.0, window=(10, 1e4))
    assert f.rate == pytest.approx(2.0, abs=1e-12)
    assert f.predict(np.array([100.0]))[0] == pytest.approx(5e-4)


@pytest.mark.parametrize("errors, message", [
    (-K, "positive"),
    (np.zeros_like(K), "positive"),
    (np.ones((3, K.size + 1)), "shape"),
    (np.where(K > 5e3, np.nan, 1.0), "NaN"),
])
def test_refuses_bad_data(errors, message):
    with pytest.raises(ValueError, match=message):
        fit.power_law(K, errors)


def test_refuses_window_outside_data_and_too_few_points():
    with pytest.raises(ValueError, match="outside the data"):
        fit.power_law(K, K**-1.0, window=(1e5, 1e6))
    with pytest.raises(ValueError, match="at least 3 points"):
        fit.power_law(K, K**-1.0, window=(9e3, 1e4))
    with pytest.raises(ValueError, match="low <= high"):
        fit.power_law(K, K**-1.0, window=(1e4, 10))


def test_refuses_unknown_statistic_and_level():
    with pytest.raises(ValueError, match="statistic"):
        fit.power_law(K, K**-1.0, statistic="mode")
    with pytest.raises(ValueError, match="level"):
        fit.power_law(K, K**-1.0, level=1.5)


def test_median_and_rms_statistics():
    rng = np.random.default_rng(3)
    errors = K**-1.0 * np.exp(0.2 * rng.standard_normal((50, K.size)))
    for statistic in ("median", "rms"):
        f = fit.power_law(K, errors, statistic=statistic, n_resamples=200)
        assert f.rate == pytest.approx(1.0, abs=0.05) and f.statistic == statistic
