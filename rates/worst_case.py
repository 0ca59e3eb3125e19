"""Exact worst cases by performance estimation (PEP), and the worst-case leg of a claim.

For a deterministic first-order method run for N steps on a function or operator class, the
largest value of a performance measure over *every* member of the class and every starting
point with a bounded initial condition is the optimal value of a small semidefinite program,
the performance estimation problem of Drori & Teboulle (arXiv 1206.3209) made exact by the
interpolation conditions of Taylor, Hendrickx & Glineur (arXiv 1502.05666).  PEPit
(Goujaud et al., arXiv 2201.04040) builds that program; the open-source interior-point solver
Clarabel solves it.  Both are the optional extra ``pip install -e '.[pep]'`` (the ``test`` extra
pulls them in).

One function per method class returns a :class:`WorstCase`.  Each solves the *normalised*
program (L = 1, unit initial condition, and for the operator methods unit step or unit
Lipschitz constant) and scales the value back exactly by homogeneity, so a claim asking for
the same N with other constants reuses the cached solve (``functools.lru_cache``).  The
solver is chosen explicitly (Clarabel through CVXPY) and PEPit's printing is off.

:func:`worst_case_leg` turns three curves into a :class:`rates.claim.Check`: the value measured
on the claim's synthetic instance must not exceed the worst case over the class, which must
not exceed the paper's bound with its constants (each up to the solver's relative accuracy).
Worst cases below ``floor`` (1e-4 by default) are too small for the solver's absolute accuracy
to judge and are skipped, and the check's detail says which.

Exactness.  The classes of L-smooth (strongly) convex functions, of smooth strongly convex
quadratics, of maximal monotone and of rho-negatively comonotone operators and of nonexpansive
(1-Lipschitz) operators have pairwise interpolation conditions, so the PEP value *is* the worst
case.  For L-Lipschitz monotone or comonotone operators (extragradient, past extragradient's
ergodic merit) the pairwise conditions are only necessary (Ryu, Taylor, Bergeling & Giselsson,
arXiv 1812.00146): the PEP value is then an upper bound on the worst case, still valid for
"measured <= worst".
"""

from __future__ import annotations

import functools
import math
import numbers
import threading
import time
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rates.claim import Check

SOLVER = "CLARABEL"
"""The SDP solver, through CVXPY (Clarabel: open source, interior point)."""

QUADRATIC_SOLVER = "SCS"
QUADRATIC_OPTIONS: dict[str, Any] = {"eps_abs": 1e-9, "eps_rel": 1e-9, "max_iters": 20_000}
"""The class of quadratics (PEPit's SmoothStronglyConvexQuadraticFunction: many equality
constraints and an extra LMI) defeats Clarabel: it stops with NumericalError from N ~ 10 and
its inaccurate values fall *below* the exact worst case (by 3e-5 relative at N = 10,
kappa = 100).  SCS (installed with CVXPY) at eps 1e-9 matches the spectral closed form to
~1e-9 there, in a few seconds up to N ~ 15."""

ACCEPTED_STATUS = ("optimal", "optimal_inaccurate")
"""CVXPY statuses whose value is kept.  Clarabel reports ``optimal_inaccurate`` (its
AlmostSolved) on some of these programs although the value agrees with the known closed forms
to ~1e-8; the status is recorded in :class:`WorstCase` and in the leg's detail."""

MAX_HORIZON = 200
"""Largest N accepted: the program has ~(N + 2)^2 constraints and a Gram matrix of order ~N.
Measured on two (shared, heavily loaded) cores: ~0.2 s at N = 5, 0.4-1.8 s at N = 10, 2-9 s at
N = 20 and 20-100 s at N = 40 per solve; EG+ (two oracle calls a step) about 4x that."""

INSTALL_HINT = "pip install -e '.[pep]'"

MAX_GD_STEP_L = 3.0
"""Largest GD step accepted, times L.  GD diverges on the class beyond 2/L, but at a finite N
the worst case is finite and the PEP computes it: a control at 2.1/L gets its worst case, which
then exceeds the bound of a theorem that needs gamma <= 1/L."""

_LOCK = threading.Lock()
"""PEPit keeps its points, functions and counters in class attributes: one PEP at a time."""


