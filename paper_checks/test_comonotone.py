"""The comonotone claims hold and all their controls fail for seeds 0-9 (both experiments are
deterministic); the EG+ stability boundary is at rho L = 1/2.  Values come from closed forms.

Second controls (upper side), wired as ``more_controls``: comonotone-pp {"instance": "fixed"}
(one member for every N: linear), comonotone-eg {"a_min": 0.1} (no slow block: geometric)."""

from functools import cache

import numpy as np
import pytest

from paper_checks.comonotone import (
    EG_PLUS,
    EG_PLUS_SPEC,
    LEG_GAMMA1_L,
    LEG_HORIZONS,
    PEP_HORIZONS_EG,
    PP_SPEC,
    PROXIMAL_POINT,
    SWEEP_GAMMA1,
    SWEEP_GAMMA2,
    egplus_radii,
    og_radii,
)
from rates import worst_case
from rates.claim import FAILS
from rates.spec import Observed, WorstCaseLeg, values_at

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


def test_egplus_worst_case_does_not_decay_at_gamma1_one_over_l():
    """The PEP worst case over 1-Lipschitz (1/4)-comonotone F at the claim's steps (1/L, 1/(4L))
    is ||F(x_N)||^2 = ||x_0 - x*||^2 at every N: F = I gives I - g2 F + g1 g2 F^2 = I."""
    for n in (1, 2, 5):
        got = worst_case.extragradient(n, gamma1_L=1.0, gamma2_L=0.25, rho_L=0.25)
        assert got.value == pytest.approx(1.0, rel=1e-4)
    F = np.eye(2)
    assert np.array_equal(np.eye(2) - 0.25 * F + 0.25 * F @ F, np.eye(2))


def test_egplus_leg_runs_at_the_theorems_step_where_the_worst_case_decays():
    (leg,) = [c for c in EG_PLUS.experiment.checks if isinstance(c, WorstCaseLeg)]
    params = {**EG_PLUS.resolve(), "gamma1_L": LEG_GAMMA1_L}
    inst = EG_PLUS_SPEC.instance(params, 0)
    worst = [leg.worst(inst, n).value / inst.problem.d for n in PEP_HORIZONS_EG]  # R^2 = d
    np.testing.assert_allclose(worst, [0.94031, 0.88418, 0.73662, 0.56903], rtol=1e-4)
    assert np.all(np.diff(worst) < 0)
    got = values_at(EG_PLUS_SPEC, params, 0, PEP_HORIZONS_EG)
    # the blocks are normal: ||F(x_N)||^2 = sum_i a_i^2 |p(a_i e^{i theta_i})|^(2N) ||x_0,i||^2
    p = inst.problem
    lam = p.moduli * np.exp(1j * np.arccos(-0.25 * p.moduli))
    g1, g2 = LEG_GAMMA1_L, LEG_GAMMA1_L / 4
    for n, w in zip(PEP_HORIZONS_EG, worst, strict=True):
        exact = float(np.sum(2 * p.moduli**2 * np.abs(1 - g2 * lam + g1 * g2 * lam**2) ** (2 * n)))
        assert got[n] == pytest.approx(exact, rel=1e-9)
        assert got[n] < w * p.d
    check = leg.evaluate(Observed(EG_PLUS_SPEC.instance(EG_PLUS.resolve(), 0), np.zeros(1),
                                  np.zeros((1, 1)), ()))
    assert check.passed and "only measured <= worst judged" in check.detail
