"""Truncated back-propagation: the claim holds and its control diverges for seeds 0-9 (the seed
does not enter); the stated factor is numpy's spectral norm of the iteration I - alpha H; the
reverse pass from w* is numpy's Neumann sum."""

from functools import cache

import numpy as np
import pytest

from paper_checks.truncated_backprop import (
    TRUNCATED_BACKPROP,
    bias_constant,
    neumann_gap,
    problem,
    step,
)
from rates.claim import FAILS, HOLDS

SEEDS = range(10)


@cache
def verdict(seed: int, **overrides):
    return TRUNCATED_BACKPROP.check(seed=seed, overrides=overrides or None)


@pytest.mark.parametrize("seed", SEEDS)
def test_claim_holds_and_its_control_diverges(seed):
    v = verdict(seed)
    assert v.status == HOLDS, v.outcome.reasons
    assert v.control.verdict == FAILS and v.control.measurement.diverged_at is not None
    # the fit is decisively faster than the bound: CI top 0.943 < 0.948 = 1 - alpha mu
    lo, hi = v.ci
    assert 0.915 < lo < hi < v.stated
    # deterministic: every seed gives the same numbers
    base = verdict(0)
    assert v.measured == base.measured and v.ci == base.ci
    assert v.control.measurement.diverged_at == base.control.measurement.diverged_at


def test_the_stated_factor_is_the_spectral_norm_of_the_iteration():
    params = TRUNCATED_BACKPROP.resolve()
    q = problem(params)
    a = step(q, params)
    iteration = np.eye(q.d) - a * (q.X.T @ q.X / q.n + params["reg"] * np.eye(q.d))
    assert verdict(0).stated == pytest.approx(np.linalg.norm(iteration, 2), rel=1e-12)
    assert verdict(0).stated == pytest.approx(0.948080, abs=1e-6)


def test_the_errors_follow_the_closed_form_and_the_bound():
    """|h_K - h*|/|h*| at K = 1, 20, 80, 160 against e^lambda |w*^T (I - aH)^K H^-1 grad F|/|h*|."""
    params = TRUNCATED_BACKPROP.resolve()
    q = problem(params)
    a = step(q, params)
    m = verdict(0).outcome.measurement
    H = q.hessian()
    w = q.w_star()
    v = np.linalg.solve(H, q.outer_gradient(w))
    for K in (1, 20, 80, 160):
        closed = np.exp(q.log_reg) * abs(w @ np.linalg.matrix_power(np.eye(q.d) - a * H, K) @ v)
        got = m.trace.values[0, K]
        assert got == pytest.approx(closed / abs(q.hypergradient()), rel=1e-8)
        assert got <= bias_constant(q) * (1 - a * q.mu) ** K
    np.testing.assert_allclose(m.trace.values[0, [1, 20, 80, 160]],
                               [0.883, 0.103, 4.0e-4, 4.4e-6], rtol=0.02)


def test_the_neumann_identity_and_a_broken_reverse_pass():
    params = TRUNCATED_BACKPROP.resolve()
    q = problem(params)
    a = step(q, params)
    assert neumann_gap(q, a) < 1e-15
    # a reverse pass at another step is not the Neumann series of this one
    assert neumann_gap(q, a) < 1e-12 < abs(neumann_gap(q, 0.5 * a) - neumann_gap(q, a)) + 1e-9


@pytest.mark.parametrize("instance", [1, 3, 4])
def test_other_data_draws(instance):
    v = verdict(0, instance=instance)
    assert v.status == HOLDS, v.outcome.reasons


def test_a_draw_where_the_window_slope_is_not_the_bound():
    """Instance 2: the error is a signed sum of modes, and over K in [20, 160] it falls a little
    slower than 1 - alpha mu (fit 0.9437 against 0.9411): the fit straddles the accepted edge,
    while the bound with its constant, which is what the theorem states, holds at every K."""
    v = verdict(0, instance=2)
    assert v.outcome.verdict == "undecided"
    assert v.measured > v.stated and all(c.passed for c in v.outcome.measurement.checks)