@dataclass(frozen=True)
class WorstCase:
    """The PEP worst case of one method class at one horizon, with these constants.

    ``value`` is the solver's dual objective (an upper bound on the worst case, up to solver
    accuracy), ``lower`` its primal objective (the value of a feasible worst-case instance, a
    lower bound); their difference is the duality gap.  ``seconds`` is the time of the solve
    that produced it (a cached result repeats that time).
    """

    value: float
    lower: float
    N: int
    solver: str
    status: str
    seconds: float


def available() -> bool:
    """True when PEPit, CVXPY and Clarabel can be imported (the ``pep`` extra is installed)."""
    try:
        _require()
    except RuntimeError:
        return False
    return True


def _require() -> None:
    try:
        import clarabel  # noqa: F401
        import cvxpy  # noqa: F401
        import PEPit  # noqa: F401
    except ImportError as exc:
        raise RuntimeError(f"the worst-case (PEP) leg needs PEPit, CVXPY and Clarabel, which are "
                           f"not installed ({exc}); install the optional extra: "
                           f"{INSTALL_HINT}") from exc


# --- argument checks ------------------------------------------------------------------------------

def _horizon(N: Any) -> int:
    if isinstance(N, bool) or not isinstance(N, numbers.Integral) or not 1 <= N <= MAX_HORIZON:
        raise ValueError(f"N must be an integer in [1, {MAX_HORIZON}], got {N!r}")
    return int(N)


def _finite(name: str, value: Any, low: float = -math.inf, high: float = math.inf, *,
            open_low: bool = True, open_high: bool = False) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    below = v <= low if open_low else v < low
    above = v >= high if open_high else v > high
    if not math.isfinite(v) or below or above:
        lo = "(" if open_low else "["
        hi = ")" if open_high else "]"
        raise ValueError(f"{name} must be in {lo}{low:g}, {high:g}{hi}, got {value!r}")
    return v


def _positive(name: str, value: Any) -> float:
    return _finite(name, value, 0.0)


def _choice(name: str, value: Any, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}, got {value!r}")
    return value


# --- solving --------------------------------------------------------------------------------------

_Raw = tuple[float, float, str, str, float]  # value, lower, solver, status, seconds


def _solve(problem: Any, what: str, solver: str = SOLVER, **options: Any) -> _Raw:
    """Solve a built PEP through CVXPY, silently; refuse statuses other than optimal."""
    from cvxpy.error import SolverError

    start = time.perf_counter()
    with warnings.catch_warnings():
        # CVXPY warns "Solution may be inaccurate" for optimal_inaccurate: recorded, not printed
        warnings.simplefilter("ignore", UserWarning)
        try:
            value = problem.solve(wrapper="cvxpy", solver=solver, verbose=0, **options)
        except SolverError as exc:
            raise RuntimeError(f"PEP for {what}: {solver} failed ({exc}); a worst case far "
                               f"below 1e-6 or a large N is the usual cause (take a smaller "
                               f"N)") from exc
    seconds = time.perf_counter() - start
    prob = problem.wrapper.prob
    status = str(prob.status)
    if value is None or status not in ACCEPTED_STATUS:
        raise RuntimeError(f"PEP for {what}: the solver returned status {status!r} (value "
                           f"{value!r}); no worst case to report")
    return float(value), float(prob.value), str(problem.wrapper.solver_name), status, seconds


def _result(raw: _Raw, N: int, scale: float) -> WorstCase:
    value, lower, solver, status, seconds = raw
    return WorstCase(value * scale, lower * scale, N, solver, status, seconds)


# --- gradient descent -----------------------------------------------------------------------------

@functools.lru_cache(maxsize=1024)
def _gd(N: int, h: float, q: float) -> _Raw:
    from PEPit import PEP
    from PEPit.functions import SmoothConvexFunction, SmoothStronglyConvexFunction

    with _LOCK:
        problem = PEP()
        if q == 0.0:
            f = problem.declare_function(SmoothConvexFunction, L=1.0)
        else:
            f = problem.declare_function(SmoothStronglyConvexFunction, mu=q, L=1.0)
        xs = f.stationary_point()
        fs = f(xs)
        x0 = problem.set_initial_point()
        problem.set_initial_condition((x0 - xs) ** 2 <= 1)
        x = x0
        for _ in range(N):
            x = x - h * f.gradient(x)
        problem.set_performance_metric(f(x) - fs if q == 0.0 else (x - xs) ** 2)
        return _solve(problem, f"gradient descent, N = {N}, gamma L = {h:g}, mu/L = {q:g}")


