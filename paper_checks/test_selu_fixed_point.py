"""selu-fixed-point: the claim holds and both controls fail; deterministic (one run), so the
seed does not enter: seeds 0-9 give the same measurement.  The Jacobian the claim computes with
scipy agrees with the closed-form Gaussian integrals."""

import math
from functools import cache

import numpy as np
import pytest
from scipy.stats import norm

from paper_checks.selu_fixed_point import CLAIM, jacobian_at


def closed_form(nu: float, lam: float = 1.0507009873554805, alpha: float = 1.6732632423543772
                ) -> np.ndarray:
    """(E selu(z), Var selu(z)) for z ~ N(0, nu) in closed form (Gaussian integrals; the same
    as tests/test_selu_moments.py)."""
    s = math.sqrt(nu)
    e1, e2 = math.exp(nu / 2) * norm.cdf(-s), math.exp(2 * nu) * norm.cdf(-2 * s)
    m1 = lam * (s / math.sqrt(2 * math.pi) + alpha * (e1 - 0.5))
    m2 = lam**2 * (nu / 2 + alpha**2 * (e2 - 2 * e1 + 0.5))
    return np.array([m1, m2 - m1 * m1])


@cache
def _verdict(seed: int, **overrides):
    return CLAIM.check(seed=seed, overrides=overrides or None)


def test_claim_holds_and_the_controls_fail():
    v = _verdict(0)
    assert v.ok, (v.outcome.reasons, v.control.reasons)
    assert 0 < v.measured <= 2e-3
    checks = {c.name: float(c.detail.split(",")[0]) for c in v.outcome.measurement.checks}
    assert 0.775 <= checks["per-layer factor"] <= 0.785
    lam1, alpha1 = v.control.measurement, v.more_controls[0].measurement
    assert lam1.measured == pytest.approx(1 - 0.626, abs=0.01)  # nu_30 = 0.627
    assert alpha1.measured > 0.9  # nu_30 ~ 0.03


@pytest.mark.parametrize("seed", range(10))
def test_the_seed_does_not_enter(seed):
    v = _verdict(seed)
    assert v.ok
    assert v.measured == _verdict(0).measured
    np.testing.assert_array_equal(v.outcome.measurement.trace.values,
                                  _verdict(0).outcome.measurement.trace.values)


def test_claims_jacobian_equals_the_closed_form_one():
    J = jacobian_at((0.0, 1.0), 1.0507009873554805, 1.6732632423543772)
    h = 1e-5
    col_nu = (closed_form(1 + h) - closed_form(1 - h)) / (2 * h)
    np.testing.assert_allclose(J[:, 0], 0.0, atol=1e-9)
    np.testing.assert_allclose(J[:, 1], col_nu, atol=1e-7)
