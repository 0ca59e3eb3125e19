"""Halpern: Lieder's bound is tight at the rotation's peaks; Picard stalls; variance reduction
turns the finite-sum cost from n into sqrt(n).  Seeds 0-5 (the seed draws the finite sums)."""

import numpy as np
import pytest

from paper_checks.halpern import HALPERN, peak_checkpoints

SEEDS = [0, 1, 2, 3, 4, 5]


@pytest.mark.parametrize("seed", SEEDS)
def test_halpern_is_tight_and_variance_reduction_costs_sqrt_n(seed):
    v = HALPERN.check(seed=seed)
    assert v.ok, (v.outcome.reasons, v.control.reasons)
    assert v.measured == pytest.approx(0.9964, abs=1e-4)  # the rotation part is exact
    checks = {c.name: c for c in v.outcome.measurement.checks}
    assert all(c.passed for c in checks.values())
    extra = v.outcome.measurement.extra
    assert min(extra["(k+1) residual / (2 ||x0 - x*||)"]) > 0.997
    # seeds 0-5: full batch 0.991 ... 1.004, variance-reduced 0.521 ... 0.527
    assert extra["slope full-batch"] == pytest.approx(1.0, abs=0.02)
    assert extra["slope variance-reduced"] == pytest.approx(0.52, abs=0.03)
    assert extra["n"] == [64, 256, 1024, 4096]


def test_picard_control_keeps_a_constant_residual():
    v = HALPERN.check()
    assert abs(v.control.measurement.measured) < 1e-10
    # |1 - e^{i phi}| ||x_0|| = 2 sin(phi/2) at every k: the spectral radius of T is 1
    assert v.control.measurement.trace.values[0] == pytest.approx(2 * np.sin(0.15), rel=1e-12)
    assert v.control.measurement.extra["spectral radius of T"] == pytest.approx(1.0, abs=1e-15)


def test_peaks_are_where_the_rotation_is_half_a_turn():
    ks = peak_checkpoints(0.3, 10_000)
    assert np.all(np.abs(np.sin((ks + 1) * 0.15)) > 0.997)
    assert ks[-1] <= 10_000 and len(ks) >= 20
    with pytest.raises(ValueError, match="periods"):
        peak_checkpoints(0.3, 40)