def gd_convex(N: int, *, gamma_L: float = 1.0, L: float = 1.0, R: float = 1.0) -> WorstCase:
    """Worst case of f(x_N) - f* after N steps of GD x+ = x - (gamma_L/L) grad f(x).

    Class: L-smooth convex functions on R^d (any d).  Measure: f(x_N) - f*.  Initial condition:
    ||x_0 - x*|| <= R.  The value is L R^2 tau(N, gamma_L) by homogeneity.

    Closed form (Drori & Teboulle, arXiv 1206.3209, Theorem 3.1, tight on a Huber function):
    for 0 < gamma_L <= 1, tau = 1/(4 N gamma_L + 2), i.e. L R^2/(4N + 2) at gamma_L = 1.  For
    1 < gamma_L < 2 they conjecture max(1/(4 N gamma_L + 2), (1 - gamma_L)^(2N)/2); the PEP
    value is reported there as computed, and beyond 2 (up to :data:`MAX_GD_STEP_L`), where GD
    diverges on the class but N steps have a finite worst case, too.
    """
    _require()
    n = _horizon(N)
    h = _finite("gamma_L", gamma_L, 0.0, MAX_GD_STEP_L)
    L, R = _positive("L", L), _positive("R", R)
    return _result(_gd(n, h, 0.0), n, L * R**2)


def gd_strongly_convex(N: int, *, mu: float, gamma_L: float = 1.0, L: float = 1.0,
                       R: float = 1.0) -> WorstCase:
    """Worst case of ||x_N - x*||^2 after N steps of GD x+ = x - (gamma_L/L) grad f(x).

    Class: L-smooth mu-strongly convex functions (0 < mu < L).  Measure: ||x_N - x*||^2.
    Initial condition: ||x_0 - x*|| <= R.  The value is R^2 tau(N, gamma_L, mu/L).

    Closed form: tau = max(|1 - gamma_L|, |1 - gamma_L mu/L|)^(2N): that is the per-step
    contraction factor of GD on the class (grad f - mu x is 1/(L - mu)-cocoercive), and a
    quadratic with eigenvalues mu and L attains it at every step (for every gamma_L up to
    :data:`MAX_GD_STEP_L`: beyond 2 the factor exceeds 1 and GD diverges).  The handbook's
    Theorem 3.6 (arXiv 2301.11235) bounds it by (1 - gamma mu)^N for gamma <= 1/L.
    """
    _require()
    n = _horizon(N)
    L = _positive("L", L)
    q = _finite("mu", mu, 0.0, L, open_high=True) / L
    h = _finite("gamma_L", gamma_L, 0.0, MAX_GD_STEP_L)
    R = _positive("R", R)
    return _result(_gd(n, h, q), n, R**2)


# --- proximal point, extragradient, Halpern -----------------------------------------------------

@functools.lru_cache(maxsize=1024)
def _proximal_point(N: int, r: float) -> _Raw:
    from PEPit import PEP
    from PEPit.operators import MonotoneOperator, NegativelyComonotoneOperator
    from PEPit.primitive_steps import proximal_step

    with _LOCK:
        problem = PEP()
        if r == 0.0:
            F = problem.declare_function(MonotoneOperator)
        else:
            F = problem.declare_function(NegativelyComonotoneOperator, rho=r)
        xs = F.stationary_point()
        x0 = problem.set_initial_point()
        problem.set_initial_condition((x0 - xs) ** 2 <= 1)
        x = x0
        for _ in range(N):
            x, g, _ = proximal_step(x, F, 1.0)
        problem.set_performance_metric(g**2)
        return _solve(problem, f"proximal point, N = {N}, rho/gamma = {r:g}")


