"""PEP worst cases (rates/worst_case.py) against closed forms and independent instances, and the
worst-case leg as a Check.

Closed forms: Drori & Teboulle (arXiv 1206.3209) for GD, the per-step contraction for GD on
strongly convex functions, Gu & Yang and Gorbunov et al. (arXiv 2210.13831) for proximal point,
Lieder for Halpern, the spectral polynomial for heavy ball on quadratics.  Where the worst case
has no closed form (extragradient, Nesterov, heavy ball on the whole class), the PEP value is
checked from both sides: no smaller than an exactly computed member of the class, no larger than
the paper's bound.  Values below the leg's floor (1e-4) are left out, as the leg does.
"""

from __future__ import annotations

import math
import sys
import time

import numpy as np
import pytest
from scipy.optimize import minimize_scalar

from rates import worst_case as wc
from rates.claim import Check

NS = (1, 2, 5, 10, 20)
RTOL = 1e-4


@pytest.fixture(scope="module", autouse=True)
def _module_wall_time(request):
    start = time.perf_counter()
    yield
    line = f"\ntests/test_worst_case.py: {time.perf_counter() - start:.1f} s wall time"
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if capture is None:  # pragma: no cover - pytest run with -p no:capture
        print(line)
        return
    with capture.global_and_fixture_disabled():  # past the output capture, to the terminal
        print(line)


def close(value: float, expected: float, rtol: float = RTOL) -> bool:
    return abs(value - expected) <= rtol * abs(expected)


# --- closed forms ---------------------------------------------------------------------------------

@pytest.mark.parametrize("N", NS)
@pytest.mark.parametrize("h", [1.0, 0.5])
def test_gd_convex_is_drori_teboulle(N, h):
    L, R = 2.0, 3.0
    got = wc.gd_convex(N, gamma_L=h, L=L, R=R)
    expected = L * R**2 / (4 * N * h + 2)
    assert close(got.value, expected), (got, expected)
    assert close(got.lower, expected)  # primal and dual agree: the gap is solver noise
    assert got.N == N and got.solver == wc.SOLVER and got.status in wc.ACCEPTED_STATUS
    assert got.seconds > 0


@pytest.mark.parametrize("N", NS)
@pytest.mark.parametrize("h", [1.0, 1.5])
def test_gd_strongly_convex_is_the_contraction(N, h):
    mu, L, R = 0.05, 0.5, 2.0  # mu/L = 0.1
    got = wc.gd_strongly_convex(N, mu=mu, gamma_L=h, L=L, R=R)
    expected = max(abs(1 - h), abs(1 - h * mu / L)) ** (2 * N) * R**2
    assert close(got.value, expected), (got, expected)
    # the handbook's bound (1 - gamma mu)^N R^2, gamma <= 1/L, is above it
    if h <= 1:
        assert got.value <= (1 - h * mu / L) ** N * R**2


@pytest.mark.parametrize("N", (1, 2, 5, 10))
def test_gd_beyond_two_over_l_is_the_quadratic(N):
    """gamma L = 2.1 (the handbook controls' step): f = L x^2/2 attains both worst cases,
    (gamma L - 1)^(2N) L R^2/2 for f(x_N) - f* (Drori & Teboulle's conjectured second branch)
    and (gamma L - 1)^(2N) R^2 for the distance."""
    convex = wc.gd_convex(N, gamma_L=2.1, R=2.0)
    assert close(convex.value, 1.1 ** (2 * N) * 4.0 / 2), convex
    strongly = wc.gd_strongly_convex(N, mu=0.01, gamma_L=2.1, R=2.0)
    assert close(strongly.value, 1.1 ** (2 * N) * 4.0), strongly


@pytest.mark.parametrize("N", NS)
def test_proximal_point_monotone_is_gu_yang(N):
    gamma = 2.0
    got = wc.proximal_point(N, gamma=gamma)
    assert close(got.value, (1 - 1 / N) ** (N - 1) / N / gamma**2), got


