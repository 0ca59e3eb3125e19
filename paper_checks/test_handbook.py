"""The handbook claims hold and their controls fail for seeds 0-9; the values beside the verdicts
are derived independently of the kernels: closed forms of GD on a diagonal quadratic, and the
exact first two moments of SGD on least squares (a linear recursion, solved with numpy)."""

import math
from functools import cache

import numpy as np
import pytest

from experiments.run import log_checkpoints
from paper_checks.handbook import (
    GD_CONVEX,
    GD_STRONGLY_CONVEX,
    PEP_HORIZONS,
    SGD_NOISE_FLOOR,
    SGD_SWITCHING,
)
from problems import least_squares, quadratic
from rates.claim import FAILS, HOLDS, UNDECIDED
from rates.spec import Observed, WorstCaseLeg

SEEDS = range(10)

@cache
def verdict(claim_id: str, seed: int):
    """One verdict per (claim, seed), with every control, shared by the tests."""
    claim = {c.id: c for c in (GD_CONVEX, GD_STRONGLY_CONVEX, SGD_SWITCHING,
                               SGD_NOISE_FLOOR)}[claim_id]
    return claim.check(seed=seed)


def _slope(x, y):
    return float(np.polyfit(np.log(x), np.log(y), 1)[0])


# --- GD: closed forms on the diagonal quadratic -------------------------------------------------

def _gd_closed_form(lam, gamma, ks, power):
    """sum_i lam_i^power (1 - gamma lam_i)^(2k), from x0 - x* = ones (numpy, not the kernel)."""
    return np.array([np.sum(lam**power * (1 - gamma * lam) ** (2 * kk)) for kk in ks])


@pytest.mark.parametrize("seed", SEEDS)
def test_gd_convex_holds_and_its_controls_fail(seed):
    v = verdict("handbook-gd-convex", seed)
    assert v.status == HOLDS, (v.outcome.reasons, v.control.reasons)
    fit = v.outcome.measurement.fit
    assert fit.runs == 1 and "3 fit windows" in fit.ci_method  # deterministic: one run
    # the control diverges where the top eigen-directions, x_i = (1 - 2.1 lam_i)^k, first
    # carry ||x||^2 past the divergence limit 1e100
    lam = quadratic(1000, 1.0, 1e-8).eigenvalues
    k = np.arange(1, 2000)
    sq = np.array([np.sum((1 - 2.1 * lam) ** (2 * kk)) for kk in k])
    assert v.control.reasons == [f"diverged at step {int(k[np.argmax(sq >= 1e100)])}"]
    # the too-fast control: the spectrum's edge 1e-4 is reached inside the window
    (fast,) = v.more_controls
    assert fast.verdict == FAILS and fast.measurement.ci[0] > GD_CONVEX.accepted(1.0)[1]


def test_gd_convex_is_the_closed_form_and_a_fixed_fraction_of_the_bound():
    v = verdict("handbook-gd-convex", 0)
    m = v.outcome.measurement
    q = quadratic(1000, 1.0, 1e-8)
    exact = 0.5 * _gd_closed_form(q.eigenvalues, 1.0, m.trace.x, 1)
    np.testing.assert_allclose(m.trace.values[0], exact, rtol=1e-9)
    window = m.trace.x >= 1000
    assert v.measured == pytest.approx(-_slope(m.trace.x[window], exact[window]), abs=1e-9)
    # on the 1/lam density f(x_k) - f* ~ d / (4 ln(L/mu) k): 1/(2 ln(L/mu)) of the bound d/(2k)
    bound = m.checks[0]  # BoundHolds; the worst-case leg follows
    ratio = float(bound.detail.split("=")[1].split()[0])
    assert ratio == pytest.approx(1 / (2 * math.log(1e8)), rel=0.01)


@pytest.mark.parametrize("seed", SEEDS)
def test_gd_strongly_convex_holds_and_its_control_fails(seed):
    v = verdict("handbook-gd-strongly-convex", seed)
    assert v.status == HOLDS, (v.outcome.reasons, v.control.reasons)
    assert v.stated == pytest.approx(1 - 1e-2)  # 1 - gamma mu, gamma = 1/L = 1
    # gamma = 2.1: the top mode grows by (1 - 2.1)^2 = 1.21 per step and dominates
    assert v.control.verdict == FAILS
    assert v.control.measurement.measured == pytest.approx(1.21, rel=1e-5)


