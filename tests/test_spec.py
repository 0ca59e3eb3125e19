"""rates.spec additions, on instances whose answers are known in closed form.

* Family (an instance per horizon), MatchesExpectation, rate_with, checkpoints as a function of
  the instance, values_at (the worst-case leg's measured values): 1-D quadratics f = lam/2 x^2
  under GD with step 1, where x_N = (1 - lam)^N x_0.
* Limit (one value per run, its mean and SE) and the typed assertions Agrees, Feasible,
  IndependentRuns, Sweep(resolved=...): a fake method draws iid normal iterates, so that the
  mean, the SE and every interval have closed forms to compare with.
"""

import math
from dataclasses import dataclass

import numpy as np
import pytest
import sympy as sp
from scipy import stats

from experiments.methods import GradientDescent
from experiments.run import Run
from problems.quadratic import Quadratic
from rates.bound import Bound, k
from rates.claim import Claim, Control, Measurement, Mode, Paper, Tolerance, Trace
from rates.params import Parameter
from rates.spec import (
    Agrees,
    Family,
    Feasible,
    IndependentRuns,
    Instance,
    Limit,
    MatchesExpectation,
    Observed,
    Quantity,
    Spec,
    Sweep,
    Within,
    _refuse_unresolved,
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


# --- Limit and the typed assertions of the Adam claims ---------------------------------------

@dataclass(frozen=True)
class _Normal:
    """A 'method' whose run r at checkpoint k is mean + sd z_{r,k} (z iid N(0, 1) from seed)."""

    mean: float
    sd: float
    shared_stream: bool = False
    diverge: bool = False

    def run(self, problem, horizon, *, runs=1, seed=0, x0=None, checkpoints=None):
        k = np.array([1, horizon // 2, horizon], dtype=np.int64)
        rng = np.random.default_rng(seed)
        z = rng.standard_normal((1 if self.shared_stream else runs, k.size, 1))
        z = np.broadcast_to(z, (runs, k.size, 1))
        diverged = np.full(runs, -1)
        if self.diverge:
            diverged[1] = 7
        return Run(checkpoints=k, iterates=self.mean + self.sd * z, diverged_at=diverged,
                   seed=seed)


def _limit(mean=0.3, sd=1.0, target=0.0, checks=(), **kw) -> Limit:
    return Limit(problem=lambda p, s: None, method=lambda i: _Normal(mean, sd, **kw),
                 value=Quantity("x_T", lambda i, r: r.iterates[:, -1, 0]), target=target,
                 horizon=10, runs="runs", checks=checks)


def test_limit_is_the_mean_over_runs_with_its_standard_error():
    m = _limit()({"runs": 40}, 3)
    x = np.random.default_rng(3).standard_normal((40, 3))[:, -1] + 0.3
    assert m.value == pytest.approx(x.mean(), rel=1e-12)
    assert m.se == pytest.approx(x.std(ddof=1) / math.sqrt(40), rel=1e-12)
    assert m.runs == 40 and m.target == 0.0 and m.stated() == 0.0
    q = stats.t.ppf(0.975, 39)  # the claim's interval: Student's t on runs - 1
    assert m.ci == pytest.approx((m.value - q * m.se, m.value + q * m.se), rel=1e-12)
    assert m.trace.values.shape == (40, 3)


def test_limit_target_may_be_a_function_of_the_instance_or_a_parameter():
    assert _limit(target=lambda i: 2.0 * i["runs"])({"runs": 6}, 0).target == 12.0
    assert _limit(target="goal")({"runs": 6, "goal": -1.5}, 0).target == -1.5


def test_limit_refuses_too_few_runs_and_reports_divergence():
    m = _limit()({"runs": 3}, 0)
    assert m.value is None and m.too_few_runs and "too few" in m.refused
    m = _limit(diverge=True)({"runs": 8}, 0)
    assert m.diverged_at == 7 and m.value is None


def _claim(experiment, tolerance) -> Claim:
    return Claim(id="t-limit", title="t", paper=Paper("a", "t", 2000, None, "T1"),
                 statement="s", mode=Mode.LIMIT, law="limit", tolerance=tolerance,
                 parameters=(Parameter("runs", 64, "runs", 1, 10**6),
                             Parameter("mean", 0.3, "mean", -10.0, 10.0)),
                 experiment=experiment, control=Control({"mean": 0.0}, "at 0"))


@pytest.mark.parametrize("runs", [16, 64, 256, 1024, 4096])
def test_a_true_limit_claim_never_flips_with_the_number_of_runs(runs):
    """Mean 0.3 +- 1: 'not within 0.1 of 0' holds or is undecided, never fails; 'within 0.1 of
    0' never holds.  In SE units the second would hold at few runs and fail at many."""
    spec = Limit(problem=lambda p, s: None, method=lambda i: _Normal(i["mean"], 1.0),
                 value=Quantity("x_T", lambda i, r: r.iterates[:, -1, 0]), target=0.0,
                 horizon=10, runs="runs")
    away = _claim(spec, Tolerance(0.1, 0.1, "r", outside=True))
    near = _claim(spec, Tolerance(0.1, 0.1, "r"))
    for seed in range(5):
        v = away.check(seed=seed, overrides={"runs": runs})
        assert v.outcome.verdict in ("holds", "undecided")
        assert near.check(seed=seed, overrides={"runs": runs},
                          control=False).outcome.verdict != "holds"
        if runs >= 1024:  # SE <= 0.031: the claim's CI clears the band by > 4 SE
            assert v.outcome.verdict == "holds"
        if runs >= 4096:  # SE <= 0.016: the control's CI (mean 0) lies inside it
            assert v.control.verdict == "fails"


def test_identical_runs_fail_the_claim_instead_of_crashing():
    spec = _limit(shared_stream=True, checks=(IndependentRuns(),))
    m = spec({"runs": 32}, 0)
    assert m.se == 0.0 and not m.checks[0].passed
    assert m.checks[0].detail == "1 distinct of 32 runs"
    v = _claim(spec, Tolerance(0.1, 0.1, "r", outside=True)).check(seed=0)
    assert v.outcome.verdict == "fails"


def _seen(per_run=None, values=None, runs=(), x=None) -> Observed:
    inst = Instance(params={}, seed=0, problem=None, bound=None)
    values = np.zeros((len(per_run), 1)) if values is None else values
    return Observed(inst, np.arange(values.shape[1]) if x is None else x, values, runs,
                    per_run=per_run)


def test_agrees_is_a_t_test_with_a_model_tolerance():
    """Passes iff |mean - target| <= t_{0.9995, R-1} SE + absolute + relative |target|."""
    x = 1.0 + np.random.default_rng(0).standard_normal(100)
    half = stats.t.ppf(0.9995, 99) * x.std(ddof=1) / 10
    mean = x.mean()

    def agrees(target, **tol):
        return Agrees("a", lambda s: target, "r", **tol).evaluate(_seen(x)).passed

    assert agrees(1.0)
    assert agrees(mean + 0.99 * half) and agrees(mean - 0.99 * half)
    assert not agrees(mean + 1.01 * half) and not agrees(mean - 1.01 * half)
    far = mean + half + 0.05 * abs(mean)  # 5% beyond the interval: agrees within 10% only
    assert not agrees(far) and agrees(far, relative=0.1) and agrees(far, absolute=0.1)


def test_agrees_judges_every_column_against_its_own_target():
    rng = np.random.default_rng(1)
    values = np.array([1.0, 2.0, 4.0]) + 0.01 * rng.standard_normal((50, 3))
    seen = _seen(values=values, x=np.array([1.0, 2.0, 4.0]))
    assert Agrees("a", lambda s: s.x, "r").evaluate(seen).passed
    check = Agrees("a", lambda s: s.x * np.array([1.0, 1.0, 1.1]), "r").evaluate(seen)
    assert not check.passed and "worst of 3" in check.detail and "4.4" in check.detail
    assert not Agrees("a", lambda s: 1.0, "r").evaluate(_seen(np.ones(1))).passed


def test_feasible_sees_every_iterate_of_every_run():
    inside = Run(np.array([1, 2]), np.full((3, 2, 1), 0.5), np.full(3, -1), 0)
    outside = Run(np.array([1, 2]), np.array([[[0.5], [1.0 + 1e-12]]]), np.full(1, -1), 0)
    nan = Run(np.array([1, 2]), np.array([[[0.5], [np.nan]]]), np.full(1, -1), 0)
    box = Feasible(-1.0, 1.0, "projected")
    assert box.evaluate(_seen(np.ones(3), runs=(inside,))).passed
    assert not box.evaluate(_seen(np.ones(3), runs=(inside, outside))).passed
    assert not box.evaluate(_seen(np.ones(1), runs=(nan,))).passed


def test_unresolved_values_refuse_the_fit():
    rng = np.random.default_rng(2)
    h = np.array([1.0, 2.0, 4.0])
    signal = np.array([1.0, 0.5, 0.25]) + 0.01 * rng.standard_normal((20, 3))
    m = Measurement(trace=Trace(h, signal, "h", "y"), fit=object())
    _refuse_unresolved(m, h, signal, Sweep("h", h, lambda x, v: v, resolved=3.0))
    assert m.fit is not None and m.refused is None
    noise = np.column_stack([signal[:, :2], 0.01 * rng.standard_normal(20)])
    _refuse_unresolved(m, h, noise, Sweep("h", h, lambda x, v: v, resolved=3.0))
    assert m.fit is None and "h = 4" in m.refused and "indistinguishable" in m.refused
