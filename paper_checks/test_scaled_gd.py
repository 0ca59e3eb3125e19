"""ScaledGD(lambda)'s iteration count is flat in kappa, GD's grows like kappa, for seeds 0-5.

Values from seeds 0-5 (population loss, defaults): ScaledGD(lambda) exponent in 1/kappa
0.060-0.061 (~50, 44, 38 iterations for kappa = 10, 100, 1000); GD -0.942 to -0.941
(~390, 3450, 30000 iterations).
"""

import numpy as np
import pytest

from experiments.run import Run
from paper_checks.scaled_gd import SCALEDGD_LAMBDA, iterations_to_target

SEEDS = [0, 1, 2, 3, 4, 5]


@pytest.mark.parametrize("seed", SEEDS)
def test_scaled_gd_lambda_iterations_do_not_grow_with_kappa(seed):
    v = SCALEDGD_LAMBDA.check(seed=seed)
    assert v.ok, (v.outcome.reasons, v.control and v.control.reasons)
    assert v.stated == 0.0  # derived from C1 log(n/h) + C2 log(1/eps) as h = 1/kappa -> 0
    assert v.measured == pytest.approx(0.06, abs=0.02)
    iters = v.outcome.measurement.extra["iterations"]
    assert list(iters) == [10.0, 100.0, 1000.0]
    assert 45 <= iters[10.0] <= 55 and 33 <= iters[1000.0] <= 43
    # GD: iterations ~ kappa, exponent ~ -1 in 1/kappa, far outside [-0.15, inf)
    assert v.control.measurement.measured == pytest.approx(-0.94, abs=0.03)
    assert v.control.reasons[0].startswith("measured -0.94")
    gd = v.control.measurement.extra["iterations"]
    assert 25_000 <= gd[1000.0] <= 35_000 and gd[1000.0] / gd[10.0] > 60


def test_too_large_an_initialisation_floors_the_error_above_the_target():
    v = SCALEDGD_LAMBDA.check(overrides={"alpha": 1e-2, "horizon": 2000}, control=False)
    assert not v.passed
    assert "did not reach relative error 1e-06" in v.outcome.measurement.refused


def test_iterations_to_target_interpolates_a_geometric_decay_exactly():
    def halve(x0, steps, ck):  # x_t = x0 2^-t, recorded at ck
        it = x0[:, None, :] * 0.5 ** ck[None, :, None]
        return Run(checkpoints=ck, iterates=it, diverged_at=np.full(x0.shape[0], -1), seed=0)

    x0 = np.array([[1.0], [4.0], [1e-40]])
    hits, diverged = iterations_to_target(halve, x0, lambda x: np.abs(x[..., 0]),
                                          2.0**-100.3, 10_000)
    assert diverged is None
    np.testing.assert_allclose(hits, [100.3, 102.3, 0.0])
    hits, _ = iterations_to_target(halve, x0, lambda x: np.abs(x[..., 0]), 2.0**-100.3, 50)
    assert np.isnan(hits[:2]).all() and hits[2] == 0.0