def proximal_point(N: int, *, gamma: float, rho: float = 0.0, R: float = 1.0) -> WorstCase:
    """Worst case of ||F(x_N)||^2 after N proximal-point steps x+ = (I + gamma F)^{-1} x.

    Class: maximal monotone operators (rho = 0) or rho-negatively comonotone operators,
    <F x - F y, x - y> >= -rho ||F x - F y||^2, with gamma > 2 rho.  Measure: ||F(x_N)||^2 at the
    resolvent's output, i.e. ||x_N - x_{N-1}||^2 / gamma^2.  Initial condition:
    ||x_0 - x*|| <= R.  The value is R^2/gamma^2 tau(N, rho/gamma) (gamma F is
    (rho/gamma)-comonotone and takes the same steps with unit step size).

    Closed forms: monotone, tau = (1 - 1/N)^(N-1)/N (Gu & Yang, SIAM J. Optim. 30(3), 2020,
    tight);
    comonotone, for N >= 2, ||F(x_N)||^2 <= (1 - 1/N)^(N-1) R^2/(gamma (gamma - 2 rho) N)
    (Gorbunov, Taylor, Horvath & Gidel, arXiv 2210.13831, Theorem 3.1, tight), and for N = 1
    R^2/(gamma - rho)^2 (one comonotonicity inequality between x_1 and x*).
    """
    _require()
    n = _horizon(N)
    g = _positive("gamma", gamma)
    r = _finite("rho", rho, 0.0, math.inf, open_low=False)
    if not g > 2 * r:
        raise ValueError(f"gamma must exceed 2 rho (the class's admissible steps), got gamma = "
                         f"{gamma!r}, rho = {rho!r}")
    R = _positive("R", R)
    return _result(_proximal_point(n, r / g), n, R**2 / g**2)


@functools.cache
def _lipschitz_comonotone_class() -> type:
    from PEPit.operators import LipschitzOperator

    class LipschitzComonotoneOperator(LipschitzOperator):
        """L-Lipschitz and rho-negatively comonotone (rho = 0: monotone), pairwise conditions."""

        def __init__(self, L: float, rho: float, **kwargs: Any) -> None:
            super().__init__(L=L, **kwargs)
            self.rho = rho

        def _comonotone(self, xi, gi, fi, xj, gj, fj):
            return (gi - gj) * (xi - xj) + self.rho * (gi - gj) ** 2 >= 0

        def add_class_constraints(self) -> None:
            super().add_class_constraints()
            self.add_constraints_from_two_lists_of_points(
                list_of_points_1=self.list_of_points, list_of_points_2=self.list_of_points,
                constraint_name="negative_comonotonicity",
                set_class_constraint_i_j=self._comonotone, symmetry=True)

    return LipschitzComonotoneOperator


@functools.lru_cache(maxsize=1024)
def _extragradient(N: int, g1: float, g2: float, r: float) -> _Raw:
    from PEPit import PEP

    with _LOCK:
        problem = PEP()
        F = problem.declare_function(_lipschitz_comonotone_class(), L=1.0, rho=r)
        xs = F.stationary_point()
        x0 = problem.set_initial_point()
        problem.set_initial_condition((x0 - xs) ** 2 <= 1)
        x = x0
        for _ in range(N):
            x = x - g2 * F.gradient(x - g1 * F.gradient(x))
        problem.set_performance_metric(F.gradient(x) ** 2)
        return _solve(problem, f"EG+, N = {N}, gamma1 L = {g1:g}, gamma2 L = {g2:g}, "
                               f"rho L = {r:g}")