def test_gd_strongly_convex_is_the_closed_form_between_its_two_limits():
    v = verdict("handbook-gd-strongly-convex", 0)
    m = v.outcome.measurement
    lam = quadratic(1000, 1.0, 1e-2).eigenvalues
    exact = _gd_closed_form(lam, 1.0, m.trace.x, 0)
    np.testing.assert_allclose(m.trace.values[0], exact, rtol=1e-9)
    late = m.trace.x >= 500
    rho = math.exp(np.polyfit(m.trace.x[late], np.log(exact[late]), 1)[0])
    assert v.measured == pytest.approx(rho, rel=1e-9)
    # a sum of geometric modes decays slower and slower: its window factor lies below the
    # slowest mode's (1 - mu)^2, and above the first-order lower bound ((sqrt k - 1)/(sqrt k + 1))^2
    assert ((math.sqrt(100) - 1) / (math.sqrt(100) + 1)) ** 2 < v.measured < (1 - 1e-2) ** 2
    assert all(c.passed for c in m.checks)


@pytest.mark.parametrize("claim", [GD_CONVEX, GD_STRONGLY_CONVEX])
def test_deterministic_claims_do_not_depend_on_the_seed(claim):
    assert verdict(claim.id, 3).measured == verdict(claim.id, 0).measured


# --- SGD: the exact first two moments on least squares -------------------------------------------

def _sgd_operators(ls):
    """H, the fourth-moment operator M (vec S -> vec E[A_i S A_i]), N = E[g_i* g_i*^T]."""
    A = ls.A
    n, d = A.shape
    H = A.T @ A / n
    M = np.einsum("ij,ik,il,im->jklm", A, A, A, A, optimize=True).reshape(d * d, d * d) / n
    g = A * (A @ ls.x_star - ls.b)[:, None]
    return H, M, g.T @ g / n


def _stationary_floor(ls, gamma):
    """lim E||x_k - x*||^2 of SGD with a constant gamma: S = E e e^T solves
    H S + S H - gamma E[A_i S A_i] = gamma N (e_{k+1} = (I - gamma A_i) e_k - gamma g_i*)."""
    H, M, N = _sgd_operators(ls)
    eye = np.eye(H.shape[0])
    S = np.linalg.solve(np.kron(eye, H) + np.kron(H, eye) - gamma * M, gamma * N.reshape(-1))
    return float(np.trace(S.reshape(H.shape)))


def _sgd_mean_square(ls, step, ks):
    """E||x_k - x*||^2 of SGD from x0 = 0 at ks, exactly: with e = x - x*, m = E e and
    S = E e e^T follow m' = (I - g H) m and S' = S - g (H S + S H) + g^2 (E[A_i S A_i] + N +
    C(m) + C(m)^T), C(m) = E[A_i m g_i*^T] (the index i is drawn afresh at each step)."""
    H, M, N = _sgd_operators(ls)
    d = H.shape[0]
    r = ls.A @ ls.x_star - ls.b
    T = np.einsum("i,il,ij,ik->ljk", r, ls.A, ls.A, ls.A, optimize=True) / ls.A.shape[0]
    m = -ls.x_star.copy()
    S = np.outer(m, m)
    out = {}
    for kk in range(int(max(ks))):
        g = step(kk)
        C = np.tensordot(m, T, axes=1)
        S = S - g * (H @ S + S @ H) + g * g * ((M @ S.reshape(-1)).reshape(d, d) + N + C + C.T)
        m = m - g * (H @ m)
        out[kk + 1] = np.trace(S)
    return np.array([out[int(kk)] for kk in ks])


@pytest.mark.parametrize("seed", SEEDS)
def test_sgd_switching_holds_and_its_control_fails(seed):
    v = verdict("handbook-sgd-switching", seed)
    assert v.status == HOLDS, (v.outcome.reasons, v.control.reasons)
    assert v.outcome.measurement.fit.runs == 100 and v.ci[0] > 0.9
    # the constant-step control sits on its floor: its slope is 0, within its CI
    lo, hi = v.control.measurement.ci
    assert v.control.verdict == FAILS and -0.05 < lo < hi < 0.05


def test_sgd_switching_is_the_exact_mean_square_error():
    """The mean of 100 runs follows the exact E||x_k - x*||^2 (within 4 SE at every checkpoint
    from the switch to k = 1e4): the schedule and the sampling are those of the theorem."""
    v = verdict("handbook-sgd-switching", 0)
    m = v.outcome.measurement
    ls = least_squares(1000, 20, 0.5, 0)
    k0 = 4 * math.ceil(ls.L_max / ls.mu)
    gamma0 = 1 / (2 * ls.L_max)
    ks = log_checkpoints(10_000)
    ks = ks[ks >= k0]
    exact = _sgd_mean_square(ls, lambda j: gamma0 if j < k0 else (2 * j + 1) / ((j + 1) ** 2
                                                                           * ls.mu), ks)
    at = np.searchsorted(m.trace.x, ks)
    runs = m.trace.values[:, at]
    se = runs.std(axis=0, ddof=1) / math.sqrt(runs.shape[0])
    assert np.all(np.abs(runs.mean(axis=0) - exact) < 4 * se)


