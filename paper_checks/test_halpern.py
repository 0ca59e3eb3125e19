"""Halpern: Lieder's bound is tight at the rotation's peaks, Picard stalls, Krasnoselskii-Mann
is too fast, and variance reduction turns the finite-sum cost from n into sqrt(n); seeds 0-9
(the seed draws the finite sums).  Values come from the closed form on a rotation.

Second control (upper side), wired as ``more_controls``: {"method": "picard", "relaxation":
0.5} (Krasnoselskii-Mann: geometric)."""

from functools import cache

import numpy as np
import pytest

from experiments.methods import Halpern, VarianceReducedHalpern
from paper_checks.halpern import HALPERN, HALPERN_SPEC, LEG_HORIZONS, peak_checkpoints
from problems.vi import cocoercive_finite_sum
from rates.claim import FAILS
from rates.spec import values_at

SEEDS = range(10)
PHI = 0.3


@cache
def _verdict(seed: int):
    return HALPERN.check(seed=seed)


def _slope(k: np.ndarray, values: np.ndarray) -> float:
    return float(-np.polyfit(np.log(k), np.log(values), 1)[0])


@pytest.mark.parametrize("seed", SEEDS)
def test_halpern_is_tight_and_every_control_fails(seed):
    v = _verdict(seed)
    assert v.ok, (v.outcome.reasons, v.control.reasons, v.more_controls[0].reasons)
    for c in (v.control, *v.more_controls):  # on the main assertion, not only a side check
        assert c.reasons[0].startswith("measured"), c.reasons
    checks = {c.name: c for c in v.outcome.measurement.checks}
    assert any("sqrt(n)" in name for name in checks) and all(c.passed for c in checks.values())


def test_rates_are_the_closed_forms_on_the_rotation():
    """(k + 1) ||x_k - T x_k|| = 2 |sin((k + 1) phi/2)| (Halpern), 2 sin(phi/2) (Picard) and
    2 sin(phi/2) cos(phi/2)^k (x <- (x + T x)/2), ||x_0|| = 1: the fitted slopes over the peaks,
    computed here with numpy, are the measured ones."""
    v = _verdict(0)
    ks = peak_checkpoints(PHI, 10_000).astype(float)
    halpern = 2 * np.abs(np.sin((ks + 1) * PHI / 2)) / (ks + 1)
    np.testing.assert_allclose(v.outcome.measurement.trace.values[0, 1:], halpern, rtol=1e-10)
    assert v.measured == pytest.approx(_slope(ks, halpern), rel=1e-9)
    picard = v.control.measurement
    np.testing.assert_allclose(picard.trace.values[0], 2 * np.sin(PHI / 2), rtol=1e-12)
    assert abs(picard.measured) < 1e-10
    km = v.more_controls[0]
    assert km.verdict == FAILS
    closed = 2 * np.sin(PHI / 2) * np.cos(PHI / 2) ** ks
    assert km.measurement.measured == pytest.approx(_slope(ks, closed), rel=1e-8)
    assert v.outcome.measurement.extra["spectral radius of T"] == pytest.approx(1.0, abs=1e-15)


def test_variance_reduced_halpern_with_full_passes_is_halpern():
    """prob = 1 refreshes the estimate every step: n calls at x_0 and n per step, i.e. the
    full-batch Halpern's n (k + 1) calls at the same first k with ||F(x_k)|| <= tol."""
    fs = cocoercive_finite_sum(64, d=5, seed=3)
    eta, x0 = 1 / fs.L_mean, np.zeros(5)
    tol = 1e-2 * float(fs.residual(x0))
    h = Halpern(eta, tol=tol).run(fs, 50_000, x0=x0, checkpoints=np.array([50_000]))
    vr = VarianceReducedHalpern(eta, tol, prob=1.0).run(fs, 50_000, runs=3, x0=x0)
    assert h.first_below > 0
    np.testing.assert_array_equal(vr.calls, 64 * (h.first_below + 1))
    with pytest.raises(ValueError, match="checkpoints"):
        VarianceReducedHalpern(eta, tol).run(fs, 10, checkpoints=np.array([10]))


def test_peaks_are_where_the_rotation_is_half_a_turn():
    ks = peak_checkpoints(PHI, 10_000)
    assert np.all(np.abs(np.sin((ks + 1) * PHI / 2)) > np.cos(PHI / 4))
    assert ks[-1] <= 10_000 and len(ks) >= 20
    with pytest.raises(ValueError, match="periods"):
        peak_checkpoints(PHI, 40)


def test_worst_case_leg_values_are_the_closed_form_under_lieders_bound():
    got = values_at(HALPERN_SPEC, HALPERN.resolve(), 0, LEG_HORIZONS)
    for n, value in got.items():
        assert value == pytest.approx(2 * abs(np.sin((n + 1) * PHI / 2)) / (n + 1), rel=1e-10)
        assert value <= 2 / (n + 1)