def extragradient(N: int, *, gamma1_L: float, gamma2_L: float | None = None, rho_L: float = 0.0,
                  L: float = 1.0, R: float = 1.0) -> WorstCase:
    """PEP bound on ||F(x_N)||^2 after N steps of EG+ (EG when gamma2 = gamma1).

    Method: x~ = x - gamma1 F(x), x+ = x - gamma2 F(x~), with gamma1 = gamma1_L/L and
    gamma2 = gamma2_L/L (default gamma2 = gamma1).  Class: L-Lipschitz operators that are
    monotone (rho_L = 0) or rho-negatively comonotone with rho = rho_L/L.  Measure:
    ||F(x_N)||^2.  Initial condition: ||x_0 - x*|| <= R.  The value is
    L^2 R^2 tau(N, gamma1_L, gamma2_L, rho_L).

    The pairwise Lipschitz and comonotonicity inequalities are necessary but not sufficient for
    interpolation (Ryu, Taylor, Bergeling & Giselsson, arXiv 1812.00146): the value is an upper
    bound on the worst case, tight up to that relaxation.  Known rates: O(1/N) last iterate for
    EG on monotone Lipschitz F (Gorbunov, Loizou & Gidel, arXiv 2110.04261) and for EG+ on
    comonotone F with rho L < 1/2 (Gorbunov, Taylor, Horvath & Gidel, arXiv 2210.13831,
    Section 4; Pethick et al., ICLR 2022).  No closed form.
    """
    _require()
    n = _horizon(N)
    g1 = _finite("gamma1_L", gamma1_L, 0.0, 2.0)
    g2 = g1 if gamma2_L is None else _finite("gamma2_L", gamma2_L, 0.0, 2.0)
    r = _finite("rho_L", rho_L, 0.0, 1.0, open_low=False)
    L, R = _positive("L", L), _positive("R", R)
    return _result(_extragradient(n, g1, g2, r), n, L**2 * R**2)


@functools.lru_cache(maxsize=1024)
def _past_extragradient_ergodic(N: int, h: float, m: float) -> _Raw:
    from PEPit import PEP, Point

    with _LOCK:
        problem = PEP()
        F = problem.declare_function(_lipschitz_comonotone_class(), L=1.0, rho=0.0)
        zs = F.stationary_point()
        z0 = problem.set_initial_point()
        u = Point()  # the merit's maximiser, anywhere in the ball around z_1 = z0
        problem.set_initial_condition((z0 - zs) ** 2 <= 1)
        problem.set_initial_condition((u - z0) ** 2 <= m**2)
        z, g, total = z0, F.gradient(z0), None  # z_{1/2} = z_1: the first lead uses V(z_1)
        for _ in range(N):
            lead = z - h * g
            g = F.gradient(lead)
            z = z - h * g
            total = lead if total is None else total + lead
        problem.set_performance_metric(F.gradient(u) * (total / N - u))
        return _solve(problem, f"past extragradient (ergodic), N = {N}, gamma L = {h:g}, "
                               f"R/D = {m:g}")


def past_extragradient_ergodic(N: int, *, gamma_L: float, radius: float, L: float = 1.0,
                               D: float = 1.0) -> WorstCase:
    """PEP bound on the restricted merit Err_R(zbar_N) after N steps of past extragradient.

    Method (Popov): z_{t+1/2} = z_t - gamma V(z_{t-1/2}), z_{t+1} = z_t - gamma V(z_{t+1/2}),
    z_{1/2} = z_1, gamma = gamma_L/L; zbar_N = (1/N) sum_{t<=N} z_{t+1/2}.  Class: monotone
    L-Lipschitz V.  Measure: Err_R(zbar_N) = max over ||u - z_1|| <= R of <V(u), zbar_N - u>
    (the PEP maximises over u as well).  Initial conditions: ||z_1 - z*|| <= D and R =
    ``radius`` D.  The value is L D^2 tau(N, gamma_L, radius) by homogeneity.

    Known bound (Hsieh, Iutzeler, Malick & Mertikopoulos, arXiv 1908.08465, Theorem 1 /
    Proposition 2, gamma < 1/(2L)): Err_R(zbar_N) <= (R^2 + ||z_1 - z_{1/2}||^2)/(2 gamma N);
    its proof uses only monotonicity between u and the leads and Lipschitz continuity between
    leads, which the program contains, so the PEP value lies under it.  As for EG+, the pairwise
    Lipschitz-monotone conditions are not interpolating: the value is an upper bound on the
    worst case.
    """
    _require()
    n = _horizon(N)
    h = _finite("gamma_L", gamma_L, 0.0, 1.0)
    m = _positive("radius", radius)
    L, D = _positive("L", L), _positive("D", D)
    return _result(_past_extragradient_ergodic(n, h, m), n, L * D**2)


