"""Stochastic quadratics and online linear problems: constants, exact samplers, clear errors."""

import math

import numpy as np
import pytest
from scipy import stats

from experiments import schedules
from experiments.first_order import gradient_descent
from experiments.reference import gradients_at_zero
from problems import cyclic_linear, random_linear, stochastic_quadratic
from problems.stochastic import LAWS, SYMMETRIC_LAWS

# (law, params, the law of one draw as scipy sees it)
CONTINUOUS = [
    ("normal", {"mean": -2.0, "sd": 3.0}, lambda m: stats.norm(-2.0, 3.0 / math.sqrt(m))),
    ("exponential", {"scale": 2.0, "loc": 1.0}, lambda m: stats.gamma(m, 1.0, 2.0 / m)),
    ("gamma", {"shape": 0.3, "scale": 1.5, "loc": 0.0},
     lambda m: stats.gamma(0.3 * m, 0.0, 1.5 / m)),
    ("gamma", {"shape": 4.0, "scale": 0.5, "loc": -1.0},
     lambda m: stats.gamma(4.0 * m, -1.0, 0.5 / m)),
]


@pytest.mark.parametrize("law", LAWS)
def test_every_default_law_has_mean_one_and_variance_one(law):
    q = stochastic_quadratic(law, d=3)
    assert q.mean == pytest.approx(1.0) and q.variance == pytest.approx(1.0)
    np.testing.assert_allclose(q.x_star, 1.0)
    assert q.f_star == pytest.approx(1.5)
    assert q.symmetric == (law in SYMMETRIC_LAWS)
    assert (q.third_moment == 0.0) == q.symmetric
    assert q.suboptimality(q.x_star) == 0.0
    assert q.value(q.x_star + 1.0) == pytest.approx(1.5 + 1.5)


@pytest.mark.parametrize("law, params, scipy_law", CONTINUOUS)
def test_moments_match_scipy(law, params, scipy_law):
    q = stochastic_quadratic(law, **params)
    one = scipy_law(1)
    mean, var, skew, kurt = (float(v) for v in one.stats("mvsk"))
    assert q.mean == pytest.approx(mean)
    assert q.variance == pytest.approx(var)
    assert q.third_moment == pytest.approx(skew * var**1.5)
    assert q.fourth_moment == pytest.approx((kurt + 3.0) * var**2)
    # the mean of M draws: variance sigma^2/M, third moment kappa_3/M^2, and scipy's law agrees
    for m in (2, 7):
        v, k3, m4 = q.batch_moments(m)
        mean_m, var_m, skew_m, kurt_m = (float(x) for x in scipy_law(m).stats("mvsk"))
        assert (v, k3, m4) == pytest.approx((var_m, skew_m * var_m**1.5, (kurt_m + 3) * var_m**2))


@pytest.mark.parametrize("law, params", [("bernoulli", {"prob": 0.2, "height": 2.5, "loc": 0.5}),
                                         ("bernoulli", {"prob": 0.5, "height": 1.0, "loc": 0.0}),
                                         ("two_point", {"center": 3.0, "half_gap": 0.5})])
def test_discrete_moments_and_quadrature_are_exact(law, params):
    q = stochastic_quadratic(law, **params)
    for m in (1, 3, 16):
        x, w = q.batch_mean_nodes(m)
        assert w.sum() == pytest.approx(1.0)
        c = x - q.mean
        assert w @ x == pytest.approx(q.mean)
        assert (w @ c**2, w @ c**3, w @ c**4) == pytest.approx(q.batch_moments(m), abs=1e-15)


@pytest.mark.parametrize("law, params, scipy_law", CONTINUOUS)
def test_quantile_quadrature_integrates_smooth_functions(law, params, scipy_law):
    q = stochastic_quadratic(law, **params)
    x, w = q.batch_mean_nodes(4, 2000)
    c = x - q.mean
    v, k3, _ = q.batch_moments(4)
    # moments converge slowly at the quantile endpoints; bounded functions (what the Adam field
    # integrates, g e^{-s g^2}) converge fast
    assert w @ c == pytest.approx(0.0, abs=2e-4 * math.sqrt(v))
    assert w @ c**2 == pytest.approx(v, rel=2e-3)
    expected = scipy_law(4).expect(lambda t: np.exp(-(t - q.mean) ** 2))
    assert w @ np.exp(-(c**2)) == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize("law, params, scipy_law", CONTINUOUS)
@pytest.mark.parametrize("batch", [1, 5])
def test_continuous_batch_means_are_drawn_from_the_exact_law(law, params, scipy_law, batch):
    q = stochastic_quadratic(law, **params)
    xbar = -gradients_at_zero(q, 20_000, batch=batch, seed=11)[:, 0]  # g(0) = 0 - Xbar
    assert stats.kstest(xbar, scipy_law(batch).cdf).pvalue > 1e-3


@pytest.mark.parametrize("law, params", [("bernoulli", {"prob": 0.2, "height": 2.5, "loc": 0.5}),
                                         ("bernoulli", {"prob": 0.5, "height": 1.0, "loc": 0.0}),
                                         ("two_point", {"center": 0.0, "half_gap": 1.0})])