@pytest.mark.parametrize("N", NS)
def test_proximal_point_comonotone_is_gorbunov_et_al(N):
    rho, gamma = 0.25, 1.0  # the claim comonotone-pp: gamma = 2 (2 rho)
    got = wc.proximal_point(N, gamma=gamma, rho=rho)
    if N == 1:  # one comonotonicity inequality between x_1 and x*
        expected = 1 / (gamma - rho) ** 2
    else:
        expected = (1 - 1 / N) ** (N - 1) / (gamma * (gamma - 2 * rho) * N)
    assert close(got.value, expected), (got, expected)
    # the claim's bound ||x0 - x*||^2 / (gamma (gamma - 2 rho) N) holds, strictly for N > 1
    assert got.value <= 1 / (gamma * (gamma - 2 * rho) * N)


def test_proximal_point_scales_with_gamma():
    # gamma F is (rho/gamma)-comonotone: (gamma, rho) = (2, 0.5) is (1, 0.25) with F/2
    a = wc.proximal_point(5, gamma=1.0, rho=0.25)
    b = wc.proximal_point(5, gamma=2.0, rho=0.5, R=3.0)
    assert close(b.value, a.value * 9 / 4)


@pytest.mark.parametrize("N", NS)
def test_halpern_is_lieder(N):
    got = wc.halpern(N, R=2.0)
    assert close(got.value, 4.0 * (2 / (N + 1)) ** 2), got


def _poly_max(N: int, step, lo: float, hi: float, weight=lambda lam: 1.0) -> float:
    """max over lam in [lo, hi] of weight(lam) p_N(lam)^2 for the iteration polynomial p_N of a
    method on the 1-D quadratic lam x^2/2 (``step`` maps (lam, state) to the next state): a
    dense grid, then a bounded refinement around the best grid point."""
    lam = np.linspace(lo, hi, 20_001)

    def value(lam):
        state = (np.ones_like(lam), np.ones_like(lam))
        for _ in range(N):
            state = step(lam, state)
        return weight(lam) * state[0] ** 2

    v = value(lam)
    i = int(np.argmax(v))
    a, b = lam[max(i - 1, 0)], lam[min(i + 1, lam.size - 1)]
    best = minimize_scalar(lambda t: -float(value(np.array([t]))[0]), bounds=(a, b),
                           method="bounded", options={"xatol": 1e-12})
    return max(float(v[i]), -best.fun)


def _heavy_ball_step(alpha, beta):
    return lambda lam, s: ((1 + beta - alpha * lam) * s[0] - beta * s[1], s[0])


def _nesterov_step(beta):
    # state (x_k, y_k): x_{k+1} = (1 - lam) y_k, y_{k+1} = x_{k+1} + beta (x_{k+1} - x_k)
    def step(lam, s):
        x = (1 - lam) * s[1]
        return x, x + beta * (x - s[0])
    return step


@pytest.mark.parametrize("N", (1, 2, 5, 10))
@pytest.mark.parametrize("mu", [0.1, 0.01])
def test_heavy_ball_on_quadratics_is_the_spectral_maximum(N, mu):
    got = wc.heavy_ball(N, mu=mu, quadratic=True)
    alpha, beta = wc.polyak_steps(mu)
    expected = _poly_max(N, _heavy_ball_step(alpha, beta), mu, 1.0)
    assert got.solver == wc.QUADRATIC_SOLVER
    assert close(got.value, expected), (got, expected)


def test_polyak_steps():
    alpha, beta = wc.polyak_steps(0.04, 4.0)  # kappa = 100
    assert close(alpha, 4 / (2 + 0.2) ** 2, 1e-12) and close(beta, (9 / 11) ** 2, 1e-12)


@pytest.mark.parametrize("N", (1, 2, 5, 10))
def test_heavy_ball_whole_class_contains_the_quadratics(N):
    mu = 0.1
    alpha, beta = wc.polyak_steps(mu)
    full = wc.heavy_ball(N, mu=mu, quadratic=False)
    quad = _poly_max(N, _heavy_ball_step(alpha, beta), mu, 1.0)
    assert full.value >= quad * (1 - RTOL), (full, quad)
    if N == 1:  # one gradient step: the contraction max(|1 - alpha L|, |1 - alpha mu|)^2
        assert close(full.value, max(abs(1 - alpha), abs(1 - alpha * mu)) ** 2)