@functools.lru_cache(maxsize=1024)
def _halpern(N: int) -> _Raw:
    from PEPit import PEP
    from PEPit.operators import LipschitzOperator

    with _LOCK:
        problem = PEP()
        T = problem.declare_function(LipschitzOperator, L=1.0)
        xs, _, _ = T.fixed_point()
        x0 = problem.set_initial_point()
        problem.set_initial_condition((x0 - xs) ** 2 <= 1)
        x = x0
        for k in range(N):
            x = 1 / (k + 2) * x0 + (1 - 1 / (k + 2)) * T.gradient(x)
        problem.set_performance_metric((x - T.gradient(x)) ** 2)
        return _solve(problem, f"Halpern, N = {N}")


def halpern(N: int, *, R: float = 1.0) -> WorstCase:
    """Worst case of ||x_N - T x_N||^2 after N Halpern steps with Lieder's anchoring.

    Method: x_{k+1} = x_0/(k + 2) + (1 - 1/(k + 2)) T x_k.  Class: nonexpansive T
    (1-Lipschitz operators, whose pairwise condition is interpolating by Kirszbraun's theorem).
    Measure: the *squared* residual ||x_N - T x_N||^2 (a claim on the norm compares square
    roots).  Initial condition: ||x_0 - x*|| <= R.  The value is R^2 tau(N).

    Closed form (Lieder, Optim. Lett. 15 (2021), Theorem 2.1, tight):
    tau = (2/(N + 1))^2, i.e. ||x_N - T x_N|| <= 2 R/(N + 1).
    """
    _require()
    n = _horizon(N)
    R = _positive("R", R)
    return _result(_halpern(n), n, R**2)


# --- momentum methods -----------------------------------------------------------------------------

MEASURES = ("distance", "function")


@functools.lru_cache(maxsize=1024)
def _heavy_ball(N: int, a: float, b: float, q: float, quadratic: bool, measure: str) -> _Raw:
    from PEPit import PEP
    from PEPit import functions as classes

    with _LOCK:
        problem = PEP()
        cls = (classes.SmoothStronglyConvexQuadraticFunction if quadratic
               else classes.SmoothStronglyConvexFunction)
        f = problem.declare_function(cls, mu=q, L=1.0)
        xs = f.stationary_point()
        fs = f(xs)
        x0 = problem.set_initial_point()
        problem.set_initial_condition((x0 - xs) ** 2 <= 1)
        x_old, x = x0, x0
        for _ in range(N):
            x_old, x = x, x - a * f.gradient(x) + b * (x - x_old)
        problem.set_performance_metric((x - xs) ** 2 if measure == "distance" else f(x) - fs)
        what = (f"heavy ball, N = {N}, alpha L = {a:g}, beta = {b:g}, mu/L = {q:g}, "
                f"quadratic = {quadratic}")
        if quadratic:
            return _solve(problem, what, QUADRATIC_SOLVER, **QUADRATIC_OPTIONS)
        return _solve(problem, what)


def polyak_steps(mu: float, L: float = 1.0) -> tuple[float, float]:
    """Polyak's heavy-ball tuning for quadratics: alpha = 4/(sqrt L + sqrt mu)^2,
    beta = ((sqrt kappa - 1)/(sqrt kappa + 1))^2 with kappa = L/mu (Polyak 1964)."""
    L = _positive("L", L)
    mu = _finite("mu", mu, 0.0, L, open_high=True)
    s = math.sqrt(L / mu)
    return 4.0 / (math.sqrt(L) + math.sqrt(mu)) ** 2, ((s - 1) / (s + 1)) ** 2


