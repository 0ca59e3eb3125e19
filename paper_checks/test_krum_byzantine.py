"""Krum: the claim holds and its control fails for seeds 0-9; Krum's selection against a NumPy
brute force; the kernel's mean-aggregation path against the exact recursion it must follow; the
limits of the guarantee (f = 8 omniscient keeps a bias)."""

from functools import cache

import numpy as np
import pytest

from experiments import schedules
from experiments.krum import COLLUDING, krum_index
from experiments.methods import ByzantineSGD
from paper_checks.krum_byzantine import CLAIM, LEVEL
from problems.byzantine import ATTACKS, byzantine_workers
from rates.claim import FAILS, HOLDS

SEEDS = range(10)
STEP = schedules.polynomial(0.5, 0.6, 1.0)


@cache
def verdict(seed: int):
    return CLAIM.check(seed=seed)


def numpy_krum(V: np.ndarray, f: int) -> int:
    n = V.shape[0]
    D = np.sum((V[:, None, :] - V[None, :, :]) ** 2, axis=-1)
    scores = [np.sort(np.delete(D[i], i))[: n - f - 2].sum() for i in range(n)]
    return int(np.argmin(scores))


@pytest.mark.parametrize("f", [1, 4, 8])
def test_krum_selects_what_its_definition_says(f):
    rng = np.random.default_rng(f)
    for _ in range(50):
        V = rng.standard_normal((20, 10))
        assert krum_index(V, f, np.zeros((20, 20)), np.empty(19)) == numpy_krum(V, f)


def test_the_kernel_attack_code_is_the_problems():
    assert ATTACKS.index("colluding") == COLLUDING


def test_mean_sgd_under_the_omniscient_attack_follows_the_exact_recursion():
    """The mean is x - x* + 1 exactly: e_{t+1} = e_t - gamma_t (e_t + 1), no noise left."""
    q = byzantine_workers(f=1, attack="omniscient")
    run = ByzantineSGD(STEP, "mean").run(q, 2000, runs=5, seed=3, x0=np.zeros(10),
                                         checkpoints=np.array([10, 2000]))
    e = -q.x_star.copy()
    for t in range(2000):
        e = e - 0.5 * (t + 1.0) ** -0.6 * (e + 1.0)
        if t + 1 == 10:
            early = e.copy()
    assert np.allclose(run.iterates[:, 0] - q.x_star, early, atol=1e-12)
    assert np.allclose(run.iterates[:, 1] - q.x_star, e, atol=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_claim_holds_and_its_control_fails(seed):
    v = verdict(seed)
    assert v.status == HOLDS, (v.outcome.reasons, v.control.reasons)
    assert 0 < v.ci[0] < v.ci[1] < LEVEL
    c = v.control.measurement
    assert v.control.verdict == FAILS and abs(c.value - 250.0) < 2.0  # at x* + 5 1


def test_the_seed_enters():
    assert verdict(0).measured != verdict(1).measured


def test_krum_with_eight_omniscient_attackers_keeps_a_bias():
    """Within Krum's guarantee (a region around x*), not a convergence to x*."""
    v = CLAIM.check(overrides={"attack": "omniscient", "runs": 5}, control=False)
    assert v.outcome.verdict == FAILS and v.ci[0] > 10 * LEVEL
