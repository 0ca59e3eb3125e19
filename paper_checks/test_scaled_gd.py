"""ScaledGD(lambda)'s iteration count is flat in kappa and GD's grows like kappa, for seeds 0-9.

Besides the verdicts (one per seed, shared through a cache), what is asserted comes from theory:
the stated exponent derived from the bound, the growth bound on u_r^T X checked step by step on
a plain NumPy ScaledGD(lambda), and GD's iteration count, which that bound makes ~kappa.
"""

import functools
import math

import numpy as np
import pytest

from experiments.methods import ScaledGD
from paper_checks.scaled_gd import SCALEDGD_LAMBDA, SPEC, _fewest_steps
from problems import matrix_sensing

SEEDS = range(10)


@functools.cache
def verdict(seed: int):
    return SCALEDGD_LAMBDA.check(seed=seed)


@pytest.mark.parametrize("seed", SEEDS)
def test_scaled_gd_lambda_iterations_do_not_grow_with_kappa(seed):
    v = verdict(seed)
    assert v.ok, (v.outcome.reasons, v.control.reasons)
    assert v.stated == 0.0  # derived from C1 log(n/h) + C2 log(1/eps) as h = 1/kappa -> 0
    assert list(v.outcome.measurement.extra["iterations"]) == [10.0, 100.0, 1000.0]
    assert v.outcome.measurement.checks[0].passed


@pytest.mark.parametrize("seed", SEEDS)
def test_gd_needs_iterations_proportional_to_kappa(seed):
    # GD's growth bound 1 + eta sigma_r per step makes its fewest iterations ~ kappa: T ~ h^-1
    control = verdict(seed).control
    assert control.reasons[0].startswith("measured")
    assert "outside the accepted [-0.15, inf]" in control.reasons[0]
    assert -1.0 <= control.measurement.measured <= -0.85
    assert control.measurement.checks[0].passed  # the growth bound holds for GD too


def test_the_growth_bound_holds_step_by_step_on_numpy_and_on_the_kernel():
    # u_r^T X_{t+1} = u_r^T X_t (I + eta (sigma_r I - X^T X)(X^T X + lam I)^-1): at most
    # 1 + eta sigma_r / lam times longer, on a NumPy twin of the update and on the kernel
    q = matrix_sensing(n=30, r=3, k=6, kappa=100.0, alpha=1e-6, seed=4)
    lam, eta = q.sigma_min, 0.5
    u = q.U[:, -1]
    growth = 1 + eta * q.sigma_min / lam
    X = q.factors(q.initial_points(1))[0]
    twin = [X]
    for _ in range(60):
        grad = (X @ X.T - q.M_star) @ X
        X = X - eta * grad @ np.linalg.inv(X.T @ X + lam * np.eye(q.k))
        twin.append(X)
    kernel = ScaledGD(eta, lam).run(q, 60, x0=q.initial_points(1), checkpoints=np.arange(61))
    for path in (np.array(twin), q.factors(kernel.iterates[0])):
        along = np.linalg.norm(np.einsum("i,tik->tk", u, path), axis=1)
        assert np.all(along[1:] <= growth * along[:-1] * (1 + 1e-12))
    # and the error stays above the target for the fewest steps the bound allows
    params = {**SCALEDGD_LAMBDA.resolve(), "h": 0.01, "runs": 1}
    fewest = _fewest_steps(SPEC.problem(params, 4), params)[0]
    error = q.error(kernel.iterates[0]) / np.linalg.norm(q.M_star)
    assert 20 < fewest and np.all(error[: math.floor(fewest) + 1] > 1e-6)
    assert error[-1] <= 1e-6  # and the kernel does reach it within 60 steps (kappa = 100)


def test_too_large_an_initialisation_floors_the_error_above_the_target():
    v = SCALEDGD_LAMBDA.check(overrides={"alpha": 1e-2}, control=False)
    assert not v.passed
    assert v.outcome.measurement.extra["missed the target for kappa"] == [10.0, 100.0, 1000.0]