def heavy_ball(N: int, *, mu: float, alpha: float | None = None, beta: float | None = None,
               L: float = 1.0, R: float = 1.0, quadratic: bool = True,
               measure: str = "distance") -> WorstCase:
    """Worst case after N heavy-ball steps x+ = x - alpha grad f(x) + beta (x - x_-), x_{-1} = x_0.

    Class: L-smooth mu-strongly convex quadratics f(x) = f* + (x - x*)^T Q (x - x*)/2 with
    mu I <= Q <= L I (``quadratic=True``, PEPit's SmoothStronglyConvexQuadraticFunction, exact
    by Bousselmi, Hendrickx & Glineur, arXiv 2302.08781, Theorem 3.9; solved with SCS, see
    :data:`QUADRATIC_OPTIONS`) or all L-smooth mu-strongly convex functions
    (``quadratic=False``).  Measure: ||x_N - x*||^2
    (``measure="distance"``) or f(x_N) - f* (``"function"``).  Initial condition:
    ||x_0 - x*|| <= R.  Default steps: Polyak's (:func:`polyak_steps`).  The value is
    R^2 tau (distance) or L R^2 tau (function), tau computed at L = 1, alpha L, beta, mu/L.

    Closed form on quadratics: x_N - x* = p_N(Q)(x_0 - x*) with the scalar recursion
    p_{k+1} = (1 + beta - alpha lam) p_k - beta p_{k-1}, p_0 = p_{-1} = 1, so
    tau = max over lam in [mu, L] of p_N(lam)^2 (distance) or lam p_N(lam)^2/2 (function).
    With Polyak's steps the spectral radius on [mu, L] is sqrt(beta) = (sqrt kappa - 1)/
    (sqrt kappa + 1), but heavy ball with these steps is *not* globally convergent on the whole
    strongly convex class (Lessard, Recht & Packard, arXiv 1408.3595, give a counterexample).
    """
    _require()
    n = _horizon(N)
    L = _positive("L", L)
    mu = _finite("mu", mu, 0.0, L, open_high=True)
    a0, b0 = polyak_steps(mu, L)
    a = a0 if alpha is None else _positive("alpha", alpha)
    b = b0 if beta is None else _finite("beta", beta, 0.0, 1.0, open_low=False, open_high=True)
    R = _positive("R", R)
    _choice("measure", measure, MEASURES)
    scale = R**2 if measure == "distance" else L * R**2
    return _result(_heavy_ball(n, a * L, b, mu / L, bool(quadratic), measure), n, scale)


@functools.lru_cache(maxsize=1024)
def _nesterov(N: int, q: float, b: float, lyapunov: bool, measure: str) -> _Raw:
    from PEPit import PEP
    from PEPit.functions import SmoothStronglyConvexFunction

    with _LOCK:
        problem = PEP()
        f = problem.declare_function(SmoothStronglyConvexFunction, mu=q, L=1.0)
        xs = f.stationary_point()
        fs = f(xs)
        x0 = problem.set_initial_point()
        if lyapunov:
            problem.set_initial_condition(f(x0) - fs + q / 2 * (x0 - xs) ** 2 <= 1)
        else:
            problem.set_initial_condition((x0 - xs) ** 2 <= 1)
        x, y = x0, x0
        for _ in range(N):
            x_old = x
            x = y - f.gradient(y)
            y = x + b * (x - x_old)
        problem.set_performance_metric((x - xs) ** 2 if measure == "distance" else f(x) - fs)
        return _solve(problem, f"Nesterov, N = {N}, mu/L = {q:g}, momentum = {b:g}")


def nesterov_strongly_convex(N: int, *, mu: float, L: float = 1.0, R: float | None = None,
                             V0: float | None = None, momentum: float | None = None,
                             measure: str = "function") -> WorstCase:
    """Worst case after N steps of Nesterov's accelerated gradient for strongly convex f.

    Method: x_{k+1} = y_k - grad f(y_k)/L, y_{k+1} = x_{k+1} + beta (x_{k+1} - x_k), y_0 = x_0,
    with beta = (sqrt kappa - 1)/(sqrt kappa + 1), kappa = L/mu, unless ``momentum`` is given.
    Class: L-smooth mu-strongly convex functions.  Measure: f(x_N) - f* (``"function"``) or
    ||x_N - x*||^2 (``"distance"``).  Initial condition: exactly one of ||x_0 - x*|| <= R or
    V(x_0) = f(x_0) - f* + mu/2 ||x_0 - x*||^2 <= V0.  Homogeneity: the value is L R^2 tau
    (function, R), R^2 tau (distance, R), V0 tau (function, V0) or V0 tau/L (distance, V0).

    Known bound (d'Aspremont, Scieur & Taylor, arXiv 2101.09545, Corollary 4.15):
    f(x_N) - f* <= (1 - sqrt(mu/L))^N V(x_0); not tight, no closed form for the worst case.
    """
    _require()
    n = _horizon(N)
    L = _positive("L", L)
    mu = _finite("mu", mu, 0.0, L, open_high=True)
    if (R is None) == (V0 is None):
        raise ValueError(f"give exactly one initial condition, R or V0; got R={R!r}, V0={V0!r}")
    s = math.sqrt(L / mu)
    b = (s - 1) / (s + 1) if momentum is None else _finite("momentum", momentum, 0.0, 1.0,
                                                           open_low=False, open_high=True)
    _choice("measure", measure, MEASURES)
    if R is not None:
        size = _positive("R", R) ** 2
        scale = size * L if measure == "function" else size
    else:
        size = _positive("V0", V0)
        scale = size if measure == "function" else size / L
    return _result(_nesterov(n, mu / L, b, V0 is not None, measure), n, scale)


