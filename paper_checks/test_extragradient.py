"""The extragradient claims hold and every control fails for seeds 0-9; the values beside the
verdicts come from theory (closed forms, the exact moment recursion), not from earlier runs.

Second controls (upper side of the tight tolerances), wired as ``more_controls``:
eg-ergodic-gap {"mu": 0.1} (strongly monotone: Err_R ~ 1/N^2), eg-stochastic-last-iterate
{"noise": 1e-3} (nearly no noise: t^(-2 gamma mu) = t^-3 in the window)."""

from functools import cache

import numpy as np
import pytest
from scipy.optimize import minimize

from paper_checks.extragradient import (
    ERGODIC_GAP,
    ERGODIC_SPEC,
    PEP_HORIZONS,
    STOCHASTIC_LAST_ITERATE,
    exact_mean_square,
    merit,
)
from problems.vi import affine_operator, bilinear_game, strongly_monotone_linear
from rates import worst_case
from rates.claim import FAILS
from rates.spec import Observed, WorstCaseLeg, values_at

SEEDS = range(10)


@cache
def _verdict(claim_id: str, seed: int):
    claim = {c.id: c for c in (ERGODIC_GAP, STOCHASTIC_LAST_ITERATE)}[claim_id]
    return claim.check(seed=seed)


@pytest.mark.parametrize("seed", SEEDS)
def test_ergodic_gap_holds_and_both_controls_fail(seed):
    v = _verdict("eg-ergodic-gap", seed)
    assert v.ok, (v.outcome.reasons, v.control.reasons, v.more_controls[0].reasons)
    assert v.stated == 1.0
    assert v.control.reasons[0].startswith("diverged at step")  # GDA spirals out
    # too fast: V + mu I strongly monotone, zbar_N - z* = S/N exactly once the iterates have
    # converged (0.96^1000 ~ 1e-18), so Err_R = ||M^T S||^2/(4 mu N^2): slope 2
    (fast,) = v.more_controls
    assert fast.verdict == FAILS and fast.reasons[0].startswith("measured")
    assert fast.measurement.measured == pytest.approx(2.0, abs=1e-3)


def test_merit_is_the_skew_closed_form_and_the_ball_maximum():
    game = bilinear_game(np.linspace(0.1, 1.0, 3), seed=4)
    rng = np.random.default_rng(0)
    z_hat, center = rng.standard_normal((5, 6)), rng.standard_normal(6)
    np.testing.assert_allclose(merit(game, z_hat, center, 2.0),
                               game.restricted_merit(z_hat, center, 2.0), rtol=1e-12)
    # strongly monotone: the maximum of <V(u), z_hat - u> over the ball, by SLSQP (scipy)
    M = game.M + 0.3 * np.eye(6)
    op = affine_operator(M, -M @ game.z_star)
    ball = {"type": "ineq", "fun": lambda u: 4.0 - (u - center) @ (u - center)}
    for z in z_hat:
        res = minimize(lambda u, z=z: -float(op.operator(u) @ (z - u)), center,
                       method="SLSQP", constraints=ball, options={"ftol": 1e-12, "maxiter": 500})
        assert float(merit(op, z[None], center, 2.0)[0]) == pytest.approx(-res.fun, rel=1e-6)


def test_bad_operator_for_the_merit_is_refused():
    M = np.diag([1.0, 2.0])
    with pytest.raises(ValueError, match="mu I"):
        merit(affine_operator(M), np.zeros((1, 2)), np.zeros(2), 1.0)


@pytest.mark.parametrize("seed", SEEDS)
def test_stochastic_last_iterate_holds_and_both_controls_fail(seed):
    v = _verdict("eg-stochastic-last-iterate", seed)
    assert v.ok, (v.outcome.reasons, v.control.reasons, v.more_controls[0].reasons)
    assert v.outcome.measurement.fit.runs == 400
    lo, hi = v.ci
    assert lo < v.measured < hi and hi - lo > 0  # a non-degenerate CI over the runs
    # gamma mu = 1/4: the recursion's mean square decays like t^(-2 gamma mu) = t^(-1/2)
    assert v.control.measurement.measured == pytest.approx(0.5, abs=0.03)
    fast = v.more_controls[0]
    assert fast.verdict == FAILS and fast.measurement.ci[0] > 2.5  # t^-3, bent by the b offset
    assert fast.reasons[0].startswith("measured")  # the main assertion, decisively


