"""The comonotone claims hold and all their controls fail for seeds 0-9 (both experiments are
deterministic); the EG+ stability boundary is at rho L = 1/2.  Values come from closed forms.

Second controls (upper side), wired as ``more_controls``: comonotone-pp {"instance": "fixed"}
(one member for every N: linear), comonotone-eg {"a_min": 0.1} (no slow block: geometric)."""

from functools import cache

import numpy as np
import pytest

from paper_checks.comonotone import (
    EG_PLUS,
    LEG_HORIZONS,
    PP_SPEC,
    PROXIMAL_POINT,
    SWEEP_GAMMA1,
    SWEEP_GAMMA2,
    egplus_radii,
    og_radii,
)
from rates.claim import FAILS
from rates.spec import values_at

SEEDS = range(10)


@cache
def _verdict(claim_id: str, seed: int):
    return {c.id: c for c in (PROXIMAL_POINT, EG_PLUS)}[claim_id].check(seed=seed)


@pytest.mark.parametrize("claim_id", ["comonotone-pp", "comonotone-eg"])
@pytest.mark.parametrize("seed", SEEDS)
def test_claims_hold_and_every_control_fails(claim_id, seed):
    v = _verdict(claim_id, seed)
    assert v.ok, (v.outcome.reasons, v.control.reasons, v.more_controls[0].reasons)
    assert v.control.reasons[0].startswith("diverged at step")
    assert v.more_controls[0].verdict == FAILS
    for c in (v.control, *v.more_controls):  # on the main assertion, not only a side check
        assert c.reasons[0].startswith(("measured", "diverged")), c.reasons
    assert v.measured == _verdict(claim_id, 0).measured  # deterministic


def _slope(n: np.ndarray, values: np.ndarray) -> float:
    return float(-np.polyfit(np.log(n), np.log(values), 1)[0])


def test_proximal_point_family_and_both_rates_in_closed_form():
    """On a Rot(theta) with cos(theta) = -rho a one PP step multiplies ||x||^2 by
    1/(1 + c a^2), c = gamma (gamma - 2 rho) = 1/2 here (gamma = 1, rho = 1/4)."""
    v = _verdict("comonotone-pp", 0)
    m = v.outcome.measurement
    n = np.array(m.extra["N"], dtype=float)
    np.testing.assert_allclose(np.square(m.extra["a_N"]), 2.0 / (n - 1), rtol=1e-12)
    exact = (2.0 / (n - 1)) * (1 + 1 / (n - 1)) ** -n  # a_N^2 (1 + c a_N^2)^-N
    np.testing.assert_allclose(m.trace.values[0], exact, rtol=1e-10)
    assert v.measured == pytest.approx(_slope(n, exact), rel=1e-9)
    # the bound's ratio N c ||F||^2 = (1 - 1/N)^(N-1) -> 1/e
    assert n[-1] * 0.5 * m.trace.values[0, -1] == pytest.approx(np.exp(-1), abs=1e-4)
    # too fast: the N = 100 member for every N
    fixed = v.more_controls[0].measurement
    closed = (2.0 / 99) * (1 + 1 / 99) ** -n
    assert fixed.measured == pytest.approx(_slope(n, closed), rel=1e-6)


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
    # gamma2 = gamma1/2 = 1/(2L) puts the extreme rotation's radius at exactly 1: no 1/N
    v = EG_PLUS.check(overrides={"gamma2_ratio": 0.5}, control=False)
    assert v.outcome.verdict == FAILS
    lam = np.exp(1j * np.arccos(-0.25))
    assert abs(1 - 0.5 * lam + 0.5 * lam**2) == pytest.approx(1.0, abs=1e-12)


def test_rho_l_055_is_unstable_at_the_claim_s_steps():
    """The control's operator: the extreme rotation's radius at gamma1 = 1, gamma2 = 1/4."""
    lam = np.exp(1j * np.arccos(-0.55))
    assert abs(1 - 0.25 * lam + 0.25 * lam**2) > 1.1


def test_optimistic_gradient_has_a_narrower_stable_range():
    gammas = np.linspace(0.01, 1.2, 120)
    radii = og_radii(np.array([0.0, 0.1, 0.15, 0.2, 0.3]), gammas)
    np.testing.assert_array_equal(radii < 1.0, [True, True, True, False, False])
    # and where it is stable it gives 1/N too: the claim with method = og at rho L = 0.1
    v = EG_PLUS.check(overrides={"method": "og", "rho": 0.1}, control=False)
    assert v.passed, v.outcome.reasons


def test_worst_case_leg_values_are_the_closed_form_under_the_bound():
    """values_at(PP_SPEC, ..., LEG_HORIZONS): a_N^2 (1 + c a_N^2)^-N with c a_N^2 = 1/(N - 1),
    c = 1/2, below the bound 1/(c N); what a performance-estimation worst case is held against."""
    got = values_at(PP_SPEC, PROXIMAL_POINT.resolve(), 0, LEG_HORIZONS)
    for n, value in got.items():
        exact = (2.0 / (n - 1)) * (1 + 1 / (n - 1)) ** -n
        assert value == pytest.approx(exact, rel=1e-10)
        assert value <= 2.0 / n