# --- the leg --------------------------------------------------------------------------------------

def _number(name: str, table: Mapping[int, Any], n: int) -> float:
    if n not in table:
        raise ValueError(f"{name} has no value at N = {n} (horizons must all be keys of {name})")
    v = table[n]
    return float(v.value if isinstance(v, WorstCase) else v)


def worst_case_leg(name: str, horizons: Any, measured: Mapping[int, float],
                   worst: Mapping[int, float | WorstCase],
                   bound: Mapping[int, float] | None, rtol: float = 1e-4,
                   floor: float = 1e-4) -> Check:
    """measured <= PEP worst case <= the paper's bound, at every horizon N, as one Check.

    ``measured[N]`` is the claim's value on its synthetic instance after N steps, ``worst[N]`` the
    PEP worst case over the class with the instance's constants (a float or a
    :class:`WorstCase`), ``bound[N]`` the paper's bound with those constants (``None``: the paper
    states no constant, and only measured <= worst is judged, which the detail says).  It passes
    when measured <= worst (1 + rtol) and worst <= bound (1 + rtol) at every N whose worst case is
    at least ``floor``; those below are skipped (their absolute size is at the solver's
    accuracy) and listed.  A leg with nothing left to judge fails: it would assert nothing.
    A non-finite measured value (a diverged run) fails.
    """
    ns = [_horizon(n) for n in horizons]
    if not ns:
        raise ValueError("horizons must hold at least one N")
    rtol = _finite("rtol", rtol, 0.0, 1.0, open_low=False, open_high=True)
    floor = _finite("floor", floor, 0.0, math.inf, open_low=False)
    judged, skipped, failures = [], [], []
    notes = set()
    for n in ns:
        m = _number("measured", measured, n)
        w = _number("worst", worst, n)
        b = None if bound is None else _number("bound", bound, n)
        status = getattr(worst[n], "status", "optimal")
        if status != "optimal":
            notes.add(f"solver status {status} at some N")
        if w < floor:
            skipped.append(f"{n} (worst {w:.3g})")
            continue
        parts = [f"N = {n}: measured {m:.6g}", f"worst {w:.6g}"]
        ok = math.isfinite(m) and m <= w * (1 + rtol)
        if not ok:
            failures.append(f"N = {n}: measured {m:.6g} > worst case {w:.6g}")
        if b is not None:
            parts.append(f"bound {b:.6g}")
            if not w <= b * (1 + rtol):
                failures.append(f"N = {n}: worst case {w:.6g} > bound {b:.6g}")
        judged.append(" <= ".join(parts))
    detail = "; ".join(judged)
    if skipped:
        detail += (f"; skipped (worst case < floor {floor:g}, too small for the solver to "
                   f"judge): N = {', '.join(skipped)}")
    if bound is None:
        detail += "; no bound with constants given: only measured <= worst judged"
    if notes:
        detail += "; " + "; ".join(sorted(notes))
    if not judged:
        return Check(name, False, f"nothing judged: every worst case is below the floor {floor:g}"
                                  f" ({detail.lstrip('; ')})")
    if failures:
        return Check(name, False, "FAILED " + "; ".join(failures) + f" (all: {detail})")
    return Check(name, True, detail + f" (relative tolerance {rtol:g})")