@pytest.mark.parametrize("N", (1, 2, 5, 10))
def test_nesterov_between_quadratics_and_the_bound(N):
    mu = 0.1
    beta = (math.sqrt(1 / mu) - 1) / (math.sqrt(1 / mu) + 1)
    got = wc.nesterov_strongly_convex(N, mu=mu, V0=1.0)
    # a 1-D quadratic lam x^2/2 from x0 = s: V0 = (lam + mu) s^2/2, f(x_N) = lam p_N^2 s^2/2
    quad = _poly_max(N, _nesterov_step(beta), mu, 1.0, weight=lambda lam: lam / (lam + mu))
    bound = (1 - math.sqrt(mu)) ** N  # d'Aspremont, Scieur & Taylor, Corollary 4.15
    assert quad * (1 - RTOL) <= got.value <= bound * (1 + RTOL), (quad, got, bound)


@pytest.mark.parametrize("N", (1, 2, 5, 10))
def test_nesterov_without_momentum_is_gd_from_the_lyapunov_start(N):
    """momentum 0 is GD at 1/L; with V(x0) <= V0 fixed its worst ||x_N - x*||^2 is
    (1 - mu/L)^(2N) V0/mu: the contraction, and V(x0) >= mu ||x0 - x*||^2, both tight on
    f = mu ||x||^2/2 (the nesterov-sqrt-kappa leg's control)."""
    got = wc.nesterov_strongly_convex(N, mu=0.01, V0=3.0, momentum=0.0, measure="distance")
    assert close(got.value, (1 - 0.01) ** (2 * N) * 3.0 / 0.01), got


def test_nesterov_units_match_pepits_own_example():
    """PEPit's example builds the same PEP in unnormalised units (L = 2, mu = 0.2)."""
    from PEPit.examples.unconstrained_convex_minimization import (
        wc_accelerated_gradient_strongly_convex,
    )

    theirs, _ = wc_accelerated_gradient_strongly_convex(mu=0.2, L=2.0, n=5, wrapper="cvxpy",
                                                        solver=wc.SOLVER, verbose=-1)
    ours = wc.nesterov_strongly_convex(5, mu=0.2, L=2.0, V0=1.0)
    assert close(ours.value, theirs)
    dist = wc.nesterov_strongly_convex(5, mu=0.2, L=2.0, V0=3.0, measure="distance")
    unit = wc.nesterov_strongly_convex(5, mu=0.1, L=1.0, V0=1.0, measure="distance")
    assert close(dist.value, 3.0 * unit.value / 2.0)


def _rotation_lower_bound(N: int, g1: float, g2: float, rho: float) -> float:
    """max of ||F x_N||^2 over F = a Rot(theta), 0 < a <= 1, cos(theta) >= -rho a (every such F
    is 1-Lipschitz and rho-comonotone), x_0 a unit vector, x* = 0: exact, by matrix powers."""
    best = 0.0
    for a in np.linspace(0.05, 1.0, 20):
        top = math.acos(max(-1.0, -rho * a))
        for theta in np.linspace(0.0, top, 25):
            F = a * np.array([[math.cos(theta), -math.sin(theta)],
                              [math.sin(theta), math.cos(theta)]])
            G = np.eye(2) - g2 * F + g1 * g2 * F @ F
            x = np.linalg.matrix_power(G, N) @ np.array([1.0, 0.0])
            best = max(best, float(np.sum((F @ x) ** 2)))
    return best


@pytest.mark.parametrize("N", (1, 2, 5))
@pytest.mark.parametrize(("g1", "g2", "rho"), [(0.5, 0.5, 0.0), (0.8, 0.2, 0.25),
                                               (1.0, 0.25, 0.25)])
