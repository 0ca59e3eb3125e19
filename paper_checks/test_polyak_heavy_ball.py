"""polyak-heavy-ball: the claim holds and its control fails for seeds 0-9; the stated factor is
the spectral radius of the iteration, computed here independently of the kernel."""

import math

import numpy as np
import pytest

from paper_checks.polyak_heavy_ball import CLAIM
from problems import quadratic
from rates import worst_case
from rates.spec import gaussian_start, values_at


def _iteration_radius(lam: np.ndarray, alpha: float, beta: float) -> float:
    """Largest |root| of z^2 - (1 + beta - alpha lam) z + beta over the spectrum (numpy)."""
    roots = [np.roots([1.0, -(1.0 + beta - alpha * x), beta]) for x in lam]
    return float(max(np.abs(r).max() for r in roots))


@pytest.mark.parametrize("kappa", [1e2, 1e3, 1e5])
def test_stated_factor_is_the_spectral_radius_at_polyaks_tuning(kappa):
    q = quadratic(50, L=1.0, mu=1 / kappa)
    root = math.sqrt(kappa)
    alpha, beta = 4 / (1 + math.sqrt(q.mu)) ** 2, ((root - 1) / (root + 1)) ** 2
    stated = CLAIM.experiment.instance({**CLAIM.resolve(), "kappa": kappa}, 0).stated
    assert _iteration_radius(q.eigenvalues, alpha, beta) == pytest.approx(stated, rel=1e-6)
    assert stated == pytest.approx(math.sqrt(beta), rel=1e-12)
    # a 5 % larger step leaves the stable region at lam = L: |root| > 1
    assert _iteration_radius(q.eigenvalues, 1.05 * alpha, beta) > 1.0


@pytest.mark.parametrize("seed", range(10))
def test_claim_holds_and_control_fails(seed):
    v = CLAIM.check(seed=seed)
    assert v.ok, (v.outcome.reasons, v.control.reasons)
    # the control is GD at its optimal step: (kappa - 1)/(kappa + 1), far outside 1 %
    gd = (1e3 - 1) / (1e3 + 1)
    assert math.log(v.control.measurement.measured) / math.log(v.stated) < 0.2
    assert v.control.measurement.measured < gd + 1e-3


def test_runs_start_apart():
    """Each run has its own start, so the CI is over starts, not one start repeated."""
    v = CLAIM.check(seed=0, control=False)
    values = v.outcome.measurement.trace.values
    assert values.shape[0] == 10 and np.all(np.std(values[:, 1:50], axis=0) > 0)
    lo, hi = v.ci
    assert lo < hi


def test_measured_lies_under_the_worst_case_over_quadratics():
    """No worst-case leg in the claim (its module is the 40-line proof of the claim form, and a
    leg does not fit): here instead, at N = 1, 2, 5, 10, ||x_N - x*||^2 on the claim's quadratic
    <= the PEP worst case over quadratics with spectrum in [mu, L] (PEPit's
    SmoothStronglyConvexQuadraticFunction; Polyak's tuning is for quadratics only), which is
    the spectral maximum of the iteration polynomial (numpy, below)."""
    horizons = (1, 2, 5, 10)
    inst = CLAIM.experiment.instance(CLAIM.resolve(), 0)
    r2 = float(np.mean(np.sum((gaussian_start(inst) - inst.problem.x_star) ** 2, axis=1)))
    got = values_at(CLAIM.experiment, CLAIM.resolve(), 0, horizons)  # mean ||x_N - x*|| / N
    mu = inst.problem.mu
    alpha, beta = worst_case.polyak_steps(mu)
    lam = np.linspace(mu, 1.0, 20_001)
    p_old, p = np.ones_like(lam), np.ones_like(lam)
    spectral = {}
    for n in range(1, horizons[-1] + 1):
        p_old, p = p, (1 + beta - alpha * lam) * p - beta * p_old
        spectral[n] = float(np.max(p**2))
    for n in horizons:
        worst = worst_case.heavy_ball(n, mu=mu, quadratic=True).value
        assert worst == pytest.approx(spectral[n], rel=1e-3)  # a grid maximum, from below
        assert (n * got[n]) ** 2 <= worst * r2