def test_sgd_switching_needs_five_runs_for_a_verdict():
    """Two runs give no interval over runs: undecided, not a pass on a narrow CI."""
    v = SGD_SWITCHING.check(seed=0, overrides={"runs": 2}, control=False)
    assert v.outcome.verdict == UNDECIDED and v.outcome.measurement.too_few_runs


def test_sgd_switching_runs_draw_their_own_samples():
    """x0 = 0 for every run: the spread over runs comes from the streams, which must differ."""
    values = verdict("handbook-sgd-switching", 0).outcome.measurement.trace.values
    assert np.all(values[:, 1:].std(axis=0) > 0)


@pytest.mark.parametrize("seed", SEEDS)
def test_sgd_noise_floor_holds_and_its_controls_fail(seed):
    v = verdict("handbook-sgd-noise-floor", seed)
    assert v.status == HOLDS, (v.outcome.reasons, v.control.reasons)
    # without label noise the error keeps falling, faster for larger gamma: a negative slope
    assert v.control.verdict == FAILS and v.control.measurement.ci[1] < 0
    # the too-steep control: steps up to 2/L_max, where the exact floors' slope is 1.26 (seed 0)
    (fast,) = v.more_controls
    assert fast.verdict == FAILS and fast.measurement.ci[0] > SGD_NOISE_FLOOR.accepted(1.0)[1]


@pytest.mark.parametrize("seed", [0, 1])
def test_sgd_noise_floor_is_the_exact_stationary_floor(seed):
    """Each plateau is the stationary E||x - x*||^2 of SGD (within 3%), and the measured rate
    in gamma is the exact floors' slope (~1.05, the gamma^2 term), within 0.015."""
    m = verdict("handbook-sgd-noise-floor", seed).outcome.measurement
    ls = least_squares(1000, 20, 0.5, seed)
    steps = m.trace.x / (2 * ls.L_max)
    floors = np.array([_stationary_floor(ls, g) for g in steps])
    np.testing.assert_allclose(m.trace.values.mean(axis=0), floors, rtol=0.03)
    assert m.fit.rate == pytest.approx(_slope(steps, floors), abs=0.015)
    assert 1.0 < _slope(steps, floors) < 1.1


# --- the worst-case legs: measured <= PEP worst case over the class <= the handbook's bound -----

def _leg(claim, **params):
    """The claim's worst-case leg, its instance, and the leg evaluated there."""
    (leg,) = [c for c in claim.experiment.checks if isinstance(c, WorstCaseLeg)]
    inst = claim.experiment.instance(claim.resolve(params), 0)
    return leg, inst, leg.evaluate(Observed(inst, np.zeros(1), np.zeros((1, 1)), ()))


def test_gd_convex_leg_is_drori_teboulle_under_the_bound():
    leg, inst, check = _leg(GD_CONVEX)
    assert check.passed, check.detail
    d = 1000  # x0 - x* = ones: R^2 = d, L = 1, gamma = 1/L
    lam = quadratic(d, 1.0, 1e-8).eigenvalues
    for n in PEP_HORIZONS:
        worst = leg.worst(inst, n).value
        assert worst == pytest.approx(d / (4 * n + 2), rel=1e-4)  # [Drori & Teboulle, Thm 3.1]
        measured = 0.5 * _gd_closed_form(lam, 1.0, [n], 1)[0]
        assert measured < worst < d / (2 * n)  # the handbook's R^2/(2 gamma N)
        assert f"measured {measured:.6g} <= worst {worst:.6g} <= bound {d / (2 * n):.6g}" in (
            check.detail)


def test_gd_strongly_convex_leg_is_the_contraction_under_the_bound():
    leg, inst, check = _leg(GD_STRONGLY_CONVEX)
    assert check.passed, check.detail
    d, mu = 1000, 1e-2
    for n in PEP_HORIZONS:
        worst = leg.worst(inst, n).value
        assert worst == pytest.approx(d * (1 - mu) ** (2 * n), rel=1e-4)
        assert worst < d * (1 - mu) ** n


@pytest.mark.parametrize("claim", [GD_CONVEX, GD_STRONGLY_CONVEX], ids=lambda c: c.id)
def test_gd_legs_fail_at_the_controls_step(claim):
    """gamma = 2.1/L: the worst case of N steps, (1.1)^(2N) R^2 (/2 for f), exceeds the bound."""
    leg, inst, check = _leg(claim, gamma_L=2.1)
    assert not check.passed and "> bound" in check.detail
    half = 0.5 if claim is GD_CONVEX else 1.0
    assert leg.worst(inst, 10).value == pytest.approx(half * 1000 * 1.1**20, rel=1e-4)