def test_extragradient_above_every_rotation(N, g1, g2, rho):
    got = wc.extragradient(N, gamma1_L=g1, gamma2_L=g2, rho_L=rho)
    lower = _rotation_lower_bound(N, g1, g2, rho)
    assert got.value >= lower * (1 - RTOL), (got, lower)
    if g1 == 1.0:
        # gamma1 = 1/L: F = L I (theta = 0, a = 1) has I - g2 F + g1 g2 F^2 = I, EG+ stalls at
        # ||F x_N|| = L ||x_0 - x*||; the rotation family holds it, so the worst case is >= 1
        assert lower == pytest.approx(1.0, rel=1e-12)


# --- caching, arguments, missing extra -----------------------------------------------------------

def test_cached_in_process():
    first = wc.halpern(3)
    hits = wc._halpern.cache_info().hits
    again = wc.halpern(3, R=2.0)
    assert wc._halpern.cache_info().hits == hits + 1
    assert again.seconds == first.seconds and close(again.value, 4 * first.value, 1e-12)


@pytest.mark.parametrize(("call", "name"), [
    (lambda: wc.halpern(0), "N"),
    (lambda: wc.halpern(2.5), "N"),
    (lambda: wc.halpern(True), "N"),
    (lambda: wc.halpern(wc.MAX_HORIZON + 1), "N"),
    (lambda: wc.halpern(3, R=0.0), "R"),
    (lambda: wc.gd_convex(3, gamma_L=wc.MAX_GD_STEP_L + 0.5), "gamma_L"),
    (lambda: wc.gd_strongly_convex(3, mu=0.1, gamma_L=0.0), "gamma_L"),
    (lambda: wc.gd_convex(3, L=-1.0), "L"),
    (lambda: wc.gd_strongly_convex(3, mu=1.0), "mu"),
    (lambda: wc.gd_strongly_convex(3, mu=float("nan")), "mu"),
    (lambda: wc.proximal_point(3, gamma=0.5, rho=0.25), "gamma must exceed 2 rho"),
    (lambda: wc.proximal_point(3, gamma=1.0, rho=-0.1), "rho"),
    (lambda: wc.extragradient(3, gamma1_L=0.0), "gamma1_L"),
    (lambda: wc.extragradient(3, gamma1_L=0.5, rho_L=1.5), "rho_L"),
    (lambda: wc.heavy_ball(3, mu=0.1, beta=1.0), "beta"),
    (lambda: wc.heavy_ball(3, mu=0.1, measure="gap"), "measure"),
    (lambda: wc.nesterov_strongly_convex(3, mu=0.1), "exactly one initial condition"),
    (lambda: wc.nesterov_strongly_convex(3, mu=0.1, R=1.0, V0=1.0), "exactly one"),
])
def test_bad_arguments_name_themselves(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_missing_extra_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "PEPit", None)  # import PEPit now raises ImportError
    assert not wc.available()
    with pytest.raises(RuntimeError, match=r"pip install -e '\.\[pep\]'"):
        wc.gd_convex(7)


def test_available_here():
    assert wc.available()  # the test extra installs the pep extra


# --- the leg --------------------------------------------------------------------------------------

def leg(measured, worst, bound, horizons=(1, 2, 3), **kw) -> Check:
    return wc.worst_case_leg("worst case", horizons, dict(zip(horizons, measured, strict=True)),
                             dict(zip(horizons, worst, strict=True)),
                             None if bound is None else dict(zip(horizons, bound, strict=True)),
                             **kw)


def test_leg_passes_on_consistent_data():
    c = leg([0.1, 0.05, 0.02], [0.2, 0.1, 0.05], [0.5, 0.25, 0.1])
    assert isinstance(c, Check) and c.passed, c.detail
    assert "N = 3" in c.detail


def test_leg_allows_the_relative_tolerance():
    assert leg([0.2 * (1 + 5e-5)], [0.2], [0.2 * (1 - 5e-5)], horizons=(4,)).passed


def test_leg_fails_when_measured_exceeds_the_worst_case():
    c = leg([0.1, 0.11, 0.02], [0.2, 0.1, 0.05], [0.5, 0.25, 0.1])
    assert not c.passed and "measured 0.11 > worst case 0.1" in c.detail