def test_exact_mean_square_has_the_robbins_monro_constant():
    """For V = mu I + S (S skew) with steps gamma/(t + b): t E||z_t||^2 -> d gamma^2 sigma^2 /
    (2 gamma mu - 1), the same for EG and PEG (their extra terms are O(gamma_t^2))."""
    op = strongly_monotone_linear(1.0, [1.0, 2.0], noise=1.0)
    g, b, T = 1.5, 14.0, 20_000
    steps = g / (np.arange(T) + b)
    limit = op.d * g**2 / (2 * g * op.mu - 1)
    for method in ("eg", "peg"):
        t_e = T * exact_mean_square(op, steps, method, np.ones(op.d), np.array([T]))[0]
        assert t_e == pytest.approx(limit, rel=0.01), method
    # without noise EG's mean square is the squared norm of the matrix product, by hand
    quiet = strongly_monotone_linear(1.0, [1.0, 2.0], noise=0.0)
    z = np.ones(4)
    for s in steps[:50]:
        z = (np.eye(4) - s * quiet.M + s * s * quiet.M @ quiet.M) @ z
    assert exact_mean_square(quiet, steps, "eg", np.ones(4), np.array([50]))[0] == \
        pytest.approx(z @ z, rel=1e-12)


# --- the worst-case leg of PEG's averages ---------------------------------------------------------

def _peg_rotation_merit(n: int, a: float, gamma: float, radius: float) -> float:
    """Err_R(zbar_N) of PEG on V(z) = a J (z - z*), ||z*|| = 1, z_1 = z_{1/2} = 0 (numpy): with
    e = zbar - z*, g = M^T e and c = z_1 - z*, the merit is <g, c> + R ||g|| (linear in u)."""
    M = a * np.array([[0.0, -1.0], [1.0, 0.0]])
    zs = np.array([1.0, 0.0])
    z, v, total = np.zeros(2), M @ (np.zeros(2) - zs), np.zeros(2)
    for _ in range(n):
        lead = z - gamma * v
        v = M @ (lead - zs)
        z = z - gamma * v
        total += lead
    g = M.T @ (total / n - zs)
    return float(g @ (-zs) + radius * np.linalg.norm(g))


def test_peg_leg_between_rotations_and_the_bound():
    """PEP value >= every 1-Lipschitz rotation's merit (a member of the class), <= R^2/(2 gamma N);
    the claim's game (seed 0) lies under it."""
    gamma, radius = 0.4, 2.0
    for n in PEP_HORIZONS:
        pep = worst_case.past_extragradient_ergodic(n, gamma_L=gamma, radius=radius).value
        lower = max(_peg_rotation_merit(n, a, gamma, radius) for a in np.linspace(0.05, 1, 40))
        assert lower * (1 - 1e-4) <= pep <= radius**2 / (2 * gamma * n) * (1 + 1e-4)
    (leg,) = [c for c in ERGODIC_GAP.experiment.checks if isinstance(c, WorstCaseLeg)]
    inst = ERGODIC_SPEC.instance(ERGODIC_GAP.resolve(), 0)
    check = leg.evaluate(Observed(inst, np.zeros(1), np.zeros((1, 1)), ()))
    assert check.passed, check.detail
    got = values_at(ERGODIC_SPEC, inst.params, 0, PEP_HORIZONS)
    d2 = float(np.sum(inst.problem.z_star**2))
    for n in PEP_HORIZONS:
        unit = worst_case.past_extragradient_ergodic(n, gamma_L=gamma, radius=radius).value
        assert got[n] <= leg.worst(inst, n).value == pytest.approx(inst.problem.L * d2 * unit)


def test_peg_leg_fails_where_the_programme_refuses_the_step():
    (leg,) = [c for c in ERGODIC_GAP.experiment.checks if isinstance(c, WorstCaseLeg)]
    inst = ERGODIC_SPEC.instance(ERGODIC_GAP.resolve({"gamma_L": 1.5}), 0)
    check = leg.evaluate(Observed(inst, np.zeros(1), np.zeros((1, 1)), ()))
    assert not check.passed and "no worst case at these parameters: gamma_L" in check.detail
