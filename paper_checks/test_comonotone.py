"""The comonotone claims hold and their controls fail; the EG+ stability boundary is at 1/2.

Both experiments are deterministic: seeds 1-5 must give the seed-0 values exactly.
"""

import numpy as np
import pytest

from paper_checks.comonotone import (
    EG_PLUS,
    PROXIMAL_POINT,
    SWEEP_GAMMA1,
    SWEEP_GAMMA2,
    egplus_radii,
    og_radii,
)

OTHER_SEEDS = [1, 2, 3, 4, 5]


def test_proximal_point_is_tight_on_its_worst_case_family():
    v = PROXIMAL_POINT.check()
    assert v.ok, (v.outcome.reasons, v.control.reasons)
    assert v.measured == pytest.approx(1.0011, abs=5e-4)
    assert all(c.passed for c in v.outcome.measurement.checks)
    extra = v.outcome.measurement.extra
    # the family changes with N: a_N^2 = 1/((N - 1) gamma (gamma - 2 rho)), gamma = 1, rho = 1/4
    assert extra["N"] == [100, 200, 400, 800, 1600, 3200, 6400]
    np.testing.assert_allclose(np.square(extra["a_N"]), 2.0 / (np.array(extra["N"]) - 1))
    scaled = extra["N gamma (gamma - 2 rho) ||F(x_N)||^2"]
    assert scaled[-1] == pytest.approx(np.exp(-1), abs=1e-4)  # the bound's ratio -> 1/e
    assert v.control.reasons == ["diverged at step 167"]       # 4^k passes 1e100 at k = 167


def test_egplus_is_one_over_n_below_one_half_and_diverges_above():
    v = EG_PLUS.check()
    assert v.ok, (v.outcome.reasons, v.control.reasons)
    assert v.measured == pytest.approx(1.0045, abs=5e-4)
    assert all(c.passed for c in v.outcome.measurement.checks)
    extra = v.outcome.measurement.extra
    assert extra["extreme block spectral radius"] == pytest.approx(0.918559, abs=1e-6)
    (reason,) = v.control.reasons
    assert reason == "diverged at step 957"  # radius 1.1275 at rho L = 0.55


def test_egplus_stability_boundary_sweep():
    rho_l = np.array([0.3, 0.45, 0.48, 0.5, 0.52, 0.7])
    radii, best = egplus_radii(rho_l, SWEEP_GAMMA1, SWEEP_GAMMA2)
    # stable (every member strictly inside the unit disc) exactly below 1/2, on this grid;
    # 0.48 is stable on the grid only near gamma1 = 0.98 with a small gamma2
    np.testing.assert_array_equal(radii < 1.0, [True, True, True, False, False, False])
    # the best pairs below 1/2 extrapolate with gamma1 just under 1/L (the monotone member
    # F = L I needs gamma1 < 1/L) and update with a gamma2 that shrinks as rho L -> 1/2
    assert np.all(best[:3, 0] == 0.98)
    assert np.all(np.diff(best[:3, 1]) < 0)
    # above 1/2 the excess grows with rho L
    assert np.all(np.diff(radii[3:]) > 0)


@pytest.mark.parametrize("rho", [0.1, 0.25, 0.45])
def test_egplus_at_gamma1_one_over_l_needs_gamma2_below_gamma1_minus_two_rho(rho):
    # on the extreme rotation, with gamma1 = 1/L: radius < 1 iff gamma2 < gamma1 - 2 rho
    lam = np.exp(1j * np.arccos(-rho))
    for g2, stable in ((1 - 2 * rho - 1e-3, True), (1 - 2 * rho, False),
                       (1 - 2 * rho + 1e-3, False)):
        radius = abs(1 - g2 * lam + g2 * lam**2)
        assert (radius < 1 - 1e-12) == stable, (g2, radius)


def test_egplus_textbook_steps_stall_at_rho_l_one_quarter():
    # gamma2 = gamma1/2 = 1/(2L) puts the extreme rotation's radius at exactly 1
    v = EG_PLUS.check(overrides={"gamma2_ratio": 0.5}, control=False)
    assert not v.passed
    assert v.outcome.measurement.extra["extreme block spectral radius"] == pytest.approx(1.0)


@pytest.mark.parametrize("claim", [PROXIMAL_POINT, EG_PLUS])
@pytest.mark.parametrize("seed", OTHER_SEEDS)
def test_deterministic_claims_do_not_depend_on_the_seed(claim, seed):
    assert claim.check(seed=seed, control=False).measured == claim.check(control=False).measured


def test_optimistic_gradient_has_a_narrower_stable_range():
    gammas = np.linspace(0.01, 1.2, 120)
    radii = og_radii(np.array([0.0, 0.1, 0.15, 0.2, 0.3]), gammas)
    np.testing.assert_array_equal(radii < 1.0, [True, True, True, False, False])
    v = EG_PLUS.check(control=False)
    assert v.outcome.measurement.extra["slope og (rho L = 0.1)"] == pytest.approx(1.0009,
                                                                                  abs=1e-3)