def test_leg_fails_when_the_worst_case_exceeds_the_bound():
    c = leg([0.1, 0.05, 0.02], [0.2, 0.1, 0.05], [0.5, 0.25, 0.04])
    assert not c.passed and "worst case 0.05 > bound 0.04" in c.detail


def test_leg_fails_beyond_the_tolerance():
    assert not leg([0.2 * (1 + 2e-4)], [0.2], [1.0], horizons=(4,)).passed


def test_leg_fails_on_a_diverged_run():
    assert not leg([float("nan")], [0.2], [1.0], horizons=(4,)).passed


def test_leg_skips_below_the_floor_and_says_so():
    # at N = 3 the worst case is under the floor: its (bad) numbers are not judged
    c = leg([0.1, 0.05, 9e-5], [0.2, 0.1, 5e-5], [0.5, 0.25, 1e-5])
    assert c.passed and "skipped" in c.detail and "N = 3 (worst 5e-05)" in c.detail


def test_leg_with_nothing_above_the_floor_fails():
    c = leg([1e-6], [2e-6], [3e-6], horizons=(9,))
    assert not c.passed and "nothing judged" in c.detail


def test_leg_without_a_bound_judges_measured_only():
    c = leg([0.1, 0.05, 0.02], [0.2, 0.1, 0.05], None)
    assert c.passed and "only measured <= worst" in c.detail
    assert not leg([0.3, 0.05, 0.02], [0.2, 0.1, 0.05], None).passed


def test_leg_refuses_missing_horizons_and_bad_tolerances():
    with pytest.raises(ValueError, match="worst has no value at N = 5"):
        wc.worst_case_leg("x", [5], {5: 0.1}, {4: 0.2}, {5: 0.3})
    with pytest.raises(ValueError, match="rtol"):
        leg([0.1], [0.2], [0.3], horizons=(1,), rtol=-1.0)
    with pytest.raises(ValueError, match="floor"):
        leg([0.1], [0.2], [0.3], horizons=(1,), floor=-1.0)
    with pytest.raises(ValueError, match="horizons"):
        wc.worst_case_leg("x", [], {}, {}, {})


def test_leg_on_gd_end_to_end():
    """GD on the 1/lam-density quadratic of handbook-gd-convex (numpy), the PEP worst case and
    the handbook's bound R^2/(2 gamma N): the chain holds; with the bound of a step twice as long
    (a wrong constant) the leg catches it."""
    d, L = 1000, 1.0
    lam = np.geomspace(1e-6, L, d)
    e = np.ones(d)  # x0 - x*, R^2 = d
    R = math.sqrt(d)
    horizons = (1, 2, 5, 10, 20)
    measured, worst, bound, wrong = {}, {}, {}, {}
    for n in horizons:
        measured[n] = float(0.5 * np.sum(lam * ((1 - lam / L) ** n * e) ** 2))
        worst[n] = wc.gd_convex(n, L=L, R=R)
        bound[n] = R**2 * L / (2 * n)
        wrong[n] = R**2 * L / (4 * n * 2)  # the bound for gamma = 2/L: below the worst case
    good = wc.worst_case_leg("GD worst case", horizons, measured, worst, bound)
    assert good.passed, good.detail
    bad = wc.worst_case_leg("GD worst case", horizons, measured, worst, wrong)
    assert not bad.passed and "> bound" in bad.detail


def test_without_pepit_a_leg_is_skipped_and_says_so_and_the_claim_is_judged_without_it(
        monkeypatch):
    """README's first command installs no extras: a claim with a leg must still hold there."""
    from rates import registry

    monkeypatch.setattr(wc, "available", lambda: False)
    v = registry.get("halpern").check(seed=0)
    (leg,) = [c for c in v.outcome.measurement.checks if c.name.startswith("worst-case leg")]
    assert leg.skipped and leg.passed and "PEPit is not installed" in leg.detail
    assert v.ok
