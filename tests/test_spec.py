"""rates.spec additions: Family (an instance per horizon), MatchesExpectation, rate_with,
checkpoints as a function of the instance, values_at (the worst-case leg's measured values).

The instances are 1-D quadratics f = lam/2 x^2 under GD with step 1, where x_N = (1 - lam)^N x_0
in closed form."""

import numpy as np
import pytest
import sympy as sp

from experiments.methods import GradientDescent
from problems.quadratic import Quadratic
from rates.bound import Bound, k
from rates.spec import (
    Family,
    MatchesExpectation,
    Observed,
    Spec,
    Within,
    rate_with,
    suboptimality,
    values_at,
)

C = sp.Symbol("C", positive=True)


def _line(lam: float) -> Quadratic:
    return Quadratic(eigenvalues=np.array([lam]), x_star=np.zeros(1), f_star=0.0)


def _family_spec(**kw) -> Spec:
    """Member for N: lam_N = 1/N, so f(x_N) = (1 - 1/N)^(2N) / (2N) with x_0 = 1."""
    return Spec(problem=lambda p, seed: _line(0.5),
                family=Family(lambda i: i["ns"], lambda i, n: _line(1.0 / n)),
                method=lambda i: GradientDescent(i["step"]), quantity=suboptimality,
                bound=Bound(C / k), x0=lambda i: np.ones(1), **kw)


def test_a_family_runs_each_member_for_its_own_horizon():
    ns = [10, 20, 40, 80, 160, 320]
    m = _family_spec()({"ns": ns, "step": 1.0}, 0)
    n = np.array(ns, float)
    exact = (1 - 1 / n) ** (2 * n) / (2 * n)
    np.testing.assert_allclose(m.trace.x, n)
    np.testing.assert_allclose(m.trace.values[0], exact, rtol=1e-12)
    # the least-squares slope of the closed form in log-log, computed here with numpy
    slope = -np.polyfit(np.log(n), np.log(exact), 1)[0]
    assert m.measured == pytest.approx(slope, rel=1e-9)
    assert m.extra["N"] == ns


def test_a_family_reports_divergence_and_rejects_bad_horizons():
    # step 4800 on lam = 1/400: |1 - 12|^400 passes the divergence limit
    m = _family_spec()({"ns": [400, 800, 1600], "step": 4800.0}, 0)
    assert m.diverged_at is not None and m.extra["diverged for"] == {"N": 400}
    with pytest.raises(ValueError, match="3 increasing horizons"):
        _family_spec()({"ns": [10, 10, 20], "step": 1.0}, 0)
    with pytest.raises(ValueError, match="power law"):
        Spec(problem=lambda p, s: _line(0.5), family=Family([1, 2, 3], lambda i, n: _line(0.5)),
             method=lambda i: GradientDescent(1.0), quantity=suboptimality,
             bound=Bound(C * sp.Rational(1, 2) ** k, law="geometric"))


def test_within_and_rate_with_rerun_the_spec_with_other_parameters():
    spec = None

    def get():
        return spec

    spec = _family_spec(checks=(Within("at step 0.5", rate_with(get, {"step": 0.5}), 0.0, 10.0,
                                       "reason"),))
    m = spec({"ns": [10, 20, 40, 80], "step": 1.0}, 0)
    (check,) = m.checks
    n = np.array([10, 20, 40, 80], float)
    other = -np.polyfit(np.log(n), np.log((1 - 0.5 / n) ** (2 * n) / (2 * n)), 1)[0]
    assert check.passed and float(check.detail.split(",")[0]) == pytest.approx(other, rel=1e-5)


def _observed(values: np.ndarray) -> Observed:
    return Observed(instance=None, x=np.arange(1.0, values.shape[1] + 1), values=values, runs=())


def test_matches_expectation_in_standard_errors():
    rng = np.random.default_rng(0)
    exact = np.array([1.0, 0.5, 0.25, 0.125])
    values = exact + 0.1 * rng.standard_normal((400, 4))
    ok = MatchesExpectation("mean", lambda s: exact, "reason").evaluate(_observed(values))
    assert ok.passed, ok.detail
    # shifted by 10 SE (0.1/sqrt(400) = 0.005): fails
    bad = MatchesExpectation("mean", lambda s: exact + 0.05, "reason").evaluate(_observed(values))
    assert not bad.passed and "SE" in bad.detail
    # identical runs (no noise): judged relative to the value
    same = np.tile(exact, (5, 1))
    assert MatchesExpectation("m", lambda s: exact * (1 + 1e-12), "r").evaluate(
        _observed(same)).passed
    assert not MatchesExpectation("m", lambda s: exact * 1.001, "r").evaluate(
        _observed(same)).passed
    with pytest.raises(ValueError, match="one value per point"):
        MatchesExpectation("m", lambda s: exact[:2], "r").evaluate(_observed(same))


def test_checkpoints_may_be_a_function_of_the_instance():
    spec = Spec(problem=lambda p, seed: _line(0.1), method=lambda i: GradientDescent(1.0),
                quantity=suboptimality, bound=Bound(C * sp.Rational(9, 10) ** (2 * k),
                                                    law="geometric"),
                x0=lambda i: np.ones(1), horizon=lambda i: 50, window=(0, 50),
                checkpoints=lambda i: np.array([0, 5, 10, 20, 50]))
    m = spec({}, 0)
    np.testing.assert_array_equal(m.trace.x, [0, 5, 10, 20, 50])
    np.testing.assert_allclose(m.trace.values[0], 0.05 * 0.9 ** (2 * m.trace.x), rtol=1e-12)
    assert m.measured == pytest.approx(0.81, rel=1e-9)
    with pytest.raises(ValueError, match="function of"):
        Spec(problem=lambda p, seed: _line(0.1), method=lambda i: GradientDescent(1.0),
             quantity=suboptimality, bound=Bound(C / k), checkpoints="every")


def test_values_at_gives_the_measured_value_after_exactly_n_steps():
    fam = _family_spec()
    got = values_at(fam, {"ns": [10, 20, 40], "step": 1.0}, 0, [2, 5])
    assert set(got) == {2, 5}
    for n, v in got.items():
        assert v == pytest.approx((1 - 1 / n) ** (2 * n) / (2 * n), rel=1e-12)
    plain = Spec(problem=lambda p, seed: _line(0.1), method=lambda i: GradientDescent(1.0),
                 quantity=suboptimality, bound=Bound(C / k), x0=lambda i: np.ones(1))
    got = values_at(plain, {}, 0, [3, 1, 7])
    assert list(got) == [1, 3, 7]
    for n, v in got.items():
        assert v == pytest.approx(0.05 * 0.9 ** (2 * n), rel=1e-12)
    with pytest.raises(ValueError, match=">= 1"):
        values_at(plain, {}, 0, [0, 3])
