"""sgdm-effective-step: the claim holds and its control fails for seeds 0-9; the gap D(d) and
the risks come from exact second-moment recursions (numpy, Gaussian fourth moments), which the
measured means follow; the two methods share each run's sample stream."""

import math
from functools import cache

import numpy as np
import pytest

from experiments.methods import GradientDescent, HeavyBall
from paper_checks.sgdm_limit import CLAIM, exact_sgd_risk
from problems.streaming import streaming_least_squares


@cache
def _verdict(seed: int):
    return CLAIM.check(seed=seed)


def exact_risks(d: int, c: float = 0.5, beta: float = 0.9, noise: float = 0.5, t_max: float = 8,
                momentum: bool = True, matched: bool = True) -> np.ndarray:
    """E||w_k - w*||^2 of heavy ball e+ = ((1 + b) I - eta x x^T) e - b e_prev + eta noise xi x
    from ||e_0|| = 1: the moments a = E||e_k||^2, b = E<e_k, e_{k-1}>, c = E||e_{k-1}||^2 close
    because E[x x^T u v^T x x^T] = u v^T + v u^T + <u, v> I for x ~ N(0, I)."""
    b_ = beta if momentum else 0.0
    eta = c * (1 - beta) / d if momentum and matched else c / d
    p = (1 + b_) ** 2 - 2 * (1 + b_) * eta + eta**2 * (d + 2)
    q = 1 + b_ - eta
    a, cross, prev = 1.0, 1.0, 1.0
    out = [a]
    for _ in range(int(round(t_max * d))):
        a, cross, prev = (p * a - 2 * b_ * q * cross + b_ * b_ * prev + eta**2 * noise**2 * d,
                          q * a - b_ * cross, a)
        out.append(a)
    return np.array(out)


def test_exact_gap_falls_like_one_over_d_and_both_reach_the_ode_limit():
    dims = (125, 250, 500, 1000)
    gaps = [np.max(np.abs(exact_risks(d) - exact_risks(d, momentum=False))) for d in dims]
    slope = np.polyfit(np.log(dims), np.log(gaps), 1)[0]
    assert -1.0 <= slope <= -0.85 and gaps[-1] < 0.006
    # the limit ODE v' = -(2c - c^2) v + c^2 sigma^2, v(0) = 1, at t = 8
    c, s2 = 0.5, 0.25
    v_inf = c * c * s2 / (2 * c - c * c)
    ode = v_inf + (1 - v_inf) * math.exp(-(2 * c - c * c) * 8)
    for d in (500, 1000):
        assert exact_risks(d)[-1] == pytest.approx(ode, abs=5 / d)
        assert exact_risks(d, momentum=False)[-1] == pytest.approx(ode, abs=5 / d)
    assert exact_sgd_risk(1000, 0.5, 0.5, 8000) == pytest.approx(
        exact_risks(1000, momentum=False)[-1], rel=1e-12)


def test_unmatched_step_grows_without_bound():
    assert exact_risks(125, matched=False)[-1] > 1e15


def test_the_methods_share_each_runs_stream():
    """From w0 = 0 the first steps use the same sample: w_M(1) = (1 - beta) w_SGD(1)."""
    q = streaming_least_squares(50, noise=0.5)
    one = np.array([1])
    sgd = GradientDescent(0.5 / 50, stochastic=True).run(q, 1, runs=3, seed=4, checkpoints=one)
    sgdm = HeavyBall(0.05 / 50, 0.9, stochastic=True).run(q, 1, runs=3, seed=4, checkpoints=one)
    np.testing.assert_allclose(sgdm.iterates, 0.1 * sgd.iterates, rtol=1e-12)
    assert np.all(sgd.iterates[0] != sgd.iterates[1])  # and the runs differ


def test_measured_risks_follow_the_exact_recursions():
    """d = 125 (the first sweep value): the means over 200 runs of both methods at t = 1, 2, 8
    lie within 5 SE of the exact second moments."""
    q = streaming_least_squares(125, noise=0.5)
    ks = np.array([125, 250, 1000])
    for method, momentum in ((GradientDescent(0.5 / 125, stochastic=True), False),
                             (HeavyBall(0.05 / 125, 0.9, stochastic=True), True)):
        run = method.run(q, 1000, runs=200, seed=9, checkpoints=ks)
        err = np.sum((run.iterates - q.x_star) ** 2, axis=-1)
        exact = exact_risks(125, momentum=momentum)[ks]
        se = err.std(axis=0, ddof=1) / math.sqrt(200)
        assert np.all(np.abs(err.mean(axis=0) - exact) < 5 * se)


@pytest.mark.parametrize("seed", range(10))
def test_claim_holds_and_control_fails(seed):
    v = _verdict(seed)
    assert v.ok, (v.outcome.reasons, v.control.reasons)
    lo, hi = v.ci
    assert 0 < lo < hi <= 0.01
    assert all(c.passed for c in v.outcome.measurement.checks)
    assert v.control.measurement.measured > 1e6  # the unmatched step blows up


def test_gap_at_every_dimension_is_near_its_exact_value():
    m = _verdict(0).outcome.measurement
    exact = {d: np.max(np.abs(exact_risks(d) - exact_risks(d, momentum=False)))
             for d in (125, 250, 500, 1000)}
    for d, gap in m.extra["D(d)"].items():
        # 20 runs and a 1/16 time grid: within a factor 1.6 of the exact (every-step) gap
        assert exact[d] / 1.6 < gap < 1.6 * exact[d]
