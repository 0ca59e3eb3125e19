"""nesterov-sqrt-kappa: the claim holds and its control fails for seeds 0-9; the stated laws
follow from the iteration's spectral radius (computed here with numpy, independently of the
kernels); the second controls fail the way they must."""

import math
from functools import cache

import numpy as np
import pytest

from paper_checks.nesterov import BASE, CLAIM, KAPPA_LEG, KAPPAS, LAM_MINS, PEP_HORIZONS
from problems import quadratic
from problems.preconditioned import separated_spectrum
from rates.spec import Observed, WorstCaseLeg, values_at


@cache
def _verdict(seed: int, **overrides):
    return CLAIM.check(seed=seed, overrides=overrides or None)


def _agd_radius(lam: np.ndarray, L: float, beta: float) -> float:
    """Largest |root| of z^2 - (1 + beta)(1 - lam/L) z + beta (1 - lam/L) over the spectrum."""
    return max(np.abs(np.roots([1.0, -(1 + beta) * (1 - x / L), beta * (1 - x / L)])).max()
               for x in lam)


@pytest.mark.parametrize("kappa", [1e1, 1e2, 1e4])
def test_agd_contracts_by_one_minus_one_over_sqrt_kappa(kappa):
    """The slowest mode (lam = mu) contracts by 1 - 1/sqrt(kappa): counts grow like sqrt(kappa),
    against GD's 1 - 1/kappa at step 1/L."""
    lam = np.geomspace(1 / kappa, 1.0, 50)
    root = math.sqrt(kappa)
    radius = _agd_radius(lam, 1.0, (root - 1) / (root + 1))
    assert radius == pytest.approx(1 - 1 / root, rel=1e-6)
    assert _agd_radius(lam, 1.0, 0.0) == pytest.approx(1 - 1 / kappa, rel=1e-12)


def _numpy_agd_count(kappa: float, x0: np.ndarray, tol: float = 1e-8) -> int:
    lam = np.geomspace(1 / kappa, 1.0, x0.size)
    root = math.sqrt(kappa)
    beta = (root - 1) / (root + 1)
    x, x_prev = x0.copy(), x0.copy()
    for k in range(1, 100000):
        y = x + beta * (x - x_prev)
        x_prev, x = x, y - lam * y
        if np.linalg.norm(x) <= tol * np.linalg.norm(x0):
            return k
    raise AssertionError("no convergence")


def test_measured_counts_equal_an_independent_numpy_run():
    v = _verdict(0)
    counts = v.outcome.measurement.trace.values[0]
    x0 = np.random.default_rng(0).standard_normal(200)  # the spec's start for seed 0
    for i in (0, 2, 4):
        # linear checkpoints round the count up by at most horizon/1000 steps
        expected = _numpy_agd_count(KAPPAS[i], x0)
        assert expected <= counts[i] <= expected + 2 + 0.03 * math.sqrt(KAPPAS[i]) * 18.5


def test_preconditioned_abscissa_is_kappa_of_p1_a():
    lam = [separated_spectrum(60, lam_min=m) for m in LAM_MINS]
    dense = []
    for spectrum in lam:
        A = np.diag(spectrum)
        pa = np.linalg.eigvalsh((np.trace(A) * np.eye(60) - A) @ A)
        dense.append(pa[-1] / pa[0])
    # kappa(P1 A) falls by about lam_1 / tr A < 1 against kappa(A) = lam_max / lam_min
    kappa_a = [s.max() / s.min() for s in lam]
    assert all(k < ka for k, ka in zip(dense, kappa_a, strict=True))
    assert dense[0] == pytest.approx(465.8, rel=1e-3)  # 871000 / 1870 for lam_min = 1


@pytest.mark.parametrize("seed", range(10))
def test_claim_holds_and_control_fails(seed):
    v = _verdict(seed)
    assert v.ok, (v.outcome.reasons, v.control.reasons)
    lo, hi = v.ci
    assert 0.42 <= lo < hi <= 0.58
    # the control is GD: slope 1 in kappa, far above the accepted interval
    assert v.control.measurement.ci[0] > 0.9


def test_unadapted_momentum_fails_below():
    """Momentum tuned once for kappa = 1e4: |roots| ~ sqrt(beta) whatever kappa, so the counts
    hardly grow (the lower side of the accepted interval)."""
    v = _verdict(0, momentum="fixed")
    assert v.outcome.verdict == "fails"
    assert v.outcome.measurement.ci[1] < 0.42


def test_identity_preconditioner_fails_the_improvement_check():
    v = _verdict(0, preconditioner="identity")
    assert v.outcome.verdict == "fails"
    failed = [c for c in v.outcome.measurement.checks if not c.passed]
    assert failed and all("kappa(P A) / kappa(A) < 1: 1," in c.detail for c in failed)


# --- the worst-case leg at kappa = 100 -----------------------------------------------------------

def _leg(**overrides):
    (leg,) = [c for c in CLAIM.experiment.checks if isinstance(c, WorstCaseLeg)]
    params = CLAIM.resolve(overrides)
    inst = BASE.instance({**params, "kappa": KAPPA_LEG}, 0)
    seen = Observed(CLAIM.experiment.instance({**params, "kappa": KAPPAS[0]}, 0), np.zeros(1),
                    np.zeros((1, 1)), ())
    return leg, inst, leg.evaluate(seen)


def _v0_numpy(seed: int = 0) -> float:
    """V(x0) = f(x0) - f* + mu/2 ||x0 - x*||^2 for the seed's start, from the eigenvalues."""
    q = quadratic(200, L=1.0, mu=1 / KAPPA_LEG, spacing="log")
    e = np.random.default_rng(seed).standard_normal(200)  # x0 - x*, as gaussian_start draws it
    return float(0.5 * np.sum(q.eigenvalues * e**2) + 0.5 / KAPPA_LEG * np.sum(e**2))


def test_agd_leg_lies_under_nesterovs_bound():
    leg, inst, check = _leg()
    assert check.passed, check.detail
    v0, mu = _v0_numpy(), 1 / KAPPA_LEG
    got = values_at(BASE, inst.params, 0, PEP_HORIZONS)
    for n in PEP_HORIZONS:
        worst = leg.worst(inst, n).value
        bound = 2 / mu * (1 - math.sqrt(mu)) ** n * v0
        assert leg.bound(inst, n) == pytest.approx(bound, rel=1e-12)
        assert got[n] ** 2 < worst <= bound * (1 + 1e-4)


def test_gd_leg_is_the_contraction_and_exceeds_agds_bound():
    """momentum none: GD at 1/L, whose worst case with V(x0) fixed is (1 - mu)^(2N) V(x0)/mu
    (contraction, and V(x0) >= mu ||x0 - x*||^2, both tight on f = mu ||x||^2/2): above
    (2/mu)(1 - sqrt mu)^N V(x0) at N = 10 only."""
    leg, inst, check = _leg(momentum="none")
    v0, mu = _v0_numpy(), 1 / KAPPA_LEG
    for n in PEP_HORIZONS:
        assert leg.worst(inst, n).value == pytest.approx((1 - mu) ** (2 * n) * v0 / mu, rel=1e-4)
    assert not check.passed and "FAILED N = 10: worst case" in check.detail
    assert "N = 5: worst" not in check.detail.split("(all")[0]