@pytest.mark.parametrize("batch", [1, 7, 64, 100])
def test_discrete_batch_means_are_drawn_from_the_exact_law(law, params, batch):
    q = stochastic_quadratic(law, **params)
    xbar = -gradients_at_zero(q, 20_000, batch=batch, seed=3)[:, 0]
    x, w = q.batch_mean_nodes(batch)
    idx = np.searchsorted(x, xbar)
    idx = np.minimum(idx, x.size - 1)
    assert np.allclose(x[idx], xbar, atol=1e-12), "a batch mean off the support"
    counts = np.bincount(idx, minlength=x.size)
    keep = w * xbar.size >= 5  # chi-square needs expected counts >= 5; pool the tails
    expected = np.append(w[keep], w[~keep].sum()) * xbar.size
    observed = np.append(counts[keep], counts[~keep].sum())
    if expected[-1] == 0:
        expected, observed = expected[:-1], observed[:-1]
    assert stats.chisquare(observed, expected).pvalue > 1e-3


def test_vector_problems_draw_independent_coordinates():
    q = stochastic_quadratic("exponential", d=4)
    g = -gradients_at_zero(q, 20_000, batch=2, seed=5)
    corr = np.corrcoef(g.T)
    assert np.max(np.abs(corr - np.eye(4))) < 0.04
    assert g.mean(axis=0) == pytest.approx(np.ones(4), abs=0.03)


def test_sgd_runs_on_the_stochastic_quadratics_through_the_old_oracles():
    # the SOP kinds also answer field/sample_field, so the existing SGD kernel runs on them
    q = stochastic_quadratic("gamma", d=2)
    run = gradient_descent(q, schedules.polynomial(1.0, 1.0, 1.0), 20_000, runs=64, seed=2,
                           stochastic=True)
    # gamma_k = 1/(k+1) makes x_k the running mean of the data: E|x_k - x*|^2 = d sigma^2/k
    err = np.sum((run.iterates[:, -1] - q.x_star) ** 2, axis=-1).mean()
    assert err == pytest.approx(2.0 / 20_000, rel=0.3)
    exact = gradient_descent(q, schedules.constant(0.5), 60, x0=np.zeros(2))
    np.testing.assert_allclose(exact.iterates[0, -1], q.x_star, rtol=1e-12)


@pytest.mark.parametrize("kwargs, name", [
    ({"law": "cauchy"}, "law"), ({"law": "normal", "sd": 0.0}, "sd"), ({"d": 0}, "d"),
    ({"law": "normal", "scale": 1.0}, "takes the parameters"),
    ({"law": "two_point", "half_gap": -1.0}, "half_gap"),
    ({"law": "exponential", "scale": -1.0}, "scale"), ({"law": "gamma", "shape": 0.0}, "shape"),
    ({"law": "gamma", "loc": math.inf}, "loc"), ({"law": "bernoulli", "prob": 1.0}, "prob"),
    ({"law": "bernoulli", "height": 0.0}, "height"),
])
def test_stochastic_quadratic_rejects_impossible_values(kwargs, name):
    with pytest.raises(ValueError, match=name):
        stochastic_quadratic(**kwargs)


def test_batch_arguments_are_validated():
    q = stochastic_quadratic("normal")
    with pytest.raises(ValueError, match="batch"):
        q.batch_moments(0)
    with pytest.raises(ValueError, match="discrete"):
        stochastic_quadratic("two_point").batch_mean_law(2)


def test_reddi_online_problems():
    r = random_linear()
    assert r.mean_gradient == pytest.approx(0.2)  # 0.01 * 1010 - 0.99 * 10
    np.testing.assert_array_equal(r.x_star, [-1.0])
    assert r.box == (-1.0, 1.0)
    assert r.suboptimality(np.array([1.0])) == pytest.approx(0.4)
    g = gradients_at_zero(r, 200_000, seed=1)[:, 0]
    assert set(np.unique(g)) == {-10.0, 1010.0}
    assert np.mean(g == 1010.0) == pytest.approx(0.01, abs=0.001)
    g4 = gradients_at_zero(r, 1000, batch=4, seed=1)[:, 0]
    assert set(np.unique(g4)) <= {(k * 1010 - (4 - k) * 10) / 4 for k in range(5)}
    c = cyclic_linear(5.0, d=2, radius=2.0)
    assert c.mean_gradient == pytest.approx(1.0) and c.x_star.tolist() == [-2.0, -2.0]
    g = gradients_at_zero(c, 7)
    np.testing.assert_array_equal(g[:, 0], [5.0, -1, -1, 5, -1, -1, 5])  # t = 1, ..., 7


@pytest.mark.parametrize("make, kwargs, name", [
    (random_linear, {"prob": 0.0}, "prob"), (random_linear, {"large": -1.0}, "large"),
    (random_linear, {"small": 0.0}, "small"), (random_linear, {"prob": 0.5, "large": 1.0,
                                                               "small": 1.0}, "prob"),
    (random_linear, {"radius": 0.0}, "radius"), (random_linear, {"d": 0}, "d"),
    (cyclic_linear, {"C": 2.0}, "C"), (cyclic_linear, {"radius": -1.0}, "radius"),
])
def test_online_problems_reject_impossible_values(make, kwargs, name):
    with pytest.raises(ValueError, match=name):
        make(**kwargs)
