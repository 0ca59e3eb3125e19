"""Biased compression: the claim holds and its control fails for seeds 0-9 (and the seed does not
enter: the experiment is deterministic); the stated factor 1 + 5.5 gamma/3 is the spectral radius
of the linear map Top-1 GD is on the diagonal, computed by numpy."""

from functools import cache

import numpy as np
import pytest

from experiments.compressed_gd import compress
from experiments.methods import CompressedGD
from paper_checks.biased_compression import CLAIM, GAMMAS, stated_factor
from problems.compressed_workers import compressed_workers
from rates.claim import FAILS, HOLDS

SEEDS = range(10)


@cache
def verdict(seed: int):
    return CLAIM.check(seed=seed)


def _top1_map(step: float) -> np.ndarray:
    """The linear map of naive Top-1 GD where worker i keeps coordinate i: x <- M x with
    M = I - (gamma/n) sum_i e_i e_i^T (2 a_i a_i^T + mu I)."""
    q = compressed_workers()
    rows = 2.0 * q.A * np.diag(q.A)[:, None] + q.mu * np.eye(q.d)
    return np.eye(q.d) - step / q.workers * rows


@pytest.mark.parametrize("step", GAMMAS)
def test_the_stated_factor_is_the_spectral_radius_of_the_top1_map(step):
    radius = max(abs(np.linalg.eigvals(_top1_map(step))))
    assert stated_factor(step) == pytest.approx(radius, rel=1e-13)
    assert stated_factor(step) == pytest.approx(1 + 5.5 * step / 3, rel=1e-14)


def test_top1_keeps_each_workers_own_coordinate_on_the_diagonal():
    """Why the map is linear: at x = t 1, worker i's largest coordinate is the i-th."""
    q = compressed_workers()
    for t in (1.0, -2.5, 1e8):
        sent = compress("top1", q.worker_gradients(np.full(3, t)))
        assert np.array_equal(np.flatnonzero(sent.ravel()), [0, 4, 8])
        assert np.allclose(np.diag(sent), -5.5 * t)


def test_the_run_is_the_power_iteration_of_the_map():
    run = CompressedGD(0.1).run(compressed_workers(), 200)
    M = _top1_map(0.1)
    x = np.ones(3)
    for _ in range(200):
        x = M @ x
    assert np.allclose(run.iterates[0, -1], x, rtol=1e-12)
    assert np.allclose(run.iterates[0, -1], run.iterates[0, -1, 0])  # on the diagonal


@pytest.mark.parametrize("seed", SEEDS)
def test_claim_holds_and_its_control_fails(seed):
    v = verdict(seed)
    assert v.status == HOLDS, (v.outcome.reasons, v.control.reasons)
    assert abs(v.measured - v.stated) < 1e-10
    assert all(c.passed for c in v.outcome.measurement.checks)
    # identity compressor: plain GD contracts by 1 - gamma (min eigenvalue of the Hessian)
    c = v.control
    assert c.verdict == FAILS
    h = compressed_workers().hessian()
    assert c.measurement.measured == pytest.approx(1 - 0.1 * np.linalg.eigvalsh(h)[0], abs=1e-6)
    assert c.measurement.ci[1] < 1.0


def test_the_seed_does_not_enter():
    a, b = verdict(0), verdict(7)
    assert a.measured == b.measured and a.ci == b.ci
    assert a.control.measurement.measured == b.control.measurement.measured


def test_error_feedback_alone_converges():
    for step in GAMMAS:
        v = CLAIM.check(overrides={"gamma": step, "error_feedback": True}, control=False)
        assert v.outcome.verdict == FAILS and v.ci[1] < 1.0
